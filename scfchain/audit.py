"""The audit trail, rebuilt from chain events alone: who did what to which receivable, when.

`collect_history` reads every event of the registry, the escrow (and the document anchor) and
groups them by receivable, in chain order, each with the account that sent its transaction, its
block, transaction and block time. `build_trail` adds what an auditor needs around that: each
receivable's terms and status as the registry holds them, the members (party-id hash and roles,
from MemberAdmitted/RoleGranted events) and the block range read. Nothing here reads local
state: a manifest gives the addresses, the chain gives the rest. Rendering is in audit_export
(JSON, CSV) and audit_html (the page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from web3.contract import Contract

from scfchain.audit_describe import STATUS_NAMES, format_amount, utc_text
from scfchain.chain import Chain

REGISTRY_EVENTS = (
    "ReceivableRegistered",
    "ReceivableConfirmed",
    "ReceivableRejected",
    "ReceivableDisputed",
    "ReceivableCancelled",
    "StatusChanged",
    "TransferSingle",
    "TransferBatch",
)
ESCROW_EVENTS = (
    "FinancingRequested",
    "FinancingApproved",
    "FinancingRejected",
    "FinancingCancelled",
    "Repaid",
    "Redeemed",
    "DefaultRecorded",
    "RecourseClaimed",
    "RecourseDebtPaid",
    "ReserveReleased",
)
ANCHOR_EVENTS = ("DocumentAnchored",)
MEMBER_EVENTS = ("MemberAdmitted", "MemberExpelled", "RoleGranted", "RoleRevoked")
ZERO_ADDRESS = "0x" + "00" * 20
LOG_CHUNK_BLOCKS = 50_000  # eth_getLogs block range per request (nodes cap the range)
RPC_BATCH = 200  # transactions or blocks per JSON-RPC batch


@dataclass(frozen=True)
class AuditEvent:
    """One event about one receivable."""

    receivable_id: int
    event: str
    contract: str
    actor: str  # the account that sent the transaction
    block: int
    transaction: str
    log_index: int
    timestamp: int
    args: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "contract": self.contract,
            "actor": self.actor,
            "block": self.block,
            "transaction": self.transaction,
            "log_index": self.log_index,
            "timestamp": self.timestamp,
            "args": {k: _jsonable(v) for k, v in self.args.items()},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)
    return value


# --- reading logs -------------------------------------------------------------------------------


def fetch_events(
    chain: Chain,
    contract: Contract,
    names: Iterable[str],
    from_block: int,
    to_block: int,
    chunk: int = LOG_CHUNK_BLOCKS,
) -> list[Any]:
    """The decoded events `names` of `contract` in [from_block, to_block]: one eth_getLogs per
    `chunk` blocks for all of them, decoded by their topic."""
    by_topic = {}
    for name in names:
        event = getattr(contract.events, name)
        by_topic[bytes.fromhex(event.topic.removeprefix("0x"))] = event()
    decoded = []
    start = from_block
    while start <= to_block:
        end = min(start + chunk - 1, to_block)
        logs = chain.w3.eth.get_logs(
            {"address": contract.address, "fromBlock": start, "toBlock": end}
        )
        for log in logs:
            topics = log.get("topics") or []
            event = by_topic.get(bytes(topics[0])) if topics else None
            if event is not None:
                decoded.append(event.process_log(log))
        start = end + 1
    return decoded


def _split_batch(args: dict[str, Any]) -> list[dict[str, Any]]:
    """A TransferBatch as one TransferSingle-like args dict per id."""
    common = {"operator": args["operator"], "from": args["from"], "to": args["to"]}
    return [
        {**common, "id": i, "value": v} for i, v in zip(args["ids"], args["values"], strict=True)
    ]


def collect_history(
    chain: Chain,
    registry: Contract,
    escrow: Contract,
    from_block: int = 0,
    to_block: int | None = None,
    anchor: Contract | None = None,
) -> dict[int, list[AuditEvent]]:
    """Every event of the registry and the escrow (and of the document anchor, when given),
    grouped by receivable id, in chain order (block, log index)."""
    last = int(chain.w3.eth.block_number) if to_block is None else to_block
    raw: list[tuple[str, Any]] = []
    sources = [("ReceivableRegistry", registry, REGISTRY_EVENTS)]
    sources.append(("FinancingEscrow", escrow, ESCROW_EVENTS))
    if anchor is not None:
        sources.append(("DocumentAnchor", anchor, ANCHOR_EVENTS))
    for contract_name, contract, names in sources:
        raw += [
            (contract_name, log) for log in fetch_events(chain, contract, names, from_block, last)
        ]
    raw.sort(key=lambda item: (item[1]["blockNumber"], item[1]["logIndex"]))

    request_ids: dict[int, int] = {}
    found: list[tuple[str, Any, dict[str, Any], int]] = []  # contract, log, args, receivable
    for contract_name, log in raw:
        args = dict(log["args"])
        if log["event"] == "FinancingRequested":
            request_ids[int(args["requestId"])] = int(args["id"])
        pieces = _split_batch(args) if log["event"] == "TransferBatch" else [args]
        for piece in pieces:
            receivable_id = _receivable_of(piece, request_ids)
            if receivable_id is not None:
                found.append((contract_name, log, piece, receivable_id))

    w3 = chain.w3
    tx_hashes = list(dict.fromkeys(bytes(log["transactionHash"]) for _, log, _, _ in found))
    blocks = list(dict.fromkeys(int(log["blockNumber"]) for _, log, _, _ in found))
    transactions = rpc_each(w3, w3.eth.get_transaction, tx_hashes)
    senders = {h: tx["from"] for h, tx in zip(tx_hashes, transactions, strict=True)}
    headers = rpc_each(w3, w3.eth.get_block, blocks)
    times = {n: int(b["timestamp"]) for n, b in zip(blocks, headers, strict=True)}
    history: dict[int, list[AuditEvent]] = defaultdict(list)
    for contract_name, log, args, receivable_id in found:
        tx_hash, block = bytes(log["transactionHash"]), int(log["blockNumber"])
        history[receivable_id].append(
            AuditEvent(
                receivable_id=receivable_id,
                event=log["event"],
                contract=contract_name,
                actor=senders[tx_hash],
                block=block,
                transaction="0x" + tx_hash.hex(),
                log_index=int(log["logIndex"]),
                timestamp=times[block],
                args=args,
            )
        )
    return dict(history)


def rpc_each(w3: Any, method: Callable[[Any], Any], params: list[Any]) -> list[Any]:
    """`method(p)` for every p, in JSON-RPC batches of RPC_BATCH where the node allows it
    (one request each where it does not)."""
    results: list[Any] = []
    for start in range(0, len(params), RPC_BATCH):
        chunk = params[start : start + RPC_BATCH]
        try:
            with w3.batch_requests() as batch:
                for param in chunk:
                    batch.add(method(param))
                answers = list(batch.execute())
            if len(answers) != len(chunk):
                raise ValueError("batch answered short")
        except Exception:  # noqa: BLE001 - nodes without batch support: one request each
            answers = [method(param) for param in chunk]
        results += answers
    return results


def _receivable_of(args: dict[str, Any], request_ids: dict[int, int]) -> int | None:
    if "id" in args:
        return int(args["id"])
    if "requestId" in args:
        return request_ids.get(int(args["requestId"]))
    return None


# --- members and terms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A member account as the member registry's events describe it."""

    address: str
    party_id_hash: str  # 0x-hex keccak256 of the party's legal identifier
    roles: tuple[str, ...]
    expelled: bool = False


def collect_members(
    chain: Chain, members: Contract, role_names: Mapping[bytes, str], from_block: int, to_block: int
) -> dict[str, Member]:
    """Every account admitted (party-id hash) and its roles at `to_block`, keyed by checksum
    address; from MemberAdmitted, MemberExpelled, RoleGranted and RoleRevoked events."""
    events = fetch_events(chain, members, MEMBER_EVENTS, from_block, to_block)
    events.sort(key=lambda e: (e["blockNumber"], e["logIndex"]))
    party: dict[str, str] = {}
    roles: dict[str, set[str]] = defaultdict(set)
    expelled: set[str] = set()
    for e in events:
        account = e["args"]["account"]
        if e["event"] == "MemberAdmitted":
            party[account] = "0x" + bytes(e["args"]["partyIdHash"]).hex()
            expelled.discard(account)
        elif e["event"] == "MemberExpelled":
            expelled.add(account)
        else:
            role = bytes(e["args"]["role"])
            name = role_names.get(role, "ADMIN" if role == bytes(32) else "0x" + role.hex())
            (roles[account].add if e["event"] == "RoleGranted" else roles[account].discard)(name)
    accounts = set(party) | set(roles)
    return {
        a: Member(a, party.get(a, ""), tuple(sorted(roles[a])), a in expelled) for a in accounts
    }


@dataclass(frozen=True)
class ReceivableTerms:
    """A receivable's terms and status, as the registry holds them at the audited block."""

    supplier: str
    debtor: str
    face_value: int
    currency: str
    due_date: int
    status: str
    document_hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier,
            "debtor": self.debtor,
            "face_value": self.face_value,
            "face_value_text": format_amount(self.face_value, self.currency),
            "currency": self.currency,
            "due_date": self.due_date,
            "due_date_utc": utc_text(self.due_date),
            "status": self.status,
            "document_hash": self.document_hash,
        }


def read_terms(registry: Contract, receivable_id: int, block: int) -> ReceivableTerms:
    r = registry.functions.receivable(receivable_id).call(block_identifier=block)
    supplier, due_date, status, currency, debtor, face_value, document_hash = r
    return ReceivableTerms(
        supplier=supplier, debtor=debtor, face_value=int(face_value),
        currency=bytes(currency).rstrip(b"\0").decode("ascii", "replace"),
        due_date=int(due_date), status=STATUS_NAMES[int(status)],
        document_hash="0x" + bytes(document_hash).hex(),
    )  # fmt: skip


# --- the trail ----------------------------------------------------------------------------------


@dataclass
class ReceivableTrail:
    """One receivable: its terms now and every event about it, in chain order."""

    id: int
    terms: ReceivableTerms
    events: list[AuditEvent]
    notes: dict[str, str] = field(default_factory=dict)  # off chain (e.g. from a journal)

    @property
    def currency(self) -> str:
        return self.terms.currency


@dataclass
class AuditTrail:
    """The audited receivables and what the audit read: chain, contracts, blocks, members."""

    chain_id: int
    contracts: dict[str, str]  # name -> address
    from_block: int
    to_block: int
    generated_at: int  # unix seconds, the auditor's clock
    receivables: list[ReceivableTrail]
    members: dict[str, Member]
    not_found: list[int] = field(default_factory=list)  # ids asked for, never registered

    def set_aside_unknown(self) -> None:
        """Moves the receivables asked for that were never registered (no terms, no events)
        from `receivables` to `not_found`."""
        unknown = [r.id for r in self.receivables if r.terms.status == "None" and not r.events]
        self.receivables = [r for r in self.receivables if r.id not in unknown]
        self.not_found += unknown

    def label(self, address: str) -> str:
        """How an address is shown: a contract's name, or the address itself."""
        for name, contract in self.contracts.items():
            if contract.lower() == address.lower():
                return name
        return address


def build_trail(
    chain: Chain,
    suite: Any,
    contracts: Mapping[str, str],
    role_names: Mapping[bytes, str],
    from_block: int = 0,
    receivable_ids: Iterable[int] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AuditTrail:
    """The trail of `receivable_ids` (default: every receivable with an event, in the order of
    their first event) from `suite` (registry, escrow, anchor, members) between `from_block`
    and the latest block."""
    to_block = int(chain.w3.eth.block_number)
    history = collect_history(
        chain, suite.registry, suite.escrow, from_block, to_block, anchor=suite.anchor
    )
    first = {rid: (events[0].block, events[0].log_index) for rid, events in history.items()}
    ids = sorted(history, key=first.__getitem__) if receivable_ids is None else list(receivable_ids)
    receivables = [
        ReceivableTrail(rid, read_terms(suite.registry, rid, to_block), history.get(rid, []))
        for rid in ids
    ]
    members = collect_members(chain, suite.members, role_names, from_block, to_block)
    return AuditTrail(
        chain_id=chain.chain_id,
        contracts=dict(contracts),
        from_block=from_block,
        to_block=to_block,
        generated_at=int(now().timestamp()),
        receivables=receivables,
        members=members,
    )


def audit_deployment(
    chain: Chain, suite: Any, deployment: Any, receivable_ids: Iterable[int] | None = None
) -> AuditTrail:
    """The trail of a deployed suite, read from the block its first contract was deployed in;
    `deployment` is a scfchain.suite.Deployment (the manifest)."""
    from scfchain.suite import ROLES

    contracts = {name: entry["address"] for name, entry in deployment.contracts.items()}
    for currency, address in sorted(deployment.settlement_tokens.items()):
        contracts[f"SettlementToken {currency}"] = address
    start = min((int(e.get("block", 0)) for e in deployment.contracts.values()), default=0)
    role_names = {value: name for name, value in ROLES.items()}
    return build_trail(chain, suite, contracts, role_names, start, receivable_ids)
