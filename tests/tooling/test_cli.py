"""The `scf` command line on one shared node: members, issue (dry run, all-or-nothing, JSON,
the receivable id of each input), status (not found, amounts in major units), audit, the demo
keys of the parties with --dev-keys --parties-from, default manifest and journal in the current
folder, repay's allowance, exit codes, and a bulk issuance killed half-way and run again."""

import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scf_testnet import GEN_SCRIPT, REPO, party_signer, start_testnet

from scfchain.bulk import registered_on_chain
from scfchain.cli import EXIT_CHAIN, EXIT_FAILED, EXIT_OK, EXIT_USAGE, build_parser, main
from scfchain.demo import FINANCIER
from scfchain.inputs import load_inputs
from scfchain.sdk import Terms

CREDIT = str(10**15)


def generate(path: Path, rows: int, seed: int) -> Path:
    subprocess.run(
        [sys.executable, str(GEN_SCRIPT), str(rows), str(path), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    testnet = start_testnet(tmp_path_factory.mktemp("cli"))
    yield testnet
    testnet.node.stop()


@pytest.fixture(scope="module")
def chain_args(net):
    return ["--rpc", net.node.url, "--manifest", str(net.manifest), "--dev-keys"]


@pytest.fixture(scope="module")
def members_admitted(net, chain_args, tmp_path_factory):
    csv = generate(tmp_path_factory.mktemp("members") / "all.csv", 50, seed=99)
    code = main(["members", *chain_args, "--from-inputs", str(csv), "--credit-line", CREDIT])
    assert code == EXIT_OK
    return csv


def run_json(capsys, argv):
    capsys.readouterr()
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_the_help_documents_the_exit_codes():
    text = build_parser().format_help()
    assert all(f"  {code}  " in text for code in (0, 1, 2, 3))


def test_members_are_admitted_from_a_csv_file(net, chain_args, tmp_path, capsys):
    account = "0x" + "ab" * 20
    members = tmp_path / "members.csv"
    members.write_text(
        f"address,party_key,roles,credit_line\n{account},VAT:FR99999999999,DEBTOR;SUPPLIER,500\n"
    )
    code, out = run_json(capsys, ["members", *chain_args, str(members), "--json"])
    assert (code, out[0]["action"], net.client().has_role(account, "DEBTOR")) == (
        0,
        "admitted",
        True,
    )


def test_an_existing_member_listed_with_roles_it_lacks_is_reported_and_exits_1(
    net, chain_args, tmp_path, capsys
):
    account = "0x" + "cd" * 20
    members = tmp_path / "members.csv"
    members.write_text(f"address,party_key,roles\n{account},VAT:FR88888888888,SUPPLIER\n")
    run_json(capsys, ["members", *chain_args, str(members), "--json"])
    members.write_text(f"address,party_key,roles\n{account},VAT:FR88888888888,SUPPLIER;DEBTOR\n")
    code, out = run_json(capsys, ["members", *chain_args, str(members), "--json"])
    assert (code, out[0]["action"], out[0]["notes"]) == (
        EXIT_FAILED,
        "already a member",
        ["on chain it lacks DEBTOR: not granted by this command"],
    )


def test_a_dry_run_reports_and_sends_nothing(net, chain_args, members_admitted, tmp_path, capsys):
    csv = generate(tmp_path / "in.csv", 5, seed=21)
    code, out = run_json(capsys, ["issue", *chain_args, str(csv), "--dry-run", "--json"])
    ids = {int.from_bytes(r.fingerprint, "big") for r in load_inputs([csv]).records}
    assert (code, out["ready"], out["issued"]) == (EXIT_OK, 5, None)
    assert ids.isdisjoint(registered_on_chain(net.client()))


def test_all_or_nothing_sends_nothing_when_an_input_is_rejected(
    net, chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 4, seed=22)
    csv.write_text(csv.read_text().replace(",EUR,", ",EURO,", 1))
    code, out = run_json(capsys, ["issue", *chain_args, str(csv), "--all-or-nothing", "--json"])
    assert (code, len(out["rejected"]), out["issued"]) == (EXIT_FAILED, 1, None)


def test_issue_prints_a_json_summary_with_the_journal_counts(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 7, seed=23)
    argv = ["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite"), "--json"]
    code, out = run_json(capsys, argv)
    assert (code, out["issued"]["confirmed"], out["journal"]["confirmed"]) == (EXIT_OK, 7, 7)


def test_a_journal_that_is_not_sqlite_is_a_usage_error_before_the_validation_report(
    net, chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 2, seed=61)
    journal = tmp_path / "notes.txt"
    journal.write_text("not a database, but a page of notes\n" * 200)
    code = main(["issue", *chain_args, str(csv), "--journal", str(journal)])
    out, err = capsys.readouterr()
    ids = {int.from_bytes(r.fingerprint, "big") for r in load_inputs([csv]).records}
    assert (code, out, "not a usable SQLite file" in err) == (EXIT_USAGE, "", True)
    assert ids.isdisjoint(registered_on_chain(net.client()))


def test_a_sqlite_file_of_another_application_is_refused_as_a_journal_and_left_untouched(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=62)
    foreign = tmp_path / "erp.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE invoices (number TEXT)")
    before = foreign.read_bytes()
    code = main(["issue", *chain_args, str(csv), "--journal", str(foreign)])
    assert (code, "not an `scf issue` journal" in capsys.readouterr().err) == (EXIT_USAGE, True)
    assert foreign.read_bytes() == before


def test_status_and_audit_describe_an_issued_receivable(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=24)
    main(["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite"), "--json"])
    rid = hex(int.from_bytes(load_inputs([csv]).records[0].fingerprint, "big"))
    _, status = run_json(capsys, ["status", *chain_args, rid, "--json"])
    _, audit = run_json(capsys, ["audit", *chain_args, rid])
    events = [e["event"] for e in audit["receivables"][0]["events"]]
    assert status[0]["status"] == "Confirmed" and "ReceivableConfirmed" in events


def registered_with_funded_parties(net, csv: Path) -> tuple[str, Any, Any, Any, Any]:
    """Registers the first invoice of `csv` (not confirmed) from its seller's demo key, with
    the demo financier admitted and both the financier and the debtor holding and approving
    settlement tokens; returns the id, the record and the supplier, debtor and bank keys."""
    record = load_inputs([csv]).records[0]
    supplier, debtor, bank = (party_signer(p) for p in (record.seller, record.buyer, FINANCIER))
    client = net.client()
    if not client.is_member(bank.address):
        client.admit(net.operator, bank.address, FINANCIER.key, ["FINANCIER"])
        client.chain.wait(client.chain.send_value(net.operator.account, bank.address, 10**19))
    client.set_exposure_limit(bank, debtor.address, 10**15)
    for holder in (bank, debtor):
        client.transact(
            net.operator, client.suite.token("EUR").functions.mint(holder.address, 10**12)
        )
        client.approve_settlement(holder, "EUR")
    rid = hex(client.register(supplier, Terms.from_record(record, debtor.address)))
    return rid, record, supplier, debtor, bank


def test_confirm_finance_repay_and_redeem_with_keys_from_the_environment(
    net, members_admitted, tmp_path, monkeypatch
):
    csv = generate(tmp_path / "in.csv", 1, seed=25)
    rid, record, supplier, debtor, bank = registered_with_funded_parties(net, csv)
    client = net.client()
    for name, signer in (("T_SUPPLIER", supplier), ("T_DEBTOR", debtor), ("T_BANK", bank)):
        monkeypatch.setenv(name, signer.account.key.hex())
    keys = ["--key-env", "T_SUPPLIER", "--key-env", "T_DEBTOR", "--key-env", "T_BANK"]
    base = ["--rpc", net.node.url, "--manifest", str(net.manifest), *keys]
    half = str(record.amount_minor // 2)
    codes = [
        main(["confirm", *base, rid]),
        main(["finance", *base, rid, "--amount", half, "--financier", bank.address]),
        main(["repay", *base, rid]),
        main(["redeem", *base, rid]),
    ]
    assert (codes, client.status(int(rid, 16)).status) == ([0, 0, 0, 0], "Retired")


def test_confirm_sign_only_prints_what_a_relayer_needs_and_the_relayed_signature_confirms(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    from scfchain.signing import Signed

    csv = generate(tmp_path / "in.csv", 1, seed=63)
    rid, _, supplier, debtor, _ = registered_with_funded_parties(net, csv)
    monkeypatch.setenv("T_DEBTOR", debtor.account.key.hex())
    base = ["--rpc", net.node.url, "--manifest", str(net.manifest), "--key-env", "T_DEBTOR"]
    capsys.readouterr()
    assert main(["confirm", *base, rid, "--sign-only"]) == EXIT_OK
    words = capsys.readouterr().out.split()
    fields = dict(zip(words[2::2], words[3::2], strict=True))
    signed = Signed(
        int(fields["nonce"]), int(fields["deadline"]), bytes.fromhex(fields["signature"][2:])
    )
    client = net.client()
    client.confirm_by_sig(supplier, int(rid, 16), signed)
    assert (words[:2], client.status(int(rid, 16)).status) == (
        [f"0x{int(rid, 16):064x}", "signed"],
        "Confirmed",
    )


def test_a_deployer_without_ether_for_gas_gets_the_nodes_refusal_in_one_line_and_exit_3(
    net, tmp_path, monkeypatch, capsys
):
    from eth_account import Account

    monkeypatch.setenv("T_POOR", Account.create().key.hex())
    argv = ["deploy", "--rpc", net.node.url, "--key-env", "T_POOR", "--out", str(tmp_path)]
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert (code, "cannot pay for gas" in err, len(err.strip().splitlines())) == (
        EXIT_CHAIN,
        True,
        1,
    )


def test_an_unknown_receivable_status_exits_with_code_1(chain_args, capsys):
    assert main(["status", *chain_args, "0x1234"]) == EXIT_FAILED


def test_a_missing_manifest_exits_with_code_2(net, tmp_path):
    assert (
        main(["status", "--rpc", net.node.url, "--manifest", str(tmp_path / "none.json"), "1"])
        == EXIT_USAGE
    )


def test_an_unreachable_node_exits_with_code_3(net):
    assert (
        main(["status", "--rpc", "http://127.0.0.1:9", "--manifest", str(net.manifest), "1"])
        == EXIT_CHAIN
    )


def test_no_private_key_appears_in_the_output(chain_args, members_admitted, tmp_path, capfd):
    csv = generate(tmp_path / "in.csv", 3, seed=26)
    main(["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite")])
    main(["members", *chain_args, "--from-inputs", str(csv), "--credit-line", CREDIT])
    out = capfd.readouterr()
    keys = {
        party_signer(p).account.key.hex().removeprefix("0x")
        for r in load_inputs([csv]).records
        for p in (r.seller, r.buyer)
    }
    assert not any(k in out.out + out.err for k in keys)


def _journal_confirmed(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(
                db.execute("SELECT COUNT(*) FROM receivables WHERE state='confirmed'").fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_an_issue_killed_half_way_and_run_again_puts_each_receivable_on_chain_exactly_once(
    net, chain_args, members_admitted, tmp_path
):
    rows = 300
    csv = generate(tmp_path / "in.csv", rows, seed=27)
    journal = tmp_path / "j.sqlite"
    argv = [
        sys.executable,
        "-m",
        "scfchain.cli",
        "issue",
        *chain_args,
        str(csv),
        "--journal",
        str(journal),
        "--batch-size",
        "10",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while first.poll() is None and _journal_confirmed(journal) < rows // 3:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = _journal_confirmed(journal)
    second = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)

    client = net.client()
    ids = {int.from_bytes(r.fingerprint, "big") for r in load_inputs([csv]).records}
    logs = client.registry.events.ReceivableRegistered().get_logs(from_block=0)
    per_id = Counter(int(log["args"]["id"]) for log in logs if int(log["args"]["id"]) in ids)
    with sqlite3.connect(journal) as db:
        states = Counter(s for (s,) in db.execute("SELECT state FROM receivables"))
    assert 0 < killed_at < rows, "the first run was not killed half-way"
    assert second.returncode == 0, second.stdout + second.stderr
    assert (len(per_id), set(per_id.values())) == (rows, {1})
    assert states == {"confirmed": rows}


def test_with_dev_keys_and_parties_from_confirm_finance_repay_and_redeem_find_each_partys_key(
    net, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=31)
    rid, record, _, _, bank = registered_with_funded_parties(net, csv)
    dev = ["--rpc", net.node.url, "--manifest", str(net.manifest), "--dev-keys"]
    dev += ["--parties-from", str(csv)]
    half = str(record.amount_minor // 2)
    codes = [
        main(["confirm", *dev, rid]),
        main(["finance", *dev, rid, "--amount", half, "--financier", bank.address]),
        main(["repay", *dev, rid]),
        main(["redeem", *dev, rid]),
    ]
    assert (codes, net.client().status(int(rid, 16)).status) == ([0, 0, 0, 0], "Retired")


def test_with_dev_keys_alone_a_missing_party_key_points_to_parties_from(
    net, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=32)
    rid, *_ = registered_with_funded_parties(net, csv)
    argv = ["confirm", "--rpc", net.node.url, "--manifest", str(net.manifest), "--dev-keys", rid]
    code = main(argv)
    assert (code, "--parties-from" in capsys.readouterr().err) == (EXIT_USAGE, True)


def test_status_of_an_unknown_receivable_says_not_found(chain_args, capsys):
    capsys.readouterr()
    code = main(["status", *chain_args, "0x1234"])
    expected = f"0x{0x1234:064x}  not found"
    assert (code, capsys.readouterr().out.strip()) == (EXIT_FAILED, expected)


def test_status_in_json_of_an_unknown_receivable_says_it_was_not_found(chain_args, capsys):
    code, out = run_json(capsys, ["status", *chain_args, "0x1234", "--json"])
    assert (code, out) == (EXIT_FAILED, [{"id": f"0x{0x1234:064x}", "found": False}])


def test_status_shows_the_face_value_in_major_units_with_the_currencys_decimals(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=33)
    csv.write_text(re.sub(r",EUR,\d+(\.\d+)?", ",EUR,1250.00", csv.read_text()))
    main(["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite"), "--json"])
    rid = hex(int.from_bytes(load_inputs([csv]).records[0].fingerprint, "big"))
    capsys.readouterr()
    main(["status", *chain_args, rid])
    assert " 1,250.00 EUR " in capsys.readouterr().out


def test_status_in_json_keeps_minor_units_and_adds_the_major_unit_string(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=34)
    csv.write_text(re.sub(r",EUR,\d+(\.\d+)?", ",EUR,1250.00", csv.read_text()))
    main(["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite"), "--json"])
    rid = hex(int.from_bytes(load_inputs([csv]).records[0].fingerprint, "big"))
    _, out = run_json(capsys, ["status", *chain_args, rid, "--json"])
    assert (out[0]["face_value"], out[0]["face_value_major"], out[0]["currency"]) == (
        125_000,
        "1250.00",
        "EUR",
    )


def test_issue_prints_the_source_invoice_number_and_receivable_id_of_each_issued_input(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 3, seed=35)
    capsys.readouterr()
    code = main(["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite")])
    out = capsys.readouterr().out
    expected = [
        f"  issued  {r.source}  {r.invoice_number}  0x{r.fingerprint.hex()}"
        for r in load_inputs([csv]).records
    ]
    assert (code, [line for line in out.splitlines() if "  issued  " in line]) == (
        EXIT_OK,
        expected,
    )


def test_issue_in_json_lists_each_input_with_its_receivable_id(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 2, seed=36)
    argv = ["issue", *chain_args, str(csv), "--journal", str(tmp_path / "j.sqlite"), "--json"]
    _, out = run_json(capsys, argv)
    expected = [
        {
            "source": r.source,
            "invoice_number": r.invoice_number,
            "id": "0x" + r.fingerprint.hex(),
            "already_on_chain": False,
            "issued": True,
        }
        for r in load_inputs([csv]).records
    ]
    assert out["receivables"] == expected


def test_a_dry_run_in_json_lists_the_receivable_ids_it_would_issue(
    chain_args, members_admitted, tmp_path, capsys
):
    csv = generate(tmp_path / "in.csv", 2, seed=37)
    _, out = run_json(capsys, ["issue", *chain_args, str(csv), "--dry-run", "--json"])
    ids = ["0x" + r.fingerprint.hex() for r in load_inputs([csv]).records]
    assert [(r["id"], r["issued"]) for r in out["receivables"]] == [(i, None) for i in ids]


def test_issue_without_manifest_and_journal_uses_deployments_and_out_of_the_current_folder(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    chain_id = net.client().chain.chain_id
    (tmp_path / "deployments").mkdir()
    shutil.copy(net.manifest, tmp_path / "deployments" / f"{chain_id}.json")
    csv = generate(tmp_path / "in.csv", 1, seed=38)
    monkeypatch.chdir(tmp_path)
    code = main(["issue", "--rpc", net.node.url, "--dev-keys", str(csv), "--json"])
    journal = tmp_path / "out" / f"issue-{chain_id}.sqlite"
    assert (code, journal.exists()) == (EXIT_OK, True)


def test_deploy_without_out_writes_the_manifest_into_deployments_of_the_current_folder(
    net, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    code = main(["deploy", "--rpc", net.node.url, "--dev-key"])
    chain_id = net.client().chain.chain_id
    assert (code, (tmp_path / "deployments" / f"{chain_id}.json").exists()) == (EXIT_OK, True)


def test_without_a_manifest_in_the_current_folder_the_error_names_the_folder(
    net, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    code = main(["status", "--rpc", net.node.url, "1"])
    assert (code, str(tmp_path) in capsys.readouterr().err) == (EXIT_USAGE, True)


def test_status_prints_the_id_as_the_same_hex_fingerprint_as_issue(chain_args, capsys):
    capsys.readouterr()
    main(["status", *chain_args, "0x0abc"])
    assert capsys.readouterr().out.startswith("0x" + "0" * 61 + "abc  ")


_fresh_seeds = itertools.count(40)


@pytest.fixture
def confirmed_without_allowance(net, members_admitted, tmp_path):
    """A confirmed receivable whose debtor holds settlement tokens but has not let the escrow
    draw any; returns it and the --dev-keys arguments that find its parties' keys."""
    csv = generate(tmp_path / "in.csv", 1, seed=next(_fresh_seeds))
    rid, _, _, debtor, _ = registered_with_funded_parties(net, csv)
    dev = ["--rpc", net.node.url, "--manifest", str(net.manifest), "--dev-keys"]
    dev += ["--parties-from", str(csv)]
    assert main(["confirm", *dev, rid]) == EXIT_OK
    net.client().approve_settlement(debtor, "EUR", 0)
    return rid, dev


def test_repay_without_an_allowance_says_to_pass_approve_and_sends_nothing(
    net, confirmed_without_allowance, capsys
):
    rid, dev = confirmed_without_allowance
    capsys.readouterr()
    code = main(["repay", *dev, rid])
    status = net.client().status(int(rid, 16)).status
    assert (code, "--approve" in capsys.readouterr().err, status) == (
        EXIT_FAILED,
        True,
        "Confirmed",
    )


def test_repay_with_approve_lets_the_escrow_draw_the_amount_and_repays(
    net, confirmed_without_allowance, capsys
):
    rid, dev = confirmed_without_allowance
    code = main(["repay", *dev, rid, "--approve"])
    assert (code, net.client().status(int(rid, 16)).status) == (EXIT_OK, "Repaid")


def test_repay_of_more_than_is_outstanding_says_so_and_sends_nothing(
    net, confirmed_without_allowance, capsys
):
    rid, dev = confirmed_without_allowance
    owed = net.client().outstanding(int(rid, 16))
    capsys.readouterr()
    code = main(["repay", *dev, rid, "--amount", str(owed + 1), "--approve"])
    status = net.client().status(int(rid, 16)).status
    assert (code, "outstanding" in capsys.readouterr().err, status) == (
        EXIT_FAILED,
        True,
        "Confirmed",
    )


def test_a_financing_whose_approval_is_refused_is_cancelled_and_its_units_returned(
    net, confirmed_without_allowance, capsys
):
    rid, dev = confirmed_without_allowance
    client = net.client()
    supplier = client.status(int(rid, 16)).supplier
    units = client.balance(supplier, int(rid, 16))
    bank = party_signer(FINANCIER).address
    capsys.readouterr()
    code = main(["finance", *dev, rid, "--amount", "1", "--financier", bank])
    err = capsys.readouterr().err
    assert (code, "cancelled, its units returned" in err) == (EXIT_FAILED, True)
    assert client.balance(supplier, int(rid, 16)) == units


def test_a_manifest_whose_registry_address_holds_no_contract_is_a_usage_error(
    net, tmp_path, capsys
):
    data = json.loads(Path(net.manifest).read_text())
    data["contracts"]["ReceivableRegistry"]["address"] = "0x" + "12" * 20
    dead = tmp_path / "dead.json"
    dead.write_text(json.dumps(data))
    capsys.readouterr()
    code = main(["audit", "--rpc", net.node.url, "--manifest", str(dead)])
    assert (code, "no contract at its ReceivableRegistry address" in capsys.readouterr().err) == (
        EXIT_USAGE,
        True,
    )


@pytest.mark.parametrize(
    ("field", "takes", "named"),
    [
        ("ReceivableRegistry", "MemberRegistry", "contracts.ReceivableRegistry"),
        ("MemberRegistry", "ReceivableRegistry", "contracts.MemberRegistry"),
        ("FinancingEscrow", "ReceivableRegistry", "contracts.FinancingEscrow"),
        ("EUR", "MemberRegistry", "settlement_tokens.EUR"),
    ],
)
def test_a_manifest_with_one_address_of_another_contract_is_a_usage_error_naming_the_field(
    net, tmp_path, capsys, field, takes, named
):
    data = json.loads(Path(net.manifest).read_text())
    other = data["contracts"][takes]["address"]
    if field == "EUR":
        data["settlement_tokens"]["EUR"] = other
    else:
        data["contracts"][field]["address"] = other
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data))
    capsys.readouterr()
    code = main(["status", "--rpc", net.node.url, "--manifest", str(wrong), "0x01"])
    err = capsys.readouterr().err
    assert (code, "do not belong together" in err, f"{named}:" in err) == (EXIT_USAGE, True, True)


def confirmed_with_funded_parties(net, csv: Path, monkeypatch) -> tuple[str, Any, list[str]]:
    """The first invoice of `csv` registered and confirmed; its supplier's key in $T_SUPPLIER
    and the financier's in $T_BANK; returns the id, the record and the base arguments."""
    rid, record, supplier, debtor, bank = registered_with_funded_parties(net, csv)
    net.client().confirm(debtor, int(rid, 16))
    monkeypatch.setenv("T_SUPPLIER", supplier.account.key.hex())
    monkeypatch.setenv("T_BANK", bank.account.key.hex())
    base = ["--rpc", net.node.url, "--manifest", str(net.manifest), "--json"]
    return rid, record, [*base, "finance", rid, "--financier", bank.address]


def finance_json(capsys, argv: list[str]) -> tuple[int, dict]:
    """`scf finance` with the options first (argv: base options, then the finance ones)."""
    return run_json(capsys, finance_args(argv))


def test_finance_run_again_by_the_supplier_picks_up_its_pending_request_instead_of_a_new_one(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=64)
    rid, record, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    half = ["--amount", str(record.amount_minor // 2), "--key-env", "T_SUPPLIER"]
    _, first = finance_json(capsys, [*argv, *half])
    _, again = finance_json(capsys, [*argv, *half])
    assert (first["status"], again["status"], again["reused_pending_request"]) == (
        "Pending",
        "Pending",
        True,
    )
    assert again["request_id"] == first["request_id"]


def test_the_financier_alone_approves_a_pending_request_with_the_same_finance_command(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=65)
    rid, record, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    half = ["--amount", str(record.amount_minor // 2)]
    _, pending = finance_json(capsys, [*argv, *half, "--key-env", "T_SUPPLIER"])
    code, approved = finance_json(capsys, [*argv, *half, "--key-env", "T_BANK"])
    assert (code, approved["status"], approved["request_id"]) == (
        EXIT_OK,
        "Approved",
        pending["request_id"],
    )


def test_finance_cancel_withdraws_the_pending_request_and_the_supplier_gets_its_units_back(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=66)
    rid, record, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    supplier = party_signer(record.seller).address
    finance_json(capsys, [*argv, "--amount", "100", "--key-env", "T_SUPPLIER"])
    code, cancelled = finance_json(capsys, [*argv, "--cancel", "--key-env", "T_SUPPLIER"])
    client = net.client()
    assert (code, cancelled["status"], client.pending_requests(int(rid, 16))) == (
        EXIT_OK,
        "Cancelled",
        [],
    )
    assert client.balance(supplier, int(rid, 16)) == record.amount_minor


def test_finance_reject_by_the_financier_closes_the_pending_request(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=67)
    rid, _, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    finance_json(capsys, [*argv, "--amount", "100", "--key-env", "T_SUPPLIER"])
    code, rejected = finance_json(
        capsys, [*argv, "--reject", "--reason", "7", "--key-env", "T_BANK"]
    )
    assert (code, rejected["status"], net.client().pending_requests(int(rid, 16))) == (
        EXIT_OK,
        "Rejected",
        [],
    )


def test_the_pending_message_names_the_terms_the_financier_must_repeat(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=68)
    _, _, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    terms = ["--rate-bps", "700", "--recourse", "--reserve-bps", "100"]
    text = [a for a in argv if a != "--json"]
    capsys.readouterr()
    main([*finance_args(text), "--amount", "1000", *terms, "--key-env", "T_SUPPLIER"])
    out = capsys.readouterr().out
    assert "--amount 1000 --rate-bps 700 --recourse --reserve-bps 100" in out


def finance_args(argv: list[str]) -> list[str]:
    options, command = argv[: argv.index("finance")], argv[argv.index("finance") :]
    return [command[0], *options, *command[1:]]


def test_finance_cancel_with_nothing_pending_says_so_and_exits_1(
    net, members_admitted, tmp_path, monkeypatch, capsys
):
    csv = generate(tmp_path / "in.csv", 1, seed=69)
    _, _, argv = confirmed_with_funded_parties(net, csv, monkeypatch)
    code, out = finance_json(capsys, [*argv, "--cancel", "--key-env", "T_SUPPLIER"])
    assert (code, out["status"], out["request_ids"]) == (EXIT_FAILED, "NoPendingRequest", [])


@pytest.mark.parametrize(
    "extra", [["--amount", "100", "--reason", "3"], ["--cancel", "--amount", "100"]]
)
def test_finance_options_that_do_not_go_together_are_a_usage_error(chain_args, extra, capsys):
    argv = ["finance", *chain_args, "0x01", "--financier", "0x" + "ab" * 20, *extra]
    capsys.readouterr()
    assert main(argv) == EXIT_USAGE
