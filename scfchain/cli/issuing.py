"""`scf issue`: validate, then issue receivables in bulk with a crash-safe journal."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from scfchain.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    client_of,
    keyring_of,
    positive_int,
)

ISSUE_DESCRIPTION = """\
First a validation report of every input (file, row, field, reason), including chain checks
(seller and buyer admitted with their roles, the seller's key held, due date in the future).
Then the receivables go out in batches, sent by each seller's account: with the buyer's key
too, registerAndConfirmBatch with the buyer's EIP-712 signature (registered and confirmed);
without it, registerBatch (registered; the buyer confirms later with `scf confirm`).
Every batch is journalled (SQLite, --journal) before it is broadcast: after a crash, run the
same command again; nothing is issued twice and nothing is left out.
Each receivable issued is listed with its input (file:row), invoice number and receivable id
(the hex fingerprint that `scf status`, `confirm`, `finance`, ... take); with --json, in
"receivables" (for a dry run, the ones ready to issue, with "issued": null).
"""


def receivables_of(items: list[Any], issued: set[str] | None) -> list[dict[str, Any]]:
    """Each planned item as {source, invoice_number, id, already_on_chain, issued}; `issued`:
    the fingerprints on chain (None in a dry run)."""
    return [
        {
            "source": item.record.source,
            "invoice_number": item.record.invoice_number,
            "id": item.fingerprint,
            "already_on_chain": item.on_chain,
            "issued": None if issued is None else item.fingerprint in issued,
        }
        for item in items
    ]


def _print_receivables(receivables: list[dict[str, Any]], label: str) -> None:
    for r in receivables:
        if r["issued"] is not False:
            note = "  (already on chain)" if r["already_on_chain"] else ""
            print(f"  {label}  {r['source']}  {r['invoice_number']}  {r['id']}{note}")


def default_journal(chain_id: int) -> Path:
    """out/issue-<chain id>.sqlite in the current directory."""
    return Path("out") / f"issue-{chain_id}.sqlite"


def _issue(args: argparse.Namespace) -> int:
    from scfchain.bulk import issue, validate
    from scfchain.inputs import load_inputs
    from scfchain.journal import CONFIRMED, Journal, precheck

    loaded = load_inputs([Path(p) for p in args.inputs])
    if not loaded.records and not loaded.rejections:
        raise UsageError(f"no invoice file (UBL, CII or CSV) in {', '.join(args.inputs)}")
    parties = {p.key: p for r in loaded.records for p in (r.seller, r.buyer)}
    ring = keyring_of(args, list(parties.values()))  # keys first: a usage error before any RPC
    client = client_of(args)
    journal_path = Path(args.journal) if args.journal else default_journal(client.chain.chain_id)
    if not args.dry_run:  # a journal that cannot be used is refused before the report
        precheck(journal_path, client.chain.chain_id, client.registry.address)
    plan = validate(client, loaded, ring)
    report = [row.to_json() for row in plan.report]
    if not args.json:
        print(
            f"{len(loaded.records) + len(loaded.rejections)} input(s): {len(plan.items)} ready to "
            f"issue ({sum(i.on_chain for i in plan.items)} already on chain), "
            f"{len(plan.report)} rejected"
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
        summary["receivables"] = receivables_of(plan.items, None)
        if not args.json:
            why = "dry run" if args.dry_run else "--all-or-nothing: inputs were rejected"
            if args.dry_run:
                _print_receivables(summary["receivables"], "ready")
            print(f"nothing sent ({why})")
        else:
            print(json.dumps(summary, indent=2, ensure_ascii=False))
        return EXIT_FAILED if plan.report else EXIT_OK
    from tqdm import tqdm

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
        on_chain = {e.fingerprint for e in journal.entries(CONFIRMED)}
    summary["issued"] = result.to_json()
    summary["receivables"] = receivables_of(plan.items, on_chain)
    summary["journal"] = {"path": str(journal_path), **counts}
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(
            f"{result.confirmed} of {len(plan.items)} on chain ({result.sent_now} sent now in "
            f"{result.transactions} transaction(s), {result.already_on_chain} on "
            f"chain before this run); "
            f"journal {journal_path}"
        )
        _print_receivables(summary["receivables"], "issued")
        for source, reason in result.failed:
            print(f"  not issued: {source}: {reason}")
    return EXIT_FAILED if plan.report or result.failed else EXIT_OK


# --- single-receivable actions --------------------------------------------------------------------


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `issue` to the `scf` parser."""
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
        help="SQLite journal (default out/issue-<chain id>.sqlite in the current directory); "
        "rerun with the same journal after a crash",
    )
    issue.add_argument(
        "--batch-size",
        type=positive_int,
        default=50,
        help=(
            "most receivables per transaction (default 50); lowered automatically so that"
            " each transaction fits 90%% of the block gas limit"
        ),
    )
    issue.add_argument(
        "--window",
        type=positive_int,
        default=16,
        help="most transactions in flight per sender (default 16)",
    )
    issue.add_argument(
        "--dry-run", action="store_true", help="validation report only, send nothing"
    )
    issue.add_argument(
        "--all-or-nothing", action="store_true", help="send nothing if any input is rejected"
    )
    issue.set_defaults(handler=_issue)
