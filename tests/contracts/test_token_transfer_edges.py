"""Edges of the escrow's measured token transfers (EscrowBase._pullExact).

Slither's `reentrancy-balance` detector flags `_pullExact`: it reads the receiver's balance,
calls the token, and compares the balance after the call with the one before. These tests show
why the comparison cannot be fooled by the token's own re-entry: the balance after the call is
read fresh, so whatever a token hook moves during the call is seen and refused, and the escrow
itself cannot be re-entered (tests/contracts/test_hostile_counterparts.py). docs/static-analysis.md
records the verdict.
"""

from __future__ import annotations

import pytest
from brownie import ReentrantToken
from helpers import EUR, FACE_VALUE, STARTING_CASH, Status, reverts_with

REPAYMENT = FACE_VALUE // 4
TOP_UP = 1
MAX = 2**256 - 1


@pytest.fixture
def topping_up(escrow, eur, operator, debtor):
    """A ReentrantToken bound to EUR whose transfer hook sends TOP_UP more units (its own) to the
    escrow during every transfer; the debtor holds STARTING_CASH and has approved the escrow."""
    token = ReentrantToken.deploy({"from": operator})
    escrow.setSettlementToken(EUR, token, {"from": operator})
    token.mint(debtor, STARTING_CASH, {"from": debtor})
    token.approve(escrow, MAX, {"from": debtor})
    token.mint(token, TOP_UP, {"from": operator})
    token.arm(token, token.transfer.encode_input(escrow, TOP_UP), True, {"from": operator})
    return token


def test_a_repayment_during_which_the_token_moves_more_into_the_escrow_is_refused_as_a_mismatch(
    escrow, registry, topping_up, confirmed, debtor
):
    with reverts_with("TransferAmountMismatch", topping_up, escrow, REPAYMENT, REPAYMENT + TOP_UP):
        escrow.repay(confirmed, REPAYMENT, {"from": debtor})

    assert escrow.repaid(confirmed) == 0
    assert topping_up.balanceOf(escrow) == 0
    assert topping_up.balanceOf(debtor) == STARTING_CASH
    assert registry.receivable(confirmed)["status"] == Status.CONFIRMED
