"""Read structured e-invoices (UBL 2.1 and UN/CEFACT CII) into receivable records.

Supported syntaxes, recognised by the namespace URI of the root element (never by
prefix):

* UBL 2.1 ``Invoice`` (Peppol BIS Billing 3, XRechnung-UBL, EN 16931 UBL);
* UBL 2.1 ``CreditNote``, always rejected: a credit note reduces a receivable;
* UN/CEFACT ``CrossIndustryInvoice`` D16B (EN 16931 CII, Factur-X / ZUGFeRD 2.x of any
  profile, XRechnung-CII).

Reading happens in two steps. :func:`read_einvoice` extracts what the document says
into :class:`InvoiceFields`, mapping both syntaxes onto the same EN 16931 business
terms; :func:`parse_einvoice` then judges whether those fields make a receivable that
can be issued, and returns either a :class:`~scfchain.records.ReceivableRecord` or a
:class:`~scfchain.records.Rejection` naming the field (with the syntax's own element
name, e.g. ``PayableAmount`` for UBL and ``DuePayableAmount`` for CII).

Party keys
----------
A party is keyed by the first identifier found, in this order (the same order for the
seller, buyer and payee, and the same business terms in both syntaxes):

1. VAT identifier (BT-31 / BT-48; UBL ``PartyTaxScheme`` whose ``TaxScheme/ID`` is
   ``VAT``, CII ``SpecifiedTaxRegistration/ID[@schemeID='VA']``):
   ``VAT:`` + upper case with spaces, dots and dashes removed (``VAT:DE123456789``);
2. legal registration identifier (BT-30 / BT-47; UBL ``PartyLegalEntity/CompanyID``,
   CII ``SpecifiedLegalOrganization/ID``): ``LEI:<value>`` for scheme 0199 (LEI),
   otherwise ``REG:<scheme or empty>:<value>``;
3. electronic address (BT-34 / BT-49; UBL ``EndpointID``, CII
   ``URIUniversalCommunication/URIID``): ``EP:<scheme>:<value>``;
4. party identifier with a scheme (BT-29 / BT-46; UBL ``PartyIdentification/ID`` with
   ``schemeID``, CII ``GlobalID``): ``GID:<scheme>:<value>``;
5. party identifier without a scheme (UBL ``PartyIdentification/ID``, CII ``ID``):
   ``ID:<value>``;
6. the name, as a last resort: ``NAME:`` + name case-folded with whitespace collapsed.

Identifier values have their whitespace collapsed; schemes are upper-cased.

Due dates are taken only from the structured due-date elements, never guessed from
payment-terms text.

Encodings and namespaces
------------------------
See :func:`parse_xml`: UTF-8, UTF-16 (with a BOM, or detected by expat when there is no
declaration or it says UTF-16; BOM-less UTF-16 declared otherwise is refused with a hint to
save it as UTF-8), any encoding the XML declaration names
(GBK included, which expat cannot read itself), and GBK bytes under a missing or UTF-8
declaration when they are plausibly Chinese text; anything else is refused naming the
first bad byte. A root element in a wrong namespace or in none, and a child of the root
in a namespace that does not belong to the syntax, are refused naming both (field
``xmlns``), rather than reported as missing fields.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from scfchain.currencies import (
    AmountError,
    decimal_to_minor_units,
    face_value_problem,
    is_known_currency,
    parse_decimal,
    shown,
    unknown_currency_reason,
)
from scfchain.records import Party, ReceivableRecord, Rejection, due_date_problem

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
RSM_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT_NS = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

NAMESPACES: Mapping[str, str] = MappingProxyType(
    {
        "cbc": CBC_NS,
        "cac": CAC_NS,
        "rsm": RSM_NS,
        "ram": RAM_NS,
        "udt": UDT_NS,
    }
)

UBL_INVOICE_ROOT = f"{{{UBL_INVOICE_NS}}}Invoice"
UBL_CREDIT_NOTE_ROOT = f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote"
CII_ROOT = f"{{{RSM_NS}}}CrossIndustryInvoice"

# The documents read, by the local name of their root element: namespace and what it is.
ROOT_DOCUMENTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "Invoice": (UBL_INVOICE_NS, "UBL 2.1 Invoice"),
        "CreditNote": (UBL_CREDIT_NOTE_NS, "UBL 2.1 CreditNote"),
        "CrossIndustryInvoice": (RSM_NS, "UN/CEFACT CII D16B invoice"),
    }
)
# The namespaces the children of each root element may be in, and how a message names them.
_UBL_CHILDREN = (CBC_NS, CAC_NS, EXT_NS)
_UBL_CHILDREN_NAMED = (
    "...:CommonBasicComponents-2, ...:CommonAggregateComponents-2 or "
    "...:CommonExtensionComponents-2"
)
CHILD_NAMESPACES: Mapping[str, tuple[tuple[str, ...], str]] = MappingProxyType(
    {
        UBL_INVOICE_ROOT: (_UBL_CHILDREN, _UBL_CHILDREN_NAMED),
        UBL_CREDIT_NOTE_ROOT: (_UBL_CHILDREN, _UBL_CHILDREN_NAMED),
        CII_ROOT: ((RSM_NS,), RSM_NS),
    }
)

# UNTDID 1001 document types that claim a payment from the buyer: receivables.
RECEIVABLE_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "80": "debit note related to goods or services",
        "82": "metered services invoice",
        "84": "debit note related to financial adjustments",
        "326": "partial invoice",
        "380": "commercial invoice",
        "383": "debit note",
        "384": "corrected invoice",
        "385": "consolidated invoice",
        "386": "prepayment invoice",
        "387": "hire invoice",
        "388": "tax invoice",
        "389": "self-billed invoice",
        "394": "lease invoice",
        "395": "consignment invoice",
        "575": "insurer's invoice",
        "623": "forwarder's invoice",
        "751": "invoice information for accounting purposes",
        "780": "freight invoice",
        "875": "partial construction invoice",
        "876": "partial final construction invoice",
        "877": "final construction invoice",
    }
)

# UNTDID 1001 credit notes: they reduce a receivable, they are not one.
CREDIT_NOTE_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "81": "credit note related to goods or services",
        "83": "credit note related to financial adjustments",
        "261": "self billed credit note",
        "262": "consolidated credit note - goods and services",
        "296": "credit note for price variation",
        "308": "delcredere credit note",
        "381": "credit note",
        "396": "factored credit note",
        "420": "optical character reading (OCR) credit note",
        "458": "reimbursement credit note",
        "532": "forwarder's credit note",
    }
)

# Other invoice-like codes that are named in the rejection, with why they are refused.
REFUSED_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "71": "request for payment: a reminder about invoices, not a receivable itself",
        "325": "proforma invoice: not a claim for payment",
        "393": "factored invoice: already assigned to a factor, cannot be financed again",
    }
)

LEI_SCHEME = "0199"  # ISO 6523 ICD of the Legal Entity Identifier

_WHITESPACE = re.compile(r"\s+")
_VAT_NOISE = re.compile(r"[\s.\-]+")
_UBL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_CII_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_XML_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']"""
)
_XML_TEXT_ENCODING = re.compile(r"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be"})

# Hints appended to expat's messages.
_XML_HINTS: Mapping[str, str] = MappingProxyType(
    {
        "no element found": "the file is empty or cut short",
        "unclosed token": "the file is cut short",
        "unbound prefix": "a namespace prefix is used without its xmlns declaration",
        "mismatched tag": "an element is closed by another element's end tag",
        "limit on input amplification factor": "entity expansion refused",
    }
)


class FieldError(ValueError):
    """A value present in the document that cannot be read (a bad date, a bad number)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"[{field}] {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Terms:
    """The element names one syntax uses for the business terms named in rejections."""

    invoice_number: str
    document_type: str
    issue_date: str
    due_date: str
    currency: str
    payable_amount: str
    seller: str
    buyer: str


UBL_TERMS = Terms(
    invoice_number="ID",
    document_type="document type",
    issue_date="IssueDate",
    due_date="DueDate",
    currency="DocumentCurrencyCode",
    payable_amount="PayableAmount",
    seller="AccountingSupplierParty",
    buyer="AccountingCustomerParty",
)
CII_TERMS = Terms(
    invoice_number="ID",
    document_type="document type",
    issue_date="IssueDateTime",
    due_date="DueDateDateTime",
    currency="InvoiceCurrencyCode",
    payable_amount="DuePayableAmount",
    seller="SellerTradeParty",
    buyer="BuyerTradeParty",
)
TERMS: Mapping[str, Terms] = MappingProxyType({"UBL": UBL_TERMS, "CII": CII_TERMS})


@dataclass(frozen=True)
class InvoiceFields:
    """What an e-invoice says, normalised to EN 16931 business terms but not yet judged.

    ``None`` means the element is absent (or empty). The same invoice written in UBL and
    in CII gives equal fields apart from ``syntax``.
    """

    syntax: str  # "UBL" or "CII"
    document_type: str | None  # UNTDID 1001 code
    invoice_number: str | None
    issue_date: date | None
    due_dates: tuple[date, ...]  # distinct structured due dates, in document order
    currency: str | None
    payable_amount: Decimal | None
    payable_currency: str | None  # currencyID of the payable amount, else the document's
    seller: Party | None
    buyer: Party | None
    payee: Party | None


# --------------------------------------------------------------------------- text helpers


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace (newlines and indentation included) into one space."""
    return _WHITESPACE.sub(" ", text).strip()


def vat_key(vat_number: str) -> str:
    """``VAT:`` key of a VAT number: upper case, without spaces, dots and dashes.

    >>> vat_key("NL8200.98.395.B.01")
    'VAT:NL820098395B01'
    """
    return "VAT:" + _VAT_NOISE.sub("", vat_number).upper()


def name_key(name: str) -> str:
    """Last-resort ``NAME:`` key: the name case-folded with whitespace collapsed."""
    return "NAME:" + collapse_whitespace(name).casefold()


def in_gb2312(char: str) -> bool:
    """True when ``char`` is in GB2312: the 6,763 common hanzi, CJK punctuation, ASCII."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def decode_gbk(data: bytes) -> str | None:
    """``data`` decoded as GB18030 (a superset of GBK and GB2312), or None when it is not
    plausibly Chinese text.

    Almost any byte string decodes as GB18030, so decoding alone proves nothing: the
    Windows-1252 bytes of ``Müller`` decode to ``M黮ler``. A Latin-1 or Windows-1252
    accented letter is followed by an ASCII byte, which GBK reads as a rare extension
    character, never a GB2312 one. So the text is accepted only when at least half of its
    non-ASCII characters are in GB2312 and none is a control or private-use character.
    """
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [char for char in text if ord(char) > 0x7F]
    if any(unicodedata.category(char) in ("Cc", "Co", "Cn") for char in wide):
        return None
    common = sum(in_gb2312(char) for char in wide)
    return text if 2 * common >= len(wide) else None


def byte_position(data: bytes, offset: int) -> str:
    """``byte 0xFC at line 3, column 12`` for the byte at ``offset`` (1-based line and column)."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"byte 0x{data[offset]:02X} at line {line}, column {column}"


def _text(element: ET.Element | None) -> str | None:
    """Whitespace-collapsed text of an element, or None when absent or empty."""
    if element is None or element.text is None:
        return None
    value = collapse_whitespace(element.text)
    return value or None


def _attr(element: ET.Element | None, name: str) -> str | None:
    """Stripped attribute value, or None when absent or empty."""
    if element is None:
        return None
    value = (element.get(name) or "").strip()
    return value or None


def _find_text(element: ET.Element | None, path: str) -> str | None:
    """Text of the first element matching ``path`` (namespace prefixes from NAMESPACES)."""
    if element is None:
        return None
    return _text(element.find(path, NAMESPACES))


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True)
class PartyIds:
    """The identifiers and names a party element carries, in either syntax."""

    vat: str | None = None
    legal_id: str | None = None
    legal_scheme: str | None = None
    endpoint: str | None = None
    endpoint_scheme: str | None = None
    global_id: str | None = None
    global_scheme: str | None = None
    local_id: str | None = None
    name: str | None = None
    trading_name: str | None = None


def party_key(ids: PartyIds) -> str | None:
    """The normalised key of a party, by the preference order in the module docstring."""
    if ids.vat:
        return vat_key(ids.vat)
    if ids.legal_id:
        scheme = (ids.legal_scheme or "").upper()
        if scheme == LEI_SCHEME or scheme == "LEI":
            return "LEI:" + ids.legal_id.replace(" ", "").upper()
        return f"REG:{scheme}:{ids.legal_id}"
    if ids.endpoint:
        return f"EP:{(ids.endpoint_scheme or '').upper()}:{ids.endpoint}"
    if ids.global_id:
        return f"GID:{(ids.global_scheme or '').upper()}:{ids.global_id}"
    if ids.local_id:
        return f"ID:{ids.local_id}"
    name = ids.name or ids.trading_name
    return name_key(name) if name else None


def to_party(ids: PartyIds | None) -> Party | None:
    """A :class:`Party` from its identifiers, or None when it has neither id nor name."""
    if ids is None:
        return None
    key = party_key(ids)
    if key is None:
        return None
    return Party(key=key, name=ids.name or ids.trading_name or key)


def _first_id(
    elements: list[ET.Element], with_scheme: bool, scheme_attr: str = "schemeID"
) -> tuple[str | None, str | None]:
    """First (value, scheme) among ``elements`` with (or without) a scheme attribute."""
    for element in elements:
        value, scheme = _text(element), _attr(element, scheme_attr)
        if value and (scheme is not None) == with_scheme:
            return value, scheme
    return None, None


def _ubl_vat(party: ET.Element) -> str | None:
    """BT-31/BT-48: the PartyTaxScheme/CompanyID whose TaxScheme/ID is VAT."""
    for scheme in party.findall("cac:PartyTaxScheme", NAMESPACES):
        if (_find_text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
            value = _find_text(scheme, "cbc:CompanyID")
            if value:
                return value
    return None


def ubl_party_ids(party: ET.Element | None) -> PartyIds | None:
    """Identifiers of a UBL ``cac:Party`` (or ``cac:PayeeParty``) element."""
    if party is None:
        return None
    legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", NAMESPACES)
    endpoint = party.find("cbc:EndpointID", NAMESPACES)
    identifications = party.findall("cac:PartyIdentification/cbc:ID", NAMESPACES)
    global_id, global_scheme = _first_id(identifications, with_scheme=True)
    local_id, _ = _first_id(identifications, with_scheme=False)
    return PartyIds(
        vat=_ubl_vat(party),
        legal_id=_text(legal),
        legal_scheme=_attr(legal, "schemeID"),
        endpoint=_text(endpoint),
        endpoint_scheme=_attr(endpoint, "schemeID"),
        global_id=global_id,
        global_scheme=global_scheme,
        local_id=local_id,
        name=_find_text(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        trading_name=_find_text(party, "cac:PartyName/cbc:Name"),
    )


def _cii_vat(party: ET.Element) -> str | None:
    """BT-31/BT-48: SpecifiedTaxRegistration/ID with schemeID VA."""
    for element in party.findall("ram:SpecifiedTaxRegistration/ram:ID", NAMESPACES):
        if (_attr(element, "schemeID") or "").upper() == "VA" and _text(element):
            return _text(element)
    return None


def cii_party_ids(party: ET.Element | None) -> PartyIds | None:
    """Identifiers of a CII trade party (Seller/Buyer/PayeeTradeParty) element."""
    if party is None:
        return None
    legal = party.find("ram:SpecifiedLegalOrganization/ram:ID", NAMESPACES)
    endpoint = party.find("ram:URIUniversalCommunication/ram:URIID", NAMESPACES)
    global_id, global_scheme = _first_id(party.findall("ram:GlobalID", NAMESPACES), True)
    local_id, _ = _first_id(party.findall("ram:ID", NAMESPACES), with_scheme=False)
    return PartyIds(
        vat=_cii_vat(party),
        legal_id=_text(legal),
        legal_scheme=_attr(legal, "schemeID"),
        endpoint=_text(endpoint),
        endpoint_scheme=_attr(endpoint, "schemeID"),
        global_id=global_id,
        global_scheme=global_scheme,
        local_id=local_id,
        name=_find_text(party, "ram:Name"),
        trading_name=_find_text(party, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
    )


def distinct_payee(payee: Party | None, seller: Party | None) -> Party | None:
    """The payee when it is someone other than the seller (a factor), else None."""
    if payee is None or seller is None:
        return payee
    if payee.key == seller.key or name_key(payee.name) == name_key(seller.name):
        return None
    return payee


# --------------------------------------------------------------------------- values


def parse_ubl_date(text: str | None, field: str) -> date | None:
    """An xs:date (``YYYY-MM-DD``, optional time zone) as a date; None when absent."""
    if text is None:
        return None
    match = _UBL_DATE.fullmatch(text)
    if not match:
        raise FieldError(field, f"not a date: {shown(repr(text))} (expected YYYY-MM-DD)")
    return _make_date(int(match[1]), int(match[2]), int(match[3]), text, field)


def parse_cii_date(element: ET.Element | None, field: str) -> date | None:
    """A ``udt:DateTimeString`` of format 102 (``YYYYMMDD``) as a date; None when absent."""
    text = _text(element)
    if text is None:
        return None
    date_format = _attr(element, "format") or "102"
    if date_format != "102":
        raise FieldError(
            field, f"date format {date_format} is not a calendar day (expected 102, YYYYMMDD)"
        )
    match = _CII_DATE.fullmatch(text)
    if not match:
        raise FieldError(field, f"not a date: {shown(repr(text))} (expected format 102, YYYYMMDD)")
    return _make_date(int(match[1]), int(match[2]), int(match[3]), text, field)


def _make_date(year: int, month: int, day: int, text: str, field: str) -> date:
    """A date from its parts, or a FieldError naming the text."""
    try:
        return date(year, month, day)
    except ValueError as error:
        raise FieldError(field, f"not a date: {text!r} ({error})") from None


def parse_amount(text: str | None, field: str) -> Decimal | None:
    """A decimal amount (``xs:decimal`` text); None when absent."""
    if text is None:
        return None
    try:
        return parse_decimal(text)
    except AmountError as error:
        raise FieldError(field, str(error)) from None


def _distinct(values: list[date | None]) -> tuple[date, ...]:
    """Distinct non-None values, in first-seen order."""
    seen: list[date] = []
    for value in values:
        if value is not None and value not in seen:
            seen.append(value)
    return tuple(seen)


# --------------------------------------------------------------------------- syntaxes


def read_ubl(root: ET.Element) -> InvoiceFields:
    """Fields of a UBL 2.1 Invoice or CreditNote root element."""
    terms = UBL_TERMS
    due_texts = [_find_text(root, "cbc:DueDate")]
    if not any(due_texts):
        due_texts = [
            _text(e) for e in root.findall("cac:PaymentMeans/cbc:PaymentDueDate", NAMESPACES)
        ]
    payable = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NAMESPACES)
    currency = _find_text(root, "cbc:DocumentCurrencyCode")
    seller = to_party(ubl_party_ids(root.find("cac:AccountingSupplierParty/cac:Party", NAMESPACES)))
    return InvoiceFields(
        syntax="UBL",
        document_type=_document_type(root),
        invoice_number=_find_text(root, "cbc:ID"),
        issue_date=parse_ubl_date(_find_text(root, "cbc:IssueDate"), terms.issue_date),
        due_dates=_distinct([parse_ubl_date(t, terms.due_date) for t in due_texts]),
        currency=currency,
        payable_amount=parse_amount(_text(payable), terms.payable_amount),
        payable_currency=_attr(payable, "currencyID") or currency,
        seller=seller,
        buyer=to_party(
            ubl_party_ids(root.find("cac:AccountingCustomerParty/cac:Party", NAMESPACES))
        ),
        payee=distinct_payee(
            to_party(ubl_party_ids(root.find("cac:PayeeParty", NAMESPACES))), seller
        ),
    )


def read_cii(root: ET.Element) -> InvoiceFields:
    """Fields of a UN/CEFACT CrossIndustryInvoice root element."""
    terms = CII_TERMS
    document = root.find("rsm:ExchangedDocument", NAMESPACES)
    transaction = root.find("rsm:SupplyChainTradeTransaction", NAMESPACES)
    agreement = _child(transaction, "ram:ApplicableHeaderTradeAgreement")
    settlement = _child(transaction, "ram:ApplicableHeaderTradeSettlement")
    due_elements = (
        settlement.findall(
            "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", NAMESPACES
        )
        if settlement is not None
        else []
    )
    payable = _child(
        settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount"
    )
    issue = _child(document, "ram:IssueDateTime/udt:DateTimeString")
    currency = _find_text(settlement, "ram:InvoiceCurrencyCode")
    seller = to_party(cii_party_ids(_child(agreement, "ram:SellerTradeParty")))
    return InvoiceFields(
        syntax="CII",
        document_type=_document_type(root),
        invoice_number=_find_text(document, "ram:ID"),
        issue_date=parse_cii_date(issue, terms.issue_date),
        due_dates=_distinct([parse_cii_date(e, terms.due_date) for e in due_elements]),
        currency=currency,
        payable_amount=parse_amount(_text(payable), terms.payable_amount),
        payable_currency=_attr(payable, "currencyID") or currency,
        seller=seller,
        buyer=to_party(cii_party_ids(_child(agreement, "ram:BuyerTradeParty"))),
        payee=distinct_payee(
            to_party(cii_party_ids(_child(settlement, "ram:PayeeTradeParty"))), seller
        ),
    )


def _child(element: ET.Element | None, path: str) -> ET.Element | None:
    """First element matching ``path`` below ``element`` (None-safe)."""
    return None if element is None else element.find(path, NAMESPACES)


READERS: Mapping[str, Callable[[ET.Element], InvoiceFields]] = MappingProxyType(
    {
        UBL_INVOICE_ROOT: read_ubl,
        UBL_CREDIT_NOTE_ROOT: read_ubl,
        CII_ROOT: read_cii,
    }
)


# --------------------------------------------------------------------------- entry points


def read_einvoice(path: Path) -> InvoiceFields | Rejection:
    """Extract the fields of an e-invoice file without judging them.

    Returns a :class:`Rejection` when the file cannot be read, is not well-formed XML,
    is not a UBL or CII invoice, or holds a value that cannot be read (a malformed date
    or amount).
    """
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        return data
    return read_einvoice_bytes(data, str(path))


def parse_xml(data: bytes, source: str) -> ET.Element | Rejection:
    """The root element of an XML document, or a rejection saying why it cannot be read.

    Encodings: UTF-8 (with or without BOM), UTF-16 with a BOM (decoded here; a declaration
    naming another encoding is refused), UTF-16 without a BOM when the declaration says
    UTF-16 or is absent (expat detects it; otherwise refused with a hint to save it as
    UTF-8), and any encoding named in the XML declaration that Python knows (``GBK``,
    ``GB18030``, ``Big5``, ``Shift_JIS``, ``windows-1252`` ...). A document that is not valid UTF-8 although it declares no
    encoding (or declares UTF-8) is read as GBK when it is plausibly Chinese text (see
    :func:`decode_gbk`), and otherwise refused naming the first bad byte.
    """
    if not data.strip():
        return Rejection(source, "empty file", "XML")
    if data.startswith(_UTF32_BOMS):  # before UTF-16: FF FE 00 00 starts with FF FE
        return Rejection(
            source, "UTF-32 (byte-order mark) is not read: save it as UTF-8", "encoding"
        )
    if data.startswith(_UTF16_BOMS):
        return _parse_utf16(data, source)
    match = _XML_ENCODING.match(data)
    declared = match.group(1).decode("ascii", "replace").strip() if match else None
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        if looks_like_utf16(data):
            return _utf16_without_bom(source)
        reread = _reread_as_gbk(data, declared, source)
        return _malformed(error, source) if reread is None else reread
    except (ValueError, LookupError):  # expat reads neither multi-byte nor unknown codecs
        if looks_like_utf16(data):
            return _utf16_without_bom(source)
        return _parse_declared(data, declared or "", source)


def looks_like_utf16(data: bytes) -> bool:
    """A quarter or more of the bytes are NUL: UTF-16 text (ASCII markup is half NULs)."""
    return data.count(b"\x00") * 4 >= len(data)


def _utf16_without_bom(source: str) -> Rejection:
    """UTF-16 without a BOM that expat could not read: its declaration says another encoding
    (often UTF-8, kept by the tool that re-saved the file). Same hint as for CSV files."""
    return Rejection(
        source,
        "not UTF-8 text (NUL bytes): UTF-16 without a byte-order mark? Save it as UTF-8",
        "encoding",
    )


def _parse_utf16(data: bytes, source: str) -> ET.Element | Rejection:
    """A document that starts with a UTF-16 BOM: UTF-16, decoded here. An XML declaration
    naming another encoding contradicts the BOM and is refused (as expat would)."""
    try:
        text = data.decode("utf-16")  # the BOM gives the byte order, and is dropped
    except UnicodeDecodeError as error:
        return Rejection(
            source,
            "not valid UTF-16 although it starts with a UTF-16 byte-order mark "
            f"({error.reason} at byte {error.start})",
            "encoding",
        )
    match = _XML_TEXT_ENCODING.match(text)
    if match and _codec_name(match.group(1).strip()) not in _UTF16_CODECS:
        return Rejection(
            source,
            "starts with a UTF-16 byte-order mark but the XML declaration says "
            f"{match.group(1).strip()!r}: save it as UTF-8, or declare UTF-16",
            "encoding",
        )
    return _parse_text(text, source)


def _malformed(error: ET.ParseError, source: str) -> Rejection:
    """A rejection quoting expat's message, with a hint when there is one."""
    message = str(error)
    hint = next((h for key, h in _XML_HINTS.items() if message.startswith(key)), None)
    return Rejection(source, f"malformed XML: {message}" + (f" ({hint})" if hint else ""), "XML")


def _parse_text(text: str, source: str) -> ET.Element | Rejection:
    """Parse already decoded XML text (expat ignores its encoding declaration)."""
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        return _malformed(error, source)


def _parse_declared(data: bytes, declared: str, source: str) -> ET.Element | Rejection:
    """Decode with the declared encoding in Python, then parse the text."""
    try:
        codec = codecs.lookup(declared)
    except LookupError:
        return Rejection(
            source, f"unknown encoding {declared!r} in the XML declaration", "encoding"
        )
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as error:
        where = byte_position(data, error.start)
        return Rejection(source, f"not valid {declared} text: {where}", "encoding")
    return _parse_text(text, source)


def _reread_as_gbk(data: bytes, declared: str | None, source: str) -> ET.Element | Rejection | None:
    """For a document that should be UTF-8 but is not: GBK when plausible, else an encoding
    rejection. None when UTF-8 is not the problem (the XML itself is malformed)."""
    if declared and _codec_name(declared) != "utf-8":
        return None
    if data.startswith(_UTF16_BOMS) or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = decode_gbk(data)
        if text is not None:
            return _parse_text(text, source)
        said = "the XML declaration says UTF-8" if declared else "no encoding is declared"
        return Rejection(
            source,
            f"not UTF-8 ({byte_position(data, error.start)}) although {said}, and not GBK "
            "Chinese text either: save the file as UTF-8 or declare its encoding "
            '(e.g. <?xml version="1.0" encoding="windows-1252"?>)',
            "encoding",
        )
    return None


def _codec_name(encoding: str) -> str | None:
    """Python's name of an encoding (``"UTF8"`` -> ``"utf-8"``), None when unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def root_problem(root: ET.Element) -> tuple[str | None, str] | None:
    """(field, reason) when a root element is not a UBL or CII invoice read here (a wrong
    or missing namespace named, field ``xmlns``), or None when it is one."""
    if root.tag in READERS:
        allowed, named = CHILD_NAMESPACES[root.tag]
        for child in root:
            namespace, local = _split_tag(child.tag)
            if namespace not in allowed:
                where = f"namespace {namespace!r}" if namespace else "no namespace"
                return (
                    "xmlns",
                    f"element {local} is in {where}, expected {named}: a wrong namespace URI?",
                )
        return None
    namespace, local = _split_tag(root.tag)
    if local in ROOT_DOCUMENTS:
        expected, name = ROOT_DOCUMENTS[local]
        if namespace is None:
            return (
                "xmlns",
                f'root element {local} has no namespace: a {name} needs xmlns="{expected}"',
            )
        return (
            "xmlns",
            f"root element {local} is in namespace {namespace!r}; a {name} is in {expected!r}",
        )
    if local == "CrossIndustryDocument":
        return None, (
            "ZUGFeRD 1.0 (CrossIndustryDocument) is not read: use ZUGFeRD 2.x, Factur-X or "
            "XRechnung (CrossIndustryInvoice)"
        )
    return None, f"not an e-invoice: root element {root.tag}"


def _split_tag(tag: str) -> tuple[str | None, str]:
    """(namespace or None, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def read_einvoice_bytes(data: bytes, source: str) -> InvoiceFields | Rejection:
    """Extract the fields of an e-invoice given as bytes; ``source`` names it in rejections."""
    root = parse_xml(data, source)
    if isinstance(root, Rejection):
        return root
    problem = root_problem(root)
    if problem is not None:
        field, reason = problem
        return Rejection(source, reason, field)
    reader = READERS[root.tag]
    try:
        return reader(root)
    except FieldError as error:
        # A credit note is refused as such, whatever else is wrong with it.
        type_problem = document_type_problem(_document_type(root))
        if type_problem:
            return Rejection(source, type_problem, "document type")
        return Rejection(source, error.reason, error.field)


def _document_type(root: ET.Element) -> str | None:
    """The UNTDID 1001 type code of a UBL or CII root element (381 for a bare CreditNote)."""
    if root.tag == UBL_CREDIT_NOTE_ROOT:
        return _find_text(root, "cbc:CreditNoteTypeCode") or "381"
    if root.tag == UBL_INVOICE_ROOT:
        return _find_text(root, "cbc:InvoiceTypeCode")
    return _find_text(root, "rsm:ExchangedDocument/ram:TypeCode")


def parse_einvoice(path: Path) -> ReceivableRecord | Rejection:
    """Read one UBL or CII e-invoice file into a receivable record, or say why not.

    The record's ``document_hash`` is the sha256 of the file's raw bytes.
    """
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        return data
    fields = read_einvoice_bytes(data, str(path))
    if isinstance(fields, Rejection):
        return fields
    return judge(fields, str(path), hashlib.sha256(data).digest())


def _read_bytes(path: Path) -> bytes | Rejection:
    """The raw bytes of a file, or a rejection saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        return Rejection(str(path), f"cannot read file: {error.strerror or error}")


def judge(fields: InvoiceFields, source: str, document_hash: bytes) -> ReceivableRecord | Rejection:
    """Decide whether extracted fields make an issuable receivable.

    Checks, in order: document type, invoice number, issue date, currency, payable
    amount (readable in the currency, positive), due date (present, single, not before
    the issue date nor more than 100 years after it, not after 9998-12-31: see
    :func:`~scfchain.records.due_date_problem`), seller and buyer (present, and not the same
    party: nobody can owe money to itself).
    """
    terms = TERMS[fields.syntax]

    def reject(field: str, reason: str) -> Rejection:
        return Rejection(source, reason, field)

    type_problem = document_type_problem(fields.document_type)
    if type_problem:
        return reject(terms.document_type, type_problem)
    if not fields.invoice_number:
        return reject(terms.invoice_number, "no invoice number")
    if fields.issue_date is None:
        return reject(terms.issue_date, "no issue date")
    currency = fields.currency
    if currency is None:
        return reject(terms.currency, "no invoice currency")
    if not is_known_currency(currency):
        return reject(terms.currency, unknown_currency_reason(currency))
    amount = _judge_amount(fields, currency, terms)
    if isinstance(amount, tuple):
        return reject(*amount)
    due = _judge_due_date(fields.due_dates, fields.issue_date, terms)
    if isinstance(due, tuple):
        return reject(*due)
    if fields.seller is None:
        return reject(terms.seller, "no seller identifier or name")
    if fields.buyer is None:
        return reject(terms.buyer, "no buyer identifier or name")
    if fields.buyer.key == fields.seller.key:
        return reject(
            terms.buyer, f"buyer and seller are the same party ({fields.seller.key}): no receivable"
        )
    return ReceivableRecord(
        source=source,
        syntax=fields.syntax,
        invoice_number=fields.invoice_number,
        document_type=fields.document_type or "",
        seller=fields.seller,
        buyer=fields.buyer,
        issue_date=fields.issue_date,
        due_date=due,
        currency=currency,
        amount_minor=amount,
        document_hash=document_hash,
        payee=fields.payee,
    )


def document_type_problem(code: str | None) -> str | None:
    """Why a UNTDID 1001 document type is not a receivable, or None when it is one."""
    if code is None:
        return "no document type code"
    if code in RECEIVABLE_TYPE_CODES:
        return None
    if code in CREDIT_NOTE_TYPE_CODES:
        return f"credit note ({code}): reduces a receivable, is not one"
    if code in REFUSED_TYPE_CODES:
        return f"document type {code}, {REFUSED_TYPE_CODES[code]}"
    return f"document type {code} is not an invoice type accepted as a receivable"


def _judge_amount(fields: InvoiceFields, currency: str, terms: Terms) -> int | tuple[str, str]:
    """The payable amount in minor units, or a (field, reason) problem."""
    field = terms.payable_amount
    if fields.payable_amount is None:
        return field, "no payable amount"
    if fields.payable_currency is not None and fields.payable_currency != currency:
        return field, (
            f"payable amount is in {fields.payable_currency} but the invoice currency is {currency}"
        )
    try:
        minor = decimal_to_minor_units(fields.payable_amount, currency)
    except AmountError as error:
        return field, str(error)
    problem = face_value_problem(minor)
    return (field, problem) if problem else minor


def _judge_due_date(
    due_dates: tuple[date, ...], issue_date: date, terms: Terms
) -> date | tuple[str, str]:
    """The single due date, or a (field, reason) problem."""
    field = terms.due_date
    if not due_dates:
        return field, "no due date: a receivable needs a maturity"
    if len(due_dates) > 1:
        listed = ", ".join(d.isoformat() for d in due_dates)
        return field, f"several due dates ({listed}): instalments are not supported"
    due = due_dates[0]
    problem = due_date_problem(issue_date, due)
    return (field, problem) if problem else due
