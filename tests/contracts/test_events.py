"""Every state change emits its event, with the right arguments."""

from brownie import ReceivableRegistry
from eth_utils import keccak
from helpers import (
    CREDIT_LINE,
    EUR,
    FACE_VALUE,
    FINANCED_AMOUNT,
    RATE_BPS,
    ROLE,
    DayCount,
    Status,
    days_to_maturity,
    document_hash_of,
    expected_discount,
    expected_fee,
    financing_terms,
    fingerprint_of,
    single_event,
    terms_of,
)


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


def test_admitting_a_member_emits_member_admitted(members, operator, newcomer):
    party = keccak(text="ID:newcomer")
    tx = members.admit(newcomer, party, [ROLE["SUPPLIER"]], {"from": operator})
    assert single_event(tx, "MemberAdmitted") == {"account": newcomer, "partyIdHash": hex32(party)}


def test_expelling_a_member_emits_member_expelled(members, operator, supplier):
    tx = members.expel(supplier, {"from": operator})
    assert single_event(tx, "MemberExpelled") == {"account": supplier}


def test_registering_emits_receivable_registered(registry, supplier, debtor, due_date):
    tx = registry.register(terms_of("INV-9", debtor, due_date), {"from": supplier})
    assert single_event(tx, "ReceivableRegistered") == {
        "id": int.from_bytes(fingerprint_of("INV-9"), "big"),
        "supplier": supplier,
        "debtor": debtor,
        "faceValue": FACE_VALUE,
        "currency": hex32(EUR),
        "dueDate": due_date,
        "documentHash": hex32(document_hash_of("INV-9")),
    }


def test_confirming_emits_receivable_confirmed_and_mints_the_face_value(
    registry, registered, debtor, supplier
):
    tx = registry.confirm(registered, {"from": debtor})
    assert single_event(tx, "ReceivableConfirmed") == {"id": registered, "debtor": debtor}
    assert single_event(tx, "TransferSingle") == {
        "operator": debtor,
        "from": "0x" + "00" * 20,
        "to": supplier,
        "id": registered,
        "value": FACE_VALUE,
    }


def test_confirming_emits_credit_used_with_the_debtors_new_total(registry, registered, debtor):
    tx = registry.confirm(registered, {"from": debtor})
    assert single_event(tx, "CreditUsed") == {"debtor": debtor, "used": FACE_VALUE}


def test_disputing_emits_receivable_disputed_with_the_reason(registry, registered, debtor):
    tx = registry.dispute(registered, 21, {"from": debtor})
    assert single_event(tx, "ReceivableDisputed") == {
        "id": registered,
        "debtor": debtor,
        "reasonCode": 21,
    }


def test_rejecting_emits_receivable_rejected_with_the_reason(registry, registered, debtor):
    tx = registry.reject(registered, 17, {"from": debtor})
    assert single_event(tx, "ReceivableRejected") == {
        "id": registered,
        "debtor": debtor,
        "reasonCode": 17,
    }


def test_cancelling_emits_receivable_cancelled(registry, registered, supplier):
    tx = registry.cancel(registered, {"from": supplier})
    assert single_event(tx, "ReceivableCancelled") == {"id": registered, "supplier": supplier}


def test_requesting_financing_emits_financing_requested(
    escrow, eur, confirmed, supplier, financier
):
    terms = financing_terms(RATE_BPS, DayCount.ACT_365, recourse=True, reserve_bps=1_000)
    tx = escrow.requestFinancing(confirmed, FINANCED_AMOUNT, financier, terms, {"from": supplier})
    event = single_event(tx, "FinancingRequested")
    assert tuple(event.pop("terms")) == terms
    assert event == {
        "requestId": 1,
        "id": confirmed,
        "supplier": supplier,
        "financier": financier,
        "amount": FINANCED_AMOUNT,
    }


def test_approving_financing_emits_financing_approved_with_its_terms(
    registry, escrow, operator, auditor, pending_request, confirmed, financier
):
    escrow.setFee(25, auditor, {"from": operator})
    tx = escrow.approveFinancing(pending_request, {"from": financier})
    days = days_to_maturity(tx.timestamp, registry.receivable(confirmed)["dueDate"])
    discount = expected_discount(FINANCED_AMOUNT, RATE_BPS, days)
    fee = expected_fee(FINANCED_AMOUNT, 25)
    assert single_event(tx, "FinancingApproved") == {
        "requestId": pending_request,
        "id": confirmed,
        "financier": financier,
        "amount": FINANCED_AMOUNT,
        "discount": discount,
        "fee": fee,
        "reserve": 0,
        "proceeds": FINANCED_AMOUNT - discount - fee,
    }


def test_rejecting_financing_emits_financing_rejected_and_returns_the_units(
    registry, escrow, pending_request, confirmed, supplier, financier
):
    tx = escrow.rejectFinancing(pending_request, 4, {"from": financier})
    assert single_event(tx, "FinancingRejected") == {
        "requestId": pending_request,
        "id": confirmed,
        "reasonCode": 4,
    }
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE
    assert escrow.financedOrPending(confirmed) == 0


def test_cancelling_financing_emits_financing_cancelled_and_returns_the_units(
    registry, escrow, pending_request, confirmed, supplier
):
    tx = escrow.cancelFinancing(pending_request, {"from": supplier})
    assert single_event(tx, "FinancingCancelled") == {"requestId": pending_request, "id": confirmed}
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE
    assert escrow.financedOrPending(confirmed) == 0


def test_a_partial_repayment_emits_repaid_and_status_in_repayment(escrow, eur, confirmed, debtor):
    tx = escrow.repay(confirmed, 300_000, {"from": debtor})
    assert single_event(tx, "Repaid") == {
        "id": confirmed,
        "payer": debtor,
        "amount": 300_000,
        "totalRepaid": 300_000,
    }
    assert single_event(tx, "StatusChanged") == {"id": confirmed, "status": Status.IN_REPAYMENT}


def test_a_repayment_emits_credit_used_with_the_debtors_reduced_total(
    escrow, eur, confirmed, debtor
):
    tx = escrow.repay(confirmed, 300_000, {"from": debtor})
    assert single_event(tx, "CreditUsed") == {"debtor": debtor, "used": FACE_VALUE - 300_000}


def test_the_final_repayment_emits_repaid_with_the_total_and_status_repaid(
    escrow, eur, confirmed, debtor
):
    escrow.repay(confirmed, 300_000, {"from": debtor})
    tx = escrow.repay(confirmed, FACE_VALUE - 300_000, {"from": debtor})
    assert single_event(tx, "Repaid") == {
        "id": confirmed,
        "payer": debtor,
        "amount": FACE_VALUE - 300_000,
        "totalRepaid": FACE_VALUE,
    }
    assert single_event(tx, "StatusChanged") == {"id": confirmed, "status": Status.REPAID}


def test_redeeming_a_partial_repayment_emits_redeemed_burning_nothing(
    escrow, eur, confirmed, debtor, supplier
):
    escrow.repay(confirmed, 300_000, {"from": debtor})
    tx = escrow.redeem(confirmed, {"from": supplier})
    assert single_event(tx, "Redeemed") == {
        "id": confirmed,
        "holder": supplier,
        "paid": 300_000,
        "burned": 0,
    }
    assert "StatusChanged" not in tx.events


def test_the_last_redemption_emits_redeemed_burning_the_share_and_status_retired(
    escrow, eur, confirmed, debtor, supplier
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})
    tx = escrow.redeem(confirmed, {"from": supplier})
    assert single_event(tx, "Redeemed") == {
        "id": confirmed,
        "holder": supplier,
        "paid": FACE_VALUE,
        "burned": FACE_VALUE,
    }
    assert single_event(tx, "StatusChanged") == {"id": confirmed, "status": Status.RETIRED}


def test_recording_a_default_emits_default_recorded_with_the_shortfall_and_status_defaulted(
    escrow, eur, past_grace, debtor, auditor
):
    escrow.repay(past_grace, 250_000, {"from": debtor})
    tx = escrow.recordDefault(past_grace, {"from": auditor})
    assert single_event(tx, "DefaultRecorded") == {"id": past_grace, "shortfall": 750_000}
    assert single_event(tx, "StatusChanged") == {"id": past_grace, "status": Status.DEFAULTED}


def test_binding_the_escrow_emits_escrow_bound(members, operator, auditor):
    fresh = ReceivableRegistry.deploy(members, {"from": operator})
    tx = fresh.bindEscrow(auditor, {"from": operator})
    assert single_event(tx, "EscrowBound") == {"escrow": auditor}


def test_setting_a_settlement_token_emits_settlement_token_set(escrow, eur, operator):
    tx = escrow.setSettlementToken(b"USD", eur, {"from": operator})
    assert single_event(tx, "SettlementTokenSet") == {"currency": hex32(b"USD"), "token": eur}


def test_setting_the_fee_emits_fee_set(escrow, operator, auditor):
    tx = escrow.setFee(50, auditor, {"from": operator})
    assert single_event(tx, "FeeSet") == {"feeBps": 50, "recipient": auditor}


def test_setting_a_credit_line_emits_credit_line_set(registry, operator, debtor):
    tx = registry.setCreditLine(debtor, CREDIT_LINE + 1, {"from": operator})
    assert single_event(tx, "CreditLineSet") == {"debtor": debtor, "limit": CREDIT_LINE + 1}


def test_setting_an_exposure_limit_emits_exposure_limit_set(escrow, financier, debtor):
    tx = escrow.setExposureLimit(debtor, 123_456, {"from": financier})
    assert single_event(tx, "ExposureLimitSet") == {
        "financier": financier,
        "debtor": debtor,
        "limit": 123_456,
    }


def test_invalidating_a_nonce_emits_nonce_spent(registry, debtor):
    tx = registry.invalidateNonce(77, {"from": debtor})
    assert single_event(tx, "NonceSpent") == {"signer": debtor, "nonce": 77}
