"""Constants and helpers shared by the Brownie contract tests.

Import from here (``from helpers import ...``), never from ``conftest``. Needs a loaded Brownie
project (it reads the compiled ABIs), so it is for tests/contracts only.
"""

from contextlib import contextmanager
from enum import IntEnum

import brownie
from brownie.exceptions import VirtualMachineError, decode_typed_error, parse_errors_from_abi
from eth_abi import encode
from eth_utils import keccak

DAY = 86_400
GRACE_PERIOD = 30 * DAY
ADMIN_DELAY = 2 * DAY
EUR = b"EUR"
FACE_VALUE = 1_000_000  # 10,000.00 EUR in cents
STARTING_CASH = 100_000_000
FINANCED_AMOUNT = 400_000  # what the shared `pending_request` fixture asks to finance
RATE_BPS = 600  # 6% a year
BPS = 10_000
MAX_FEE_BPS = 100
ZERO_ADDRESS = "0x" + "00" * 20

ROLE = {
    name: keccak(text=f"{name}_ROLE")
    for name in ("OPERATOR", "DEBTOR", "SUPPLIER", "FINANCIER", "AUDITOR")
}


class Status(IntEnum):
    """IReceivableRegistry.Status."""

    NONE = 0
    REGISTERED = 1
    CONFIRMED = 2
    REJECTED = 3
    CANCELLED = 4
    IN_REPAYMENT = 5
    REPAID = 6
    DEFAULTED = 7
    RETIRED = 8


class RequestStatus(IntEnum):
    """IFinancingEscrow.RequestStatus."""

    NONE = 0
    PENDING = 1
    APPROVED = 2
    REJECTED = 3
    CANCELLED = 4


class DayCount(IntEnum):
    """FinancingMath.DayCount."""

    ACT_360 = 0
    ACT_365 = 1


def fingerprint_of(invoice_number: str) -> bytes:
    """A test invoice fingerprint, as the tooling computes it for seller 'ID:test-supplier'."""
    return keccak(text=f"scfchain-invoice-v1|ID:test-supplier|{invoice_number}")


def document_hash_of(invoice_number: str) -> bytes:
    """A stand-in for the hash of the invoice document."""
    return keccak(text=f"invoice {invoice_number} pdf")


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def days_to_maturity(now: int, due_date: int) -> int:
    """FinancingMath.daysBetween: whole days, rounded up; zero once due."""
    return 0 if due_date <= now else ceil_div(due_date - now, DAY)


def expected_discount(amount: int, rate_bps: int, days: int, basis: int = DayCount.ACT_360) -> int:
    """FinancingMath.discount: ceil(amount * rate * days / (year * BPS))."""
    year = 360 if basis == DayCount.ACT_360 else 365
    return ceil_div(amount * rate_bps * days, year * BPS)


def expected_fee(amount: int, fee_bps: int) -> int:
    """FinancingMath.fee: ceil(amount * fee / BPS)."""
    return ceil_div(amount * fee_bps, BPS)


def single_event(tx, name: str) -> dict:
    """The one `name` event of `tx`, as a plain dict; fails unless there is exactly one."""
    assert name in tx.events, f"{name} not emitted; events: {list(tx.events.keys())}"
    assert len(tx.events[name]) == 1, f"{name} emitted {len(tx.events[name])} times"
    return dict(tx.events[name][0])


# --- custom-error reverts -------------------------------------------------------------------


def _project_errors() -> dict[str, list[dict]]:
    """Every custom error declared in the loaded project's ABIs, by name.

    Also registers them with Brownie's decoder, so that their selectors decode by name.
    """
    errors: dict[str, list[dict]] = {}
    for project in brownie.project.get_loaded_projects():
        for container in project:
            parse_errors_from_abi(container.abi)
            for item in container.abi:
                if item.get("type") == "error" and item not in errors.get(item["name"], []):
                    errors.setdefault(item["name"], []).append(item)
    return errors


def _selector(item: dict) -> str:
    types = ",".join(i["type"] for i in item["inputs"])
    return "0x" + keccak(text=f"{item['name']}({types})")[:4].hex()


def _arg(value):
    """Brownie accounts and contracts become their addresses; everything else stays."""
    return str(value.address) if hasattr(value, "address") else value


@contextmanager
def reverts_with(error_name: str, *args):
    """Asserts that the block reverts with the custom error `error_name`.

    The name must be declared in one of the project's ABIs (a typo fails loudly). With `args`,
    the error's arguments must equal them too (compared after ABI encoding, so addresses,
    accounts, bytes and enum values compare naturally). Brownie decodes reverts into
    ``"Name: arg, ..."`` when it knows the selector and into ``"Unknown typed error: 0x..."``
    when it does not; both forms are matched via the selector computed from the ABI.
    """
    declared = _project_errors().get(error_name)
    if not declared:
        raise ValueError(f"no custom error named {error_name!r} in the project's ABIs")
    try:
        yield
    except VirtualMachineError as exc:
        actual = exc.revert_msg or ""
        if actual.startswith("Unknown typed error: 0x"):
            # Brownie did not know the selector when it raised; decode again with the ABIs.
            actual = decode_typed_error(actual.split(": ", 1)[1])
        name = actual.split(":", 1)[0].strip()
        assert name == error_name, f"expected revert {error_name}, got {actual!r}"
        if args:
            candidates = []
            for item in declared:
                types = [i["type"] for i in item["inputs"]]
                if len(types) != len(args):
                    continue
                data = encode(types, [_arg(a) for a in args]).hex()
                candidates.append(decode_typed_error(_selector(item) + data))
            assert actual in candidates, f"expected {candidates}, got {actual!r}"
    else:
        raise AssertionError(f"expected revert {error_name}, but nothing reverted")
