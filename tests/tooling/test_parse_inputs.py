"""Loading files and folders: every file accounted for, duplicates rejected."""

from pathlib import Path

import pytest
from paths import EXAMPLES, SHARED_DATA

from scfchain.inputs import load_inputs, summarize
from scfchain.records import LoadResult, Rejection

SHARED = SHARED_DATA
EINVOICES = SHARED / "einvoices"

NO_DUE_DATE = "no due date: a receivable needs a maturity"
CREDIT_NOTE = "credit note (381): reduces a receivable, is not one"
NEGATIVE = "negative payable amount: a correction, not a receivable"

# Expected outcome per shared file: an (invoice number, currency, minor units) triple for
# a record, or the (field, start of reason) of its rejection.
EXPECTED: dict[str, tuple[str, str, int] | tuple[str, str]] = {
    "SOURCES.md": ("-", "not an invoice file (.md)"),
    "en16931-cef/BIS3_Invoice_negativ.XML": ("PayableAmount", NEGATIVE),
    "en16931-cef/BIS_Billing_30-Factoring.xml": ("7023708", "EUR", 11500000),
    "en16931-cef/BIS_Billing_30-Forskott_(ej moms).xml": ("DueDate", NO_DUE_DATE),
    "en16931-cef/BIS_Billing_30-Kreditering_med_kreditnota.xml": ("document type", CREDIT_NOTE),
    "en16931-cef/BIS_Billing_30-OmvandSkattskyldighet.xml": ("912345", "SEK", 14000000),
    "en16931-cef/BIS_Billing_30-Valutor i faktura.xml": ("800018", "USD", 11500000),
    "en16931-cef/CII_business_example_02.xml": ("DueDateDateTime", "due date 2013-05-10 is before"),
    "en16931-cef/CII_example5.xml": ("TOSL110", "DKK", 233750),
    "en16931-cef/huf_example_cii.xml": ("21/001003559/996", "HUF", 8785900),
    "en16931-cef/issue116.xml": ("2018210", "SEK", 83000),
    "en16931-cef/sample-discount-price.xml": ("AccountingCustomerParty", "buyer and seller are"),
    "en16931-cef/ubl-tc434-creditnote1.xml": ("document type", CREDIT_NOTE),
    "en16931-cef/ubl-tc434-example1.xml": ("12115118", "EUR", 25033),
    "en16931-cef/ubl-tc434-example2.xml": ("TOSL108", "NOK", 80178),
    "en16931-cef/ubl-tc434-example7.xml": ("DueDate", NO_DUE_DATE),
    "en16931-cef/ubl-tc434-example8.xml": ("1100512149", "EUR", 109978),
    "mustangproject/Extended_fremdwaehrung.xml": ("47110815", "GBP", 52191),
    "mustangproject/Factur-X_basic.xml": ("471102", "EUR", 23562),
    "mustangproject/factur-x-extended.xml": ("DueDateDateTime", NO_DUE_DATE),
    "mustangproject/factur-x.xml": ("RE-20201121/508", "EUR", 57104),
    "mustangproject/facturFrMinimum.xml": ("DueDateDateTime", NO_DUE_DATE),
    "mustangproject/periods.ubl.xml": ("123", "CHF", 148),
    "mustangproject/validV2FR.xml": ("FAC-20171118-506", "EUR", 57104),
    "mustangproject/valid_Avoir_FR_type380_minimum_factur-x.xml": ("DuePayableAmount", NEGATIVE),
    "peppol-bis-invoice-3/Allowance-example.xml": ("Snippet1", "EUR", 612500),
    "peppol-bis-invoice-3/base-creditnote-correction.xml": ("document type", CREDIT_NOTE),
    "peppol-bis-invoice-3/base-example.xml": ("invoice number", "duplicate invoice"),
    "peppol-bis-invoice-3/base-negative-inv-correction.xml": ("PayableAmount", NEGATIVE),
    "peppol-bis-invoice-3/vat-category-E.xml": ("DueDate", NO_DUE_DATE),
    "xrechnung-testsuite/01.01a-INVOICE_ubl.xml": ("DueDate", NO_DUE_DATE),
    "xrechnung-testsuite/01.01a-INVOICE_uncefact.xml": ("DueDateDateTime", NO_DUE_DATE),
    "xrechnung-testsuite/01.05_minimal_test_ubl.xml": ("1234567", "EUR", 474375),
    "xrechnung-testsuite/01.07a-INVOICE_ubl.xml": (
        "AccountingCustomerParty",
        "buyer and seller are",
    ),
    "xrechnung-testsuite/01.13a-INVOICE_ubl.xml": ("Rechnungsnummer", "EUR", 634270),
    "xrechnung-testsuite/01.18a-INVOICE_ubl.xml": ("DueDate", NO_DUE_DATE),
    "xrechnung-testsuite/01.20a-INVOICE_uncefact.xml": ("1234567890", "EUR", 35700),
    "xrechnung-testsuite/01.21a-INVOICE_ubl.xml": ("18383", "EUR", 23300),
    "xrechnung-testsuite/02.01a-cvd_INVOICE_ubl.xml": ("1234567", "EUR", 1282968750),
    "xrechnung-testsuite/03.06a-INVOICE_uncefact.xml": ("112233", "EUR", 180400),
    "xrechnung-testsuite/04.04a-INVOICE_ubl.xml": ("DueDate", NO_DUE_DATE),
}


@pytest.fixture(scope="module")
def shared_result() -> LoadResult:
    """The shared e-invoice folder loaded once, or skip when it is not available."""
    if not EINVOICES.is_dir():
        pytest.skip(f"shared sample e-invoices not found at {EINVOICES}")
    return load_inputs([EINVOICES])


def outcomes(result: LoadResult) -> dict[str, tuple]:
    """Each source's outcome, keyed by its path relative to the shared e-invoice folder."""
    found: dict[str, tuple] = {}
    for record in result.records:
        key = str(Path(record.source).relative_to(EINVOICES))
        found[key] = (record.invoice_number, record.currency, record.amount_minor)
    for rejection in result.rejections:
        key = str(Path(rejection.source).relative_to(EINVOICES))
        found[key] = (rejection.field or "-", rejection.reason)
    return found


def test_every_shared_einvoice_file_is_either_a_record_or_a_rejection(shared_result):
    files = [p for p in EINVOICES.rglob("*") if p.is_file()]
    sources = [r.source for r in shared_result.records] + [
        r.source for r in shared_result.rejections
    ]
    assert len(shared_result.records) + len(shared_result.rejections) == len(files)
    assert sorted(sources) == sorted(str(p) for p in files)


def test_each_shared_einvoice_has_its_expected_outcome(shared_result):
    found = outcomes(shared_result)
    assert set(found) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        if len(expected) == 3:
            assert found[name] == expected, name
        else:
            field, reason = found[name]
            assert field == expected[0], name
            assert reason.startswith(expected[1]), (name, reason)


def test_snippet1_is_issued_once_and_its_repeat_is_rejected_as_a_duplicate(shared_result):
    snippets = [r for r in shared_result.records if r.invoice_number == "Snippet1"]
    assert [Path(r.source).name for r in snippets] == ["Allowance-example.xml"]
    duplicate = next(r for r in shared_result.rejections if r.source.endswith("base-example.xml"))
    assert duplicate.field == "invoice number"
    assert duplicate.reason == (
        "duplicate invoice: same seller and invoice number as "
        f"{EINVOICES / 'peppol-bis-invoice-3' / 'Allowance-example.xml'}"
    )


def test_no_two_shared_records_share_a_fingerprint(shared_result):
    fingerprints = [r.fingerprint for r in shared_result.records]
    assert len(set(fingerprints)) == len(fingerprints)


def test_an_upper_case_xml_extension_is_read_as_an_e_invoice(shared_result):
    found = outcomes(shared_result)["en16931-cef/BIS3_Invoice_negativ.XML"]
    assert found == ("PayableAmount", NEGATIVE)


def test_a_readme_in_an_input_folder_is_listed_not_dropped(tmp_path):
    (tmp_path / "README.md").write_text("# notes\n")
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "Makefile").write_text("all:\n")
    reasons = sorted(r.reason for r in load_inputs([tmp_path]).rejections)
    assert reasons == [
        "not an invoice file (.md)",
        "not an invoice file (.txt)",
        "not an invoice file (no extension)",
    ]


def test_folders_are_walked_recursively_in_sorted_order(tmp_path):
    for name in ["b/z.txt", "a/y.txt", "a/deeper/x.txt", "c.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    sources = [Path(r.source).relative_to(tmp_path) for r in load_inputs([tmp_path]).rejections]
    assert [str(s) for s in sources] == ["a/deeper/x.txt", "a/y.txt", "b/z.txt", "c.txt"]


def test_a_missing_path_is_reported(tmp_path):
    (found,) = load_inputs([tmp_path / "nowhere.xml"]).rejections
    assert found.reason == "no such file or directory"


@pytest.fixture
def examples() -> Path:
    if not EXAMPLES.is_dir():
        pytest.skip("examples folder not found")
    return EXAMPLES


def test_the_same_file_given_twice_is_read_once_without_duplicate_rejections(examples):
    invoice = examples / "ubl-voltmeer-VOL-2026-0117.xml"
    result = load_inputs([invoice, invoice])
    assert [r.source for r in result.records] == [str(invoice)]
    assert result.rejections == []


def test_a_file_given_with_its_folder_is_read_once(examples):
    alone = load_inputs([examples])
    both = load_inputs([examples, examples / "receivables.csv"])
    assert both == alone
    assert not any(r.reason.startswith("duplicate invoice") for r in both.rejections)


def test_a_file_named_before_its_folder_keeps_the_place_of_its_first_mention(examples):
    csv = examples / "receivables.csv"
    result = load_inputs([csv, examples])
    sources = list(dict.fromkeys(r.source.rsplit(":", 1)[0] for r in result.records))
    assert sources[0] == str(csv)
    assert sources.count(str(csv)) == 1
    assert len(result.records) == len(load_inputs([examples]).records)


def test_two_spellings_of_the_same_path_are_one_file(examples, monkeypatch):
    monkeypatch.chdir(examples.parent)
    csv = Path("examples") / "receivables.csv"
    result = load_inputs([csv, Path("examples/../examples/./receivables.csv"), csv.resolve()])
    assert {r.source.rsplit(":", 1)[0] for r in result.records} == {str(csv)}
    assert not any(r.reason.startswith("duplicate invoice") for r in result.rejections)


def test_a_missing_path_given_twice_is_reported_once(tmp_path):
    (found,) = load_inputs([tmp_path / "nowhere.xml", tmp_path / "nowhere.xml"]).rejections
    assert found.reason == "no such file or directory"


def test_a_copy_of_an_invoice_file_is_still_rejected_as_a_duplicate(examples, tmp_path):
    invoice = examples / "ubl-voltmeer-VOL-2026-0117.xml"
    copy = tmp_path / "copy.xml"
    copy.write_bytes(invoice.read_bytes())
    result = load_inputs([invoice, copy])
    assert len(result.records) == 1
    (duplicate,) = result.rejections
    assert duplicate.reason == f"duplicate invoice: same seller and invoice number as {invoice}"


def test_summarize_lists_each_rejection_with_source_field_and_reason():
    result = LoadResult(
        rejections=[
            Rejection(
                "a.xml", "credit note (381): reduces a receivable, is not one", "document type"
            ),
            Rejection("b.csv:7", "unknown currency 'EUX': not an active ISO 4217 code", "currency"),
            Rejection("README.md", "not an invoice file (.md)"),
        ]
    )
    lines = summarize(result).splitlines()
    assert lines[0] == "0 receivable(s) read, 3 rejected"
    assert lines[2].split() == ["source", "field", "reason"]
    for line, rejection in zip(lines[4:], result.rejections, strict=True):
        assert line.startswith(rejection.source)
        assert f"  {rejection.field or '-'}  " in line
        assert line.endswith(rejection.reason)


def test_summarize_without_rejections_is_one_line():
    assert summarize(LoadResult()) == "0 receivable(s) read, 0 rejected"
