"""Invariants of the registry and the escrow, checked after every step of a scripted history.

The invariants of docs/invariants.md are implemented once, in invariants.py, and reused by the
property tests (test_properties.py), which check them after every step of random histories.
Here they run after each of the 35 steps of one written-out history that passes through every
state: split, resale, financing with and without recourse, a rejected and a cancelled request,
partial and full repayment, redemption, default, recourse, late repayment, retirement.
"""

from types import SimpleNamespace

import pytest
from brownie import accounts
from helpers import (
    DAY,
    GRACE_PERIOD,
    Status,
    financing_terms,
    latest_timestamp,
    mine_past,
    receivable_id,
    terms_of,
)
from invariants import INVARIANTS, Ledger, check_all, check_escrow_cash, check_units

# --- the scripted sequence ----------------------------------------------------------------------


@pytest.fixture
def world(registry, escrow, eur, supplier, sub_supplier, debtor, financier, second_financier):
    """The contracts and actors; the supplier has approved the escrow (to pay recourse debt)."""
    eur.approve(escrow, 2**256 - 1, {"from": supplier})
    return SimpleNamespace(
        registry=registry,
        escrow=escrow,
        token=eur,
        holders=[*accounts, escrow],
        supplier=supplier,
        sub_supplier=sub_supplier,
        debtor=debtor,
        debtors=[debtor],
        financier=financier,
        second_financier=second_financier,
    )


def scripted_steps(w):
    """(label, action) pairs; each action returns the transactions it sent (list)."""
    reg, esc = w.registry, w.escrow
    sup, sub, deb, f1, f2 = w.supplier, w.sub_supplier, w.debtor, w.financier, w.second_financier
    start = latest_timestamp()
    terms = {
        "A": terms_of("INV-A", deb, start + 60 * DAY, face_value=1_000_000),
        "B": terms_of("INV-B", deb, start + 90 * DAY, face_value=500_000),
        "C": terms_of("INV-C", deb, start + 30 * DAY, face_value=300_000),
    }
    A, B, C = (receivable_id(terms[k]) for k in "ABC")
    requests = {}

    def request(key, rid, amount, lender, holder, **kw):
        def action():
            tx = esc.requestFinancing(rid, amount, lender, financing_terms(**kw), {"from": holder})
            requests[key] = tx.events["FinancingRequested"]["requestId"]
            return [tx]

        return action

    def sleep_past_default_of_c():
        mine_past(reg.receivable(C)["dueDate"] + GRACE_PERIOD)
        return []

    def redeem(rid, *holders):
        return lambda: [esc.redeem(rid, {"from": h}) for h in holders]

    return [
        ("register A", lambda: [reg.register(terms["A"], {"from": sup})]),
        ("register B", lambda: [reg.register(terms["B"], {"from": sup})]),
        ("register C", lambda: [reg.register(terms["C"], {"from": sup})]),
        ("confirm A, B, C", lambda: [reg.confirmBatch([A, B, C], {"from": deb})]),
        ("split A", lambda: [reg.safeTransferFrom(sup, sub, A, 200_000, b"", {"from": sup})]),
        (
            "transfer A back",
            lambda: [reg.safeTransferFrom(sub, sup, A, 50_000, b"", {"from": sub})],
        ),
        ("request A1", request("A1", A, 300_000, f1, sup, recourse=True, reserve_bps=1_000)),
        ("approve A1", lambda: [esc.approveFinancing(requests["A1"], {"from": f1})]),
        ("request A2", request("A2", A, 100_000, f2, sub)),
        ("approve A2", lambda: [esc.approveFinancing(requests["A2"], {"from": f2})]),
        ("request B1", request("B1", B, 250_000, f2, sup, rate_bps=900, day_count=1)),
        ("approve B1", lambda: [esc.approveFinancing(requests["B1"], {"from": f2})]),
        ("request C1", request("C1", C, 150_000, f1, sup, recourse=True, reserve_bps=2_000)),
        ("approve C1", lambda: [esc.approveFinancing(requests["C1"], {"from": f1})]),
        ("request B2", request("B2", B, 100_000, f1, sup)),
        ("cancel B2", lambda: [esc.cancelFinancing(requests["B2"], {"from": sup})]),
        ("request A3", request("A3", A, 50_000, f1, sup)),
        ("reject A3", lambda: [esc.rejectFinancing(requests["A3"], 7, {"from": f1})]),
        ("sell A", lambda: [reg.safeTransferFrom(f1, f2, A, 100_000, b"", {"from": f1})]),
        ("repay C in part", lambda: [esc.repay(C, 100_000, {"from": deb})]),
        ("redeem C in part", redeem(C, f1)),
        ("C past due and grace", sleep_past_default_of_c),
        ("default C", lambda: [esc.recordDefault(C, {"from": f1})]),
        ("claim recourse C1", lambda: [esc.claimRecourse(requests["C1"], {"from": f1})]),
        ("pay recourse debt", lambda: [esc.payRecourseDebt(requests["C1"], 40_000, {"from": sup})]),
        ("pay off recourse", lambda: [esc.payRecourseDebt(requests["C1"], 30_000, {"from": sup})]),
        ("repay A in part", lambda: [esc.repay(A, 400_000, {"from": deb})]),
        ("redeem A in part", redeem(A, f1, f2, sub, sup)),
        ("repay B early", lambda: [esc.repay(B, 500_000, {"from": deb})]),
        ("redeem B", redeem(B, f2, sup)),
        ("repay rest of A", lambda: [esc.repay(A, 600_000, {"from": deb})]),
        ("redeem rest of A", redeem(A, f1, f2, sub, sup)),
        ("release reserve A1", lambda: [esc.releaseReserve(requests["A1"], {"from": sup})]),
        ("repay C late", lambda: [esc.repay(C, 200_000, {"from": deb})]),
        ("redeem C", redeem(C, sup)),
    ]


def run_script(w, ledger: Ledger, after_each=None) -> int:
    """Runs the scripted steps, recording each transaction and calling `after_each(label)`
    after each step; returns the number of steps."""
    steps = scripted_steps(w)
    for label, action in steps:
        for tx in action():
            ledger.record(tx)
        if after_each is not None:
            after_each(label)
    return len(steps)


# --- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("invariant", INVARIANTS.values(), ids=INVARIANTS.keys())
def test_the_invariant_holds_after_every_step_of_the_scripted_sequence(world, invariant):
    ledger = Ledger()
    checked = []

    def check(label):
        try:
            invariant(world, ledger)
        except AssertionError as exc:
            raise AssertionError(f"after step {label!r}: {exc}") from exc
        checked.append(label)

    steps = run_script(world, ledger, check)

    assert len(checked) == steps > 30


def test_the_scripted_sequence_ends_with_every_receivable_retired_and_nothing_owed(world):
    ledger = Ledger()

    run_script(world, ledger)

    assert [world.registry.receivable(rid)["status"] for rid in ledger.ids] == [Status.RETIRED] * 3
    assert ledger.owed() == 0
    assert world.token.balanceOf(world.escrow) == 0
    assert world.registry.creditUsed(world.debtor) == 0
    check_all(world, ledger)


def test_a_stray_transfer_into_the_escrow_breaks_the_cash_invariant(world, eur, escrow, debtor):
    ledger = Ledger()
    check_escrow_cash(escrow, eur, ledger)

    eur.transfer(escrow, 1, {"from": debtor})

    with pytest.raises(AssertionError, match="escrow holds 1, owes 0"):
        check_escrow_cash(escrow, eur, ledger)


def test_an_unrecorded_registration_breaks_the_units_invariant(world, registry, supplier, debtor):
    ledger = Ledger()
    terms = terms_of("INV-U", debtor, latest_timestamp() + 30 * DAY)
    ledger.record(registry.register(terms, {"from": supplier}))

    registry.confirm(receivable_id(terms), {"from": debtor})  # not recorded in the ledger

    with pytest.raises(AssertionError, match="holders have 1000000, expected 0"):
        check_units(registry, ledger, world.holders)
