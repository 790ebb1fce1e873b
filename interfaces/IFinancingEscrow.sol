// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IFinancingEscrow
/// @notice Discounting of receivables against a settlement token, repayment, redemption, default
/// and recourse.
interface IFinancingEscrow {
    /// @notice States of a financing request.
    enum RequestStatus {
        None,
        Pending,
        Approved,
        Rejected,
        Cancelled
    }

    /// @notice What the supplier asks for: the rate, the day count, and whether the financier may
    /// turn to the supplier if the debtor does not pay (recourse, secured by a reserve held back
    /// from the proceeds).
    struct FinancingTerms {
        uint16 rateBps;
        uint8 dayCount;
        bool recourse;
        uint16 reserveBps;
    }

    /// @notice A signature given off chain, with its nonce and deadline.
    struct Signed {
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    /// @notice A holder asked `financier` to discount `amount` of receivable `id`.
    event FinancingRequested(
        uint256 indexed requestId,
        uint256 indexed id,
        address indexed supplier,
        address financier,
        uint96 amount,
        FinancingTerms terms
    );
    /// @notice The financier paid `proceeds` to the supplier (and `fee` to the platform, `reserve`
    /// into the escrow) and took `amount` of the claim.
    event FinancingApproved(
        uint256 indexed requestId,
        uint256 indexed id,
        address indexed financier,
        uint256 amount,
        uint256 discount,
        uint256 fee,
        uint256 reserve,
        uint256 proceeds
    );
    /// @notice The financier declined; the claim went back to the supplier.
    event FinancingRejected(uint256 indexed requestId, uint256 indexed id, uint16 reasonCode);
    /// @notice The supplier withdrew its request (or it lapsed at maturity); the claim went back.
    event FinancingCancelled(uint256 indexed requestId, uint256 indexed id);
    /// @notice A financier set how much it will finance against one debtor.
    event ExposureLimitSet(address indexed financier, address indexed debtor, uint256 limit);
    /// @notice The debtor paid `amount` towards receivable `id`.
    event Repaid(uint256 indexed id, address indexed payer, uint256 amount, uint256 totalRepaid);
    /// @notice `holder` drew `paid` settlement tokens and retired `burned` units of its share.
    event Redeemed(uint256 indexed id, address indexed holder, uint256 paid, uint256 burned);
    /// @notice The receivable was not repaid by its due date plus the grace period.
    event DefaultRecorded(uint256 indexed id, uint256 shortfall);
    /// @notice The financier of a recourse financing took `fromReserve` of its shortfall from the
    /// reserve and recorded `debt` as owed by the supplier; the financed units went back to it.
    event RecourseClaimed(
        uint256 indexed requestId,
        uint256 indexed id,
        uint256 fromReserve,
        uint256 debt
    );
    /// @notice The supplier paid `amount` of a recorded recourse debt.
    event RecourseDebtPaid(uint256 indexed requestId, uint256 amount, uint256 remaining);
    /// @notice The reserve of a request went back to the supplier.
    event ReserveReleased(uint256 indexed requestId, uint256 amount);
    /// @notice The operator chose the settlement token for `currency`.
    event SettlementTokenSet(bytes3 indexed currency, address token);
    /// @notice The operator set the platform fee.
    event FeeSet(uint16 feeBps, address recipient);

    /// @notice Locks `amount` of the caller's share of `id` and asks `financier` to discount it.
    function requestFinancing(
        uint256 id,
        uint96 amount,
        address financier,
        FinancingTerms calldata terms
    ) external returns (uint256 requestId);

    /// @notice Any member relays a supplier's signed financing request.
    function requestFinancingBySig(
        address supplier,
        uint256 id,
        uint96 amount,
        address financier,
        FinancingTerms calldata terms,
        Signed calldata sig
    ) external returns (uint256 requestId);

    /// @notice The financier pays the discounted price and takes the claim.
    function approveFinancing(uint256 requestId) external;

    /// @notice Any member relays a financier's signed approval.
    function approveFinancingBySig(uint256 requestId, Signed calldata sig) external;

    /// @notice The financier declines the request.
    function rejectFinancing(uint256 requestId, uint16 reasonCode) external;

    /// @notice The supplier withdraws a pending request; after maturity, anyone may.
    function cancelFinancing(uint256 requestId) external;

    /// @notice The debtor pays `amount` towards receivable `id`.
    function repay(uint256 id, uint256 amount) external;

    /// @notice The caller draws what it is owed on `id`; once fully repaid, its share is retired.
    function redeem(uint256 id) external returns (uint256 paid);

    /// @notice Records a default once the due date plus the grace period has passed unpaid.
    function recordDefault(uint256 id) external;

    /// @notice The financier of a defaulted recourse financing claims its shortfall.
    function claimRecourse(uint256 requestId) external;

    /// @notice The supplier pays off a recorded recourse debt, in part or whole.
    function payRecourseDebt(uint256 requestId, uint256 amount) external;

    /// @notice The supplier takes back the reserve of a financing whose receivable was repaid.
    function releaseReserve(uint256 requestId) external;
}
