"""The bad-input corpus (tests/tooling/corpus): every file gives exactly the records and the
rejections (file, row, field, reason) that corpus/expected.toml states; a folder of all of them
loses nothing; and on a chain, `scf issue` adds the chain's own refusals (a due date already past,
a currency not deployed, an invoice issued by an earlier run) and sends the valid rest, or
nothing at all with --all-or-nothing."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scf_testnet import start_testnet

from scfchain.cli import EXIT_FAILED, EXIT_OK, main
from scfchain.inputs import load_inputs
from scfchain.records import LoadResult, ReceivableRecord

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: dict[str, Any] = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
FILES: list[dict[str, Any]] = MANIFEST["file"]
WITH_RECORDS = [case for case in FILES if "records" in case]
WITH_REJECTIONS = [case for case in FILES if case.get("rejected")]
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
CREDIT = str(10**15)


def path_id(case: dict[str, Any]) -> str:
    return case["path"]


def source(path: str, row: int | None = None) -> str:
    """The `source` of a rejection or record: the file, and ":ROW" for a CSV row."""
    return str(CORPUS / path) + ("" if row is None else f":{row}")


def expected_reason(entry: dict[str, Any]) -> str:
    return entry["reason"].replace("{corpus}", str(CORPUS))


def load(path: str) -> LoadResult:
    return load_inputs([CORPUS / path])


def split_source(text: str) -> tuple[str, int | None]:
    """("file", row) of a source; row None for a whole file."""
    match = re.fullmatch(r"(.*):(\d+)", text)
    return (match[1], int(match[2])) if match else (text, None)


# --------------------------------------------------------------------------- each file alone


def test_every_file_of_the_corpus_has_an_entry_in_the_manifest():
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert on_disk == {case["path"] for case in FILES}


@pytest.mark.parametrize("case", FILES, ids=path_id)
def test_a_corpus_file_gives_its_expected_number_of_records(case):
    assert len(load(case["path"]).records) == case["accepted"]


@pytest.mark.parametrize("case", FILES, ids=path_id)
def test_a_corpus_file_gives_exactly_its_expected_rejections_naming_file_row_and_field(case):
    found = [(r.source, r.field) for r in load(case["path"]).rejections]
    expected = [
        (source(case["path"], e.get("row")), e.get("field")) for e in case.get("rejected", [])
    ]
    assert found == expected


@pytest.mark.parametrize("case", WITH_REJECTIONS, ids=path_id)
def test_each_rejection_says_why_in_words_the_manifest_states(case):
    reasons = [r.reason for r in load(case["path"]).rejections]
    for reason, entry in zip(reasons, case["rejected"], strict=True):
        assert expected_reason(entry) in reason


@pytest.mark.parametrize("case", WITH_REJECTIONS, ids=path_id)
def test_a_rejection_message_is_one_short_line(case):
    for rejection in load(case["path"]).rejections:
        assert "\n" not in str(rejection) and len(rejection.reason) < 300


@pytest.mark.parametrize("case", WITH_RECORDS, ids=path_id)
def test_records_read_from_a_corpus_file_have_the_expected_number_amount_and_names(case):
    records = load(case["path"]).records
    assert len(records) == len(case["records"])
    for record, entry in zip(records, case["records"], strict=True):
        found = {
            "invoice": record.invoice_number,
            "amount_minor": record.amount_minor,
            "seller": record.seller.name,
            "buyer": record.buyer.name,
        }
        assert {key: found[key] for key in entry} == entry


# --------------------------------------------------------------------------- the whole corpus


@pytest.fixture(scope="module")
def whole() -> LoadResult:
    return load_inputs([CORPUS])


def test_loading_the_whole_corpus_keeps_every_valid_record(whole):
    duplicates = {source(*split_source(d["path"])) for d in MANIFEST["duplicate"]}
    expected = Counter()
    for case in FILES:
        for record in load(case["path"]).records:
            if record.source not in duplicates:
                expected[record.source] += 1
    assert Counter(r.source for r in whole.records) == expected


def test_loading_the_whole_corpus_reports_every_rejection_of_each_file(whole):
    found = {(r.source, r.field, r.reason) for r in whole.rejections}
    for case in FILES:
        for entry in case.get("rejected", []):
            where = source(case["path"], entry.get("row"))
            assert any(
                s == where and f == entry.get("field") and expected_reason(entry) in reason
                for s, f, reason in found
            ), where


def test_an_invoice_in_two_files_of_the_corpus_is_rejected_as_a_duplicate_of_the_first(whole):
    duplicates = [r for r in whole.rejections if r.reason.startswith("duplicate invoice")]
    within_files = [
        (source(c["path"], e.get("row")), expected_reason(e))
        for c in FILES
        for e in c.get("rejected", [])
        if e["reason"].startswith("duplicate invoice")
    ]
    across_files = [
        (
            source(*split_source(d["path"])),
            "duplicate invoice: same seller and invoice number as "
            + source(*split_source(d["first"])),
        )
        for d in MANIFEST["duplicate"]
    ]
    assert sorted((r.source, r.reason) for r in duplicates) == sorted(within_files + across_files)
    assert all(r.field == "invoice number" for r in duplicates)


def data_rows(path: Path) -> set[int]:
    """The CSV lines that must each give a record or a rejection: every line after the header
    that has something in a cell and does not continue a quoted field of the line before (an
    odd number of quotes so far), counted here from the bytes, independently of the parser."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode("utf-8")
    lines = LINE_BREAK.split(data.removeprefix(b"\xef\xbb\xbf"))
    starts: list[int] = []
    quotes = 0
    for number, line in enumerate(lines, 1):
        if quotes % 2 == 0 and line.strip(b" \t,"):
            starts.append(number)
        quotes += line.count(b'"')
    return set(starts[1:])  # the first filled line is the header


def test_nothing_in_the_corpus_is_lost_every_xml_file_and_csv_row_has_one_outcome(whole):
    outcomes = Counter(
        split_source(s)
        for s in [r.source for r in whole.records] + [r.source for r in whole.rejections]
    )
    assert all(count == 1 for count in outcomes.values()), outcomes.most_common(3)
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        if path.suffix != ".csv":
            assert outcomes[(str(path), None)] == 1, path
        elif outcomes[(str(path), None)]:  # the whole CSV file refused, with one reason
            assert not any(f == str(path) and row for f, row in outcomes), path
        else:
            rows = {row for f, row in outcomes if f == str(path)}
            assert rows == data_rows(path), path


def test_the_whole_corpus_counts_add_up(whole):
    duplicates = len(MANIFEST["duplicate"])
    assert len(whole.records) == sum(c["accepted"] for c in FILES) - duplicates
    assert len(whole.rejections) == sum(len(c.get("rejected", [])) for c in FILES) + duplicates


# --------------------------------------------------------------------------- on a chain


@dataclass
class ChainRuns:
    """What `scf issue` printed (exit code, JSON) in each run, and what was then on chain."""

    dry_run: tuple[int, dict[str, Any]]
    all_or_nothing: tuple[int, dict[str, Any]]
    first: tuple[int, dict[str, Any]]
    rerun: tuple[int, dict[str, Any]]
    on_chain_after: dict[str, Counter[int]]  # run name -> registrations per receivable id


def run_cli(argv: list[str]) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, json.loads(out.getvalue())


def registrations(client) -> Counter[int]:
    """How many times each receivable id was registered (ReceivableRegistered events)."""
    logs = client.registry.events.ReceivableRegistered().get_logs(from_block=0)
    return Counter(int(log["args"]["id"]) for log in logs)


def records_by_number(path: str) -> dict[str, ReceivableRecord]:
    return {r.invoice_number: r for r in load(path).records}


def receivable_id(record: ReceivableRecord) -> int:
    return int.from_bytes(record.fingerprint, "big")


@pytest.fixture(scope="module")
def chain_runs(tmp_path_factory) -> ChainRuns:
    """A deployment of EUR and USD with the corpus' parties admitted; then, in this order, a dry
    run, an --all-or-nothing run and a plain run of the first export, and a run of the next
    night's export with a fresh journal."""
    directory = tmp_path_factory.mktemp("corpus-chain")
    net = start_testnet(directory)
    try:
        client = net.client()
        args = ["--rpc", net.node.url, "--manifest", str(net.manifest), "--dev-keys"]
        chain_folder = str(CORPUS / "chain")
        with contextlib.redirect_stdout(io.StringIO()):
            admitted = main(
                ["members", *args, "--from-inputs", chain_folder, "--credit-line", CREDIT]
            )
        assert admitted == EXIT_OK
        first = str(CORPUS / MANIFEST["chain"][0]["path"])
        rerun = str(CORPUS / MANIFEST["chain_rerun"]["path"])
        after: dict[str, Counter[int]] = {}
        dry = run_cli(["issue", *args, first, "--dry-run", "--json"])
        after["dry_run"] = registrations(client)
        journal = str(directory / "refused.sqlite")
        refused = run_cli(
            ["issue", *args, first, "--all-or-nothing", "--json", "--journal", journal]
        )
        after["all_or_nothing"] = registrations(client)
        issued = run_cli(
            ["issue", *args, first, "--json", "--journal", str(directory / "1.sqlite")]
        )
        after["first"] = registrations(client)
        again = run_cli(["issue", *args, rerun, "--json", "--journal", str(directory / "2.sqlite")])
        after["rerun"] = registrations(client)
        return ChainRuns(dry, refused, issued, again, after)
    finally:
        net.node.stop()


def chain_report(out: dict[str, Any]) -> list[tuple[str, int | None, str | None]]:
    return [(r["file"], r["row"], r["field"]) for r in out["rejected"] if r["stage"] == "chain"]


def test_a_dry_run_reports_the_chain_rejections_naming_file_row_and_field(chain_runs):
    expected = MANIFEST["chain"][0]
    code, out = chain_runs.dry_run
    assert code == EXIT_FAILED
    assert chain_report(out) == [
        (str(CORPUS / expected["path"]), e["row"], e["field"]) for e in expected["rejected"]
    ]
    chain_rows = [r for r in out["rejected"] if r["stage"] == "chain"]
    for row, entry in zip(chain_rows, expected["rejected"], strict=True):
        assert entry["reason"] in row["reason"]


def test_a_dry_run_counts_the_valid_records_as_ready_and_sends_nothing(chain_runs):
    code, out = chain_runs.dry_run
    ready = sorted(r["invoice_number"] for r in out["receivables"])
    assert (ready, out["issued"]) == (MANIFEST["chain"][0]["ready"], None)
    assert chain_runs.on_chain_after["dry_run"] == Counter()


def test_all_or_nothing_sends_nothing_when_the_chain_rejects_a_record(chain_runs):
    code, out = chain_runs.all_or_nothing
    assert (code, out["issued"], out["ready"]) == (EXIT_FAILED, None, 3)
    assert chain_runs.on_chain_after["all_or_nothing"] == Counter()


def test_without_all_or_nothing_the_valid_records_are_issued_and_the_rejected_ones_are_not(
    chain_runs,
):
    code, out = chain_runs.first
    records = records_by_number(MANIFEST["chain"][0]["path"])
    ready = {receivable_id(records[n]) for n in MANIFEST["chain"][0]["ready"]}
    assert (code, out["issued"]["confirmed"]) == (EXIT_FAILED, len(ready))
    assert chain_runs.on_chain_after["first"] == Counter({rid: 1 for rid in ready})


def test_an_invoice_issued_by_an_earlier_run_is_not_issued_again_by_the_next_run(chain_runs):
    code, out = chain_runs.rerun
    spec = MANIFEST["chain_rerun"]
    records = records_by_number(spec["path"])
    again = {receivable_id(records[n]) for n in spec["already_issued"]}
    new = {receivable_id(records[n]) for n in spec["new"]}
    after = chain_runs.on_chain_after["rerun"]
    assert (out["issued"]["sent_now"], out["issued"]["already_on_chain"]) == (len(new), len(again))
    assert all(after[rid] == 1 for rid in again | new)
    assert after - chain_runs.on_chain_after["first"] == Counter({rid: 1 for rid in new})
