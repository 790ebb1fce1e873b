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
from scfchain.cli.output import pipe_safe_stdout

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
  2  usage error: bad arguments, missing key or file, a journal of another chain, a manifest
     whose addresses hold no suite contract, --dev-keys on a chain that is not a local dev chain
  3  chain or RPC error: node unreachable, timeouts after retries, a node whose chain id is
     not the manifest's (or --chain-id's)
  130 interrupted (Ctrl-C): run the same command again to go on

environment:
  SCF_RPC                 JSON-RPC URL (default http://127.0.0.1:8545)
  SCF_MANIFEST            deployment manifest (default deployments/<chain id>.json in the current directory)
  SCF_KEYSTORE_PASSWORD   password of the --keystore files (else asked, on a terminal only)
  SCF_RPC_RETRIES         retries of a transient RPC fault, with backoff (default 6)
Private keys are read from keystores (--keystore) or environment variables (--key-env NAME);
they are never printed, logged or written.
"""

EXIT_INTERRUPTED = 130

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
    import sqlite3

    import requests
    from web3.exceptions import (
        BadFunctionCallOutput,
        ContractLogicError,
        Web3RPCError,
        Web3ValidationError,
    )

    from scfchain.artifacts import ArtifactError
    from scfchain.chain import RetrySettingError, TransactionError, default_retries, rpc_message
    from scfchain.journal import JournalMismatch
    from scfchain.keys import KeyLoadError
    from scfchain.noncepool import RpcUnavailable
    from scfchain.sdk import ChainMismatch

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    empty = next((i for i, a in enumerate(argv) if _is_empty(a)), None)
    if empty is not None:  # "" is never a path, an id or a value: it is an unset variable
        given = argv[empty]
        where = f" ({given})" if given.strip() else (f" after {argv[empty - 1]}" if empty else "")
        parser.error(f"argument {empty + 1}{where} is empty (an unset shell variable?)")
    try:
        default_retries()
    except RetrySettingError as exc:
        parser.error(str(exc))
    args = parser.parse_args(argv)
    restore = pipe_safe_stdout()
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(f"scf {args.command}: interrupted; run it again to go on", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # an output file (--csv /dev/stdout) whose reader has gone
        print(f"scf {args.command}: output closed early (broken pipe): incomplete", file=sys.stderr)
        return EXIT_FAILED
    except (UsageError, KeyLoadError, JournalMismatch, ArtifactError) as exc:
        print(f"scf {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (requests.exceptions.InvalidURL, Web3ValidationError) as exc:
        print(f"scf {args.command}: {type(exc).__name__}: {_first_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:
        print(
            f"scf {args.command}: the journal is not a usable SQLite file: {exc}", file=sys.stderr
        )
        return EXIT_USAGE
    except BadFunctionCallOutput as exc:
        print(
            f"scf {args.command}: no suite contract answers at the manifest's address on this "
            f"node (wrong --manifest or --rpc?): {_first_line(exc)}",
            file=sys.stderr,
        )
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
    except (Web3RPCError, ContractLogicError) as exc:
        message = rpc_message(exc)
        if isinstance(exc, ContractLogicError) or "revert" in message.lower():
            # a read the SDK does not expect to fail: most often a manifest of another suite
            print(
                f"scf {args.command}: a contract call reverted: {message} (does --manifest "
                f"name this suite's contracts on this node?)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        # the node refused a request: insufficient funds, a nonce, a fee below its minimum, ...
        print(f"scf {args.command}: the node refused: {message}", file=sys.stderr)
        return EXIT_CHAIN
    except OSError as exc:  # an output file that cannot be written, an input that cannot be read
        print(f"scf {args.command}: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        restore()


def _is_empty(argument: str) -> bool:
    """An empty argument: `""`, or an option given as `--name=` with nothing after the `=`."""
    if argument.startswith("--") and "=" in argument:
        return not argument.split("=", 1)[1].strip()
    return not argument.strip()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
