// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title DebtorCredit
/// @notice Each debtor's credit line: the most confirmed face value it may owe at once.
/// @dev Confirmation uses credit, repayment frees it. A debtor with no line set cannot confirm.
abstract contract DebtorCredit {
    /// @notice Confirming `amount` more would take the debtor over its line.
    error CreditLineExceeded(address debtor, uint256 used, uint256 amount, uint256 limit);

    /// @notice The most confirmed, unpaid face value each debtor may owe.
    mapping(address debtor => uint256 limit) public creditLine;
    /// @notice Confirmed, unpaid face value each debtor owes now.
    mapping(address debtor => uint256 used) public creditUsed;

    function _setCreditLine(address debtor, uint256 limit) internal {
        creditLine[debtor] = limit;
    }

    function _useCredit(address debtor, uint256 amount) internal returns (uint256 used) {
        used = creditUsed[debtor] + amount;
        uint256 limit = creditLine[debtor];
        if (used > limit) revert CreditLineExceeded(debtor, creditUsed[debtor], amount, limit);
        creditUsed[debtor] = used;
    }

    function _releaseCredit(address debtor, uint256 amount) internal returns (uint256 used) {
        used = creditUsed[debtor] - amount;
        creditUsed[debtor] = used;
    }
}
