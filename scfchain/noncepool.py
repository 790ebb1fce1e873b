"""Nonces for one sender with a bounded window of transactions in flight, and retries.

Besu's transaction pool keeps only a few future nonces per sender by default
(`--tx-pool-limit-by-account-percentage`), and other nodes drop or delay long nonce gaps, so a
sender never has more than `window` (default 16) unmined transactions: before the next one is
sent, the oldest is waited for. Transient RPC faults (connection refused or reset, timeouts,
HTTP 429/5xx, JSON-RPC "internal error") are retried with exponential backoff; a transaction is
signed once, so a retried broadcast sends the very same bytes and hash.

While a transaction is waited for, the node is asked now and then whether it still knows it:
- pending or mined: keep waiting;
- unknown and its nonce still unused (the node restarted, or evicted it from its pool): the
  transaction was *dropped* and the same signed bytes are sent again, with the same nonce;
- unknown and its nonce used (the account's mined nonce is past it): another transaction with
  the same nonce was mined instead (*replaced*); `on_replaced` is told, and the caller settles
  its journal from the chain.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eth_account.signers.local import LocalAccount
from web3.exceptions import TimeExhausted, TransactionNotFound
from web3.types import TxReceipt

from scfchain.chain import (
    TRANSIENT_ERRORS,
    Chain,
    RpcUnavailable,
    TransactionError,
    with_retries,
)

__all__ = [
    "ALREADY_KNOWN",
    "DEFAULT_WINDOW",
    "TRANSIENT_ERRORS",
    "InFlight",
    "NonceConflict",
    "NoncePool",
    "RpcUnavailable",
    "lookup_receipt",
    "with_retries",
]

DEFAULT_WINDOW = 16
RECEIPT_TIMEOUT_S = 180
CHECK_EVERY_S = 2.0  # how often a transaction waited for is looked for on the node
POLL_S = 0.05
ALREADY_KNOWN = ("already known", "known transaction", "already imported", "alreadyknown")

T = TypeVar("T")


class NonceConflict(TransactionError):
    """The node refused a transaction because its nonce is already used by another one."""


@dataclass
class InFlight:
    tx_hash: bytes
    nonce: int
    payload: Any  # whatever the caller attached (e.g. the fingerprints of a batch)
    raw: bytes = b""  # the signed bytes, to send again if the node drops them
    resent: int = 0


@dataclass
class NoncePool:
    """Signs and sends transactions from one account, at most `window` unmined at a time."""

    chain: Chain
    account: LocalAccount
    window: int = DEFAULT_WINDOW
    retries: int | None = None  # None: the chain's (Chain.retries)
    backoff_s: float | None = None
    on_mined: Callable[[InFlight, TxReceipt], None] | None = None
    on_replaced: Callable[[InFlight], None] | None = None
    check_every_s: float = CHECK_EVERY_S
    receipt_timeout_s: float = RECEIPT_TIMEOUT_S
    _next: int | None = field(default=None, init=False)
    _in_flight: deque[InFlight] = field(default_factory=deque, init=False)

    def _retry(self, action: Callable[[], T], what: str) -> T:
        retries = self.chain.retries if self.retries is None else self.retries
        backoff = self.chain.backoff_s if self.backoff_s is None else self.backoff_s
        return with_retries(action, what, retries, backoff)

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

    def _send(self, tx_hash: bytes, raw: bytes, nonce: int) -> None:
        """Sends the bytes, retrying transient faults. A refusal is checked against the node:
        an earlier attempt (whose answer was lost) may have delivered them already."""

        def send() -> None:
            try:
                self.chain.w3.eth.send_raw_transaction(raw)
            except Exception as exc:  # a node that already has these bytes says so
                if any(s in str(exc).lower() for s in ALREADY_KNOWN):
                    return
                raise

        try:
            self._retry(send, f"send nonce {nonce}")
        except RpcUnavailable:
            raise
        except Exception as exc:
            if lookup_receipt(self.chain, tx_hash)[0] != "unknown":
                return  # delivered by an attempt whose answer was lost
            if "nonce" in str(exc).lower():
                raise NonceConflict(f"nonce {nonce} refused by the node: {exc}") from None
            raise TransactionError(f"node refused the transaction: {exc}") from None

    def broadcast(self, tx_hash: bytes, raw: bytes, nonce: int, payload: Any = None) -> None:
        """Sends signed bytes (retrying transient faults); waits first while the window is full."""
        while len(self._in_flight) >= self.window:
            self._settle_oldest()
        try:
            self._send(tx_hash, raw, nonce)
        except Exception:
            self.resync()
            raise
        self._next = nonce + 1
        self._in_flight.append(InFlight(tx_hash, nonce, payload, raw))

    def receipt(self, tx_hash: bytes) -> TxReceipt:
        """Waits for the receipt of a transaction (no drop or replacement handling)."""
        return self._retry(
            lambda: self.chain.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout_s, poll_latency=POLL_S
            ),
            f"receipt of 0x{tx_hash.hex()}",
        )

    def _mined_nonce(self) -> int:
        return int(self.chain.w3.eth.get_transaction_count(self.account.address, "latest"))

    def await_receipt(self, item: InFlight) -> TxReceipt | None:
        """The receipt of `item`; its bytes sent again when the node dropped them; None when
        another transaction with its nonce was mined instead."""
        eth = self.chain.w3.eth
        deadline = time.monotonic() + self.receipt_timeout_s
        next_check = time.monotonic() + self.check_every_s
        while True:
            try:
                return eth.get_transaction_receipt(item.tx_hash)
            except TransactionNotFound:
                pass
            now = time.monotonic()
            if now > deadline:
                raise TimeExhausted(
                    f"transaction 0x{item.tx_hash.hex()} (nonce {item.nonce}) not mined in "
                    f"{self.receipt_timeout_s}s"
                )
            if now >= next_check:
                next_check = now + self.check_every_s
                state, receipt = lookup_receipt(self.chain, item.tx_hash)
                if state == "mined":
                    return receipt
                if state == "unknown":
                    if self._mined_nonce() > item.nonce:
                        state, receipt = lookup_receipt(self.chain, item.tx_hash)
                        return receipt if state == "mined" else None  # replaced
                    self._resend_dropped()
            time.sleep(POLL_S)

    def _resend_dropped(self) -> None:
        """Sends again, in nonce order, every transaction in flight that the node no longer
        knows (a restarted node forgets its whole pool): the same bytes, the same nonce."""
        for item in self._in_flight:
            if lookup_receipt(self.chain, item.tx_hash)[0] == "unknown":
                item.resent += 1
                self._send(item.tx_hash, item.raw, item.nonce)

    def _settle_oldest(self) -> None:
        item = self._in_flight[0]
        receipt = self.await_receipt(item)
        self._in_flight.popleft()
        if receipt is None:
            if self.on_replaced is not None:
                self.on_replaced(item)
        elif self.on_mined is not None:
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
