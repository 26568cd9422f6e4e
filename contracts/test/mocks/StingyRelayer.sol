// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {RelayerStaking} from "../../RelayerStaking.sol";

/// @dev A relayer contract that answers with a chosen gas amount, to starve the consumer's callback.
/// `probe` always reverts with the outcome, so the caller can try many amounts on the same state.
contract StingyRelayer {
    error Answered(uint256 consumerGasAtEntry);
    error Refused(bytes reason);

    IInferenceCoordinator private immutable _coordinator;

    constructor(IInferenceCoordinator coordinator_, RelayerStaking staking, IERC20 token, uint256 amount) {
        _coordinator = coordinator_;
        token.approve(address(staking), amount);
        staking.stake(amount);
    }

    function claim(uint256 id, IInferenceCoordinator.RequestTerms calldata terms) external {
        _coordinator.claim(id, terms);
    }

    function probe(
        uint256 gasAmount,
        uint256 id,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof,
        address consumer
    ) external {
        try _coordinator.fulfillZk{gas: gasAmount}(id, terms, input, output, proof) {
            (, bytes memory ret) = consumer.staticcall(abi.encodeWithSignature("gasAtEntry()"));
            revert Answered(abi.decode(ret, (uint256)));
        } catch (bytes memory reason) {
            revert Refused(reason);
        }
    }
}
