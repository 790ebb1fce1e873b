"""Normalised business records read from e-invoices and CSV exports.

Everything the chain sees is derived from these records: the invoice fingerprint,
the document hash and the amounts in integer minor units. Names and identifiers of
parties stay off chain; only their hashes are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from eth_utils import keccak

FINGERPRINT_DOMAIN = "scfchain-invoice-v1"
SECONDS_PER_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# The due dates read (docs/input-formats.md, "Due dates"): not before the issue date, at most
# MAX_DUE_YEARS after it (a due date centuries away is a typo or a "no due date" placeholder
# such as 9999-12-31), and not after LATEST_DUE_DATE. The registry's uint40 dueDate would hold
# dates up to the year 36812, but Python's dates end at 9999-12-31 and the tooling turns on-chain
# times past a due date (grace period, redemption) back into dates: the year 9999 is left free.
MAX_DUE_YEARS = 100
LATEST_DUE_DATE = date(9998, 12, 31)


@dataclass(frozen=True)
class Party:
    """A trading party, identified by a normalised key such as ``VAT:DE123456789``."""

    key: str
    name: str

    @property
    def id_hash(self) -> bytes:
        """keccak256 of the party key: what the member registry stores on chain."""
        return keccak(text=self.key)


@dataclass(frozen=True)
class ReceivableRecord:
    """One receivable ready to be registered on chain."""

    source: str  # "path/to/file.xml" or "path/to/file.csv:ROW"
    syntax: str  # "UBL", "CII" or "CSV"
    invoice_number: str
    document_type: str  # UNTDID 1001 code, e.g. "380"
    seller: Party
    buyer: Party
    issue_date: date
    due_date: date
    currency: str  # ISO 4217 alphabetic code
    amount_minor: int  # payable amount in the currency's minor units (> 0)
    document_hash: bytes  # sha256 of the source document (or of the CSV row)
    payee: Party | None = None  # a factor named on the invoice, when it differs from the seller

    @property
    def due_timestamp(self) -> int:
        """The receivable is due at the end of its due date: 23:59:59 UTC, in unix seconds."""
        return day_timestamp(self.due_date) + SECONDS_PER_DAY - 1

    @property
    def fingerprint(self) -> bytes:
        """keccak256 of the invoice's identity: the seller's key and its invoice number.

        An invoice number is unique per seller, so the same invoice read from two
        syntaxes (UBL and CII), or edited in any other field, keeps its fingerprint and
        cannot be registered (and so financed) twice.
        """
        return fingerprint(self.seller.key, self.invoice_number)


def day_timestamp(day: date) -> int:
    """Unix seconds at 00:00 UTC of ``day``, by day count: no datetime arithmetic, so no
    overflow, even for 9999-12-31."""
    return (day.toordinal() - _EPOCH_ORDINAL) * SECONDS_PER_DAY


def years_after(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February: the 28th), at most date.max."""
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def due_date_problem(issue: date, due: date) -> str | None:
    """Why a due date is not accepted for an invoice issued on ``issue``, or None.

    Not before the issue date, at most MAX_DUE_YEARS after it, and not after LATEST_DUE_DATE.
    """
    if due < issue:
        return f"due date {due.isoformat()} is before the issue date {issue.isoformat()}"
    if due > years_after(issue, MAX_DUE_YEARS):
        return (
            f"due date {due.isoformat()} is more than {MAX_DUE_YEARS} years after the issue "
            f"date {issue.isoformat()}: a typo, or a placeholder for no due date?"
        )
    if due > LATEST_DUE_DATE:
        return (
            f"due date {due.isoformat()} is after {LATEST_DUE_DATE.isoformat()}, "
            "the latest due date read"
        )
    return None


def fingerprint(seller_key: str, invoice_number: str) -> bytes:
    """The invoice fingerprint: keccak256("scfchain-invoice-v1|<seller key>|<invoice number>")."""
    canonical = f"{FINGERPRINT_DOMAIN}|{seller_key}|{' '.join(invoice_number.split())}"
    return keccak(text=canonical)


@dataclass(frozen=True)
class Rejection:
    """An input that will not be issued, and why: file, row and field are named."""

    source: str  # file, or "file:ROW" for CSV rows
    reason: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.source} [{self.field}]" if self.field else self.source
        return f"{where}: {self.reason}"


@dataclass
class LoadResult:
    """Everything read from a set of inputs: what will be issued and what will not."""

    records: list[ReceivableRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def fingerprint_hex(receivable_id: int) -> str:
    """A receivable id as its 32-byte fingerprint in hex ("0x" and 64 digits, leading zeros
    kept), the form `scf issue`, the journal and `scf status` print."""
    return "0x" + receivable_id.to_bytes(32, "big").hex()
