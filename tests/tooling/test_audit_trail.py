"""The audit trail (`scf audit`) and document look-up (`scf verify`), from chain events alone.

The module drives a known story through the SDK on a fresh local chain and writes down what it
did: receivable A is registered, confirmed, gets a delivery note anchored, is split to a
sub-supplier, financed, repaid and redeemed by every holder; receivable B is registered and
confirmed with the debtor's signature and defaults; receivable C carries HTML in its currency
code. The tests rebuild the history from the chain and compare it, event by event, with that
record, then check the JSON, CSV and HTML outputs and `scf verify`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from eth_utils import keccak
from scf_testnet import party_signer, start_testnet
from web3 import Web3

from scfchain.audit import AuditTrail, audit_deployment
from scfchain.audit_describe import describe
from scfchain.audit_html import render_html
from scfchain.cli import main as scf
from scfchain.demo import advance_to
from scfchain.inputs import load_file
from scfchain.journal import Journal
from scfchain.records import Party, fingerprint, fingerprint_hex
from scfchain.sdk import ScfClient, Terms
from scfchain.suite import DEFAULT_GRACE_PERIOD

DAY = 86_400
SUB = Party("VAT:DE333333333", "Sub-supplier KG")
BANK = Party("LEI:BANK0000000000000001", "Bank")
FACE_A = 1_000_000  # 10,000.00 EUR
SPLIT_A = 300_000
FINANCED_A = 560_000
FACE_B = 250_050  # 2,500.50 EUR
INVOICE_A = "AUD-2026-0001"
DELIVERY_NOTE = b"Delivery note DN-77 for AUD-2026-0001: 40 cable drums, received in full.\n"
ZERO = "0x" + "00" * 20


@dataclass
class Done:
    """One event the test caused: which receivable, which event, sent by whom, in which
    transaction, and the amount it carries (None when the event has none)."""

    receivable: int
    event: str
    actor: str
    transaction: str
    amount: int | None
    args: dict = field(default_factory=dict)


@dataclass
class Story:
    client: ScfClient
    rpc: str
    manifest: Path
    ids: dict[str, int]
    done: list[Done]
    parties: dict[str, Party]
    addresses: dict[str, str]
    invoice_csv: Path
    delivery_note: Path
    anchored_at: int
    anchor_tx: str

    def did(self, name: str) -> list[tuple[str, str, str, int | None]]:
        rid = self.ids[name]
        return [
            (d.event, d.actor, d.transaction, d.amount) for d in self.done if d.receivable == rid
        ]


def last_tx(client: ScfClient) -> str:
    """The transaction of the latest block (the node mines one transaction per block)."""
    block = client.w3.eth.get_block("latest")
    assert len(block["transactions"]) == 1
    return "0x" + bytes(block["transactions"][0]).hex()


def write_invoice_csv(path: Path, issue: str, due: str) -> Path:
    path.write_text(
        "invoice_number,seller_id,seller_name,buyer_id,buyer_name,issue_date,due_date,currency,amount\n"
        f"{INVOICE_A},VAT:DE111111111,Supplier GmbH,VAT:DE222222222,Debtor AG,{issue},{due},EUR,10000.00\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    folder = tmp_path_factory.mktemp("audit")
    net = start_testnet(folder)
    try:
        yield tell_story(net, folder)
    finally:
        net.node.stop()


def tell_story(net, folder: Path) -> Story:
    client = net.client()
    op = net.operator
    from datetime import UTC, datetime, timedelta

    today = datetime.fromtimestamp(client.now(), UTC).date()
    invoice_csv = write_invoice_csv(
        folder / "invoices.csv", today.isoformat(), (today + timedelta(days=90)).isoformat()
    )
    record = load_file(invoice_csv).records[0]
    parties = {"supplier": record.seller, "debtor": record.buyer, "sub": SUB, "bank": BANK}
    roles = {"supplier": "SUPPLIER", "debtor": "DEBTOR", "sub": "SUPPLIER", "bank": "FINANCIER"}
    signers = {name: party_signer(p) for name, p in parties.items()}
    a = {name: s.address for name, s in signers.items()}
    for name, signer in signers.items():
        client.admit(op, signer.address, parties[name].key, [roles[name]])
        client.chain.wait(client.chain.send_value(op.account, signer.address, 10**19))
    client.set_credit_line(op, a["debtor"], 10 * FACE_A)
    client.set_exposure_limit(signers["bank"], a["debtor"], 10 * FACE_A)
    eur = client.suite.token("EUR")
    for holder in ("debtor", "bank"):
        client.transact(op, eur.functions.mint(a[holder], 10 * FACE_A))
        client.approve_settlement(signers[holder], "EUR")

    supplier, debtor, sub, bank = (signers[n] for n in ("supplier", "debtor", "sub", "bank"))
    done: list[Done] = []

    def did(rid: int, *events: tuple[str, str, int | None]) -> None:
        tx = last_tx(client)
        done.extend(Done(rid, event, actor, tx, amount) for event, actor, amount in events)

    # A: register, confirm, anchor a delivery note, split, finance, (later) repay and redeem.
    terms_a = Terms.from_record(record, a["debtor"])
    rid_a = client.register(supplier, terms_a)
    did(rid_a, ("ReceivableRegistered", a["supplier"], FACE_A))
    client.confirm(debtor, rid_a)
    did(rid_a, ("ReceivableConfirmed", a["debtor"], None), ("TransferSingle", a["debtor"], FACE_A))
    note = folder / "delivery-note.txt"
    note.write_bytes(DELIVERY_NOTE)
    anchor = client.suite.anchor.functions.anchor(
        rid_a, hashlib.sha256(DELIVERY_NOTE).digest(), b"delivery-note".ljust(32, b"\0")
    )
    client.transact(supplier, anchor)
    did(rid_a, ("DocumentAnchored", a["supplier"], None))
    anchored_at, anchor_tx = client.now(), last_tx(client)
    client.split(supplier, a["sub"], rid_a, SPLIT_A)
    did(rid_a, ("TransferSingle", a["supplier"], SPLIT_A))
    request_id = client.request_financing(supplier, rid_a, FINANCED_A, a["bank"])
    did(
        rid_a,
        ("FinancingRequested", a["supplier"], FINANCED_A),
        ("TransferSingle", a["supplier"], FINANCED_A),
    )
    approved = client.approve_financing(bank, request_id)
    did(
        rid_a,
        ("FinancingApproved", a["bank"], FINANCED_A),
        ("TransferSingle", a["bank"], FINANCED_A),
    )
    assert approved.proceeds < FINANCED_A

    # B: registered and confirmed in one transaction with the debtor's signature; defaults.
    terms_b = Terms(
        fingerprint(record.seller.key, "AUD-2026-0002"), a["debtor"], FACE_B, "EUR",
        client.now() + 10 * DAY, Web3.keccak(text="AUD-2026-0002"),
    )  # fmt: skip
    rid_b = client.register_and_confirm(supplier, terms_b, debtor=debtor)
    did(
        rid_b,
        ("ReceivableRegistered", a["supplier"], FACE_B),
        ("ReceivableConfirmed", a["supplier"], None),
        ("TransferSingle", a["supplier"], FACE_B),
    )
    advance_to(client.chain, terms_b.due_date + DEFAULT_GRACE_PERIOD + DAY)
    client.transact(bank, client.escrow.functions.recordDefault(rid_b))
    did(rid_b, ("DefaultRecorded", a["bank"], FACE_B), ("StatusChanged", a["bank"], None))

    # A again: the debtor repays in full before the due date; every holder redeems.
    client.repay(debtor, rid_a, FACE_A)
    did(rid_a, ("Repaid", a["debtor"], FACE_A), ("StatusChanged", a["debtor"], None))
    shares = {"supplier": FACE_A - SPLIT_A - FINANCED_A, "sub": SPLIT_A, "bank": FINANCED_A}
    for name, share in shares.items():
        client.redeem(signers[name], rid_a)
        did(rid_a, ("Redeemed", a[name], share), ("TransferSingle", a[name], share))
    did(rid_a, ("StatusChanged", a["bank"], None))  # the last redemption retires it

    # C: markup in the currency code, as a hostile supplier could register it.
    terms_c = Terms(
        fingerprint(record.seller.key, "AUD-2026-0003"), a["debtor"], 1, "<i>",
        client.now() + 30 * DAY, Web3.keccak(text="AUD-2026-0003"),
    )  # fmt: skip
    rid_c = client.register(supplier, terms_c)
    did(rid_c, ("ReceivableRegistered", a["supplier"], 1))

    # D and E: confirmed, then moved together to the sub-supplier in one batch transfer.
    batch = {}
    for name, face in (("D", 40_000), ("E", 60_000)):
        terms = Terms(
            fingerprint(record.seller.key, f"AUD-2026-01{name}"), a["debtor"], face, "EUR",
            client.now() + 60 * DAY, Web3.keccak(text=f"AUD-2026-01{name}"),
        )  # fmt: skip
        batch[name] = client.register_and_confirm(supplier, terms, debtor=debtor)
        did(
            batch[name],
            ("ReceivableRegistered", a["supplier"], face),
            ("ReceivableConfirmed", a["supplier"], None),
            ("TransferSingle", a["supplier"], face),
        )
    moved = {"D": 10_000, "E": 25_000}
    call = client.registry.functions.safeBatchTransferFrom(
        a["supplier"], a["sub"], [batch["D"], batch["E"]], [moved["D"], moved["E"]], b""
    )
    client.transact(supplier, call)
    for name in "DE":
        did(batch[name], ("TransferBatch", a["supplier"], moved[name]))

    return Story(
        client=client, rpc=net.node.url, manifest=net.manifest,
        ids={"A": rid_a, "B": rid_b, "C": rid_c, **batch}, done=done, parties=parties, addresses=a,
        invoice_csv=invoice_csv, delivery_note=note, anchored_at=anchored_at, anchor_tx=anchor_tx,
    )  # fmt: skip


@pytest.fixture(scope="module")
def trail(story) -> AuditTrail:
    c = story.client
    return audit_deployment(c.chain, c.suite, c.deployment)


def rebuilt(trail: AuditTrail, rid: int) -> list[tuple[str, str, str, int | None]]:
    receivable = next(r for r in trail.receivables if r.id == rid)
    return [
        (e.event, e.actor, e.transaction, describe(e, receivable.currency).amount)
        for e in receivable.events
    ]


def chain_args(story: Story) -> list[str]:
    return ["--rpc", story.rpc, "--manifest", str(story.manifest)]


# --- the history, event by event ----------------------------------------------------------------


def test_the_history_of_the_repaid_receivable_is_what_the_test_did_event_by_event(story, trail):
    assert rebuilt(trail, story.ids["A"]) == story.did("A")


def test_the_history_of_the_defaulted_receivable_is_what_the_test_did_event_by_event(story, trail):
    assert rebuilt(trail, story.ids["B"]) == story.did("B")


def test_a_batch_transfer_shows_in_the_history_of_each_receivable_it_moves(story, trail):
    for name in "DE":
        assert rebuilt(trail, story.ids[name]) == story.did(name)
        last = next(r for r in trail.receivables if r.id == story.ids[name]).events[-1]
        assert (last.args["from"], last.args["to"]) == (
            story.addresses["supplier"],
            story.addresses["sub"],
        )


def test_a_receivable_id_unknown_to_the_chain_has_status_none_and_an_empty_timeline(story):
    c = story.client
    unknown = int.from_bytes(keccak(text="never registered"), "big")
    (receivable,) = audit_deployment(c.chain, c.suite, c.deployment, [unknown]).receivables
    assert (receivable.terms.status, receivable.events) == ("None", [])


def test_every_receivable_the_test_touched_is_in_the_trail_and_no_other(story, trail):
    assert sorted(r.id for r in trail.receivables) == sorted(story.ids.values())


def test_statuses_along_the_timeline_follow_the_lifecycle(story, trail):
    a = next(r for r in trail.receivables if r.id == story.ids["A"])
    statuses = [describe(e, "EUR").status_after for e in a.events]
    assert [s for s in statuses if s] == ["Registered", "Confirmed", "Repaid", "Retired"]


def test_the_units_move_from_supplier_to_sub_supplier_escrow_and_financier_then_burn(story, trail):
    a = next(r for r in trail.receivables if r.id == story.ids["A"])
    supplier, sub, bank = (story.addresses[n] for n in ("supplier", "sub", "bank"))
    escrow = story.client.escrow.address
    moves = [
        (e.args["from"], e.args["to"], e.args["value"])
        for e in a.events
        if e.event == "TransferSingle"
    ]
    kept = FACE_A - SPLIT_A - FINANCED_A
    assert moves == [
        (ZERO, supplier, FACE_A), (supplier, sub, SPLIT_A), (supplier, escrow, FINANCED_A),
        (escrow, bank, FINANCED_A), (supplier, ZERO, kept), (sub, ZERO, SPLIT_A),
        (bank, ZERO, FINANCED_A),
    ]  # fmt: skip


def test_each_event_carries_the_block_and_the_block_time_of_its_transaction(story, trail):
    w3 = story.client.w3
    for receivable in trail.receivables:
        for e in receivable.events:
            receipt = w3.eth.get_transaction_receipt(e.transaction)
            assert e.block == receipt["blockNumber"]
            assert e.timestamp == w3.eth.get_block(e.block)["timestamp"]
        order = [(e.block, e.log_index) for e in receivable.events]
        assert order == sorted(order)


def test_the_terms_come_from_the_chain_with_the_status_now(story, trail):
    a, b = (next(r for r in trail.receivables if r.id == story.ids[n]) for n in "AB")
    assert (a.terms.supplier, a.terms.debtor) == (
        story.addresses["supplier"],
        story.addresses["debtor"],
    )
    assert (a.terms.face_value, a.terms.currency, a.terms.status) == (FACE_A, "EUR", "Retired")
    assert (b.terms.face_value, b.terms.status) == (FACE_B, "Defaulted")
    record = load_file(story.invoice_csv).records[0]
    assert a.terms.due_date == record.due_timestamp
    assert a.terms.document_hash == "0x" + record.document_hash.hex()


def test_each_actor_is_known_by_its_party_id_hash_and_roles(story, trail):
    for name, role in (("supplier", "SUPPLIER"), ("debtor", "DEBTOR"), ("bank", "FINANCIER")):
        member = trail.members[story.addresses[name]]
        assert member.party_id_hash == "0x" + keccak(text=story.parties[name].key).hex()
        assert member.roles == (role,)


def test_the_audit_of_one_receivable_holds_only_its_events(story):
    c = story.client
    one = audit_deployment(c.chain, c.suite, c.deployment, [story.ids["B"]])
    assert [r.id for r in one.receivables] == [story.ids["B"]]
    assert rebuilt(one, story.ids["B"]) == story.did("B")


# --- JSON and CSV -------------------------------------------------------------------------------


def test_scf_audit_json_lists_each_event_with_actor_amount_block_transaction_and_time(
    story, tmp_path, capsys
):
    out = tmp_path / "audit.json"
    assert (
        scf(["audit", *chain_args(story), fingerprint_hex(story.ids["A"]), "--out", str(out)]) == 0
    )
    report = json.loads(out.read_text())
    (a,) = report["receivables"]
    assert a["id"] == fingerprint_hex(story.ids["A"]) and a["terms"]["status"] == "Retired"
    got = [(e["event"], e["actor"], e["transaction"], e["amount"]) for e in a["events"]]
    assert got == story.did("A")
    assert all(e["block"] > 0 and e["time_utc"].endswith("UTC") for e in a["events"])
    assert report["block_range"]["to"] >= max(e["block"] for e in a["events"])


def test_scf_audit_csv_has_one_row_per_event_with_the_amount_in_major_units(story, tmp_path):
    out = tmp_path / "audit.csv"
    assert scf(["audit", *chain_args(story), "--csv", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for name in "AB":
        mine = [r for r in rows if r["receivable_id"] == fingerprint_hex(story.ids[name])]
        expected = story.did(name)
        assert [(r["event"], r["actor"], r["transaction"]) for r in mine] == [
            d[:3] for d in expected
        ]
        assert [int(r["seq"]) for r in mine] == list(range(1, len(expected) + 1))
    registered = next(r for r in rows if r["receivable_id"] == fingerprint_hex(story.ids["A"]))
    assert (registered["amount_minor"], registered["amount"]) == ("1000000", "10,000.00 EUR")
    assert registered["actor_roles"] == "SUPPLIER"


# --- the HTML page ------------------------------------------------------------------------------


class Page(HTMLParser):
    """What an auditor's browser would show: per receivable section, its timeline's events."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.timelines: dict[str, list[str]] = {}
        self.current: str | None = None
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section" and a.get("data-receivable"):
            self.current = a["data-receivable"]
        if tag == "ol" and a.get("class") == "timeline" and self.current:
            self.timelines[self.current] = []
        if tag == "li" and a.get("data-event") and self.current:
            self.timelines[self.current].append(a["data-event"])
        self.links += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def html_page(story, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "audit.html"
    assert scf(["audit", *chain_args(story), "--html", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_the_html_page_has_a_timeline_for_every_receivable_with_each_of_its_events(
    story, trail, html_page
):
    page = parse(html_page)
    assert page.timelines == {
        fingerprint_hex(r.id): [e.event for e in r.events] for r in trail.receivables
    }


def test_the_html_page_is_self_contained_without_script_or_external_asset(html_page):
    page = parse(html_page)
    assert "style" in page.tags and "script" not in page.tags
    assert page.links and all(link.startswith("#r-0x") for link in page.links)


def test_the_html_page_shows_the_summary_and_amounts_with_their_currency(story, html_page):
    text = " ".join(parse(html_page).text)
    assert "Chain id" in text and "Blocks read" in text and "Generated at" in text
    assert story.client.registry.address in text and story.client.escrow.address in text
    assert "10,000.00 EUR" in text and "2,500.50 EUR" in text
    assert "the chain is the source of truth" in text


def test_the_html_page_escapes_markup_from_the_chain(story, html_page):
    assert "<i>" not in html_page
    assert "&lt;i&gt;" in html_page


def test_the_html_page_escapes_markup_from_the_journal(story, trail):
    hostile = '<script>alert("x")</script>'
    for receivable in trail.receivables:
        receivable.notes = {"invoice_number": hostile, "source": "a&b.csv"}
    try:
        html = render_html(trail)
    finally:
        for receivable in trail.receivables:
            receivable.notes = {}
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "a&amp;b.csv" in html


def test_a_journal_adds_source_file_and_invoice_number_as_off_chain_notes(story, tmp_path):
    journal_path = tmp_path / "issue.sqlite"
    with Journal(journal_path) as journal:
        row = f"{story.invoice_csv}:2"
        journal.plan(
            [("0x" + story.ids["A"].to_bytes(32, "big").hex(), row, story.addresses["supplier"])]
        )
    out = tmp_path / "audit.json"
    args = ["audit", *chain_args(story), "--journal", str(journal_path), "--out", str(out)]
    assert scf(args) == 0
    notes = {r["id"]: r["off_chain"] for r in json.loads(out.read_text())["receivables"]}
    assert notes[fingerprint_hex(story.ids["A"])]["invoice_number"] == INVOICE_A
    assert notes[fingerprint_hex(story.ids["A"])]["source"] == f"{story.invoice_csv}:2"
    assert notes[fingerprint_hex(story.ids["B"])] == {}


def test_a_missing_journal_is_a_usage_error(story, tmp_path, capsys):
    code = scf(["audit", *chain_args(story), "--journal", str(tmp_path / "none.sqlite")])
    assert code == 2
    assert "none.sqlite not found" in capsys.readouterr().err


def test_scf_audit_lists_a_receivable_asked_for_twice_once(story, capsys):
    known = fingerprint_hex(story.ids["A"])
    assert scf(["audit", *chain_args(story), known, known, "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["receivables"]] == [known]


def test_the_html_page_names_an_id_asked_for_that_was_never_registered(story, tmp_path):
    page = tmp_path / "audit.html"
    assert scf(["audit", *chain_args(story), "0x1234", "--html", str(page)]) == 1
    text = page.read_text()
    assert "Not found (never registered)" in text and f"0x{0x1234:064x}" in text


def test_a_journal_of_another_chain_is_a_usage_error(story, tmp_path, capsys):
    journal_path = tmp_path / "other-chain.sqlite"
    with Journal(journal_path) as journal:
        journal.bind(5, "0x" + "12" * 20)
    code = scf(["audit", *chain_args(story), "--journal", str(journal_path)])
    assert (code, "is for chain_id 5" in capsys.readouterr().err) == (2, True)


# --- scf verify ---------------------------------------------------------------------------------


def verify(story: Story, *files: Path, capsys) -> tuple[int, list[dict]]:
    code = scf(["verify", *chain_args(story), "--json", *map(str, files)])
    return code, json.loads(capsys.readouterr().out)


def test_an_anchored_document_is_found_with_its_receivable_anchorer_and_time(story, capsys):
    code, (verdict,) = verify(story, story.delivery_note, capsys=capsys)
    assert code == 0 and verdict["anchored"]
    (match,) = verdict["matches"]
    assert match["how"] == "anchored document" and match["kind"] == "delivery-note"
    assert match["receivable_id"] == fingerprint_hex(story.ids["A"])
    assert match["by"] == story.addresses["supplier"]
    assert (match["at"], match["transaction"]) == (story.anchored_at, story.anchor_tx)
    assert match["hash"] == "0x" + hashlib.sha256(DELIVERY_NOTE).hexdigest()


def test_the_invoice_row_of_a_csv_export_is_found_as_the_receivables_registered_document(
    story, capsys
):
    code, (verdict,) = verify(story, story.invoice_csv, capsys=capsys)
    assert code == 0
    (match,) = verdict["matches"]
    assert (match["how"], match["part"]) == ("registered invoice document", "row 2")
    assert match["receivable_id"] == fingerprint_hex(story.ids["A"])
    assert match["by"] == story.addresses["supplier"]
    assert match["transaction"] == story.did("A")[0][2]


def test_an_unknown_document_is_not_anchored_and_exits_1(story, tmp_path, capsys):
    unknown = tmp_path / "unknown.pdf"
    unknown.write_bytes(b"%PDF-1.7 nothing anchored here")
    code, (verdict,) = verify(story, unknown, capsys=capsys)
    assert code == 1
    assert verdict == {
        "file": str(unknown), "sha256": "0x" + hashlib.sha256(unknown.read_bytes()).hexdigest(),
        "anchored": False, "matches": [],
    }  # fmt: skip


def test_one_unknown_document_among_anchored_ones_makes_the_exit_code_1(story, tmp_path, capsys):
    unknown = tmp_path / "other.txt"
    unknown.write_text("not anchored")
    code, verdicts = verify(story, story.delivery_note, unknown, capsys=capsys)
    assert code == 1
    assert [v["anchored"] for v in verdicts] == [True, False]


def test_a_missing_file_is_a_usage_error_naming_it(story, tmp_path, capsys):
    missing = tmp_path / "no-such.pdf"
    assert scf(["verify", *chain_args(story), str(missing)]) == 2
    assert f"no such file or folder: {missing}" in capsys.readouterr().err


def test_verify_says_in_words_where_a_document_is_anchored(story, capsys):
    assert scf(["verify", *chain_args(story), str(story.delivery_note)]) == 0
    out = capsys.readouterr().out
    assert (
        "anchored" in out
        and fingerprint_hex(story.ids["A"]) in out
        and story.addresses["supplier"] in out
    )


def test_scf_audit_of_an_id_never_registered_says_not_found_and_exits_1(story, capsys):
    assert scf(["audit", *chain_args(story), "0x01", "--csv", "/dev/null"]) == 1
    assert "0x" + "0" * 62 + "01 not found" in capsys.readouterr().err


def test_scf_audit_leaves_an_unknown_id_out_of_the_trail_and_lists_it_as_not_found(story, capsys):
    known = fingerprint_hex(story.ids["A"])
    assert scf(["audit", *chain_args(story), "0x01", known, "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert ([r["id"] for r in document["receivables"]], document["not_found"]) == (
        [known],
        ["0x" + "0" * 62 + "01"],
    )


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_written_inert():
    from scfchain.audit_export import _inert

    assert [_inert(v) for v in ('=HYPERLINK("http://x")', "@SUM(A1)", "INV-1", 5)] == [
        '\'=HYPERLINK("http://x")',
        "'@SUM(A1)",
        "INV-1",
        5,
    ]


def test_verify_of_a_folder_looks_up_every_file_in_it(story, tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.pdf").write_bytes(story.delivery_note.read_bytes())
    (folder / "other.pdf").write_bytes(b"%PDF-1.7 not anchored")
    code, verdicts = verify(story, folder, capsys=capsys)
    assert (code, [v["anchored"] for v in verdicts]) == (1, [True, False])
