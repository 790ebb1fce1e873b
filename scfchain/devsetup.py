"""Set-up of a local development chain for given invoices: the members to admit and their
admission. Shared by `scf members --from-inputs --dev-keys` and `scf node`.

Demo accounts only: every party gets the deterministic demo key of `scfchain.demo.demo_key`,
so never use this on a chain that holds anything of value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, TypedDict

from scfchain.chain import account_from_key
from scfchain.demo import FINANCIER, GAS_MONEY_WEI, demo_key
from scfchain.keys import Signer
from scfchain.records import Party, ReceivableRecord
from scfchain.sdk import ScfClient


class MemberRow(TypedDict):
    """A member to admit: its account, party key, roles and (debtors) credit line."""

    address: str
    party_key: str
    roles: list[str]
    credit_line: int | None


def parties_of(records: Iterable[ReceivableRecord]) -> dict[str, Party]:
    """Every seller and buyer of `records`, by party key."""
    found: dict[str, Party] = {}
    for r in records:
        found[r.seller.key], found[r.buyer.key] = r.seller, r.buyer
    return found


def dev_members(
    records: Iterable[ReceivableRecord], credit_line: int | None = None
) -> list[MemberRow]:
    """The demo account of every party of `records`: sellers get SUPPLIER, buyers DEBTOR, and
    each debtor a credit line of `credit_line` (default: the total face value it owes)."""
    records = list(records)
    roles: dict[str, set[str]] = defaultdict(set)
    owed: dict[str, int] = defaultdict(int)
    for r in records:
        roles[r.seller.key].add("SUPPLIER")
        roles[r.buyer.key].add("DEBTOR")
        owed[r.buyer.key] += r.amount_minor
    return [
        MemberRow(
            address=account_from_key(demo_key(party)).address,
            party_key=key,
            roles=sorted(roles[key]),
            credit_line=(credit_line or owed[key]) if "DEBTOR" in roles[key] else None,
        )
        for key, party in sorted(parties_of(records).items())
    ]


def admit_members(
    client: ScfClient,
    operator: Signer,
    members: Iterable[MemberRow],
    *,
    fund_gas: bool = False,
    dry_run: bool = False,
    new_credit_lines_only: bool = False,
) -> list[dict[str, Any]]:
    """Admits each member that is not one yet (and, with `fund_gas`, sends it GAS_MONEY_WEI
    from the operator), then sets each given credit line (with `new_credit_lines_only`, only
    those of members admitted now: a line set or used before is left as it is). Returns the
    members, each with its `action`: "admitted", "already a member" or (dry run) "would
    admit", `notes` (a credit line set; roles the file gives an existing member that it does
    not hold on chain) and `differs` (the chain does not hold what the file says: roles are
    never changed here, since a role is granted or revoked on the registry on purpose)."""
    done: list[dict[str, Any]] = []
    for m in members:
        action, notes = "already a member", []
        member = client.is_member(m["address"])
        if dry_run:
            action = "would admit" if not member else action
        elif not member:
            client.admit(operator, m["address"], m["party_key"], m["roles"])
            action = "admitted"
            if fund_gas:
                sent = client.chain.send_value(operator.account, m["address"], GAS_MONEY_WEI)
                client.chain.wait(sent)
        lacking = [r for r in m["roles"] if member and not client.has_role(m["address"], r)]
        if lacking:
            notes.append(f"on chain it lacks {', '.join(lacking)}: not granted by this command")
        keep_line = new_credit_lines_only and action != "admitted"
        if m["credit_line"] is not None and not dry_run and not keep_line:
            client.set_credit_line(operator, m["address"], m["credit_line"])
            notes.append(f"credit line set to {m['credit_line']} (minor units)")
        done.append({**m, "action": action, "notes": notes, "differs": bool(lacking)})
    return done


def dev_financier() -> MemberRow:
    """The demo financier (scfchain.demo.FINANCIER) as a member to admit."""
    return MemberRow(
        address=financier_signer().address,
        party_key=FINANCIER.key,
        roles=["FINANCIER"],
        credit_line=None,
    )


def financier_signer() -> Signer:
    """The demo financier's signer (its deterministic demo key)."""
    return Signer(account_from_key(demo_key(FINANCIER)), "demo financier")


def fund_settlement(
    client: ScfClient,
    operator: Signer,
    records: Iterable[ReceivableRecord],
    debtors: Iterable[str],
    credit_line: int | None = None,
) -> dict[str, int]:
    """Settlement money for the receivables of `records` owed by the debtor accounts `debtors`
    (those just admitted): the operator, issuer of the settlement tokens, mints to each such
    debtor its total face value per currency and to the demo financier the same (enough to
    finance all of them); both let the escrow draw their tokens; and the financier sets its
    exposure limit for each such debtor (`credit_line`, default its total face value). The
    financier must be a member with gas money. Returns the minor units minted per currency
    to the financier."""
    wanted = {a.lower() for a in debtors}
    keys: dict[str, Signer] = {}
    owed: dict[tuple[str, str], int] = defaultdict(int)
    for r in records:
        debtor = account_from_key(demo_key(r.buyer))
        if debtor.address.lower() in wanted:
            keys[debtor.address] = Signer(debtor, f"demo debtor {r.buyer.key}")
            owed[(debtor.address, r.currency)] += r.amount_minor
    bank = financier_signer()
    per_currency: dict[str, int] = defaultdict(int)
    limits: dict[str, int] = defaultdict(int)
    for (address, currency), amount in sorted(owed.items()):
        per_currency[currency] += amount
        limits[address] += amount
        _mint_and_allow(client, operator, keys[address], currency, amount)
    for currency, amount in sorted(per_currency.items()):
        _mint_and_allow(client, operator, bank, currency, amount)
    for address, total in sorted(limits.items()):
        client.set_exposure_limit(bank, address, credit_line or total)
    return dict(per_currency)


def _mint_and_allow(
    client: ScfClient, operator: Signer, holder: Signer, currency: str, amount: int
) -> None:
    token = client.suite.token(currency)
    client.transact(operator, token.functions.mint(holder.address, amount))
    client.approve_settlement(holder, currency)


def earliest_issue_date(records: Iterable[ReceivableRecord]) -> date | None:
    """The earliest issue date of `records` (None when there is none)."""
    return min((r.issue_date for r in records), default=None)
