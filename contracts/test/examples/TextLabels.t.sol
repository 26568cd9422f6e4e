// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "hardhat/console.sol";
import {Test} from "../utils/Test.sol";
import {TextLabels} from "../../../examples/contracts/libraries/TextLabels.sol";

contract TextLabelsTest is Test {
    function _risk() private pure returns (string[] memory labels) {
        labels = new string[](3);
        (labels[0], labels[1], labels[2]) = ("LOW", "MEDIUM", "HIGH");
    }

    function test_aLabelAloneOrInASentenceIsFoundWhateverItsCase() public pure {
        assertEq(TextLabels.find("HIGH", _risk()), 2);
        assertEq(TextLabels.find("The risk is high.", _risk()), 2);
        assertEq(TextLabels.find("  medium\n", _risk()), 1);
        assertEq(TextLabels.find(unicode"Risque: «LOW»", _risk()), 0);
    }

    function test_aLabelInsideAnotherWordDoesNotCount() public pure {
        assertEq(TextLabels.find("This is highly unusual", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("slow and steady", _risk()), TextLabels.UNKNOWN);
    }

    function test_noLabelOrTwoDifferentLabelsIsUnknown() public pure {
        assertEq(TextLabels.find("", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("I cannot tell.", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("Not HIGH, rather LOW", _risk()), TextLabels.UNKNOWN);
        // The same label twice is still one answer.
        assertEq(TextLabels.find("High. Definitely high.", _risk()), 2);
    }

    function test_aNegatedLabelMakesTheAnswerUnknown() public pure {
        assertEq(TextLabels.find("It is not high.", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("NOT   HIGH", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("no risk: LOW, and definitely no high", _risk()), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("The risk isn't HIGH", _risk()), TextLabels.UNKNOWN);
        // Only the word right before negates.
        assertEq(TextLabels.find("it doesn't seem low", _risk()), 0);
    }

    function test_wordsThatOnlyLookLikeANegationDoNotNegate() public pure {
        // "Note", "know", "snot": not the word "not"; a comma or a full stop ends the negated phrase.
        assertEq(TextLabels.find("Note: HIGH", _risk()), 2);
        assertEq(TextLabels.find("I know: low", _risk()), 0);
        assertEq(TextLabels.find("No. HIGH", _risk()), 2);
        assertEq(TextLabels.find("No, high", _risk()), 2);
        assertEq(TextLabels.find("cant high", _risk()), 2); // no apostrophe: not a contraction
        assertEq(TextLabels.find("t high", _risk()), 2);
        assertEq(TextLabels.find("'t high", _risk()), 2);
    }

    function test_aNegationWordCanItselfBeALabel() public pure {
        string[] memory answers = new string[](2);
        (answers[0], answers[1]) = ("YES", "NO");
        assertEq(TextLabels.find("No.", answers), 1);
        assertEq(TextLabels.find("yes, it is", answers), 0);
        assertEq(TextLabels.find("not yes", answers), TextLabels.UNKNOWN);
        assertEq(TextLabels.find("No, not yes", answers), TextLabels.UNKNOWN);
    }

    function test_containsWordFindsOnlyWholeWords() public pure {
        assertTrue(TextLabels.containsWord("risk: HIGH!", "high"));
        assertFalse(TextLabels.containsWord("highway", "high"));
        assertFalse(TextLabels.containsWord("hi", "high"));
        assertFalse(TextLabels.containsWord("anything", ""));
    }

    /// @dev The cost of the costliest 64-byte answer an agent may ask for: a word boundary at every other byte.
    function test_theCostliestSixtyFourByteAnswerIsReadInUnderSixtyThousandGas() public view {
        bytes memory text = "p n n p n n p n n p n n p n n p n n p n n p n n p n n p POSITIVE";
        string[] memory labels = new string[](3);
        (labels[0], labels[1], labels[2]) = ("POSITIVE", "NEGATIVE", "NEUTRAL");
        uint256 g = gasleft();
        uint256 index = TextLabels.find(text, labels);
        uint256 used = g - gasleft();
        console.log("TextLabels.find, 64-byte answer, 3 labels: %d gas", used);
        assertEq(index, 0);
        assertLt(used, 60_000);
    }

    function testFuzz_findNeverReverts(bytes memory text) public pure {
        uint256 index = TextLabels.find(text, _risk());
        assertTrue(index < 3 || index == TextLabels.UNKNOWN);
    }

    /// @dev Whatever surrounds a label, negated or not, the verdict follows the rule: one un-negated label or unknown.
    function testFuzz_aLabelBetweenNonLettersIsFoundUnlessNegated(
        bytes memory before,
        bytes memory afterwards,
        uint8 which
    ) public pure {
        uint256 label = which % 3;
        for (uint256 i; i < before.length; ++i) if (_isLetterOrSpace(before[i])) before[i] = ".";
        for (uint256 i; i < afterwards.length; ++i) if (_isLetterOrSpace(afterwards[i])) afterwards[i] = ".";
        string[] memory labels = _risk();
        assertEq(TextLabels.find(bytes.concat(before, bytes(labels[label]), afterwards), labels), label);
        assertEq(
            TextLabels.find(bytes.concat(before, "not ", bytes(labels[label]), afterwards), labels),
            TextLabels.UNKNOWN
        );
    }

    function _isLetterOrSpace(bytes1 c) private pure returns (bool) {
        return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == " ";
    }
}
