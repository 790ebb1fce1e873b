// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FalseReturningToken
/// @notice TEST DOUBLE (tests/contracts/test_hostile_counterparts.py), never deploy: a settlement
/// token whose `transfer` and `transferFrom`, once `failing` is set, return false and move
/// nothing instead of reverting, as some pre-standard tokens do. Open mint.
contract FalseReturningToken is ERC20 {
    /// @notice Whether transfers return false (and move nothing).
    bool public failing;

    /// @notice Emitted when `failing` changes.
    event FailingSet(bool failing);

    constructor() ERC20("False-returning test token", "tFALSE") {}

    /// @notice Two decimals, as the EUR settlement token.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @notice Mints `amount` to `to` (open: a test double).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes transfers return false (true) or work (false).
    function setFailing(bool failing_) external {
        failing = failing_;
        emit FailingSet(failing_);
    }

    /// @notice ERC-20 transfer; returns false and moves nothing while `failing`.
    function transfer(address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transfer(to, value);
    }

    /// @notice ERC-20 transferFrom; returns false and moves nothing while `failing`.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transferFrom(from, to, value);
    }
}
