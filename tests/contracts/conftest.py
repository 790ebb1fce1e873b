"""Shared fixtures: a deployed scfchain suite and one account per role, on Ganache.

Every test starts from the same deployed state (Brownie's `fn_isolation` snapshots and
reverts the chain around each test).
"""

import pytest
from brownie import (
    FinancingEscrow,
    MemberRegistry,
    ReceivableRegistry,
    SettlementToken,
    accounts,
    chain,
    web3,
)
from eth_utils import keccak

DAY = 86_400
GRACE_PERIOD = 30 * DAY
ADMIN_DELAY = 2 * DAY
EUR = b"EUR"
FACE_VALUE = 1_000_000  # 10,000.00 EUR in cents
STARTING_CASH = 100_000_000

ROLE = {name: keccak(text=f"{name}_ROLE") for name in ("OPERATOR", "DEBTOR", "SUPPLIER", "FINANCIER", "AUDITOR")}


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a fresh snapshot of the module-scoped deployment."""


@pytest.fixture(scope="session")
def operator():
    return accounts[0]


@pytest.fixture(scope="session")
def debtor():
    return accounts[1]


@pytest.fixture(scope="session")
def supplier():
    return accounts[2]


@pytest.fixture(scope="session")
def sub_supplier():
    return accounts[3]


@pytest.fixture(scope="session")
def financier():
    return accounts[4]


@pytest.fixture(scope="session")
def second_financier():
    return accounts[5]


@pytest.fixture(scope="session")
def auditor():
    return accounts[6]


@pytest.fixture(scope="session")
def outsider():
    """An account that was never admitted."""
    return accounts[9]


@pytest.fixture(scope="module")
def members(operator, debtor, supplier, sub_supplier, financier, second_financier, auditor):
    registry = MemberRegistry.deploy(ADMIN_DELAY, operator, {"from": operator})
    for account, roles in (
        (debtor, ["DEBTOR"]),
        (supplier, ["SUPPLIER"]),
        (sub_supplier, ["SUPPLIER"]),
        (financier, ["FINANCIER"]),
        (second_financier, ["FINANCIER"]),
        (auditor, ["AUDITOR"]),
    ):
        registry.admit(account, keccak(text=f"ID:{account.address}"), [ROLE[r] for r in roles], {"from": operator})
    return registry


@pytest.fixture(scope="module")
def registry(members, operator):
    return ReceivableRegistry.deploy(members, {"from": operator})


@pytest.fixture(scope="module")
def escrow(members, registry, operator):
    contract = FinancingEscrow.deploy(members, registry, GRACE_PERIOD, {"from": operator})
    registry.bindEscrow(contract, {"from": operator})
    return contract


@pytest.fixture(scope="module")
def eur(escrow, operator, debtor, financier, second_financier):
    token = SettlementToken.deploy("Tokenised EUR deposit", "dEUR", 2, operator, {"from": operator})
    escrow.setSettlementToken(EUR, token, {"from": operator})
    for holder in (debtor, financier, second_financier):
        token.mint(holder, STARTING_CASH, {"from": operator})
        token.approve(escrow, 2**256 - 1, {"from": holder})
    return token


def fingerprint_of(invoice_number: str) -> bytes:
    """A test invoice fingerprint, as the tooling computes it for seller 'ID:test-supplier'."""
    return keccak(text=f"scfchain-invoice-v1|ID:test-supplier|{invoice_number}")


@pytest.fixture
def due_date():
    """90 days from the current block."""
    return chain.time() + 90 * DAY


@pytest.fixture
def registered(registry, supplier, debtor, due_date):
    """A receivable registered by the supplier and awaiting the debtor; returns its id."""
    tx = registry.register(
        fingerprint_of("INV-1"), debtor, FACE_VALUE, EUR, due_date, keccak(text="invoice INV-1 pdf"), {"from": supplier}
    )
    return tx.return_value


@pytest.fixture
def confirmed(registry, registered, debtor):
    """A receivable the debtor has confirmed: the supplier holds its whole face value."""
    registry.confirm(registered, {"from": debtor})
    return registered


__all__ = ["web3"]
