"""Keys (scfchain.keys): keystores and environment variables; a key never shows."""

import pytest
from eth_account import Account

from scfchain.keys import KeyLoadError, Keyring, from_env, from_keystore, write_keystore

KEY = "0x" + "4c" * 32


@pytest.fixture
def keystore(tmp_path):
    return write_keystore(Account.from_key(KEY), "s3cret", tmp_path / "keys")


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
