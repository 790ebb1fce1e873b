"""`scf node`: a local Ganache with the suite deployed and the inputs' parties admitted, in the
foreground until SIGTERM; `scf issue --dev-keys` works against it as printed."""

import signal
import socket
import subprocess
import sys
import time as clock
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from paths import EXAMPLES, REPO

from scfchain.chain import account_from_key
from scfchain.cli import EXIT_OK, EXIT_USAGE, main
from scfchain.cli.node import start_time_arg
from scfchain.demo import demo_key
from scfchain.devnet import dev_private_keys, free_port
from scfchain.inputs import load_inputs
from scfchain.sdk import ScfClient

INVOICES = [EXAMPLES / "ubl-hengda-HD-2026-0031.xml", EXAMPLES / "ubl-sauerland-SKT-2026-0187.xml"]
EARLIEST_ISSUE = date(2026, 3, 10)  # HD-2026-0031; SKT-2026-0187 was issued on 2026-04-15
CONFIRMED = 3
RETIRED = 9
READY_TIMEOUT_S = 180


class Node:
    """An `scf node` subprocess whose output goes to a log file."""

    def __init__(self, tmp: Path, *args: str):
        self.port = free_port()
        self.log = tmp / f"node-{self.port}.log"
        self.manifests = tmp / "deployments"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scfchain.cli", "node", "--port", str(self.port),
                 "--out", str(self.manifests), *args],
                cwd=tmp, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.url = self._wait_for_url()

    @property
    def manifest(self) -> Path:
        return self.manifests / "1337.json"

    def output(self) -> str:
        return self.log.read_text()

    def _wait_for_url(self) -> str:
        deadline = clock.monotonic() + READY_TIMEOUT_S
        while clock.monotonic() < deadline:
            for line in self.output().splitlines():
                if line.startswith("RPC URL: "):
                    return line.removeprefix("RPC URL: ")
            if self.process.poll() is not None:
                raise AssertionError(f"scf node exited {self.process.returncode}:\n{self.output()}")
            clock.sleep(0.1)
        self.kill()
        raise AssertionError(f"scf node printed no RPC URL:\n{self.output()}")

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def issue(self, tmp: Path, *inputs: Path) -> int:
        return main([
            "issue", "--rpc", self.url, "--manifest", str(self.manifest), "--dev-keys",
            "--journal", str(tmp / f"journal-{self.port}.sqlite"), *map(str, inputs),
        ])  # fmt: skip


def financier_of(output: str) -> str:
    """The financier's address from the node's `financier: 0x...` line."""
    lines = [line for line in output.splitlines() if line.startswith("financier: ")]
    assert lines, f"the node printed no financier:\n{output}"
    return lines[0].removeprefix("financier: ")


def receivable_ids(*inputs: Path) -> list[int]:
    return [int.from_bytes(r.fingerprint, "big") for r in load_inputs(list(inputs)).records]


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    started = Node(tmp_path_factory.mktemp("node"), "--start-at-inputs", *map(str, INVOICES))
    yield started
    started.kill()


def test_scf_issue_with_dev_keys_puts_the_invoices_on_the_nodes_chain(node, tmp_path):
    code = node.issue(tmp_path, *INVOICES)

    statuses = ScfClient.connect(node.url, node.manifest).statuses(receivable_ids(*INVOICES))
    assert code == EXIT_OK
    assert set(statuses.values()) == {CONFIRMED}


def test_the_clock_starts_at_the_earliest_issue_date_of_the_inputs(node):
    genesis = ScfClient.connect(node.url, node.manifest).w3.eth.get_block(0)

    assert datetime.fromtimestamp(genesis["timestamp"], UTC) == datetime.combine(
        EARLIEST_ISSUE, time(0), UTC
    )


def test_the_node_prints_its_url_and_the_next_commands(node):
    out = node.output()

    assert f"RPC URL: http://127.0.0.1:{node.port}" in out
    assert f"scf issue --rpc {node.url} --manifest {node.manifest} --dev-keys" in out


def test_the_readme_path_finance_repay_redeem_retires_a_receivable_on_the_nodes_chain(
    node, tmp_path
):
    invoice = INVOICES[1]
    assert node.issue(tmp_path, invoice) == EXIT_OK
    rid = hex(receivable_ids(invoice)[0])
    face_value = load_inputs([invoice]).records[0].amount_minor
    keys = ["--rpc", node.url, "--manifest", str(node.manifest), "--dev-keys",
            *(a for path in INVOICES for a in ("--parties-from", str(path)))]  # fmt: skip
    financier = financier_of(node.output())

    financed = main(
        ["finance", rid, "--amount", str(face_value // 2), "--financier", financier, *keys]
    )
    repaid = main(["repay", rid, *keys])
    redeemed = main(["redeem", rid, *keys])

    assert (financed, repaid, redeemed) == (EXIT_OK, EXIT_OK, EXIT_OK)
    assert ScfClient.connect(node.url, node.manifest).statuses([int(rid, 16)]) == {
        int(rid, 16): RETIRED
    }


def test_the_node_prints_the_financier_and_a_finance_command_for_it(node):
    out = node.output()
    financier = financier_of(out)

    assert ScfClient.connect(node.url, node.manifest).has_role(financier, "FINANCIER")
    assert f"scf finance <receivable id> --amount <minor units> --financier {financier}" in out


def test_sigterm_stops_the_node_and_exits_with_code_0(tmp_path):
    started = Node(tmp_path, "--start-time", "2019-01-01")
    try:
        code = started.terminate()
    finally:
        started.kill()

    assert code == EXIT_OK, started.output()
    assert "node stopped" in started.output()
    assert not listens(started.port), "the node still listens"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_a_node_killed_outright_takes_its_ganache_with_it(tmp_path):
    started = Node(tmp_path, "--start-time", "2019-01-01")
    started.kill()  # SIGKILL: scf node has no chance to stop its Ganache itself

    deadline = clock.monotonic() + 10
    while clock.monotonic() < deadline and listens(started.port):
        clock.sleep(0.1)
    assert not listens(started.port), "Ganache outlived the scf node that started it"


def listens(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_node_started_again_on_its_db_resumes_the_chain_with_its_receivables(tmp_path):
    db = tmp_path / "chain-db"
    first = Node(tmp_path, "--start-at-inputs", str(INVOICES[0]), "--db", str(db))
    try:
        assert first.issue(tmp_path, INVOICES[0]) == EXIT_OK
        before = ScfClient.connect(first.url, first.manifest)
        registry, stopped_at = before.registry.address, before.now()
        assert first.terminate() == EXIT_OK
        again = Node(tmp_path, "--start-at-inputs", str(INVOICES[0]), "--db", str(db))
        try:
            client = ScfClient.connect(again.url, again.manifest)
            statuses = client.statuses(receivable_ids(INVOICES[0]))
            resumed_at = client.now()
            out = again.output()
        finally:
            again.kill()
    finally:
        first.kill()

    assert client.registry.address == registry
    assert stopped_at <= resumed_at < stopped_at + 3_600, "the clock did not resume where it was"
    assert set(statuses.values()) == {CONFIRMED}
    assert "resumed from" in out and "the suite deployed before is in place" in out


def test_a_restart_on_the_db_leaves_a_raised_credit_line_as_it_was(tmp_path):
    db = tmp_path / "chain-db"
    first = Node(tmp_path, "--start-at-inputs", str(INVOICES[0]), "--db", str(db))
    try:
        client = ScfClient.connect(first.url, first.manifest)
        raised = 10**12
        operator = account_from_key(dev_private_keys(1)[0])
        debtor = account_from_key(demo_key(load_inputs([INVOICES[0]]).records[0].buyer)).address
        client.set_credit_line(operator, debtor, raised)
        assert first.terminate() == EXIT_OK
        again = Node(tmp_path, "--start-at-inputs", str(INVOICES[0]), "--db", str(db))
        try:
            line = (
                ScfClient.connect(again.url, again.manifest)
                .registry.functions.creditLine(debtor)
                .call()
            )
        finally:
            again.kill()
    finally:
        first.kill()

    assert line == raised


def test_a_port_already_in_use_is_a_usage_error(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = main(["node", "--port", str(busy.getsockname()[1]), "--start-time", "2019-01-01"])

    assert code == EXIT_USAGE
    assert "is in use" in capsys.readouterr().err


def test_start_at_inputs_that_do_not_exist_is_a_usage_error(tmp_path, capsys):
    code = main(["node", "--port", str(free_port()), "--start-at-inputs", str(tmp_path / "nope")])

    assert code == EXIT_USAGE
    assert "no such file or folder" in capsys.readouterr().err


def test_start_time_takes_a_date_as_midnight_utc_or_an_iso_date_time():
    assert start_time_arg("2019-01-01") == datetime(2019, 1, 1, tzinfo=UTC)
    assert start_time_arg("2019-01-01T10:00:00+02:00") == datetime(2019, 1, 1, 8, tzinfo=UTC)


def test_the_scf_command_lists_node():
    out = subprocess.run(
        [sys.executable, "-m", "scfchain.cli", "--help"], cwd=REPO, capture_output=True, text=True
    ).stdout

    assert "start a local dev Ganache with the suite deployed" in out
