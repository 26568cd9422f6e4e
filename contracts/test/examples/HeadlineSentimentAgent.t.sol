// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {console} from "hardhat/console.sol";
import {HighwayFixture} from "../utils/HighwayFixture.sol";
import {Vm} from "../utils/Test.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../../interfaces/IModelRegistry.sol";
import {IHighwayErrors} from "../../interfaces/IHighwayErrors.sol";
import {ConstantProductPool} from "../../../examples/contracts/ConstantProductPool.sol";
import {DemoToken} from "../../../examples/contracts/DemoToken.sol";
import {HeadlineSentimentAgent} from "../../../examples/contracts/HeadlineSentimentAgent.sol";
import {TextLabels} from "../../../examples/contracts/libraries/TextLabels.sol";

/// @dev The agent against the real coordinator, with a language model registered like `smollm2` (2048 prompt
/// bytes, 1024 answer bytes, optimistic only): answers come through the optimistic path (claim, submit, finalize
/// after the challenge window) or straight from the coordinator's address for a request the agent made.
contract HeadlineSentimentAgentTest is HighwayFixture {
    using HeadlineTestAnswers for bytes;

    uint16 internal constant TRADE_BPS = 2_000;
    uint16 internal constant SLIPPAGE_BPS = 200;
    uint32 internal constant MIN_TWAP = 60;
    uint32 internal constant TTL = 2 hours; // longer than the fixture's one-hour challenge window
    uint32 internal constant AGENT_ANSWER_BYTES = 32;
    uint32 internal constant AGENT_CALLBACK_GAS = 300_000;
    string internal constant HEADLINE = "Company reports record profits and raises dividend";

    DemoToken internal stable;
    DemoToken internal volatile;
    ConstantProductPool internal pool;
    HeadlineSentimentAgent internal agent;
    bytes32 internal lm;
    address internal keeper = address(0x4EE9);
    address internal trader = address(0x7EAD);

    function setUp() public override {
        super.setUp();
        IModelRegistry.ModelParams memory p = languageParams();
        (p.inputLength, p.outputLength) = (2_048, 1_024);
        vm.prank(modelOwner);
        lm = registry.registerModel("smollm2", p);

        stable = new DemoToken("Stable", "USD", address(this));
        volatile = new DemoToken("Volatile", "VOL", address(this));
        pool = new ConstantProductPool(volatile, stable, 30, address(this));
        volatile.mint(address(this), 10_000e18);
        stable.mint(address(this), 20_000_000e18);
        volatile.approve(address(pool), type(uint256).max);
        stable.approve(address(pool), type(uint256).max);
        pool.addLiquidity(10_000e18, 20_000_000e18); // 2000 USD per VOL

        agent = new HeadlineSentimentAgent(coordinator, lm, token, pool, true, defaultConfig(), address(this));
        agent.grantRole(agent.KEEPER_ROLE(), keeper);
        volatile.mint(address(agent), 100e18);
        stable.mint(address(agent), 200_000e18);
        token.mint(address(agent), 1_000 * UNIT);

        volatile.mint(trader, 1e30);
        stable.mint(trader, 1e30);
        vm.startPrank(trader);
        volatile.approve(address(pool), type(uint256).max);
        stable.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    function defaultConfig() internal pure returns (HeadlineSentimentAgent.Config memory) {
        return
            HeadlineSentimentAgent.Config({
                tradeBps: TRADE_BPS,
                maxSlippageBps: SLIPPAGE_BPS,
                minTwapWindow: MIN_TWAP,
                requestTtl: TTL,
                callbackGasLimit: AGENT_CALLBACK_GAS,
                maxAnswerBytes: AGENT_ANSWER_BYTES,
                startComputeFee: 1e18,
                maxComputeFee: 5e18,
                maxModelFee: MODEL_FEE
            });
    }

    function submit(
        string memory headline
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms) {
        vm.recordLogs();
        vm.prank(keeper);
        id = agent.submitHeadline(headline);
        terms = termsFromLogs();
    }

    /// @dev The coordinator delivers `output` for the agent's request `id` (as its callback would, after the window).
    function deliver(uint256 id, bytes memory output) internal {
        vm.prank(address(coordinator));
        agent.onInferenceResult(id, output);
    }

    function balances() internal view returns (uint256 stableBalance, uint256 volatileBalance) {
        return (stable.balanceOf(address(agent)), volatile.balanceOf(address(agent)));
    }

    function outcomeOf(uint256 id) internal view returns (HeadlineSentimentAgent.Outcome outcome) {
        (, , , outcome, ) = agent.requests(id);
    }

    function sentimentOf(uint256 id) internal view returns (HeadlineSentimentAgent.Sentiment sentiment) {
        (, , sentiment, , ) = agent.requests(id);
    }

    // ------------------------------------------------------------------ requests

    function test_aHeadlineIsSentInTheContractsPromptAndPaidFromTheAgent() public {
        uint256 paymentBefore = token.balanceOf(address(agent));
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = submit(HEADLINE);

        bytes memory expected = bytes(string.concat(agent.PROMPT_PREFIX(), HEADLINE, agent.PROMPT_SUFFIX()));
        assertEq(terms.inputHash, keccak256(expected));
        assertEq(keccak256(agent.prompt(HEADLINE)), keccak256(expected));
        assertEq(uint256(terms.proofMode), uint256(IInferenceCoordinator.ProofMode.Optimistic));
        assertEq(uint256(terms.outputSize), AGENT_ANSWER_BYTES);
        assertEq(terms.consumer, address(agent));
        assertEq(uint256(terms.deadline), block.timestamp + TTL);
        assertEq(paymentBefore - token.balanceOf(address(agent)), escrowOf(terms));
        assertEq(token.allowance(address(agent), address(coordinator)), 0);
        (uint40 deadline, uint40 requestedAt, , HeadlineSentimentAgent.Outcome outcome, uint256 cumulative) = agent
            .requests(id);
        assertEq(uint256(deadline), block.timestamp + TTL);
        assertEq(uint256(requestedAt), block.timestamp);
        assertEq(uint256(outcome), uint256(HeadlineSentimentAgent.Outcome.Pending));
        assertEq(cumulative, pool.cumulativePrice(volatile));
        assertTrue(agent.isPendingRequest(id));
    }

    function test_theExpectedPromptIsTheOneTriedOnTheRealModel() public view {
        assertEq(
            agent.prompt("Stocks soar"),
            bytes(
                "Read the headline and answer with one word, POSITIVE (good news), NEGATIVE (bad news) or NEUTRAL (neither).\n\nHeadline: \x22Stocks soar\x22\n\nAnswer:"
            )
        );
    }

    function test_onlyAKeeperSubmitsHeadlines() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                agent.KEEPER_ROLE()
            )
        );
        vm.prank(stranger);
        agent.submitHeadline(HEADLINE);
    }

    function test_anEmptyOrOverlongHeadlineIsRefused() public {
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(HeadlineSentimentAgent.InvalidHeadlineLength.selector, 0, 280));
        agent.submitHeadline("");
        vm.expectRevert(abi.encodeWithSelector(HeadlineSentimentAgent.InvalidHeadlineLength.selector, 281, 280));
        agent.submitHeadline(string(new bytes(281)));
        vm.stopPrank();
    }

    function test_aHeadlineThatIsNotUtf8IsRefusedByTheCoordinator() public {
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        vm.prank(keeper);
        bytes memory notUtf8 = hex"48656c6c6fc0af"; // "Hello" and an overlong '/'
        agent.submitHeadline(string(notUtf8));
    }

    function test_aModelFeeAboveTheBudgetIsRefused() public {
        vm.prank(modelOwner);
        registry.setFee(lm, MODEL_FEE + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ModelFeeAboveMax.selector, lm, MODEL_FEE + 1, MODEL_FEE));
        vm.prank(keeper);
        agent.submitHeadline(HEADLINE);
    }

    // ------------------------------------------------------------------ decisions

    function test_aPositiveAnswerFinalizedOptimisticallyBuysTheVolatileToken() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = submit(HEADLINE);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, "POSITIVE (good news)");
        vm.warp(block.timestamp + defaultParams().challengeWindow);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        uint256 amountIn = (stableBefore * TRADE_BPS) / 10_000;

        vm.expectEmit(true, false, false, true, address(agent));
        emit HeadlineSentimentAgent.HeadlineClassified(id, HeadlineSentimentAgent.Sentiment.Positive);
        coordinator.finalize(id, t, "POSITIVE (good news)");

        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableBefore - stableAfter, amountIn);
        assertGt(volatileAfter, volatileBefore);
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.Traded));
        assertEq(uint256(sentimentOf(id)), uint256(HeadlineSentimentAgent.Sentiment.Positive));
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertFalse(agent.isPendingRequest(id));
    }

    function test_aNegativeAnswerSellsTheVolatileToken() public {
        (uint256 id, ) = submit("Exchange hacked, $200 million in customer funds stolen");
        vm.warp(block.timestamp + 1 hours);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        uint256 amountIn = (volatileBefore * TRADE_BPS) / 10_000;
        uint256 expectedOut = pool.getAmountOut(volatile, amountIn);

        vm.expectEmit(true, true, false, true, address(agent));
        emit HeadlineSentimentAgent.Traded(
            id,
            HeadlineSentimentAgent.Sentiment.Negative,
            volatile,
            amountIn,
            expectedOut
        );
        deliver(id, "NEGATIVE (bad news)");

        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(volatileBefore - volatileAfter, amountIn);
        assertEq(stableAfter - stableBefore, expectedOut);
    }

    function test_aNeutralAnswerHolds() public {
        (uint256 id, ) = submit("Central bank leaves rates unchanged");
        vm.warp(block.timestamp + 1 hours);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        deliver(id, "Neutral.");
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.Held));
        assertEq(uint256(sentimentOf(id)), uint256(HeadlineSentimentAgent.Sentiment.Neutral));
    }

    function test_anUnclearAnswerIsRecordedAndTakesNoAction() public {
        bytes[6] memory unclear = [
            bytes(""),
            "Exchange.",
            "not POSITIVE",
            "The headline is not POSITIVE, b", // smollm2's own words, cut at 32 bytes
            "POSITIVE or NEGATIVE",
            "Positively, negatively"
        ];
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        for (uint256 i; i < unclear.length; ++i) {
            (uint256 id, ) = submit(HEADLINE);
            vm.warp(block.timestamp + 1 hours);
            vm.expectEmit(true, false, false, true, address(agent));
            emit HeadlineSentimentAgent.HeadlineClassified(id, HeadlineSentimentAgent.Sentiment.Unclear);
            deliver(id, unclear[i]);
            assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.Unclear));
        }
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
    }

    function test_anAnswerAfterTheDeadlineIsIgnoredAsOldNews() public {
        (uint256 id, ) = submit(HEADLINE);
        vm.warp(block.timestamp + TTL + 1);
        (uint256 stableBefore, ) = balances();
        vm.expectEmit(true, false, false, false, address(agent));
        emit HeadlineSentimentAgent.StaleAnswerIgnored(id);
        deliver(id, "POSITIVE");
        (uint256 stableAfter, ) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.Stale));
    }

    function test_anAnswerSoonerThanTheTwapWindowDoesNotTrade() public {
        (uint256 id, ) = submit(HEADLINE);
        vm.warp(block.timestamp + MIN_TWAP - 1);
        (uint256 stableBefore, ) = balances();
        vm.expectEmit(true, true, false, true, address(agent));
        emit HeadlineSentimentAgent.TradeFailed(
            id,
            HeadlineSentimentAgent.Sentiment.Positive,
            stable,
            (stableBefore * TRADE_BPS) / 10_000,
            abi.encodeWithSelector(HeadlineSentimentAgent.TwapUnavailable.selector)
        );
        deliver(id, "POSITIVE");
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.TradeFailed));
        (uint256 stableAfter, ) = balances();
        assertEq(stableAfter, stableBefore);
    }

    function test_aPricePushedAroundTheAnswerFailsTheTradeInsteadOfPayingIt() public {
        (uint256 id, ) = submit(HEADLINE);
        vm.warp(block.timestamp + 1 hours);
        // A sandwich of the answer: the volatile token pushed 20% up in the answer's block, to sell it to the agent.
        vm.prank(trader);
        pool.swapExactIn(stable, 2_000_000e18, 0, trader);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        deliver(id, "POSITIVE");
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.TradeFailed));
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertEq(stable.allowance(address(agent), address(pool)), 0);
    }

    function test_aResultOfARequestTheAgentDidNotMakeIsIgnored() public {
        // Anyone may pay for a request naming the agent as consumer, on a prompt of their choosing.
        IInferenceCoordinator.RequestParams memory p = languageRequestParams(lm, AGENT_ANSWER_BYTES, address(agent));
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = makeRequest(requester, p, "Say POSITIVE");
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, "POSITIVE");
        vm.warp(block.timestamp + defaultParams().challengeWindow);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        coordinator.finalize(id, t, "POSITIVE");
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.None));
    }

    function test_theUnspentComputeFeeComesBackToTheAgent() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = submit(HEADLINE);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, "NEUTRAL");
        vm.warp(block.timestamp + defaultParams().challengeWindow);
        coordinator.finalize(id, t, "NEUTRAL");
        uint256 owed = coordinator.balanceOf(address(agent));
        assertGt(owed, 0); // claimed at the auction's start: 1 of the 5 tokens of compute fee spent
        uint256 before = token.balanceOf(address(agent));
        vm.prank(stranger);
        assertEq(agent.reclaimRefunds(), owed);
        assertEq(token.balanceOf(address(agent)), before + owed);
    }

    // ------------------------------------------------------------------ fuzz and gas

    /// @dev Whatever bytes a relayer posts (within the request's answer length), the callback does not revert:
    /// the answer is read as the one label `TextLabels` finds, or as unclear, and the outcome follows from it.
    function testFuzz_anyAnswerIsReadAsALabelOrUnclearAndNeverRevertsTheCallback(bytes memory answer) public {
        answer = answer.cut(AGENT_ANSWER_BYTES);
        (uint256 id, ) = submit(HEADLINE);
        vm.warp(block.timestamp + 1 hours);
        deliver(id, answer); // a revert fails the test

        HeadlineSentimentAgent.Sentiment sentiment = sentimentOf(id);
        assertEq(uint256(sentiment), uint256(agent.sentimentOf(answer)));
        string[] memory labels = new string[](3);
        (labels[0], labels[1], labels[2]) = ("POSITIVE", "NEGATIVE", "NEUTRAL");
        uint256 index = TextLabels.find(answer, labels);
        assertEq(uint256(sentiment), index == TextLabels.UNKNOWN ? 0 : index + 1);
        HeadlineSentimentAgent.Outcome outcome = outcomeOf(id);
        if (sentiment == HeadlineSentimentAgent.Sentiment.Unclear) {
            assertEq(uint256(outcome), uint256(HeadlineSentimentAgent.Outcome.Unclear));
        } else if (sentiment == HeadlineSentimentAgent.Sentiment.Neutral) {
            assertEq(uint256(outcome), uint256(HeadlineSentimentAgent.Outcome.Held));
        } else {
            assertEq(uint256(outcome), uint256(HeadlineSentimentAgent.Outcome.Traded));
        }
    }

    /// @dev The same through the coordinator: an arbitrary posted answer (not empty: refused at submission) is finalized and delivered, never a failed callback.
    function testFuzz_anyPostedAnswerIsDeliveredThroughTheCoordinator(bytes memory answer) public {
        answer = answer.cut(AGENT_ANSWER_BYTES);
        if (answer.length == 0) answer = " "; // the coordinator refuses an empty answer
        (uint256 id, IInferenceCoordinator.RequestTerms memory t) = submit(HEADLINE);
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, answer);
        vm.warp(block.timestamp + defaultParams().challengeWindow);
        vm.recordLogs();
        coordinator.finalize(id, t, answer);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IInferenceCoordinator.CallbackFailed.selector);
        }
        assertTrue(uint256(outcomeOf(id)) >= uint256(HeadlineSentimentAgent.Outcome.Traded));
    }

    /// @dev The costliest callback: the longest answer the agent may ask for (64 bytes), every byte a letter
    /// boundary to scan, one label at its end, and a trade. Its gas must fit the kit's `callbackGasLimit`.
    function test_theCostliestCallbackFitsTheCallbackGasLimit() public {
        HeadlineSentimentAgent.Config memory c = defaultConfig();
        c.maxAnswerBytes = agent.MAX_ANSWER_BYTES();
        agent.setConfig(c);
        (uint256 id, ) = submit(HEADLINE);
        vm.warp(block.timestamp + 1 hours);
        bytes memory answer = bytes("p n n p n n p n n p n n p n n p n n p n n p n n p n n p POSITIVE");
        assertEq(answer.length, 64);
        uint256 g = gasleft();
        deliver(id, answer);
        uint256 used = g - gasleft();
        console.log("HeadlineSentimentAgent callback gas, 64-byte answer and a trade: %d", used);
        assertEq(uint256(outcomeOf(id)), uint256(HeadlineSentimentAgent.Outcome.Traded));
        assertLt(used, AGENT_CALLBACK_GAS);
    }

    // ------------------------------------------------------------------ admin

    function test_knobsOutsideTheirBoundsAreRefused() public {
        HeadlineSentimentAgent.Config[7] memory bad;
        for (uint256 i; i < bad.length; ++i) bad[i] = defaultConfig();
        bad[0].tradeBps = 0;
        bad[1].tradeBps = 5_001;
        bad[2].maxSlippageBps = 1_001;
        bad[3].minTwapWindow = 0;
        bad[4].requestTtl = 1 days + 1;
        bad[5].maxAnswerBytes = 65;
        bad[6].startComputeFee = 6e18;
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(HeadlineSentimentAgent.InvalidConfig.selector);
            agent.setConfig(bad[i]);
        }
    }

    function test_thePaymentTokenCannotBeOneOfThePoolsTokens() public {
        ConstantProductPool paidInPoolToken = new ConstantProductPool(
            IERC20(address(token)),
            stable,
            30,
            address(this)
        );
        vm.expectRevert(HeadlineSentimentAgent.InvalidTokens.selector);
        new HeadlineSentimentAgent(coordinator, lm, token, paidInPoolToken, true, defaultConfig(), address(this));
    }

    function test_onlyTheAdminWithdraws() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, keeper, bytes32(0))
        );
        vm.prank(keeper);
        agent.withdraw(stable, keeper, 1);
        agent.withdraw(stable, address(this), 1e18);
        assertEq(stable.balanceOf(address(this)), 1e18);
    }
}

/// @dev Fuzz inputs cut to an answer's length.
library HeadlineTestAnswers {
    function cut(bytes memory answer, uint256 max) internal pure returns (bytes memory) {
        if (answer.length <= max) return answer;
        bytes memory out = new bytes(max);
        for (uint256 i; i < max; ++i) out[i] = answer[i];
        return out;
    }
}
