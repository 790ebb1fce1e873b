// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IMemberRegistry} from "../../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../../interfaces/IReceivableRegistry.sol";
import {Roles} from "../libraries/Roles.sol";
import {DebtorCredit} from "./DebtorCredit.sol";

/// @title ReceivableCore
/// @notice Storage, state machine and token rules of the receivable registry.
/// @dev Token id = uint256(invoice fingerprint). One token unit = one minor unit of the currency.
/// Transfers go only to members, only while the receivable is Confirmed, and never while the
/// platform is paused. The settlement escrow is every holder's operator and may move units in
/// any state: its own rules decide when (locking, financing, recourse).
abstract contract ReceivableCore is IReceivableRegistry, ERC1155, DebtorCredit {
    /// @notice The caller lacks `role`.
    error MissingRole(address account, bytes32 role);
    /// @notice `account` is not a member and may not hold receivables.
    error NotMember(address account);
    /// @notice The platform is paused.
    error PlatformPaused();
    /// @notice The fingerprint is zero or was registered before.
    error FingerprintUsed(bytes32 fingerprint);
    /// @notice Face value must be positive.
    error ZeroFaceValue();
    /// @notice The due date must lie in the future.
    error DueDateNotInFuture(uint40 dueDate);
    /// @notice A supplier cannot register a claim against itself.
    error SelfDealing(address account);
    /// @notice The document hash must not be zero.
    error EmptyDocumentHash();
    /// @notice The receivable is not in a state that allows this.
    error InvalidStatus(uint256 id, Status status);
    /// @notice Only the debtor of the receivable may do this.
    error NotDebtor(uint256 id, address account);
    /// @notice Only the supplier of the receivable may do this.
    error NotSupplier(uint256 id, address account);
    /// @notice Only the settlement escrow may do this.
    error NotEscrow(address account);
    /// @notice The escrow is bound once, by an operator, to a non-zero address.
    error EscrowAlreadyBound();
    /// @notice The escrow may only move receivables to settlement states.
    error NotASettlementStatus(Status status);

    /// @notice The member registry that says who may do what.
    IMemberRegistry public immutable members;

    /// @inheritdoc IReceivableRegistry
    address public escrow;

    mapping(uint256 id => Receivable) internal _receivables;

    constructor(IMemberRegistry memberRegistry) ERC1155("") {
        members = memberRegistry;
    }

    modifier onlyRole(bytes32 role) {
        _requireRole(role, msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (members.paused()) revert PlatformPaused();
        _;
    }

    modifier onlyEscrow() {
        if (msg.sender != escrow) revert NotEscrow(msg.sender);
        _;
    }

    /// @notice Binds the settlement escrow; can be done once.
    /// @param escrowAddress The FinancingEscrow deployed for this registry.
    function bindEscrow(address escrowAddress) external onlyRole(Roles.OPERATOR) {
        if (escrow != address(0) || escrowAddress == address(0)) revert EscrowAlreadyBound();
        escrow = escrowAddress;
        emit EscrowBound(escrowAddress);
    }

    /// @inheritdoc IReceivableRegistry
    function dispute(uint256 id, uint16 reasonCode) external whenNotPaused {
        Receivable storage r = _asDebtor(id);
        _requireStatus(id, r.status, Status.Registered);
        r.status = Status.Disputed;
        emit ReceivableDisputed(id, msg.sender, reasonCode);
    }

    /// @inheritdoc IReceivableRegistry
    function reject(uint256 id, uint16 reasonCode) external whenNotPaused {
        Receivable storage r = _asDebtor(id);
        _requireUnconfirmed(id, r.status);
        r.status = Status.Rejected;
        emit ReceivableRejected(id, msg.sender, reasonCode);
    }

    /// @inheritdoc IReceivableRegistry
    function cancel(uint256 id) external whenNotPaused {
        Receivable storage r = _receivables[id];
        if (r.supplier != msg.sender) revert NotSupplier(id, msg.sender);
        _requireUnconfirmed(id, r.status);
        r.status = Status.Cancelled;
        emit ReceivableCancelled(id, msg.sender);
    }

    /// @inheritdoc IReceivableRegistry
    function setStatus(uint256 id, Status status) external onlyEscrow {
        if (status < Status.InRepayment) revert NotASettlementStatus(status);
        _receivables[id].status = status;
        emit StatusChanged(id, status);
    }

    /// @inheritdoc IReceivableRegistry
    function burn(address holder, uint256 id, uint256 amount) external onlyEscrow {
        _burn(holder, id, amount);
    }

    /// @inheritdoc IReceivableRegistry
    function receivable(uint256 id) external view returns (Receivable memory) {
        return _receivables[id];
    }

    /// @inheritdoc IReceivableRegistry
    function isOverdue(uint256 id) external view returns (bool) {
        Receivable storage r = _receivables[id];
        return
            block.timestamp > r.dueDate &&
            (r.status == Status.Confirmed ||
                r.status == Status.InRepayment ||
                r.status == Status.Defaulted);
    }

    /// @notice The settlement escrow may move any holder's units; any other operator needs the
    /// holder's approval.
    function isApprovedForAll(
        address account,
        address operator
    ) public view override(ERC1155, IERC1155) returns (bool) {
        return operator == escrow || super.isApprovedForAll(account, operator);
    }

    /// @dev Checks and stores a new claim by `supplier`; the supplier's role is checked by the caller.
    function _register(address supplier, Terms calldata t) internal returns (uint256 id) {
        id = uint256(t.fingerprint);
        if (t.fingerprint == bytes32(0) || _receivables[id].status != Status.None) {
            revert FingerprintUsed(t.fingerprint);
        }
        if (t.debtor == supplier) revert SelfDealing(supplier);
        _requireRole(Roles.DEBTOR, t.debtor);
        if (t.faceValue == 0) revert ZeroFaceValue();
        if (t.dueDate <= block.timestamp) revert DueDateNotInFuture(t.dueDate);
        if (t.documentHash == bytes32(0)) revert EmptyDocumentHash();

        _receivables[id] = Receivable({
            supplier: supplier,
            dueDate: t.dueDate,
            status: Status.Registered,
            currency: t.currency,
            debtor: t.debtor,
            faceValue: t.faceValue,
            documentHash: t.documentHash
        });
        emit ReceivableRegistered(
            id,
            supplier,
            t.debtor,
            t.faceValue,
            t.currency,
            t.dueDate,
            t.documentHash
        );
    }

    /// @dev Confirms a Registered or Disputed claim; the debtor's authority is checked by the caller.
    function _confirm(uint256 id, Receivable storage r) internal {
        _requireUnconfirmed(id, r.status);
        r.status = Status.Confirmed;
        emit CreditUsed(r.debtor, _useCredit(r.debtor, r.faceValue));
        emit ReceivableConfirmed(id, r.debtor);
        _mint(r.supplier, id, r.faceValue, "");
    }

    /// @dev The receivable `id`, when the caller is its debtor and still holds the debtor role.
    function _asDebtor(uint256 id) internal view returns (Receivable storage r) {
        r = _receivables[id];
        if (r.debtor != msg.sender) revert NotDebtor(id, msg.sender);
        _requireRole(Roles.DEBTOR, msg.sender);
    }

    function _requireRole(bytes32 role, address account) internal view {
        if (!members.hasRole(role, account)) revert MissingRole(account, role);
    }

    /// @dev Every balance change passes here: mint on confirmation, burn on redemption, and
    /// transfers, which need an unpaused platform, a member (or the escrow) as receiver and,
    /// unless the escrow moves them, a Confirmed receivable. Mint and burn happen only inside
    /// functions that already checked the pause.
    function _update(
        address from,
        address to,
        uint256[] memory ids,
        uint256[] memory values
    ) internal override {
        if (from != address(0) && to != address(0)) {
            if (members.paused()) revert PlatformPaused();
            if (to != escrow && !members.isMember(to)) revert NotMember(to);
            if (msg.sender != escrow) {
                for (uint256 i = 0; i < ids.length; ++i) {
                    Status status = _receivables[ids[i]].status;
                    if (status != Status.Confirmed) revert InvalidStatus(ids[i], status);
                }
            }
        }
        super._update(from, to, ids, values);
    }

    function _requireStatus(uint256 id, Status actual, Status expected) internal pure {
        if (actual != expected) revert InvalidStatus(id, actual);
    }

    function _requireUnconfirmed(uint256 id, Status status) internal pure {
        if (status != Status.Registered && status != Status.Disputed)
            revert InvalidStatus(id, status);
    }
}
