// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "./utils/Test.sol";
import {HighwayToken} from "../token/HighwayToken.sol";
import {RelayerStaking} from "../RelayerStaking.sol";
import {InferenceCoordinator} from "../InferenceCoordinator.sol";
import {DisputeGame} from "../DisputeGame.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {FeeMath} from "../libraries/FeeMath.sol";

/**
 * @dev The invariant tests' handler: random sequences of every coordinator and dispute-game action by
 * requesters, relayers, challengers and bystanders, on real sample inputs (answered with
 * REAL proofs) and random inputs (answered optimistically, right or wrong). It keeps a
 * ghost record of every request and counts answers and settlements from the events.
 */
contract CoordinatorHandler is Test {
    struct Sample {
        bytes input;
        int256[] output;
        bytes proof;
    }

    struct Tracked {
        uint256 id;
        IInferenceCoordinator.RequestTerms terms;
        uint256 sample; // index into samples, or NO_SAMPLE for a random input
        bool wrongOutput; // the optimistic output posted is not the model's output
    }

    uint256 private constant NO_SAMPLE = type(uint256).max;

    HighwayToken private immutable _token;
    RelayerStaking private immutable _staking;
    InferenceCoordinator private immutable _coordinator;
    DisputeGame private immutable _disputeGame;
    bytes32 private immutable _modelId;
    address private immutable _consumer;
    address private immutable _modelOwner;

    Sample[] private _samples;
    Tracked[] private _tracked;
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

    constructor(
        HighwayToken token_,
        RelayerStaking staking_,
        InferenceCoordinator coordinator_,
        bytes32 modelId_,
        address consumer_,
        address modelOwner_,
        address[] memory requesters_,
        address[] memory relayers_,
        address[] memory challengers_,
        address[] memory others_
    ) {
        _token = token_;
        _staking = staking_;
        _coordinator = coordinator_;
        _disputeGame = DisputeGame(coordinator_.disputeGame());
        _modelId = modelId_;
        _consumer = consumer_;
        _modelOwner = modelOwner_;
        _requesters = requesters_;
        _relayers = relayers_;
        _challengers = challengers_;
        _addAccounts(requesters_);
        _addAccounts(relayers_);
        _addAccounts(challengers_);
        _addAccounts(others_);
    }

    function addSample(bytes calldata input, int256[] calldata output, bytes calldata proof) external {
        _samples.push(Sample(input, output, proof));
    }

    // ------------------------------------------------------------------ actions

    function request(uint256 seed, bool optimistic, bool useSample, bool toConsumer) external {
        address from = _pick(_requesters, seed);
        uint256 sample = useSample ? seed % _samples.length : NO_SAMPLE;
        bytes memory input = useSample ? _samples[sample].input : abi.encode(_randomInput(seed));
        IInferenceCoordinator.RequestParams memory p = IInferenceCoordinator.RequestParams({
            modelId: _modelId,
            proofMode: optimistic ? IInferenceCoordinator.ProofMode.Optimistic : IInferenceCoordinator.ProofMode.Zk,
            startComputeFee: uint96(bound(seed >> 8, 0, 2e18)),
            maxComputeFee: uint96(bound(seed >> 80, 2e18, 6e18)),
            maxModelFee: type(uint96).max,
            jobBond: 0,
            challengeWindow: 0,
            callbackGasLimit: 100_000,
            deadline: uint40(block.timestamp + bound(seed >> 160, 1 hours, 3 days)),
            consumer: toConsumer ? _consumer : address(0),
            referrer: seed % 3 == 0 ? _challengers[0] : address(0)
        });
        vm.recordLogs();
        vm.prank(from);
        uint256 id = _coordinator.requestInference(p, input);
        IInferenceCoordinator.RequestTerms memory terms = _scanLogs();
        _tracked.push(Tracked(id, terms, sample, false));
        ++calls[this.request.selector];
    }

    function claim(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) return;
        _act(_pick(_relayers, seed), abi.encodeCall(InferenceCoordinator.claim, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.claim.selector];
    }

    function fulfillZk(uint256 seed) external {
        (bool found, uint256 i) = _findWithSample(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        Sample storage s = _samples[t.sample];
        _act(
            _relayerOf(t.id),
            abi.encodeCall(InferenceCoordinator.fulfillZk, (t.id, t.terms, s.input, s.output, s.proof))
        );
        ++calls[this.fulfillZk.selector];
    }

    function submitOptimistic(uint256 seed, bool wrong) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        if (t.terms.proofMode != IInferenceCoordinator.ProofMode.Optimistic) return;
        int256[] memory output = new int256[](1);
        if (t.sample != NO_SAMPLE && !wrong) output[0] = _samples[t.sample].output[0];
        else output[0] = int256(uint256(uint64(seed))) - 2 ** 40;
        t.wrongOutput = t.sample == NO_SAMPLE || wrong;
        _act(_relayerOf(t.id), abi.encodeCall(InferenceCoordinator.submitOptimistic, (t.id, t.terms, output)));
        ++calls[this.submitOptimistic.selector];
    }

    function finalize(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Pending);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        _act(_pick(_challengers, seed), abi.encodeCall(InferenceCoordinator.finalize, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.finalize.selector];
    }

    function challenge(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Pending);
        if (!found) return;
        // Sometimes the relayer disputes itself.
        address who = seed % 4 == 0 ? _relayerOf(_tracked[i].id) : _pick(_challengers, seed);
        _actOn(address(_disputeGame), who, abi.encodeCall(DisputeGame.challenge, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.challenge.selector];
    }

    function defend(uint256 seed) external {
        (bool found, uint256 i) = _findWithSample(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        Sample storage s = _samples[t.sample];
        _actOn(
            address(_disputeGame), _relayerOf(t.id), abi.encodeCall(DisputeGame.defend, (t.id, t.terms, s.input, s.proof))
        );
        ++calls[this.defend.selector];
    }

    function proveFraud(uint256 seed) external {
        (bool found, uint256 i) = _findWithSample(seed, IInferenceCoordinator.RequestStatus.Disputed);
        if (!found) return;
        Tracked storage t = _tracked[i];
        Sample storage s = _samples[t.sample];
        _actOn(
            address(_disputeGame),
            _pick(_relayers, seed),
            abi.encodeCall(DisputeGame.proveFraud, (t.id, t.terms, s.input, s.output, s.proof))
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

    function reopen(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Claimed);
        if (!found) return;
        _warpPast(_state(_tracked[i].id).phaseEndsAt);
        _act(_pick(_challengers, seed), abi.encodeCall(InferenceCoordinator.reopen, (_tracked[i].id, _tracked[i].terms)));
        ++calls[this.reopen.selector];
    }

    function cancel(uint256 seed) external {
        (bool found, uint256 i) = _find(seed, IInferenceCoordinator.RequestStatus.Open);
        if (!found) return;
        _act(_tracked[i].terms.requester, abi.encodeCall(InferenceCoordinator.cancel, (_tracked[i].id, _tracked[i].terms)));
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

    function withdraw(uint256 seed) external {
        address who = accounts[seed % accounts.length];
        if (_coordinator.balanceOf(who) == 0) return;
        vm.prank(who);
        _coordinator.withdraw();
        ++calls[this.withdraw.selector];
    }

    function withdrawModelEarnings() external {
        if (_coordinator.modelEarnings(_modelId) == 0) return;
        vm.prank(_modelOwner);
        _coordinator.withdrawModelEarnings(_modelId);
        ++calls[this.withdrawModelEarnings.selector];
    }

    function withdrawProtocolFees() external {
        if (_coordinator.protocolFees() == 0) return;
        _coordinator.withdrawProtocolFees();
        ++calls[this.withdrawProtocolFees.selector];
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
            status == IInferenceCoordinator.RequestStatus.Open || status == IInferenceCoordinator.RequestStatus.Claimed
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
                && (
                    s.status == IInferenceCoordinator.RequestStatus.Claimed
                        || s.status == IInferenceCoordinator.RequestStatus.Pending
                        || s.status == IInferenceCoordinator.RequestStatus.Disputed
                )
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

    function _act(address who, bytes memory data) private {
        _actOn(address(_coordinator), who, data);
    }

    /// @dev Calls `target` (the coordinator or its dispute game) as `who`; the coordinator's events are counted either way.
    function _actOn(address target, address who, bytes memory data) private {
        vm.recordLogs();
        vm.prank(who);
        (bool ok,) = target.call(data);
        if (ok) _scanLogs();
    }

    /// @dev Counts answers and settlements per request from the events, and returns the terms of a new request.
    function _scanLogs() private returns (IInferenceCoordinator.RequestTerms memory terms) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(_coordinator)) continue;
            bytes32 topic = logs[i].topics[0];
            if (topic == IInferenceCoordinator.RequestCreated.selector) {
                (terms,) = abi.decode(logs[i].data, (IInferenceCoordinator.RequestTerms, bytes));
            } else if (
                topic == IInferenceCoordinator.RequestFulfilled.selector
                    || topic == IInferenceCoordinator.CachedRequestFulfilled.selector
            ) {
                uint256 id = uint256(logs[i].topics[1]);
                ++totalAnswers;
                uint256 n = ++answers[id];
                if (n > maxAnswers) maxAnswers = n;
                n = ++settlements[id];
                if (n > maxSettlements) maxSettlements = n;
            } else if (topic == IInferenceCoordinator.RequestRefunded.selector) {
                uint256 n = ++settlements[uint256(logs[i].topics[1])];
                if (n > maxSettlements) maxSettlements = n;
            }
        }
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

    function _findWithSample(uint256 seed, IInferenceCoordinator.RequestStatus status)
        private
        view
        returns (bool, uint256)
    {
        uint256 n = _tracked.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (seed + k) % n;
            if (_tracked[i].sample != NO_SAMPLE && _state(_tracked[i].id).status == status) return (true, i);
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
