"""The scfchain SDK: a deployed suite on any JSON-RPC EVM chain, from web3.py and eth-account.

    client = ScfClient.connect("http://127.0.0.1:8545", "deployments/1337.json")
    rid = client.register_and_confirm(supplier, Terms(...), debtor=debtor)
    client.finance(supplier, financier, rid, amount)
    client.status(rid).status            # "Confirmed"

No Brownie: the manifest gives the addresses, interfaces/*.json the ABIs. Accounts are
`Signer`s (scfchain.keys) or eth-account `LocalAccount`s; transactions are signed locally with
explicit fees (scfchain.chain.FeePolicy), so zero-gas-price chains work. `poa=True` adds web3.py's
ExtraDataToPOAMiddleware for Clique/IBFT/QBFT chains whose block extraData is longer than 32 bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from scfchain.abis import INTERFACES_DIR, interface_error_decoder, load_abi
from scfchain.audit import AuditEvent, collect_history
from scfchain.chain import Chain, FeePolicy, TransactionError
from scfchain.currencies import format_amount, major_units  # noqa: F401  (re-exported)
from scfchain.keys import KeyLoadError, Keyring, Signer
from scfchain.records import ReceivableRecord, fingerprint_hex  # noqa: F401  (re-exported)
from scfchain.signing import SIGNATURE_VALIDITY_S, Signed, sign_confirmation
from scfchain.states import (  # noqa: F401  (DAY_COUNTS, STATUS_NAMES re-exported)
    DAY_COUNTS,
    DEFAULT_RATE_BPS,
    REQUEST_STATUS_NAMES,
    STATUS_NAMES,
)
from scfchain.suite import ROLES, Deployment, ManifestError, Suite

__all__ = [
    "ChainMismatch",
    "ManifestError",
    "FeePolicy",
    "FinancingResult",
    "FinancingTerms",
    "ReceivableState",
    "ScfClient",
    "Terms",
    "TransactionError",
    "check_rpc_url",
    "fingerprint_hex",
    "format_amount",
    "major_units",
]

RECEIPT_TIMEOUT_S = 120

AccountLike = Signer | LocalAccount | str  # str: the address of a key given to connect()


class ChainMismatch(RuntimeError):
    """The node's chain id is not the manifest's."""


def _as_local(account: Signer | LocalAccount) -> LocalAccount:
    return account.account if isinstance(account, Signer) else account


@dataclass(frozen=True)
class Terms:
    """The registry's `Terms`: what a supplier registers and its debtor confirms."""

    fingerprint: bytes
    debtor: str
    face_value: int
    currency: str
    due_date: int  # unix seconds
    document_hash: bytes

    @property
    def id(self) -> int:
        return int.from_bytes(self.fingerprint, "big")

    def as_tuple(self) -> tuple[bytes, str, int, bytes, int, bytes]:
        return (
            self.fingerprint, Web3.to_checksum_address(self.debtor), self.face_value,
            self.currency.encode(), self.due_date, self.document_hash,
        )  # fmt: skip

    @classmethod
    def from_record(cls, record: ReceivableRecord, debtor: str) -> Terms:
        return cls(
            record.fingerprint, debtor, record.amount_minor, record.currency,
            record.due_timestamp, record.document_hash,
        )  # fmt: skip


@dataclass(frozen=True)
class FinancingTerms:
    """The escrow's `FinancingTerms`: yearly discount rate, day count, recourse, reserve."""

    rate_bps: int = DEFAULT_RATE_BPS
    day_count: int = 0  # 0 ACT/360, 1 ACT/365
    recourse: bool = False
    reserve_bps: int = 0

    def as_tuple(self) -> tuple[int, int, bool, int]:
        return (self.rate_bps, self.day_count, self.recourse, self.reserve_bps)


@dataclass(frozen=True)
class FinancingRequest:
    """A financing request as the escrow holds it."""

    request_id: int
    receivable_id: int
    supplier: str
    financier: str
    amount: int
    terms: FinancingTerms
    status: str  # None, Pending, Approved, Rejected, Cancelled


@dataclass(frozen=True)
class FinancingResult:
    request_id: int
    amount: int
    proceeds: int
    transaction: str


@dataclass(frozen=True)
class ReceivableState:
    """A receivable as the registry holds it now."""

    id: int
    status: str
    supplier: str
    debtor: str
    face_value: int
    currency: str
    due_date: int
    document_hash: bytes
    balances: dict[str, int] = field(default_factory=dict)  # only the holders asked about

    @property
    def exists(self) -> bool:
        return self.status != "None"

    @property
    def face_value_text(self) -> str:
        """The face value for people: "1,250.00 EUR"."""
        return format_amount(self.face_value, self.currency)

    def to_json(self) -> dict[str, Any]:
        """Amounts in minor units (integers), and the face value in major units as a decimal
        string (`face_value_major`, None for a currency of unknown decimals)."""
        return {
            "id": fingerprint_hex(self.id),
            "found": self.exists,
            "status": self.status,
            "supplier": self.supplier,
            "debtor": self.debtor,
            "face_value": self.face_value,
            "face_value_major": major_units(self.face_value, self.currency),
            "currency": self.currency,
            "due_date": self.due_date,
            "document_hash": "0x" + self.document_hash.hex(),
            "balances": self.balances,
        }


def check_rpc_url(rpc_url: str) -> str:
    """`rpc_url` if it is an http(s) URL with a host; else a ValueError saying what to write
    (e.g. "127.0.0.1:8545" -> "http://127.0.0.1:8545")."""
    parts = urlsplit(rpc_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = "" if "://" in rpc_url else f": did you mean http://{rpc_url.strip()}?"
        raise ValueError(f"RPC URL {rpc_url!r} is not an http:// or https:// URL with a host{hint}")
    return rpc_url.strip()


def make_web3(rpc_url: str, poa: bool = False, timeout: float = 60) -> Web3:
    """A Web3 on `rpc_url` (an http(s) URL, else ValueError); `poa` injects
    ExtraDataToPOAMiddleware (Besu QBFT, GoQuorum, Clique)."""
    rpc_url = check_rpc_url(rpc_url)
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    if poa:
        from web3.middleware import ExtraDataToPOAMiddleware

        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


def attach_suite(
    chain: Chain, deployment: Deployment, interfaces_dir: Path = INTERFACES_DIR
) -> Suite:
    """Contract handles on a deployment, with the ABIs of interfaces/."""
    return deployment.attach(chain, lambda name: load_abi(name, interfaces_dir))


@dataclass
class ScfClient:
    """A deployed suite on one chain, with typed methods for the receivable lifecycle."""

    chain: Chain
    suite: Suite
    deployment: Deployment
    confirmations: int = 0
    keyring: Keyring = field(default_factory=Keyring)

    @classmethod
    def connect(
        cls,
        rpc_url: str,
        manifest_path: str | Path,
        *signers: Signer | LocalAccount,
        fees: FeePolicy | None = None,
        confirmations: int = 0,
        poa: bool = False,
        chain_id: int | None = None,
        timeout: float = 60,
        interfaces_dir: Path = INTERFACES_DIR,
        w3: Web3 | None = None,
    ) -> ScfClient:
        """Connects to `rpc_url` and attaches the deployment of `manifest_path`.

        Raises ChainMismatch when the node's chain id is not the manifest's (or `chain_id`)."""
        deployment = Deployment.read(Path(manifest_path))
        w3 = w3 or make_web3(rpc_url, poa=poa, timeout=timeout)
        chain = Chain(w3, interface_error_decoder(interfaces_dir), fees or FeePolicy())
        expected = deployment.chain_id if chain_id is None else chain_id
        if chain.chain_id != expected or deployment.chain_id != expected:
            raise ChainMismatch(
                f"node {rpc_url} is chain {chain.chain_id}; manifest {manifest_path} is for "
                f"chain {deployment.chain_id}" + (f", expected {chain_id}" if chain_id else "")
            )
        suite = attach_suite(chain, deployment, interfaces_dir)
        keyring = Keyring()
        for signer in signers:
            keyring.add(signer if isinstance(signer, Signer) else Signer(signer))
        return cls(chain, suite, deployment, confirmations, keyring)

    def suite_problems(self) -> list[str]:
        """What is wrong with the manifest's addresses on this node, in words (empty: nothing).

        Each contract must point at the others as deployed together: the registry at the
        member registry and the escrow, the escrow and the document anchor at the registry,
        the escrow at each settlement token of the manifest. A wrong address (another
        contract of the suite, or of another suite) is named with the manifest field."""
        s, c = self.suite, self.deployment.contracts

        def address(name: str) -> str:
            return Web3.to_checksum_address(c[name]["address"])

        links = [
            ("ReceivableRegistry", lambda: s.registry.functions.members().call(), "MemberRegistry"),
            ("ReceivableRegistry", lambda: s.registry.functions.escrow().call(), "FinancingEscrow"),
            ("FinancingEscrow", lambda: s.escrow.functions.registry().call(), "ReceivableRegistry"),
            ("FinancingEscrow", lambda: s.escrow.functions.members().call(), "MemberRegistry"),
            ("DocumentAnchor", lambda: s.anchor.functions.registry().call(), "ReceivableRegistry"),
        ]
        problems = []
        for holder, read, target in links:
            try:
                found = Web3.to_checksum_address(read())
            except Exception:  # noqa: BLE001 - any failure means: not the contract named
                problems.append(f"contracts.{holder}: {address(holder)} is not a {holder}")
                continue
            if found != address(target):
                problems.append(
                    f"contracts.{target}: {address(target)}, but the {holder} at "
                    f"{address(holder)} works with {found}"
                )
        for currency, token in self.deployment.settlement_tokens.items():
            try:
                bound = self.escrow.functions.settlementToken(currency.encode()).call()
            except Exception:  # noqa: BLE001 - reported above as the escrow's problem
                continue
            if Web3.to_checksum_address(bound) != Web3.to_checksum_address(token):
                problems.append(
                    f"settlement_tokens.{currency}: {token}, but the escrow settles "
                    f"{currency} in {bound}"
                )
        return problems

    def _local(self, account: AccountLike) -> LocalAccount:
        """The signing account: a Signer, a LocalAccount, or the address of a key given to
        connect()."""
        if isinstance(account, str):
            signer = self.keyring.get(account)
            if signer is None:
                raise KeyLoadError(f"no key for {account}: pass it to ScfClient.connect")
            return signer.account
        return _as_local(account)

    @property
    def w3(self) -> Web3:
        return self.chain.w3

    @property
    def registry(self) -> Contract:
        return self.suite.registry

    @property
    def escrow(self) -> Contract:
        return self.suite.escrow

    # --- transactions --------------------------------------------------------------------

    def transact(self, sender: AccountLike, call: ContractFunction) -> TxReceipt:
        """Sends `call` from `sender`, waits for it and for `confirmations` blocks on top."""
        receipt = self.chain.transact(self._local(sender), call)
        self.wait_confirmations(receipt)
        return receipt

    def wait_confirmations(self, receipt: TxReceipt, poll_s: float = 1.0) -> None:
        if self.confirmations <= 0:
            return
        target = int(receipt["blockNumber"]) + self.confirmations
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S * max(1, self.confirmations)
        while int(self.w3.eth.block_number) < target:
            if time.monotonic() > deadline:
                raise TransactionError(f"no {self.confirmations} confirmations in time")
            time.sleep(poll_s)

    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    # --- members (operator) --------------------------------------------------------------

    def admit(
        self, operator: AccountLike, account: str, party_key: str, roles: list[str]
    ) -> TxReceipt:
        """Admits `account` for the party `party_key` with roles such as ["SUPPLIER"]."""
        call = self.suite.members.functions.admit(
            Web3.to_checksum_address(account),
            keccak(text=party_key),
            [ROLES[r.upper()] for r in roles],
        )
        return self.transact(operator, call)

    def is_member(self, account: str) -> bool:
        return bool(self.suite.members.functions.isMember(Web3.to_checksum_address(account)).call())

    def has_role(self, account: str, role: str) -> bool:
        return bool(
            self.suite.members.functions.hasRole(
                ROLES[role.upper()], Web3.to_checksum_address(account)
            ).call()
        )

    def set_credit_line(self, operator: AccountLike, debtor: str, limit: int) -> TxReceipt:
        return self.transact(
            operator, self.registry.functions.setCreditLine(Web3.to_checksum_address(debtor), limit)
        )

    def set_exposure_limit(self, financier: AccountLike, debtor: str, limit: int) -> TxReceipt:
        return self.transact(
            financier,
            self.escrow.functions.setExposureLimit(Web3.to_checksum_address(debtor), limit),
        )

    def party_directory(self, from_block: int | None = None) -> dict[bytes, str]:
        """Party id hash -> member account, from MemberAdmitted events (latest admission wins;
        expelled members are left out)."""
        start = self._from_block("MemberRegistry") if from_block is None else from_block
        events = self.suite.members.events
        admitted = events.MemberAdmitted().get_logs(from_block=start)
        expelled = {
            e["args"]["account"] for e in events.MemberExpelled().get_logs(from_block=start)
        }
        directory: dict[bytes, str] = {}
        for event in sorted(admitted, key=lambda e: (e["blockNumber"], e["logIndex"])):
            if event["args"]["account"] in expelled and not self.is_member(
                event["args"]["account"]
            ):
                continue
            directory[bytes(event["args"]["partyIdHash"])] = event["args"]["account"]
        return directory

    def _from_block(self, contract: str) -> int:
        return int(self.deployment.contracts.get(contract, {}).get("block", 0))

    # --- registry --------------------------------------------------------------------------

    def sign_confirmation(
        self, debtor: AccountLike, terms: Terms, supplier: str, deadline: int | None = None
    ) -> Signed:
        """The debtor's EIP-712 confirmation of `terms` registered by `supplier`."""
        return sign_confirmation(
            self._local(debtor), chain_id=self.chain.chain_id, registry=self.registry.address,
            receivable_id=terms.id, supplier=Web3.to_checksum_address(supplier),
            face_value=terms.face_value, currency=terms.currency.encode(),
            due_date=terms.due_date, document_hash=terms.document_hash,
            deadline=deadline if deadline is not None else self.now() + SIGNATURE_VALIDITY_S,
        )  # fmt: skip

    def register(self, supplier: AccountLike, terms: Terms) -> int:
        """Registers a claim against `terms.debtor`; returns the receivable id."""
        self.transact(supplier, self.registry.functions.register(terms.as_tuple()))
        return terms.id

    def confirm(self, debtor: AccountLike, receivable_id: int) -> TxReceipt:
        """The debtor confirms on chain."""
        return self.transact(debtor, self.registry.functions.confirm(receivable_id))

    def confirm_batch(self, debtor: AccountLike, receivable_ids: list[int]) -> TxReceipt:
        return self.transact(debtor, self.registry.functions.confirmBatch(list(receivable_ids)))

    def sign_registered(self, debtor: AccountLike, receivable_id: int) -> Signed:
        """The debtor signs the terms of a registered receivable (for confirm_by_sig)."""
        state = self.status(receivable_id)
        terms = Terms(
            receivable_id.to_bytes(32, "big"), state.debtor, state.face_value, state.currency,
            state.due_date, state.document_hash,
        )  # fmt: skip
        return self.sign_confirmation(debtor, terms, state.supplier)

    def confirm_by_sig(self, relayer: AccountLike, receivable_id: int, signed: Signed) -> TxReceipt:
        """Any member relays the debtor's signature."""
        return self.transact(
            relayer, self.registry.functions.confirmBySig(receivable_id, signed.as_tuple())
        )

    def register_and_confirm(
        self,
        supplier: AccountLike,
        terms: Terms,
        *,
        debtor: AccountLike | None = None,
        signed: Signed | None = None,
    ) -> int:
        """Registers and confirms in one transaction, with the debtor's signature (made here
        from `debtor`'s key, or given as `signed`)."""
        if signed is None:
            if debtor is None:
                raise ValueError("register_and_confirm needs the debtor's account or signature")
            signed = self.sign_confirmation(debtor, terms, self._local(supplier).address)
        call = self.registry.functions.registerAndConfirm(terms.as_tuple(), signed.as_tuple())
        self.transact(supplier, call)
        return terms.id

    def transfer(self, holder: AccountLike, to: str, receivable_id: int, amount: int) -> TxReceipt:
        """Transfers `amount` units (minor units of face value) of a confirmed receivable."""
        sender = self._local(holder).address
        call = self.registry.functions.safeTransferFrom(
            sender, Web3.to_checksum_address(to), receivable_id, amount, b""
        )
        return self.transact(holder, call)

    def split(self, holder: AccountLike, to: str, receivable_id: int, amount: int) -> TxReceipt:
        """Passes part of a receivable to another member (e.g. a sub-supplier): a transfer of
        `amount` of the holder's units; the holder keeps the rest."""
        balance = self.balance(
            holder if isinstance(holder, str) else self._local(holder).address, receivable_id
        )
        if not 0 < amount < balance:
            raise ValueError(f"a split moves part of the balance: 0 < {amount} < {balance}")
        return self.transfer(holder, to, receivable_id, amount)

    def balance(self, holder: str, receivable_id: int) -> int:
        return int(
            self.registry.functions.balanceOf(
                Web3.to_checksum_address(holder), receivable_id
            ).call()
        )

    # --- escrow ----------------------------------------------------------------------------

    def request_financing(
        self,
        supplier: AccountLike,
        receivable_id: int,
        amount: int,
        financier: str,
        terms: FinancingTerms | None = None,
    ) -> int:
        """The supplier asks `financier` to discount `amount`; returns the request id."""
        terms = terms or FinancingTerms()
        call = self.escrow.functions.requestFinancing(
            receivable_id, amount, Web3.to_checksum_address(financier), terms.as_tuple()
        )
        receipt = self.transact(supplier, call)
        events = self.escrow.events.FinancingRequested().process_receipt(receipt, errors=DISCARD)
        return int(events[0]["args"]["requestId"])

    def financing_request(self, request_id: int) -> FinancingRequest:
        """Request `request_id` as the escrow holds it now."""
        (rid, supplier, amount, financier, rate, reserve, day_count, recourse, status, *_) = (
            self.escrow.functions.requests(request_id).call()
        )
        terms = FinancingTerms(int(rate), int(day_count), bool(recourse), int(reserve))
        return FinancingRequest(
            request_id, int(rid), supplier, financier, int(amount), terms,
            REQUEST_STATUS_NAMES[int(status)],
        )  # fmt: skip

    def pending_requests(self, receivable_id: int) -> list[FinancingRequest]:
        """The financing requests of `receivable_id` still pending, oldest first (from the
        FinancingRequested events since the escrow's deployment, then their state now)."""
        logs = self.escrow.events.FinancingRequested().get_logs(
            from_block=self._from_block("FinancingEscrow"),
            argument_filters={"id": receivable_id},
        )
        ids = sorted({int(e["args"]["requestId"]) for e in logs})
        found = [self.financing_request(i) for i in ids]
        return [q for q in found if q.status == "Pending"]

    def reject_financing(
        self, financier: AccountLike, request_id: int, reason_code: int = 0
    ) -> TxReceipt:
        """The financier a request names refuses it; the units go back to the supplier."""
        call = self.escrow.functions.rejectFinancing(request_id, reason_code)
        return self.transact(financier, call)

    def cancel_financing(self, supplier: AccountLike, request_id: int) -> TxReceipt:
        """The requesting supplier withdraws a pending request; its units come back."""
        return self.transact(supplier, self.escrow.functions.cancelFinancing(request_id))

    def approve_financing(self, financier: AccountLike, request_id: int) -> FinancingResult:
        receipt = self.transact(financier, self.escrow.functions.approveFinancing(request_id))
        args = self.escrow.events.FinancingApproved().process_receipt(receipt, errors=DISCARD)[0][
            "args"
        ]
        return FinancingResult(
            request_id,
            int(args.get("amount", 0)),
            int(args["proceeds"]),
            "0x" + bytes(receipt["transactionHash"]).hex(),
        )

    def finance(
        self,
        supplier: AccountLike,
        financier: AccountLike,
        receivable_id: int,
        amount: int,
        terms: FinancingTerms | None = None,
    ) -> FinancingResult:
        """Request by the supplier, then approval by the financier (both keys held here)."""
        request_id = self.request_financing(
            supplier, receivable_id, amount, self._local(financier).address, terms
        )
        result = self.approve_financing(financier, request_id)
        return FinancingResult(request_id, amount, result.proceeds, result.transaction)

    def repay(
        self, debtor: AccountLike, receivable_id: int, amount: int | None = None
    ) -> TxReceipt:
        """The debtor pays `amount` minor units (default: all that is outstanding) in the
        settlement token."""
        if amount is None:
            amount = self.outstanding(receivable_id)
        return self.transact(debtor, self.escrow.functions.repay(receivable_id, amount))

    def outstanding(self, receivable_id: int) -> int:
        """What the debtor still owes, in minor units: face value less repayments so far."""
        repaid = int(self.escrow.functions.repaid(receivable_id).call())
        return self.status(receivable_id).face_value - repaid

    def redeem(self, holder: AccountLike, receivable_id: int) -> int:
        """A holder draws its share of repayments; returns what was paid to it."""
        receipt = self.transact(holder, self.escrow.functions.redeem(receivable_id))
        events = self.escrow.events.Redeemed().process_receipt(receipt, errors=DISCARD)
        return sum(int(e["args"]["paid"]) for e in events)

    def approve_settlement(
        self, holder: AccountLike, currency: str, amount: int = 2**256 - 1
    ) -> TxReceipt:
        """Lets the escrow move `holder`'s settlement tokens (for repay and for financing)."""
        token = self.suite.token(currency)
        return self.transact(holder, token.functions.approve(self.escrow.address, amount))

    def settlement_funds(self, holder: str, currency: str) -> tuple[int, int]:
        """`holder`'s settlement tokens of `currency` and how many of them the escrow may draw
        (ERC-20 balance and allowance), in minor units; KeyError for a currency without a
        settlement token in this deployment."""
        token = self.suite.token(currency)
        account = Web3.to_checksum_address(holder)
        balance = int(token.functions.balanceOf(account).call())
        allowance = int(token.functions.allowance(account, self.escrow.address).call())
        return balance, allowance

    # --- queries ---------------------------------------------------------------------------

    def status(
        self, receivable_id: int, holders: list[str] | tuple[str, ...] = ()
    ) -> ReceivableState:
        """The receivable's state now; `holders`: also their balances."""
        r = self.registry.functions.receivable(receivable_id).call()
        supplier, due_date, status, currency, debtor, face_value, document_hash = r
        balances = {Web3.to_checksum_address(h): self.balance(h, receivable_id) for h in holders}
        return ReceivableState(
            id=receivable_id, status=STATUS_NAMES[int(status)], supplier=supplier,
            debtor=debtor, face_value=int(face_value),
            currency=bytes(currency).rstrip(b"\0").decode() if bytes(currency).strip(b"\0") else "",
            due_date=int(due_date), document_hash=bytes(document_hash), balances=balances,
        )  # fmt: skip

    def receivables(self, receivable_ids: list[int], chunk: int = 200) -> dict[int, tuple]:
        """The registry's `Receivable` record of many ids (supplier, dueDate, status, currency,
        debtor, faceValue, documentHash), in JSON-RPC batches where the node allows it."""
        out: dict[int, tuple] = {}
        for start in range(0, len(receivable_ids), chunk):
            ids = receivable_ids[start : start + chunk]
            try:
                with self.w3.batch_requests() as batch:
                    for rid in ids:
                        batch.add(self.registry.functions.receivable(rid))
                    results = batch.execute()
            except Exception:  # noqa: BLE001 - nodes without batch support: one call each
                results = [self.registry.functions.receivable(rid).call() for rid in ids]
            out.update(zip(ids, (tuple(r) for r in results), strict=True))
        return out

    def statuses(self, receivable_ids: list[int], chunk: int = 200) -> dict[int, int]:
        """Status codes of many receivables (0 = not registered)."""
        return {rid: int(r[2]) for rid, r in self.receivables(receivable_ids, chunk).items()}

    def history(
        self, receivable_id: int | None = None
    ) -> list[AuditEvent] | dict[int, list[AuditEvent]]:
        """Events about one receivable (or, with None, about every receivable), from the chain."""
        everything = collect_history(
            self.chain, self.registry, self.escrow, self._from_block("ReceivableRegistry")
        )
        if receivable_id is None:
            return everything
        return everything.get(receivable_id, [])
