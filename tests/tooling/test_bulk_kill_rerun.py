"""The kill-and-rerun drill of `make issue-10k` (scfchain.bulkdrill), run small: generated
receivables, `scf issue` SIGKILLed half-way and run again, each receivable on chain exactly once.
Also the generator of its CSV (scfchain.samplegen)."""

import csv
import json
import sqlite3
from collections import Counter
from datetime import date

import pytest

from scfchain.bulkdrill import DrillConfig, DrillResult, run_drill
from scfchain.inputs import load_inputs
from scfchain.samplegen import SampleSpec, write_csv
from scfchain.sdk import ScfClient

ROWS = 300
CONFIRMED = 3


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """The drill with ROWS rows; the chain is read independently of the drill's own checks."""
    work = tmp_path_factory.mktemp("drill")
    seen = {}

    def inspect(url, manifest):
        records = load_inputs([work / f"receivables-{ROWS}.csv"]).records
        seen["ids"] = [int.from_bytes(r.fingerprint, "big") for r in records]
        client = ScfClient.connect(url, manifest)
        logs = client.registry.events.ReceivableRegistered().get_logs(from_block=0)
        seen["events"] = Counter(int(log["args"]["id"]) for log in logs)
        seen["statuses"] = client.statuses(seen["ids"])

    config = DrillConfig(rows=ROWS, batch_size=10, work_dir=work)
    result = run_drill(config, log=lambda line: None, inspect=inspect)
    return {"result": result, "work": work, **seen}


def test_the_first_run_is_killed_with_part_of_the_receivables_journalled(drill):
    result = drill["result"]

    assert result.killed
    assert 0 < result.journalled_at_kill < ROWS


def test_the_second_run_ends_with_exit_code_0(drill):
    assert drill["result"].rerun_exit == 0


def test_each_receivable_is_named_by_exactly_one_registration_event(drill):
    assert drill["events"] == Counter({rid: 1 for rid in drill["ids"]})


def test_each_receivable_is_confirmed_in_the_registry(drill):
    assert len(drill["ids"]) == ROWS
    assert set(drill["statuses"].values()) == {CONFIRMED}


def test_the_journal_shows_every_receivable_confirmed(drill):
    with sqlite3.connect(drill["work"] / "journal.sqlite") as db:
        states = Counter(s for (s,) in db.execute("SELECT state FROM receivables"))

    assert states == {"confirmed": ROWS}


def test_the_drill_reports_success_and_the_node_exits_with_code_0(drill):
    report = json.loads((drill["work"] / "drill-report.json").read_text())

    assert report["ok"] is True
    assert (report["once"], report["events"], report["node_exit"]) == (ROWS, ROWS, 0)


def test_a_result_with_a_receivable_registered_twice_is_not_ok():
    result = DrillResult(
        rows=2, killed=True, journalled_at_kill=1, rerun_exit=0, events=3, once=1,
        duplicated=["0x01"], journal={"confirmed": 2}, node_exit=0,
    )  # fmt: skip

    assert not result.ok


def test_a_result_whose_first_run_ended_before_the_kill_is_not_ok():
    result = DrillResult(
        rows=2, killed=False, journalled_at_kill=2, rerun_exit=0, events=2, once=2,
        journal={"confirmed": 2}, node_exit=0,
    )  # fmt: skip

    assert not result.ok


def test_a_kill_fraction_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="kill_fraction"):
        DrillConfig(kill_fraction=1.0)


# --- the generated CSV ---------------------------------------------------------------------------


def test_the_same_spec_writes_the_same_bytes(tmp_path):
    spec = SampleSpec(rows=50, seed=7, issue_date=date(2026, 1, 15))

    first = write_csv(tmp_path / "a.csv", spec).read_bytes()
    second = write_csv(tmp_path / "b.csv", spec).read_bytes()

    assert first == second


def test_another_seed_writes_other_invoice_numbers(tmp_path):
    a = load_inputs([write_csv(tmp_path / "a.csv", SampleSpec(rows=20, seed=1))]).records
    b = load_inputs([write_csv(tmp_path / "b.csv", SampleSpec(rows=20, seed=2))]).records

    assert not {r.fingerprint for r in a} & {r.fingerprint for r in b}


def test_every_row_parses_as_a_eur_receivable_due_30_to_180_days_after_the_issue_date(tmp_path):
    issued = date(2026, 1, 15)
    loaded = load_inputs([write_csv(tmp_path / "r.csv", SampleSpec(rows=500, issue_date=issued))])

    assert (len(loaded.records), loaded.rejections) == (500, [])
    assert {r.currency for r in loaded.records} == {"EUR"}
    assert {r.issue_date for r in loaded.records} == {issued}
    assert all(30 <= (r.due_date - issued).days <= 180 for r in loaded.records)


def test_every_seller_and_buyer_of_the_pools_appears_within_the_first_rows(tmp_path):
    spec = SampleSpec(rows=36, sellers=36, buyers=24)
    with write_csv(tmp_path / "r.csv", spec).open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert len({r["seller_id"] for r in rows}) == 36
    assert len({r["buyer_id"] for r in rows}) == 24
    assert not {r["seller_id"] for r in rows} & {r["buyer_id"] for r in rows}
