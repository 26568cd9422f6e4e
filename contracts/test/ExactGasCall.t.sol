// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {ExactGasCall} from "../libraries/ExactGasCall.sol";
import {HugeReturnConsumer} from "./mocks/Consumers.sol";

contract ExactGasCallHarness {
    function call(
        address target,
        uint256 gasLimit,
        bytes memory data
    ) external returns (bool success, uint256 gasUsed, bytes memory returnData) {
        return ExactGasCall.call(target, gasLimit, data);
    }
}

/// @dev Reports the gas it received, then reverts with a reason of `size` bytes.
contract GasReporter {
    uint256 public received;

    function report() external {
        received = gasleft();
    }

    function fail(uint256 size) external pure {
        bytes memory reason = new bytes(size);
        assembly {
            revert(add(reason, 32), size)
        }
    }
}

contract ExactGasCallTest is Test {
    ExactGasCallHarness private harness;
    GasReporter private reporter;

    function setUp() public {
        harness = new ExactGasCallHarness();
        reporter = new GasReporter();
    }

    function test_hugeReturnDataIsCappedAtMaxReturnBytes() public {
        HugeReturnConsumer target = new HugeReturnConsumer();
        (bool ok, , bytes memory ret) = harness.call(address(target), 200_000, "");
        assertTrue(ok);
        assertEq(ret.length, ExactGasCall.MAX_RETURN_BYTES);
    }

    function test_shortRevertDataIsKeptWhole() public {
        (bool ok, , bytes memory ret) = harness.call(
            address(reporter),
            100_000,
            abi.encodeCall(GasReporter.fail, (40))
        );
        assertFalse(ok);
        assertEq(ret.length, 40);
    }

    function test_targetWithoutCodeIsNotCalled() public {
        (bool ok, uint256 used, bytes memory ret) = harness.call(address(0xDEAD), 100_000, "");
        assertTrue(ok);
        assertEq(used, 0);
        assertEq(ret.length, 0);
    }

    function test_tooLittleGasRevertsTheCaller() public {
        vm.expectRevert();
        harness.call{gas: 90_000}(address(reporter), 100_000, abi.encodeCall(GasReporter.report, ()));
    }

    function testFuzz_calleeReceivesExactlyTheLimit(uint256 gasLimit) public {
        gasLimit = bound(gasLimit, 30_000, 1_000_000);
        (bool ok, , ) = harness.call(address(reporter), gasLimit, abi.encodeCall(GasReporter.report, ()));
        assertTrue(ok);
        uint256 received = reporter.received();
        assertLe(received, gasLimit);
        assertGt(received, gasLimit - 1_000);
    }

    function testFuzz_eitherExactGasOrRevert(uint256 gasLimit, uint256 sent) public {
        gasLimit = bound(gasLimit, 30_000, 500_000);
        sent = bound(sent, 20_000, 700_000);
        try harness.call{gas: sent}(address(reporter), gasLimit, abi.encodeCall(GasReporter.report, ())) returns (
            bool ok,
            uint256,
            bytes memory
        ) {
            assertTrue(ok);
            assertGt(reporter.received(), gasLimit - 1_000);
        } catch {}
    }
}
