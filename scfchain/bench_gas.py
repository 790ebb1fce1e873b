"""Gas of each lifecycle step and of the baselines, measured in one run on one local node.

Every figure is a receipt's gasUsed in the steady state: each step is done once before it is
measured wherever a first time costs more (a debtor's first use of credit, a financier's first
exposure, the escrow's first settlement-token balance, a baseline holder's first token), so
that one-off slots are not charged to the step. Signatures use sequential nonces per debtor
(scfchain.signing.NonceAllocator, as the SDK and the main job do); one extra row uses random ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from scfchain.artifacts import load_artifact
from scfchain.bench_floor import FLOORS, intrinsic_gas, log_gas
from scfchain.chain import Chain, account_from_key, call_tx
from scfchain.devnet import dev_private_keys
from scfchain.signing import NonceAllocator, sign_confirmation
from scfchain.suite import ROLES, Suite, deploy_suite

DAY = 86_400
FACE_VALUE = 1_845_000  # 18,450.00 EUR, as in the examples
CURRENCY = b"EUR"
BIG = 2**200
BASELINE_ARTIFACTS = ("BenchERC20", "BenchERC721", "BenchERC1155", "BenchERC3525", "BenchFloor")
ERC3525_SPLIT = "transferFrom(uint256,address,uint256)"
TRACE_OPTIONS = {"disableStorage": True, "disableMemory": True, "disableStack": True}
TRACED_STEPS = (
    "register",
    "confirm",
    "register_confirm_signed",
    "register_confirm_batch10",
    "split",
    "transfer",
    "finance_approve",
    "repay",
    "redeem",
    "baseline_floor",
    "baseline_erc3525_split",
)


@dataclass
class Measurement:
    """One measured transaction: its gas per item and the input its floor is computed from."""

    step: str
    gas_used: int
    tx_input: bytes
    tx_hash: bytes
    items: int = 1
    logs: list[tuple[int, int]] = field(default_factory=list)  # (topics, data bytes) per log

    @property
    def per_item(self) -> int:
        return round(self.gas_used / self.items)

    @property
    def floor(self) -> int | None:
        spec = FLOORS.get(self.step)
        return None if spec is None else spec.floor(self.tx_input)


@dataclass
class Parties:
    operator: LocalAccount
    supplier: LocalAccount
    debtor: LocalAccount
    financier: LocalAccount
    holder: LocalAccount
    user: LocalAccount  # sends the baselines' transactions
    user2: LocalAccount  # receives them


def dev_parties() -> Parties:
    keys = dev_private_keys(7)
    return Parties(*(account_from_key(k) for k in keys))


@dataclass
class GasBench:
    """Deploys the suite and the baselines on `chain` and measures every step."""

    chain: Chain
    parties: Parties
    suite: Suite | None = None
    baselines: dict[str, Contract] = field(default_factory=dict)
    results: dict[str, Measurement] = field(default_factory=dict)
    nonces: NonceAllocator = field(default_factory=NonceAllocator)
    _serial: int = 0

    # --- plumbing -------------------------------------------------------------------

    def send(self, account: LocalAccount, call: Any) -> TxReceipt:
        return self.chain.transact(account, call)

    def measure(
        self, step: str, account: LocalAccount, call: Any, items: int = 1, gas: int | None = None
    ) -> TxReceipt:
        receipt = self.chain.transact(account, call, gas=gas)
        tx = self.chain.w3.eth.get_transaction(receipt["transactionHash"])
        self.results[step] = Measurement(
            step=step,
            gas_used=int(receipt["gasUsed"]),
            tx_input=bytes(tx["input"]),
            tx_hash=bytes(receipt["transactionHash"]),
            items=items,
            logs=[(len(log["topics"]), len(log["data"])) for log in receipt["logs"]],
        )
        return receipt

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    # --- set-up ---------------------------------------------------------------------

    def deploy(self) -> None:
        p, chain = self.parties, self.chain
        self.suite, _ = deploy_suite(chain, p.operator, ["EUR"])
        members = self.suite.members.functions
        for account, role in (
            (p.supplier, "SUPPLIER"),
            (p.debtor, "DEBTOR"),
            (p.financier, "FINANCIER"),
            (p.holder, "SUPPLIER"),
        ):
            party_hash = keccak(text=f"bench|{account.address}")
            self.send(p.operator, members.admit(account.address, party_hash, [ROLES[role]]))
        registry, escrow = self.suite.registry.functions, self.suite.escrow.functions
        token = self.suite.token("EUR")
        self.send(p.operator, registry.setCreditLine(p.debtor.address, BIG))
        self.send(p.financier, escrow.setExposureLimit(p.debtor.address, BIG))
        for account in (p.financier, p.debtor):
            self.send(p.operator, token.functions.mint(account.address, BIG))
            self.send(account, token.functions.approve(self.suite.escrow.address, 2**256 - 1))
        for name in BASELINE_ARTIFACTS:
            self.baselines[name] = chain.deploy(p.user, load_artifact(name))

    # --- receivables ----------------------------------------------------------------

    def terms(self) -> tuple[bytes, str, int, bytes, int, bytes]:
        self._serial += 1
        fingerprint = keccak(text=f"bench-invoice|{self._serial}")
        document_hash = keccak(text=f"bench-document|{self._serial}")
        due = self.now() + 90 * DAY
        face = FACE_VALUE + self._serial
        return (fingerprint, self.parties.debtor.address, face, CURRENCY, due, document_hash)

    def signature(
        self, terms: tuple[Any, ...], random_nonce: bool = False
    ) -> tuple[int, int, bytes]:
        assert self.suite is not None
        nonce = None if random_nonce else self.nonces.next(self.parties.debtor.address)
        fingerprint, _, face, currency, due, document_hash = terms
        signed = sign_confirmation(
            self.parties.debtor,
            chain_id=self.chain.chain_id,
            registry=self.suite.registry.address,
            receivable_id=int.from_bytes(fingerprint, "big"),
            supplier=self.parties.supplier.address,
            face_value=face,
            currency=currency,
            due_date=due,
            document_hash=document_hash,
            deadline=self.now() + DAY,
            nonce=nonce,
        )
        return signed.as_tuple()

    def register_and_confirm(self, step: str | None = None) -> int:
        """One signed register-and-confirm; returns the receivable id."""
        assert self.suite is not None
        terms = self.terms()
        call = self.suite.registry.functions.registerAndConfirm(terms, self.signature(terms))
        if step is None:
            self.send(self.parties.supplier, call)
        else:
            self.measure(step, self.parties.supplier, call)
        return int.from_bytes(terms[0], "big")

    def batch(self, step: str, size: int, random_nonces: bool = False) -> None:
        assert self.suite is not None
        terms = [self.terms() for _ in range(size)]
        sigs = [self.signature(t, random_nonce=random_nonces) for t in terms]
        call = self.suite.registry.functions.registerAndConfirmBatch(terms, sigs)
        estimate = self.chain.w3.eth.estimate_gas(
            {**call_tx(call), "from": self.parties.supplier.address}
        )
        self.measure(step, self.parties.supplier, call, items=size, gas=estimate * 6 // 5)

    # --- the lifecycle ----------------------------------------------------------------

    def run_suite_steps(self) -> None:
        assert self.suite is not None
        p = self.parties
        registry, escrow = self.suite.registry.functions, self.suite.escrow.functions
        warm = self.register_and_confirm()  # the debtor's first use of credit
        rid = self.register_and_confirm("register_confirm_signed")
        terms = self.terms()
        self.measure("register", p.supplier, registry.register(terms))
        self.measure("confirm", p.debtor, registry.confirm(int.from_bytes(terms[0], "big")))
        self.batch("register_confirm_batch10", 10)
        self.batch("register_confirm_batch100", 100)
        self.batch("register_confirm_batch100_random_nonces", 100, random_nonces=True)

        face = self.suite.registry.functions.receivable(rid).call()[5]
        to_holder = registry.safeTransferFrom
        self.measure("split", p.supplier, to_holder(p.supplier.address, p.holder.address, rid, face * 3 // 10, b""))  # fmt: skip
        self.measure("transfer", p.supplier, to_holder(p.supplier.address, p.holder.address, rid, face // 10, b""))  # fmt: skip

        for measured, receivable in ((False, warm), (True, rid)):
            self.finance(receivable, face // 2, measured)
        for measured, receivable in ((False, warm), (True, rid)):
            full = self.suite.registry.functions.receivable(receivable).call()[5]
            call = escrow.repay(receivable, full)
            self.measure("repay", p.debtor, call) if measured else self.send(p.debtor, call)
        self.send(p.financier, escrow.redeem(warm))
        self.measure("redeem", p.financier, escrow.redeem(rid))

    def finance(self, rid: int, amount: int, measured: bool) -> None:
        assert self.suite is not None
        p, escrow = self.parties, self.suite.escrow
        terms = (500, 0, False, 0)  # 5% a year, ACT/360, no recourse, no reserve
        call = escrow.functions.requestFinancing(rid, amount, p.financier.address, terms)
        if measured:
            receipt = self.measure("finance_request", p.supplier, call)
        else:
            receipt = self.send(p.supplier, call)
        events = escrow.events.FinancingRequested().process_receipt(receipt, errors=DISCARD)
        approve = escrow.functions.approveFinancing(events[0]["args"]["requestId"])
        self.measure("finance_approve", p.financier, approve) if measured else self.send(
            p.financier, approve
        )

    # --- the baselines --------------------------------------------------------------

    def run_baselines(self) -> None:
        p, b = self.parties, self.baselines
        user, to = p.user.address, p.user2.address
        twice: list[tuple[str, Callable[[int], Any]]] = [
            ("baseline_erc721_mint", lambda i: b["BenchERC721"].functions.mint(user, i)),
            ("baseline_erc1155_mint", lambda i: b["BenchERC1155"].functions.mint(user, i, 10**6)),
            (
                "baseline_erc1155_transfer",
                lambda _: b["BenchERC1155"].functions.safeTransferFrom(user, to, 1, 10, b""),
            ),  # fmt: skip
            ("baseline_erc20_transfer", lambda _: b["BenchERC20"].functions.transfer(to, 10)),
            ("baseline_erc3525_mint", lambda _: b["BenchERC3525"].functions.mint(user, 1, 10**6)),
            (
                "baseline_erc3525_split",
                lambda _: b["BenchERC3525"].get_function_by_signature(ERC3525_SPLIT)(1, to, 10),
            ),  # fmt: skip
            ("baseline_floor", lambda _: b["BenchFloor"].functions.issue(*self.terms())),
        ]
        self.send(p.user, b["BenchERC20"].functions.mint(user, 10**24))
        for step, make in twice:
            self.send(p.user, make(1))  # the first time: the holder's first token or balance
            self.measure(step, p.user, make(2))

    # --- traces -----------------------------------------------------------------------

    def breakdowns(self) -> dict[str, dict[str, Any]]:
        """The measured cost of the traced steps, by kind (see `breakdown`)."""
        out: dict[str, dict[str, Any]] = {}
        for step in TRACED_STEPS:
            m = self.results.get(step)
            if m is None:
                continue
            try:
                trace = self.chain.w3.provider.make_request(
                    "debug_traceTransaction", ["0x" + m.tx_hash.hex(), TRACE_OPTIONS]
                )
            except Exception:  # noqa: BLE001 - a node without debug_traceTransaction
                continue
            logs = normalise(trace.get("result", {}).get("structLogs") or [])
            if not logs:
                continue
            out[step] = per_item(breakdown(logs, m), m.items)
        return out


def run_gas(chain: Chain) -> tuple[dict[str, Measurement], dict[str, dict[str, Any]]]:
    """Deploys everything on `chain` and measures every step and baseline."""
    bench = GasBench(chain, dev_parties())
    bench.deploy()
    bench.run_suite_steps()
    bench.run_baselines()
    return bench.results, bench.breakdowns()


# --- trace analysis -------------------------------------------------------------------

CALL_OPS = frozenset({"CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"})
LOG_OPS = frozenset({"LOG0", "LOG1", "LOG2", "LOG3", "LOG4"})


def _int(value: Any) -> int:
    if isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    return int(value)


def normalise(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Struct logs with integer gas, gasCost and depth (Ganache gives gas as hex strings)."""
    return [
        {
            "op": s["op"],
            "gas": _int(s["gas"]),
            "gasCost": _int(s["gasCost"]),
            "depth": _int(s["depth"]),
        }
        for s in logs
    ]


def _add(buckets: dict[str, list[int]], key: str, gas: int) -> None:
    entry = buckets.setdefault(key, [0, 0])
    entry[0] += 1
    entry[1] += gas


def step_costs(logs: list[dict[str, Any]]) -> list[int]:
    """The exclusive gas of each struct log, from the remaining-gas counter alone (Geth and
    Ganache report a call's gasCost and a frame's last op differently; the counter agrees).

    An op followed by one at the same depth cost the difference. An op that ends a frame costs
    its gasCost (RETURN and STOP: memory only; Ganache's negative values count as 0). A call
    into code costs what the caller lost over the call, less everything its callee's ops cost.
    """
    n = len(logs)
    costs = [0] * n
    calls: list[int] = []
    for i in range(n):
        depth = logs[i]["depth"]
        if i + 1 < n and logs[i + 1]["depth"] == depth:
            costs[i] = logs[i]["gas"] - logs[i + 1]["gas"]
        elif i + 1 < n and logs[i + 1]["depth"] > depth:
            calls.append(i)
        else:
            costs[i] = max(logs[i]["gasCost"], 0)
    for i in reversed(calls):  # inner calls first
        after = next((j for j in range(i + 1, n) if logs[j]["depth"] <= logs[i]["depth"]), n)
        if after < n and logs[after]["depth"] == logs[i]["depth"]:
            costs[i] = logs[i]["gas"] - logs[after]["gas"] - sum(costs[i + 1 : after])
    return costs


def classify(op: str, cost: int, into_code: bool) -> str:
    """The bucket of one op of exclusive cost `cost`."""
    if op == "SSTORE":
        return (
            "sstore_new" if cost >= 20_000 else "sstore_update" if cost >= 2_900 else "sstore_warm"
        )
    if op == "SLOAD":
        return "sload_cold" if cost >= 2_100 else "sload_warm"
    if op in LOG_OPS:
        return "log"
    if op in CALL_OPS:
        return "call" if into_code else "precompile"
    if op in {"EXTCODESIZE", "EXTCODEHASH", "BALANCE"} and cost >= 2_600:
        return "account_cold"
    return "compute"


def breakdown(logs: list[dict[str, Any]], m: Measurement) -> dict[str, Any]:
    """What a transaction's gas is made of: intrinsic (base, calldata), new and updated slots,
    reads, logs (exact, from the receipt), external calls, precompiles, computation, refunds."""
    buckets: dict[str, list[int]] = {}
    costs = step_costs(logs)
    for i, (step, cost) in enumerate(zip(logs, costs, strict=True)):
        into_code = i + 1 < len(logs) and logs[i + 1]["depth"] > step["depth"]
        _add(buckets, classify(step["op"], cost, into_code), cost)
    executed = sum(costs)
    last = logs[-1]
    counted = logs[0]["gas"] - last["gas"] + max(last["gasCost"], 0)
    intrinsic = intrinsic_gas(m.tx_input)
    refund = intrinsic + executed - m.gas_used
    receipt_logs = sum(log_gas(t, d) for t, d in m.logs)
    out: dict[str, Any] = {
        "base": 21_000,
        "calldata": intrinsic - 21_000,
        "log_count": len(m.logs),
        "log_gas_exact": receipt_logs,
        "refund": -refund,
        "unattributed": counted - executed,
    }
    for key, (count, gas) in sorted(buckets.items()):
        out[f"{key}_count"] = count
        out[key] = gas
    return out


def per_item(figures: dict[str, Any], items: int) -> dict[str, Any]:
    """A batch's breakdown per receivable (counts and gas divided by the batch size)."""
    if items == 1:
        return figures
    return {k: round(v / items, 2) if k.endswith("_count") else round(v / items) for k, v in figures.items()}  # fmt: skip
