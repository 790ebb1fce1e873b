// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IFinancingEscrow
/// @notice Discounting of receivables against a settlement token, repayment and redemption.
interface IFinancingEscrow {
    /// @notice States of a financing request.
    enum RequestStatus {
        None,
        Pending,
        Approved,
        Rejected,
        Cancelled
    }

    /// @notice A holder asked `financier` to discount `amount` of receivable `id`.
    event FinancingRequested(
        uint256 indexed requestId,
        uint256 indexed id,
        address indexed supplier,
        address financier,
        uint96 amount,
        uint16 rateBps,
        uint8 dayCount
    );
    /// @notice The financier paid `proceeds` to the supplier (and `fee` to the platform) and took `amount` of the claim.
    event FinancingApproved(
        uint256 indexed requestId,
        uint256 indexed id,
        address indexed financier,
        uint256 amount,
        uint256 discount,
        uint256 fee,
        uint256 proceeds
    );
    /// @notice The financier declined; the claim went back to the supplier.
    event FinancingRejected(uint256 indexed requestId, uint256 indexed id, uint16 reasonCode);
    /// @notice The supplier withdrew its request; the claim went back to it.
    event FinancingCancelled(uint256 indexed requestId, uint256 indexed id);
    /// @notice The debtor paid `amount` towards receivable `id`.
    event Repaid(uint256 indexed id, address indexed payer, uint256 amount, uint256 totalRepaid);
    /// @notice `holder` drew `paid` settlement tokens and retired `burned` units of its share.
    event Redeemed(uint256 indexed id, address indexed holder, uint256 paid, uint256 burned);
    /// @notice The receivable was not repaid by its due date plus the grace period.
    event DefaultRecorded(uint256 indexed id, uint256 shortfall);
    /// @notice The operator chose the settlement token for `currency`.
    event SettlementTokenSet(bytes3 indexed currency, address token);
    /// @notice The operator set the platform fee.
    event FeeSet(uint16 feeBps, address recipient);

    /// @notice Locks `amount` of the caller's share of `id` and asks `financier` to discount it.
    function requestFinancing(
        uint256 id,
        uint96 amount,
        address financier,
        uint16 rateBps,
        uint8 dayCount
    ) external returns (uint256 requestId);

    /// @notice The financier pays the discounted price and takes the claim.
    function approveFinancing(uint256 requestId) external;

    /// @notice The financier declines the request.
    function rejectFinancing(uint256 requestId, uint16 reasonCode) external;

    /// @notice The supplier withdraws a pending request.
    function cancelFinancing(uint256 requestId) external;

    /// @notice The debtor pays `amount` towards receivable `id`.
    function repay(uint256 id, uint256 amount) external;

    /// @notice The caller draws what it is owed on `id`; once fully repaid, its share is retired.
    function redeem(uint256 id) external returns (uint256 paid);

    /// @notice Records a default once the due date plus the grace period has passed unpaid.
    function recordDefault(uint256 id) external;
}
