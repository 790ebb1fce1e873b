"""Constants and helpers shared by the Brownie contract tests.

Import from here (``from helpers import ...``), never from ``conftest``. Needs a loaded Brownie
project (it reads the compiled ABIs), so it is for tests/contracts only.
"""

import hashlib
from contextlib import contextmanager
from enum import IntEnum
from functools import cache

import brownie
from brownie.exceptions import VirtualMachineError, decode_typed_error, parse_errors_from_abi
from eth_abi import encode
from eth_account import Account
from eth_account.hdaccount.deterministic import HDPath
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

DAY = 86_400
GRACE_PERIOD = 30 * DAY
ADMIN_DELAY = 2 * DAY
EUR = b"EUR"
FACE_VALUE = 1_000_000  # 10,000.00 EUR in cents
STARTING_CASH = 100_000_000
FINANCED_AMOUNT = 400_000  # what the shared `pending_request` fixture asks to finance
RATE_BPS = 600  # 6% a year
CREDIT_LINE = 100 * FACE_VALUE  # the operator's credit line for the `debtor` fixture
EXPOSURE_LIMIT = 100 * FACE_VALUE  # each financier's own limit for the `debtor` fixture
SIGNATURE_VALIDITY = DAY  # default deadline of test signatures, from the current block
BPS = 10_000
MAX_FEE_BPS = 100
ZERO_ADDRESS = "0x" + "00" * 20

ROLE = {
    name: keccak(text=f"{name}_ROLE")
    for name in ("OPERATOR", "DEBTOR", "SUPPLIER", "FINANCIER", "AUDITOR")
}


class Status(IntEnum):
    """IReceivableRegistry.Status."""

    NONE = 0
    REGISTERED = 1
    DISPUTED = 2
    CONFIRMED = 3
    REJECTED = 4
    CANCELLED = 5
    IN_REPAYMENT = 6
    REPAID = 7
    DEFAULTED = 8
    RETIRED = 9


class RequestStatus(IntEnum):
    """IFinancingEscrow.RequestStatus."""

    NONE = 0
    PENDING = 1
    APPROVED = 2
    REJECTED = 3
    CANCELLED = 4


class DayCount(IntEnum):
    """FinancingMath.DayCount."""

    ACT_360 = 0
    ACT_365 = 1


def fingerprint_of(invoice_number: str) -> bytes:
    """A test invoice fingerprint, as the tooling computes it for seller 'ID:test-supplier'."""
    return keccak(text=f"scfchain-invoice-v1|ID:test-supplier|{invoice_number}")


def document_hash_of(invoice_number: str) -> bytes:
    """A stand-in for the hash of the invoice document."""
    return keccak(text=f"invoice {invoice_number} pdf")


def terms_of(
    invoice_number: str,
    debtor,
    due_date: int,
    face_value: int = FACE_VALUE,
    currency: bytes = EUR,
) -> tuple:
    """IReceivableRegistry.Terms of a test invoice: (fingerprint, debtor, faceValue, currency,
    dueDate, documentHash), with the fingerprint and document hash of `invoice_number`."""
    return (
        fingerprint_of(invoice_number),
        _arg(debtor),
        face_value,
        currency,
        due_date,
        document_hash_of(invoice_number),
    )


def financing_terms(
    rate_bps: int = RATE_BPS,
    day_count: int = 0,
    recourse: bool = False,
    reserve_bps: int = 0,
) -> tuple:
    """IFinancingEscrow.FinancingTerms: (rateBps, dayCount, recourse, reserveBps); by default
    RATE_BPS, ACT/360, without recourse or reserve."""
    return (rate_bps, int(day_count), recourse, reserve_bps)


def receivable_id(terms: tuple) -> int:
    """The token id of the receivable registered with `terms`: its fingerprint as a uint256."""
    return int.from_bytes(terms[0], "big")


# --- signing keys -----------------------------------------------------------------------------

# Brownie starts its development node with the mnemonic of the active network's `cmd_settings`
# (~/.brownie/network-config.yaml): "brownie" for the Ganache networks, which take any string
# (no BIP-39 word list), and a BIP-39 dev mnemonic for Anvil. Both derive their keys the same
# way (BIP-39 seed = PBKDF2 of the mnemonic, then BIP-44), so the keys of `accounts[0..9]` can
# be derived from whichever mnemonic the running node was started with.
BROWNIE_MNEMONIC = "brownie"
DEV_ACCOUNTS = 10


def _active_mnemonic() -> str:
    """The mnemonic the active development network was launched with ("brownie" by default)."""
    from brownie._config import CONFIG

    network = CONFIG.networks.get(brownie.network.show_active() or "", {})
    return network.get("cmd_settings", {}).get("mnemonic") or BROWNIE_MNEMONIC


@cache
def _dev_keys(mnemonic: str) -> dict[str, LocalAccount]:
    seed = hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), b"mnemonic", 2048)
    keys = {}
    for i in range(DEV_ACCOUNTS):
        local = Account.from_key(HDPath(f"m/44'/60'/0'/0/{i}").derive(seed))
        keys[local.address] = local
    return keys


def signer_of(account) -> LocalAccount:
    """The eth-account LocalAccount (with its private key) of a Brownie account, for EIP-712
    signing: the key of an `accounts.add()` account, or the derived key of a dev node account."""
    if getattr(account, "private_key", None):
        return Account.from_key(account.private_key)
    mnemonic = _active_mnemonic()
    local = _dev_keys(mnemonic).get(str(account.address))
    if local is None:
        raise ValueError(
            f"no known private key for {account}: not one of the first {DEV_ACCOUNTS} accounts "
            f"of the active network's mnemonic {mnemonic!r}"
        )
    return local


def latest_timestamp() -> int:
    """The timestamp of the latest block: the chain's own clock.

    The next block is at or after it on every node, whereas `chain.time()` (wall clock plus
    Brownie's offset) may run ahead of or behind the node's clock, e.g. on Anvil after a
    snapshot revert. Base times that must hold relative to the next transaction's block on it.
    """
    return brownie.chain[-1].timestamp


def mine_past(timestamp: int) -> int:
    """Moves the chain's clock (chain.sleep) and mines a block strictly after `timestamp`;
    returns that block's timestamp. Every later block is after `timestamp` too."""
    latest = latest_timestamp()
    if latest <= timestamp:
        brownie.chain.sleep(timestamp - latest + 1)
    brownie.chain.mine()
    mined = latest_timestamp()
    assert mined > timestamp, f"mined block at {mined}, not after {timestamp}"
    return mined


def deadline_in(seconds: int = SIGNATURE_VALIDITY) -> int:
    """A signature deadline `seconds` after the latest block."""
    return latest_timestamp() + seconds


def confirmation_signature(
    registry, debtor, supplier, terms: tuple, *, deadline=None, nonce=None, chain_id=None
):
    """`debtor`'s EIP-712 confirmation of the receivable `terms` registered by `supplier` on
    `registry` (scfchain.signing.sign_confirmation); returns the `(nonce, deadline, signature)`
    tuple the contract takes. The receivable id is the fingerprint of `terms`."""
    from scfchain.signing import sign_confirmation

    fingerprint, _, face_value, currency, due_date, document_hash = terms
    return sign_confirmation(
        signer_of(debtor),
        chain_id=brownie.chain.id if chain_id is None else chain_id,
        registry=str(registry.address),
        receivable_id=int.from_bytes(fingerprint, "big"),
        supplier=_arg(supplier),
        face_value=face_value,
        currency=currency,
        due_date=due_date,
        document_hash=document_hash,
        deadline=deadline_in() if deadline is None else deadline,
        nonce=nonce,
    ).as_tuple()


def request_signature(
    escrow,
    supplier,
    receivable: int,
    amount: int,
    financier,
    terms: tuple,
    *,
    deadline=None,
    nonce=None,
    chain_id=None,
):
    """`supplier`'s EIP-712 financing request (scfchain.signing.sign_financing_request) for
    `requestFinancingBySig`; `terms` is a `financing_terms()` tuple. Returns the sig tuple."""
    from scfchain.signing import sign_financing_request

    rate_bps, day_count, recourse, reserve_bps = terms
    return sign_financing_request(
        signer_of(supplier),
        chain_id=brownie.chain.id if chain_id is None else chain_id,
        escrow=str(escrow.address),
        receivable_id=receivable,
        amount=amount,
        financier=_arg(financier),
        rate_bps=rate_bps,
        day_count=day_count,
        recourse=recourse,
        reserve_bps=reserve_bps,
        deadline=deadline_in() if deadline is None else deadline,
        nonce=nonce,
    ).as_tuple()


def approval_signature(
    escrow, financier, request_id: int, *, deadline=None, nonce=None, chain_id=None
):
    """`financier`'s EIP-712 approval of pending request `request_id`, signed over the amount
    and rate recorded in the escrow (scfchain.signing.sign_financing_approval)."""
    from scfchain.signing import sign_financing_approval

    request = escrow.requests(request_id)
    return sign_financing_approval(
        signer_of(financier),
        chain_id=brownie.chain.id if chain_id is None else chain_id,
        escrow=str(escrow.address),
        request_id=request_id,
        amount=request["amount"],
        rate_bps=request["rateBps"],
        deadline=deadline_in() if deadline is None else deadline,
        nonce=nonce,
    ).as_tuple()


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def days_to_maturity(now: int, due_date: int) -> int:
    """FinancingMath.daysBetween: whole days, rounded up; zero once due."""
    return 0 if due_date <= now else ceil_div(due_date - now, DAY)


def expected_discount(amount: int, rate_bps: int, days: int, basis: int = DayCount.ACT_360) -> int:
    """FinancingMath.discount: ceil(amount * rate * days / (year * BPS))."""
    year = 360 if basis == DayCount.ACT_360 else 365
    return ceil_div(amount * rate_bps * days, year * BPS)


def expected_fee(amount: int, fee_bps: int) -> int:
    """FinancingMath.fee: ceil(amount * fee / BPS)."""
    return ceil_div(amount * fee_bps, BPS)


def single_event(tx, name: str) -> dict:
    """The one `name` event of `tx`, as a plain dict; fails unless there is exactly one."""
    assert name in tx.events, f"{name} not emitted; events: {list(tx.events.keys())}"
    assert len(tx.events[name]) == 1, f"{name} emitted {len(tx.events[name])} times"
    return dict(tx.events[name][0])


# --- custom-error reverts -------------------------------------------------------------------


def _project_errors() -> dict[str, list[dict]]:
    """Every custom error declared in the loaded project's ABIs, by name.

    Also registers them with Brownie's decoder, so that their selectors decode by name.
    """
    errors: dict[str, list[dict]] = {}
    for project in brownie.project.get_loaded_projects():
        for container in project:
            parse_errors_from_abi(container.abi)
            for item in container.abi:
                if item.get("type") == "error" and item not in errors.get(item["name"], []):
                    errors.setdefault(item["name"], []).append(item)
    return errors


def _selector(item: dict) -> str:
    types = ",".join(i["type"] for i in item["inputs"])
    return "0x" + keccak(text=f"{item['name']}({types})")[:4].hex()


def _arg(value):
    """Brownie accounts and contracts become their addresses; everything else stays."""
    return str(value.address) if hasattr(value, "address") else value


@contextmanager
def reverts_with(error_name: str, *args):
    """Asserts that the block reverts with the custom error `error_name`.

    The name must be declared in one of the project's ABIs (a typo fails loudly). With `args`,
    the error's arguments must equal them too (compared after ABI encoding, so addresses,
    accounts, bytes and enum values compare naturally). Brownie decodes reverts into
    ``"Name: arg, ..."`` when it knows the selector and into ``"Unknown typed error: 0x..."``
    when it does not; both forms are matched via the selector computed from the ABI.
    """
    declared = _project_errors().get(error_name)
    if not declared:
        raise ValueError(f"no custom error named {error_name!r} in the project's ABIs")
    try:
        yield
    except VirtualMachineError as exc:
        actual = exc.revert_msg or ""
        if actual.startswith("Unknown typed error: 0x"):
            # Brownie did not know the selector when it raised; decode again with the ABIs.
            actual = decode_typed_error(actual.split(": ", 1)[1])
        name = actual.split(":", 1)[0].strip()
        assert name == error_name, f"expected revert {error_name}, got {actual!r}"
        if args:
            candidates = []
            for item in declared:
                types = [i["type"] for i in item["inputs"]]
                if len(types) != len(args):
                    continue
                data = encode(types, [_arg(a) for a in args]).hex()
                candidates.append(decode_typed_error(_selector(item) + data))
            assert actual in candidates, f"expected {candidates}, got {actual!r}"
    else:
        raise AssertionError(f"expected revert {error_name}, but nothing reverted")
