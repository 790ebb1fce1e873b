// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IReceivableRegistry} from "../interfaces/IReceivableRegistry.sol";
import {EscrowBase} from "./escrow/EscrowBase.sol";
import {FinancingDesk} from "./escrow/FinancingDesk.sol";
import {Settlement} from "./escrow/Settlement.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title FinancingEscrow
/// @notice Discounting of confirmed receivables in a settlement token, then repayment by the
/// debtor and pull redemption by every holder, pro rata to its share; default and recourse.
/// @dev Cash for financing goes straight from financier to supplier; this contract holds only
/// repayments not yet drawn and recourse reserves, so its balance of each settlement token
/// always equals what it owes (docs/invariants.md).
contract FinancingEscrow is FinancingDesk, Settlement, ERC1155Holder {
    /// @notice The fee exceeds its maximum.
    error FeeTooHigh(uint16 feeBps);
    /// @notice An address argument must not be zero.
    error ZeroAddress();
    /// @notice ERC-1155 tokens arrived other than by the escrow's own transfer of receivable
    /// units into a financing request.
    error UnsolicitedTransfer(address token, address operator);

    /// @notice The largest platform fee the operator may set, in basis points (1%).
    uint16 public constant MAX_FEE_BPS = 100;

    /// @param memberRegistry The consortium's member registry.
    /// @param receivableRegistry The registry whose receivables are settled here.
    /// @param gracePeriodSeconds Seconds after due date before a default can be recorded.
    constructor(
        IMemberRegistry memberRegistry,
        IReceivableRegistry receivableRegistry,
        uint256 gracePeriodSeconds
    )
        EscrowBase(memberRegistry, receivableRegistry, gracePeriodSeconds)
        EIP712("scfchain FinancingEscrow", "1")
    {}

    /// @notice Accepts receivable units only when the escrow itself moves them in, to lock them
    /// for a financing request. Units a holder sends on its own would belong to no request and
    /// keep their receivable from ever retiring, and other ERC-1155 tokens would be stuck: both
    /// are refused.
    /// @param operator The account that started the transfer; must be this escrow.
    /// @return The ERC-1155 acceptance selector.
    function onERC1155Received(
        address operator,
        address,
        uint256,
        uint256,
        bytes memory
    ) public view override returns (bytes4) {
        if (msg.sender != address(registry) || operator != address(this)) {
            revert UnsolicitedTransfer(msg.sender, operator);
        }
        return this.onERC1155Received.selector;
    }

    /// @notice Refuses every batch transfer: the escrow never moves units in batches.
    /// @param operator The account that started the transfer.
    function onERC1155BatchReceived(
        address operator,
        address,
        uint256[] memory,
        uint256[] memory,
        bytes memory
    ) public view override returns (bytes4) {
        revert UnsolicitedTransfer(msg.sender, operator);
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
}
