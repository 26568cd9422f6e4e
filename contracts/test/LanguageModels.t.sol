// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {ICoordinatorAdmin} from "../interfaces/ICoordinatorAdmin.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {ModelKind} from "../types/ModelKind.sol";
import {TextConsumer} from "./mocks/Consumers.sol";

/**
 * @dev Language models through the coordinator: UTF-8 prompts checked at request time, answers bounded by
 * the request's `maxOutputBytes`, optimistic answers only, disputes routed to the language arbiter (a test
 * account standing for the committee contract) whose verdicts may share the protocol's cut with its majority.
 */
contract LanguageModelsTest is HighwayFixture {
    IInferenceCoordinator.ProofMode internal constant OPT = IInferenceCoordinator.ProofMode.Optimistic;
    uint256 internal constant COMPUTE_FEE = 1e18; // claimed at once: the start of the auction
    uint32 internal constant MAX_ANSWER = 32;
    bytes internal constant PROMPT = "What is 2 + 2? Answer in one word.";
    bytes internal constant ANSWER = "Four.";

    address internal immutable arbiter = address(0xA4B1);
    bytes32 internal lm;
    TextConsumer internal consumer;
    address[] internal noRewardees;

    function setUp() public override {
        super.setUp();
        lm = registerLanguageModel();
        consumer = new TextConsumer(coordinator);
    }

    function _request(bytes memory prompt) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t) {
        return makeRequest(requester, languageRequestParams(lm, MAX_ANSWER, address(consumer)), prompt);
    }

    function _pending(bytes memory answer) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t) {
        (id, t) = _request(PROMPT);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, answer);
    }

    function _disputed(bytes memory answer) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t) {
        (id, t) = _pending(answer);
        coordinatorAdmin.setLanguageArbiter(arbiter);
        vm.prank(arbiter);
        coordinator.openDispute(id, t, challenger);
    }

    function _close(
        uint256 id,
        IInferenceCoordinator.RequestTerms memory t,
        IInferenceCoordinator.DisputeOutcome outcome,
        bytes memory output,
        address[] memory rewardees
    ) internal {
        vm.prank(arbiter);
        coordinator.closeDispute(
            id,
            t,
            outcome,
            challenger,
            outcome == IInferenceCoordinator.DisputeOutcome.FraudProven ? arbiter : address(0),
            output,
            rewardees
        );
    }

    function _committee(uint256 count) internal pure returns (address[] memory members) {
        members = new address[](count);
        for (uint256 i; i < count; ++i) members[i] = address(uint160(0xC0C0 + i));
    }

    /// @dev Every token the coordinator holds is owed: to a pull balance, a model, the protocol, or `held` (escrows
    /// of requests still open).
    function _assertConserved(address[] memory rewardees, uint256 held) internal view {
        uint256 owed = coordinator.protocolFees() + coordinator.modelEarnings(lm) + held;
        address[5] memory parties = [requester, relayer, challenger, address(consumer), arbiter];
        for (uint256 i; i < parties.length; ++i) owed += coordinator.balanceOf(parties[i]);
        for (uint256 i; i < rewardees.length; ++i) owed += coordinator.balanceOf(rewardees[i]);
        assertEq(token.balanceOf(address(coordinator)), owed);
    }

    function _requestProtocolFee() internal pure returns (uint256) {
        return ((uint256(MODEL_FEE) + COMPUTE_FEE) * 500) / 10_000;
    }

    // ------------------------------------------------------------------ requests

    function test_aLanguageRequestLocksItsKindAndAnswerSize() public {
        uint256 before = token.balanceOf(requester);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _request(PROMPT);
        assertEq(uint8(t.modelKind), uint8(ModelKind.Language));
        assertEq(t.outputSize, MAX_ANSWER);
        assertEq(t.inputHash, keccak256(PROMPT));
        assertEq(uint8(t.proofMode), uint8(OPT));
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        assertEq(before - token.balanceOf(requester), escrowOf(t));
    }

    function test_aPromptMustBeUtf8WithinTheModelsLimit() public {
        IInferenceCoordinator.RequestParams memory p = languageRequestParams(lm, MAX_ANSWER, address(consumer));
        uint256 before = token.balanceOf(requester);
        vm.startPrank(requester);
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        coordinator.requestInference(p, hex"48656c6c6fc0af"); // "Hello" and an overlong '/'
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        coordinator.requestInference(p, hex"eda080"); // a surrogate
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        coordinator.requestInference(p, hex"f09f98"); // a truncated emoji
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.InvalidPromptLength.selector, PROMPT_BYTES, PROMPT_BYTES + 1)
        );
        coordinator.requestInference(p, new bytes(PROMPT_BYTES + 1));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidPromptLength.selector, PROMPT_BYTES, 0));
        coordinator.requestInference(p, "");
        vm.stopPrank();
        assertEq(token.balanceOf(requester), before);
        // The limit itself, in multi-byte characters (64 four-byte emoji), is accepted.
        bytes memory longest;
        for (uint256 i; i < PROMPT_BYTES / 4; ++i) longest = bytes.concat(longest, unicode"😀");
        (uint256 id, ) = _request(longest);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
    }

    function test_maxOutputBytesIsRequiredForALanguageModelAndZeroForACircuit() public {
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidMaxOutputBytes.selector, 0, ANSWER_BYTES));
        coordinator.requestInference(languageRequestParams(lm, 0, address(0)), PROMPT);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.InvalidMaxOutputBytes.selector, ANSWER_BYTES + 1, ANSWER_BYTES)
        );
        coordinator.requestInference(languageRequestParams(lm, ANSWER_BYTES + 1, address(0)), PROMPT);
        IInferenceCoordinator.RequestParams memory circuit = requestParams(priceModel, OPT, address(0));
        circuit.maxOutputBytes = 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidMaxOutputBytes.selector, 1, 0));
        coordinator.requestInference(circuit, priceSample(0).input);
        vm.stopPrank();
        (, IInferenceCoordinator.RequestTerms memory t) = makeRequest(
            requester,
            languageRequestParams(lm, ANSWER_BYTES, address(0)),
            PROMPT
        );
        assertEq(t.outputSize, ANSWER_BYTES);
        // A circuit request's output size is its model's output count.
        (, IInferenceCoordinator.RequestTerms memory ct, ) = requestPrice(0, OPT, address(0));
        assertEq(ct.outputSize, 1);
        assertEq(uint8(ct.modelKind), uint8(ModelKind.Circuit));
    }

    function test_aLanguageModelIsNeverProven() public {
        IInferenceCoordinator.RequestParams memory p = languageRequestParams(lm, MAX_ANSWER, address(0));
        p.proofMode = IInferenceCoordinator.ProofMode.Zk;
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.ProofModeUnsupported.selector, lm, IInferenceCoordinator.ProofMode.Zk)
        );
        vm.prank(requester);
        coordinator.requestInference(p, PROMPT);
        // Nor can a claimant of an optimistic request answer it with a "proof": the proof check refuses the kind.
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _request(PROMPT);
        claimAs(relayer, id, t);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.ProofModeUnsupported.selector, lm, IInferenceCoordinator.ProofMode.Zk)
        );
        vm.prank(relayer);
        coordinator.fulfillZk(id, t, PROMPT, ANSWER, hex"00");
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
    }

    // ------------------------------------------------------------------ answers

    function test_submitOptimisticTakesTextUpToTheRequestsOutputSize() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _request(PROMPT);
        claimAs(relayer, id, t);
        vm.startPrank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputTooLong.selector, MAX_ANSWER, MAX_ANSWER + 1));
        coordinator.submitOptimistic(id, t, new bytes(MAX_ANSWER + 1));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputTooLong.selector, MAX_ANSWER, 0));
        coordinator.submitOptimistic(id, t, "");
        bytes memory longest = "Four. Two plus two makes four..."; // exactly 32 bytes
        assertEq(longest.length, MAX_ANSWER);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.OptimisticSubmitted(id, relayer, longest);
        coordinator.submitOptimistic(id, t, longest);
        vm.stopPrank();
        (IInferenceCoordinator.RequestState memory st, bytes32 outputHash) = coordinator.postedAnswer(id, t);
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Pending));
        assertEq(outputHash, keccak256(longest));
    }

    function test_finalizeDeliversThePostedTextOnly() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _pending(ANSWER);
        vm.warp(block.timestamp + t.challengeWindow);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        coordinator.finalize(id, t, "Five.");
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestFulfilled(id, relayer, ANSWER, COMPUTE_FEE, false);
        vm.prank(stranger);
        coordinator.finalize(id, t, ANSWER);
        assertEq(bytes(consumer.lastText()), ANSWER);
        assertEq(coordinator.balanceOf(relayer), COMPUTE_FEE);
        assertEq(staking.relayerOf(relayer).locked, 0);
        _assertConserved(noRewardees, 0);
        // Never cached: the same prompt is asked again, not answered from a cache.
        (bool found, ) = coordinator.cachedResult(lm, PROMPT);
        assertFalse(found);
        (uint256 again, ) = _request(PROMPT);
        assertEq(uint256(statusOf(again)), uint256(IInferenceCoordinator.RequestStatus.Open));
    }

    function test_retryCallbackDeliversThePostedText() public {
        consumer.setReady(false);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _pending(ANSWER);
        vm.warp(block.timestamp + t.challengeWindow);
        coordinator.finalize(id, t, ANSWER);
        assertTrue(stateOf(id).callbackPending);
        consumer.setReady(true);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        coordinator.retryCallback(id, t, "Five.");
        vm.expectEmit(true, false, false, false, address(coordinator));
        emit IInferenceCoordinator.CallbackDelivered(id);
        vm.prank(stranger);
        coordinator.retryCallback(id, t, ANSWER);
        assertEq(consumer.delivered(), 1);
        assertEq(bytes(consumer.lastText()), ANSWER);
        assertFalse(stateOf(id).callbackPending);
    }

    // ------------------------------------------------------------------ the language arbiter

    function test_theLanguageArbiterIsSetOnceByTheAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        vm.prank(stranger);
        coordinatorAdmin.setLanguageArbiter(arbiter);
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        coordinatorAdmin.setLanguageArbiter(address(0));
        assertEq(coordinator.languageArbiter(), address(0));
        vm.expectEmit(true, false, false, false, address(coordinatorAdmin));
        emit ICoordinatorAdmin.LanguageArbiterSet(arbiter);
        coordinatorAdmin.setLanguageArbiter(arbiter);
        assertEq(coordinator.languageArbiter(), arbiter);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.LanguageArbiterAlreadySet.selector, arbiter));
        coordinatorAdmin.setLanguageArbiter(stranger);
        assertEq(coordinator.languageArbiter(), arbiter);
    }

    function test_disputesGoToTheArbiterOfTheRequestsModelKind() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _pending(ANSWER);
        // No arbiter yet: a language model's answer cannot be challenged, not even through the dispute game.
        bytes32 salt = commitChallengeAs(challenger, id);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, address(disputeGame)));
        vm.prank(challenger);
        disputeGame.challenge(id, t, salt);

        coordinatorAdmin.setLanguageArbiter(arbiter);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, address(disputeGame)));
        vm.prank(challenger);
        disputeGame.challenge(id, t, salt);
        address[2] memory others = [address(disputeGame), stranger];
        for (uint256 i; i < others.length; ++i) {
            vm.startPrank(others[i]);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, others[i]));
            coordinator.openDispute(id, t, challenger);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, others[i]));
            coordinator.closeDispute(
                id,
                t,
                IInferenceCoordinator.DisputeOutcome.Defended,
                challenger,
                address(0),
                ANSWER,
                noRewardees
            );
            vm.stopPrank();
        }
        vm.prank(arbiter);
        coordinator.openDispute(id, t, challenger);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Disputed));

        // And the language arbiter has no say over a circuit model's answer.
        (uint256 cid, IInferenceCoordinator.RequestTerms memory ct, ) = pendingPriceAnswer(address(0), withOutput(1));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, arbiter));
        vm.prank(arbiter);
        coordinator.openDispute(cid, ct, challenger);
        challengeAs(challenger, cid, ct);
        assertEq(uint256(statusOf(cid)), uint256(IInferenceCoordinator.RequestStatus.Disputed));
    }

    function test_aCommitteesAnswerReplacesAWrongOneAndItsMajorityShareTheProtocolsCut() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _disputed("Five.");
        address[] memory majority = _committee(3);
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.FraudProven(id, arbiter, relayer, ANSWER);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestFulfilled(id, challenger, ANSWER, COMPUTE_FEE, true);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.FraudProven, ANSWER, majority);

        assertEq(bytes(consumer.lastText()), ANSWER);
        uint256 share = (uint256(JOB_BOND) * 2_000) / 10_000; // 20: 3 ways, 2 wei of dust
        uint256 each = share / 3;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - share + COMPUTE_FEE);
        for (uint256 i; i < 3; ++i) assertEq(coordinator.balanceOf(majority[i]), each);
        assertEq(coordinator.protocolFees(), _requestProtocolFee() + share - 3 * each);
        assertEq(share - 3 * each, 2);
        assertEq(staking.relayerOf(relayer).stake, 1_000 * UNIT - JOB_BOND);
        assertEq(staking.relayerOf(relayer).jobsSlashed, 1);
        (, bytes32 held) = coordinator.postedAnswer(id, t);
        assertEq(held, keccak256(ANSWER));
        (bool found, ) = coordinator.cachedResult(lm, PROMPT); // a committee's answer is not a proof
        assertFalse(found);
        _assertConserved(majority, 0);
    }

    function test_aDefendedAnswerStandsAndTheMajorityShareTheChallengersCut() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _disputed(ANSWER);
        address[] memory majority = _committee(2);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        _close(id, t, IInferenceCoordinator.DisputeOutcome.Defended, "Five.", majority);
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.Defended(id, relayer, challenger);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.Defended, ANSWER, majority);

        assertEq(bytes(consumer.lastText()), ANSWER);
        uint256 share = (uint256(CHALLENGE_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(relayer), COMPUTE_FEE + CHALLENGE_BOND - share);
        assertEq(coordinator.balanceOf(majority[0]), share / 2);
        assertEq(coordinator.balanceOf(majority[1]), share / 2);
        assertEq(coordinator.balanceOf(challenger), 0);
        assertEq(coordinator.protocolFees(), _requestProtocolFee());
        assertEq(staking.relayerOf(relayer).stake, 1_000 * UNIT);
        _assertConserved(majority, 0);
    }

    function test_aTimedOutDisputeReopensAndTheMajorityShareTheRelayersCut() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _disputed(ANSWER);
        address[] memory majority = _committee(4);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.TimedOut, "", majority);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        uint256 share = (uint256(JOB_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - share);
        for (uint256 i; i < 4; ++i) assertEq(coordinator.balanceOf(majority[i]), share / 4);
        assertEq(coordinator.protocolFees(), 0);
        _assertConserved(majority, escrowOf(t)); // the reopened request's escrow is still held
    }

    /// Any committee size, either verdict: the loser's bond is paid out whole (winner, majority, protocol).
    function testFuzz_theMajoritysShareConservesTheLosersBond(uint8 size, bool defended) public {
        uint256 count = bound(size, 0, 40);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = _disputed(defended ? ANSWER : bytes("Five."));
        address[] memory majority = _committee(count);
        uint256 protocolBefore = coordinator.protocolFees();
        _close(
            id,
            t,
            defended ? IInferenceCoordinator.DisputeOutcome.Defended : IInferenceCoordinator.DisputeOutcome.FraudProven,
            ANSWER,
            majority
        );
        uint256 bond = defended ? CHALLENGE_BOND : JOB_BOND;
        uint256 toMajority;
        for (uint256 i; i < count; ++i) toMajority += coordinator.balanceOf(majority[i]);
        uint256 toWinner =
            defended
                ? coordinator.balanceOf(relayer) - COMPUTE_FEE
                : coordinator.balanceOf(challenger) - CHALLENGE_BOND - COMPUTE_FEE;
        uint256 toProtocol = coordinator.protocolFees() - protocolBefore - _requestProtocolFee();
        assertEq(toWinner + toMajority + toProtocol, bond);
        assertEq(toWinner, bond - (bond * 2_000) / 10_000);
        assertLt(toProtocol, count == 0 ? type(uint256).max : count); // only dust, once a majority is named
        _assertConserved(majority, 0);
    }
}
