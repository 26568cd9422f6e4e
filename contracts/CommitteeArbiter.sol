// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICommitteeArbiter, ILanguageDisputeHooks} from "./interfaces/ICommitteeArbiter.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IRelayerStaking} from "./interfaces/IRelayerStaking.sol";
import {ChallengeCommitments} from "./disputes/ChallengeCommitments.sol";
import {CommitteeVote} from "./libraries/CommitteeVote.sol";

/**
 * @title CommitteeArbiter
 * @notice The first dispute arbiter for models without a verifier (language models): a committee
 * of staked relayers re-executes the disputed request under the model's deterministic runtime spec
 * and votes by commit and reveal (see `ICommitteeArbiter`, and docs/DESIGN.md for the parameters'
 * economic argument). The coordinator holds every token of the request and settles through its
 * dispute hooks; the staking contract locks, releases and slashes the members' seat bonds for this
 * arbiter; this contract keeps only the votes and the non-revealers' penalties it shares out.
 * @dev Checks-effects-interactions: each step updates the dispute's record before it calls the
 * coordinator or the staking contract; every step is `nonReentrant` (the coordinator calls the
 * request's consumer back on resolution).
 */
contract CommitteeArbiter is ICommitteeArbiter, ChallengeCommitments, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    /// @notice The largest committee (seats are bits of a 16-bit mask).
    uint256 public constant MAX_COMMITTEE_SIZE = 15;
    /// @notice The longest commit or reveal window.
    uint256 public constant MAX_VOTE_WINDOW = 1 days;
    /// @notice The shortest commit or reveal window (time for a member to re-run the model and send a transaction).
    uint256 public constant MIN_VOTE_WINDOW = 1 minutes;

    /// @dev A dispute's record: two slots, its committee's hash in the second (one fresh slot fewer per dispute, and
    /// one cold read fewer per commit and reveal).
    struct Dispute {
        address challenger;
        uint40 seedBlock;
        uint40 commitEndsAt; // zero until drawn; moved to the last commit's time once every member committed
        uint16 committedMask;
        uint40 revealEndsAt;
        uint16 revealedMask;
        bool drawn;
        bytes20 membersHash; // `_membersHash(members)`: the members are in `CommitteeDrawn`, and passed back
    }

    /// @dev How a vote ended.
    struct Verdict {
        IInferenceCoordinator.DisputeOutcome outcome;
        bytes32 winner;
        address[] majority;
    }

    /// @inheritdoc ICommitteeArbiter
    ILanguageDisputeHooks public immutable coordinator;
    /// @notice The staking contract the committees are drawn from and bonded in.
    IRelayerStaking public immutable staking;
    /// @notice The token penalties are paid in (the stake token).
    IERC20 public immutable token;

    uint8 private immutable _committeeSize;
    uint16 private immutable _nonRevealSlashBps;
    uint32 private immutable _commitWindow;
    uint32 private immutable _revealWindow;
    uint96 private immutable _memberBond;

    mapping(uint256 requestId => Dispute) private _disputes;
    /// @dev Each seat's commitment, replaced by the hash of its answer once revealed.
    mapping(uint256 requestId => mapping(uint256 seat => bytes32)) private _votes;
    mapping(address account => uint256) private _balances;

    /// @dev `params_` are bounded: an odd committee of 1 to 15, windows of 1 minute to 1 day, a share at most 100 %.
    constructor(ILanguageDisputeHooks coordinator_, IRelayerStaking staking_, CommitteeParams memory params_) {
        if (address(coordinator_) == address(0) || address(staking_) == address(0)) revert ZeroAddress();
        uint256 size = params_.committeeSize;
        if (size == 0 || size > MAX_COMMITTEE_SIZE || size % 2 == 0)
            revert ParameterOutOfBounds(size, 1, MAX_COMMITTEE_SIZE);
        if (params_.nonRevealSlashBps > 10_000) revert ParameterOutOfBounds(params_.nonRevealSlashBps, 0, 10_000);
        _checkWindow(params_.commitWindow);
        _checkWindow(params_.revealWindow);
        coordinator = coordinator_;
        staking = staking_;
        token = IERC20(staking_.token());
        _committeeSize = params_.committeeSize;
        _nonRevealSlashBps = params_.nonRevealSlashBps;
        _commitWindow = params_.commitWindow;
        _revealWindow = params_.revealWindow;
        _memberBond = params_.memberBond;
    }

    // =================================================================== the dispute

    /// @inheritdoc ICommitteeArbiter
    function challenge(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes32 salt
    ) external nonReentrant {
        (IInferenceCoordinator.RequestState memory s, ) = coordinator.postedAnswer(requestId, terms);
        _spendCommitment(requestId, msg.sender, salt, s, terms.challengeWindow);
        Dispute storage d = _disputes[requestId];
        d.challenger = msg.sender;
        d.seedBlock = uint40(block.number);
        // A record left by an earlier dispute of the same request (reopened, answered again) is cleared: a drawn
        // committee always set `commitEndsAt`, so its (warm) slot tells, and the second slot is not read otherwise.
        if (d.commitEndsAt != 0) {
            (d.commitEndsAt, d.committedMask, d.revealEndsAt, d.revealedMask, d.drawn) = (0, 0, 0, 0, false);
            d.membersHash = bytes20(0);
        }
        emit CommitteeSeeded(requestId, msg.sender, block.number);
        coordinator.openDispute(requestId, terms, msg.sender);
    }

    /// @inheritdoc ICommitteeArbiter
    function draw(uint256 requestId, IInferenceCoordinator.RequestTerms calldata terms) external nonReentrant {
        Dispute storage d = _disputes[requestId];
        (IInferenceCoordinator.RequestState memory s, ) = _disputed(requestId, terms);
        if (d.challenger == address(0)) revert CommitteeNotDrawn(requestId);
        if (d.drawn) revert CommitteeAlreadyDrawn(requestId);
        uint256 seedBlock = d.seedBlock;
        if (block.number <= seedBlock) revert DrawTooEarly(requestId, seedBlock);
        bytes32 seedHash = blockhash(seedBlock);
        if (seedHash == bytes32(0)) {
            // More than 256 blocks later the hash is gone: seed again from this block.
            d.seedBlock = uint40(block.number);
            emit CommitteeSeeded(requestId, d.challenger, block.number);
            return;
        }
        uint256 size = _committeeSize;
        (address[] memory members, uint256 count) = CommitteeVote.draw(
            staking,
            terms.modelId,
            uint256(keccak256(abi.encode(seedHash, requestId))),
            size,
            _memberBond,
            s.relayer,
            d.challenger
        );
        if (count < size) {
            // Not enough relayers to judge: nobody is at fault, the request is refunded.
            address challenger = d.challenger;
            delete _disputes[requestId];
            emit VoteResolved(requestId, IInferenceCoordinator.DisputeOutcome.Voided, bytes32(0), 0);
            coordinator.closeDispute(
                requestId,
                terms,
                IInferenceCoordinator.DisputeOutcome.Voided,
                challenger,
                address(0),
                "",
                new address[](0)
            );
            return;
        }
        d.drawn = true;
        d.membersHash = _membersHash(members);
        uint256 commitEndsAt = block.timestamp + _commitWindow;
        d.commitEndsAt = uint40(commitEndsAt);
        d.revealEndsAt = uint40(commitEndsAt + _revealWindow);
        emit CommitteeDrawn(requestId, terms.modelId, members, commitEndsAt);
        staking.lockBonds(members, _memberBond);
    }

    /// @inheritdoc ICommitteeArbiter
    function commit(
        uint256 requestId,
        address[] calldata members,
        uint256 seat,
        bytes32 commitment
    ) external nonReentrant {
        Dispute storage d = _disputes[requestId];
        _checkSeat(requestId, d, members, seat);
        uint256 bit = 1 << seat;
        uint256 committed = d.committedMask;
        if (committed & bit != 0) revert AlreadyVoted(requestId, msg.sender);
        if (block.timestamp > d.commitEndsAt) revert CommitWindowClosed(requestId, d.commitEndsAt);
        committed |= bit;
        d.committedMask = uint16(committed);
        if (committed == (1 << _committeeSize) - 1) {
            // Every member committed: the reveal window opens now.
            d.commitEndsAt = uint40(block.timestamp);
            d.revealEndsAt = uint40(block.timestamp + _revealWindow);
        }
        _votes[requestId][seat] = commitment;
        emit VoteCommitted(requestId, msg.sender);
    }

    /// @inheritdoc ICommitteeArbiter
    function reveal(
        uint256 requestId,
        address[] calldata members,
        uint256 seat,
        bytes calldata output,
        bytes32 salt
    ) external nonReentrant {
        Dispute storage d = _disputes[requestId];
        _checkSeat(requestId, d, members, seat);
        uint256 bit = 1 << seat;
        if (d.revealedMask & bit != 0) revert AlreadyVoted(requestId, msg.sender);
        uint256 opensAt = d.commitEndsAt;
        bool everyoneCommitted = d.committedMask == (1 << _committeeSize) - 1;
        if (!everyoneCommitted && block.timestamp <= opensAt) revert RevealWindowNotOpen(requestId, opensAt);
        if (block.timestamp > d.revealEndsAt) revert RevealWindowClosed(requestId, d.revealEndsAt);
        bytes32 outputHash = keccak256(output);
        if (
            d.committedMask & bit == 0
            || _votes[requestId][seat] != _commitment(requestId, msg.sender, outputHash, salt)
        ) {
            revert CommitmentMismatch(requestId, msg.sender);
        }
        d.revealedMask |= uint16(bit);
        _votes[requestId][seat] = outputHash;
        emit VoteRevealed(requestId, msg.sender, outputHash, output);
    }

    /// @inheritdoc ICommitteeArbiter
    function resolve(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        address[] calldata members,
        bytes calldata output
    ) external nonReentrant {
        Dispute storage d = _disputes[requestId];
        if (!d.drawn) revert CommitteeNotDrawn(requestId);
        if (_membersHash(members) != d.membersHash) revert NotCommitteeMember(requestId, address(0));
        (, bytes32 postedHash) = _disputed(requestId, terms);
        uint256 revealed = d.revealedMask;
        if (revealed != (1 << members.length) - 1 && block.timestamp <= d.revealEndsAt) {
            revert VoteStillOpen(requestId, d.revealEndsAt);
        }
        Verdict memory v = _verdict(requestId, members, revealed, postedHash);
        bool voided = v.outcome == IInferenceCoordinator.DisputeOutcome.Voided;
        if (!voided && keccak256(output) != v.winner) revert MajorityOutputMismatch(v.winner, keccak256(output));
        address challenger = d.challenger;
        for (uint256 i; i < members.length; ++i) delete _votes[requestId][i];
        delete _disputes[requestId];
        emit VoteResolved(requestId, v.outcome, v.winner, v.majority.length);

        _releaseSeats(requestId, members, revealed, v.majority);
        coordinator.closeDispute(
            requestId,
            terms,
            v.outcome,
            challenger,
            v.outcome == IInferenceCoordinator.DisputeOutcome.FraudProven ? msg.sender : address(0),
            voided ? bytes("") : output,
            v.majority
        );
    }

    /// @inheritdoc ICommitteeArbiter
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _balances[msg.sender] = 0;
        emit Withdrawal(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // =================================================================== views

    /// @inheritdoc ICommitteeArbiter
    function params() external view returns (CommitteeParams memory) {
        return CommitteeParams(_committeeSize, _nonRevealSlashBps, _commitWindow, _revealWindow, _memberBond);
    }

    /// @inheritdoc ICommitteeArbiter
    function membersHashOf(uint256 requestId) external view returns (bytes20) {
        return _disputes[requestId].membersHash;
    }

    /// @inheritdoc ICommitteeArbiter
    function voteCommitment(
        uint256 requestId,
        address member,
        bytes calldata output,
        bytes32 salt
    ) external pure returns (bytes32) {
        return _commitment(requestId, member, keccak256(output), salt);
    }

    /// @inheritdoc ICommitteeArbiter
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice The answer hash more than half of request `requestId`'s seats revealed so far, and its votes
    /// (zero when there is none yet): the answer `resolve` is called with is one revealed with this hash.
    function majorityOf(uint256 requestId) external view returns (bytes32 outputHash, uint256 votes) {
        Dispute storage d = _disputes[requestId];
        uint256 size = d.drawn ? _committeeSize : 0;
        uint256 revealed = d.revealedMask;
        bytes32[] memory all = new bytes32[](size);
        for (uint256 i; i < size; ++i) if (revealed & (1 << i) != 0) all[i] = _votes[requestId][i];
        return CommitteeVote.majority(all, revealed, size);
    }

    /// @notice The windows of request `requestId`'s vote: commits until `commitEndsAt`, reveals until `revealEndsAt`,
    /// and which seats committed and revealed (bit `seat`).
    function voteOf(
        uint256 requestId
    ) external view returns (uint256 commitEndsAt, uint256 revealEndsAt, uint256 committedMask, uint256 revealedMask) {
        Dispute storage d = _disputes[requestId];
        return (d.commitEndsAt, d.revealEndsAt, d.committedMask, d.revealedMask);
    }

    // =================================================================== internals

    /// @dev The state and posted answer's hash of a Disputed request whose current terms are `terms`.
    function _disputed(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms
    ) private view returns (IInferenceCoordinator.RequestState memory s, bytes32 postedHash) {
        (s, postedHash) = coordinator.postedAnswer(requestId, terms);
        if (s.status != IInferenceCoordinator.RequestStatus.Disputed) revert WrongStatus(requestId, s.status);
    }

    /// @dev The caller must sit on `seat` of a drawn committee, whose members are `members`.
    function _checkSeat(uint256 requestId, Dispute storage d, address[] calldata members, uint256 seat) private view {
        if (!d.drawn) revert CommitteeNotDrawn(requestId);
        if (seat >= members.length || members[seat] != msg.sender || _membersHash(members) != d.membersHash) {
            revert NotCommitteeMember(requestId, msg.sender);
        }
    }

    /// @dev The vote's outcome against the posted answer's hash, the winning hash and the members that revealed it
    /// (none without a majority).
    function _verdict(
        uint256 requestId,
        address[] memory members,
        uint256 revealed,
        bytes32 postedHash
    ) private view returns (Verdict memory v) {
        uint256 size = members.length;
        bytes32[] memory votes = new bytes32[](size);
        for (uint256 i; i < size; ++i) if (revealed & (1 << i) != 0) votes[i] = _votes[requestId][i];
        uint256 winnerVotes;
        (v.winner, winnerVotes) = CommitteeVote.majority(votes, revealed, size);
        if (winnerVotes == 0) {
            v.outcome = IInferenceCoordinator.DisputeOutcome.Voided;
        } else {
            v.outcome =
                v.winner == postedHash
                    ? IInferenceCoordinator.DisputeOutcome.Defended
                    : IInferenceCoordinator.DisputeOutcome.FraudProven;
        }
        v.majority = new address[](winnerVotes);
        uint256 n;
        for (uint256 i; i < size && n < winnerVotes; ++i) {
            if (revealed & (1 << i) != 0 && votes[i] == v.winner) {
                v.majority[n] = members[i];
                ++n;
            }
        }
    }

    /// @dev Releases every seat's bond; a member that did not reveal loses `nonRevealSlashBps` of it, shared by
    /// the majority (by the members that revealed when there is none; by the treasury when nobody revealed).
    function _releaseSeats(
        uint256 requestId,
        address[] memory members,
        uint256 revealed,
        address[] memory majority
    ) private {
        uint256 bond = _memberBond;
        uint256 penalty = (bond * _nonRevealSlashBps) / 10_000;
        address[] memory revealers = _revealers(members, revealed);
        if (revealers.length != 0) staking.unlockBonds(revealers, bond, true);
        uint256 collected;
        for (uint256 i; i < members.length; ++i) {
            if (revealed & (1 << i) == 0) {
                emit MemberPenalised(requestId, members[i], penalty);
                staking.slash(members[i], bond, penalty);
                collected += penalty;
            }
        }
        if (collected == 0) return;
        address[] memory sharers = majority.length != 0 ? majority : revealers;
        if (sharers.length == 0) {
            sharers = new address[](1);
            sharers[0] = coordinator.treasury();
        }
        uint256 share = collected / sharers.length;
        for (uint256 i; i < sharers.length; ++i) {
            // The first sharer takes the rounding remainder, so every penalty token is credited.
            uint256 amount = i == 0 ? collected - share * (sharers.length - 1) : share;
            _balances[sharers[i]] += amount;
            emit PenaltyShared(requestId, sharers[i], amount);
        }
    }

    function _revealers(address[] memory members, uint256 revealed) private pure returns (address[] memory list) {
        uint256 n;
        for (uint256 i; i < members.length; ++i) if (revealed & (1 << i) != 0) ++n;
        list = new address[](n);
        n = 0;
        for (uint256 i; i < members.length; ++i) {
            if (revealed & (1 << i) != 0) {
                list[n] = members[i];
                ++n;
            }
        }
    }

    /// @dev A committee's hash: the first 20 bytes of `keccak256(abi.encode(members))`. Only a committee the draw
    /// made is ever compared with it, so passing another list takes a second preimage (2^160 work), not a collision.
    function _membersHash(address[] memory members) private pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(members)));
    }

    function _commitment(
        uint256 requestId,
        address member,
        bytes32 outputHash,
        bytes32 salt
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(requestId, member, outputHash, salt));
    }

    function _checkWindow(uint256 window) private pure {
        if (window < MIN_VOTE_WINDOW || window > MAX_VOTE_WINDOW)
            revert ParameterOutOfBounds(window, MIN_VOTE_WINDOW, MAX_VOTE_WINDOW);
    }
}
