"""Limits on risk and the way out of a contested claim: the debtor's credit line (set by the
operator, used by confirmation, freed by repayment), each financier's own exposure limit per
debtor (used by approval, freed by redemption), disputes, expelled debtors, and stale financing
requests.
"""

import pytest
from eth_utils import keccak
from helpers import (
    DAY,
    FACE_VALUE,
    FINANCED_AMOUNT,
    ROLE,
    RequestStatus,
    Status,
    confirmation_signature,
    financing_terms,
    latest_timestamp,
    mine_past,
    reverts_with,
    terms_of,
)


def register(registry, supplier, debtor, invoice, face_value=FACE_VALUE):
    """Registers `invoice` due in 90 days; returns its id."""
    terms = terms_of(invoice, debtor, latest_timestamp() + 90 * DAY, face_value=face_value)
    return registry.register(terms, {"from": supplier}).return_value


# --- credit line: confirmation ----------------------------------------------------------------


def test_a_debtor_may_confirm_up_to_exactly_its_credit_line(registry, registered, operator, debtor):
    registry.setCreditLine(debtor, FACE_VALUE, {"from": operator})
    registry.confirm(registered, {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.CONFIRMED
    assert registry.creditUsed(debtor) == registry.creditLine(debtor) == FACE_VALUE


def test_a_confirmation_one_unit_over_the_credit_line_is_refused(
    registry, registered, operator, debtor
):
    registry.setCreditLine(debtor, FACE_VALUE - 1, {"from": operator})
    with reverts_with("CreditLineExceeded", debtor, 0, FACE_VALUE, FACE_VALUE - 1):
        registry.confirm(registered, {"from": debtor})


def test_the_credit_line_covers_all_confirmed_unpaid_receivables_together(
    registry, confirmed, operator, supplier, debtor
):
    registry.setCreditLine(debtor, 2 * FACE_VALUE, {"from": operator})
    second = register(registry, supplier, debtor, "INV-2", face_value=FACE_VALUE + 1)
    with reverts_with("CreditLineExceeded", debtor, FACE_VALUE, FACE_VALUE + 1, 2 * FACE_VALUE):
        registry.confirm(second, {"from": debtor})


def test_a_signed_confirmation_over_the_credit_line_is_refused(
    registry, operator, supplier, debtor, due_date
):
    registry.setCreditLine(debtor, FACE_VALUE - 1, {"from": operator})
    terms = terms_of("INV-SIG", debtor, due_date)
    sig = confirmation_signature(registry, debtor, supplier, terms)
    with reverts_with("CreditLineExceeded", debtor, 0, FACE_VALUE, FACE_VALUE - 1):
        registry.registerAndConfirm(terms, sig, {"from": supplier})


def test_a_batch_confirmation_over_the_credit_line_confirms_none_of_it(
    registry, registered, operator, supplier, debtor
):
    registry.setCreditLine(debtor, FACE_VALUE + FACE_VALUE // 2, {"from": operator})
    second = register(registry, supplier, debtor, "INV-2")
    with reverts_with("CreditLineExceeded", debtor, FACE_VALUE, FACE_VALUE, FACE_VALUE * 3 // 2):
        registry.confirmBatch([registered, second], {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.REGISTERED
    assert registry.creditUsed(debtor) == 0


def test_a_debtor_without_a_credit_line_cannot_confirm(
    registry, members, operator, supplier, newcomer
):
    members.admit(newcomer, keccak(text="ID:newcomer"), [ROLE["DEBTOR"]], {"from": operator})
    rid = register(registry, supplier, newcomer, "INV-NEW")
    assert registry.creditLine(newcomer) == 0
    with reverts_with("CreditLineExceeded", newcomer, 0, FACE_VALUE, 0):
        registry.confirm(rid, {"from": newcomer})


def test_a_credit_line_set_to_zero_stops_confirmations(registry, registered, operator, debtor):
    registry.setCreditLine(debtor, 0, {"from": operator})
    with reverts_with("CreditLineExceeded", debtor, 0, FACE_VALUE, 0):
        registry.confirm(registered, {"from": debtor})


@pytest.mark.parametrize("who", ["debtor", "supplier", "financier", "auditor", "outsider"])
def test_only_an_operator_may_set_a_credit_line(registry, debtor, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("MissingRole", account, ROLE["OPERATOR"]):
        registry.setCreditLine(debtor, 10 * FACE_VALUE, {"from": account})


def test_the_operator_sets_a_debtors_credit_line(registry, operator, debtor):
    registry.setCreditLine(debtor, 123_456, {"from": operator})
    assert registry.creditLine(debtor) == 123_456


# --- credit line: repayment -------------------------------------------------------------------


def test_a_partial_repayment_frees_that_much_of_the_credit_line(
    registry, escrow, eur, confirmed, debtor
):
    escrow.repay(confirmed, 300_000, {"from": debtor})
    assert registry.creditUsed(debtor) == FACE_VALUE - 300_000


def test_a_full_repayment_frees_the_whole_face_value(registry, escrow, eur, confirmed, debtor):
    escrow.repay(confirmed, 300_000, {"from": debtor})
    escrow.repay(confirmed, FACE_VALUE - 300_000, {"from": debtor})
    assert registry.creditUsed(debtor) == 0


def test_credit_freed_by_a_repayment_can_back_a_new_confirmation(
    registry, escrow, eur, confirmed, operator, supplier, debtor
):
    registry.setCreditLine(debtor, FACE_VALUE, {"from": operator})
    escrow.repay(confirmed, 400_000, {"from": debtor})
    second = register(registry, supplier, debtor, "INV-2", face_value=400_000)
    registry.confirm(second, {"from": debtor})
    assert registry.creditUsed(debtor) == FACE_VALUE


def test_credit_not_yet_freed_cannot_back_a_new_confirmation(
    registry, escrow, eur, confirmed, operator, supplier, debtor
):
    registry.setCreditLine(debtor, FACE_VALUE, {"from": operator})
    escrow.repay(confirmed, 400_000, {"from": debtor})
    second = register(registry, supplier, debtor, "INV-2", face_value=400_001)
    with reverts_with("CreditLineExceeded", debtor, 600_000, 400_001, FACE_VALUE):
        registry.confirm(second, {"from": debtor})


@pytest.mark.parametrize("who", ["debtor", "operator"])
def test_only_the_escrow_may_release_credit(registry, confirmed, debtor, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotEscrow", account):
        registry.releaseCredit(debtor, FACE_VALUE, {"from": account})


# --- financier exposure limit -----------------------------------------------------------------


def test_a_financier_may_approve_up_to_exactly_its_exposure_limit(
    escrow, pending_request, financier, debtor
):
    escrow.setExposureLimit(debtor, FINANCED_AMOUNT, {"from": financier})
    escrow.approveFinancing(pending_request, {"from": financier})
    assert escrow.requests(pending_request)["status"] == RequestStatus.APPROVED
    assert escrow.exposure(financier, debtor) == FINANCED_AMOUNT


def test_an_approval_one_unit_over_the_exposure_limit_is_refused(
    escrow, pending_request, financier, debtor
):
    escrow.setExposureLimit(debtor, FINANCED_AMOUNT - 1, {"from": financier})
    with reverts_with(
        "ExposureLimitExceeded", financier, debtor, 0, FINANCED_AMOUNT, FINANCED_AMOUNT - 1
    ):
        escrow.approveFinancing(pending_request, {"from": financier})


def test_the_exposure_limit_covers_all_of_a_financiers_approvals_against_the_debtor(
    escrow, approved_request, confirmed, supplier, financier, debtor
):
    limit = 2 * FINANCED_AMOUNT - 1
    escrow.setExposureLimit(debtor, limit, {"from": financier})
    second = escrow.requestFinancing(
        confirmed, FINANCED_AMOUNT, financier, financing_terms(), {"from": supplier}
    ).return_value
    with reverts_with(
        "ExposureLimitExceeded", financier, debtor, FINANCED_AMOUNT, FINANCED_AMOUNT, limit
    ):
        escrow.approveFinancing(second, {"from": financier})


def test_a_financier_without_an_exposure_limit_for_the_debtor_cannot_approve(
    escrow, pending_request, financier, debtor
):
    escrow.setExposureLimit(debtor, 0, {"from": financier})
    with reverts_with("ExposureLimitExceeded", financier, debtor, 0, FINANCED_AMOUNT, 0):
        escrow.approveFinancing(pending_request, {"from": financier})


def test_a_financier_sets_its_exposure_limit_for_itself_only(
    escrow, eur, financier, second_financier, debtor
):
    before = escrow.exposureLimit(financier, debtor)
    escrow.setExposureLimit(debtor, 42, {"from": second_financier})
    assert escrow.exposureLimit(second_financier, debtor) == 42
    assert escrow.exposureLimit(financier, debtor) == before


def test_another_financiers_lower_limit_does_not_block_an_approval(
    escrow, pending_request, financier, second_financier, debtor
):
    escrow.setExposureLimit(debtor, 0, {"from": second_financier})
    escrow.approveFinancing(pending_request, {"from": financier})
    assert escrow.requests(pending_request)["status"] == RequestStatus.APPROVED


@pytest.mark.parametrize("who", ["operator", "debtor", "supplier", "auditor", "outsider"])
def test_only_a_financier_may_set_an_exposure_limit(escrow, debtor, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("MissingRole", account, ROLE["FINANCIER"]):
        escrow.setExposureLimit(debtor, FACE_VALUE, {"from": account})


def test_a_financiers_exposure_falls_by_what_it_draws_on_a_partial_repayment(
    escrow, approved_request, confirmed, financier, debtor
):
    escrow.repay(confirmed, FACE_VALUE // 2, {"from": debtor})
    escrow.redeem(confirmed, {"from": financier})
    assert escrow.exposure(financier, debtor) == FINANCED_AMOUNT // 2


def test_a_financiers_exposure_is_cleared_once_it_redeems_the_full_repayment(
    escrow, approved_request, confirmed, financier, debtor
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.redeem(confirmed, {"from": financier})
    assert escrow.exposure(financier, debtor) == 0


def test_a_repayment_alone_does_not_reduce_the_financiers_exposure(
    escrow, approved_request, confirmed, financier, debtor
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    assert escrow.exposure(financier, debtor) == FINANCED_AMOUNT


def test_exposure_freed_by_redemption_can_back_a_new_approval(
    registry, escrow, approved_request, confirmed, supplier, financier, debtor
):
    escrow.setExposureLimit(debtor, FINANCED_AMOUNT, {"from": financier})
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.redeem(confirmed, {"from": financier})
    second = register(registry, supplier, debtor, "INV-2")
    registry.confirm(second, {"from": debtor})
    request_id = escrow.requestFinancing(
        second, FINANCED_AMOUNT, financier, financing_terms(), {"from": supplier}
    ).return_value
    escrow.approveFinancing(request_id, {"from": financier})
    assert escrow.exposure(financier, debtor) == FINANCED_AMOUNT


# --- disputes ---------------------------------------------------------------------------------


def test_the_debtor_disputes_a_registered_receivable(registry, registered, supplier, debtor):
    registry.dispute(registered, 3, {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.DISPUTED
    assert registry.balanceOf(supplier, registered) == 0
    assert registry.creditUsed(debtor) == 0


def test_a_disputed_receivable_may_still_be_confirmed_by_its_debtor(
    registry, registered, supplier, debtor
):
    registry.dispute(registered, 3, {"from": debtor})
    registry.confirm(registered, {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.CONFIRMED
    assert registry.balanceOf(supplier, registered) == FACE_VALUE


def test_a_disputed_receivable_may_be_confirmed_by_the_debtors_relayed_signature(
    registry, registered, supplier, debtor, auditor, due_date
):
    registry.dispute(registered, 3, {"from": debtor})
    sig = confirmation_signature(registry, debtor, supplier, terms_of("INV-1", debtor, due_date))
    registry.confirmBySig(registered, sig, {"from": auditor})
    assert registry.receivable(registered)["status"] == Status.CONFIRMED


def test_a_disputed_receivable_may_be_rejected_by_its_debtor(registry, registered, debtor):
    registry.dispute(registered, 3, {"from": debtor})
    registry.reject(registered, 4, {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.REJECTED


def test_a_disputed_receivable_may_be_cancelled_by_its_supplier(
    registry, registered, supplier, debtor
):
    registry.dispute(registered, 3, {"from": debtor})
    registry.cancel(registered, {"from": supplier})
    assert registry.receivable(registered)["status"] == Status.CANCELLED


@pytest.mark.parametrize("who", ["supplier", "sub_supplier", "financier", "outsider"])
def test_only_the_debtor_may_dispute(registry, registered, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotDebtor", registered, account):
        registry.dispute(registered, 3, {"from": account})


def test_a_receivable_cannot_be_disputed_twice(registry, registered, debtor):
    registry.dispute(registered, 3, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.DISPUTED):
        registry.dispute(registered, 3, {"from": debtor})


def test_a_confirmed_receivable_cannot_be_disputed(registry, confirmed, debtor):
    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        registry.dispute(confirmed, 3, {"from": debtor})


def test_a_rejected_receivable_cannot_be_disputed(registry, registered, debtor):
    registry.reject(registered, 4, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.REJECTED):
        registry.dispute(registered, 3, {"from": debtor})


def test_once_a_disputed_receivable_is_confirmed_the_debtor_can_no_longer_reject_it(
    registry, registered, debtor
):
    registry.dispute(registered, 3, {"from": debtor})
    registry.confirm(registered, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.CONFIRMED):
        registry.reject(registered, 4, {"from": debtor})


def test_once_a_disputed_receivable_is_confirmed_the_supplier_can_no_longer_cancel_it(
    registry, registered, supplier, debtor
):
    registry.dispute(registered, 3, {"from": debtor})
    registry.confirm(registered, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.CONFIRMED):
        registry.cancel(registered, {"from": supplier})


def test_a_disputed_receivable_cannot_be_financed(
    registry, escrow, registered, supplier, financier, debtor
):
    registry.dispute(registered, 3, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.DISPUTED):
        escrow.requestFinancing(registered, 1, financier, financing_terms(), {"from": supplier})


# --- expelled debtor --------------------------------------------------------------------------


def test_an_expelled_debtor_can_no_longer_confirm(registry, members, registered, operator, debtor):
    members.expel(debtor, {"from": operator})
    with reverts_with("MissingRole", debtor, ROLE["DEBTOR"]):
        registry.confirm(registered, {"from": debtor})


def test_an_expelled_debtors_signature_can_no_longer_confirm(
    registry, members, registered, operator, supplier, debtor, auditor, due_date
):
    sig = confirmation_signature(registry, debtor, supplier, terms_of("INV-1", debtor, due_date))
    members.expel(debtor, {"from": operator})
    with reverts_with("MissingRole", debtor, ROLE["DEBTOR"]):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_a_member_stripped_of_the_debtor_role_can_no_longer_confirm(
    registry, members, registered, operator, debtor
):
    members.revokeRole(ROLE["DEBTOR"], debtor, {"from": operator})
    assert members.isMember(debtor)
    with reverts_with("MissingRole", debtor, ROLE["DEBTOR"]):
        registry.confirm(registered, {"from": debtor})


def test_an_expelled_debtor_can_no_longer_batch_confirm(
    registry, members, registered, operator, debtor
):
    members.expel(debtor, {"from": operator})
    with reverts_with("MissingRole", debtor, ROLE["DEBTOR"]):
        registry.confirmBatch([registered], {"from": debtor})


# --- stale financing requests -----------------------------------------------------------------


def _to_due_date(registry, rid):
    mine_past(registry.receivable(rid)["dueDate"])


@pytest.mark.parametrize("who", ["auditor", "outsider"])
def test_before_the_due_date_only_the_supplier_may_cancel_its_request(
    escrow, pending_request, request, who
):
    account = request.getfixturevalue(who)
    with reverts_with("NotRequestSupplier", pending_request, account):
        escrow.cancelFinancing(pending_request, {"from": account})


def test_a_day_before_the_due_date_a_stale_request_is_still_the_suppliers_to_cancel(
    registry, escrow, pending_request, confirmed, outsider
):
    mine_past(registry.receivable(confirmed)["dueDate"] - DAY - 1)  # a day before, at least
    assert latest_timestamp() < registry.receivable(confirmed)["dueDate"]
    with reverts_with("NotRequestSupplier", pending_request, outsider):
        escrow.cancelFinancing(pending_request, {"from": outsider})


@pytest.mark.parametrize("who", ["outsider", "auditor", "financier", "debtor"])
def test_once_the_receivable_is_due_anyone_may_cancel_a_stale_request(
    registry, escrow, pending_request, confirmed, request, who
):
    _to_due_date(registry, confirmed)
    escrow.cancelFinancing(pending_request, {"from": request.getfixturevalue(who)})
    assert escrow.requests(pending_request)["status"] == RequestStatus.CANCELLED


def test_a_stale_request_cancelled_by_another_returns_the_units_to_the_supplier(
    registry, escrow, pending_request, confirmed, supplier, outsider
):
    _to_due_date(registry, confirmed)
    escrow.cancelFinancing(pending_request, {"from": outsider})
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE
    assert registry.balanceOf(outsider, confirmed) == 0
    assert escrow.financedOrPending(confirmed) == 0


def test_an_approved_request_cannot_be_cancelled_even_once_due(
    registry, escrow, approved_request, confirmed, outsider
):
    _to_due_date(registry, confirmed)
    with reverts_with("InvalidRequestStatus", approved_request, RequestStatus.APPROVED):
        escrow.cancelFinancing(approved_request, {"from": outsider})


def test_the_supplier_may_cancel_its_request_before_the_due_date(escrow, pending_request, supplier):
    escrow.cancelFinancing(pending_request, {"from": supplier})
    assert escrow.requests(pending_request)["status"] == RequestStatus.CANCELLED
