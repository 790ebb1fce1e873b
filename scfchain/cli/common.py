"""Options, key loading, client connection and output shared by the `scf` commands."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scfchain.devnet import PROJECT_ROOT

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CHAIN = 0, 1, 2, 3


class UsageError(RuntimeError):
    """Bad arguments or set-up: exit code 2."""


def chain_options() -> argparse.ArgumentParser:
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


def client_of(args: argparse.Namespace):  # noqa: ANN202
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


def keyring_of(args: argparse.Namespace, parties: Sequence[Any] = ()):  # noqa: ANN202
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


def parse_id(text: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise UsageError(f"not a receivable id: {text!r} (hex fingerprint or decimal)") from None


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)


# --- demo and deploy ----------------------------------------------------------------------------
