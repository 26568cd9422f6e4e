// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";
import {ReclaimingRelayer} from "./mocks/Adversaries.sol";
import {SwitchableVerifier} from "./mocks/SwitchableVerifier.sol";
import {IHalo2Verifier} from "../interfaces/IHalo2Verifier.sol";
import {Halo2Verifier as PriceSignalVerifier} from "../verifiers/price-signal/Halo2Verifier.sol";

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

    /// @dev Deploys a relayer contract staking `stake` (minted to its predicted address first).
    function newReclaimer(uint256 stake) internal returns (ReclaimingRelayer) {
        token.mint(vm.computeCreateAddress(address(this), vm.getNonce(address(this))), stake);
        return new ReclaimingRelayer(coordinator, staking, token, stake);
    }

    function stakeOf(address who) internal view returns (uint256) {
        return staking.relayerOf(who).stake;
    }

    function lockedOf(address who) internal view returns (uint256) {
        return staking.relayerOf(who).locked;
    }

    /// @dev An optimistic request for price-signal sample `index`, claimed by `claimant`, answered with
    /// `output` and challenged by `challenger`.
    function challengedBy(
        address claimant,
        int256[] memory output,
        uint256 index
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) {
        (id, t, s) = requestPrice(index, OPTIMISTIC, address(consumer));
        claimAs(claimant, id, t);
        vm.prank(claimant);
        coordinator.submitOptimistic(id, t, tensor(output));
        challengeAs(challenger, id, t);
    }
}

/// H-2: a requester could make every relayer pay for claiming (a deadline in the next block).
contract GriefingRequesterTest is SecurityFixture {
    /// The attack as reported: a request whose deadline is the next block. It is now refused, escrowing nothing.
    function test_aDeadlineShortOfTheDeliveryWindowIsRefused() public {
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        uint256 earliest = block.timestamp + coordinator.getParams().deliveryWindow;
        p.deadline = uint40(block.timestamp + 1);
        uint256 before = token.balanceOf(requester);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidDeadline.selector, p.deadline, earliest));
        vm.prank(requester);
        coordinator.requestInference(p, s.input);
        assertEq(token.balanceOf(requester), before);
        // The tightest deadline allowed leaves exactly one delivery window, and a claim made at once has all of it.
        p.deadline = uint40(earliest);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        claimAs(relayer, id, t);
        assertEq(uint256(stateOf(id).phaseEndsAt), t.deadline);
    }

    /// A claim later than `deadline - deliveryWindow` is refused, so no claimant is ever slashed for a
    /// window it did not have.
    function test_aClaimWithoutItsWholeWindowIsRefusedAndNobodyIsSlashed() public {
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        p.deadline = uint40(block.timestamp + 600 + 100);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        uint256 lastClaimAt = uint256(t.deadline) - t.deliveryWindow;
        vm.warp(lastClaimAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooLate.selector, id, lastClaimAt));
        claimAs(relayer, id, t);
        vm.warp(uint256(t.deadline) + 1);
        vm.prank(requester);
        coordinator.expire(id, t);
        assertEq(coordinator.balanceOf(requester), escrowOf(t)); // the escrow back, nothing more
        assertEq(stakeOf(relayer), 1_000 * UNIT);
    }

    /// The griefing requester's net (what it is credited - its escrow) is never positive against an honest
    /// relayer, whatever the deadline and whenever the relayer claims and answers within its window; and
    /// every claim that goes through has its whole delivery window before the deadline.
    function testFuzz_griefingRequesterNeverProfits(uint256 slack, uint256 claimAfter, uint256 answerAfter) public {
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        p.deadline = uint40(block.timestamp + 600 + bound(slack, 0, 1_200));
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        vm.warp(block.timestamp + bound(claimAfter, 0, uint256(t.deadline) - t.createdAt + 1));
        vm.prank(relayer);
        try coordinator.claim(id, t) {
            assertLe(block.timestamp + t.deliveryWindow, t.deadline, "a claim without its whole window");
            vm.warp(block.timestamp + bound(answerAfter, 0, t.deliveryWindow));
            fulfillAs(relayer, id, t, s);
        } catch (bytes memory reason) {
            assertEq(
                reason,
                abi.encodeWithSelector(IHighwayErrors.ClaimTooLate.selector, id, uint256(t.deadline) - t.deliveryWindow)
            );
        }
        // The requester tries everything that could credit it a slash.
        vm.warp(uint256(t.deadline) + 1);
        vm.startPrank(requester);
        try coordinator.reopen(id, t) {} catch {}
        try coordinator.expire(id, t) {} catch {}
        vm.stopPrank();
        assertLe(coordinator.balanceOf(requester), escrowOf(t), "the requester profited");
        assertEq(stakeOf(relayer), 1_000 * UNIT, "an honest relayer was slashed");
        assertEq(lockedOf(relayer), 0);
    }

    /// A claimant that had its whole window and let it pass is still late-slashed (the rule's purpose).
    function test_aClaimantWithItsWholeWindowIsStillSlashedWhenLate() public {
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, ZK, address(0));
        p.deadline = uint40(block.timestamp + 1_000);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        vm.warp(uint256(t.deadline) - t.deliveryWindow); // the last moment a claim is taken
        claimAs(relayer, id, t);
        vm.warp(uint256(t.deadline) + 1);
        coordinator.expire(id, t);
        uint256 late = (uint256(JOB_BOND) * t.lateSlashBps) / 10_000;
        assertEq(coordinator.balanceOf(requester), escrowOf(t) + late);
        assertEq(stakeOf(relayer), 1_000 * UNIT - late);
    }
}

/// H-1 (on-chain part): a slashed relayer could reclaim a reopened request in the transaction that reopened it.
contract ReclaimTest is SecurityFixture {
    function test_slashedRelayerCannotResolveTheTimeoutAndReclaimInOneTransaction() public {
        ReclaimingRelayer cheat = newReclaimer(1_000e18);
        ReclaimingRelayer sibling = newReclaimer(1_000e18); // another address of the same operator
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            OPTIMISTIC,
            address(consumer)
        );
        cheat.claim(id, t);
        cheat.submit(id, t, tensor(withOutput(42))); // wrong
        challengeAs(challenger, id, t);
        vm.warp(block.timestamp + t.defenceWindow + 1);
        // Reopened and reclaimed atomically, by the slashed relayer or by any contract acting for it: refused.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooSoon.selector, id, block.timestamp));
        cheat.timeoutAndReclaim(id, t);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooSoon.selector, id, block.timestamp));
        sibling.timeoutAndReclaim(id, t);
        // The timeout alone goes through; in its own block nobody can claim; from the next block anyone
        // but the slashed relayer can, on equal terms.
        disputeGame.resolveDisputeTimeout(id, t);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooSoon.selector, id, block.timestamp));
        claimAs(relayer2, id, t);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.FormerClaimant.selector, id, address(cheat)));
        cheat.claim(id, t);
        claimAs(relayer2, id, t);
        fulfillAs(relayer2, id, t, s);
        assertEq(consumer.lastOutput(), tensor(s.output));
        assertEq(stakeOf(address(cheat)), 1_000e18 - JOB_BOND);
    }

    function test_lateClaimantCannotReopenAndReclaimInOneTransaction() public {
        ReclaimingRelayer late = newReclaimer(1_000e18);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, ZK, address(consumer));
        late.claim(id, t);
        vm.warp(block.timestamp + t.deliveryWindow + 1);
        // Reopening its own late claim to take it again with a fresh window (and a higher price): refused.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooSoon.selector, id, block.timestamp));
        late.reopenAndReclaim(id, t);
        coordinator.reopen(id, t);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.FormerClaimant.selector, id, address(late)));
        late.claim(id, t);
        claimAs(relayer, id, t);
        assertEq(stateOf(id).relayer, relayer);
    }
}

/// M-1: nothing tied a model's verifier to its artifacts.
contract VerifierCodeTest is SecurityFixture {
    /// Returns 1 (true) for any call: the accept-all code a metamorphic verifier could be redeployed with.
    bytes internal constant ACCEPT_ALL = hex"600160005260206000f3";

    function _registerWith(address verifier, bytes32 salt) internal returns (bytes32 modelId) {
        vm.prank(modelOwner);
        modelId = registry.registerModel(salt, modelParams(verifier, 8, 1, 3));
    }

    function test_theRegistryRecordsTheVerifiersCodeHash() public view {
        IModelRegistry.Model memory m = registry.getModel(priceModel);
        assertEq(m.verifierCodeHash, priceVerifier.codehash);
        assertTrue(m.verifierCodeHash != bytes32(0));
    }

    /// A metamorphic verifier redeployed with accept-all code (here: its code replaced) accepts no proof,
    /// made-up or real, in fulfillZk, defend or proveFraud; with its registered code back, proofs verify again.
    function test_aVerifierWhoseCodeChangedAcceptsNoProof() public {
        address verifier = address(new PriceSignalVerifier());
        bytes32 modelId = _registerWith(verifier, "metamorphic");
        bytes32 recorded = verifier.codehash;
        bytes memory original = verifier.code;
        Sample memory s = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(
            requester,
            requestParams(modelId, ZK, address(consumer)),
            s.input
        );
        claimAs(relayer, id, t);
        (uint256 optId, IInferenceCoordinator.RequestTerms memory ot) = makeRequest(
            requester,
            requestParams(modelId, OPTIMISTIC, address(consumer)),
            priceSample(1).input
        );
        claimAs(relayer2, optId, ot);
        vm.prank(relayer2);
        coordinator.submitOptimistic(optId, ot, tensor(priceSample(1).output)); // the right answer
        challengeAs(challenger, optId, ot);

        vm.etch(verifier, ACCEPT_ALL);
        bytes memory changed = abi.encodeWithSelector(
            IHighwayErrors.VerifierCodeChanged.selector,
            modelId,
            recorded,
            verifier.codehash
        );
        vm.expectRevert(changed); // a made-up output "proven" by the new code
        fulfillAs(relayer, id, t, Sample(s.input, s.inputs, withOutput(123), hex"00"));
        vm.expectRevert(changed); // a false fraud proof against the right answer
        vm.prank(challenger);
        disputeGame.proveFraud(optId, ot, priceSample(1).input, tensor(withOutput(123)), hex"00");
        vm.expectRevert(changed); // and the real proofs too: nothing but the registered code judges
        fulfillAs(relayer, id, t, s);
        vm.expectRevert(changed);
        vm.prank(relayer2);
        disputeGame.defend(optId, ot, priceSample(1).input, tensor(priceSample(1).output), priceSample(1).proof);

        vm.etch(verifier, original);
        fulfillAs(relayer, id, t, s);
        vm.prank(relayer2);
        disputeGame.defend(optId, ot, priceSample(1).input, tensor(priceSample(1).output), priceSample(1).proof);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(uint256(statusOf(optId)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(stakeOf(relayer2), 1_000 * UNIT);
    }

    /// A switchable verifier (mutable state, same code) cannot be told apart on chain: relayers refuse to
    /// serve it off chain. What the chain bounds: with reject-all, a model owner acting as requester gains
    /// nothing from a relayer that does not claim, and at most the request's locked late share from one
    /// that does (once per relayer and request); the admin cannot raise that share for requests in flight.
    function test_aSwitchableVerifiersRejectAllTrapIsBoundedByTheLockedLateShare() public {
        vm.prank(modelOwner);
        // No verifier behind it: it accepts or rejects as its owner sets it.
        SwitchableVerifier switchable = new SwitchableVerifier(IHalo2Verifier(address(0)));
        vm.prank(modelOwner);
        switchable.setMode(SwitchableVerifier.Mode.AcceptAll);
        bytes32 modelId = _registerWith(address(switchable), "switchable");
        token.mint(modelOwner, 1_000e18);
        vm.prank(modelOwner);
        token.approve(address(coordinator), type(uint256).max);
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(modelId, ZK, address(0));

        // A relayer that refuses the model never claims: the owner gets its escrow back and nothing more.
        (uint256 refused, IInferenceCoordinator.RequestTerms memory rt) = makeRequest(modelOwner, p, s.input);
        vm.prank(modelOwner);
        coordinator.cancel(refused, rt);
        assertEq(coordinator.balanceOf(modelOwner), escrowOf(rt));
        vm.prank(modelOwner);
        coordinator.withdraw();

        // A relayer that claims anyway: the owner flips to reject-all, even the relayer's real proof fails.
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(modelOwner, p, s.input);
        claimAs(relayer, id, t);
        vm.prank(modelOwner);
        switchable.setMode(SwitchableVerifier.Mode.RejectAll);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        fulfillAs(relayer, id, t, s);
        IInferenceCoordinator.Params memory raised = defaultParams();
        raised.lateSlashBps = 10_000; // an admin change does not reach the request in flight
        coordinatorAdmin.setParams(raised);
        vm.warp(block.timestamp + t.deliveryWindow + 1);
        coordinator.reopen(id, t);
        uint256 late = (uint256(t.jobBond) * t.lateSlashBps) / 10_000;
        assertEq(late, 20e18);
        assertEq(coordinator.balanceOf(modelOwner), late);
        assertEq(stakeOf(relayer), 1_000 * UNIT - late);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.FormerClaimant.selector, id, relayer));
        claimAs(relayer, id, t);
        // The owner's net over the request: escrow back at expiry, plus that one late share.
        vm.warp(uint256(t.deadline) + 1);
        coordinator.expire(id, t);
        assertEq(coordinator.balanceOf(modelOwner), escrowOf(t) + late);
    }

    /// With accept-all, made-up answers pass for this model: the damage stays with the model's own requests
    /// (its cache entries are keyed by model) and the bonds of relayers that chose to serve it.
    function test_aSwitchableVerifiersAcceptAllDamageStaysWithinItsModel() public {
        vm.prank(modelOwner);
        // No verifier behind it: it accepts or rejects as its owner sets it.
        SwitchableVerifier switchable = new SwitchableVerifier(IHalo2Verifier(address(0)));
        vm.prank(modelOwner);
        switchable.setMode(SwitchableVerifier.Mode.AcceptAll);
        bytes32 modelId = _registerWith(address(switchable), "switchable");
        Sample memory s = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(
            requester,
            requestParams(modelId, ZK, address(0)),
            s.input
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, Sample(s.input, s.inputs, withOutput(123), hex"00")); // a made-up output
        (bool found, bytes memory cached) = coordinator.cachedResult(modelId, s.input);
        assertTrue(found);
        assertEq(cached, tensor(withOutput(123)));
        (found, ) = coordinator.cachedResult(priceModel, s.input); // the same input of another model: untouched
        assertFalse(found);
        // A price-signal request for that input still needs a real proof of the price-signal circuit.
        (uint256 real, IInferenceCoordinator.RequestTerms memory rt, ) = requestPrice(0, ZK, address(consumer));
        claimAs(relayer2, real, rt);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, real));
        fulfillAs(relayer2, real, rt, Sample(s.input, s.inputs, withOutput(123), s.proof));
        fulfillAs(relayer2, real, rt, s);
        assertEq(consumer.lastOutput(), tensor(s.output));
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
        (uint256 first, IInferenceCoordinator.RequestTerms memory ft, ) = requestPrice(1, ZK, address(0));
        claimAs(relayer, first, ft);
        fulfillAs(relayer, first, ft, priceSample(1));

        vm.prank(modelOwner);
        registry.setFee(priceModel, 1_000e18);
        uint256 before = token.balanceOf(requester);
        bytes memory above = abi.encodeWithSelector(
            IHighwayErrors.ModelFeeAboveMax.selector,
            priceModel,
            1_000e18,
            MODEL_FEE
        );
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
        (uint256 late, IInferenceCoordinator.RequestTerms memory lt, ) = requestPrice(0, ZK, address(consumer));
        assertEq(lt.lateSlashBps, 2_000);
        assertEq(lt.disputeProtocolShareBps, 2_000);
        claimAs(relayer, late, lt);
        (uint256 disputed, IInferenceCoordinator.RequestTerms memory dt, ) = challengedBy(relayer2, withOutput(42), 1);
        (uint256 defended, IInferenceCoordinator.RequestTerms memory et, Sample memory es) = challengedBy(
            relayer2,
            priceSample(2).output,
            2
        );

        IInferenceCoordinator.Params memory p = defaultParams();
        p.lateSlashBps = 10_000;
        p.disputeProtocolShareBps = 5_000;
        coordinatorAdmin.setParams(p);

        vm.prank(relayer2);
        disputeGame.defend(defended, et, es.input, tensor(es.output), es.proof); // the challenger's bond, less 20% (not 50%)
        uint256 protocolBefore = coordinator.protocolFees();
        uint256 requesterBefore = coordinator.balanceOf(requester);
        vm.warp(block.timestamp + lt.deliveryWindow + 1);
        coordinator.reopen(late, lt); // 20% of the bond (not 100%)
        assertEq(coordinator.balanceOf(requester) - requesterBefore, (uint256(JOB_BOND) * 2_000) / 10_000);
        assertEq(stakeOf(relayer), 1_000 * UNIT - (uint256(JOB_BOND) * 2_000) / 10_000);
        vm.warp(block.timestamp + dt.defenceWindow);
        disputeGame.resolveDisputeTimeout(disputed, dt); // the protocol's share of the job bond: 20% (not 50%)
        assertEq(coordinator.protocolFees() - protocolBefore, (uint256(JOB_BOND) * 2_000) / 10_000);
        assertEq(
            coordinator.balanceOf(relayer2),
            uint256(START_FEE) + CHALLENGE_BOND - (uint256(CHALLENGE_BOND) * 2_000) / 10_000
        );

        // Requests made afterwards lock the new shares.
        (, IInferenceCoordinator.RequestTerms memory nt, ) = requestPrice(0, ZK, address(0));
        assertEq(nt.lateSlashBps, 10_000);
        assertEq(nt.disputeProtocolShareBps, 5_000);
    }
}

/// L-2: a fraud proof could be copied from the mempool, its compute fee taken by the copier.
contract FraudProofCopyTest is SecurityFixture {
    function test_aCopiedFraudProofEarnsTheCopierNothing() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = challengedBy(
            relayer,
            withOutput(42),
            0
        );
        uint256 copierBefore = token.balanceOf(stranger);
        // The challenger's proveFraud is in the mempool; a copier sends the same call first.
        vm.prank(stranger);
        disputeGame.proveFraud(id, t, s.input, tensor(s.output), s.proof);
        assertEq(coordinator.balanceOf(stranger), 0);
        assertEq(token.balanceOf(stranger), copierBefore);
        uint256 protocolShare = (uint256(JOB_BOND) * t.disputeProtocolShareBps) / 10_000;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - protocolShare + START_FEE);
        assertEq(consumer.lastOutput(), tensor(s.output));
        // The challenger's own transaction finds the dispute closed; it lost nothing to the copy.
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                id,
                IInferenceCoordinator.RequestStatus.Fulfilled
            )
        );
        vm.prank(challenger);
        disputeGame.proveFraud(id, t, s.input, tensor(s.output), s.proof);
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
        assertEq(t.challengeBond, (uint256(CHALLENGE_BOND) * 300e18) / JOB_BOND); // raised in proportion
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
        coordinator.submitOptimistic(id, t, tensor(withOutput(42)));
        challengeAs(challenger, id, t);
        vm.warp(block.timestamp + t.defenceWindow + 1);
        disputeGame.resolveDisputeTimeout(id, t);
        assertEq(stakeOf(relayer), 1_000 * UNIT - 300e18);
        assertEq(coordinator.balanceOf(challenger), t.challengeBond + 300e18 - (uint256(300e18) * 2_000) / 10_000);
    }

    function test_aLongerChallengeWindowDelaysFinalize() public {
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, OPTIMISTIC, address(consumer));
        p.challengeWindow = 2 days;
        Sample memory s = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.challengeWindow, 2 days);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, tensor(s.output));
        uint256 endsAt = block.timestamp + 2 days;
        vm.warp(block.timestamp + 1 hours + 1); // the protocol's window has passed, the request's has not
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeWindowOpen.selector, id, endsAt));
        coordinator.finalize(id, t, tensor(s.output));
        vm.warp(endsAt);
        coordinator.finalize(id, t, tensor(s.output));
        assertEq(consumer.lastOutput(), tensor(s.output));
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
        assertEq(t.challengeBond, (uint256(CHALLENGE_BOND) * type(uint96).max) / JOB_BOND);
    }

    /// A request that raises its job bond raises its challenge bond in proportion, so the bonds' ratio, which sets
    /// what overturning a right language answer with a captured committee can earn, is every request's.
    function testFuzz_aRaisedJobBondRaisesTheChallengeBondInProportion(uint96 jobBond) public {
        jobBond = uint96(bound(jobBond, JOB_BOND, 1_000_000 * JOB_BOND));
        Sample memory s = priceSample(0);
        IInferenceCoordinator.RequestParams memory p = requestParams(priceModel, OPTIMISTIC, address(0));
        p.jobBond = jobBond;
        (, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, s.input);
        assertEq(t.jobBond, jobBond);
        assertEq(t.challengeBond, (uint256(CHALLENGE_BOND) * jobBond) / JOB_BOND);
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
        assertEq(
            coordinator.balanceOf(requester),
            escrowOf(t) - MODEL_FEE - START_FEE - ((MODEL_FEE + START_FEE) * 500) / 10_000
        );
    }
}
