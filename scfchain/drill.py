"""The fault drill (`make drill`): Ganache killed (SIGKILL) and restarted from its database three
times during a bulk issuance, `scf issue` run again after each crash as an operator would, and
at the end the chain and the journal must be identical.

    python scripts/drill.py --rows 2000 --out out/drill

1. A fresh Ganache keeps its chain in OUT/chain (--database.dbPath); `scf deploy` and
   `scf members --from-inputs` set up the suite and the parties of a generated CSV
   (scfchain.samplegen).
2. `scf issue CSV --journal OUT/journal.sqlite` runs; the node is killed at three different
   points: (1) with a quarter of the receivables confirmed, (2) with more than half confirmed
   and a batch journalled as sent but not yet mined (in flight), (3) moments after `scf issue`
   was started again (while it validates and reconciles). After each kill `scf issue` fails
   (exit 3, chain/RPC error, after SCF_RPC_RETRIES retries); the node is started again on the
   same database and `scf issue` is run again, until it exits 0.
3. Checks: every fingerprint of the CSV registered on chain exactly once (ReceivableRegistered
   events), every journal entry confirmed, and `scf reconcile` reporting no difference (exit 0).
A summary is printed (and written to OUT/summary.json); the exit code is 0 only when every
check holds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scfchain.devnet import PROJECT_ROOT, LocalNode

DEFAULT_ROWS = 2_000
DEFAULT_OUT = PROJECT_ROOT / "out" / "drill"
CREDIT_LINE = 10**18
RPC_RETRIES = "1"  # `scf issue` gives up quickly once its node is gone, as a nightly job would
POLL_S = 0.02
STEP_TIMEOUT_S = 900


@dataclass
class Kill:
    """One crash of the node: when, and what the journal and `scf issue` showed."""

    point: str
    confirmed_at_kill: int
    sent_at_kill: int
    issue_exit_code: int | None
    node_down_s: float
    restart_s: float


@dataclass
class DrillSummary:
    rows: int
    kills: list[Kill] = field(default_factory=list)
    issue_runs: list[int] = field(default_factory=list)  # exit code of each `scf issue`
    on_chain: int = 0
    registered_twice: int = 0
    missing: int = 0
    journal_states: dict[str, int] = field(default_factory=dict)
    reconcile_exit_code: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.on_chain == self.rows
            and self.registered_twice == 0
            and self.missing == 0
            and self.journal_states == {"confirmed": self.rows}
            and self.reconcile_exit_code == 0
            and (self.issue_runs[-1:] == [0])
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def text(self) -> str:
        lines = [f"fault drill: {self.rows} receivables, {len(self.kills)} node kills"]
        for n, kill in enumerate(self.kills, 1):
            lines.append(
                f"  kill {n} ({kill.point}): {kill.confirmed_at_kill} confirmed and "
                f"{kill.sent_at_kill} in flight in the journal; `scf issue` exited "
                f"{kill.issue_exit_code}; node down {kill.node_down_s:.1f}s, restarted from its "
                f"database in {kill.restart_s:.1f}s"
            )
        lines += [
            f"  scf issue runs (exit codes): {self.issue_runs}",
            f"  on chain: {self.on_chain} of {self.rows} (registered twice: "
            f"{self.registered_twice}, missing: {self.missing})",
            f"  journal: {self.journal_states}",
            f"  scf reconcile exit code: {self.reconcile_exit_code}",
            f"  time: {self.seconds:.0f}s",
            "  OK: chain and journal identical" if self.ok else "  FAILED",
        ]
        return "\n".join(lines)


def journal_counts(path: Path) -> dict[str, int]:
    """State -> count in a journal being written by another process (empty when unreadable)."""
    if not path.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            rows = db.execute("SELECT state, COUNT(*) FROM receivables GROUP BY state").fetchall()
            return {state: int(count) for state, count in rows}
    except sqlite3.OperationalError:
        return {}


class Drill:
    """One drill run in `out`; `log` receives progress lines."""

    def __init__(self, rows: int, out: Path, log: Callable[[str], None] = print) -> None:
        self.rows = rows
        self.out = out
        self.log = log
        self.csv = out / f"receivables-{rows}.csv"
        self.journal = out / "journal.sqlite"
        self.manifest = out / "deployments" / "1337.json"
        self.node = LocalNode(db_path=out / "chain", log_path=out / "ganache.log")  # redacted
        self.env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "SCF_RPC_RETRIES": RPC_RETRIES,
        }
        self.summary = DrillSummary(rows)
        self._runs = 0

    # --- the operator's commands -------------------------------------------------------------

    def scf(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "scfchain.cli", *args]

    def chain_args(self) -> list[str]:
        return ["--rpc", self.node.url, "--manifest", str(self.manifest)]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.scf(*args), env=self.env, cwd=PROJECT_ROOT, capture_output=True, text=True,
            timeout=STEP_TIMEOUT_S,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"scf {args[0]} exited {done.returncode}: {done.stderr[-2000:]}")
        return done

    def start_issue(self) -> subprocess.Popen[bytes]:
        self._runs += 1
        log = (self.out / f"issue-{self._runs}.log").open("wb")
        argv = self.scf(
            "issue", *self.chain_args(), "--dev-keys", str(self.csv), "--journal",
            str(self.journal), "--json",
        )  # fmt: skip
        return subprocess.Popen(argv, env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=log)

    # --- the drill ---------------------------------------------------------------------------

    def set_up(self) -> None:
        from scfchain.samplegen import SampleSpec, write_csv

        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        write_csv(self.csv, SampleSpec(rows=self.rows, seed=2000, sellers=8, buyers=8))
        self.node.start()
        self.log(f"ganache on {self.node.url}, database {self.node.db_path}")
        self.run("deploy", "--rpc", self.node.url, "--dev-key", "--out", str(self.manifest.parent))
        self.run(
            "members", *self.chain_args(), "--dev-keys", "--from-inputs", str(self.csv),
            "--credit-line", str(CREDIT_LINE),
        )  # fmt: skip
        self.log(f"suite deployed, parties admitted; {self.rows} receivables in {self.csv}")

    def wait_until(
        self, issue: subprocess.Popen[bytes], ready: Callable[[dict[str, int]], bool]
    ) -> bool:
        """Waits until the journal satisfies `ready` (True) or `scf issue` exits (False)."""
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while issue.poll() is None:
            if ready(journal_counts(self.journal)):
                return True
            if time.monotonic() > deadline:
                raise TimeoutError("scf issue made no progress")
            time.sleep(POLL_S)
        return False

    def crash(self, issue: subprocess.Popen[bytes], point: str) -> None:
        """SIGKILLs the node, lets `scf issue` fail, restarts the node on its database."""
        counts = journal_counts(self.journal)
        down = time.monotonic()
        self.node.kill()
        code = issue.wait(timeout=STEP_TIMEOUT_S)
        self.summary.issue_runs.append(code)
        started = time.monotonic()
        self.node.start()
        restarted = time.monotonic()
        kill = Kill(
            point, counts.get("confirmed", 0), counts.get("sent", 0), code,
            restarted - down, restarted - started,
        )  # fmt: skip
        self.summary.kills.append(kill)
        self.log(
            f"kill {len(self.summary.kills)} ({point}): {kill.confirmed_at_kill} confirmed, "
            f"{kill.sent_at_kill} in flight; scf issue exited {code}; node back in "
            f"{kill.restart_s:.1f}s"
        )

    def issuance(self) -> None:
        quarter, half = self.rows // 4, self.rows // 2
        points: list[tuple[str, Callable[[dict[str, int]], bool], float]] = [
            ("a quarter confirmed", lambda c: c.get("confirmed", 0) >= quarter, 0.0),
            (
                "over half confirmed, a batch in flight",
                lambda c: c.get("confirmed", 0) > half and c.get("sent", 0) > 0,
                0.0,
            ),
            ("scf issue just started again", lambda c: True, 1.0),
        ]
        for point, ready, delay in points:
            issue = self.start_issue()
            time.sleep(delay)
            if not self.wait_until(issue, ready):
                self.summary.issue_runs.append(issue.returncode)
                self.log(f"scf issue finished (exit {issue.returncode}) before: {point}")
                return
            self.crash(issue, point)
        while not self.summary.issue_runs or self.summary.issue_runs[-1] != 0:
            issue = self.start_issue()
            code = issue.wait(timeout=STEP_TIMEOUT_S)
            self.summary.issue_runs.append(code)
            self.log(f"scf issue run {self._runs} exited {code}")
            if code not in (0, 3) or len(self.summary.issue_runs) > 8:
                return

    def check(self) -> None:
        from collections import Counter

        from scfchain.bulk import registrations_on_chain
        from scfchain.inputs import load_inputs
        from scfchain.sdk import ScfClient

        client = ScfClient.connect(self.node.url, self.manifest)
        registrations = registrations_on_chain(client)
        ids = [int.from_bytes(r.fingerprint, "big") for r in load_inputs([self.csv]).records]
        counts = Counter(registrations[i].count if i in registrations else 0 for i in ids)
        self.summary.on_chain = sum(n for c, n in counts.items() if c >= 1)
        self.summary.registered_twice = sum(n for c, n in counts.items() if c > 1)
        self.summary.missing = counts.get(0, 0)
        self.summary.journal_states = journal_counts(self.journal)
        done = subprocess.run(
            self.scf("reconcile", *self.chain_args(), "--journal", str(self.journal)),
            env=self.env, cwd=PROJECT_ROOT, capture_output=True, text=True,
        )  # fmt: skip
        (self.out / "reconcile.log").write_text(done.stdout + done.stderr)
        self.summary.reconcile_exit_code = done.returncode

    def __call__(self) -> DrillSummary:
        began = time.monotonic()
        try:
            self.set_up()
            self.issuance()
            self.check()
        finally:
            self.node.stop()
            self.summary.seconds = time.monotonic() - began
        (self.out / "summary.json").write_text(json.dumps(self.summary.to_json(), indent=2))
        return self.summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="drill", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="receivables to issue")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="working folder (wiped)")
    args = parser.parse_args(argv)
    summary = Drill(args.rows, args.out)()
    print(summary.text())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
