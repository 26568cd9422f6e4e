// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "./utils/Test.sol";
import {MoreCheatcodes} from "./utils/MoreCheatcodes.sol";
import {CommitteeArbiter} from "../CommitteeArbiter.sol";
import {RelayerStaking} from "../RelayerStaking.sol";
import {HighwayToken} from "../token/HighwayToken.sol";
import {ICommitteeArbiter} from "../interfaces/ICommitteeArbiter.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {LanguageHooksHarness} from "./mocks/LanguageHooksHarness.sol";

/// @dev The committee arbiter on the real staking contract, against a harness of the coordinator's dispute hooks.
contract CommitteeArbiterTest is Test {
    bytes32 private constant MODEL = keccak256("smollm2");
    uint256 private constant REQUEST = 42;
    uint96 private constant MEMBER_BOND = 50e18;
    uint96 private constant CHALLENGE_BOND = 50e18;

    HighwayToken private token;
    RelayerStaking private staking;
    LanguageHooksHarness private hooks;
    CommitteeArbiter private arbiter;
    address private treasury = address(0x7EA5);
    address private relayer = address(0x1000);
    address private challenger = address(0x2000);
    address[] private servers;
    address[] private committee;
    IInferenceCoordinator.RequestTerms private terms;

    bytes private constant RIGHT = "NEGATIVE";
    bytes private constant WRONG = "POSITIVE";
    bytes32 private constant SALT = keccak256("the challenger's secret");

    function setUp() public {
        token = new HighwayToken(address(this));
        hooks = new LanguageHooksHarness(token, treasury);
        staking = new RelayerStaking(token, address(hooks), address(this), 100e18, 1 days);
        arbiter = new CommitteeArbiter(
            hooks,
            staking,
            ICommitteeArbiter.CommitteeParams({
                committeeSize: 3,
                nonRevealSlashBps: 5_000,
                commitWindow: 10 minutes,
                revealWindow: 10 minutes,
                memberBond: MEMBER_BOND
            })
        );
        hooks.setArbiter(address(arbiter));
        _serve(relayer);
        for (uint256 i = 1; i <= 5; ++i) {
            address server = address(uint160(0x3000 + i));
            servers.push(server);
            _serve(server);
        }
        token.mint(challenger, CHALLENGE_BOND);
        vm.prank(challenger);
        token.approve(address(hooks), CHALLENGE_BOND);
        terms.modelId = MODEL;
        terms.challengeBond = CHALLENGE_BOND;
        terms.challengeWindow = 1 hours; // the harness posts answers with a one-hour challenge window
        hooks.post(REQUEST, relayer, WRONG);
    }

    // ------------------------------------------------------------------ declarations

    function test_aRelayerDeclaresTheModelsItServesAndCanStopServingThem() public {
        assertEq(staking.serverCount(MODEL), 6);
        assertTrue(staking.serves(MODEL, servers[0]));
        vm.expectEmit(true, true, false, true, address(staking));
        emit IRelayerStaking.ModelServed(servers[0], MODEL, false);
        vm.prank(servers[0]);
        staking.setServes(MODEL, false);
        assertEq(staking.serverCount(MODEL), 5);
        assertFalse(staking.serves(MODEL, servers[0]));
        // The last server took the leaver's place; every other server is still listed once.
        for (uint256 i; i < 5; ++i) assertTrue(staking.serverAt(MODEL, i) != servers[0]);
        vm.prank(servers[0]);
        staking.setServes(MODEL, false); // declaring twice changes nothing
        assertEq(staking.serverCount(MODEL), 5);
    }

    function test_onlyTheCoordinatorOrTheLanguageArbiterItNamesLocksBonds() public {
        assertEq(staking.committeeArbiter(), address(arbiter));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, address(this)));
        staking.lockBond(servers[0], 1);
    }

    // ------------------------------------------------------------------ the challenge

    function test_aCopiedChallengeRevealIsRefusedBecauseTheCommitmentNamesItsChallenger() public {
        vm.prank(challenger);
        arbiter.commitChallenge(arbiter.challengeCommitment(REQUEST, challenger, SALT));
        vm.roll(block.number + 1);
        address copier = address(0xC0FFEE);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeNotCommitted.selector, REQUEST, copier));
        vm.prank(copier);
        arbiter.challenge(REQUEST, terms, SALT);
    }

    function test_aChallengeIsRevealedInALaterBlockThanItsCommitment() public {
        vm.prank(challenger);
        arbiter.commitChallenge(arbiter.challengeCommitment(REQUEST, challenger, SALT));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeRevealTooSoon.selector, REQUEST, block.number));
        vm.prank(challenger);
        arbiter.challenge(REQUEST, terms, SALT);
    }

    function test_noChallengeComesAfterTheChallengeWindowSoTheAnswerCanBeFinalized() public {
        vm.prank(challenger);
        arbiter.commitChallenge(arbiter.challengeCommitment(REQUEST, challenger, SALT));
        vm.roll(block.number + 1);
        (IInferenceCoordinator.RequestState memory s, ) = hooks.postedAnswer(REQUEST, terms);
        vm.warp(s.phaseEndsAt);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeWindowClosed.selector, REQUEST, s.phaseEndsAt));
        vm.prank(challenger);
        arbiter.challenge(REQUEST, terms, SALT);
    }

    function test_aCommitmentMadeBeforeTheAnswerWasPostedIsStale() public {
        vm.prank(challenger);
        arbiter.commitChallenge(arbiter.challengeCommitment(REQUEST, challenger, SALT));
        uint256 committedAt = block.timestamp;
        vm.warp(block.timestamp + 10);
        vm.roll(block.number + 1);
        hooks.post(REQUEST, relayer, WRONG); // answered again after the commitment
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.ChallengeCommitmentStale.selector,
                REQUEST,
                committedAt,
                block.timestamp
            )
        );
        vm.prank(challenger);
        arbiter.challenge(REQUEST, terms, SALT);
    }

    // ------------------------------------------------------------------ the draw

    function test_theCommitteeIsDrawnInALaterBlockFromDeclaredRelayersOtherThanTheParties() public {
        _challenge();
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DrawTooEarly.selector, REQUEST, block.number));
        arbiter.draw(REQUEST, terms);
        address[] memory members = _draw();
        assertEq(members.length, 3);
        for (uint256 i; i < 3; ++i) {
            assertTrue(members[i] != relayer && members[i] != challenger);
            assertTrue(staking.serves(MODEL, members[i]));
            assertEq(staking.relayerOf(members[i]).locked, MEMBER_BOND);
            for (uint256 j; j < i; ++j) assertTrue(members[i] != members[j]);
        }
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.CommitteeAlreadyDrawn.selector, REQUEST));
        arbiter.draw(REQUEST, terms);
    }

    function test_tooFewEligibleRelayersVoidTheDisputeAtTheDraw() public {
        for (uint256 i; i < 3; ++i) {
            vm.prank(servers[i]);
            staking.setServes(MODEL, false);
        }
        _challenge();
        vm.roll(block.number + 1);
        arbiter.draw(REQUEST, terms);
        assertEq(uint8(hooks.lastOutcome()), uint8(IInferenceCoordinator.DisputeOutcome.Voided));
        assertEq(hooks.closes(), 1);
        for (uint256 i; i < 5; ++i) assertEq(staking.relayerOf(servers[i]).locked, 0);
    }

    // ------------------------------------------------------------------ outcomes

    function test_aMajorityForThePostedAnswerDefendsIt() public {
        hooks.post(REQUEST, relayer, RIGHT);
        address[] memory members = _challengeAndDraw();
        _voteAll(members, [RIGHT, RIGHT, RIGHT]);
        vm.expectEmit(true, false, false, true, address(arbiter));
        emit ICommitteeArbiter.VoteResolved(
            REQUEST,
            IInferenceCoordinator.DisputeOutcome.Defended,
            keccak256(RIGHT),
            3
        );
        arbiter.resolve(REQUEST, terms, committee, RIGHT);
        assertEq(uint8(hooks.lastOutcome()), uint8(IInferenceCoordinator.DisputeOutcome.Defended));
        assertEq(hooks.lastOutput(), RIGHT); // the posted answer, which the coordinator checks against its hash
        assertEq(hooks.lastRewardees().length, 3);
        for (uint256 i; i < 3; ++i) assertEq(staking.relayerOf(members[i]).locked, 0);
    }

    function test_aMajorityForAnotherAnswerAnswersTheRequestWithItAndRewardsOnlyTheMajority() public {
        address[] memory members = _challengeAndDraw();
        _voteAll(members, [RIGHT, WRONG, RIGHT]);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.MajorityOutputMismatch.selector, keccak256(RIGHT), keccak256(WRONG))
        );
        arbiter.resolve(REQUEST, terms, committee, WRONG);
        arbiter.resolve(REQUEST, terms, committee, RIGHT);
        assertEq(uint8(hooks.lastOutcome()), uint8(IInferenceCoordinator.DisputeOutcome.FraudProven));
        assertEq(hooks.lastOutput(), RIGHT);
        address[] memory rewardees = hooks.lastRewardees();
        assertEq(rewardees.length, 2);
        assertEq(rewardees[0], members[0]);
        assertEq(rewardees[1], members[2]);
        assertEq(hooks.lastChallenger(), challenger);
    }

    function test_aMemberThatDoesNotRevealLosesHalfItsSeatBondToTheMajority() public {
        address[] memory members = _challengeAndDraw();
        bytes32 salt = keccak256("salt");
        for (uint256 i; i < 3; ++i) {
            bytes32 commitment = arbiter.voteCommitment(REQUEST, members[i], RIGHT, salt);
            vm.prank(members[i]);
            arbiter.commit(REQUEST, committee, i, commitment);
        }
        for (uint256 i; i < 2; ++i) {
            vm.prank(members[i]);
            arbiter.reveal(REQUEST, committee, i, RIGHT, salt);
        }
        (, uint256 revealEndsAt, , ) = arbiter.voteOf(REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.VoteStillOpen.selector, REQUEST, revealEndsAt));
        arbiter.resolve(REQUEST, terms, committee, RIGHT);
        vm.warp(revealEndsAt + 1);
        uint256 stakeBefore = staking.relayerOf(members[2]).stake;
        arbiter.resolve(REQUEST, terms, committee, RIGHT);
        assertEq(staking.relayerOf(members[2]).stake, stakeBefore - MEMBER_BOND / 2);
        assertEq(staking.relayerOf(members[2]).locked, 0);
        assertEq(arbiter.balanceOf(members[0]) + arbiter.balanceOf(members[1]), MEMBER_BOND / 2);
        assertEq(token.balanceOf(address(arbiter)), MEMBER_BOND / 2);
        vm.prank(members[0]);
        arbiter.withdraw();
        assertEq(token.balanceOf(members[0]), MEMBER_BOND / 4);
    }

    function test_noMajorityVoidsTheDisputeAndSlashesNobody() public {
        address[] memory members = _challengeAndDraw();
        _voteAll(members, [RIGHT, WRONG, bytes("NEUTRAL")]);
        arbiter.resolve(REQUEST, terms, committee, "");
        assertEq(uint8(hooks.lastOutcome()), uint8(IInferenceCoordinator.DisputeOutcome.Voided));
        assertEq(hooks.lastRewardees().length, 0);
        for (uint256 i; i < 3; ++i) {
            assertEq(staking.relayerOf(members[i]).stake, 200e18);
            assertEq(staking.relayerOf(members[i]).locked, 0);
        }
    }

    function test_whenNobodyRevealsTheDisputeIsVoidedAndThePenaltiesGoToTheTreasury() public {
        _challengeAndDraw();
        (, uint256 revealEndsAt, , ) = arbiter.voteOf(REQUEST);
        vm.warp(revealEndsAt + 1);
        arbiter.resolve(REQUEST, terms, committee, "");
        assertEq(uint8(hooks.lastOutcome()), uint8(IInferenceCoordinator.DisputeOutcome.Voided));
        assertEq(arbiter.balanceOf(treasury), 3 * (MEMBER_BOND / 2));
    }

    // ------------------------------------------------------------------ the vote's rules

    function test_onlyAMemberVotesOnItsSeatOncePerPhaseAndWithinItsWindow() public {
        address[] memory members = _challengeAndDraw();
        bytes32 commitment = arbiter.voteCommitment(REQUEST, members[0], RIGHT, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotCommitteeMember.selector, REQUEST, members[1]));
        vm.prank(members[1]);
        arbiter.commit(REQUEST, committee, 0, commitment);
        // A list naming the caller on another seat is not the committee the arbiter drew.
        address[] memory forged = new address[](3);
        (forged[0], forged[1], forged[2]) = (members[1], members[0], members[2]);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotCommitteeMember.selector, REQUEST, members[1]));
        vm.prank(members[1]);
        arbiter.commit(REQUEST, forged, 0, commitment);
        vm.prank(members[0]);
        arbiter.commit(REQUEST, committee, 0, commitment);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.AlreadyVoted.selector, REQUEST, members[0]));
        vm.prank(members[0]);
        arbiter.commit(REQUEST, committee, 0, commitment);
        (uint256 commitEndsAt, , , ) = arbiter.voteOf(REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.RevealWindowNotOpen.selector, REQUEST, commitEndsAt));
        vm.prank(members[0]);
        arbiter.reveal(REQUEST, committee, 0, RIGHT, bytes32(0));
        vm.warp(commitEndsAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.CommitWindowClosed.selector, REQUEST, commitEndsAt));
        vm.prank(members[1]);
        arbiter.commit(REQUEST, committee, 1, commitment);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.CommitmentMismatch.selector, REQUEST, members[0]));
        vm.prank(members[0]);
        arbiter.reveal(REQUEST, committee, 0, WRONG, bytes32(0));
        vm.prank(members[0]);
        arbiter.reveal(REQUEST, committee, 0, RIGHT, bytes32(0));
    }

    // ------------------------------------------------------------------ helpers

    function _serve(address who) private {
        token.mint(who, 200e18);
        vm.startPrank(who);
        token.approve(address(staking), 200e18);
        staking.stake(200e18);
        staking.setServes(MODEL, true);
        vm.stopPrank();
    }

    function _draw() private returns (address[] memory) {
        uint256 seedBlock = block.number;
        vm.roll(seedBlock + 1);
        MoreCheatcodes(address(vm)).setBlockhash(seedBlock, keccak256(abi.encode("block", seedBlock)));
        vm.recordLogs();
        arbiter.draw(REQUEST, terms);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == ICommitteeArbiter.CommitteeDrawn.selector) {
                (address[] memory members, ) = abi.decode(logs[i].data, (address[], uint256));
                committee = members;
                return members;
            }
        }
        return new address[](0);
    }

    /// @dev The challenger commits, then reveals its challenge in the next block.
    function _challenge() private {
        vm.prank(challenger);
        arbiter.commitChallenge(arbiter.challengeCommitment(REQUEST, challenger, SALT));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        arbiter.challenge(REQUEST, terms, SALT);
    }

    function _challengeAndDraw() private returns (address[] memory) {
        _challenge();
        return _draw();
    }

    function _voteAll(address[] memory members, bytes[3] memory outputs) private {
        for (uint256 i; i < 3; ++i) {
            bytes32 commitment = arbiter.voteCommitment(REQUEST, members[i], outputs[i], bytes32(i));
            vm.prank(members[i]);
            arbiter.commit(REQUEST, committee, i, commitment);
        }
        for (uint256 i; i < 3; ++i) {
            vm.prank(members[i]);
            arbiter.reveal(REQUEST, committee, i, outputs[i], bytes32(i));
        }
    }
}
