"""Shared set-up of the SDK, bulk and CLI tests: a local node with the suite deployed (Ganache;
Anvil when SCF_TEST_NODE=anvil, as `make test-anvil` sets it)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from paths import REPO
from web3 import HTTPProvider, Web3

from scfchain.artifacts import suite_error_decoder
from scfchain.chain import Chain, account_from_key
from scfchain.demo import GAS_MONEY_WEI, demo_key
from scfchain.devnet import LocalNode, dev_private_keys
from scfchain.keys import Keyring, Signer
from scfchain.records import ReceivableRecord
from scfchain.sdk import ScfClient
from scfchain.suite import deploy_suite

AMPLE_CREDIT = 10**15
GEN_SCRIPT = REPO / "scripts" / "gen_receivables_csv.py"


@dataclass
class Testnet:
    node: LocalNode
    manifest: Path
    operator: Signer

    def client(self) -> ScfClient:
        return ScfClient.connect(self.node.url, self.manifest)


def start_testnet(directory: Path) -> Testnet:
    node = LocalNode(kind=os.environ.get("SCF_TEST_NODE", "ganache")).start()
    w3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 60}))
    chain = Chain(w3, suite_error_decoder())
    operator = account_from_key(dev_private_keys(1)[0])
    _, deployment = deploy_suite(chain, operator, ["EUR", "USD"])
    manifest = deployment.write(directory)
    return Testnet(node, manifest, Signer(operator, "dev operator"))


def party_signer(party) -> Signer:
    return Signer(account_from_key(demo_key(party)), f"demo key of {party.key}")


def admit_parties(
    client: ScfClient,
    operator: Signer,
    records: list[ReceivableRecord],
    credit_lines: dict[str, int] | None = None,
) -> Keyring:
    """Admits every seller (SUPPLIER) and buyer (DEBTOR) with its demo key, funds its gas, sets
    each debtor's credit line (default: ample); returns every party's key."""
    roles: dict[str, set[str]] = defaultdict(set)
    parties = {}
    for r in records:
        roles[r.seller.key].add("SUPPLIER")
        roles[r.buyer.key].add("DEBTOR")
        parties[r.seller.key], parties[r.buyer.key] = r.seller, r.buyer
    ring = Keyring()
    for key, party in parties.items():
        signer = ring.add(party_signer(party))
        if not client.is_member(signer.address):
            client.admit(operator, signer.address, key, sorted(roles[key]))
            client.chain.wait(
                client.chain.send_value(operator.account, signer.address, GAS_MONEY_WEI)
            )
        if "DEBTOR" in roles[key]:
            line = (credit_lines or {}).get(key, AMPLE_CREDIT)
            client.set_credit_line(operator, signer.address, line)
    return ring
