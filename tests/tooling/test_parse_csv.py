"""Reading receivables from CSV files: the project layout and the IBM AR sample. Bad input
(encodings, BOMs, comma decimals, quoted commas, blank and truncated lines, bad amounts, dates
and currencies) is in the corpus: tests/tooling/corpus, checked by test_corpus.py."""

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from paths import SHARED_DATA

from scfchain.csvinput import PROJECT_COLUMNS, parse_csv

SHARED = SHARED_DATA
IBM_SAMPLE = SHARED / "receivables-csv" / "WA_Fn-UseC_-Accounts-Receivable.csv"

HEADER = ",".join(PROJECT_COLUMNS)
ROW = (
    "VOL-1,VAT:NL859123456B01,Voltmeer,VAT:DE298765432,Rheinwerk,2026-03-01,2026-06-01,EUR,{amount}"
)


@pytest.fixture
def ibm_sample() -> Path:
    """The shared IBM Accounts Receivable sample, or skip when it is not available."""
    if not IBM_SAMPLE.is_file():
        pytest.skip(f"shared receivables CSV not found at {IBM_SAMPLE}")
    return IBM_SAMPLE


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "ar.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def row(amount: str = "1000.00") -> str:
    return ROW.format(amount=amount)


# --------------------------------------------------------------------------- IBM sample


def test_all_2466_rows_of_the_ibm_sample_are_read(ibm_sample):
    result = parse_csv(ibm_sample)
    assert (len(result.records), result.rejections) == (2466, [])


def test_an_ibm_row_is_a_usd_receivable_of_the_ledger_owner_against_the_customer(ibm_sample):
    first = parse_csv(ibm_sample).records[0]
    assert first.source == f"{ibm_sample}:2"
    assert (first.invoice_number, first.currency, first.amount_minor) == ("611365", "USD", 5594)
    assert (first.issue_date, first.due_date) == (date(2013, 1, 2), date(2013, 2, 1))
    assert first.buyer.key == "CUST:0379-NEVHP" and first.buyer.name == "0379-NEVHP"
    assert first.seller.key == "LEDGER:WA_Fn-UseC_-Accounts-Receivable"
    assert first.seller.name == "WA_Fn-UseC_-Accounts-Receivable ledger owner"


def test_ibm_invoice_numbers_are_unique_so_no_row_is_a_duplicate(ibm_sample):
    records = parse_csv(ibm_sample).records
    assert len({r.fingerprint for r in records}) == len(records)


# --------------------------------------------------------------------------- project layout


def test_a_project_layout_row_becomes_a_record(tmp_path):
    result = parse_csv(write(tmp_path, f"{HEADER}\n{row('18450.00')}\n"))
    (found,) = result.records
    assert found.source == f"{tmp_path / 'ar.csv'}:2"
    assert (found.syntax, found.document_type, found.invoice_number) == ("CSV", "380", "VOL-1")
    assert (found.seller.key, found.buyer.key) == ("VAT:NL859123456B01", "VAT:DE298765432")
    assert (found.currency, found.amount_minor) == ("EUR", 1845000)


def test_the_header_may_use_any_case_and_column_order(tmp_path):
    header = "AMOUNT,Currency,due_date,issue_date,buyer_name,buyer_id,seller_name,seller_id,invoice_number"
    line = "12.50,EUR,2026-06-01,2026-03-01,B,b-1,S,s-1,INV 7"
    (found,) = parse_csv(write(tmp_path, f"{header}\n{line}\n")).records
    assert (found.invoice_number, found.amount_minor, found.seller.key) == ("INV 7", 1250, "ID:s-1")


def test_ids_without_a_scheme_get_an_id_prefix_and_vat_ids_are_normalised(tmp_path):
    line = "INV-1,4711,Seller,VAT:de 298.765-432,Buyer,2026-03-01,2026-06-01,EUR,1.00"
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n")).records
    assert (found.seller.key, found.buyer.key) == ("ID:4711", "VAT:DE298765432")


def test_the_row_document_hash_is_the_sha256_of_its_line(tmp_path):
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\r\n{row()}\r\n")).records
    assert found.document_hash == hashlib.sha256(row().encode("utf-8")).digest()


@pytest.mark.parametrize(
    ("text", "minor"),
    [("1234,56", 123456), ("1.234,56", 123456), ("7,5", 750), ("1.234.567,8", 123456780)],
)
def test_an_unambiguous_decimal_comma_is_accepted(tmp_path, text, minor):
    quoted = f'"{text}"'
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n{row(quoted)}\n")).records
    assert found.amount_minor == minor


@pytest.mark.parametrize("text", ["1,234", "1,234.56", "1.234.567", "12,3456", "1,2,3"])
def test_an_ambiguous_or_malformed_amount_is_rejected_naming_row_and_field(tmp_path, text):
    quoted = f'"{text}"'
    result = parse_csv(write(tmp_path, f"{HEADER}\n{row(quoted)}\n"))
    (found,) = result.rejections
    assert (found.source, found.field) == (f"{tmp_path / 'ar.csv'}:2", "amount")
    assert result.records == []


def test_an_unknown_header_is_one_rejection_naming_the_missing_columns(tmp_path):
    text = "invoice_number,seller,buyer,amount\nA,B,C,1.00\n"
    result = parse_csv(write(tmp_path, text))
    assert result.records == []
    (found,) = result.rejections
    assert found.source == str(tmp_path / "ar.csv")
    assert found.reason == (
        "unknown CSV header: missing seller_id, seller_name, buyer_id, buyer_name, "
        "issue_date, due_date, currency for the scfchain layout"
    )


def test_an_empty_file_is_rejected(tmp_path):
    (found,) = parse_csv(write(tmp_path, "\n\n")).rejections
    assert found.reason == "empty file: no header row"


def test_a_binary_file_is_rejected_as_not_text(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (found,) = parse_csv(path).rejections
    assert (found.source, found.field) == (str(path), "encoding")
    assert found.reason.startswith("header row: neither UTF-8 nor GBK Chinese text")


def test_utf16_text_without_a_byte_order_mark_is_rejected_as_not_text(tmp_path):
    path = write(tmp_path, f"{HEADER}\n{row()}\n", encoding="utf-16-le")
    (found,) = parse_csv(path).rejections
    assert (found.source, found.field) == (str(path), "encoding")
    assert found.reason.startswith("not a text file (NUL bytes): UTF-16 without a byte-order mark")


def test_a_utf16_byte_order_mark_on_bytes_that_are_not_utf16_is_rejected(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30")
    (found,) = parse_csv(path).rejections
    assert found.reason.startswith("not valid UTF-16 although it starts with a UTF-16 byte-order")


def test_a_quoted_field_after_a_space_is_still_one_field(tmp_path):
    line = 'ZEW/1, ID:W, "Wisła, Sp. z o.o.", ID:V, Voltmeer, 2026-03-01, 2026-06-01, PLN, 10.00'
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n")).records
    assert (found.seller.key, found.seller.name) == ("ID:W", "Wisła, Sp. z o.o.")


def test_an_unterminated_quote_is_rejected_as_a_malformed_row(tmp_path):
    line = 'ZEW/1,ID:W,"Wisła,ID:V,Voltmeer,2026-03-01,2026-06-01,PLN,10.00'
    result = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n{row()}\n"))
    (found,) = result.rejections
    assert (found.source, found.field) == (f"{tmp_path / 'ar.csv'}:2", "row")
    assert found.reason.startswith("malformed CSV row")
    assert len(result.records) == 1


# --------------------------------------------------------------------------- line breaks in quotes

PARTIES = "VAT:NL859123456B01,{seller},VAT:DE298765432,Rheinwerk,2026-03-01,2026-06-01,EUR,5.00"


def test_a_quoted_invoice_number_with_a_line_break_is_rejected_once_naming_row_and_field(tmp_path):
    line = '"G6\nX",' + PARTIES.format(seller="Voltmeer")
    result = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n{row()}\n"))
    (found,) = result.rejections
    assert (found.source, found.field) == (f"{tmp_path / 'ar.csv'}:2", "invoice_number")
    assert found.reason == (
        "a line break inside the quoted invoice_number (the record spans rows 2-3): "
        "it must be one line"
    )


def test_the_continuation_of_a_multi_line_field_never_becomes_a_record(tmp_path):
    line = '"G6\nX",' + PARTIES.format(seller="Voltmeer")
    result = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n{row()}\n"))
    assert [(r.invoice_number, r.source) for r in result.records] == [
        ("VOL-1", f"{tmp_path / 'ar.csv'}:4")
    ]


def test_a_quoted_name_with_a_line_break_is_one_record_with_the_name_on_one_line(tmp_path):
    line = "G7," + PARTIES.format(seller='"Voltmeer\r\nElektronica B.V."')
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\r\n{line}\r\n")).records
    assert (found.source, found.seller.name) == (
        f"{tmp_path / 'ar.csv'}:2",
        "Voltmeer Elektronica B.V.",
    )


def test_a_multi_line_record_hash_is_the_sha256_of_its_lines_joined_by_a_line_feed(tmp_path):
    line = "G7," + PARTIES.format(seller='"Voltmeer\r\nElektronica"')
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\r\n{line}\r\n")).records
    assert found.document_hash == hashlib.sha256(line.replace("\r\n", "\n").encode()).digest()


def test_scf_verify_hashes_a_multi_line_record_as_the_parser_does(tmp_path):
    from scfchain.verify import document_digests

    line = "G7," + PARTIES.format(seller='"Voltmeer\r\nElektronica"')
    path = write(tmp_path, f"{HEADER}\r\n{row()}\r\n{line}\r\n")
    wanted = {r.document_hash: r.source for r in parse_csv(path).records}
    found = {d.value: d.part for d in document_digests(path) if d.value in wanted}
    assert found == {digest: f"row {source.rsplit(':', 1)[1]}" for digest, source in wanted.items()}


def test_a_line_break_in_an_extra_column_the_layout_ignores_is_accepted(tmp_path):
    line = row() + ',"call before\npaying"'
    (found,) = parse_csv(write(tmp_path, f"{HEADER},note\n{line}\n")).records
    assert found.invoice_number == "VOL-1"


def test_a_malformed_multi_line_record_is_rejected_once_naming_its_first_and_last_rows(tmp_path):
    line = '"G6\nX"Y,' + PARTIES.format(seller="Voltmeer")
    result = parse_csv(write(tmp_path, f"{HEADER}\n{line}\n{row()}\n"))
    (found,) = result.rejections
    assert (found.source, found.field) == (f"{tmp_path / 'ar.csv'}:2", "row")
    assert found.reason.startswith("malformed CSV record (rows 2-3):")
    assert [r.invoice_number for r in result.records] == ["VOL-1"]


def test_a_bad_byte_inside_a_multi_line_field_rejects_its_record_and_line_but_not_the_next(
    tmp_path,
):
    path = tmp_path / "ar.csv"
    continuation = 'X\u00fc",' + PARTIES.format(seller="Voltmeer")
    path.write_bytes(
        f'{HEADER}\n"G6\n'.encode() + continuation.encode("cp1252") + f"\n{row()}\n".encode()
    )
    result = parse_csv(path)
    assert [(r.source, r.field) for r in result.rejections] == [
        (f"{path}:2", "row"),
        (f"{path}:3", "encoding"),
    ]
    assert [r.invoice_number for r in result.records] == ["VOL-1"]


# --------------------------------------------------------------------------- whole-file refusals


def test_a_header_without_data_rows_is_one_rejection_naming_the_file(tmp_path):
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n\n,,,,,,,,\n")).rejections
    assert (found.source, found.reason) == (
        str(tmp_path / "ar.csv"),
        "no data rows: the file has a header and nothing else",
    )


def test_a_semicolon_separated_file_is_one_rejection_naming_the_delimiter(tmp_path):
    text = f"{HEADER}\n{row()}\n".replace(",", ";")
    result = parse_csv(write(tmp_path, text))
    (found,) = result.rejections
    assert (found.source, result.records) == (str(tmp_path / "ar.csv"), [])
    assert found.reason.startswith("columns separated by ';', expected ','")


# --------------------------------------------------------------------------- far due dates


def dated_row(issue: str, due: str) -> str:
    return row().replace("2026-03-01,2026-06-01", f"{issue},{due}")


def test_a_due_date_of_9999_12_31_is_rejected_naming_row_and_field(tmp_path):
    result = parse_csv(write(tmp_path, f"{HEADER}\n{dated_row('2026-03-01', '9999-12-31')}\n"))
    (found,) = result.rejections
    assert (found.source, found.field) == (f"{tmp_path / 'ar.csv'}:2", "due_date")
    assert found.reason.startswith(
        "due date 9999-12-31 is more than 100 years after the issue date 2026-03-01"
    )


def test_a_due_date_exactly_100_years_after_the_issue_date_is_accepted(tmp_path):
    text = f"{HEADER}\n{dated_row('2026-03-01', '2126-03-01')}\n"
    (found,) = parse_csv(write(tmp_path, text)).records
    assert found.due_date == date(2126, 3, 1)


def test_a_due_date_100_years_after_a_29_february_may_fall_on_28_february(tmp_path):
    first = dated_row("2000-02-29", "2100-02-28")
    second = dated_row("2000-02-29", "2100-03-01").replace("VOL-1,", "VOL-2,", 1)
    result = parse_csv(write(tmp_path, f"{HEADER}\n{first}\n{second}\n"))
    assert [r.due_date for r in result.records] == [date(2100, 2, 28)]
    assert [(r.source, r.field) for r in result.rejections] == [
        (f"{tmp_path / 'ar.csv'}:3", "due_date")
    ]


def test_a_due_date_in_the_year_9999_is_rejected_even_close_to_its_issue_date(tmp_path):
    result = parse_csv(write(tmp_path, f"{HEADER}\n{dated_row('9999-01-04', '9999-12-31')}\n"))
    (found,) = result.rejections
    assert found.field == "due_date"
    assert found.reason == "due date 9999-12-31 is after 9998-12-31, the latest due date read"


def test_the_due_timestamp_of_9999_12_31_is_its_last_second_without_overflow(tmp_path):
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n{row()}\n")).records
    last_day = replace(found, due_date=date(9999, 12, 31))
    assert last_day.due_timestamp == 253402300799  # 9999-12-31T23:59:59Z
    assert last_day.due_timestamp < 2**40  # fits the registry's uint40 dueDate


def test_the_due_timestamp_is_the_last_second_of_the_due_date_in_utc(tmp_path):
    (found,) = parse_csv(write(tmp_path, f"{HEADER}\n{row()}\n")).records
    end = datetime(2026, 6, 1, 23, 59, 59, tzinfo=UTC)
    assert found.due_timestamp == int(end.timestamp())
