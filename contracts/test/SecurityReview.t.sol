// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";

/**
 * @dev Regression tests of the security review (issue 10): each replays its finding's attack against
 * the real contracts (real EZKL verifier and proofs where a proof is involved) and shows that it now
 * fails, or no longer pays. The rules are docs/DESIGN.md's and contracts/README.md's "Protocol rules".
 */
abstract contract SecurityFixture is HighwayFixture {
    IInferenceCoordinator.ProofMode internal constant ZK = IInferenceCoordinator.ProofMode.Zk;
    IInferenceCoordinator.ProofMode internal constant OPTIMISTIC = IInferenceCoordinator.ProofMode.Optimistic;
    uint96 internal constant START_FEE = 1e18; // the fixture's startComputeFee: the price of a claim made at once

    RecordingConsumer internal consumer;

    function setUp() public virtual override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function stakeOf(address who) internal view returns (uint256) {
        return staking.relayerOf(who).stake;
    }

    function lockedOf(address who) internal view returns (uint256) {
        return staking.relayerOf(who).locked;
    }

    /// @dev An optimistic request for price-signal sample `index`, claimed by `claimant`, answered with
    /// `output` and challenged by `challenger`.
    function challengedBy(address claimant, int256[] memory output, uint256 index)
        internal
        returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s)
    {
        (id, t, s) = requestPrice(index, OPTIMISTIC, address(consumer));
        claimAs(claimant, id, t);
        vm.prank(claimant);
        coordinator.submitOptimistic(id, t, output);
        vm.prank(challenger);
        disputeGame.challenge(id, t);
    }
}

/// M-2: a request could not cap the model fee.
contract ModelFeeCapTest is SecurityFixture {
    function _capped() internal view returns (IInferenceCoordinator.RequestParams memory p) {
        p = requestParams(priceModel, ZK, address(0));
        p.maxModelFee = MODEL_FEE; // the fee the requester quoted
    }

    /// The model owner front-runs the request with `setFee`: the request reverts and the requester pays nothing,
    /// on every path (plain, permit, and a pair answered from the cache).
    function test_aFrontRunSetFeeMakesTheRequestRevert() public {
        Sample memory s = priceSample(0);
        // Cache the pair first, so that the cached path is tried as well.
        (uint256 first, IInferenceCoordinator.RequestTerms memory ft,) = requestPrice(1, ZK, address(0));
        claimAs(relayer, first, ft);
        fulfillAs(relayer, first, ft, priceSample(1));

        vm.prank(modelOwner);
        registry.setFee(priceModel, 1_000e18);
        uint256 before = token.balanceOf(requester);
        bytes memory above =
            abi.encodeWithSelector(IHighwayErrors.ModelFeeAboveMax.selector, priceModel, 1_000e18, MODEL_FEE);
        vm.expectRevert(above);
        vm.prank(requester);
        coordinator.requestInference(_capped(), s.input);
        vm.expectRevert(above);
        vm.prank(requester);
        coordinator.requestInference(_capped(), priceSample(1).input); // cached pair
        vm.expectRevert(above);
        vm.prank(requester);
        coordinator.requestInferenceWithPermit(_capped(), s.input, 0, 0, 0, bytes32(0), bytes32(0));
        assertEq(token.balanceOf(requester), before);

        // At or below the cap the request goes through at the fee the model has.
        vm.prank(modelOwner);
        registry.setFee(priceModel, MODEL_FEE / 2);
        (, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, _capped(), s.input);
        assertEq(t.modelFee, MODEL_FEE / 2);
        assertEq(before - token.balanceOf(requester), escrowOf(t));
    }
}

/// L-1: an admin change of `lateSlashBps` or `disputeProtocolShareBps` reached requests in flight.
contract LockedSharesTest is SecurityFixture {
    function test_adminChangesNeverTouchARequestInFlight() public {
        (uint256 late, IInferenceCoordinator.RequestTerms memory lt,) = requestPrice(0, ZK, address(consumer));
        assertEq(lt.lateSlashBps, 2_000);
        assertEq(lt.disputeProtocolShareBps, 2_000);
        claimAs(relayer, late, lt);
        (uint256 disputed, IInferenceCoordinator.RequestTerms memory dt,) = challengedBy(relayer2, withOutput(42), 1);
        (uint256 defended, IInferenceCoordinator.RequestTerms memory et, Sample memory es) =
            challengedBy(relayer2, priceSample(2).output, 2);

        IInferenceCoordinator.Params memory p = defaultParams();
        p.lateSlashBps = 10_000;
        p.disputeProtocolShareBps = 5_000;
        coordinatorAdmin.setParams(p);

        vm.prank(relayer2);
        disputeGame.defend(defended, et, es.input, es.proof); // the challenger's bond, less 20% (not 50%)
        uint256 protocolBefore = coordinator.protocolFees();
        uint256 requesterBefore = coordinator.balanceOf(requester);
        vm.warp(block.timestamp + lt.deliveryWindow + 1);
        coordinator.reopen(late, lt); // 20% of the bond (not 100%)
        assertEq(coordinator.balanceOf(requester) - requesterBefore, uint256(JOB_BOND) * 2_000 / 10_000);
        assertEq(stakeOf(relayer), 1_000 * UNIT - uint256(JOB_BOND) * 2_000 / 10_000);
        vm.warp(block.timestamp + dt.defenceWindow);
        disputeGame.resolveDisputeTimeout(disputed, dt); // the protocol's share of the job bond: 20% (not 50%)
        assertEq(coordinator.protocolFees() - protocolBefore, uint256(JOB_BOND) * 2_000 / 10_000);
        assertEq(
            coordinator.balanceOf(relayer2),
            uint256(START_FEE) + CHALLENGE_BOND - uint256(CHALLENGE_BOND) * 2_000 / 10_000
        );

        // Requests made afterwards lock the new shares.
        (, IInferenceCoordinator.RequestTerms memory nt,) = requestPrice(0, ZK, address(0));
        assertEq(nt.lateSlashBps, 10_000);
        assertEq(nt.disputeProtocolShareBps, 5_000);
    }
}

/// Economics: a request chooses its security level (a larger job bond, a longer challenge window).
contract SecurityLevelTest is SecurityFixture {
    function test_aLargerJobBondIsLockedAndSlashed() public {
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, OPTIMISTIC, address(consumer));
        p.jobBond = 300e18;
        Sample memory s = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.jobBond, 300e18);
        // The claimant's free stake must cover it.
        address poor = address(0x9009);
        token.mint(poor, 250e18);
        vm.startPrank(poor);
        token.approve(address(staking), type(uint256).max);
        staking.stake(250e18);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InsufficientFreeStake.selector, poor, 300e18, 250e18));
        coordinator.claim(id, t);
        vm.stopPrank();
        claimAs(relayer, id, t);
        assertEq(lockedOf(relayer), 300e18);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, withOutput(42));
        vm.prank(challenger);
        disputeGame.challenge(id, t);
        vm.warp(block.timestamp + t.defenceWindow + 1);
        disputeGame.resolveDisputeTimeout(id, t);
        assertEq(stakeOf(relayer), 1_000 * UNIT - 300e18);
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + 300e18 - uint256(300e18) * 2_000 / 10_000);
    }

    function test_aLongerChallengeWindowDelaysFinalize() public {
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, OPTIMISTIC, address(consumer));
        p.challengeWindow = 2 days;
        Sample memory s = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.challengeWindow, 2 days);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, s.output);
        uint256 endsAt = block.timestamp + 2 days;
        vm.warp(block.timestamp + 1 hours + 1); // the protocol's window has passed, the request's has not
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeWindowOpen.selector, id, endsAt));
        coordinator.finalize(id, t);
        vm.warp(endsAt);
        coordinator.finalize(id, t);
        assertEq(consumer.lastOutput(), s.output);
    }

    function test_theSecurityLevelIsBounded() public {
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, OPTIMISTIC, address(0));
        vm.startPrank(requester);
        p.jobBond = JOB_BOND - 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidJobBond.selector, JOB_BOND - 1, JOB_BOND));
        coordinator.requestInference(p, s.input);
        p.jobBond = 0;
        p.challengeWindow = 3_599;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidChallengeWindow.selector, 3_599, 3_600, 7 days));
        coordinator.requestInference(p, s.input);
        p.challengeWindow = 7 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.InvalidChallengeWindow.selector, 7 days + 1, 3_600, 7 days)
        );
        coordinator.requestInference(p, s.input);
        vm.stopPrank();
        // 0 is the protocol's default; the bounds themselves are accepted.
        p.challengeWindow = 0;
        (, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.jobBond, JOB_BOND);
        assertEq(t.challengeWindow, 3_600);
        p.jobBond = type(uint96).max;
        p.challengeWindow = 7 days;
        (, t) = makeRequest(requester, p, s.input);
        assertEq(t.jobBond, type(uint96).max);
        assertEq(t.challengeWindow, 7 days);
    }
}

/// Informational: a requester naming itself (or its consumer) as referrer got the referral share back.
contract SelfReferralTest is SecurityFixture {
    function test_aSelfReferralEarnsNoShare() public {
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(consumer));
        Sample memory s = priceSample(0);
        p.referrer = requester;
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.referralShareBps, 0);
        p.referrer = address(consumer);
        (, IInferenceCoordinator.RequestTerms memory t2) = makeRequest(requester, p, s.input);
        assertEq(t2.referralShareBps, 0);
        p.referrer = stranger;
        (, IInferenceCoordinator.RequestTerms memory t3) = makeRequest(requester, p, s.input);
        assertEq(t3.referralShareBps, 1_000); // a third party is paid as before
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.modelEarnings(priceModel), MODEL_FEE); // the owner keeps the whole fee
        assertEq(coordinator.balanceOf(requester), escrowOf(t) - MODEL_FEE - START_FEE - (MODEL_FEE + START_FEE) * 500 / 10_000);
    }
}
