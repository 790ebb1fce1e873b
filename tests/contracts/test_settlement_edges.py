"""Edges of financing, redemption and recourse that the story and guard tests do not reach.

Each test drives one branch of contracts/escrow/ that coverage showed unexercised
(docs/coverage.md): a payment to oneself, a token that delivers nothing, a redemption with no
units, recourse by a financier that sold its units or holds two financings, a zero debt payment.
"""

from __future__ import annotations

from brownie import FeeOnTransferToken
from helpers import (
    EUR,
    FACE_VALUE,
    GRACE_PERIOD,
    STARTING_CASH,
    financing_terms,
    mine_past,
    reverts_with,
    single_event,
)

FINANCED = FACE_VALUE // 2
RESERVE_BPS = 1_000  # 10% held back on a recourse financing
FEE_BPS = 50
EVERYTHING = 10_000  # a fee-on-transfer token keeping all of every transfer
MAX = 2**256 - 1


def finance(escrow, rid, amount, financier, supplier, recourse: bool = False) -> int:
    """Requests and approves a financing of `amount`; returns the request id."""
    terms = financing_terms(recourse=recourse, reserve_bps=RESERVE_BPS if recourse else 0)
    tx = escrow.requestFinancing(rid, amount, financier, terms, {"from": supplier})
    request_id = tx.return_value
    escrow.approveFinancing(request_id, {"from": financier})
    return request_id


def default(escrow, registry, rid, caller) -> None:
    mine_past(registry.receivable(rid)["dueDate"] + GRACE_PERIOD)
    escrow.recordDefault(rid, {"from": caller})


def test_a_platform_fee_paid_to_the_financier_itself_leaves_the_fee_with_it(
    escrow, eur, pending_request, operator, supplier, financier
):
    escrow.setFee(FEE_BPS, financier, {"from": operator})

    tx = escrow.approveFinancing(pending_request, {"from": financier})

    approved = single_event(tx, "FinancingApproved")
    assert approved["fee"] > 0
    assert eur.balanceOf(financier) == STARTING_CASH - approved["proceeds"]
    assert eur.balanceOf(supplier) == approved["proceeds"]


def test_a_repayment_in_a_token_that_delivers_nothing_is_refused_as_a_mismatch_of_zero(
    escrow, registry, confirmed, operator, debtor
):
    token = FeeOnTransferToken.deploy(EVERYTHING, {"from": operator})
    escrow.setSettlementToken(EUR, token, {"from": operator})
    token.mint(debtor, STARTING_CASH, {"from": debtor})
    token.approve(escrow, MAX, {"from": debtor})

    with reverts_with("TransferAmountMismatch", token, escrow, FACE_VALUE, 0):
        escrow.repay(confirmed, FACE_VALUE, {"from": debtor})

    assert escrow.repaid(confirmed) == 0


def test_after_full_repayment_a_member_holding_no_units_has_nothing_to_redeem(
    escrow, eur, confirmed, debtor, sub_supplier
):
    escrow.repay(confirmed, FACE_VALUE, {"from": debtor})

    with reverts_with("NothingToRedeem", confirmed, sub_supplier):
        escrow.redeem(confirmed, {"from": sub_supplier})


def test_a_financier_that_sold_all_its_financed_units_gets_nothing_back_by_recourse(
    escrow, registry, eur, confirmed, supplier, financier, second_financier
):
    request_id = finance(escrow, confirmed, FINANCED, financier, supplier, recourse=True)
    registry.safeTransferFrom(
        financier, second_financier, confirmed, FINANCED, "", {"from": financier}
    )
    default(escrow, registry, confirmed, financier)
    cash_before = eur.balanceOf(financier)

    tx = escrow.claimRecourse(request_id, {"from": financier})

    claimed = single_event(tx, "RecourseClaimed")
    assert (claimed["fromReserve"], claimed["debt"]) == (0, 0)
    assert "TransferSingle" not in tx.events
    assert eur.balanceOf(financier) == cash_before
    assert registry.balanceOf(second_financier, confirmed) == FINANCED
    assert escrow.requests(request_id)["recourseClaimed"]


def test_recourse_on_one_of_two_financings_hands_back_only_that_financings_units(
    escrow, registry, eur, confirmed, supplier, financier
):
    first = finance(escrow, confirmed, FINANCED // 2, financier, supplier, recourse=True)
    finance(escrow, confirmed, FINANCED // 2, financier, supplier, recourse=True)
    default(escrow, registry, confirmed, financier)

    escrow.claimRecourse(first, {"from": financier})

    assert registry.balanceOf(financier, confirmed) == FINANCED // 2
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE - FINANCED // 2


def test_paying_nothing_of_a_recourse_debt_is_refused(
    escrow, registry, eur, confirmed, supplier, financier
):
    request_id = finance(escrow, confirmed, FINANCED, financier, supplier, recourse=True)
    default(escrow, registry, confirmed, financier)
    escrow.claimRecourse(request_id, {"from": financier})
    debt = escrow.requests(request_id)["recourseDebt"]
    assert debt > 0

    with reverts_with("PaymentExceedsDebt", request_id, 0, debt):
        escrow.payRecourseDebt(request_id, 0, {"from": supplier})
