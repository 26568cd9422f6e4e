// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ExactGasCall
 * @notice Calls a contract with exactly a given amount of gas, or not at all, and keeps at
 * most `MAX_RETURN_BYTES` of what it returns, so the callee can neither be starved by the
 * caller nor grief the caller with huge return data.
 */
library ExactGasCall {
    /// @notice Gas kept back for the work between the check and the CALL itself (cold account
    /// access, memory expansion, stack set-up), on top of the 1/64 the EVM withholds.
    uint256 internal constant CUSHION = 5_000;

    /// @notice The most return data copied to memory.
    uint256 internal constant MAX_RETURN_BYTES = 256;

    /// @notice Less than `gasLimit` could reach the callee: the caller sent too little gas.
    error InsufficientGasForCall(uint256 gasLimit, uint256 gasLeft);

    /**
     * @notice Calls `target` with `data` and exactly `gasLimit` gas.
     * @dev Reverts the whole transaction with `InsufficientGasForCall` when, after keeping
     * `CUSHION`, 63/64 of the remaining gas would be less than `gasLimit`. A `target`
     * without code is not called and counts as a success.
     * @return success Whether the call returned without reverting.
     * @return gasUsed The gas the call consumed (including the call's own overhead).
     * @return returnData The first `MAX_RETURN_BYTES` bytes of what the call returned or reverted with.
     */
    function call(
        address target,
        uint256 gasLimit,
        bytes memory data
    ) internal returns (bool success, uint256 gasUsed, bytes memory returnData) {
        if (target.code.length == 0) return (true, 0, "");
        uint256 available = gasleft();
        if (available < CUSHION || (available - CUSHION) - (available - CUSHION) / 64 < gasLimit) {
            revert InsufficientGasForCall(gasLimit, available);
        }
        returnData = new bytes(MAX_RETURN_BYTES);
        uint256 before = gasleft();
        // Assembly is this library's point: a CALL with exactly `gasLimit` gas, copying at most MAX_RETURN_BYTES back.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            success := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
            let size := returndatasize()
            if gt(size, MAX_RETURN_BYTES) {
                size := MAX_RETURN_BYTES
            }
            returndatacopy(add(returnData, 0x20), 0, size)
            mstore(returnData, size)
        }
        gasUsed = before - gasleft();
    }
}
