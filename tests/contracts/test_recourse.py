"""Default and recourse: what happens when the debtor pays late, in part, or not at all.

The model (contracts/escrow/Settlement.sol, FinancingDesk.sol):

* A confirmed receivable is *overdue* once its due date has passed unpaid; it may be recorded
  as *defaulted* only after due date + grace period.
* Every holder draws its share of each repayment pro rata to its units (pull), whether the
  receivable is in repayment, defaulted or repaid.
* Without recourse the financier bears the loss: it only ever receives its pro-rata share.
* With recourse, a reserve (reserveBps of the financed amount) is held back from the supplier's
  proceeds at approval and kept in the escrow. On default the financier claims its shortfall
  (financed amount less its pro-rata share of what was repaid): first from the reserve, the
  rest recorded as a debt of the supplier; its financed units go back to the supplier, and it
  is paid its pending pro-rata share at once. What is left of the reserve goes to the supplier.

The shared `confirmed` receivable: FACE_VALUE (10,000.00 EUR) owed by `debtor` to `supplier`,
due in 90 days; the financings below discount FINANCED of it.
"""

import pytest
from helpers import (
    BPS,
    DAY,
    EUR,
    FACE_VALUE,
    GRACE_PERIOD,
    Status,
    ceil_div,
    financing_terms,
    latest_timestamp,
    mine_past,
    reverts_with,
    single_event,
)

FINANCED = 400_000
RESERVE_BPS = 1_000  # 10%: 40,000 of FINANCED
RESERVE = ceil_div(FINANCED * RESERVE_BPS, BPS)
MAX_RESERVE_BPS = 5_000


# --- helpers ----------------------------------------------------------------------------------


def _sleep_until(timestamp: int) -> None:
    """Moves the chain to (at least) `timestamp` and mines a block there."""
    mine_past(timestamp - 1)


def _due_date(registry, rid) -> int:
    return registry.receivable(rid)["dueDate"]


def _request(escrow, rid, amount, financier, terms, holder) -> int:
    tx = escrow.requestFinancing(rid, amount, financier, terms, {"from": holder})
    return tx.events["FinancingRequested"]["requestId"]


def _finance(escrow, rid, amount, financier, terms, holder) -> tuple[int, dict]:
    """Requests and approves a financing; returns the request id and its FinancingApproved."""
    request_id = _request(escrow, rid, amount, financier, terms, holder)
    tx = escrow.approveFinancing(request_id, {"from": financier})
    return request_id, single_event(tx, "FinancingApproved")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def supplier_pays_debts(eur, escrow, operator, supplier):
    """The supplier holds another FACE_VALUE of cash and has approved the escrow, so that it can
    pay a recourse debt larger than its proceeds."""
    eur.mint(supplier, FACE_VALUE, {"from": operator})
    eur.approve(escrow, 2**256 - 1, {"from": supplier})


@pytest.fixture
def without_recourse(escrow, eur, confirmed, supplier, financier):
    """FINANCED of `confirmed` discounted by the financier without recourse; the request id."""
    request_id, _ = _finance(escrow, confirmed, FINANCED, financier, financing_terms(), supplier)
    return request_id


@pytest.fixture
def with_recourse(escrow, eur, confirmed, supplier, financier):
    """FINANCED of `confirmed` discounted with recourse and a RESERVE_BPS reserve; request id."""
    request_id, _ = _finance(
        escrow,
        confirmed,
        FINANCED,
        financier,
        financing_terms(recourse=True, reserve_bps=RESERVE_BPS),
        supplier,
    )
    return request_id


def _record_default(escrow, registry, rid, caller) -> None:
    _sleep_until(_due_date(registry, rid) + GRACE_PERIOD + 1)
    escrow.recordDefault(rid, {"from": caller})


# --- overdue and default ------------------------------------------------------------------------


def test_a_confirmed_receivable_is_not_overdue_before_its_due_date(registry, confirmed):
    assert registry.isOverdue(confirmed) is False


def test_a_confirmed_receivable_is_overdue_once_its_due_date_has_passed(registry, confirmed):
    _sleep_until(_due_date(registry, confirmed) + 1)

    assert registry.isOverdue(confirmed) is True
    assert registry.receivable(confirmed)["status"] == Status.CONFIRMED


def test_an_overdue_receivable_cannot_be_recorded_as_defaulted_within_the_grace_period(
    registry, escrow, confirmed, financier
):
    _sleep_until(_due_date(registry, confirmed) + GRACE_PERIOD - DAY)

    with reverts_with("NotInDefault", confirmed):
        escrow.recordDefault(confirmed, {"from": financier})


def test_an_unpaid_receivable_is_recorded_as_defaulted_once_the_grace_period_has_passed(
    registry, escrow, eur, confirmed, debtor, financier
):
    escrow.repay(confirmed, 250_000, {"from": debtor})
    _sleep_until(_due_date(registry, confirmed) + GRACE_PERIOD + 1)

    tx = escrow.recordDefault(confirmed, {"from": financier})

    assert single_event(tx, "DefaultRecorded") == {"id": confirmed, "shortfall": 750_000}
    assert registry.receivable(confirmed)["status"] == Status.DEFAULTED
    assert registry.isOverdue(confirmed) is True


def test_a_receivable_repaid_in_full_is_not_overdue_after_its_due_date(
    registry, escrow, eur, confirmed, debtor
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    _sleep_until(_due_date(registry, confirmed) + 1)

    assert registry.isOverdue(confirmed) is False


# --- without recourse -------------------------------------------------------------------------


def test_without_recourse_the_financier_redeems_only_its_pro_rata_share_after_a_default(
    registry, escrow, eur, confirmed, without_recourse, debtor, financier
):
    escrow.repay(confirmed, 500_000, {"from": debtor})
    _record_default(escrow, registry, confirmed, financier)
    cash_before = eur.balanceOf(financier)

    tx = escrow.redeem(confirmed, {"from": financier})

    # 400,000 of 1,000,000 units: 40% of the 500,000 repaid. The other 200,000 is its loss.
    assert single_event(tx, "Redeemed")["paid"] == 200_000
    assert eur.balanceOf(financier) - cash_before == 200_000
    assert registry.balanceOf(financier, confirmed) == FINANCED


def test_without_recourse_the_financier_cannot_claim_recourse(
    registry, escrow, eur, confirmed, without_recourse, financier
):
    _record_default(escrow, registry, confirmed, financier)

    with reverts_with("NoRecourse", without_recourse):
        escrow.claimRecourse(without_recourse, {"from": financier})


# --- the reserve at approval ------------------------------------------------------------------


def test_a_recourse_reserve_is_held_back_from_the_proceeds_and_kept_in_the_escrow(
    escrow, eur, confirmed, supplier, financier
):
    supplier_before = eur.balanceOf(supplier)
    financier_before = eur.balanceOf(financier)

    request_id, approved = _finance(
        escrow,
        confirmed,
        FINANCED,
        financier,
        financing_terms(recourse=True, reserve_bps=RESERVE_BPS),
        supplier,
    )

    assert approved["reserve"] == RESERVE == 40_000
    assert approved["proceeds"] == FINANCED - approved["discount"] - approved["fee"] - RESERVE
    assert eur.balanceOf(supplier) - supplier_before == approved["proceeds"]
    assert financier_before - eur.balanceOf(financier) == FINANCED - approved["discount"]
    assert eur.balanceOf(escrow) == RESERVE
    assert escrow.reservesHeld(EUR) == RESERVE
    assert escrow.requests(request_id)["reserve"] == RESERVE


def test_a_reserve_without_recourse_is_refused_at_request(
    escrow, eur, confirmed, supplier, financier
):
    with reverts_with("InvalidReserve", RESERVE_BPS, False):
        escrow.requestFinancing(
            confirmed,
            FINANCED,
            financier,
            financing_terms(recourse=False, reserve_bps=RESERVE_BPS),
            {"from": supplier},
        )


def test_a_reserve_above_the_maximum_is_refused_at_request(
    escrow, eur, confirmed, supplier, financier
):
    assert escrow.MAX_RESERVE_BPS() == MAX_RESERVE_BPS

    with reverts_with("InvalidReserve", MAX_RESERVE_BPS + 1, True):
        escrow.requestFinancing(
            confirmed,
            FINANCED,
            financier,
            financing_terms(recourse=True, reserve_bps=MAX_RESERVE_BPS + 1),
            {"from": supplier},
        )


def test_a_reserve_of_exactly_the_maximum_is_held_back(escrow, eur, confirmed, supplier, financier):
    _, approved = _finance(
        escrow,
        confirmed,
        FINANCED,
        financier,
        financing_terms(recourse=True, reserve_bps=MAX_RESERVE_BPS),
        supplier,
    )

    assert approved["reserve"] == FINANCED // 2


# --- claiming recourse ------------------------------------------------------------------------


def test_on_default_the_shortfall_is_paid_from_the_reserve_first_and_the_rest_recorded_as_supplier_debt(
    registry, escrow, eur, confirmed, with_recourse, financier
):
    _record_default(escrow, registry, confirmed, financier)
    cash_before = eur.balanceOf(financier)

    tx = escrow.claimRecourse(with_recourse, {"from": financier})

    # Nothing repaid: the shortfall is the whole 400,000; 40,000 from the reserve, 360,000 debt.
    assert single_event(tx, "RecourseClaimed") == {
        "requestId": with_recourse,
        "id": confirmed,
        "fromReserve": RESERVE,
        "debt": FINANCED - RESERVE,
    }
    assert eur.balanceOf(financier) - cash_before == RESERVE
    request = escrow.requests(with_recourse)
    assert request["recourseDebt"] == FINANCED - RESERVE
    assert request["reserve"] == 0
    assert escrow.reservesHeld(EUR) == 0
    assert eur.balanceOf(escrow) == 0


def test_a_recourse_claim_hands_the_financed_units_back_to_the_supplier(
    registry, escrow, eur, confirmed, with_recourse, supplier, financier
):
    _record_default(escrow, registry, confirmed, financier)

    escrow.claimRecourse(with_recourse, {"from": financier})

    assert registry.balanceOf(financier, confirmed) == 0
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE


def test_a_recourse_claim_pays_the_financier_its_pending_pro_rata_share_of_repayments(
    registry, escrow, eur, confirmed, with_recourse, debtor, financier
):
    escrow.repay(confirmed, 250_000, {"from": debtor})
    _record_default(escrow, registry, confirmed, financier)
    cash_before = eur.balanceOf(financier)

    tx = escrow.claimRecourse(with_recourse, {"from": financier})

    # Its share of the 250,000 repaid is 100,000; shortfall 300,000 = 40,000 reserve + 260,000 debt.
    assert single_event(tx, "Redeemed") == {
        "id": confirmed,
        "holder": financier,
        "paid": 100_000,
        "burned": 0,
    }
    claimed = single_event(tx, "RecourseClaimed")
    assert (claimed["fromReserve"], claimed["debt"]) == (RESERVE, 260_000)
    assert eur.balanceOf(financier) - cash_before == 100_000 + RESERVE


def test_after_a_recourse_claim_the_supplier_draws_the_handed_back_units_share_of_repayments(
    registry, escrow, eur, confirmed, with_recourse, debtor, supplier, financier
):
    escrow.repay(confirmed, 250_000, {"from": debtor})
    escrow.redeem(confirmed, {"from": financier})  # draws 100,000 before the default
    _record_default(escrow, registry, confirmed, financier)
    escrow.claimRecourse(with_recourse, {"from": financier})
    escrow.repay(confirmed, 750_000, {"from": debtor})
    cash_before = eur.balanceOf(supplier)

    tx = escrow.redeem(confirmed, {"from": supplier})

    # All 1,000,000 units are the supplier's; 100,000 of the repayment was drawn already.
    assert single_event(tx, "Redeemed")["paid"] == 900_000
    assert eur.balanceOf(supplier) - cash_before == 900_000
    assert registry.receivable(confirmed)["status"] == Status.RETIRED


def test_a_recourse_claim_clears_the_financier_s_exposure_to_the_debtor(
    registry, escrow, eur, confirmed, with_recourse, debtor, financier
):
    escrow.repay(confirmed, 250_000, {"from": debtor})
    _record_default(escrow, registry, confirmed, financier)
    assert escrow.exposure(financier, debtor) == FINANCED

    escrow.claimRecourse(with_recourse, {"from": financier})

    # It got back all it financed: 100,000 repayment share, 40,000 reserve, 260,000 debt.
    assert escrow.exposure(financier, debtor) == 0


def test_a_recourse_claim_cannot_be_made_twice(
    registry, escrow, eur, confirmed, with_recourse, financier
):
    _record_default(escrow, registry, confirmed, financier)
    escrow.claimRecourse(with_recourse, {"from": financier})

    with reverts_with("NoRecourse", with_recourse):
        escrow.claimRecourse(with_recourse, {"from": financier})


@pytest.mark.parametrize("who", ["supplier", "second_financier", "debtor"])
def test_only_the_financier_of_the_request_may_claim_recourse(
    registry, escrow, eur, confirmed, with_recourse, financier, request, who
):
    _record_default(escrow, registry, confirmed, financier)
    caller = request.getfixturevalue(who)

    with reverts_with("NotRequestFinancier", with_recourse, caller):
        escrow.claimRecourse(with_recourse, {"from": caller})


def test_recourse_cannot_be_claimed_before_the_receivable_has_defaulted(
    registry, escrow, eur, confirmed, with_recourse, financier
):
    _sleep_until(_due_date(registry, confirmed) + GRACE_PERIOD + 1)  # could default, has not

    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        escrow.claimRecourse(with_recourse, {"from": financier})


# --- recourse debt ------------------------------------------------------------------------------


@pytest.fixture
def recourse_claimed(registry, escrow, eur, confirmed, with_recourse, financier):
    """The receivable defaulted unpaid and the financier claimed: the supplier owes 360,000."""
    _record_default(escrow, registry, confirmed, financier)
    escrow.claimRecourse(with_recourse, {"from": financier})
    return with_recourse


def test_the_supplier_pays_its_recourse_debt_to_the_financier_in_parts(
    escrow, eur, recourse_claimed, supplier, financier, supplier_pays_debts
):
    financier_before = eur.balanceOf(financier)

    first = escrow.payRecourseDebt(recourse_claimed, 300_000, {"from": supplier})
    last = escrow.payRecourseDebt(recourse_claimed, 60_000, {"from": supplier})

    assert single_event(first, "RecourseDebtPaid") == {
        "requestId": recourse_claimed,
        "amount": 300_000,
        "remaining": 60_000,
    }
    assert single_event(last, "RecourseDebtPaid")["remaining"] == 0
    assert escrow.requests(recourse_claimed)["recourseDebt"] == 0
    assert eur.balanceOf(financier) - financier_before == 360_000


def test_anyone_may_pay_a_recourse_debt_for_the_supplier(
    escrow, eur, operator, recourse_claimed, outsider, financier
):
    eur.mint(outsider, 360_000, {"from": operator})
    eur.approve(escrow, 360_000, {"from": outsider})
    financier_before = eur.balanceOf(financier)

    escrow.payRecourseDebt(recourse_claimed, 360_000, {"from": outsider})

    assert escrow.requests(recourse_claimed)["recourseDebt"] == 0
    assert eur.balanceOf(financier) - financier_before == 360_000


def test_a_payment_larger_than_the_recourse_debt_is_refused(
    escrow, eur, recourse_claimed, supplier, supplier_pays_debts
):
    with reverts_with("PaymentExceedsDebt", recourse_claimed, 360_001, 360_000):
        escrow.payRecourseDebt(recourse_claimed, 360_001, {"from": supplier})


# --- releasing the reserve ----------------------------------------------------------------------


def test_a_reserve_larger_than_the_shortfall_pays_it_in_full_and_the_remainder_goes_to_the_supplier(
    registry, escrow, eur, confirmed, supplier, debtor, financier
):
    request_id, approved = _finance(
        escrow,
        confirmed,
        FINANCED,
        financier,
        financing_terms(recourse=True, reserve_bps=MAX_RESERVE_BPS),
        supplier,
    )
    reserve = approved["reserve"]  # 200,000
    escrow.repay(confirmed, 700_000, {"from": debtor})
    _record_default(escrow, registry, confirmed, financier)

    claim = escrow.claimRecourse(request_id, {"from": financier})
    supplier_before = eur.balanceOf(supplier)
    release = escrow.releaseReserve(request_id, {"from": supplier})

    # Shortfall: 400,000 - 40% of 700,000 = 120,000, all from the 200,000 reserve; no debt.
    claimed = single_event(claim, "RecourseClaimed")
    assert (claimed["fromReserve"], claimed["debt"]) == (120_000, 0)
    assert single_event(release, "ReserveReleased") == {
        "requestId": request_id,
        "amount": reserve - 120_000,
    }
    assert eur.balanceOf(supplier) - supplier_before == 80_000
    assert escrow.reservesHeld(EUR) == 0


def test_the_reserve_is_released_to_the_supplier_after_full_repayment(
    escrow, eur, confirmed, with_recourse, debtor, supplier, outsider
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    supplier_before = eur.balanceOf(supplier)

    escrow.releaseReserve(with_recourse, {"from": outsider})

    assert eur.balanceOf(supplier) - supplier_before == RESERVE
    assert escrow.requests(with_recourse)["reserve"] == 0
    assert escrow.reservesHeld(EUR) == 0


@pytest.mark.parametrize("state", ["confirmed", "in repayment", "overdue", "defaulted unclaimed"])
def test_the_reserve_stays_locked_while_the_receivable_is_outstanding(
    registry, escrow, eur, confirmed, with_recourse, debtor, supplier, financier, state
):
    if state in ("in repayment", "defaulted unclaimed"):
        escrow.repay(confirmed, 999_999, {"from": debtor})
    if state == "overdue":
        _sleep_until(_due_date(registry, confirmed) + 1)
    if state == "defaulted unclaimed":
        _record_default(escrow, registry, confirmed, financier)

    with reverts_with("ReserveLocked", with_recourse):
        escrow.releaseReserve(with_recourse, {"from": supplier})


def test_a_reserve_cannot_be_released_twice(
    escrow, eur, confirmed, with_recourse, debtor, supplier
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.releaseReserve(with_recourse, {"from": supplier})

    with reverts_with("ReserveLocked", with_recourse):
        escrow.releaseReserve(with_recourse, {"from": supplier})


# --- late, partial and early repayment ----------------------------------------------------------


def test_a_full_repayment_after_default_makes_the_receivable_repaid(
    registry, escrow, eur, confirmed, without_recourse, debtor, financier
):
    _record_default(escrow, registry, confirmed, financier)

    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})

    assert registry.receivable(confirmed)["status"] == Status.REPAID
    assert registry.isOverdue(confirmed) is False


def test_after_a_late_full_repayment_every_holder_redeems_and_the_receivable_is_retired(
    registry, escrow, eur, confirmed, without_recourse, debtor, supplier, financier
):
    _record_default(escrow, registry, confirmed, financier)
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    financier_before, supplier_before = eur.balanceOf(financier), eur.balanceOf(supplier)

    escrow.redeem(confirmed, {"from": financier})
    escrow.redeem(confirmed, {"from": supplier})

    assert eur.balanceOf(financier) - financier_before == FINANCED
    assert eur.balanceOf(supplier) - supplier_before == FACE_VALUE - FINANCED
    assert registry.receivable(confirmed)["status"] == Status.RETIRED
    assert registry.balanceOf(financier, confirmed) == registry.balanceOf(supplier, confirmed) == 0
    assert eur.balanceOf(escrow) == 0


@pytest.fixture
def three_holders(registry, escrow, eur, confirmed, without_recourse, supplier, sub_supplier):
    """Units of `confirmed`: financier 400,000, sub-supplier 250,000, supplier 350,000."""
    registry.safeTransferFrom(supplier, sub_supplier, confirmed, 250_000, b"", {"from": supplier})
    return confirmed


def test_a_partial_repayment_is_paid_to_each_holder_pro_rata_to_its_units(
    escrow, eur, three_holders, debtor, supplier, sub_supplier, financier
):
    escrow.repay(three_holders, 200_000, {"from": debtor})  # 20% of the face value
    paid = {}

    for holder in (financier, sub_supplier, supplier):
        tx = escrow.redeem(three_holders, {"from": holder})
        paid[holder] = single_event(tx, "Redeemed")["paid"]

    assert paid == {financier: 80_000, sub_supplier: 50_000, supplier: 70_000}
    assert eur.balanceOf(escrow) == 0


def test_a_holder_redeeming_again_receives_only_its_share_of_what_was_repaid_since(
    escrow, eur, three_holders, debtor, sub_supplier
):
    escrow.repay(three_holders, 200_000, {"from": debtor})
    escrow.redeem(three_holders, {"from": sub_supplier})
    escrow.repay(three_holders, 100_000, {"from": debtor})

    tx = escrow.redeem(three_holders, {"from": sub_supplier})

    # 25% of the 100,000 repaid since its first redemption.
    assert single_event(tx, "Redeemed")["paid"] == 25_000
    assert escrow.drawn(three_holders, sub_supplier) == 75_000


def test_a_holder_with_nothing_new_to_redeem_is_refused(
    escrow, eur, three_holders, debtor, supplier
):
    escrow.repay(three_holders, 200_000, {"from": debtor})
    escrow.redeem(three_holders, {"from": supplier})

    with reverts_with("NothingToRedeem", three_holders, supplier):
        escrow.redeem(three_holders, {"from": supplier})


def test_the_debtor_may_repay_in_full_before_the_due_date(
    registry, escrow, eur, confirmed, without_recourse, debtor, financier
):
    assert latest_timestamp() < _due_date(registry, confirmed)

    tx = escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    redeemed = escrow.redeem(confirmed, {"from": financier})

    assert single_event(tx, "Repaid")["totalRepaid"] == FACE_VALUE
    assert registry.receivable(confirmed)["status"] == Status.REPAID
    assert single_event(redeemed, "Redeemed") == {
        "id": confirmed,
        "holder": financier,
        "paid": FINANCED,
        "burned": FINANCED,
    }
    assert registry.creditUsed(debtor) == 0


def test_an_early_repayment_cannot_exceed_what_is_outstanding(
    escrow, eur, confirmed, without_recourse, debtor
):
    escrow.repay(confirmed, 600_000, {"from": debtor})

    with reverts_with("RepaymentExceedsOutstanding", confirmed, 400_001, 400_000):
        escrow.repay(confirmed, 400_001, {"from": debtor})
