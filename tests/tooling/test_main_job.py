"""The main job (`make demo`): invoices in, every receivable carried through to redemption."""

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from paths import EXAMPLES, SHARED_EINVOICES

from scfchain.cli import main as scf
from scfchain.demo import run_demo
from scfchain.devnet import LocalNode
from scfchain.inputs import iter_files, load_inputs


def run(inputs: list[Path], out: Path) -> tuple[int, dict]:
    code = run_demo(inputs, out, log=lambda _line: None)
    return code, json.loads((out / "audit-report.json").read_text())


@pytest.fixture(scope="module")
def examples_out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("examples")


@pytest.fixture(scope="module")
def examples_run(examples_out):
    return run([EXAMPLES], examples_out)


class Timelines(HTMLParser):
    """The events of each receivable's timeline on an audit page, as a browser would read it."""

    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, list[str]] = {}
        self.current = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("data-receivable"):
            self.current = a["data-receivable"] or ""
        if tag == "ol" and a.get("class") == "timeline":
            self.events[self.current] = []
        if tag == "li" and a.get("data-event"):
            self.events[self.current].append(a["data-event"] or "")


def timelines(page: Path) -> dict[str, list[str]]:
    parser = Timelines()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser.events


def report_events(report: dict) -> dict[str, list[str]]:
    return {r["id"]: [e["event"] for e in r["events"]] for r in report["receivables"]}


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory):
    if not SHARED_EINVOICES.is_dir():
        pytest.skip("../shared/data/einvoices is not present")
    return run([SHARED_EINVOICES], tmp_path_factory.mktemp("shared"))


def test_the_main_job_succeeds_on_the_examples(examples_run):
    code, _ = examples_run
    assert code == 0


def test_every_example_invoice_is_redeemed_and_retired(examples_run):
    _, report = examples_run
    expected = len(load_inputs([EXAMPLES]).records)
    assert expected > 0
    assert [r["status"] for r in report["receivables"]] == ["Retired"] * expected


def test_the_example_credit_note_is_listed_with_its_reason_and_not_issued(examples_run):
    _, report = examples_run
    reasons = [x["reason"] for x in report["not_issued"]]
    assert len(reasons) == 1 and reasons[0].startswith("credit note")


def test_the_audit_report_gives_each_event_its_actor_block_transaction_and_time(examples_run):
    _, report = examples_run
    for receivable in report["receivables"]:
        names = [e["event"] for e in receivable["events"]]
        assert names[:2] == ["ReceivableRegistered", "ReceivableConfirmed"]
        assert {"Repaid", "Redeemed"} <= set(names)
        for event in receivable["events"]:
            assert event["actor"].startswith("0x") and len(event["actor"]) == 42
            assert event["block"] > 0 and event["timestamp"] > 0
            assert event["transaction"].startswith("0x") and len(event["transaction"]) == 66


def test_the_audit_report_shows_the_split_and_the_financing(examples_run):
    _, report = examples_run
    events = [e["event"] for r in report["receivables"] for e in r["events"]]
    assert events.count("FinancingApproved") >= 1
    transfers = [
        e for r in report["receivables"] for e in r["events"]
        if e["event"] == "TransferSingle" and int(e["args"]["from"], 16) != 0 and int(e["args"]["to"], 16) != 0
    ]  # fmt: skip
    assert transfers, "a receivable was split to a sub-supplier"


def test_the_manifest_holds_addresses_and_compiler_settings_but_no_key(examples_run, tmp_path):
    _, report = examples_run
    deployment = report["deployment"]
    assert set(deployment["contracts"]) == {
        "MemberRegistry",
        "ReceivableRegistry",
        "FinancingEscrow",
        "DocumentAnchor",
    }
    assert deployment["settings"]["compiler"]["evm_version"] == "paris"
    text = json.dumps(deployment).lower()
    assert "private" not in text and "key" not in text.replace("keys", "")


def test_every_shared_einvoice_file_is_either_carried_through_or_listed_with_a_reason(shared_run):
    code, report = shared_run
    files = {str(p) for p in iter_files([SHARED_EINVOICES])}
    issued = {r["source"] for r in report["receivables"]}
    listed = {x["source"] for x in report["not_issued"]}
    assert code == 0
    assert issued | listed == files
    assert not issued & listed
    assert all(x["reason"] for x in report["not_issued"])


def test_every_shared_einvoice_that_is_issued_ends_retired(shared_run):
    _, report = shared_run
    assert report["receivables"]
    assert {r["status"] for r in report["receivables"]} == {"Retired"}


def test_a_missing_input_path_is_a_usage_error(tmp_path):
    lines: list[str] = []
    code = run_demo([tmp_path / "no-such-folder"], tmp_path / "out", log=lines.append)
    assert code == 2
    assert lines == [f"no such file or directory: {tmp_path / 'no-such-folder'}"]


def test_a_run_with_nothing_to_issue_still_writes_a_fresh_report(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("not an invoice")
    code, report = run([tmp_path / "in"], tmp_path / "out")
    assert code == 0
    assert report["receivables"] == []
    assert [x["reason"] for x in report["not_issued"]] == ["not an invoice file (.txt)"]


def test_the_demo_writes_an_audit_page_with_every_receivables_timeline(examples_run, examples_out):
    _, report = examples_run
    assert report["receivables"]
    assert timelines(examples_out / "audit.html") == report_events(report)


def test_the_demo_audit_page_names_each_invoice_as_an_off_chain_note(examples_run, examples_out):
    _, report = examples_run
    page = (examples_out / "audit.html").read_text(encoding="utf-8")
    assert all(r["invoice_number"] in page for r in report["receivables"])
    assert "Invoice number (off chain)" in page


def test_the_demo_writes_one_csv_row_per_event_of_the_audit_report(examples_run, examples_out):
    _, report = examples_run
    with (examples_out / "audit.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_receivable: dict[str, list[str]] = {}
    for row in rows:
        by_receivable.setdefault(row["receivable_id"], []).append(row["event"])
    assert by_receivable == report_events(report)


def test_the_demo_can_keep_its_chain_running_for_scf_audit_and_then_stops_it(tmp_path):
    out = tmp_path / "out"
    seen: dict = {}

    def audit_while_running(node, manifest):
        seen["node.json"] = json.loads((out / "node.json").read_text())
        page = tmp_path / "live.html"
        chain = ["--rpc", node.url, "--manifest", str(manifest)]
        seen["code"] = scf(["audit", *chain, "--html", str(page)])
        seen["timelines"] = timelines(page)

    lines: list[str] = []
    code = run_demo([EXAMPLES], out, log=lines.append, keep_node=True, hold=audit_while_running)
    report = json.loads((out / "audit-report.json").read_text())
    assert code == 0 and seen["code"] == 0
    assert seen["timelines"] == report_events(report)
    assert seen["node.json"]["manifest"] == str(out / "deployments" / "1337.json")
    assert any(f"--rpc {seen['node.json']['rpc']}" in line for line in lines)
    assert not (out / "node.json").exists()


def test_the_demo_chain_kept_on_disk_can_be_audited_after_a_restart(tmp_path):
    out, db = tmp_path / "out", tmp_path / "chain"
    assert run_demo([EXAMPLES], out, log=lambda _line: None, db_path=db) == 0
    report = json.loads((out / "audit-report.json").read_text())
    page = tmp_path / "after-restart.html"
    with LocalNode(db_path=db) as node:
        chain = ["--rpc", node.url, "--manifest", str(out / "deployments" / "1337.json")]
        assert scf(["audit", *chain, "--html", str(page)]) == 0
    assert timelines(page) == report_events(report)
