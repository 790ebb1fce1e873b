"""The audit trail, rebuilt from chain events alone: who did what to which receivable, when."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from web3.contract import Contract

from scfchain.chain import Chain

REGISTRY_EVENTS = (
    "ReceivableRegistered",
    "ReceivableConfirmed",
    "ReceivableRejected",
    "ReceivableDisputed",
    "ReceivableCancelled",
    "StatusChanged",
    "TransferSingle",
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
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    return value


def _receivable_of(event: str, args: dict[str, Any], request_ids: dict[int, int]) -> int | None:
    if "id" in args:
        return int(args["id"])
    if event == "FinancingRequested":
        return None
    return request_ids.get(int(args.get("requestId", 0)))


def collect_history(
    chain: Chain, registry: Contract, escrow: Contract, from_block: int = 0
) -> dict[int, list[AuditEvent]]:
    """Every event of the registry and the escrow, grouped by receivable id, in chain order."""
    raw: list[tuple[str, Any]] = []
    for name in REGISTRY_EVENTS:
        raw += [
            ("ReceivableRegistry", log)
            for log in getattr(registry.events, name)().get_logs(from_block=from_block)
        ]
    for name in ESCROW_EVENTS:
        raw += [
            ("FinancingEscrow", log)
            for log in getattr(escrow.events, name)().get_logs(from_block=from_block)
        ]
    raw.sort(key=lambda item: (item[1]["blockNumber"], item[1]["logIndex"]))

    senders: dict[bytes, str] = {}
    times: dict[int, int] = {}
    request_ids: dict[int, int] = {}
    history: dict[int, list[AuditEvent]] = defaultdict(list)
    for contract_name, log in raw:
        args = dict(log["args"])
        if log["event"] == "FinancingRequested":
            request_ids[int(args["requestId"])] = int(args["id"])
        receivable_id = _receivable_of(log["event"], args, request_ids)
        if receivable_id is None:
            continue
        tx_hash = bytes(log["transactionHash"])
        if tx_hash not in senders:
            senders[tx_hash] = chain.w3.eth.get_transaction(tx_hash)["from"]
        block = int(log["blockNumber"])
        if block not in times:
            times[block] = int(chain.w3.eth.get_block(block)["timestamp"])
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
