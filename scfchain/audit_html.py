"""The audit trail as one static, self-contained HTML page: inline CSS, no script, no external
asset. A summary header (chain, contracts, block range, time generated), then per receivable its
terms and a timeline of its events. Every value from the chain or a journal is escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from scfchain.audit import AuditEvent, AuditTrail, ReceivableTrail
from scfchain.audit_describe import describe, format_amount, utc_text
from scfchain.audit_export import SOURCE_NOTE
from scfchain.records import fingerprint_hex

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 1rem 1.25rem; }
h1 { margin: .2rem 0 .4rem; font-size: 1.6rem; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 .5rem; }
.note { background: #fff8e1; border: 1px solid #f0d98a; padding: .5rem .75rem; border-radius: 6px; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .85em; overflow-wrap: anywhere; }
nav ol { columns: 2; padding-left: 1.4rem; }
section.receivable { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: .75rem 1rem 1rem; margin: 1.2rem 0; }
section.receivable h2 { margin-top: .2rem; overflow-wrap: anywhere; }
dl.terms { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.terms dt { color: var(--muted); }
dl.terms dd { margin: 0; overflow-wrap: anywhere; }
ol.timeline { list-style: none; margin: .75rem 0 0; padding: 0 0 0 1.1rem;
  border-left: 3px solid var(--line); }
ol.timeline li { position: relative; margin: 0 0 .8rem; padding: .35rem .6rem;
  border: 1px solid var(--line); border-radius: 6px; background: #fcfcfd; }
ol.timeline li::before { content: ""; position: absolute; left: -1.65rem; top: .7rem;
  width: .8rem; height: .8rem; border-radius: 50%; background: var(--muted); }
ol.timeline li.kind-registry::before { background: #2f6fde; }
ol.timeline li.kind-transfer::before { background: #8a94a6; }
ol.timeline li.kind-financing::before { background: #7b3fd1; }
ol.timeline li.kind-payment::before { background: #1f9d55; }
ol.timeline li.kind-default::before { background: #d13f3f; }
ol.timeline li.kind-document::before { background: #0f8a8a; }
.when, .who, .tx, .details { color: var(--muted); font-size: .9em; }
.what, .details { overflow-wrap: anywhere; }
.amount { font-weight: 600; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8em;
  font-weight: 600; background: #e7eaf0; color: #2b3345; white-space: nowrap; }
.badge.event { background: #e8eefc; color: #1e4fb0; }
.status-Registered, .status-Disputed { background: #fff1cc; color: #7a5600; }
.status-Confirmed, .status-InRepayment { background: #dcecff; color: #1d4f91; }
.status-Repaid, .status-Retired { background: #d9f5e3; color: #17663a; }
.status-Rejected, .status-Cancelled, .status-Defaulted { background: #fde0e0; color: #962222; }
.empty { color: var(--muted); font-style: italic; }
@media print { body { background: #fff; } ol.timeline li, dl.terms { break-inside: avoid; } }
"""

KINDS = {
    "registry": {"ReceivableRegistered", "ReceivableConfirmed", "ReceivableRejected",
                 "ReceivableDisputed", "ReceivableCancelled", "StatusChanged"},
    "transfer": {"TransferSingle", "TransferBatch"},
    "financing": {"FinancingRequested", "FinancingApproved", "FinancingRejected",
                  "FinancingCancelled", "ReserveReleased"},
    "payment": {"Repaid", "Redeemed", "RecourseDebtPaid"},
    "default": {"DefaultRecorded", "RecourseClaimed"},
    "document": {"DocumentAnchored"},
}  # fmt: skip


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _kind(event: str) -> str:
    return next((kind for kind, names in KINDS.items() if event in names), "other")


def _badge(status: str) -> str:
    return f'<span class="badge status-{_e(status)}">{_e(status)}</span>'


def _party(trail: AuditTrail, address: str) -> str:
    """An address with its party-id hash and roles, when the member registry knows it."""
    label = trail.label(address)
    if label != address:
        return f'<span class="mono">{_e(address)}</span> ({_e(label)} contract)'
    member = trail.members.get(address)
    if member is None:
        return f'<span class="mono">{_e(address)}</span>'
    roles = ", ".join(member.roles) or "no role"
    expelled = "; expelled" if member.expelled else ""
    return (
        f'<span class="mono">{_e(address)}</span> <small>party '
        f'<span class="mono">{_e(member.party_id_hash)}</span>; {_e(roles)}{_e(expelled)}</small>'
    )


def _header(trail: AuditTrail) -> str:
    events = sum(len(r.events) for r in trail.receivables)
    rows = [
        ("Chain id", _e(trail.chain_id)),
        ("Blocks read", f"{_e(trail.from_block)} to {_e(trail.to_block)}"),
        ("Generated at", _e(utc_text(trail.generated_at))),
        ("Receivables", _e(len(trail.receivables))),
        ("Events", _e(events)),
    ]
    if trail.not_found:
        unknown = ", ".join(fingerprint_hex(i) for i in trail.not_found)
        rows.append(("Not found (never registered)", f'<span class="mono">{_e(unknown)}</span>'))
    summary = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    contracts = "".join(
        f'<tr><th>{_e(name)}</th><td class="mono">{_e(address)}</td></tr>'
        for name, address in trail.contracts.items()
    )
    toc = "".join(
        f'<li><a href="#r-{_e(fingerprint_hex(r.id))}" class="mono">{_e(_short(fingerprint_hex(r.id)))}</a> '
        f"{_badge(r.terms.status)} {_e(format_amount(r.terms.face_value, r.currency))}"
        f"{' &middot; ' + _e(r.notes['invoice_number']) if r.notes.get('invoice_number') else ''}"
        "</li>"
        for r in trail.receivables
    )
    return (
        "<header>\n<h1>Audit trail of receivables</h1>\n"
        f'<p class="note">{_e(SOURCE_NOTE)}</p>\n'
        f'<table class="summary">{summary}</table>\n'
        f'<h2>Contracts</h2>\n<table class="contracts">{contracts}</table>\n'
        f"<nav><h2>Receivables</h2><ol>{toc}</ol></nav>\n</header>\n"
    )


def _short(text: str) -> str:
    return text if len(text) <= 22 else f"{text[:12]}…{text[-8:]}"


def _terms(trail: AuditTrail, r: ReceivableTrail) -> str:
    t = r.terms
    rows = [
        ("Supplier", _party(trail, t.supplier)),
        ("Debtor", _party(trail, t.debtor)),
        (
            "Face value",
            f'<span class="amount">{_e(format_amount(t.face_value, t.currency))}</span>',
        ),
        ("Currency", _e(t.currency)),
        ("Due date", _e(utc_text(t.due_date)) if t.due_date else "-"),
        ("Status now", _badge(t.status)),
        ("Document hash", f'<span class="mono">{_e(t.document_hash)}</span>'),
    ]
    for key, title in (("invoice_number", "Invoice number"), ("source", "Source file")):
        if r.notes.get(key):
            rows.append((f"{title} (off chain)", _e(r.notes[key])))
    return '<dl class="terms">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _event(trail: AuditTrail, r: ReceivableTrail, e: AuditEvent) -> str:
    s = describe(e, r.currency, trail.label)
    amount = (
        f' <span class="amount">{_e(format_amount(s.amount, r.currency))}</span>'
        if s.amount is not None
        else ""
    )
    status = f" &rarr; {_badge(s.status_after)}" if s.status_after else ""
    details = f'<div class="details">{_e(s.details)}</div>' if s.details else ""
    return (
        f'<li class="kind-{_kind(e.event)}" data-event="{_e(e.event)}" data-block="{_e(e.block)}">'
        f'<div class="when"><time datetime="{_e(utc_text(e.timestamp))}">'
        f"{_e(utc_text(e.timestamp))}</time> &middot; block {_e(e.block)} &middot; "
        f"log {_e(e.log_index)} &middot; {_e(e.contract)}</div>"
        f'<div class="what"><span class="badge event">{_e(e.event)}</span> {_e(s.action)}'
        f"{amount}{status}</div>"
        f'<div class="who">by {_party(trail, e.actor)}</div>'
        f'<div class="tx">tx <span class="mono">{_e(e.transaction)}</span></div>{details}</li>'
    )


def _receivable(trail: AuditTrail, r: ReceivableTrail) -> str:
    rid = fingerprint_hex(r.id)
    items = "\n".join(_event(trail, r, e) for e in r.events)
    empty = "" if r.events else '<p class="empty">No event about this receivable on chain.</p>'
    return (
        f'<section class="receivable" id="r-{_e(rid)}" data-receivable="{_e(rid)}">\n'
        f'<h2>Receivable <span class="mono">{_e(rid)}</span> {_badge(r.terms.status)}</h2>\n'
        f"{_terms(trail, r)}\n<h3>Timeline</h3>\n{empty}"
        f'<ol class="timeline">\n{items}\n</ol>\n</section>\n'
    )


def render_html(trail: AuditTrail) -> str:
    """The page, as text."""
    title = f"Audit trail, chain {trail.chain_id}, blocks {trail.from_block}-{trail.to_block}"
    body = "".join(_receivable(trail, r) for r in trail.receivables)
    if not trail.receivables:
        body = '<p class="empty">No receivable on chain in this block range.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{_header(trail)}<main>\n{body}</main>\n"
        f'<footer><p class="empty">{_e(SOURCE_NOTE)} Generated by scfchain '
        f"(scf audit) at {_e(utc_text(trail.generated_at))}.</p></footer>\n</body>\n</html>\n"
    )


def write_html(trail: AuditTrail, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(trail), encoding="utf-8")
    return path
