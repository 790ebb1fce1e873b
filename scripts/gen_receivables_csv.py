#!/usr/bin/env python3
"""Writes an N-row receivables CSV in the project's layout, for bulk-issuance tests.

    .venv/bin/python scripts/gen_receivables_csv.py 10000 out/receivables-10000.csv

invoice_number,seller_id,seller_name,buyer_id,buyer_name,issue_date,due_date,currency,amount.
Rows are deterministic for a given --seed; sellers and buyers come from small pools (so the
parties can be admitted once), issue dates are today, due dates 30 to 120 days later (always in
the future on a chain that follows the wall clock), amounts between 100.00 and 50,000.00.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = (
    "invoice_number", "seller_id", "seller_name", "buyer_id", "buyer_name",
    "issue_date", "due_date", "currency", "amount",
)  # fmt: skip


def party(kind: str, index: int) -> tuple[str, str]:
    return (
        f"VAT:DE{700000000 + index * 17 + (0 if kind == 'S' else 5):09d}",
        f"Gen {kind}{index:03d} GmbH",
    )


def rows(count: int, sellers: int, buyers: int, seed: int, currency: str) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    out = []
    for n in range(count):
        s = n % sellers
        b = (n // sellers + s + 1) % buyers
        seller_id, seller_name = party("S", s)
        buyer_id, buyer_name = party("B", b)
        cents = rng.randint(10_000, 5_000_000)
        due = today + timedelta(days=rng.randint(30, 120))
        out.append((
            f"GEN-{seed}-{n:07d}", seller_id, seller_name, buyer_id, buyer_name,
            today.isoformat(), due.isoformat(), currency, f"{cents // 100}.{cents % 100:02d}",
        ))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="number of data rows")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--sellers", type=int, default=5)
    parser.add_argument("--buyers", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--currency", default="EUR")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(args.rows, args.sellers, args.buyers, args.seed, args.currency))
    print(f"{args.rows} rows written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
