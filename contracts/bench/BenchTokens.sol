// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

// Baselines for `make bench` (scfchain/bench.py): plain OpenZeppelin 5.0.2 tokens that only add
// an open mint. Never deploy them anywhere but a benchmark chain.

/// @title BenchERC20
/// @notice OpenZeppelin ERC-20 with an open mint; the benchmark measures `transfer`.
contract BenchERC20 is ERC20 {
    constructor() ERC20("Bench ERC-20", "B20") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @title BenchERC721
/// @notice OpenZeppelin ERC-721 with an open mint.
contract BenchERC721 is ERC721 {
    constructor() ERC721("Bench ERC-721", "B721") {}

    /// @notice Mints token `id` to `to`.
    function mint(address to, uint256 id) external {
        _mint(to, id);
    }
}

/// @title BenchERC1155
/// @notice OpenZeppelin ERC-1155 with an open mint.
contract BenchERC1155 is ERC1155 {
    constructor() ERC1155("") {}

    /// @notice Mints `value` units of token `id` to `to`.
    function mint(address to, uint256 id, uint256 value) external {
        _mint(to, id, value, "");
    }
}
