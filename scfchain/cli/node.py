"""`scf node`: a local development Ganache with the suite deployed and the parties of given
invoices admitted, in the foreground until Ctrl-C or SIGTERM.

The clock starts at --start-time, or at the earliest issue date of --start-at-inputs (so that
old sample invoices are not refused as past due), or else at the wall clock. With --db DIR the
chain is kept on disk (DIR/chain), with a copy of its manifest (DIR/manifest.json, from which a
restart knows the addresses) and its clock mode (DIR/node.json); the manifest the other
commands read is still the one in --out (deployments/1337.json). Started again on the same DIR,
the node resumes that chain (and writes --out again): nothing is deployed again, members already
admitted are left as they are (credit lines included), and the clock goes on from the latest
block.

Besides the inputs' sellers and buyers, the demo financier is admitted with gas money; the
operator mints settlement tokens to each debtor (the face value it owes, per currency) and to
the financier (enough to finance every receivable), and the financier sets an exposure limit
for each debtor, so that `scf finance`, `repay` and `redeem` with --dev-keys work. Only parties
admitted now get any of this.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import threading
from datetime import UTC, datetime, time
from pathlib import Path
from types import FrameType
from typing import Any

from scfchain.cli.common import EXIT_CHAIN, EXIT_FAILED, EXIT_OK, UsageError, port_number

DEFAULT_PORT = 8545
STATE_FILE = "node.json"
CHAIN_DIR = "chain"
HEALTH_CHECK_S = 2.0

NODE_DESCRIPTION = __doc__.split("\n\n", 1)[1] if __doc__ else ""


class _StopRequested(BaseException):
    """SIGINT or SIGTERM arrived (a BaseException, so that no `except Exception` swallows it)."""


def _say(text: str) -> None:
    print(text, flush=True)


def start_time_arg(text: str) -> datetime:
    """argparse type of --start-time: YYYY-MM-DD (midnight UTC) or an ISO date-time (UTC unless
    it names its offset)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or ISO date-time"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _load(paths: list[str], option: str) -> Any:
    from scfchain.inputs import load_inputs

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{option} {', '.join(missing)}: no such file or folder")
    return load_inputs([Path(p) for p in paths])


def _requested_start(args: argparse.Namespace, records: list[Any]) -> datetime | None:
    from scfchain.devsetup import earliest_issue_date

    if args.start_time is not None:
        return args.start_time
    if args.start_at_inputs:
        first = earliest_issue_date(records)
        if first is None:
            raise UsageError(
                f"--start-at-inputs {' '.join(args.start_at_inputs)}: no receivable to take an "
                "issue date from"
            )
        return datetime.combine(first, time(0), tzinfo=UTC)
    return None


def _resume_clock(w3: Any, requested: datetime | None, shifted: bool) -> None:
    """On a restarted chain, moves the clock to just after the latest block (the chain's time
    never goes back), or to `requested` when that is later. A chain that followed the wall
    clock, restarted without a requested time, follows it again."""
    if requested is None and not shifted:
        return
    latest = int(w3.eth.get_block("latest")["timestamp"])
    target = max(latest + 1, int(requested.timestamp()) if requested else 0)
    w3.provider.make_request("evm_setTime", [target * 1000])  # Ganache: milliseconds


def _deployed(chain: Any, state: dict[str, Any], db: Path) -> Any:
    """The deployment kept in DIR when its registry still has code on the restarted chain."""
    from scfchain.suite import Deployment

    manifest = db / "manifest.json"
    if not state or not manifest.exists():
        return None
    deployment = Deployment.read(manifest)
    address = deployment.contracts["ReceivableRegistry"]["address"]
    return deployment if chain.w3.eth.get_code(address) else None


def _deploy(chain: Any, operator: Any, currencies: list[str], kept: Any) -> tuple[Any, str]:
    """Deploys the suite with the dev key (as `scf deploy --dev-key`), or reuses `kept` and adds
    settlement tokens for currencies it lacks."""
    from scfchain.suite import add_settlement_token, deploy_suite

    if kept is None:
        _, deployment = deploy_suite(chain, operator, currencies)
        return deployment, "deployed the suite"
    missing = sorted(set(currencies) - set(kept.settlement_tokens))
    if missing:
        suite = kept.attach(chain)
        for currency in missing:
            token = add_settlement_token(chain, operator, suite, currency)
            kept.settlement_tokens[currency] = token.address
    return kept, "the suite deployed before is in place"


def _currencies(args: argparse.Namespace, records: list[Any]) -> list[str]:
    from scfchain.currencies import is_known_currency

    given = [c.strip().upper() for c in args.currencies.split(",") if c.strip()]
    unknown = [c for c in given if not is_known_currency(c)]
    if unknown:
        raise UsageError(f"--currencies {args.currencies!r}: {', '.join(unknown)} is not ISO 4217")
    return sorted(set(given) | {r.currency for r in records})


def _node(args: argparse.Namespace) -> int:
    if _port_in_use(args.port):
        raise UsageError(f"port {args.port} is in use: pass another --port")
    clock_inputs = _load(args.start_at_inputs or [], "--start-at-inputs")
    other_inputs = _load(args.inputs or [], "--inputs")
    clock_records = clock_inputs.records
    records = clock_records + other_inputs.records
    rejected = len(clock_inputs.rejections) + len(other_inputs.rejections)
    if records or rejected:
        _say(
            f"scf node: {len(records)} receivable(s) in the inputs, {rejected} input(s) that are "
            "not (`scf issue --dry-run` lists them with file, field and reason)"
        )
    requested = _requested_start(args, clock_records)
    currencies = _currencies(args, records)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():  # a second signal while stopping: let the node stop
            return
        stop.set()
        raise _StopRequested

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(args, records, requested, currencies, stop)
    except _StopRequested:
        _say("scf node: stopped before the set-up was done")
        return EXIT_FAILED
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _run(
    args: argparse.Namespace,
    records: list[Any],
    requested: datetime | None,
    currencies: list[str],
    stop: threading.Event,
) -> int:
    from scfchain.devnet import LocalNode, NodeError

    db: Path | None = Path(args.db) if args.db else None
    state: dict[str, Any] = {}
    if db is not None and (db / STATE_FILE).exists():
        state = json.loads((db / STATE_FILE).read_text())
    restarted = db is not None and (db / CHAIN_DIR).exists() and any((db / CHAIN_DIR).iterdir())
    node = LocalNode(
        kind="ganache",
        port=args.port,
        start_time=None if restarted else requested,
        db_path=db / CHAIN_DIR if db is not None else None,
    )
    try:
        node.start()
    except NodeError as exc:
        _say(f"scf node: {exc}")
        return EXIT_CHAIN
    try:
        return _serve(args, node, db, state, restarted, records, requested, currencies, stop)
    finally:
        node.stop()
        _say("scf node: node stopped" + (f"; the chain is kept in {db}" if db else ""))


def _serve(
    args: argparse.Namespace,
    node: Any,
    db: Path | None,
    state: dict[str, Any],
    restarted: bool,
    records: list[Any],
    requested: datetime | None,
    currencies: list[str],
    stop: threading.Event,
) -> int:
    from scfchain.artifacts import suite_error_decoder
    from scfchain.chain import Chain, account_from_key
    from scfchain.devnet import dev_private_keys
    from scfchain.devsetup import admit_members, dev_financier, dev_members, fund_settlement
    from scfchain.keys import Signer
    from scfchain.sdk import ScfClient, make_web3

    w3 = make_web3(node.url)
    shifted = bool(state.get("shifted")) or (requested is not None and not restarted)
    if restarted:
        _resume_clock(w3, requested, bool(state.get("shifted")))
    chain = Chain(w3, suite_error_decoder())
    operator = account_from_key(dev_private_keys(1)[0])
    kept = _deployed(chain, state, db) if restarted and db is not None else None
    deployment, what = _deploy(chain, operator, currencies, kept)
    manifest = deployment.write(Path(args.out))
    if db is not None:
        (db / "manifest.json").write_text(json.dumps(deployment.to_json(), indent=2) + "\n")
        (db / STATE_FILE).write_text(json.dumps({"shifted": shifted}, indent=2) + "\n")
    clock = datetime.fromtimestamp(int(w3.eth.get_block("latest")["timestamp"]), UTC)
    _say(
        f"scf node: Ganache on 127.0.0.1:{node.port}, chain {deployment.chain_id}"
        + (f", resumed from {db}" if restarted else "")
        + f"; clock {clock:%Y-%m-%d %H:%M:%S} UTC"
    )
    _say(f"{what}: manifest {manifest}")
    financier: str | None = None
    if records:
        client = ScfClient.connect(node.url, manifest, w3=w3)
        signer = Signer(operator, "dev operator")
        members = [dev_financier(), *dev_members(records, args.credit_line)]
        done = admit_members(client, signer, members, fund_gas=True, new_credit_lines_only=True)
        new = [d for d in done if d["action"] == "admitted"]
        new_debtors = [d["address"] for d in new if "DEBTOR" in d["roles"]]
        minted = fund_settlement(client, signer, records, new_debtors, args.credit_line)
        financier = dev_financier()["address"]
        funded = ", ".join(f"{amount} {cur}" for cur, amount in minted.items())
        _say(
            f"{len(done)} members with their demo keys ({len(new)} admitted now, "
            f"{len(done) - len(new)} already members, left as they were)"
        )
        _say(
            f"{len(new_debtors)} new debtor(s) got a credit line, settlement tokens and the "
            "financier's exposure limit"
            + (f"; the financier got {funded} (minor units)" if funded else "")
        )
    _next_steps(node.url, manifest, args, db, financier)
    return _wait(w3, stop)


def _next_steps(
    url: str, manifest: Path, args: argparse.Namespace, db: Path | None, financier: str | None
) -> None:
    """The RPC URL, the demo financier (None: no inputs, none admitted) and what to run next."""
    inputs = " ".join([*(args.start_at_inputs or []), *(args.inputs or [])]) or "FILES..."
    chain_args = f"--rpc {url} --manifest {manifest} --dev-keys"
    sources = [*(args.start_at_inputs or []), *(args.inputs or [])] or ["FILES..."]
    parties = chain_args + "".join(f" --parties-from {path}" for path in sources)
    _say(f"RPC URL: {url}")
    _say(f"financier: {financier}")
    _say("next, in another terminal:")
    _say(f"  scf issue {chain_args} {inputs}")
    _say(f"  scf status {chain_args} <receivable id>")
    _say(f"  scf finance <receivable id> --amount <minor units> --financier {financier} {parties}")
    _say(f"  scf repay <receivable id> {parties}")
    _say(f"  scf redeem <receivable id> {parties}")
    _say(f"  scf audit {chain_args}")
    kept = f"the chain is kept in {db}" if db else "the chain is lost (use --db DIR to keep it)"
    _say(f"Ctrl-C or SIGTERM stops the node; {kept}")


def _wait(w3: Any, stop: threading.Event) -> int:
    """Blocks until a signal; EXIT_CHAIN when the node stops answering first."""
    try:
        while not stop.wait(HEALTH_CHECK_S):
            if not w3.is_connected():
                _say("scf node: the node stopped answering")
                return EXIT_CHAIN
    except _StopRequested:
        pass
    return EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `node` to the `scf` parser."""
    node = sub.add_parser(
        "node",
        help="start a local dev Ganache with the suite deployed and demo members, until Ctrl-C",
        description=NODE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    node.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    when = node.add_mutually_exclusive_group()
    when.add_argument(
        "--start-time",
        type=start_time_arg,
        default=None,
        metavar="DATE",
        help="the chain's clock at start: YYYY-MM-DD (midnight UTC) or an ISO date-time",
    )
    when.add_argument(
        "--start-at-inputs",
        nargs="+",
        default=None,
        metavar="PATH",
        help="start the clock at the earliest issue date of these invoices, and admit their "
        "parties (demo keys)",
    )
    node.add_argument(
        "--inputs",
        nargs="+",
        default=None,
        metavar="PATH",
        help="admit the parties of these invoices too (demo keys), clock unchanged",
    )
    node.add_argument(
        "--db",
        default=None,
        metavar="DIR",
        help="keep the chain in DIR; started again on the same DIR it resumes that chain",
    )
    node.add_argument(
        "--currencies",
        default="EUR",
        help="settlement tokens to deploy besides the inputs' currencies (default EUR)",
    )
    node.add_argument(
        "--credit-line",
        type=int,
        default=None,
        help="credit line of each debtor (default: the total face value it owes in the inputs)",
    )
    node.add_argument(
        "--out",
        default="deployments",
        help="folder for the manifest <chain id>.json (default deployments/ in the current "
        "directory, where the other commands look for it)",
    )
    node.set_defaults(handler=_node)
