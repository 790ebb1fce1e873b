"""Deterministic receivables CSVs in the project's layout, for bulk issuance and its drills.

Every row has the columns of `scfchain.csvinput` (the scfchain layout)::

    invoice_number,seller_id,seller_name,buyer_id,buyer_name,issue_date,due_date,currency,amount

Rows depend only on the spec (same spec, same bytes). Sellers and buyers come from small pools
(a few dozen each) so that the parties can be admitted once; every party of the pools appears
within the first max(sellers, buyers) rows. Every row has the same issue date (default: today,
UTC) and a due date 30 to 180 days later; amounts are 100.00 to 50,000.00.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HEADER: tuple[str, ...] = (
    "invoice_number", "seller_id", "seller_name", "buyer_id", "buyer_name",
    "issue_date", "due_date", "currency", "amount",
)  # fmt: skip
DEFAULT_ROWS = 10_000
DEFAULT_SELLERS = 36
DEFAULT_BUYERS = 24
MIN_CENTS, MAX_CENTS = 10_000, 5_000_000


def today_utc() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class SampleSpec:
    """What to generate: row count, seed, party pools, issue date, due-date range, currency."""

    rows: int = DEFAULT_ROWS
    seed: int = 1
    sellers: int = DEFAULT_SELLERS
    buyers: int = DEFAULT_BUYERS
    issue_date: date = field(default_factory=today_utc)
    min_due_days: int = 30
    max_due_days: int = 180
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.rows < 0:
            raise ValueError(f"rows must be 0 or more, not {self.rows}")
        if self.sellers < 1 or self.buyers < 1:
            raise ValueError("there must be at least one seller and one buyer")
        if not 0 < self.min_due_days <= self.max_due_days:
            raise ValueError(
                f"due days must satisfy 0 < min <= max, not {self.min_due_days}..{self.max_due_days}"
            )


def party(kind: str, index: int) -> tuple[str, str]:
    """The (id, name) of seller ("S") or buyer ("B") number `index`; sellers and buyers never
    share an id."""
    offset = 0 if kind == "S" else 5
    return f"VAT:DE{700000000 + index * 17 + offset:09d}", f"Gen {kind}{index:03d} GmbH"


def generate_rows(spec: SampleSpec) -> Iterator[tuple[str, ...]]:
    """The data rows of `spec`, in order (without the header)."""
    rng = random.Random(spec.seed)
    cycle = math.lcm(spec.sellers, spec.buyers)
    for n in range(spec.rows):
        seller_id, seller_name = party("S", n % spec.sellers)
        buyer_id, buyer_name = party("B", (n + n // cycle) % spec.buyers)
        cents = rng.randint(MIN_CENTS, MAX_CENTS)
        due = spec.issue_date + timedelta(days=rng.randint(spec.min_due_days, spec.max_due_days))
        yield (
            f"GEN-{spec.seed}-{n:07d}", seller_id, seller_name, buyer_id, buyer_name,
            spec.issue_date.isoformat(), due.isoformat(), spec.currency,
            f"{cents // 100}.{cents % 100:02d}",
        )  # fmt: skip


def write_csv(path: Path, spec: SampleSpec) -> Path:
    """Writes the header and the rows of `spec` to `path` (UTF-8, parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(generate_rows(spec))
    return path
