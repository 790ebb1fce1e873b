"""The invariants of docs/invariants.md as reusable checks, and the ledger they are checked against.

Used by test_invariants.py (after every step of a scripted history) and by test_properties.py
(after every step of random histories). Record every successful transaction with
`Ledger.record`, then call `check_all` (or one of the `check_*` functions):

(1) units:       for each receivable, the holders' balances (every account and the escrow) add
                 up to its face value less the units redeemed (burned); nothing before it is
                 confirmed;
(2) escrow cash: the escrow's settlement-token balance equals what it owes: every repayment
                 not yet drawn out, plus the recourse reserves it holds. "Owed" is computed
                 from the transactions' events, never from the balance itself. No receivable
                 ever pays out more than was repaid into it;
(3) fingerprints: no fingerprint is registered twice: registering any used one reverts;
(4) financing:   no more than the face value of a receivable is financed or pending;
(5) credit:      no debtor uses more credit than its line (and exactly its confirmed, unpaid
                 face value);
(6) financing cash: at every approval the financier's outlay equals the supplier's proceeds
                 plus the platform fee plus the reserve, and the amount financed equals proceeds
                 plus discount, fee and reserve;
(7) escrow units: the escrow holds, of each receivable, exactly the units of its pending
                 financing requests.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from helpers import DAY, EUR, latest_timestamp, reverts_with


@dataclass(frozen=True)
class Approval:
    """One FinancingApproved event and the settlement-token transfers of its transaction."""

    request_id: int
    financier: str
    amount: int
    discount: int
    fee: int
    reserve: int
    proceeds: int
    outlay: int  # Σ ERC-20 Transfer.value sent by the financier in the same transaction


@dataclass
class Ledger:
    """What the contracts owe and have issued, accumulated from the events of transactions."""

    face_value: dict[int, int] = field(default_factory=dict)  # id -> face (ReceivableRegistered)
    debtor_of: dict[int, str] = field(default_factory=dict)
    minted: Counter = field(default_factory=Counter)  # id -> units (ReceivableConfirmed)
    burned: Counter = field(default_factory=Counter)  # id -> units (Redeemed.burned)
    repaid: Counter = field(default_factory=Counter)  # id -> Repaid.amount
    paid_out: Counter = field(default_factory=Counter)  # id -> Redeemed.paid
    reserves: int = 0  # FinancingApproved.reserve - RecourseClaimed.fromReserve - ReserveReleased
    approvals: list[Approval] = field(default_factory=list)
    pending: dict[int, tuple[int, int]] = field(default_factory=dict)  # request -> (id, units)

    def record(self, tx) -> None:
        """Adds the effects of one successful transaction."""
        for ev in events(tx, "ReceivableRegistered"):
            self.face_value[ev["id"]] = ev["faceValue"]
            self.debtor_of[ev["id"]] = str(ev["debtor"])
        for ev in events(tx, "ReceivableConfirmed"):
            self.minted[ev["id"]] += self.face_value[ev["id"]]
        for ev in events(tx, "Repaid"):
            self.repaid[ev["id"]] += ev["amount"]
        for ev in events(tx, "Redeemed"):
            self.paid_out[ev["id"]] += ev["paid"]
            self.burned[ev["id"]] += ev["burned"]
        for ev in events(tx, "FinancingRequested"):
            self.pending[ev["requestId"]] = (ev["id"], ev["amount"])
        for name in ("FinancingApproved", "FinancingRejected", "FinancingCancelled"):
            for ev in events(tx, name):
                del self.pending[ev["requestId"]]
        for ev in events(tx, "FinancingApproved"):
            self.reserves += ev["reserve"]
            financier = str(ev["financier"])
            outlay = sum(t["value"] for t in events(tx, "Transfer") if str(t["from"]) == financier)
            self.approvals.append(
                Approval(
                    ev["requestId"],
                    financier,
                    ev["amount"],
                    ev["discount"],
                    ev["fee"],
                    ev["reserve"],
                    ev["proceeds"],
                    outlay,
                )
            )
        for ev in events(tx, "RecourseClaimed"):
            self.reserves -= ev["fromReserve"]
        for ev in events(tx, "ReserveReleased"):
            self.reserves -= ev["amount"]

    @property
    def ids(self) -> list[int]:
        return list(self.face_value)

    def units_outstanding(self, rid: int) -> int:
        return self.minted[rid] - self.burned[rid]

    def pending_units(self, rid: int) -> int:
        """Units of receivable `rid` locked in pending financing requests."""
        return sum(units for of, units in self.pending.values() if of == rid)

    def owed(self) -> int:
        """What the escrow owes: repayments not drawn out, plus reserves held."""
        return sum(self.repaid[i] - self.paid_out[i] for i in self.ids) + self.reserves

    def credit_in_use(self, debtor) -> int:
        """Confirmed face value of `debtor`'s receivables, less what it has repaid."""
        mine = [i for i in self.ids if self.debtor_of[i] == str(debtor)]
        return sum(self.minted[i] - self.repaid[i] for i in mine)


def events(tx, name: str) -> list:
    """Every `name` event of `tx` (empty when there is none)."""
    if name not in tx.events:
        return []
    return [tx.events[name][i] for i in range(len(tx.events[name]))]


# --- the invariants -----------------------------------------------------------------------------


def check_units(registry, ledger: Ledger, holders) -> None:
    """(1) Σ balances of every holder == face value − redeemed units, for every receivable."""
    holders = list(holders)
    for rid in ledger.ids:
        held = sum(registry.balanceOfBatch(holders, [rid] * len(holders)))
        assert held == ledger.units_outstanding(rid), (
            f"receivable {rid:#x}: holders have {held}, expected {ledger.units_outstanding(rid)}"
        )
        if ledger.minted[rid]:
            face = registry.receivable(rid)["faceValue"]
            assert held == face - ledger.burned[rid]


def check_escrow_cash(escrow, token, ledger: Ledger) -> None:
    """(2) The escrow's balance == Σ(repaid − drawn out) + reserves held, from the events;
    the escrow's own bookkeeping of repayments and reserves agrees with them; no receivable
    has paid out more than was repaid into it."""
    assert token.balanceOf(escrow) == ledger.owed(), (
        f"escrow holds {token.balanceOf(escrow)}, owes {ledger.owed()}"
    )
    assert escrow.reservesHeld(EUR) == ledger.reserves
    for rid in ledger.ids:
        assert escrow.repaid(rid) == ledger.repaid[rid]
        assert ledger.paid_out[rid] <= ledger.repaid[rid], (
            f"receivable {rid:#x}: paid out {ledger.paid_out[rid]}, repaid {ledger.repaid[rid]}"
        )


def check_fingerprints_unique(registry, ledger: Ledger, supplier) -> None:
    """(3) Registering any fingerprint used before reverts with FingerprintUsed."""
    for rid in ledger.ids:
        fingerprint = rid.to_bytes(32, "big")
        again = (
            fingerprint,
            ledger.debtor_of[rid],
            1,
            EUR,
            latest_timestamp() + 365 * DAY,
            b"\x01" * 32,
        )
        with reverts_with("FingerprintUsed", fingerprint):
            registry.register.call(again, {"from": supplier})


def check_financing_within_face_value(escrow, ledger: Ledger) -> None:
    """(4) financedOrPending[id] <= faceValue."""
    for rid in ledger.ids:
        assert escrow.financedOrPending(rid) <= ledger.face_value[rid]


def check_credit_within_lines(registry, ledger: Ledger, debtors) -> None:
    """(5) creditUsed[debtor] <= creditLine[debtor], and equals the confirmed, unpaid value."""
    for debtor in debtors:
        used = registry.creditUsed(debtor)
        assert used <= registry.creditLine(debtor)
        assert used == ledger.credit_in_use(debtor)


def check_financing_conserves_cash(ledger: Ledger) -> None:
    """(6) At every approval: outlay == proceeds + fee + reserve, and
    amount == proceeds + discount + fee + reserve."""
    for a in ledger.approvals:
        assert a.outlay == a.proceeds + a.fee + a.reserve, f"request {a.request_id}: {a}"
        assert a.amount == a.proceeds + a.discount + a.fee + a.reserve, f"request {a.request_id}"


def check_escrow_units(registry, escrow, ledger: Ledger) -> None:
    """(7) The escrow's units of each receivable == the units of its pending requests."""
    for rid in ledger.ids:
        held = registry.balanceOf(escrow, rid)
        assert held == ledger.pending_units(rid), (
            f"receivable {rid:#x}: escrow holds {held} units, pending requests lock "
            f"{ledger.pending_units(rid)}"
        )


Check = Callable[[Any, Ledger], None]

INVARIANTS: dict[str, Check] = {
    "units": lambda w, ledger: check_units(w.registry, ledger, w.holders),
    "escrow-cash": lambda w, ledger: check_escrow_cash(w.escrow, w.token, ledger),
    "fingerprints": lambda w, ledger: check_fingerprints_unique(w.registry, ledger, w.supplier),
    "financing": lambda w, ledger: check_financing_within_face_value(w.escrow, ledger),
    "credit": lambda w, ledger: check_credit_within_lines(w.registry, ledger, w.debtors),
    "financing-cash": lambda w, ledger: check_financing_conserves_cash(ledger),
    "escrow-units": lambda w, ledger: check_escrow_units(w.registry, w.escrow, ledger),
}


def check_all(world, ledger: Ledger, only: Iterable[str] | None = None) -> None:
    """Every invariant (or those named in `only`), on a `world` with registry, escrow, token,
    holders, supplier and debtors; a failure names the invariant."""
    for name in INVARIANTS if only is None else only:
        try:
            INVARIANTS[name](world, ledger)
        except AssertionError as exc:
            raise AssertionError(f"invariant {name!r}: {exc}") from exc
