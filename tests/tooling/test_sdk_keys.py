"""Keys (scfchain.keys): keystores and environment variables; a key never shows."""

import io
import json

import pytest
from eth_account import Account

from scfchain.keys import (
    KeyLoadError,
    Keyring,
    from_env,
    from_keystore,
    password_for,
    write_keystore,
)

KEY = "0x" + "4c" * 32
TEST_SCRYPT_N = 2**10  # a throw-away key: a cheap work factor keeps the tests quick


@pytest.fixture
def keystore(tmp_path):
    return write_keystore(
        Account.from_key(KEY), "s3cret", tmp_path / "keys", iterations=TEST_SCRYPT_N
    )


def test_a_keystore_is_decrypted_with_the_password_from_the_environment(keystore, monkeypatch):
    monkeypatch.setenv("SCF_KEYSTORE_PASSWORD", "s3cret")
    assert from_keystore(keystore).address == Account.from_key(KEY).address


def test_a_wrong_keystore_password_is_an_error_that_names_the_file(keystore):
    with pytest.raises(KeyLoadError, match="wrong password") as info:
        from_keystore(keystore, password="nope")
    assert str(keystore) in str(info.value)


def test_a_key_from_the_environment_signs_for_its_address(monkeypatch):
    monkeypatch.setenv("SCF_TEST_KEY", KEY)
    assert from_env("SCF_TEST_KEY").address == Account.from_key(KEY).address


def test_the_repr_of_a_signer_shows_the_address_but_not_the_key(monkeypatch):
    monkeypatch.setenv("SCF_TEST_KEY", KEY)
    signer = from_env("SCF_TEST_KEY")
    assert KEY[2:] not in repr(signer).lower() and signer.address in repr(signer)


def test_an_invalid_key_in_the_environment_is_not_quoted_in_the_error(monkeypatch):
    monkeypatch.setenv("SCF_TEST_KEY", "0xdeadbeefnotakey")
    with pytest.raises(KeyLoadError) as info:
        from_env("SCF_TEST_KEY")
    assert "deadbeef" not in str(info.value)


def test_a_keyring_loads_every_keystore_of_a_folder(keystore, monkeypatch):
    monkeypatch.setenv("SCF_KEYSTORE_PASSWORD", "s3cret")
    ring = Keyring.load([keystore.parent])
    assert Account.from_key(KEY).address in ring


def test_a_keystore_file_is_readable_by_its_owner_only(keystore):
    assert keystore.stat().st_mode & 0o077 == 0


def test_a_json_file_that_is_not_a_keystore_is_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "deployments.json"
    path.write_text('{"chain_id": 1337}')
    with pytest.raises(KeyLoadError, match="not a keystore") as info:
        from_keystore(path, password="s3cret")
    assert str(path) in str(info.value)


def test_a_keystore_that_is_not_json_is_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "key.json"
    path.write_text("{broken")
    with pytest.raises(KeyLoadError, match="invalid JSON") as info:
        from_keystore(path, password="s3cret")
    assert str(path) in str(info.value)


def test_a_missing_keystore_file_is_an_error_that_names_it(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(KeyLoadError, match="no such keystore file") as info:
        from_keystore(path, password="s3cret")
    assert str(path) in str(info.value)


def test_a_folder_without_keystore_files_is_an_error_that_names_it(tmp_path):
    with pytest.raises(KeyLoadError, match="no keystore file") as info:
        Keyring.load([tmp_path])
    assert str(tmp_path) in str(info.value)


def test_without_a_terminal_a_missing_password_is_an_error_and_not_a_prompt(keystore, monkeypatch):
    monkeypatch.delenv("SCF_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setattr("getpass.getpass", _no_prompt)
    with pytest.raises(KeyLoadError, match="SCF_KEYSTORE_PASSWORD") as info:
        from_keystore(keystore)
    assert str(keystore) in str(info.value)


def test_a_password_variable_named_on_purpose_must_be_set(keystore, monkeypatch):
    monkeypatch.delenv("MY_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", _no_prompt)
    with pytest.raises(KeyLoadError, match="MY_KEYSTORE_PASSWORD .*is not set"):
        password_for(keystore, "MY_KEYSTORE_PASSWORD", env_required=True, interactive=True)


def test_a_terminal_closed_while_the_password_is_asked_is_a_key_load_error(keystore, monkeypatch):
    def closed(prompt: str) -> str:
        raise EOFError

    monkeypatch.delenv("SCF_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", closed)
    with pytest.raises(KeyLoadError, match="no password typed"):
        password_for(keystore, interactive=True)


def test_on_a_terminal_the_password_is_asked_when_the_default_variable_is_unset(
    keystore, monkeypatch
):
    monkeypatch.delenv("SCF_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "s3cret")
    assert password_for(keystore, interactive=True) == "s3cret"


def _no_prompt(prompt: str) -> str:
    raise AssertionError("the password must not be asked")


def test_a_keystore_written_with_a_lower_work_factor_records_it(tmp_path):
    path = write_keystore(Account.from_key(KEY), "s3cret", tmp_path, iterations=TEST_SCRYPT_N)
    assert json.loads(path.read_text())["crypto"]["kdfparams"]["n"] == TEST_SCRYPT_N
