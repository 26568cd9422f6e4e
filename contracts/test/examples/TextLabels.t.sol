// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    function testFuzz_findNeverReverts(bytes memory text) public pure {
        uint256 index = TextLabels.find(text, _risk());
        assertTrue(index < 3 || index == TextLabels.UNKNOWN);
    }
}
