"""`scf confirm`, `finance`, `repay`, `redeem` and `status`: one receivable at a time."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from scfchain.chain import TransactionError
from scfchain.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    bounded_int,
    checked_address,
    client_of,
    emit,
    keyring_of,
    missing_key,
    parse_id,
)
from scfchain.records import fingerprint_hex
from scfchain.states import DEFAULT_RATE_BPS

DEV_KEYS_NOTE = """\
keys: the signer is found by address among the keys given (--keystore, --key-env). On a local
dev chain, --dev-keys adds the dev operator and the demo financier; add --parties-from with the
invoice files or folders the receivable came from, and the demo keys of their sellers and buyers
are loaded too, so that the receivable's supplier, debtor or holders are found by address.
"""


def _signer_for(args: argparse.Namespace, ring: Any, address: str, role: str) -> Any:
    signer = ring.get(address)
    if signer is None:
        raise missing_key(args, role, address)
    return signer


def amount_arg(text: str) -> int:
    """argparse type of an amount: a positive whole number of minor units."""
    if not text.strip().isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive whole number of minor units (e.g. 125000 for 1,250.00 EUR)"
        )
    return int(text)


def address_arg(text: str) -> str:
    """argparse type of an account: 0x and 40 hex digits, returned checksummed."""
    address = checked_address(text)
    if address is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an account address (0x and 40 hex digits, EIP-55)"
        )
    return address


def _found(args: argparse.Namespace, client: Any, rid: int) -> Any:
    """The receivable's state, or None after saying "not found" (JSON too)."""
    state = client.status(rid)
    if state.exists:
        return state
    emit(args, {"id": fingerprint_hex(rid), "found": False}, f"{fingerprint_hex(rid)}  not found")
    print(f"scf {args.command}: receivable {fingerprint_hex(rid)} not found", file=sys.stderr)
    return None


def _open_receivable(args: argparse.Namespace) -> tuple[int, Any, Any, Any] | None:
    """(id, keyring, client, state) of the receivable `args.id`; the id and keys are read
    before any RPC (a usage error first); None after saying "not found"."""
    rid = parse_id(args.id)
    ring = keyring_of(args)
    client = client_of(args)
    state = _found(args, client, rid)
    return None if state is None else (rid, ring, client, state)


def _confirm(args: argparse.Namespace) -> int:
    ids = [parse_id(i) for i in args.ids]
    ring = keyring_of(args)  # ids and keys first: a usage error before any RPC
    client = client_of(args)
    by_debtor: dict[str, list[int]] = defaultdict(list)
    out = []
    for rid in ids:
        state = client.status(rid)
        if not state.exists:
            out.append({"id": fingerprint_hex(rid), "result": "not found"})
            continue
        if state.status not in ("Registered", "Disputed"):
            out.append({"id": fingerprint_hex(rid), "result": f"not confirmable: {state.status}"})
            continue
        by_debtor[state.debtor].append(rid)
    failed = len(out)
    for debtor, rids in by_debtor.items():
        signer = _signer_for(args, ring, debtor, "debtor")
        if args.sign_only:
            for rid in rids:
                s = client.sign_registered(signer, rid)
                out.append(
                    {
                        "id": fingerprint_hex(rid),
                        "nonce": s.nonce,
                        "deadline": s.deadline,
                        "signature": "0x" + s.signature.hex(),
                    }
                )
        else:
            receipt = client.confirm_batch(signer, rids)
            out += [
                {"id": fingerprint_hex(r), "result": "confirmed", "block": receipt["blockNumber"]}
                for r in rids
            ]
    emit(args, out, "\n".join(_confirm_line(o) for o in out))
    return EXIT_FAILED if failed else EXIT_OK


def _confirm_line(outcome: dict[str, Any]) -> str:
    """One line per receivable; a signed confirmation with all a relayer needs for confirmBySig."""
    if "signature" in outcome:
        return (
            f"{outcome['id']}  signed  nonce {outcome['nonce']}  deadline {outcome['deadline']}  "
            f"signature {outcome['signature']}"
        )
    return f"{outcome['id']}  {outcome['result']}"


def _finance(args: argparse.Namespace) -> int:
    from scfchain.sdk import FinancingTerms

    if args.cancel or args.reject:
        return _close_requests(args)
    if args.amount is None:
        raise UsageError("--amount is required to request financing (or pass --cancel/--reject)")
    if args.reason is not None:
        raise UsageError("--reason goes with --reject only")
    opened = _open_receivable(args)
    if opened is None:
        return EXIT_FAILED
    rid, ring, client, state = opened
    requester = (args.supplier or state.supplier).lower()
    terms = FinancingTerms(args.rate_bps, args.day_count, args.recourse, args.reserve_bps)
    to_financier = [
        q
        for q in client.pending_requests(rid)
        if (q.supplier.lower(), q.financier.lower()) == (requester, args.financier.lower())
    ]
    same = [q for q in to_financier if (q.amount, q.terms) == (args.amount, terms)]
    if same:  # a rerun, or the financier's turn: the pending request, no second one
        return _finish_request(args, ring, client, state, same[0].request_id, True)
    supplier = _signer_for(args, ring, args.supplier or state.supplier, "supplier")
    for q in to_financier:
        print(
            f"scf finance: note: request {q.request_id} to {q.financier} for {q.amount} minor "
            f"units is still pending with other terms (--cancel closes it)",
            file=sys.stderr,
        )
    request_id = client.request_financing(supplier, rid, args.amount, args.financier, terms)
    return _finish_request(args, ring, client, state, request_id, False)


def _finance_command(args: argparse.Namespace, rid: int) -> str:
    """The `scf finance` command that names this very request (amount and terms)."""
    words = [
        f"scf finance {fingerprint_hex(rid)} --financier {args.financier}",
        f"--amount {args.amount}",
    ]
    if args.supplier:
        words.append(f"--supplier {args.supplier}")
    if args.rate_bps != DEFAULT_RATE_BPS:
        words.append(f"--rate-bps {args.rate_bps}")
    if args.day_count:
        words.append(f"--day-count {args.day_count}")
    if args.recourse:
        words.append("--recourse")
    if args.reserve_bps:
        words.append(f"--reserve-bps {args.reserve_bps}")
    return " ".join(words)


def _finish_request(
    args: argparse.Namespace,
    ring: Any,
    client: Any,
    state: Any,
    request_id: int,
    reused: bool,
) -> int:
    """Approves the request when the financier's key is given, else leaves it pending."""
    from scfchain.sdk import format_amount

    rid = state.id
    data: dict[str, Any] = {
        "id": fingerprint_hex(rid),
        "request_id": request_id,
        "amount": args.amount,
        "currency": state.currency,
        "reused_pending_request": reused,
    }
    text = f"{fingerprint_hex(rid)} request {request_id} for {format_amount(args.amount, state.currency)}"
    if reused:
        text += " (pending since an earlier run)"
    financier = ring.get(args.financier)
    if financier is None:
        data["status"] = "Pending"
        text += (
            f" pending the financier's approval: the financier runs `{_finance_command(args, rid)}`"
            " with its key; the supplier withdraws it with --cancel"
        )
        emit(args, data, text)
        return EXIT_OK
    try:
        approved = client.approve_financing(financier, request_id)
    except TransactionError as exc:
        supplier = ring.get(args.supplier or state.supplier)
        if supplier is None:  # the financier alone: the request stays as it was
            print(
                f"scf finance: {fingerprint_hex(rid)}: the approval of request {request_id} was "
                f"refused ({exc}); it stays pending (--reject closes it)",
                file=sys.stderr,
            )
            return EXIT_FAILED
        client.cancel_financing(supplier, request_id)  # no request left holding the units
        print(
            f"scf finance: {fingerprint_hex(rid)}: the financier's approval was refused "
            f"({exc}); request {request_id} cancelled, its units returned to the supplier",
            file=sys.stderr,
        )
        return EXIT_FAILED
    data.update(status="Approved", proceeds=approved.proceeds, transaction=approved.transaction)
    text += f" approved: proceeds {format_amount(approved.proceeds, state.currency)}"
    emit(args, data, text)
    return EXIT_OK


def _close_requests(args: argparse.Namespace) -> int:
    """--cancel (the supplier withdraws) or --reject (the financier refuses) every pending
    request of this receivable addressed to --financier; the units go back to the supplier."""
    if args.cancel and args.reject:
        raise UsageError("--cancel (the supplier) and --reject (the financier): give one")
    if args.amount is not None:
        raise UsageError("--amount opens or names a request: not with --cancel/--reject")
    if args.reason is not None and not args.reject:
        raise UsageError("--reason goes with --reject only")
    opened = _open_receivable(args)
    if opened is None:
        return EXIT_FAILED
    rid, ring, client, _ = opened
    mine = [
        q for q in client.pending_requests(rid) if q.financier.lower() == args.financier.lower()
    ]
    if args.supplier:
        mine = [q for q in mine if q.supplier.lower() == args.supplier.lower()]
    closed = []
    for q in mine:
        if args.cancel:
            client.cancel_financing(_signer_for(args, ring, q.supplier, "supplier"), q.request_id)
        else:
            signer = _signer_for(args, ring, q.financier, "financier")
            client.reject_financing(signer, q.request_id, args.reason or 0)
        closed.append(q.request_id)
    verb = "Cancelled" if args.cancel else "Rejected"
    status = verb if closed else "NoPendingRequest"
    data = {"id": fingerprint_hex(rid), "status": status, "request_ids": closed}
    text = (
        f"{fingerprint_hex(rid)} {verb.lower()} request(s) {', '.join(map(str, closed))}; units "
        f"returned to the supplier"
        if closed
        else f"{fingerprint_hex(rid)} no pending request to {args.financier}"
    )
    emit(args, data, text)
    return EXIT_OK if closed else EXIT_FAILED


def _repayment_problem(
    args: argparse.Namespace, client: Any, debtor: Any, state: Any, amount: int
) -> str | None:
    """Why the debtor cannot repay `amount` now (nothing owed, no settlement token, too few
    tokens, too small an allowance without --approve), or None; --approve lets the escrow
    draw exactly `amount`."""
    from scfchain.sdk import format_amount

    if amount <= 0:
        return f"nothing outstanding ({state.status})"
    outstanding = client.outstanding(state.id)
    if amount > outstanding:
        owed = format_amount(outstanding, state.currency)
        return f"{format_amount(amount, state.currency)} is more than the {owed} outstanding"
    if state.currency not in client.suite.tokens:
        return f"no settlement token for {state.currency} in this deployment"
    balance, allowance = client.settlement_funds(debtor.address, state.currency)
    need = format_amount(amount, state.currency)
    if balance < amount:
        held = format_amount(balance, state.currency)
        return f"the debtor {debtor.address} holds {held} of settlement tokens, needs {need}"
    if allowance < amount:
        if not args.approve:
            allowed = format_amount(allowance, state.currency)
            return (
                f"the escrow may draw only {allowed} of the debtor's settlement tokens, needs "
                f"{need}: pass --approve (or approve the escrow on the token)"
            )
        client.approve_settlement(debtor, state.currency, amount)
    return None


def _repay(args: argparse.Namespace) -> int:
    from scfchain.sdk import format_amount

    opened = _open_receivable(args)
    if opened is None:
        return EXIT_FAILED
    rid, ring, client, state = opened
    debtor = _signer_for(args, ring, state.debtor, "debtor")
    amount = args.amount if args.amount is not None else client.outstanding(rid)
    problem = _repayment_problem(args, client, debtor, state, amount)
    if problem:
        print(f"scf repay: {fingerprint_hex(rid)}: {problem}", file=sys.stderr)
        return EXIT_FAILED
    receipt = client.repay(debtor, rid, amount)
    after = client.status(rid)
    emit(
        args,
        {
            "id": fingerprint_hex(rid),
            "amount": amount,
            "currency": state.currency,
            "status": after.status,
            "block": receipt["blockNumber"],
        },
        f"{fingerprint_hex(rid)} repaid {format_amount(amount, state.currency)}: {after.status}",
    )
    return EXIT_OK


def _redeem(args: argparse.Namespace) -> int:
    from scfchain.sdk import format_amount

    opened = _open_receivable(args)
    if opened is None:
        return EXIT_FAILED
    rid, ring, client, state = opened
    holders = (
        [args.holder] if args.holder else [a for a in ring.signers if client.balance(a, rid) > 0]
    )
    out = []
    for holder in holders:
        paid = client.redeem(_signer_for(args, ring, holder, "holder"), rid)
        out.append({"holder": holder, "paid": paid})
    out_status = client.status(rid).status
    lines = [f"{o['holder']} paid {format_amount(o['paid'], state.currency)}" for o in out]
    if not out:
        lines.append("no holder with a key given holds a balance of it")
    emit(
        args,
        {
            "id": fingerprint_hex(rid),
            "redeemed": out,
            "currency": state.currency,
            "status": out_status,
        },
        "\n".join([*lines, f"{fingerprint_hex(rid)} {out_status}"]),
    )
    return EXIT_OK if out else EXIT_FAILED


def _status_line(state: Any) -> str:
    from scfchain.sdk import format_amount

    if not state.exists:
        return f"{fingerprint_hex(state.id)}  not found"
    due = datetime.fromtimestamp(state.due_date, UTC).date().isoformat()
    line = (
        f"{fingerprint_hex(state.id)}  {state.status:12} {state.face_value_text}  due {due}  "
        f"supplier {state.supplier}  debtor {state.debtor}"
    )
    if state.balances:
        held = ", ".join(
            f"{holder} {format_amount(units, state.currency)}"
            for holder, units in state.balances.items()
        )
        line += f"\n    balances: {held}"
    return line


def _status(args: argparse.Namespace) -> int:
    ids = [parse_id(i) for i in args.ids]
    try:
        holders = [address_arg(h) for h in (args.holders or "").split(",") if h.strip()]
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"--holders: {exc}") from None
    client = client_of(args)
    states = [client.status(rid, holders) for rid in ids]
    emit(
        args,
        [
            s.to_json() if s.exists else {"id": fingerprint_hex(s.id), "found": False}
            for s in states
        ],
        "\n".join(_status_line(s) for s in states),
    )
    return EXIT_FAILED if any(not s.exists for s in states) else EXIT_OK


def _parser(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser, name: str, help_text: str
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        parents=[common],
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog=DEV_KEYS_NOTE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `confirm`, `finance`, `repay`, `redeem` and `status` to the `scf` parser."""
    confirm = _parser(
        sub,
        common,
        "confirm",
        "the debtor confirms registered receivables (or signs, with --sign-only)",
    )
    confirm.add_argument("ids", nargs="+", help="receivable ids (0x fingerprint or decimal)")
    confirm.add_argument(
        "--sign-only",
        action="store_true",
        help="print EIP-712 confirmations for a relayer (confirmBySig) instead",
    )
    confirm.set_defaults(handler=_confirm)

    finance = _parser(
        sub,
        common,
        "finance",
        "request financing (supplier) and approve it (financier, when its key is given)",
    )
    finance.add_argument("id", help="receivable id (0x fingerprint or decimal)")
    finance.add_argument(
        "--amount",
        type=amount_arg,
        default=None,
        metavar="MINOR_UNITS",
        help="how much of the receivable to finance, in MINOR units of its currency (cents for "
        "EUR: 125000 is 1,250.00 EUR); at most the requester's balance of it. Run again with "
        "the same terms, it picks up the request left pending instead of opening another",
    )
    finance.add_argument(
        "--financier", type=address_arg, required=True, help="the financier's account address"
    )
    finance.add_argument(
        "--supplier",
        type=address_arg,
        default=None,
        help="requesting holder (default: the receivable's supplier)",
    )
    finance.add_argument(
        "--rate-bps",
        type=bounded_int(0, 2**16 - 1),
        default=DEFAULT_RATE_BPS,
        help="yearly discount rate in basis points (500 = 5%%)",
    )
    finance.add_argument(
        "--day-count", type=bounded_int(0, 1), default=0, help="0 ACT/360, 1 ACT/365"
    )
    finance.add_argument(
        "--recourse", action="store_true", help="with recourse to the supplier on default"
    )
    finance.add_argument(
        "--reserve-bps",
        type=bounded_int(0, 10_000),
        default=0,
        help="reserve held back, in basis points",
    )
    close = finance.add_mutually_exclusive_group()
    close.add_argument(
        "--cancel",
        action="store_true",
        help="the supplier withdraws its pending requests to --financier (units come back)",
    )
    close.add_argument(
        "--reject",
        action="store_true",
        help="the financier refuses the pending requests addressed to it (units go back)",
    )
    finance.add_argument(
        "--reason",
        type=bounded_int(0, 2**16 - 1),
        default=None,
        help="reason code recorded with --reject (default 0)",
    )
    finance.set_defaults(handler=_finance)

    repay = _parser(
        sub,
        common,
        "repay",
        "the debtor repays a receivable into the escrow (default: everything outstanding)",
    )
    repay.add_argument("id", help="receivable id (0x fingerprint or decimal)")
    repay.add_argument(
        "--amount",
        type=amount_arg,
        default=None,
        metavar="MINOR_UNITS",
        help="amount to repay, in MINOR units of the receivable's currency (cents for EUR: "
        "125000 is 1,250.00 EUR); without it, everything still outstanding is repaid",
    )
    repay.add_argument(
        "--approve",
        action="store_true",
        help="first let the escrow draw exactly this amount of the debtor's settlement tokens "
        "(ERC-20 approve), when it may not yet",
    )
    repay.set_defaults(handler=_repay)

    redeem = _parser(
        sub, common, "redeem", "holders draw repayments (every holder whose key is given)"
    )
    redeem.add_argument("id", help="receivable id (0x fingerprint or decimal)")
    redeem.add_argument(
        "--holder",
        type=address_arg,
        default=None,
        help="only this holder (default: every holder of a balance whose key is given)",
    )
    redeem.set_defaults(handler=_redeem)

    status = sub.add_parser(
        "status",
        parents=[common],
        help="state of receivables; amounts in major units (1,250.00 EUR), JSON also in minor "
        "units; exit 1 if one is not found",
    )
    status.add_argument("ids", nargs="+", help="receivable ids (0x fingerprint or decimal)")
    status.add_argument(
        "--holders", default=None, help="comma-separated accounts whose balances to show"
    )
    status.set_defaults(handler=_status)
