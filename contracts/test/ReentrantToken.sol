// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice TEST DOUBLE (tests/contracts/test_hostile_counterparts.py), never deploy: a settlement
/// token that, after every transfer, calls a target (the escrow) with calldata set beforehand,
/// as a hostile token would from its transfer hook. Open mint.
/// @dev With `bubble`, a failed re-entry reverts the transfer with the callee's error data;
/// without, the error data is kept in `lastReentryError` and the transfer goes on. One re-entry
/// per transfer (a transfer made by the re-entered call does not re-enter again).
contract ReentrantToken is ERC20 {
    /// @notice The contract called back on every transfer (zero: none).
    address public reentryTarget;
    /// @notice The calldata of that call.
    bytes public reentryData;
    /// @notice Whether a failed re-entry reverts the transfer.
    bool public bubble;
    /// @notice The revert data of the last failed re-entry.
    bytes public lastReentryError;
    /// @notice Re-entries attempted so far.
    uint256 public reentries;

    bool private _reentering;

    /// @notice Emitted after each re-entry attempt, with its outcome.
    event ReentryAttempted(address indexed target, bool success, bytes result);

    constructor() ERC20("Reentrant test token", "tREE") {}

    /// @notice Two decimals, as the EUR settlement token.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @notice Mints `amount` to `to` (open: a test double).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice From now on, every transfer calls `target` with `data`.
    /// @param bubble_ True: a failed call reverts the transfer; false: it is recorded only.
    function arm(address target, bytes calldata data, bool bubble_) external {
        reentryTarget = target;
        reentryData = data;
        bubble = bubble_;
    }

    /// @notice Stops calling back.
    function disarm() external {
        delete reentryTarget;
        delete reentryData;
    }

    /// @dev Moves the balances, then calls back (transfers only, not mint or burn).
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (reentryTarget == address(0) || _reentering || from == address(0) || to == address(0)) {
            return;
        }
        _reentering = true;
        ++reentries;
        (bool success, bytes memory result) = reentryTarget.call(reentryData);
        _reentering = false;
        emit ReentryAttempted(reentryTarget, success, result);
        if (!success) {
            if (bubble) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
            lastReentryError = result;
        }
    }
}
