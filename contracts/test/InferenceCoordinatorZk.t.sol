// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";
import {Vm} from "./utils/Test.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";

/// @dev Requests answered with REAL proofs through the REAL price-signal and credit-risk verifiers.
contract InferenceCoordinatorZkTest is HighwayFixture {
    RecordingConsumer internal consumer;

    function setUp() public override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function test_requestEscrowsAndStoresOnlyTheTermsHash() public {
        uint256 before = token.balanceOf(requester);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        assertEq(id, uint256(keccak256(abi.encode(t)))); // the id is the hash of the terms
        assertEq(t.nonce, 1);
        assertEq(before - token.balanceOf(requester), escrowOf(t));
        assertEq(escrowOf(t), 10e18 + 5e18 + 0.75e18);
        (bytes32 termsHash, IInferenceCoordinator.RequestState memory st) = coordinator.getRequest(id);
        assertEq(termsHash, keccak256(abi.encode(t)));
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Open));
        assertEq(t.inputHash, keccak256(priceSample(0).input));
        assertEq(t.modelFee, MODEL_FEE);
        assertEq(t.requester, requester);
        assertEq(t.consumer, address(consumer));
    }

    function test_fulfillZkWithRealProofSettlesAndCallsBack() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        vm.warp(block.timestamp + 300); // half the auction: price 1 + (5-1)/2 = 3
        claimAs(relayer, id, t);
        assertEq(staking.relayerOf(relayer).locked, JOB_BOND);
        fulfillAs(relayer, id, t, s);

        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.lastRequestId(), id);
        assertEq(consumer.lastOutput(), tensor(s.output));
        // Settlement by docs/DESIGN.md's formulas.
        uint256 computeFee = 3e18;
        uint256 protocolFee = ((10e18 + computeFee) * 500) / 10_000;
        assertEq(coordinator.balanceOf(relayer), computeFee);
        assertEq(coordinator.modelEarnings(priceModel), 10e18);
        assertEq(coordinator.protocolFees(), protocolFee);
        assertEq(coordinator.balanceOf(requester), escrowOf(t) - 10e18 - computeFee - protocolFee);
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.locked, 0);
        assertEq(r.jobsServed, 1);
        // The proven output is cached.
        (bool found, bytes memory cached) = coordinator.cachedResult(priceModel, s.input);
        assertTrue(found);
        assertEq(cached, tensor(s.output));
    }

    function test_secondModelWithTwoOutputs() public {
        Sample memory s = sample("credit-risk", 1);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(
            requester,
            requestParams(creditModel, IInferenceCoordinator.ProofMode.Zk, address(consumer)),
            s.input
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(consumer.lastOutput(), tensor(s.output));
    }

    function test_withdrawPaysOut() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        uint256 owed = coordinator.balanceOf(relayer);
        uint256 before = token.balanceOf(relayer);
        vm.expectEmit(true, false, false, true, address(coordinator));
        emit IInferenceCoordinator.Withdrawal(relayer, owed);
        vm.prank(relayer);
        coordinator.withdraw();
        assertEq(token.balanceOf(relayer) - before, owed);
        assertEq(coordinator.balanceOf(relayer), 0);
        vm.expectRevert(IHighwayErrors.NothingToWithdraw.selector);
        vm.prank(relayer);
        coordinator.withdraw();
    }

    function test_onlyTheClaimantMayFulfil() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotClaimant.selector, id, relayer2));
        fulfillAs(relayer2, id, t, s);
    }

    function test_unclaimedRequestCannotBeFulfilled() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Open)
        );
        fulfillAs(relayer, id, t, s);
    }

    function test_fulfilledRequestCannotBeAnsweredTwice() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                id,
                IInferenceCoordinator.RequestStatus.Fulfilled
            )
        );
        fulfillAs(relayer, id, t, s);
    }

    function test_outputDifferentFromTheProofIsRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        s.output[0] += 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        fulfillAs(relayer, id, t, s);
    }

    function test_tamperedProofIsRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        s.proof[100] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        fulfillAs(relayer, id, t, s);
    }

    function test_fulfillZkBubblesTheGamesVerdictOnATamperedOutputAndChangesNothing() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        bytes memory output = tensor(s.output);
        output[output.length - 1] ^= 0x01; // the same shape, a different value
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        vm.prank(relayer);
        coordinator.fulfillZk(id, t, s.input, output, s.proof);
        // The right values in a wider encoding than their canonical one: one output, one encoding.
        vm.expectRevert(IHighwayErrors.NonCanonicalOutput.selector);
        vm.prank(relayer);
        coordinator.fulfillZk(id, t, s.input, tensorOfWidth(s.output, 32), s.proof);
        // The request's own input only, in whatever encoding.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputMismatch.selector, id));
        vm.prank(relayer);
        coordinator.fulfillZk(id, t, tensorOfWidth(s.inputs, 32), tensor(s.output), s.proof);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        assertEq(consumer.calls(), 0);
        (bool found, ) = coordinator.cachedResult(priceModel, s.input);
        assertFalse(found);
        fulfillAs(relayer, id, t, s);
        assertEq(consumer.lastOutput(), tensor(s.output));
    }

    function test_wrongOutputLengthIsRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        s.output = new int256[](2);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputLengthMismatch.selector, 1, 2));
        fulfillAs(relayer, id, t, s);
    }

    function test_fulfilAfterDeadlineIsRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        vm.warp(uint256(t.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DeadlinePassed.selector, id, t.deadline));
        fulfillAs(relayer, id, t, s);
    }

    function test_forgedTermsAreRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        t.maxComputeFee += 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        fulfillAs(relayer, id, t, s);
    }

    // ------------------------------------------------------------------ verified-result cache

    function test_cachedPairIsAnsweredInTheSameTransactionForTheModelFeeAlone() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);

        RecordingConsumer second = new RecordingConsumer(coordinator);
        uint256 ownerBefore = coordinator.modelEarnings(priceModel);
        uint256 treasuryBefore = coordinator.protocolFees();
        uint256 paidBefore = token.balanceOf(requester);
        vm.recordLogs();
        vm.prank(requester);
        uint256 id2 = coordinator.requestInference(
            requestParams(priceModel, IInferenceCoordinator.ProofMode.Zk, address(second)),
            s.input
        );
        assertTrue(id2 != id);
        // The answer's event carries the request's terms (whose hash is its id) and the cached output.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter != address(coordinator)
                || logs[i].topics[0] != IInferenceCoordinator.CachedRequestFulfilled.selector
            ) continue;
            assertEq(uint256(logs[i].topics[1]), id2);
            assertEq(logs[i].topics[2], priceModel);
            assertEq(address(uint160(uint256(logs[i].topics[3]))), requester);
            (IInferenceCoordinator.RequestTerms memory cachedTerms, bytes memory cachedOutput) = abi.decode(
                logs[i].data,
                (IInferenceCoordinator.RequestTerms, bytes)
            );
            assertEq(uint256(keccak256(abi.encode(cachedTerms))), id2);
            assertEq(cachedTerms.consumer, address(second));
            assertEq(uint256(cachedTerms.maxComputeFee), 0);
            assertEq(cachedOutput, tensor(s.output));
            seen = true;
        }
        assertTrue(seen);
        // Answered and not stored: it has no status to act on.
        assertEq(uint256(statusOf(id2)), uint256(IInferenceCoordinator.RequestStatus.None));
        assertEq(second.calls(), 1);
        assertEq(second.lastRequestId(), id2);
        assertEq(second.lastOutput(), tensor(s.output));
        uint256 protocolFee = (uint256(MODEL_FEE) * 500) / 10_000;
        assertEq(paidBefore - token.balanceOf(requester), MODEL_FEE + protocolFee);
        assertEq(coordinator.modelEarnings(priceModel) - ownerBefore, MODEL_FEE);
        assertEq(coordinator.protocolFees() - treasuryBefore, protocolFee);
        // Nothing is left open: no relayer can claim it, with any terms.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id2));
        claimAs(relayer, id2, t);
    }

    function test_cachedResultIsEmptyForUnprovenPairs() public view {
        (bool found, bytes memory out) = coordinator.cachedResult(priceModel, priceSample(2).input);
        assertFalse(found);
        assertEq(out.length, 0);
    }

    // ------------------------------------------------------------------ auction

    function test_claimLocksTheAuctionPriceOfItsBlock() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        vm.warp(block.timestamp + 150);
        uint256 price = AuctionMath.price(1e18, 5e18, t.createdAt, 600, block.timestamp);
        assertEq(price, 2e18);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestClaimed(id, relayer, price);
        claimAs(relayer, id, t);
        vm.warp(block.timestamp + 10_000);
        fulfillAs(relayer, id, t, s);
        assertEq(coordinator.balanceOf(relayer), price);
    }

    function test_claimNeedsMinStake() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.BelowMinStake.selector, stranger, 0, MIN_STAKE));
        claimAs(stranger, id, t);
        vm.prank(stranger);
        staking.stake(MIN_STAKE);
        claimAs(stranger, id, t);
        assertEq(staking.relayerOf(stranger).locked, JOB_BOND);
    }

    function test_claimNeedsFreeStakeForTheBond() public {
        vm.prank(stranger);
        staking.stake(MIN_STAKE); // covers exactly two bonds
        for (uint256 i; i < 2; ++i) {
            (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
                i,
                IInferenceCoordinator.ProofMode.Zk,
                address(consumer)
            );
            claimAs(stranger, id, t);
        }
        (uint256 id3, IInferenceCoordinator.RequestTerms memory t3, ) = requestPrice(
            2,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InsufficientFreeStake.selector, stranger, JOB_BOND, 0));
        claimAs(stranger, id3, t3);
    }

    function test_claimedRequestCannotBeClaimedAgain() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Claimed)
        );
        claimAs(relayer2, id, t);
    }

    function test_claimAfterDeadlineIsRejected() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        uint256 lastClaimAt = uint256(t.deadline) - t.deliveryWindow;
        vm.warp(uint256(t.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooLate.selector, id, lastClaimAt));
        claimAs(relayer, id, t);
    }
}
