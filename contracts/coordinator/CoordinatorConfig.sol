// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoordinatorAdmin} from "../CoordinatorAdmin.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title CoordinatorConfig
 * @notice The coordinator's copy of its configuration, the one its requests read: protocol
 * parameters, treasury and pause flag. Only the `CoordinatorAdmin` contract writes it, through
 * the configuration hooks, after checking the caller's role and the parameters' bounds.
 * Parameters apply to requests made afterwards: a request locks them in its terms.
 * @dev Storage: the parameters, the request nonce and the pause flag share one slot (a new
 * request reads them with one SLOAD); the bonds take another, read only by requests that are
 * not answered from the cache; `_treasury` is declared last so that `CoordinatorLedger`'s
 * protocol-fee counter shares its slot.
 */
abstract contract CoordinatorConfig is IInferenceCoordinator, IHighwayErrors {
    /// @dev The parameters every request reads, with the request counter and the pause flag: one slot.
    struct Config {
        uint16 protocolFeeBps;
        uint16 lateSlashBps;
        uint16 disputeProtocolShareBps;
        uint32 auctionDuration;
        uint32 deliveryWindow;
        uint32 challengeWindow;
        uint32 defenceWindow;
        uint32 maxCallbackGasLimit;
        uint40 nextNonce;
        bool paused;
    }

    /// @dev The bonds, read only by requests that are not answered from the cache.
    struct Bonds {
        uint96 jobBond;
        uint96 challengeBond;
    }

    Config internal _config;
    Bonds internal _bonds;
    /// @inheritdoc IInferenceCoordinator
    address public languageArbiter;
    address internal _treasury;

    /// @inheritdoc IInferenceCoordinator
    address public immutable coordinatorAdmin;

    modifier onlyCoordinatorAdmin() {
        if (msg.sender != coordinatorAdmin) revert OnlyCoordinatorAdmin(msg.sender);
        _;
    }

    /// @dev Deploys the admin contract, which grants its roles to `admin` and checks `treasury_` and
    /// `params_` (it cannot write them here: this contract has no code until its constructor returns).
    constructor(address admin, address treasury_, Params memory params_) {
        coordinatorAdmin = address(new CoordinatorAdmin(admin, treasury_, params_));
        _treasury = treasury_;
        _applyParams(params_);
    }

    /// @inheritdoc IInferenceCoordinator
    function applyParams(Params calldata params_) external onlyCoordinatorAdmin {
        _applyParams(params_);
    }

    /// @inheritdoc IInferenceCoordinator
    function applyTreasury(address treasury_) external onlyCoordinatorAdmin {
        _treasury = treasury_;
    }

    /// @inheritdoc IInferenceCoordinator
    function applyPause(bool paused_) external onlyCoordinatorAdmin {
        _config.paused = paused_;
    }

    /// @inheritdoc IInferenceCoordinator
    function applyLanguageArbiter(address arbiter) external onlyCoordinatorAdmin {
        if (languageArbiter != address(0)) revert LanguageArbiterAlreadySet(languageArbiter);
        languageArbiter = arbiter;
    }

    /// @inheritdoc IInferenceCoordinator
    function getParams() external view returns (Params memory p) {
        Config memory c = _config;
        return
            Params(
                c.protocolFeeBps,
                c.lateSlashBps,
                c.disputeProtocolShareBps,
                c.auctionDuration,
                c.deliveryWindow,
                c.challengeWindow,
                c.defenceWindow,
                c.maxCallbackGasLimit,
                _bonds.jobBond,
                _bonds.challengeBond
            );
    }

    /// @inheritdoc IInferenceCoordinator
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IInferenceCoordinator
    function treasury() external view returns (address) {
        return _treasury;
    }

    function _applyParams(Params memory p) private {
        Config storage c = _config;
        c.protocolFeeBps = p.protocolFeeBps;
        c.lateSlashBps = p.lateSlashBps;
        c.disputeProtocolShareBps = p.disputeProtocolShareBps;
        c.auctionDuration = p.auctionDuration;
        c.deliveryWindow = p.deliveryWindow;
        c.challengeWindow = p.challengeWindow;
        c.defenceWindow = p.defenceWindow;
        c.maxCallbackGasLimit = p.maxCallbackGasLimit;
        _bonds = Bonds(p.jobBond, p.challengeBond);
    }
}
