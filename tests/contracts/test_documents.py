"""DocumentAnchor: the hashes of a receivable's business documents, anchored by its parties.

Only the receivable's supplier and debtor may anchor; a hash is anchored once, ever, to one
receivable; anyone holding a document can look its hash up (`verify`) and list a receivable's
documents in the order they were anchored (`documentsOf`).
"""

import pytest
from brownie import DocumentAnchor
from eth_utils import keccak
from helpers import (
    ZERO_ADDRESS,
    document_hash_of,
    fingerprint_of,
    receivable_id,
    reverts_with,
    single_event,
    terms_of,
)

DELIVERY_NOTE = b"delivery-note".ljust(32, b"\0")
ACCEPTANCE = b"acceptance-certificate".ljust(32, b"\0")
CONTRACT = b"contract".ljust(32, b"\0")


def _doc(name: str) -> bytes:
    return keccak(text=f"document {name}")


@pytest.fixture(scope="module")
def anchors(members, registry, operator):
    return DocumentAnchor.deploy(members, registry, {"from": operator})


def test_the_supplier_may_anchor_a_document_of_its_receivable(anchors, registered, supplier):
    tx = anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})

    assert single_event(tx, "DocumentAnchored") == {
        "documentHash": "0x" + _doc("dn-1").hex(),
        "id": registered,
        "anchoredBy": supplier,
        "kind": "0x" + DELIVERY_NOTE.hex(),
    }


def test_the_debtor_may_anchor_a_document_of_its_receivable(anchors, registered, debtor):
    anchors.anchor(registered, _doc("acc-1"), ACCEPTANCE, {"from": debtor})

    assert anchors.verify(_doc("acc-1"))["anchoredBy"] == debtor


@pytest.mark.parametrize("who", ["sub_supplier", "financier", "auditor", "operator", "outsider"])
def test_no_one_but_the_supplier_and_the_debtor_may_anchor(anchors, registered, request, who):
    account = request.getfixturevalue(who)

    with reverts_with("NotAParty", registered, account):
        anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": account})


def test_a_document_cannot_be_anchored_to_an_unknown_receivable(anchors, registry, supplier):
    unknown = int.from_bytes(fingerprint_of("INV-NEVER-REGISTERED"), "big")

    with reverts_with("UnknownReceivable", unknown):
        anchors.anchor(unknown, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})


def test_the_zero_hash_cannot_be_anchored(anchors, registered, supplier):
    with reverts_with("EmptyDocumentHash"):
        anchors.anchor(registered, b"\0" * 32, DELIVERY_NOTE, {"from": supplier})


def test_a_document_hash_is_anchored_once_only(anchors, registered, supplier, debtor):
    anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})

    with reverts_with("AlreadyAnchored", _doc("dn-1"), registered):
        anchors.anchor(registered, _doc("dn-1"), ACCEPTANCE, {"from": debtor})


def test_a_document_hash_anchored_to_one_receivable_cannot_be_anchored_to_another(
    anchors, registry, registered, supplier, debtor, due_date
):
    other_terms = terms_of("INV-2", debtor, due_date)
    registry.register(other_terms, {"from": supplier})
    anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})

    with reverts_with("AlreadyAnchored", _doc("dn-1"), registered):
        anchors.anchor(receivable_id(other_terms), _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})


def test_verify_tells_which_receivable_by_whom_when_and_what_kind(anchors, registered, supplier):
    tx = anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})

    found = anchors.verify(_doc("dn-1"))

    assert found["receivableId"] == registered
    assert found["anchoredBy"] == supplier
    assert found["anchoredAt"] == tx.timestamp
    assert bytes(found["kind"]) == DELIVERY_NOTE


def test_an_unknown_hash_verifies_as_anchored_by_no_one(anchors, registered):
    found = anchors.verify(_doc("never anchored"))

    assert found["anchoredBy"] == ZERO_ADDRESS
    assert (found["receivableId"], found["anchoredAt"]) == (0, 0)


def test_the_documents_of_a_receivable_are_listed_in_the_order_anchored(
    anchors, registered, supplier, debtor
):
    anchors.anchor(registered, _doc("contract"), CONTRACT, {"from": supplier})
    anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})
    anchors.anchor(registered, _doc("acc-1"), ACCEPTANCE, {"from": debtor})

    listed = [bytes(h) for h in anchors.documentsOf(registered)]

    assert listed == [_doc("contract"), _doc("dn-1"), _doc("acc-1")]


def test_a_receivable_without_documents_lists_none(anchors, registered):
    assert anchors.documentsOf(registered) == []


def test_the_invoice_document_registered_with_a_receivable_may_be_anchored_to_it(
    anchors, registered, supplier
):
    anchors.anchor(registered, document_hash_of("INV-1"), CONTRACT, {"from": supplier})

    assert anchors.verify(document_hash_of("INV-1"))["receivableId"] == registered


def test_no_document_can_be_anchored_while_the_platform_is_paused(
    anchors, members, operator, registered, supplier
):
    members.pause({"from": operator})

    with reverts_with("PlatformPaused"):
        anchors.anchor(registered, _doc("dn-1"), DELIVERY_NOTE, {"from": supplier})
