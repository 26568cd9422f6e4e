// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {ModelKind} from "../types/ModelKind.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {RequestTermsLib} from "../libraries/RequestTermsLib.sol";
import {RequestTermsHarness} from "./harness/RequestTermsHarness.sol";

/// @dev A request's terms as a value: their hash is the request's id, and `raise` is the only rewrite.
contract RequestTermsLibTest is HighwayFixture {
    using RequestTermsLib for IInferenceCoordinator.RequestTerms;

    RequestTermsHarness internal harness;

    function setUp() public override {
        super.setUp();
        harness = new RequestTermsHarness();
    }

    /// Fuzzed terms (every field, the proof mode within its enum).
    function _terms(
        bytes32 seed,
        uint96 fee,
        uint40 time,
        uint32 window,
        uint16 bps,
        bool optimistic
    ) internal pure returns (IInferenceCoordinator.RequestTerms memory t) {
        t = IInferenceCoordinator.RequestTerms({
            modelId: seed,
            inputHash: keccak256(abi.encode(seed)),
            requester: address(uint160(uint256(seed))),
            consumer: address(uint160(uint256(seed) >> 8)),
            referrer: address(uint160(uint256(seed) >> 16)),
            parentModelId: ~seed,
            modelFee: fee,
            startComputeFee: fee / 3,
            maxComputeFee: fee / 2,
            jobBond: ~fee,
            challengeBond: fee ^ 0xFFFF,
            createdAt: time,
            deadline: ~time,
            auctionDuration: window,
            deliveryWindow: ~window,
            challengeWindow: window / 2,
            defenceWindow: window / 3,
            callbackGasLimit: window ^ 0xFFFF,
            protocolFeeBps: bps,
            lateSlashBps: bps ^ 0x0F0F,
            disputeProtocolShareBps: bps / 3,
            parentShareBps: ~bps,
            referralShareBps: bps / 2,
            outputSize: window ^ 0xABCD,
            modelKind: window & 1 == 0 ? ModelKind.Circuit : ModelKind.Language,
            proofMode: optimistic ? IInferenceCoordinator.ProofMode.Optimistic : IInferenceCoordinator.ProofMode.Zk,
            nonce: ~time
        });
    }

    function testFuzz_hashIsTheHashOfTheEncodingAndTheId(
        bytes32 seed,
        uint96 fee,
        uint40 time,
        uint32 window,
        uint16 bps,
        bool optimistic
    ) public view {
        IInferenceCoordinator.RequestTerms memory t = _terms(seed, fee, time, window, bps, optimistic);
        bytes memory encoded = abi.encode(t);
        assertEq(encoded.length, RequestTermsLib.ENCODED_LENGTH);
        assertEq(t.hash(), keccak256(encoded));
        assertEq(t.id(), uint256(keccak256(encoded)));
        assertEq(harness.hashCalldata(t), keccak256(encoded));
    }

    function test_theIdOfARequestIsTheHashOfItsTerms() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(0)
        );
        assertEq(t.id(), id);
        assertEq(harness.hashCalldata(t), bytes32(id));
        (bytes32 termsHash, ) = coordinator.getRequest(id);
        assertEq(termsHash, t.hash());
    }

    function testFuzz_raiseIsTheTermsWithTheNewMaxComputeFee(
        bytes32 seed,
        uint96 fee,
        uint40 time,
        uint32 window,
        uint16 bps,
        bool optimistic,
        uint96 newMaxComputeFee
    ) public view {
        IInferenceCoordinator.RequestTerms memory t = _terms(seed, fee, time, window, bps, optimistic);
        (IInferenceCoordinator.RequestTerms memory raised, bytes32 raisedHash) = harness.raise(t, newMaxComputeFee);
        // Re-encoded by hand: the old terms with the new maxComputeFee, nothing else.
        t.maxComputeFee = newMaxComputeFee;
        assertEq(raisedHash, keccak256(abi.encode(t)));
        assertEq(abi.encode(raised), abi.encode(t));
    }

    function testFuzz_raisedHashOfCalldataTermsIsTheHashOfTheRaisedTerms(
        bytes32 seed,
        uint96 fee,
        uint40 time,
        uint32 window,
        uint16 bps,
        bool optimistic,
        uint96 newMaxComputeFee
    ) public view {
        IInferenceCoordinator.RequestTerms memory t = _terms(seed, fee, time, window, bps, optimistic);
        bytes32 fromCalldata = harness.raisedHashCalldata(t, newMaxComputeFee);
        t.maxComputeFee = newMaxComputeFee;
        assertEq(fromCalldata, keccak256(abi.encode(t)));
    }

    function test_raisedTermsAreTheOnesTheCoordinatorChecksAgainst() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(0)
        );
        vm.prank(requester);
        coordinator.raiseMaxComputeFee(id, t, 9e18);
        (IInferenceCoordinator.RequestTerms memory raised, bytes32 raisedHash) = harness.raise(t, 9e18);
        (bytes32 termsHash, ) = coordinator.getRequest(id);
        assertEq(termsHash, raisedHash);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        coordinator.claim(id, t);
        claimAs(relayer, id, raised);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
    }

    /// Terms with a dirty field (bits beyond its type) are not the terms of any request.
    function test_termsWithADirtyFieldMatchNoRequest() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(0)
        );
        bytes memory call = abi.encodeCall(coordinator.claim, (id, t));
        // Word 18 of the terms (after the selector and the id) is `protocolFeeBps`, a uint16: set a bit above it.
        uint256 offset = 4 + 32 + 18 * 32;
        assertEq(uint256(bytes32(_slice(call, offset))), t.protocolFeeBps);
        call[offset + 29] = 0x01;
        vm.prank(relayer);
        (bool ok, bytes memory reason) = address(coordinator).call(call);
        assertFalse(ok);
        assertEq(reason, abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        bytes memory dirty = new bytes(RequestTermsLib.ENCODED_LENGTH);
        for (uint256 i; i < dirty.length; ++i) {
            dirty[i] = call[4 + 32 + i];
        }
        (ok, reason) = address(harness).staticcall(abi.encodePacked(harness.hashCalldata.selector, dirty));
        assertTrue(ok);
        assertTrue(abi.decode(reason, (bytes32)) != t.hash());
    }

    function _slice(bytes memory data, uint256 offset) private pure returns (bytes memory word) {
        word = new bytes(32);
        for (uint256 i; i < 32; ++i) {
            word[i] = data[offset + i];
        }
    }
}
