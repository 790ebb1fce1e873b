// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {AccessControl, IAccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title MemberRegistry
/// @notice The consortium's members and their roles, and the platform-wide pause switch.
/// @dev The default admin (hand-over in two steps, with a delay) appoints operators; operators
/// admit members and grant the business roles. Only a hash of each member's legal identifier is
/// stored: names and registration numbers stay off chain.
contract MemberRegistry is IMemberRegistry, AccessControlDefaultAdminRules, Pausable {
    /// @notice The account is already a member.
    error AlreadyMember(address account);
    /// @notice The account is not a member.
    error NotMember(address account);
    /// @notice A member must be identified by a non-zero party hash.
    error EmptyPartyId();
    /// @notice Only business roles (debtor, supplier, financier, auditor) go through admit.
    error NotABusinessRole(bytes32 role);

    /// @inheritdoc IMemberRegistry
    mapping(address account => bytes32 partyIdHash) public partyOf;

    /// @param adminDelay Seconds a default-admin hand-over must wait before it can be accepted.
    /// @param admin The first default admin; it is also made the first operator.
    constructor(
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(Roles.OPERATOR, admin);
        _setRoleAdmin(Roles.DEBTOR, Roles.OPERATOR);
        _setRoleAdmin(Roles.SUPPLIER, Roles.OPERATOR);
        _setRoleAdmin(Roles.FINANCIER, Roles.OPERATOR);
        _setRoleAdmin(Roles.AUDITOR, Roles.OPERATOR);
    }

    /// @inheritdoc IMemberRegistry
    function admit(
        address account,
        bytes32 partyIdHash,
        bytes32[] calldata roles
    ) external onlyRole(Roles.OPERATOR) {
        if (partyIdHash == bytes32(0)) revert EmptyPartyId();
        if (partyOf[account] != bytes32(0)) revert AlreadyMember(account);
        partyOf[account] = partyIdHash;
        emit MemberAdmitted(account, partyIdHash);
        for (uint256 i = 0; i < roles.length; ++i) {
            if (!_isBusinessRole(roles[i])) revert NotABusinessRole(roles[i]);
            _grantRole(roles[i], account);
        }
    }

    /// @inheritdoc IMemberRegistry
    function expel(address account) external onlyRole(Roles.OPERATOR) {
        if (partyOf[account] == bytes32(0)) revert NotMember(account);
        delete partyOf[account];
        _revokeRole(Roles.DEBTOR, account);
        _revokeRole(Roles.SUPPLIER, account);
        _revokeRole(Roles.FINANCIER, account);
        _revokeRole(Roles.AUDITOR, account);
        emit MemberExpelled(account);
    }

    /// @inheritdoc IMemberRegistry
    function isMember(address account) external view returns (bool) {
        return partyOf[account] != bytes32(0);
    }

    /// @notice Stops every state change on the platform's contracts until `unpause`.
    function pause() external onlyRole(Roles.OPERATOR) {
        _pause();
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(Roles.OPERATOR) {
        _unpause();
    }

    /// @inheritdoc IMemberRegistry
    function hasRole(
        bytes32 role,
        address account
    ) public view override(AccessControl, IAccessControl, IMemberRegistry) returns (bool) {
        return super.hasRole(role, account);
    }

    /// @inheritdoc IMemberRegistry
    function paused() public view override(Pausable, IMemberRegistry) returns (bool) {
        return super.paused();
    }

    /// @dev Business roles may only be held by admitted members.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (_isBusinessRole(role) && partyOf[account] == bytes32(0)) revert NotMember(account);
        return super._grantRole(role, account);
    }

    function _isBusinessRole(bytes32 role) private pure returns (bool) {
        return
            role == Roles.DEBTOR ||
            role == Roles.SUPPLIER ||
            role == Roles.FINANCIER ||
            role == Roles.AUDITOR;
    }
}
