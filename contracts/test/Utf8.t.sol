// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {CodecHarness} from "./harness/CodecHarness.sol";

/// @dev Utf8.isValid against RFC 3629's vectors and against a plain code-point decoder (the reference).
contract Utf8Test is Test {
    CodecHarness private codec;

    function setUp() public {
        codec = new CodecHarness();
    }

    // ------------------------------------------------------------------ the reference

    /// @dev Decodes code point by code point: a sequence is valid when its lead byte announces its length,
    /// its continuation bytes are 10xxxxxx, and the code point is the shortest form, not a surrogate and at
    /// most U+10FFFF.
    function _reference(bytes memory s) private pure returns (bool) {
        uint256 i;
        while (i < s.length) {
            uint8 b = uint8(s[i]);
            uint256 n;
            uint256 cp;
            if (b < 0x80) {
                ++i;
                continue;
            } else if (b & 0xE0 == 0xC0) {
                (n, cp) = (2, b & 0x1F);
            } else if (b & 0xF0 == 0xE0) {
                (n, cp) = (3, b & 0x0F);
            } else if (b & 0xF8 == 0xF0) {
                (n, cp) = (4, b & 0x07);
            } else {
                return false;
            }
            if (i + n > s.length) return false;
            for (uint256 k = 1; k < n; ++k) {
                uint8 c = uint8(s[i + k]);
                if (c & 0xC0 != 0x80) return false;
                cp = (cp << 6) | (c & 0x3F);
            }
            uint256 shortest =
                n == 2
                    ? 0x80
                    : n == 3
                        ? 0x800
                        : 0x10000;
            if (cp < shortest || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
            i += n;
        }
        return true;
    }

    /// @dev The UTF-8 encoding of the scalar value `cp`.
    function _encode(uint256 cp) private pure returns (bytes memory) {
        if (cp < 0x80) return abi.encodePacked(uint8(cp));
        if (cp < 0x800) return abi.encodePacked(uint8(0xC0 | (cp >> 6)), uint8(0x80 | (cp & 0x3F)));
        if (cp < 0x10000) {
            return
                abi.encodePacked(uint8(0xE0 | (cp >> 12)), uint8(0x80 | ((cp >> 6) & 0x3F)), uint8(0x80 | (cp & 0x3F)));
        }
        return
            abi.encodePacked(
                uint8(0xF0 | (cp >> 18)),
                uint8(0x80 | ((cp >> 12) & 0x3F)),
                uint8(0x80 | ((cp >> 6) & 0x3F)),
                uint8(0x80 | (cp & 0x3F))
            );
    }

    /// @dev `data` after `pad` ASCII bytes, so that sequences fall on every offset of the 32-byte ASCII skip.
    function _padded(uint256 pad, bytes memory data) private pure returns (bytes memory out) {
        out = new bytes(pad);
        for (uint256 i; i < pad; ++i) out[i] = "a";
        out = bytes.concat(out, data);
    }

    function _check(bytes memory data, bool expected) private view {
        // Alone, after an ASCII run that ends just before it, and in the middle of the 32-byte skip.
        uint256[4] memory pads = [uint256(0), 31, 32, 45];
        for (uint256 i; i < pads.length; ++i) {
            bytes memory text = _padded(pads[i], bytes.concat(data, "tail"));
            assertEq(codec.isValidUtf8(text), expected);
            assertEq(_reference(text), expected); // the reference agrees with the vector
            // Truncated at the end (no tail): a sequence cut short is invalid whatever the padding.
            assertEq(codec.isValidUtf8(_padded(pads[i], data)), expected);
        }
    }

    // ------------------------------------------------------------------ vectors

    function test_wellFormedTextIsValid() public view {
        assertTrue(codec.isValidUtf8(""));
        _check("plain ASCII, and every control byte: \x00\x01\x7f", true);
        _check(hex"c280", true); // U+0080, the first 2-byte scalar
        _check(hex"dfbf", true); // U+07FF
        _check(hex"e0a080", true); // U+0800, the first 3-byte scalar
        _check(hex"ed9fbf", true); // U+D7FF, just below the surrogates
        _check(hex"ee8080", true); // U+E000, just above them
        _check(hex"efbfbf", true); // U+FFFF
        _check(hex"f0908080", true); // U+10000, the first 4-byte scalar
        _check(hex"f48fbfbf", true); // U+10FFFF, the last scalar
        _check(bytes(unicode"Grüße, 世界! 😀"), true);
    }

    function test_overlongFormsAreInvalid() public view {
        _check(hex"c080", false); // NUL in 2 bytes
        _check(hex"c1bf", false); // U+007F in 2 bytes
        _check(hex"c0af", false); // '/' in 2 bytes
        _check(hex"e08080", false); // NUL in 3 bytes
        _check(hex"e09fbf", false); // U+07FF in 3 bytes
        _check(hex"f0808080", false); // NUL in 4 bytes
        _check(hex"f08fbfbf", false); // U+FFFF in 4 bytes
    }

    function test_surrogatesAreInvalid() public view {
        _check(hex"eda080", false); // U+D800
        _check(hex"edafbf", false); // U+DBFF
        _check(hex"edb080", false); // U+DC00
        _check(hex"edbfbf", false); // U+DFFF
        _check(hex"eda0bdedb880", false); // a CESU-8 surrogate pair
    }

    function test_codePointsAboveU10FFFFAreInvalid() public view {
        _check(hex"f4908080", false); // U+110000
        _check(hex"f4bfbfbf", false);
        _check(hex"f5808080", false); // lead bytes F5..FF never occur
        _check(hex"f7bfbfbf", false);
        _check(hex"f8888080", false); // a 5-byte form
        _check(hex"fc8480808080", false); // a 6-byte form
        _check(hex"fe", false);
        _check(hex"ff", false);
    }

    function test_truncatedAndBrokenSequencesAreInvalid() public view {
        _check(hex"c2", false); // a 2-byte lead alone
        _check(hex"e0a0", false); // 2 of 3
        _check(hex"f09080", false); // 3 of 4
        _check(hex"80", false); // a continuation byte alone
        _check(hex"bf", false);
        _check(hex"c241", false); // a lead then ASCII
        _check(hex"e18041", false); // a 3-byte lead, one continuation, then ASCII
        _check(hex"f18080c0", false); // a lead byte where the last continuation should be
        _check(hex"c2c280", false); // a lead interrupted by another
    }

    // ------------------------------------------------------------------ against the reference

    function testFuzz_agreesWithTheReferenceOnAnyBytes(bytes memory data) public view {
        assertEq(codec.isValidUtf8(data), _reference(data));
    }

    /// Text built from scalar values (after an ASCII run of any length) is valid; with any one byte replaced,
    /// the verdict is the reference's.
    function testFuzz_agreesWithTheReferenceOnTextAndItsMutations(
        uint32[] memory codePoints,
        uint8 pad,
        uint256 at,
        uint8 replacement
    ) public view {
        vm.assume(codePoints.length <= 40);
        bytes memory text = _padded(pad % 70, "");
        for (uint256 i; i < codePoints.length; ++i) {
            uint256 cp = bound(codePoints[i], 0, 0x10FFFF - 0x800);
            if (cp >= 0xD800) cp += 0x800; // skip the surrogates
            text = bytes.concat(text, _encode(cp));
        }
        assertTrue(codec.isValidUtf8(text));
        assertTrue(_reference(text));
        if (text.length == 0) return;
        text[at % text.length] = bytes1(replacement);
        assertEq(codec.isValidUtf8(text), _reference(text));
    }
}
