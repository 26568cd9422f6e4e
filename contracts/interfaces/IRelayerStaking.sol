// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRelayerStaking
/// @notice Relayers' stake, its unbonding, the bonds locked per open job, and slashing by the coordinator.
interface IRelayerStaking {
    /// @notice A relayer's record (two storage slots).
    struct Relayer {
        uint96 stake;
        uint96 locked;
        uint32 jobsServed;
        uint32 jobsSlashed;
        uint96 unbonding;
        uint40 unbondingReleaseAt;
    }

    event Staked(address indexed relayer, uint256 amount);
    event UnbondingStarted(address indexed relayer, uint256 amount, uint256 releaseAt);
    event Withdrawn(address indexed relayer, uint256 amount);
    event BondLocked(address indexed relayer, uint256 amount);
    event BondUnlocked(address indexed relayer, uint256 amount, bool served);
    event Slashed(address indexed relayer, uint256 amount);
    event MinStakeUpdated(uint256 minStake);
    event UnbondingDelayUpdated(uint256 unbondingDelay);

    error ZeroAmount();
    error AmountTooLarge(uint256 amount);
    error InsufficientFreeStake(address relayer, uint256 needed, uint256 free);
    error BelowMinStake(address relayer, uint256 stake, uint256 minStake);
    error NothingToWithdraw();
    error StillUnbonding(uint256 releaseAt);
    error OnlyCoordinator(address caller);
    error ZeroAddress();
    error ParameterOutOfBounds(uint256 value, uint256 min, uint256 max);
    error LockedBondTooSmall(address relayer, uint256 amount, uint256 locked);

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

    /// @notice Takes `slashed` of the `locked` bond of a job (releasing the rest) and sends it to the coordinator.
    function slash(address relayer, uint256 locked, uint256 slashed) external;
}
