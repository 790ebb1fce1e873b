// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title Roles
/// @notice The role identifiers of the scfchain consortium, shared by every contract.
library Roles {
    /// @notice Runs the platform: admits members, sets credit lines and settlement tokens, pauses.
    bytes32 internal constant OPERATOR = keccak256("OPERATOR_ROLE");
    /// @notice A buyer (core enterprise) that owes receivables and confirms them.
    bytes32 internal constant DEBTOR = keccak256("DEBTOR_ROLE");
    /// @notice A seller that registers receivables, splits them and asks for financing.
    bytes32 internal constant SUPPLIER = keccak256("SUPPLIER_ROLE");
    /// @notice A bank or fund that discounts receivables.
    bytes32 internal constant FINANCIER = keccak256("FINANCIER_ROLE");
    /// @notice Reads everything; changes nothing.
    bytes32 internal constant AUDITOR = keccak256("AUDITOR_ROLE");
}
