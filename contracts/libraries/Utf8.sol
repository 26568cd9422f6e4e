// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title Utf8
 * @notice Checks that bytes are well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, no
 * code point above U+10FFFF, no truncated sequence. A language model's prompt is checked when the
 * request is made, so no relayer is asked to read bytes that are not text.
 */
library Utf8 {
    uint256 private constant HIGH_BITS = 0x8080808080808080808080808080808080808080808080808080808080808080;

    /// @notice Whether `text` is well-formed UTF-8.
    function isValid(bytes calldata text) internal pure returns (bool) {
        uint256 length = text.length;
        uint256 i;
        while (i < length) {
            // ASCII runs (most prompts) are skipped 32 bytes at a time.
            if (i + 32 <= length) {
                uint256 word;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    word := calldataload(add(text.offset, i))
                }
                if (word & HIGH_BITS == 0) {
                    i += 32;
                    continue;
                }
            }
            uint8 b = uint8(text[i]);
            if (b < 0x80) {
                ++i;
                continue;
            }
            uint256 size;
            uint8 lo = 0x80;
            uint8 hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                size = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                size = 3;
                if (b == 0xE0) lo = 0xA0; // overlong
                if (b == 0xED) hi = 0x9F; // surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                size = 4;
                if (b == 0xF0) lo = 0x90; // overlong
                if (b == 0xF4) hi = 0x8F; // above U+10FFFF
            } else {
                return false;
            }
            if (i + size > length) return false;
            uint8 second = uint8(text[i + 1]);
            if (second < lo || second > hi) return false;
            for (uint256 k = 2; k < size; ++k) {
                uint8 next = uint8(text[i + k]);
                if (next < 0x80 || next > 0xBF) return false;
            }
            i += size;
        }
        return true;
    }
}
