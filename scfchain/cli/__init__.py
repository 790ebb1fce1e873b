"""The `scf` command line: one module per group of commands, each adding its own sub-parsers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scfchain.cli import actions, admin, audit, issuing, node, reconcile
from scfchain.cli.admin import read_members
from scfchain.cli.common import (
    EXIT_CHAIN,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    chain_options,
)

__all__ = [
    "EXIT_CHAIN",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "read_members",
]

EPILOG = """\
exit codes:
  0  done: every input issued / every action succeeded
  1  some inputs rejected or some receivables/actions failed (see the report)
  2  usage error: bad arguments, missing key, manifest or journal of another chain
  3  chain or RPC error: node unreachable, timeouts after retries, wrong chain id

environment:
  SCF_RPC                 JSON-RPC URL (default http://127.0.0.1:8545)
  SCF_MANIFEST            deployment manifest (default deployments/<chain id>.json in the current directory)
  SCF_KEYSTORE_PASSWORD   password of the --keystore files (else asked, on a terminal only)
  SCF_RPC_RETRIES         retries of a transient RPC fault, with backoff (default 6)
Private keys are read from keystores (--keystore) or environment variables (--key-env NAME);
they are never printed, logged or written.
"""

COMMAND_GROUPS = (admin, node, issuing, actions, audit, reconcile)


def build_parser() -> argparse.ArgumentParser:
    """The `scf` parser with every command's sub-parser."""
    parser = argparse.ArgumentParser(
        prog="scf",
        description="scfchain: supply-chain finance on an EVM chain",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = chain_options()
    for group in COMMAND_GROUPS:
        group.register(sub, common)
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
