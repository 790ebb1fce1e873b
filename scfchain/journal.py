"""A crash-safe journal of a bulk issuance, in SQLite (stdlib sqlite3, WAL, synchronous=FULL).

One row per receivable (by fingerprint) moves planned -> sent (tx hash, sender, nonce) ->
confirmed (block), or -> failed (reason). A row is marked sent, and the commit is fsynced,
*before* its transaction is broadcast: a run killed at any point leaves either a planned row
(nothing went out) or a sent row whose transaction hash can be looked up. `bulk.reconcile`
settles those against the chain on the next run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PLANNED, SENT, CONFIRMED, FAILED = "planned", "sent", "confirmed", "failed"
STATES = (PLANNED, SENT, CONFIRMED, FAILED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS receivables (
    fingerprint TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    supplier TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'sent', 'confirmed', 'failed')),
    mode TEXT,
    tx_hash TEXT,
    sender TEXT,
    nonce INTEGER,
    block INTEGER,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS receivables_state ON receivables (state);
CREATE INDEX IF NOT EXISTS receivables_tx ON receivables (tx_hash);
"""


class JournalMismatch(RuntimeError):
    """The journal belongs to another chain or registry."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    source: str
    supplier: str
    state: str
    mode: str | None
    tx_hash: str | None
    sender: str | None
    nonce: int | None
    block: int | None
    reason: str | None
    attempts: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


JOURNAL_TABLES = frozenset({"meta", "receivables"})


def precheck(path: Path, chain_id: int, registry: str) -> None:
    """Before any work is done: a file already at `path` must be an `scf issue` journal of
    this chain and registry (or an empty file). Reads only; a missing file is fine.

    Raises sqlite3.DatabaseError for a file that is not SQLite, JournalMismatch for a SQLite
    file of something else or a journal of another chain or registry."""
    path = Path(path)
    if not path.is_file():
        return
    db = sqlite3.connect(path)
    try:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and not JOURNAL_TABLES.issubset(tables):
            raise JournalMismatch(
                f"{path} is a SQLite file but not an `scf issue` journal (tables: "
                f"{', '.join(sorted(tables))}): use another --journal"
            )
        have = dict(db.execute("SELECT key, value FROM meta").fetchall()) if tables else {}
    finally:
        db.close()
    _require_binding(path, have, _binding_of(chain_id, registry))


def _binding_of(chain_id: int, registry: str) -> dict[str, str]:
    """What a journal of this chain and registry keeps in its meta table."""
    return {"chain_id": str(chain_id), "registry": registry.lower()}


def _require_binding(path: Path, have: dict[str, str], want: dict[str, str]) -> None:
    """Raises JournalMismatch when the binding `have` (empty: unbound) is not `want`."""
    for key, value in want.items():
        if key in have and have[key] != value:
            raise JournalMismatch(
                f"journal {path} is for {key} {have[key]}, not {value}: use another --journal"
            )


class Journal:
    """The journal file; every method commits before it returns."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self, sql: str, rows: Iterable[tuple]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(sql, rows)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- binding to one deployment -----------------------------------------------------------

    def bind(self, chain_id: int, registry: str) -> None:
        """Binds a new journal to a chain and registry; refuses a journal of another one."""
        want = _binding_of(chain_id, registry)
        _require_binding(self.path, self.binding(), want)
        self._tx("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", want.items())

    def binding(self) -> dict[str, str]:
        """The chain id and registry the journal was bound to (empty for a new journal)."""
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def check_binding(self, chain_id: int, registry: str) -> None:
        """Raises JournalMismatch when the journal was bound to another chain or registry
        (reads only: a new journal stays unbound)."""
        _require_binding(self.path, self.binding(), _binding_of(chain_id, registry))

    # --- transitions -----------------------------------------------------------------------

    def plan(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """Adds (fingerprint, source, supplier) rows not yet in the journal; returns how many."""
        before = self.count()
        now = _now()
        self._tx(
            "INSERT OR IGNORE INTO receivables (fingerprint, source, supplier, state, updated_at)"
            " VALUES (?, ?, ?, 'planned', ?)",
            ((f, s, sup, now) for f, s, sup in rows),
        )
        return self.count() - before

    def mark_sent(
        self, fingerprints: list[str], tx_hash: str, sender: str, nonce: int, mode: str
    ) -> None:
        now = _now()
        self._tx(
            "UPDATE receivables SET state='sent', tx_hash=?, sender=?, nonce=?, mode=?,"
            " reason=NULL, attempts=attempts+1, updated_at=? WHERE fingerprint=?",
            ((tx_hash, sender, nonce, mode, now, f) for f in fingerprints),
        )

    def mark_confirmed(
        self, fingerprints: list[str], block: int | None, tx_hash: str | None = None
    ) -> None:
        now = _now()
        self._tx(
            "UPDATE receivables SET state='confirmed', block=?, tx_hash=COALESCE(?, tx_hash),"
            " reason=NULL, updated_at=? WHERE fingerprint=?",
            ((block, tx_hash, now, f) for f in fingerprints),
        )

    def mark_confirmed_each(self, found: list[tuple[str, int | None]]) -> None:
        """Marks many receivables confirmed, each in its own block, in one commit."""
        now = _now()
        self._tx(
            "UPDATE receivables SET state='confirmed', block=?, reason=NULL, updated_at=?"
            " WHERE fingerprint=?",
            ((block, now, fp) for fp, block in found),
        )

    def mark_found(self, found: list[tuple[str, int, str]]) -> None:
        """Marks receivables confirmed from what the chain shows: (fingerprint, block of the
        registration, hash of the registering transaction), in one commit."""
        now = _now()
        self._tx(
            "UPDATE receivables SET state='confirmed', block=?, tx_hash=?, reason=NULL,"
            " updated_at=? WHERE fingerprint=?",
            ((block, tx_hash, now, fp) for fp, block, tx_hash in found),
        )

    def mark_planned(self, fingerprints: list[str], reason: str | None = None) -> None:
        now = _now()
        self._tx(
            "UPDATE receivables SET state='planned', reason=?, updated_at=? WHERE fingerprint=?",
            ((reason, now, f) for f in fingerprints),
        )

    def mark_failed(self, fingerprint: str, reason: str) -> None:
        self._tx(
            "UPDATE receivables SET state='failed', reason=?, updated_at=? WHERE fingerprint=?",
            [(reason, _now(), fingerprint)],
        )

    # --- queries ---------------------------------------------------------------------------

    def entries(self, state: str | None = None) -> list[Entry]:
        sql = "SELECT fingerprint, source, supplier, state, mode, tx_hash, sender, nonce, block, reason, attempts FROM receivables"
        rows = (
            self.db.execute(sql + " WHERE state=? ORDER BY rowid", (state,))
            if state
            else self.db.execute(sql + " ORDER BY rowid")
        )
        return [Entry(*row) for row in rows.fetchall()]

    def get(self, fingerprint: str) -> Entry | None:
        found = [e for e in self.entries() if e.fingerprint == fingerprint]
        return found[0] if found else None

    def count(self, state: str | None = None) -> int:
        if state is None:
            return int(self.db.execute("SELECT COUNT(*) FROM receivables").fetchone()[0])
        return int(
            self.db.execute("SELECT COUNT(*) FROM receivables WHERE state=?", (state,)).fetchone()[
                0
            ]
        )

    def counts(self) -> dict[str, int]:
        return {state: self.count(state) for state in STATES}
