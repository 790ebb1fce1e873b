"""The permission matrix of docs/permissions.md, checked cell by cell against the contracts.

The tables are read from the document itself: each row's state is built by its setup in
permission_cases.py, then the row's call is made by eth_call from every column's account and
must succeed (✓) or revert with the row's *refused with* error (✗). Views must answer every
column. And every table must list exactly its contract's ABI: a function added to a contract
without a row here fails.

The cells only make eth_calls, which change nothing, so the cells of one row share the state
its setup built: this module replaces the per-test snapshot of conftest.py by one revert to the
deployment whenever the row changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brownie
import pytest
from brownie import DocumentAnchor, accounts, chain
from brownie.exceptions import VirtualMachineError, decode_typed_error
from helpers import ROLE, ZERO_ADDRESS, reverts_with
from permission_cases import CASES, COLUMNS, Call, Suite

from scfchain.artifacts import SUITE

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
HEADER = ("function", *COLUMNS, "refused with", "condition")
SHORT_NAME = {
    "MemberRegistry": "members",
    "ReceivableRegistry": "registry",
    "FinancingEscrow": "escrow",
    "DocumentAnchor": "anchor",
    "SettlementToken": "token",
}
ALLOWED, REFUSED = "✓", "✗"
FUNCTION_CELL = re.compile(r"^`(?P<name>\w+)`(?: \((?P<case>[^()]+)\))?$")
VIEWS_LINE = re.compile(r"^\*\*Views\*\* \(allowed for every role\): (?P<names>.+)$")


@dataclass(frozen=True)
class Row:
    """One row of a table: a function (in one case) against every column."""

    contract: str
    label: str  # the function cell without backticks, e.g. "grantRole (a business role)"
    function: str
    allowed: dict[str, bool]
    refusal: str | None
    line: int

    @property
    def slug(self) -> str:
        return f"{SHORT_NAME[self.contract]}.{re.sub(r'[^A-Za-z0-9]+', '-', self.label).strip('-')}"


@dataclass(frozen=True)
class Matrix:
    rows: list[Row]
    views: dict[str, list[str]]  # contract -> view names
    contracts: list[str]  # in document order


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse_matrix(path: Path = DOC) -> Matrix:
    """The tables and view lists of docs/permissions.md; a malformed line fails naming it."""
    rows: list[Row] = []
    views: dict[str, list[str]] = {}
    contracts: list[str] = []
    contract = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.name}:{number}"
        if line.startswith("## "):
            contract = line[3:].strip()
            contracts.append(contract)
        elif match := VIEWS_LINE.match(line):
            views[contract] = re.findall(r"`(\w+)`", match["names"])
        elif line.startswith("|") and contract is not None:
            cells = _cells(line)
            if cells[0] == "function":
                if tuple(cells) != HEADER:
                    raise ValueError(f"{where}: the header must be {' | '.join(HEADER)}")
                continue
            if set(cells[0]) <= {"-"}:
                continue
            rows.append(_row(contract, cells, where, number))
    return Matrix(rows, views, contracts)


def _row(contract: str, cells: list[str], where: str, number: int) -> Row:
    if len(cells) != len(HEADER):
        raise ValueError(f"{where}: {len(cells)} cells, expected {len(HEADER)}")
    function = FUNCTION_CELL.match(cells[0])
    if not function:
        raise ValueError(f"{where}: function cell {cells[0]!r} is not `name` or `name` (case)")
    marks = dict(zip(COLUMNS, cells[1 : 1 + len(COLUMNS)], strict=True))
    for column, mark in marks.items():
        if mark not in (ALLOWED, REFUSED):
            raise ValueError(f"{where}: column {column!r} holds {mark!r}, not ✓ or ✗")
    refusal = re.fullmatch(r"`(\w+)`", cells[-2])
    if REFUSED in marks.values() and not refusal:
        raise ValueError(f"{where}: a row with ✗ must name its error as `Error` in 'refused with'")
    return Row(
        contract=contract,
        label=cells[0].replace("`", ""),
        function=function["name"],
        allowed={column: mark == ALLOWED for column, mark in marks.items()},
        refusal=refusal[1] if refusal else None,
        line=number,
    )


MATRIX = parse_matrix()
CELLS = [
    pytest.param(
        row,
        column,
        id=f"{row.slug}-by-{column.replace(' ', '-')}-is-{'allowed' if ok else 'refused'}",
    )
    for row in MATRIX.rows
    for column, ok in row.allowed.items()
]
VIEWS = [
    pytest.param(contract, name, id=f"{SHORT_NAME[contract]}.{name}-is-allowed-for-every-role")
    for contract, names in MATRIX.views.items()
    for name in names
]


def compiled_abi(contract: str) -> list[dict[str, Any]]:
    return getattr(brownie, contract).abi


def abi_functions(contract: str, views: bool) -> set[str]:
    read_only = ("view", "pure")
    return {
        item["name"]
        for item in compiled_abi(contract)
        if item["type"] == "function" and (item["stateMutability"] in read_only) == views
    }


def tabled(contract: str) -> set[str]:
    """The functions of `contract` that have a row in its table."""
    return {row.function for row in MATRIX.rows if row.contract == contract}


def guarded_views(contract: str) -> set[str]:
    """Views that refuse some callers (the escrow's ERC-1155 receiver hooks): each has a row in
    the table instead of a place on the views line."""
    return GUARDED_VIEWS.get(contract, set())


GUARDED_VIEWS = {"FinancingEscrow": {"onERC1155Received", "onERC1155BatchReceived"}}


# --- the suite, and one state per row -----------------------------------------------------------


@pytest.fixture(autouse=True)
def isolation(module_isolation):
    """Replaces conftest's per-test snapshot: cells change nothing (see `row_call`)."""


@pytest.fixture(scope="module")
def suite(
    members,
    registry,
    escrow,
    eur,
    operator,
    debtor,
    supplier,
    financier,
    auditor,
    sub_supplier,
    newcomer,
    outsider,
) -> Suite:
    """The deployed suite with one account per column: the deployer keeps only the default-admin
    role and hands the operator role and the token's issuance to a platform operator."""
    platform_operator = accounts[8]
    members.grantRole(ROLE["OPERATOR"], platform_operator, {"from": operator})
    members.revokeRole(ROLE["OPERATOR"], operator, {"from": operator})
    eur.transferOwnership(platform_operator, {"from": operator})
    anchors = DocumentAnchor.deploy(members, registry, {"from": operator})
    chain.snapshot()
    columns = (operator, platform_operator, debtor, supplier, financier, auditor, outsider)
    return Suite(
        members=members,
        registry=registry,
        escrow=escrow,
        anchors=anchors,
        token=eur,
        by_column=dict(zip(COLUMNS, columns, strict=True)),
        sub_supplier=sub_supplier,
        newcomer=newcomer,
    )


_BUILT: dict[str, Any] = {}


def row_call(suite: Suite, row: Row) -> Call:
    """The row's call, on the row's state: built from the deployment when the row changes."""
    key = (row.contract, row.label)
    if _BUILT.get("row") != key:
        _BUILT.clear()
        chain.revert()
        _BUILT["call"] = CASES[key](suite)
        _BUILT["row"] = key
    return _BUILT["call"]


def revert_text(exc: VirtualMachineError) -> str:
    """The decoded revert, e.g. "MissingRole: 0xab.., b'..'" (decoded again if Brownie could not)."""
    text = exc.revert_msg or ""
    if text.startswith("Unknown typed error: 0x"):
        text = decode_typed_error(text.split(": ", 1)[1])
    return text


def names_an_account(error: str) -> bool:
    """Whether the suite's custom error `error` has an address argument (the refused caller)."""
    return any(
        any(i["type"] == "address" for i in item["inputs"])
        for contract in SUITE
        for item in compiled_abi(contract)
        if item["type"] == "error" and item["name"] == error
    )


def zero_arguments(inputs: list[dict[str, Any]]) -> list[Any]:
    """A zero value of each ABI input: 0, false, the zero address, zero bytes, [] or a tuple."""

    def zero(item: dict[str, Any]) -> Any:
        kind = item["type"]
        if kind.endswith("]"):
            return []
        if kind == "tuple":
            return tuple(zero(c) for c in item["components"])
        if kind == "address":
            return ZERO_ADDRESS
        if kind == "bool":
            return False
        if kind == "string":
            return ""
        if kind == "bytes":
            return b""
        if kind.startswith("bytes"):
            return b"\0" * int(kind[5:])
        return 0

    return [zero(item) for item in inputs]


# --- the document against the ABIs --------------------------------------------------------------


def test_the_matrix_has_a_section_for_each_contract_of_the_suite():
    assert MATRIX.contracts == list(SUITE)


@pytest.mark.parametrize(
    "contract",
    [
        pytest.param(c, id=f"{SHORT_NAME[c]}.table-lists-every-state-changing-function")
        for c in SUITE
    ],
)
def test_the_table_lists_exactly_the_state_changing_functions_of_the_abi(contract):
    listed = tabled(contract)
    expected = abi_functions(contract, views=False) | guarded_views(contract)
    assert sorted(expected - listed) == [], f"{DOC.name} {contract}: functions without a row"
    assert sorted(listed - expected) == [], f"{DOC.name} {contract}: rows of no ABI function"


@pytest.mark.parametrize(
    "contract", [pytest.param(c, id=f"{SHORT_NAME[c]}.views-line-lists-every-view") for c in SUITE]
)
def test_the_views_line_lists_exactly_the_views_of_the_abi(contract):
    listed = MATRIX.views.get(contract, [])
    assert sorted(listed) == sorted(set(listed)), f"{DOC.name} {contract}: a view listed twice"
    assert set(listed) == abi_functions(contract, views=True) - guarded_views(contract)


def test_every_row_has_a_setup_and_every_setup_a_row():
    rows = {(row.contract, row.label) for row in MATRIX.rows}
    assert sorted(rows - set(CASES)) == [], "rows without a setup in permission_cases.py"
    assert sorted(set(CASES) - rows) == [], f"setups without a row in {DOC.name}"


def test_no_row_is_listed_twice():
    labels = [(row.contract, row.label) for row in MATRIX.rows]
    assert len(labels) == len(set(labels))


# --- every cell ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "column"), CELLS)
def test_each_cell_of_the_matrix_holds(suite, row, column):
    call = row_call(suite, row)
    caller = suite.by_column[column]
    where = f"{DOC.name}:{row.line} {row.contract}.{row.label} by the {column}"
    if row.allowed[column]:
        try:
            call(caller)
        except VirtualMachineError as exc:
            pytest.fail(f"{where}: allowed, but reverted with {exc.revert_msg!r}")
    else:
        with reverts_with(row.refusal):
            try:
                call(caller)
            except VirtualMachineError as exc:
                refusal = revert_text(exc)
                raise
        if names_an_account(row.refusal):
            assert str(caller.address).lower() in refusal.lower(), (
                f"{where}: {refusal!r} does not name the caller {caller.address}"
            )


@pytest.mark.parametrize(("contract", "view"), VIEWS)
def test_each_view_answers_every_role(suite, contract, view):
    method = getattr(suite.contract(contract), view)
    arguments = zero_arguments(method.abi["inputs"])
    for column, caller in suite.by_column.items():
        try:
            method.call(*arguments, {"from": caller})
        except VirtualMachineError as exc:
            pytest.fail(f"{contract}.{view} by the {column} reverted: {exc.revert_msg!r}")
