"""The `scf` command line answers bad input with a clear message and an exit code, never a
traceback: 2 for usage (arguments, files, keys, manifests), each message naming the file and,
where there is one, the row and the field. None of these needs a chain: they are refused first."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from eth_account import Account

from scfchain.cli import EXIT_USAGE, main
from scfchain.keys import write_keystore

ACCOUNT = "0x" + "ab" * 20
HEADER = "address,party_key,roles,credit_line\n"
UNREACHABLE = ["--rpc", "http://127.0.0.1:9"]
TEST_SCRYPT_N = 2**10  # a throw-away key: a cheap work factor keeps the tests quick


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """Exit code and stderr of `scf argv` (argparse's own usage errors exit through SystemExit)."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def members_file(tmp_path: Path, text: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "1337.json"
    path.write_text("{}")
    return path


@pytest.fixture
def keystore(tmp_path: Path) -> Path:
    return write_keystore(
        Account.from_key("0x" + "4c" * 32), "s3cret", tmp_path / "keys", iterations=TEST_SCRYPT_N
    )


def test_an_rpc_url_without_a_scheme_is_a_usage_error_that_shows_the_url_to_write(capsys):
    code, err = run(capsys, ["status", "--rpc", "127.0.0.1:8545", "1"])
    assert (code, "http://127.0.0.1:8545" in err, "Traceback" in err) == (EXIT_USAGE, True, False)


def test_a_deploy_rpc_url_without_a_scheme_is_a_usage_error(capsys):
    code, err = run(capsys, ["deploy", "--dev-key", "--rpc", "localhost:8545"])
    assert (code, "http://localhost:8545" in err) == (EXIT_USAGE, True)


def test_a_deploy_without_a_deployer_key_is_a_usage_error_that_names_the_variable(
    capsys, monkeypatch
):
    monkeypatch.delenv("SCF_DEPLOYER_KEY", raising=False)
    code, err = run(capsys, ["deploy", *UNREACHABLE])
    assert (code, "SCF_DEPLOYER_KEY" in err) == (EXIT_USAGE, True)


def test_a_keystore_password_without_a_terminal_is_a_usage_error_and_not_a_prompt(
    keystore, capsys, monkeypatch
):
    monkeypatch.delenv("SCF_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, err = run(capsys, ["confirm", *UNREACHABLE, "--keystore", str(keystore), "1"])
    assert (code, str(keystore) in err, "SCF_KEYSTORE_PASSWORD" in err) == (EXIT_USAGE, True, True)


def test_a_password_env_naming_an_unset_variable_says_it_is_unset(keystore, capsys, monkeypatch):
    monkeypatch.delenv("NO_SUCH_PASSWORD", raising=False)
    argv = ["confirm", *UNREACHABLE, "--keystore", str(keystore), "--password-env"]
    code, err = run(capsys, [*argv, "NO_SUCH_PASSWORD", "1"])
    assert (code, "NO_SUCH_PASSWORD" in err and "not set" in err) == (EXIT_USAGE, True)


def test_a_keystore_option_naming_a_file_that_is_not_a_keystore_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "1337.json"
    path.write_text('{"chain_id": 1337}')
    code, err = run(capsys, ["confirm", *UNREACHABLE, "--keystore", str(path), "1"])
    assert (code, f"{path}: not a keystore" in err) == (EXIT_USAGE, True)


def test_parties_from_without_dev_keys_is_a_usage_error(tmp_path, capsys):
    code, err = run(capsys, ["confirm", *UNREACHABLE, "--parties-from", str(tmp_path), "1"])
    assert (code, "--dev-keys" in err) == (EXIT_USAGE, True)


def test_parties_from_a_missing_path_is_a_usage_error_that_names_it(tmp_path, capsys):
    missing = tmp_path / "nothing.csv"
    argv = ["confirm", *UNREACHABLE, "--dev-keys", "--parties-from", str(missing), "1"]
    code, err = run(capsys, argv)
    assert (code, str(missing) in err) == (EXIT_USAGE, True)


def test_members_given_a_folder_is_a_usage_error_that_names_it(tmp_path, capsys):
    code, err = run(capsys, ["members", *UNREACHABLE, str(tmp_path), "--dry-run"])
    assert (code, f"{tmp_path}: is a folder" in err) == (EXIT_USAGE, True)


def test_members_given_a_missing_file_is_a_usage_error_that_names_it(tmp_path, capsys):
    missing = tmp_path / "members.csv"
    code, err = run(capsys, ["members", *UNREACHABLE, str(missing), "--dry-run"])
    assert (code, f"{missing}: no such members file" in err) == (EXIT_USAGE, True)


def test_a_non_numeric_credit_line_names_the_file_row_and_field(tmp_path, capsys):
    path = members_file(tmp_path, f"{HEADER}{ACCOUNT},VAT:FR1,DEBTOR,lots\n")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, f"{path}: row 2: field credit_line" in err) == (EXIT_USAGE, True)


def test_a_short_address_names_the_file_row_and_field(tmp_path, capsys):
    path = members_file(tmp_path, f"{HEADER}{ACCOUNT},VAT:FR1,DEBTOR,1\n0xab12,VAT:FR2,DEBTOR,1\n")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, f"{path}: row 3: field address" in err) == (EXIT_USAGE, True)


def test_an_address_with_a_wrong_checksum_is_refused(tmp_path, capsys):
    bad = "0x" + "aB" * 20  # mixed case that is not the EIP-55 checksum
    path = members_file(tmp_path, f"{HEADER}{bad},VAT:FR1,DEBTOR,1\n")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, "field address" in err) == (EXIT_USAGE, True)


def test_an_unknown_role_is_refused_in_a_dry_run_too(tmp_path, capsys):
    path = members_file(tmp_path, f"{HEADER}{ACCOUNT},VAT:FR1,DEBTOR;BANKER,\n")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, f"{path}: row 2: field roles: unknown role BANKER" in err) == (EXIT_USAGE, True)


def test_a_members_csv_without_the_roles_column_is_a_usage_error(tmp_path, capsys):
    path = members_file(tmp_path, f"address,party_key\n{ACCOUNT},VAT:FR1\n")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, "missing column(s) roles" in err) == (EXIT_USAGE, True)


def test_a_malformed_members_json_file_names_the_file(tmp_path, capsys):
    path = members_file(tmp_path, '[{"address": ', name="members.json")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, f"{path}: invalid JSON" in err) == (EXIT_USAGE, True)


def test_a_members_json_row_names_its_position_in_the_list(tmp_path, capsys):
    rows = [
        {"address": ACCOUNT, "party_key": "VAT:FR1", "roles": ["DEBTOR"]},
        {"address": ACCOUNT, "party_key": "VAT:FR2", "roles": ["DEBTOR"], "credit_line": "1e3"},
    ]
    path = members_file(tmp_path, json.dumps(rows), name="members.json")
    code, err = run(capsys, ["members", *UNREACHABLE, str(path), "--dry-run"])
    assert (code, f"{path}: row 2: field credit_line" in err) == (EXIT_USAGE, True)


def test_members_files_are_read_as_rows_with_checksum_addresses_and_known_roles(tmp_path):
    from scfchain.cli import read_members

    path = members_file(tmp_path, f"{HEADER}{ACCOUNT},VAT:FR1, debtor | supplier ,500\n")
    assert read_members(path) == [
        {
            "address": "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB",
            "party_key": "VAT:FR1",
            "roles": ["DEBTOR", "SUPPLIER"],
            "credit_line": 500,
        }
    ]


def test_a_malformed_manifest_is_a_usage_error_that_names_the_file(manifest, capsys):
    manifest.write_text('{"chain_id": 1337, "contracts": {')
    code, err = run(capsys, ["status", *UNREACHABLE, "--manifest", str(manifest), "1"])
    assert (code, f"{manifest}: not a deployment manifest: invalid JSON" in err) == (
        EXIT_USAGE,
        True,
    )


def test_a_manifest_missing_a_field_is_a_usage_error_that_names_the_file_and_field(
    manifest, capsys
):
    manifest.write_text('{"chain_id": 1337, "settlement_tokens": {}}')
    code, err = run(capsys, ["status", *UNREACHABLE, "--manifest", str(manifest), "1"])
    assert (code, f"{manifest}: field contracts: missing" in err) == (EXIT_USAGE, True)


def test_a_non_numeric_repay_amount_is_a_usage_error_in_minor_units(capsys):
    code, err = run(capsys, ["repay", *UNREACHABLE, "0x1", "--amount", "12.50"])
    assert (code, "minor units" in err) == (EXIT_USAGE, True)


def test_a_receivable_id_that_is_not_a_number_is_a_usage_error(manifest, capsys):
    code, err = run(capsys, ["confirm", *UNREACHABLE, "INV-1"])
    assert (code, "not a receivable id: 'INV-1'" in err) == (EXIT_USAGE, True)


@pytest.mark.parametrize("command", ["repay", "finance"])
def test_the_help_of_repay_and_finance_says_amounts_are_in_minor_units(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "MINOR units" in text and "125000 is 1,250.00 EUR" in text


def test_the_help_of_repay_says_the_default_repays_everything_outstanding(capsys):
    with pytest.raises(SystemExit):
        main(["repay", "--help"])
    assert "everything still outstanding is repaid" in " ".join(capsys.readouterr().out.split())


def test_a_deploy_with_a_currency_that_is_not_iso_4217_is_a_usage_error(capsys):
    code, err = run(capsys, ["deploy", "--dev-key", *UNREACHABLE, "--currencies", "EUR,EURO"])
    assert (code, "EURO is not one" in err) == (EXIT_USAGE, True)


def test_a_holder_that_is_not_an_address_is_a_usage_error(capsys):
    code, err = run(capsys, ["status", *UNREACHABLE, "1", "--holders", "0xab12"])
    assert (code, "--holders: '0xab12' is not an account address" in err) == (EXIT_USAGE, True)


def test_issue_of_a_folder_without_invoice_files_is_a_usage_error_naming_it(tmp_path, capsys):
    code, err = run(capsys, ["issue", str(tmp_path), "--rpc", "http://127.0.0.1:1"])
    assert (code, f"no invoice file (UBL, CII or CSV) in {tmp_path}" in err) == (EXIT_USAGE, True)


def test_an_rpc_url_with_an_impossible_port_is_a_usage_error(capsys):
    code, err = run(capsys, ["status", "0x01", "--rpc", "http://127.0.0.1:99999"])
    assert (code, "InvalidURL" in err) == (EXIT_USAGE, True)


def test_dev_keys_are_refused_on_a_chain_that_is_not_a_local_dev_chain(tmp_path, capsys):
    from scfchain.devnet import LocalNode

    with LocalNode("ganache", chain_id=5) as node:
        code, err = run(capsys, ["status", "0x01", "--rpc", node.url, "--dev-keys"])
    assert (code, "refused on chain 5" in err) == (EXIT_USAGE, True)


def test_a_members_file_naming_the_zero_address_is_a_usage_error(tmp_path, capsys):
    path = members_file(tmp_path, f"address,party_key,roles\n0x{'0' * 40},VAT:X1,SUPPLIER\n")
    code, err = run(capsys, ["members", str(path), "--rpc", "http://127.0.0.1:1"])
    assert (code, "row 2: field address: the zero address" in err) == (EXIT_USAGE, True)


def test_a_members_file_listing_one_address_twice_is_a_usage_error_naming_both_rows(
    tmp_path, capsys
):
    account = "0x" + "ab" * 20
    text = f"address,party_key,roles\n{account},VAT:X1,SUPPLIER\n{account},VAT:X2,DEBTOR\n"
    code, err = run(capsys, ["members", str(members_file(tmp_path, text)), "--rpc", "http://x:1"])
    assert (code, "row 3: field address" in err and "also on row 2" in err) == (EXIT_USAGE, True)


@pytest.mark.parametrize("option", ["--gas-price", "--priority-fee", "--confirmations"])
def test_a_negative_fee_or_confirmation_count_is_a_usage_error(option, capsys):
    code, err = run(capsys, ["status", "0x01", option, "-1"])
    assert (code, "is not a whole number (0 or more)" in err) == (EXIT_USAGE, True)


def test_a_hex_private_key_without_0x_in_the_environment_is_accepted():
    from scfchain.keys import from_env

    account = Account.create()
    bare = account.key.hex().removeprefix("0x")
    assert from_env("K", {"K": bare}).address == account.address


@pytest.mark.parametrize(
    "option, value", [("--rate-bps", "-5"), ("--rate-bps", "70000"), ("--day-count", "2")]
)
def test_financing_terms_outside_their_on_chain_range_are_a_usage_error(option, value, capsys):
    argv = ["finance", "0x01", "--amount", "5", "--financier", "0x" + "ab" * 20, option, value]
    code, err = run(capsys, argv)
    assert (code, f"argument {option}" in err) == (EXIT_USAGE, True)


def test_deploy_with_the_dev_key_is_refused_on_a_chain_that_is_not_a_local_dev_chain(capsys):
    from scfchain.devnet import LocalNode

    with LocalNode("ganache", chain_id=5) as node:
        code, err = run(capsys, ["deploy", "--rpc", node.url, "--dev-key"])
    assert (code, "refused on chain 5" in err) == (EXIT_USAGE, True)


def test_an_empty_argument_is_a_usage_error_not_the_current_folder(capsys):
    code, err = run(capsys, ["issue", "--dry-run", *UNREACHABLE, "examples", ""])
    assert (code, "argument 6 after examples is empty" in err) == (EXIT_USAGE, True)


def test_a_retry_count_that_is_not_a_number_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setenv("SCF_RPC_RETRIES", "abc")
    code, err = run(capsys, ["status", *UNREACHABLE, "1"])
    assert (code, "SCF_RPC_RETRIES='abc'" in err) == (EXIT_USAGE, True)


def test_no_retries_asked_for_means_an_unreachable_node_fails_at_once(monkeypatch, capsys):
    monkeypatch.setenv("SCF_RPC_RETRIES", "0")
    code, err = run(capsys, ["status", *UNREACHABLE, "1"])
    assert (code, "after 0 retries" in err) == (3, True)


def test_a_node_port_outside_the_tcp_range_is_a_usage_error(capsys):
    code, err = run(capsys, ["node", "--port", "80000"])
    assert (code, "80000 is outside 1..65535" in err) == (EXIT_USAGE, True)


def test_a_negative_batch_size_says_at_least_1(capsys):
    code, err = run(capsys, ["issue", "--batch-size", "-3", "x.csv"])
    assert (code, "'-3' is not a whole number of at least 1" in err) == (EXIT_USAGE, True)


def test_a_negative_grace_period_is_refused_before_anything_is_deployed(capsys):
    code, err = run(capsys, ["deploy", "--dev-key", *UNREACHABLE, "--grace-period", "-5"])
    assert (code, "--grace-period" in err) == (EXIT_USAGE, True)


def test_deploy_refuses_an_out_that_is_a_file_before_it_connects(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("")
    code, err = run(capsys, ["deploy", "--dev-key", *UNREACHABLE, "--out", str(taken)])
    assert (code, f"--out {taken}: not a folder" in err) == (EXIT_USAGE, True)


def test_a_manifest_block_that_is_not_a_number_is_a_usage_error_naming_the_field(manifest, capsys):
    contract = {"address": ACCOUNT, "block": "x"}
    names = ("MemberRegistry", "ReceivableRegistry", "FinancingEscrow", "DocumentAnchor")
    data = {"chain_id": 1337, "contracts": dict.fromkeys(names, contract), "settlement_tokens": {}}
    manifest.write_text(json.dumps(data))
    code, err = run(capsys, ["audit", *UNREACHABLE, "--manifest", str(manifest)])
    assert (code, "field contracts.MemberRegistry.block" in err) == (EXIT_USAGE, True)


def test_verify_of_a_device_says_it_is_not_a_regular_file(capsys):
    code, err = run(capsys, ["verify", *UNREACHABLE, "/dev/null"])
    assert (code, "not a regular file or folder" in err) == (EXIT_USAGE, True)


def test_an_option_given_empty_with_an_equals_sign_is_a_usage_error(capsys):
    code, err = run(capsys, ["deploy", "--dev-key", *UNREACHABLE, "--out="])
    assert (code, "(--out=) is empty" in err) == (EXIT_USAGE, True)


def test_an_empty_scf_manifest_variable_counts_as_unset(monkeypatch, capsys):
    monkeypatch.setenv("SCF_MANIFEST", "")
    monkeypatch.setenv("SCF_RPC_RETRIES", "0")
    code, err = run(capsys, ["status", *UNREACHABLE, "1"])
    assert (code, "not a readable manifest" in err) == (3, False)
