"""The kill-and-rerun drill of bulk issuance (`make issue-10k`): N generated receivables, a run
of `scf issue` killed half-way, a second run, then proof that each receivable is on chain
exactly once.

1. writes a deterministic CSV of N rows (`scfchain.samplegen`) to the work folder;
2. starts `scf node --start-at-inputs CSV` (Ganache, the suite deployed, every seller and buyer
   admitted with its demo key) and waits for its RPC URL;
3. runs `scf issue --dev-keys CSV --journal J` and SIGKILLs it once a given fraction of the
   receivables is journalled as sent or confirmed;
4. runs the same command again, to its end;
5. checks the chain and the journal: the registry status of every fingerprint is not None, the
   ReceivableRegistered events name each fingerprint exactly once and are N in all, and the
   journal shows all N confirmed;
6. stops the node with SIGTERM and writes `drill-report.json`.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scfchain.devnet import free_port
from scfchain.samplegen import DEFAULT_ROWS, SampleSpec, write_csv

POLL_S = 0.05
NODE_READY_TIMEOUT_S = 600.0  # admitting a few dozen parties takes a while on a slow machine
NODE_STOP_TIMEOUT_S = 60.0
LOG_CHUNK_BLOCKS = 5_000
URL_PREFIX = "RPC URL: "


class DrillError(RuntimeError):
    """The drill could not run (the node did not come up, a run hung)."""


@dataclass(frozen=True)
class DrillConfig:
    """How big the drill is and where it works."""

    rows: int = DEFAULT_ROWS
    seed: int = 1
    work_dir: Path = Path("out") / "issue-drill"
    kill_fraction: float = 0.5  # of the rows journalled (sent or confirmed) before the SIGKILL
    batch_size: int = 50
    window: int = 16
    port: int = 0  # 0: a free port
    run_timeout_s: float = 7_200.0

    def __post_init__(self) -> None:
        if not 0 < self.kill_fraction < 1:
            raise ValueError(f"kill_fraction must be between 0 and 1, not {self.kill_fraction}")
        if self.rows < 1:
            raise ValueError(f"rows must be 1 or more, not {self.rows}")


@dataclass
class DrillResult:
    """What the drill measured; `ok` when each receivable is on chain exactly once."""

    rows: int
    killed: bool = False  # the first run was still running when it was killed
    journalled_at_kill: int = 0  # receivables sent or confirmed in the journal at the SIGKILL
    confirmed_at_kill: int = 0
    rerun_exit: int | None = None
    events: int = 0  # ReceivableRegistered events on the chain
    once: int = 0  # fingerprints named by exactly one event
    duplicated: list[str] = field(default_factory=list)  # named by more than one event
    missing: list[str] = field(default_factory=list)  # no event or registry status None
    journal: dict[str, int] = field(default_factory=dict)
    node_exit: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def half_way(self) -> bool:
        return self.killed and 0 < self.journalled_at_kill < self.rows

    @property
    def ok(self) -> bool:
        return (
            self.half_way
            and self.rerun_exit == 0
            and self.once == self.rows == self.events
            and not self.duplicated
            and not self.missing
            and self.journal.get("confirmed") == self.rows
            and self.node_exit == 0
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "half_way": self.half_way, "ok": self.ok}


def journal_counts(path: Path) -> Counter[str]:
    """Receivables per state in a journal that another process may be writing (read-only;
    empty while the journal does not exist yet)."""
    if not path.exists():
        return Counter()
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            rows = db.execute("SELECT state, COUNT(*) FROM receivables GROUP BY state").fetchall()
    except sqlite3.OperationalError:  # the table is not created yet, or a writer holds a lock
        return Counter()
    return Counter({state: int(n) for state, n in rows})


def scf_command(*args: str) -> list[str]:
    """`scf ARGS` with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-m", "scfchain.cli", *args]


@dataclass
class _Node:
    process: subprocess.Popen[bytes]
    url: str
    manifest: Path


def start_node(csv: Path, work: Path, port: int) -> _Node:
    """`scf node` for `csv`; returns once it printed its RPC URL (set-up done)."""
    log_path = work / "node.log"
    manifests = work / "deployments"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            scf_command(
                "node", "--port", str(port or free_port()), "--start-at-inputs", str(csv),
                "--out", str(manifests),
            ),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + NODE_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if line.startswith(URL_PREFIX):
                url = line.removeprefix(URL_PREFIX).strip()
                return _Node(process, url, manifests / "1337.json")
        if process.poll() is not None:
            raise DrillError(f"scf node exited with code {process.returncode}: see {log_path}")
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise DrillError(f"scf node printed no RPC URL within {NODE_READY_TIMEOUT_S}s: see {log_path}")


def stop_node(node: _Node) -> int:
    """SIGTERM, as Ctrl-C would; returns the exit code of `scf node`."""
    node.process.send_signal(signal.SIGTERM)
    try:
        return node.process.wait(timeout=NODE_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()
        return -int(signal.SIGKILL)


def count_events(url: str, manifest: Path, ids: list[int]) -> tuple[Counter[int], dict[int, int]]:
    """ReceivableRegistered events per receivable id (every event since the registry was
    deployed) and the registry status of each of `ids`."""
    from scfchain.sdk import ScfClient

    client = ScfClient.connect(url, manifest)
    event = client.registry.events.ReceivableRegistered()
    start = int(client.deployment.contracts["ReceivableRegistry"]["block"])
    latest = int(client.w3.eth.block_number)
    per_id: Counter[int] = Counter()
    while start <= latest:
        end = min(start + LOG_CHUNK_BLOCKS - 1, latest)
        per_id.update(
            int(log["args"]["id"]) for log in event.get_logs(from_block=start, to_block=end)
        )
        start = end + 1
    return per_id, client.statuses(ids)


def _run_and_kill(
    argv: list[str], log_path: Path, journal: Path, threshold: int, timeout_s: float
) -> tuple[bool, Counter[str]]:
    """Runs `argv` and SIGKILLs it once `threshold` receivables are sent or confirmed; returns
    whether it was killed (False: it ended first) and the journal counts at that moment."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout_s
        counts: Counter[str] = Counter()
        while process.poll() is None:
            counts = journal_counts(journal)
            if counts["sent"] + counts["confirmed"] >= threshold:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True, journal_counts(journal)
            if time.monotonic() > deadline:
                process.kill()
                raise DrillError(f"the first `scf issue` ran over {timeout_s}s: see {log_path}")
            time.sleep(POLL_S)
    return False, journal_counts(journal)


def _run(argv: list[str], log_path: Path, timeout_s: float) -> int:
    with log_path.open("wb") as log:
        try:
            return subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=timeout_s
            ).returncode
        except subprocess.TimeoutExpired:
            raise DrillError(f"`scf issue` ran over {timeout_s}s: see {log_path}") from None


def _fresh(work: Path) -> None:
    """Removes what an earlier drill left (a journal bound to the same addresses on a new chain
    would otherwise claim receivables that this chain does not have)."""
    for name in ("journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"):
        (work / name).unlink(missing_ok=True)
    (work / "deployments" / "1337.json").unlink(missing_ok=True)


def run_drill(
    config: DrillConfig,
    log: Callable[[str], None] = print,
    inspect: Callable[[str, Path], None] | None = None,
) -> DrillResult:
    """Runs the drill; `inspect(url, manifest)`, when given, is called after the second run,
    while the node is still up. Writes WORK/drill-report.json."""
    work = Path(config.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    _fresh(work)
    result = DrillResult(rows=config.rows)
    began = time.monotonic()

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        result.seconds[name] = round(now - since, 1)
        return now

    csv = write_csv(
        work / f"receivables-{config.rows}.csv", SampleSpec(rows=config.rows, seed=config.seed)
    )
    log(f"{config.rows} receivables written to {csv}")
    mark = time.monotonic()
    node = start_node(csv, work, config.port)
    mark = lap("node_setup", mark)
    log(
        f"scf node up at {node.url} (suite deployed, parties admitted) in {result.seconds['node_setup']}s"
    )
    try:
        journal = work / "journal.sqlite"
        argv = scf_command(
            "issue", "--rpc", node.url, "--manifest", str(node.manifest), "--dev-keys", str(csv),
            "--journal", str(journal), "--batch-size", str(config.batch_size),
            "--window", str(config.window),
        )  # fmt: skip
        threshold = max(1, int(config.rows * config.kill_fraction))
        result.killed, at_kill = _run_and_kill(
            argv, work / "issue-1.log", journal, threshold, config.run_timeout_s
        )
        result.journalled_at_kill = at_kill["sent"] + at_kill["confirmed"]
        result.confirmed_at_kill = at_kill["confirmed"]
        mark = lap("first_run", mark)
        log(
            f"first `scf issue` {'killed (SIGKILL)' if result.killed else 'ended before the kill'}"
            f" after {result.seconds['first_run']}s with {result.journalled_at_kill} of "
            f"{config.rows} journalled ({result.confirmed_at_kill} confirmed)"
        )
        result.rerun_exit = _run(argv, work / "issue-2.log", config.run_timeout_s)
        mark = lap("second_run", mark)
        log(f"second `scf issue` exited {result.rerun_exit} after {result.seconds['second_run']}s")
        _check(result, csv, node, journal)
        lap("check", mark)
        if inspect is not None:
            inspect(node.url, node.manifest)
    finally:
        result.node_exit = stop_node(node)
    result.seconds["total"] = round(time.monotonic() - began, 1)
    report = work / "drill-report.json"
    report.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    log(
        f"{result.once} of {config.rows} receivables on chain exactly once, {result.events} "
        f"ReceivableRegistered events, {len(result.duplicated)} duplicated, {len(result.missing)} "
        f"missing; journal {dict(result.journal)}; node exit {result.node_exit}; "
        f"{result.seconds['total']}s in all: {'OK' if result.ok else 'FAILED'} ({report})"
    )
    return result


def _check(result: DrillResult, csv: Path, node: _Node, journal: Path) -> None:
    from scfchain.inputs import load_inputs

    ids = [int.from_bytes(r.fingerprint, "big") for r in load_inputs([csv]).records]
    per_id, statuses = count_events(node.url, node.manifest, ids)
    result.events = sum(per_id.values())
    result.once = sum(per_id[i] == 1 for i in ids)
    result.duplicated = [hex(i) for i in ids if per_id[i] > 1]
    result.missing = [hex(i) for i in ids if per_id[i] == 0 or statuses.get(i, 0) == 0]
    result.journal = dict(journal_counts(journal))


def main(argv: list[str] | None = None) -> int:
    """`python scripts/issue_drill.py`: exit 0 when each receivable is on chain exactly once."""
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"default {DEFAULT_ROWS}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=None, help="work folder (default out/issue-drill-ROWS)"
    )
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.5,
        help="SIGKILL the first run when this fraction is journalled (default 0.5)",
    )
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--port", type=int, default=0, help="node port (default: a free one)")
    args = parser.parse_args(argv)
    try:
        config = DrillConfig(
            rows=args.rows, seed=args.seed, kill_fraction=args.kill_at,
            work_dir=args.out or Path("out") / f"issue-drill-{args.rows}",
            batch_size=args.batch_size, window=args.window, port=args.port,
        )  # fmt: skip
    except ValueError as exc:
        parser.error(str(exc))
    try:
        result = run_drill(config, log=lambda line: print(line, flush=True))
    except DrillError as exc:
        print(f"issue drill: {exc}", file=sys.stderr)
        return 2
    return 0 if result.ok else 1
