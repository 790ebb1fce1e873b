"""Bulk issuance: a validation report for everything, then many receivables per transaction,
journalled so that a run killed at any point and started again issues nothing twice and leaves
nothing out.

Which call is used: the supplier sends every transaction (msg.sender is the registering
supplier). When the integrator also holds the debtor's key (or the debtor signs for it), each
receivable goes out in `registerAndConfirmBatch` with the debtor's EIP-712 signature: registered
and confirmed in one step. When the debtor's key is not available, the receivable goes out in
`registerBatch` and stays Registered until the debtor confirms (`scf confirm`, which sends
`confirmBatch` from the debtor's account). Nothing is ever sent from a key the run does not hold.

Exactly once: (1) the journal marks a batch `sent` with its transaction hash and nonce, fsynced,
before the bytes are broadcast; (2) on start, `reconcile` looks every `sent` hash up (mined:
confirmed or re-planned on revert; unknown: re-planned) and asks the registry the status of
every unfinished receivable (not None: already on chain, done); (3) the registry refuses a
fingerprint twice (FingerprintUsed), so even a duplicate that slipped through would revert.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxReceipt

from scfchain.chain import TransactionError, call_tx
from scfchain.journal import CONFIRMED, FAILED, PLANNED, SENT, Journal
from scfchain.keys import Keyring
from scfchain.noncepool import InFlight, NoncePool, lookup_receipt
from scfchain.records import LoadResult, ReceivableRecord, Rejection
from scfchain.sdk import ScfClient, Terms

DEFAULT_BATCH_SIZE = 50
GAS_HEADROOM_NUM, GAS_HEADROOM_DEN = 13, 10
CACHED_HEADROOM_NUM = 15  # 1.5x the first estimate's gas per receivable
BASE_GAS = 50_000
SIGNATURE_VALIDITY_S = 3_600
MODE_CONFIRM = "registerAndConfirmBatch"
MODE_REGISTER = "registerBatch"


@dataclass(frozen=True)
class ReportRow:
    """One line of the validation report."""

    file: str
    row: int | None
    field: str | None
    reason: str
    stage: str = "input"  # "input" (parsing) or "chain" (checked against the chain)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "stage": self.stage,
        }


def report_row(rejection: Rejection, stage: str = "input") -> ReportRow:
    """Splits "file.csv:ROW" sources into file and row."""
    match = re.fullmatch(r"(.*):(\d+)", rejection.source)
    if match:
        return ReportRow(
            match.group(1), int(match.group(2)), rejection.field, rejection.reason, stage
        )
    return ReportRow(rejection.source, None, rejection.field, rejection.reason, stage)


@dataclass(frozen=True)
class Item:
    """A receivable ready to issue: who sends it, against whom, and how."""

    record: ReceivableRecord
    supplier: str
    debtor: str
    mode: str

    @property
    def fingerprint(self) -> str:
        return "0x" + self.record.fingerprint.hex()

    @property
    def id(self) -> int:
        return int.from_bytes(self.record.fingerprint, "big")


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    report: list[ReportRow] = field(default_factory=list)


def validate(client: ScfClient, loaded: LoadResult, keyring: Keyring) -> Plan:
    """Every input rejection, then chain checks of every record: supplier and debtor admitted
    with their roles, the supplier's key held, the due date still in the future."""
    plan = Plan(report=[report_row(r) for r in loaded.rejections])
    directory = client.party_directory()
    now = client.now()
    roles: dict[tuple[str, str], bool] = {}

    def has(address: str, role: str) -> bool:
        if (address, role) not in roles:
            roles[(address, role)] = client.has_role(address, role)
        return roles[(address, role)]

    def reject(record: ReceivableRecord, fld: str, reason: str) -> None:
        plan.report.append(report_row(Rejection(record.source, reason, fld), "chain"))

    for record in loaded.records:
        supplier = directory.get(record.seller.id_hash)
        debtor = directory.get(record.buyer.id_hash)
        if supplier is None:
            reject(record, "seller", f"seller {record.seller.key} is not a member")
        elif not has(supplier, "SUPPLIER"):
            reject(
                record, "seller", f"seller {record.seller.key} ({supplier}) lacks the SUPPLIER role"
            )
        elif supplier not in keyring:
            reject(record, "seller", f"no key for the seller's account {supplier}")
        elif debtor is None:
            reject(record, "buyer", f"buyer {record.buyer.key} is not a member")
        elif not has(debtor, "DEBTOR"):
            reject(record, "buyer", f"buyer {record.buyer.key} ({debtor}) lacks the DEBTOR role")
        elif Terms.from_record(record, debtor).due_date <= now:
            reject(record, "due date", f"due date {record.due_date} is not in the future on chain")
        else:
            mode = MODE_CONFIRM if debtor in keyring else MODE_REGISTER
            plan.items.append(Item(record, supplier, debtor, mode))
    return plan


@dataclass
class IssueResult:
    confirmed: int = 0  # receivables on chain now (this run or before)
    sent_now: int = 0  # receivables in transactions this run sent
    transactions: int = 0
    already_on_chain: int = 0  # found on chain by reconciliation
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "sent_now": self.sent_now,
            "transactions": self.transactions,
            "already_on_chain": self.already_on_chain,
            "failed": [{"source": s, "reason": r} for s, r in self.failed],
        }


def _hex_to_bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def reconcile(
    client: ScfClient, journal: Journal, fingerprints: Iterable[str] | None = None
) -> int:
    """Settles the journal with the chain; returns how many receivables were found on chain
    that the journal did not yet show as confirmed."""
    by_tx: dict[str, list[str]] = defaultdict(list)
    for entry in journal.entries(SENT):
        by_tx[entry.tx_hash or ""].append(entry.fingerprint)
    for tx_hash, fps in by_tx.items():
        state, receipt = (
            lookup_receipt(client.chain, _hex_to_bytes(tx_hash)) if tx_hash else ("unknown", None)
        )
        if state == "pending":
            receipt = client.chain.w3.eth.wait_for_transaction_receipt(
                _hex_to_bytes(tx_hash), timeout=180
            )
            state = "mined"
        if state == "mined" and receipt is not None and receipt["status"] == 1:
            journal.mark_confirmed(fps, int(receipt["blockNumber"]))
        else:
            journal.mark_planned(
                fps,
                "transaction reverted" if state == "mined" else "transaction not found on the node",
            )
    wanted = set(fingerprints) if fingerprints is not None else None
    unfinished = [
        e.fingerprint
        for e in journal.entries()
        if e.state in (PLANNED, FAILED) and (wanted is None or e.fingerprint in wanted)
    ]
    if not unfinished:
        return 0
    on_chain = registered_on_chain(client)
    found = [(fp, on_chain[int(fp, 16)]) for fp in unfinished if int(fp, 16) in on_chain]
    journal.mark_confirmed_each(found)
    return len(found)


LOG_CHUNK_BLOCKS = 50_000  # many nodes cap the block range of eth_getLogs


def registered_on_chain(client: ScfClient) -> dict[int, int]:
    """Every receivable id ever registered, with its block, from ReceivableRegistered events
    (one eth_getLogs per LOG_CHUNK_BLOCKS blocks, not one call per receivable)."""
    event = client.registry.events.ReceivableRegistered()
    start = client._from_block("ReceivableRegistry")
    latest = int(client.w3.eth.block_number)
    found: dict[int, int] = {}
    while start <= latest:
        end = min(start + LOG_CHUNK_BLOCKS - 1, latest)
        for log in event.get_logs(from_block=start, to_block=end):
            found[int(log["args"]["id"])] = int(log["blockNumber"])
        start = end + 1
    return found


def _revert_reason(client: ScfClient, exc: Exception) -> str:
    if isinstance(exc, ContractCustomError | ContractLogicError):
        return client.chain._explain(exc)
    return str(exc)


def _estimate(
    client: ScfClient,
    sender: str,
    tx: dict[str, Any],
    size: int,
    per_item: dict[str, int],
    mode: str,
) -> int:
    """Gas for a batch of `size`, with headroom; raises TransactionError with the decoded revert
    reason. eth_estimateGas runs the batch many times (slow on Ganache, with a signature check per
    receivable), so it runs once per mode; later batches get the first estimate's gas per
    receivable times `size`, plus headroom, and are sent unchecked: a batch that reverts on chain
    is retried one receivable at a time, each checked with eth_call first."""
    call = {**tx, "from": sender}
    try:
        if mode not in per_item:
            estimate = int(client.w3.eth.estimate_gas(call))
            per_item[mode] = -(-estimate // size)
            return estimate * GAS_HEADROOM_NUM // GAS_HEADROOM_DEN
        if size == 1:  # a receivable retried alone: learn why the chain refuses it
            client.w3.eth.call(call)
    except (ContractCustomError, ContractLogicError, ValueError) as exc:
        raise TransactionError(_revert_reason(client, exc)) from None
    return (per_item[mode] * size + BASE_GAS) * CACHED_HEADROOM_NUM // GAS_HEADROOM_DEN


def _batch_call(
    client: ScfClient, batch: list[Item], mode: str, keyring: Keyring, deadline: int
) -> dict[str, Any]:
    terms = [Terms.from_record(i.record, i.debtor) for i in batch]
    fn = client.registry.functions
    if mode == MODE_REGISTER:
        return call_tx(fn.registerBatch([t.as_tuple() for t in terms]))
    signatures = []
    for item, t in zip(batch, terms, strict=True):
        debtor = keyring.get(item.debtor)
        assert debtor is not None
        signatures.append(client.sign_confirmation(debtor, t, item.supplier, deadline).as_tuple())
    return call_tx(fn.registerAndConfirmBatch([t.as_tuple() for t in terms], signatures))


def issue(
    client: ScfClient,
    items: list[Item],
    journal: Journal,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    window: int = 16,
    progress: Callable[[int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> IssueResult:
    """Issues `items` in batches, journalled; safe to run again after a crash."""
    journal.bind(client.chain.chain_id, client.registry.address)
    journal.plan((i.fingerprint, i.record.source, i.supplier) for i in items)
    result = IssueResult()
    result.already_on_chain = reconcile(client, journal, [i.fingerprint for i in items])
    state = {e.fingerprint: e for e in journal.entries()}
    todo = [i for i in items if state[i.fingerprint].state != CONFIRMED]
    done_before = len(items) - len(todo)
    if progress:
        progress(done_before)
    by_source = {i.fingerprint: i.record.source for i in items}

    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in todo:
        groups[(item.supplier, item.mode)].append(item)

    def mined(flight: InFlight, receipt: TxReceipt) -> None:
        fps: list[str] = flight.payload
        if receipt["status"] == 1:
            journal.mark_confirmed(fps, int(receipt["blockNumber"]))
            if progress:
                progress(len(fps))
        elif all(fp in retried for fp in fps):  # reverted again when sent alone
            for fp in fps:
                journal.mark_failed(fp, "reverted on chain when sent alone")
        else:  # e.g. a credit line used up by an earlier batch still pending at estimation
            journal.mark_planned(fps, "batch reverted on chain")
            retry.extend(fps)

    retry: list[str] = []
    retried: set[str] = set()
    per_item: dict[str, int] = {}
    for (supplier, mode), group in groups.items():
        signer = keyring.get(supplier)
        assert signer is not None
        pool = NoncePool(client.chain, signer.account, window=window, on_mined=mined)
        queue = [group[k : k + batch_size] for k in range(0, len(group), batch_size)]
        by_fp = {i.fingerprint: i for i in group}
        while queue:
            batch = queue.pop(0)
            sent = _send_batch(
                client,
                pool,
                signer.account,
                batch,
                mode,
                keyring,
                journal,
                result,
                by_source,
                log,
                per_item,
            )
            if not sent and len(batch) > 1:  # isolate the receivable(s) the chain refuses
                queue[0:0] = [[i] for i in batch]
            if not queue:
                pool.drain()
                if retry:
                    retry_items = [by_fp[fp] for fp in retry if fp in by_fp]
                    retried.update(retry)
                    retry.clear()
                    queue = [[i] for i in retry_items if _status(client, i) == 0]
        pool.drain()
    reconcile(client, journal, [i.fingerprint for i in items])
    final = {e.fingerprint: e for e in journal.entries()}
    result.confirmed = sum(final[i.fingerprint].state == CONFIRMED for i in items)
    result.failed = [
        (i.record.source, final[i.fingerprint].reason or "not issued")
        for i in items
        if final[i.fingerprint].state != CONFIRMED
    ]
    return result


def _status(client: ScfClient, item: Item) -> int:
    return int(client.registry.functions.receivable(item.id).call()[2])


def _send_batch(
    client: ScfClient,
    pool: NoncePool,
    account: LocalAccount,
    batch: list[Item],
    mode: str,
    keyring: Keyring,
    journal: Journal,
    result: IssueResult,
    by_source: dict[str, str],
    log: Callable[[str], None] | None,
    per_item: dict[str, int],
) -> bool:
    """Estimates, journals, then broadcasts one batch; False when the chain refuses it."""
    fps = [i.fingerprint for i in batch]
    deadline = client.now() + SIGNATURE_VALIDITY_S
    tx = _batch_call(client, batch, mode, keyring, deadline)
    try:
        gas = _estimate(client, account.address, tx, len(batch), per_item, mode)
    except TransactionError as exc:
        if len(batch) == 1:
            journal.mark_failed(fps[0], str(exc))
            if log:
                log(f"not issued: {by_source[fps[0]]}: {exc}")
        return False
    tx_hash, raw, nonce = pool.sign(tx, gas)
    journal.mark_sent(fps, "0x" + tx_hash.hex(), account.address, nonce, mode)
    try:
        pool.broadcast(tx_hash, raw, nonce, payload=fps)
    except TransactionError as exc:
        journal.mark_planned(fps, str(exc))
        return False
    result.sent_now += len(batch)
    result.transactions += 1
    return True
