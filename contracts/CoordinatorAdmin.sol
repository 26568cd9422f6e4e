// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ICoordinatorAdmin, MAX_DISPUTE_WINDOW} from "./interfaces/ICoordinatorAdmin.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {FeeMath} from "./libraries/FeeMath.sol";

/**
 * @title CoordinatorAdmin
 * @notice The coordinator's administration, in one place: the roles (OpenZeppelin
 * AccessControl: `DEFAULT_ADMIN_ROLE` sets parameters and the treasury and manages the roles,
 * `PAUSER_ROLE` pauses), the bounds of every protocol parameter, the treasury and the pause
 * of new requests. It is deployed by the coordinator's constructor and is the only caller of
 * the coordinator's configuration hooks, which store what it decided where requests read it.
 * @dev A contract of its own so that the coordinator's runtime code keeps room under EIP-170:
 * the roles and the bounds are code no request runs.
 */
contract CoordinatorAdmin is ICoordinatorAdmin, AccessControl {
    /// @notice The role that may pause and unpause new requests.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint256 private constant MAX_PROTOCOL_FEE_BPS = 1_000;
    uint256 private constant MIN_LATE_SLASH_BPS = 100;
    uint256 private constant MIN_DISPUTE_PROTOCOL_SHARE_BPS = 500;
    uint256 private constant MAX_DISPUTE_PROTOCOL_SHARE_BPS = 9_000;
    uint256 private constant MAX_AUCTION_DURATION = 1 days;
    uint256 private constant MIN_WINDOW = 1 minutes;
    uint256 private constant MAX_DELIVERY_WINDOW = 1 days;
    uint256 private constant MAX_CALLBACK_GAS_LIMIT = 5_000_000;

    /// @inheritdoc ICoordinatorAdmin
    IInferenceCoordinator public immutable coordinator;

    /// @dev Checks the coordinator's initial configuration (which the coordinator's constructor stores
    /// itself: it has no code to call yet) and grants both roles to `admin`.
    constructor(address admin, address treasury_, IInferenceCoordinator.Params memory params_) {
        if (admin == address(0) || treasury_ == address(0)) revert ZeroAddress();
        checkParams(params_);
        coordinator = IInferenceCoordinator(msg.sender);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        emit TreasuryUpdated(treasury_);
        emit ParamsUpdated(params_);
    }

    /// @inheritdoc ICoordinatorAdmin
    function setParams(IInferenceCoordinator.Params calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        checkParams(params_);
        emit ParamsUpdated(params_);
        coordinator.applyParams(params_);
    }

    /// @inheritdoc ICoordinatorAdmin
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        emit TreasuryUpdated(treasury_);
        coordinator.applyTreasury(treasury_);
    }

    /// @inheritdoc ICoordinatorAdmin
    function setLanguageArbiter(address arbiter) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (arbiter == address(0)) revert ZeroAddress();
        emit LanguageArbiterSet(arbiter);
        coordinator.applyLanguageArbiter(arbiter);
    }

    /// @inheritdoc ICoordinatorAdmin
    function pause() external onlyRole(PAUSER_ROLE) {
        if (coordinator.paused()) revert EnforcedPause();
        emit Paused(msg.sender);
        coordinator.applyPause(true);
    }

    /// @inheritdoc ICoordinatorAdmin
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!coordinator.paused()) revert ExpectedPause();
        emit Unpaused(msg.sender);
        coordinator.applyPause(false);
    }

    /// @inheritdoc ICoordinatorAdmin
    function checkParams(IInferenceCoordinator.Params memory p) public pure {
        _checkBounds(p.protocolFeeBps, 0, MAX_PROTOCOL_FEE_BPS);
        _checkBounds(p.lateSlashBps, MIN_LATE_SLASH_BPS, FeeMath.BPS);
        _checkBounds(p.disputeProtocolShareBps, MIN_DISPUTE_PROTOCOL_SHARE_BPS, MAX_DISPUTE_PROTOCOL_SHARE_BPS);
        _checkBounds(p.auctionDuration, 0, MAX_AUCTION_DURATION);
        _checkBounds(p.deliveryWindow, MIN_WINDOW, MAX_DELIVERY_WINDOW);
        _checkBounds(p.challengeWindow, MIN_WINDOW, MAX_DISPUTE_WINDOW);
        _checkBounds(p.defenceWindow, MIN_WINDOW, MAX_DISPUTE_WINDOW);
        _checkBounds(p.maxCallbackGasLimit, 0, MAX_CALLBACK_GAS_LIMIT);
        _checkBounds(p.jobBond, 1, type(uint96).max);
        _checkBounds(p.challengeBond, 1, type(uint96).max);
    }

    function _checkBounds(uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(value, min, max);
    }
}
