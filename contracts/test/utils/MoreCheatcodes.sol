// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Cheatcodes of Hardhat 3's Solidity test runner (the Foundry set) beyond those `Vm` in Test.sol
/// declares, at the same address: `MoreCheatcodes(address(vm))`.
// A cheatcode interface, named like forge-std's `Vm` that it extends.
// solhint-disable-next-line interface-starts-with-i
interface MoreCheatcodes {
    function expectCall(address callee, bytes calldata data) external;
    function skip(bool skipTest, string calldata reason) external;
    function snapshotState() external returns (uint256 snapshotId);
    function revertToState(uint256 snapshotId) external returns (bool success);
    function setBlockhash(uint256 blockNumber, bytes32 blockHash) external;
}
