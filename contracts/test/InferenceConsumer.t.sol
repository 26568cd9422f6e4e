// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "hardhat/console.sol";
import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {Vm} from "./utils/Test.sol";
import {MoreCheatcodes} from "./utils/MoreCheatcodes.sol";
import {InferenceConsumer} from "../InferenceConsumer.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {BudgetConsumer, LeanConsumer, PreFixConsumer} from "./mocks/BudgetConsumers.sol";

/**
 * @dev `InferenceConsumer` against the real coordinator, registry, token and EZKL verifier (issue 10,
 * the consumer side): the model fee is capped by what the Dapp states (M-2), refunds can be withdrawn
 * (M-3), and only results of the consumer's own requests reach its hook (informational finding).
 */
contract InferenceConsumerTest is HighwayFixture {
    // The cheatcode handle beside `vm`, named like it.
    // solhint-disable-next-line const-name-snakecase
    MoreCheatcodes internal constant cheats = MoreCheatcodes(address(vm));
    uint96 internal constant MAX_COMPUTE_FEE = 5e18;

    BudgetConsumer internal consumer;

    function setUp() public override {
        super.setUp();
        consumer = new BudgetConsumer(coordinator, false);
        token.mint(address(consumer), 1_000 * UNIT);
    }

    function options(uint96 maxModelFee) internal view returns (InferenceConsumer.RequestOptions memory) {
        return
            InferenceConsumer.RequestOptions({
                proofMode: IInferenceCoordinator.ProofMode.Zk,
                maxModelFee: maxModelFee,
                startComputeFee: 1e18,
                maxComputeFee: MAX_COMPUTE_FEE,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: CALLBACK_GAS,
                maxOutputBytes: 0,
                deadline: uint40(block.timestamp + 1 days),
                referrer: address(0)
            });
    }

    /// @dev `who` requests sample `index` with options capped at `maxModelFee`; the id and terms.
    function consumerRequest(
        BudgetConsumer who,
        uint256 index,
        uint96 maxModelFee
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms) {
        vm.recordLogs();
        id = who.request(token, priceModel, priceSample(index).input, options(maxModelFee));
        terms = termsFromLogs();
    }

    /// @dev Makes sample `index` a proven (cached) pair: someone else asks for it and a relayer proves it.
    function prove(uint256 index) internal {
        BudgetConsumer other = new BudgetConsumer(coordinator, true);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            index,
            IInferenceCoordinator.ProofMode.Zk,
            address(other)
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        (bool found, ) = coordinator.cachedResult(priceModel, s.input);
        assertTrue(found, "proven");
    }

    function budgetAt(uint96 maxModelFee) internal view returns (uint256) {
        uint256 bps = coordinator.getParams().protocolFeeBps;
        return maxModelFee + MAX_COMPUTE_FEE + ((uint256(maxModelFee) + MAX_COMPUTE_FEE) * bps) / 10_000;
    }

    /// @dev The values of the payment token's Approval events from `owner` to the coordinator, in order.
    function approvals(Vm.Log[] memory logs, address owner) internal view returns (uint256[] memory values) {
        values = new uint256[](logs.length);
        uint256 n;
        bytes32 topic = keccak256("Approval(address,address,uint256)");
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(token)
                && logs[i].topics[0] == topic
                && logs[i].topics[1] == bytes32(uint256(uint160(owner)))
                && logs[i].topics[2] == bytes32(uint256(uint160(address(coordinator))))
            ) values[n++] = abi.decode(logs[i].data, (uint256));
        }
        assembly ("memory-safe") {
            mstore(values, n)
        }
    }

    // ================================================================== M-2: the model fee is capped

    function test_requestPassesTheCapAndApprovesOnlyTheEscrowAtIt() public {
        uint96 cap = 12e18; // the fee is 10: the cap leaves the owner room, not a blank cheque
        Sample memory s = priceSample(1);
        IInferenceCoordinator.RequestParams memory expected = requestParams(
            priceModel,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        expected.maxModelFee = cap;
        expected.callbackGasLimit = CALLBACK_GAS;
        cheats.expectCall(
            address(coordinator),
            abi.encodeCall(IInferenceCoordinator.requestInference, (expected, s.input))
        );
        uint256 before = token.balanceOf(address(consumer));
        vm.recordLogs();
        consumer.request(token, priceModel, s.input, options(cap));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256[] memory approved = approvals(logs, address(consumer));
        assertEq(approved.length, 2);
        assertEq(approved[0], budgetAt(cap)); // (12 + 5) * 1.05 = 17.85: the escrow at the cap
        assertEq(approved[0], 17.85e18);
        assertEq(approved[1], 0); // what the coordinator did not pull is un-approved
        assertEq(token.allowance(address(consumer), address(coordinator)), 0);
        assertEq(before - token.balanceOf(address(consumer)), 15.75e18); // paid at the actual fee: (10 + 5) * 1.05
    }

    /// @dev Issue 10 M-2, replayed on a request the cache cannot answer: the model's owner raises the
    /// fee in front of it. The approval (the escrow at the consumer's cap) does not cover the escrow
    /// at the new fee, so the request reverts and the consumer pays nothing. Before the fix the
    /// consumer approved `quoteEscrow` in the same transaction and paid (945 + 5) * 1.05 = 997.5.
    function test_feeRaisedAboveTheCapInFrontOfTheRequestRevertsIt() public {
        uint256 before = token.balanceOf(address(consumer));
        vm.prank(modelOwner);
        registry.setFee(priceModel, 945e18);
        assertEq(coordinator.quoteEscrow(priceModel, MAX_COMPUTE_FEE), 997.5e18); // what the old approval covered
        bytes memory input = priceSample(1).input;
        InferenceConsumer.RequestOptions memory o = options(MODEL_FEE);
        vm.expectRevert(); // the allowance falls short (and, with the coordinator's check, the fee is above the cap)
        consumer.request(token, priceModel, input, o);
        assertEq(token.balanceOf(address(consumer)), before);

        // A fee the Dapp accepts (raised to its cap) goes through.
        vm.prank(modelOwner);
        registry.setFee(priceModel, 20e18);
        (, IInferenceCoordinator.RequestTerms memory t) = consumerRequest(consumer, 1, 20e18);
        assertEq(uint256(t.modelFee), 20e18);
        assertEq(before - token.balanceOf(address(consumer)), escrowOf(t));
    }

    /**
     * @dev A cached pair is answered for the model fee alone (no compute is bought), so a fee raised
     * above the cap but within the approval (the escrow at the cap, compute included) would be
     * pulled by the approval alone: 14 * 1.05 = 14.7 for a model capped at 10. The coordinator's
     * `maxModelFee` check makes the request revert instead.
     */
    function test_cachedRequestWithAFeeAboveTheCapReverts() public {
        prove(0);
        vm.prank(modelOwner);
        registry.setFee(priceModel, 14e18); // above the cap (10), inside the approval (15.75)
        uint256 before = token.balanceOf(address(consumer));
        bytes memory input = priceSample(0).input;
        InferenceConsumer.RequestOptions memory o = options(MODEL_FEE);
        vm.expectRevert();
        consumer.request(token, priceModel, input, o);
        assertEq(token.balanceOf(address(consumer)), before);
        assertEq(consumer.calls(), 0);
    }

    // ================================================================== M-3: refunds come back

    function test_withdrawFromCoordinatorBringsBackAnExpiredRequestsWholeEscrow() public {
        uint256 before = token.balanceOf(address(consumer));
        assertEq(consumer.reclaim(), 0); // nothing owed: no call to the coordinator, no revert
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = consumerRequest(consumer, 2, MODEL_FEE);
        vm.warp(t.deadline + 1);
        vm.prank(stranger);
        coordinator.expire(id, t);
        assertEq(coordinator.balanceOf(address(consumer)), escrowOf(t));
        assertEq(token.balanceOf(address(consumer)), before - escrowOf(t)); // credited in the coordinator, not sent

        assertEq(consumer.reclaim(), escrowOf(t));
        assertEq(token.balanceOf(address(consumer)), before); // every unit
        assertEq(coordinator.balanceOf(address(consumer)), 0);
    }

    // ================================================================== only its own requests

    /// @dev The informational finding, replayed: a real request, answered with a real proof, whose
    /// consumer field names this consumer but which someone else made (and paid for).
    function test_resultOfARequestSomeoneElseMadeIsIgnored() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            1,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        assertEq(t.consumer, address(consumer));
        assertEq(t.requester, requester);
        assertFalse(consumer.isPendingRequest(id));
        claimAs(relayer, id, t);
        vm.recordLogs();
        fulfillAs(relayer, id, t, s);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(consumer.calls(), 0, "the hook never ran");
        bool ignored;
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(consumer)
                && logs[i].topics[0] == InferenceConsumer.UnrequestedResultIgnored.selector
            ) {
                assertEq(uint256(logs[i].topics[1]), id);
                ignored = true;
            }
            assertTrue(logs[i].topics[0] != IInferenceCoordinator.CallbackFailed.selector, "not a failed callback");
        }
        assertTrue(ignored, "UnrequestedResultIgnored");
        // Ignored, not refused: the coordinator recorded a delivered callback, nobody can retry it.
        IInferenceCoordinator.RequestState memory st = stateOf(id);
        assertEq(uint8(st.status), uint8(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertFalse(st.callbackPending);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NoFailedCallback.selector, id));
        coordinator.retryCallback(id, t, tensor(s.output));
    }

    function test_ownRequestIsDeliveredOnceAndAReplayIsIgnored() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = consumerRequest(consumer, 1, MODEL_FEE);
        assertTrue(consumer.isPendingRequest(id));
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, priceSample(1));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.lastRequestId(), id);
        assertEq(consumer.lastValue(), priceSample(1).output[0]);
        assertFalse(consumer.isPendingRequest(id));

        vm.expectEmit(true, true, true, true, address(consumer));
        emit InferenceConsumer.UnrequestedResultIgnored(id);
        vm.prank(address(coordinator));
        consumer.onInferenceResult(id, tensor(withOutput(42)));
        assertEq(consumer.calls(), 1);
    }

    function test_cachedAnswerIsAcceptedInsideItsOwnRequestCall() public {
        prove(0);
        uint256 before = token.balanceOf(address(consumer));
        vm.recordLogs();
        uint256 id = consumer.request(token, priceModel, priceSample(0).input, options(MODEL_FEE));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.callsDuringRequest(), 1, "before _requestInference returned");
        assertEq(consumer.lastRequestId(), id);
        assertFalse(consumer.isPendingRequest(id));
        // A cached answer buys no compute: only the model fee and its protocol fee were pulled, and
        // the rest of the approval was reset.
        assertEq(before - token.balanceOf(address(consumer)), 10.5e18);
        assertEq(token.allowance(address(consumer), address(coordinator)), 0);
        // Outside a request call, nothing unrequested gets through.
        vm.prank(address(coordinator));
        consumer.onInferenceResult(id + 1, tensor(withOutput(1)));
        assertEq(consumer.calls(), 1);
    }

    function test_failedCachedAnswerStaysPendingAndItsRetryIsAccepted() public {
        prove(0);
        consumer.setFailing(true);
        vm.recordLogs();
        uint256 id = consumer.request(token, priceModel, priceSample(0).input, options(MODEL_FEE));
        IInferenceCoordinator.RequestTerms memory t = termsFromLogs(); // stored for the retry
        assertEq(consumer.calls(), 0);
        assertTrue(consumer.isPendingRequest(id), "its result is still to come");
        assertTrue(stateOf(id).callbackPending);

        consumer.setFailing(false);
        vm.prank(stranger);
        coordinator.retryCallback(id, t, tensor(priceSample(0).output));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.callsDuringRequest(), 0);
        assertFalse(consumer.isPendingRequest(id));
    }

    function test_aDappThatOptsOutReceivesResultsOfRequestsOthersMade() public {
        BudgetConsumer open = new BudgetConsumer(coordinator, true);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            1,
            IInferenceCoordinator.ProofMode.Zk,
            address(open)
        );
        claimAs(relayer, id, t);
        fulfillAs(relayer, id, t, s);
        assertEq(open.calls(), 1);
        assertEq(open.lastRequestId(), id);
    }

    function test_onlyTheCoordinatorCallsBack() public {
        (uint256 id, ) = consumerRequest(consumer, 1, MODEL_FEE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, stranger));
        consumer.onInferenceResult(id, tensor(withOutput(1)));
        assertTrue(consumer.isPendingRequest(id));
    }

    function test_pendingMarkLivesAtItsErc7201Slot() public {
        (uint256 id, ) = consumerRequest(consumer, 1, MODEL_FEE);
        bytes32 base =
            keccak256(abi.encode(uint256(keccak256("highway.storage.InferenceConsumer")) - 1))
                & ~bytes32(uint256(0xff));
        assertEq(uint256(vm.load(address(consumer), keccak256(abi.encode(id, base)))), 1);
        assertEq(uint256(vm.load(address(consumer), keccak256(abi.encode(id + 1, base)))), 0);
    }
}

/**
 * @dev What the cap and the pending-request bookkeeping cost, against the consumer as it was before
 * issue 10 (`PreFixConsumer`: approves `quoteEscrow`, no cap, no bookkeeping). `setUp` runs in a
 * transaction of its own, so the callbacks measured in a test find the pending slots cold, as a
 * relayer's answer does. Gross gas (`gasleft`): clearing the pending slot earns a 4,800 refund at
 * the end of the answer's transaction.
 */
contract InferenceConsumerGasTest is HighwayFixture {
    LeanConsumer internal lean;
    PreFixConsumer internal prefix;
    uint256 internal leanId;
    uint256 internal prefixId;

    function setUp() public override {
        super.setUp();
        lean = new LeanConsumer(coordinator);
        prefix = new PreFixConsumer(coordinator);
        token.mint(address(lean), 100 * UNIT);
        token.mint(address(prefix), 100 * UNIT);
        bytes memory input = priceSample(1).input;
        leanId = lean.request(token, priceModel, input, _options());
        prefixId = prefix.request(token, priceModel, input, _options());
    }

    function _options() internal view returns (InferenceConsumer.RequestOptions memory) {
        return
            InferenceConsumer.RequestOptions({
                proofMode: IInferenceCoordinator.ProofMode.Zk,
                maxModelFee: MODEL_FEE,
                startComputeFee: 1e18,
                maxComputeFee: 5e18,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: CALLBACK_GAS,
                maxOutputBytes: 0,
                deadline: uint40(block.timestamp + 1 days),
                referrer: address(0)
            });
    }

    function test_gasOfTheRequestBookkeeping() public {
        LeanConsumer lean2 = new LeanConsumer(coordinator);
        PreFixConsumer prefix2 = new PreFixConsumer(coordinator);
        token.mint(address(lean2), 100 * UNIT);
        token.mint(address(prefix2), 100 * UNIT);
        bytes memory input = priceSample(2).input;
        InferenceConsumer.RequestOptions memory o = _options();
        prefix.request(token, priceModel, input, o); // warms the coordinator, registry and token for both

        uint256 g = gasleft();
        prefix2.request(token, priceModel, input, o);
        uint256 before = g - gasleft();
        g = gasleft();
        lean2.request(token, priceModel, input, o);
        uint256 now_ = g - gasleft();
        console.log("request gas: before issue 10 %d, now %d, difference %d", before, now_, now_ - before);
        // The pending slot (22,100), the protocol fee read for the cap, the allowance reset, the transient phase.
        assertLt(now_ - before, 30_000);
    }

    function test_gasOfTheCallbackBookkeeping() public {
        bytes memory output = tensor(priceSample(1).output);
        vm.prank(address(coordinator));
        uint256 g = gasleft();
        prefix.onInferenceResult(prefixId, output);
        uint256 before = g - gasleft();
        vm.prank(address(coordinator));
        g = gasleft();
        lean.onInferenceResult(leanId, output);
        uint256 now_ = g - gasleft();
        vm.prank(address(coordinator));
        g = gasleft();
        lean.onInferenceResult(prefixId, output); // not its request
        uint256 ignored = g - gasleft();
        console.log("callback gas: before issue 10 %d, now %d (gross; 4800 refunded)", before, now_);
        console.log("callback gas of a result ignored (not its request): %d", ignored);
        // A cold read and the clearing of the pending slot (2,100 + 2,900) and the transient phase read.
        assertLt(now_ - before, 6_000);
    }
}
