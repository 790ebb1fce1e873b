// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IReceivableRegistry} from "../../interfaces/IReceivableRegistry.sol";
import {FinancingMath} from "../libraries/FinancingMath.sol";
import {Roles} from "../libraries/Roles.sol";
import {SignedActions} from "../utils/SignedActions.sol";
import {IFinancingEscrow} from "../../interfaces/IFinancingEscrow.sol";
import {EscrowBase} from "./EscrowBase.sol";

/// @title FinancingDesk
/// @notice Financing requests and their approval: the supplier locks units and names a financier
/// and terms; the financier pays the discounted price and takes the units, in one transaction.
/// Both may act on chain or by an EIP-712 signature that any member relays.
abstract contract FinancingDesk is EscrowBase, SignedActions {
    /// @notice EIP-712 type of a supplier's financing request.
    bytes32 public constant REQUEST_TYPEHASH =
        keccak256(
            "FinancingRequest(uint256 id,uint96 amount,address financier,uint16 rateBps,uint8 dayCount,bool recourse,uint16 reserveBps,uint256 nonce,uint256 deadline)"
        );
    /// @notice EIP-712 type of a financier's approval.
    bytes32 public constant APPROVAL_TYPEHASH =
        keccak256(
            "FinancingApproval(uint256 requestId,uint96 amount,uint16 rateBps,uint256 nonce,uint256 deadline)"
        );
    /// @notice The largest reserve a recourse financing may hold back, in basis points (50%).
    uint16 public constant MAX_RESERVE_BPS = 5_000;

    /// @notice The amount is zero or would finance more than the face value.
    error AmountNotFinanceable(uint256 id, uint256 amount, uint256 available);
    /// @notice The receivable is due: it can no longer be financed.
    error Matured(uint256 id);
    /// @notice Discount, fee and reserve consume the whole amount.
    error TermsExceedAmount(uint256 amount, uint256 discount, uint256 fee, uint256 reserve);
    /// @notice The day-count code is not one of FinancingMath.DayCount.
    error UnknownDayCount(uint8 dayCount);
    /// @notice A reserve needs recourse, and may not exceed MAX_RESERVE_BPS.
    error InvalidReserve(uint16 reserveBps, bool recourse);
    /// @notice Only the supplier that made the request may cancel it before maturity.
    error NotRequestSupplier(uint256 requestId, address account);
    /// @notice Approving would take the financier over its own limit for this debtor.
    error ExposureLimitExceeded(
        address financier,
        address debtor,
        uint256 exposure,
        uint256 amount,
        uint256 limit
    );

    /// @notice A financier sets the most it will have financed against `debtor` at once (0: none).
    function setExposureLimit(address debtor, uint256 limit) external onlyRole(Roles.FINANCIER) {
        exposureLimit[msg.sender][debtor] = limit;
        emit ExposureLimitSet(msg.sender, debtor, limit);
    }

    /// @inheritdoc IFinancingEscrow
    function requestFinancing(
        uint256 id,
        uint96 amount,
        address financier,
        FinancingTerms calldata terms
    ) external whenNotPaused nonReentrant returns (uint256 requestId) {
        return _request(msg.sender, id, amount, financier, terms);
    }

    /// @inheritdoc IFinancingEscrow
    function requestFinancingBySig(
        address supplier,
        uint256 id,
        uint96 amount,
        address financier,
        FinancingTerms calldata terms,
        Signed calldata sig
    ) external whenNotPaused onlyMember nonReentrant returns (uint256 requestId) {
        bytes32 structHash = keccak256(
            abi.encode(
                REQUEST_TYPEHASH,
                id,
                amount,
                financier,
                terms.rateBps,
                terms.dayCount,
                terms.recourse,
                terms.reserveBps,
                sig.nonce,
                sig.deadline
            )
        );
        _useSignature(supplier, structHash, sig.nonce, sig.deadline, sig.signature);
        return _request(supplier, id, amount, financier, terms);
    }

    /// @inheritdoc IFinancingEscrow
    function approveFinancing(uint256 requestId) external whenNotPaused nonReentrant {
        _approve(requestId, msg.sender);
    }

    /// @inheritdoc IFinancingEscrow
    function approveFinancingBySig(
        uint256 requestId,
        Signed calldata sig
    ) external whenNotPaused onlyMember nonReentrant {
        Request storage q = requests[requestId];
        bytes32 structHash = keccak256(
            abi.encode(APPROVAL_TYPEHASH, requestId, q.amount, q.rateBps, sig.nonce, sig.deadline)
        );
        _useSignature(q.financier, structHash, sig.nonce, sig.deadline, sig.signature);
        _approve(requestId, q.financier);
    }

    /// @inheritdoc IFinancingEscrow
    function rejectFinancing(
        uint256 requestId,
        uint16 reasonCode
    ) external whenNotPaused nonReentrant {
        Request storage q = requests[requestId];
        _requireRequestStatus(requestId, q, RequestStatus.Pending);
        if (q.financier != msg.sender) revert NotRequestFinancier(requestId, msg.sender);
        q.status = RequestStatus.Rejected;
        emit FinancingRejected(requestId, q.id, reasonCode);
        _release(q);
    }

    /// @inheritdoc IFinancingEscrow
    function cancelFinancing(uint256 requestId) external whenNotPaused nonReentrant {
        Request storage q = requests[requestId];
        _requireRequestStatus(requestId, q, RequestStatus.Pending);
        if (q.supplier != msg.sender && block.timestamp < registry.receivable(q.id).dueDate) {
            revert NotRequestSupplier(requestId, msg.sender);
        }
        q.status = RequestStatus.Cancelled;
        emit FinancingCancelled(requestId, q.id);
        _release(q);
    }

    function _request(
        address supplier,
        uint256 id,
        uint96 amount,
        address financier,
        FinancingTerms calldata terms
    ) private returns (uint256 requestId) {
        _requireRole(Roles.SUPPLIER, supplier);
        IReceivableRegistry.Receivable memory r = _financeable(id);
        _requireRole(Roles.FINANCIER, financier);
        if (terms.dayCount > uint8(type(FinancingMath.DayCount).max))
            revert UnknownDayCount(terms.dayCount);
        if (terms.reserveBps > MAX_RESERVE_BPS || (terms.reserveBps != 0 && !terms.recourse)) {
            revert InvalidReserve(terms.reserveBps, terms.recourse);
        }
        uint256 available = r.faceValue - financedOrPending[id];
        if (amount == 0 || amount > available) revert AmountNotFinanceable(id, amount, available);

        financedOrPending[id] += amount;
        requestId = ++requestCount;
        Request storage q = requests[requestId];
        (q.id, q.supplier, q.amount, q.financier) = (id, supplier, amount, financier);
        (q.rateBps, q.reserveBps, q.dayCount, q.recourse) = (
            terms.rateBps,
            terms.reserveBps,
            terms.dayCount,
            terms.recourse
        );
        q.status = RequestStatus.Pending;
        emit FinancingRequested(requestId, id, supplier, financier, amount, terms);
        registry.safeTransferFrom(supplier, address(this), id, amount, "");
    }

    function _approve(uint256 requestId, address financier) private {
        Request storage q = requests[requestId];
        _requireRequestStatus(requestId, q, RequestStatus.Pending);
        if (q.financier != financier) revert NotRequestFinancier(requestId, financier);
        IReceivableRegistry.Receivable memory r = _financeable(q.id);
        IERC20 token = _tokenOf(r.currency);
        _addExposure(financier, r.debtor, q.amount);

        uint256 days_ = FinancingMath.daysBetween(block.timestamp, r.dueDate);
        uint256 discount = FinancingMath.discount(
            q.amount,
            q.rateBps,
            days_,
            FinancingMath.DayCount(q.dayCount)
        );
        uint256 fee = FinancingMath.fee(q.amount, feeBps);
        uint256 reserve = FinancingMath.fee(q.amount, q.reserveBps);
        if (discount + fee + reserve >= q.amount)
            revert TermsExceedAmount(q.amount, discount, fee, reserve);
        uint256 proceeds = q.amount - discount - fee - reserve;

        q.status = RequestStatus.Approved;
        q.reserve = reserve;
        reservesHeld[r.currency] += reserve;
        emit FinancingApproved(
            requestId,
            q.id,
            financier,
            q.amount,
            discount,
            fee,
            reserve,
            proceeds
        );
        _pullExact(token, financier, q.supplier, proceeds);
        if (fee != 0) _pullExact(token, financier, feeRecipient, fee);
        if (reserve != 0) _pullExact(token, financier, address(this), reserve);
        registry.safeTransferFrom(address(this), financier, q.id, q.amount, "");
    }

    function _addExposure(address financier, address debtor, uint256 amount) private {
        uint256 current = exposure[financier][debtor];
        uint256 limit = exposureLimit[financier][debtor];
        if (current + amount > limit)
            revert ExposureLimitExceeded(financier, debtor, current, amount, limit);
        exposure[financier][debtor] = current + amount;
    }

    function _financeable(
        uint256 id
    ) private view returns (IReceivableRegistry.Receivable memory r) {
        r = registry.receivable(id);
        if (r.status != IReceivableRegistry.Status.Confirmed) revert InvalidStatus(id, r.status);
        if (block.timestamp >= r.dueDate) revert Matured(id);
    }

    function _release(Request storage q) private {
        financedOrPending[q.id] -= q.amount;
        registry.safeTransferFrom(address(this), q.supplier, q.id, q.amount, "");
    }
}
