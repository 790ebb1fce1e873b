// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFinancingEscrow} from "../interfaces/IFinancingEscrow.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../interfaces/IReceivableRegistry.sol";
import {FinancingMath} from "./libraries/FinancingMath.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title FinancingEscrow
/// @notice Discounting of confirmed receivables in a settlement token, then repayment by the
/// debtor and pull redemption by every holder, pro rata to its share.
/// @dev Cash for financing goes straight from financier to supplier; only repayments are held
/// here, so this contract's balance of each settlement token always equals what holders may
/// still draw. Transfers freeze once repayment starts, so each share's entitlement is
/// balance * repaid / faceValue.
contract FinancingEscrow is IFinancingEscrow, ERC1155Holder, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The caller lacks `role`.
    error MissingRole(address account, bytes32 role);
    /// @notice The platform is paused.
    error PlatformPaused();
    /// @notice No settlement token is set for the receivable's currency.
    error NoSettlementToken(bytes3 currency);
    /// @notice The receivable is not in a state that allows this.
    error InvalidStatus(uint256 id, IReceivableRegistry.Status status);
    /// @notice The request is not pending.
    error RequestNotPending(uint256 requestId);
    /// @notice Only the financier named in the request may decide it.
    error NotRequestFinancier(uint256 requestId, address account);
    /// @notice Only the supplier that made the request may cancel it.
    error NotRequestSupplier(uint256 requestId, address account);
    /// @notice The amount is zero or would finance more than the face value.
    error AmountNotFinanceable(uint256 id, uint256 amount, uint256 available);
    /// @notice The receivable is due: it can no longer be financed.
    error Matured(uint256 id);
    /// @notice The discount and fee consume the whole amount.
    error TermsExceedAmount(uint256 amount, uint256 discount, uint256 fee);
    /// @notice The day-count code is not one of FinancingMath.DayCount.
    error UnknownDayCount(uint8 dayCount);
    /// @notice Only the debtor may repay.
    error NotDebtor(uint256 id, address account);
    /// @notice The repayment is zero or larger than what is still owed.
    error RepaymentExceedsOutstanding(uint256 id, uint256 amount, uint256 outstanding);
    /// @notice There is nothing to redeem for this holder now.
    error NothingToRedeem(uint256 id, address holder);
    /// @notice The grace period has not passed, or nothing is owed.
    error NotInDefault(uint256 id);
    /// @notice The fee exceeds its maximum.
    error FeeTooHigh(uint16 feeBps);
    /// @notice An address argument must not be zero.
    error ZeroAddress();

    /// @notice The largest platform fee the operator may set, in basis points (1%).
    uint16 public constant MAX_FEE_BPS = 100;

    /// @notice A financing request and its terms.
    struct Request {
        uint256 id;
        address supplier;
        uint96 amount;
        address financier;
        uint16 rateBps;
        uint8 dayCount;
        RequestStatus status;
    }

    /// @notice The consortium's member registry.
    IMemberRegistry public immutable members;
    /// @notice The receivable registry whose tokens this escrow settles.
    IReceivableRegistry public immutable registry;
    /// @notice Seconds after the due date before an unpaid receivable may be recorded as defaulted.
    uint256 public immutable gracePeriod;

    /// @notice Settlement token of each currency (ISO 4217 code).
    mapping(bytes3 currency => IERC20 token) public settlementToken;
    /// @notice Financing requests by id (ids start at 1).
    mapping(uint256 requestId => Request) public requests;
    /// @notice Units of each receivable financed or locked in a pending request.
    mapping(uint256 id => uint256 amount) public financedOrPending;
    /// @notice Settlement tokens paid in by the debtor for each receivable.
    mapping(uint256 id => uint256 amount) public repaid;
    /// @notice Units of each receivable redeemed (burned) so far.
    mapping(uint256 id => uint256 amount) public redeemedUnits;
    /// @notice Settlement tokens already drawn by a holder of a receivable before it was retired.
    mapping(uint256 id => mapping(address holder => uint256 amount)) public drawn;
    /// @notice Platform fee on financed amounts, in basis points.
    uint16 public feeBps;
    /// @notice Receiver of platform fees.
    address public feeRecipient;
    /// @notice Number of financing requests made so far.
    uint256 public requestCount;

    /// @param memberRegistry The consortium's member registry.
    /// @param receivableRegistry The registry whose receivables are settled here.
    /// @param gracePeriodSeconds Seconds after due date before a default can be recorded.
    constructor(
        IMemberRegistry memberRegistry,
        IReceivableRegistry receivableRegistry,
        uint256 gracePeriodSeconds
    ) {
        members = memberRegistry;
        registry = receivableRegistry;
        gracePeriod = gracePeriodSeconds;
    }

    modifier onlyRole(bytes32 role) {
        if (!members.hasRole(role, msg.sender)) revert MissingRole(msg.sender, role);
        _;
    }

    modifier whenNotPaused() {
        if (members.paused()) revert PlatformPaused();
        _;
    }

    /// @notice Sets the ERC-20 in which receivables of `currency` are financed and repaid.
    function setSettlementToken(bytes3 currency, IERC20 token) external onlyRole(Roles.OPERATOR) {
        if (address(token) == address(0)) revert ZeroAddress();
        settlementToken[currency] = token;
        emit SettlementTokenSet(currency, address(token));
    }

    /// @notice Sets the platform fee charged on each financing, and who receives it.
    function setFee(uint16 newFeeBps, address recipient) external onlyRole(Roles.OPERATOR) {
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps);
        if (newFeeBps != 0 && recipient == address(0)) revert ZeroAddress();
        feeBps = newFeeBps;
        feeRecipient = recipient;
        emit FeeSet(newFeeBps, recipient);
    }

    /// @inheritdoc IFinancingEscrow
    function requestFinancing(
        uint256 id,
        uint96 amount,
        address financier,
        uint16 rateBps,
        uint8 dayCount
    ) external whenNotPaused onlyRole(Roles.SUPPLIER) nonReentrant returns (uint256 requestId) {
        IReceivableRegistry.Receivable memory r = _financeable(id);
        if (!members.hasRole(Roles.FINANCIER, financier)) {
            revert MissingRole(financier, Roles.FINANCIER);
        }
        if (dayCount > uint8(type(FinancingMath.DayCount).max)) revert UnknownDayCount(dayCount);
        uint256 available = r.faceValue - financedOrPending[id];
        if (amount == 0 || amount > available) revert AmountNotFinanceable(id, amount, available);

        financedOrPending[id] += amount;
        requestId = ++requestCount;
        requests[requestId] = Request(
            id,
            msg.sender,
            amount,
            financier,
            rateBps,
            dayCount,
            RequestStatus.Pending
        );
        emit FinancingRequested(requestId, id, msg.sender, financier, amount, rateBps, dayCount);
        registry.safeTransferFrom(msg.sender, address(this), id, amount, "");
    }

    /// @inheritdoc IFinancingEscrow
    function approveFinancing(uint256 requestId) external whenNotPaused nonReentrant {
        Request storage q = _pending(requestId);
        if (q.financier != msg.sender) revert NotRequestFinancier(requestId, msg.sender);
        IReceivableRegistry.Receivable memory r = _financeable(q.id);
        IERC20 token = _tokenOf(r.currency);

        uint256 days_ = FinancingMath.daysBetween(block.timestamp, r.dueDate);
        uint256 disc = FinancingMath.discount(
            q.amount,
            q.rateBps,
            days_,
            FinancingMath.DayCount(q.dayCount)
        );
        uint256 fee = FinancingMath.fee(q.amount, feeBps);
        if (disc + fee >= q.amount) revert TermsExceedAmount(q.amount, disc, fee);
        uint256 proceeds = q.amount - disc - fee;

        q.status = RequestStatus.Approved;
        emit FinancingApproved(requestId, q.id, msg.sender, q.amount, disc, fee, proceeds);
        token.safeTransferFrom(msg.sender, q.supplier, proceeds);
        if (fee != 0) token.safeTransferFrom(msg.sender, feeRecipient, fee);
        registry.safeTransferFrom(address(this), msg.sender, q.id, q.amount, "");
    }

    /// @inheritdoc IFinancingEscrow
    function rejectFinancing(
        uint256 requestId,
        uint16 reasonCode
    ) external whenNotPaused nonReentrant {
        Request storage q = _pending(requestId);
        if (q.financier != msg.sender) revert NotRequestFinancier(requestId, msg.sender);
        q.status = RequestStatus.Rejected;
        emit FinancingRejected(requestId, q.id, reasonCode);
        _release(q);
    }

    /// @inheritdoc IFinancingEscrow
    function cancelFinancing(uint256 requestId) external whenNotPaused nonReentrant {
        Request storage q = _pending(requestId);
        if (q.supplier != msg.sender) revert NotRequestSupplier(requestId, msg.sender);
        q.status = RequestStatus.Cancelled;
        emit FinancingCancelled(requestId, q.id);
        _release(q);
    }

    /// @inheritdoc IFinancingEscrow
    function repay(uint256 id, uint256 amount) external whenNotPaused nonReentrant {
        IReceivableRegistry.Receivable memory r = registry.receivable(id);
        if (r.debtor != msg.sender) revert NotDebtor(id, msg.sender);
        if (
            r.status != IReceivableRegistry.Status.Confirmed &&
            r.status != IReceivableRegistry.Status.InRepayment &&
            r.status != IReceivableRegistry.Status.Defaulted
        ) revert InvalidStatus(id, r.status);
        IERC20 token = _tokenOf(r.currency);
        uint256 outstanding = r.faceValue - repaid[id];
        if (amount == 0 || amount > outstanding)
            revert RepaymentExceedsOutstanding(id, amount, outstanding);

        uint256 total = repaid[id] + amount;
        repaid[id] = total;
        emit Repaid(id, msg.sender, amount, total);
        if (total == r.faceValue) {
            registry.setStatus(id, IReceivableRegistry.Status.Repaid);
        } else if (r.status == IReceivableRegistry.Status.Confirmed) {
            registry.setStatus(id, IReceivableRegistry.Status.InRepayment);
        }
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IFinancingEscrow
    function redeem(uint256 id) external whenNotPaused nonReentrant returns (uint256 paid) {
        IReceivableRegistry.Receivable memory r = registry.receivable(id);
        bool fullyRepaid = r.status == IReceivableRegistry.Status.Repaid;
        if (
            !fullyRepaid &&
            r.status != IReceivableRegistry.Status.InRepayment &&
            r.status != IReceivableRegistry.Status.Defaulted
        ) revert InvalidStatus(id, r.status);
        uint256 units = registry.balanceOf(msg.sender, id);
        uint256 entitled = (units * repaid[id]) / r.faceValue;
        uint256 alreadyDrawn = drawn[id][msg.sender];
        paid = entitled - alreadyDrawn;
        if (paid == 0 && !(fullyRepaid && units != 0)) revert NothingToRedeem(id, msg.sender);

        if (fullyRepaid) {
            delete drawn[id][msg.sender];
            uint256 redeemed = redeemedUnits[id] + units;
            redeemedUnits[id] = redeemed;
            emit Redeemed(id, msg.sender, paid, units);
            registry.burn(msg.sender, id, units);
            if (redeemed == r.faceValue) registry.setStatus(id, IReceivableRegistry.Status.Retired);
        } else {
            drawn[id][msg.sender] = entitled;
            emit Redeemed(id, msg.sender, paid, 0);
        }
        if (paid != 0) _tokenOf(r.currency).safeTransfer(msg.sender, paid);
    }

    /// @inheritdoc IFinancingEscrow
    function recordDefault(uint256 id) external whenNotPaused {
        IReceivableRegistry.Receivable memory r = registry.receivable(id);
        if (
            r.status != IReceivableRegistry.Status.Confirmed &&
            r.status != IReceivableRegistry.Status.InRepayment
        ) revert InvalidStatus(id, r.status);
        if (block.timestamp <= uint256(r.dueDate) + gracePeriod) revert NotInDefault(id);
        emit DefaultRecorded(id, r.faceValue - repaid[id]);
        registry.setStatus(id, IReceivableRegistry.Status.Defaulted);
    }

    function _financeable(
        uint256 id
    ) private view returns (IReceivableRegistry.Receivable memory r) {
        r = registry.receivable(id);
        if (r.status != IReceivableRegistry.Status.Confirmed) revert InvalidStatus(id, r.status);
        if (block.timestamp >= r.dueDate) revert Matured(id);
    }

    function _pending(uint256 requestId) private view returns (Request storage q) {
        q = requests[requestId];
        if (q.status != RequestStatus.Pending) revert RequestNotPending(requestId);
    }

    function _release(Request storage q) private {
        financedOrPending[q.id] -= q.amount;
        registry.safeTransferFrom(address(this), q.supplier, q.id, q.amount, "");
    }

    function _tokenOf(bytes3 currency) private view returns (IERC20 token) {
        token = settlementToken[currency];
        if (address(token) == address(0)) revert NoSettlementToken(currency);
    }
}
