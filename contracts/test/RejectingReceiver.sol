// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title RejectingReceiver
/// @notice TEST DOUBLE (tests/contracts/test_hostile_counterparts.py), never deploy: a member
/// that is a contract (a supplier's or financier's wallet) and, while `refusing`, rejects every
/// ERC-1155 transfer to it by answering the wrong value from its receiver hooks. Its controller
/// acts through it with `execute` (approve the escrow, approve financing, ...).
contract RejectingReceiver is IERC1155Receiver {
    /// @notice Only the controller (the deployer) may act through this wallet.
    error NotController(address account);

    /// @notice The account that acts through this wallet.
    address public immutable controller;
    /// @notice Whether ERC-1155 transfers to this wallet are rejected.
    bool public refusing;

    /// @notice Emitted when `refusing` changes.
    event RefusingSet(bool refusing);

    constructor() {
        controller = msg.sender;
    }

    /// @notice Calls `target` with `data` as this wallet; bubbles up any revert.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != controller) revert NotController(msg.sender);
        return Address.functionCall(target, data);
    }

    /// @notice Rejects (true) or accepts (false) ERC-1155 transfers from now on.
    function setRefusing(bool refusing_) external {
        if (msg.sender != controller) revert NotController(msg.sender);
        refusing = refusing_;
        emit RefusingSet(refusing_);
    }

    /// @notice ERC-1155 single receiver hook: the right answer unless `refusing`.
    function onERC1155Received(
        address,
        address,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bytes4) {
        return refusing ? bytes4(0) : this.onERC1155Received.selector;
    }

    /// @notice ERC-1155 batch receiver hook: the right answer unless `refusing`.
    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external view returns (bytes4) {
        return refusing ? bytes4(0) : this.onERC1155BatchReceived.selector;
    }

    /// @notice ERC-165: IERC1155Receiver and IERC165.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC1155Receiver).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }
}
