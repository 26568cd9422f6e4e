// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "./utils/Test.sol";
import {RelayerStaking} from "../RelayerStaking.sol";
import {InferenceCoordinator} from "../InferenceCoordinator.sol";
import {DisputeGame} from "../DisputeGame.sol";
import {CoordinatorAdmin} from "../CoordinatorAdmin.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {FeeMath} from "../libraries/FeeMath.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";
import {SwitchableVerifier} from "./mocks/SwitchableVerifier.sol";
import {ToggleConsumer} from "./mocks/Consumers.sol";

/**
 * @dev The invariant tests' handler: random sequences of every coordinator and dispute-game action by
 * requesters, relayers, challengers and bystanders, on two models:
 * - price-signal with its REAL verifier: real sample inputs (answered with REAL proofs) and random inputs
 *   (answered optimistically, right or wrong);
 * - a model whose verifier is a `SwitchableVerifier` its owner flips between accept-all and reject-all
 *   during the campaign, answered with made-up outputs and junk proofs (which pass only while it accepts all).
 * Requests pick their own security level (job bond, challenge window), a fee cap, a referrer (a third
 * party, the requester itself or its consumer) and a consumer among well-behaved and malicious ones
 * (reverting, gas-burning, re-entering, huge revert data, failing until toggled). The admin changes the
 * parameters and the model owner the fee mid-campaign; `AdminAndCodeHandler` changes the parameters and
 * replaces either verifier's code (and puts it back). Reopened requests (late claims, dispute timeouts)
 * are reclaimed in the reopen's block and the next.
 * Ghost records: answers and settlements per request (from the events), and every breach of the claim
 * and slash rules seen in the events (`violations`, `lastViolation`).
 */
// An invariant handler's ghost records are its state: the invariants read the public ones.
// solhint-disable-next-line max-states-count
contract CoordinatorHandler is Test {
    struct Sample {
        bytes input;
        bytes output; // a canonical tensor
        bytes proof;
    }

    struct Tracked {
        uint256 id;
        IInferenceCoordinator.RequestTerms terms;
        bytes input;
        uint256 sample; // index into samples, or NO_SAMPLE for a random input
    }

    /// @dev Who acts, and the contracts and models acted on.
    struct Setup {
        InferenceCoordinator coordinator;
        RelayerStaking staking;
        bytes32 priceModel;
        bytes32 switchModel;
        address modelOwner; // owns both models and the switchable verifier
        ToggleConsumer toggleConsumer;
        address[] consumers; // also holds toggleConsumer
        address[] requesters;
        address[] relayers;
        address[] challengers;
        address[] others;
    }

    uint256 private constant NO_SAMPLE = type(uint256).max;

    InferenceCoordinator private immutable _coordinator;
    DisputeGame private immutable _disputeGame;
    ModelRegistry private immutable _registry;
    RelayerStaking private immutable _staking;
    bytes32 private immutable _priceModel;
    bytes32 private immutable _switchModel;
    SwitchableVerifier private immutable _switchVerifier;
    address private immutable _modelOwner;
    ToggleConsumer private immutable _toggleConsumer;

    Sample[] private _samples;
    Tracked[] private _tracked;
    mapping(uint256 requestId => uint256) private _indexPlusOne;
    address[] private _consumers;
    address[] private _requesters;
    address[] private _relayers;
    address[] private _challengers;
    address[] public accounts; // every account the coordinator may credit

    mapping(uint256 requestId => uint256) public answers;
    mapping(uint256 requestId => uint256) public settlements;
    uint256 public maxAnswers;
    uint256 public totalAnswers;
    uint256 public maxSettlements;
    mapping(bytes4 action => uint256) public calls;

    // Ghost records of the claim and slash rules.
    mapping(uint256 requestId => uint256) private _claimedAt;
    mapping(uint256 requestId => uint256) private _reopenedAt;
    mapping(uint256 requestId => address) private _formerClaimant;
    // The outputs a request's events carried, as a relayer or keeper reads them to finalize, defend or retry.
    mapping(uint256 requestId => bytes) private _posted; // OptimisticSubmitted
    mapping(uint256 requestId => bytes) private _delivered; // RequestFulfilled, CachedRequestFulfilled
    uint256 public violations;
    string public lastViolation;
    uint256 public reclaims; // claims of a reopened request
    uint256 public lateSlashes;
    uint256 public callbacksFailed;
    uint256 public verifierFlips;

    constructor(Setup memory s) {
        _coordinator = s.coordinator;
        _disputeGame = DisputeGame(s.coordinator.disputeGame());
        _registry = ModelRegistry(address(s.coordinator.registry()));
        _staking = s.staking;
        _priceModel = s.priceModel;
        _switchModel = s.switchModel;
        _switchVerifier = SwitchableVerifier(_registry.verifierOf(s.switchModel));
        _modelOwner = s.modelOwner;
        _toggleConsumer = s.toggleConsumer;
        _consumers = s.consumers;
        _requesters = s.requesters;
        _relayers = s.relayers;
        _challengers = s.challengers;
        _addAccounts(s.requesters);
        _addAccounts(s.relayers);
        _addAccounts(s.challengers);
        _addAccounts(s.consumers);
        _addAccounts(s.others);
    }

    function addSample(bytes calldata input, bytes calldata output, bytes calldata proof) external {
        _samples.push(Sample(input, output, proof));
    }

    // ------------------------------------------------------------------ requests

    /// @dev A request on either model, with a security level, fee cap, referrer and consumer drawn from `shape`.
    function request(uint256 seed, uint256 shape, bool optimistic, bool useSample) external {
        _request(seed, shape, optimistic, useSample);
        ++calls[this.request.selector];
    }

    /// @dev A request claimed at once (so that random sequences reach the later steps more often).
    function requestAndClaim(uint256 seed, uint256 shape, bool optimistic, bool useSample) external {
        (bool open, uint256 i) = _request(seed, shape, optimistic, useSample);
        if (!open) return;
        _act(_pick(_relayers, seed), abi.encodeCall(InferenceCoordinator.claim, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.requestAndClaim.selector];
    }

    /// @dev An optimistic request claimed, answered (right or wrong) and challenged at once.
    function requestAndDispute(uint256 seed, uint256 shape, bool useSample, bool wrong) external {
        (bool open, uint256 i) = _request(seed, shape, true, useSample);
        if (!open) return;
        Tracked storage t = _tracked[i];
        if (!_act(_pick(_relayers, seed), abi.encodeCall(InferenceCoordinator.claim, (t.id, t.terms)))) return;
        this.submitOptimistic(i, wrong);
        this.challenge(i);
        ++calls[this.requestAndDispute.selector];
    }

    function cancel(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) return;
        _act(
            _tracked[i].terms.requester,
            abi.encodeCall(InferenceCoordinator.cancel, (_tracked[i].id, _tracked[i].terms))
        );
        ++calls[this.cancel.selector];
    }

    function expire(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) (found, i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        _warpPast(_tracked[i].terms.deadline);
        _act(_pick(_relayers, seed), abi.encodeCall(InferenceCoordinator.expire, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.expire.selector];
    }

    function raiseMaxComputeFee(uint256 seed, uint96 extra) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) return;
        Tracked storage t = _tracked[i];
        uint96 newMax = t.terms.maxComputeFee + uint96(bound(extra, 1, 3e18));
        vm.prank(t.terms.requester);
        try _coordinator.raiseMaxComputeFee(t.id, t.terms, newMax) {
            t.terms.maxComputeFee = newMax;
        } catch {}
        ++calls[this.raiseMaxComputeFee.selector];
    }

    // ------------------------------------------------------------------ relayers

    function claim(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) return;
        _act(_pick(_relayers, seed), abi.encodeCall(InferenceCoordinator.claim, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.claim.selector];
    }

    /// @dev Answers with a real proof (price-signal samples) or a made-up output and a junk proof (the
    /// switchable model: accepted only while its verifier accepts all).
    function fulfillZk(uint256 seed) external {
        (bool found, uint256 i) = _findProvable(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        (bytes memory output, bytes memory proof) = _answer(t, seed);
        _act(_relayerOf(t.id), abi.encodeCall(InferenceCoordinator.fulfillZk, (t.id, t.terms, t.input, output, proof)));
        ++calls[this.fulfillZk.selector];
    }

    function submitOptimistic(uint256 seed, bool wrong) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        if (t.terms.proofMode != IInferenceCoordinator.ProofMode.Optimistic) return;
        bytes memory output;
        if (t.sample != NO_SAMPLE && !wrong) {
            output = _samples[t.sample].output;
        } else {
            int256[] memory values = new int256[](1);
            values[0] = int256(uint256(uint64(seed))) - 2 ** 40;
            output = TensorCodec.encode(values);
        }
        _act(_relayerOf(t.id), abi.encodeCall(InferenceCoordinator.submitOptimistic, (t.id, t.terms, output)));
        ++calls[this.submitOptimistic.selector];
    }

    function finalize(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Pending);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        _act(
            _pick(_challengers, seed),
            abi.encodeCall(InferenceCoordinator.finalize, (_tracked[i].id, _tracked[i].terms, _posted[_tracked[i].id]))
        );
        ++calls[this.finalize.selector];
    }

    function reopen(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        _act(
            _pick(_challengers, seed),
            abi.encodeCall(InferenceCoordinator.reopen, (_tracked[i].id, _tracked[i].terms))
        );
        ++calls[this.reopen.selector];
    }

    /// @dev Reopens a late claim, then every relayer tries to claim it in the same block (all must fail), then
    /// one (perhaps the late one) in the next.
    function reopenAndReclaim(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        if (
            !_act(
                _relayerOf(_tracked[i].id),
                abi.encodeCall(InferenceCoordinator.reopen, (_tracked[i].id, _tracked[i].terms))
            )
        ) return;
        _reclaim(i, seed);
        ++calls[this.reopenAndReclaim.selector];
    }

    // ------------------------------------------------------------------ disputes

    /// @dev Commits to a challenge and reveals it in the next block.
    function challenge(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Pending);
        if (!found) return;
        // Sometimes the relayer disputes itself.
        address who = seed % 4 == 0 ? _relayerOf(_tracked[i].id) : _pick(_challengers, seed);
        bytes32 salt = bytes32(seed);
        vm.prank(who);
        _disputeGame.commitChallenge(keccak256(abi.encode(_tracked[i].id, who, salt)));
        vm.roll(block.number + 1);
        _actOn(
            address(_disputeGame),
            who,
            abi.encodeCall(DisputeGame.challenge, (_tracked[i].id, _tracked[i].terms, salt))
        );
        ++calls[this.challenge.selector];
    }

    function defend(uint256 seed) external {
        (bool found, uint256 i) = _findProvable(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        bytes memory proof = t.terms.modelId == _switchModel ? bytes(hex"00") : _samples[t.sample].proof;
        _actOn(
            address(_disputeGame),
            _relayerOf(t.id),
            abi.encodeCall(DisputeGame.defend, (t.id, t.terms, t.input, _posted[t.id], proof))
        );
        ++calls[this.defend.selector];
    }

    /// @dev A fraud proof by a random relayer (a copier, as often as not: the challenger is paid either way).
    function proveFraud(uint256 seed) external {
        (bool found, uint256 i) = _findProvable(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        (bytes memory output, bytes memory proof) = _answer(t, seed);
        _actOn(
            address(_disputeGame),
            _pick(_relayers, seed),
            abi.encodeCall(DisputeGame.proveFraud, (t.id, t.terms, t.input, output, proof))
        );
        ++calls[this.proveFraud.selector];
    }

    function resolveDisputeTimeout(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        _actOn(
            address(_disputeGame),
            _pick(_requesters, seed),
            abi.encodeCall(DisputeGame.resolveDisputeTimeout, (_tracked[i].id, _tracked[i].terms))
        );
        ++calls[this.resolveDisputeTimeout.selector];
    }

    /// @dev A dispute timeout (by the slashed relayer itself), then every relayer tries to claim the
    /// reopened request in the same block (all must fail), then one in the next.
    function timeoutAndReclaim(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        bytes memory call = abi.encodeCall(DisputeGame.resolveDisputeTimeout, (_tracked[i].id, _tracked[i].terms));
        if (!_actOn(address(_disputeGame), _relayerOf(_tracked[i].id), call)) return;
        _reclaim(i, seed);
        ++calls[this.timeoutAndReclaim.selector];
    }

    // ------------------------------------------------------------------ results and payments

    function retryCallback(uint256 seed, bool ready) external {
        _toggleConsumer.setReady(ready);
        uint256 n = _tracked.length;
        for (uint256 k; k < n; ++k) {
            Tracked storage t = _tracked[(seed + k) % n];
            IInferenceCoordinator.RequestState memory s = _state(t.id);
            if (s.status == IInferenceCoordinator.RequestStatus.Fulfilled && s.callbackPending) {
                _act(
                    _pick(_challengers, seed),
                    abi.encodeCall(InferenceCoordinator.retryCallback, (t.id, t.terms, _delivered[t.id]))
                );
                ++calls[this.retryCallback.selector];
                return;
            }
        }
    }

    function withdraw(uint256 seed) external {
        address who = accounts[seed % accounts.length];
        if (_coordinator.balanceOf(who) == 0) return;
        vm.prank(who);
        _coordinator.withdraw();
        ++calls[this.withdraw.selector];
    }

    function withdrawModelEarnings(bool switchModel) external {
        bytes32 modelId = switchModel ? _switchModel : _priceModel;
        if (_coordinator.modelEarnings(modelId) == 0) return;
        vm.prank(_modelOwner);
        _coordinator.withdrawModelEarnings(modelId);
        ++calls[this.withdrawModelEarnings.selector];
    }

    function withdrawProtocolFees() external {
        if (_coordinator.protocolFees() == 0) return;
        _coordinator.withdrawProtocolFees();
        ++calls[this.withdrawProtocolFees.selector];
    }

    // ------------------------------------------------------------------ admin, model owner, time

    /// @dev The model owner flips its switchable verifier (mutable state: its code never changes).
    function flipVerifier(bool acceptAll) external {
        vm.prank(_modelOwner);
        _switchVerifier.setMode(acceptAll ? SwitchableVerifier.Mode.AcceptAll : SwitchableVerifier.Mode.RejectAll);
        ++verifierFlips;
    }

    function setModelFee(uint256 seed, bool switchModel) external {
        vm.prank(_modelOwner);
        _registry.setFee(switchModel ? _switchModel : _priceModel, uint96(bound(seed, 0, 20e18)));
        ++calls[this.setModelFee.selector];
    }

    function warp(uint32 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
    }

    // ------------------------------------------------------------------ ghost views

    function trackedId(uint256 index) external view returns (uint256) {
        return _tracked[index].id;
    }

    function trackedCount() external view returns (uint256) {
        return _tracked.length;
    }

    /// @dev The escrow and the challenge bond a tracked request still holds in the coordinator.
    function heldBy(uint256 index) external view returns (uint256 escrow, uint256 bond) {
        Tracked storage t = _tracked[index];
        IInferenceCoordinator.RequestStatus status = _state(t.id).status;
        if (
            status == IInferenceCoordinator.RequestStatus.Open
            || status == IInferenceCoordinator.RequestStatus.Claimed
            || status == IInferenceCoordinator.RequestStatus.Pending
            || status == IInferenceCoordinator.RequestStatus.Disputed
        ) escrow = FeeMath.escrow(t.terms.modelFee, t.terms.maxComputeFee, t.terms.protocolFeeBps);
        if (status == IInferenceCoordinator.RequestStatus.Disputed) bond = t.terms.challengeBond;
    }

    /// @dev The bonds a tracked request holds locked in `relayer`'s stake.
    function lockedFor(uint256 index, address relayer) external view returns (uint256) {
        Tracked storage t = _tracked[index];
        IInferenceCoordinator.RequestState memory s = _state(t.id);
        if (
            s.relayer == relayer
            && (s.status == IInferenceCoordinator.RequestStatus.Claimed
                || s.status == IInferenceCoordinator.RequestStatus.Pending
                || s.status == IInferenceCoordinator.RequestStatus.Disputed)
        ) return t.terms.jobBond;
        return 0;
    }

    function relayers() external view returns (address[] memory) {
        return _relayers;
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Makes a request; returns whether it is stored Open (not refused, not answered from the cache) and its index.
    function _request(
        uint256 seed,
        uint256 shape,
        bool optimistic,
        bool useSample
    ) private returns (bool open, uint256 index) {
        address from = _pick(_requesters, seed);
        uint256 sample = useSample ? seed % _samples.length : NO_SAMPLE;
        bytes memory input = useSample ? _samples[sample].input : TensorCodec.encode(_randomInput(seed));
        IInferenceCoordinator.RequestParams memory p = _params(seed, shape, from, optimistic);
        vm.recordLogs();
        vm.prank(from);
        try _coordinator.requestInference(p, input) returns (uint256 id) {
            IInferenceCoordinator.RequestTerms memory terms = _scanLogs();
            if (terms.nonce == 0) return (false, 0); // a cached pair whose callback worked is not stored
            _track(id, terms, input, sample);
            return (_state(id).status == IInferenceCoordinator.RequestStatus.Open, _tracked.length - 1);
        } catch {}
    }

    function _params(
        uint256 seed,
        uint256 shape,
        address from,
        bool optimistic
    ) private view returns (IInferenceCoordinator.RequestParams memory p) {
        IInferenceCoordinator.Params memory c = _coordinator.getParams();
        // One byte of `shape` per choice: model, consumer, referrer, fee cap, job bond, challenge window.
        bytes32 modelId = uint8(shape) % 4 == 0 ? _switchModel : _priceModel;
        uint256 pick = uint8(shape >> 8) % (_consumers.length + 1);
        address consumer = pick == _consumers.length ? address(0) : _consumers[pick];
        uint256 referral = uint8(shape >> 16) % 4; // none, a third party, the requester itself, its consumer
        uint96 fee = _registry.modelTerms(modelId).fee;
        p = IInferenceCoordinator.RequestParams({
            modelId: modelId,
            proofMode: optimistic ? IInferenceCoordinator.ProofMode.Optimistic : IInferenceCoordinator.ProofMode.Zk,
            startComputeFee: uint96(bound(seed >> 8, 0, 2e18)),
            maxComputeFee: uint96(bound(seed >> 80, 2e18, 6e18)),
            // Now and then the fee moved above the requester's cap (a front-run setFee): refused.
            maxModelFee: uint8(shape >> 24) % 8 == 0 && fee != 0
                ? fee - 1
                : uint96(bound(uint64(shape >> 32), fee, type(uint96).max)),
            jobBond: uint8(shape >> 128) % 3 == 0
                ? 0
                : uint96(bound(uint64(shape >> 136), c.jobBond, 3 * uint256(c.jobBond))),
            challengeWindow: uint8(shape >> 200) % 3 == 0
                ? 0
                : uint32(bound(uint32(shape >> 208), c.challengeWindow, 7 days)),
            callbackGasLimit: 100_000,
            maxOutputBytes: 0,
            // From the tightest deadline allowed (one delivery window) to three days more.
            deadline: uint40(block.timestamp + c.deliveryWindow + bound(seed >> 160, 0, 3 days)),
            consumer: consumer,
            referrer: referral == 0
                ? address(0)
                : referral == 1
                    ? _challengers[0]
                    : referral == 2
                        ? from
                        : consumer
        });
    }

    /// @dev Claims in the block of a reopen (every relayer: all must fail), then in the next block by the
    /// relayers in turn from a random one (the one that lost it, when first, must fail) until one wins.
    function _reclaim(uint256 i, uint256 seed) private {
        bytes memory call = abi.encodeCall(InferenceCoordinator.claim, (_tracked[i].id, _tracked[i].terms));
        uint256 n = _relayers.length;
        for (uint256 r; r < n; ++r) {
            _act(_relayers[r], call);
        }
        vm.warp(block.timestamp + 1);
        uint256 first = (seed >> 17) % n;
        for (uint256 r; r < n; ++r) {
            if (_act(_relayers[(first + r) % n], call)) return;
        }
    }

    /// @dev An answer for a provable request: its sample's real output and proof, or a made-up output and a junk proof.
    function _answer(Tracked storage t, uint256 seed) private view returns (bytes memory output, bytes memory proof) {
        if (t.terms.modelId == _switchModel) {
            int256[] memory values = new int256[](1);
            values[0] = int256(uint256(uint32(seed))) - 2 ** 31;
            (output, proof) = (TensorCodec.encode(values), hex"00");
        } else {
            (output, proof) = (_samples[t.sample].output, _samples[t.sample].proof);
        }
    }

    function _track(
        uint256 id,
        IInferenceCoordinator.RequestTerms memory terms,
        bytes memory input,
        uint256 sample
    ) private {
        _tracked.push(Tracked(id, terms, input, sample));
        _indexPlusOne[id] = _tracked.length;
    }

    function _act(address who, bytes memory data) private returns (bool) {
        return _actOn(address(_coordinator), who, data);
    }

    /// @dev Calls `target` (the coordinator or its dispute game) as `who`; the coordinator's events are counted either way.
    function _actOn(address target, address who, bytes memory data) private returns (bool ok) {
        vm.recordLogs();
        vm.prank(who);
        (ok, ) = target.call(data);
        if (ok) _scanLogs();
    }

    /**
     * @dev Counts answers and settlements per request from the events, checks the claim and slash rules
     * against them, and returns the terms of a new request. The rules: a claim leaves its claimant its
     * whole delivery window before the deadline; a reopened request is claimed only after the reopen's
     * timestamp, and not by the claimant that lost it; a late slash (a slash in a transaction that ends no
     * dispute) takes the share of the job bond locked in the terms, only once the claimant's whole window
     * passed; a dispute's slash takes the whole job bond.
     */
    function _scanLogs() private returns (IInferenceCoordinator.RequestTerms memory terms) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool disputeEnded;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(_coordinator)) continue;
            bytes32 topic = logs[i].topics[0];
            uint256 id = logs[i].topics.length > 1 ? uint256(logs[i].topics[1]) : 0;
            if (topic == IInferenceCoordinator.RequestCreated.selector) {
                (terms, ) = abi.decode(logs[i].data, (IInferenceCoordinator.RequestTerms, bytes));
            } else if (topic == IInferenceCoordinator.OptimisticSubmitted.selector) {
                _posted[id] = abi.decode(logs[i].data, (bytes));
            } else if (
                topic == IInferenceCoordinator.RequestFulfilled.selector
                || topic == IInferenceCoordinator.CachedRequestFulfilled.selector
            ) {
                if (topic == IInferenceCoordinator.RequestFulfilled.selector) {
                    (_delivered[id], , ) = abi.decode(logs[i].data, (bytes, uint256, bool));
                } else {
                    (, _delivered[id]) = abi.decode(logs[i].data, (IInferenceCoordinator.RequestTerms, bytes));
                }
                ++totalAnswers;
                uint256 n = ++answers[id];
                if (n > maxAnswers) maxAnswers = n;
                n = ++settlements[id];
                if (n > maxSettlements) maxSettlements = n;
            } else if (topic == IInferenceCoordinator.RequestRefunded.selector) {
                uint256 n = ++settlements[id];
                if (n > maxSettlements) maxSettlements = n;
            } else if (topic == IInferenceCoordinator.RequestClaimed.selector) {
                _checkClaim(id, address(uint160(uint256(logs[i].topics[2]))));
            } else if (topic == IInferenceCoordinator.RequestReopened.selector) {
                _reopenedAt[id] = block.timestamp;
                _formerClaimant[id] = address(uint160(uint256(logs[i].topics[2])));
            } else if (
                topic == IInferenceCoordinator.DisputeTimedOut.selector
                || topic == IInferenceCoordinator.FraudProven.selector
            ) {
                disputeEnded = true;
            } else if (topic == IInferenceCoordinator.RelayerSlashed.selector) {
                _checkSlash(id, abi.decode(logs[i].data, (uint256)), disputeEnded);
            } else if (topic == IInferenceCoordinator.CallbackFailed.selector) {
                ++callbacksFailed;
            }
        }
    }

    function _checkClaim(uint256 id, address claimant) private {
        IInferenceCoordinator.RequestTerms storage t = _tracked[_indexPlusOne[id] - 1].terms;
        if (block.timestamp + t.deliveryWindow > t.deadline) _violation("claimed without a whole delivery window");
        if (_reopenedAt[id] != 0) {
            ++reclaims;
            if (block.timestamp <= _reopenedAt[id]) _violation("claimed in the block it was reopened");
            if (claimant == _formerClaimant[id]) _violation("reclaimed by the claimant that lost it");
        }
        _claimedAt[id] = block.timestamp;
    }

    function _checkSlash(uint256 id, uint256 amount, bool disputeEnded) private {
        IInferenceCoordinator.RequestTerms storage t = _tracked[_indexPlusOne[id] - 1].terms;
        // Nobody is slashed over a model whose verifier code changed (no proof could be judged): released unslashed.
        bool changed = _registry.verifierCodeChanged(t.modelId);
        if (amount == 0) {
            if (!changed) _violation("released unslashed, code unchanged");
            return;
        }
        if (changed) _violation("slashed, code changed");
        if (disputeEnded) {
            if (amount != t.jobBond) _violation("a dispute slashed other than the job bond");
            return;
        }
        ++lateSlashes;
        if (amount != FeeMath.share(t.jobBond, t.lateSlashBps)) _violation("a late slash other than the locked share");
        if (block.timestamp <= _claimedAt[id] + t.deliveryWindow) _violation("late-slashed within its window");
    }

    function _violation(string memory what) private {
        ++violations;
        lastViolation = what;
    }

    function _state(uint256 id) private view returns (IInferenceCoordinator.RequestState memory s) {
        (, s) = _coordinator.getRequest(id);
    }

    function _relayerOf(uint256 id) private view returns (address) {
        return _state(id).relayer;
    }

    function _find(uint256 seed, IInferenceCoordinator.RequestStatus status) private view returns (bool, uint256) {
        uint256 n = _tracked.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (seed + k) % n;
            if (_state(_tracked[i].id).status == status) return (true, i);
        }
        return (false, 0);
    }

    /// @dev A request in `status` that a proof can answer: a price-signal sample, or any switchable-model request.
    function _findProvable(
        uint256 seed,
        IInferenceCoordinator.RequestStatus status
    ) private view returns (bool, uint256) {
        uint256 n = _tracked.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (seed + k) % n;
            Tracked storage t = _tracked[i];
            if ((t.sample != NO_SAMPLE || t.terms.modelId == _switchModel) && _state(t.id).status == status) {
                return (true, i);
            }
        }
        return (false, 0);
    }

    function _warpPast(uint256 timestamp) private {
        if (block.timestamp <= timestamp) vm.warp(timestamp + 1);
    }

    function _pick(address[] storage list, uint256 seed) private view returns (address) {
        return list[(seed >> 16) % list.length];
    }

    function _randomInput(uint256 seed) private pure returns (int256[] memory values) {
        values = new int256[](8);
        for (uint256 i; i < 8; ++i) {
            values[i] = int256(uint256(keccak256(abi.encode(seed, i))) % 4096) - 2048;
        }
    }

    function _addAccounts(address[] memory list) private {
        for (uint256 i; i < list.length; ++i) {
            bool seen;
            for (uint256 j; j < accounts.length; ++j) {
                if (accounts[j] == list[i]) seen = true;
            }
            if (!seen) accounts.push(list[i]);
        }
    }
}

/**
 * @dev The invariant tests' second handler: the admin changes every parameter requests lock (requests in flight
 * keep theirs); a model owner replaces the code at a model's verifier address (a metamorphic redeploy, where a
 * chain allows one), or puts the registered code back. While the code differs, no proof of the model passes and
 * nobody is slashed over the model (`CoordinatorHandler` checks it in the events).
 */
contract AdminAndCodeHandler is Test {
    InferenceCoordinator private immutable _coordinator;
    address private immutable _adminHolder;
    address[] private _verifiers;
    mapping(address verifier => bytes) private _registered;
    uint256 public swaps;
    uint256 public paramChanges;

    constructor(InferenceCoordinator coordinator, address adminHolder, address[] memory verifiers) {
        _coordinator = coordinator;
        _adminHolder = adminHolder;
        _verifiers = verifiers;
        for (uint256 i; i < verifiers.length; ++i) {
            _registered[verifiers[i]] = verifiers[i].code;
        }
    }

    /// @dev The admin changes every parameter requests lock (requests in flight keep theirs).
    function setParams(uint256 seed) external {
        IInferenceCoordinator.Params memory p = _coordinator.getParams();
        p.protocolFeeBps = uint16(bound(seed, 0, 1_000));
        p.lateSlashBps = uint16(bound(seed >> 16, 100, 10_000));
        p.disputeProtocolShareBps = uint16(bound(seed >> 32, 500, 9_000));
        p.deliveryWindow = uint32(bound(seed >> 48, 60, 1 hours));
        p.challengeWindow = uint32(bound(seed >> 80, 60, 2 hours));
        p.defenceWindow = uint32(bound(seed >> 112, 60, 2 hours));
        p.jobBond = uint96(bound(seed >> 144, 50e18, 200e18));
        CoordinatorAdmin admin = CoordinatorAdmin(_coordinator.coordinatorAdmin());
        vm.prank(_adminHolder);
        admin.setParams(p);
        ++paramChanges;
    }

    function swapVerifierCode(uint256 seed, bool swap) external {
        address verifier = _verifiers[seed % _verifiers.length];
        vm.etch(verifier, swap ? bytes(hex"00") : _registered[verifier]);
        ++swaps;
    }
}
