"""Shared fixtures: a deployed scfchain suite and one account per role, on a dev node.

Every test starts from the same deployed state (Brownie's `fn_isolation` snapshots and
reverts the chain around each test). Constants and helpers live in helpers.py.

The deployment is usable as is: the operator has given the `debtor` a credit line of
CREDIT_LINE (`registry`), and both financiers have set an exposure limit of EXPOSURE_LIMIT
for the `debtor` (`eur`). The role accounts are the dev node's accounts, whose keys
helpers.signer_of derives, so each of them can also sign EIP-712 actions (helpers.*_signature).

Story modules (test_lifecycle.py) build their state in module-scoped *stage* fixtures, each on
top of the previous one, listed in order in the module's ``STAGES`` tuple. A module-scoped
fixture stays on the chain for the rest of the module, so a test must run while the deepest
stage it asks for is also the deepest stage built so far. ``pytest_collection_modifyitems``
orders such a module's tests by stage (stable, so file order is kept within a stage), and the
autouse ``stage_guard`` fails any test that would see a later stage's state: no test depends
on another test having run, whatever selection or order is asked for.
"""

import pytest
from brownie import (
    FinancingEscrow,
    MemberRegistry,
    ReceivableRegistry,
    SettlementToken,
    accounts,
)
from eth_utils import keccak
from helpers import (
    ADMIN_DELAY,
    CREDIT_LINE,
    DAY,
    EUR,
    EXPOSURE_LIMIT,
    FINANCED_AMOUNT,
    GRACE_PERIOD,
    ROLE,
    STARTING_CASH,
    financing_terms,
    latest_timestamp,
    mine_past,
    terms_of,
)


def _stage_depth(item) -> int:
    stages = getattr(item.module, "STAGES", ())
    depths = [i for i, name in enumerate(stages) if name in item.fixturenames]
    return max(depths, default=-1)


def pytest_collection_modifyitems(items):
    """Within a story module, run the tests of earlier stages first (stable sort)."""
    first_seen: dict[str, int] = {}
    for n, item in enumerate(items):
        first_seen.setdefault(item.nodeid.split("::")[0], n)
    position = {id(item): n for n, item in enumerate(items)}
    items.sort(
        key=lambda item: (
            first_seen[item.nodeid.split("::")[0]],
            _stage_depth(item),
            position[id(item)],
        )
    )


@pytest.fixture(autouse=True)
def stage_guard(request):
    """Fails a story test that would run on top of a stage it did not ask for."""
    stages = getattr(request.module, "STAGES", None)
    if stages:
        built = request.module.BUILT_STAGES
        wanted = [name for name in stages if name in request.fixturenames]
        if (built[-1] if built else None) != (wanted[-1] if wanted else None):
            pytest.fail(f"stage {built[-1]!r} is on the chain but the test asked for {wanted}")


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
def newcomer():
    """An account never admitted, which tests may admit."""
    return accounts[7]


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
        registry.admit(
            account,
            keccak(text=f"ID:{account.address}"),
            [ROLE[r] for r in roles],
            {"from": operator},
        )
    return registry


@pytest.fixture(scope="module")
def registry(members, operator, debtor):
    """The receivable registry; the operator has given the debtor a credit line of CREDIT_LINE."""
    contract = ReceivableRegistry.deploy(members, {"from": operator})
    contract.setCreditLine(debtor, CREDIT_LINE, {"from": operator})
    return contract


@pytest.fixture(scope="module")
def escrow(members, registry, operator):
    contract = FinancingEscrow.deploy(members, registry, GRACE_PERIOD, {"from": operator})
    registry.bindEscrow(contract, {"from": operator})
    return contract


@pytest.fixture(scope="module")
def eur(escrow, operator, debtor, financier, second_financier):
    """The EUR settlement token: the debtor and both financiers hold STARTING_CASH and have
    approved the escrow; each financier has set an exposure limit of EXPOSURE_LIMIT for the
    debtor."""
    token = SettlementToken.deploy("Tokenised EUR deposit", "dEUR", 2, operator, {"from": operator})
    escrow.setSettlementToken(EUR, token, {"from": operator})
    for holder in (debtor, financier, second_financier):
        token.mint(holder, STARTING_CASH, {"from": operator})
        token.approve(escrow, 2**256 - 1, {"from": holder})
    for lender in (financier, second_financier):
        escrow.setExposureLimit(debtor, EXPOSURE_LIMIT, {"from": lender})
    return token


@pytest.fixture
def due_date():
    """90 days from the latest block (so 90 whole days to maturity for the next transactions)."""
    return latest_timestamp() + 90 * DAY


@pytest.fixture
def registered(registry, supplier, debtor, due_date):
    """A receivable ("INV-1", FACE_VALUE) registered by the supplier and awaiting the debtor;
    returns its id."""
    tx = registry.register(terms_of("INV-1", debtor, due_date), {"from": supplier})
    return tx.return_value


@pytest.fixture
def confirmed(registry, registered, debtor):
    """A receivable the debtor has confirmed: the supplier holds its whole face value."""
    registry.confirm(registered, {"from": debtor})
    return registered


@pytest.fixture
def pending_request(escrow, eur, confirmed, supplier, financier):
    """The supplier asks the financier to discount FINANCED_AMOUNT at RATE_BPS, ACT/360, without
    recourse; returns the request id."""
    tx = escrow.requestFinancing(
        confirmed, FINANCED_AMOUNT, financier, financing_terms(), {"from": supplier}
    )
    return tx.return_value


@pytest.fixture
def approved_request(escrow, pending_request, financier):
    """The financier has approved the pending request; returns the request id."""
    escrow.approveFinancing(pending_request, {"from": financier})
    return pending_request


@pytest.fixture
def past_grace(registry, confirmed):
    """The chain has moved one second past the confirmed receivable's due date + grace."""
    mine_past(registry.receivable(confirmed)["dueDate"] + GRACE_PERIOD)
    return confirmed
