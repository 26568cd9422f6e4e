// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {InferenceCoordinator} from "../InferenceCoordinator.sol";
import {RelayerStaking} from "../RelayerStaking.sol";
import {HighwayToken} from "../token/HighwayToken.sol";
import {InstanceEncoding} from "../libraries/InstanceEncoding.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {ICoordinatorAdmin} from "../interfaces/ICoordinatorAdmin.sol";

/// @dev Requests, refunds, reopening, permit, admin and pause.
contract InferenceCoordinatorLifecycleTest is HighwayFixture {
    IInferenceCoordinator.ProofMode internal constant ZK = IInferenceCoordinator.ProofMode.Zk;

    // ------------------------------------------------------------------ request validation

    function test_requestRejectsMalformedInputAndEscrowsNothing() public {
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        uint256 before = token.balanceOf(requester);
        vm.startPrank(requester);
        // Malformed tensors: empty, a header alone, a width that is not a power of two up to 32, a ragged body.
        bytes[6] memory malformed = [
            bytes(""),
            hex"02",
            hex"0300000000000000000000000000000000000000000000000000",
            hex"4000",
            hex"0000",
            hex"0200010002000300040005000600070008ff"
        ];
        for (uint256 i; i < malformed.length; ++i) {
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            coordinator.requestInference(p, malformed[i]);
        }
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputLengthMismatch.selector, 8, 7));
        coordinator.requestInference(p, tensor(new int256[](7)));
        // One value too many, in a wider (not the smallest) width: any width is a valid input encoding.
        bytes memory padded = abi.encodePacked(uint8(32), new bytes(9 * 32));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputLengthMismatch.selector, 8, 9));
        coordinator.requestInference(p, padded);
        int256[] memory huge = new int256[](8);
        huge[3] = 2049; // the model's bound is 2048
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 3, 2049, 2048));
        coordinator.requestInference(p, tensor(huge));
        huge[3] = -2049;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 3, -2049, 2048));
        coordinator.requestInference(p, tensor(huge));
        vm.stopPrank();
        assertEq(token.balanceOf(requester), before);
        huge[3] = 2048;
        huge[4] = -2048;
        vm.prank(requester);
        uint256 id = coordinator.requestInference(p, tensor(huge)); // the bound itself is accepted
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        // The same values in a wider width than they need are the same input to the circuit, and accepted.
        bytes memory wide = abi.encodePacked(uint8(32), new bytes(8 * 32));
        vm.prank(requester);
        id = coordinator.requestInference(p, wide);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
    }

    function test_withoutAnInputBoundOnlyTheFieldBounds() public {
        IModelRegistry.ModelParams memory mp = modelParams(priceVerifier, 8, 1, 3);
        mp.inputBound = 0;
        vm.prank(modelOwner);
        bytes32 unbounded = registry.registerModel("unbounded", mp);
        int256 max = int256(InstanceEncoding.MAX_ABS_VALUE);
        int256[] memory values = new int256[](8);
        values[0] = max;
        values[1] = -max;
        vm.startPrank(requester);
        coordinator.requestInference(requestParams(unbounded, ZK, address(0)), tensor(values));
        values[2] = max + 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 2, max + 1, uint256(max)));
        coordinator.requestInference(requestParams(unbounded, ZK, address(0)), tensor(values));
        vm.stopPrank();
    }

    function testFuzz_requestAcceptsExactlyWellFormedInputs(int256[] memory values, bool small) public {
        vm.assume(values.length <= 12);
        int256 max = 2048; // the fixture model's input bound
        bool wellFormed = values.length == 8;
        uint256 firstOutside = type(uint256).max;
        for (uint256 i; i < values.length; ++i) {
            if (small) values[i] = bound(values[i], -max - 2, max + 2);
            if ((values[i] > max || values[i] < -max) && firstOutside == type(uint256).max) firstOutside = i;
        }
        uint256 before = token.balanceOf(requester);
        vm.prank(requester);
        try coordinator.requestInference(requestParams(priceModel, ZK, address(0)), tensor(values)) returns (
            uint256 id
        ) {
            assertTrue(wellFormed && firstOutside == type(uint256).max, "accepted a malformed input");
            assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        } catch (bytes memory reason) {
            bytes memory expected =
                values.length == 0
                    ? abi.encodeWithSelector(IHighwayErrors.MalformedTensor.selector) // a header and no value
                    : !wellFormed
                        ? abi.encodeWithSelector(IHighwayErrors.InputLengthMismatch.selector, 8, values.length)
                        : abi.encodeWithSelector(
                            IHighwayErrors.InputOutOfBounds.selector,
                            firstOutside,
                            values[firstOutside],
                            uint256(max)
                        );
            assertEq(reason, expected);
            assertEq(token.balanceOf(requester), before);
        }
    }

    function test_requestChecksModelFeesDeadlineAndGas() public {
        bytes memory input = priceSample(0).input;
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        vm.startPrank(requester);
        uint256 earliest = block.timestamp + coordinator.getParams().deliveryWindow;
        p.deadline = uint40(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidDeadline.selector, block.timestamp, earliest));
        coordinator.requestInference(p, input);
        p.deadline = uint40(earliest - 1); // in the future, but short of a whole delivery window
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidDeadline.selector, earliest - 1, earliest));
        coordinator.requestInference(p, input);
        p = requestParams(priceModel, ZK, address(0));
        p.startComputeFee = p.maxComputeFee + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.InvalidComputeFees.selector, p.startComputeFee, p.maxComputeFee)
        );
        coordinator.requestInference(p, input);
        p = requestParams(priceModel, ZK, address(0));
        p.callbackGasLimit = 2_000_001;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.CallbackGasLimitTooHigh.selector, 2_000_001, 2_000_000));
        coordinator.requestInference(p, input);
        p = requestParams(keccak256("nope"), ZK, address(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.UnknownModel.selector, keccak256("nope")));
        coordinator.requestInference(p, input);
        vm.stopPrank();

        vm.prank(modelOwner);
        registry.setActive(priceModel, false);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ModelInactive.selector, priceModel));
        vm.prank(requester);
        coordinator.requestInference(requestParams(priceModel, ZK, address(0)), input);
        vm.prank(modelOwner);
        registry.setActive(priceModel, true);
        vm.prank(modelOwner);
        registry.setProofModes(priceModel, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.ProofModeUnsupported.selector,
                priceModel,
                IInferenceCoordinator.ProofMode.Optimistic
            )
        );
        vm.prank(requester);
        coordinator.requestInference(
            requestParams(priceModel, IInferenceCoordinator.ProofMode.Optimistic, address(0)),
            input
        );
    }

    function test_feeChangesNeverTouchRequestsAlreadyMade() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        vm.prank(modelOwner);
        registry.setFee(priceModel, 1_000e18);
        vm.prank(modelOwner);
        registry.setReferralShareBps(priceModel, 5_000);
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.modelEarnings(priceModel), MODEL_FEE);
    }

    function test_referrerAndParentAreCredited() public {
        vm.startPrank(stranger);
        IModelRegistry.ModelParams memory mp = modelParams(priceVerifier, 8, 1, 3);
        mp.parentModelId = priceModel;
        mp.parentShareBps = 2_500;
        mp.referralShareBps = 1_000;
        bytes32 child = registry.registerModel("fine-tune", mp);
        vm.stopPrank();
        Sample memory s = priceSample(1);
        IInferenceCoordinator.RequestParams memory p = requestParams(child, ZK, address(0));
        p.referrer = challenger;
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.modelEarnings(priceModel), 2.5e18); // parent cut
        assertEq(coordinator.balanceOf(challenger), 1e18); // referral cut
        assertEq(coordinator.modelEarnings(child), 6.5e18); // owner cut
    }

    // ------------------------------------------------------------------ cancel, expire, raise

    function test_cancelRefundsTheWholeEscrowWhileOpen() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, ZK, address(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotRequester.selector, id, stranger));
        vm.prank(stranger);
        coordinator.cancel(id, t);
        vm.expectEmit(true, false, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestRefunded(id, escrowOf(t));
        vm.prank(requester);
        coordinator.cancel(id, t);
        assertEq(coordinator.balanceOf(requester), escrowOf(t));
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Refunded));
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                id,
                IInferenceCoordinator.RequestStatus.Refunded
            )
        );
        claimAs(relayer, id, t);
    }

    function test_cancelIsRefusedOnceClaimed() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, ZK, address(0));
        claimAs(relayer, id, t);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Claimed)
        );
        vm.prank(requester);
        coordinator.cancel(id, t);
    }

    function test_expireByAnyoneAfterTheDeadline() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, ZK, address(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DeadlineNotReached.selector, id, t.deadline));
        coordinator.expire(id, t);
        vm.warp(uint256(t.deadline) + 1);
        vm.prank(stranger);
        coordinator.expire(id, t);
        assertEq(coordinator.balanceOf(requester), escrowOf(t));
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                id,
                IInferenceCoordinator.RequestStatus.Refunded
            )
        );
        coordinator.expire(id, t);
    }

    function test_reopenOnlyClaimed() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, ZK, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Open)
        );
        coordinator.reopen(id, t);
    }

    function test_raiseMaxComputeFeeTopsUpTheEscrow() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        uint256 before = token.balanceOf(requester);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.MaxComputeFeeNotRaised.selector, 5e18, 5e18));
        vm.prank(requester);
        coordinator.raiseMaxComputeFee(id, t, 5e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotRequester.selector, id, stranger));
        vm.prank(stranger);
        coordinator.raiseMaxComputeFee(id, t, 9e18);
        vm.prank(requester);
        coordinator.raiseMaxComputeFee(id, t, 9e18);
        IInferenceCoordinator.RequestTerms memory oldTerms = abi.decode(
            abi.encode(t),
            (IInferenceCoordinator.RequestTerms)
        );
        uint256 oldEscrow = escrowOf(oldTerms);
        t.maxComputeFee = 9e18;
        assertEq(before - token.balanceOf(requester), escrowOf(t) - oldEscrow);
        // Old terms no longer match.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        claimAs(relayer, id, oldTerms);
        vm.warp(block.timestamp + 10_000);
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.balanceOf(relayer), 9e18);
    }

    // ------------------------------------------------------------------ permit

    function test_requestInferenceWithPermitInOneTransaction() public {
        uint256 key = 0xA11CE;
        address alice = vm.addr(key);
        token.mint(alice, 100e18);
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        uint256 value = coordinator.quoteEscrow(priceModel, p.maxComputeFee);
        uint256 permitDeadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                alice,
                address(coordinator),
                value,
                token.nonces(alice),
                permitDeadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, digest);
        vm.prank(alice);
        uint256 id = coordinator.requestInferenceWithPermit(p, s.input, value, permitDeadline, v, r, sig);
        assertEq(token.balanceOf(alice), 100e18 - value);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        // A replayed (already used) permit is ignored, and the missing allowance then stops the request.
        vm.expectRevert();
        vm.prank(alice);
        coordinator.requestInferenceWithPermit(p, s.input, value, permitDeadline, v, r, sig);
    }

    // ------------------------------------------------------------------ pause and admin

    function test_pauseStopsOnlyNewRequests() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        (uint256 id2, IInferenceCoordinator.RequestTerms memory t2, ) = requestPrice(1, ZK, address(0));
        coordinatorAdmin.pause();
        vm.expectRevert(IHighwayErrors.EnforcedPause.selector);
        vm.prank(requester);
        coordinator.requestInference(requestParams(priceModel, ZK, address(0)), s.input);
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        vm.prank(requester);
        coordinator.cancel(id2, t2);
        vm.prank(relayer);
        coordinator.withdraw();
        vm.prank(requester);
        coordinator.withdraw();
        vm.expectRevert(IHighwayErrors.EnforcedPause.selector);
        coordinatorAdmin.pause();
        assertTrue(coordinator.paused());
        coordinatorAdmin.unpause();
        assertFalse(coordinator.paused());
        vm.expectRevert(IHighwayErrors.ExpectedPause.selector);
        coordinatorAdmin.unpause();
        vm.prank(requester);
        coordinator.requestInference(requestParams(priceModel, ZK, address(0)), s.input);
    }

    function test_modelEarningsGoToTheCurrentOwnerAndProtocolFeesToTheTreasury() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotModelOwner.selector, priceModel, stranger));
        vm.prank(stranger);
        coordinator.withdrawModelEarnings(priceModel);
        vm.prank(modelOwner);
        registry.transferModelOwnership(priceModel, stranger);
        uint256 before = token.balanceOf(stranger);
        vm.prank(stranger);
        coordinator.withdrawModelEarnings(priceModel);
        assertEq(token.balanceOf(stranger) - before, MODEL_FEE);
        assertEq(coordinator.modelEarnings(priceModel), 0);
        vm.expectRevert(IHighwayErrors.NothingToWithdraw.selector);
        vm.prank(stranger);
        coordinator.withdrawModelEarnings(priceModel);

        uint256 fees = coordinator.protocolFees();
        assertEq(fees, ((uint256(MODEL_FEE) + 1e18) * 500) / 10_000);
        vm.prank(requester); // anyone triggers it; the treasury is paid
        coordinator.withdrawProtocolFees();
        assertEq(token.balanceOf(treasury), fees);
        assertEq(coordinator.protocolFees(), 0);
        vm.expectRevert(IHighwayErrors.NothingToWithdraw.selector);
        coordinator.withdrawProtocolFees();
    }

    /// The protocol's fee counter shares the treasury's slot (CoordinatorConfig's last variable, then
    /// CoordinatorLedger's first), so a settlement writes one slot for the protocol's part.
    function test_protocolFeesShareTheTreasurysSlot() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertGt(coordinator.protocolFees(), 0);
        // Slots: 0 the config, 1 the bonds, 2 the language arbiter, 3 the treasury and the protocol's fees.
        uint256 word = uint256(vm.load(address(coordinator), bytes32(uint256(3))));
        assertEq(address(uint160(word)), treasury);
        assertEq(word >> 160, coordinator.protocolFees());
    }

    function test_adminFunctionsNeedTheirRoles() public {
        bytes32 pauserRole = coordinatorAdmin.PAUSER_ROLE();
        vm.startPrank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pauserRole)
        );
        coordinatorAdmin.pause();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        coordinatorAdmin.setParams(defaultParams());
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        coordinatorAdmin.setTreasury(stranger);
        vm.stopPrank();
        coordinatorAdmin.pause();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pauserRole)
        );
        coordinatorAdmin.unpause();
    }

    function test_everyParameterIsBounded() public {
        IInferenceCoordinator.Params memory p = defaultParams();
        p.protocolFeeBps = 1_001;
        _expectBounds(p, 1_001, 0, 1_000);
        p = defaultParams();
        p.lateSlashBps = 99;
        _expectBounds(p, 99, 100, 10_000);
        p = defaultParams();
        p.disputeProtocolShareBps = 9_001;
        _expectBounds(p, 9_001, 500, 9_000);
        p = defaultParams();
        p.auctionDuration = 1 days + 1;
        _expectBounds(p, 1 days + 1, 0, 1 days);
        p = defaultParams();
        p.deliveryWindow = 59;
        _expectBounds(p, 59, 60, 1 days);
        p = defaultParams();
        p.challengeWindow = 7 days + 1;
        _expectBounds(p, 7 days + 1, 60, 7 days);
        p = defaultParams();
        p.defenceWindow = 0;
        _expectBounds(p, 0, 60, 7 days);
        p = defaultParams();
        p.maxCallbackGasLimit = 5_000_001;
        _expectBounds(p, 5_000_001, 0, 5_000_000);
        p = defaultParams();
        p.jobBond = 0;
        _expectBounds(p, 0, 1, type(uint96).max);
        p = defaultParams();
        p.challengeBond = 0;
        _expectBounds(p, 0, 1, type(uint96).max);

        p = defaultParams();
        p.protocolFeeBps = 1_000;
        vm.expectEmit(false, false, false, true, address(coordinatorAdmin));
        emit ICoordinatorAdmin.ParamsUpdated(p);
        coordinatorAdmin.setParams(p);
        assertEq(coordinator.getParams().protocolFeeBps, 1_000);
    }

    function test_paramChangesNeverTouchRequestsAlreadyMade() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(0, ZK, address(0));
        IInferenceCoordinator.Params memory p = defaultParams();
        p.protocolFeeBps = 1_000;
        p.jobBond = 300e18;
        coordinatorAdmin.setParams(p);
        claimAs(relayer, id, t);
        assertEq(staking.relayerOf(relayer).locked, JOB_BOND);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.protocolFees(), ((uint256(MODEL_FEE) + 1e18) * 500) / 10_000);
    }

    function test_treasuryAndConstructorChecks() public {
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        coordinatorAdmin.setTreasury(address(0));
        vm.expectEmit(true, false, false, false, address(coordinatorAdmin));
        emit ICoordinatorAdmin.TreasuryUpdated(stranger);
        coordinatorAdmin.setTreasury(stranger);
        assertEq(coordinator.treasury(), stranger);

        HighwayToken other = new HighwayToken(address(this));
        address next = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        RelayerStaking otherStaking = new RelayerStaking(other, next, address(this), 1, 1 days);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.StakeTokenMismatch.selector, address(other)));
        new InferenceCoordinator(token, registry, otherStaking, address(this), treasury, defaultParams());
        // A staking contract bound to another coordinator is refused.
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.StakingCoordinatorMismatch.selector, address(coordinator))
        );
        new InferenceCoordinator(token, registry, staking, address(this), treasury, defaultParams());
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        new InferenceCoordinator(token, registry, staking, address(0), treasury, defaultParams());
    }

    function test_unknownRequestsMatchNoTerms() public {
        IInferenceCoordinator.RequestTerms memory t;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, 99));
        coordinator.claim(99, t);
        assertEq(uint256(statusOf(99)), uint256(IInferenceCoordinator.RequestStatus.None));
    }

    function _expectBounds(IInferenceCoordinator.Params memory p, uint256 value, uint256 min, uint256 max) private {
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ParameterOutOfBounds.selector, value, min, max));
        coordinatorAdmin.setParams(p);
    }
}
