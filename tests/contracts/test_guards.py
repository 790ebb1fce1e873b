"""Every guard of the contracts: who may not do what, and in which state nothing may happen.

Each test makes one forbidden call and checks the custom error it reverts with, arguments
included (see helpers.reverts_with).
"""

from types import SimpleNamespace

import pytest
from brownie import ReceivableRegistry
from eth_utils import keccak
from helpers import (
    DAY,
    EUR,
    FACE_VALUE,
    FINANCED_AMOUNT,
    MAX_FEE_BPS,
    ROLE,
    ZERO_ADDRESS,
    RequestStatus,
    Status,
    document_hash_of,
    expected_discount,
    financing_terms,
    fingerprint_of,
    latest_timestamp,
    mine_past,
    reverts_with,
    terms_of,
)

PARTY = keccak(text="ID:newcomer")


def register(registry, supplier, debtor, invoice="INV-1", **overrides):
    """Registers `invoice` with valid terms except those in `overrides`."""
    terms = {
        "fingerprint": fingerprint_of(invoice),
        "debtor": debtor,
        "face_value": FACE_VALUE,
        "currency": EUR,
        "due_date": latest_timestamp() + 90 * DAY,
        "document_hash": document_hash_of(invoice),
    }
    terms.update(overrides)
    return registry.register(tuple(terms.values()), {"from": supplier})


# --- MemberRegistry ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["admit", "expel", "pause", "unpause"])
def test_only_an_operator_may_manage_members_or_pause(members, supplier, outsider, name):
    call = {
        "admit": lambda: members.admit(outsider, PARTY, [], {"from": supplier}),
        "expel": lambda: members.expel(supplier, {"from": supplier}),
        "pause": lambda: members.pause({"from": supplier}),
        "unpause": lambda: members.unpause({"from": supplier}),
    }[name]
    with reverts_with("AccessControlUnauthorizedAccount", supplier, ROLE["OPERATOR"]):
        call()


def test_a_member_cannot_be_admitted_twice(members, operator, supplier):
    with reverts_with("AlreadyMember", supplier):
        members.admit(supplier, PARTY, [ROLE["FINANCIER"]], {"from": operator})


def test_a_member_needs_a_party_id(members, operator, newcomer):
    with reverts_with("EmptyPartyId"):
        members.admit(newcomer, b"\x00" * 32, [ROLE["SUPPLIER"]], {"from": operator})


def test_admit_grants_business_roles_only(members, operator, newcomer):
    with reverts_with("NotABusinessRole", ROLE["OPERATOR"]):
        members.admit(newcomer, PARTY, [ROLE["OPERATOR"]], {"from": operator})


def test_a_non_member_cannot_be_expelled(members, operator, outsider):
    with reverts_with("NotMember", outsider):
        members.expel(outsider, {"from": operator})


def test_a_business_role_cannot_be_granted_to_a_non_member(members, operator, outsider):
    with reverts_with("NotMember", outsider):
        members.grantRole(ROLE["SUPPLIER"], outsider, {"from": operator})


def test_the_platform_cannot_be_paused_twice(members, operator):
    members.pause({"from": operator})
    with reverts_with("EnforcedPause"):
        members.pause({"from": operator})


# --- ReceivableRegistry: binding and escrow-only functions -------------------------------------


def test_only_an_operator_may_bind_the_escrow(members, operator, supplier):
    fresh = ReceivableRegistry.deploy(members, {"from": operator})
    with reverts_with("MissingRole", supplier, ROLE["OPERATOR"]):
        fresh.bindEscrow(supplier, {"from": supplier})


def test_the_escrow_can_be_bound_only_once(registry, escrow, operator, outsider):
    with reverts_with("EscrowAlreadyBound"):
        registry.bindEscrow(outsider, {"from": operator})


def test_the_escrow_cannot_be_bound_to_the_zero_address(members, operator):
    fresh = ReceivableRegistry.deploy(members, {"from": operator})
    with reverts_with("EscrowAlreadyBound"):
        fresh.bindEscrow(ZERO_ADDRESS, {"from": operator})


def test_only_the_escrow_may_set_a_receivable_status(registry, escrow, confirmed, debtor):
    with reverts_with("NotEscrow", debtor):
        registry.setStatus(confirmed, Status.REPAID, {"from": debtor})


def test_only_the_escrow_may_burn_receivable_units(registry, escrow, confirmed, supplier):
    with reverts_with("NotEscrow", supplier):
        registry.burn(supplier, confirmed, FACE_VALUE, {"from": supplier})


@pytest.mark.parametrize(
    "status",
    [
        Status.NONE,
        Status.REGISTERED,
        Status.DISPUTED,
        Status.CONFIRMED,
        Status.REJECTED,
        Status.CANCELLED,
    ],
)
def test_the_escrow_may_only_set_settlement_statuses(members, operator, auditor, status):
    fresh = ReceivableRegistry.deploy(members, {"from": operator})
    fresh.bindEscrow(auditor, {"from": operator})  # an account standing in for the escrow
    with reverts_with("NotASettlementStatus", status):
        fresh.setStatus(1, status, {"from": auditor})


# --- ReceivableRegistry: registration ----------------------------------------------------------


@pytest.mark.parametrize("who", ["debtor", "financier", "auditor", "outsider"])
def test_only_a_supplier_may_register_a_receivable(registry, debtor, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("MissingRole", account, ROLE["SUPPLIER"]):
        register(registry, account, debtor)


def test_an_expelled_supplier_may_no_longer_register(registry, members, operator, supplier, debtor):
    members.expel(supplier, {"from": operator})
    with reverts_with("MissingRole", supplier, ROLE["SUPPLIER"]):
        register(registry, supplier, debtor)


def test_a_receivable_must_be_owed_by_a_debtor(registry, supplier, financier):
    with reverts_with("MissingRole", financier, ROLE["DEBTOR"]):
        register(registry, supplier, financier)


@pytest.mark.parametrize("who", ["supplier", "sub_supplier"])
def test_a_registered_fingerprint_cannot_be_registered_again_by_any_supplier(
    registry, registered, debtor, request, who
):
    with reverts_with("FingerprintUsed", fingerprint_of("INV-1")):
        register(registry, request.getfixturevalue(who), debtor)


@pytest.mark.parametrize("who", ["supplier", "sub_supplier"])
def test_a_rejected_fingerprint_can_never_be_registered_again(
    registry, registered, debtor, request, who
):
    registry.reject(registered, 7, {"from": debtor})
    with reverts_with("FingerprintUsed", fingerprint_of("INV-1")):
        register(registry, request.getfixturevalue(who), debtor)


@pytest.mark.parametrize("who", ["supplier", "sub_supplier"])
def test_a_cancelled_fingerprint_can_never_be_registered_again(
    registry, registered, supplier, debtor, request, who
):
    registry.cancel(registered, {"from": supplier})
    with reverts_with("FingerprintUsed", fingerprint_of("INV-1")):
        register(registry, request.getfixturevalue(who), debtor)


def test_a_confirmed_fingerprint_cannot_be_registered_again(
    registry, confirmed, sub_supplier, debtor
):
    with reverts_with("FingerprintUsed", fingerprint_of("INV-1")):
        register(registry, sub_supplier, debtor)


def test_the_zero_fingerprint_cannot_be_registered(registry, supplier, debtor):
    with reverts_with("FingerprintUsed", b"\x00" * 32):
        register(registry, supplier, debtor, fingerprint=b"\x00" * 32)


def test_a_receivable_must_have_a_face_value(registry, supplier, debtor):
    with reverts_with("ZeroFaceValue"):
        register(registry, supplier, debtor, face_value=0)


@pytest.mark.parametrize("seconds_ago", [DAY, 1])
def test_a_receivable_must_fall_due_in_the_future(registry, supplier, debtor, seconds_ago):
    due_date = latest_timestamp() - seconds_ago  # the registration's block is after it
    with reverts_with("DueDateNotInFuture", due_date):
        register(registry, supplier, debtor, due_date=due_date)


def test_a_member_cannot_register_a_claim_against_itself(registry, members, operator, newcomer):
    members.admit(newcomer, PARTY, [ROLE["SUPPLIER"], ROLE["DEBTOR"]], {"from": operator})
    with reverts_with("SelfDealing", newcomer):
        register(registry, newcomer, newcomer)


def test_a_receivable_must_reference_its_document(registry, supplier, debtor):
    with reverts_with("EmptyDocumentHash"):
        register(registry, supplier, debtor, document_hash=b"\x00" * 32)


# --- ReceivableRegistry: confirmation, rejection, cancellation ---------------------------------


@pytest.mark.parametrize("who", ["supplier", "sub_supplier", "financier", "outsider"])
def test_only_the_debtor_may_confirm(registry, registered, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotDebtor", registered, account):
        registry.confirm(registered, {"from": account})


@pytest.mark.parametrize("who", ["supplier", "sub_supplier", "financier", "outsider"])
def test_only_the_debtor_may_reject(registry, registered, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotDebtor", registered, account):
        registry.reject(registered, 1, {"from": account})


def test_a_receivable_cannot_be_confirmed_twice(registry, confirmed, debtor):
    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        registry.confirm(confirmed, {"from": debtor})


def test_a_confirmed_receivable_cannot_be_rejected(registry, confirmed, debtor):
    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        registry.reject(confirmed, 1, {"from": debtor})


def test_a_rejected_receivable_cannot_be_confirmed(registry, registered, debtor):
    registry.reject(registered, 1, {"from": debtor})
    with reverts_with("InvalidStatus", registered, Status.REJECTED):
        registry.confirm(registered, {"from": debtor})


def test_a_cancelled_receivable_cannot_be_confirmed(registry, registered, supplier, debtor):
    registry.cancel(registered, {"from": supplier})
    with reverts_with("InvalidStatus", registered, Status.CANCELLED):
        registry.confirm(registered, {"from": debtor})


@pytest.mark.parametrize("who", ["sub_supplier", "debtor", "outsider"])
def test_only_its_supplier_may_cancel_a_receivable(registry, registered, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotSupplier", registered, account):
        registry.cancel(registered, {"from": account})


def test_a_confirmed_receivable_cannot_be_cancelled(registry, confirmed, supplier):
    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        registry.cancel(confirmed, {"from": supplier})


# --- ReceivableRegistry: transfers -------------------------------------------------------------


def test_a_receivable_cannot_be_transferred_to_a_non_member(
    registry, confirmed, supplier, outsider
):
    with reverts_with("NotMember", outsider):
        registry.safeTransferFrom(supplier, outsider, confirmed, 1, b"", {"from": supplier})


def test_a_receivable_cannot_be_transferred_to_an_expelled_member(
    registry, members, confirmed, operator, supplier, sub_supplier
):
    members.expel(sub_supplier, {"from": operator})
    with reverts_with("NotMember", sub_supplier):
        registry.safeTransferFrom(supplier, sub_supplier, confirmed, 1, b"", {"from": supplier})


def test_an_unconfirmed_receivable_cannot_be_transferred(
    registry, registered, supplier, sub_supplier
):
    with reverts_with("InvalidStatus", registered, Status.REGISTERED):
        registry.safeTransferFrom(supplier, sub_supplier, registered, 0, b"", {"from": supplier})


def test_a_receivable_in_repayment_can_no_longer_be_transferred(
    registry, escrow, eur, confirmed, debtor, supplier, sub_supplier
):
    escrow.repay(confirmed, 1, {"from": debtor})
    with reverts_with("InvalidStatus", confirmed, Status.IN_REPAYMENT):
        registry.safeTransferFrom(supplier, sub_supplier, confirmed, 1, b"", {"from": supplier})


def test_a_defaulted_receivable_can_no_longer_be_transferred(
    registry, escrow, past_grace, supplier, sub_supplier
):
    escrow.recordDefault(past_grace, {"from": supplier})
    with reverts_with("InvalidStatus", past_grace, Status.DEFAULTED):
        registry.safeTransferFrom(supplier, sub_supplier, past_grace, 1, b"", {"from": supplier})


def test_a_holder_cannot_split_off_more_than_it_holds(registry, confirmed, supplier, sub_supplier):
    with reverts_with(
        "ERC1155InsufficientBalance", supplier, FACE_VALUE, FACE_VALUE + 1, confirmed
    ):
        registry.safeTransferFrom(
            supplier, sub_supplier, confirmed, FACE_VALUE + 1, b"", {"from": supplier}
        )


def test_a_member_cannot_move_another_holders_units(registry, confirmed, supplier, sub_supplier):
    with reverts_with("ERC1155MissingApprovalForAll", sub_supplier, supplier):
        registry.safeTransferFrom(supplier, sub_supplier, confirmed, 1, b"", {"from": sub_supplier})


# --- FinancingEscrow: operator settings --------------------------------------------------------


def test_only_an_operator_may_set_a_settlement_token(escrow, eur, financier):
    with reverts_with("MissingRole", financier, ROLE["OPERATOR"]):
        escrow.setSettlementToken(b"USD", eur, {"from": financier})


def test_a_settlement_token_cannot_be_the_zero_address(escrow, operator):
    with reverts_with("ZeroAddress"):
        escrow.setSettlementToken(b"USD", ZERO_ADDRESS, {"from": operator})


def test_only_an_operator_may_set_the_fee(escrow, financier):
    with reverts_with("MissingRole", financier, ROLE["OPERATOR"]):
        escrow.setFee(10, financier, {"from": financier})


def test_the_fee_cannot_exceed_its_maximum(escrow, operator, auditor):
    with reverts_with("FeeTooHigh", MAX_FEE_BPS + 1):
        escrow.setFee(MAX_FEE_BPS + 1, auditor, {"from": operator})


def test_a_fee_needs_a_recipient(escrow, operator):
    with reverts_with("ZeroAddress"):
        escrow.setFee(10, ZERO_ADDRESS, {"from": operator})


def test_only_its_issuer_may_mint_settlement_tokens(eur, financier):
    with reverts_with("OwnableUnauthorizedAccount", financier):
        eur.mint(financier, 1, {"from": financier})


# --- FinancingEscrow: requesting financing -----------------------------------------------------


@pytest.mark.parametrize("who", ["debtor", "financier", "auditor", "outsider"])
def test_only_a_supplier_may_request_financing(escrow, confirmed, financier, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("MissingRole", account, ROLE["SUPPLIER"]):
        escrow.requestFinancing(confirmed, 1, financier, financing_terms(), {"from": account})


def test_financing_must_be_asked_of_a_financier(escrow, confirmed, supplier, debtor):
    with reverts_with("MissingRole", debtor, ROLE["FINANCIER"]):
        escrow.requestFinancing(confirmed, 1, debtor, financing_terms(), {"from": supplier})


def test_financing_needs_a_known_day_count(escrow, confirmed, supplier, financier):
    with reverts_with("UnknownDayCount", 2):
        escrow.requestFinancing(
            confirmed, 1, financier, financing_terms(day_count=2), {"from": supplier}
        )


def test_an_unconfirmed_receivable_cannot_be_financed(escrow, registered, supplier, financier):
    with reverts_with("InvalidStatus", registered, Status.REGISTERED):
        escrow.requestFinancing(registered, 1, financier, financing_terms(), {"from": supplier})


def test_a_zero_amount_cannot_be_financed(escrow, confirmed, supplier, financier):
    with reverts_with("AmountNotFinanceable", confirmed, 0, FACE_VALUE):
        escrow.requestFinancing(confirmed, 0, financier, financing_terms(), {"from": supplier})


def test_no_more_than_the_unfinanced_remainder_can_be_financed(
    escrow, pending_request, confirmed, supplier, second_financier
):
    remainder = FACE_VALUE - FINANCED_AMOUNT
    with reverts_with("AmountNotFinanceable", confirmed, remainder + 1, remainder):
        escrow.requestFinancing(
            confirmed, remainder + 1, second_financier, financing_terms(), {"from": supplier}
        )


def test_the_same_units_cannot_be_financed_twice(
    registry, escrow, confirmed, supplier, sub_supplier, financier, second_financier
):
    registry.safeTransferFrom(supplier, sub_supplier, confirmed, 200_000, b"", {"from": supplier})
    escrow.requestFinancing(confirmed, 800_000, financier, financing_terms(), {"from": supplier})
    # 200,000 units are still unfinanced, but they are the sub-supplier's: the supplier's own
    # 800,000 are locked in the first request.
    with reverts_with("ERC1155InsufficientBalance", supplier, 0, 100_000, confirmed):
        escrow.requestFinancing(
            confirmed, 100_000, second_financier, financing_terms(), {"from": supplier}
        )


def test_a_financed_receivable_cannot_be_financed_beyond_its_face_value(
    escrow, approved_request, confirmed, supplier, second_financier
):
    remainder = FACE_VALUE - FINANCED_AMOUNT
    with reverts_with("AmountNotFinanceable", confirmed, FACE_VALUE, remainder):
        escrow.requestFinancing(
            confirmed, FACE_VALUE, second_financier, financing_terms(), {"from": supplier}
        )


def test_a_matured_receivable_cannot_be_offered_for_financing(
    registry, escrow, confirmed, supplier, financier
):
    mine_past(registry.receivable(confirmed)["dueDate"] - 1)  # at or after the due date
    with reverts_with("Matured", confirmed):
        escrow.requestFinancing(confirmed, 1, financier, financing_terms(), {"from": supplier})


# --- FinancingEscrow: deciding on requests -----------------------------------------------------


@pytest.mark.parametrize("who", ["second_financier", "supplier", "debtor"])
def test_only_the_named_financier_may_approve(escrow, pending_request, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotRequestFinancier", pending_request, account):
        escrow.approveFinancing(pending_request, {"from": account})


@pytest.mark.parametrize("who", ["second_financier", "supplier", "debtor"])
def test_only_the_named_financier_may_reject(escrow, pending_request, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotRequestFinancier", pending_request, account):
        escrow.rejectFinancing(pending_request, 1, {"from": account})


@pytest.mark.parametrize("who", ["sub_supplier", "financier"])
def test_only_the_requesting_supplier_may_cancel_a_request(escrow, pending_request, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotRequestSupplier", pending_request, account):
        escrow.cancelFinancing(pending_request, {"from": account})


def test_a_request_cannot_be_approved_twice(escrow, approved_request, financier):
    with reverts_with("InvalidRequestStatus", approved_request, RequestStatus.APPROVED):
        escrow.approveFinancing(approved_request, {"from": financier})


def test_an_approved_request_can_no_longer_be_cancelled(escrow, approved_request, supplier):
    with reverts_with("InvalidRequestStatus", approved_request, RequestStatus.APPROVED):
        escrow.cancelFinancing(approved_request, {"from": supplier})


def test_a_rejected_request_cannot_be_approved(escrow, pending_request, financier):
    escrow.rejectFinancing(pending_request, 3, {"from": financier})
    with reverts_with("InvalidRequestStatus", pending_request, RequestStatus.REJECTED):
        escrow.approveFinancing(pending_request, {"from": financier})


def test_an_unknown_request_cannot_be_approved(escrow, eur, financier):
    with reverts_with("InvalidRequestStatus", 42, RequestStatus.NONE):
        escrow.approveFinancing(42, {"from": financier})


def test_a_request_cannot_be_approved_once_the_receivable_has_matured(
    registry, escrow, pending_request, confirmed, financier
):
    mine_past(registry.receivable(confirmed)["dueDate"] - 1)  # at or after the due date
    with reverts_with("Matured", confirmed):
        escrow.approveFinancing(pending_request, {"from": financier})


def test_a_request_cannot_be_approved_once_repayment_has_started(
    escrow, pending_request, confirmed, debtor, financier
):
    escrow.repay(confirmed, 1, {"from": debtor})
    with reverts_with("InvalidStatus", confirmed, Status.IN_REPAYMENT):
        escrow.approveFinancing(pending_request, {"from": financier})


def test_a_discount_that_eats_the_whole_amount_cannot_be_approved(
    escrow, eur, confirmed, supplier, financier
):
    rate = 2**16 - 1  # 655.35% a year: more than 100% over 90 days
    request_id = escrow.requestFinancing(
        confirmed, FINANCED_AMOUNT, financier, financing_terms(rate), {"from": supplier}
    ).return_value
    discount = expected_discount(FINANCED_AMOUNT, rate, 90)
    with reverts_with("TermsExceedAmount", FINANCED_AMOUNT, discount, 0, 0):
        escrow.approveFinancing(request_id, {"from": financier})


def test_a_discount_plus_fee_equal_to_the_amount_cannot_be_approved(
    escrow, eur, confirmed, operator, auditor, supplier, financier
):
    escrow.setFee(MAX_FEE_BPS, auditor, {"from": operator})
    # 1 unit: the discount and the 1% fee each round up to 1 unit.
    request_id = escrow.requestFinancing(
        confirmed, 1, financier, financing_terms(), {"from": supplier}
    ).return_value
    with reverts_with("TermsExceedAmount", 1, 1, 1, 0):
        escrow.approveFinancing(request_id, {"from": financier})


def test_a_receivable_without_a_settlement_token_cannot_be_financed(
    registry, escrow, eur, supplier, debtor, financier
):
    rid = register(registry, supplier, debtor, "INV-USD", currency=b"USD").return_value
    registry.confirm(rid, {"from": debtor})
    request_id = escrow.requestFinancing(
        rid, 1_000, financier, financing_terms(), {"from": supplier}
    )
    with reverts_with("NoSettlementToken", b"USD"):
        escrow.approveFinancing(request_id.return_value, {"from": financier})


# --- FinancingEscrow: repayment ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["supplier", "financier", "operator"])
def test_only_the_debtor_may_repay(escrow, eur, confirmed, request, who):
    account = request.getfixturevalue(who)
    with reverts_with("NotDebtor", confirmed, account):
        escrow.repay(confirmed, FACE_VALUE, {"from": account})


def test_an_unconfirmed_receivable_cannot_be_repaid(escrow, eur, registered, debtor):
    with reverts_with("InvalidStatus", registered, Status.REGISTERED):
        escrow.repay(registered, FACE_VALUE, {"from": debtor})


def test_a_repayment_cannot_be_zero(escrow, eur, confirmed, debtor):
    with reverts_with("RepaymentExceedsOutstanding", confirmed, 0, FACE_VALUE):
        escrow.repay(confirmed, 0, {"from": debtor})


def test_a_repayment_cannot_exceed_the_face_value(escrow, eur, confirmed, debtor):
    with reverts_with("RepaymentExceedsOutstanding", confirmed, FACE_VALUE + 1, FACE_VALUE):
        escrow.repay(confirmed, FACE_VALUE + 1, {"from": debtor})


def test_a_second_repayment_cannot_exceed_what_is_still_outstanding(escrow, eur, confirmed, debtor):
    escrow.repay(confirmed, 400_000, {"from": debtor})
    with reverts_with("RepaymentExceedsOutstanding", confirmed, 600_001, 600_000):
        escrow.repay(confirmed, 600_001, {"from": debtor})


def test_a_repaid_receivable_cannot_be_repaid_again(escrow, eur, confirmed, debtor):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    with reverts_with("InvalidStatus", confirmed, Status.REPAID):
        escrow.repay(confirmed, 1, {"from": debtor})


def test_a_receivable_without_a_settlement_token_cannot_be_repaid(
    registry, escrow, supplier, debtor
):
    rid = register(registry, supplier, debtor, "INV-USD", currency=b"USD").return_value
    registry.confirm(rid, {"from": debtor})
    with reverts_with("NoSettlementToken", b"USD"):
        escrow.repay(rid, 1, {"from": debtor})


# --- FinancingEscrow: redemption ---------------------------------------------------------------


def test_nothing_can_be_redeemed_before_any_repayment(escrow, eur, confirmed, supplier):
    with reverts_with("InvalidStatus", confirmed, Status.CONFIRMED):
        escrow.redeem(confirmed, {"from": supplier})


def test_nothing_can_be_redeemed_on_a_default_with_nothing_repaid(
    escrow, eur, past_grace, supplier
):
    escrow.recordDefault(past_grace, {"from": supplier})
    with reverts_with("NothingToRedeem", past_grace, supplier):
        escrow.redeem(past_grace, {"from": supplier})


def test_a_partial_repayment_cannot_be_redeemed_twice(escrow, eur, confirmed, debtor, supplier):
    escrow.repay(confirmed, 400_000, {"from": debtor})
    escrow.redeem(confirmed, {"from": supplier})
    with reverts_with("NothingToRedeem", confirmed, supplier):
        escrow.redeem(confirmed, {"from": supplier})


def test_a_share_cannot_be_redeemed_twice(
    registry, escrow, eur, confirmed, debtor, supplier, sub_supplier
):
    registry.safeTransferFrom(supplier, sub_supplier, confirmed, 1, b"", {"from": supplier})
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.redeem(confirmed, {"from": supplier})
    with reverts_with("NothingToRedeem", confirmed, supplier):
        escrow.redeem(confirmed, {"from": supplier})


def test_an_account_holding_no_share_has_nothing_to_redeem(
    escrow, eur, confirmed, debtor, outsider
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    with reverts_with("NothingToRedeem", confirmed, outsider):
        escrow.redeem(confirmed, {"from": outsider})


def test_a_retired_receivable_cannot_be_redeemed_again(escrow, eur, confirmed, debtor, supplier):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    escrow.redeem(confirmed, {"from": supplier})
    with reverts_with("InvalidStatus", confirmed, Status.RETIRED):
        escrow.redeem(confirmed, {"from": supplier})


# --- FinancingEscrow: default ------------------------------------------------------------------


def test_a_default_cannot_be_recorded_before_the_due_date(escrow, confirmed, auditor):
    with reverts_with("NotInDefault", confirmed):
        escrow.recordDefault(confirmed, {"from": auditor})


def test_a_default_cannot_be_recorded_within_the_grace_period(registry, escrow, confirmed, auditor):
    mine_past(registry.receivable(confirmed)["dueDate"] + 29 * DAY - 1)
    with reverts_with("NotInDefault", confirmed):
        escrow.recordDefault(confirmed, {"from": auditor})


def test_a_default_cannot_be_recorded_twice(escrow, past_grace, auditor):
    escrow.recordDefault(past_grace, {"from": auditor})
    with reverts_with("InvalidStatus", past_grace, Status.DEFAULTED):
        escrow.recordDefault(past_grace, {"from": auditor})


def test_a_repaid_receivable_cannot_default(escrow, eur, past_grace, debtor, auditor):
    escrow.repay(past_grace, FACE_VALUE, {"from": debtor})
    with reverts_with("InvalidStatus", past_grace, Status.REPAID):
        escrow.recordDefault(past_grace, {"from": auditor})


def test_an_unconfirmed_receivable_cannot_default(escrow, registered, auditor):
    with reverts_with("InvalidStatus", registered, Status.REGISTERED):
        escrow.recordDefault(registered, {"from": auditor})


# --- pause -------------------------------------------------------------------------------------


PAUSED_OPERATIONS = {
    "register": lambda c: register(c.registry, c.supplier, c.debtor, "INV-PAUSED"),
    "registerBatch": lambda c: c.registry.registerBatch(
        [terms_of("INV-PAUSED", c.debtor, latest_timestamp() + 90 * DAY)], {"from": c.supplier}
    ),
    "confirm": lambda c: c.registry.confirm(c.second, {"from": c.debtor}),
    "confirmBatch": lambda c: c.registry.confirmBatch([c.second], {"from": c.debtor}),
    "dispute": lambda c: c.registry.dispute(c.second, 1, {"from": c.debtor}),
    "reject": lambda c: c.registry.reject(c.second, 1, {"from": c.debtor}),
    "cancel": lambda c: c.registry.cancel(c.second, {"from": c.supplier}),
    "transfer": lambda c: c.registry.safeTransferFrom(
        c.supplier, c.sub_supplier, c.id, 1, b"", {"from": c.supplier}
    ),
    "requestFinancing": lambda c: c.escrow.requestFinancing(
        c.id, 1, c.financier, financing_terms(), {"from": c.supplier}
    ),
    "approveFinancing": lambda c: c.escrow.approveFinancing(c.request, {"from": c.financier}),
    "rejectFinancing": lambda c: c.escrow.rejectFinancing(c.request, 1, {"from": c.financier}),
    "cancelFinancing": lambda c: c.escrow.cancelFinancing(c.request, {"from": c.supplier}),
    "repay": lambda c: c.escrow.repay(c.id, FACE_VALUE, {"from": c.debtor}),
    "redeem": lambda c: c.escrow.redeem(c.id, {"from": c.supplier}),
    "recordDefault": lambda c: c.escrow.recordDefault(c.id, {"from": c.debtor}),
}


@pytest.fixture
def paused_platform(
    members,
    registry,
    escrow,
    eur,
    pending_request,
    confirmed,
    operator,
    debtor,
    supplier,
    sub_supplier,
    financier,
):
    """A confirmed receivable with a pending request, a second one registered, then a pause."""
    second = register(registry, supplier, debtor, "INV-2").return_value
    members.pause({"from": operator})
    return SimpleNamespace(
        registry=registry,
        escrow=escrow,
        id=confirmed,
        second=second,
        request=pending_request,
        debtor=debtor,
        supplier=supplier,
        sub_supplier=sub_supplier,
        financier=financier,
    )


@pytest.mark.parametrize("operation", PAUSED_OPERATIONS)
def test_nothing_changes_while_the_platform_is_paused(paused_platform, operation):
    with reverts_with("PlatformPaused"):
        PAUSED_OPERATIONS[operation](paused_platform)


def test_operations_resume_after_unpause(members, registry, registered, operator, debtor):
    members.pause({"from": operator})
    members.unpause({"from": operator})
    registry.confirm(registered, {"from": debtor})
    assert registry.receivable(registered)["status"] == Status.CONFIRMED
