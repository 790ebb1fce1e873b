"""`scf demo`, `scf deploy` and `scf members`: set-up of a chain."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from scfchain.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_transaction_options,
    bounded_int,
    checked_address,
    client_of,
    emit,
    keyring_of,
    non_negative_int,
    refuse_dev_keys_off_dev_chains,
    rpc_url,
)
from scfchain.devnet import PROJECT_ROOT
from scfchain.textfiles import read_named_text


def _demo(args: argparse.Namespace) -> int:
    from scfchain.demo import run_demo

    return run_demo(
        [Path(p) for p in args.inputs], Path(args.out), keep_node=args.keep_node,
        port=args.port, db_path=Path(args.db) if args.db else None,
    )  # fmt: skip


def _deploy(args: argparse.Namespace) -> int:
    from scfchain.artifacts import suite_error_decoder
    from scfchain.chain import Chain, FeePolicy, account_from_key
    from scfchain.currencies import is_known_currency
    from scfchain.devnet import dev_private_keys
    from scfchain.keys import from_env
    from scfchain.sdk import make_web3
    from scfchain.suite import deploy_suite

    if args.dev_key:
        account = account_from_key(dev_private_keys(1)[0])
    elif not os.environ.get(args.key_env, "").strip():
        raise UsageError(
            f"set {args.key_env} to the deployer's private key (--key-env), or pass --dev-key"
        )
    else:
        account = from_env(args.key_env).account
    currencies = [c.strip().upper() for c in args.currencies.split(",") if c.strip()]
    unknown = [c for c in currencies if not is_known_currency(c)]
    if unknown or not currencies:
        raise UsageError(
            f"--currencies {args.currencies!r}: give ISO 4217 codes such as EUR,USD"
            + (f" ({', '.join(unknown)} is not one)" if unknown else "")
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder (the manifest goes in it as <chain id>.json)")
    try:  # the manifest must be writable before anything is deployed, or the addresses are lost
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder: {exc.strerror or exc}") from None
    try:  # a real write: permission bits say nothing of /proc, read-only mounts or root
        with tempfile.NamedTemporaryFile(dir=out, prefix=".scf-deploy-", suffix=".json"):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there: {exc.strerror or exc}") from None
    w3 = make_web3(args.rpc, poa=args.poa)
    if args.dev_key:
        refuse_dev_keys_off_dev_chains(args, int(w3.eth.chain_id), flag="--dev-key")
    chain = Chain(
        w3, suite_error_decoder(), FeePolicy(legacy=args.legacy, gas_price=args.gas_price)
    )
    _, deployment = deploy_suite(chain, account, currencies, grace_period=args.grace_period)
    try:
        path = deployment.write(out)
    except OSError as exc:  # the chain has changed: the addresses must not be lost
        print(json.dumps(deployment.to_json(), indent=2))
        print(
            f"scf deploy: deployed, but the manifest could not be written to {out} "
            f"({exc.strerror or exc}): save the JSON above as {deployment.chain_id}.json",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"deployed on chain {deployment.chain_id}: manifest {path}")
    for name, entry in deployment.contracts.items():
        print(f"  {name:20} {entry['address']}  (block {entry['block']})")
    for currency, address in deployment.settlement_tokens.items():
        print(f"  SettlementToken {currency:4} {address}")
    return EXIT_OK


# --- members ------------------------------------------------------------------------------------


MEMBER_FIELDS = ("address", "party_key", "roles", "credit_line")


def _member_rows(path: Path) -> tuple[list[Any], int]:
    """The raw rows of a members file and the number of its first row (CSV: 2, after the
    header; JSON: 1, the first object of the list)."""
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a members file (.csv or .json)")
    text = read_named_text(path, "members file", UsageError, encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{path}: invalid JSON ({exc})") from None
        if not isinstance(rows, list):
            raise UsageError(f"{path}: a members JSON file is a list of objects")
        return rows, 1
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [f for f in ("address", "party_key", "roles") if f not in header]
    if missing:
        raise UsageError(
            f"{path}: row 1: missing column(s) {', '.join(missing)} "
            f"(header: {','.join(MEMBER_FIELDS)}; credit_line optional)"
        )
    reader.fieldnames = header
    return list(reader), 2


def _member(path: Path, n: int, row: Any) -> dict[str, Any]:
    """One checked member: a checksum address, a party key, known roles, a credit line."""
    from scfchain.suite import ROLES

    def fail(fld: str, reason: str) -> UsageError:
        return UsageError(f"{path}: row {n}: field {fld}: {reason}")

    if not isinstance(row, dict):
        raise UsageError(f"{path}: row {n}: not an object with {', '.join(MEMBER_FIELDS)}")
    address = str(row.get("address") or "").strip()
    if not address:
        raise fail("address", "missing")
    checksummed = checked_address(address)
    if checksummed is None:
        raise fail(
            "address", f"{address!r} is not an account address (0x and 40 hex digits, EIP-55)"
        )
    if int(checksummed, 16) == 0:
        raise fail("address", "the zero address cannot be a member")
    party_key = str(row.get("party_key") or "").strip()
    if not party_key:
        raise fail("party_key", "missing")
    roles = row.get("roles") or []
    if isinstance(roles, str):
        roles = roles.replace("|", ";").split(";")
    if not isinstance(roles, list):
        raise fail("roles", "a list of roles, or a string of roles separated by ; or |")
    roles = [str(r).strip().upper() for r in roles if str(r).strip()]
    if not roles:
        raise fail("roles", "missing")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise fail("roles", f"unknown role {', '.join(unknown)} (known: {', '.join(ROLES)})")
    credit = row.get("credit_line")
    credit_line = None
    if credit is not None and str(credit).strip():
        text = str(credit).strip()
        if isinstance(credit, bool) or not text.isdigit():
            raise fail("credit_line", f"{text!r} is not a whole number of minor units")
        credit_line = int(text)
        if credit_line >= 2**256:
            raise fail("credit_line", f"{text} does not fit in a uint256")
    return {
        "address": checksummed,
        "party_key": party_key,
        "roles": roles,
        "credit_line": credit_line,
    }


def read_members(path: Path) -> list[dict[str, Any]]:
    """Members from CSV (address,party_key,roles[,credit_line]; roles separated by ; or |) or
    JSON (a list of objects with the same keys, roles a list or a string), every row checked
    before anything is sent: a UsageError names the file, the row and the field."""
    path = Path(path)
    rows, first = _member_rows(path)
    members = [_member(path, n, row) for n, row in enumerate(rows, start=first)]
    first_row: dict[str, int] = {}
    for n, m in enumerate(members, start=first):
        seen = first_row.setdefault(m["address"], n)
        if seen != n:
            raise UsageError(
                f"{path}: row {n}: field address: {m['address']} is also on row {seen}"
            )
    return members


def _operator(client: Any, ring: Any) -> Any:
    for signer in ring.signers.values():
        if client.has_role(signer.address, "OPERATOR"):
            return signer
    raise UsageError(
        "none of the given keys holds the OPERATOR role: pass the operator's --keystore or --key-env"
    )


def _demo_members(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[Any]]:
    """--from-inputs: the demo account of every seller (SUPPLIER) and buyer (DEBTOR), a
    debtor's credit line being --credit-line or its total face value; and the parties."""
    from scfchain.devsetup import dev_members, parties_of
    from scfchain.inputs import load_inputs

    if not args.dev_keys:
        raise UsageError(
            "--from-inputs admits demo accounts: it needs --dev-keys (local dev chains only)"
        )
    for given in args.from_inputs:
        if not Path(given).exists():
            raise UsageError(f"--from-inputs {given}: no such file or folder")
    loaded = load_inputs([Path(p) for p in args.from_inputs])
    wanted = [dict(m) for m in dev_members(loaded.records, args.credit_line)]
    return wanted, list(parties_of(loaded.records).values())


def _members(args: argparse.Namespace) -> int:
    from scfchain.devsetup import admit_members

    wanted: list[dict[str, Any]] = []
    parties: list[Any] = []
    for path in args.files:  # every file checked before the chain is touched
        wanted += read_members(Path(path))
    if args.from_inputs:
        demo_wanted, parties = _demo_members(args)
        wanted = demo_wanted + wanted
    if not wanted:
        raise UsageError("give a members file, or --from-inputs PATH with --dev-keys")
    ring = keyring_of(args, parties)  # keys first: a usage error before any RPC
    client = client_of(args)
    operator = _operator(client, ring)
    fund_gas = bool(args.dev_keys and args.from_inputs)
    done = admit_members(client, operator, wanted, fund_gas=fund_gas, dry_run=args.dry_run)
    emit(
        args,
        done,
        "\n".join(
            f"{d['action']:16} {d['address']}  {d['party_key']}  {','.join(d['roles'])}"
            + "".join(f"\n  {note}" for note in d["notes"])
            for d in done
        ),
    )
    return EXIT_FAILED if any(d["differs"] for d in done) else EXIT_OK


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
        "--out",
        default=str(Path("out") / "demo"),
        help="folder for the report (default out/demo in the current directory)",
    )
    demo.add_argument(
        "--keep-node",
        action="store_true",
        help="leave the demo chain running (prints its RPC URL and manifest) until Ctrl-C",
    )
    demo.add_argument(
        "--port",
        type=bounded_int(0, 65_535),
        default=0,
        help="the demo node's port (default: free)",
    )
    demo.add_argument("--db", default=None, help="keep the demo chain on disk in this folder")
    demo.set_defaults(handler=_demo)

    deploy = sub.add_parser("deploy", help="deploy the suite and write deployments/<chain-id>.json")
    deploy.add_argument(
        "--rpc",
        type=rpc_url,
        default=os.environ.get("SCF_RPC") or "http://127.0.0.1:8545",
        help="JSON-RPC URL of the node, http:// or https:// (default $SCF_RPC, else "
        "http://127.0.0.1:8545)",
    )
    deploy.add_argument(
        "--key-env",
        default="SCF_DEPLOYER_KEY",
        help="environment variable holding the deployer key",
    )
    deploy.add_argument(
        "--dev-key",
        "--dev-keys",
        dest="dev_key",
        action="store_true",
        help="use the first funded account of the local dev chain",
    )
    deploy.add_argument(
        "--currencies", default="EUR", help="settlement tokens to deploy, e.g. EUR,USD"
    )
    deploy.add_argument(
        "--grace-period",
        type=non_negative_int,
        default=30 * 86_400,
        help="seconds after due date before default",
    )
    add_transaction_options(deploy)
    deploy.add_argument(
        "--out",
        default="deployments",
        help="folder for the manifest <chain id>.json (default deployments/ in the current "
        "directory, where the other commands look for it)",
    )
    deploy.set_defaults(handler=_deploy)

    members = sub.add_parser(
        "members",
        parents=[common],
        help="admit members (operator) from a CSV/JSON of address,party_key,roles[,credit_line]",
    )
    members.add_argument(
        "files",
        nargs="*",
        help="members files, CSV (header address,party_key,roles[,credit_line]; roles separated "
        "by ; or |) or JSON (a list of objects with those keys); roles among OPERATOR, DEBTOR, "
        "SUPPLIER, FINANCIER, AUDITOR; credit_line in minor units. Every row is checked before "
        "anything is sent, in a dry run too",
    )
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
        help="DEV: credit line of each debtor, in minor units (default: its total face value)",
    )
    members.add_argument(
        "--dry-run", action="store_true", help="show what would be done, send nothing"
    )
    members.set_defaults(handler=_members)
