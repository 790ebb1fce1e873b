"""Sending transactions from local keys to any JSON-RPC EVM node.

Keys are held in eth-account `LocalAccount`s and never leave this process; a key is never
printed, logged or written. Fees follow the node: EIP-1559 fields when the latest block
carries a base fee, a legacy gas price otherwise (zero on free-gas consortium chains). Set
fees explicitly: web3.py's defaults add a priority fee that unfunded accounts cannot pay.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
)
from web3.middleware.base import Web3Middleware
from web3.types import TxReceipt

from scfchain.artifacts import Artifact, ErrorDecoder

BASE_FEE_HEADROOM = 3  # maxFeePerGas = base fee * 3 + tip: room for the base fee to rise
FEE_REFRESH_EVERY = 50  # transactions between two reads of the base fee
GAS_HEADROOM_NUM, GAS_HEADROOM_DEN = 6, 5  # gas limit = estimate * 1.2
CACHED_GAS_FACTOR = 2  # later calls of the same function get twice its first estimate


class TransactionError(RuntimeError):
    """A transaction was refused by the contract or failed on chain."""


class RpcUnavailable(RuntimeError):
    """The node kept failing (unreachable, timing out, overloaded) after every retry."""


# --- transient RPC faults ----------------------------------------------------------------------
#
# A fault is transient when asking again may succeed: the connection was refused or reset (the
# node is restarting), the request timed out, the node or a proxy in front of it answered HTTP
# 429/5xx, or the JSON-RPC error says so (internal error, limit exceeded, resource unavailable,
# "try again", ...). A revert, a bad nonce or a bad argument is never transient.

DEFAULT_RETRIES = 6  # $SCF_RPC_RETRIES overrides it (0: fail at the first fault)
DEFAULT_BACKOFF_S = 0.5  # 0.5, 1, 2, 4, 8, 16 s: about half a minute in all
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    ConnectionError,
    TimeoutError,
    TimeExhausted,
)
TRANSIENT_HTTP_STATUS = frozenset({429, 500, 502, 503, 504})
TRANSIENT_RPC_CODES = frozenset({-32603, -32005, -32002})  # internal, limit, unavailable
TRANSIENT_RPC_WORDS = (
    "timeout", "timed out", "try again", "temporarily", "busy", "rate limit",
    "too many requests", "header not found", "connection reset", "service unavailable",
)  # fmt: skip
# How nodes say an account cannot pay for gas: Ganache/Geth/Besu, and Anvil's gas estimate
NO_GAS_MONEY_WORDS = ("insufficient funds", "gas required exceeds allowance")
NOT_TRANSIENT_WORDS = ("revert", "nonce", "insufficient funds", "underpriced", "invalid")
NO_RETRY_METHODS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})

T = TypeVar("T")


class RetrySettingError(ValueError):
    """$SCF_RPC_RETRIES is set to something that is not a whole number."""


def default_retries() -> int:
    """Retries of a transient RPC fault: $SCF_RPC_RETRIES, else DEFAULT_RETRIES."""
    value = os.environ.get("SCF_RPC_RETRIES", "").strip()
    if not value:
        return DEFAULT_RETRIES
    if not value.isdigit():
        raise RetrySettingError(f"SCF_RPC_RETRIES={value!r}: expected a whole number, 0 or more")
    return int(value)


def rpc_message(exc: BaseException) -> str:
    """The node's own words for a refused request, on one line: the `message` of the JSON-RPC
    error (not the whole error object, which Ganache fills with a JavaScript stack), with a hint
    for the most common refusal on a new chain, an account without ether for gas."""
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    if isinstance(error, dict) and error.get("message"):
        text = str(error["message"])
    elif (
        isinstance(getattr(exc, "args", None), tuple) and exc.args and isinstance(exc.args[0], dict)
    ):
        text = str(exc.args[0].get("message") or exc.args[0])
    else:
        text = str(getattr(exc, "message", None) or exc)
    lines = text.strip().splitlines()
    first = lines[0][:300] if lines else type(exc).__name__
    if any(words in first.lower() for words in NO_GAS_MONEY_WORDS):
        first += (
            " (the sending account cannot pay for gas: fund it, or on a free-gas chain send "
            "with --gas-price 0)"
        )
    return first


def is_transient(exc: BaseException) -> bool:
    """True when `exc` is an RPC fault that asking again may cure."""
    if isinstance(exc, requests.HTTPError):
        response = exc.response
        return response is not None and response.status_code in TRANSIENT_HTTP_STATUS
    return isinstance(exc, TRANSIENT_ERRORS)


def is_transient_response(response: Any) -> bool:
    """True when a JSON-RPC response carries an error that asking again may cure."""
    error = response.get("error") if isinstance(response, dict) else None
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    data = error.get("data")
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        return False  # revert data: the contract refused, asking again changes nothing
    if any(word in message for word in NOT_TRANSIENT_WORDS):
        return False
    return error.get("code") in TRANSIENT_RPC_CODES or any(
        word in message for word in TRANSIENT_RPC_WORDS
    )


def with_retries(
    action: Callable[[], T],
    what: str,
    retries: int | None = None,
    backoff_s: float = DEFAULT_BACKOFF_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Runs `action`, retrying transient RPC faults with exponential backoff (`retries`
    default: $SCF_RPC_RETRIES, else DEFAULT_RETRIES); raises RpcUnavailable when the fault
    outlasts every retry."""
    retries = default_retries() if retries is None else retries
    for attempt in range(retries + 1):
        try:
            return action()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == retries:
                raise RpcUnavailable(
                    f"{what}: {type(exc).__name__} after {retries} retries"
                ) from None
            sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")


class RetryMiddleware(Web3Middleware):
    """Retries every JSON-RPC request but a transaction broadcast (which the nonce pool retries
    itself, knowing its hash) on transient faults, with exponential backoff."""

    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S

    def wrap_make_request(self, make_request: Callable[..., Any]) -> Callable[..., Any]:
        def middleware(method: str, params: Any) -> Any:
            if method in NO_RETRY_METHODS:
                return make_request(method, params)
            for attempt in range(self.retries + 1):
                try:
                    response = make_request(method, params)
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    if attempt == self.retries:
                        raise RpcUnavailable(
                            f"{method}: {type(exc).__name__} after {self.retries} retries"
                        ) from None
                else:
                    if not is_transient_response(response):
                        return response
                    if attempt == self.retries:
                        message = response["error"].get("message")
                        raise RpcUnavailable(
                            f"{method}: JSON-RPC error {message!r} after {self.retries} retries"
                        )
                time.sleep(self.backoff_s * 2**attempt)
            raise AssertionError("unreachable")

        return middleware


def retry_middleware(
    retries: int | None = None, backoff_s: float = DEFAULT_BACKOFF_S
) -> type[RetryMiddleware]:
    """A RetryMiddleware class with these settings (web3.py instantiates middleware itself);
    `retries` default: $SCF_RPC_RETRIES, else DEFAULT_RETRIES."""
    retries = default_retries() if retries is None else retries
    return type("RetryMiddleware", (RetryMiddleware,), {"retries": retries, "backoff_s": backoff_s})


def install_retries(
    w3: Web3, retries: int | None = None, backoff_s: float = DEFAULT_BACKOFF_S
) -> None:
    """Adds (or re-configures) the retrying middleware of `w3`."""
    if "scf_retry" in w3.middleware_onion:
        w3.middleware_onion.remove("scf_retry")
    w3.middleware_onion.add(retry_middleware(retries, backoff_s), name="scf_retry")


@dataclass
class FeePolicy:
    """How fees are set. `priority_fee` applies to EIP-1559 chains, `gas_price` to legacy ones
    (None: ask the node). `legacy` forces legacy transactions on a chain that has a base fee."""

    priority_fee: int = 0
    gas_price: int | None = None
    legacy: bool = False


@dataclass
class Chain:
    """A connection to one node, with a nonce counter per local account."""

    w3: Web3
    errors: ErrorDecoder
    fees: FeePolicy = field(default_factory=FeePolicy)
    retries: int = field(default_factory=default_retries)  # of each transient RPC fault
    backoff_s: float = DEFAULT_BACKOFF_S  # first wait; doubled at each retry
    _nonces: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _fee_fields: dict[str, int] | None = field(default=None, init=False, repr=False)
    _sent: int = field(default=0, init=False, repr=False)
    _gas: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)

    _chain_id: int | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        install_retries(self.w3, self.retries, self.backoff_s)

    def set_retries(self, retries: int, backoff_s: float = DEFAULT_BACKOFF_S) -> None:
        """How often, and after how long a first wait, a transient RPC fault is retried."""
        self.retries, self.backoff_s = retries, backoff_s
        install_retries(self.w3, retries, backoff_s)

    @property
    def chain_id(self) -> int:
        """The node's chain id, read once (it is signed into every transaction)."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def contract(self, address: str, abi: list[dict[str, Any]]) -> Contract:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def fee_fields(self) -> dict[str, int]:
        """The fee fields of the next transaction, re-read from the node now and then."""
        if self._fee_fields is None or self._sent % FEE_REFRESH_EVERY == 0:
            base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas")
            if base_fee is None or self.fees.legacy:
                price = self.fees.gas_price
                if price is None:
                    price = int(self.w3.eth.gas_price)
                    if base_fee is not None:
                        price = max(price, int(base_fee) * BASE_FEE_HEADROOM)
                self._fee_fields = {"gasPrice": price}
            else:
                tip = self.fees.priority_fee
                self._fee_fields = {
                    "maxFeePerGas": int(base_fee) * BASE_FEE_HEADROOM + tip,
                    "maxPriorityFeePerGas": tip,
                }
        return dict(self._fee_fields)

    def next_nonce(self, account: LocalAccount) -> int:
        address = account.address
        if address not in self._nonces:
            self._nonces[address] = int(self.w3.eth.get_transaction_count(address, "pending"))
        nonce = self._nonces[address]
        self._nonces[address] = nonce + 1
        return nonce

    def forget_nonce(self, account: LocalAccount) -> None:
        """Re-read the account's nonce from the node before its next transaction."""
        self._nonces.pop(account.address, None)

    def _fill(self, account: LocalAccount, tx: dict[str, Any], gas: int | None) -> dict[str, Any]:
        tx = {**tx, "from": account.address, "chainId": self.chain_id, **self.fee_fields()}
        if gas is None:
            gas = self._gas_limit(tx)
        tx["gas"] = gas
        tx["nonce"] = self.next_nonce(account)
        return tx

    def _gas_limit(self, tx: dict[str, Any]) -> int:
        """Gas limit of `tx`. eth_estimateGas is slow on Ganache (about 10x an eth_call), so each
        function (address and selector) is estimated once; later calls are checked with a cheap
        eth_call, which raises the contract's error, and get twice the first estimate."""
        key = (str(tx.get("to")), str(tx.get("data", ""))[:10])
        try:
            if key in self._gas:
                self.w3.eth.call({k: v for k, v in tx.items() if k != "chainId"})
                return self._gas[key]
            estimate = int(self.w3.eth.estimate_gas(tx))
        except (ContractCustomError, ContractLogicError) as exc:
            raise TransactionError(self._explain(exc)) from None
        if tx.get("to"):
            self._gas[key] = estimate * CACHED_GAS_FACTOR
        return estimate * GAS_HEADROOM_NUM // GAS_HEADROOM_DEN

    def _explain(self, exc: ContractCustomError | ContractLogicError) -> str:
        data = getattr(exc, "data", None)
        if isinstance(data, dict):  # Ganache 7: {"result": "0x<revert data>", "reason": ...}
            data = data.get("result") or data.get("data")
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            return self.errors.describe(data)
        return str(exc.message if hasattr(exc, "message") else exc)

    def send(self, account: LocalAccount, tx: dict[str, Any], gas: int | None = None) -> bytes:
        """Signs and sends `tx`; returns the transaction hash without waiting."""
        filled = self._fill(account, tx, gas)
        signed = account.sign_transaction(filled)
        self._sent += 1
        try:
            return self.broadcast(bytes(signed.hash), bytes(signed.raw_transaction))
        except Exception:
            self.forget_nonce(account)
            raise

    def broadcast(self, tx_hash: bytes, raw: bytes) -> bytes:
        """Sends signed bytes, retrying transient faults with the very same bytes. An error after
        an attempt that timed out may only mean the node already has them ("already known",
        "nonce too low"): the hash is looked up before the error is believed."""
        try:
            with_retries(
                lambda: self.w3.eth.send_raw_transaction(raw),
                "send transaction",
                self.retries,
                self.backoff_s,
            )
        except Exception:
            if self.knows(tx_hash):
                return tx_hash
            raise
        return tx_hash

    def knows(self, tx_hash: bytes) -> bool:
        """Whether the node has the transaction, pending or mined."""
        try:
            return self.w3.eth.get_transaction(tx_hash) is not None
        except TransactionNotFound:
            return False

    def wait(self, tx_hash: bytes, what: str = "transaction") -> TxReceipt:
        """Waits for the receipt; raises TransactionError when the transaction reverted."""
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise TransactionError(f"{what} reverted on chain (tx 0x{tx_hash.hex()})")
        return receipt

    def transact(
        self, account: LocalAccount, call: ContractFunction, gas: int | None = None
    ) -> TxReceipt:
        """Sends a contract call from `account` and waits for it to be mined."""
        what = f"{call.fn_name} from {account.address}"
        return self.wait(self.send(account, call_tx(call), gas), what)

    def deploy(self, account: LocalAccount, artifact: Artifact, *args: Any) -> Contract:
        """Deploys `artifact` with constructor `args`; returns the contract at its address."""
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        tx = {"data": factory.constructor(*args).data_in_transaction}
        receipt = self.wait(self.send(account, tx), f"deploy {artifact.name}")
        return self.contract(receipt["contractAddress"], artifact.abi)

    def send_value(self, account: LocalAccount, to: str, wei: int) -> bytes:
        """Sends `wei` to `to` (returns the transaction hash)."""
        return self.send(account, {"to": to, "value": wei}, gas=21_000)


def call_tx(call: ContractFunction) -> dict[str, Any]:
    """The `to` and `data` of a contract call, encoded locally (no request to the node)."""
    return {"to": call.address, "data": call._encode_transaction_data()}


def account_from_key(private_key: str | bytes) -> LocalAccount:
    """A local signing account from a private key."""
    return Account.from_key(private_key)
