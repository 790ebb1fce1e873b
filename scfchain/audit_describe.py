"""What each audit-trail event says, in words: its action, amount and the status it leads to;
amounts in major units with their currency, times in UTC. Shared by the CSV and the HTML page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scfchain.currencies import format_amount
from scfchain.states import STATUS_NAMES

if TYPE_CHECKING:
    from scfchain.audit import AuditEvent

# The status a receivable is in after each registry event that changes it implicitly.
STATUS_AFTER = {
    "ReceivableRegistered": "Registered",
    "ReceivableConfirmed": "Confirmed",
    "ReceivableRejected": "Rejected",
    "ReceivableDisputed": "Disputed",
    "ReceivableCancelled": "Cancelled",
}


@dataclass(frozen=True)
class EventSummary:
    """One event in words: what happened, the amount it moved (minor units, or None), the status
    the receivable is in afterwards (None when the event does not change it) and details."""

    action: str
    amount: int | None
    status_after: str | None
    details: str


def utc_text(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe(event: AuditEvent, currency: str, label: Callable[[str], str] = str) -> EventSummary:
    """The action, amount and details of `event` for a receivable in `currency`; `label` names
    addresses (e.g. the escrow contract)."""
    a = event.args
    money = lambda v: format_amount(int(v), currency)  # noqa: E731
    name = event.event
    if name == "ReceivableRegistered":
        details = (
            f"supplier {label(a['supplier'])}; debtor {label(a['debtor'])}; "
            f"due {utc_text(int(a['dueDate']))}; document 0x{bytes(a['documentHash']).hex()}"
        )
        return EventSummary("registered", int(a["faceValue"]), "Registered", details)
    if name in ("ReceivableConfirmed", "ReceivableRejected", "ReceivableDisputed"):
        verb = name.removeprefix("Receivable").lower()
        reason = f" (reason code {a['reasonCode']})" if "reasonCode" in a else ""
        details = f"debtor {label(a['debtor'])}"
        return EventSummary(f"{verb} by the debtor{reason}", None, STATUS_AFTER[name], details)
    if name == "ReceivableCancelled":
        return EventSummary("cancelled by the supplier", None, "Cancelled", "")
    if name == "StatusChanged":
        status = STATUS_NAMES[int(a["status"])]
        return EventSummary(f"status set to {status}", None, status, "")
    if name in ("TransferSingle", "TransferBatch"):
        source, target, value = a["from"], a["to"], int(a["value"])
        if int(source, 16) == 0:
            return EventSummary(f"minted to {label(target)}", value, None, "")
        if int(target, 16) == 0:
            return EventSummary(f"burned from {label(source)}", value, None, "")
        return EventSummary(f"transferred from {label(source)} to {label(target)}", value, None, "")
    return _describe_escrow(event, money, label)


def _describe_escrow(
    event: AuditEvent, money: Callable[[int], str], label: Callable[[str], str]
) -> EventSummary:
    a, name = event.args, event.event
    request = f"request {a['requestId']}" if "requestId" in a else ""
    if name == "FinancingRequested":
        t = a["terms"]
        rate, day_count, recourse, reserve = (
            (t["rateBps"], t["dayCount"], t["recourse"], t["reserveBps"])
            if isinstance(t, Mapping)
            else tuple(t)
        )
        details = (
            f"{request}; financier {label(a['financier'])}; rate {rate} bps "
            f"{('ACT/360', 'ACT/365')[int(day_count)] if int(day_count) < 2 else day_count}; "
            f"recourse {'yes' if recourse else 'no'}; reserve {reserve} bps"
        )
        return EventSummary(
            f"financing requested by {label(a['supplier'])}", int(a["amount"]), None, details
        )
    if name == "FinancingApproved":
        details = (
            f"{request}; discount {money(a['discount'])}; fee {money(a['fee'])}; "
            f"reserve {money(a['reserve'])}; proceeds {money(a['proceeds'])} to the supplier"
        )
        return EventSummary(
            f"financing approved by {label(a['financier'])}", int(a["amount"]), None, details
        )
    if name == "FinancingRejected":
        return EventSummary(
            f"financing rejected (reason code {a['reasonCode']})", None, None, request
        )
    if name == "FinancingCancelled":
        return EventSummary("financing request cancelled", None, None, request)
    if name == "Repaid":
        details = f"total repaid {money(a['totalRepaid'])}"
        return EventSummary(f"repaid by {label(a['payer'])}", int(a["amount"]), None, details)
    if name == "Redeemed":
        details = f"{int(a['burned']):,} units retired"
        return EventSummary(f"redeemed by {label(a['holder'])}", int(a["paid"]), None, details)
    if name == "DefaultRecorded":
        return EventSummary("default recorded (shortfall)", int(a["shortfall"]), None, "")
    if name == "RecourseClaimed":
        details = f"{request}; {money(a['fromReserve'])} from the reserve; debt {money(a['debt'])}"
        return EventSummary(
            "recourse claimed", int(a["fromReserve"]) + int(a["debt"]), None, details
        )
    if name == "RecourseDebtPaid":
        details = f"{request}; remaining {money(a['remaining'])}"
        return EventSummary("recourse debt paid", int(a["amount"]), None, details)
    if name == "ReserveReleased":
        return EventSummary("reserve released to the supplier", int(a["amount"]), None, request)
    if name == "DocumentAnchored":
        kind = bytes(a["kind"]).rstrip(b"\0").decode("utf-8", "replace") or "-"
        details = f"hash 0x{bytes(a['documentHash']).hex()}; kind {kind}"
        return EventSummary(f"document anchored by {label(a['anchoredBy'])}", None, None, details)
    return EventSummary(name, None, None, "")
