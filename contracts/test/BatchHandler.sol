// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "./utils/Test.sol";
import {InferenceCoordinator} from "../InferenceCoordinator.sol";
import {BatchFulfiller} from "../BatchFulfiller.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {FeeMath} from "../libraries/FeeMath.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";

/**
 * @dev The invariant tests' second handler (next to `CoordinatorHandler`, which is at its size limit):
 * batches. Zk requests of price-signal with the inputs of REAL batch proofs (full and partial) and of the
 * switchable model (random inputs), claimed several at a time by either relayer, answered with the REAL
 * batch proofs through price-signal's REAL batched verifier or with made-up outputs through the switchable
 * batched verifier (accepted only while `CoordinatorHandler.flipVerifier` left it accepting all), taken
 * first by the other relayer now and then, and expired or reopened when late; and optimistic price-signal
 * requests claimed in batches, posted several at a time (`submitOptimisticBatch`) and made final one at a
 * time or several at a time (`finalizeBatch`). Ghost
 * records: answers per request (from the coordinator's events).
 */
contract BatchHandler is Test {
    struct BatchSample {
        bytes[] inputs;
        uint256[] outputInstances;
        bytes proof;
    }

    struct Tracked {
        uint256 id;
        IInferenceCoordinator.RequestTerms terms;
        bytes input;
    }

    InferenceCoordinator private immutable _coordinator;
    BatchFulfiller private immutable _fulfiller;
    bytes32 private immutable _priceModel;
    bytes32 private immutable _switchModel;
    address[] private _requesters;
    address[] private _relayers;
    address[] private _consumers;
    BatchSample[] private _samples;
    Tracked[] private _tracked;

    mapping(uint256 requestId => uint256) public answers;
    uint256 public maxAnswers;
    uint256 public totalAnswers;
    mapping(bytes4 action => uint256) public calls;
    /// @dev The output each optimistic request was posted with (finalize passes it back).
    mapping(uint256 requestId => bytes) private _posted;

    constructor(
        InferenceCoordinator coordinator,
        bytes32 priceModel,
        bytes32 switchModel,
        address[] memory requesters,
        address[] memory relayers,
        address[] memory consumers
    ) {
        _coordinator = coordinator;
        // The coordinator's third creation (after its admin contract and dispute game).
        _fulfiller = BatchFulfiller(vm.computeCreateAddress(address(coordinator), 3));
        _priceModel = priceModel;
        _switchModel = switchModel;
        _requesters = requesters;
        _relayers = relayers;
        _consumers = consumers;
    }

    function addSample(bytes[] calldata inputs, uint256[] calldata outputInstances, bytes calldata proof) external {
        _samples.push(BatchSample(inputs, outputInstances, proof));
    }

    // ------------------------------------------------------------------ actions

    /// @dev `count` zk requests of the switchable model with random inputs.
    function requestSwitchable(uint256 seed, uint8 count) external {
        for (uint256 i; i < bound(count, 1, 8); ++i) {
            _request(
                _switchModel,
                TensorCodec.encode(_randomInput(seed + i)),
                seed + i,
                IInferenceCoordinator.ProofMode.Zk
            );
        }
        ++calls[this.requestSwitchable.selector];
    }

    /// @dev `count` optimistic requests of price-signal with random inputs.
    function requestOptimistic(uint256 seed, uint8 count) external {
        for (uint256 i; i < bound(count, 1, 8); ++i) {
            bytes memory input = TensorCodec.encode(_randomInput(seed + i));
            _request(_priceModel, input, seed + i, IInferenceCoordinator.ProofMode.Optimistic);
        }
        ++calls[this.requestOptimistic.selector];
    }

    /// @dev A relayer posts made-up answers to up to `size` Claimed optimistic requests in one call (the other
    /// relayer's are skipped); a random one of them gets an output of the wrong shape (skipped too).
    function postOptimisticBatch(uint256 seed, uint8 size) external {
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, ) = _collect(
            seed,
            size,
            IInferenceCoordinator.RequestStatus.Claimed,
            _priceModel,
            true
        );
        uint256 count = ids.length;
        if (count == 0) return;
        bytes[] memory outputs = new bytes[](count);
        uint256 misshapen = seed % (count + 1);
        for (uint256 i; i < count; ++i) {
            int256[] memory values = new int256[](i == misshapen ? 2 : terms[i].outputSize);
            values[0] = int256(uint256(keccak256(abi.encode(seed, i))) % 2 ** 30);
            outputs[i] = TensorCodec.encode(values);
        }
        if (_act(_pick(_relayers, seed), abi.encodeCall(BatchFulfiller.submitOptimisticBatch, (ids, terms, outputs)))) {
            for (uint256 i; i < count; ++i) {
                (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(ids[i]);
                if (s.status == IInferenceCoordinator.RequestStatus.Pending) _posted[ids[i]] = outputs[i];
            }
        }
        ++calls[this.postOptimisticBatch.selector];
    }

    /// @dev Finalizes a posted optimistic answer once its challenge window has passed.
    function finalizePosted(uint256 seed) external {
        uint256 n = _tracked.length;
        if (n == 0) return;
        Tracked storage t = _tracked[seed % n];
        (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(t.id);
        if (s.status != IInferenceCoordinator.RequestStatus.Pending) return;
        if (block.timestamp < s.phaseEndsAt) vm.warp(s.phaseEndsAt);
        _act(_pick(_requesters, seed), abi.encodeCall(InferenceCoordinator.finalize, (t.id, t.terms, _posted[t.id])));
        ++calls[this.finalizePosted.selector];
    }

    /// @dev Anyone makes up to `size` posted optimistic answers final in one call; those not yet due are skipped.
    function finalizePostedBatch(uint256 seed, uint8 size) external {
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, ) = _collect(
            seed,
            size,
            IInferenceCoordinator.RequestStatus.Pending,
            _priceModel,
            false
        );
        if (ids.length == 0) return;
        bytes[] memory outputs = new bytes[](ids.length);
        for (uint256 i; i < ids.length; ++i) outputs[i] = _posted[ids[i]];
        _act(_pick(_requesters, seed), abi.encodeCall(BatchFulfiller.finalizeBatch, (ids, terms, outputs)));
        ++calls[this.finalizePostedBatch.selector];
    }

    /// @dev A relayer claims up to `size` Open tracked requests in one call (the rest are skipped, e.g. taken).
    function claimBatch(uint256 seed, uint8 size) external {
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, ) = _collect(
            seed,
            size,
            IInferenceCoordinator.RequestStatus.Open,
            bytes32(0),
            false
        );
        if (ids.length == 0) return;
        _act(_pick(_relayers, seed), abi.encodeCall(BatchFulfiller.claimBatch, (ids, terms)));
        ++calls[this.claimBatch.selector];
    }

    /// @dev A relayer answers up to 8 Claimed switchable requests (its own and the other's, which are skipped)
    /// with made-up outputs and a junk proof.
    function fulfillSwitchableBatch(uint256 seed, uint8 size) external {
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, bytes[] memory inputs) = _collect(
            seed,
            size,
            IInferenceCoordinator.RequestStatus.Claimed,
            _switchModel,
            false
        );
        if (ids.length == 0) return;
        uint256[] memory outputs = new uint256[](8);
        for (uint256 r; r < 8; ++r) {
            outputs[r] = uint256(keccak256(abi.encode(seed, r))) % 2 ** 40;
        }
        _act(
            _pick(_relayers, seed),
            abi.encodeCall(BatchFulfiller.fulfillZkBatch, (_switchModel, ids, terms, inputs, outputs, hex"00"))
        );
        ++calls[this.fulfillSwitchableBatch.selector];
    }

    /// @dev Requests for every input of a real price-signal batch proof, claimed in one call by one relayer
    /// (the other may have claimed the first one before: `stealFirst`) and answered with the proof, now or late.
    function requestAndAnswerRealBatch(uint256 seed, bool stealFirst, uint16 delay) external {
        BatchSample storage b = _samples[seed % _samples.length];
        uint256 count = b.inputs.length;
        uint256[] memory ids = new uint256[](count);
        IInferenceCoordinator.RequestTerms[] memory terms = new IInferenceCoordinator.RequestTerms[](count);
        for (uint256 i; i < count; ++i) {
            // A pair already proven is answered from the cache: no batch this time.
            if (!_request(_priceModel, b.inputs[i], seed + i, IInferenceCoordinator.ProofMode.Zk)) return;
            (ids[i], terms[i]) = (_tracked[_tracked.length - 1].id, _tracked[_tracked.length - 1].terms);
        }
        address batcher = _pick(_relayers, seed);
        if (stealFirst) {
            address other = _relayers[((seed >> 16) + 1) % _relayers.length];
            _act(other, abi.encodeCall(BatchFulfiller.claimBatch, (_one(ids[0]), _oneTerms(terms[0]))));
        }
        _act(batcher, abi.encodeCall(BatchFulfiller.claimBatch, (ids, terms)));
        vm.warp(block.timestamp + delay);
        _act(
            batcher,
            abi.encodeCall(
                BatchFulfiller.fulfillZkBatch,
                (_priceModel, ids, terms, b.inputs, b.outputInstances, b.proof)
            )
        );
        ++calls[this.requestAndAnswerRealBatch.selector];
    }

    /// @dev Ends a late request: reopened once its claimant's delivery window passed, or expired past its deadline.
    function reopenOrExpire(uint256 seed) external {
        uint256 n = _tracked.length;
        if (n == 0) return;
        Tracked storage t = _tracked[seed % n];
        (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(t.id);
        if (s.status == IInferenceCoordinator.RequestStatus.Claimed && block.timestamp <= t.terms.deadline) {
            if (block.timestamp <= s.phaseEndsAt) vm.warp(s.phaseEndsAt + 1);
            _act(_pick(_requesters, seed), abi.encodeCall(InferenceCoordinator.reopen, (t.id, t.terms)));
        } else {
            if (block.timestamp <= t.terms.deadline) vm.warp(uint256(t.terms.deadline) + 1);
            _act(_pick(_requesters, seed), abi.encodeCall(InferenceCoordinator.expire, (t.id, t.terms)));
        }
        ++calls[this.reopenOrExpire.selector];
    }

    // ------------------------------------------------------------------ views for the invariants

    function trackedCount() external view returns (uint256) {
        return _tracked.length;
    }

    function trackedId(uint256 index) external view returns (uint256) {
        return _tracked[index].id;
    }

    /// @dev The escrow a tracked request still holds (batches never open disputes, so no challenge bond): until
    /// it is answered for good (a posted optimistic answer is not, until it is finalized).
    function heldBy(uint256 index) external view returns (uint256) {
        Tracked storage t = _tracked[index];
        (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(t.id);
        if (
            s.status == IInferenceCoordinator.RequestStatus.Open
            || s.status == IInferenceCoordinator.RequestStatus.Claimed
            || s.status == IInferenceCoordinator.RequestStatus.Pending
        ) {
            return FeeMath.escrow(t.terms.modelFee, t.terms.maxComputeFee, t.terms.protocolFeeBps);
        }
        return 0;
    }

    /// @dev The bond a tracked request holds locked in `relayer`'s stake.
    function lockedFor(uint256 index, address relayer) external view returns (uint256) {
        Tracked storage t = _tracked[index];
        (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(t.id);
        bool bonded =
            s.status == IInferenceCoordinator.RequestStatus.Claimed
                || s.status == IInferenceCoordinator.RequestStatus.Pending;
        return s.relayer == relayer && bonded ? t.terms.jobBond : 0;
    }

    // ------------------------------------------------------------------ internals

    /// @dev A request for `modelId` on `input` in `mode`, tracked when it is stored Open; false otherwise.
    function _request(
        bytes32 modelId,
        bytes memory input,
        uint256 seed,
        IInferenceCoordinator.ProofMode mode
    ) private returns (bool) {
        address from = _pick(_requesters, seed);
        uint256 pick = (seed >> 8) % (_consumers.length + 1);
        IInferenceCoordinator.RequestParams memory p = IInferenceCoordinator.RequestParams({
            modelId: modelId,
            proofMode: mode,
            startComputeFee: uint96(bound(seed >> 24, 0, 2e18)),
            maxComputeFee: uint96(bound(seed >> 80, 2e18, 6e18)),
            maxModelFee: type(uint96).max,
            jobBond: 0,
            challengeWindow: 0,
            callbackGasLimit: 100_000,
            maxOutputBytes: 0,
            deadline: uint40(block.timestamp + _coordinator.getParams().deliveryWindow + bound(seed >> 160, 0, 1 days)),
            consumer: pick == _consumers.length ? address(0) : _consumers[pick],
            referrer: address(0)
        });
        vm.recordLogs();
        vm.prank(from);
        try _coordinator.requestInference(p, input) returns (uint256 id) {
            IInferenceCoordinator.RequestTerms memory terms = _scanLogs();
            (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(id);
            if (terms.nonce == 0 || s.status != IInferenceCoordinator.RequestStatus.Open) return false;
            _tracked.push(Tracked(id, terms, input));
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Up to `size` (1..8) tracked requests in `status` (of `modelId` only, unless zero; optimistic ones only if
    /// `optimisticOnly`), from a random one.
    function _collect(
        uint256 seed,
        uint8 size,
        IInferenceCoordinator.RequestStatus status,
        bytes32 modelId,
        bool optimisticOnly
    )
        private
        view
        returns (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, bytes[] memory inputs)
    {
        uint256 n = _tracked.length;
        uint256 want = bound(size, 1, 8);
        ids = new uint256[](want);
        terms = new IInferenceCoordinator.RequestTerms[](want);
        inputs = new bytes[](want);
        uint256 count;
        for (uint256 k; k < n && count < want; ++k) {
            Tracked storage t = _tracked[(seed + k) % n];
            if (modelId != bytes32(0) && t.terms.modelId != modelId) continue;
            if (optimisticOnly && t.terms.proofMode != IInferenceCoordinator.ProofMode.Optimistic) continue;
            (, IInferenceCoordinator.RequestState memory s) = _coordinator.getRequest(t.id);
            if (s.status != status) continue;
            (ids[count], terms[count], inputs[count]) = (t.id, t.terms, t.input);
            ++count;
        }
        // Trims the arrays to the requests found.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(ids, count)
            mstore(terms, count)
            mstore(inputs, count)
        }
    }

    /// @dev Calls the batch fulfiller or the coordinator as `who`, counting the answers in the coordinator's events.
    function _act(address who, bytes memory data) private returns (bool ok) {
        // The coordinator's functions this handler calls; every other call is the batch fulfiller's.
        bytes4 selector = bytes4(data);
        bool toCoordinator =
            selector == InferenceCoordinator.reopen.selector
                || selector == InferenceCoordinator.expire.selector
                || selector == InferenceCoordinator.finalize.selector;
        address target = toCoordinator ? address(_coordinator) : address(_fulfiller);
        vm.recordLogs();
        vm.prank(who);
        (ok, ) = target.call(data);
        if (ok) _scanLogs();
    }

    /// @dev Counts answers per request from the coordinator's events; returns the terms of a new request.
    function _scanLogs() private returns (IInferenceCoordinator.RequestTerms memory terms) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(_coordinator)) continue;
            bytes32 topic = logs[i].topics[0];
            if (topic == IInferenceCoordinator.RequestCreated.selector) {
                (terms, ) = abi.decode(logs[i].data, (IInferenceCoordinator.RequestTerms, bytes));
            } else if (
                topic == IInferenceCoordinator.RequestFulfilled.selector
                || topic == IInferenceCoordinator.CachedRequestFulfilled.selector
            ) {
                ++totalAnswers;
                uint256 n = ++answers[uint256(logs[i].topics[1])];
                if (n > maxAnswers) maxAnswers = n;
            }
        }
    }

    function _one(uint256 id) private pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = id;
    }

    function _oneTerms(
        IInferenceCoordinator.RequestTerms memory t
    ) private pure returns (IInferenceCoordinator.RequestTerms[] memory terms) {
        terms = new IInferenceCoordinator.RequestTerms[](1);
        terms[0] = t;
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
}
