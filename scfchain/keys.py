"""Signing accounts from encrypted JSON keystores or from the environment.

A private key never appears in output, logs, manifests or error messages: `Signer` wraps an
eth-account `LocalAccount` and shows only its address; errors name the keystore file or the
environment variable, never the value.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

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


def password_for(path: Path, password_env: str = DEFAULT_PASSWORD_ENV, prompt: bool = True) -> str:
    """The keystore password: from `password_env`, else asked on the terminal."""
    password = os.environ.get(password_env)
    if password is not None:
        return password
    if not prompt:
        raise KeyLoadError(f"{path}: set {password_env} to the keystore password")
    return getpass.getpass(f"password for keystore {path}: ")


def from_keystore(
    path: Path, password: str | None = None, password_env: str = DEFAULT_PASSWORD_ENV
) -> Signer:
    """Decrypts an encrypted JSON keystore (Web3 Secret Storage, as geth/Besu/eth-account write)."""
    path = Path(path)
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise KeyLoadError(f"{path}: not a readable keystore ({type(exc).__name__})") from None
    if password is None:
        password = password_for(path, password_env)
    try:
        key = Account.decrypt(data, password)
    except ValueError:
        raise KeyLoadError(f"{path}: wrong password or damaged keystore") from None
    return Signer(_account(key, str(path)), str(path))


def keystore_files(paths: Iterable[Path]) -> list[Path]:
    """Keystore files named by `paths` (folders: every *.json and UTC--* file in them)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.is_file() and (p.suffix == ".json" or p.name.startswith("UTC--"))
            )
        else:
            files.append(path)
    return files


def write_keystore(signer: Signer | LocalAccount, password: str, directory: Path) -> Path:
    """Encrypts an account into `directory`/<address>.json (mode 0600)."""
    account = signer.account if isinstance(signer, Signer) else signer
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{account.address}.json"
    encrypted = Account.encrypt(account.key, password)
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
    ) -> Keyring:
        ring = cls()
        for path in keystore_files(keystores):
            ring.add(from_keystore(path, password_env=password_env))
        for name in key_envs:
            ring.add(from_env(name))
        return ring
