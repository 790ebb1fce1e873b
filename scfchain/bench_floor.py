"""The theoretical gas floor of each benchmarked step, and what it is made of.

floor = 21,000 (base) + calldata of the actual transaction input (16 gas per non-zero byte,
4 per zero byte) + 22,100 per storage slot the step must create (a cold SSTORE from zero:
20,000 + 2,100) + 375 per log, 375 per topic and 8 per data byte of the logs the step must
emit. Computation, reads, updates of existing slots, memory and calls count nothing: the floor
is a lower bound no implementation can beat, not a target that is free to reach.

`FLOORS` names, per step, the slots and logs counted. A batch shares one base fee and one
calldata among its receivables: its floor is per receivable.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_TX_GAS = 21_000
CALLDATA_ZERO_BYTE_GAS = 4
CALLDATA_NONZERO_BYTE_GAS = 16
NEW_SLOT_GAS = 22_100  # SSTORE zero -> non-zero on a cold slot (EIP-2929 + EIP-2200)
LOG_GAS = 375
LOG_TOPIC_GAS = 375
LOG_DATA_BYTE_GAS = 8


def calldata_gas(data: bytes) -> int:
    """Intrinsic gas of a transaction's input bytes (EIP-2028)."""
    zeros = data.count(0)
    return zeros * CALLDATA_ZERO_BYTE_GAS + (len(data) - zeros) * CALLDATA_NONZERO_BYTE_GAS


def log_gas(topics: int, data_bytes: int) -> int:
    """Gas of one LOG opcode with `topics` topics (the event signature counts as one) and
    `data_bytes` bytes of data, memory expansion aside."""
    return LOG_GAS + LOG_TOPIC_GAS * topics + LOG_DATA_BYTE_GAS * data_bytes


def intrinsic_gas(data: bytes) -> int:
    """Base fee plus calldata of a call transaction (no access list, no contract creation)."""
    return BASE_TX_GAS + calldata_gas(data)


@dataclass(frozen=True)
class LogSpec:
    """A log a step must emit: its topic count (with the signature) and data length."""

    name: str
    topics: int
    data_bytes: int

    @property
    def gas(self) -> int:
        return log_gas(self.topics, self.data_bytes)


@dataclass(frozen=True)
class StepFloor:
    """What a step must do at least, per receivable (or per token for a baseline)."""

    new_slots: tuple[str, ...]
    logs: tuple[LogSpec, ...]
    receivables: int = 1  # items sharing one transaction (batches)

    @property
    def per_item_gas(self) -> int:
        """Storage and logs of one item."""
        return len(self.new_slots) * NEW_SLOT_GAS + sum(log.gas for log in self.logs)

    def floor(self, tx_input: bytes) -> int:
        """The floor per item of a transaction with input `tx_input`."""
        shared = intrinsic_gas(tx_input)
        return (shared + self.receivables // 2) // self.receivables + self.per_item_gas


# The logs counted. ERC-1155, ERC-20, ERC-721 and ERC-3525 oblige their token events; a step
# that moves no token must still say what happened to which receivable, in one log.
TRANSFER_SINGLE = LogSpec("ERC-1155 TransferSingle(operator, from, to | id, value)", 4, 64)
ERC20_TRANSFER = LogSpec("ERC-20 Transfer(from, to | value)", 3, 32)
ERC721_TRANSFER = LogSpec("ERC-721 Transfer(from, to, tokenId)", 4, 0)
SLOT_CHANGED = LogSpec("ERC-3525 SlotChanged(tokenId, oldSlot, newSlot)", 4, 0)
TRANSFER_VALUE = LogSpec("ERC-3525 TransferValue(fromTokenId, toTokenId | value)", 3, 32)
REGISTERED = LogSpec("registered(id, debtor): the debtor must learn of the claim", 3, 0)
REPAID = LogSpec("repaid(id | amount): which receivable the payment is for", 2, 32)

# The slots counted: a receivable is the registry's packed record (supplier, due date, status,
# currency | debtor, face value | document hash) and the supplier's ERC-1155 balance of its id.
RECORD_SLOTS = (
    "record[id].0 (supplier, dueDate, status, currency)",
    "record[id].1 (debtor, faceValue)",
    "record[id].2 (documentHash)",
)
SUPPLIER_BALANCE = "balance[id][supplier]"
CONFIRMED_RECEIVABLE = StepFloor((*RECORD_SLOTS, SUPPLIER_BALANCE), (TRANSFER_SINGLE,))
ERC3525_TOKEN_SLOTS = ("token owner", "token slot", "token value")
ERC3525_NEW_TOKEN = StepFloor(ERC3525_TOKEN_SLOTS, (ERC721_TRANSFER, SLOT_CHANGED, TRANSFER_VALUE))

FLOORS: dict[str, StepFloor] = {
    "register": StepFloor(RECORD_SLOTS, (REGISTERED,)),
    "confirm": StepFloor((SUPPLIER_BALANCE,), (TRANSFER_SINGLE,)),
    "register_confirm_signed": CONFIRMED_RECEIVABLE,
    "register_confirm_batch10": StepFloor(
        CONFIRMED_RECEIVABLE.new_slots, CONFIRMED_RECEIVABLE.logs, 10
    ),
    "register_confirm_batch100": StepFloor(
        CONFIRMED_RECEIVABLE.new_slots, CONFIRMED_RECEIVABLE.logs, 100
    ),
    "register_confirm_batch100_random_nonces": StepFloor(
        CONFIRMED_RECEIVABLE.new_slots, CONFIRMED_RECEIVABLE.logs, 100
    ),
    "split": StepFloor(("balance[id][new holder]",), (TRANSFER_SINGLE,)),
    "transfer": StepFloor((), (TRANSFER_SINGLE,)),
    "finance_approve": StepFloor(("balance[id][financier]",), (TRANSFER_SINGLE, ERC20_TRANSFER)),
    "repay": StepFloor(("repaid[id]",), (ERC20_TRANSFER, REPAID)),
    "redeem": StepFloor((), (ERC20_TRANSFER, TRANSFER_SINGLE)),
    "baseline_floor": CONFIRMED_RECEIVABLE,
    "baseline_erc721_mint": StepFloor(("owner[tokenId]",), (ERC721_TRANSFER,)),
    "baseline_erc1155_mint": StepFloor(("balance[id][to]",), (TRANSFER_SINGLE,)),
    "baseline_erc1155_transfer": StepFloor((), (TRANSFER_SINGLE,)),
    "baseline_erc20_transfer": StepFloor((), (ERC20_TRANSFER,)),
    "baseline_erc3525_mint": ERC3525_NEW_TOKEN,
    "baseline_erc3525_split": ERC3525_NEW_TOKEN,
}


@dataclass(frozen=True)
class BaselineRef:
    """The baseline a step is compared with: one measured baseline, or several done in one
    transaction (their sum less the base fee of all but one)."""

    steps: tuple[str, ...]
    label: str

    def gas(self, measured: dict[str, int]) -> int | None:
        if any(step not in measured for step in self.steps):
            return None
        return sum(measured[s] for s in self.steps) - BASE_TX_GAS * (len(self.steps) - 1)


def _ref(label: str, *steps: str) -> BaselineRef:
    return BaselineRef(steps, label)


NEAREST_BASELINE: dict[str, BaselineRef] = {
    "register": _ref("ERC-721 mint", "baseline_erc721_mint"),
    "confirm": _ref("ERC-1155 mint", "baseline_erc1155_mint"),
    "register_confirm_signed": _ref("floor contract", "baseline_floor"),
    "register_confirm_batch10": _ref("floor contract", "baseline_floor"),
    "register_confirm_batch100": _ref("floor contract", "baseline_floor"),
    "split": _ref("ERC-3525 split", "baseline_erc3525_split"),
    "transfer": _ref("ERC-1155 transfer", "baseline_erc1155_transfer"),
    "finance_approve": _ref(
        "ERC-20 + ERC-1155 transfer", "baseline_erc20_transfer", "baseline_erc1155_transfer"
    ),
    "repay": _ref("ERC-20 transfer", "baseline_erc20_transfer"),
    "redeem": _ref("ERC-20 transfer", "baseline_erc20_transfer"),
}
