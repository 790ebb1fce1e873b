"""`scf audit` and `scf verify`: the history of receivables and the anchoring of documents,
rebuilt from chain events alone."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scfchain.cli.common import EXIT_FAILED, EXIT_OK, UsageError, client_of, parse_id
from scfchain.records import fingerprint_hex

AUDIT_DESCRIPTION = """\
Rebuilds the history of one receivable, or of all, from the events of the registry, the escrow
and the document anchor (no local state): each event with its actor (the account that sent the
transaction, with its party-id hash and roles), amount, block, transaction and time, and each
receivable's terms and status now. Output: JSON on stdout (or --out), CSV (--csv, one row per
event) and a static HTML page (--html, a timeline per receivable; no script, no external asset).
--journal joins the source file and invoice number of an `scf issue` journal (off chain,
informative; the chain stays the source of truth). Columns and events: docs/audit-trail.md.
An id that was never registered is left out of every output, listed under "not_found" in the
JSON and named on stderr; the exit code is then 1.
"""
VERIFY_DESCRIPTION = """\
Hashes each FILE the way documents are hashed for the chain (sha256 of the bytes, and of each
record of a CSV file; keccak256 too) and looks the hashes up in DocumentAnchor and in the
registered terms of every receivable. Exit 0 when every file is anchored, 1 when one is not,
2 when a file cannot be read.
"""


def _audit(args: argparse.Namespace) -> int:
    from scfchain.audit import audit_deployment
    from scfchain.audit_export import JournalError, journal_notes, trail_json, write_csv
    from scfchain.audit_html import write_html
    from scfchain.journal import precheck

    ids = list(dict.fromkeys(parse_id(i) for i in args.ids)) if args.ids else None
    notes = {}
    if args.journal:
        try:
            notes = journal_notes(Path(args.journal))
        except JournalError as exc:
            raise UsageError(str(exc)) from None
    client = client_of(args)
    if args.journal:  # a journal of another chain or registry would attach the wrong notes
        precheck(Path(args.journal), client.chain.chain_id, client.registry.address)
    trail = audit_deployment(client.chain, client.suite, client.deployment, ids)
    trail.set_aside_unknown()
    for receivable in trail.receivables:
        receivable.notes = notes.get(receivable.id, {})
    events = sum(len(r.events) for r in trail.receivables)
    done = f"audit of {len(trail.receivables)} receivable(s), {events} event(s)"
    files = [("--out", args.out), ("--csv", args.csv), ("--html", args.html)]
    document = trail_json(trail)
    if args.out:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"{done}: {args.out}")
    if args.csv:
        rows = write_csv(trail, Path(args.csv))
        print(f"{done}: {args.csv} ({rows} rows)")
    if args.html:
        write_html(trail, Path(args.html))
        print(f"{done}: {args.html}")
    if args.json or not any(path for _, path in files):
        print(json.dumps(document, indent=2, ensure_ascii=False))
    for rid in trail.not_found:
        print(f"scf audit: receivable {fingerprint_hex(rid)} not found", file=sys.stderr)
    return EXIT_FAILED if trail.not_found else EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from scfchain.verify import DocumentIndex

    paths: list[Path] = []
    for given in map(Path, args.files):  # every path checked before the chain is asked
        if given.is_dir():
            paths += sorted(p for p in given.rglob("*") if p.is_file())
        elif given.is_file():
            paths.append(given)
        elif given.exists():
            raise UsageError(f"not a regular file or folder (a device, a socket?): {given}")
        else:
            raise UsageError(f"no such file or folder: {given}")
    if not paths:
        raise UsageError(f"no file in {', '.join(args.files)}")
    client = client_of(args)
    start = min((int(e.get("block", 0)) for e in client.deployment.contracts.values()), default=0)
    index = DocumentIndex(client.chain, client.suite, start)
    verdicts = [index.verify(path) for path in paths]
    if args.json:
        print(json.dumps([v.to_json() for v in verdicts], indent=2, ensure_ascii=False))
    else:
        print("\n".join(v.text() for v in verdicts))
    return EXIT_OK if all(v.anchored for v in verdicts) else EXIT_FAILED


# --- parser -------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `audit` and `verify` to the `scf` parser."""
    audit = sub.add_parser(
        "audit",
        parents=[common],
        help="history of each receivable from chain events: JSON, CSV, HTML",
        description=AUDIT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument(
        "ids", nargs="*", help="receivables (hex fingerprint or decimal; default: all)"
    )
    audit.add_argument("--out", default=None, help="write the JSON here instead of stdout")
    audit.add_argument("--csv", default=None, metavar="FILE", help="write one row per event here")
    audit.add_argument("--html", default=None, metavar="FILE", help="write the HTML page here")
    audit.add_argument(
        "--journal",
        default=None,
        metavar="FILE",
        help="`scf issue` journal: add source file and invoice number (off chain, informative)",
    )
    audit.set_defaults(handler=_audit)

    verify = sub.add_parser(
        "verify",
        parents=[common],
        help="is a document anchored? to which receivable, by whom, when",
        description=VERIFY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "files", nargs="+", metavar="FILE", help="documents to look up (a folder: every file in it)"
    )
    verify.set_defaults(handler=_verify)
