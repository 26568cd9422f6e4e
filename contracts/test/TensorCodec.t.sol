// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Tensors} from "./utils/Tensors.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";
import {InstanceEncoding} from "../libraries/InstanceEncoding.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {CodecHarness} from "./harness/CodecHarness.sol";

/// @dev The tensor encoding of circuit models' inputs and outputs: widths, canonical outputs, malformed tensors.
contract TensorCodecTest is Test {
    int256 private constant MAX = int256(InstanceEncoding.MAX_ABS_VALUE);
    uint256 private constant P = InstanceEncoding.FIELD_MODULUS;
    CodecHarness private codec;

    function setUp() public {
        codec = new CodecHarness();
    }

    function _one(int256 v) private pure returns (int256[] memory out) {
        out = new int256[](1);
        out[0] = v;
    }

    /// @dev The bounds of a `width`-byte value that has a field image.
    function _range(uint256 width) private pure returns (int256 lo, int256 hi) {
        if (width == 32) return (-MAX, MAX);
        hi = int256(uint256(1) << (8 * width - 1)) - 1;
        lo = -hi - 1;
    }

    function _fits(int256 v, uint256 width) private pure returns (bool) {
        if (width == 32) return true;
        (int256 lo, int256 hi) = _range(width);
        return v >= lo && v <= hi;
    }

    // ------------------------------------------------------------------ vectors

    function test_encodeUsesTheSmallestWidthEveryValueFits() public pure {
        assertEq(TensorCodec.encode(_one(0)), hex"0100");
        assertEq(TensorCodec.encode(_one(127)), hex"017f");
        assertEq(TensorCodec.encode(_one(-128)), hex"0180");
        assertEq(TensorCodec.encode(_one(128)), hex"020080");
        assertEq(TensorCodec.encode(_one(-129)), hex"02ff7f");
        assertEq(TensorCodec.encode(_one(32_768)), hex"0400008000");
        assertEq(TensorCodec.encode(_one(-2 ** 31 - 1)), hex"08ffffffff7fffffff");
        assertEq(
            TensorCodec.encode(_one(int256(type(int64).max) + 1)),
            abi.encodePacked(uint8(16), uint64(0), uint64(1 << 63))
        );
        assertEq(
            TensorCodec.encode(_one(int256(type(int128).max) + 1)),
            abi.encodePacked(uint8(32), uint256(1) << 127)
        );
        assertEq(TensorCodec.encode(_one(type(int256).min)), abi.encodePacked(uint8(32), uint256(1) << 255));
        // The widest value sets the width of all.
        int256[] memory mixed = new int256[](3);
        (mixed[0], mixed[1], mixed[2]) = (1, -1, 300);
        assertEq(TensorCodec.encode(mixed), hex"020001ffff012c");
    }

    function test_decodeSignExtendsEachValue() public view {
        assertEq(codec.decode(hex"01ff"), _one(-1));
        assertEq(codec.decode(hex"02ff00"), _one(-256));
        assertEq(codec.decode(hex"028000"), _one(-32_768));
        assertEq(codec.decode(hex"027fff"), _one(32_767));
        assertEq(codec.values(hex"028000"), _one(-32_768));
        int256[] memory two = new int256[](2);
        (two[0], two[1]) = (-2, 3);
        assertEq(codec.decode(hex"04fffffffe00000003"), two);
        assertEq(codec.values(hex"04fffffffe00000003"), two);
    }

    function test_theWidthsArePowersOfTwoUpTo32() public view {
        for (uint256 w; w < 256; ++w) {
            bytes memory t = abi.encodePacked(uint8(w), new bytes(w == 0 ? 1 : w));
            bool isWidth = w == 1 || w == 2 || w == 4 || w == 8 || w == 16 || w == 32;
            try codec.shape(t) returns (uint256 width, uint256 count) {
                assertTrue(isWidth, "accepted a width that is not one");
                assertEq(width, w);
                assertEq(count, 1);
            } catch (bytes memory reason) {
                assertTrue(!isWidth, "refused a width");
                assertEq(reason, abi.encodeWithSelector(IHighwayErrors.MalformedTensor.selector));
            }
        }
    }

    function test_malformedTensorsAreRefusedByEveryReader() public {
        bytes[7] memory bad = [
            bytes(""),
            hex"01", // a header and no value
            hex"20", // the same, 32 wide
            hex"0000", // width 0
            hex"03000000", // width 3
            hex"020001ff", // a ragged body: 3 bytes of 2-byte values
            hex"4000" // width 64
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            codec.shape(bad[i]);
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            codec.decode(bad[i]);
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            codec.checkInput(bad[i], 1, 0);
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            codec.checkOutput(bad[i], 1);
        }
        // The encoding of no value at all is a header alone: malformed.
        bytes memory empty = TensorCodec.encode(new int256[](0));
        assertEq(empty, hex"01");
        vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
        codec.decode(empty);
    }

    // ------------------------------------------------------------------ outputs

    function test_anOutputMustHaveTheModelsCountInItsSmallestWidth() public {
        int256[] memory two = new int256[](2);
        (two[0], two[1]) = (5, -300);
        codec.checkOutput(TensorCodec.encode(two), 2);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputLengthMismatch.selector, 1, 2));
        codec.checkOutput(TensorCodec.encode(two), 1);
        vm.expectRevert(IHighwayErrors.NonCanonicalOutput.selector);
        codec.checkOutput(Tensors.ofWidth(two, 4), 2);
        // Width 1 is the smallest: always canonical.
        codec.checkOutput(hex"01ff", 1);
        // 32 bytes wide only for a value no narrower width holds, and it must have a field image.
        codec.checkOutput(TensorCodec.encode(_one(MAX)), 1);
        codec.checkOutput(TensorCodec.encode(_one(-MAX)), 1);
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.ValueOutsideField.selector, MAX + 1));
        codec.checkOutput(TensorCodec.encode(_one(MAX + 1)), 1);
        vm.expectRevert(IHighwayErrors.NonCanonicalOutput.selector);
        codec.checkOutput(Tensors.ofWidth(_one(type(int128).max), 32), 1);
    }

    function test_anInputIsAnyWidthOfItsCountWithinItsBound() public {
        int256[] memory values = new int256[](3);
        (values[0], values[1], values[2]) = (2048, -2048, 0);
        codec.checkInput(TensorCodec.encode(values), 3, 2048);
        codec.checkInput(Tensors.ofWidth(values, 32), 3, 2048);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputLengthMismatch.selector, 4, 3));
        codec.checkInput(TensorCodec.encode(values), 4, 2048);
        values[2] = -2049;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 2, -2049, 2048));
        codec.checkInput(TensorCodec.encode(values), 3, 2048);
        // Bound 0: the field's.
        values[2] = -MAX;
        codec.checkInput(TensorCodec.encode(values), 3, 0);
        values[2] = MAX + 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 2, MAX + 1, uint256(MAX)));
        codec.checkInput(TensorCodec.encode(values), 3, 0);
    }

    function test_instancesAreTheInputsThenTheOutputsAsFieldElements() public view {
        int256[] memory inputs = new int256[](2);
        (inputs[0], inputs[1]) = (1, -1);
        uint256[] memory out = codec.instances(Tensors.ofWidth(inputs, 8), TensorCodec.encode(_one(-256)));
        assertEq(out.length, 3);
        assertEq(out[0], 1);
        assertEq(out[1], P - 1);
        assertEq(out[2], P - 256);
    }

    // ------------------------------------------------------------------ properties

    function testFuzz_decodeInvertsEncode(int256[] memory values) public view {
        vm.assume(values.length > 0);
        bytes memory t = TensorCodec.encode(values);
        assertEq(TensorCodec.decode(t), values);
        assertEq(codec.encode(values), t);
        assertEq(codec.values(t), values); // the calldata reader agrees with the memory one
        (uint256 width, uint256 count) = codec.shape(t);
        assertEq(count, values.length);
        assertEq(t.length, 1 + width * count);
    }

    /// Values drawn to fit `log`'s width: the encoding is canonical (no narrower width holds them all), and
    /// every wider encoding of them reads the same values, is a valid input and is refused as an output.
    function testFuzz_encodeIsTheOneCanonicalEncoding(int256[] memory values, uint8 log) public {
        vm.assume(values.length > 0 && values.length <= 32);
        uint256 w = 1 << (log % 6);
        (int256 lo, int256 hi) = _range(w);
        for (uint256 i; i < values.length; ++i) values[i] = bound(values[i], lo, hi);
        bytes memory t = TensorCodec.encode(values);
        codec.checkOutput(t, values.length);
        (uint256 width, ) = codec.shape(t);
        assertLe(width, w);
        bool needed = width == 1;
        for (uint256 i; i < values.length; ++i) {
            assertTrue(_fits(values[i], width));
            if (width > 1 && !_fits(values[i], width / 2)) needed = true;
        }
        assertTrue(needed, "a narrower width holds every value");
        for (uint256 wider = width * 2; wider <= 32; wider *= 2) {
            bytes memory wide = Tensors.ofWidth(values, wider);
            assertEq(codec.values(wide), values);
            assertEq(codec.decode(wide), values);
            assertTrue(keccak256(wide) != keccak256(t));
            codec.checkInput(wide, values.length, 0);
            vm.expectRevert(IHighwayErrors.NonCanonicalOutput.selector);
            codec.checkOutput(wide, values.length);
        }
    }

    /// Any bytes: a reader either refuses them as malformed or reads exactly (length - 1) / width values.
    function testFuzz_anyBytesAreMalformedOrReadWhole(bytes memory data) public view {
        try codec.shape(data) returns (uint256 width, uint256 count) {
            assertTrue(width == 1 || width == 2 || width == 4 || width == 8 || width == 16 || width == 32);
            assertGt(count, 0);
            assertEq(count * width + 1, data.length);
            int256[] memory values = codec.decode(data);
            assertEq(codec.values(data), values);
            assertEq(keccak256(Tensors.ofWidth(values, width)), keccak256(data)); // read whole, nothing dropped
        } catch (bytes memory reason) {
            assertEq(reason, abi.encodeWithSelector(IHighwayErrors.MalformedTensor.selector));
        }
    }
}
