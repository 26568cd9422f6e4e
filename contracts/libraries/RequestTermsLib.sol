// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title RequestTermsLib
 * @notice What a request's terms mean as a value: their hash is the request's id (while never
 * raised) or its stored terms hash (once raised), and `raise` is the one rule that changes
 * them. `using RequestTermsLib for IInferenceCoordinator.RequestTerms`.
 * @dev The TypeScript mirror is `sdk/terms.ts` (`termsHash`, `raiseTerms`); the tests check both
 * against the same encoding. Solidity cannot overload on data location, hence `hashCalldata`:
 * the terms every call passes are hashed in place, without a copy to memory.
 */
library RequestTermsLib {
    /// @notice The length of `abi.encode(terms)`: 27 static fields, one word each.
    uint256 internal constant ENCODED_LENGTH = 27 * 32;
    /// @notice Where `maxComputeFee` (field 8) starts in `abi.encode(terms)`.
    uint256 internal constant MAX_COMPUTE_FEE_OFFSET = 8 * 32;

    /// @notice `keccak256(abi.encode(terms))`: the id of a request made with `terms` (as bytes32).
    /// @dev Every field is static, so a memory struct is laid out exactly as its ABI encoding (one
    /// clean word per field, in order): hashing those words is hashing the encoding, without copying it.
    function hash(IInferenceCoordinator.RequestTerms memory terms) internal pure returns (bytes32 h) {
        // The struct's memory words are its ABI encoding: hashing them in place saves abi.encode's copy.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            h := keccak256(terms, ENCODED_LENGTH)
        }
    }

    /// @notice `hash`, for terms passed in calldata: the hash of their encoded bytes as passed.
    /// @dev Canonical terms are their own encoding, so this equals `hash`. Terms with a dirty field
    /// (bits beyond its type) hash to something else than any id or stored terms hash, which were all
    /// computed from canonical encodings: they are refused as a `TermsMismatch` like any wrong terms.
    function hashCalldata(IInferenceCoordinator.RequestTerms calldata terms) internal pure returns (bytes32 h) {
        // Hashes the terms' calldata bytes as passed, without decoding them into a memory struct first.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, terms, ENCODED_LENGTH)
            h := keccak256(ptr, ENCODED_LENGTH)
        }
    }

    /// @notice The id of a request made with `terms`: `uint256(hash(terms))`.
    function id(IInferenceCoordinator.RequestTerms memory terms) internal pure returns (uint256) {
        return uint256(hash(terms));
    }

    /// @notice `hash(raise(terms, newMaxComputeFee))`, computed on a copy of the calldata encoding with one
    /// word replaced (decoding all 27 fields into a memory struct costs code the coordinator has no room for).
    function raisedHash(
        IInferenceCoordinator.RequestTerms calldata terms,
        uint96 newMaxComputeFee
    ) internal pure returns (bytes32 h) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, terms, ENCODED_LENGTH)
            mstore(add(ptr, MAX_COMPUTE_FEE_OFFSET), newMaxComputeFee)
            h := keccak256(ptr, ENCODED_LENGTH)
        }
    }

    /// @notice The terms after `raiseMaxComputeFee(newMaxComputeFee)`: the same terms with the new
    /// `maxComputeFee` and nothing else changed (the escrow top-up is the coordinator's business).
    function raise(
        IInferenceCoordinator.RequestTerms calldata terms,
        uint96 newMaxComputeFee
    ) internal pure returns (IInferenceCoordinator.RequestTerms memory raised) {
        raised = terms;
        raised.maxComputeFee = newMaxComputeFee;
    }
}
