// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FinancingMath
/// @notice Discount and fee arithmetic for receivable financing, with documented rounding.
/// @dev Days to maturity are whole days rounded up; discount and fee are rounded up. Both
/// roundings favour the financier and the platform, never create a unit of settlement token:
/// the supplier's proceeds are what is left of the amount after discount and fee.
library FinancingMath {
    /// @notice Day-count conventions for the discount.
    enum DayCount {
        ACT_360,
        ACT_365
    }

    /// @notice Basis points in one whole (100%).
    uint256 internal constant BPS = 10_000;
    /// @notice Seconds in one day.
    uint256 internal constant DAY = 1 days;
    /// @notice Days in the ACT/360 year.
    uint256 internal constant YEAR_360 = 360;
    /// @notice Days in the ACT/365 year.
    uint256 internal constant YEAR_365 = 365;

    /// @notice Whole days from `start` to `maturity`, rounded up; zero when maturity has passed.
    function daysBetween(uint256 start, uint256 maturity) internal pure returns (uint256) {
        return maturity <= start ? 0 : Math.ceilDiv(maturity - start, DAY);
    }

    /// @notice Discount on `amount` at `rateBps` a year for `days_` days: ceil(amount * rate * days / (year * BPS)).
    function discount(
        uint256 amount,
        uint256 rateBps,
        uint256 days_,
        DayCount basis
    ) internal pure returns (uint256) {
        uint256 year = basis == DayCount.ACT_360 ? YEAR_360 : YEAR_365;
        return Math.mulDiv(amount, rateBps * days_, year * BPS, Math.Rounding.Ceil);
    }

    /// @notice Platform fee on `amount` at `feeBps`: ceil(amount * fee / BPS).
    function fee(uint256 amount, uint256 feeBps) internal pure returns (uint256) {
        return Math.mulDiv(amount, feeBps, BPS, Math.Rounding.Ceil);
    }
}
