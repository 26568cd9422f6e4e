// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHalo2Verifier} from "../../interfaces/IHalo2Verifier.sol";

/// @dev A verifier its owner can switch: it passes a real verifier's verdicts on, until the owner
/// makes it accept anything or reject everything. A model registered with it could slash honest
/// relayers (reject their proofs) or let wrong answers through (accept any proof); the relayer must
/// refuse such a model (relayer/src/model-checks.ts).
contract SwitchableVerifier is IHalo2Verifier {
    enum Mode {
        PassThrough,
        AcceptAll,
        RejectAll
    }

    address public immutable owner;
    IHalo2Verifier public immutable real;
    Mode public mode;

    constructor(IHalo2Verifier real_) {
        owner = msg.sender;
        real = real_;
    }

    function setMode(Mode mode_) external {
        require(msg.sender == owner, "not the owner");
        mode = mode_;
    }

    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool) {
        if (mode == Mode.AcceptAll) return true;
        if (mode == Mode.RejectAll) return false;
        return real.verifyProof(proof, instances);
    }
}
