"""Chain faults during a bulk issuance: the node killed and restarted from its database, RPC
calls that fail or time out, pending transactions dropped or replaced. After each, every
receivable is on chain exactly once and the journal agrees with the chain (scfchain.reconcile).
"""

import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from faulty_rpc import Fault, FaultyRpc
from hexbytes import HexBytes
from scf_testnet import admit_parties
from web3 import HTTPProvider, Web3

from scfchain.artifacts import suite_error_decoder
from scfchain.bulk import issue, registrations_on_chain, validate
from scfchain.chain import Chain, RpcUnavailable, account_from_key
from scfchain.devnet import LocalNode, dev_private_keys
from scfchain.drill import DrillSummary
from scfchain.inputs import load_inputs
from scfchain.journal import CONFIRMED, Journal
from scfchain.keys import Signer
from scfchain.reconcile import compare
from scfchain.samplegen import SampleSpec, write_csv
from scfchain.sdk import ScfClient
from scfchain.suite import deploy_suite

ROWS, BATCH = 30, 5


class Net:
    def __init__(self, directory: Path):
        self.node = LocalNode(db_path=directory / "chain").start()
        chain = Chain(Web3(HTTPProvider(self.node.url)), suite_error_decoder())
        self.operator = Signer(account_from_key(dev_private_keys(1)[0]), "dev operator")
        _, deployment = deploy_suite(chain, self.operator.account, ["EUR", "USD"])
        self.manifest = deployment.write(directory)

    def client(self, url: str | None = None, timeout: float = 10) -> ScfClient:
        return ScfClient.connect(url or self.node.url, self.manifest, timeout=timeout)

    def restart(self) -> None:
        self.node.kill()
        self.node.start()


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    testnet = Net(tmp_path_factory.mktemp("faults"))
    yield testnet
    testnet.node.stop()


@pytest.fixture
def proxy(net):
    with FaultyRpc(net.node.url) as faulty:
        yield faulty


def prepare(net: Net, tmp_path: Path, seed: int):
    """A CSV of ROWS receivables, its parties admitted: (plan, keyring, journal path)."""
    csv = write_csv(tmp_path / "in.csv", SampleSpec(rows=ROWS, seed=seed, sellers=1, buyers=1))
    loaded = load_inputs([csv])
    client = net.client()
    ring = admit_parties(client, net.operator, loaded.records)
    return validate(client, loaded, ring), ring, tmp_path / "j.sqlite"


def assert_exactly_once_and_reconciled(net: Net, plan, journal_path: Path) -> None:
    client = net.client()
    registrations = registrations_on_chain(client)
    counts = [registrations[i.id].count if i.id in registrations else 0 for i in plan.items]
    with Journal(journal_path) as journal:
        report = compare(client, journal)
        states = {e.state for e in journal.entries()}
    assert counts == [1] * ROWS
    assert report.identical, [d.line() for d in report.differences]
    assert states == {CONFIRMED}


def confirmed_in(journal_path: Path) -> int:
    try:
        with sqlite3.connect(journal_path, timeout=5) as db:
            row = db.execute("SELECT COUNT(*) FROM receivables WHERE state='confirmed'").fetchone()
            return int(row[0])
    except sqlite3.OperationalError:
        return 0


def run_in_thread(target) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def body() -> None:
        try:
            outcome["result"] = target()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, outcome


def wait_for_progress(journal_path: Path, thread: threading.Thread, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while thread.is_alive() and confirmed_in(journal_path) < at_least:
        assert time.monotonic() < deadline, "the issuance made no progress"
        time.sleep(0.01)


# --- the node killed and restarted -----------------------------------------------------------


def test_a_run_whose_node_is_killed_and_restarted_from_its_database_finishes_by_itself(
    net, tmp_path
):
    plan, ring, path = prepare(net, tmp_path, seed=401)
    client = net.client()

    def job():
        with Journal(path) as journal:
            return issue(client, plan.items, journal, ring, batch_size=BATCH, window=4)

    thread, outcome = run_in_thread(job)
    wait_for_progress(path, thread, BATCH)
    net.restart()  # SIGKILL, then the same database
    thread.join(timeout=120)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


def test_a_run_that_gives_up_while_the_node_is_down_is_finished_by_running_it_again(net, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=402)
    impatient = net.client()
    impatient.chain.set_retries(1, backoff_s=0.05)

    def job():
        with Journal(path) as journal:
            return issue(impatient, plan.items, journal, ring, batch_size=BATCH, window=4)

    thread, outcome = run_in_thread(job)
    wait_for_progress(path, thread, BATCH)
    net.node.kill()
    thread.join(timeout=60)
    net.node.start()
    with Journal(path) as journal:
        again = issue(net.client(), plan.items, journal, ring, batch_size=BATCH)
    assert isinstance(outcome.get("error"), RpcUnavailable)
    assert again.confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


# --- RPC calls that fail or time out ---------------------------------------------------------


def issue_through(
    net: Net, proxy: FaultyRpc, plan, ring, path: Path, timeout: float = 10, retries: int = 6
):
    client = net.client(proxy.url, timeout=timeout)
    client.chain.set_retries(retries, backoff_s=0.05)
    with Journal(path) as journal:
        return issue(client, plan.items, journal, ring, batch_size=BATCH, window=3)


def test_connections_dropped_on_a_fifth_of_all_calls_are_retried(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=403)
    proxy.inject(Fault("drop"), fraction=0.2, seed=3)
    result = issue_through(net, proxy, plan, ring, path)
    assert sum(proxy.faults_fired.values()) >= 3, proxy.methods_seen
    assert result.confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


def test_a_broadcast_whose_answer_is_lost_is_not_sent_twice(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=404)
    proxy.inject(Fault("lost"), methods={"eth_sendRawTransaction"}, calls={1, 3, 4})
    result = issue_through(net, proxy, plan, ring, path)
    assert proxy.faults_fired["lost:eth_sendRawTransaction"] == 3
    assert (result.confirmed, result.transactions) == (ROWS, ROWS // BATCH)
    assert_exactly_once_and_reconciled(net, plan, path)


def test_calls_answered_after_the_client_timeout_are_retried(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=405)
    proxy.inject(Fault("late", delay_s=1.5), methods={"eth_sendRawTransaction"}, calls={2})
    proxy.inject(Fault("delay", delay_s=1.5), methods={"eth_call", "eth_getLogs"}, calls={1, 2})
    proxy.inject(Fault("delay", delay_s=1.5), methods={"eth_getTransactionReceipt"}, calls={3})
    result = issue_through(net, proxy, plan, ring, path, timeout=1)
    assert sum(proxy.faults_fired.values()) == 4, proxy.faults_fired
    assert result.confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


def test_json_rpc_errors_and_http_503_answers_are_retried(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=406)
    proxy.inject(Fault("error", code=-32603, message="internal error"), calls={2, 3, 10, 20})
    proxy.inject(Fault("error", code=-32005, message="limit exceeded"), calls={30, 31})
    proxy.inject(Fault("http", status=503), calls={40, 41, 50})
    result = issue_through(net, proxy, plan, ring, path)
    assert sum(proxy.faults_fired.values()) == 9
    assert result.confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


def test_a_fault_that_outlasts_every_retry_stops_the_run_with_rpc_unavailable(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=407)
    proxy.inject(Fault("http", status=503), methods={"eth_getLogs"})
    with pytest.raises(RpcUnavailable, match="eth_getLogs"):
        issue_through(net, proxy, plan, ring, path, retries=1)
    proxy.clear()
    result = issue_through(net, proxy, plan, ring, path)
    assert result.confirmed == ROWS
    assert_exactly_once_and_reconciled(net, plan, path)


# --- pending transactions dropped or replaced ------------------------------------------------


def test_a_pending_transaction_the_node_dropped_is_sent_again_with_its_nonce(net, proxy, tmp_path):
    plan, ring, path = prepare(net, tmp_path, seed=408)
    proxy.inject(Fault("swallow"), methods={"eth_sendRawTransaction"}, calls={2})
    # Ganache (instamine "eager") answers a transaction behind a nonce gap only once it is
    # mined: the short timeout makes those waits end sooner, and the resend says "known".
    result = issue_through(net, proxy, plan, ring, path, timeout=2)
    with Journal(path) as journal:
        sent = {(e.tx_hash, e.nonce) for e in journal.entries()}
    w3 = net.client().w3
    mined = {
        ("0x" + w3.eth.get_transaction(h)["hash"].hex().removeprefix("0x"), n) for h, n in sent
    }
    assert proxy.faults_fired["swallow:eth_sendRawTransaction"] == 1
    assert (result.confirmed, result.transactions, mined) == (ROWS, ROWS // BATCH, sent)
    assert_exactly_once_and_reconciled(net, plan, path)


def replace_with_a_self_transfer(ring):
    """A hook that lets the batch into the pool with mining stopped, then replaces it by a
    0-value transfer with the same nonce and higher fees, and mines that instead."""
    replaced: list[str] = []

    def hook(proxy: FaultyRpc, request: dict) -> dict:
        rpc = lambda method, *params: proxy.forward(  # noqa: E731
            {"jsonrpc": "2.0", "id": 99, "method": method, "params": list(params)}
        )
        rpc("miner_stop")
        answer = proxy.forward(request)
        original = rpc("eth_getTransactionByHash", answer["result"])["result"]
        signer = ring.get(Web3.to_checksum_address(original["from"]))
        replacement = signer.account.sign_transaction({
            "to": signer.address, "value": 0, "gas": 21_000, "chainId": 1337,
            "nonce": int(original["nonce"], 16),
            "maxFeePerGas": 2 * int(original["maxFeePerGas"], 16) + 2,
            "maxPriorityFeePerGas": 2 * int(original["maxPriorityFeePerGas"], 16) + 1,
        })  # fmt: skip
        assert "result" in rpc("eth_sendRawTransaction", "0x" + replacement.raw_transaction.hex())
        rpc("miner_start")
        replaced.append(answer["result"])
        return answer

    return hook, replaced


def test_a_pending_transaction_replaced_by_another_with_its_nonce_is_detected_and_resent(
    net, proxy, tmp_path
):
    plan, ring, path = prepare(net, tmp_path, seed=409)
    hook, replaced = replace_with_a_self_transfer(ring)
    proxy.inject(Fault("hook", hook=hook), methods={"eth_sendRawTransaction"}, calls={2})
    result = issue_through(net, proxy, plan, ring, path)
    with Journal(path) as journal:
        hashes = {e.tx_hash for e in journal.entries()}
    assert len(replaced) == 1 and replaced[0] not in hashes
    assert (result.confirmed, result.transactions) == (ROWS, ROWS // BATCH + 1)
    assert_exactly_once_and_reconciled(net, plan, path)


def take_the_nonce_first(ring):
    """A hook that, before the batch reaches the node, mines a 0-value transfer from the same
    key with the batch's nonce (another process sharing the key), so the node refuses the
    batch's nonce."""
    taken: list[int] = []

    def hook(proxy: FaultyRpc, request: dict) -> dict:
        raw = bytes.fromhex(request["params"][0].removeprefix("0x"))
        original = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
        sender = Account.recover_transaction(raw)
        signer = ring.get(sender)
        other = signer.account.sign_transaction({
            "to": signer.address, "value": 0, "gas": 21_000, "chainId": 1337,
            "nonce": original["nonce"], "maxFeePerGas": original["maxFeePerGas"],
            "maxPriorityFeePerGas": original["maxPriorityFeePerGas"],
        })  # fmt: skip
        proxy.forward(
            {"jsonrpc": "2.0", "id": 98, "method": "eth_sendRawTransaction",
             "params": ["0x" + other.raw_transaction.hex()]}
        )  # fmt: skip
        taken.append(original["nonce"])
        return proxy.forward(request)

    return hook, taken


def test_a_batch_whose_nonce_was_taken_by_another_sender_of_the_key_goes_out_with_the_next(
    net, proxy, tmp_path
):
    plan, ring, path = prepare(net, tmp_path, seed=410)
    hook, taken = take_the_nonce_first(ring)
    proxy.inject(Fault("hook", hook=hook), methods={"eth_sendRawTransaction"}, calls={2})
    result = issue_through(net, proxy, plan, ring, path)
    with Journal(path) as journal:
        nonces = {e.nonce for e in journal.entries()}
    assert len(taken) == 1 and taken[0] not in nonces
    assert (result.confirmed, result.transactions) == (ROWS, ROWS // BATCH)
    assert_exactly_once_and_reconciled(net, plan, path)


# --- the drill's verdict (make drill runs the drill itself) ----------------------------------


def test_the_drill_passes_only_when_every_receivable_is_on_chain_once_and_the_journal_agrees():
    good = DrillSummary(
        rows=10, issue_runs=[3, 3, 3, 0], on_chain=10, journal_states={"confirmed": 10},
        reconcile_exit_code=0,
    )  # fmt: skip
    variants = [
        replace(good, registered_twice=1),
        replace(good, missing=1, on_chain=9),
        replace(good, journal_states={"confirmed": 9, "sent": 1}),
        replace(good, reconcile_exit_code=1),
        replace(good, issue_runs=[3, 3, 3, 3]),
    ]
    assert good.ok and not any(v.ok for v in variants)
