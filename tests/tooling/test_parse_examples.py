"""The project's own example invoices: realistic inputs for the demo."""

from datetime import date
from pathlib import Path

import pytest
from paths import EXAMPLES

from scfchain.inputs import load_inputs
from scfchain.records import LoadResult

INVOICE_FILES = (".xml", ".csv")


@pytest.fixture(scope="module")
def examples() -> LoadResult:
    """The example invoices (XML and CSV) loaded once."""
    if not EXAMPLES.is_dir():
        pytest.skip("examples folder not found")
    files = [p for p in sorted(EXAMPLES.iterdir()) if p.suffix.lower() in INVOICE_FILES]
    return load_inputs(files)


def test_every_example_is_a_record_except_the_credit_note(examples):
    (credit_note,) = examples.rejections
    assert Path(credit_note.source).name == "ubl-creditnote-voltmeer-VOL-CN-2026-0009.xml"
    assert credit_note.reason == "credit note (381): reduces a receivable, is not one"
    assert len(examples.records) == 11


def test_the_examples_cover_ubl_cii_and_csv_in_several_currencies(examples):
    assert {r.syntax for r in examples.records} == {"UBL", "CII", "CSV"}
    assert {"EUR", "USD", "CNY"} <= {r.currency for r in examples.records}


def test_example_invoices_are_issued_in_2026_and_mature_in_60_to_180_days(examples):
    for record in examples.records:
        assert record.issue_date.year == 2026, record.source
        assert 60 <= (record.due_date - record.issue_date).days <= 180, record.source
        assert record.due_date <= date(2027, 12, 31)


def test_several_example_invoices_share_the_same_debtor(examples):
    debtors = [r.buyer.key for r in examples.records]
    assert debtors.count("VAT:DE298765432") >= 2


def test_a_sub_supplier_of_one_example_seller_is_itself_a_seller_to_the_same_debtor(examples):
    voltmeer, hengda, rheinwerk = (
        "VAT:NL859123456B01",
        "VAT:CN91330206MA2H3K7X1Q",
        "VAT:DE298765432",
    )
    pairs = {(r.seller.key, r.buyer.key) for r in examples.records}
    assert (voltmeer, rheinwerk) in pairs  # the receivable that can be split...
    assert (hengda, voltmeer) in pairs  # ...to its sub-supplier...
    assert (hengda, rheinwerk) in pairs  # ...who is itself a supplier of the same debtor


def test_the_csv_example_names_a_chinese_seller_in_utf8(examples):
    names = {r.seller.name for r in examples.records if r.syntax == "CSV"}
    assert "宁波恒达汽车零部件有限公司" in names
