"""The main job (`make demo`): invoices in, every receivable carried through to redemption."""

import json
from pathlib import Path

import pytest
from paths import EXAMPLES, SHARED_EINVOICES

from scfchain.demo import run_demo
from scfchain.inputs import iter_files, load_inputs


def run(inputs: list[Path], out: Path) -> tuple[int, dict]:
    code = run_demo(inputs, out, log=lambda _line: None)
    return code, json.loads((out / "audit-report.json").read_text())


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    return run([EXAMPLES], tmp_path_factory.mktemp("examples"))


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
