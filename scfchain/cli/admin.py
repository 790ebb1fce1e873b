"""`scf demo`, `scf deploy` and `scf members`: set-up of a chain."""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from scfchain.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    client_of,
    emit,
    keyring_of,
)
from scfchain.devnet import PROJECT_ROOT


def _demo(args: argparse.Namespace) -> int:
    from scfchain.demo import run_demo

    return run_demo([Path(p) for p in args.inputs], Path(args.out))


def _deploy(args: argparse.Namespace) -> int:
    from web3 import HTTPProvider, Web3

    from scfchain.artifacts import suite_error_decoder
    from scfchain.chain import Chain, FeePolicy, account_from_key
    from scfchain.devnet import dev_private_keys
    from scfchain.suite import deploy_suite

    if args.dev_key:
        key = dev_private_keys(1)[0]
    else:
        key = os.environ.get(args.key_env, "")
        if not key:
            print(
                f"scf deploy: set {args.key_env} to the deployer's private key, or pass --dev-key"
            )
            return EXIT_USAGE
    w3 = Web3(HTTPProvider(args.rpc, request_kwargs={"timeout": 60}))
    if args.poa:
        from web3.middleware import ExtraDataToPOAMiddleware

        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    chain = Chain(
        w3, suite_error_decoder(), FeePolicy(legacy=args.legacy, gas_price=args.gas_price)
    )
    currencies = [c.strip().upper() for c in args.currencies.split(",") if c.strip()]
    _, deployment = deploy_suite(
        chain, account_from_key(key), currencies, grace_period=args.grace_period
    )
    path = deployment.write(Path(args.out))
    print(f"deployed on chain {deployment.chain_id}: manifest {path}")
    for name, entry in deployment.contracts.items():
        print(f"  {name:20} {entry['address']}  (block {entry['block']})")
    for currency, address in deployment.settlement_tokens.items():
        print(f"  SettlementToken {currency:4} {address}")
    return EXIT_OK


# --- members ------------------------------------------------------------------------------------


def read_members(path: Path) -> list[dict[str, Any]]:
    """Members from CSV (address,party_key,roles[,credit_line]; roles separated by ; or |) or
    JSON (a list of objects with the same keys, roles a list or a string)."""
    if path.suffix.lower() == ".json":
        rows = json.loads(path.read_text())
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    members = []
    for n, row in enumerate(rows, start=2 if path.suffix.lower() != ".json" else 1):
        roles = row.get("roles") or []
        if isinstance(roles, str):
            roles = [r.strip().upper() for r in roles.replace("|", ";").split(";") if r.strip()]
        if not row.get("address") or not row.get("party_key") or not roles:
            raise UsageError(f"{path}:{n}: address, party_key and roles are required")
        members.append({
            "address": row["address"].strip(), "party_key": row["party_key"].strip(), "roles": roles,
            "credit_line": int(row["credit_line"]) if str(row.get("credit_line") or "").strip() else None,
        })  # fmt: skip
    return members


def _operator(client: Any, ring: Any) -> Any:
    for signer in ring.signers.values():
        if client.has_role(signer.address, "OPERATOR"):
            return signer
    raise UsageError(
        "none of the given keys holds the OPERATOR role: pass the operator's --keystore or --key-env"
    )


def _members(args: argparse.Namespace) -> int:
    from scfchain.demo import GAS_MONEY_WEI, demo_key
    from scfchain.inputs import load_inputs

    client = client_of(args)
    wanted: list[dict[str, Any]] = []
    parties: list[Any] = []
    if args.from_inputs:
        if not args.dev_keys:
            raise UsageError(
                "--from-inputs admits demo accounts: it needs --dev-keys (local dev chains only)"
            )
        from scfchain.chain import account_from_key

        loaded = load_inputs([Path(p) for p in args.from_inputs])
        roles: dict[str, set[str]] = defaultdict(set)
        lines: dict[str, int] = defaultdict(int)
        by_key = {}
        for r in loaded.records:
            roles[r.seller.key].add("SUPPLIER")
            roles[r.buyer.key].add("DEBTOR")
            lines[r.buyer.key] += r.amount_minor
            by_key[r.seller.key], by_key[r.buyer.key] = r.seller, r.buyer
        for key, party in sorted(by_key.items()):
            wanted.append({
                "address": account_from_key(demo_key(party)).address, "party_key": key,
                "roles": sorted(roles[key]),
                "credit_line": (args.credit_line or lines[key]) if "DEBTOR" in roles[key] else None,
            })  # fmt: skip
        parties = list(by_key.values())
    for path in args.files:
        wanted += read_members(Path(path))
    if not wanted:
        raise UsageError("give a members file, or --from-inputs PATH with --dev-keys")
    ring = keyring_of(args, parties)
    operator = _operator(client, ring)
    done = []
    for m in wanted:
        action = "already a member"
        if args.dry_run:
            action = "would admit" if not client.is_member(m["address"]) else action
        elif not client.is_member(m["address"]):
            client.admit(operator, m["address"], m["party_key"], m["roles"])
            action = "admitted"
            if args.dev_keys and args.from_inputs:
                client.chain.wait(
                    client.chain.send_value(operator.account, m["address"], GAS_MONEY_WEI)
                )
        if m["credit_line"] is not None and not args.dry_run:
            client.set_credit_line(operator, m["address"], m["credit_line"])
        done.append({**m, "action": action})
    emit(
        args,
        done,
        "\n".join(
            f"{d['action']:16} {d['address']}  {d['party_key']}  {','.join(d['roles'])}"
            for d in done
        ),
    )
    return EXIT_OK


# --- issue --------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `demo`, `deploy` and `members` to the `scf` parser."""
    demo = sub.add_parser("demo", help="run the whole receivable lifecycle on a local Ganache")
    demo.add_argument(
        "inputs",
        nargs="*",
        default=[str(PROJECT_ROOT / "examples")],
        help="invoice files or folders",
    )
    demo.add_argument(
        "--out", default=str(PROJECT_ROOT / "out" / "demo"), help="folder for the report"
    )
    demo.set_defaults(handler=_demo)

    deploy = sub.add_parser("deploy", help="deploy the suite and write deployments/<chain-id>.json")
    deploy.add_argument(
        "--rpc",
        default=os.environ.get("SCF_RPC", "http://127.0.0.1:8545"),
        help="JSON-RPC URL of the node",
    )
    deploy.add_argument(
        "--key-env",
        default="SCF_DEPLOYER_KEY",
        help="environment variable holding the deployer key",
    )
    deploy.add_argument(
        "--dev-key", action="store_true", help="use the first funded account of the local dev chain"
    )
    deploy.add_argument(
        "--currencies", default="EUR", help="settlement tokens to deploy, e.g. EUR,USD"
    )
    deploy.add_argument(
        "--grace-period",
        type=int,
        default=30 * 86_400,
        help="seconds after due date before default",
    )
    deploy.add_argument("--legacy", action="store_true", help="send legacy (type 0) transactions")
    deploy.add_argument(
        "--gas-price", type=int, default=None, help="legacy gas price in wei (0 on free-gas chains)"
    )
    deploy.add_argument(
        "--poa", action="store_true", help="proof-of-authority chain: POA middleware"
    )
    deploy.add_argument(
        "--out", default=str(PROJECT_ROOT / "deployments"), help="folder for the manifest"
    )
    deploy.set_defaults(handler=_deploy)

    members = sub.add_parser(
        "members",
        parents=[common],
        help="admit members (operator) from a CSV/JSON of address,party_key,roles[,credit_line]",
    )
    members.add_argument("files", nargs="*", help="members files")
    members.add_argument(
        "--from-inputs",
        nargs="+",
        default=None,
        help="DEV: admit demo accounts of every party in these invoices (needs --dev-keys)",
    )
    members.add_argument(
        "--credit-line",
        type=int,
        default=None,
        help="DEV: credit line of each debtor (default: its total face value)",
    )
    members.add_argument(
        "--dry-run", action="store_true", help="show what would be done, send nothing"
    )
    members.set_defaults(handler=_members)
