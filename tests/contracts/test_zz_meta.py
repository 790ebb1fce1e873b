import pytest
from helpers import reverts_with, FACE_VALUE, Status

def test_wrong_name(registry, confirmed, debtor):
    with pytest.raises(AssertionError, match="expected revert NotDebtor"):
        with reverts_with("NotDebtor"):
            registry.confirm(confirmed, {"from": debtor})

def test_wrong_args(registry, confirmed, debtor):
    with pytest.raises(AssertionError):
        with reverts_with("InvalidStatus", confirmed, Status.REGISTERED):
            registry.confirm(confirmed, {"from": debtor})

def test_no_revert(registry, registered, debtor):
    with pytest.raises(AssertionError, match="nothing reverted"):
        with reverts_with("InvalidStatus"):
            registry.confirm(registered, {"from": debtor})

def test_typo(registry, registered, debtor):
    with pytest.raises(ValueError):
        with reverts_with("InvalidStatuz"):
            pass
