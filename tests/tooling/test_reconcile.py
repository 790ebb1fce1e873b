"""`scf reconcile` (scfchain.reconcile): a journal compared with the chain, every kind of
difference named, and `--fix` settling the journal from the chain without writing the chain."""

import json
import sqlite3
from pathlib import Path

import pytest
from scf_testnet import admit_parties, start_testnet

from scfchain.bulk import MODE_CONFIRM, issue, validate
from scfchain.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from scfchain.inputs import load_inputs
from scfchain.journal import CONFIRMED, PLANNED, Journal
from scfchain.keys import Keyring
from scfchain.reconcile import compare
from scfchain.samplegen import SampleSpec, write_csv


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    testnet = start_testnet(tmp_path_factory.mktemp("reconcile"))
    yield testnet
    testnet.node.stop()


@pytest.fixture(scope="module")
def client(net):
    return net.client()


@pytest.fixture
def chain_args(net):
    return ["--rpc", net.node.url, "--manifest", str(net.manifest)]


def issued(client, net, tmp_path: Path, seed: int, rows: int = 4, debtor_key: bool = True):
    """Issues `rows` receivables with a journal; returns the journal path and the plan."""
    csv = write_csv(tmp_path / "in.csv", SampleSpec(rows=rows, seed=seed, sellers=1, buyers=1))
    loaded = load_inputs([csv])
    ring = admit_parties(client, net.operator, loaded.records)
    if not debtor_key:
        buyer = loaded.records[0].buyer.key
        ring = Keyring({a: s for a, s in ring.signers.items() if buyer not in s.origin})
    plan = validate(client, loaded, ring)
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        result = issue(client, plan.items, journal, ring)
    assert result.confirmed == rows
    return path, plan


def edit(path: Path, sql: str, *args) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql, args)


def kinds(client, path: Path) -> list[str]:
    with Journal(path) as journal:
        return [d.kind for d in compare(client, journal).differences]


def test_after_a_clean_issuance_journal_and_chain_are_identical(client, net, tmp_path):
    path, _ = issued(client, net, tmp_path, seed=301)
    with Journal(path) as journal:
        report = compare(client, journal)
    assert (report.identical, report.entries, report.on_chain) == (True, 4, 4)


def test_the_command_exits_0_when_journal_and_chain_agree(client, net, chain_args, tmp_path):
    path, _ = issued(client, net, tmp_path, seed=302)
    assert main(["reconcile", *chain_args, "--journal", str(path)]) == EXIT_OK


def test_an_entry_confirmed_in_the_journal_but_absent_on_chain_is_missing_on_chain(
    client, net, tmp_path
):
    path, _ = issued(client, net, tmp_path, seed=303)
    edit(path, "UPDATE receivables SET fingerprint='0x' || printf('%064x', 7) WHERE rowid=1")
    assert kinds(client, path) == ["missing_on_chain"]


def test_a_receivable_on_chain_that_the_journal_shows_planned_is_unrecorded(client, net, tmp_path):
    path, _ = issued(client, net, tmp_path, seed=304)
    edit(path, "UPDATE receivables SET state='planned' WHERE rowid=2")
    edit(path, "UPDATE receivables SET state='failed', reason='x' WHERE rowid=3")
    assert kinds(client, path) == ["unrecorded", "unrecorded"]


def test_a_journal_naming_another_transaction_than_the_registration_is_reported(
    client, net, tmp_path
):
    path, _ = issued(client, net, tmp_path, seed=305)
    edit(path, "UPDATE receivables SET tx_hash='0x' || printf('%064x', 1) WHERE rowid=1")
    assert kinds(client, path) == ["transaction"]


def test_a_receivable_issued_with_the_debtors_signature_but_still_registered_is_reported(
    client, net, tmp_path
):
    path, _ = issued(client, net, tmp_path, seed=306, rows=1, debtor_key=False)
    edit(path, "UPDATE receivables SET mode=?", MODE_CONFIRM)
    assert kinds(client, path) == ["not_confirmed"]


def test_the_command_exits_1_and_names_the_source_of_each_difference(
    client, net, chain_args, tmp_path, capsys
):
    path, plan = issued(client, net, tmp_path, seed=307)
    edit(path, "UPDATE receivables SET state='sent' WHERE rowid=1")
    capsys.readouterr()
    code = main(["reconcile", *chain_args, "--journal", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == EXIT_FAILED
    assert [(d["source"], d["kind"]) for d in out["differences"]] == [
        (plan.items[0].record.source, "unrecorded")
    ]


def test_fix_settles_the_journal_from_the_chain_without_writing_the_chain(
    client, net, chain_args, tmp_path
):
    path, _ = issued(client, net, tmp_path, seed=308)
    edit(path, "UPDATE receivables SET state='planned', block=NULL, tx_hash=NULL WHERE rowid<=2")
    block_before = client.w3.eth.block_number
    code = main(["reconcile", *chain_args, "--journal", str(path), "--fix"])
    with Journal(path) as journal:
        states = {e.state for e in journal.entries()}
        identical = compare(client, journal).identical
    assert (code, states, identical) == (EXIT_OK, {CONFIRMED}, True)
    assert client.w3.eth.block_number == block_before


def test_fix_plans_again_an_entry_missing_on_chain_and_the_next_issue_sends_it(
    client, net, tmp_path
):
    csv = write_csv(tmp_path / "in.csv", SampleSpec(rows=3, seed=309, sellers=1, buyers=1))
    loaded = load_inputs([csv])
    ring = admit_parties(client, net.operator, loaded.records)
    plan = validate(client, loaded, ring)
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:  # a journal that believes the first receivable went out
        journal.bind(client.chain.chain_id, client.registry.address)
        journal.plan((i.fingerprint, i.record.source, i.supplier) for i in plan.items)
        journal.mark_confirmed([plan.items[0].fingerprint], 1)
    argv = ["reconcile", "--rpc", net.node.url, "--manifest", str(net.manifest)]
    assert main([*argv, "--journal", str(path), "--fix"]) == EXIT_OK
    with Journal(path) as journal:
        assert journal.get(plan.items[0].fingerprint).state == PLANNED
        result = issue(client, plan.items, journal, ring)
        identical = compare(client, journal).identical
    assert (result.sent_now, result.confirmed, identical) == (3, 3, True)


def test_a_journal_of_another_registry_exits_2(client, net, chain_args, tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.bind(client.chain.chain_id, "0x" + "11" * 20)
    assert main(["reconcile", *chain_args, "--journal", str(path)]) == EXIT_USAGE


def test_a_missing_journal_file_exits_2(chain_args, tmp_path):
    assert main(["reconcile", *chain_args, "--journal", str(tmp_path / "none.sqlite")]) == (
        EXIT_USAGE
    )
