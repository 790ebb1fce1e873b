"""Issuance throughput: receivables per second from files to confirmed receipts.

The examples/ invoices (e-invoices and CSV rows alike) are replicated to N records with unique
invoice numbers, written as files, then timed end to end: parsing and validation
(`load_inputs`), the debtor's EIP-712 signature, the registerAndConfirm transaction(s) and
their receipts. Three modes, each on its own records:

- single: one transaction per receivable, sent and waited for one after another through the
  project's `Chain.send` as it is (gas estimated once per function, then checked by eth_call);
- single_pipelined: one transaction per receivable, all sent with an explicit gas limit, then
  all receipts awaited;
- batch: registerAndConfirmBatch of up to BATCH_SIZE receivables of one supplier, all batches
  sent (explicit gas limit from one estimate) before any receipt is awaited.

Where the time goes is measured with time.perf_counter in buckets: the project's own Python
(parse, prepare, EIP-712 signing, transaction signing), web3.py's ABI encoding, and the node
(the HTTP round trips, timed inside the requests session, plus the sleeps of receipt polling).
What is left is other client Python: web3.py's request/response formatting and middleware,
JSON, and the loop itself.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3.exceptions import TransactionNotFound
from web3.types import TxReceipt

from scfchain.artifacts import suite_error_decoder
from scfchain.chain import Chain, TransactionError, account_from_key, call_tx
from scfchain.currencies import minor_units
from scfchain.demo import GAS_MONEY_WEI, demo_key, issue_time
from scfchain.devnet import LocalNode, dev_private_keys
from scfchain.inputs import load_inputs
from scfchain.records import Party, ReceivableRecord
from scfchain.sdk import Terms
from scfchain.signing import NonceAllocator, sign_confirmation
from scfchain.suite import ROLES, Suite, deploy_suite

BATCH_SIZE = 100
POLL_S = 0.005
SIGNATURE_VALIDITY_S = 86_400
CREDIT_LINE = 2**200
GAS_HEADROOM_NUM, GAS_HEADROOM_DEN = 6, 5
CSV_HEADER = (
    "invoice_number", "seller_id", "seller_name", "buyer_id", "buyer_name",
    "issue_date", "due_date", "currency", "amount",
)  # fmt: skip
MODE_TAGS = {"single": "S", "single_pipelined": "P", "batch": "B"}
PROJECT_BUCKETS = ("parse", "prepare", "sign_eip712", "sign_tx")
WEB3_BUCKETS = ("encode", "send_client", "receipt_client")
NODE_BUCKETS = ("node_http", "node_poll")


# --- the inputs -------------------------------------------------------------------------


def _amount_text(minor: int, currency: str) -> str:
    digits = minor_units(currency)
    if digits == 0:
        return str(minor)
    return f"{minor // 10**digits}.{minor % 10**digits:0{digits}d}"


def generate_inputs(examples: Path, out_dir: Path, count: int, tag: str) -> None:
    """Writes `count` invoices to `out_dir`, made from the examples' records in turn: each
    e-invoice copied with a new invoice number, each CSV row repeated with a new number and an
    amount a few cents apart. Every invoice number is unique (`tag` tells runs apart)."""
    templates = load_inputs([examples]).records
    if not templates:
        raise ValueError(f"no invoices in {examples}")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[list[str]] = []
    for i in range(count):
        record = templates[i % len(templates)]
        number = f"{record.invoice_number}-{tag}{i:06d}"
        if record.syntax == "CSV":
            rows.append(_csv_row(record, number, i))
        else:
            source = Path(record.source)
            text = source.read_text(encoding="utf-8")
            copied = text.replace(f">{record.invoice_number}<", f">{number}<")
            (out_dir / f"{tag}{i:06d}-{source.name}").write_text(copied, encoding="utf-8")
    if rows:
        with (out_dir / f"{tag}-receivables.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_HEADER)
            writer.writerows(rows)


def _csv_row(record: ReceivableRecord, number: str, i: int) -> list[str]:
    return [
        number, record.seller.key, record.seller.name, record.buyer.key, record.buyer.name,
        record.issue_date.isoformat(), record.due_date.isoformat(), record.currency,
        _amount_text(record.amount_minor + i % 97, record.currency),
    ]  # fmt: skip


# --- timing -----------------------------------------------------------------------------


FIRST_TIME_SLOTS_GAS = 2 * 22_100


class Clock:
    """Seconds spent per bucket, exclusive: time in a nested bucket (an HTTP round trip inside
    a send) counts for the inner bucket only."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._open: list[list[Any]] = []  # [bucket, start of its current stretch]

    @contextmanager
    def track(self, bucket: str) -> Iterator[None]:
        now = time.perf_counter()
        if self._open:
            parent = self._open[-1]
            self.seconds[parent[0]] += now - parent[1]
        self._open.append([bucket, now])
        try:
            yield
        finally:
            end = time.perf_counter()
            name, start = self._open.pop()
            self.seconds[name] += end - start
            if self._open:
                self._open[-1][1] = end

    def reset(self) -> None:
        self.seconds.clear()


class TimedSession(requests.Session):
    """A requests session that adds the time of each HTTP round trip to a Clock."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def post(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self.clock.track("node_http"):
            return super().post(*args, **kwargs)


class TimedAccount:
    """A LocalAccount whose transaction signing is timed (Chain.send uses only `address` and
    `sign_transaction`)."""

    def __init__(self, account: LocalAccount, clock: Clock) -> None:
        self._account = account
        self._clock = clock
        self.address = account.address

    def sign_transaction(self, tx: dict[str, Any]) -> Any:
        with self._clock.track("sign_tx"):
            return self._account.sign_transaction(tx)


# --- one node ---------------------------------------------------------------------------


@dataclass
class Issuer:
    """The suite on one node, with every party of the inputs admitted and given credit."""

    chain: Chain
    suite: Suite
    clock: Clock
    accounts: dict[str, LocalAccount] = field(default_factory=dict)
    nonces: NonceAllocator = field(default_factory=NonceAllocator)
    parsed: int = 0

    def account(self, party: Party) -> LocalAccount:
        return self.accounts[party.key]

    def admit(self, records: list[ReceivableRecord], operator: LocalAccount) -> None:
        roles: dict[str, set[str]] = defaultdict(set)
        parties: dict[str, Party] = {}
        for r in records:
            roles[r.seller.key].add("SUPPLIER")
            roles[r.buyer.key].add("DEBTOR")
            parties[r.seller.key], parties[r.buyer.key] = r.seller, r.buyer
        pending = []
        for key, party in sorted(parties.items()):
            if key in self.accounts:
                continue
            account = account_from_key(demo_key(party))
            self.accounts[key] = account
            pending.append(self.chain.send_value(operator, account.address, GAS_MONEY_WEI))
            admit = self.suite.members.functions.admit(
                account.address, party.id_hash, [ROLES[r] for r in sorted(roles[key])]
            )
            pending.append(self.chain.send(operator, call_tx(admit)))
            if "DEBTOR" in roles[key]:
                line = self.suite.registry.functions.setCreditLine(account.address, CREDIT_LINE)
                pending.append(self.chain.send(operator, call_tx(line), gas=100_000))
        for tx_hash in pending:
            self.chain.wait(tx_hash, "set-up")

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    # --- the timed work -------------------------------------------------------------

    def signed_terms(self, record: ReceivableRecord, deadline: int) -> tuple[Any, Any]:
        with self.clock.track("prepare"):
            supplier, debtor = self.account(record.seller), self.account(record.buyer)
            terms = Terms.from_record(record, debtor.address).as_tuple()
        with self.clock.track("sign_eip712"):
            signed = sign_confirmation(
                debtor, chain_id=self.chain.chain_id, registry=self.suite.registry.address,
                receivable_id=int.from_bytes(record.fingerprint, "big"),
                supplier=supplier.address, face_value=record.amount_minor,
                currency=record.currency.encode(), due_date=record.due_timestamp,
                document_hash=record.document_hash, deadline=deadline,
                nonce=self.nonces.next(debtor.address),
            )  # fmt: skip
        return terms, signed.as_tuple()

    def encode(self, function: str, *args: Any) -> dict[str, Any]:
        """The transaction's `to` and `data`: web3.py checks the arguments and ABI-encodes."""
        with self.clock.track("encode"):
            return call_tx(self.suite.registry.functions[function](*args))

    def send(self, seller: Party, tx: dict[str, Any], gas: int | None) -> bytes:
        account = TimedAccount(self.account(seller), self.clock)
        with self.clock.track("send_client"):
            return self.chain.send(account, tx, gas)  # type: ignore[arg-type]

    def wait(self, tx_hash: bytes) -> TxReceipt:
        while True:
            try:
                with self.clock.track("receipt_client"):
                    receipt = self.chain.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                with self.clock.track("node_poll"):
                    time.sleep(POLL_S)
                continue
            if receipt["status"] != 1:
                raise TransactionError(f"transaction 0x{tx_hash.hex()} reverted")
            return receipt

    def estimate(self, seller: Party, tx: dict[str, Any]) -> int:
        tx = {**tx, "from": self.account(seller).address}
        with self.clock.track("send_client"):
            estimate = int(self.chain.w3.eth.estimate_gas(tx))
        # One estimate serves many transactions: room for the first-time slots a later one may open
        # that the estimated one did not (a debtor's first credit use, a new nonce-bitmap word).
        return estimate * GAS_HEADROOM_NUM // GAS_HEADROOM_DEN + FIRST_TIME_SLOTS_GAS

    def parse(self, folder: Path) -> list[ReceivableRecord]:
        with self.clock.track("parse"):
            loaded = load_inputs([folder])
        if loaded.rejections:
            raise ValueError(f"{len(loaded.rejections)} generated inputs rejected: {loaded.rejections[0]}")  # fmt: skip
        self.parsed = len(loaded.records)
        return loaded.records

    def single(self, folder: Path) -> list[TxReceipt]:
        """One registerAndConfirm per receivable, each awaited before the next is sent."""
        records = self.parse(folder)
        deadline = self.now() + SIGNATURE_VALIDITY_S
        receipts = []
        for record in records:
            tx = self.encode("registerAndConfirm", *self.signed_terms(record, deadline))
            receipts.append(self.wait(self.send(record.seller, tx, None)))
        return receipts

    def single_pipelined(self, folder: Path) -> list[TxReceipt]:
        """One registerAndConfirm per receivable, all sent, then all awaited."""
        records = self.parse(folder)
        deadline = self.now() + SIGNATURE_VALIDITY_S
        gas: int | None = None
        hashes = []
        for record in records:
            tx = self.encode("registerAndConfirm", *self.signed_terms(record, deadline))
            gas = gas or self.estimate(record.seller, tx)
            hashes.append(self.send(record.seller, tx, gas))
        return [self.wait(h) for h in hashes]

    def batch(self, folder: Path) -> list[TxReceipt]:
        """registerAndConfirmBatch per supplier in batches, all sent, then all awaited."""
        records = self.parse(folder)
        deadline = self.now() + SIGNATURE_VALIDITY_S
        by_seller: dict[str, list[ReceivableRecord]] = defaultdict(list)
        for record in records:
            by_seller[record.seller.key].append(record)
        gas: int | None = None
        hashes = []
        for group in by_seller.values():
            for start in range(0, len(group), BATCH_SIZE):
                chunk = group[start : start + BATCH_SIZE]
                pairs = [self.signed_terms(r, deadline) for r in chunk]
                tx = self.encode(
                    "registerAndConfirmBatch", [t for t, _ in pairs], [s for _, s in pairs]
                )
                gas = gas or self.estimate(chunk[0].seller, tx)
                hashes.append(self.send(chunk[0].seller, tx, gas))
        return [self.wait(h) for h in hashes]


@dataclass
class ModeResult:
    records: int
    seconds: float
    buckets: dict[str, float]
    gas_per_receivable: float

    @property
    def per_s(self) -> float:
        return self.records / self.seconds

    def share(self, names: tuple[str, ...]) -> float:
        return sum(self.buckets.get(n, 0.0) for n in names) / self.seconds

    def to_json(self) -> dict[str, Any]:
        project = self.share(PROJECT_BUCKETS)
        client = self.share(WEB3_BUCKETS)
        node = self.share(NODE_BUCKETS)
        return {
            "records": self.records,
            "seconds": round(self.seconds, 3),
            "per_s": round(self.per_s, 2),
            "gas_per_receivable": round(self.gas_per_receivable),
            "project_python_share": round(project, 4),
            "web3_client_share": round(client, 4),
            "node_share": round(node, 4),
            "unaccounted_share": round(1 - project - client - node, 4),
            "seconds_by_bucket": {k: round(v, 3) for k, v in sorted(self.buckets.items())},
        }


def timed(issuer: Issuer, run: Callable[[Path], list[TxReceipt]], folder: Path) -> ModeResult:
    issuer.clock.reset()
    start = time.perf_counter()
    receipts = run(folder)
    seconds = time.perf_counter() - start
    records = issuer.parsed
    gas = sum(int(r["gasUsed"]) for r in receipts)
    return ModeResult(records, seconds, dict(issuer.clock.seconds), gas / max(records, 1))


def run_node(
    kind: str, examples: Path, work_dir: Path, counts: dict[str, int], log: Callable[[str], None]
) -> dict[str, ModeResult]:
    """Starts a `kind` node, deploys and admits, then times each mode on fresh invoices."""
    folders = {}
    for mode, count in counts.items():
        folders[mode] = work_dir / f"{kind}-{mode}"
        generate_inputs(examples, folders[mode], count, MODE_TAGS[mode])
    templates = load_inputs([examples]).records
    genesis = min(issue_time(r) for r in templates) - timedelta(hours=1)
    clock = Clock()
    with LocalNode(kind=kind, start_time=genesis, log_path=work_dir / f"{kind}.log") as node:
        session = TimedSession(clock)
        w3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 300}, session=session))
        setup_chain = Chain(w3, suite_error_decoder())
        operator = account_from_key(dev_private_keys(1)[0])
        suite, _ = deploy_suite(setup_chain, operator, sorted({r.currency for r in templates}))
        issuer = Issuer(setup_chain, suite, clock)
        issuer.admit(templates, operator)
        results: dict[str, ModeResult] = {}
        for mode in counts:
            issuer.chain = Chain(w3, suite_error_decoder())  # a fresh client: no cached gas
            results[mode] = timed(issuer, getattr(issuer, mode), folders[mode])
            r = results[mode]
            log(f"  {kind} {mode}: {r.records} receivables in {r.seconds:.1f} s = {r.per_s:.1f}/s")
    return results
