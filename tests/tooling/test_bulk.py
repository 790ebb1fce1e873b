"""Bulk issuance (scfchain.bulk): validation report, batches, journal and reconciliation."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from scf_testnet import GEN_SCRIPT, admit_parties, start_testnet

from scfchain.bulk import (
    BASE_GAS,
    CACHED_HEADROOM_NUM,
    GAS_HEADROOM_DEN,
    MODE_CONFIRM,
    MODE_REGISTER,
    issue,
    max_batch,
    registered_on_chain,
    validate,
)
from scfchain.chain import call_tx
from scfchain.inputs import load_inputs
from scfchain.journal import CONFIRMED, FAILED, Journal, JournalMismatch
from scfchain.keys import Keyring
from scfchain.noncepool import NoncePool, RpcUnavailable, with_retries
from scfchain.sdk import Terms


def generate(path: Path, rows: int, seed: int, sellers: int = 2, buyers: int = 2) -> Path:
    subprocess.run(
        [sys.executable, str(GEN_SCRIPT), str(rows), str(path), "--seed", str(seed),
         "--sellers", str(sellers), "--buyers", str(buyers)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    testnet = start_testnet(tmp_path_factory.mktemp("bulk"))
    yield testnet
    testnet.node.stop()


@pytest.fixture(scope="module")
def client(net):
    return net.client()


def prepared(client, net, csv: Path, credit_lines=None):
    loaded = load_inputs([csv])
    ring = admit_parties(client, net.operator, loaded.records, credit_lines)
    return loaded, ring


def ids_on_chain(client) -> dict[int, int]:
    return registered_on_chain(client)


def test_the_validation_report_names_file_row_field_and_reason(client, net, tmp_path):
    csv = generate(tmp_path / "in.csv", 3, seed=11)
    text = csv.read_text().splitlines()
    text[2] = text[2].replace(",EUR,", ",XXX,")
    csv.write_text("\n".join(text) + "\n")
    loaded, ring = prepared(client, net, csv)
    plan = validate(client, loaded, ring)
    assert [(r.file, r.row, r.field) for r in plan.report] == [(str(csv), 3, "currency")]


def test_a_currency_without_a_settlement_token_in_the_deployment_is_rejected_against_the_chain(
    client, net, tmp_path
):
    csv = tmp_path / "gbp.csv"
    subprocess.run(
        [sys.executable, str(GEN_SCRIPT), "2", str(csv), "--seed", "20", "--currency", "GBP"],
        check=True, capture_output=True,
    )  # fmt: skip
    loaded, ring = prepared(client, net, csv)
    plan = validate(client, loaded, ring)
    assert plan.items == []
    assert [(r.stage, r.row, r.field) for r in plan.report] == [
        ("chain", 2, "currency"),
        ("chain", 3, "currency"),
    ]
    assert "GBP" in plan.report[0].reason and "deployed: EUR, USD" in plan.report[0].reason


def test_a_batch_size_too_big_for_a_block_is_capped_to_fit_the_block_gas_limit():
    per_item, block = 200_000, 30_000_000
    size = max_batch(per_item, block)
    gas_limit = (per_item * size + BASE_GAS) * CACHED_HEADROOM_NUM // GAS_HEADROOM_DEN
    assert gas_limit <= block * 9 // 10 < (per_item * (size + 1) + BASE_GAS) * 15 // 10


def test_a_batch_size_larger_than_a_block_holds_is_split_into_batches_that_fit(
    client, net, tmp_path
):
    loaded, ring = prepared(
        client, net, generate(tmp_path / "in.csv", 160, seed=21, sellers=1, buyers=1)
    )
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        result = issue(client, plan.items, journal, ring, batch_size=1000)
        per_tx = Counter(e.tx_hash for e in journal.entries())
    block_limit = client.w3.eth.get_block("latest")["gasLimit"]
    gas_limits = [client.w3.eth.get_transaction(h)["gas"] for h in per_tx]
    assert (result.confirmed, len(per_tx)) == (160, 3)
    assert 100 < max(per_tx.values()) < 1000
    assert max(gas_limits) <= block_limit * 9 // 10


def test_a_record_whose_seller_is_not_a_member_is_reported_against_the_chain(client, tmp_path):
    loaded = load_inputs([generate(tmp_path / "in.csv", 1, seed=12)])
    plan = validate(client, loaded, Keyring())
    assert [(r.stage, r.field) for r in plan.report] == [("chain", "seller")]


def test_receivables_are_registered_and_confirmed_in_batches(client, net, tmp_path):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 24, seed=13))
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        result = issue(client, plan.items, journal, ring, batch_size=5)
    statuses = client.statuses([i.id for i in plan.items])
    assert (result.confirmed, result.transactions, set(statuses.values())) == (24, 6, {3})


def test_issuing_again_with_the_same_journal_sends_nothing(client, net, tmp_path):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 6, seed=14))
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        issue(client, plan.items, journal, ring)
        again = issue(client, plan.items, journal, ring)
    assert (again.sent_now, again.confirmed) == (0, 6)


def test_a_rerun_with_the_same_journal_counts_every_receivable_as_already_on_chain(
    client, net, tmp_path
):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 3, seed=47))
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        first = issue(client, plan.items, journal, ring)
        again = issue(client, plan.items, journal, ring)
    assert (first.already_on_chain, again.already_on_chain, again.found_by_reconcile) == (0, 3, 0)


def test_with_a_fresh_journal_receivables_already_on_chain_are_not_sent_again(
    client, net, tmp_path
):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 6, seed=15))
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "first.sqlite") as journal:
        issue(client, plan.items, journal, ring)
    with Journal(tmp_path / "second.sqlite") as journal:
        again = issue(client, plan.items, journal, ring)
        states = {e.state for e in journal.entries()}
    assert (again.sent_now, again.already_on_chain, states) == (0, 6, {CONFIRMED})


def test_validating_again_marks_receivables_already_on_chain_with_the_same_terms(
    client, net, tmp_path
):
    csv = generate(tmp_path / "in.csv", 3, seed=41)
    loaded, ring = prepared(client, net, csv)
    with Journal(tmp_path / "j.sqlite") as journal:
        issue(client, validate(client, loaded, ring).items, journal, ring)
    again = validate(client, load_inputs([csv]), ring)
    assert (again.report, [i.on_chain for i in again.items]) == ([], [True, True, True])


def test_a_re_export_of_an_issued_invoice_with_another_amount_is_rejected_naming_the_amount(
    client, net, tmp_path
):
    csv = generate(tmp_path / "in.csv", 1, seed=42)
    loaded, ring = prepared(client, net, csv)
    with Journal(tmp_path / "j.sqlite") as journal:
        issue(client, validate(client, loaded, ring).items, journal, ring)
    header, row = csv.read_text().splitlines()
    cells = row.split(",")
    cells[-1] = f"{float(cells[-1]) + 1:.2f}"
    csv.write_text(f"{header}\n{','.join(cells)}\n")
    plan = validate(client, load_inputs([csv]), ring)
    assert plan.items == []
    assert [(r.stage, r.row, r.field) for r in plan.report] == [("chain", 2, "amount")]
    assert "already on chain with another face value" in plan.report[0].reason


def test_a_receivable_journalled_as_confirmed_but_missing_from_a_reset_chain_is_sent_again(
    client, net, tmp_path
):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 2, seed=43))
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.bind(client.chain.chain_id, client.registry.address)
        journal.plan((i.fingerprint, i.record.source, i.supplier) for i in plan.items)
        journal.mark_confirmed([i.fingerprint for i in plan.items], 1)
        result = issue(client, plan.items, journal, ring)
    statuses = client.statuses([i.id for i in plan.items])
    assert (result.sent_now, set(statuses.values())) == (2, {3})


def test_a_batch_journalled_as_sent_but_never_broadcast_is_sent_again(client, net, tmp_path):
    loaded, ring = prepared(
        client, net, generate(tmp_path / "in.csv", 4, seed=16, sellers=1, buyers=1)
    )
    plan = validate(client, loaded, ring)
    item = plan.items[0]
    supplier = ring.get(item.supplier)
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.bind(client.chain.chain_id, client.registry.address)
        journal.plan((i.fingerprint, i.record.source, i.supplier) for i in plan.items)
        tx = call_tx(
            client.registry.functions.registerBatch(
                [Terms.from_record(item.record, item.debtor).as_tuple()]
            )
        )
        pool = NoncePool(client.chain, supplier.account)
        tx_hash, _raw, nonce = pool.sign(tx, 500_000)  # the crash: signed and journalled, not sent
        journal.mark_sent(
            [item.fingerprint], "0x" + tx_hash.hex(), supplier.address, nonce, MODE_REGISTER
        )
        result = issue(client, plan.items, journal, ring)
    assert (result.confirmed, client.status(item.id).status) == (4, "Confirmed")


def test_a_receivable_the_chain_refuses_is_reported_and_the_others_are_issued(
    client, net, tmp_path
):
    csv = generate(tmp_path / "in.csv", 6, seed=17, sellers=1, buyers=2)
    records = load_inputs([csv]).records
    starved = records[1].buyer.key  # this debtor gets no credit line: it cannot confirm
    loaded, ring = prepared(client, net, csv, credit_lines={starved: 0})
    plan = validate(client, loaded, ring)
    with Journal(tmp_path / "j.sqlite") as journal:
        result = issue(client, plan.items, journal, ring, batch_size=6)
        failed = journal.entries(FAILED)
    assert (result.confirmed, len(failed)) == (3, 3)
    assert all("CreditLineExceeded" in e.reason for e in failed)


def test_without_the_debtors_key_receivables_are_registered_to_await_confirmation(
    client, net, tmp_path
):
    loaded, ring = prepared(
        client, net, generate(tmp_path / "in.csv", 3, seed=18, sellers=1, buyers=1)
    )
    debtor = load_inputs([tmp_path / "in.csv"]).records[0].buyer
    supplier_only = Keyring({a: s for a, s in ring.signers.items() if debtor.key not in s.origin})
    plan = validate(client, loaded, supplier_only)
    with Journal(tmp_path / "j.sqlite") as journal:
        issue(client, plan.items, journal, supplier_only)
    assert {i.mode for i in plan.items} == {MODE_REGISTER}
    assert {client.status(i.id).status for i in plan.items} == {"Registered"}


def test_with_the_debtors_key_the_batch_call_registers_and_confirms(client, net, tmp_path):
    loaded, ring = prepared(client, net, generate(tmp_path / "in.csv", 2, seed=19))
    assert {i.mode for i in validate(client, loaded, ring).items} == {MODE_CONFIRM}


def test_a_journal_of_another_chain_is_refused(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.bind(1, "0x" + "11" * 20)
        with pytest.raises(JournalMismatch):
            journal.bind(2, "0x" + "11" * 20)


def test_a_transient_rpc_error_is_retried(tmp_path):
    failures = iter([ConnectionError("reset"), TimeoutError("slow")])

    def flaky():
        error = next(failures, None)
        if error:
            raise error
        return "ok"

    assert with_retries(flaky, "test", sleep=lambda _s: None) == "ok"


def test_an_rpc_error_that_persists_after_the_retries_is_raised(tmp_path):
    def down():
        raise ConnectionError("refused")

    with pytest.raises(RpcUnavailable):
        with_retries(down, "test", retries=2, sleep=lambda _s: None)


def test_the_nonce_pool_never_has_more_transactions_in_flight_than_its_window(client, net):
    pool = NoncePool(client.chain, net.operator.account, window=2)
    seen = []
    for _ in range(5):
        tx_hash, raw, nonce = pool.sign({"to": net.operator.address, "value": 1}, 21_000)
        pool.broadcast(tx_hash, raw, nonce)
        seen.append(pool.in_flight)
    pool.drain()
    assert max(seen) == 2


def test_the_generated_csv_has_the_project_layout_and_every_row_parses(tmp_path):
    csv = generate(tmp_path / "gen.csv", 250, seed=3)
    header = csv.read_text().splitlines()[0]
    loaded = load_inputs([csv])
    assert (
        header
        == "invoice_number,seller_id,seller_name,buyer_id,buyer_name,issue_date,due_date,currency,amount"
    )
    assert (len(loaded.records), loaded.rejections) == (250, [])
