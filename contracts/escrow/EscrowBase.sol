// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFinancingEscrow} from "../../interfaces/IFinancingEscrow.sol";
import {IMemberRegistry} from "../../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../../interfaces/IReceivableRegistry.sol";

/// @title EscrowBase
/// @notice Storage, errors and guards shared by the financing desk and the settlement of the
/// FinancingEscrow.
abstract contract EscrowBase is IFinancingEscrow, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The caller lacks `role`.
    error MissingRole(address account, bytes32 role);
    /// @notice `account` is not a member.
    error NotMember(address account);
    /// @notice The platform is paused.
    error PlatformPaused();
    /// @notice No settlement token is set for the receivable's currency.
    error NoSettlementToken(bytes3 currency);
    /// @notice The receivable is not in a state that allows this.
    error InvalidStatus(uint256 id, IReceivableRegistry.Status status);
    /// @notice Only the financier named in the request may do this.
    error NotRequestFinancier(uint256 requestId, address account);
    /// @notice The request is not in a state that allows this.
    error InvalidRequestStatus(uint256 requestId, RequestStatus status);
    /// @notice The settlement token delivered to `to` another amount than was sent (a fee on
    /// transfer, a rebase): the escrow would book or report a payment that was not made.
    error TransferAmountMismatch(address token, address to, uint256 amount, uint256 received);

    /// @notice A financing request, its terms and, once approved, the reserve held for recourse.
    struct Request {
        uint256 id;
        address supplier;
        uint96 amount;
        address financier;
        uint16 rateBps;
        uint16 reserveBps;
        uint8 dayCount;
        bool recourse;
        RequestStatus status;
        uint256 reserve;
        uint256 recourseDebt;
        bool recourseClaimed;
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
    /// @notice Number of financing requests made so far.
    uint256 public requestCount;
    /// @notice Units of each receivable financed or locked in a pending request.
    mapping(uint256 id => uint256 amount) public financedOrPending;
    /// @notice Settlement tokens paid in by the debtor for each receivable.
    mapping(uint256 id => uint256 amount) public repaid;
    /// @notice Units of each receivable redeemed (burned) so far.
    mapping(uint256 id => uint256 amount) public redeemedUnits;
    /// @notice Settlement tokens a holder has drawn on a receivable and not yet retired.
    mapping(uint256 id => mapping(address holder => uint256 amount)) public drawn;
    /// @notice Settlement tokens held as reserves, per currency (part of this escrow's balance).
    mapping(bytes3 currency => uint256 amount) public reservesHeld;
    /// @notice Most a financier will have financed and not yet drawn back, per debtor; set by it.
    mapping(address financier => mapping(address debtor => uint256 limit)) public exposureLimit;
    /// @notice What a financier has financed against a debtor and not yet drawn back.
    mapping(address financier => mapping(address debtor => uint256 amount)) public exposure;
    /// @notice Platform fee on financed amounts, in basis points.
    uint16 public feeBps;
    /// @notice Receiver of platform fees.
    address public feeRecipient;

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
        _requireRole(role, msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (members.paused()) revert PlatformPaused();
        _;
    }

    modifier onlyMember() {
        if (!members.isMember(msg.sender)) revert NotMember(msg.sender);
        _;
    }

    function _requireRole(bytes32 role, address account) internal view {
        if (!members.hasRole(role, account)) revert MissingRole(account, role);
    }

    function _tokenOf(bytes3 currency) internal view returns (IERC20 token) {
        token = settlementToken[currency];
        if (address(token) == address(0)) revert NoSettlementToken(currency);
    }

    /// @dev Moves `amount` of `token` from `from` to `to`, and refuses a token that delivers
    /// another amount, so that every amount the escrow books (repayments, reserves) or reports as
    /// paid (proceeds, fees, recourse debt) is what the receiver got. A payment to oneself moves
    /// nothing to measure.
    function _pullExact(IERC20 token, address from, address to, uint256 amount) internal {
        if (from == to) {
            token.safeTransferFrom(from, to, amount);
            return;
        }
        uint256 before = token.balanceOf(to);
        // Not stale: the balance after the call is read fresh, so whatever a token hook moves
        // meanwhile is measured and refused; every caller is nonReentrant. Tests:
        // test_token_transfer_edges.py, test_hostile_counterparts.py (docs/static-analysis.md).
        // slither-disable-next-line reentrancy-balance
        token.safeTransferFrom(from, to, amount);
        uint256 balance = token.balanceOf(to);
        uint256 received = balance > before ? balance - before : 0;
        if (received != amount) revert TransferAmountMismatch(address(token), to, amount, received);
    }

    function _requireRequestStatus(
        uint256 requestId,
        Request storage q,
        RequestStatus expected
    ) internal view {
        if (q.status != expected) revert InvalidRequestStatus(requestId, q.status);
    }

    /// @dev What `holder` may draw now on receivable `id` of face `faceValue`, and its entitlement.
    function _owed(
        uint256 id,
        address holder,
        uint256 faceValue
    ) internal view returns (uint256 due, uint256 entitled) {
        entitled = (registry.balanceOf(holder, id) * repaid[id]) / faceValue;
        uint256 already = drawn[id][holder];
        due = entitled > already ? entitled - already : 0;
    }
}
