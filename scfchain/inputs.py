"""Load every input file given (files and folders) into records and rejections.

Every file is accounted for: an e-invoice (``.xml``, any case) or a CSV export
(``.csv``, any case) gives records and/or rejections, and any other file is listed as
a rejection (``not an invoice file (.md)``), never silently dropped. Folders are walked
recursively in sorted order, so the outcome is deterministic.

A file named more than once (twice, or itself and its folder) is read once, at its
first mention. The same invoice may still arrive twice (the same file copied, or the
same invoice in UBL and CII). Records are de-duplicated by their fingerprint (seller key
and invoice number): the first occurrence is kept, later ones become rejections naming
it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from scfchain.csvinput import parse_csv
from scfchain.einvoice import parse_einvoice
from scfchain.records import LoadResult, ReceivableRecord, Rejection
from scfchain.texttable import render

EINVOICE_SUFFIXES = frozenset({".xml"})
CSV_SUFFIXES = frozenset({".csv"})


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named by ``paths``, folders expanded recursively in sorted order.

    Paths that do not exist are yielded as they are, so that they are reported.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if not p.is_dir())
        else:
            yield path


def unique_files(files: Iterable[Path]) -> Iterator[Path]:
    """``files`` without repeats, in the order of their first mention, as first named.

    Two names are the same file when they resolve to the same path (``a.csv``, ``./a.csv``,
    ``dir/../a.csv``, a symbolic link to it), so a file named twice, or named and also
    reached through its folder, is not read twice: its records would otherwise all be
    rejected as duplicates of themselves.
    """
    seen: set[Path] = set()
    for path in files:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop: compared as named
            key = path.absolute()
        if key not in seen:
            seen.add(key)
            yield path


def load_file(path: Path) -> LoadResult:
    """Records and rejections of one file, chosen by its extension."""
    suffix = path.suffix.lower()
    if not path.exists():
        return LoadResult(rejections=[Rejection(str(path), "no such file or directory")])
    if suffix in EINVOICE_SUFFIXES:
        outcome = parse_einvoice(path)
        if isinstance(outcome, ReceivableRecord):
            return LoadResult(records=[outcome])
        return LoadResult(rejections=[outcome])
    if suffix in CSV_SUFFIXES:
        return parse_csv(path)
    kind = f"({suffix})" if suffix else "(no extension)"
    return LoadResult(rejections=[Rejection(str(path), f"not an invoice file {kind}")])


def deduplicate(records: Iterable[ReceivableRecord]) -> LoadResult:
    """Keep the first record of each fingerprint; later ones become rejections."""
    result = LoadResult()
    first_source: dict[bytes, str] = {}
    for record in records:
        fingerprint = record.fingerprint
        if fingerprint in first_source:
            result.rejections.append(
                Rejection(
                    record.source,
                    "duplicate invoice: same seller and invoice number as "
                    f"{first_source[fingerprint]}",
                    "invoice number",
                )
            )
        else:
            first_source[fingerprint] = record.source
            result.records.append(record)
    return result


def load_inputs(paths: Iterable[Path]) -> LoadResult:
    """Read files and folders into de-duplicated records, and rejections for the rest.

    Each file is read once however often it is named (twice, or itself and its folder,
    or by another spelling of its path): files are compared by resolved path and kept at
    their first mention. Rejections come in file order (a file's own rejections first),
    followed by the duplicate rejections.
    """
    records: list[ReceivableRecord] = []
    rejections: list[Rejection] = []
    for path in unique_files(iter_files(paths)):
        loaded = load_file(path)
        records.extend(loaded.records)
        rejections.extend(loaded.rejections)
    unique = deduplicate(records)
    return LoadResult(records=unique.records, rejections=rejections + unique.rejections)


def summarize(result: LoadResult) -> str:
    """A plain-text report: counts, then a table of rejections (source, field, reason)."""
    lines = [f"{len(result.records)} receivable(s) read, {len(result.rejections)} rejected"]
    if not result.rejections:
        return lines[0]
    rows = [(r.source, r.field or "-", r.reason) for r in result.rejections]
    lines.append("")
    lines.extend(render(("source", "field", "reason"), rows))
    return "\n".join(lines)
