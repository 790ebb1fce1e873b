"""The deployed contract suite: deployment, its manifest, and handles on the contracts.

A manifest (deployments/<chain-id>.json) records addresses, blocks, and the compiler and EVM
settings; it never holds a private key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import is_address
from web3.contract import Contract

from scfchain.artifacts import load_artifact
from scfchain.chain import Chain
from scfchain.currencies import minor_units
from scfchain.states import ROLES  # noqa: F401  (re-exported: scfchain.suite.ROLES)
from scfchain.textfiles import read_named_text

DAY = 86_400
DEFAULT_GRACE_PERIOD = 30 * DAY
DEFAULT_ADMIN_DELAY = 2 * DAY
MANIFEST_DIR = Path("deployments")  # relative to the current directory, as the CLI's default
SUITE_CONTRACTS = ("MemberRegistry", "ReceivableRegistry", "FinancingEscrow", "DocumentAnchor")
_KIND_NAMES = {int: "integer", dict: "object"}


class ManifestError(ValueError):
    """A deployment manifest that is missing, not JSON, or lacks a field (names the file)."""


def _is_address(value: Any) -> bool:
    return isinstance(value, str) and is_address(value)


@dataclass
class Suite:
    """Handles on a deployed suite."""

    members: Contract
    registry: Contract
    escrow: Contract
    anchor: Contract
    tokens: dict[str, Contract] = field(default_factory=dict)  # currency -> settlement token

    def token(self, currency: str) -> Contract:
        return self.tokens[currency]


@dataclass
class Deployment:
    """What was deployed where: the content of a manifest."""

    chain_id: int
    contracts: dict[str, dict[str, Any]]
    settlement_tokens: dict[str, str]
    settings: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "contracts": self.contracts,
            "settlement_tokens": self.settlement_tokens,
            "settings": self.settings,
        }

    def write(self, directory: Path = MANIFEST_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.chain_id}.json"
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return path

    @classmethod
    def read(cls, path: Path) -> Deployment:
        """The manifest at `path`; a ManifestError naming the file (and the field) when it is
        missing, not JSON, or lacks a field (`settings` is optional)."""
        path = Path(path)
        text = read_named_text(path, "manifest", ManifestError)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ManifestError(
                f"{path}: not a deployment manifest: invalid JSON ({exc})"
            ) from None
        return cls.from_json(data, str(path))

    @classmethod
    def from_json(cls, data: Any, origin: str = "manifest") -> Deployment:
        """A Deployment from manifest JSON, checked field by field (errors name `origin`)."""

        def fail(fld: str, reason: str) -> ManifestError:
            return ManifestError(f"{origin}: field {fld}: {reason}")

        if not isinstance(data, dict):
            raise ManifestError(f"{origin}: not a deployment manifest: not a JSON object")
        for fld, kind in (("chain_id", int), ("contracts", dict), ("settlement_tokens", dict)):
            if fld not in data:
                raise fail(fld, "missing")
            if not isinstance(data[fld], kind) or isinstance(data[fld], bool):
                raise fail(fld, f"not an {_KIND_NAMES[kind]}")
        for name in SUITE_CONTRACTS:
            entry = data["contracts"].get(name)
            if not isinstance(entry, dict) or not _is_address(entry.get("address")):
                raise fail(f"contracts.{name}.address", "missing or not an address")
        for name, entry in data["contracts"].items():
            block = entry.get("block", 0) if isinstance(entry, dict) else 0
            if not isinstance(block, int) or isinstance(block, bool) or block < 0:
                raise fail(f"contracts.{name}.block", "not a block number (a whole number)")
        for currency, address in data["settlement_tokens"].items():
            if not _is_address(address):
                raise fail(f"settlement_tokens.{currency}", "not an address")
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            raise fail("settings", "not an object")
        return cls(data["chain_id"], data["contracts"], data["settlement_tokens"], settings)

    def attach(
        self, chain: Chain, abi_of: Callable[[str], list[dict[str, Any]]] | None = None
    ) -> Suite:
        """Contract handles for this deployment; ABIs from `abi_of(name)` (default: build/)."""
        abi = abi_of or (lambda name: load_artifact(name).abi)

        def at(name: str, address: str) -> Contract:
            return chain.contract(address, abi(name))

        c = self.contracts
        return Suite(
            members=at("MemberRegistry", c["MemberRegistry"]["address"]),
            registry=at("ReceivableRegistry", c["ReceivableRegistry"]["address"]),
            escrow=at("FinancingEscrow", c["FinancingEscrow"]["address"]),
            anchor=at("DocumentAnchor", c["DocumentAnchor"]["address"]),
            tokens={cur: at("SettlementToken", a) for cur, a in self.settlement_tokens.items()},
        )


def _record(contract: Contract, chain: Chain) -> dict[str, Any]:
    return {"address": contract.address, "block": int(chain.w3.eth.block_number)}


def deploy_suite(
    chain: Chain,
    operator: LocalAccount,
    currencies: list[str],
    grace_period: int = DEFAULT_GRACE_PERIOD,
    admin_delay: int = DEFAULT_ADMIN_DELAY,
) -> tuple[Suite, Deployment]:
    """Deploys registry, escrow and one settlement token per currency; `operator` runs them."""
    records: dict[str, dict[str, Any]] = {}

    def deploy(name: str, *args: Any) -> Contract:
        contract = chain.deploy(operator, load_artifact(name), *args)
        records[name] = _record(contract, chain)
        return contract

    members = deploy("MemberRegistry", admin_delay, operator.address)
    registry = deploy("ReceivableRegistry", members.address)
    escrow = deploy("FinancingEscrow", members.address, registry.address, grace_period)
    anchor = deploy("DocumentAnchor", members.address, registry.address)
    chain.transact(operator, registry.functions.bindEscrow(escrow.address))
    suite = Suite(members, registry, escrow, anchor)
    for currency in sorted(set(currencies)):
        add_settlement_token(chain, operator, suite, currency)
    compiler = load_artifact("ReceivableRegistry").compiler
    deployment = Deployment(
        chain_id=chain.chain_id,
        contracts=records,
        settlement_tokens={cur: token.address for cur, token in suite.tokens.items()},
        settings={
            "deployed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "deployer": operator.address,
            "grace_period_s": grace_period,
            "admin_delay_s": admin_delay,
            "compiler": {
                "version": compiler.get("version"),
                "evm_version": compiler.get("evm_version"),
                "optimizer": compiler.get("optimizer"),
            },
        },
    )
    return suite, deployment


def add_settlement_token(
    chain: Chain, operator: LocalAccount, suite: Suite, currency: str
) -> Contract:
    """Deploys a settlement token for `currency` (decimals = ISO 4217 minor units) and binds it."""
    token = chain.deploy(
        operator,
        load_artifact("SettlementToken"),
        f"Tokenised {currency} deposit",
        f"d{currency}",
        minor_units(currency),
        operator.address,
    )
    chain.transact(
        operator, suite.escrow.functions.setSettlementToken(currency.encode(), token.address)
    )
    suite.tokens[currency] = token
    return token
