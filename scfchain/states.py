"""The contracts' enums as Python sees them: index = the Solidity enum's value."""

from __future__ import annotations

from eth_utils import keccak

# Roles of MemberRegistry (Roles.sol): name -> keccak256("<NAME>_ROLE")
ROLES = {
    name: keccak(text=f"{name}_ROLE")
    for name in ("OPERATOR", "DEBTOR", "SUPPLIER", "FINANCIER", "AUDITOR")
}
DEFAULT_ADMIN_ROLE = bytes(32)  # OpenZeppelin AccessControl
ROLE_NAMES = {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"} | {h: f"{n}_ROLE" for n, h in ROLES.items()}

# IReceivableRegistry.Status
STATUS_NAMES = (
    "None", "Registered", "Disputed", "Confirmed", "Rejected", "Cancelled",
    "InRepayment", "Repaid", "Defaulted", "Retired",
)  # fmt: skip
# IFinancingEscrow.RequestStatus
REQUEST_STATUS_NAMES = ("None", "Pending", "Approved", "Rejected", "Cancelled")
# the day count of IFinancingEscrow.FinancingTerms.dayCount (UnknownDayCount past these)
DAY_COUNTS = {"ACT/360": 0, "ACT/365": 1}
# The rate a financing request gets when none is given (sdk.FinancingTerms, `scf finance`)
DEFAULT_RATE_BPS = 500  # 5% a year
