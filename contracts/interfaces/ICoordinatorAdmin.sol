// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "./IHighwayErrors.sol";
import {IInferenceCoordinator} from "./IInferenceCoordinator.sol";

/// @dev The longest challenge or defence window: the bound of the protocol's parameters and of a
/// request's own `challengeWindow`.
uint32 constant MAX_DISPUTE_WINDOW = 7 days;

/**
 * @title ICoordinatorAdmin
 * @notice The administration of an `InferenceCoordinator`: who may change what (roles), the
 * bounds of every protocol parameter, the treasury, and the pause of new requests. It writes
 * the coordinator's configuration through the coordinator's configuration hooks; the
 * coordinator's views (`getParams`, `treasury`, `paused`) read it back.
 */
interface ICoordinatorAdmin is IHighwayErrors {
    /// @notice The protocol parameters for requests made from now on.
    event ParamsUpdated(IInferenceCoordinator.Params params);

    /// @notice Protocol fees and shares are paid to `treasury` from now on.
    event TreasuryUpdated(address indexed treasury);

    /// @notice `account` paused new requests.
    event Paused(address account);

    /// @notice `account` resumed new requests.
    event Unpaused(address account);

    /// @notice Disputes over language models' answers are run by `arbiter` (set once).
    event LanguageArbiterSet(address indexed arbiter);

    /// @notice The coordinator administered (this contract's deployer).
    function coordinator() external view returns (IInferenceCoordinator);

    /// @notice Sets every protocol parameter at once, each within its bounds (`checkParams`);
    /// requests already made keep theirs. Only `DEFAULT_ADMIN_ROLE`.
    function setParams(IInferenceCoordinator.Params calldata params) external;

    /// @notice Sets the address credited with protocol fees and shares from now on. Only `DEFAULT_ADMIN_ROLE`.
    function setTreasury(address treasury) external;

    /// @notice Stops new requests (nothing else: answers, disputes, refunds and withdrawals go on). Only `PAUSER_ROLE`.
    function pause() external;

    /// @notice Accepts new requests again. Only `PAUSER_ROLE`.
    function unpause() external;

    /// @notice Names the contract that runs disputes over language models' answers, once: a request locks
    /// its model's kind, so its arbiter can never change under it. Only `DEFAULT_ADMIN_ROLE`.
    function setLanguageArbiter(address arbiter) external;

    /// @notice Reverts with `ParameterOutOfBounds` unless every parameter is within its bounds.
    function checkParams(IInferenceCoordinator.Params memory params) external pure;
}
