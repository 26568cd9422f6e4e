// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IRelayerStaking} from "./interfaces/IRelayerStaking.sol";
import {AuctionMath} from "./libraries/AuctionMath.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {StoredBytes} from "./libraries/StoredBytes.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {ModelKind} from "./types/ModelKind.sol";
import {ExactGasCall} from "./libraries/ExactGasCall.sol";
import {RequestTermsLib} from "./libraries/RequestTermsLib.sol";
import {CoordinatorConfig} from "./coordinator/CoordinatorConfig.sol";
import {CoordinatorLedger} from "./coordinator/CoordinatorLedger.sol";
import {DisputeGame} from "./DisputeGame.sol";
import {BatchFulfiller} from "./BatchFulfiller.sol";
import {MAX_DISPUTE_WINDOW} from "./interfaces/ICoordinatorAdmin.sol";

/**
 * @title InferenceCoordinator
 * @notice Holds every request's escrow and every challenge bond, runs the reverse Dutch
 * auction, checks zk answers against the model's verifier, takes optimistic answers and
 * settles the disputes its `DisputeGame` judges, settles by docs/DESIGN.md's formulas into pull
 * balances (`CoordinatorLedger`), and delivers final results to consumers with an exact gas
 * limit. Its parameters, treasury and pause are set by its `CoordinatorAdmin` contract and
 * stored in `CoordinatorConfig`. The protocol rules it implements are listed in
 * `contracts/README.md` ("Protocol rules").
 * @dev A request's id is the hash of its `RequestTerms` (`RequestTermsLib`); it stores one
 * packed state slot and (optimistic answers only) its output's hash: outputs travel in calldata
 * and events, and whoever needs one on chain again (finalize, a retried callback, a defence)
 * passes it back. Only proven circuit outputs are stored whole, in the verified-result cache. The dispute game and
 * the admin contract are deployed by this constructor, so each names the other immutably and
 * they cannot be mis-wired. Pausing stops only new requests: everything about a request
 * already made, and every withdrawal, still works.
 */
contract InferenceCoordinator is CoordinatorLedger {
    using SafeERC20 for IERC20;
    using RequestTermsLib for RequestTerms;

    struct Request {
        RequestState state;
        bytes32 outputHash; // optimistic or dispute-established answers only (zk answers live in the cache)
        bytes32 raisedTermsHash; // the hash of the current terms once `raiseMaxComputeFee` changed them
    }

    /// @notice The relayers' stake, bonded per claimed job and slashed by this contract only.
    IRelayerStaking public immutable staking;
    /// @inheritdoc IInferenceCoordinator
    address public immutable disputeGame;

    /// @dev The `BatchFulfiller` this constructor deploys, which calls `claim`, `submitOptimistic` and `fulfillZk`
    /// for a relayer (`_sender`). No getter (the coordinator is at its size budget): it is the coordinator's third contract
    /// creation, at `getCreateAddress(coordinator, nonce 3)`, and names the coordinator (`BatchFulfiller.coordinator`).
    address private immutable _batchFulfiller;

    mapping(uint256 requestId => Request) private _requests;
    /// @dev The verified-result cache: `StoredBytes` from slot `keccak256(abi.encode(modelId, inputHash, CACHE_DOMAIN))`.
    bytes32 private constant CACHE_DOMAIN = keccak256("highway.cache");

    /// @dev `staking_` is deployed first, naming this contract's predicted address; the link is checked
    /// here. The admin contract (by `CoordinatorConfig`) and the dispute game are deployed here: each
    /// names its deployer as its coordinator, and this contract names them immutably.
    constructor(
        IERC20 paymentToken_,
        IModelRegistry registry_,
        IRelayerStaking staking_,
        address admin,
        address treasury_,
        Params memory params_
    ) CoordinatorConfig(admin, treasury_, params_) CoordinatorLedger(paymentToken_, registry_) {
        if (address(staking_) == address(0)) revert ZeroAddress();
        if (staking_.token() != address(paymentToken_)) revert StakeTokenMismatch(staking_.token());
        if (staking_.coordinator() != address(this)) revert StakingCoordinatorMismatch(staking_.coordinator());
        staking = staking_;
        _config.nextNonce = 1;
        disputeGame = address(new DisputeGame(registry_));
        _batchFulfiller = address(new BatchFulfiller(registry_));
    }

    // =================================================================== requests

    /// @inheritdoc IInferenceCoordinator
    function requestInference(
        RequestParams calldata params,
        bytes calldata input
    ) external nonReentrant returns (uint256) {
        return _request(params, input);
    }

    /// @inheritdoc IInferenceCoordinator
    function requestInferenceWithPermit(
        RequestParams calldata params,
        bytes calldata input,
        uint256 permitValue,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256) {
        // A permit front-run by someone else has already set the allowance: go on either way.
        try
            IERC20Permit(address(paymentToken)).permit(msg.sender, address(this), permitValue, permitDeadline, v, r, s)
        {} catch {}
        return _request(params, input);
    }

    /// @inheritdoc IInferenceCoordinator
    function cancel(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        _stateIn(requestId, r, RequestStatus.Open);
        if (msg.sender != terms.requester) revert NotRequester(requestId, msg.sender);
        _refund(requestId, r, terms);
    }

    /// @inheritdoc IInferenceCoordinator
    function expire(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        if (block.timestamp <= terms.deadline) revert DeadlineNotReached(requestId, terms.deadline);
        RequestState memory s = r.state;
        RequestStatus status = s.status;
        if (status == RequestStatus.Claimed) {
            // The claimant let the deadline pass: it loses the late share of its bond to the requester (unless
            // the model's verifier code changed, which refused its proof).
            _slashLate(requestId, terms, s.relayer);
        } else if (status != RequestStatus.Open) {
            revert WrongStatus(requestId, status);
        }
        _refund(requestId, r, terms);
    }

    /// @inheritdoc IInferenceCoordinator
    function raiseMaxComputeFee(
        uint256 requestId,
        RequestTerms calldata terms,
        uint96 newMaxComputeFee
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        _stateIn(requestId, r, RequestStatus.Open);
        if (msg.sender != terms.requester) revert NotRequester(requestId, msg.sender);
        if (newMaxComputeFee <= terms.maxComputeFee)
            revert MaxComputeFeeNotRaised(terms.maxComputeFee, newMaxComputeFee);
        uint256 topUp =
            FeeMath.escrow(terms.modelFee, newMaxComputeFee, terms.protocolFeeBps)
                - FeeMath.escrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps);
        r.raisedTermsHash = terms.raise(newMaxComputeFee).hash();
        r.state.termsRaised = true;
        emit MaxComputeFeeRaised(requestId, newMaxComputeFee, topUp);
        paymentToken.safeTransferFrom(msg.sender, address(this), topUp);
    }

    // =================================================================== relayers

    /// @inheritdoc IInferenceCoordinator
    function claim(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        address relayer = _sender();
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Open);
        // Every claimant gets its whole delivery window before the deadline, so a late slash is always earned.
        uint256 lastClaimAt = terms.deadline - terms.deliveryWindow;
        if (block.timestamp > lastClaimAt) revert ClaimTooLate(requestId, lastClaimAt);
        // A reopened request (its former claimant kept in `relayer`, its reopen time in `phaseEndsAt`) is
        // claimed only in a later block, and never by the claimant that lost it.
        if (block.timestamp <= s.phaseEndsAt) revert ClaimTooSoon(requestId, s.phaseEndsAt);
        if (relayer == s.relayer) revert FormerClaimant(requestId, relayer);
        s.status = RequestStatus.Claimed;
        s.relayer = relayer;
        s.claimedAt = uint32(block.timestamp);
        s.phaseEndsAt = uint32(block.timestamp + terms.deliveryWindow);
        r.state = s;
        emit RequestClaimed(requestId, relayer, _computeFee(terms, block.timestamp));
        staking.lockBond(relayer, terms.jobBond);
    }

    /// @inheritdoc IInferenceCoordinator
    /// @dev The input and the proof are only forwarded, with this call's calldata, to the proof check (`_checkProof`).
    /// From the batch fulfiller, the answer was proven in its batch proof: no proof is checked here.
    function fulfillZk(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata,
        bytes calldata output,
        bytes calldata
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _claimantState(requestId, r, terms, _sender());
        // A caller that passed `_claimantState` without being the claimant is the batch fulfiller (`_sender`).
        if (s.relayer == msg.sender) _checkProof();
        _cacheResult(terms, output);
        _complete(requestId, r, terms, s, s.relayer, output, true, false);
    }

    /// @inheritdoc IInferenceCoordinator
    function submitOptimistic(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata output
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        if (terms.proofMode != ProofMode.Optimistic) revert ProofModeUnsupported(terms.modelId, terms.proofMode);
        RequestState memory s = _claimantState(requestId, r, terms, _sender());
        _checkOutput(terms, output);
        r.outputHash = keccak256(output);
        s.status = RequestStatus.Pending;
        s.phaseEndsAt = uint32(block.timestamp + terms.challengeWindow);
        r.state = s;
        emit OptimisticSubmitted(requestId, s.relayer, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function finalize(uint256 requestId, RequestTerms calldata terms, bytes calldata output) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Pending);
        if (block.timestamp < s.phaseEndsAt) revert ChallengeWindowOpen(requestId, s.phaseEndsAt);
        _checkPosted(requestId, r, output);
        _complete(requestId, r, terms, s, s.relayer, output, false, false);
    }

    /// @inheritdoc IInferenceCoordinator
    function reopen(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Claimed);
        if (block.timestamp <= s.phaseEndsAt) revert DeliveryWindowOpen(requestId, s.phaseEndsAt);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(requestId, terms.deadline);
        // No late slash if the model's verifier code changed (it refused every proof); the request reopens either
        // way (the code may be put back), and its requester may cancel it for a full refund.
        _reopen(requestId, r, s.relayer);
        _slashLate(requestId, terms, s.relayer);
    }

    // =================================================================== dispute hooks

    /// @inheritdoc IInferenceCoordinator
    function openDispute(uint256 requestId, RequestTerms calldata terms, address challenger) external nonReentrant {
        _checkArbiter(terms);
        Request storage r = _checkedRequest(requestId, terms);
        // The game checked the challenge window (and the challenger's commitment) against this state.
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Pending);
        s.status = RequestStatus.Disputed;
        s.phaseEndsAt = uint32(block.timestamp + terms.defenceWindow);
        r.state = s;
        emit Challenged(requestId, challenger, terms.challengeBond);
        // The game passes its caller: the challenger approved this contract, which holds every bond.
        paymentToken.safeTransferFrom(challenger, address(this), terms.challengeBond);
    }

    /// @inheritdoc IInferenceCoordinator
    function closeDispute(
        uint256 requestId,
        RequestTerms calldata terms,
        DisputeOutcome outcome,
        address challenger,
        address prover,
        bytes calldata output,
        address[] calldata rewardees
    ) external nonReentrant {
        _checkArbiter(terms);
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Disputed);
        if (outcome == DisputeOutcome.Defended) {
            _checkPosted(requestId, r, output);
            _cacheResult(terms, output);
            // The challenger was wrong: its bond pays the relayer, less the protocol's share.
            _splitLoserBond(terms, terms.challengeBond, s.relayer, rewardees);
            emit Defended(requestId, s.relayer, challenger);
            _complete(requestId, r, terms, s, s.relayer, output, true, false);
            return;
        }
        // The relayer was wrong, or did not defend, or nobody could judge: the challenger gets its bond back
        // and, unless the dispute is void, the relayer's slashed bond less the protocol's share.
        _credit(challenger, terms.challengeBond);
        bool voided = outcome == DisputeOutcome.Voided;
        if (!voided) _splitLoserBond(terms, terms.jobBond, challenger, rewardees);
        if (outcome == DisputeOutcome.FraudProven) {
            // The established output answers the request (the arbiter checked it is one the model can give:
            // a proven canonical tensor, or a committee's answer within `outputSize`); its compute fee goes to
            // the challenger whoever the prover, so a fraud proof copied from the mempool earns its copier nothing.
            r.outputHash = keccak256(output);
            _cacheResult(terms, output);
            emit FraudProven(requestId, prover, s.relayer, output);
            _complete(requestId, r, terms, s, challenger, output, true, true);
        } else {
            r.outputHash = bytes32(0);
            if (voided) emit DisputeVoided(requestId, s.relayer, challenger);
            else emit DisputeTimedOut(requestId, s.relayer, challenger);
            // A void dispute ends the request: its model's answers can no longer be judged.
            if (voided || block.timestamp > terms.deadline) {
                _refund(requestId, r, terms);
            } else {
                _reopen(requestId, r, s.relayer);
            }
            _slash(requestId, s.relayer, terms.jobBond, voided ? 0 : terms.jobBond);
        }
    }

    /// @inheritdoc IInferenceCoordinator
    function postedAnswer(
        uint256 requestId,
        RequestTerms calldata terms
    ) external view returns (RequestState memory state, bytes32 outputHash) {
        Request storage r = _checkedRequest(requestId, terms);
        return (r.state, r.outputHash);
    }

    // =================================================================== results

    /// @inheritdoc IInferenceCoordinator
    function retryCallback(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata output
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = r.state;
        if (s.status != RequestStatus.Fulfilled || !s.callbackPending) revert NoFailedCallback(requestId);
        // A failed delivery kept the hash of the output it carried (`_deliver`, `_deliverCached`).
        _checkPosted(requestId, r, output);
        r.state.callbackPending = false;
        if (_deliver(requestId, r, terms, output)) emit CallbackDelivered(requestId);
    }

    /// @inheritdoc IInferenceCoordinator
    function cachedResult(
        bytes32 modelId,
        bytes calldata input
    ) external view returns (bool found, bytes memory output) {
        output = StoredBytes.load(_cacheKey(modelId, keccak256(input)));
        return (output.length != 0, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function getRequest(uint256 requestId) external view returns (bytes32 termsHash, RequestState memory state) {
        Request storage r = _requests[requestId];
        state = r.state;
        if (state.status == RequestStatus.None) return (bytes32(0), state);
        return (state.termsRaised ? r.raisedTermsHash : bytes32(requestId), state);
    }

    /// @inheritdoc IInferenceCoordinator
    function quoteEscrow(bytes32 modelId, uint96 maxComputeFee) external view returns (uint256) {
        return FeeMath.escrow(registry.modelTerms(modelId).fee, maxComputeFee, _config.protocolFeeBps);
    }

    // =================================================================== internals

    function _request(RequestParams calldata p, bytes calldata input) private returns (uint256 requestId) {
        // The registry checks the input against the model: a tensor of its shape, or UTF-8 text within its limit.
        IModelRegistry.ModelTerms memory m = registry.termsForInput(p.modelId, input);
        if (!m.active) revert ModelInactive(p.modelId);
        if (m.fee > p.maxModelFee) revert ModelFeeAboveMax(p.modelId, m.fee, p.maxModelFee);
        if (m.proofModes & (p.proofMode == ProofMode.Zk ? 1 : 2) == 0)
            revert ProofModeUnsupported(p.modelId, p.proofMode);
        bool language = m.kind == ModelKind.Language;
        // A language model's answer is bounded by the request; a circuit's has the model's fixed size.
        if (language ? p.maxOutputBytes == 0 || p.maxOutputBytes > m.outputLength : p.maxOutputBytes != 0) {
            revert InvalidMaxOutputBytes(p.maxOutputBytes, language ? m.outputLength : 0);
        }
        Config memory c = _config;
        // The deadline leaves a claimant at least the whole delivery window.
        uint256 earliestDeadline = block.timestamp + c.deliveryWindow;
        if (p.deadline < earliestDeadline) revert InvalidDeadline(p.deadline, earliestDeadline);
        if (p.startComputeFee > p.maxComputeFee) revert InvalidComputeFees(p.startComputeFee, p.maxComputeFee);
        if (c.paused) revert EnforcedPause();
        if (p.callbackGasLimit > c.maxCallbackGasLimit) {
            revert CallbackGasLimitTooHigh(p.callbackGasLimit, c.maxCallbackGasLimit);
        }
        _config.nextNonce = c.nextNonce + 1;

        bytes32 inputHash = keccak256(input);
        // Only proven circuit outputs are cached; a language model's answer is never proven.
        bytes memory cached;
        if (!language) cached = StoredBytes.load(_cacheKey(p.modelId, inputHash));
        RequestTerms memory t = _newTerms(p, m, c, inputHash, cached.length != 0);
        requestId = t.id();
        uint256 escrow = FeeMath.escrow(t.modelFee, t.maxComputeFee, t.protocolFeeBps);
        if (cached.length == 0) {
            emit RequestCreated(requestId, p.modelId, msg.sender, t, input);
            _requests[requestId].state.status = RequestStatus.Open;
            paymentToken.safeTransferFrom(msg.sender, address(this), escrow);
        } else {
            // Answered now: no relayer will ever need the terms, unless the callback fails (see _deliverCached).
            _settle(t, 0);
            emit CachedRequestFulfilled(requestId, p.modelId, msg.sender, t, cached);
            paymentToken.safeTransferFrom(msg.sender, address(this), escrow);
            _deliverCached(requestId, t, input, cached);
        }
    }

    /// @dev The terms a request made now with `p` locks, from the model's terms `m` and the parameters `c`.
    function _newTerms(
        RequestParams calldata p,
        IModelRegistry.ModelTerms memory m,
        Config memory c,
        bytes32 inputHash,
        bool cached
    ) private view returns (RequestTerms memory t) {
        address consumer = p.consumer == address(0) ? msg.sender : p.consumer;
        t = RequestTerms({
            modelId: p.modelId,
            inputHash: inputHash,
            requester: msg.sender,
            consumer: consumer,
            referrer: p.referrer,
            parentModelId: m.parentShareBps == 0 ? bytes32(0) : registry.parentOf(p.modelId),
            modelFee: m.fee,
            // A cached pair is answered now for the model fee alone: no compute is bought, no relayer is
            // bonded, nothing can be disputed.
            startComputeFee: cached ? 0 : p.startComputeFee,
            maxComputeFee: cached ? 0 : p.maxComputeFee,
            jobBond: 0,
            challengeBond: 0,
            createdAt: uint40(block.timestamp),
            deadline: p.deadline,
            auctionDuration: c.auctionDuration,
            deliveryWindow: c.deliveryWindow,
            challengeWindow: c.challengeWindow,
            defenceWindow: c.defenceWindow,
            callbackGasLimit: p.callbackGasLimit,
            protocolFeeBps: c.protocolFeeBps,
            lateSlashBps: c.lateSlashBps,
            disputeProtocolShareBps: c.disputeProtocolShareBps,
            parentShareBps: m.parentShareBps,
            // A requester does not refer itself: no referral share to itself or to its own consumer.
            referralShareBps: p.referrer == address(0) || p.referrer == msg.sender || p.referrer == consumer
                ? 0
                : m.referralShareBps,
            outputSize: m.kind == ModelKind.Language ? p.maxOutputBytes : m.outputLength,
            modelKind: m.kind,
            proofMode: p.proofMode,
            nonce: c.nextNonce
        });
        _setSecurityLevel(t, p, cached);
    }

    /// @dev Sets the security level `p` asks for in the new terms `t`: the protocol's challenge window (already
    /// in `t`), or a longer one up to the maximum; and, unless the request is answered from the cache, the
    /// protocol's job bond, or a larger one (which the claimant's free stake must cover), with the challenge bond
    /// raised in proportion: the bonds' ratio is what makes overturning a right answer unprofitable to a party
    /// that captures a committee (docs/DESIGN.md, "Language models"), so a request buying more security keeps it.
    function _setSecurityLevel(RequestTerms memory t, RequestParams calldata p, bool cached) private view {
        if (p.challengeWindow != 0) {
            if (p.challengeWindow < t.challengeWindow || p.challengeWindow > MAX_DISPUTE_WINDOW) {
                revert InvalidChallengeWindow(p.challengeWindow, t.challengeWindow, MAX_DISPUTE_WINDOW);
            }
            t.challengeWindow = p.challengeWindow;
        }
        if (cached) return;
        Bonds memory b = _bonds;
        if (p.jobBond != 0) {
            if (p.jobBond < b.jobBond) revert InvalidJobBond(p.jobBond, b.jobBond);
            // The protocol's job bond is at least 1 (CoordinatorAdmin's bounds); a raised challenge bond saturates.
            uint256 raised = (uint256(b.challengeBond) * p.jobBond) / b.jobBond;
            b.challengeBond = raised > type(uint96).max ? type(uint96).max : uint96(raised);
            b.jobBond = p.jobBond;
        }
        (t.jobBond, t.challengeBond) = (b.jobBond, b.challengeBond);
    }

    /// @dev Reverts unless `output` has the shape of an answer the request's model gives: a tensor of its
    /// output count, or (a language model) 1 to `outputSize` bytes. Whether it is the right answer, in its
    /// canonical encoding, is what a challenge settles: a non-canonical tensor is a wrong answer.
    function _checkOutput(RequestTerms calldata terms, bytes calldata output) private pure {
        if (terms.modelKind == ModelKind.Circuit) {
            (, uint256 count) = TensorCodec.shape(output);
            if (count != terms.outputSize) revert OutputLengthMismatch(terms.outputSize, count);
        } else if (output.length == 0 || output.length > terms.outputSize) {
            revert OutputTooLong(terms.outputSize, output.length);
        }
    }

    /// @dev Reverts unless the proof of this `fulfillZk` call holds: the dispute game keeps the one proof check
    /// (`ProofVerification`, which its defences use too), and its `checkProof` takes `fulfillZk`'s very
    /// arguments, so this call's calldata is forwarded as it is (re-encoding the terms costs code the
    /// coordinator has no room for). The game's revert (`InvalidProof`, `InputMismatch`, ...) is bubbled up.
    function _checkProof() private {
        address game = disputeGame;
        bytes4 selector = DisputeGame.checkProof.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            calldatacopy(add(ptr, 4), 4, sub(calldatasize(), 4))
            if iszero(call(gas(), game, 0, ptr, calldatasize(), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev Reverts unless the caller is the arbiter of the request's model kind (never the zero address).
    function _checkArbiter(RequestTerms calldata terms) private view {
        address arbiter = terms.modelKind == ModelKind.Circuit ? disputeGame : languageArbiter;
        if (msg.sender != arbiter || arbiter == address(0)) revert OnlyArbiter(msg.sender);
    }

    /// @dev The request `requestId`, whose current terms must be `terms`: a request's id is the
    /// hash of the terms it was made with, and `raisedTermsHash` holds the hash of raised terms.
    function _checkedRequest(uint256 requestId, RequestTerms calldata terms) private view returns (Request storage r) {
        r = _requests[requestId];
        bytes32 termsHash = terms.hashCalldata();
        if (r.state.termsRaised ? termsHash != r.raisedTermsHash : uint256(termsHash) != requestId) {
            revert TermsMismatch(requestId);
        }
    }

    /// @dev The state of request `requestId`, which must have status `expected`.
    function _stateIn(
        uint256 requestId,
        Request storage r,
        RequestStatus expected
    ) private view returns (RequestState memory s) {
        s = r.state;
        if (s.status != expected) revert WrongStatus(requestId, s.status);
    }

    /// @dev The state of a Claimed request, checked to be answered by its claimant `relayer` before the deadline.
    function _claimantState(
        uint256 requestId,
        Request storage r,
        RequestTerms calldata terms,
        address relayer
    ) private view returns (RequestState memory s) {
        s = _stateIn(requestId, r, RequestStatus.Claimed);
        if (s.relayer != relayer) revert NotClaimant(requestId, relayer);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(requestId, terms.deadline);
    }

    /// @dev The relayer claiming or answering: the caller, or, when the caller is the batch fulfiller, the
    /// relayer it acts for, whose address it appends to the calldata (as an ERC-2771 forwarder does). Two
    /// hooks for the fulfiller would cost code the coordinator has no room for.
    function _sender() private view returns (address sender) {
        sender = msg.sender;
        if (sender == _batchFulfiller) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                sender := shr(96, calldataload(sub(calldatasize(), 20)))
            }
        }
    }

    function _computeFee(RequestTerms calldata terms, uint256 at) private pure returns (uint256) {
        return
            AuctionMath.price(terms.startComputeFee, terms.maxComputeFee, terms.createdAt, terms.auctionDuration, at);
    }

    function _cacheKey(bytes32 modelId, bytes32 inputHash) private pure returns (bytes32) {
        return keccak256(abi.encode(modelId, inputHash, CACHE_DOMAIN));
    }

    /// @dev Reverts unless `output` is the answer whose hash the request keeps (`OutputHashMismatch`).
    function _checkPosted(uint256 requestId, Request storage r, bytes calldata output) private view {
        if (keccak256(output) != r.outputHash) revert OutputHashMismatch(requestId);
    }

    /// @dev Caches a circuit model's proven or established `output` for the request's input (a language
    /// model's answers are never cached), unless an answer is cached already.
    function _cacheResult(RequestTerms calldata terms, bytes calldata output) private {
        if (terms.modelKind != ModelKind.Circuit) return;
        bytes32 key = _cacheKey(terms.modelId, terms.inputHash);
        if (!StoredBytes.isSet(key)) StoredBytes.store(key, output);
    }

    /**
     * @notice Makes `output` the final answer of the request its relayer `s.relayer` claimed.
     * @dev Settles it by the fee formula, paying `payee` the compute fee of the claim; releases the
     * relayer's bond, or slashes it whole when its answer was proven wrong; and calls the consumer.
     * Every answer but a cached one ends here.
     * @param proven Whether `output` was proven (zk answer, defence, fraud proof) or finalized unchallenged.
     * @param relayerWasWrong A fraud proof answered (whoever the prover, even the relayer itself).
     */
    function _complete(
        uint256 requestId,
        Request storage r,
        RequestTerms calldata terms,
        RequestState memory s,
        address payee,
        bytes calldata output,
        bool proven,
        bool relayerWasWrong
    ) private {
        r.state.status = RequestStatus.Fulfilled;
        uint256 computeFee = _computeFee(terms, s.claimedAt);
        _settle(terms, computeFee);
        _credit(payee, computeFee);
        emit RequestFulfilled(requestId, payee, output, computeFee, proven);
        if (relayerWasWrong) {
            _slash(requestId, s.relayer, terms.jobBond, terms.jobBond);
        } else {
            staking.unlockBond(s.relayer, terms.jobBond, true);
        }
        _deliver(requestId, r, terms, output);
    }

    /// @dev Slashes the late share of a claimant's bond to the requester and releases the rest; or, if the model's
    /// verifier code changed since registration (it refused every proof), releases the whole bond.
    function _slashLate(uint256 requestId, RequestTerms calldata terms, address relayer) private {
        _slash(
            requestId,
            relayer,
            terms.jobBond,
            registry.verifierCodeChanged(terms.modelId) ? 0 : _creditLateSlash(terms)
        );
    }

    /// @dev Takes `slashed` of the `locked` job bond of `relayer` (the rest is released); the tokens come here.
    /// Nothing slashed (a void dispute, a changed verifier) releases the bond, neither served nor slashed.
    function _slash(uint256 requestId, address relayer, uint256 locked, uint256 slashed) private {
        emit RelayerSlashed(requestId, relayer, slashed);
        staking.slash(relayer, locked, slashed);
    }

    /// @dev Makes a request Open again, keeping the claimant that lost it (which may not claim it again)
    /// and the time (a claim must come later, so that no one reopens and reclaims in one transaction).
    function _reopen(uint256 requestId, Request storage r, address previousRelayer) private {
        r.state = RequestState(
            RequestStatus.Open,
            false,
            r.state.termsRaised,
            previousRelayer,
            0,
            uint32(block.timestamp)
        );
        emit RequestReopened(requestId, previousRelayer);
    }

    function _refund(uint256 requestId, Request storage r, RequestTerms calldata terms) private {
        _resetState(r, RequestStatus.Refunded);
        emit RequestRefunded(requestId, _creditRefund(terms));
    }

    /// @dev Puts a request in `status` with no relayer, no phase and no pending callback (a raise is kept).
    function _resetState(Request storage r, RequestStatus status) private {
        r.state = RequestState(status, false, r.state.termsRaised, address(0), 0, 0);
    }

    /// @dev Calls the consumer of a stored request; a failure is recorded for `retryCallback`.
    function _deliver(
        uint256 requestId,
        Request storage r,
        RequestTerms calldata terms,
        bytes calldata output
    ) private returns (bool ok) {
        ok = _callConsumer(requestId, terms.consumer, terms.callbackGasLimit, output);
        if (!ok) {
            // The retry must deliver this very output (a zk answer keeps no hash otherwise).
            r.state.callbackPending = true;
            r.outputHash = keccak256(output);
        }
    }

    /// @dev Calls the consumer of a request answered from the cache; only if the callback failed is the
    /// request stored (and its terms emitted), so that anyone can `retryCallback` it.
    function _deliverCached(
        uint256 requestId,
        RequestTerms memory terms,
        bytes calldata input,
        bytes memory output
    ) private {
        if (!_callConsumer(requestId, terms.consumer, terms.callbackGasLimit, output)) {
            emit RequestCreated(requestId, terms.modelId, terms.requester, terms, input);
            Request storage r = _requests[requestId];
            r.state = RequestState(RequestStatus.Fulfilled, true, false, address(0), 0, 0);
            r.outputHash = keccak256(output);
        }
    }

    function _callConsumer(
        uint256 requestId,
        address consumer,
        uint256 gasLimit,
        bytes memory output
    ) private returns (bool ok) {
        uint256 gasUsed;
        bytes memory reason;
        // `ExactGasCall.call` is a library function (exact gas, capped return data), not a low-level `address.call`.
        // solhint-disable-next-line avoid-low-level-calls
        (ok, gasUsed, reason) = ExactGasCall.call(
            consumer,
            gasLimit,
            abi.encodeCall(IInferenceConsumer.onInferenceResult, (requestId, output))
        );
        if (!ok) emit CallbackFailed(requestId, gasUsed, reason);
    }
}
