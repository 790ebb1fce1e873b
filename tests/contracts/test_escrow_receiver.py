"""The escrow takes in receivable units only when it moves them itself, to lock them for a
financing request. Units a holder sends on its own would belong to no request and would keep
their receivable from ever retiring; other ERC-1155 tokens would be stuck for good. Both are
refused with `UnsolicitedTransfer(token, operator)` and every balance stays as it was.
"""

from brownie import BenchERC1155
from helpers import FACE_VALUE, FINANCED_AMOUNT, reverts_with


def test_a_holder_sending_units_straight_to_the_escrow_is_refused_and_keeps_them(
    registry, escrow, confirmed, supplier
):
    with reverts_with("UnsolicitedTransfer", registry, supplier):
        registry.safeTransferFrom(supplier, escrow, confirmed, 1, b"", {"from": supplier})

    assert (registry.balanceOf(supplier, confirmed), registry.balanceOf(escrow, confirmed)) == (
        FACE_VALUE,
        0,
    )


def test_a_batch_of_units_sent_to_the_escrow_is_refused(registry, escrow, confirmed, supplier):
    with reverts_with("UnsolicitedTransfer", registry, supplier):
        registry.safeBatchTransferFrom(supplier, escrow, [confirmed], [1], b"", {"from": supplier})

    assert registry.balanceOf(escrow, confirmed) == 0


def test_units_locked_by_a_financing_request_still_reach_the_escrow(
    registry, escrow, pending_request, confirmed
):
    assert registry.balanceOf(escrow, confirmed) == FINANCED_AMOUNT


def test_another_erc1155_token_sent_to_the_escrow_is_refused(escrow, outsider):
    other = BenchERC1155.deploy({"from": outsider})

    with reverts_with("UnsolicitedTransfer", other, outsider):
        other.mint(escrow, 1, 1, {"from": outsider})

    assert other.balanceOf(escrow, 1) == 0
