// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice TEST DOUBLE (tests/contracts/test_hostile_counterparts.py), never deploy: a settlement
/// token that burns a fee of `feeBps` of every transfer, so the receiver gets less than the
/// sender sent. Open mint.
contract FeeOnTransferToken is ERC20 {
    /// @notice The fee exceeds 100%.
    error FeeTooHigh(uint16 feeBps);

    /// @notice The fee burned on each transfer, in basis points.
    uint16 public feeBps;

    /// @notice Emitted when the fee changes.
    event FeeSet(uint16 feeBps);

    /// @param feeBps_ The fee burned on each transfer, in basis points.
    constructor(uint16 feeBps_) ERC20("Fee-on-transfer test token", "tFEE") {
        _setFee(feeBps_);
    }

    /// @notice Two decimals, as the EUR settlement token.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @notice Mints `amount` to `to` (open: a test double).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the fee burned on each transfer, in basis points.
    function setFee(uint16 feeBps_) external {
        _setFee(feeBps_);
    }

    /// @dev Transfers (not mint or burn) deliver `value` less the fee, and burn the fee.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || feeBps == 0) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = (value * feeBps) / 10_000;
        super._update(from, to, value - fee);
        super._update(from, address(0), fee);
    }

    function _setFee(uint16 feeBps_) private {
        if (feeBps_ > 10_000) revert FeeTooHigh(feeBps_);
        feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }
}
