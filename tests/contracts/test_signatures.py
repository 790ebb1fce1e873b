"""Signed actions: a debtor's confirmation, a supplier's financing request and a financier's
approval, signed off chain (EIP-712, scfchain.signing) and relayed on chain by another member.

A signature is good once, before its deadline, for its signer, its exact terms, one contract on
one chain; every other use is refused with the custom error named in the test.
"""

import pytest
from brownie import FinancingEscrow, ReceivableRegistry, chain
from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak
from helpers import (
    CREDIT_LINE,
    DAY,
    FACE_VALUE,
    FINANCED_AMOUNT,
    GRACE_PERIOD,
    ROLE,
    RequestStatus,
    Status,
    approval_signature,
    confirmation_signature,
    deadline_in,
    financing_terms,
    mine_past,
    receivable_id,
    request_signature,
    reverts_with,
    signer_of,
    single_event,
    terms_of,
)

from scfchain.signing import sign_financing_approval

# secp256k1 group order: (r, n - s) with the other parity is the "malleable twin" of (r, s).
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def terms(debtor, due_date):
    """Terms of an invoice "INV-SIG" not yet registered."""
    return terms_of("INV-SIG", debtor, due_date)


@pytest.fixture
def registered_terms(debtor, due_date, registered):
    """The terms under which the shared `registered` fixture was registered."""
    return terms_of("INV-1", debtor, due_date)


def malleable_twin(signature: bytes) -> bytes:
    """The high-s twin of a 65-byte (r, s, v) signature: s' = n - s, v flipped (27 <-> 28)."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def confirmation_digest(registry, supplier, terms, nonce, deadline) -> bytes:
    """The EIP-712 digest the registry checks, built from its own domain separator and typehash."""
    fingerprint, _, face_value, currency, due_date, document_hash = terms
    struct_hash = keccak(
        encode(
            ["bytes32", "uint256", "address", "uint96", "bytes3", "uint40", "bytes32"]
            + ["uint256", "uint256"],
            [
                bytes(registry.CONFIRM_TYPEHASH()),
                receivable_id(terms),
                str(supplier),
                face_value,
                currency,
                due_date,
                document_hash,
                nonce,
                deadline,
            ],
        )
    )
    return keccak(b"\x19\x01" + bytes(registry.domainSeparator()) + struct_hash)


def expected_domain_separator(name: str, contract) -> bytes:
    domain_type = (
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text=domain_type),
                keccak(text=name),
                keccak(text="1"),
                chain.id,
                str(contract),
            ],
        )
    )


# --- domains ----------------------------------------------------------------------------------


def test_the_registry_signs_under_its_own_name_version_chain_and_address(registry):
    assert bytes(registry.domainSeparator()) == expected_domain_separator(
        "scfchain ReceivableRegistry", registry
    )


def test_the_escrow_signs_under_its_own_name_version_chain_and_address(escrow):
    assert bytes(escrow.domainSeparator()) == expected_domain_separator(
        "scfchain FinancingEscrow", escrow
    )


# --- debtor confirmation by signature ---------------------------------------------------------


def test_a_member_relays_the_debtors_signed_confirmation_of_a_registered_receivable(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms)
    tx = registry.confirmBySig(registered, sig, {"from": auditor})
    assert registry.receivable(registered)["status"] == Status.CONFIRMED
    assert registry.balanceOf(supplier, registered) == FACE_VALUE
    assert single_event(tx, "ReceivableConfirmed") == {"id": registered, "debtor": debtor}


def test_a_relayed_confirmation_spends_the_debtors_nonce(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms, nonce=1_000)
    assert not registry.isNonceUsed(debtor, 1_000)
    tx = registry.confirmBySig(registered, sig, {"from": auditor})
    assert registry.isNonceUsed(debtor, 1_000)
    assert single_event(tx, "NonceSpent") == {"signer": debtor, "nonce": 1_000}


def test_a_relayed_confirmation_uses_the_debtors_credit_line(
    registry, registered, registered_terms, supplier, debtor, financier
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms)
    registry.confirmBySig(registered, sig, {"from": financier})
    assert registry.creditUsed(debtor) == FACE_VALUE


def test_the_supplier_registers_and_confirms_in_one_transaction_with_the_debtors_signature(
    registry, terms, supplier, debtor
):
    sig = confirmation_signature(registry, debtor, supplier, terms)
    tx = registry.registerAndConfirm(terms, sig, {"from": supplier})
    assert tx.return_value == receivable_id(terms)
    assert registry.receivable(tx.return_value)["status"] == Status.CONFIRMED
    assert registry.balanceOf(supplier, tx.return_value) == FACE_VALUE
    assert list(tx.events.keys()).count("ReceivableRegistered") == 1
    assert single_event(tx, "ReceivableConfirmed") == {"id": tx.return_value, "debtor": debtor}


def test_a_batch_of_signed_confirmations_registers_and_confirms_every_receivable(
    registry, supplier, debtor, due_date
):
    batch = [
        terms_of(f"INV-B{i}", debtor, due_date, face_value=100_000 * (i + 1)) for i in range(3)
    ]
    sigs = [confirmation_signature(registry, debtor, supplier, t) for t in batch]
    tx = registry.registerAndConfirmBatch(batch, sigs, {"from": supplier})
    assert len(tx.events["ReceivableConfirmed"]) == 3
    for t in batch:
        assert registry.receivable(receivable_id(t))["status"] == Status.CONFIRMED
        face_value = t[2]
        assert registry.balanceOf(supplier, receivable_id(t)) == face_value
    assert registry.creditUsed(debtor) == 600_000


def test_a_batch_with_one_bad_signature_registers_nothing(registry, supplier, debtor, due_date):
    batch = [terms_of(f"INV-B{i}", debtor, due_date) for i in range(3)]
    sigs = [confirmation_signature(registry, debtor, supplier, t) for t in batch]
    sigs[2] = confirmation_signature(registry, supplier, supplier, batch[2])  # not the debtor's
    with reverts_with("InvalidSignature", debtor):
        registry.registerAndConfirmBatch(batch, sigs, {"from": supplier})
    assert all(registry.receivable(receivable_id(t))["status"] == Status.NONE for t in batch)


def test_a_batch_needs_one_signature_per_receivable(registry, supplier, debtor, due_date):
    batch = [terms_of(f"INV-B{i}", debtor, due_date) for i in range(2)]
    sigs = [confirmation_signature(registry, debtor, supplier, batch[0])]
    with reverts_with("LengthMismatch", 2, 1):
        registry.registerAndConfirmBatch(batch, sigs, {"from": supplier})


# --- refusals of a signed confirmation --------------------------------------------------------


def test_a_signed_confirmation_cannot_be_replayed(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms, nonce=7)
    registry.confirmBySig(registered, sig, {"from": auditor})
    with reverts_with("NonceUsed", debtor, 7):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_a_nonce_spent_on_one_confirmation_cannot_sign_another(
    registry, terms, supplier, debtor, due_date
):
    registry.registerAndConfirm(
        terms,
        confirmation_signature(registry, debtor, supplier, terms, nonce=7),
        {"from": supplier},
    )
    other = terms_of("INV-SIG-2", debtor, due_date)
    sig = confirmation_signature(registry, debtor, supplier, other, nonce=7)
    with reverts_with("NonceUsed", debtor, 7):
        registry.registerAndConfirm(other, sig, {"from": supplier})


def test_a_signed_confirmation_is_refused_after_its_deadline(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    deadline = deadline_in(DAY)
    sig = confirmation_signature(registry, debtor, supplier, registered_terms, deadline=deadline)
    mine_past(deadline)
    with reverts_with("SignatureExpired", deadline):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_a_confirmation_signed_by_anyone_but_the_debtor_is_refused(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(registry, supplier, supplier, registered_terms)
    with reverts_with("InvalidSignature", debtor):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_a_confirmation_signed_for_another_registry_is_refused(
    registry, members, registered, registered_terms, operator, supplier, debtor, auditor
):
    other = ReceivableRegistry.deploy(members, {"from": operator})
    other.setCreditLine(debtor, CREDIT_LINE, {"from": operator})
    other.register(registered_terms, {"from": supplier})
    sig = confirmation_signature(registry, debtor, supplier, registered_terms)
    with reverts_with("InvalidSignature", debtor):
        other.confirmBySig(registered, sig, {"from": auditor})


def test_a_confirmation_signed_for_another_chain_is_refused(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(
        registry, debtor, supplier, registered_terms, chain_id=chain.id + 1
    )
    with reverts_with("InvalidSignature", debtor):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_the_high_s_twin_of_a_valid_confirmation_is_refused(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    nonce, deadline, signature = confirmation_signature(
        registry, debtor, supplier, registered_terms
    )
    twin = malleable_twin(signature)
    # The twin is a genuine signature by the debtor under plain ECDSA...
    digest = confirmation_digest(registry, supplier, registered_terms, nonce, deadline)
    r, s, v = twin[:32], twin[32:64], twin[64] - 27
    public_key = keys.Signature(vrs=(v, int.from_bytes(r, "big"), int.from_bytes(s, "big")))
    assert public_key.recover_public_key_from_msg_hash(digest).to_checksum_address() == debtor
    # ...but OpenZeppelin's ECDSA accepts only the low-s form.
    with reverts_with("InvalidSignature", debtor):
        registry.confirmBySig(registered, (nonce, deadline, twin), {"from": auditor})


def test_a_confirmation_with_a_nonce_the_debtor_invalidated_is_refused(
    registry, registered, registered_terms, supplier, debtor, auditor
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms, nonce=99)
    registry.invalidateNonce(99, {"from": debtor})
    with reverts_with("NonceUsed", debtor, 99):
        registry.confirmBySig(registered, sig, {"from": auditor})


def test_a_confirmation_relayed_by_a_non_member_is_refused(
    registry, registered, registered_terms, supplier, debtor, outsider
):
    sig = confirmation_signature(registry, debtor, supplier, registered_terms)
    with reverts_with("NotMember", outsider):
        registry.confirmBySig(registered, sig, {"from": outsider})


@pytest.mark.parametrize(
    "field, changed",
    [(2, FACE_VALUE + 1), (3, b"USD"), (4, "due_date+1"), (5, keccak(text="another document"))],
    ids=["face_value", "currency", "due_date", "document_hash"],
)
def test_a_confirmation_of_terms_changed_after_signing_is_refused(
    registry, terms, supplier, debtor, field, changed
):
    sig = confirmation_signature(registry, debtor, supplier, terms)
    altered = list(terms)
    altered[field] = terms[4] + 1 if changed == "due_date+1" else changed
    with reverts_with("InvalidSignature", debtor):
        registry.registerAndConfirm(tuple(altered), sig, {"from": supplier})


def test_a_confirmation_signed_for_one_supplier_cannot_be_used_by_another(
    registry, terms, supplier, sub_supplier, debtor
):
    sig = confirmation_signature(registry, debtor, supplier, terms)
    with reverts_with("InvalidSignature", debtor):
        registry.registerAndConfirm(terms, sig, {"from": sub_supplier})


def test_only_a_supplier_may_register_and_confirm(registry, terms, financier, debtor):
    sig = confirmation_signature(registry, debtor, financier, terms)
    with reverts_with("MissingRole", financier, ROLE["SUPPLIER"]):
        registry.registerAndConfirm(terms, sig, {"from": financier})


def test_the_debtor_may_invalidate_an_unused_nonce(registry, debtor):
    registry.invalidateNonce(2**200 + 3, {"from": debtor})
    assert registry.isNonceUsed(debtor, 2**200 + 3)
    assert registry.nonceBitmap(debtor, 2**192) == 1 << 3


def test_a_nonce_cannot_be_invalidated_twice(registry, debtor):
    registry.invalidateNonce(5, {"from": debtor})
    with reverts_with("NonceUsed", debtor, 5):
        registry.invalidateNonce(5, {"from": debtor})


def test_nonces_are_unordered_so_a_later_nonce_may_be_used_first(
    registry, supplier, debtor, due_date
):
    first, second = terms_of("INV-N1", debtor, due_date), terms_of("INV-N2", debtor, due_date)
    sig_first = confirmation_signature(registry, debtor, supplier, first, nonce=1)
    sig_second = confirmation_signature(registry, debtor, supplier, second, nonce=2)
    registry.registerAndConfirm(second, sig_second, {"from": supplier})
    registry.registerAndConfirm(first, sig_first, {"from": supplier})
    assert registry.receivable(receivable_id(first))["status"] == Status.CONFIRMED
    assert registry.receivable(receivable_id(second))["status"] == Status.CONFIRMED


# --- supplier financing request by signature --------------------------------------------------


def test_a_member_relays_the_suppliers_signed_financing_request(
    registry, escrow, eur, confirmed, supplier, financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms)
    tx = escrow.requestFinancingBySig(
        supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": auditor}
    )
    request = escrow.requests(tx.return_value)
    assert (request["supplier"], request["financier"], request["amount"]) == (
        supplier,
        financier,
        FINANCED_AMOUNT,
    )
    assert request["status"] == RequestStatus.PENDING
    assert registry.balanceOf(escrow, confirmed) == FINANCED_AMOUNT
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE - FINANCED_AMOUNT


def test_a_signed_financing_request_cannot_be_replayed(
    escrow, eur, confirmed, supplier, financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(
        escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms, nonce=3
    )
    args = (supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig)
    escrow.requestFinancingBySig(*args, {"from": auditor})
    # The units for a second request are there (FINANCED_AMOUNT is less than half): only the
    # spent nonce stops it.
    with reverts_with("NonceUsed", supplier, 3):
        escrow.requestFinancingBySig(*args, {"from": auditor})


def test_a_financing_request_with_a_rate_changed_after_signing_is_refused(
    escrow, eur, confirmed, supplier, financier, auditor
):
    sig = request_signature(
        escrow, supplier, confirmed, FINANCED_AMOUNT, financier, financing_terms()
    )
    with reverts_with("InvalidSignature", supplier):
        escrow.requestFinancingBySig(
            supplier,
            confirmed,
            FINANCED_AMOUNT,
            financier,
            financing_terms(rate_bps=1_200),
            sig,
            {"from": auditor},
        )


def test_a_financing_request_redirected_to_another_financier_is_refused(
    escrow, eur, confirmed, supplier, financier, second_financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms)
    with reverts_with("InvalidSignature", supplier):
        escrow.requestFinancingBySig(
            supplier, confirmed, FINANCED_AMOUNT, second_financier, fterms, sig, {"from": auditor}
        )


def test_a_financing_request_signed_by_anyone_but_the_supplier_is_refused(
    escrow, eur, confirmed, supplier, sub_supplier, financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(escrow, sub_supplier, confirmed, FINANCED_AMOUNT, financier, fterms)
    with reverts_with("InvalidSignature", supplier):
        escrow.requestFinancingBySig(
            supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": auditor}
        )


def test_a_financing_request_signed_for_another_chain_is_refused(
    escrow, eur, confirmed, supplier, financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(
        escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms, chain_id=chain.id + 1
    )
    with reverts_with("InvalidSignature", supplier):
        escrow.requestFinancingBySig(
            supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": auditor}
        )


def test_a_financing_request_is_refused_after_its_deadline(
    escrow, eur, confirmed, supplier, financier, auditor
):
    fterms, deadline = financing_terms(), deadline_in(DAY)
    sig = request_signature(
        escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms, deadline=deadline
    )
    mine_past(deadline)
    with reverts_with("SignatureExpired", deadline):
        escrow.requestFinancingBySig(
            supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": auditor}
        )


def test_a_financing_request_relayed_by_a_non_member_is_refused(
    escrow, eur, confirmed, supplier, financier, outsider
):
    fterms = financing_terms()
    sig = request_signature(escrow, supplier, confirmed, FINANCED_AMOUNT, financier, fterms)
    with reverts_with("NotMember", outsider):
        escrow.requestFinancingBySig(
            supplier, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": outsider}
        )


def test_a_signed_financing_request_still_needs_a_supplier_as_signer(
    escrow, eur, confirmed, debtor, financier, auditor
):
    fterms = financing_terms()
    sig = request_signature(escrow, debtor, confirmed, FINANCED_AMOUNT, financier, fterms)
    with reverts_with("MissingRole", debtor, ROLE["SUPPLIER"]):
        escrow.requestFinancingBySig(
            debtor, confirmed, FINANCED_AMOUNT, financier, fterms, sig, {"from": auditor}
        )


# --- financier approval by signature ----------------------------------------------------------


def test_a_member_relays_the_financiers_signed_approval(
    registry, escrow, eur, pending_request, confirmed, supplier, financier, auditor
):
    sig = approval_signature(escrow, financier, pending_request)
    tx = escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})
    approved = single_event(tx, "FinancingApproved")
    assert approved["financier"] == financier
    assert escrow.requests(pending_request)["status"] == RequestStatus.APPROVED
    assert registry.balanceOf(financier, confirmed) == FINANCED_AMOUNT
    assert eur.balanceOf(supplier) == approved["proceeds"]


def test_a_signed_approval_cannot_be_replayed_on_another_request(
    escrow, eur, pending_request, confirmed, supplier, financier, auditor
):
    sig = approval_signature(escrow, financier, pending_request, nonce=11)
    escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})
    second = escrow.requestFinancing(
        confirmed, FINANCED_AMOUNT, financier, financing_terms(), {"from": supplier}
    ).return_value
    # Same amount and rate, but signed for the first request id.
    with reverts_with("InvalidSignature", financier):
        escrow.approveFinancingBySig(second, sig, {"from": auditor})


def test_a_signed_approval_cannot_be_replayed(escrow, eur, pending_request, financier, auditor):
    sig = approval_signature(escrow, financier, pending_request, nonce=11)
    escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})
    with reverts_with("NonceUsed", financier, 11):
        escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})


def test_an_approval_signed_by_another_financier_is_refused(
    escrow, eur, pending_request, financier, second_financier, auditor
):
    sig = approval_signature(escrow, second_financier, pending_request)
    with reverts_with("InvalidSignature", financier):
        escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})


def test_an_approval_signed_for_another_escrow_is_refused(
    escrow, members, registry, eur, pending_request, operator, financier, auditor
):
    other = FinancingEscrow.deploy(members, registry, GRACE_PERIOD, {"from": operator})
    request = escrow.requests(pending_request)
    sig = sign_financing_approval(
        signer_of(financier),
        chain_id=chain.id,
        escrow=str(other.address),
        request_id=pending_request,
        amount=request["amount"],
        rate_bps=request["rateBps"],
        deadline=deadline_in(),
    ).as_tuple()
    with reverts_with("InvalidSignature", financier):
        escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})


def test_an_approval_with_a_nonce_the_financier_invalidated_is_refused(
    escrow, eur, pending_request, financier, auditor
):
    sig = approval_signature(escrow, financier, pending_request, nonce=12)
    escrow.invalidateNonce(12, {"from": financier})
    with reverts_with("NonceUsed", financier, 12):
        escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})


def test_an_approval_is_refused_after_its_deadline(
    escrow, eur, pending_request, financier, auditor
):
    deadline = deadline_in(DAY)
    sig = approval_signature(escrow, financier, pending_request, deadline=deadline)
    mine_past(deadline)
    with reverts_with("SignatureExpired", deadline):
        escrow.approveFinancingBySig(pending_request, sig, {"from": auditor})


def test_an_approval_relayed_by_a_non_member_is_refused(
    escrow, eur, pending_request, financier, outsider
):
    sig = approval_signature(escrow, financier, pending_request)
    with reverts_with("NotMember", outsider):
        escrow.approveFinancingBySig(pending_request, sig, {"from": outsider})


def test_nonces_of_the_registry_and_the_escrow_are_separate(registry, escrow, financier):
    escrow.invalidateNonce(8, {"from": financier})
    assert escrow.isNonceUsed(financier, 8)
    assert not registry.isNonceUsed(financier, 8)
