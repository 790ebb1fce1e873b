"""Financing terms and their rounding (contracts/libraries/FinancingMath.sol).

At approval the financier pays `amount - discount` and takes `amount` units of the receivable:

* days     = whole days from approval to the due date, rounded up (0 once due: Matured);
* discount = ceil(amount * rateBps * days / (year * 10,000)), year = 360 (ACT/360) or 365;
* fee      = ceil(amount * feeBps / 10,000), paid to the operator's fee recipient;
* reserve  = ceil(amount * reserveBps / 10,000), held in the escrow (recourse only);
* proceeds = amount - discount - fee - reserve, paid to the supplier.

Every rounding favours the financier and the platform, and no settlement unit is created or
lost: the financier's outlay equals proceeds + fee + reserve.
"""

import pytest
from brownie import accounts
from helpers import (
    BPS,
    DAY,
    FACE_VALUE,
    ROLE,
    DayCount,
    days_to_maturity,
    expected_discount,
    expected_fee,
    financing_terms,
    mine_past,
    receivable_id,
    reverts_with,
    single_event,
    terms_of,
)

UINT96_MAX = 2**96 - 1


# --- helpers ----------------------------------------------------------------------------------


def _sleep_until(timestamp: int) -> None:
    """Moves the chain to (at least) `timestamp` and mines a block there."""
    mine_past(timestamp - 1)


def _request(escrow, rid, amount, financier, terms, holder) -> int:
    tx = escrow.requestFinancing(rid, amount, financier, terms, {"from": holder})
    return tx.events["FinancingRequested"]["requestId"]


def _approve(escrow, request_id, financier) -> tuple[dict, int]:
    """Approves; returns the FinancingApproved event and the block time of the approval."""
    tx = escrow.approveFinancing(request_id, {"from": financier})
    return single_event(tx, "FinancingApproved"), tx.timestamp


def _cash(token, holders) -> dict:
    return {str(h): token.balanceOf(h) for h in holders}


@pytest.fixture(scope="module")
def platform():
    """The account that receives platform fees (not a member: any address may)."""
    return accounts[8]


@pytest.fixture
def everyone(escrow, platform):
    """Every address that could hold settlement tokens in these tests."""
    return [*accounts, escrow]


# --- discount ---------------------------------------------------------------------------------


def test_an_act_360_discount_is_rounded_up_from_amount_times_rate_times_days_over_360_days(
    registry, escrow, eur, confirmed, supplier, financier
):
    request_id = _request(
        escrow, confirmed, 333_333, financier, financing_terms(725, DayCount.ACT_360), supplier
    )

    approved, now = _approve(escrow, request_id, financier)

    assert days_to_maturity(now, registry.receivable(confirmed)["dueDate"]) == 90
    # 333,333 * 7.25% * 90 / 360 = 6,041.66...: rounded up.
    assert approved["discount"] == 6_042 == expected_discount(333_333, 725, 90, DayCount.ACT_360)
    assert approved["proceeds"] == 333_333 - 6_042


def test_an_act_365_discount_is_rounded_up_from_amount_times_rate_times_days_over_365_days(
    registry, escrow, eur, confirmed, supplier, financier
):
    request_id = _request(
        escrow, confirmed, 333_333, financier, financing_terms(725, DayCount.ACT_365), supplier
    )

    approved, now = _approve(escrow, request_id, financier)

    assert days_to_maturity(now, registry.receivable(confirmed)["dueDate"]) == 90
    # 333,333 * 7.25% * 90 / 365 = 5,958.89...: rounded up.
    assert approved["discount"] == 5_959 == expected_discount(333_333, 725, 90, DayCount.ACT_365)


def test_an_exact_discount_is_not_rounded(registry, escrow, eur, confirmed, supplier, financier):
    request_id = _request(escrow, confirmed, 400_000, financier, financing_terms(600), supplier)

    approved, _ = _approve(escrow, request_id, financier)

    # 400,000 * 6% * 90 / 360 = 6,000 exactly.
    assert approved["discount"] == 6_000


def test_a_part_of_a_day_to_maturity_counts_as_a_whole_day(
    registry, escrow, eur, confirmed, supplier, financier
):
    request_id = _request(escrow, confirmed, 400_000, financier, financing_terms(600), supplier)
    due = registry.receivable(confirmed)["dueDate"]
    _sleep_until(due - 10 * DAY - DAY // 2)

    approved, now = _approve(escrow, request_id, financier)

    assert days_to_maturity(now, due) == 11
    # 400,000 * 6% * 11 / 360 = 733.33...: rounded up.
    assert approved["discount"] == 734


def test_less_than_one_day_before_maturity_counts_as_one_day(
    registry, escrow, eur, confirmed, supplier, financier
):
    request_id = _request(escrow, confirmed, 400_000, financier, financing_terms(600), supplier)
    due = registry.receivable(confirmed)["dueDate"]
    _sleep_until(due - DAY // 2)

    approved, now = _approve(escrow, request_id, financier)

    assert now < due
    assert days_to_maturity(now, due) == 1
    # 400,000 * 6% * 1 / 360 = 66.66...: rounded up.
    assert approved["discount"] == 67


def test_a_pending_request_cannot_be_approved_once_the_due_date_is_reached(
    registry, escrow, eur, confirmed, supplier, financier
):
    request_id = _request(escrow, confirmed, 400_000, financier, financing_terms(), supplier)
    _sleep_until(registry.receivable(confirmed)["dueDate"])  # the next block is at or after it

    with reverts_with("Matured", confirmed):
        escrow.approveFinancing(request_id, {"from": financier})


def test_a_receivable_past_its_due_date_cannot_be_offered_for_financing(
    registry, escrow, eur, confirmed, supplier, financier
):
    _sleep_until(registry.receivable(confirmed)["dueDate"] + 1)

    with reverts_with("Matured", confirmed):
        escrow.requestFinancing(
            confirmed, 400_000, financier, financing_terms(), {"from": supplier}
        )


# --- platform fee -------------------------------------------------------------------------------


def test_the_operator_sets_the_platform_fee_and_its_recipient(escrow, operator, platform):
    tx = escrow.setFee(37, platform, {"from": operator})

    assert single_event(tx, "FeeSet") == {"feeBps": 37, "recipient": platform}
    assert (escrow.feeBps(), escrow.feeRecipient()) == (37, platform)


def test_the_platform_fee_is_rounded_up_and_paid_to_its_recipient(
    escrow, eur, operator, confirmed, supplier, financier, platform
):
    escrow.setFee(37, platform, {"from": operator})
    request_id = _request(escrow, confirmed, 333_333, financier, financing_terms(), supplier)

    approved, _ = _approve(escrow, request_id, financier)

    # 333,333 * 0.37% = 1,233.33...: rounded up.
    assert approved["fee"] == 1_234 == expected_fee(333_333, 37)
    assert eur.balanceOf(platform) == 1_234
    assert approved["proceeds"] == 333_333 - approved["discount"] - 1_234


# --- conservation -------------------------------------------------------------------------------

CASES = {
    "act360": dict(amount=400_000, rate=600, basis=DayCount.ACT_360, fee=0, reserve=0),
    "act365-odd": dict(amount=333_333, rate=725, basis=DayCount.ACT_365, fee=0, reserve=0),
    "fee": dict(amount=333_333, rate=725, basis=DayCount.ACT_360, fee=37, reserve=0),
    "fee-and-reserve": dict(
        amount=777_777, rate=1_250, basis=DayCount.ACT_365, fee=100, reserve=2_500
    ),
    "one-unit-at-par": dict(amount=1, rate=0, basis=DayCount.ACT_360, fee=0, reserve=0),
    "whole-face-value": dict(amount=FACE_VALUE, rate=1, basis=DayCount.ACT_365, fee=1, reserve=1),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_financier_s_outlay_is_exactly_proceeds_plus_fee_plus_reserve(
    escrow, eur, operator, confirmed, supplier, financier, platform, everyone, case
):
    escrow.setFee(case["fee"], platform, {"from": operator})
    terms = financing_terms(case["rate"], case["basis"], case["reserve"] != 0, case["reserve"])
    request_id = _request(escrow, confirmed, case["amount"], financier, terms, supplier)
    before = _cash(eur, everyone)

    approved, _ = _approve(escrow, request_id, financier)

    after = _cash(eur, everyone)
    delta = {holder: after[holder] - before[holder] for holder in after}
    outlay = -delta[str(financier)]
    assert outlay == approved["proceeds"] + approved["fee"] + approved["reserve"]
    assert outlay == case["amount"] - approved["discount"]
    assert delta[str(supplier)] == approved["proceeds"]
    assert delta[str(platform)] == approved["fee"] == expected_fee(case["amount"], case["fee"])
    assert (
        delta[str(escrow)] == approved["reserve"] == expected_fee(case["amount"], case["reserve"])
    )
    assert sum(delta.values()) == 0


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_no_settlement_unit_is_created_or_lost_from_financing_to_redemption(
    escrow, eur, operator, confirmed, supplier, debtor, financier, platform, everyone, case
):
    supply = eur.totalSupply()
    total_before = sum(_cash(eur, everyone).values())
    escrow.setFee(case["fee"], platform, {"from": operator})
    terms = financing_terms(case["rate"], case["basis"], case["reserve"] != 0, case["reserve"])
    request_id = _request(escrow, confirmed, case["amount"], financier, terms, supplier)
    _approve(escrow, request_id, financier)
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.redeem(confirmed, {"from": financier})
    if case["amount"] < FACE_VALUE:
        escrow.redeem(confirmed, {"from": supplier})
    if case["reserve"]:
        escrow.releaseReserve(request_id, {"from": supplier})

    assert eur.balanceOf(escrow) == 0
    assert sum(_cash(eur, everyone).values()) == total_before == supply == eur.totalSupply()


# --- rounding edges -------------------------------------------------------------------------------


def test_one_unit_at_a_positive_rate_cannot_be_financed_as_the_rounded_up_discount_takes_it_all(
    escrow, eur, confirmed, supplier, financier
):
    request_id = _request(escrow, confirmed, 1, financier, financing_terms(600), supplier)

    # ceil(1 * 6% * 90 / 360) = 1: nothing would be left for the supplier.
    with reverts_with("TermsExceedAmount", 1, 1, 0, 0):
        escrow.approveFinancing(request_id, {"from": financier})


def test_one_unit_at_a_zero_rate_is_financed_at_par(escrow, eur, confirmed, supplier, financier):
    request_id = _request(escrow, confirmed, 1, financier, financing_terms(0), supplier)

    approved, _ = _approve(escrow, request_id, financier)

    assert (approved["discount"], approved["fee"], approved["reserve"]) == (0, 0, 0)
    assert approved["proceeds"] == 1


@pytest.fixture
def largest(registry, escrow, eur, operator, supplier, debtor, financier, due_date):
    """A confirmed receivable of the largest face value, type(uint96).max; the debtor's credit
    line, the financier's exposure limit and both their cash are raised to match."""
    registry.setCreditLine(debtor, UINT96_MAX, {"from": operator})
    escrow.setExposureLimit(debtor, UINT96_MAX, {"from": financier})
    for holder in (debtor, financier):
        eur.mint(holder, UINT96_MAX, {"from": operator})
    terms = terms_of("INV-MAX", debtor, due_date, face_value=UINT96_MAX)
    registry.register(terms, {"from": supplier})
    registry.confirm(receivable_id(terms), {"from": debtor})
    return receivable_id(terms)


def test_the_largest_face_value_is_financed_with_exact_terms(
    registry, escrow, eur, operator, largest, supplier, financier, platform
):
    escrow.setFee(100, platform, {"from": operator})
    terms = financing_terms(600, DayCount.ACT_360, True, 5_000)
    request_id = _request(escrow, largest, UINT96_MAX, financier, terms, supplier)
    financier_before = eur.balanceOf(financier)

    approved, now = _approve(escrow, request_id, financier)

    days = days_to_maturity(now, registry.receivable(largest)["dueDate"])
    assert approved["discount"] == expected_discount(UINT96_MAX, 600, days, DayCount.ACT_360)
    assert approved["fee"] == -(-UINT96_MAX * 100 // BPS)
    assert approved["reserve"] == -(-UINT96_MAX // 2)
    assert financier_before - eur.balanceOf(financier) == UINT96_MAX - approved["discount"]
    assert registry.balanceOf(financier, largest) == UINT96_MAX


def test_the_largest_face_value_is_repaid_and_redeemed_in_full(
    registry, escrow, eur, largest, supplier, debtor, financier
):
    request_id = _request(escrow, largest, UINT96_MAX, financier, financing_terms(), supplier)
    _approve(escrow, request_id, financier)
    escrow.repay(largest, UINT96_MAX, {"from": debtor})
    financier_before = eur.balanceOf(financier)

    escrow.redeem(largest, {"from": financier})

    assert eur.balanceOf(financier) - financier_before == UINT96_MAX
    assert registry.balanceOf(financier, largest) == 0
    assert eur.balanceOf(escrow) == 0
    assert registry.creditUsed(debtor) == 0


# --- parts of one receivable --------------------------------------------------------------------


@pytest.fixture
def two_parts(escrow, eur, confirmed, supplier, financier, second_financier):
    """300,000 of `confirmed` discounted by the financier, 200,000 by the second financier."""
    for amount, lender in ((300_000, financier), (200_000, second_financier)):
        _approve(
            escrow, _request(escrow, confirmed, amount, lender, financing_terms(), supplier), lender
        )
    return confirmed


def test_different_parts_of_one_receivable_are_financed_by_different_financiers(
    registry, escrow, two_parts, supplier, financier, second_financier
):
    assert registry.balanceOf(financier, two_parts) == 300_000
    assert registry.balanceOf(second_financier, two_parts) == 200_000
    assert escrow.financedOrPending(two_parts) == 500_000


def test_the_unfinanced_remainder_stays_with_its_holder(
    registry, escrow, eur, two_parts, supplier, debtor
):
    escrow.repay(two_parts, FACE_VALUE, {"from": debtor})
    before = eur.balanceOf(supplier)

    escrow.redeem(two_parts, {"from": supplier})

    assert registry.balanceOf(supplier, two_parts) == 0
    assert eur.balanceOf(supplier) - before == 500_000


def test_no_more_than_the_unfinanced_remainder_can_be_offered_for_financing(
    escrow, two_parts, supplier, financier
):
    with reverts_with("AmountNotFinanceable", two_parts, 500_001, 500_000):
        escrow.requestFinancing(
            two_parts, 500_001, financier, financing_terms(), {"from": supplier}
        )


def test_a_financed_part_cannot_be_financed_again_even_after_it_is_handed_back(
    registry, escrow, two_parts, supplier, financier, second_financier
):
    registry.safeTransferFrom(financier, supplier, two_parts, 300_000, b"", {"from": financier})
    assert registry.balanceOf(supplier, two_parts) == 800_000

    with reverts_with("AmountNotFinanceable", two_parts, 800_000, 500_000):
        escrow.requestFinancing(
            two_parts, 800_000, second_financier, financing_terms(), {"from": supplier}
        )


def test_a_financier_holding_a_financed_part_may_not_offer_it_for_financing_again(
    escrow, two_parts, financier, second_financier
):
    with reverts_with("MissingRole", financier, ROLE["SUPPLIER"]):
        escrow.requestFinancing(
            two_parts, 300_000, second_financier, financing_terms(), {"from": financier}
        )
