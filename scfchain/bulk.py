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
During a run, a transaction the node dropped is sent again with its nonce, and one replaced by
another transaction with its nonce sends its receivables back to planned: after the pool is
drained, those not on chain go out again (noncepool). `scfchain.reconcile` compares a journal
with the chain afterwards (`scf reconcile`).

Batch size: --batch-size is an upper bound. The first batch of each call is a probe of at most
PROBE_SIZE receivables whose estimate gives the gas per receivable; later batches are capped by
`max_batch` so that their gas limit stays under 90% of the block gas limit (docs/limits.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.types import TxReceipt

from scfchain.chain import TransactionError, call_tx, rpc_message
from scfchain.currencies import format_amount
from scfchain.journal import CONFIRMED, FAILED, PLANNED, SENT, Journal
from scfchain.keys import Keyring
from scfchain.noncepool import InFlight, NonceConflict, NoncePool, lookup_receipt
from scfchain.records import LoadResult, ReceivableRecord, Rejection
from scfchain.sdk import ScfClient, Terms
from scfchain.signing import SIGNATURE_VALIDITY_S

DEFAULT_BATCH_SIZE = 50
GAS_HEADROOM_NUM, GAS_HEADROOM_DEN = 13, 10
CACHED_HEADROOM_NUM = 15  # 1.5x the first estimate's gas per receivable
BASE_GAS = 50_000
PROBE_SIZE = 20  # the first batch of a mode, whose estimate gives the gas per receivable
BLOCK_FILL_NUM, BLOCK_FILL_DEN = 9, 10  # a batch's gas limit stays under 90% of a block's
MAX_NONCE_CONFLICTS = 5
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
    on_chain: bool = False  # registered before, with these very terms (found when validating)

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
    """Every input rejection, then chain checks of every record: a settlement token deployed
    for its currency, supplier and debtor admitted with their roles, the supplier's key held;
    then either the receivable is already on chain with the same terms (kept, `on_chain`: a
    rerun), on chain with other terms (rejected: a re-export cannot change a registered
    receivable), or new, and then its due date must still be in the future."""
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

    deployed = sorted(client.deployment.settlement_tokens)
    candidates: list[tuple[ReceivableRecord, str, str]] = []
    for record in loaded.records:
        supplier = directory.get(record.seller.id_hash)
        debtor = directory.get(record.buyer.id_hash)
        if record.currency not in client.deployment.settlement_tokens:
            reject(
                record,
                "currency",
                f"currency {record.currency} has no settlement token in this deployment "
                f"(deployed: {', '.join(deployed) or 'none'}): it could never be repaid",
            )
        elif supplier is None:
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
        else:
            candidates.append((record, supplier, debtor))
    registered = client.receivables(
        [int.from_bytes(r.fingerprint, "big") for r, _, _ in candidates]
    )
    for record, supplier, debtor in candidates:
        terms = Terms.from_record(record, debtor)
        found = registered[terms.id]
        differences = _differences(found, supplier, terms) if int(found[2]) else []
        if differences:
            fld, reason = differences[0]
            reject(record, fld, f"invoice {record.invoice_number} is already on chain with "
                   f"{reason}: a re-export cannot change a registered receivable")  # fmt: skip
        elif not int(found[2]) and terms.due_date <= now:
            reject(record, "due date", f"due date {record.due_date} is not in the future on chain")
        else:
            mode = MODE_CONFIRM if debtor in keyring else MODE_REGISTER
            plan.items.append(Item(record, supplier, debtor, mode, on_chain=bool(int(found[2]))))
    order = {record.source: n for n, record in enumerate(loaded.records)}
    inputs, chain = plan.report[: len(loaded.rejections)], plan.report[len(loaded.rejections) :]
    plan.report = inputs + sorted(chain, key=lambda row: order.get(_source(row), len(order)))
    return plan


def _source(row: ReportRow) -> str:
    return f"{row.file}:{row.row}" if row.row is not None else row.file


def _differences(found: tuple, supplier: str, terms: Terms) -> list[tuple[str, str]]:
    """(field, "other X (there, here)") for each term of the on-chain `Receivable` record
    `found` that differs from what the input says now."""
    there_supplier, due, _, currency, debtor, face, document = found
    there_currency = bytes(currency).decode("ascii", "replace")
    checks = [
        ("seller", there_supplier.lower() == supplier.lower(), f"another supplier {there_supplier}"),
        ("buyer", debtor.lower() == terms.debtor.lower(), f"another debtor {debtor}"),
        ("amount", int(face) == terms.face_value,
         f"another face value ({format_amount(int(face), there_currency)} there, "
         f"{format_amount(terms.face_value, terms.currency)} here)"),
        ("currency", there_currency == terms.currency,
         f"another currency ({there_currency} there, {terms.currency} here)"),
        ("due date", int(due) == terms.due_date,
         f"another due date ({_day(int(due))} there, {_day(terms.due_date)} here)"),
        ("document", bytes(document) == terms.document_hash, "another document hash"),
    ]  # fmt: skip
    return [(fld, reason) for fld, same, reason in checks if not same]


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


@dataclass
class IssueResult:
    confirmed: int = 0  # receivables on chain now (this run or before)
    sent_now: int = 0  # receivables in transactions this run sent
    transactions: int = 0
    already_on_chain: int = 0  # on chain before this run sent anything
    found_by_reconcile: int = 0  # of those, on chain but not yet confirmed in the journal
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "sent_now": self.sent_now,
            "transactions": self.transactions,
            "already_on_chain": self.already_on_chain,
            "found_by_reconcile": self.found_by_reconcile,
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
    on_chain = registrations_on_chain(client)
    found = [
        (fp, on_chain[int(fp, 16)].block, on_chain[int(fp, 16)].tx_hash)
        for fp in unfinished
        if int(fp, 16) in on_chain
    ]
    journal.mark_found(found)
    return len(found)


def _replan_confirmed_but_missing(client: ScfClient, journal: Journal, items: list[Item]) -> None:
    """A journal says confirmed, the chain says never registered: the chain was reset (a dev
    chain restarted without its database, same chain id and addresses). Such entries go back
    to planned. Only entries validation did not already find on chain are asked about."""
    confirmed = {e.fingerprint for e in journal.entries(CONFIRMED)}
    doubtful = [i for i in items if i.fingerprint in confirmed and not i.on_chain]
    if not doubtful:
        return
    statuses = client.statuses([i.id for i in doubtful])
    missing = [i.fingerprint for i in doubtful if statuses[i.id] == 0]
    if missing:
        journal.mark_planned(missing, "journalled as confirmed but not on chain (chain reset?)")


LOG_CHUNK_BLOCKS = 50_000  # many nodes cap the block range of eth_getLogs


@dataclass(frozen=True)
class Registration:
    """Where the chain registered a receivable (the first time), and how many times it did."""

    block: int
    tx_hash: str
    count: int = 1


def registrations_on_chain(client: ScfClient) -> dict[int, Registration]:
    """Every receivable id ever registered, from ReceivableRegistered events (one eth_getLogs
    per LOG_CHUNK_BLOCKS blocks, not one call per receivable)."""
    event = client.registry.events.ReceivableRegistered()
    start = client._from_block("ReceivableRegistry")
    latest = int(client.w3.eth.block_number)
    found: dict[int, Registration] = {}
    while start <= latest:
        end = min(start + LOG_CHUNK_BLOCKS - 1, latest)
        for log in event.get_logs(from_block=start, to_block=end):
            rid = int(log["args"]["id"])
            if rid in found:
                first = found[rid]
                found[rid] = Registration(first.block, first.tx_hash, first.count + 1)
            else:
                found[rid] = Registration(
                    int(log["blockNumber"]), "0x" + log["transactionHash"].hex().removeprefix("0x")
                )
        start = end + 1
    return found


def registered_on_chain(client: ScfClient) -> dict[int, int]:
    """Every receivable id ever registered, with the block of its registration."""
    return {rid: r.block for rid, r in registrations_on_chain(client).items()}


def _revert_reason(client: ScfClient, exc: Exception) -> str:
    if isinstance(exc, ContractCustomError | ContractLogicError):
        return client.chain._explain(exc)
    return rpc_message(exc)


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
    except (ContractCustomError, ContractLogicError, Web3RPCError, ValueError) as exc:
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


def max_batch(per_item_gas: int, block_gas_limit: int) -> int:
    """The most receivables per transaction whose gas limit (as `_estimate` sets it, with
    headroom) stays within BLOCK_FILL of the block gas limit."""
    budget = block_gas_limit * BLOCK_FILL_NUM // BLOCK_FILL_DEN
    return max(1, (budget * GAS_HEADROOM_DEN // CACHED_HEADROOM_NUM - BASE_GAS) // per_item_gas)


def _chunks(items: list[Item], size: int) -> list[list[Item]]:
    return [items[k : k + size] for k in range(0, len(items), size)]


@dataclass
class _Run:
    """What one `issue` call shares between its batches."""

    client: ScfClient
    journal: Journal
    keyring: Keyring
    result: IssueResult
    by_source: dict[str, str]
    log: Callable[[str], None] | None
    batch_size: int
    per_item: dict[str, int] = field(default_factory=dict)  # mode -> gas per receivable
    block_gas_limit: int = 0

    def size_for(self, mode: str) -> int:
        """Receivables per batch: --batch-size, capped so that a batch fits a block; a small
        probe batch first while the gas per receivable of `mode` is not known yet."""
        if mode not in self.per_item:
            return min(self.batch_size, PROBE_SIZE)
        return min(self.batch_size, max_batch(self.per_item[mode], self.block_gas_limit))


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
    result.found_by_reconcile = reconcile(client, journal, [i.fingerprint for i in items])
    _replan_confirmed_but_missing(client, journal, items)
    state = {e.fingerprint: e for e in journal.entries()}
    todo = [i for i in items if state[i.fingerprint].state != CONFIRMED]
    done_before = len(items) - len(todo)
    result.already_on_chain = done_before
    if progress:
        progress(done_before)
    run = _Run(
        client, journal, keyring, result, {i.fingerprint: i.record.source for i in items}, log,
        batch_size, block_gas_limit=int(client.w3.eth.get_block("latest")["gasLimit"]),
    )  # fmt: skip

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

    def replaced(flight: InFlight) -> None:
        """Another transaction took this one's nonce: back to planned; the chain decides
        (after the drain) which of its receivables still need sending."""
        fps: list[str] = flight.payload
        journal.mark_planned(
            fps, f"transaction 0x{flight.tx_hash.hex()} replaced: nonce {flight.nonce} was used"
        )
        requeue.extend(fps)
        if log:
            log(f"nonce {flight.nonce} was used by another transaction: {len(fps)} re-planned")

    retry: list[str] = []
    retried: set[str] = set()
    requeue: list[str] = []
    for (supplier, mode), group in groups.items():
        signer = keyring.get(supplier)
        assert signer is not None
        pool = NoncePool(
            client.chain, signer.account, window=window, on_mined=mined, on_replaced=replaced
        )
        first = run.size_for(mode)
        queue = [group[:first], *_chunks(group[first:], batch_size)] if group else []
        sized = mode in run.per_item
        by_fp = {i.fingerprint: i for i in group}
        conflicts = 0
        while queue:
            batch = queue.pop(0)
            try:
                sent = _send_batch(run, pool, signer.account, batch, mode)
            except NonceConflict:
                conflicts += 1
                if conflicts > MAX_NONCE_CONFLICTS:
                    raise
                queue.insert(0, batch)  # the pool re-reads its nonce; the same batch again
                continue
            if not sent and len(batch) > 1:  # isolate the receivable(s) the chain refuses
                queue[0:0] = [[i] for i in batch]
            if not sized and mode in run.per_item:  # gas per receivable now known: re-size
                sized = True
                singles = [b for b in queue if len(b) == 1]
                rest = [i for b in queue if len(b) > 1 for i in b]
                queue = singles + _chunks(rest, run.size_for(mode))
            if not queue:
                pool.drain()
                if retry:
                    retry_items = [by_fp[fp] for fp in retry if fp in by_fp]
                    retried.update(retry)
                    retry.clear()
                    queue = [[i] for i in retry_items if _status(client, i) == 0]
                if requeue:
                    again = [by_fp[fp] for fp in requeue if fp in by_fp]
                    requeue.clear()
                    unsent = [i for i in again if _status(client, i) == 0]
                    queue += _chunks(unsent, run.size_for(mode))
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
    run: _Run, pool: NoncePool, account: LocalAccount, batch: list[Item], mode: str
) -> bool:
    """Estimates, journals, then broadcasts one batch; False when the chain refuses it."""
    client, journal = run.client, run.journal
    fps = [i.fingerprint for i in batch]
    deadline = client.now() + SIGNATURE_VALIDITY_S
    tx = _batch_call(client, batch, mode, run.keyring, deadline)
    try:
        gas = _estimate(client, account.address, tx, len(batch), run.per_item, mode)
    except TransactionError as exc:
        if len(batch) == 1:
            journal.mark_failed(fps[0], str(exc))
            if run.log:
                run.log(f"not issued: {run.by_source[fps[0]]}: {exc}")
        return False
    tx_hash, raw, nonce = pool.sign(tx, gas)
    journal.mark_sent(fps, "0x" + tx_hash.hex(), account.address, nonce, mode)
    try:
        pool.broadcast(tx_hash, raw, nonce, payload=fps)
    except TransactionError as exc:  # NonceConflict too: nothing of this batch went out
        journal.mark_planned(fps, str(exc))
        if isinstance(exc, NonceConflict):
            raise
        return False
    run.result.sent_now += len(batch)
    run.result.transactions += 1
    return True
