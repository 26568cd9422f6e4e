// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {RequestTermsLib} from "../../libraries/RequestTermsLib.sol";

/// @dev Calls the library with terms in calldata, as the coordinator does (tests hold them in memory).
contract RequestTermsHarness {
    using RequestTermsLib for IInferenceCoordinator.RequestTerms;

    function hashCalldata(IInferenceCoordinator.RequestTerms calldata terms) external pure returns (bytes32) {
        return terms.hashCalldata();
    }

    function raise(
        IInferenceCoordinator.RequestTerms calldata terms,
        uint96 newMaxComputeFee
    ) external pure returns (IInferenceCoordinator.RequestTerms memory raised, bytes32 raisedHash) {
        raised = terms.raise(newMaxComputeFee);
        raisedHash = raised.hash();
    }

    function raisedHashCalldata(
        IInferenceCoordinator.RequestTerms calldata terms,
        uint96 newMaxComputeFee
    ) external pure returns (bytes32) {
        return RequestTermsLib.raisedHash(terms, newMaxComputeFee);
    }
}
