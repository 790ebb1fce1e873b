"""Nonces for one sender with a bounded window of transactions in flight, and retries.

Besu's transaction pool keeps only a few future nonces per sender by default
(`--tx-pool-limit-by-account-percentage`), and other nodes drop or delay long nonce gaps, so a
sender never has more than `window` (default 16) unmined transactions: before the next one is
sent, the oldest is waited for. Transient RPC faults (connection refused or reset, timeouts)
are retried with exponential backoff; a transaction is signed once, so a retried broadcast
sends the very same bytes and hash.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from eth_account.signers.local import LocalAccount
from web3.exceptions import TimeExhausted, TransactionNotFound
from web3.types import TxReceipt

from scfchain.chain import Chain

DEFAULT_WINDOW = 16
DEFAULT_RETRIES = 6
DEFAULT_BACKOFF_S = 0.5
RECEIPT_TIMEOUT_S = 180
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    ConnectionError,
    TimeoutError,
    TimeExhausted,
)
ALREADY_KNOWN = ("already known", "known transaction", "already imported", "alreadyknown")

T = TypeVar("T")


class RpcUnavailable(RuntimeError):
    """The node kept failing after every retry."""


def with_retries(
    action: Callable[[], T],
    what: str,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Runs `action`, retrying transient RPC faults with exponential backoff."""
    for attempt in range(retries + 1):
        try:
            return action()
        except TRANSIENT_ERRORS as exc:
            if attempt == retries:
                raise RpcUnavailable(
                    f"{what}: {type(exc).__name__} after {retries} retries"
                ) from None
            sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")


@dataclass
class InFlight:
    tx_hash: bytes
    nonce: int
    payload: Any  # whatever the caller attached (e.g. the fingerprints of a batch)


@dataclass
class NoncePool:
    """Signs and sends transactions from one account, at most `window` unmined at a time."""

    chain: Chain
    account: LocalAccount
    window: int = DEFAULT_WINDOW
    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S
    on_mined: Callable[[InFlight, TxReceipt], None] | None = None
    _next: int | None = field(default=None, init=False)
    _in_flight: deque[InFlight] = field(default_factory=deque, init=False)

    def _retry(self, action: Callable[[], T], what: str) -> T:
        return with_retries(action, what, self.retries, self.backoff_s)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def next_nonce(self) -> int:
        if self._next is None:
            address = self.account.address
            self._next = int(
                self._retry(
                    lambda: self.chain.w3.eth.get_transaction_count(address, "pending"), "nonce"
                )
            )
        return self._next

    def resync(self) -> None:
        """Re-reads the nonce from the node (after a transaction the node refused)."""
        self._next = None

    def sign(self, tx: dict[str, Any], gas: int) -> tuple[bytes, bytes, int]:
        """Signs `tx` with the next nonce: (hash, raw bytes, nonce). Nothing is sent yet."""
        nonce = self.next_nonce()
        fees = self._retry(self.chain.fee_fields, "fee fields")
        filled = {
            **tx,
            "from": self.account.address,
            "chainId": self.chain.chain_id,
            "gas": gas,
            "nonce": nonce,
            **fees,
        }
        signed = self.account.sign_transaction(filled)
        return bytes(signed.hash), bytes(signed.raw_transaction), nonce

    def broadcast(self, tx_hash: bytes, raw: bytes, nonce: int, payload: Any = None) -> None:
        """Sends signed bytes (retrying transient faults); waits first while the window is full."""
        while len(self._in_flight) >= self.window:
            self._settle_oldest()

        def send() -> None:
            try:
                self.chain.w3.eth.send_raw_transaction(raw)
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:  # a node that already has these bytes says so
                if any(s in str(exc).lower() for s in ALREADY_KNOWN):
                    return
                raise

        try:
            self._retry(send, f"send nonce {nonce}")
        except Exception:
            self.resync()
            raise
        self._next = nonce + 1
        self._in_flight.append(InFlight(tx_hash, nonce, payload))

    def receipt(self, tx_hash: bytes) -> TxReceipt:
        return self._retry(
            lambda: self.chain.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=RECEIPT_TIMEOUT_S, poll_latency=0.05
            ),
            f"receipt of 0x{tx_hash.hex()}",
        )

    def _settle_oldest(self) -> None:
        item = self._in_flight.popleft()
        receipt = self.receipt(item.tx_hash)
        if self.on_mined is not None:
            self.on_mined(item, receipt)

    def drain(self) -> None:
        """Waits for every transaction in flight."""
        while self._in_flight:
            self._settle_oldest()


def lookup_receipt(chain: Chain, tx_hash: bytes) -> tuple[str, TxReceipt | None]:
    """("mined", receipt), ("pending", None) or ("unknown", None) for a transaction hash."""
    try:
        receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
        if receipt is not None:
            return "mined", receipt
    except TransactionNotFound:
        pass
    try:
        if chain.w3.eth.get_transaction(tx_hash) is not None:
            return "pending", None
    except TransactionNotFound:
        pass
    return "unknown", None
