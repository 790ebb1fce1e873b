"""Private keys never leak: the `scf` command run as a subprocess with real random keys (one from
an environment variable, one from an encrypted keystore) through deploy, members, issue, status,
confirm, audit and reconcile, and through failures (wrong chain id, a revert, bad input, a bad
key, a wrong keystore password). No key appears, in any form (hex with or without 0x, any case,
raw bytes), in stdout, stderr, the journal's SQLite bytes, the manifests, the audit file or any
other file the commands wrote."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from paths import REPO
from web3 import HTTPProvider, Web3

from scfchain.artifacts import suite_error_decoder
from scfchain.chain import Chain, account_from_key
from scfchain.devnet import DEV_MNEMONIC, LocalNode, dev_private_keys
from scfchain.inputs import load_inputs
from scfchain.keys import write_keystore
from scfchain.samplegen import SampleSpec, write_csv

PASSWORD = "correct horse battery staple"
FUNDS = 10**20


def key_forms(key: bytes) -> list[bytes]:
    """Every way a key could be written: raw bytes, and hex (lower case; texts are compared
    lower-cased, so upper and mixed case and a 0x prefix are covered)."""
    return [key, key.hex().encode()]


def leaks(data: bytes, keys: list[bytes]) -> bool:
    lowered = data.lower()
    return any(form in data or form in lowered for key in keys for form in key_forms(key))


class Session:
    """A node, three random funded keys (operator, supplier, debtor) and a transcript of every
    command's output."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.node = LocalNode().start()
        funder = account_from_key(dev_private_keys(1)[0])
        chain = Chain(Web3(HTTPProvider(self.node.url)), suite_error_decoder())
        self.keys = {name: secrets.token_bytes(32) for name in ("operator", "supplier", "debtor")}
        self.accounts = {name: account_from_key(key) for name, key in self.keys.items()}
        for account in self.accounts.values():
            chain.wait(chain.send_value(funder, account.address, FUNDS))
        self.keystore = write_keystore(
            self.accounts["debtor"], PASSWORD, directory / "keystore", iterations=2
        )
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "OPERATOR_KEY": "0x" + self.keys["operator"].hex(),
            "SUPPLIER_KEY": self.keys["supplier"].hex().upper(),  # no 0x, upper case
            "SCF_KEYSTORE_PASSWORD": PASSWORD,
        }
        self.transcript: list[bytes] = []
        self.manifest = directory / "deployments" / "1337.json"

    def scf(self, *args: str, env: dict[str, str] | None = None) -> int:
        done = subprocess.run(
            [sys.executable, "-m", "scfchain.cli", *args],
            cwd=self.dir, env={**self.env, **(env or {})}, capture_output=True, timeout=300,
        )  # fmt: skip
        self.transcript += [done.stdout, done.stderr]
        return done.returncode

    def chain(self) -> list[str]:
        return ["--rpc", self.node.url, "--manifest", str(self.manifest)]

    def written_files(self) -> list[Path]:
        """Every file the commands wrote (the encrypted keystore itself aside)."""
        return [p for p in self.dir.rglob("*") if p.is_file() and p != self.keystore]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    s = Session(tmp_path_factory.mktemp("secrets"))
    csv = write_csv(s.dir / "in.csv", SampleSpec(rows=6, seed=501, sellers=1, buyers=1))
    record = load_inputs([csv]).records[0]
    members = s.dir / "members.csv"
    members.write_text(
        "address,party_key,roles,credit_line\n"
        f"{s.accounts['supplier'].address},{record.seller.key},SUPPLIER,0\n"
        f"{s.accounts['debtor'].address},{record.buyer.key},DEBTOR,{10**15}\n"
    )
    bad_csv = s.dir / "bad.csv"
    bad_csv.write_text(csv.read_text().replace(",EUR,", ",EURO,", 1))
    operator = ["--key-env", "OPERATOR_KEY"]
    parties = ["--key-env", "SUPPLIER_KEY", "--keystore", str(s.keystore)]
    rid = "0x" + record.fingerprint.hex()
    s.codes = {
        "deploy": s.scf("deploy", "--rpc", s.node.url, "--key-env", "OPERATOR_KEY", "--out",
                        str(s.manifest.parent)),
        "members": s.scf("members", *s.chain(), *operator, str(members)),
        "issue": s.scf("issue", *s.chain(), *parties, str(csv), "--journal",
                       str(s.dir / "journal.sqlite")),
        "status": s.scf("status", *s.chain(), rid),
        "audit": s.scf("audit", *s.chain(), "--out", str(s.dir / "audit.json")),
        "reconcile": s.scf("reconcile", *s.chain(), "--journal", str(s.dir / "journal.sqlite")),
        "wrong chain id": s.scf("status", *s.chain(), "--chain-id", "999", rid),
        "revert": s.scf("confirm", *s.chain(), *parties, rid),
        "bad input": s.scf("issue", *s.chain(), *parties, str(bad_csv), "--journal",
                           str(s.dir / "bad.sqlite"), "--all-or-nothing"),
        "malformed key": s.scf("confirm", *s.chain(), "--key-env", "BROKEN", rid,
                               env={"BROKEN": s.keys["operator"].hex() + "zz"}),
        "wrong password": s.scf("confirm", *s.chain(), "--keystore", str(s.keystore), rid,
                                env={"SCF_KEYSTORE_PASSWORD": "wrong"}),
    }  # fmt: skip
    yield s
    s.node.stop()


def test_every_command_ran_with_the_expected_outcome(session):
    assert session.codes == {
        "deploy": 0, "members": 0, "issue": 0, "status": 0, "audit": 0, "reconcile": 0,
        "wrong chain id": 3, "revert": 1, "bad input": 1, "malformed key": 2, "wrong password": 2,
    }  # fmt: skip


def test_no_key_appears_in_stdout_or_stderr(session):
    assert not any(leaks(output, list(session.keys.values())) for output in session.transcript)


def test_no_key_appears_in_the_journal_bytes(session):
    journal = (session.dir / "journal.sqlite").read_bytes()
    assert len(journal) > 0 and not leaks(journal, list(session.keys.values()))


def test_no_key_appears_in_the_manifest(session):
    assert not leaks(session.manifest.read_bytes(), list(session.keys.values()))


def test_no_key_appears_in_any_file_the_commands_wrote(session):
    files = session.written_files()
    leaking = [p for p in files if leaks(p.read_bytes(), list(session.keys.values()))]
    assert len(files) >= 4 and leaking == []


def test_the_leak_check_itself_finds_a_key_in_any_form(session):
    key = session.keys["supplier"]
    forms = [key, key.hex().encode(), b"0x" + key.hex().upper().encode(), b"X" + key.hex().encode()]
    assert all(leaks(form, [key]) for form in forms)


def test_a_local_node_log_holds_neither_the_dev_keys_nor_the_mnemonic(tmp_path):
    log = tmp_path / "node.log"
    with LocalNode(log_path=log):
        pass
    text = log.read_bytes()
    dev_keys = [bytes.fromhex(k.removeprefix("0x")) for k in dev_private_keys()]
    assert b"Available Accounts" in text
    assert not leaks(text, dev_keys) and DEV_MNEMONIC.encode() not in text
