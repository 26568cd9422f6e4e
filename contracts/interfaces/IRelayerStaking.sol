// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "./IHighwayErrors.sol";

/// @title IRelayerStaking
/// @notice Relayers' stake, its unbonding, the bonds locked per open job, and slashing by the coordinator;
/// the language models each relayer declares it serves, from which the committee arbiter draws its committees
/// and whose members' bonds it locks, releases and slashes.
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

    /// @notice `relayer` declared that it serves (`serves`) or no longer serves `modelId`: it may be drawn to
    /// the committees that judge that model's disputed answers.
    event ModelServed(address indexed relayer, bytes32 indexed modelId, bool serves);

    /// @notice The contract that locks, releases and slashes job bonds.
    function coordinator() external view returns (address);

    /// @notice The committee arbiter, which locks, releases and slashes committee members' bonds: the coordinator's
    /// language arbiter (zero while the coordinator names none).
    function committeeArbiter() external view returns (address);

    /// @notice Declares that the caller serves `modelId` (or no longer does): only declared relayers are drawn to its committees.
    function setServes(bytes32 modelId, bool serving) external;

    /// @notice Whether `relayer` declared that it serves `modelId`.
    function serves(bytes32 modelId, address relayer) external view returns (bool);

    /// @notice How many relayers declared that they serve `modelId`.
    function serverCount(bytes32 modelId) external view returns (uint256);

    /// @notice The `index`-th relayer that serves `modelId` (the order changes as relayers leave).
    function serverAt(bytes32 modelId, uint256 index) external view returns (address);

    /// @notice Whether `relayer` could have `amount` locked now: stake at least `minStake`, free stake at least `amount`.
    function canLock(address relayer, uint256 amount) external view returns (bool);

    /// @notice The token staked and slashed.
    function token() external view returns (address);

    /// @notice A relayer's record.
    function relayerOf(address relayer) external view returns (Relayer memory);

    /// @notice Locks `amount` of `relayer`'s free stake for a job (or a committee seat); reverts unless it is eligible.
    function lockBond(address relayer, uint256 amount) external;

    /// @notice Releases `amount` locked for a job; `served` counts a job answered.
    function unlockBond(address relayer, uint256 amount, bool served) external;

    /// @notice `lockBond(relayer, amount)` for each of `relayers` (a committee's seats), in one call; reverts unless
    /// every one is eligible.
    function lockBonds(address[] calldata relayers, uint256 amount) external;

    /// @notice `unlockBond(relayer, amount, served)` for each of `relayers`, in one call.
    function unlockBonds(address[] calldata relayers, uint256 amount, bool served) external;

    /// @notice Takes `slashed` of the `locked` bond of a job (releasing the rest) and sends it to the coordinator;
    /// `slashed` = 0 releases the bond as neither served nor slashed (a job the coordinator could not judge).
    function slash(address relayer, uint256 locked, uint256 slashed) external;
}
