"""Reading UBL and CII e-invoices into receivable records, or rejections with a reason. Bad
input (malformed or truncated XML, namespaces, encodings, missing fields, bad amounts and
currencies) is in the corpus: tests/tooling/corpus, checked by test_corpus.py."""

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from paths import SHARED_DATA

from scfchain.einvoice import PartyIds, parse_einvoice, party_key, read_einvoice
from scfchain.records import ReceivableRecord, Rejection

SHARED = SHARED_DATA
EINVOICES = SHARED / "einvoices"


@pytest.fixture
def shared() -> Path:
    """The shared sample e-invoices, or skip when this checkout does not have them."""
    if not EINVOICES.is_dir():
        pytest.skip(f"shared sample e-invoices not found at {EINVOICES}")
    return EINVOICES


def record(path: Path) -> ReceivableRecord:
    outcome = parse_einvoice(path)
    assert isinstance(outcome, ReceivableRecord), outcome
    return outcome


def rejection(path: Path) -> Rejection:
    outcome = parse_einvoice(path)
    assert isinstance(outcome, Rejection), outcome
    return outcome


# --------------------------------------------------------------------------- small inputs

UBL_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<{p}Invoice xmlns{colon}{prefix}="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <b:ID>{number}</b:ID>
  <b:IssueDate>2026-03-01</b:IssueDate>
  {due}
  <b:InvoiceTypeCode>{type_code}</b:InvoiceTypeCode>
  <b:DocumentCurrencyCode>{currency}</b:DocumentCurrencyCode>
  <a:AccountingSupplierParty><a:Party>
    <a:PartyTaxScheme><b:CompanyID>NL 8591.234-56B01</b:CompanyID>
      <a:TaxScheme><b:ID>VAT</b:ID></a:TaxScheme></a:PartyTaxScheme>
    <a:PartyLegalEntity><b:RegistrationName>Voltmeer
        Elektronica B.V.</b:RegistrationName></a:PartyLegalEntity>
  </a:Party></a:AccountingSupplierParty>
  <a:AccountingCustomerParty><a:Party>
    <a:PartyLegalEntity><b:RegistrationName>Rheinwerk Fahrzeugbau AG</b:RegistrationName>
      <b:CompanyID schemeID="0204">HRB 4711</b:CompanyID></a:PartyLegalEntity>
  </a:Party></a:AccountingCustomerParty>
  {payee}
  {payment_means}
  <a:LegalMonetaryTotal>
    <b:PayableAmount currencyID="{amount_currency}">{amount}</b:PayableAmount>
  </a:LegalMonetaryTotal>
</{p}Invoice>
"""


def ubl_invoice(
    tmp_path: Path,
    *,
    number: str = "VOL-2026-0001",
    due: str = "<b:DueDate>2026-06-01</b:DueDate>",
    type_code: str = "380",
    currency: str = "EUR",
    amount: str = "1000.00",
    amount_currency: str | None = None,
    payee: str = "",
    payment_means: str = "",
    prefix: str = "",
    name: str = "invoice.xml",
    bom: bool = False,
) -> Path:
    """Write a small UBL invoice into tmp_path and return its path."""
    text = UBL_TEMPLATE.format(
        p=f"{prefix}:" if prefix else "",
        colon=":" if prefix else "",
        prefix=prefix,
        number=number,
        due=due,
        type_code=type_code,
        currency=currency,
        amount=amount,
        amount_currency=amount_currency or currency,
        payee=payee,
        payment_means=payment_means,
    )
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


CII_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<x:CrossIndustryInvoice xmlns:x="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:r="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:u="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <x:ExchangedDocument>
    <r:ID>FA-2026-0001</r:ID>
    <r:TypeCode>{type_code}</r:TypeCode>
    <r:IssueDateTime><u:DateTimeString format="102">20260301</u:DateTimeString></r:IssueDateTime>
  </x:ExchangedDocument>
  <x:SupplyChainTradeTransaction>
    <r:ApplicableHeaderTradeAgreement>
      <r:SellerTradeParty><r:Name>Ateliers du Doubs</r:Name>
        <r:SpecifiedTaxRegistration><r:ID schemeID="VA">FR61812345678</r:ID>
        </r:SpecifiedTaxRegistration></r:SellerTradeParty>
      <r:BuyerTradeParty><r:Name>Rheinwerk Fahrzeugbau AG</r:Name></r:BuyerTradeParty>
    </r:ApplicableHeaderTradeAgreement>
    <r:ApplicableHeaderTradeSettlement>
      <r:InvoiceCurrencyCode>EUR</r:InvoiceCurrencyCode>
      <r:SpecifiedTradePaymentTerms><r:DueDateDateTime>
        <u:DateTimeString format="102">{due}</u:DateTimeString>
      </r:DueDateDateTime></r:SpecifiedTradePaymentTerms>
      <r:SpecifiedTradeSettlementHeaderMonetarySummation>
        <r:DuePayableAmount>{amount}</r:DuePayableAmount>
      </r:SpecifiedTradeSettlementHeaderMonetarySummation>
    </r:ApplicableHeaderTradeSettlement>
  </x:SupplyChainTradeTransaction>
</x:CrossIndustryInvoice>
"""


def cii_invoice(
    tmp_path: Path, *, type_code: str = "380", due: str = "20260601", amount: str = "500.00"
) -> Path:
    """Write a small CII invoice into tmp_path and return its path."""
    path = tmp_path / "invoice-cii.xml"
    text = CII_TEMPLATE.format(type_code=type_code, due=due, amount=amount)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_ubl_invoice_becomes_a_record_in_minor_units(tmp_path):
    found = record(ubl_invoice(tmp_path))
    assert found.syntax == "UBL"
    assert found.invoice_number == "VOL-2026-0001"
    assert (found.issue_date, found.due_date) == (date(2026, 3, 1), date(2026, 6, 1))
    assert (found.currency, found.amount_minor) == ("EUR", 100000)


def test_a_vat_number_is_keyed_in_upper_case_without_spaces_dots_or_dashes(tmp_path):
    assert record(ubl_invoice(tmp_path)).seller.key == "VAT:NL859123456B01"


def test_a_party_name_spread_over_lines_is_collapsed_to_one_line(tmp_path):
    assert record(ubl_invoice(tmp_path)).seller.name == "Voltmeer Elektronica B.V."


def test_a_party_without_vat_number_is_keyed_by_its_registration_id(tmp_path):
    assert record(ubl_invoice(tmp_path)).buyer.key == "REG:0204:HRB 4711"


def test_an_invoice_number_is_whitespace_normalised(tmp_path):
    path = ubl_invoice(tmp_path, number="  VOL-2026\n   0001 ")
    assert record(path).invoice_number == "VOL-2026 0001"


def test_a_utf8_byte_order_mark_does_not_prevent_reading(tmp_path):
    assert record(ubl_invoice(tmp_path, bom=True)).amount_minor == 100000


def test_namespace_prefixes_do_not_matter_only_namespace_uris(tmp_path):
    prefixed = record(ubl_invoice(tmp_path, prefix="inv", name="prefixed.xml"))
    default = record(ubl_invoice(tmp_path, name="default.xml"))
    assert replace(prefixed, source="", document_hash=b"") == replace(
        default, source="", document_hash=b""
    )


def test_the_document_hash_is_the_sha256_of_the_file_bytes(tmp_path):
    path = ubl_invoice(tmp_path)
    assert record(path).document_hash == hashlib.sha256(path.read_bytes()).digest()


def test_a_file_that_is_not_xml_is_rejected_as_malformed(tmp_path):
    path = tmp_path / "scan.xml"
    path.write_bytes(b"%PDF-1.7 not xml at all")
    assert rejection(path).reason.startswith("malformed XML: ")


def test_xml_that_is_not_an_invoice_is_rejected_naming_its_root_element(tmp_path):
    path = tmp_path / "order.xml"
    path.write_text('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    assert rejection(path).reason == (
        "not an e-invoice: root element {urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order"
    )


def test_a_payable_amount_in_another_currency_than_the_document_is_rejected(tmp_path):
    found = rejection(ubl_invoice(tmp_path, currency="EUR", amount_currency="USD"))
    assert found.field == "PayableAmount"
    assert "USD" in found.reason and "EUR" in found.reason


def test_a_prepayment_invoice_is_a_receivable(tmp_path):
    assert record(ubl_invoice(tmp_path, type_code="386")).document_type == "386"


def test_a_partial_construction_invoice_is_a_receivable(tmp_path):
    assert record(ubl_invoice(tmp_path, type_code="875")).document_type == "875"


def test_a_proforma_invoice_is_rejected_naming_its_type_code(tmp_path):
    found = rejection(ubl_invoice(tmp_path, type_code="325"))
    assert found.field == "document type"
    assert "325" in found.reason and "proforma" in found.reason


def test_an_unknown_type_code_is_rejected_naming_the_code(tmp_path):
    found = rejection(ubl_invoice(tmp_path, type_code="999"))
    assert found.reason == "document type 999 is not an invoice type accepted as a receivable"


def test_a_factored_credit_note_type_code_on_an_invoice_is_rejected_as_a_credit_note(tmp_path):
    found = rejection(ubl_invoice(tmp_path, type_code="396"))
    assert found.reason == "credit note (396): reduces a receivable, is not one"


def test_the_payment_means_due_date_is_used_when_ubl_has_no_due_date(tmp_path):
    means = "<a:PaymentMeans><b:PaymentDueDate>2026-07-15</b:PaymentDueDate></a:PaymentMeans>"
    assert record(ubl_invoice(tmp_path, due="", payment_means=means)).due_date == date(2026, 7, 15)


def test_a_malformed_due_date_is_rejected_naming_the_field(tmp_path):
    found = rejection(ubl_invoice(tmp_path, due="<b:DueDate>2026-02-30</b:DueDate>"))
    assert found.field == "DueDate"
    assert "not a date: '2026-02-30'" in found.reason


def test_a_payee_that_is_the_seller_itself_is_not_reported(tmp_path):
    payee = "<a:PayeeParty><a:PartyName><b:Name>VOLTMEER Elektronica B.V.</b:Name></a:PartyName></a:PayeeParty>"
    assert record(ubl_invoice(tmp_path, payee=payee)).payee is None


def test_a_small_cii_invoice_becomes_a_record(tmp_path):
    found = record(cii_invoice(tmp_path))
    assert (found.syntax, found.seller.key, found.buyer.key) == (
        "CII",
        "VAT:FR61812345678",
        "NAME:rheinwerk fahrzeugbau ag",
    )
    assert (found.due_date, found.amount_minor) == (date(2026, 6, 1), 50000)


def test_a_cii_credit_note_type_code_is_rejected_as_a_credit_note(tmp_path):
    found = rejection(cii_invoice(tmp_path, type_code="381"))
    assert (found.field, found.reason) == (
        "document type",
        "credit note (381): reduces a receivable, is not one",
    )


def test_a_negative_cii_amount_is_rejected_as_a_correction(tmp_path):
    found = rejection(cii_invoice(tmp_path, amount="-500.00"))
    assert (found.field, found.reason) == (
        "DuePayableAmount",
        "negative payable amount: a correction, not a receivable",
    )


def test_a_cii_due_date_before_the_issue_date_is_rejected_naming_both(tmp_path):
    found = rejection(cii_invoice(tmp_path, due="20260215"))
    assert found.field == "DueDateDateTime"
    assert found.reason == "due date 2026-02-15 is before the issue date 2026-03-01"


def test_party_keys_prefer_vat_then_registration_then_address_then_ids_then_name():
    full = PartyIds(
        vat="de 123.456-789",
        legal_id="HRB 1",
        legal_scheme="0204",
        endpoint="a@b.de",
        endpoint_scheme="em",
        global_id="4000001000005",
        global_scheme="0088",
        local_id="K-17",
        name="Muster  GmbH",
    )
    assert party_key(full) == "VAT:DE123456789"
    assert party_key(replace(full, vat=None)) == "REG:0204:HRB 1"
    assert party_key(replace(full, vat=None, legal_id=None)) == "EP:EM:a@b.de"
    no_address = replace(full, vat=None, legal_id=None, endpoint=None)
    assert party_key(no_address) == "GID:0088:4000001000005"
    assert party_key(replace(no_address, global_id=None)) == "ID:K-17"
    assert party_key(replace(no_address, global_id=None, local_id=None)) == "NAME:muster gmbh"


def test_a_legal_entity_identifier_is_keyed_as_lei():
    ids = PartyIds(legal_id="529900t8bm49aursdo55", legal_scheme="0199")
    assert party_key(ids) == "LEI:529900T8BM49AURSDO55"


# --------------------------------------------------------------------------- shared samples


def test_ubl_example2_pays_801_78_norwegian_kroner_after_its_prepayment(shared):
    found = record(shared / "en16931-cef" / "ubl-tc434-example2.xml")
    assert (found.invoice_number, found.currency, found.amount_minor) == ("TOSL108", "NOK", 80178)
    assert (found.issue_date, found.due_date) == (date(2013, 6, 30), date(2013, 7, 20))
    assert found.seller.key == "VAT:NO123456789MVA"


def test_a_forint_amount_written_with_two_zero_decimals_is_read_in_filler(shared):
    found = record(shared / "en16931-cef" / "huf_example_cii.xml")
    assert (found.currency, found.amount_minor) == ("HUF", 8785900)
    assert found.invoice_number == "21/001003559/996"


def test_a_twelve_million_euro_payable_is_converted_exactly(shared):
    found = record(shared / "xrechnung-testsuite" / "02.01a-cvd_INVOICE_ubl.xml")
    assert found.amount_minor == 1282968750


@pytest.mark.parametrize(
    "name",
    [
        "peppol-bis-invoice-3/base-creditnote-correction.xml",
        "en16931-cef/BIS_Billing_30-Kreditering_med_kreditnota.xml",
        "en16931-cef/ubl-tc434-creditnote1.xml",
    ],
)
def test_a_credit_note_is_listed_with_a_reason_and_not_issued(shared, name):
    found = rejection(shared / name)
    assert (found.field, found.reason) == (
        "document type",
        "credit note (381): reduces a receivable, is not one",
    )


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("peppol-bis-invoice-3/base-negative-inv-correction.xml", "PayableAmount"),
        ("en16931-cef/BIS3_Invoice_negativ.XML", "PayableAmount"),
        ("mustangproject/valid_Avoir_FR_type380_minimum_factur-x.xml", "DuePayableAmount"),
    ],
)
def test_a_negative_payable_amount_is_rejected_as_a_correction(shared, name, field):
    found = rejection(shared / name)
    assert (found.field, found.reason) == (
        field,
        "negative payable amount: a correction, not a receivable",
    )


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("xrechnung-testsuite/01.01a-INVOICE_ubl.xml", "DueDate"),
        ("xrechnung-testsuite/01.01a-INVOICE_uncefact.xml", "DueDateDateTime"),
        ("xrechnung-testsuite/01.18a-INVOICE_ubl.xml", "DueDate"),
        ("xrechnung-testsuite/04.04a-INVOICE_ubl.xml", "DueDate"),
        ("peppol-bis-invoice-3/vat-category-E.xml", "DueDate"),
        ("en16931-cef/ubl-tc434-example7.xml", "DueDate"),
        ("en16931-cef/BIS_Billing_30-Forskott_(ej moms).xml", "DueDate"),
        ("mustangproject/factur-x-extended.xml", "DueDateDateTime"),
        ("mustangproject/facturFrMinimum.xml", "DueDateDateTime"),
    ],
)
def test_an_invoice_without_a_due_date_is_rejected_not_guessed(shared, name, field):
    found = rejection(shared / name)
    assert (found.field, found.reason) == (field, "no due date: a receivable needs a maturity")


def test_a_due_date_before_the_issue_date_is_rejected_naming_both_dates(shared):
    found = rejection(shared / "en16931-cef" / "CII_business_example_02.xml")
    assert found.field == "DueDateDateTime"
    assert found.reason == "due date 2013-05-10 is before the issue date 2013-08-25"


def test_the_ubl_and_cii_versions_of_invoice_01_01a_read_the_same(shared):
    ubl = read_einvoice(shared / "xrechnung-testsuite" / "01.01a-INVOICE_ubl.xml")
    cii = read_einvoice(shared / "xrechnung-testsuite" / "01.01a-INVOICE_uncefact.xml")
    assert not isinstance(ubl, Rejection) and not isinstance(cii, Rejection)
    assert (ubl.syntax, cii.syntax) == ("UBL", "CII")
    assert replace(ubl, syntax="") == replace(cii, syntax="")
    assert (ubl.seller.key, ubl.buyer.key) == ("VAT:DE123456789", "EP:EM:buyer@info.de")
    assert (ubl.invoice_number, ubl.issue_date, ubl.currency) == (
        "123456XX",
        date(2016, 4, 4),
        "EUR",
    )


def test_the_ubl_and_cii_versions_of_invoice_01_01a_are_rejected_for_the_same_reason(shared):
    ubl = rejection(shared / "xrechnung-testsuite" / "01.01a-INVOICE_ubl.xml")
    cii = rejection(shared / "xrechnung-testsuite" / "01.01a-INVOICE_uncefact.xml")
    assert ubl.reason == cii.reason == "no due date: a receivable needs a maturity"


def test_the_factoring_invoice_names_the_factor_as_payee(shared):
    found = record(shared / "en16931-cef" / "BIS_Billing_30-Factoring.xml")
    assert found.seller.name == "QVK Montage AB"
    assert found.payee is not None and found.payee.name == "Likviditet o. Finans AB"


def test_an_invoice_without_a_payee_has_none(shared):
    assert record(shared / "peppol-bis-invoice-3" / "base-example.xml").payee is None


def test_the_vat_number_is_chosen_among_several_tax_schemes(shared):
    found = record(shared / "en16931-cef" / "BIS_Billing_30-OmvandSkattskyldighet.xml")
    assert found.seller.key == "VAT:SE012345678901"


def test_an_escaped_ampersand_in_a_name_is_read_as_an_ampersand(shared):
    found = record(shared / "en16931-cef" / "BIS_Billing_30-OmvandSkattskyldighet.xml")
    assert found.seller.name == "Larm-, Lås- & Nyckelservice KB"


def test_a_vat_number_with_dots_gives_a_clean_key(shared):
    found = record(shared / "en16931-cef" / "ubl-tc434-example1.xml")
    assert found.seller.key == "VAT:NL820098395B01"


def test_mojibake_in_a_name_is_kept_as_it_is(shared):
    found = record(shared / "mustangproject" / "periods.ubl.xml")
    assert (found.buyer.name, found.currency, found.amount_minor) == ("Franz MÃ¼ller", "CHF", 148)


def test_a_multi_line_buyer_name_is_collapsed(shared):
    fields = read_einvoice(shared / "en16931-cef" / "sample-discount-price.xml")
    assert not isinstance(fields, Rejection)
    assert "\n" not in fields.buyer.name and "  " not in fields.buyer.name
    assert fields.buyer.name.startswith("HEP-OPERATOR DISTRIBUCIJSKOG SUSTAVA D.O.O. ZA")


def test_an_invoice_whose_buyer_is_the_seller_is_rejected(shared):
    found = rejection(shared / "en16931-cef" / "sample-discount-price.xml")
    assert found.field == "AccountingCustomerParty"
    assert found.reason.startswith("buyer and seller are the same party (VAT:HR46830600751)")


def test_a_self_billed_invoice_is_a_receivable_of_the_seller(shared):
    found = record(shared / "xrechnung-testsuite" / "01.20a-INVOICE_uncefact.xml")
    assert (found.document_type, found.seller.name, found.buyer.name) == (
        "389",
        "Betriebsstätte",
        "Kunde 1",
    )


def test_an_invoice_with_crlf_line_endings_is_read(shared):
    fields = read_einvoice(shared / "mustangproject" / "factur-x-extended.xml")
    assert not isinstance(fields, Rejection)
    assert fields.invoice_number == "KR87654321012"


def test_an_invoice_with_spaces_in_its_file_name_is_read(shared):
    found = record(shared / "en16931-cef" / "BIS_Billing_30-Valutor i faktura.xml")
    assert (found.currency, found.amount_minor) == ("USD", 11500000)


def test_a_credit_note_is_refused_as_such_even_when_another_field_is_malformed(tmp_path):
    path = tmp_path / "credit.xml"
    path.write_text(
        '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"'
        ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        "<cbc:ID>CN-1</cbc:ID><cbc:IssueDate>01.03.2026</cbc:IssueDate></CreditNote>"
    )
    found = rejection(path)
    assert (found.field, found.reason) == (
        "document type",
        "credit note (381): reduces a receivable, is not one",
    )


def test_a_ubl_due_date_of_9999_12_31_is_rejected_naming_the_field_not_crashing(tmp_path):
    found = rejection(ubl_invoice(tmp_path, due="<b:DueDate>9999-12-31</b:DueDate>"))
    assert (found.source, found.field) == (str(tmp_path / "invoice.xml"), "DueDate")
    assert found.reason.startswith(
        "due date 9999-12-31 is more than 100 years after the issue date 2026-03-01"
    )


def test_a_ubl_due_date_exactly_100_years_after_the_issue_date_is_accepted(tmp_path):
    found = record(ubl_invoice(tmp_path, due="<b:DueDate>2126-03-01</b:DueDate>"))
    assert found.due_date == date(2126, 3, 1)


def test_a_cii_due_date_of_99991231_is_rejected_naming_the_field(tmp_path):
    found = rejection(cii_invoice(tmp_path, due="99991231"))
    assert found.field == "DueDateDateTime"
    assert found.reason.startswith("due date 9999-12-31 is more than 100 years after")


UTF16_HINT = "not UTF-8 text (NUL bytes): UTF-16 without a byte-order mark? Save it as UTF-8"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_declared_utf8_is_rejected_with_a_hint(tmp_path, encoding):
    text = ubl_invoice(tmp_path).read_text("utf-8").replace("Voltmeer", "Voltmeer Groß")
    path = tmp_path / "utf16.xml"
    path.write_bytes(text.encode(encoding))
    found = rejection(path)
    assert (found.field, found.reason) == ("encoding", UTF16_HINT)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_declaring_utf16_is_read(tmp_path, encoding):
    text = ubl_invoice(tmp_path).read_text("utf-8").replace("Voltmeer", "Voltmeer Groß")
    path = tmp_path / "utf16.xml"
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(encoding))
    assert record(path).seller.name == "Voltmeer Groß Elektronica B.V."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_and_no_declaration_is_read(tmp_path, encoding):
    text = ubl_invoice(tmp_path).read_text("utf-8").split("?>", 1)[1].lstrip()
    path = tmp_path / "utf16.xml"
    bom = "\ufeff".encode(encoding)
    path.write_bytes(bom + text.replace("Voltmeer", "Voltmeer Groß").encode(encoding))
    assert record(path).seller.name == "Voltmeer Groß Elektronica B.V."


def test_utf16_with_a_byte_order_mark_declared_as_another_encoding_is_rejected_naming_both(
    tmp_path,
):
    text = ubl_invoice(tmp_path).read_text("utf-8").replace('encoding="UTF-8"', 'encoding="GBK"')
    path = tmp_path / "utf16.xml"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    found = rejection(path)
    assert found.field == "encoding"
    assert found.reason.startswith(
        "starts with a UTF-16 byte-order mark but the XML declaration says 'GBK'"
    )


def test_a_utf16_byte_order_mark_on_bytes_that_are_not_utf16_is_rejected_as_such(tmp_path):
    path = tmp_path / "odd.xml"
    path.write_bytes(b"\xff\xfe" + "<Invoice/>".encode("utf-16-le") + b"<")
    found = rejection(path)
    assert found.field == "encoding"
    assert found.reason.startswith(
        "not valid UTF-16 although it starts with a UTF-16 byte-order mark"
    )


def test_a_utf32_byte_order_mark_is_rejected_naming_utf32(tmp_path):
    path = tmp_path / "utf32.xml"
    path.write_bytes(ubl_invoice(tmp_path).read_text("utf-8").encode("utf-32"))
    found = rejection(path)
    assert (found.field, found.reason) == (
        "encoding",
        "UTF-32 (byte-order mark) is not read: save it as UTF-8",
    )
