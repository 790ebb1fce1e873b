// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../interfaces/IReceivableRegistry.sol";
import {ReceivableCore} from "./registry/ReceivableCore.sol";
import {Roles} from "./libraries/Roles.sol";
import {SignedActions} from "./utils/SignedActions.sol";

/// @title ReceivableRegistry
/// @notice Suppliers register receivables against debtors; a debtor's confirmation, on chain or
/// by an EIP-712 signature that any member may relay, turns a claim into an ERC-1155 balance
/// within the debtor's credit line. Members split and transfer it; the escrow settles it.
contract ReceivableRegistry is ReceivableCore, SignedActions {
    /// @notice EIP-712 type of a debtor's confirmation.
    bytes32 public constant CONFIRM_TYPEHASH =
        keccak256(
            "Confirm(uint256 id,address supplier,uint96 faceValue,bytes3 currency,uint40 dueDate,bytes32 documentHash,uint256 nonce,uint256 deadline)"
        );

    /// @notice The terms and signatures arrays differ in length.
    error LengthMismatch(uint256 terms, uint256 signatures);

    /// @param memberRegistry The consortium's member registry.
    constructor(
        IMemberRegistry memberRegistry
    ) ReceivableCore(memberRegistry) EIP712("scfchain ReceivableRegistry", "1") {}

    /// @notice Sets the most confirmed, unpaid face value `debtor` may owe (0: no confirmations).
    function setCreditLine(address debtor, uint256 limit) external onlyRole(Roles.OPERATOR) {
        _setCreditLine(debtor, limit);
        emit CreditLineSet(debtor, limit);
    }

    /// @inheritdoc IReceivableRegistry
    function register(
        Terms calldata terms
    ) external whenNotPaused onlyRole(Roles.SUPPLIER) returns (uint256 id) {
        return _register(msg.sender, terms);
    }

    /// @inheritdoc IReceivableRegistry
    function registerBatch(Terms[] calldata terms) external whenNotPaused onlyRole(Roles.SUPPLIER) {
        for (uint256 i = 0; i < terms.length; ++i) _register(msg.sender, terms[i]);
    }

    /// @inheritdoc IReceivableRegistry
    function confirm(uint256 id) external whenNotPaused {
        _confirm(id, _asDebtor(id));
    }

    /// @inheritdoc IReceivableRegistry
    function confirmBatch(uint256[] calldata ids) external whenNotPaused {
        for (uint256 i = 0; i < ids.length; ++i) _confirm(ids[i], _asDebtor(ids[i]));
    }

    /// @inheritdoc IReceivableRegistry
    function confirmBySig(uint256 id, DebtorSignature calldata sig) external whenNotPaused {
        if (!members.isMember(msg.sender)) revert NotMember(msg.sender);
        Receivable storage r = _receivables[id];
        _requireRole(Roles.DEBTOR, r.debtor);
        _checkConfirmation(
            id,
            r.supplier,
            r.debtor,
            r.faceValue,
            r.currency,
            r.dueDate,
            r.documentHash,
            sig
        );
        _confirm(id, r);
    }

    /// @inheritdoc IReceivableRegistry
    function registerAndConfirm(
        Terms calldata terms,
        DebtorSignature calldata sig
    ) external whenNotPaused onlyRole(Roles.SUPPLIER) returns (uint256 id) {
        id = _registerAndConfirm(terms, sig);
    }

    /// @inheritdoc IReceivableRegistry
    function registerAndConfirmBatch(
        Terms[] calldata terms,
        DebtorSignature[] calldata sigs
    ) external whenNotPaused onlyRole(Roles.SUPPLIER) {
        if (terms.length != sigs.length) revert LengthMismatch(terms.length, sigs.length);
        for (uint256 i = 0; i < terms.length; ++i) _registerAndConfirm(terms[i], sigs[i]);
    }

    /// @inheritdoc IReceivableRegistry
    function releaseCredit(address debtor, uint256 amount) external onlyEscrow {
        emit CreditUsed(debtor, _releaseCredit(debtor, amount));
    }

    function _registerAndConfirm(
        Terms calldata t,
        DebtorSignature calldata sig
    ) private returns (uint256 id) {
        id = _register(msg.sender, t);
        _checkConfirmation(
            id,
            msg.sender,
            t.debtor,
            t.faceValue,
            t.currency,
            t.dueDate,
            t.documentHash,
            sig
        );
        _confirm(id, _receivables[id]);
    }

    function _checkConfirmation(
        uint256 id,
        address supplier,
        address debtor,
        uint96 faceValue,
        bytes3 currency,
        uint40 dueDate,
        bytes32 documentHash,
        DebtorSignature calldata sig
    ) private {
        bytes32 structHash = keccak256(
            abi.encode(
                CONFIRM_TYPEHASH,
                id,
                supplier,
                faceValue,
                currency,
                dueDate,
                documentHash,
                sig.nonce,
                sig.deadline
            )
        );
        _useSignature(debtor, structHash, sig.nonce, sig.deadline, sig.signature);
    }
}
