from conftest import FACE_VALUE


def test_a_confirmed_receivable_is_held_by_its_supplier(registry, escrow, eur, confirmed, supplier):
    assert registry.balanceOf(supplier, confirmed) == FACE_VALUE
