"""The life of one receivable, step by step, and what happens when the debtor pays late.

The story: a supplier registers a 10,000.00 EUR invoice against its debtor; the debtor confirms
it; the supplier passes 2,000.00 of it to its sub-supplier; it asks a financier to discount
5,000.00 of its own share at 6% a year (ACT/360); the financier pays the discounted price; the
invoice matures; the debtor repays the face value into the escrow; every holder redeems its
share; the receivable is retired and nothing is left anywhere.

Each stage is a module-scoped fixture built on the previous one (see conftest.py: tests are
ordered by stage and guarded, and `fn_isolation` undoes whatever a test does itself).
"""

from types import SimpleNamespace

import pytest
from brownie import chain
from helpers import (
    CREDIT_LINE,
    DAY,
    EUR,
    FACE_VALUE,
    GRACE_PERIOD,
    STARTING_CASH,
    DayCount,
    RequestStatus,
    Status,
    days_to_maturity,
    document_hash_of,
    expected_discount,
    financing_terms,
    fingerprint_of,
    latest_timestamp,
    mine_past,
    single_event,
    terms_of,
)

INVOICE = "INV-2025-0042"
SUB_SUPPLIER_SHARE = 200_000
FINANCED = 500_000
SUPPLIER_KEPT = FACE_VALUE - SUB_SUPPLIER_SHARE - FINANCED  # 300,000
RATE_BPS = 600
TERM_DAYS = 90
# 5,000.00 EUR at 6% a year for 90 days of a 360-day year: 75.00 EUR.
DISCOUNT = 7_500
PROCEEDS = FINANCED - DISCOUNT

STAGES = (
    "registration",
    "confirmation",
    "split",
    "financing_request",
    "financing",
    "maturity",
    "repayment",
    "redemption",
)
BUILT_STAGES: list[str] = []


def _built(name: str, **state) -> SimpleNamespace:
    BUILT_STAGES.append(name)
    return SimpleNamespace(**state)


def _units(registry, rid, *holders) -> list[int]:
    return [registry.balanceOf(holder, rid) for holder in holders]


# --- stages -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registration(registry, escrow, eur, supplier, debtor):
    due_date = latest_timestamp() + TERM_DAYS * DAY
    tx = registry.register(terms_of(INVOICE, debtor, due_date), {"from": supplier})
    return _built("registration", id=tx.return_value, due_date=due_date, tx=tx)


@pytest.fixture(scope="module")
def confirmation(registration, registry, debtor):
    tx = registry.confirm(registration.id, {"from": debtor})
    return _built("confirmation", id=registration.id, due_date=registration.due_date, tx=tx)


@pytest.fixture(scope="module")
def split(confirmation, registry, supplier, sub_supplier):
    tx = registry.safeTransferFrom(
        supplier, sub_supplier, confirmation.id, SUB_SUPPLIER_SHARE, b"", {"from": supplier}
    )
    return _built("split", id=confirmation.id, due_date=confirmation.due_date, tx=tx)


@pytest.fixture(scope="module")
def financing_request(split, escrow, supplier, financier):
    tx = escrow.requestFinancing(
        split.id,
        FINANCED,
        financier,
        financing_terms(RATE_BPS, DayCount.ACT_360),
        {"from": supplier},
    )
    return _built(
        "financing_request", id=split.id, due_date=split.due_date, request=tx.return_value, tx=tx
    )


@pytest.fixture(scope="module")
def financing(financing_request, escrow, financier):
    tx = escrow.approveFinancing(financing_request.request, {"from": financier})
    return _built(
        "financing",
        id=financing_request.id,
        due_date=financing_request.due_date,
        request=financing_request.request,
        tx=tx,
    )


@pytest.fixture(scope="module")
def maturity(financing):
    mine_past(financing.due_date)
    return _built("maturity", id=financing.id, due_date=financing.due_date)


@pytest.fixture(scope="module")
def repayment(maturity, escrow, debtor):
    tx = escrow.repay(maturity.id, FACE_VALUE, {"from": debtor})
    return _built("repayment", id=maturity.id, tx=tx)


@pytest.fixture(scope="module")
def redemption(repayment, escrow, financier, supplier, sub_supplier):
    txs = [
        escrow.redeem(repayment.id, {"from": holder})
        for holder in (financier, supplier, sub_supplier)
    ]
    return _built("redemption", id=repayment.id, txs=txs)


# --- the story --------------------------------------------------------------------------------


def test_the_supplier_registers_an_invoice_receivable_against_the_debtor(
    registration, registry, supplier, debtor
):
    r = registry.receivable(registration.id)
    assert registration.id == int.from_bytes(fingerprint_of(INVOICE), "big")
    assert r.dict() == {
        "supplier": supplier,
        "dueDate": registration.due_date,
        "status": Status.REGISTERED,
        "currency": "0x" + EUR.hex(),
        "debtor": debtor,
        "faceValue": FACE_VALUE,
        "documentHash": "0x" + document_hash_of(INVOICE).hex(),
    }


def test_a_registered_receivable_is_not_yet_held_by_anyone(registration, registry, supplier):
    assert registry.balanceOf(supplier, registration.id) == 0


def test_the_debtor_confirms_and_the_supplier_holds_the_face_value(
    confirmation, registry, supplier
):
    assert registry.receivable(confirmation.id)["status"] == Status.CONFIRMED
    assert registry.balanceOf(supplier, confirmation.id) == FACE_VALUE


def test_the_confirmation_uses_the_face_value_of_the_debtors_credit_line(
    confirmation, registry, debtor
):
    assert registry.creditUsed(debtor) == FACE_VALUE
    assert registry.creditLine(debtor) == CREDIT_LINE


def test_before_its_due_date_a_confirmed_receivable_is_not_overdue(confirmation, registry):
    assert not registry.isOverdue(confirmation.id)


def test_the_supplier_passes_part_of_its_share_to_its_sub_supplier(
    split, registry, supplier, sub_supplier
):
    assert _units(registry, split.id, supplier, sub_supplier) == [
        FACE_VALUE - SUB_SUPPLIER_SHARE,
        SUB_SUPPLIER_SHARE,
    ]


def test_a_split_keeps_the_receivable_confirmed_and_whole(split, registry, supplier, sub_supplier):
    assert registry.receivable(split.id)["status"] == Status.CONFIRMED
    assert sum(_units(registry, split.id, supplier, sub_supplier)) == FACE_VALUE


def test_a_financing_request_locks_the_requested_part_in_the_escrow(
    financing_request, registry, escrow, supplier, sub_supplier
):
    assert _units(registry, financing_request.id, supplier, sub_supplier, escrow) == [
        SUPPLIER_KEPT,
        SUB_SUPPLIER_SHARE,
        FINANCED,
    ]
    assert escrow.financedOrPending(financing_request.id) == FINANCED


def test_a_financing_request_records_its_terms_as_pending(
    financing_request, escrow, supplier, financier
):
    assert escrow.requests(financing_request.request).dict() == {
        "id": financing_request.id,
        "supplier": supplier,
        "amount": FINANCED,
        "financier": financier,
        "rateBps": RATE_BPS,
        "reserveBps": 0,
        "dayCount": DayCount.ACT_360,
        "recourse": False,
        "status": RequestStatus.PENDING,
        "reserve": 0,
        "recourseDebt": 0,
        "recourseClaimed": False,
    }


def test_a_financing_request_moves_no_settlement_tokens(
    financing_request, eur, supplier, financier
):
    assert eur.balanceOf(supplier) == 0
    assert eur.balanceOf(financier) == STARTING_CASH


def test_the_discount_is_the_rate_for_the_whole_days_to_maturity(financing, registry):
    days = days_to_maturity(financing.tx.timestamp, financing.due_date)
    assert days == TERM_DAYS
    assert expected_discount(FINANCED, RATE_BPS, days) == DISCOUNT
    assert single_event(financing.tx, "FinancingApproved")["discount"] == DISCOUNT


def test_on_approval_the_supplier_receives_the_amount_less_the_discount(
    financing, eur, supplier, financier
):
    assert eur.balanceOf(supplier) == PROCEEDS == FINANCED - DISCOUNT
    assert eur.balanceOf(financier) == STARTING_CASH - PROCEEDS


def test_on_approval_the_financier_holds_the_financed_part(
    financing, registry, escrow, supplier, sub_supplier, financier
):
    assert _units(registry, financing.id, financier, supplier, sub_supplier, escrow) == [
        FINANCED,
        SUPPLIER_KEPT,
        SUB_SUPPLIER_SHARE,
        0,
    ]
    assert escrow.requests(financing.request)["status"] == RequestStatus.APPROVED


def test_financing_creates_or_destroys_no_settlement_unit(
    financing, eur, escrow, operator, debtor, supplier, sub_supplier, financier, second_financier
):
    holders = (operator, debtor, supplier, sub_supplier, financier, second_financier, escrow)
    assert eur.totalSupply() == 3 * STARTING_CASH
    assert sum(eur.balanceOf(h) for h in holders) == eur.totalSupply()
    assert eur.balanceOf(escrow) == 0


def test_at_maturity_the_unpaid_receivable_is_still_confirmed_and_due(maturity, registry):
    r = registry.receivable(maturity.id)
    assert r["status"] == Status.CONFIRMED
    assert chain[-1].timestamp > r["dueDate"]


def test_at_maturity_the_unpaid_receivable_is_overdue(maturity, registry):
    assert registry.isOverdue(maturity.id)


def test_the_debtor_repays_the_face_value_into_the_escrow(repayment, registry, escrow, eur, debtor):
    assert eur.balanceOf(debtor) == STARTING_CASH - FACE_VALUE
    assert eur.balanceOf(escrow) == FACE_VALUE
    assert escrow.repaid(repayment.id) == FACE_VALUE
    assert registry.receivable(repayment.id)["status"] == Status.REPAID


def test_once_repaid_the_receivable_is_no_longer_overdue(repayment, registry):
    assert not registry.isOverdue(repayment.id)


def test_the_repayment_frees_the_debtors_credit_line(repayment, registry, debtor):
    assert registry.creditUsed(debtor) == 0


def test_the_financing_counts_against_the_financiers_exposure_to_the_debtor_until_redeemed(
    repayment, escrow, financier, debtor
):
    assert escrow.exposure(financier, debtor) == FINANCED
    escrow.redeem(repayment.id, {"from": financier})
    assert escrow.exposure(financier, debtor) == 0


def test_the_financier_redeems_the_face_value_of_its_financed_part(
    repayment, registry, escrow, eur, financier
):
    tx = escrow.redeem(repayment.id, {"from": financier})
    assert tx.return_value == FINANCED
    assert eur.balanceOf(financier) == STARTING_CASH - PROCEEDS + FINANCED
    assert registry.balanceOf(financier, repayment.id) == 0


def test_the_supplier_redeems_the_share_it_kept(repayment, registry, escrow, eur, supplier):
    tx = escrow.redeem(repayment.id, {"from": supplier})
    assert tx.return_value == SUPPLIER_KEPT
    assert eur.balanceOf(supplier) == PROCEEDS + SUPPLIER_KEPT
    assert registry.balanceOf(supplier, repayment.id) == 0


def test_the_sub_supplier_redeems_its_split(repayment, registry, escrow, eur, sub_supplier):
    tx = escrow.redeem(repayment.id, {"from": sub_supplier})
    assert tx.return_value == SUB_SUPPLIER_SHARE
    assert eur.balanceOf(sub_supplier) == SUB_SUPPLIER_SHARE
    assert registry.balanceOf(sub_supplier, repayment.id) == 0


def test_the_receivable_stays_repaid_until_the_last_holder_redeems(
    repayment, registry, escrow, financier, supplier
):
    for holder in (financier, supplier):
        escrow.redeem(repayment.id, {"from": holder})
    assert registry.receivable(repayment.id)["status"] == Status.REPAID
    assert escrow.redeemedUnits(repayment.id) == FINANCED + SUPPLIER_KEPT


def test_once_every_holder_has_redeemed_the_receivable_is_retired(redemption, registry, escrow):
    assert registry.receivable(redemption.id)["status"] == Status.RETIRED
    assert escrow.redeemedUnits(redemption.id) == FACE_VALUE


def test_after_retirement_no_receivable_units_remain(
    redemption, registry, escrow, debtor, supplier, sub_supplier, financier
):
    holders = (supplier, sub_supplier, financier, debtor, escrow)
    assert _units(registry, redemption.id, *holders) == [0] * len(holders)


def test_after_retirement_the_escrow_holds_no_settlement_tokens(redemption, eur, escrow):
    assert eur.balanceOf(escrow) == 0


def test_in_the_end_the_financier_earns_the_discount_and_the_debtor_pays_the_face_value(
    redemption, eur, debtor, supplier, sub_supplier, financier
):
    assert eur.balanceOf(financier) == STARTING_CASH + DISCOUNT
    assert eur.balanceOf(supplier) == FACE_VALUE - SUB_SUPPLIER_SHARE - DISCOUNT
    assert eur.balanceOf(sub_supplier) == SUB_SUPPLIER_SHARE
    assert eur.balanceOf(debtor) == STARTING_CASH - FACE_VALUE


# --- late payment and default -----------------------------------------------------------------
# A second invoice, on the bare deployment (no story stage), built per test.

LATE_INVOICE = "INV-2025-0099"
LATE_REPAID = 400_000  # 40% of the face value


@pytest.fixture
def late(registry, escrow, eur, supplier, sub_supplier, debtor, financier):
    """A receivable split and partly financed like the story's, then left unpaid at maturity."""
    due_date = latest_timestamp() + TERM_DAYS * DAY
    rid = registry.register(
        terms_of(LATE_INVOICE, debtor, due_date), {"from": supplier}
    ).return_value
    registry.confirm(rid, {"from": debtor})
    registry.safeTransferFrom(
        supplier, sub_supplier, rid, SUB_SUPPLIER_SHARE, b"", {"from": supplier}
    )
    request = escrow.requestFinancing(
        rid, FINANCED, financier, financing_terms(RATE_BPS, DayCount.ACT_360), {"from": supplier}
    ).return_value
    escrow.approveFinancing(request, {"from": financier})
    mine_past(due_date + DAY - 1)
    return SimpleNamespace(id=rid, due_date=due_date)


@pytest.fixture
def late_partial_repayment(late, escrow, debtor):
    """After the due date, within the grace period, the debtor pays 40% of the face value."""
    escrow.repay(late.id, LATE_REPAID, {"from": debtor})
    return late


@pytest.fixture
def default_recorded(late_partial_repayment, escrow, auditor):
    """The grace period has passed with 60% unpaid; a member records the default."""
    mine_past(late_partial_repayment.due_date + GRACE_PERIOD)
    tx = escrow.recordDefault(late_partial_repayment.id, {"from": auditor})
    return SimpleNamespace(id=late_partial_repayment.id, tx=tx)


def test_a_late_partial_repayment_leaves_the_receivable_in_repayment(
    late_partial_repayment, registry, escrow, eur
):
    assert registry.receivable(late_partial_repayment.id)["status"] == Status.IN_REPAYMENT
    assert escrow.repaid(late_partial_repayment.id) == LATE_REPAID
    assert eur.balanceOf(escrow) == LATE_REPAID


def test_after_the_grace_period_the_default_is_recorded_with_the_unpaid_shortfall(
    default_recorded,
):
    assert single_event(default_recorded.tx, "DefaultRecorded") == {
        "id": default_recorded.id,
        "shortfall": FACE_VALUE - LATE_REPAID,
    }


def test_a_recorded_default_moves_the_receivable_to_defaulted(default_recorded, registry):
    assert registry.receivable(default_recorded.id)["status"] == Status.DEFAULTED


@pytest.mark.parametrize(
    "holder_name, units",
    [("financier", FINANCED), ("supplier", SUPPLIER_KEPT), ("sub_supplier", SUB_SUPPLIER_SHARE)],
)
def test_after_a_default_each_holder_redeems_its_pro_rata_part_of_the_partial_repayment(
    default_recorded, registry, escrow, holder_name, units, request
):
    holder = request.getfixturevalue(holder_name)
    tx = escrow.redeem(default_recorded.id, {"from": holder})
    assert tx.return_value == units * LATE_REPAID // FACE_VALUE
    assert single_event(tx, "Redeemed") == {
        "id": default_recorded.id,
        "holder": holder,
        "paid": units * LATE_REPAID // FACE_VALUE,
        "burned": 0,
    }
    assert registry.balanceOf(holder, default_recorded.id) == units


def test_after_a_default_the_holders_draw_exactly_the_partial_repayment(
    default_recorded, eur, escrow, financier, supplier, sub_supplier
):
    before = [eur.balanceOf(h) for h in (financier, supplier, sub_supplier)]
    for holder in (financier, supplier, sub_supplier):
        escrow.redeem(default_recorded.id, {"from": holder})
    after = [eur.balanceOf(h) for h in (financier, supplier, sub_supplier)]
    assert sum(after) - sum(before) == LATE_REPAID
    assert eur.balanceOf(escrow) == 0


def test_pro_rata_redemption_rounds_down_so_the_escrow_never_pays_out_more_than_was_repaid(
    late, registry, escrow, eur, debtor, financier, supplier, sub_supplier
):
    escrow.repay(late.id, 333_333, {"from": debtor})
    paid = [
        escrow.redeem(late.id, {"from": h}).return_value
        for h in (financier, supplier, sub_supplier)
    ]
    assert paid == [166_666, 99_999, 66_666]
    assert eur.balanceOf(escrow) == 333_333 - sum(paid) == 2


def test_a_defaulted_receivable_repaid_in_full_later_is_redeemed_and_retired(
    default_recorded, registry, escrow, eur, debtor, financier, supplier, sub_supplier
):
    holders = (financier, supplier, sub_supplier)
    escrow.redeem(default_recorded.id, {"from": financier})  # draws its 40% during the default
    escrow.repay(default_recorded.id, FACE_VALUE - LATE_REPAID, {"from": debtor})
    for holder in holders:
        escrow.redeem(default_recorded.id, {"from": holder})
    assert registry.receivable(default_recorded.id)["status"] == Status.RETIRED
    assert eur.balanceOf(escrow) == 0
    assert eur.balanceOf(financier) == STARTING_CASH - PROCEEDS + FINANCED
    assert _units(registry, default_recorded.id, *holders) == [0, 0, 0]
