"""EIP-712 signing: the direct digest equals eth-account's reference encoding."""

from eth_account import Account
from eth_account.messages import encode_typed_data

from scfchain.signing import (
    CONFIRM_TYPE,
    REGISTRY_DOMAIN,
    NonceAllocator,
    sign_confirmation,
    typed_data_digest,
)

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
DEBTOR = Account.from_key("0x" + "11" * 32)
MESSAGE = {
    "id": 2**255 + 7,
    "supplier": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "faceValue": 2**96 - 1,
    "currency": b"EUR",
    "dueDate": 1_900_000_000,
    "documentHash": b"\x42" * 32,
    "nonce": 513,
    "deadline": 1_800_000_000,
}


def reference_digest() -> bytes:
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Confirm": CONFIRM_TYPE,
        },
        "primaryType": "Confirm",
        "domain": {
            "name": REGISTRY_DOMAIN[0],
            "version": REGISTRY_DOMAIN[1],
            "chainId": 1337,
            "verifyingContract": REGISTRY,
        },
        "message": MESSAGE,
    }
    signable = encode_typed_data(full_message=typed)
    from eth_utils import keccak

    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def test_the_direct_digest_equals_eth_accounts_typed_data_encoding():
    assert (
        typed_data_digest(REGISTRY_DOMAIN, 1337, REGISTRY, "Confirm", CONFIRM_TYPE, MESSAGE)
        == reference_digest()
    )


def test_a_confirmation_signature_recovers_to_the_debtor():
    signed = sign_confirmation(
        DEBTOR, chain_id=1337, registry=REGISTRY, receivable_id=MESSAGE["id"], supplier=MESSAGE["supplier"],
        face_value=MESSAGE["faceValue"], currency=b"EUR", due_date=MESSAGE["dueDate"],
        document_hash=MESSAGE["documentHash"], deadline=MESSAGE["deadline"], nonce=MESSAGE["nonce"],
    )  # fmt: skip
    assert Account._recover_hash(reference_digest(), signature=signed.signature) == DEBTOR.address


def test_the_nonce_allocator_gives_consecutive_nonces_from_a_word_boundary():
    allocator = NonceAllocator()
    first = allocator.next("0xabc")
    assert first % 256 == 0
    assert [allocator.next("0xabc") for _ in range(3)] == [first + 1, first + 2, first + 3]


def test_the_nonce_allocator_keeps_signers_apart():
    allocator = NonceAllocator()
    assert allocator.next("0xabc") != allocator.next("0xdef")
