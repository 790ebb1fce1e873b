"""Stateful property tests: random histories of the registry and the escrow.

A hypothesis rule-based state machine, run on the chain the way Brownie's `state_machine` runs
one (one snapshot, reverted before each history; see `run_histories`), drives random sequences of
register, confirm, dispute/reject/cancel, split, transfer, financing (request, approve, reject,
cancel), repayment (part, full, too much), redemption, time travel, default and recourse, across
two suppliers and a sub-supplier, two debtors (one with a tight credit line) and two financiers
(one with a tight exposure limit). The machine keeps a Python model of what the chain must hold:
every receivable's status, each holder's units and draws, what was repaid, redeemed and locked;
every request; each debtor's credit, each financier's exposure, every account's cash.

Each rule picks an action the model says is valid, or (one time in four, on purpose) one that
must fail; for those the model names the exact custom error and its arguments, which must be the
revert. After every step the chain must equal the model, and every invariant of
docs/invariants.md must hold (invariants.py). docs/invariants.md describes the method.

Settings: CI runs 30 histories with a fixed seed; `make fuzz` (mk/fuzz.mk) runs many more,
longer ones from a fresh seed. See `machine_settings` for the environment variables.
"""

import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import hypothesis.core
from brownie import accounts, chain
from eth_utils import keccak
from helpers import (
    DAY,
    EUR,
    GRACE_PERIOD,
    ROLE,
    STARTING_CASH,
    RequestStatus,
    Status,
    ceil_div,
    expected_discount,
    expected_fee,
    financing_terms,
    latest_timestamp,
    reverts_with,
)
from hypothesis import HealthCheck, Verbosity, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from invariants import Ledger, check_all, events

# --- settings -----------------------------------------------------------------------------------

# CI (`make test`): 30 histories of up to 30 steps, always the same ones (a fixed seed), so that
# a red CI is a regression, not a lucky draw. Hypothesis runs its first 10 histories small (it
# looks for simple failures first), hence 30 rather than 15. `make fuzz` sets the variables below.
CI_EXAMPLES = 30
CI_STEPS = 30
CI_SEED = 20_261_203
STATS_FILE = Path("build/property-tests/last-run.json")


def machine_settings(env: dict[str, str] | None = None) -> tuple[dict, int]:
    """Hypothesis settings of the state machine, and the seed, from the environment:

    SCF_FUZZ_EXAMPLES  histories to run (CI: 30)
    SCF_FUZZ_STEPS     steps per history (CI: 30)
    SCF_FUZZ_SEED      an integer to replay a run, or "random" for a fresh one (CI: fixed)
    SCF_FUZZ_VERBOSE   non-empty: print every step of every history (run with -s)

    They are passed to the machine's run rather than set in brownie-config.yaml:
    Brownie's `hypothesis:` key is one profile for every property test, whereas this machine needs
    its own step count and example count, overridable per run. The seed is printed (pytest shows
    it with the failure), and the minimal failing history is printed step by step (`note`), so a
    failure is replayed exactly with SCF_FUZZ_SEED=<seed> and the same counts.
    """
    env = os.environ if env is None else env
    seed_text = env.get("SCF_FUZZ_SEED", "").strip() or str(CI_SEED)
    seed = random.SystemRandom().randrange(2**32) if seed_text == "random" else int(seed_text)
    settings = {
        "max_examples": int(env.get("SCF_FUZZ_EXAMPLES", CI_EXAMPLES)),
        "stateful_step_count": int(env.get("SCF_FUZZ_STEPS", CI_STEPS)),
        "deadline": None,  # a step is a few transactions on a node: no per-example deadline
        "database": None,  # the seed replays a run (hypothesis ignores its database under a seed)
        "report_multiple_bugs": False,
        "suppress_health_check": [HealthCheck.too_slow],  # slow by nature: each step is a tx
    }
    if env.get("SCF_FUZZ_VERBOSE"):
        settings["verbosity"] = Verbosity.debug  # prints every step of every history
    return settings, seed


# --- the cast -----------------------------------------------------------------------------------

OPERATOR, DEBTOR, SUPPLIER, SUB_SUPPLIER, FINANCIER, SECOND_FINANCIER, FEE_RECIPIENT = range(7)
SECOND_SUPPLIER, SECOND_DEBTOR, OUTSIDER = 7, 8, 9
NAMES = {
    DEBTOR: "debtor",
    SUPPLIER: "supplier",
    SUB_SUPPLIER: "sub-supplier",
    FINANCIER: "financier",
    SECOND_FINANCIER: "financier-2",
    FEE_RECIPIENT: "fee-recipient",
    SECOND_SUPPLIER: "supplier-2",
    SECOND_DEBTOR: "debtor-2",
    OUTSIDER: "outsider",
    OPERATOR: "operator",
}
FEE_BPS = 25
SECOND_DEBTOR_LINE = 3_000_000  # tight: confirmations beyond it must fail
TIGHT_EXPOSURE = 1_500_000  # the first financier's own limit for the second debtor
SUPPLIER_CASH = 50_000_000  # suppliers pay recourse debts
MAX_FACE = 2_000_000
MAX_RECEIVABLES = 10  # per history, so that the checks after each step stay quick
OPEN = (Status.REGISTERED, Status.DISPUTED)
REPAYABLE = (Status.CONFIRMED, Status.IN_REPAYMENT, Status.DEFAULTED)
REDEEMABLE = (Status.IN_REPAYMENT, Status.DEFAULTED, Status.REPAID)
MAX_RESERVE_BPS = 5_000

Error = tuple | None  # (custom error name, *arguments) or None when the action must succeed


# --- the model ----------------------------------------------------------------------------------


@dataclass
class Rec:
    """What the chain must hold for one receivable."""

    label: str
    id: int
    supplier: str
    debtor: str
    face: int
    due: int
    status: Status = Status.REGISTERED
    units: Counter = field(default_factory=Counter)  # holder -> units
    drawn: Counter = field(default_factory=Counter)  # holder -> drawn, not yet retired
    repaid: int = 0
    redeemed: int = 0
    locked: int = 0  # financedOrPending


@dataclass
class Req:
    """What the chain must hold for one financing request."""

    id: int
    label: str  # its receivable
    supplier: str
    financier: str
    amount: int
    rate_bps: int
    day_count: int
    recourse: bool
    reserve_bps: int
    status: RequestStatus = RequestStatus.PENDING
    reserve: int = 0
    debt: int = 0
    claimed: bool = False


def invalid(data, variants: list[str]) -> str | None:
    """None three times in four: the rule does what the model says is valid. Otherwise one of
    `variants`, a deliberately invalid form of the action. Shrinks towards None (valid)."""
    return data.draw(st.sampled_from([None, None, None, *variants]), label="variant")


# --- the machine --------------------------------------------------------------------------------


class ScfMachine(RuleBasedStateMachine):
    """Rules act on the chain and the model; invariants compare the two after every step.

    `run_histories` sets `w` (the world) and snapshots the chain; every history (one instance)
    starts by reverting to that snapshot, as Brownie's own `state_machine` does. A rule runs only
    when its precondition finds something to act on; it then acts validly, or (one time in four)
    tries a deliberately invalid variant whose exact revert the model predicts.
    """

    w: ClassVar[SimpleNamespace]

    def __init__(self) -> None:
        chain.revert()
        super().__init__()
        w = self.w
        chain.mine()  # the clock of the first block of the history, whatever the node's offset
        self.base = latest_timestamp()
        self.recs: dict[str, Rec] = {}
        self.reqs: dict[int, Req] = {}
        self.cash = Counter({a: w.token.balanceOf(a) for a in w.holders})
        self.credit: Counter = Counter()
        self.exposure: Counter = Counter()  # (financier, debtor) -> amount
        self.ledger = Ledger()
        self.serial = 0
        self.touched: set[str] = set()  # receivables changed since the last check
        self.changed = True  # a transaction was mined since the last check
        self.stats = w.stats  # shared by every history of the run: what was exercised
        self.stats["histories"] += 1

    # --- plumbing ---------------------------------------------------------------------------

    def act(self, rule: str, error: Error, fn, *args, sender: str, describe: str, rec=None):
        """Sends `fn(*args)` from `sender` when `error` is None (records and returns the tx);
        otherwise asserts that it reverts with exactly `error` (as a call: nothing is mined)."""
        self.stats["steps"] += 1
        outcome = "ok" if error is None else error[0]
        self.stats[f"{rule}: {outcome}"] += 1
        note(f"{describe} -> {outcome}")
        if error is not None:
            with reverts_with(*error):
                fn.call(*args, {"from": sender})
            return None
        tx = fn(*args, {"from": sender})
        self.ledger.record(tx)
        self.changed = True
        if rec is not None:
            self.touched.add(rec.label)
        return tx

    def name(self, address: str) -> str:
        return self.w.names.get(address, address)

    def now(self) -> int:
        """The chain's clock. Every due date is half a day off a whole day from the first block
        of the history and time moves in whole days, so no rule runs within hours of a due date
        or a grace deadline: the next block's time is on the same side as this one."""
        return latest_timestamp()

    def recs_where(self, predicate: Callable[[Rec], bool]) -> list[str]:
        return sorted(r.label for r in self.recs.values() if predicate(r))

    def reqs_where(self, predicate: Callable[[Req], bool]) -> list[int]:
        return sorted(q.id for q in self.reqs.values() if predicate(q))

    def holdings(self, predicate: Callable[[Rec], bool], holders=None) -> list[tuple[str, str]]:
        """(receivable, holder) pairs with units, for receivables the predicate accepts."""
        return sorted(
            (r.label, h)
            for r in self.recs.values()
            if predicate(r)
            for h, u in r.units.items()
            if u > 0 and h != self.w.escrow_address and (holders is None or h in holders)
        )

    def draw_rec(self, data, labels: list[str]) -> Rec:
        return self.recs[data.draw(st.sampled_from(labels), label="receivable")]

    def draw_req(self, data, ids: list[int]) -> Req:
        return self.reqs[data.draw(st.sampled_from(ids), label="request")]

    def other(self, address: str, group: list[str]) -> str:
        return next(a for a in group if a != address)

    def move_units(self, rec: Rec, src: str, dst: str, amount: int) -> None:
        rec.units[src] -= amount
        rec.units[dst] += amount

    def pay(self, src: str, dst: str, amount: int) -> None:
        self.cash[src] -= amount
        self.cash[dst] += amount

    def reduce_exposure(self, financier: str, debtor: str, amount: int) -> None:
        """Settlement._reduceExposure: saturating, and only for a financier that has exposure."""
        key = (financier, debtor)
        if self.exposure[key]:
            self.exposure[key] = max(self.exposure[key] - amount, 0)

    def open_recs(self) -> list[str]:
        return self.recs_where(lambda r: r.status in OPEN)

    def financeable(self) -> list[tuple[str, str]]:
        now = self.now()
        return self.holdings(
            lambda r: r.status == Status.CONFIRMED and now < r.due, holders=self.w.suppliers
        )

    def defaultable(self) -> list[str]:
        now = self.now()
        return self.recs_where(
            lambda r: (
                r.status in (Status.CONFIRMED, Status.IN_REPAYMENT) and now > r.due + GRACE_PERIOD
            )
        )

    def claimable(self) -> list[int]:
        return self.reqs_where(
            lambda q: (
                q.status == RequestStatus.APPROVED
                and q.recourse
                and not q.claimed
                and self.recs[q.label].status == Status.DEFAULTED
            )
        )

    def releasable(self) -> list[int]:
        return self.reqs_where(
            lambda q: (
                q.reserve > 0
                and (q.claimed or self.recs[q.label].status in (Status.REPAID, Status.RETIRED))
            )
        )

    # --- registration and the debtor's answer -------------------------------------------------

    @initialize(data=st.data())
    def initialize_portfolio(self, data) -> None:
        """Every history starts with one confirmed receivable, so that deep states are reached."""
        rec = self._register(data, None)
        if rec is not None:
            self._confirm(rec, rec.debtor)

    @rule(data=st.data())
    def rule_register(self, data) -> None:
        """Always applicable (so a history never runs out of moves); once MAX_RECEIVABLES are
        registered, only as a deliberately invalid re-registration."""
        variant = invalid(data, ["used fingerprint", "due date passed", "not a supplier"])
        self._register(data, "used fingerprint" if len(self.recs) >= MAX_RECEIVABLES else variant)

    def _register(self, data, variant: str | None) -> Rec | None:
        w = self.w
        caller = (
            w.financier if variant == "not a supplier" else data.draw(st.sampled_from(w.suppliers))
        )
        debtor = data.draw(st.sampled_from(w.debtors))
        face = data.draw(st.integers(1, MAX_FACE), label="face value")
        now = self.now()
        days = data.draw(st.integers(0, 60), label="days to due date")
        due = self.base + ((now - self.base) // DAY + days) * DAY + DAY // 2
        if variant == "due date passed":
            due = now - DAY
        if variant == "used fingerprint" and self.recs:
            label = data.draw(st.sampled_from(sorted(self.recs)))
        else:
            self.serial += 1
            label = f"R{self.serial}"
        fingerprint = keccak(text=f"scfchain-property|{label}")
        terms = (fingerprint, debtor, face, EUR, due, keccak(text=f"document {label}"))

        if caller not in w.suppliers:
            error = ("MissingRole", caller, ROLE["SUPPLIER"])
        elif label in self.recs:
            error = ("FingerprintUsed", fingerprint)
        elif due <= now:
            error = ("DueDateNotInFuture", due)
        else:
            error = None
        describe = (
            f"{self.name(caller)} registers {label} ({face} against {self.name(debtor)}, "
            f"due in {(due - now) // DAY} days)"
        )
        tx = self.act(
            "register", error, w.registry.register, terms, sender=caller, describe=describe
        )
        if tx is None:
            return None
        rid = int.from_bytes(fingerprint, "big")
        assert events(tx, "ReceivableRegistered")[0]["id"] == rid
        self.recs[label] = Rec(label, rid, caller, debtor, face, due)
        self.touched.add(label)
        return self.recs[label]

    @precondition(lambda self: self.open_recs())
    @rule(data=st.data())
    def rule_confirm(self, data) -> None:
        variant = invalid(data, ["other debtor", "not open"])
        closed = self.recs_where(lambda r: r.status not in OPEN)
        rec = self.draw_rec(data, closed if variant == "not open" and closed else self.open_recs())
        caller = self.other(rec.debtor, self.w.debtors) if variant == "other debtor" else rec.debtor
        self._confirm(rec, caller)

    def _confirm(self, rec: Rec, caller: str) -> None:
        used, line = self.credit[rec.debtor], self.w.credit_line[rec.debtor]
        if caller != rec.debtor:
            error = ("NotDebtor", rec.id, caller)
        elif rec.status not in OPEN:
            error = ("InvalidStatus", rec.id, rec.status)
        elif used + rec.face > line:
            error = ("CreditLineExceeded", rec.debtor, used, rec.face, line)
        else:
            error = None
        describe = f"{self.name(caller)} confirms {rec.label} ({rec.status.name})"
        fn = self.w.registry.confirm
        if self.act("confirm", error, fn, rec.id, sender=caller, describe=describe, rec=rec):
            rec.status = Status.CONFIRMED
            self.credit[rec.debtor] += rec.face
            rec.units[rec.supplier] += rec.face

    @precondition(lambda self: self.open_recs())
    @rule(data=st.data())
    def rule_dispute_reject_or_cancel(self, data) -> None:
        w = self.w
        action = data.draw(st.sampled_from(["reject", "dispute", "cancel"]))
        variant = invalid(data, ["wrong party", "not open"])
        closed = self.recs_where(lambda r: r.status not in OPEN)
        rec = self.draw_rec(data, closed if variant == "not open" and closed else self.open_recs())
        party = rec.supplier if action == "cancel" else rec.debtor
        group = w.suppliers if action == "cancel" else w.debtors
        caller = self.other(party, group) if variant == "wrong party" else party
        if caller != party:
            error = ("NotSupplier" if action == "cancel" else "NotDebtor", rec.id, caller)
        elif rec.status not in (OPEN if action != "dispute" else (Status.REGISTERED,)):
            error = ("InvalidStatus", rec.id, rec.status)
        else:
            error = None
        fn = {
            "reject": w.registry.reject,
            "dispute": w.registry.dispute,
            "cancel": w.registry.cancel,
        }
        args = (rec.id,) if action == "cancel" else (rec.id, 7)
        describe = f"{self.name(caller)} {action}s {rec.label} ({rec.status.name})"
        if self.act(action, error, fn[action], *args, sender=caller, describe=describe, rec=rec):
            rec.status = {
                "reject": Status.REJECTED,
                "dispute": Status.DISPUTED,
                "cancel": Status.CANCELLED,
            }[action]

    # --- the token ----------------------------------------------------------------------------

    def transferable(self) -> list[tuple[str, str]]:
        return self.holdings(lambda r: r.status == Status.CONFIRMED)

    @precondition(lambda self: self.transferable())
    @rule(data=st.data())
    def rule_split(self, data) -> None:
        """A holder passes part of its units on to another member."""
        self._transfer(data, whole=False)

    @precondition(lambda self: self.transferable())
    @rule(data=st.data())
    def rule_transfer(self, data) -> None:
        """A holder passes all its units on to another member."""
        self._transfer(data, whole=True)

    def _transfer(self, data, whole: bool) -> None:
        w = self.w
        variant = invalid(data, ["to an outsider", "more than held", "frozen"])
        frozen = self.holdings(lambda r: r.status != Status.CONFIRMED)
        pairs = frozen if variant == "frozen" and frozen else self.transferable()
        label, holder = data.draw(st.sampled_from(pairs), label="receivable and holder")
        rec = self.recs[label]
        balance = rec.units[holder]
        to = (
            w.outsider
            if variant == "to an outsider"
            else data.draw(st.sampled_from([a for a in w.receivers if a != holder]), label="to")
        )
        if variant == "more than held":
            amount = balance + 1
        elif whole or balance == 1:
            amount = balance
        else:
            amount = data.draw(st.integers(1, balance - 1), label="units")

        if to not in w.members:
            error = ("NotMember", to)
        elif rec.status != Status.CONFIRMED:
            error = ("InvalidStatus", rec.id, rec.status)
        elif balance < amount:
            error = ("ERC1155InsufficientBalance", holder, balance, amount, rec.id)
        else:
            error = None
        describe = (
            f"{self.name(holder)} transfers {amount} of {balance} units of {rec.label} "
            f"({rec.status.name}) to {self.name(to)}"
        )
        fn = w.registry.safeTransferFrom
        args = (holder, to, rec.id, amount, b"")
        if self.act("transfer", error, fn, *args, sender=holder, describe=describe, rec=rec):
            self.move_units(rec, holder, to, amount)

    # --- financing ----------------------------------------------------------------------------

    @precondition(lambda self: self.financeable())
    @rule(data=st.data())
    def rule_finance(self, data) -> None:
        """A supplier asks a financier to discount part of its units; mostly the financier
        approves at once (or the request stays pending for the approve/withdraw rules)."""
        req = self._request_financing(data)
        if req is not None and data.draw(st.sampled_from([True, True, False]), label="approve now"):
            self._approve(req, req.financier)

    def _request_financing(self, data) -> Req | None:
        w = self.w
        variant = invalid(
            data, ["too much", "not a supplier", "not a financier", "reserve, no recourse"]
        )
        label, caller = data.draw(
            st.sampled_from(self.financeable()), label="receivable and supplier"
        )
        if variant == "not a supplier":
            caller = w.financier
        rec = self.recs[label]
        financier = (
            w.supplier if variant == "not a financier" else data.draw(st.sampled_from(w.financiers))
        )
        available, balance = rec.face - rec.locked, rec.units[caller]
        top = max(1, min(balance, available))
        amount = (
            available + 1
            if variant == "too much"
            else data.draw(st.integers(1, top), label="amount")
        )
        rate = data.draw(st.sampled_from([600, 0, 1_200, 3_000]), label="rate bps")
        day_count = data.draw(st.sampled_from([0, 1]), label="day count")
        recourse = data.draw(st.booleans(), label="recourse")
        reserve_bps = data.draw(st.sampled_from([0, 1_000, MAX_RESERVE_BPS])) if recourse else 0
        if variant == "reserve, no recourse":
            recourse, reserve_bps = False, 1_000
        now = self.now()

        if caller not in w.suppliers:
            error = ("MissingRole", caller, ROLE["SUPPLIER"])
        elif rec.status != Status.CONFIRMED:
            error = ("InvalidStatus", rec.id, rec.status)
        elif now >= rec.due:
            error = ("Matured", rec.id)
        elif financier not in w.financiers:
            error = ("MissingRole", financier, ROLE["FINANCIER"])
        elif reserve_bps > MAX_RESERVE_BPS or (reserve_bps and not recourse):
            error = ("InvalidReserve", reserve_bps, recourse)
        elif amount > available:
            error = ("AmountNotFinanceable", rec.id, amount, available)
        elif balance < amount:
            error = ("ERC1155InsufficientBalance", caller, balance, amount, rec.id)
        else:
            error = None
        terms = financing_terms(rate, day_count, recourse, reserve_bps)
        describe = (
            f"{self.name(caller)} asks {self.name(financier)} to finance {amount} of {rec.label} "
            f"({rec.status.name}, {balance} held, {available} available) at {rate} bps, "
            f"{'ACT/365' if day_count else 'ACT/360'}, recourse={recourse}, reserve={reserve_bps}"
        )
        fn = w.escrow.requestFinancing
        args = (rec.id, amount, financier, terms)
        tx = self.act("request", error, fn, *args, sender=caller, describe=describe, rec=rec)
        if tx is not None:
            request_id = events(tx, "FinancingRequested")[0]["requestId"]
            assert request_id == len(self.reqs) + 1
            self.reqs[request_id] = Req(
                request_id, label, caller, financier, amount, rate, day_count, recourse, reserve_bps
            )
            rec.locked += amount
            self.move_units(rec, caller, w.escrow_address, amount)
            return self.reqs[request_id]
        return None

    def pending(self) -> list[int]:
        return self.reqs_where(lambda q: q.status == RequestStatus.PENDING)

    @precondition(lambda self: self.pending())
    @rule(data=st.data())
    def rule_approve_financing(self, data) -> None:
        w = self.w
        variant = invalid(data, ["other financier", "not pending"])
        settled = self.reqs_where(lambda q: q.status != RequestStatus.PENDING)
        req = self.draw_req(
            data, settled if variant == "not pending" and settled else self.pending()
        )
        caller = (
            self.other(req.financier, w.financiers)
            if variant == "other financier"
            else req.financier
        )
        self._approve(req, caller)

    def _approve(self, req: Req, caller: str) -> None:
        w = self.w
        rec = self.recs[req.label]
        now = self.now()
        key = (req.financier, rec.debtor)
        limit = w.exposure_limit[key]
        days = 0 if rec.due <= now else ceil_div(rec.due - now, DAY)
        discount = expected_discount(req.amount, req.rate_bps, days, req.day_count)
        fee = expected_fee(req.amount, FEE_BPS)
        reserve = expected_fee(req.amount, req.reserve_bps)
        if req.status != RequestStatus.PENDING:
            error = ("InvalidRequestStatus", req.id, req.status)
        elif caller != req.financier:
            error = ("NotRequestFinancier", req.id, caller)
        elif rec.status != Status.CONFIRMED:
            error = ("InvalidStatus", rec.id, rec.status)
        elif now >= rec.due:
            error = ("Matured", rec.id)
        elif self.exposure[key] + req.amount > limit:
            error = (
                "ExposureLimitExceeded",
                req.financier,
                rec.debtor,
                self.exposure[key],
                req.amount,
                limit,
            )
        elif discount + fee + reserve >= req.amount:
            error = ("TermsExceedAmount", req.amount, discount, fee, reserve)
        else:
            error = None
        describe = (
            f"{self.name(caller)} approves request {req.id} ({req.status.name}, {req.amount} of "
            f"{rec.label}, {rec.status.name}, {days} days to due)"
        )
        fn = w.escrow.approveFinancing
        tx = self.act("approve", error, fn, req.id, sender=caller, describe=describe, rec=rec)
        if tx is None:
            return
        proceeds = req.amount - discount - fee - reserve
        approved = events(tx, "FinancingApproved")[0]
        assert (
            approved["discount"],
            approved["fee"],
            approved["reserve"],
            approved["proceeds"],
        ) == (
            discount,
            fee,
            reserve,
            proceeds,
        ), f"request {req.id}: {dict(approved)}"
        req.status, req.reserve = RequestStatus.APPROVED, reserve
        self.exposure[key] += req.amount
        self.pay(req.financier, req.supplier, proceeds)
        self.pay(req.financier, w.fee_recipient, fee)
        self.pay(req.financier, w.escrow_address, reserve)
        self.move_units(rec, w.escrow_address, req.financier, req.amount)

    @precondition(lambda self: self.pending())
    @rule(data=st.data())
    def rule_withdraw_request(self, data) -> None:
        """The financier rejects, or the supplier cancels, a pending request."""
        w = self.w
        action = data.draw(st.sampled_from(["reject", "cancel"]))
        variant = invalid(data, ["wrong party", "not pending"])
        settled = self.reqs_where(lambda q: q.status != RequestStatus.PENDING)
        req = self.draw_req(
            data, settled if variant == "not pending" and settled else self.pending()
        )
        rec = self.recs[req.label]
        party, counterpart = (
            (req.financier, req.supplier) if action == "reject" else (req.supplier, req.financier)
        )
        caller = counterpart if variant == "wrong party" else party
        if req.status != RequestStatus.PENDING:
            error = ("InvalidRequestStatus", req.id, req.status)
        elif action == "reject" and caller != req.financier:
            error = ("NotRequestFinancier", req.id, caller)
        elif action == "cancel" and caller != req.supplier and self.now() < rec.due:
            error = ("NotRequestSupplier", req.id, caller)
        else:
            error = None
        fn = w.escrow.rejectFinancing if action == "reject" else w.escrow.cancelFinancing
        args = (req.id, 3) if action == "reject" else (req.id,)
        describe = f"{self.name(caller)} {action}s request {req.id} ({req.status.name})"
        if self.act(
            f"{action} request", error, fn, *args, sender=caller, describe=describe, rec=rec
        ):
            req.status = RequestStatus.REJECTED if action == "reject" else RequestStatus.CANCELLED
            rec.locked -= req.amount
            self.move_units(rec, w.escrow_address, req.supplier, req.amount)

    # --- settlement ---------------------------------------------------------------------------

    def repayable(self) -> list[str]:
        return self.recs_where(lambda r: r.status in REPAYABLE)

    @precondition(lambda self: self.repayable())
    @rule(data=st.data())
    def rule_repay(self, data) -> None:
        w = self.w
        variant = invalid(data, ["other debtor", "more than owed", "not repayable"])
        other = self.recs_where(lambda r: r.status not in REPAYABLE)
        rec = self.draw_rec(
            data, other if variant == "not repayable" and other else self.repayable()
        )
        caller = self.other(rec.debtor, w.debtors) if variant == "other debtor" else rec.debtor
        outstanding = rec.face - rec.repaid
        if variant == "more than owed":
            amount = outstanding + 1
        elif outstanding > 1 and data.draw(st.booleans(), label="in part"):
            amount = data.draw(st.integers(1, outstanding - 1), label="amount")
        else:
            amount = max(outstanding, 1)
        if caller != rec.debtor:
            error = ("NotDebtor", rec.id, caller)
        elif rec.status not in REPAYABLE:
            error = ("InvalidStatus", rec.id, rec.status)
        elif amount > outstanding:
            error = ("RepaymentExceedsOutstanding", rec.id, amount, outstanding)
        else:
            error = None
        describe = f"{self.name(caller)} repays {amount} of {rec.label} ({rec.status.name}, {outstanding} owed)"
        fn = w.escrow.repay
        if self.act("repay", error, fn, rec.id, amount, sender=caller, describe=describe, rec=rec):
            rec.repaid += amount
            self.credit[rec.debtor] -= amount
            if rec.repaid == rec.face:
                rec.status = Status.REPAID
            elif rec.status == Status.CONFIRMED:
                rec.status = Status.IN_REPAYMENT
            self.pay(caller, w.escrow_address, amount)

    def redeemable(self) -> list[tuple[str, str]]:
        return self.holdings(lambda r: r.status in REDEEMABLE)

    @precondition(lambda self: self.redeemable())
    @rule(data=st.data())
    def rule_redeem(self, data) -> None:
        w = self.w
        variant = invalid(data, ["not redeemable", "not a holder"])
        other = self.holdings(lambda r: r.status not in REDEEMABLE)
        pairs = other if variant == "not redeemable" and other else self.redeemable()
        label, holder = data.draw(st.sampled_from(pairs), label="receivable and holder")
        if variant == "not a holder":
            holder = w.outsider
        rec = self.recs[label]
        units = rec.units[holder]
        entitled = units * rec.repaid // rec.face
        due = max(entitled - rec.drawn[holder], 0)
        fully = rec.status == Status.REPAID
        if rec.status not in REDEEMABLE:
            error = ("InvalidStatus", rec.id, rec.status)
        elif due == 0 and not (fully and units):
            error = ("NothingToRedeem", rec.id, holder)
        else:
            error = None
        describe = (
            f"{self.name(holder)} redeems {rec.label} ({rec.status.name}, {units} units, "
            f"{rec.repaid} repaid, {rec.drawn[holder]} drawn)"
        )
        fn = w.escrow.redeem
        tx = self.act("redeem", error, fn, rec.id, sender=holder, describe=describe, rec=rec)
        if tx is None:
            return
        redeemed = events(tx, "Redeemed")[0]
        assert (redeemed["paid"], redeemed["burned"]) == (due, units if fully else 0)
        self.reduce_exposure(holder, rec.debtor, due)
        if fully:
            rec.drawn[holder] = 0
            rec.redeemed += units
            rec.units[holder] = 0
            if rec.redeemed == rec.face:
                rec.status = Status.RETIRED
        else:
            rec.drawn[holder] = entitled
        self.pay(w.escrow_address, holder, due)

    @precondition(lambda self: self.recs_where(lambda r: r.status in REPAYABLE))
    @rule(data=st.data())
    def rule_time_travel(self, data) -> None:
        """Days pass (only while something is owed: time changes nothing else)."""
        days = data.draw(st.sampled_from([30, 7, 1, 45, 90]), label="days")
        note(f"{days} days pass")
        self.stats["steps"] += 1
        self.stats["time travel"] += 1
        chain.sleep(days * DAY)
        chain.mine()

    @precondition(lambda self: self.defaultable())
    @rule(data=st.data())
    def rule_record_default(self, data) -> None:
        w = self.w
        variant = invalid(data, ["within grace", "not in default states"])
        now = self.now()
        pool = {
            None: self.defaultable(),
            "within grace": self.recs_where(
                lambda r: (
                    r.status in (Status.CONFIRMED, Status.IN_REPAYMENT)
                    and now <= r.due + GRACE_PERIOD
                )
            ),
            "not in default states": self.recs_where(
                lambda r: r.status not in (Status.CONFIRMED, Status.IN_REPAYMENT)
            ),
        }[variant]
        rec = self.draw_rec(data, pool or self.defaultable())
        caller = data.draw(st.sampled_from([w.financier, w.outsider, rec.supplier]), label="caller")
        if rec.status not in (Status.CONFIRMED, Status.IN_REPAYMENT):
            error = ("InvalidStatus", rec.id, rec.status)
        elif now <= rec.due + GRACE_PERIOD:
            error = ("NotInDefault", rec.id)
        else:
            error = None
        describe = (
            f"{self.name(caller)} records a default of {rec.label} ({rec.status.name}, "
            f"{(now - rec.due) // DAY} days past due)"
        )
        fn = w.escrow.recordDefault
        tx = self.act("default", error, fn, rec.id, sender=caller, describe=describe, rec=rec)
        if tx is not None:
            assert events(tx, "DefaultRecorded")[0]["shortfall"] == rec.face - rec.repaid
            rec.status = Status.DEFAULTED

    # --- recourse -------------------------------------------------------------------------------

    @precondition(lambda self: self.claimable())
    @rule(data=st.data())
    def rule_claim_recourse(self, data) -> None:
        """After a default, a financier with recourse turns to the supplier."""
        w = self.w
        variant = invalid(data, ["other financier", "no recourse"])
        other = self.reqs_where(lambda q: q.id not in self.claimable())
        req = self.draw_req(data, other if variant == "no recourse" and other else self.claimable())
        rec = self.recs[req.label]
        fin = req.financier
        caller = self.other(fin, w.financiers) if variant == "other financier" else fin
        if req.status != RequestStatus.APPROVED:
            error = ("InvalidRequestStatus", req.id, req.status)
        elif not req.recourse or req.claimed:
            error = ("NoRecourse", req.id)
        elif caller != fin:
            error = ("NotRequestFinancier", req.id, caller)
        elif rec.status != Status.DEFAULTED:
            error = ("InvalidStatus", rec.id, rec.status)
        else:
            error = None
        describe = f"{self.name(caller)} claims recourse on request {req.id} ({rec.label}, {rec.status.name})"
        fn = w.escrow.claimRecourse
        tx = self.act(
            "claim recourse", error, fn, req.id, sender=caller, describe=describe, rec=rec
        )
        if tx is None:
            return
        held = rec.units[fin]
        units = min(req.amount, held)
        shortfall = units - units * rec.repaid // rec.face
        from_reserve = min(shortfall, req.reserve)
        req.claimed, req.reserve, req.debt = (
            True,
            req.reserve - from_reserve,
            shortfall - from_reserve,
        )
        entitled = held * rec.repaid // rec.face
        due = max(entitled - rec.drawn[fin], 0)
        if due:
            rec.drawn[fin] = entitled
        self.reduce_exposure(fin, rec.debtor, shortfall + due)
        if units:
            share = rec.drawn[fin] * units // held
            rec.drawn[fin] -= share
            rec.drawn[req.supplier] += share
            self.move_units(rec, fin, req.supplier, units)
        self.pay(w.escrow_address, fin, due + from_reserve)
        claimed = events(tx, "RecourseClaimed")[0]
        assert (claimed["fromReserve"], claimed["debt"]) == (from_reserve, req.debt)

    def indebted(self) -> list[int]:
        return self.reqs_where(lambda q: q.debt > 0)

    @precondition(lambda self: self.indebted())
    @rule(data=st.data())
    def rule_pay_recourse_debt(self, data) -> None:
        """The supplier pays (part of) what the reserve did not cover."""
        w = self.w
        variant = invalid(data, ["more than owed"])
        req = self.draw_req(data, self.indebted())
        if variant == "more than owed":
            amount = req.debt + 1
        elif req.debt > 1 and data.draw(st.booleans(), label="in part"):
            amount = data.draw(st.integers(1, req.debt - 1), label="amount")
        else:
            amount = req.debt
        payer = req.supplier
        if amount > req.debt:
            error = ("PaymentExceedsDebt", req.id, amount, req.debt)
        elif self.cash[payer] < amount:
            error = ("ERC20InsufficientBalance", payer, self.cash[payer], amount)
        else:
            error = None
        describe = (
            f"{self.name(payer)} pays {amount} of recourse debt {req.debt} on request {req.id}"
        )
        fn = w.escrow.payRecourseDebt
        if self.act(
            "pay recourse debt", error, fn, req.id, amount, sender=payer, describe=describe
        ):
            req.debt -= amount
            self.pay(payer, req.financier, amount)

    @precondition(lambda self: self.releasable())
    @rule(data=st.data())
    def rule_release_reserve(self, data) -> None:
        """A reserve no longer needed goes back to the supplier."""
        w = self.w
        variant = invalid(data, ["locked"])
        locked = self.reqs_where(lambda q: q.id not in self.releasable())
        req = self.draw_req(data, locked if variant == "locked" and locked else self.releasable())
        error = None if req.id in self.releasable() else ("ReserveLocked", req.id)
        describe = (
            f"{self.name(req.supplier)} asks for the reserve {req.reserve} of request {req.id}"
        )
        fn = w.escrow.releaseReserve
        if self.act("release reserve", error, fn, req.id, sender=req.supplier, describe=describe):
            self.pay(w.escrow_address, req.supplier, req.reserve)
            req.reserve = 0

    # --- after every step -----------------------------------------------------------------------

    @invariant()
    def invariant_the_chain_holds_what_the_model_says(self) -> None:
        """The receivables the last step changed, every request, credit, exposure and cash equal
        the model; the whole model is compared at the end of each history (teardown)."""
        if self.changed:
            self.compare_with_chain([self.recs[label] for label in sorted(self.touched)])

    @invariant()
    def invariant_every_invariant_of_the_docs_holds(self) -> None:
        """docs/invariants.md, over every receivable, after every step that mined a transaction
        (a reverted call changes nothing, so the state is the one checked before)."""
        if self.changed:
            check_all(self.w, self.ledger)
        self.changed = False
        self.touched.clear()

    def teardown(self) -> None:
        self.compare_with_chain(list(self.recs.values()))
        self.stats["checked histories"] += 1

    def compare_with_chain(self, recs: list[Rec]) -> None:
        w = self.w
        for rec in recs:
            where = f"{rec.label} ({rec.id:#x})"
            assert Status(w.registry.receivable(rec.id)["status"]) == rec.status, where
            balances = w.registry.balanceOfBatch(w.holders, [rec.id] * len(w.holders))
            expected = [rec.units[h] for h in w.holders]
            assert list(balances) == expected, f"{where}: balances {balances}, model {expected}"
            assert w.escrow.repaid(rec.id) == rec.repaid, where
            assert w.escrow.redeemedUnits(rec.id) == rec.redeemed, where
            assert w.escrow.financedOrPending(rec.id) == rec.locked, where
            for holder in sorted(
                {h for h, u in rec.units.items() if u} | {h for h, d in rec.drawn.items() if d}
            ):
                assert w.escrow.drawn(rec.id, holder) == rec.drawn[holder], (
                    f"{where}: drawn of {holder}"
                )
        assert w.escrow.requestCount() == len(self.reqs)
        for req in self.reqs.values():
            q = w.escrow.requests(req.id)
            actual = (
                q["status"],
                q["reserve"],
                q["recourseDebt"],
                q["recourseClaimed"],
                q["amount"],
            )
            assert actual == (req.status, req.reserve, req.debt, req.claimed, req.amount), req
        for debtor in w.debtors:
            assert w.registry.creditUsed(debtor) == self.credit[debtor], self.name(debtor)
        for financier in w.financiers:
            for debtor in w.debtors:
                assert w.escrow.exposure(financier, debtor) == self.exposure[(financier, debtor)]
        for holder in w.holders:
            assert w.token.balanceOf(holder) == self.cash[holder], f"cash of {self.name(holder)}"
        assert w.token.totalSupply() == sum(self.cash.values()), "settlement units created or lost"


# --- the world ----------------------------------------------------------------------------------


def build_world(members, registry, escrow, token, operator) -> SimpleNamespace:
    """Admits the second supplier and debtor, sets the fee, credit lines and exposure limits,
    funds debtors and suppliers; returns the contracts and the cast as addresses."""
    a = accounts
    for index, role in ((SECOND_SUPPLIER, "SUPPLIER"), (SECOND_DEBTOR, "DEBTOR")):
        members.admit(
            a[index], keccak(text=f"ID:{a[index].address}"), [ROLE[role]], {"from": operator}
        )
    registry.setCreditLine(a[SECOND_DEBTOR], SECOND_DEBTOR_LINE, {"from": operator})
    escrow.setFee(FEE_BPS, a[FEE_RECIPIENT], {"from": operator})
    token.mint(a[SECOND_DEBTOR], STARTING_CASH, {"from": operator})
    for payer in (SECOND_DEBTOR, SUPPLIER, SUB_SUPPLIER, SECOND_SUPPLIER):
        if payer != SECOND_DEBTOR:
            token.mint(a[payer], SUPPLIER_CASH, {"from": operator})
        token.approve(escrow, 2**256 - 1, {"from": a[payer]})
    escrow.setExposureLimit(a[SECOND_DEBTOR], TIGHT_EXPOSURE, {"from": a[FINANCIER]})
    escrow.setExposureLimit(
        a[SECOND_DEBTOR], 100 * MAX_FACE * MAX_RECEIVABLES, {"from": a[SECOND_FINANCIER]}
    )

    def addr(i: int) -> str:
        return str(a[i].address)

    suppliers = [addr(SUPPLIER), addr(SECOND_SUPPLIER), addr(SUB_SUPPLIER)]
    debtors = [addr(DEBTOR), addr(SECOND_DEBTOR)]
    financiers = [addr(FINANCIER), addr(SECOND_FINANCIER)]
    escrow_address = str(escrow.address)
    holders = [addr(i) for i in range(len(a))] + [escrow_address]
    return SimpleNamespace(
        registry=registry,
        escrow=escrow,
        token=token,
        escrow_address=escrow_address,
        holders=holders,
        supplier=addr(SUPPLIER),
        financier=addr(FINANCIER),
        outsider=addr(OUTSIDER),
        fee_recipient=addr(FEE_RECIPIENT),
        suppliers=suppliers,
        debtors=debtors,
        financiers=financiers,
        receivers=suppliers + financiers,
        members=set(suppliers + debtors + financiers + [addr(FEE_RECIPIENT)]),
        stats=Counter(),
        names={addr(i): n for i, n in NAMES.items()} | {escrow_address: "escrow"},
        credit_line={d: registry.creditLine(d) for d in debtors},
        exposure_limit={(f, d): escrow.exposureLimit(f, d) for f in financiers for d in debtors},
    )


# --- tests --------------------------------------------------------------------------------------


def run_histories(machine: type[ScfMachine], world: SimpleNamespace, settings: dict, seed: int):
    """Runs the machine as Brownie's `state_machine` fixture does: snapshot the chain once, then
    each history reverts to the snapshot. (That fixture cannot be used with eth-brownie 1.22.2:
    its mypyc-compiled `_BrownieStateMachine` accepts no subclass, so every machine fails with
    "TypeError: brownie.test.stateful._BrownieStateMachine object expected".)

    The hypothesis settings inherit Brownie's profile (brownie-config.yaml `hypothesis:`)."""
    machine.w = world
    chain.snapshot()
    previous_seed = hypothesis.core.global_force_seed
    # Hypothesis' own --hypothesis-seed sets this module global; `brownie test` has no such option.
    hypothesis.core.global_force_seed = seed
    try:
        run_state_machine_as_test(machine, settings=hypothesis_settings(**settings))
    finally:
        hypothesis.core.global_force_seed = previous_seed


def test_random_histories_keep_the_chain_equal_to_the_model_and_every_invariant(
    members, registry, escrow, eur, operator
):
    world = build_world(members, registry, escrow, eur, operator)
    settings, seed = machine_settings()
    print(f"property tests: seed {seed} (replay: SCF_FUZZ_SEED={seed}), settings {settings}")
    started = time.monotonic()

    run_histories(ScfMachine, world, settings, seed)

    stats = dict(sorted(world.stats.items()))
    stats |= {"seed": seed, "seconds": round(time.monotonic() - started, 1), **settings}
    stats.pop("suppress_health_check")
    stats.pop("verbosity", None)
    STATS_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATS_FILE.write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps(stats, indent=2))

    assert stats["histories"] >= 1 and stats["steps"] >= stats["histories"]


def test_the_fuzz_settings_come_from_the_environment():
    settings, seed = machine_settings(
        {"SCF_FUZZ_EXAMPLES": "500", "SCF_FUZZ_STEPS": "60", "SCF_FUZZ_SEED": "42"}
    )

    assert (settings["max_examples"], settings["stateful_step_count"], seed) == (500, 60, 42)


def test_without_the_environment_the_ci_settings_and_seed_apply():
    settings, seed = machine_settings({})

    assert (settings["max_examples"], settings["stateful_step_count"], seed) == (
        CI_EXAMPLES,
        CI_STEPS,
        CI_SEED,
    )
