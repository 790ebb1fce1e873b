"""The `scf` command line."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scfchain.devnet import PROJECT_ROOT

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CHAIN = 0, 1, 2, 3

EPILOG = """\
exit codes:
  0  done: every input issued / every action succeeded
  1  some inputs rejected or some receivables/actions failed (see the report)
  2  usage error: bad arguments, missing key, manifest or journal of another chain
  3  chain or RPC error: node unreachable, timeouts after retries, wrong chain id

environment:
  SCF_RPC                 JSON-RPC URL (default http://127.0.0.1:8545)
  SCF_MANIFEST            deployment manifest (default deployments/<chain id>.json)
  SCF_KEYSTORE_PASSWORD   password of the --keystore files (else asked on the terminal)
Private keys are read from keystores (--keystore) or environment variables (--key-env NAME);
they are never printed, logged or written.
"""


ISSUE_DESCRIPTION = """\
First a validation report of every input (file, row, field, reason), including chain checks
(seller and buyer admitted with their roles, the seller's key held, due date in the future).
Then the receivables go out in batches, sent by each seller's account: with the buyer's key
too, registerAndConfirmBatch with the buyer's EIP-712 signature (registered and confirmed);
without it, registerBatch (registered; the buyer confirms later with `scf confirm`).
Every batch is journalled (SQLite, --journal) before it is broadcast: after a crash, run the
same command again; nothing is issued twice and nothing is left out.
"""


class UsageError(RuntimeError):
    """Bad arguments or set-up: exit code 2."""


# --- shared options ------------------------------------------------------------------------------


def _chain_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("chain")
    g.add_argument(
        "--rpc", default=os.environ.get("SCF_RPC", "http://127.0.0.1:8545"), help="JSON-RPC URL"
    )
    g.add_argument(
        "--manifest",
        default=os.environ.get("SCF_MANIFEST"),
        help="deployment manifest (default deployments/<chain id>.json)",
    )
    g.add_argument(
        "--chain-id", type=int, default=None, help="refuse to run unless the node has this chain id"
    )
    g.add_argument(
        "--poa",
        action="store_true",
        help="proof-of-authority chain (Besu QBFT/IBFT, GoQuorum, Clique): POA middleware",
    )
    g.add_argument("--legacy", action="store_true", help="send legacy (type 0) transactions")
    g.add_argument(
        "--gas-price", type=int, default=None, help="legacy gas price in wei (0 on free-gas chains)"
    )
    g.add_argument(
        "--priority-fee", type=int, default=0, help="EIP-1559 priority fee in wei (default 0)"
    )
    g.add_argument(
        "--confirmations", type=int, default=0, help="blocks to wait on top of each transaction"
    )
    k = p.add_argument_group("keys")
    k.add_argument(
        "--keystore",
        action="append",
        default=[],
        type=Path,
        help="encrypted JSON keystore file or folder (repeatable)",
    )
    k.add_argument(
        "--password-env",
        default="SCF_KEYSTORE_PASSWORD",
        help="environment variable with the keystore password",
    )
    k.add_argument(
        "--key-env",
        action="append",
        default=[],
        help="environment variable holding a hex private key (repeatable)",
    )
    k.add_argument(
        "--dev-keys",
        action="store_true",
        help="LOCAL DEV CHAIN ONLY: the dev operator key and deterministic demo keys of the parties",
    )
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    return p


def _client(args: argparse.Namespace):  # noqa: ANN202
    from scfchain.chain import FeePolicy
    from scfchain.sdk import ScfClient, make_web3

    w3 = make_web3(args.rpc, poa=args.poa)
    manifest = args.manifest
    if manifest is None:
        manifest = str(PROJECT_ROOT / "deployments" / f"{int(w3.eth.chain_id)}.json")
    if not Path(manifest).exists():
        raise UsageError(f"manifest {manifest} not found: pass --manifest or run `scf deploy`")
    fees = FeePolicy(priority_fee=args.priority_fee, gas_price=args.gas_price, legacy=args.legacy)
    return ScfClient.connect(
        args.rpc, manifest, fees=fees, confirmations=args.confirmations, poa=args.poa,
        chain_id=args.chain_id, w3=w3,
    )  # fmt: skip


def _keyring(args: argparse.Namespace, parties: Sequence[Any] = ()):  # noqa: ANN202
    from scfchain.keys import Keyring, Signer

    ring = Keyring.load(args.keystore, args.key_env, args.password_env)
    if args.dev_keys:
        from scfchain.chain import account_from_key
        from scfchain.demo import FINANCIER, demo_key
        from scfchain.devnet import dev_private_keys

        ring.add(Signer(account_from_key(dev_private_keys(1)[0]), "dev operator"))
        for party in [*parties, FINANCIER]:
            ring.add(Signer(account_from_key(demo_key(party)), f"demo key of {party.key}"))
    return ring


def _parse_id(text: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise UsageError(f"not a receivable id: {text!r} (hex fingerprint or decimal)") from None


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)


# --- demo and deploy ----------------------------------------------------------------------------


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

    client = _client(args)
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
    ring = _keyring(args, parties)
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
    _emit(
        args,
        done,
        "\n".join(
            f"{d['action']:16} {d['address']}  {d['party_key']}  {','.join(d['roles'])}"
            for d in done
        ),
    )
    return EXIT_OK


# --- issue --------------------------------------------------------------------------------------


def _issue(args: argparse.Namespace) -> int:
    from scfchain.bulk import issue, validate
    from scfchain.inputs import load_inputs
    from scfchain.journal import Journal

    loaded = load_inputs([Path(p) for p in args.inputs])
    client = _client(args)
    parties = {p.key: p for r in loaded.records for p in (r.seller, r.buyer)}
    ring = _keyring(args, list(parties.values()))
    plan = validate(client, loaded, ring)
    report = [row.to_json() for row in plan.report]
    if not args.json:
        print(
            f"{len(loaded.records) + len(loaded.rejections)} input(s): {len(plan.items)} ready to issue, {len(plan.report)} rejected"
        )
        for row in plan.report:
            where = f"{row.file}:{row.row}" if row.row is not None else row.file
            print(f"  {where}  [{row.field or '-'}]  {row.reason}", file=sys.stdout)
    summary: dict[str, Any] = {"ready": len(plan.items), "rejected": report}
    modes = defaultdict(int)
    for item in plan.items:
        modes[item.mode] += 1
    summary["modes"] = dict(modes)
    if args.dry_run or (args.all_or_nothing and plan.report):
        summary["issued"] = None
        if not args.json:
            why = "dry run" if args.dry_run else "--all-or-nothing: inputs were rejected"
            print(f"nothing sent ({why})")
        else:
            print(json.dumps(summary, indent=2, ensure_ascii=False))
        return EXIT_FAILED if plan.report else EXIT_OK
    from tqdm import tqdm

    journal_path = (
        Path(args.journal)
        if args.journal
        else PROJECT_ROOT / "out" / f"issue-{client.chain.chain_id}.sqlite"
    )
    with (
        Journal(journal_path) as journal,
        tqdm(
            total=len(plan.items),
            unit="rcv",
            disable=True if args.json else None,
            file=sys.stderr,
            desc="issuing",
        ) as bar,
    ):
        result = issue(
            client, plan.items, journal, ring, batch_size=args.batch_size, window=args.window,
            progress=bar.update, log=None if args.json else tqdm.write,
        )  # fmt: skip
        counts = journal.counts()
    summary["issued"] = result.to_json()
    summary["journal"] = {"path": str(journal_path), **counts}
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(
            f"{result.confirmed} of {len(plan.items)} on chain ({result.sent_now} sent now in "
            f"{result.transactions} transaction(s), {result.already_on_chain} found already on chain); "
            f"journal {journal_path}"
        )
        for source, reason in result.failed:
            print(f"  not issued: {source}: {reason}")
    return EXIT_FAILED if plan.report or result.failed else EXIT_OK


# --- single-receivable actions --------------------------------------------------------------------


def _signer_for(ring: Any, address: str, role: str) -> Any:
    signer = ring.get(address)
    if signer is None:
        raise UsageError(f"no key for the {role} {address}: pass its --keystore or --key-env")
    return signer


def _confirm(args: argparse.Namespace) -> int:
    client = _client(args)
    ring = _keyring(args)
    ids = [_parse_id(i) for i in args.ids]
    by_debtor: dict[str, list[int]] = defaultdict(list)
    out = []
    for rid in ids:
        state = client.status(rid)
        if state.status not in ("Registered", "Disputed"):
            out.append({"id": hex(rid), "result": f"not confirmable: {state.status}"})
            continue
        by_debtor[state.debtor].append(rid)
    failed = len(out)
    for debtor, rids in by_debtor.items():
        signer = _signer_for(ring, debtor, "debtor")
        if args.sign_only:
            for rid in rids:
                s = client.sign_registered(signer, rid)
                out.append(
                    {
                        "id": hex(rid),
                        "nonce": s.nonce,
                        "deadline": s.deadline,
                        "signature": "0x" + s.signature.hex(),
                    }
                )
        else:
            receipt = client.confirm_batch(signer, rids)
            out += [
                {"id": hex(r), "result": "confirmed", "block": receipt["blockNumber"]} for r in rids
            ]
    _emit(args, out, "\n".join(f"{o['id']}  {o.get('result', 'signed')}" for o in out))
    return EXIT_FAILED if failed else EXIT_OK


def _finance(args: argparse.Namespace) -> int:
    from scfchain.sdk import FinancingTerms

    client = _client(args)
    ring = _keyring(args)
    rid = _parse_id(args.id)
    state = client.status(rid)
    supplier = _signer_for(ring, args.supplier or state.supplier, "supplier")
    terms = FinancingTerms(args.rate_bps, args.day_count, args.recourse, args.reserve_bps)
    request_id = client.request_financing(supplier, rid, args.amount, args.financier, terms)
    data: dict[str, Any] = {"id": hex(rid), "request_id": request_id}
    financier = ring.get(args.financier)
    if financier is not None:
        approved = client.approve_financing(financier, request_id)
        data.update(proceeds=approved.proceeds, transaction=approved.transaction)
    _emit(
        args,
        data,
        f"request {request_id}"
        + (
            f" approved: proceeds {data['proceeds']}"
            if "proceeds" in data
            else " pending the financier's approval"
        ),
    )
    return EXIT_OK


def _repay(args: argparse.Namespace) -> int:
    client = _client(args)
    ring = _keyring(args)
    rid = _parse_id(args.id)
    state = client.status(rid)
    debtor = _signer_for(ring, state.debtor, "debtor")
    receipt = client.repay(debtor, rid, args.amount)
    after = client.status(rid)
    _emit(
        args,
        {"id": hex(rid), "status": after.status, "block": receipt["blockNumber"]},
        f"{hex(rid)} {after.status}",
    )
    return EXIT_OK


def _redeem(args: argparse.Namespace) -> int:
    client = _client(args)
    ring = _keyring(args)
    rid = _parse_id(args.id)
    holders = (
        [args.holder] if args.holder else [a for a in ring.signers if client.balance(a, rid) > 0]
    )
    out = []
    for holder in holders:
        paid = client.redeem(_signer_for(ring, holder, "holder"), rid)
        out.append({"holder": holder, "paid": paid})
    out_status = client.status(rid).status
    _emit(
        args,
        {"id": hex(rid), "redeemed": out, "status": out_status},
        "\n".join(f"{o['holder']} paid {o['paid']}" for o in out) + f"\n{hex(rid)} {out_status}",
    )
    return EXIT_OK if out else EXIT_FAILED


def _status(args: argparse.Namespace) -> int:
    client = _client(args)
    holders = [h for h in (args.holders or "").split(",") if h]
    states = [client.status(_parse_id(i), holders) for i in args.ids]
    _emit(
        args,
        [s.to_json() for s in states],
        "\n".join(
            f"{hex(s.id)}  {s.status:12} {s.face_value} {s.currency}  supplier {s.supplier} debtor {s.debtor}"
            + (f"  balances {s.balances}" if s.balances else "")
            for s in states
        ),
    )
    return EXIT_FAILED if any(not s.exists for s in states) else EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    client = _client(args)
    history = client.history()
    assert isinstance(history, dict)
    ids = [_parse_id(i) for i in args.ids] if args.ids else sorted(history)
    report = {
        "chain_id": client.chain.chain_id,
        "registry": client.registry.address,
        "receivables": [
            {"id": hex(rid), "events": [e.to_json() for e in history.get(rid, [])]} for rid in ids
        ],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n")
        print(f"audit of {len(ids)} receivable(s): {args.out}")
    else:
        print(text)
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scf",
        description="scfchain: supply-chain finance on an EVM chain",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = _chain_options()

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

    issue = sub.add_parser(
        "issue",
        parents=[common],
        help="validate then issue receivables in bulk from CSV, UBL and CII files",
        description=ISSUE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    issue.add_argument("inputs", nargs="+", help="invoice files or folders")
    issue.add_argument(
        "--journal",
        default=None,
        help="SQLite journal (default out/issue-<chain id>.sqlite); rerun with the same journal after a crash",
    )
    issue.add_argument(
        "--batch-size", type=int, default=50, help="receivables per transaction (default 50)"
    )
    issue.add_argument(
        "--window", type=int, default=16, help="most transactions in flight per sender (default 16)"
    )
    issue.add_argument(
        "--dry-run", action="store_true", help="validation report only, send nothing"
    )
    issue.add_argument(
        "--all-or-nothing", action="store_true", help="send nothing if any input is rejected"
    )
    issue.set_defaults(handler=_issue)

    confirm = sub.add_parser(
        "confirm",
        parents=[common],
        help="the debtor confirms registered receivables (or signs, with --sign-only)",
    )
    confirm.add_argument("ids", nargs="+", help="receivable ids (0x fingerprint or decimal)")
    confirm.add_argument(
        "--sign-only",
        action="store_true",
        help="print EIP-712 confirmations for a relayer (confirmBySig) instead",
    )
    confirm.set_defaults(handler=_confirm)

    finance = sub.add_parser(
        "finance",
        parents=[common],
        help="request financing (supplier) and approve it (financier, when its key is given)",
    )
    finance.add_argument("id")
    finance.add_argument(
        "--amount", type=int, required=True, help="units (minor units of face value) to finance"
    )
    finance.add_argument("--financier", required=True, help="financier account")
    finance.add_argument(
        "--supplier", default=None, help="requesting holder (default: the receivable's supplier)"
    )
    finance.add_argument("--rate-bps", type=int, default=500)
    finance.add_argument("--day-count", type=int, default=0, help="0 ACT/360, 1 ACT/365")
    finance.add_argument("--recourse", action="store_true")
    finance.add_argument("--reserve-bps", type=int, default=0)
    finance.set_defaults(handler=_finance)

    repay = sub.add_parser(
        "repay", parents=[common], help="the debtor repays (default: everything outstanding)"
    )
    repay.add_argument("id")
    repay.add_argument("--amount", type=int, default=None)
    repay.set_defaults(handler=_repay)

    redeem = sub.add_parser(
        "redeem", parents=[common], help="holders draw repayments (every holder whose key is given)"
    )
    redeem.add_argument("id")
    redeem.add_argument("--holder", default=None)
    redeem.set_defaults(handler=_redeem)

    status = sub.add_parser("status", parents=[common], help="state of receivables")
    status.add_argument("ids", nargs="+")
    status.add_argument(
        "--holders", default=None, help="comma-separated accounts whose balances to show"
    )
    status.set_defaults(handler=_status)

    audit = sub.add_parser(
        "audit", parents=[common], help="JSON of the events of each receivable, from the chain"
    )
    audit.add_argument("ids", nargs="*", help="receivables (default: all)")
    audit.add_argument("--out", default=None, help="write the JSON here instead of stdout")
    audit.set_defaults(handler=_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import requests

    from scfchain.chain import TransactionError
    from scfchain.journal import JournalMismatch
    from scfchain.keys import KeyLoadError
    from scfchain.noncepool import RpcUnavailable
    from scfchain.sdk import ChainMismatch

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (UsageError, KeyLoadError, JournalMismatch) as exc:
        print(f"scf {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TransactionError as exc:
        print(f"scf {args.command}: refused by the chain: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (
        ChainMismatch,
        RpcUnavailable,
        requests.ConnectionError,
        requests.Timeout,
        TimeoutError,
        ConnectionError,
    ) as exc:
        print(f"scf {args.command}: chain/RPC error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CHAIN


if __name__ == "__main__":
    sys.exit(main())
