// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IMemberRegistry
/// @notice Who belongs to the consortium and in which roles.
interface IMemberRegistry {
    /// @notice Emitted when the operator admits `account`, identified off chain by `partyIdHash`.
    event MemberAdmitted(address indexed account, bytes32 indexed partyIdHash);
    /// @notice Emitted when the operator removes `account` and all its roles.
    event MemberExpelled(address indexed account);

    /// @notice True when `account` has `role`.
    function hasRole(bytes32 role, address account) external view returns (bool);

    /// @notice True when `account` is an admitted member.
    function isMember(address account) external view returns (bool);

    /// @notice The keccak256 hash of the member's legal identifier (zero for non-members).
    function partyOf(address account) external view returns (bytes32);

    /// @notice True while the operator has paused the platform.
    function paused() external view returns (bool);

    /// @notice Admits `account` with the business `roles` given.
    function admit(address account, bytes32 partyIdHash, bytes32[] calldata roles) external;

    /// @notice Removes `account` and revokes its business roles.
    function expel(address account) external;
}
