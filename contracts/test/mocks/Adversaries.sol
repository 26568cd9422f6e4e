// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {IDisputeGame} from "../../interfaces/IDisputeGame.sol";
import {RelayerStaking} from "../../RelayerStaking.sol";

/// @dev A staked relayer run by a contract; the adversaries below add one behaviour each.
abstract contract ContractRelayer {
    IInferenceCoordinator internal immutable coordinator;
    IDisputeGame internal immutable disputeGame;

    constructor(IInferenceCoordinator coordinator_, RelayerStaking staking, IERC20 token, uint256 stake) {
        coordinator = coordinator_;
        disputeGame = IDisputeGame(coordinator_.disputeGame());
        token.approve(address(staking), stake);
        staking.stake(stake);
        token.approve(address(coordinator_), type(uint256).max); // for challenge bonds
    }

    function claim(uint256 id, IInferenceCoordinator.RequestTerms calldata terms) external {
        coordinator.claim(id, terms);
    }

    function withdraw() external {
        coordinator.withdraw();
    }
}

/// @dev Claims requests and never answers them.
contract SilentRelayer is ContractRelayer {
    constructor(IInferenceCoordinator c, RelayerStaking s, IERC20 t, uint256 stake) ContractRelayer(c, s, t, stake) {}
}

/// @dev Answers with a real proof made for another model (another verifier's circuit).
contract CrossModelRelayer is ContractRelayer {
    constructor(IInferenceCoordinator c, RelayerStaking s, IERC20 t, uint256 stake) ContractRelayer(c, s, t, stake) {}

    function answerWithForeignProof(
        uint256 id,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata foreignProof
    ) external {
        coordinator.fulfillZk(id, terms, input, output, foreignProof);
    }
}

/// @dev Answers a request with a real proof of the same model for another request's input.
contract InputSwappingRelayer is ContractRelayer {
    constructor(IInferenceCoordinator c, RelayerStaking s, IERC20 t, uint256 stake) ContractRelayer(c, s, t, stake) {}

    /// @dev Passes the other request's input itself (caught by the input hash).
    function answerWithOtherInput(
        uint256 id,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata otherInput,
        bytes calldata otherOutput,
        bytes calldata otherProof
    ) external {
        coordinator.fulfillZk(id, terms, otherInput, otherOutput, otherProof);
    }

    /// @dev Passes this request's input with the other request's output and proof (caught by the verifier).
    function answerWithOtherProof(
        uint256 id,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata otherOutput,
        bytes calldata otherProof
    ) external {
        coordinator.fulfillZk(id, terms, input, otherOutput, otherProof);
    }
}

/// @dev Challenges results without checking them.
contract GriefingChallenger {
    IInferenceCoordinator private immutable _coordinator;
    IDisputeGame private immutable _disputeGame;

    constructor(IInferenceCoordinator coordinator_, IERC20 token) {
        _coordinator = coordinator_;
        _disputeGame = IDisputeGame(coordinator_.disputeGame());
        token.approve(address(coordinator_), type(uint256).max); // the coordinator pulls the bond
    }

    /// @dev Step one of a challenge of request `id` (salt 0: nothing to hide from a test).
    function commitChallenge(uint256 id) external {
        _disputeGame.commitChallenge(_disputeGame.challengeCommitment(id, address(this), bytes32(0)));
    }

    /// @dev Step two, in a later block.
    function challenge(uint256 id, IInferenceCoordinator.RequestTerms calldata terms) external {
        _disputeGame.challenge(id, terms, bytes32(0));
    }

    function withdraw() external {
        _coordinator.withdraw();
    }
}

/// @dev Posts a wrong optimistic output, then disputes itself and proves the right one, hoping to
/// recover its own bond before an honest challenger takes it.
contract SelfDisputingRelayer is ContractRelayer {
    constructor(IInferenceCoordinator c, RelayerStaking s, IERC20 t, uint256 stake) ContractRelayer(c, s, t, stake) {}

    function submitWrong(uint256 id, IInferenceCoordinator.RequestTerms calldata terms, bytes calldata wrong) external {
        coordinator.submitOptimistic(id, terms, wrong);
    }

    /// @dev Step one of its own challenge (made as soon as it posts, ahead of any watchtower).
    function commitChallenge(uint256 id) external {
        disputeGame.commitChallenge(disputeGame.challengeCommitment(id, address(this), bytes32(0)));
    }

    /// @dev Reveals its own challenge (committed in an earlier block) and proves the right output at once.
    function disputeItself(
        uint256 id,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata right,
        bytes calldata proof
    ) external {
        disputeGame.challenge(id, terms, bytes32(0));
        disputeGame.proveFraud(id, terms, input, right, proof);
    }
}

/// @dev Moves a request back to Open and claims it again in the same transaction (H-1): after a dispute
/// timeout that slashed it (or a sibling it acts for), or after reopening its own late claim.
contract ReclaimingRelayer is ContractRelayer {
    constructor(IInferenceCoordinator c, RelayerStaking s, IERC20 t, uint256 stake) ContractRelayer(c, s, t, stake) {}

    function submit(uint256 id, IInferenceCoordinator.RequestTerms calldata terms, bytes calldata output) external {
        coordinator.submitOptimistic(id, terms, output);
    }

    function timeoutAndReclaim(uint256 id, IInferenceCoordinator.RequestTerms calldata terms) external {
        disputeGame.resolveDisputeTimeout(id, terms);
        coordinator.claim(id, terms);
    }

    function reopenAndReclaim(uint256 id, IInferenceCoordinator.RequestTerms calldata terms) external {
        coordinator.reopen(id, terms);
        coordinator.claim(id, terms);
    }
}
