// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHalo2Verifier} from "../../interfaces/IHalo2Verifier.sol";

/// @dev A verifier whose answer is mutable state: its owner flips it between accepting every proof and
/// rejecting every proof. Its code never changes (the registry's code-hash check cannot see a flip):
/// relayers refuse such a verifier off chain, since it is not the verifier the model's artifacts generate.
contract SwitchableVerifier is IHalo2Verifier {
    address public immutable owner;
    bool public acceptAll;

    constructor(address owner_, bool acceptAll_) {
        owner = owner_;
        acceptAll = acceptAll_;
    }

    function setAcceptAll(bool acceptAll_) external {
        require(msg.sender == owner, "not owner");
        acceptAll = acceptAll_;
    }

    function verifyProof(bytes calldata, uint256[] calldata) external view returns (bool) {
        return acceptAll;
    }
}
