// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {InstanceEncoding} from "../libraries/InstanceEncoding.sol";
import {InstanceEncodingHarness} from "./harness/InstanceEncodingHarness.sol";

contract InstanceEncodingTest is Test {
    uint256 private constant P = InstanceEncoding.FIELD_MODULUS;
    int256 private constant MAX = int256(InstanceEncoding.MAX_ABS_VALUE);
    InstanceEncodingHarness private harness;

    function setUp() public {
        harness = new InstanceEncodingHarness();
    }

    function test_negativeValueMapsToModulusMinusMagnitude() public view {
        assertEq(harness.toField(-1), P - 1);
        assertEq(harness.toField(-256), P - 256);
        assertEq(harness.toField(0), 0);
        assertEq(harness.toField(7), 7);
    }

    function test_extremesRoundTrip() public view {
        assertEq(harness.toField(MAX), uint256(MAX));
        assertEq(harness.toField(-MAX), P - uint256(MAX));
        assertEq(harness.fromField(uint256(MAX)), MAX);
        assertEq(harness.fromField(uint256(MAX) + 1), -MAX);
    }

    function test_valuesBeyondTheFieldRevert() public {
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.ValueOutsideField.selector, MAX + 1));
        harness.toField(MAX + 1);
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.ValueOutsideField.selector, -MAX - 1));
        harness.toField(-MAX - 1);
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.ValueOutsideField.selector, type(int256).min));
        harness.toField(type(int256).min);
    }

    function test_nonCanonicalElementReverts() public {
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.NonCanonicalFieldElement.selector, P));
        harness.fromField(P);
    }

    function test_readOutputsChecksTheInstanceCount() public {
        uint256[] memory instances = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.InstanceCountMismatch.selector, 4, 3));
        harness.readOutputs(instances, 2, 2);
    }

    function testFuzz_signedValuesRoundTrip(int256 value) public view {
        value = bound(value, -MAX, MAX);
        assertEq(harness.fromField(harness.toField(value)), value);
    }

    function testFuzz_fieldElementsRoundTrip(uint256 element) public view {
        element = bound(element, 0, P - 1);
        assertEq(harness.toField(harness.fromField(element)), element);
    }

    function testFuzz_instancesCarryInputsThenOutputs(int64[] memory rawInputs, int64[] memory rawOutputs) public {
        vm.assume(rawInputs.length <= 32 && rawOutputs.length <= 8);
        int256[] memory inputs = _widen(rawInputs);
        int256[] memory outputs = _widen(rawOutputs);
        uint256[] memory instances = InstanceEncoding.buildInstances(inputs, outputs);
        assertEq(instances.length, inputs.length + outputs.length);
        for (uint256 i; i < inputs.length; ++i) {
            assertEq(harness.fromField(instances[i]), inputs[i]);
        }
        int256[] memory decoded = harness.readOutputs(instances, inputs.length, outputs.length);
        for (uint256 i; i < outputs.length; ++i) {
            assertEq(decoded[i], outputs[i]);
        }
    }

    function _widen(int64[] memory values) private pure returns (int256[] memory widened) {
        widened = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) {
            widened[i] = values[i];
        }
    }
}
