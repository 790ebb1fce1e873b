"""EIP-712 typed signatures for the actions members may sign off chain and anyone may relay.

The types mirror the contracts' typehashes (ReceivableRegistry.CONFIRM_TYPEHASH,
FinancingDesk.REQUEST_TYPEHASH and APPROVAL_TYPEHASH); the domain binds each signature to one
chain and one contract.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

SIGNATURE_VALIDITY_S = 3_600  # how long a signature made by the tooling stays usable
REGISTRY_DOMAIN = ("scfchain ReceivableRegistry", "1")
ESCROW_DOMAIN = ("scfchain FinancingEscrow", "1")

CONFIRM_TYPE = [
    {"name": "id", "type": "uint256"},
    {"name": "supplier", "type": "address"},
    {"name": "faceValue", "type": "uint96"},
    {"name": "currency", "type": "bytes3"},
    {"name": "dueDate", "type": "uint40"},
    {"name": "documentHash", "type": "bytes32"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
REQUEST_TYPE = [
    {"name": "id", "type": "uint256"},
    {"name": "amount", "type": "uint96"},
    {"name": "financier", "type": "address"},
    {"name": "rateBps", "type": "uint16"},
    {"name": "dayCount", "type": "uint8"},
    {"name": "recourse", "type": "bool"},
    {"name": "reserveBps", "type": "uint16"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
APPROVAL_TYPE = [
    {"name": "requestId", "type": "uint256"},
    {"name": "amount", "type": "uint96"},
    {"name": "rateBps", "type": "uint16"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


@dataclass(frozen=True)
class Signed:
    """A signature with the nonce and deadline it was made for: `(nonce, deadline, signature)`
    is the contracts' `DebtorSignature` / `Signed` tuple."""

    nonce: int
    deadline: int
    signature: bytes

    def as_tuple(self) -> tuple[int, int, bytes]:
        return (self.nonce, self.deadline, self.signature)


NONCE_WORD_BITS = 8  # the contracts keep 256 nonces per storage word


def random_nonce() -> int:
    """A fresh unordered nonce (the contracts keep a bitmap per signer, so any unused value works).

    A random nonce lands in a new storage word: spending it costs a new slot (22,100 gas). For
    many signatures from one signer use `NonceAllocator`, whose nonces share words.
    """
    return secrets.randbits(64)


@dataclass
class NonceAllocator:
    """Consecutive nonces per signer from a random start at a word boundary, so that 256
    signatures share one storage word: the first spends a new slot, the others update it
    (5,000 gas alone, 100 gas inside a batch). Random starts keep separate runs apart."""

    _next: dict[str, int] = field(default_factory=dict)

    def next(self, signer: str) -> int:
        nonce = self._next.get(signer)
        if nonce is None:
            nonce = secrets.randbits(56) << NONCE_WORD_BITS
        self._next[signer] = nonce + 1
        return nonce


DOMAIN_TYPEHASH = keccak(
    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


@lru_cache(maxsize=64)
def domain_separator(domain: tuple[str, str], chain_id: int, contract: str) -> bytes:
    """The EIP-712 domain separator of `contract` (OpenZeppelin EIP712's `_domainSeparatorV4`)."""
    name, version = domain
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [DOMAIN_TYPEHASH, keccak(text=name), keccak(text=version), chain_id, contract],
        )
    )


@lru_cache(maxsize=16)
def _type_string(primary: str, fields: tuple[tuple[str, str], ...]) -> bytes:
    return keccak(text=f"{primary}({','.join(f'{t} {n}' for n, t in fields)})")


def typed_data_digest(
    domain: tuple[str, str],
    chain_id: int,
    contract: str,
    primary: str,
    fields: list[dict[str, str]],
    message: dict[str, Any],
) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)) for a struct of atomic fields.

    Computed directly (the types here have no strings, arrays or nested structs); it equals
    eth-account's `encode_typed_data`, which a test checks, at a fraction of its cost.
    """
    key = tuple((f["name"], f["type"]) for f in fields)
    types = ["bytes32", *(t for _, t in key)]
    values = [_type_string(primary, key), *(message[n] for n, _ in key)]
    struct_hash = keccak(encode(types, values))
    return keccak(b"\x19\x01" + domain_separator(domain, chain_id, contract) + struct_hash)


def _sign(
    account: LocalAccount,
    domain: tuple[str, str],
    chain_id: int,
    contract: str,
    primary: str,
    fields: list[dict[str, str]],
    message: dict[str, Any],
) -> bytes:
    digest = typed_data_digest(domain, chain_id, contract, primary, fields, message)
    return bytes(account.unsafe_sign_hash(digest).signature)


def sign_confirmation(
    debtor: LocalAccount,
    *,
    chain_id: int,
    registry: str,
    receivable_id: int,
    supplier: str,
    face_value: int,
    currency: bytes,
    due_date: int,
    document_hash: bytes,
    deadline: int,
    nonce: int | None = None,
) -> Signed:
    """The debtor's signed confirmation of a receivable's terms."""
    nonce = random_nonce() if nonce is None else nonce
    message = {
        "id": receivable_id,
        "supplier": supplier,
        "faceValue": face_value,
        "currency": currency,
        "dueDate": due_date,
        "documentHash": document_hash,
        "nonce": nonce,
        "deadline": deadline,
    }
    signature = _sign(debtor, REGISTRY_DOMAIN, chain_id, registry, "Confirm", CONFIRM_TYPE, message)
    return Signed(nonce, deadline, signature)


def sign_financing_request(
    supplier: LocalAccount,
    *,
    chain_id: int,
    escrow: str,
    receivable_id: int,
    amount: int,
    financier: str,
    rate_bps: int,
    day_count: int,
    recourse: bool,
    reserve_bps: int,
    deadline: int,
    nonce: int | None = None,
) -> Signed:
    """The supplier's signed financing request."""
    nonce = random_nonce() if nonce is None else nonce
    message = {
        "id": receivable_id,
        "amount": amount,
        "financier": financier,
        "rateBps": rate_bps,
        "dayCount": day_count,
        "recourse": recourse,
        "reserveBps": reserve_bps,
        "nonce": nonce,
        "deadline": deadline,
    }
    signature = _sign(
        supplier, ESCROW_DOMAIN, chain_id, escrow, "FinancingRequest", REQUEST_TYPE, message
    )
    return Signed(nonce, deadline, signature)


def sign_financing_approval(
    financier: LocalAccount,
    *,
    chain_id: int,
    escrow: str,
    request_id: int,
    amount: int,
    rate_bps: int,
    deadline: int,
    nonce: int | None = None,
) -> Signed:
    """The financier's signed approval of a pending request."""
    nonce = random_nonce() if nonce is None else nonce
    message = {
        "requestId": request_id,
        "amount": amount,
        "rateBps": rate_bps,
        "nonce": nonce,
        "deadline": deadline,
    }
    signature = _sign(
        financier, ESCROW_DOMAIN, chain_id, escrow, "FinancingApproval", APPROVAL_TYPE, message
    )
    return Signed(nonce, deadline, signature)
