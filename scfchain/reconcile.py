"""Compare a bulk-issuance journal with the chain, and settle the journal from the chain.

The chain is the truth; the journal is what a run believed. For every journal entry:

- `missing_on_chain`:   the journal says confirmed, the registry has no such receivable;
- `unrecorded`:         the registry has it, the journal says planned, sent or failed;
- `duplicate`:          the registry emitted ReceivableRegistered more than once for it;
- `not_confirmed`:      the journal issued it with the debtor's signature
                        (registerAndConfirmBatch), the registry shows it still Registered;
- `block` / `transaction`: both say it is on chain, but the journal's block or transaction
                        hash is not the registration's (e.g. a replaced transaction).

`fix` updates the journal from the chain, never the chain: unrecorded receivables and wrong
blocks or hashes take the chain's values, receivables missing on chain go back to planned (the
next `scf issue` sends them). `duplicate` and `not_confirmed` cannot be settled in a journal:
they stay reported (confirm with `scf confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scfchain.bulk import MODE_CONFIRM, Registration, registrations_on_chain
from scfchain.journal import CONFIRMED, Entry, Journal
from scfchain.sdk import STATUS_NAMES, ScfClient

REGISTERED = STATUS_NAMES.index("Registered")
UNFIXABLE = frozenset({"duplicate", "not_confirmed"})


@dataclass(frozen=True)
class Difference:
    """One way a journal entry disagrees with the chain."""

    fingerprint: str
    source: str
    kind: str
    journal: str  # what the journal says
    chain: str  # what the chain says

    def to_json(self) -> dict[str, str]:
        return {
            "fingerprint": self.fingerprint,
            "source": self.source,
            "kind": self.kind,
            "journal": self.journal,
            "chain": self.chain,
        }

    def line(self) -> str:
        return f"{self.source}  [{self.kind}]  journal: {self.journal}; chain: {self.chain}"


@dataclass
class ReconcileReport:
    """The outcome of comparing one journal with the chain."""

    journal: str
    chain_id: int
    registry: str
    entries: int = 0
    confirmed_in_journal: int = 0
    on_chain: int = 0
    differences: list[Difference] = field(default_factory=list)
    fixed: int = 0

    @property
    def identical(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "journal": self.journal,
            "chain_id": self.chain_id,
            "registry": self.registry,
            "entries": self.entries,
            "confirmed_in_journal": self.confirmed_in_journal,
            "on_chain": self.on_chain,
            "identical": self.identical,
            "fixed": self.fixed,
            "differences": [d.to_json() for d in self.differences],
        }


def _journal_view(entry: Entry) -> str:
    where = f" in block {entry.block}" if entry.block is not None else ""
    tx = f", tx {entry.tx_hash}" if entry.tx_hash else ""
    return f"{entry.state}{where}{tx}"


def _chain_view(reg: Registration | None, status: int) -> str:
    if reg is None:
        return "not registered"
    return f"{STATUS_NAMES[status]}, registered in block {reg.block} by tx {reg.tx_hash}"


def _differences(entry: Entry, reg: Registration | None, status: int) -> list[Difference]:
    def diff(kind: str) -> Difference:
        return Difference(
            entry.fingerprint, entry.source, kind, _journal_view(entry), _chain_view(reg, status)
        )

    if reg is None:
        return [diff("missing_on_chain")] if entry.state == CONFIRMED else []
    found: list[Difference] = []
    if reg.count > 1:
        found.append(diff("duplicate"))
    if entry.state != CONFIRMED:
        return [*found, diff("unrecorded")]
    if entry.block is not None and entry.block != reg.block:
        found.append(diff("block"))
    if entry.tx_hash and entry.tx_hash.lower() != reg.tx_hash.lower():
        found.append(diff("transaction"))
    if entry.mode == MODE_CONFIRM and status == REGISTERED:
        found.append(diff("not_confirmed"))
    return found


def compare(client: ScfClient, journal: Journal) -> ReconcileReport:
    """Every difference between `journal` and the chain of `client` (reads only).

    Raises JournalMismatch when the journal belongs to another chain or registry."""
    journal.check_binding(client.chain.chain_id, client.registry.address)
    entries = journal.entries()
    report = ReconcileReport(
        str(journal.path), client.chain.chain_id, client.registry.address, entries=len(entries)
    )
    registrations = registrations_on_chain(client)
    ids = [int(e.fingerprint, 16) for e in entries]
    statuses = client.statuses([i for i in ids if i in registrations])
    for entry, rid in zip(entries, ids, strict=True):
        reg = registrations.get(rid)
        report.confirmed_in_journal += entry.state == CONFIRMED
        report.on_chain += reg is not None
        report.differences += _differences(entry, reg, statuses.get(rid, 0))
    return report


def fix(client: ScfClient, journal: Journal, report: ReconcileReport) -> int:
    """Settles the journal from the chain for every fixable difference of `report`; returns
    how many entries were changed. The chain is never written."""
    registrations = registrations_on_chain(client)
    found: dict[str, tuple[str, int, str]] = {}
    missing: list[str] = []
    for d in report.differences:
        if d.kind in UNFIXABLE:
            continue
        reg = registrations.get(int(d.fingerprint, 16))
        if reg is None:
            missing.append(d.fingerprint)
        else:
            found[d.fingerprint] = (d.fingerprint, reg.block, reg.tx_hash)
    journal.mark_found(list(found.values()))
    if missing:
        journal.mark_planned(missing, "not found on chain by reconcile: to be issued again")
    return len(found) + len(missing)
