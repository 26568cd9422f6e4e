// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRelayerStaking} from "./interfaces/IRelayerStaking.sol";
import {ILanguageDisputeHooks} from "./interfaces/ICommitteeArbiter.sol";

/**
 * @title RelayerStaking
 * @notice Relayers stake the stake token (Highway's payment token), lock a bond per open
 * job, and withdraw after an unbonding delay. Locked stake can be neither unbonded nor
 * withdrawn, so open jobs never exceed what the stake covers (`locked <= stake` always).
 * Only the coordinator locks, releases and slashes, as the outcome of a job, and the coordinator's
 * language arbiter (the committee arbiter it names), as the outcome of a committee seat. Relayers declare the
 * language models they serve: the arbiter draws its committees from those declarations.
 */
contract RelayerStaking is IRelayerStaking, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice The longest unbonding delay the admin may set.
    uint256 public constant MAX_UNBONDING_DELAY = 30 days;
    /// @notice The shortest unbonding delay the admin may set.
    uint256 public constant MIN_UNBONDING_DELAY = 1 hours;

    IERC20 private immutable _token;
    /// @notice The only contract that locks, releases and slashes bonds.
    address public immutable coordinator;
    /// @notice The stake a relayer needs to claim a job.
    uint96 public minStake;
    /// @notice Seconds between unbonding stake and withdrawing it.
    uint40 public unbondingDelay;

    mapping(address relayer => Relayer) private _relayers;
    mapping(bytes32 modelId => address[] servers) private _servers;
    /// @dev One more than the relayer's index in `_servers[modelId]`; zero when it does not serve the model.
    mapping(bytes32 modelId => mapping(address relayer => uint256 position)) private _serverPositions;

    /// @dev The coordinator (job bonds) or the arbiter it names for language models (committee seats' bonds).
    modifier onlyBondKeeper() {
        if (msg.sender != coordinator && msg.sender != committeeArbiter()) revert OnlyCoordinator(msg.sender);
        _;
    }

    /// @dev `coordinator_` is deployed after this contract (its address is predicted) and checks the link.
    constructor(IERC20 token_, address coordinator_, address admin, uint96 minStake_, uint40 unbondingDelay_) {
        if (address(token_) == address(0) || coordinator_ == address(0) || admin == address(0)) revert ZeroAddress();
        _token = token_;
        coordinator = coordinator_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMinStake(minStake_);
        _setUnbondingDelay(unbondingDelay_);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the stake a relayer needs to claim jobs (at least 1, below 2^96).
    function setMinStake(uint96 minStake_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinStake(minStake_);
    }

    /// @notice Sets the delay between unbonding and withdrawal (1 hour to 30 days).
    function setUnbondingDelay(uint40 unbondingDelay_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingDelay(unbondingDelay_);
    }

    // ------------------------------------------------------------------ relayers

    /// @inheritdoc IRelayerStaking
    function setServes(bytes32 modelId, bool serving) external {
        mapping(address => uint256) storage positions = _serverPositions[modelId];
        uint256 position = positions[msg.sender];
        if (serving == (position != 0)) return;
        address[] storage list = _servers[modelId];
        if (serving) {
            list.push(msg.sender);
            positions[msg.sender] = list.length;
        } else {
            // Swap and pop: the last server takes the leaving one's place.
            address last = list[list.length - 1];
            list[position - 1] = last;
            positions[last] = position;
            list.pop();
            delete positions[msg.sender];
        }
        emit ModelServed(msg.sender, modelId, serving);
    }

    /// @notice Adds `amount` to the caller's stake.
    function stake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Relayer storage r = _relayers[msg.sender];
        r.stake = _toUint96(r.stake + amount);
        emit Staked(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Moves `amount` of the caller's free stake to unbonding; it can be withdrawn
    /// `unbondingDelay` after this call (a new call restarts the delay for the whole amount).
    function unbond(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Relayer storage r = _relayers[msg.sender];
        uint256 free = r.stake - r.locked;
        if (amount > free) revert InsufficientFreeStake(msg.sender, amount, free);
        r.stake -= uint96(amount);
        r.unbonding = _toUint96(r.unbonding + amount);
        uint256 releaseAt = block.timestamp + unbondingDelay;
        r.unbondingReleaseAt = uint40(releaseAt);
        emit UnbondingStarted(msg.sender, amount, releaseAt);
    }

    /// @notice Pays out the caller's unbonded stake once its delay has passed.
    function withdraw() external {
        Relayer storage r = _relayers[msg.sender];
        uint256 amount = r.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.timestamp < r.unbondingReleaseAt) revert StillUnbonding(r.unbondingReleaseAt);
        r.unbonding = 0;
        r.unbondingReleaseAt = 0;
        emit Withdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ coordinator

    /// @inheritdoc IRelayerStaking
    function lockBond(address relayer, uint256 amount) external onlyBondKeeper {
        _lockBond(relayer, amount);
    }

    /// @inheritdoc IRelayerStaking
    function unlockBond(address relayer, uint256 amount, bool served) external onlyBondKeeper {
        _unlockBond(relayer, amount, served);
    }

    /// @inheritdoc IRelayerStaking
    function lockBonds(address[] calldata relayers, uint256 amount) external onlyBondKeeper {
        for (uint256 i; i < relayers.length; ++i) _lockBond(relayers[i], amount);
    }

    /// @inheritdoc IRelayerStaking
    function unlockBonds(address[] calldata relayers, uint256 amount, bool served) external onlyBondKeeper {
        for (uint256 i; i < relayers.length; ++i) _unlockBond(relayers[i], amount, served);
    }

    /// @inheritdoc IRelayerStaking
    function slash(address relayer, uint256 locked, uint256 slashed) external onlyBondKeeper {
        Relayer storage r = _relayers[relayer];
        if (r.locked < locked || slashed > locked) revert LockedBondTooSmall(relayer, locked, r.locked);
        r.locked -= uint96(locked);
        if (slashed == 0) {
            // Nothing slashed (the coordinator could not judge the job): released, neither served nor slashed.
            emit BondUnlocked(relayer, locked, false);
            return;
        }
        r.stake -= uint96(slashed);
        ++r.jobsSlashed;
        emit Slashed(relayer, slashed);
        _token.safeTransfer(msg.sender, slashed);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRelayerStaking
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IRelayerStaking
    function relayerOf(address relayer) external view returns (Relayer memory) {
        return _relayers[relayer];
    }

    /// @inheritdoc IRelayerStaking
    function committeeArbiter() public view returns (address arbiter) {
        // The coordinator names its language arbiter (set once by its admin); zero while it names none.
        (bool ok, bytes memory data) = coordinator.staticcall(
            abi.encodeCall(ILanguageDisputeHooks.languageArbiter, ())
        );
        if (ok && data.length == 32) arbiter = abi.decode(data, (address));
    }

    /// @inheritdoc IRelayerStaking
    function serves(bytes32 modelId, address relayer) external view returns (bool) {
        return _serverPositions[modelId][relayer] != 0;
    }

    /// @inheritdoc IRelayerStaking
    function serverCount(bytes32 modelId) external view returns (uint256) {
        return _servers[modelId].length;
    }

    /// @inheritdoc IRelayerStaking
    function serverAt(bytes32 modelId, uint256 index) external view returns (address) {
        return _servers[modelId][index];
    }

    /// @inheritdoc IRelayerStaking
    function canLock(address relayer, uint256 amount) external view returns (bool) {
        Relayer storage r = _relayers[relayer];
        (uint256 staked, uint256 locked) = (r.stake, r.locked);
        return staked >= minStake && staked - locked >= amount;
    }

    function _lockBond(address relayer, uint256 amount) private {
        Relayer storage r = _relayers[relayer];
        (uint256 staked, uint256 locked) = (r.stake, r.locked);
        if (staked < minStake) revert BelowMinStake(relayer, staked, minStake);
        if (staked - locked < amount) revert InsufficientFreeStake(relayer, amount, staked - locked);
        r.locked = uint96(locked + amount);
        emit BondLocked(relayer, amount);
    }

    function _unlockBond(address relayer, uint256 amount, bool served) private {
        Relayer storage r = _relayers[relayer];
        if (r.locked < amount) revert LockedBondTooSmall(relayer, amount, r.locked);
        r.locked -= uint96(amount);
        if (served) ++r.jobsServed;
        emit BondUnlocked(relayer, amount, served);
    }

    function _setMinStake(uint96 minStake_) private {
        if (minStake_ == 0) revert ParameterOutOfBounds(minStake_, 1, type(uint96).max);
        minStake = minStake_;
        emit MinStakeUpdated(minStake_);
    }

    function _setUnbondingDelay(uint40 delay) private {
        if (delay < MIN_UNBONDING_DELAY || delay > MAX_UNBONDING_DELAY) {
            revert ParameterOutOfBounds(delay, MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY);
        }
        unbondingDelay = delay;
        emit UnbondingDelayUpdated(delay);
    }

    function _toUint96(uint256 value) private pure returns (uint96) {
        if (value > type(uint96).max) revert AmountTooLarge(value);
        return uint96(value);
    }
}
