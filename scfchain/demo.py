"""The main job: e-invoices and CSV exports in, the whole receivable lifecycle on a local chain.

Reads a folder of invoices, starts its own Ganache at the earliest issue date, deploys the
suite, admits every party, then replays time: each invoice is registered and confirmed on its
issue date, one receivable is split to a sub-supplier, every other one is financed, and on
each due date the debtor repays and every holder redeems. It prints a summary table and writes
an audit report built from chain events alone.
"""

from __future__ import annotations

import json
import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.logs import DISCARD

from scfchain.artifacts import suite_error_decoder
from scfchain.audit import AuditTrail, audit_deployment
from scfchain.audit_export import write_csv
from scfchain.audit_html import write_html
from scfchain.chain import Chain, account_from_key
from scfchain.currencies import minor_units
from scfchain.devnet import LocalNode, dev_private_keys
from scfchain.inputs import load_inputs, summarize
from scfchain.records import LoadResult, Party, ReceivableRecord, fingerprint_hex
from scfchain.sdk import Terms
from scfchain.signing import SIGNATURE_VALIDITY_S, NonceAllocator, sign_confirmation
from scfchain.states import DAY_COUNTS, STATUS_NAMES
from scfchain.suite import ROLES, Deployment, Suite, deploy_suite
from scfchain.texttable import clip, render

REGISTER_AT = timedelta(hours=9)  # on the issue date
SPLIT_AFTER = timedelta(hours=1)
FINANCE_AFTER = timedelta(hours=2)
REPAY_BEFORE_DUE = timedelta(hours=1)
REDEEM_AFTER_DUE = timedelta(hours=1)
SPLIT_SHARE_PERCENT = 30
NAME_COLUMNS = 24  # invoice numbers and names longer than this are cut in the summary table
FINANCED_SHARE_PERCENT = 80
DISCOUNT_RATE_BPS = 500  # 5% a year
GAS_MONEY_WEI = 10**19  # 10 ETH per party on the dev chain
FINANCIER = Party("DEMO:financier", "Demo Trade Finance Bank")
SUB_SUPPLIER = Party("DEMO:sub-supplier", "Demo Sub-supplier Ltd")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def issue_time(record: ReceivableRecord) -> datetime:
    return day_start(record.issue_date) + REGISTER_AT


def demo_key(party: Party) -> str:
    """A deterministic demo key for a party. Demo only: real members bring their own keys."""
    return "0x" + keccak(text=f"scfchain-demo-key|{party.key}").hex()


@dataclass
class Step:
    at: int
    order: int
    label: str
    action: Callable[[], None]


@dataclass
class Outcome:
    """What happened to one receivable, for the summary table."""

    record: ReceivableRecord
    financed: int = 0
    proceeds: int = 0
    split: int = 0
    repaid: int = 0
    redeemed: int = 0
    status: str = "None"


@dataclass
class Demo:
    """One run of the main job on one chain."""

    chain: Chain
    suite: Suite
    operator: LocalAccount
    records: list[ReceivableRecord]
    accounts: dict[str, LocalAccount] = field(default_factory=dict)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    nonces: NonceAllocator = field(default_factory=NonceAllocator)
    log: Callable[[str], None] = print

    def account(self, party: Party) -> LocalAccount:
        return self.accounts[party.key]

    # --- set-up -------------------------------------------------------------------------

    def admit_parties(self, sub_supplier: Party | None) -> None:
        roles: dict[str, set[str]] = defaultdict(set)
        parties: dict[str, Party] = {}
        for r in self.records:
            roles[r.seller.key].add("SUPPLIER")
            roles[r.buyer.key].add("DEBTOR")
            parties[r.seller.key], parties[r.buyer.key] = r.seller, r.buyer
        roles[FINANCIER.key].add("FINANCIER")
        parties[FINANCIER.key] = FINANCIER
        if sub_supplier is not None:
            roles[sub_supplier.key].add("SUPPLIER")
            parties[sub_supplier.key] = sub_supplier
        pending = []
        for key, party in parties.items():
            account = account_from_key(demo_key(party))
            self.accounts[key] = account
            pending.append(self.chain.send_value(self.operator, account.address, GAS_MONEY_WEI))
            call = self.suite.members.functions.admit(
                account.address, party.id_hash, [ROLES[r] for r in sorted(roles[key])]
            )
            self.chain.transact(self.operator, call)
        for tx_hash in pending:
            self.chain.wait(tx_hash, "gas money")
        self.log(
            f"admitted {len(parties)} members ({sum('DEBTOR' in r for r in roles.values())} debtors, "
            f"{sum('SUPPLIER' in r for r in roles.values())} suppliers, 1 financier)"
        )

    def fund(self) -> None:
        """Mints settlement tokens (each debtor its total debt, the financier the total face
        value); sets each debtor's credit line and the financier's limit per debtor."""
        debts: dict[tuple[str, str], int] = defaultdict(int)
        lines: dict[str, int] = defaultdict(int)
        for r in self.records:
            debts[(r.buyer.key, r.currency)] += r.amount_minor
            debts[(FINANCIER.key, r.currency)] += r.amount_minor
            lines[r.buyer.key] += r.amount_minor
        bank = self.accounts[FINANCIER.key]
        for key, line in sorted(lines.items()):
            debtor = self.accounts[key].address
            self.chain.transact(
                self.operator, self.suite.registry.functions.setCreditLine(debtor, line)
            )
            self.chain.transact(bank, self.suite.escrow.functions.setExposureLimit(debtor, line))
        approved: set[tuple[str, str]] = set()
        for (key, currency), amount in sorted(debts.items()):
            token = self.suite.token(currency)
            holder = self.accounts[key]
            self.chain.transact(self.operator, token.functions.mint(holder.address, amount))
            if (key, currency) not in approved:
                self.chain.transact(
                    holder, token.functions.approve(self.suite.escrow.address, 2**256 - 1)
                )
                approved.add((key, currency))

    # --- the lifecycle steps ------------------------------------------------------------

    def register_and_confirm(self, record: ReceivableRecord) -> None:
        """The debtor signs its confirmation off chain; the supplier registers and confirms in one
        transaction (registerAndConfirm)."""
        supplier, debtor = self.account(record.seller), self.account(record.buyer)
        terms = Terms.from_record(record, debtor.address).as_tuple()
        now = int(self.chain.w3.eth.get_block("latest")["timestamp"])
        signed = sign_confirmation(
            debtor, chain_id=self.chain.chain_id, registry=self.suite.registry.address,
            receivable_id=int.from_bytes(record.fingerprint, "big"), supplier=supplier.address,
            face_value=record.amount_minor, currency=record.currency.encode(),
            due_date=record.due_timestamp, document_hash=record.document_hash,
            deadline=now + SIGNATURE_VALIDITY_S, nonce=self.nonces.next(debtor.address),
        )  # fmt: skip
        call = self.suite.registry.functions.registerAndConfirm(terms, signed.as_tuple())
        self.chain.transact(supplier, call)

    def split(self, record: ReceivableRecord, to: Party) -> None:
        rid = int.from_bytes(record.fingerprint, "big")
        supplier = self.account(record.seller)
        amount = record.amount_minor * SPLIT_SHARE_PERCENT // 100
        if amount == 0:
            return
        call = self.suite.registry.functions.safeTransferFrom(
            supplier.address, self.account(to).address, rid, amount, b""
        )
        self.chain.transact(supplier, call)
        self.outcomes[rid].split = amount

    def finance(self, record: ReceivableRecord) -> None:
        rid = int.from_bytes(record.fingerprint, "big")
        supplier, bank = self.account(record.seller), self.account(FINANCIER)
        held = self.suite.registry.functions.balanceOf(supplier.address, rid).call()
        amount = held * FINANCED_SHARE_PERCENT // 100
        if amount == 0:
            return
        escrow = self.suite.escrow.functions
        terms = (
            DISCOUNT_RATE_BPS,
            DAY_COUNTS["ACT/360"],
            False,
            0,
        )  # rate, day count, recourse, reserve
        call = escrow.requestFinancing(rid, amount, bank.address, terms)
        receipt = self.chain.transact(supplier, call)
        request_id = self.suite.escrow.events.FinancingRequested().process_receipt(
            receipt, errors=DISCARD
        )[0]["args"]["requestId"]
        receipt = self.chain.transact(bank, escrow.approveFinancing(request_id))
        approved = self.suite.escrow.events.FinancingApproved().process_receipt(
            receipt, errors=DISCARD
        )[0]["args"]
        self.outcomes[rid].financed = amount
        self.outcomes[rid].proceeds = approved["proceeds"]

    def repay(self, record: ReceivableRecord) -> None:
        rid = int.from_bytes(record.fingerprint, "big")
        self.chain.transact(
            self.account(record.buyer), self.suite.escrow.functions.repay(rid, record.amount_minor)
        )
        self.outcomes[rid].repaid = record.amount_minor

    def redeem_all(self, record: ReceivableRecord, holders: list[Party]) -> None:
        rid = int.from_bytes(record.fingerprint, "big")
        for party in holders:
            account = self.account(party)
            if self.suite.registry.functions.balanceOf(account.address, rid).call() == 0:
                continue
            receipt = self.chain.transact(account, self.suite.escrow.functions.redeem(rid))
            for event in self.suite.escrow.events.Redeemed().process_receipt(
                receipt, errors=DISCARD
            ):
                self.outcomes[rid].redeemed += event["args"]["paid"]

    # --- the timeline -------------------------------------------------------------------

    def plan(self, split_to: Party | None) -> list[Step]:
        steps: list[Step] = []
        holders_base = [FINANCIER] + ([split_to] if split_to else [])
        for index, record in enumerate(self.records):
            rid = int.from_bytes(record.fingerprint, "big")
            self.outcomes[rid] = Outcome(record)
            start = int(issue_time(record).timestamp())
            due = record.due_timestamp
            name = f"{record.invoice_number} ({Path(record.source.split(':')[0]).name})"
            steps.append(
                Step(
                    start,
                    0,
                    f"register+confirm {name}",
                    lambda r=record: self.register_and_confirm(r),
                )
            )
            if index == 0 and split_to is not None:
                at = start + int(SPLIT_AFTER.total_seconds())
                steps.append(Step(at, 1, f"split {name}", lambda r=record: self.split(r, split_to)))
            if index % 2 == 0:
                at = start + int(FINANCE_AFTER.total_seconds())
                steps.append(Step(at, 2, f"finance {name}", lambda r=record: self.finance(r)))
            steps.append(
                Step(
                    due - int(REPAY_BEFORE_DUE.total_seconds()),
                    3,
                    f"repay {name}",
                    lambda r=record: self.repay(r),
                )
            )
            holders = [record.seller, *holders_base]
            at = due + int(REDEEM_AFTER_DUE.total_seconds())
            steps.append(
                Step(at, 4, f"redeem {name}", lambda r=record, h=holders: self.redeem_all(r, h))
            )
        return sorted(steps, key=lambda s: (s.at, s.order))

    def run(self, steps: list[Step]) -> None:
        for step in steps:
            advance_to(self.chain, step.at)
            step.action()

    def finish(self) -> None:
        for rid, outcome in self.outcomes.items():
            status = self.suite.registry.functions.receivable(rid).call()[2]
            outcome.status = STATUS_NAMES[status]


def advance_to(chain: Chain, timestamp: int) -> None:
    """Moves the chain clock forward to `timestamp` (never backwards) and mines a block."""
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    if timestamp > now:
        chain.w3.provider.make_request("evm_increaseTime", [timestamp - now])
        chain.w3.provider.make_request("evm_mine", [])


def choose_sub_supplier(records: list[ReceivableRecord]) -> Party:
    """The first receivable's supplier passes part of it upstream: to a member that supplies it,
    when the input has one, or else to a demo sub-supplier."""
    seller = records[0].seller
    for r in records:
        if r.buyer.key == seller.key and r.seller.key != seller.key:
            return r.seller
    return SUB_SUPPLIER


def money(amount: int, currency: str) -> str:
    digits = minor_units(currency)
    if digits == 0:
        return f"{amount:,}"
    return f"{amount // 10**digits:,}.{amount % 10**digits:0{digits}d}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary_table(outcomes: list[Outcome]) -> str:
    header = (
        "invoice",
        "supplier",
        "debtor",
        "cur",
        "face",
        "split",
        "financed",
        "proceeds",
        "redeemed",
        "status",
    )
    rows = []
    for o in outcomes:
        r = o.record
        rows.append((
            clip(r.invoice_number, NAME_COLUMNS), clip(r.seller.name, NAME_COLUMNS),
            clip(r.buyer.name, NAME_COLUMNS), r.currency,
            money(r.amount_minor, r.currency), money(o.split, r.currency),
            money(o.financed, r.currency), money(o.proceeds, r.currency),
            money(o.redeemed, r.currency), o.status,
        ))  # fmt: skip
    return "\n".join(render(header, rows))


def audit_trail(demo: Demo, deployment: Deployment) -> AuditTrail:
    """The audit trail of the demo's receivables, from chain events alone (as `scf audit`),
    with each receivable's invoice number and source file as off-chain notes."""
    trail = audit_deployment(demo.chain, demo.suite, deployment, list(demo.outcomes))
    for receivable in trail.receivables:
        record = demo.outcomes[receivable.id].record
        receivable.notes = {"invoice_number": record.invoice_number, "source": record.source}
    return trail


def audit_report(
    demo: Demo, loaded: LoadResult, deployment: dict[str, Any], trail: AuditTrail
) -> dict[str, Any]:
    history = {r.id: r.events for r in trail.receivables}
    receivables = []
    for rid, outcome in demo.outcomes.items():
        r = outcome.record
        receivables.append({
            "id": fingerprint_hex(rid),
            "source": r.source,
            "invoice_number": r.invoice_number,
            "supplier": {"name": r.seller.name, "key": r.seller.key, "account": demo.account(r.seller).address},
            "debtor": {"name": r.buyer.name, "key": r.buyer.key, "account": demo.account(r.buyer).address},
            "currency": r.currency,
            "face_value": r.amount_minor,
            "due_date": r.due_date.isoformat(),
            "status": outcome.status,
            "events": [e.to_json() for e in history.get(rid, [])],
        })  # fmt: skip
    return {
        "deployment": deployment,
        "receivables": receivables,
        "not_issued": not_issued(loaded),
    }


EXIT_OK, EXIT_NOT_RETIRED, EXIT_USAGE = 0, 1, 2


def not_issued(loaded: LoadResult) -> list[dict[str, str | None]]:
    return [{"source": x.source, "field": x.field, "reason": x.reason} for x in loaded.rejections]


def wait_until_interrupted(node: LocalNode, manifest: Path) -> None:
    """Keeps the demo chain running until Ctrl-C (or SIGTERM)."""
    import signal

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            clock.sleep(3600)
    except KeyboardInterrupt:
        pass


def audit_commands(rpc: str, manifest: Path, out_dir: Path) -> list[str]:
    """The commands that audit the demo chain while it runs (printed by --keep-node)."""
    chain = f"--rpc {rpc} --manifest {manifest}"
    return [
        f"scf audit {chain} --html {out_dir / 'audit-live.html'} --csv {out_dir / 'audit-live.csv'}",
        f"scf verify {chain} examples/*.xml",
    ]


def run_demo(
    inputs: list[Path],
    out_dir: Path,
    log: Callable[[str], None] = print,
    *,
    keep_node: bool = False,
    port: int = 0,
    db_path: Path | None = None,
    hold: Callable[[LocalNode, Path], None] = wait_until_interrupted,
) -> int:
    """Runs the main job and returns the exit code: 0 when every receivable issued was retired
    (inputs that are not receivables are listed with their reason, as the job intends), 1 when
    one was not, 2 when an input path does not exist.

    Writes audit-report.json, audit.html and audit.csv (the audit trail, as `scf audit` builds
    it) and the manifest deployments/<chain-id>.json into `out_dir`. `keep_node`: once done,
    prints the RPC URL, the manifest and the audit commands, writes node.json and calls
    `hold(node, manifest)` (default: wait for Ctrl-C) before stopping the chain. `port` fixes the
    node's port (default: a free one); `db_path` keeps the chain on disk (Ganache's dbPath)."""
    missing = [str(p) for p in inputs if not Path(p).exists()]
    if missing:
        log(f"no such file or directory: {', '.join(missing)}")
        return EXIT_USAGE
    loaded = load_inputs(inputs)
    if loaded.rejections:
        log(summarize(loaded))
    else:
        log(f"{len(loaded.records)} receivable(s) read, none rejected")
    records = sorted(loaded.records, key=lambda r: (r.issue_date, r.source))
    out_dir.mkdir(parents=True, exist_ok=True)
    report_path = out_dir / "audit-report.json"
    if not records:
        log("nothing to issue")
        report = {"deployment": None, "receivables": [], "not_issued": not_issued(loaded)}
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    genesis = issue_time(records[0]) - timedelta(hours=1)
    node = LocalNode(kind="ganache", port=port, start_time=genesis, db_path=db_path)
    with node:
        from web3 import HTTPProvider, Web3

        w3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 60}))
        chain = Chain(w3, suite_error_decoder())
        operator = account_from_key(dev_private_keys(1)[0])
        suite, deployment = deploy_suite(chain, operator, [r.currency for r in records])
        manifest = deployment.write(out_dir / "deployments")
        log(f"deployed the suite on chain {deployment.chain_id} ({node.url}); manifest {manifest}")
        demo = Demo(chain, suite, operator, records, log=log)
        sub_supplier = choose_sub_supplier(records)
        demo.admit_parties(sub_supplier)
        demo.fund()
        steps = demo.plan(sub_supplier)
        log(
            f"replaying {len(steps)} steps from {genesis.date()} to "
            f"{datetime.fromtimestamp(steps[-1].at, UTC).date()}"
        )
        demo.run(steps)
        demo.finish()
        log(summary_table(list(demo.outcomes.values())))
        trail = audit_trail(demo, deployment)
        report = audit_report(demo, loaded, deployment.to_json(), trail)
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        html_path = write_html(trail, out_dir / "audit.html")
        rows = write_csv(trail, out_dir / "audit.csv")
        retired = sum(o.status == "Retired" for o in demo.outcomes.values())
        log(
            f"{retired} of {len(demo.outcomes)} receivables redeemed and retired; "
            f"{_count(len(loaded.rejections), 'input')} not issued (listed above); audit report "
            f"{report_path}, audit trail {html_path} and {out_dir / 'audit.csv'} ({rows} events)"
        )
        if keep_node:
            keep(node, manifest, out_dir, log, hold)
    return EXIT_OK if retired == len(demo.outcomes) else EXIT_NOT_RETIRED


def keep(
    node: LocalNode,
    manifest: Path,
    out_dir: Path,
    log: Callable[[str], None],
    hold: Callable[[LocalNode, Path], None],
) -> None:
    """Leaves the demo chain running for `hold`, with node.json telling scripts where it is."""
    info_path = out_dir / "node.json"
    info = {"rpc": node.url, "manifest": str(manifest), "chain_id": node.chain_id}
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    log(f"the demo chain keeps running: RPC {node.url}, manifest {manifest} (also in {info_path})")
    for command in audit_commands(node.url, manifest, out_dir):
        log(f"  {command}")
    log("press Ctrl-C to stop it")
    try:
        hold(node, manifest)
    finally:
        info_path.unlink(missing_ok=True)
        log("demo chain stopped")
