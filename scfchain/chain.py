"""Sending transactions from local keys to any JSON-RPC EVM node.

Keys are held in eth-account `LocalAccount`s and never leave this process; a key is never
printed, logged or written. Fees follow the node: EIP-1559 fields when the latest block
carries a base fee, a legacy gas price otherwise (zero on free-gas consortium chains). Set
fees explicitly: web3.py's defaults add a priority fee that unfunded accounts cannot pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxReceipt

from scfchain.artifacts import Artifact, ErrorDecoder

BASE_FEE_HEADROOM = 3  # maxFeePerGas = base fee * 3 + tip: room for the base fee to rise
FEE_REFRESH_EVERY = 50  # transactions between two reads of the base fee
GAS_HEADROOM_NUM, GAS_HEADROOM_DEN = 6, 5  # gas limit = estimate * 1.2
CACHED_GAS_FACTOR = 2  # later calls of the same function get twice its first estimate


class TransactionError(RuntimeError):
    """A transaction was refused by the contract or failed on chain."""


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
    _nonces: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _fee_fields: dict[str, int] | None = field(default=None, init=False, repr=False)
    _sent: int = field(default=0, init=False, repr=False)
    _gas: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)

    _chain_id: int | None = field(default=None, init=False, repr=False)

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
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            return self.errors.describe(data)
        return str(exc.message if hasattr(exc, "message") else exc)

    def send(self, account: LocalAccount, tx: dict[str, Any], gas: int | None = None) -> bytes:
        """Signs and sends `tx`; returns the transaction hash without waiting."""
        filled = self._fill(account, tx, gas)
        signed = account.sign_transaction(filled)
        self._sent += 1
        try:
            return bytes(self.w3.eth.send_raw_transaction(signed.raw_transaction))
        except Exception:
            self.forget_nonce(account)
            raise

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
