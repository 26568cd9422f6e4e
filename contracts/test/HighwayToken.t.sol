// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {HighwayToken} from "../token/HighwayToken.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract HighwayTokenTest is Test {
    HighwayToken private token;

    function setUp() public {
        token = new HighwayToken(address(this));
    }

    function test_ownerMints() public {
        token.mint(address(0xA), 5e18);
        assertEq(token.balanceOf(address(0xA)), 5e18);
        assertEq(token.totalSupply(), 5e18);
    }

    function test_othersCannotMint() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xB)));
        vm.prank(address(0xB));
        token.mint(address(0xB), 1);
    }

    function test_permitSetsTheAllowance() public {
        uint256 key = 0xB0B;
        address owner = vm.addr(key);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                address(0xC),
                7,
                0,
                block.timestamp
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            key,
            keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash))
        );
        token.permit(owner, address(0xC), 7, block.timestamp, v, r, s);
        assertEq(token.allowance(owner, address(0xC)), 7);
        assertEq(token.nonces(owner), 1);
    }
}
