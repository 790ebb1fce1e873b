"""Signing accounts from encrypted JSON keystores or from the environment.

A private key never appears in output, logs, manifests or error messages: `Signer` wraps an
eth-account `LocalAccount` and shows only its address; errors name the keystore file or the
environment variable, never the value.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from scfchain.textfiles import read_named_text

DEFAULT_PASSWORD_ENV = "SCF_KEYSTORE_PASSWORD"


class KeyLoadError(RuntimeError):
    """A key could not be loaded (the message never contains key material)."""


@dataclass(frozen=True)
class Signer:
    """A local signing account; its repr and str show the address only."""

    account: LocalAccount = field(repr=False)
    origin: str = ""  # "keystore path" or "env:NAME", for messages

    @property
    def address(self) -> str:
        return self.account.address

    def __repr__(self) -> str:
        return f"Signer({self.address}, {self.origin or 'in memory'})"

    __str__ = __repr__


def _account(private_key: str | bytes, origin: str) -> LocalAccount:
    if isinstance(private_key, str) and len(private_key) == 64 and not private_key.startswith("0x"):
        private_key = "0x" + private_key  # 64 hex digits without 0x, as many tools write keys
    try:
        return Account.from_key(private_key)
    except Exception:  # noqa: BLE001 - the library's message may quote the key
        raise KeyLoadError(f"{origin}: not a valid private key") from None


def from_env(name: str, environ: Mapping[str, str] | None = None) -> Signer:
    """The account whose hex private key is in environment variable `name`."""
    environ = os.environ if environ is None else environ
    value = environ.get(name, "").strip()
    if not value:
        raise KeyLoadError(f"environment variable {name} is not set")
    return Signer(_account(value, f"env:{name}"), f"env:{name}")


def keystore_address(path: Path) -> str | None:
    """The address a keystore file declares (unencrypted), or None."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    address = data.get("address") if isinstance(data, dict) else None
    return to_checksum_address("0x" + address.removeprefix("0x")) if address else None


def password_for(
    path: Path,
    password_env: str = DEFAULT_PASSWORD_ENV,
    prompt: bool = True,
    *,
    env_required: bool = False,
    interactive: bool | None = None,
) -> str:
    """The keystore password: from environment variable `password_env`, else asked on the
    terminal.

    `env_required`: the variable was named on purpose (e.g. `--password-env`), so an unset
    variable is an error rather than a prompt. The prompt is shown only when `prompt` is true
    and stdin is a terminal (`interactive`, default: `sys.stdin.isatty()`); otherwise, and
    when the terminal is closed before a password is typed, it is a KeyLoadError."""
    password = os.environ.get(password_env)
    if password is not None:
        return password
    if env_required:
        raise KeyLoadError(
            f"{path}: the password variable {password_env} (--password-env) is not set"
        )
    if interactive is None:
        interactive = _stdin_is_a_terminal()
    if not prompt or not interactive:
        raise KeyLoadError(
            f"{path}: no password: set {password_env} (or name another variable with "
            "--password-env); without it the password is asked only on a terminal"
        )
    try:
        return getpass.getpass(f"password for keystore {path}: ")
    except (EOFError, KeyboardInterrupt):
        raise KeyLoadError(f"{path}: no password typed") from None


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


def read_keystore(path: Path) -> dict[str, Any]:
    """The JSON of an encrypted keystore file; a KeyLoadError naming the file when it is
    missing, unreadable, not JSON, or JSON that is not a Web3 Secret Storage keystore."""
    path = Path(path)
    if path.is_dir():
        raise KeyLoadError(f"{path}: is a folder with no keystore file (*.json, UTC--*)")
    text = read_named_text(path, "keystore file", KeyLoadError)
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise KeyLoadError(f"{path}: not a keystore: invalid JSON ({exc})") from None
    crypto = data.get("crypto", data.get("Crypto")) if isinstance(data, dict) else None
    if not isinstance(crypto, dict) or not {"ciphertext", "kdf", "kdfparams"} <= set(crypto):
        raise KeyLoadError(
            f"{path}: not a keystore: an encrypted JSON keystore (Web3 Secret Storage) has a "
            '"crypto" object with ciphertext, kdf and kdfparams'
        )
    return data


def from_keystore(
    path: Path,
    password: str | None = None,
    password_env: str = DEFAULT_PASSWORD_ENV,
    *,
    env_required: bool = False,
) -> Signer:
    """Decrypts an encrypted JSON keystore (Web3 Secret Storage, as geth/Besu/eth-account write)."""
    path = Path(path)
    data = read_keystore(path)
    if password is None:
        password = password_for(path, password_env, env_required=env_required)
    try:
        key = Account.decrypt(data, password)
    except ValueError:
        raise KeyLoadError(f"{path}: wrong password or damaged keystore") from None
    except (KeyError, TypeError, NotImplementedError) as exc:
        raise KeyLoadError(
            f"{path}: damaged or unsupported keystore ({type(exc).__name__})"
        ) from None
    return Signer(_account(key, str(path)), str(path))


def keystore_files(paths: Iterable[Path]) -> list[Path]:
    """Keystore files named by `paths` (folders: every *.json and UTC--* file in them; a
    folder without any is a KeyLoadError)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and (p.suffix == ".json" or p.name.startswith("UTC--"))
            )
            if not found:
                raise KeyLoadError(f"{path}: a folder with no keystore file (*.json, UTC--*)")
            files += found
        else:
            files.append(path)
    return files


def write_keystore(
    signer: Signer | LocalAccount, password: str, directory: Path, iterations: int | None = None
) -> Path:
    """Encrypts an account into `directory`/<address>.json (mode 0600); `iterations`: the
    scrypt work factor (default eth-account's, 2**18; lower only for throw-away test keys)."""
    account = signer.account if isinstance(signer, Signer) else signer
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{account.address}.json"
    encrypted = Account.encrypt(account.key, password, iterations=iterations)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(encrypted, handle)
    return path


@dataclass
class Keyring:
    """The accounts this process may sign with, by address."""

    signers: dict[str, Signer] = field(default_factory=dict)

    def add(self, signer: Signer) -> Signer:
        self.signers[signer.address] = signer
        return signer

    def get(self, address: str) -> Signer | None:
        return self.signers.get(to_checksum_address(address))

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and to_checksum_address(address) in self.signers

    def __len__(self) -> int:
        return len(self.signers)

    def __repr__(self) -> str:
        return f"Keyring({', '.join(self.signers)})"

    @classmethod
    def load(
        cls,
        keystores: Iterable[Path] = (),
        key_envs: Iterable[str] = (),
        password_env: str = DEFAULT_PASSWORD_ENV,
        *,
        password_env_required: bool = False,
    ) -> Keyring:
        """Every keystore (files, or folders of them) and every key variable.

        `password_env_required`: `password_env` was named on purpose, so an unset variable is
        an error rather than a password prompt."""
        ring = cls()
        for path in keystore_files(keystores):
            ring.add(
                from_keystore(path, password_env=password_env, env_required=password_env_required)
            )
        for name in key_envs:
            ring.add(from_env(name))
        return ring
