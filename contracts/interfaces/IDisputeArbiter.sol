// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IDisputeArbiter
 * @notice Settles disputes over optimistic results of models without a verifier (a later
 * step: a committee of staked relayers re-executing). Unused for now: until an arbiter
 * exists every model registers with a verifier.
 */
interface IDisputeArbiter {
    /// @notice Opens the arbitration of request `requestId`'s optimistic `output` for `input`.
    function openDispute(uint256 requestId, bytes32 modelId, bytes calldata input, int256[] calldata output)
        external
        returns (uint256 disputeId);

    /// @notice Whether arbitration `disputeId` has ended and, if so, whether the relayer's output stood.
    function verdict(uint256 disputeId) external view returns (bool decided, bool relayerWasRight);
}
