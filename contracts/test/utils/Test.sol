// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev The cheatcodes of Hardhat 3's Solidity test runner (the Foundry set) that our tests use.
// forge-std's name for the cheatcode interface, which forge-style tests expect.
// solhint-disable-next-line interface-starts-with-i
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function addr(uint256 privateKey) external pure returns (address);
    function assume(bool condition) external pure;
    function computeCreateAddress(address deployer, uint256 nonce) external pure returns (address);
    function deal(address account, uint256 newBalance) external;
    function etch(address target, bytes calldata newRuntimeBytecode) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    function expectRevert() external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert(bytes calldata revertData) external;
    function getRecordedLogs() external returns (Log[] memory);
    function getNonce(address account) external view returns (uint64);
    function label(address account, string calldata newLabel) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function parseInt(string calldata value) external pure returns (int256);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonStringArray(string calldata json, string calldata key) external pure returns (string[] memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseUint(string calldata value) external pure returns (uint256);
    function prank(address msgSender) external;
    function readFile(string calldata path) external view returns (string memory);
    function recordLogs() external;
    function roll(uint256 newHeight) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function toString(uint256 value) external pure returns (string memory);
    function warp(uint256 newTimestamp) external;
}

/**
 * @title Test
 * @notice The base of Highway's Solidity unit, fuzz and invariant tests: cheatcodes,
 * assertions that revert with the values compared, `bound` for fuzz inputs, and the
 * target registry the invariant runner reads.
 * @dev A small replacement for forge-std, whose only npm build (1.1.2) is incomplete:
 * it lacks the ds-test files its Test.sol imports.
 */
abstract contract Test {
    // forge-std's name for the cheatcode handle: `vm.prank(...)` as in every forge-style test.
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address[] private _targetedContracts;
    address[] private _excludedSenders;

    // ---------------------------------------------------------------- invariants

    /// @dev Lets the invariant runner call only `target`'s functions.
    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    /// @dev Keeps `sender` (a contract under test, say) out of the random callers.
    function excludeSender(address sender) internal {
        _excludedSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludedSenders;
    }

    // ---------------------------------------------------------------- fuzz inputs

    /// @dev Maps any `value` into [min, max], keeping values already inside unchanged.
    function bound(uint256 value, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (value >= min && value <= max) return value;
        uint256 span = max - min;
        if (span == type(uint256).max) return value;
        return min + (value % (span + 1));
    }

    /// @dev Maps any signed `value` into [min, max], keeping values already inside unchanged.
    function bound(int256 value, int256 min, int256 max) internal pure returns (int256) {
        require(min <= max, "bound: min > max");
        if (value >= min && value <= max) return value;
        // Shift to unsigned order (flip the sign bit), bound there, and shift back.
        uint256 shifted = bound(_toOrdered(value), _toOrdered(min), _toOrdered(max));
        return int256(shifted ^ (1 << 255));
    }

    function _toOrdered(int256 value) private pure returns (uint256) {
        return uint256(value) ^ (1 << 255);
    }

    // ---------------------------------------------------------------- assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool condition) internal pure {
        if (!condition) fail("assertion failed: expected true");
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        if (condition) fail("assertion failed: expected false");
    }

    function assertEq(uint256 actual, uint256 expected) internal pure {
        if (actual != expected) fail(_mismatch("uint", _str(actual), _str(expected)));
    }

    function assertEq(uint256 actual, uint256 expected, string memory message) internal pure {
        if (actual != expected) fail(string.concat(message, ": ", _mismatch("uint", _str(actual), _str(expected))));
    }

    function assertEq(int256 actual, int256 expected) internal pure {
        if (actual != expected) fail(_mismatch("int", _str(actual), _str(expected)));
    }

    function assertEq(int256 actual, int256 expected, string memory message) internal pure {
        if (actual != expected) fail(string.concat(message, ": ", _mismatch("int", _str(actual), _str(expected))));
    }

    function assertEq(address actual, address expected) internal pure {
        if (actual != expected) fail(_mismatch("address", _str(uint160(actual)), _str(uint160(expected))));
    }

    function assertEq(bytes32 actual, bytes32 expected) internal pure {
        if (actual != expected) fail(_mismatch("bytes32", _str(uint256(actual)), _str(uint256(expected))));
    }

    function assertEq(bool actual, bool expected) internal pure {
        if (actual != expected) fail(_mismatch("bool", actual ? "true" : "false", expected ? "true" : "false"));
    }

    function assertEq(bytes memory actual, bytes memory expected) internal pure {
        if (keccak256(actual) != keccak256(expected)) fail("assertion failed: bytes differ");
    }

    function assertEq(int256[] memory actual, int256[] memory expected) internal pure {
        assertEq(actual.length, expected.length, "array length");
        for (uint256 i; i < actual.length; ++i) {
            assertEq(actual[i], expected[i], string.concat("element ", _str(i)));
        }
    }

    function assertLe(uint256 actual, uint256 limit) internal pure {
        if (actual > limit) fail(string.concat("assertion failed: ", _str(actual), " > ", _str(limit)));
    }

    function assertLe(uint256 actual, uint256 limit, string memory message) internal pure {
        if (actual > limit) fail(string.concat(message, ": ", _str(actual), " > ", _str(limit)));
    }

    function assertGe(uint256 actual, uint256 limit) internal pure {
        if (actual < limit) fail(string.concat("assertion failed: ", _str(actual), " < ", _str(limit)));
    }

    function assertGt(uint256 actual, uint256 limit) internal pure {
        if (actual <= limit) fail(string.concat("assertion failed: ", _str(actual), " <= ", _str(limit)));
    }

    function assertLt(uint256 actual, uint256 limit) internal pure {
        if (actual >= limit) fail(string.concat("assertion failed: ", _str(actual), " >= ", _str(limit)));
    }

    function _mismatch(
        string memory kind,
        string memory actual,
        string memory expected
    ) private pure returns (string memory) {
        return string.concat("assertion failed (", kind, "): got ", actual, ", expected ", expected);
    }

    function _str(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        bytes memory digits = new bytes(78);
        uint256 length;
        while (value != 0) {
            digits[length++] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
        bytes memory out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            out[i] = digits[length - 1 - i];
        }
        return string(out);
    }

    function _str(int256 value) private pure returns (string memory) {
        if (value >= 0) return _str(uint256(value));
        return string.concat("-", _str(uint256(-(value + 1)) + 1));
    }
}
