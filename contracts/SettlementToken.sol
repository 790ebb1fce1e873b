// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title SettlementToken
/// @notice A tokenised deposit in one currency (e-money issued by a consortium bank), used to
/// finance and repay receivables. Its decimals equal the currency's ISO 4217 minor units, so one
/// token unit equals one unit of a receivable's face value.
contract SettlementToken is ERC20, Ownable {
    uint8 private immutable _decimals;

    /// @param name_ Token name, e.g. "Tokenised EUR deposit".
    /// @param symbol_ Token symbol, e.g. "dEUR".
    /// @param decimals_ The currency's minor units (2 for EUR, 0 for JPY).
    /// @param issuer The bank that may issue and redeem the deposit.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address issuer
    ) ERC20(name_, symbol_) Ownable(issuer) {
        _decimals = decimals_;
    }

    /// @notice Issues `amount` units to `to` against money received off chain.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Redeems `amount` of the issuer's own units back into money off chain.
    function burn(uint256 amount) external onlyOwner {
        _burn(msg.sender, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
