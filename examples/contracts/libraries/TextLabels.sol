// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title TextLabels
 * @notice Reads a label out of a language model's free-text answer, defensively: a model asked to
 * "answer with one word: LOW, MEDIUM or HIGH" may still write "The risk is high.", "Not HIGH,
 * rather LOW", "It is not high" or nothing useful at all. A label counts when it is a whole word
 * of the text (a run of ASCII letters, compared case-insensitively). The answer is that label only
 * when exactly one of the labels appears and none appears negated (right after the word "not" or
 * "no", or a contraction ending in "n't", with only spaces between); it is unknown otherwise, so an
 * agent acts only on an unambiguous answer.
 * @dev Labels are ASCII words (letters only); the text is any bytes (an answer is UTF-8: a byte of a
 * multi-byte character is never an ASCII letter, so it bounds a word). Never reverts. One pass over
 * the text, comparing each word only with the labels of its length: about 5,000 gas for a lone
 * label, about 50,000 for the costliest 64-byte answer (a one-letter word at every other byte) with
 * three labels (contracts/test/examples/TextLabels.t.sol). An agent bounds the text, and so the
 * gas, by its request's `maxOutputBytes`.
 */
library TextLabels {
    /// @notice What `find` returns when no label, more than one, or a negated one appears.
    uint256 internal constant UNKNOWN = type(uint256).max;

    uint256 private constant SPACE = 0x20;
    uint256 private constant CASE = 0x20; // the bit that tells a lower-case ASCII letter from its upper case

    /// @notice The index in `labels` of the one label that appears in `text` as a whole word, none
    /// negated, or `UNKNOWN`.
    function find(bytes memory text, string[] memory labels) internal pure returns (uint256 index) {
        index = UNKNOWN;
        bool negated; // the last word was a negation, and only spaces followed it
        uint256 n = text.length;
        uint256 i;
        while (i < n) {
            uint256 c = _at(text, i);
            if (!_isLetter(c)) {
                if (c != SPACE) negated = false;
                ++i;
                continue;
            }
            uint256 begin = i;
            while (i < n && _isLetter(_at(text, i))) ++i;
            uint256 label = _labelOf(text, begin, i, labels);
            if (label != UNKNOWN) {
                if (negated) return UNKNOWN; // "not HIGH": which of the others is meant?
                if (index != UNKNOWN && index != label) return UNKNOWN; // two different labels: ambiguous
                index = label;
            }
            negated = _isNegation(text, begin, i);
        }
    }

    /// @notice Whether `word` appears in `text` as a whole word, ignoring ASCII case (negated or not).
    function containsWord(bytes memory text, bytes memory word) internal pure returns (bool) {
        string[] memory labels = new string[](1);
        labels[0] = string(word);
        uint256 n = text.length;
        uint256 i;
        while (i < n) {
            if (!_isLetter(_at(text, i))) {
                ++i;
                continue;
            }
            uint256 begin = i;
            while (i < n && _isLetter(_at(text, i))) ++i;
            if (_labelOf(text, begin, i, labels) == 0) return true;
        }
        return false;
    }

    /// @dev The index of the label equal to the word `text[begin:end]` (ASCII case ignored), or `UNKNOWN`.
    function _labelOf(
        bytes memory text,
        uint256 begin,
        uint256 end,
        string[] memory labels
    ) private pure returns (uint256) {
        uint256 length = end - begin;
        for (uint256 j; j < labels.length; ++j) {
            bytes memory label = bytes(labels[j]);
            if (label.length != length) continue;
            bool same = true;
            // Both are letters here (a label is letters only): setting bit 5 lower-cases them.
            for (uint256 k; k < length && same; ++k) same = _at(text, begin + k) | CASE == _at(label, k) | CASE;
            if (same) return j;
        }
        return UNKNOWN;
    }

    /// @dev Whether the word `text[begin:end]` negates the next: "not", "no", or the "t" of a contraction in "n't".
    function _isNegation(bytes memory text, uint256 begin, uint256 end) private pure returns (bool) {
        uint256 length = end - begin;
        if (length == 1) {
            // "isn't", "doesn't": the word is "t", after "n'".
            return
                _at(text, begin) | CASE == 0x74 // t
                && begin >= 2
                && _at(text, begin - 1) == 0x27 // '
                && _at(text, begin - 2) | CASE == 0x6e; // n
        }
        if (length != 2 && length != 3) return false;
        if (_at(text, begin) | CASE != 0x6e || _at(text, begin + 1) | CASE != 0x6f) return false; // "no"
        return length == 2 || _at(text, begin + 2) | CASE == 0x74; // "not"
    }

    /// @dev The byte `text[i]`, for `i < text.length` (every caller's loop bounds it).
    function _at(bytes memory text, uint256 i) private pure returns (uint256 c) {
        // The parse runs in a callback on a relayer's gas: a plain byte read, without the bounds check
        // and bytes1 conversions of `text[i]`, which cost several times the whole loop.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            c := byte(0, mload(add(add(text, 0x20), i)))
        }
    }

    /// @dev Whether `c` is an ASCII letter: bit 5 set lower-cases an upper-case letter, and only letters land in a-z.
    function _isLetter(uint256 c) private pure returns (bool) {
        unchecked {
            return (c | CASE) - 0x61 < 26;
        }
    }
}
