"""The `scf` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scfchain.devnet import PROJECT_ROOT

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _demo(args: argparse.Namespace) -> int:
    from scfchain.demo import run_demo

    return run_demo([Path(p) for p in args.inputs], Path(args.out))


def _deploy(args: argparse.Namespace) -> int:
    import os

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scf", description="scfchain: supply-chain finance on an EVM chain"
    )
    sub = parser.add_subparsers(dest="command", required=True)
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
    deploy.add_argument("--rpc", default="http://127.0.0.1:8545", help="JSON-RPC URL of the node")
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
        "--out", default=str(PROJECT_ROOT / "deployments"), help="folder for the manifest"
    )
    deploy.set_defaults(handler=_deploy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
