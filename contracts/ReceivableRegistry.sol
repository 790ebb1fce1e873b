// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../interfaces/IReceivableRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ReceivableRegistry
/// @notice Suppliers register receivables against debtors; a debtor's confirmation turns a claim
/// into an ERC-1155 balance that members split and transfer in part; the settlement escrow
/// redeems it at maturity.
/// @dev Token id = uint256(invoice fingerprint). One token unit = one minor unit of the currency.
/// Transfers are allowed only between members, only while the receivable is Confirmed and only
/// while the platform is not paused. The escrow is the one trusted operator for every holder.
contract ReceivableRegistry is IReceivableRegistry, ERC1155 {
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

    mapping(uint256 id => Receivable) private _receivables;

    /// @param memberRegistry The consortium's member registry.
    constructor(IMemberRegistry memberRegistry) ERC1155("") {
        members = memberRegistry;
    }

    modifier onlyRole(bytes32 role) {
        if (!members.hasRole(role, msg.sender)) revert MissingRole(msg.sender, role);
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
    function register(
        bytes32 fingerprint,
        address debtor,
        uint96 faceValue,
        bytes3 currency,
        uint40 dueDate,
        bytes32 documentHash
    ) external whenNotPaused onlyRole(Roles.SUPPLIER) returns (uint256 id) {
        id = uint256(fingerprint);
        if (fingerprint == bytes32(0) || _receivables[id].status != Status.None) {
            revert FingerprintUsed(fingerprint);
        }
        if (!members.hasRole(Roles.DEBTOR, debtor)) revert MissingRole(debtor, Roles.DEBTOR);
        if (debtor == msg.sender) revert SelfDealing(debtor);
        if (faceValue == 0) revert ZeroFaceValue();
        if (dueDate <= block.timestamp) revert DueDateNotInFuture(dueDate);
        if (documentHash == bytes32(0)) revert EmptyDocumentHash();

        _receivables[id] = Receivable({
            supplier: msg.sender,
            dueDate: dueDate,
            status: Status.Registered,
            currency: currency,
            debtor: debtor,
            faceValue: faceValue,
            documentHash: documentHash
        });
        emit ReceivableRegistered(
            id,
            msg.sender,
            debtor,
            faceValue,
            currency,
            dueDate,
            documentHash
        );
    }

    /// @inheritdoc IReceivableRegistry
    function confirm(uint256 id) external whenNotPaused {
        Receivable storage r = _receivables[id];
        _requireDebtor(id, r);
        _requireStatus(id, r.status, Status.Registered);
        r.status = Status.Confirmed;
        emit ReceivableConfirmed(id, msg.sender);
        _mint(r.supplier, id, r.faceValue, "");
    }

    /// @inheritdoc IReceivableRegistry
    function reject(uint256 id, uint16 reasonCode) external whenNotPaused {
        Receivable storage r = _receivables[id];
        _requireDebtor(id, r);
        _requireStatus(id, r.status, Status.Registered);
        r.status = Status.Rejected;
        emit ReceivableRejected(id, msg.sender, reasonCode);
    }

    /// @inheritdoc IReceivableRegistry
    function cancel(uint256 id) external whenNotPaused {
        Receivable storage r = _receivables[id];
        if (r.supplier != msg.sender) revert NotSupplier(id, msg.sender);
        _requireStatus(id, r.status, Status.Registered);
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

    /// @notice The settlement escrow may move any holder's balance; every other operator needs
    /// the holder's approval.
    function isApprovedForAll(
        address account,
        address operator
    ) public view override(ERC1155, IERC1155) returns (bool) {
        return operator == escrow || super.isApprovedForAll(account, operator);
    }

    /// @dev Every balance change passes here: mint on confirmation, burn on redemption, and
    /// transfers, which need a Confirmed receivable and a member (or the escrow) as receiver.
    /// The escrow may always hand a locked share back to the holder that locked it.
    function _update(
        address from,
        address to,
        uint256[] memory ids,
        uint256[] memory values
    ) internal override whenNotPaused {
        if (from != address(0) && to != address(0)) {
            if (to != escrow && !members.isMember(to)) revert NotMember(to);
            if (from != escrow) {
                for (uint256 i = 0; i < ids.length; ++i) {
                    Status status = _receivables[ids[i]].status;
                    if (status != Status.Confirmed) revert InvalidStatus(ids[i], status);
                }
            }
        }
        super._update(from, to, ids, values);
    }

    function _requireDebtor(uint256 id, Receivable storage r) private view {
        if (r.debtor != msg.sender) revert NotDebtor(id, msg.sender);
    }

    function _requireStatus(uint256 id, Status actual, Status expected) private pure {
        if (actual != expected) revert InvalidStatus(id, actual);
    }
}
