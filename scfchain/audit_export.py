"""The audit trail as JSON and as CSV (one row per event), and the off-chain join with an
`scf issue` journal (source file and invoice number of each receivable)."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scfchain.audit import AuditEvent, AuditTrail, ReceivableTrail
from scfchain.audit_describe import describe, format_amount, utc_text
from scfchain.records import fingerprint_hex

SOURCE_NOTE = (
    "Rebuilt from chain events alone; the chain is the source of truth. Invoice numbers and "
    "source files, when shown, come from an off-chain issuance journal and are informative only."
)
CSV_COLUMNS = (
    "receivable_id", "seq", "time_utc", "timestamp", "block", "log_index", "transaction",
    "contract", "event", "action", "amount_minor", "amount", "currency", "status_after",
    "actor", "actor_party_id_hash", "actor_roles", "details", "invoice_number", "source",
)  # fmt: skip


class JournalError(RuntimeError):
    """The journal file is missing or is not an `scf issue` journal."""


def event_row(trail: AuditTrail, receivable: ReceivableTrail, event: AuditEvent) -> dict[str, Any]:
    """One event with what it means (action, amount, status after) and who sent it."""
    summary = describe(event, receivable.currency, trail.label)
    member = trail.members.get(event.actor)
    return {
        **event.to_json(),
        "time_utc": utc_text(event.timestamp),
        "action": summary.action,
        "amount": summary.amount,
        "amount_text": (
            format_amount(summary.amount, receivable.currency)
            if summary.amount is not None
            else None
        ),
        "status_after": summary.status_after,
        "details": summary.details,
        "actor_party_id_hash": member.party_id_hash if member else None,
        "actor_roles": list(member.roles) if member else [],
    }


def trail_json(trail: AuditTrail) -> dict[str, Any]:
    """The whole trail as one JSON document."""
    return {
        "chain_id": trail.chain_id,
        "registry": trail.contracts.get("ReceivableRegistry"),
        "contracts": trail.contracts,
        "block_range": {"from": trail.from_block, "to": trail.to_block},
        "generated_at": utc_text(trail.generated_at),
        "note": SOURCE_NOTE,
        "members": {
            m.address: {
                "party_id_hash": m.party_id_hash,
                "roles": list(m.roles),
                "expelled": m.expelled,
            }
            for m in sorted(trail.members.values(), key=lambda m: m.address.lower())
        },
        "receivables": [
            {
                "id": fingerprint_hex(r.id),
                "terms": r.terms.to_json(),
                "off_chain": r.notes,
                "events": [event_row(trail, r, e) for e in r.events],
            }
            for r in trail.receivables
        ],
        **({"not_found": [fingerprint_hex(i) for i in trail.not_found]} if trail.not_found else {}),
    }


def csv_rows(trail: AuditTrail) -> Iterable[dict[str, Any]]:
    for r in trail.receivables:
        for seq, e in enumerate(r.events, start=1):
            row = event_row(trail, r, e)
            yield {
                "receivable_id": fingerprint_hex(r.id), "seq": seq, "time_utc": row["time_utc"],
                "timestamp": e.timestamp, "block": e.block, "log_index": e.log_index,
                "transaction": e.transaction, "contract": e.contract, "event": e.event,
                "action": row["action"],
                "amount_minor": "" if row["amount"] is None else row["amount"],
                "amount": row["amount_text"] or "", "currency": r.currency,
                "status_after": row["status_after"] or "", "actor": e.actor,
                "actor_party_id_hash": row["actor_party_id_hash"] or "",
                "actor_roles": ";".join(row["actor_roles"]), "details": row["details"],
                "invoice_number": r.notes.get("invoice_number", ""),
                "source": r.notes.get("source", ""),
            }  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ first), quoted with
    a leading apostrophe (OWASP's CSV-injection advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(trail: AuditTrail, path: Path) -> int:
    """Writes one row per event (UTF-8, header row); returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in csv_rows(trail):
            writer.writerow({k: _inert(v) for k, v in row.items()})
            count += 1
    return count


# --- the off-chain join -------------------------------------------------------------------------


def journal_notes(path: Path) -> dict[int, dict[str, str]]:
    """Receivable id -> {"source", "issued_by", "invoice_number"} from an `scf issue` journal.

    The invoice number is read again from the source file when it is still there and its
    invoice fingerprint matches; the journal itself keeps only the source."""
    if not path.is_file():
        raise JournalError(f"journal {path} not found")
    try:
        db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT fingerprint, source, supplier FROM receivables").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{path} is not an scf issue journal: {exc}") from None
    notes = {
        int(fp, 16): {"source": source, "issued_by": supplier} for fp, source, supplier in rows
    }
    for rid, number in _invoice_numbers({n["source"] for n in notes.values()}).items():
        if rid in notes:
            notes[rid]["invoice_number"] = number
    return notes


def _invoice_numbers(sources: Iterable[str]) -> dict[int, str]:
    from scfchain.inputs import load_file

    files = {Path(s.rsplit(":", 1)[0]) if _is_row(s) else Path(s) for s in sources}
    numbers: dict[int, str] = {}
    for file in sorted(files):
        if not file.is_file():
            continue
        for record in load_file(file).records:
            numbers[int.from_bytes(record.fingerprint, "big")] = record.invoice_number
    return numbers


def _is_row(source: str) -> bool:
    head, _, tail = source.rpartition(":")
    return bool(head) and tail.isdigit()
