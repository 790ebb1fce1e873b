"""Options, key loading, client connection and output shared by the `scf` commands."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CHAIN = 0, 1, 2, 3


DEV_CHAIN_IDS = (1337, 31337)  # Ganache's and Anvil's defaults: the only chains --dev-keys serves


def non_negative_int(text: str) -> int:
    """argparse type of wei or a block count: a whole number, 0 or more."""
    if not text.strip().isascii() or not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (0 or more)")
    return int(text)


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """argparse type of a whole number from `low` to `high` (the field's range on chain)."""

    def parse(text: str) -> int:
        if not text.strip().isascii() or not text.strip().lstrip("-").isdigit():
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        if not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low}..{high}")
        return int(text)

    return parse


def positive_int(text: str) -> int:
    """argparse type of a count: a whole number of at least 1."""
    if not text.strip().isascii() or not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


port_number = bounded_int(1, 65_535)  # argparse type of a TCP port


class UsageError(RuntimeError):
    """Bad arguments or set-up: exit code 2."""


def rpc_url(text: str) -> str:
    """argparse type of --rpc: an http(s) URL (a bare host:port is a usage error, exit 2)."""
    from scfchain.sdk import check_rpc_url

    try:
        return check_rpc_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def checked_address(text: str) -> str | None:
    """`text` as a checksum address, or None when it is not 0x and 40 hex digits or, in mixed
    case, fails its EIP-55 checksum (all lower or all upper case carries no checksum)."""
    from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

    text = text.strip()
    if not is_hex_address(text):
        return None
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(text):
        return None
    return to_checksum_address(text)


def default_manifest(chain_id: int) -> Path:
    """deployments/<chain id>.json in the current directory (where `scf deploy` writes it)."""
    return Path("deployments") / f"{chain_id}.json"


def add_transaction_options(group: Any) -> None:
    """--poa, --legacy and --gas-price: how transactions are built for the node (shared by
    `scf deploy` and the commands that take the chain options)."""
    group.add_argument(
        "--poa",
        action="store_true",
        help="proof-of-authority chain (Besu QBFT/IBFT, GoQuorum, Clique): POA middleware",
    )
    group.add_argument("--legacy", action="store_true", help="send legacy (type 0) transactions")
    group.add_argument(
        "--gas-price",
        type=non_negative_int,
        default=None,
        help="legacy gas price in wei (0 on free-gas chains)",
    )


def chain_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("chain")
    g.add_argument(
        "--rpc",
        type=rpc_url,
        default=os.environ.get("SCF_RPC") or "http://127.0.0.1:8545",
        help="JSON-RPC URL, http:// or https:// (default $SCF_RPC, else http://127.0.0.1:8545)",
    )
    g.add_argument(
        "--manifest",
        default=os.environ.get("SCF_MANIFEST") or None,  # set but empty: unset
        help="deployment manifest (default $SCF_MANIFEST, else deployments/<chain id>.json in "
        "the current directory)",
    )
    g.add_argument(
        "--chain-id", type=int, default=None, help="refuse to run unless the node has this chain id"
    )
    add_transaction_options(g)
    g.add_argument(
        "--priority-fee",
        type=non_negative_int,
        default=0,
        help="EIP-1559 priority fee in wei (default 0)",
    )
    g.add_argument(
        "--confirmations",
        type=non_negative_int,
        default=0,
        help="blocks to wait on top of each transaction",
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
        default=None,
        metavar="NAME",
        help="environment variable with the keystore password; it must be set (default "
        "SCF_KEYSTORE_PASSWORD; when that is unset the password is asked, on a terminal only)",
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
        help="LOCAL DEV CHAIN ONLY: the dev operator key, the demo financier's key and the "
        "deterministic demo keys of the parties of the invoices at hand (`issue` inputs, "
        "`members --from-inputs`, --parties-from)",
    )
    k.add_argument(
        "--parties-from",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="with --dev-keys: also the demo keys of every seller and buyer of the invoices in "
        "this file or folder (repeatable); confirm, finance, repay and redeem then find the key "
        "of a receivable's supplier, debtor or holder by its address",
    )
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    return p


def client_of(args: argparse.Namespace):  # noqa: ANN202
    """An ScfClient on --rpc with --manifest (default: deployments/<chain id>.json here)."""
    from scfchain.chain import FeePolicy, with_retries
    from scfchain.sdk import ManifestError, ScfClient, make_web3

    w3 = make_web3(args.rpc, poa=args.poa)
    manifest = args.manifest
    if manifest is None:
        chain_id = int(with_retries(lambda: w3.eth.chain_id, f"eth_chainId on {args.rpc}"))
        refuse_dev_keys_off_dev_chains(args, chain_id)
        manifest = str(default_manifest(chain_id))
        if not Path(manifest).exists():
            raise UsageError(
                f"manifest {manifest} not found in {Path.cwd()}: pass --manifest (or set "
                "SCF_MANIFEST) or run `scf deploy` here"
            )
    fees = FeePolicy(priority_fee=args.priority_fee, gas_price=args.gas_price, legacy=args.legacy)
    try:
        client = ScfClient.connect(
            args.rpc, manifest, fees=fees, confirmations=args.confirmations, poa=args.poa,
            chain_id=args.chain_id, w3=w3,
        )  # fmt: skip
    except ManifestError as exc:
        raise UsageError(str(exc)) from None
    refuse_dev_keys_off_dev_chains(args, client.chain.chain_id)
    if not client.w3.eth.get_code(client.registry.address):
        raise UsageError(
            f"{manifest}: no contract at its ReceivableRegistry address "
            f"{client.registry.address} on this node (wrong --manifest or --rpc?)"
        )
    problems = client.suite_problems()
    if problems:
        raise UsageError(
            f"{manifest}: its contracts do not belong together on this node (wrong --manifest "
            f"or --rpc?): {'; '.join(problems)}"
        )
    return client


def refuse_dev_keys_off_dev_chains(
    args: argparse.Namespace, chain_id: int, flag: str = "--dev-keys"
) -> None:
    """A UsageError when dev keys (public, derived) are asked for on a chain that is not a
    local dev chain."""
    wanted = getattr(args, "dev_keys", False) or getattr(args, "dev_key", False)
    if wanted and chain_id not in DEV_CHAIN_IDS:
        raise UsageError(
            f"{flag} uses keys anyone can derive: it is refused on chain {chain_id}; "
            f"local dev chains only (chain id {' or '.join(map(str, DEV_CHAIN_IDS))})"
        )


def parties_of(paths: Sequence[Path]) -> list[Any]:
    """The sellers and buyers of the invoices in `paths` (files or folders); a UsageError
    naming a path that does not exist or holds no invoice."""
    from scfchain.inputs import load_inputs

    parties: dict[str, Any] = {}
    for path in paths:
        if not Path(path).exists():
            raise UsageError(f"--parties-from {path}: no such file or folder")
        records = load_inputs([Path(path)]).records
        if not records:
            raise UsageError(f"--parties-from {path}: no invoice with a seller and buyer in it")
        for r in records:
            parties.setdefault(r.seller.key, r.seller)
            parties.setdefault(r.buyer.key, r.buyer)
    return list(parties.values())


def keyring_of(args: argparse.Namespace, parties: Sequence[Any] = ()):  # noqa: ANN202
    """The keys given: --keystore, --key-env and, with --dev-keys, the dev operator key and the
    demo keys of the demo financier, of `parties` and of the parties of --parties-from."""
    from scfchain.keys import DEFAULT_PASSWORD_ENV, Keyring, Signer

    parties_from = getattr(args, "parties_from", [])
    password_env = getattr(args, "password_env", None)
    if parties_from and not args.dev_keys:
        raise UsageError("--parties-from loads demo keys: it needs --dev-keys (local dev chains)")
    ring = Keyring.load(
        args.keystore,
        args.key_env,
        password_env or DEFAULT_PASSWORD_ENV,
        password_env_required=password_env is not None,
    )
    if args.dev_keys:
        from scfchain.chain import account_from_key
        from scfchain.demo import FINANCIER, SUB_SUPPLIER, demo_key
        from scfchain.devnet import dev_private_keys

        ring.add(Signer(account_from_key(dev_private_keys(1)[0]), "dev operator"))
        for party in [*parties, *parties_of(parties_from), FINANCIER, SUB_SUPPLIER]:
            ring.add(Signer(account_from_key(demo_key(party)), f"demo key of {party.key}"))
    return ring


def missing_key(args: argparse.Namespace, role: str, address: str) -> UsageError:
    """The error for a signer that is not in the keyring, with what to pass."""
    hint = "pass its --keystore or --key-env"
    if getattr(args, "dev_keys", False):
        hint += ", or --parties-from the invoices it is a party to (demo keys)"
    return UsageError(f"no key for the {role} {address}: {hint}")


def parse_id(text: str) -> int:
    """A receivable id: 0x-prefixed hex (the fingerprint) or decimal, in uint256."""
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise UsageError(f"not a receivable id: {text!r} (hex fingerprint or decimal)") from None
    if not 0 <= value < 2**256:
        raise UsageError(f"not a receivable id: {text!r} (out of the uint256 range)")
    return value


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)


# --- demo and deploy ----------------------------------------------------------------------------
