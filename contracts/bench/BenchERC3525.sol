// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC3525} from "@solvprotocol/erc-3525/ERC3525.sol";

/// @title BenchERC3525
/// @notice The ERC-3525 reference implementation (npm @solvprotocol/erc-3525 1.5.0) with an open
/// mint, as a baseline for `make bench`. Its split is the reference's value transfer to a new
/// token id, `transferFrom(uint256 fromTokenId, address to, uint256 value)`.
contract BenchERC3525 is ERC3525 {
    constructor() ERC3525("Bench ERC-3525", "B3525", 2) {}

    /// @notice Mints a new token of `slot` holding `value` to `to`; returns its id.
    function mint(address to, uint256 slot, uint256 value) external returns (uint256) {
        return _mint(to, slot, value);
    }
}
