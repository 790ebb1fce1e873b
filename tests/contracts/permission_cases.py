"""The state of each row of docs/permissions.md, and the call its cells make.

CASES maps (contract, row) to a setup: given the deployed `Suite`, it builds the state the row's
*condition* describes (so that only the caller decides) and returns a `Call`, which makes the
row's call from one account with eth_call. test_permissions.py runs each setup once and makes
its call from every column's account. The row is the function cell of the table without its
backticks, e.g. "grantRole (a business role)".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brownie import ReceivableRegistry
from eth_utils import keccak
from helpers import (
    ADMIN_DELAY,
    DAY,
    FACE_VALUE,
    FINANCED_AMOUNT,
    GRACE_PERIOD,
    ROLE,
    Status,
    approval_signature,
    confirmation_signature,
    financing_terms,
    latest_timestamp,
    mine_past,
    request_signature,
    terms_of,
)

DEFAULT_ADMIN_ROLE = b"\0" * 32
COLUMNS = ("default admin", "operator", "debtor", "supplier", "financier", "auditor", "non-member")
# The role each column's account holds (the non-member holds none: it renounces a role it lacks).
HELD_ROLE = {
    "default admin": DEFAULT_ADMIN_ROLE,
    "operator": ROLE["OPERATOR"],
    "debtor": ROLE["DEBTOR"],
    "supplier": ROLE["SUPPLIER"],
    "financier": ROLE["FINANCIER"],
    "auditor": ROLE["AUDITOR"],
    "non-member": ROLE["SUPPLIER"],
}
CASH = 10_000


@dataclass(frozen=True)
class Suite:
    """The deployed contracts, one account per column (`by_column`) and helper accounts."""

    members: Any
    registry: Any
    escrow: Any
    anchors: Any
    token: Any
    by_column: dict[str, Any]
    sub_supplier: Any
    newcomer: Any

    def __getattr__(self, column: str) -> Any:
        """suite.debtor, suite.supplier, ...: the account of that column."""
        try:
            return self.by_column[column.replace("_", " ").replace("non member", "non-member")]
        except KeyError:
            raise AttributeError(column) from None

    def contract(self, name: str) -> Any:
        return {
            "MemberRegistry": self.members,
            "ReceivableRegistry": self.registry,
            "FinancingEscrow": self.escrow,
            "DocumentAnchor": self.anchors,
            "SettlementToken": self.token,
        }[name]


Call = Callable[[Any], Any]
Setup = Callable[[Suite], Call]


def calling(contract: Any, function: str, *args: Any) -> Call:
    """A Call: `contract.function(*args)` by eth_call from the given account."""
    method = getattr(contract, function)
    return lambda caller: method.call(*args, {"from": caller})


def _as_operator(hook: Any, ids: Any, values: Any) -> Call:
    """An ERC-1155 receiver hook called directly, the caller naming itself operator and sender."""
    return lambda caller: hook.call(caller, caller, ids, values, b"", {"from": caller})


def column_of(s: Suite, account: Any) -> str:
    return next(c for c, a in s.by_column.items() if a == account)


# --- common states ------------------------------------------------------------------------------


def _registered(s: Suite, invoice: str = "INV-P") -> int:
    terms = terms_of(invoice, s.debtor, latest_timestamp() + 90 * DAY)
    return s.registry.register(terms, {"from": s.supplier}).return_value


def _confirmed(s: Suite, invoice: str = "INV-P") -> int:
    receivable = _registered(s, invoice)
    s.registry.confirm(receivable, {"from": s.debtor})
    return receivable


def _pending(s: Suite, terms: tuple | None = None) -> tuple[int, int]:
    """(receivable, request): the supplier asks the financier to finance FINANCED_AMOUNT."""
    receivable = _confirmed(s)
    tx = s.escrow.requestFinancing(
        receivable, FINANCED_AMOUNT, s.financier, terms or financing_terms(), {"from": s.supplier}
    )
    return receivable, tx.return_value


def _approved_with_recourse(s: Suite) -> tuple[int, int]:
    """(receivable, request): approved, with recourse and a 10% reserve."""
    receivable, request = _pending(s, financing_terms(recourse=True, reserve_bps=1_000))
    s.escrow.approveFinancing(request, {"from": s.financier})
    return receivable, request


def _fund_every_column(s: Suite) -> None:
    """Every column's account holds CASH settlement tokens and has approved the escrow."""
    for account in s.by_column.values():
        s.token.mint(account, CASH, {"from": s.operator})
        s.token.approve(s.escrow, CASH, {"from": account})


# --- MemberRegistry -----------------------------------------------------------------------------


def _unpause(s: Suite) -> Call:
    s.members.pause({"from": s.operator})
    return calling(s.members, "unpause")


def _renounce_own_role(s: Suite) -> Call:
    return lambda caller: s.members.renounceRole.call(
        HELD_ROLE[column_of(s, caller)], caller, {"from": caller}
    )


def _cancel_admin_transfer(s: Suite) -> Call:
    s.members.beginDefaultAdminTransfer(s.newcomer, {"from": s.default_admin})
    return calling(s.members, "cancelDefaultAdminTransfer")


def _accept_admin_transfer(s: Suite) -> Call:
    s.members.beginDefaultAdminTransfer(s.operator, {"from": s.default_admin})
    mine_past(latest_timestamp() + ADMIN_DELAY)
    return calling(s.members, "acceptDefaultAdminTransfer")


def _rollback_admin_delay(s: Suite) -> Call:
    s.members.changeDefaultAdminDelay(3 * DAY, {"from": s.default_admin})
    return calling(s.members, "rollbackDefaultAdminDelay")


MEMBER_REGISTRY: dict[str, Setup] = {
    "admit": lambda s: calling(
        s.members, "admit", s.newcomer, keccak(text="ID:newcomer"), [ROLE["SUPPLIER"]]
    ),
    "expel": lambda s: calling(s.members, "expel", s.sub_supplier),
    "pause": lambda s: calling(s.members, "pause"),
    "unpause": _unpause,
    "grantRole (a business role)": lambda s: calling(
        s.members, "grantRole", ROLE["SUPPLIER"], s.debtor
    ),
    "grantRole (the operator role)": lambda s: calling(
        s.members, "grantRole", ROLE["OPERATOR"], s.newcomer
    ),
    "revokeRole (a business role)": lambda s: calling(
        s.members, "revokeRole", ROLE["SUPPLIER"], s.sub_supplier
    ),
    "revokeRole (the operator role)": lambda s: calling(
        s.members, "revokeRole", ROLE["OPERATOR"], s.operator
    ),
    "renounceRole (a role the caller holds)": _renounce_own_role,
    "renounceRole (another account's role)": lambda s: calling(
        s.members, "renounceRole", ROLE["SUPPLIER"], s.sub_supplier
    ),
    "beginDefaultAdminTransfer": lambda s: calling(
        s.members, "beginDefaultAdminTransfer", s.newcomer
    ),
    "cancelDefaultAdminTransfer": _cancel_admin_transfer,
    "acceptDefaultAdminTransfer": _accept_admin_transfer,
    "changeDefaultAdminDelay": lambda s: calling(s.members, "changeDefaultAdminDelay", 3 * DAY),
    "rollbackDefaultAdminDelay": _rollback_admin_delay,
}


# --- ReceivableRegistry -------------------------------------------------------------------------


def _new_terms(s: Suite) -> tuple:
    return terms_of("INV-NEW", s.debtor, latest_timestamp() + 90 * DAY)


def _bind_escrow(s: Suite) -> Call:
    unbound = ReceivableRegistry.deploy(s.members, {"from": s.operator})
    return calling(unbound, "bindEscrow", s.escrow)


def _register_and_confirm(s: Suite, batch: bool) -> Call:
    terms = _new_terms(s)
    sig = confirmation_signature(s.registry, s.debtor, s.supplier, terms)
    if batch:
        return calling(s.registry, "registerAndConfirmBatch", [terms], [sig])
    return calling(s.registry, "registerAndConfirm", terms, sig)


def _confirm_by_sig(s: Suite) -> Call:
    terms = terms_of("INV-SIG", s.debtor, latest_timestamp() + 90 * DAY)
    receivable = s.registry.register(terms, {"from": s.supplier}).return_value
    sig = confirmation_signature(s.registry, s.debtor, s.supplier, terms)
    return calling(s.registry, "confirmBySig", receivable, sig)


def _transfer_suppliers_units(s: Suite, batch: bool) -> Call:
    receivable = _confirmed(s)
    if batch:
        return calling(
            s.registry, "safeBatchTransferFrom", s.supplier, s.sub_supplier, [receivable], [1], b""
        )
    return calling(s.registry, "safeTransferFrom", s.supplier, s.sub_supplier, receivable, 1, b"")


RECEIVABLE_REGISTRY: dict[str, Setup] = {
    "setCreditLine": lambda s: calling(s.registry, "setCreditLine", s.debtor, FACE_VALUE),
    "bindEscrow": _bind_escrow,
    "register": lambda s: calling(s.registry, "register", _new_terms(s)),
    "registerBatch": lambda s: calling(s.registry, "registerBatch", [_new_terms(s)]),
    "registerAndConfirm": lambda s: _register_and_confirm(s, batch=False),
    "registerAndConfirmBatch": lambda s: _register_and_confirm(s, batch=True),
    "confirm": lambda s: calling(s.registry, "confirm", _registered(s)),
    "confirmBatch": lambda s: calling(s.registry, "confirmBatch", [_registered(s)]),
    "confirmBySig": _confirm_by_sig,
    "dispute": lambda s: calling(s.registry, "dispute", _registered(s), 1),
    "reject": lambda s: calling(s.registry, "reject", _registered(s), 1),
    "cancel": lambda s: calling(s.registry, "cancel", _registered(s)),
    "safeTransferFrom": lambda s: _transfer_suppliers_units(s, batch=False),
    "safeBatchTransferFrom": lambda s: _transfer_suppliers_units(s, batch=True),
    "setApprovalForAll": lambda s: calling(s.registry, "setApprovalForAll", s.sub_supplier, True),
    "invalidateNonce": lambda s: calling(s.registry, "invalidateNonce", 12_345),
    "setStatus": lambda s: calling(s.registry, "setStatus", _confirmed(s), Status.IN_REPAYMENT),
    "burn": lambda s: calling(s.registry, "burn", s.supplier, _confirmed(s), 1),
    "releaseCredit": lambda s: calling(s.registry, "releaseCredit", s.debtor, 1),
}


# --- FinancingEscrow ----------------------------------------------------------------------------


def _request_by_sig(s: Suite) -> Call:
    receivable = _confirmed(s)
    terms = financing_terms()
    sig = request_signature(s.escrow, s.supplier, receivable, FINANCED_AMOUNT, s.financier, terms)
    return calling(
        s.escrow,
        "requestFinancingBySig",
        s.supplier,
        receivable,
        FINANCED_AMOUNT,
        s.financier,
        terms,
        sig,
    )


def _approve_by_sig(s: Suite) -> Call:
    _, request = _pending(s)
    return calling(
        s.escrow,
        "approveFinancingBySig",
        request,
        approval_signature(s.escrow, s.financier, request),
    )


def _cancel_once_due(s: Suite) -> Call:
    receivable, request = _pending(s)
    mine_past(s.registry.receivable(receivable)["dueDate"])
    return calling(s.escrow, "cancelFinancing", request)


def _redeem(s: Suite) -> Call:
    receivable = _confirmed(s)
    for holder in (s.debtor, s.financier, s.auditor):
        s.registry.safeTransferFrom(s.supplier, holder, receivable, 1, b"", {"from": s.supplier})
    s.escrow.repay(receivable, FACE_VALUE, {"from": s.debtor})
    return calling(s.escrow, "redeem", receivable)


def _record_default(s: Suite) -> Call:
    receivable = _confirmed(s)
    mine_past(s.registry.receivable(receivable)["dueDate"] + GRACE_PERIOD)
    return calling(s.escrow, "recordDefault", receivable)


def _defaulted_with_recourse(s: Suite) -> int:
    """The recourse financing's receivable is in default; returns the request."""
    receivable, request = _approved_with_recourse(s)
    mine_past(s.registry.receivable(receivable)["dueDate"] + GRACE_PERIOD)
    s.escrow.recordDefault(receivable, {"from": s.financier})
    return request


def _pay_recourse_debt(s: Suite) -> Call:
    request = _defaulted_with_recourse(s)
    s.escrow.claimRecourse(request, {"from": s.financier})
    _fund_every_column(s)
    return calling(s.escrow, "payRecourseDebt", request, 1)


def _release_reserve(s: Suite) -> Call:
    receivable, request = _approved_with_recourse(s)
    s.escrow.repay(receivable, FACE_VALUE, {"from": s.debtor})
    return calling(s.escrow, "releaseReserve", request)


FINANCING_ESCROW: dict[str, Setup] = {
    "setSettlementToken": lambda s: calling(s.escrow, "setSettlementToken", b"USD", s.token),
    "setFee": lambda s: calling(s.escrow, "setFee", 50, s.operator),
    "setExposureLimit": lambda s: calling(s.escrow, "setExposureLimit", s.debtor, FACE_VALUE),
    "requestFinancing": lambda s: calling(
        s.escrow, "requestFinancing", _confirmed(s), FINANCED_AMOUNT, s.financier, financing_terms()
    ),
    "requestFinancingBySig": _request_by_sig,
    "approveFinancing": lambda s: calling(s.escrow, "approveFinancing", _pending(s)[1]),
    "approveFinancingBySig": _approve_by_sig,
    "rejectFinancing": lambda s: calling(s.escrow, "rejectFinancing", _pending(s)[1], 1),
    "cancelFinancing (before the due date)": lambda s: calling(
        s.escrow, "cancelFinancing", _pending(s)[1]
    ),
    "cancelFinancing (once due)": _cancel_once_due,
    "repay": lambda s: calling(s.escrow, "repay", _confirmed(s), FACE_VALUE),
    "redeem": _redeem,
    "recordDefault": _record_default,
    "claimRecourse": lambda s: calling(s.escrow, "claimRecourse", _defaulted_with_recourse(s)),
    "payRecourseDebt": _pay_recourse_debt,
    "releaseReserve": _release_reserve,
    "invalidateNonce": lambda s: calling(s.escrow, "invalidateNonce", 12_345),
    "onERC1155Received": lambda s: _as_operator(s.escrow.onERC1155Received, _confirmed(s), 1),
    "onERC1155BatchReceived": lambda s: _as_operator(
        s.escrow.onERC1155BatchReceived, [_confirmed(s)], [1]
    ),
}


# --- DocumentAnchor and SettlementToken ---------------------------------------------------------

DOCUMENT_ANCHOR: dict[str, Setup] = {
    "anchor": lambda s: calling(
        s.anchors, "anchor", _registered(s), keccak(text="delivery note"), b"delivery-note"
    ),
}


def _burn(s: Suite) -> Call:
    s.token.mint(s.operator, CASH, {"from": s.operator})
    return calling(s.token, "burn", 1)


def _transfer(s: Suite) -> Call:
    _fund_every_column(s)
    return calling(s.token, "transfer", s.sub_supplier, 1)


def _transfer_from(s: Suite) -> Call:
    for account in s.by_column.values():
        s.token.approve(account, CASH, {"from": s.debtor})
    return calling(s.token, "transferFrom", s.debtor, s.sub_supplier, 1)


SETTLEMENT_TOKEN: dict[str, Setup] = {
    "mint": lambda s: calling(s.token, "mint", s.sub_supplier, 1),
    "burn": _burn,
    "transferOwnership": lambda s: calling(s.token, "transferOwnership", s.sub_supplier),
    "renounceOwnership": lambda s: calling(s.token, "renounceOwnership"),
    "approve": lambda s: calling(s.token, "approve", s.escrow, 1),
    "transfer": _transfer,
    "transferFrom": _transfer_from,
}

CASES: dict[tuple[str, str], Setup] = {
    (contract, row): setup
    for contract, rows in (
        ("MemberRegistry", MEMBER_REGISTRY),
        ("ReceivableRegistry", RECEIVABLE_REGISTRY),
        ("FinancingEscrow", FINANCING_ESCROW),
        ("DocumentAnchor", DOCUMENT_ANCHOR),
        ("SettlementToken", SETTLEMENT_TOKEN),
    )
    for row, setup in rows.items()
}
