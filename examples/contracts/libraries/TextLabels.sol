// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title TextLabels
 * @notice Reads a label out of a language model's free-text answer, defensively: a model asked to
 * "answer with one word: LOW, MEDIUM or HIGH" may still write "The risk is high." or "Not HIGH,
 * rather LOW", or nothing useful at all. A label counts when it appears as a whole word
 * (ASCII letters compared case-insensitively, bounded by a non-letter or the text's ends); the
 * answer is that label only when exactly one of the labels appears, and unknown otherwise, so an
 * agent acts only on an unambiguous answer.
 * @dev Labels are ASCII words (letters only); the text is any bytes (an answer is UTF-8: a byte of a
 * multi-byte character is never an ASCII letter, so it bounds a word). Cost: O(text × labels).
 */
library TextLabels {
    /// @notice What `find` returns when no label, or more than one, appears.
    uint256 internal constant UNKNOWN = type(uint256).max;

    /// @notice The index in `labels` of the one label that appears in `text` as a whole word, or `UNKNOWN`.
    function find(bytes memory text, string[] memory labels) internal pure returns (uint256 index) {
        index = UNKNOWN;
        for (uint256 i; i < labels.length; ++i) {
            if (!containsWord(text, bytes(labels[i]))) continue;
            if (index != UNKNOWN) return UNKNOWN; // two different labels: ambiguous
            index = i;
        }
    }

    /// @notice Whether `word` appears in `text` as a whole word, ignoring ASCII case.
    function containsWord(bytes memory text, bytes memory word) internal pure returns (bool) {
        uint256 n = word.length;
        if (n == 0 || n > text.length) return false;
        for (uint256 start; start + n <= text.length; ++start) {
            if (start > 0 && _isLetter(text[start - 1])) continue;
            if (start + n < text.length && _isLetter(text[start + n])) continue;
            bool same = true;
            for (uint256 i; i < n && same; ++i) same = _lower(text[start + i]) == _lower(word[i]);
            if (same) return true;
        }
        return false;
    }

    function _isLetter(bytes1 c) private pure returns (bool) {
        return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
    }

    function _lower(bytes1 c) private pure returns (bytes1) {
        return c >= "A" && c <= "Z" ? bytes1(uint8(c) + 32) : c;
    }
}
