// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHalo2Verifier
/// @notice The entry point of an EZKL-generated Halo2 verifier.
interface IHalo2Verifier {
    /// @notice Whether `proof` proves the circuit for the public `instances`; may also revert on a bad proof.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}
