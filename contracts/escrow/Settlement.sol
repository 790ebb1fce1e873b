// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IFinancingEscrow} from "../../interfaces/IFinancingEscrow.sol";
import {IReceivableRegistry} from "../../interfaces/IReceivableRegistry.sol";
import {EscrowBase} from "./EscrowBase.sol";

/// @title Settlement
/// @notice Repayment by the debtor (in parts, early or late), pull redemption by every holder pro
/// rata to its units, default after the grace period, and recourse against the supplier.
/// @dev Transfers freeze once repayment starts, so a holder's entitlement is
/// units * repaid / faceValue, rounded down; what it has drawn is recorded, so each unit of
/// repayment is paid out once. Recourse model: see docs/lifecycle.md ("Default and recourse").
abstract contract Settlement is EscrowBase {
    using SafeERC20 for IERC20;

    /// @notice Only the debtor may repay.
    error NotDebtor(uint256 id, address account);
    /// @notice The repayment is zero or larger than what is still owed.
    error RepaymentExceedsOutstanding(uint256 id, uint256 amount, uint256 outstanding);
    /// @notice There is nothing to redeem for this holder now.
    error NothingToRedeem(uint256 id, address holder);
    /// @notice The grace period has not passed.
    error NotInDefault(uint256 id);
    /// @notice The request is not a recourse financing, or its recourse was claimed already.
    error NoRecourse(uint256 requestId);
    /// @notice The payment exceeds the recorded debt.
    error PaymentExceedsDebt(uint256 requestId, uint256 amount, uint256 debt);
    /// @notice The reserve cannot be released yet, or there is none.
    error ReserveLocked(uint256 requestId);

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
        registry.releaseCredit(r.debtor, amount);
        if (total == r.faceValue) {
            registry.setStatus(id, IReceivableRegistry.Status.Repaid);
        } else if (r.status == IReceivableRegistry.Status.Confirmed) {
            registry.setStatus(id, IReceivableRegistry.Status.InRepayment);
        }
        _pullExact(token, msg.sender, address(this), amount);
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
        uint256 entitled;
        (paid, entitled) = _owed(id, msg.sender, r.faceValue);
        if (paid == 0 && !(fullyRepaid && units != 0)) revert NothingToRedeem(id, msg.sender);

        _reduceExposure(msg.sender, r.debtor, paid);
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

    /// @inheritdoc IFinancingEscrow
    function claimRecourse(uint256 requestId) external whenNotPaused nonReentrant {
        Request storage q = requests[requestId];
        _requireRequestStatus(requestId, q, RequestStatus.Approved);
        if (!q.recourse || q.recourseClaimed) revert NoRecourse(requestId);
        if (q.financier != msg.sender) revert NotRequestFinancier(requestId, msg.sender);
        uint256 id = q.id;
        IReceivableRegistry.Receivable memory r = registry.receivable(id);
        if (r.status != IReceivableRegistry.Status.Defaulted) revert InvalidStatus(id, r.status);

        // Recourse covers the financed units the financier still holds (units it sold went with
        // their risk): what repayments have not covered of them, rounded in its favour.
        uint256 held = registry.balanceOf(msg.sender, id);
        uint256 units = q.amount < held ? q.amount : held;
        uint256 shortfall = units - (units * repaid[id]) / r.faceValue;
        uint256 fromReserve = shortfall < q.reserve ? shortfall : q.reserve;
        q.recourseClaimed = true;
        q.reserve -= fromReserve;
        reservesHeld[r.currency] -= fromReserve;
        q.recourseDebt = shortfall - fromReserve;
        // Pay the financier what repayments owe it so far, then hand its financed units back
        // to the supplier, who bore the loss and takes any later recovery.
        (uint256 due, uint256 entitled) = _owed(id, msg.sender, r.faceValue);
        if (due != 0) drawn[id][msg.sender] = entitled;
        // Its exposure falls by all it gets back now: the shortfall and the repayments drawn.
        _reduceExposure(msg.sender, r.debtor, shortfall + due);
        uint256 moved = _handBack(id, msg.sender, q.supplier, units);
        emit RecourseClaimed(requestId, id, fromReserve, q.recourseDebt);
        if (due != 0) emit Redeemed(id, msg.sender, due, 0);

        if (moved != 0) registry.safeTransferFrom(msg.sender, q.supplier, id, moved, "");
        if (due + fromReserve != 0)
            _tokenOf(r.currency).safeTransfer(msg.sender, due + fromReserve);
    }

    /// @inheritdoc IFinancingEscrow
    function payRecourseDebt(
        uint256 requestId,
        uint256 amount
    ) external whenNotPaused nonReentrant {
        Request storage q = requests[requestId];
        uint256 debt = q.recourseDebt;
        if (amount == 0 || amount > debt) revert PaymentExceedsDebt(requestId, amount, debt);
        q.recourseDebt = debt - amount;
        emit RecourseDebtPaid(requestId, amount, debt - amount);
        _pullExact(_tokenOf(registry.receivable(q.id).currency), msg.sender, q.financier, amount);
    }

    /// @inheritdoc IFinancingEscrow
    function releaseReserve(uint256 requestId) external whenNotPaused nonReentrant {
        Request storage q = requests[requestId];
        uint256 amount = q.reserve;
        IReceivableRegistry.Receivable memory r = registry.receivable(q.id);
        bool settled = r.status == IReceivableRegistry.Status.Repaid ||
            r.status == IReceivableRegistry.Status.Retired ||
            q.recourseClaimed;
        if (amount == 0 || !settled) revert ReserveLocked(requestId);
        q.reserve = 0;
        reservesHeld[r.currency] -= amount;
        emit ReserveReleased(requestId, amount);
        _tokenOf(r.currency).safeTransfer(q.supplier, amount);
    }

    /// @dev Moves the bookkeeping of up to `amount` of `from`'s units to `to` before the units
    /// themselves move: the share of what `from` has drawn goes with them, so that no repayment
    /// is paid twice. Returns the units to move. Pays `from` nothing; the caller settles it first.
    function _handBack(
        uint256 id,
        address from,
        address to,
        uint256 amount
    ) private returns (uint256 moved) {
        uint256 units = registry.balanceOf(from, id);
        moved = amount < units ? amount : units;
        if (moved == 0) return 0;
        uint256 drawnShare = (drawn[id][from] * moved) / units;
        drawn[id][from] -= drawnShare;
        drawn[id][to] += drawnShare;
    }

    function _reduceExposure(address financier, address debtor, uint256 amount) private {
        uint256 current = exposure[financier][debtor];
        if (current != 0) exposure[financier][debtor] = amount < current ? current - amount : 0;
    }
}
