// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {RelayerStaking} from "../RelayerStaking.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {HighwayToken} from "../token/HighwayToken.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";

contract RelayerStakingTest is Test {
    HighwayToken private token;
    RelayerStaking private staking;
    address private coordinator = address(0xC00D);
    address private relayer = address(0xBEEF);

    function setUp() public {
        token = new HighwayToken(address(this));
        staking = new RelayerStaking(token, coordinator, address(this), 100e18, 1 days);
        token.mint(relayer, 1_000e18);
        vm.prank(relayer);
        token.approve(address(staking), type(uint256).max);
        vm.prank(relayer);
        staking.stake(300e18);
    }

    function test_stakeRecordsAndTransfers() public {
        assertEq(staking.relayerOf(relayer).stake, 300e18);
        assertEq(token.balanceOf(address(staking)), 300e18);
        vm.expectRevert(IHighwayErrors.ZeroAmount.selector);
        vm.prank(relayer);
        staking.stake(0);
        vm.expectEmit(true, false, false, true, address(staking));
        emit IRelayerStaking.Staked(relayer, 1e18);
        vm.prank(relayer);
        staking.stake(1e18);
        assertEq(staking.token(), address(token));
    }

    function test_stakeBeyondUint96Reverts() public {
        address whale = address(0x11);
        uint256 amount = uint256(type(uint96).max) + 1;
        token.mint(whale, amount);
        vm.prank(whale);
        token.approve(address(staking), amount);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.AmountTooLarge.selector, amount));
        vm.prank(whale);
        staking.stake(amount);
    }

    function test_unbondThenWithdrawAfterTheDelay() public {
        vm.prank(relayer);
        staking.unbond(100e18);
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.stake, 200e18);
        assertEq(r.unbonding, 100e18);
        assertEq(r.unbondingReleaseAt, block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.StillUnbonding.selector, block.timestamp + 1 days));
        vm.prank(relayer);
        staking.withdraw();
        vm.warp(block.timestamp + 1 days);
        uint256 before = token.balanceOf(relayer);
        vm.prank(relayer);
        staking.withdraw();
        assertEq(token.balanceOf(relayer) - before, 100e18);
        vm.expectRevert(IHighwayErrors.NothingToWithdraw.selector);
        vm.prank(relayer);
        staking.withdraw();
        vm.expectRevert(IHighwayErrors.ZeroAmount.selector);
        vm.prank(relayer);
        staking.unbond(0);
    }

    function test_lockedStakeCannotBeUnbonded() public {
        vm.prank(coordinator);
        staking.lockBond(relayer, 250e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InsufficientFreeStake.selector, relayer, 51e18, 50e18));
        vm.prank(relayer);
        staking.unbond(51e18);
        vm.prank(relayer);
        staking.unbond(50e18);
    }

    function test_lockUnlockAndSlashOnlyByTheCoordinator() public {
        vm.startPrank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, relayer));
        staking.lockBond(relayer, 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, relayer));
        staking.unlockBond(relayer, 1, true);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, relayer));
        staking.slash(relayer, 1, 1);
        address[] memory seats = new address[](1);
        seats[0] = relayer;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, relayer));
        staking.lockBonds(seats, 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, relayer));
        staking.unlockBonds(seats, 1, true);
        vm.stopPrank();
    }

    function test_aCommitteesSeatsAreLockedTogetherOrNotAtAllAndReleasedTogether() public {
        address poor = address(0x22);
        address[] memory seats = new address[](2);
        (seats[0], seats[1]) = (relayer, poor);
        vm.startPrank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.BelowMinStake.selector, poor, 0, 100e18));
        staking.lockBonds(seats, 50e18);
        assertEq(staking.relayerOf(relayer).locked, 0);
        seats[1] = relayer;
        staking.lockBonds(seats, 50e18);
        assertEq(staking.relayerOf(relayer).locked, 100e18);
        staking.unlockBonds(seats, 50e18, true);
        vm.stopPrank();
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.locked, 0);
        assertEq(r.jobsServed, 2);
    }

    function test_lockNeedsMinStakeAndFreeStake() public {
        address poor = address(0x22);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.BelowMinStake.selector, poor, 0, 100e18));
        vm.prank(coordinator);
        staking.lockBond(poor, 1);
        vm.prank(coordinator);
        staking.lockBond(relayer, 200e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InsufficientFreeStake.selector, relayer, 101e18, 100e18));
        vm.prank(coordinator);
        staking.lockBond(relayer, 101e18);
    }

    function test_unlockCountsServedJobs() public {
        vm.startPrank(coordinator);
        staking.lockBond(relayer, 100e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.LockedBondTooSmall.selector, relayer, 101e18, 100e18));
        staking.unlockBond(relayer, 101e18, true);
        vm.expectEmit(true, false, false, true, address(staking));
        emit IRelayerStaking.BondUnlocked(relayer, 100e18, true);
        staking.unlockBond(relayer, 100e18, true);
        vm.stopPrank();
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.locked, 0);
        assertEq(r.jobsServed, 1);
    }

    function test_slashTakesFromStakeAndPaysTheCoordinator() public {
        vm.startPrank(coordinator);
        staking.lockBond(relayer, 100e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.LockedBondTooSmall.selector, relayer, 100e18, 100e18));
        staking.slash(relayer, 100e18, 101e18);
        staking.slash(relayer, 100e18, 20e18);
        vm.stopPrank();
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.stake, 280e18);
        assertEq(r.locked, 0);
        assertEq(r.jobsSlashed, 1);
        assertEq(token.balanceOf(coordinator), 20e18);
    }

    function test_adminParameters() public {
        assertEq(staking.coordinator(), coordinator);
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        new RelayerStaking(token, address(0), address(this), 1, 1 days);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ParameterOutOfBounds.selector, 0, 1, type(uint96).max));
        staking.setMinStake(0);
        staking.setMinStake(5e18);
        assertEq(staking.minStake(), 5e18);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.ParameterOutOfBounds.selector, 59 minutes, 1 hours, 30 days)
        );
        staking.setUnbondingDelay(59 minutes);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.ParameterOutOfBounds.selector, 31 days, 1 hours, 30 days)
        );
        staking.setUnbondingDelay(31 days);
        staking.setUnbondingDelay(2 days);
        assertEq(staking.unbondingDelay(), 2 days);
        vm.startPrank(relayer);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, relayer, bytes32(0))
        );
        staking.setMinStake(1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, relayer, bytes32(0))
        );
        staking.setUnbondingDelay(2 days);
        vm.stopPrank();
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        new RelayerStaking(token, coordinator, address(0), 1, 1 days);
    }
}
