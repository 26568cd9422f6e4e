// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/**
 * @title HighwayToken
 * @notice The demo payment and stake token of the embedded network: an ERC-20 with
 * ERC-2612 permit, minted by its owner. Not for production.
 */
contract HighwayToken is ERC20, ERC20Permit, Ownable {
    constructor(address owner_) ERC20("Highway Demo Token", "HWY") ERC20Permit("Highway Demo Token") Ownable(owner_) {}

    /// @notice Mints `amount` to `to`; only the owner.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
