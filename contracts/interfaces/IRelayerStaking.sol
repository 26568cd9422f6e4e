// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "./IHighwayErrors.sol";

/// @title IRelayerStaking
/// @notice Relayers' stake, its unbonding, the bonds locked per open job, and slashing by the coordinator.
interface IRelayerStaking is IHighwayErrors {
    /// @notice A relayer's record (two storage slots).
    struct Relayer {
        uint96 stake;
        uint96 locked;
        uint32 jobsServed;
        uint32 jobsSlashed;
        uint96 unbonding;
        uint40 unbondingReleaseAt;
    }

    /// @notice `relayer` added `amount` to its stake.
    event Staked(address indexed relayer, uint256 amount);

    /// @notice `relayer` moved `amount` of its stake to unbonding, withdrawable from `releaseAt`.
    event UnbondingStarted(address indexed relayer, uint256 amount, uint256 releaseAt);

    /// @notice `relayer` withdrew `amount` of unbonded stake.
    event Withdrawn(address indexed relayer, uint256 amount);

    /// @notice `amount` of `relayer`'s stake was locked as the bond of a claimed job.
    event BondLocked(address indexed relayer, uint256 amount);

    /// @notice A job's bond of `amount` was released; `served` when the job was answered.
    event BondUnlocked(address indexed relayer, uint256 amount, bool served);

    /// @notice `amount` of `relayer`'s stake was slashed and sent to the coordinator.
    event Slashed(address indexed relayer, uint256 amount);

    /// @notice Relayers need a stake of `minStake` to claim from now on.
    event MinStakeUpdated(uint256 minStake);

    /// @notice Unbonded stake is withdrawable `unbondingDelay` seconds after unbonding, from now on.
    event UnbondingDelayUpdated(uint256 unbondingDelay);

    /// @notice The only contract that locks, releases and slashes bonds.
    function coordinator() external view returns (address);

    /// @notice The token staked and slashed.
    function token() external view returns (address);

    /// @notice A relayer's record.
    function relayerOf(address relayer) external view returns (Relayer memory);

    /// @notice Locks `amount` of `relayer`'s free stake for a job; reverts unless it is eligible.
    function lockBond(address relayer, uint256 amount) external;

    /// @notice Releases `amount` locked for a job; `served` counts a job answered.
    function unlockBond(address relayer, uint256 amount, bool served) external;

    /// @notice Takes `slashed` of the `locked` bond of a job (releasing the rest) and sends it to the coordinator;
    /// `slashed` = 0 releases the bond as neither served nor slashed (a job the coordinator could not judge).
    function slash(address relayer, uint256 locked, uint256 slashed) external;
}
