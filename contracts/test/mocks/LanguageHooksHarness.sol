// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILanguageDisputeHooks} from "../../interfaces/ICommitteeArbiter.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";

/// @dev The coordinator's side of a language-model dispute, reduced to what the committee arbiter sees:
/// one posted answer per request, the challenge bond pulled on `openDispute`, and the outcome, output and
/// rewardees `closeDispute` was given, recorded for the test to check.
contract LanguageHooksHarness is ILanguageDisputeHooks {
    IERC20 private immutable _token;
    address public languageArbiter;
    address public treasury;

    mapping(uint256 requestId => IInferenceCoordinator.RequestState) public states;
    mapping(uint256 requestId => bytes32) public postedHashes;

    IInferenceCoordinator.DisputeOutcome public lastOutcome;
    address public lastChallenger;
    bytes public lastOutput;
    address[] private _lastRewardees;
    uint256 public closes;

    constructor(IERC20 token_, address treasury_) {
        _token = token_;
        treasury = treasury_;
    }

    function setArbiter(address arbiter_) external {
        languageArbiter = arbiter_;
    }

    /// @dev A Pending answer `output` posted by `relayer` for request `requestId`.
    function post(uint256 requestId, address relayer, bytes calldata output) external {
        states[requestId] = IInferenceCoordinator.RequestState(
            IInferenceCoordinator.RequestStatus.Pending,
            false,
            false,
            relayer,
            uint32(block.timestamp),
            uint32(block.timestamp + 1 hours)
        );
        postedHashes[requestId] = keccak256(output);
    }

    function openDispute(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        address challenger
    ) external {
        require(msg.sender == languageArbiter, "only the arbiter");
        require(states[requestId].status == IInferenceCoordinator.RequestStatus.Pending, "not pending");
        states[requestId].status = IInferenceCoordinator.RequestStatus.Disputed;
        _token.transferFrom(challenger, address(this), terms.challengeBond);
    }

    function closeDispute(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata,
        IInferenceCoordinator.DisputeOutcome outcome,
        address challenger,
        address,
        bytes calldata output,
        address[] calldata rewardees
    ) external {
        require(msg.sender == languageArbiter, "only the arbiter");
        require(states[requestId].status == IInferenceCoordinator.RequestStatus.Disputed, "not disputed");
        states[requestId].status =
            outcome == IInferenceCoordinator.DisputeOutcome.Voided
                ? IInferenceCoordinator.RequestStatus.Refunded
                : IInferenceCoordinator.RequestStatus.Fulfilled;
        lastOutcome = outcome;
        lastChallenger = challenger;
        lastOutput = output;
        _lastRewardees = rewardees;
        ++closes;
    }

    function postedAnswer(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata
    ) external view returns (IInferenceCoordinator.RequestState memory, bytes32) {
        return (states[requestId], postedHashes[requestId]);
    }

    function lastRewardees() external view returns (address[] memory) {
        return _lastRewardees;
    }
}
