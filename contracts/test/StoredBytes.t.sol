// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {StoredBytes} from "../libraries/StoredBytes.sol";

contract StoredBytesHarness {
    function store(bytes32 slot, bytes calldata data) external {
        StoredBytes.store(slot, data);
    }

    /// @dev Stores `data` passed in the middle of other calldata, so that a short string's word read runs into what follows it.
    function storeBetween(bytes32 slot, bytes calldata data, bytes32 after_) external {
        StoredBytes.store(slot, data);
        after_;
    }

    function load(bytes32 slot) external view returns (bytes memory) {
        return StoredBytes.load(slot);
    }

    function isSet(bytes32 slot) external view returns (bool) {
        return StoredBytes.isSet(slot);
    }
}

contract StoredBytesTest is Test {
    StoredBytesHarness internal harness = new StoredBytesHarness();

    function testFuzz_loadsBackExactlyWhatWasStoredAtAnyLength(bytes32 slot, bytes memory data) public {
        vm.assume(data.length != 0);
        assertFalse(harness.isSet(slot));
        harness.storeBetween(slot, data, bytes32(type(uint256).max));
        assertTrue(harness.isSet(slot));
        assertEq(keccak256(harness.load(slot)), keccak256(data));
    }

    function test_aShortStringTakesOneSlotAndALongOneItsWordsAfterALengthSlot() public {
        bytes memory short_ = hex"0201f4fffe";
        harness.store(bytes32(uint256(1)), short_);
        assertEq(uint256(vm.load(address(harness), bytes32(uint256(2)))), 0);
        assertEq(keccak256(harness.load(bytes32(uint256(1)))), keccak256(short_));
        bytes memory long_ = new bytes(33);
        long_[0] = 0x01;
        long_[32] = 0xaa;
        harness.store(bytes32(uint256(10)), long_);
        assertEq(uint256(vm.load(address(harness), bytes32(uint256(10)))), (33 << 8) | 32);
        assertEq(keccak256(harness.load(bytes32(uint256(10)))), keccak256(long_));
    }

    function test_loadsNothingFromAnEmptySlot() public view {
        assertEq(harness.load(bytes32(uint256(7))).length, 0);
        assertFalse(harness.isSet(bytes32(uint256(7))));
    }
}
