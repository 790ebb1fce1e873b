"""Normalised business records read from e-invoices and CSV exports.

Everything the chain sees is derived from these records: the invoice fingerprint,
the document hash and the amounts in integer minor units. Names and identifiers of
parties stay off chain; only their hashes are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from eth_utils import keccak

FINGERPRINT_DOMAIN = "scfchain-invoice-v1"


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
        next_day = datetime.combine(self.due_date, time(0), tzinfo=UTC) + timedelta(days=1)
        return int(next_day.timestamp()) - 1

    @property
    def fingerprint(self) -> bytes:
        """keccak256 of the invoice's identity: the seller's key and its invoice number.

        An invoice number is unique per seller, so the same invoice read from two
        syntaxes (UBL and CII), or edited in any other field, keeps its fingerprint and
        cannot be registered (and so financed) twice.
        """
        return fingerprint(self.seller.key, self.invoice_number)


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
