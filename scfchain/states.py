"""The contracts' enums as Python sees them: index = the Solidity enum's value."""

from __future__ import annotations

# IReceivableRegistry.Status
STATUS_NAMES = (
    "None", "Registered", "Disputed", "Confirmed", "Rejected", "Cancelled",
    "InRepayment", "Repaid", "Defaulted", "Retired",
)  # fmt: skip
# IFinancingEscrow.RequestStatus
REQUEST_STATUS_NAMES = ("None", "Pending", "Approved", "Rejected", "Cancelled")
# the day count of IFinancingEscrow.FinancingTerms.dayCount (UnknownDayCount past these)
DAY_COUNTS = {"ACT/360": 0, "ACT/365": 1}
