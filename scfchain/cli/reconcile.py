"""`scf reconcile`: compare a bulk-issuance journal with the chain; `--fix` settles the journal
from the chain (never the chain from the journal)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scfchain.cli.common import EXIT_FAILED, EXIT_OK, UsageError, client_of

RECONCILE_DESCRIPTION = """\
Compares every entry of an `scf issue` journal with the registry on chain and lists each
difference: confirmed in the journal but not on chain (missing_on_chain), on chain but
planned/sent/failed in the journal (unrecorded), registered more than once (duplicate), issued
with the debtor's signature but still Registered (not_confirmed), another block or transaction
than the chain's (block, transaction). With --fix the journal is updated from the chain:
unrecorded entries become confirmed, missing ones planned again (the next `scf issue` sends
them). Exit 0 when journal and chain agree (after --fix: when they now agree), 1 otherwise.
"""


def _reconcile(args: argparse.Namespace) -> int:
    from scfchain.cli.issuing import default_journal
    from scfchain.journal import Journal
    from scfchain.reconcile import compare, fix

    client = client_of(args)
    path = Path(args.journal) if args.journal else default_journal(client.chain.chain_id)
    if not path.is_file():
        raise UsageError(f"journal {path} not found")
    with Journal(path) as journal:
        report = compare(client, journal)
        fixed = 0
        if args.fix and report.differences:
            fixed = fix(client, journal, report)
            before = report.differences
            report = compare(client, journal)
            report.fixed = fixed
            fixed_lines = [d.line() for d in before]
        else:
            fixed_lines = []
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(
            f"journal {path}: {report.entries} entries, {report.confirmed_in_journal} confirmed "
            f"in the journal, {report.on_chain} on chain (chain {report.chain_id}, registry "
            f"{report.registry})"
        )
        if fixed:
            print(f"fixed {fixed} journal entr{'y' if fixed == 1 else 'ies'} from the chain:")
            for line in fixed_lines:
                print(f"  {line}")
        for d in report.differences:
            print(f"  {d.line()}")
        print(
            "journal and chain agree"
            if report.identical
            else f"{len(report.differences)} difference(s)"
        )
    return EXIT_OK if report.identical else EXIT_FAILED


# --- parser -------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `reconcile` to the `scf` parser."""
    reconcile = sub.add_parser(
        "reconcile",
        parents=[common],
        help="compare an issue journal with the chain; --fix settles the journal from the chain",
        description=RECONCILE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reconcile.add_argument(
        "--journal",
        default=None,
        help="the SQLite journal of `scf issue` (default, as there: out/issue-<chain id>.sqlite)",
    )
    reconcile.add_argument(
        "--fix", action="store_true", help="update the journal from the chain (never the chain)"
    )
    reconcile.set_defaults(handler=_reconcile)
