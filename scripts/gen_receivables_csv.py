#!/usr/bin/env python3
"""Writes an N-row receivables CSV in the project's layout, for bulk issuance (scfchain.samplegen).

    .venv/bin/python scripts/gen_receivables_csv.py                  # 10,000 rows to out/receivables-10000.csv
    .venv/bin/python scripts/gen_receivables_csv.py 2000 out/r.csv --seed 7 --issue-date 2026-01-15

Same arguments, same file. A few dozen sellers and buyers; due dates 30 to 180 days after the
issue date (default: today, UTC); EUR unless --currency.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from scfchain.samplegen import DEFAULT_BUYERS, DEFAULT_ROWS, DEFAULT_SELLERS, SampleSpec, write_csv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "rows",
        type=int,
        nargs="?",
        default=DEFAULT_ROWS,
        help=f"data rows (default {DEFAULT_ROWS})",
    )
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        default=None,
        help="CSV to write (default out/receivables-N.csv)",
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same rows (default 1)")
    parser.add_argument("--sellers", type=int, default=DEFAULT_SELLERS)
    parser.add_argument("--buyers", type=int, default=DEFAULT_BUYERS)
    parser.add_argument(
        "--issue-date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
    )
    parser.add_argument("--currency", default="EUR")
    args = parser.parse_args(argv)
    spec_args = {} if args.issue_date is None else {"issue_date": args.issue_date}
    try:
        spec = SampleSpec(
            rows=args.rows, seed=args.seed, sellers=args.sellers, buyers=args.buyers,
            currency=args.currency.upper(), **spec_args,
        )  # fmt: skip
    except ValueError as exc:
        parser.error(str(exc))
    out = args.out or PROJECT_ROOT / "out" / f"receivables-{args.rows}.csv"
    write_csv(out, spec)
    print(f"{spec.rows} rows written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
