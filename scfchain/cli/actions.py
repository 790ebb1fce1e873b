"""`scf confirm`, `finance`, `repay`, `redeem` and `status`: one receivable at a time."""

from __future__ import annotations

import argparse
from collections import defaultdict
from typing import Any

from scfchain.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    client_of,
    emit,
    keyring_of,
    parse_id,
)


def _signer_for(ring: Any, address: str, role: str) -> Any:
    signer = ring.get(address)
    if signer is None:
        raise UsageError(f"no key for the {role} {address}: pass its --keystore or --key-env")
    return signer


def _confirm(args: argparse.Namespace) -> int:
    client = client_of(args)
    ring = keyring_of(args)
    ids = [parse_id(i) for i in args.ids]
    by_debtor: dict[str, list[int]] = defaultdict(list)
    out = []
    for rid in ids:
        state = client.status(rid)
        if state.status not in ("Registered", "Disputed"):
            out.append({"id": hex(rid), "result": f"not confirmable: {state.status}"})
            continue
        by_debtor[state.debtor].append(rid)
    failed = len(out)
    for debtor, rids in by_debtor.items():
        signer = _signer_for(ring, debtor, "debtor")
        if args.sign_only:
            for rid in rids:
                s = client.sign_registered(signer, rid)
                out.append(
                    {
                        "id": hex(rid),
                        "nonce": s.nonce,
                        "deadline": s.deadline,
                        "signature": "0x" + s.signature.hex(),
                    }
                )
        else:
            receipt = client.confirm_batch(signer, rids)
            out += [
                {"id": hex(r), "result": "confirmed", "block": receipt["blockNumber"]} for r in rids
            ]
    emit(args, out, "\n".join(f"{o['id']}  {o.get('result', 'signed')}" for o in out))
    return EXIT_FAILED if failed else EXIT_OK


def _finance(args: argparse.Namespace) -> int:
    from scfchain.sdk import FinancingTerms

    client = client_of(args)
    ring = keyring_of(args)
    rid = parse_id(args.id)
    state = client.status(rid)
    supplier = _signer_for(ring, args.supplier or state.supplier, "supplier")
    terms = FinancingTerms(args.rate_bps, args.day_count, args.recourse, args.reserve_bps)
    request_id = client.request_financing(supplier, rid, args.amount, args.financier, terms)
    data: dict[str, Any] = {"id": hex(rid), "request_id": request_id}
    financier = ring.get(args.financier)
    if financier is not None:
        approved = client.approve_financing(financier, request_id)
        data.update(proceeds=approved.proceeds, transaction=approved.transaction)
    emit(
        args,
        data,
        f"request {request_id}"
        + (
            f" approved: proceeds {data['proceeds']}"
            if "proceeds" in data
            else " pending the financier's approval"
        ),
    )
    return EXIT_OK


def _repay(args: argparse.Namespace) -> int:
    client = client_of(args)
    ring = keyring_of(args)
    rid = parse_id(args.id)
    state = client.status(rid)
    debtor = _signer_for(ring, state.debtor, "debtor")
    receipt = client.repay(debtor, rid, args.amount)
    after = client.status(rid)
    emit(
        args,
        {"id": hex(rid), "status": after.status, "block": receipt["blockNumber"]},
        f"{hex(rid)} {after.status}",
    )
    return EXIT_OK


def _redeem(args: argparse.Namespace) -> int:
    client = client_of(args)
    ring = keyring_of(args)
    rid = parse_id(args.id)
    holders = (
        [args.holder] if args.holder else [a for a in ring.signers if client.balance(a, rid) > 0]
    )
    out = []
    for holder in holders:
        paid = client.redeem(_signer_for(ring, holder, "holder"), rid)
        out.append({"holder": holder, "paid": paid})
    out_status = client.status(rid).status
    emit(
        args,
        {"id": hex(rid), "redeemed": out, "status": out_status},
        "\n".join(f"{o['holder']} paid {o['paid']}" for o in out) + f"\n{hex(rid)} {out_status}",
    )
    return EXIT_OK if out else EXIT_FAILED


def _status(args: argparse.Namespace) -> int:
    client = client_of(args)
    holders = [h for h in (args.holders or "").split(",") if h]
    states = [client.status(parse_id(i), holders) for i in args.ids]
    emit(
        args,
        [s.to_json() for s in states],
        "\n".join(
            f"{hex(s.id)}  {s.status:12} {s.face_value} {s.currency}  supplier {s.supplier} debtor {s.debtor}"
            + (f"  balances {s.balances}" if s.balances else "")
            for s in states
        ),
    )
    return EXIT_FAILED if any(not s.exists for s in states) else EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `confirm`, `finance`, `repay`, `redeem` and `status` to the `scf` parser."""
    confirm = sub.add_parser(
        "confirm",
        parents=[common],
        help="the debtor confirms registered receivables (or signs, with --sign-only)",
    )
    confirm.add_argument("ids", nargs="+", help="receivable ids (0x fingerprint or decimal)")
    confirm.add_argument(
        "--sign-only",
        action="store_true",
        help="print EIP-712 confirmations for a relayer (confirmBySig) instead",
    )
    confirm.set_defaults(handler=_confirm)

    finance = sub.add_parser(
        "finance",
        parents=[common],
        help="request financing (supplier) and approve it (financier, when its key is given)",
    )
    finance.add_argument("id")
    finance.add_argument(
        "--amount", type=int, required=True, help="units (minor units of face value) to finance"
    )
    finance.add_argument("--financier", required=True, help="financier account")
    finance.add_argument(
        "--supplier", default=None, help="requesting holder (default: the receivable's supplier)"
    )
    finance.add_argument("--rate-bps", type=int, default=500)
    finance.add_argument("--day-count", type=int, default=0, help="0 ACT/360, 1 ACT/365")
    finance.add_argument("--recourse", action="store_true")
    finance.add_argument("--reserve-bps", type=int, default=0)
    finance.set_defaults(handler=_finance)

    repay = sub.add_parser(
        "repay", parents=[common], help="the debtor repays (default: everything outstanding)"
    )
    repay.add_argument("id")
    repay.add_argument("--amount", type=int, default=None)
    repay.set_defaults(handler=_repay)

    redeem = sub.add_parser(
        "redeem", parents=[common], help="holders draw repayments (every holder whose key is given)"
    )
    redeem.add_argument("id")
    redeem.add_argument("--holder", default=None)
    redeem.set_defaults(handler=_redeem)

    status = sub.add_parser("status", parents=[common], help="state of receivables")
    status.add_argument("ids", nargs="+")
    status.add_argument(
        "--holders", default=None, help="comma-separated accounts whose balances to show"
    )
    status.set_defaults(handler=_status)
