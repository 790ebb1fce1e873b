"""`scf audit`: the history of receivables, rebuilt from chain events alone."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scfchain.cli.common import EXIT_OK, client_of, parse_id


def _audit(args: argparse.Namespace) -> int:
    client = client_of(args)
    history = client.history()
    assert isinstance(history, dict)
    ids = [parse_id(i) for i in args.ids] if args.ids else sorted(history)
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


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `audit` to the `scf` parser."""
    audit = sub.add_parser(
        "audit", parents=[common], help="JSON of the events of each receivable, from the chain"
    )
    audit.add_argument("ids", nargs="*", help="receivables (default: all)")
    audit.add_argument("--out", default=None, help="write the JSON here instead of stdout")
    audit.set_defaults(handler=_audit)
