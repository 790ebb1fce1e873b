"""Read receivables from CSV exports, one receivable per row.

Two layouts are recognised from the header row (column names are matched without
regard to case or surrounding spaces; their order does not matter, extra columns are
ignored):

**scfchain layout** (the project's own)::

    invoice_number,seller_id,seller_name,buyer_id,buyer_name,issue_date,due_date,currency,amount
    NL-2026-0042,VAT:NL859123456B01,Voltmeer Elektronica B.V.,VAT:DE298765432,...,2026-02-02,2026-05-03,EUR,18450.00

* ``issue_date`` and ``due_date`` are ISO dates ``YYYY-MM-DD``;
* ``currency`` is an ISO 4217 code (``EUR``, ``USD``, ``CNY`` ...);
* ``amount`` is the payable amount in major units as decimal text (``18450.00``);
  a decimal comma is accepted only when unambiguous (see :func:`parse_csv_amount`);
* ``seller_id`` / ``buyer_id`` become the party key. A value that already carries an
  upper-case scheme prefix (``VAT:``, ``LEI:``, ``REG:``, ``EP:``, ``GID:``, ``ID:``,
  ``CUST:`` ...) is kept as given (a ``VAT:`` number is normalised like in e-invoices:
  upper case, no spaces, dots or dashes); any other value is prefixed ``ID:``
  (``4711`` -> ``ID:4711``). An empty id falls back to the ``NAME:`` key of the name.
  Use ``VAT:<number>`` to make a CSV party match the same party read from an e-invoice.
* the document type is taken to be 380 (commercial invoice).

**IBM "Accounts Receivable" sample layout**::

    countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,
    Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate

Dates are US ``M/D/YYYY``; the currency is USD; the buyer is ``CUST:<customerID>``
(named by its customer ID). The ledger's owner, the seller, is not named in the file:
it becomes ``LEDGER:<file stem>``, named ``"<file stem> ledger owner"``. Settlement
columns are ignored.

Robustness: blank lines (and rows of empty cells) are skipped; quoted fields may hold
commas and (RFC 4180) line breaks, so a record may span several physical lines. A line
break is accepted only in the name columns (whitespace collapsed) and in ignored extra
columns; in any other column it rejects the whole record once, and its continuation lines
never become records. A quote never closed (up to the end of the file or an undecodable
line) rejects only the row where it opens; the next line is read afresh. Every bad record
becomes a :class:`Rejection` with source ``"<file>:<row>"`` (the 1-based physical line
number where the record starts, counting blank lines) and the column name as field; the
other records are still read. An unknown header, a ``;``-separated header and a header
with no data rows each give a single rejection for the file.

Encodings (see :func:`decode_csv`): UTF-8 with or without a BOM; UTF-16 with a BOM;
GBK/GB18030 for lines that are not valid UTF-8 when they are plausibly Chinese text and
no other line of the file shows it to be UTF-8. A line that fits none of these is
rejected (field ``encoding``), naming its first bad byte; the other lines are still read.

A record's ``document_hash`` is the sha256 of its raw text line (without the line break)
encoded as UTF-8; for a multi-line record, of its lines joined by LF.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from scfchain.currencies import (
    AmountError,
    decimal_to_minor_units,
    face_value_problem,
    is_known_currency,
    shown,
    unknown_currency_reason,
)
from scfchain.einvoice import (
    collapse_whitespace,
    decode_gbk,
    looks_like_utf16,
    name_key,
    vat_key,
)
from scfchain.records import LoadResult, Party, ReceivableRecord, Rejection, due_date_problem

PROJECT_COLUMNS: tuple[str, ...] = (
    "invoice_number",
    "seller_id",
    "seller_name",
    "buyer_id",
    "buyer_name",
    "issue_date",
    "due_date",
    "currency",
    "amount",
)
IBM_COLUMNS: tuple[str, ...] = (
    "countryCode",
    "customerID",
    "PaperlessDate",
    "invoiceNumber",
    "InvoiceDate",
    "DueDate",
    "InvoiceAmount",
    "Disputed",
    "SettledDate",
    "PaperlessBill",
    "DaysToSettle",
    "DaysLate",
)
# The IBM columns this reader uses; the settlement columns may be absent.
IBM_REQUIRED: tuple[str, ...] = (
    "customerID",
    "invoiceNumber",
    "InvoiceDate",
    "DueDate",
    "InvoiceAmount",
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")  # safe in UTF-8 and GBK: no trail byte < 0x40
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DOT_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d{1,2}")
_SCHEME_PREFIX = re.compile(r"[A-Z][A-Z0-9]*:\S")


class RowError(ValueError):
    """A bad value in a CSV row, naming the column."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"[{field}] {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Row:
    """One data row: its physical line number, raw text and cells keyed by column name."""

    number: int
    text: str
    cells: Mapping[str, str]

    def get(self, column: str) -> str:
        """The stripped cell of ``column`` (empty string when blank)."""
        return self.cells[column].strip()


@dataclass(frozen=True)
class Layout:
    """A recognised CSV layout: its name, the columns it needs and its row reader."""

    name: str
    required: tuple[str, ...]
    read_row: Callable[[Row, Mapping[str, str], Path], ReceivableRecord]
    may_break: tuple[str, ...] = ()  # columns whose quoted cells may hold line breaks


# --------------------------------------------------------------------------- values


def parse_csv_amount(text: str, currency: str, field: str) -> int:
    """Amount text of a CSV cell in minor units of ``currency``; must be positive and at
    most the registry's uint96 face value (:data:`~scfchain.currencies.FACE_VALUE_MAX`).

    Accepted: ``1234.56``, ``1234``, and a decimal comma when unambiguous: a single
    comma followed by exactly one or two digits, optionally with dots grouping
    thousands before it (``1234,56``, ``1.234,56``). Refused: ``1,234`` (thousands or
    decimals?), ``1,234.56`` (thousands separators), anything else.
    """
    value = text.strip()
    if _DOT_DECIMAL.fullmatch(value):
        number = Decimal(value)
    elif _COMMA_DECIMAL.fullmatch(value):
        number = Decimal(value.replace(".", "").replace(",", "."))
    elif not value:
        raise RowError(field, "no amount")
    else:
        raise RowError(
            field,
            f"not a number or ambiguous: {shown(repr(text))} (write 1234.56; a decimal comma is "
            "accepted only as in 1234,56 or 1.234,56)",
        )
    try:
        minor = decimal_to_minor_units(number, currency)
    except AmountError as error:
        raise RowError(field, str(error)) from None
    problem = face_value_problem(minor)
    if problem:
        raise RowError(field, problem)
    return minor


def parse_iso_date(text: str, field: str) -> date:
    """A ``YYYY-MM-DD`` cell as a date."""
    _require_date(text, field)
    match = _ISO_DATE.fullmatch(text.strip())
    if not match:
        raise RowError(field, f"not a date: {shown(repr(text))} (expected YYYY-MM-DD)")
    return _make_date(int(match[1]), int(match[2]), int(match[3]), text, field)


def parse_us_date(text: str, field: str) -> date:
    """A US ``M/D/YYYY`` cell as a date."""
    _require_date(text, field)
    match = _US_DATE.fullmatch(text.strip())
    if not match:
        raise RowError(field, f"not a date: {shown(repr(text))} (expected M/D/YYYY)")
    return _make_date(int(match[3]), int(match[1]), int(match[2]), text, field)


def _require_date(text: str, field: str) -> None:
    """An empty date cell is a missing date, named as such."""
    if not text.strip():
        due = "due" in field.casefold()
        raise RowError(
            field, "no due date: a receivable needs a maturity" if due else "no issue date"
        )


def _make_date(year: int, month: int, day: int, text: str, field: str) -> date:
    """A date from its parts, or a RowError naming the cell text."""
    try:
        return date(year, month, day)
    except ValueError as error:
        raise RowError(field, f"not a date: {text!r} ({error})") from None


def party_key_from_cell(identifier: str, name: str) -> str | None:
    """The party key for an id cell (see module docstring); None when id and name are empty."""
    identifier = collapse_whitespace(identifier)
    if identifier.startswith("VAT:"):
        return vat_key(identifier[4:])
    if _SCHEME_PREFIX.match(identifier):
        return identifier
    if identifier:
        return "ID:" + identifier
    return name_key(name) if name.strip() else None


def _party(row: Row, id_column: str, name_column: str) -> Party:
    """The party named by an id column and a name column of a row."""
    name = collapse_whitespace(row.get(name_column))
    key = party_key_from_cell(row.get(id_column), name)
    if key is None:
        raise RowError(id_column, f"no {id_column} and no {name_column}")
    return Party(key=key, name=name or key)


def _currency(text: str, field: str) -> str:
    """A known ISO 4217 currency code."""
    currency = text.strip()
    if not currency:
        raise RowError(field, "no currency")
    if not is_known_currency(currency):
        raise RowError(field, unknown_currency_reason(currency))
    return currency


def _check_dates(issue: date, due: date, due_field: str) -> None:
    """A receivable cannot fall due before it is issued, nor absurdly long after
    (:func:`~scfchain.records.due_date_problem`)."""
    problem = due_date_problem(issue, due)
    if problem:
        raise RowError(due_field, problem)


def _invoice_number(text: str, field: str) -> str:
    """Whitespace-normalised invoice number; must not be empty."""
    number = collapse_whitespace(text)
    if not number:
        raise RowError(field, "no invoice number")
    return number


def _hash(row: Row) -> bytes:
    """sha256 of the row's raw line encoded UTF-8."""
    return hashlib.sha256(row.text.encode("utf-8")).digest()


# --------------------------------------------------------------------------- layouts


def read_project_row(row: Row, columns: Mapping[str, str], path: Path) -> ReceivableRecord:
    """A record from a row of the scfchain layout (``columns``: canonical -> header name)."""
    column = columns.__getitem__
    number = _invoice_number(row.get(column("invoice_number")), column("invoice_number"))
    seller = _party(row, column("seller_id"), column("seller_name"))
    buyer = _party(row, column("buyer_id"), column("buyer_name"))
    if seller.key == buyer.key:
        raise RowError(
            column("buyer_id"), f"buyer and seller are the same party ({seller.key}): no receivable"
        )
    issue = parse_iso_date(row.get(column("issue_date")), column("issue_date"))
    due = parse_iso_date(row.get(column("due_date")), column("due_date"))
    _check_dates(issue, due, column("due_date"))
    currency = _currency(row.get(column("currency")), column("currency"))
    amount = parse_csv_amount(row.get(column("amount")), currency, column("amount"))
    return _record(row, path, number, seller, buyer, issue, due, currency, amount)


def read_ibm_row(row: Row, columns: Mapping[str, str], path: Path) -> ReceivableRecord:
    """A record from a row of the IBM Accounts Receivable sample (currency USD)."""
    column = columns.__getitem__
    number = _invoice_number(row.get(column("invoiceNumber")), column("invoiceNumber"))
    customer = collapse_whitespace(row.get(column("customerID")))
    if not customer:
        raise RowError(column("customerID"), "no customer ID")
    issue = parse_us_date(row.get(column("InvoiceDate")), column("InvoiceDate"))
    due = parse_us_date(row.get(column("DueDate")), column("DueDate"))
    _check_dates(issue, due, column("DueDate"))
    amount = parse_csv_amount(row.get(column("InvoiceAmount")), "USD", column("InvoiceAmount"))
    seller = Party(key=f"LEDGER:{path.stem}", name=f"{path.stem} ledger owner")
    buyer = Party(key=f"CUST:{customer}", name=customer)
    return _record(row, path, number, seller, buyer, issue, due, "USD", amount)


def _record(
    row: Row,
    path: Path,
    number: str,
    seller: Party,
    buyer: Party,
    issue: date,
    due: date,
    currency: str,
    amount: int,
) -> ReceivableRecord:
    """Assemble the record of a CSV row."""
    return ReceivableRecord(
        source=f"{path}:{row.number}",
        syntax="CSV",
        invoice_number=number,
        document_type="380",
        seller=seller,
        buyer=buyer,
        issue_date=issue,
        due_date=due,
        currency=currency,
        amount_minor=amount,
        document_hash=_hash(row),
    )


LAYOUTS: tuple[Layout, ...] = (
    Layout("scfchain", PROJECT_COLUMNS, read_project_row, ("seller_name", "buyer_name")),
    Layout("IBM Accounts Receivable", IBM_REQUIRED, read_ibm_row),
)


def detect_layout(header: Sequence[str]) -> tuple[Layout, dict[str, str]] | str:
    """The layout a header row belongs to, with its column mapping, or why none fits.

    The mapping goes from each required (canonical) column name to the name as written
    in the header. When no layout fits, the explanation names the columns missing for
    the closest layout (the one with the most columns present, then the fewest missing).
    """
    written = {name.strip().casefold(): name for name in header}
    candidates: list[tuple[int, int, str, list[str]]] = []
    for layout in LAYOUTS:
        missing = [c for c in layout.required if c.casefold() not in written]
        if not missing:
            return layout, {c: written[c.casefold()] for c in layout.required}
        matched = len(layout.required) - len(missing)
        candidates.append((-matched, len(missing), layout.name, missing))
    _, _, name, missing = min(candidates)
    return f"unknown CSV header: missing {', '.join(missing)} for the {name} layout"


# --------------------------------------------------------------------------- file


@dataclass
class DecodedLines:
    """The lines of a CSV file as text, and the lines that could not be decoded."""

    lines: list[tuple[int, str]]  # (physical line number, text), in file order
    undecodable: list[tuple[int, str]]  # (physical line number, why)


def decode_csv(data: bytes) -> DecodedLines | str:
    """Decode a CSV file line by line; a string says why the whole file is not text.

    * A UTF-16 BOM: the file is UTF-16.
    * Otherwise each line (a UTF-8 BOM dropped) is UTF-8 when it decodes as UTF-8.
    * A line that does not is GBK/GB18030 when it is plausibly Chinese text
      (:func:`~scfchain.einvoice.decode_gbk`) and no other line has non-ASCII UTF-8
      text; otherwise it is undecodable, and named with its first bad byte.

    Line breaks are found in the bytes (CR, LF, CRLF): no GBK or UTF-8 multi-byte
    character contains one.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            return f"not valid UTF-16 although it starts with a UTF-16 byte-order mark ({error})"
        return DecodedLines(list(enumerate(_LINE_BREAK.split(text), 1)), [])
    if data and looks_like_utf16(data):
        return "not a text file (NUL bytes): UTF-16 without a byte-order mark? Save it as UTF-8"
    raw = _LINE_BREAK_BYTES.split(data.removeprefix(codecs.BOM_UTF8))
    decoded: dict[int, str] = {}
    failed: list[tuple[int, bytes, UnicodeDecodeError]] = []
    undecodable: list[tuple[int, str]] = []
    for number, line in enumerate(raw, 1):
        if b"\x00" in line:
            column = line.index(b"\x00") + 1
            undecodable.append((number, f"a NUL byte at column {column}: a corrupted line?"))
            continue
        try:
            decoded[number] = line.decode("utf-8")
        except UnicodeDecodeError as error:
            failed.append((number, line, error))
    utf8_evidence = any(not text.isascii() for text in decoded.values())
    for number, line, error in failed:
        text = None if utf8_evidence else decode_gbk(line)
        if text is None:
            undecodable.append((number, _undecodable_reason(line, error, utf8_evidence)))
        else:
            decoded[number] = text
    return DecodedLines(sorted(decoded.items()), sorted(undecodable))


def _undecodable_reason(line: bytes, error: UnicodeDecodeError, utf8_evidence: bool) -> str:
    """Why a line cannot be decoded, naming its first bad byte."""
    where = f"byte 0x{line[error.start]:02X} at column {error.start + 1}"
    if utf8_evidence and error.end == len(line) and "end of data" in error.reason:
        return f"the line ends inside a UTF-8 character ({where}): cut short?"
    if utf8_evidence:
        return f"not valid UTF-8 ({where}) in a file whose other lines are UTF-8"
    return (
        f"neither UTF-8 nor GBK Chinese text ({where}); Latin-1 or Windows-1252? "
        "Save the file as UTF-8"
    )


def split_cells(line: str) -> list[str]:
    """The cells of one CSV line (quoted fields may contain commas; spaces after a comma
    before a quote are ignored)."""
    return next(csv.reader([line], strict=True, skipinitialspace=True))


def parse_csv(path: Path) -> LoadResult:
    """Read a CSV file of receivables: one record or one rejection per non-blank data record.

    A record is one line, or several when a quoted field holds a line break (RFC 4180).
    """
    decoded = _read_lines(path)
    if isinstance(decoded, Rejection):
        return LoadResult(rejections=[decoded])
    bad = dict(decoded.undecodable)
    lines: list[tuple[int, str | None]] = sorted([*decoded.lines, *((n, None) for n in bad)])
    header_at = next((i for i, (_, line) in enumerate(lines) if line is None or line.strip()), None)
    if header_at is None:
        return LoadResult(rejections=[Rejection(str(path), "empty file: no header row")])
    header_number, header_line = lines[header_at]
    if header_line is None:
        return LoadResult(
            rejections=[Rejection(str(path), f"header row: {bad[header_number]}", "encoding")]
        )
    detected = _read_header(path, header_number, header_line)
    if isinstance(detected, Rejection):
        return LoadResult(rejections=[detected])
    header, layout, columns = detected
    result = LoadResult()
    at = header_at + 1
    while at < len(lines):
        number, line = lines[at]
        if line is None:
            result.rejections.append(Rejection(f"{path}:{number}", bad[number], "encoding"))
            at += 1
            continue
        outcome, used = _read_record(path, lines, at, header, layout, columns)
        if isinstance(outcome, ReceivableRecord):
            result.records.append(outcome)
        elif outcome is not None:
            result.rejections.append(outcome)
        at += used
    if not result.records and not result.rejections:
        result.rejections.append(
            Rejection(str(path), "no data rows: the file has a header and nothing else")
        )
    return result


def record_texts(decoded: DecodedLines) -> Iterator[tuple[int, str]]:
    """Each non-blank record of a decoded CSV file (header included) as its first row number
    and the text whose sha256 is a CSV receivable's document hash: one line, or the lines of
    a record with a quoted line break joined by LF, grouped as :func:`parse_csv` groups them."""
    gaps = ((n, None) for n, _ in decoded.undecodable)  # a record never spans one
    lines: list[tuple[int, str | None]] = sorted([*decoded.lines, *gaps])
    at = 0
    while at < len(lines):
        number, line = lines[at]
        used = 1
        if line is not None and line.strip():
            _, used = _split_record(lines, at)
            yield number, "\n".join(str(text) for _, text in lines[at : at + used])
        at += used


def _record_lines(lines: Sequence[tuple[int, str | None]], start: int) -> Iterator[str]:
    """The decoded lines from ``start`` on, up to (not including) an undecodable line."""
    for _, line in lines[start:]:
        if line is None:
            return
        yield line + "\n"


def _split_record(
    lines: Sequence[tuple[int, str | None]], start: int
) -> tuple[list[str] | csv.Error, int]:
    """The cells of the record starting at ``lines[start]`` (or the csv.Error that stopped
    it), and how many lines it used. A quote never closed (up to the end of the file or an
    undecodable line), or a runaway field, uses only its first line: the next line is read
    afresh."""
    reader = csv.reader(_record_lines(lines, start), strict=True, skipinitialspace=True)
    try:
        return next(reader), reader.line_num
    except csv.Error as error:
        runaway = "unexpected end of data" in str(error) or "field larger" in str(error)
        return error, 1 if runaway else max(reader.line_num, 1)


def _read_record(
    path: Path,
    lines: Sequence[tuple[int, str | None]],
    start: int,
    header: Sequence[str],
    layout: Layout,
    columns: Mapping[str, str],
) -> tuple[ReceivableRecord | Rejection | None, int]:
    """The outcome of the record starting at ``lines[start]``, and how many lines it used.

    A quoted field may hold line breaks, so a record may span several lines. A quote that
    is never closed (up to the end of the file or an undecodable line) rejects only its
    first line; the next line is read afresh.
    """
    number, line = lines[start]
    assert line is not None
    if not line.strip():
        return None, 1
    cells, used = _split_record(lines, start)
    if isinstance(cells, csv.Error):
        error = cells
        if "unexpected end of data" in str(error):
            reason = (
                "malformed CSV row: unexpected end of data (a quote opened here is never closed)"
            )
            return Rejection(f"{path}:{number}", reason, "row"), used
        if "field larger" in str(error):  # a runaway quote, or a cell of over 128 KiB
            return Rejection(f"{path}:{number}", f"malformed CSV row: {error}", "row"), used
        span = _span(lines, start, used)
        return Rejection(f"{path}:{number}", f"malformed CSV {span}: {error}", "row"), used
    text = "\n".join(str(text) for _, text in lines[start : start + used])
    return _read_cells(path, number, text, cells, header, layout, columns, used), used


def _span(lines: Sequence[tuple[int, str | None]], start: int, used: int) -> str:
    """``row`` for a one-line record, ``record (rows 2-3)`` for a multi-line one."""
    if used <= 1:
        return "row"
    return f"record (rows {lines[start][0]}-{lines[start + used - 1][0]})"


def _read_cells(
    path: Path,
    number: int,
    text: str,
    cells: list[str],
    header: Sequence[str],
    layout: Layout,
    columns: Mapping[str, str],
    used: int,
) -> ReceivableRecord | Rejection | None:
    """The outcome of one parsed data record: its first row number, raw text and cells."""
    source = f"{path}:{number}"
    if not any(cell.strip() for cell in cells):
        return None
    spans = "" if used == 1 else f" (the record spans rows {number}-{number + used - 1})"
    if len(cells) < len(header):
        return Rejection(
            source,
            f"row has {len(cells)} of {len(header)} columns (truncated row?){spans}",
            header[len(cells)],
        )
    if len(cells) > len(header):
        return Rejection(
            source,
            f"row has {len(cells)} columns but the header has {len(header)} "
            f"(an unquoted comma?){spans}",
            f"column {len(header) + 1}",
        )
    row = Row(number=number, text=text, cells=dict(zip(header, cells, strict=True)))
    for canonical in layout.required:
        if canonical not in layout.may_break and _LINE_BREAK.search(row.cells[columns[canonical]]):
            return Rejection(
                source,
                f"a line break inside the quoted {columns[canonical]}{spans}: it must be one line",
                columns[canonical],
            )
    try:
        return layout.read_row(row, columns, path)
    except RowError as error:
        return Rejection(source, error.reason, error.field)


def _read_lines(path: Path) -> DecodedLines | Rejection:
    """The decoded lines of a CSV file, or why it cannot be read."""
    try:
        decoded = decode_csv(path.read_bytes())
    except OSError as error:
        return Rejection(str(path), f"cannot read file: {error.strerror or error}")
    if isinstance(decoded, str):
        return Rejection(str(path), decoded, "encoding")
    return decoded


def _read_header(
    path: Path, number: int, line: str
) -> tuple[list[str], Layout, dict[str, str]] | Rejection:
    """The header's column names, its layout and column mapping, or why it is not usable."""
    try:
        header = [cell.strip().lstrip("\ufeff").strip() for cell in split_cells(line)]
    except csv.Error as error:
        return Rejection(f"{path}:{number}", f"bad header: {error}")
    detected = detect_layout(header)
    if isinstance(detected, str):
        if line.count(";") > line.count(","):
            return Rejection(
                str(path),
                "columns separated by ';', expected ',': save the file as comma-separated CSV",
            )
        return Rejection(str(path), detected)
    return header, *detected
