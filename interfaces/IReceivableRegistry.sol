// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";

/// @title IReceivableRegistry
/// @notice Receivables registered by suppliers, confirmed by debtors, held as ERC-1155 balances.
/// @dev The token id of a receivable is its invoice fingerprint read as a uint256, so a
/// fingerprint can be registered only once, ever. One token unit is one minor unit of the
/// receivable's currency (one cent of EUR): a holder's balance is its share of the face value.
interface IReceivableRegistry is IERC1155 {
    /// @notice The life-cycle states; see docs/lifecycle.md.
    enum Status {
        None,
        Registered,
        Disputed,
        Confirmed,
        Rejected,
        Cancelled,
        InRepayment,
        Repaid,
        Defaulted,
        Retired
    }

    /// @notice One receivable; packed into three storage slots.
    struct Receivable {
        address supplier;
        uint40 dueDate;
        Status status;
        bytes3 currency;
        address debtor;
        uint96 faceValue;
        bytes32 documentHash;
    }

    /// @notice The terms a supplier registers and a debtor confirms.
    struct Terms {
        bytes32 fingerprint;
        address debtor;
        uint96 faceValue;
        bytes3 currency;
        uint40 dueDate;
        bytes32 documentHash;
    }

    /// @notice A debtor's EIP-712 confirmation of `Terms`, for registerAndConfirm and confirmBySig.
    struct DebtorSignature {
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    /// @notice A supplier registered a claim against a debtor.
    event ReceivableRegistered(
        uint256 indexed id,
        address indexed supplier,
        address indexed debtor,
        uint96 faceValue,
        bytes3 currency,
        uint40 dueDate,
        bytes32 documentHash
    );
    /// @notice The debtor accepted the claim; its face value was minted to the supplier.
    event ReceivableConfirmed(uint256 indexed id, address indexed debtor);
    /// @notice The debtor refused the claim, with a reason code.
    event ReceivableRejected(uint256 indexed id, address indexed debtor, uint16 reasonCode);
    /// @notice The debtor disputes the claim, with a reason code; it may still confirm or reject.
    event ReceivableDisputed(uint256 indexed id, address indexed debtor, uint16 reasonCode);
    /// @notice The supplier withdrew the claim before confirmation.
    event ReceivableCancelled(uint256 indexed id, address indexed supplier);
    /// @notice The settlement escrow moved the receivable to a new state.
    event StatusChanged(uint256 indexed id, Status status);
    /// @notice The settlement escrow was bound, once, to this registry.
    event EscrowBound(address indexed escrow);
    /// @notice The operator set a debtor's credit line.
    event CreditLineSet(address indexed debtor, uint256 limit);
    /// @notice A debtor's credit in use changed (confirmation uses it, repayment frees it).
    event CreditUsed(address indexed debtor, uint256 used);

    /// @notice Registers a claim of `faceValue` minor units of `currency` against `debtor`.
    function register(Terms calldata terms) external returns (uint256 id);

    /// @notice Registers several claims in one transaction.
    function registerBatch(Terms[] calldata terms) external;

    /// @notice The debtor confirms the claim; the supplier receives the token.
    function confirm(uint256 id) external;

    /// @notice The debtor confirms several claims in one transaction.
    function confirmBatch(uint256[] calldata ids) external;

    /// @notice Any member relays the debtor's signed confirmation of a registered claim.
    function confirmBySig(uint256 id, DebtorSignature calldata sig) external;

    /// @notice The supplier registers a claim that its debtor confirmed by signature, in one step.
    function registerAndConfirm(
        Terms calldata terms,
        DebtorSignature calldata sig
    ) external returns (uint256 id);

    /// @notice registerAndConfirm for many claims in one transaction.
    function registerAndConfirmBatch(
        Terms[] calldata terms,
        DebtorSignature[] calldata sigs
    ) external;

    /// @notice The debtor disputes a registered claim.
    function dispute(uint256 id, uint16 reasonCode) external;

    /// @notice The debtor rejects the claim.
    function reject(uint256 id, uint16 reasonCode) external;

    /// @notice The supplier cancels a claim not yet confirmed.
    function cancel(uint256 id) external;

    /// @notice The receivable with token id `id`.
    function receivable(uint256 id) external view returns (Receivable memory);

    /// @notice True when the receivable is past its due date and not repaid.
    function isOverdue(uint256 id) external view returns (bool);

    /// @notice The settlement escrow moves a receivable to `status`.
    function setStatus(uint256 id, Status status) external;

    /// @notice The settlement escrow burns `amount` of `holder`'s share when it is redeemed.
    function burn(address holder, uint256 id, uint256 amount) external;

    /// @notice The settlement escrow frees `amount` of the debtor's credit line on repayment.
    function releaseCredit(address debtor, uint256 amount) external;

    /// @notice The settlement escrow bound to this registry.
    function escrow() external view returns (address);
}
