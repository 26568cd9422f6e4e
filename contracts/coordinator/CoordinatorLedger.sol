// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {FeeMath} from "../libraries/FeeMath.sol";
import {CoordinatorConfig} from "./CoordinatorConfig.sol";

/**
 * @title CoordinatorLedger
 * @notice Settlement and balances, in one place: what the coordinator's tokens are owed to
 * (the pull balances of accounts, the earnings of models, the protocol's fees and shares),
 * the credits of every settlement (an answered request's fee split by `FeeMath.split`, a
 * dispute loser's bond, a late claimant's slash), and the withdrawals.
 * @dev Every amount is credited, never pushed: the only transfers out are the withdrawals.
 * `_protocolFees` shares a slot with `CoordinatorConfig`'s `_treasury` (declared just before it), so a
 * settlement writes one slot for the protocol's part.
 */
abstract contract CoordinatorLedger is CoordinatorConfig, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The token of escrows, fees, bonds and stake.
    IERC20 public immutable paymentToken;
    /// @notice The model registry (model owners are paid their models' earnings).
    IModelRegistry public immutable registry;

    uint96 private _protocolFees;
    mapping(address account => uint256) private _balances;
    mapping(bytes32 modelId => uint256) private _modelEarnings;

    constructor(IERC20 paymentToken_, IModelRegistry registry_) {
        if (address(paymentToken_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        paymentToken = paymentToken_;
        registry = registry_;
    }

    /// @inheritdoc IInferenceCoordinator
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _balances[msg.sender] = 0;
        emit Withdrawal(msg.sender, amount);
        paymentToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IInferenceCoordinator
    function withdrawModelEarnings(bytes32 modelId) external nonReentrant {
        address owner = registry.ownerOf(modelId);
        if (msg.sender != owner) revert NotModelOwner(modelId, msg.sender);
        uint256 amount = _modelEarnings[modelId];
        if (amount == 0) revert NothingToWithdraw();
        _modelEarnings[modelId] = 0;
        emit ModelEarningsWithdrawn(modelId, owner, amount);
        paymentToken.safeTransfer(owner, amount);
    }

    /// @inheritdoc IInferenceCoordinator
    function withdrawProtocolFees() external nonReentrant {
        (address account, uint256 amount) = (_treasury, _protocolFees);
        if (amount == 0) revert NothingToWithdraw();
        _protocolFees = 0;
        emit ProtocolFeesWithdrawn(account, amount);
        paymentToken.safeTransfer(account, amount);
    }

    /// @inheritdoc IInferenceCoordinator
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice The earnings of `modelId` (its owner's cut, and its cut as a parent) not yet withdrawn.
    function modelEarnings(bytes32 modelId) external view returns (uint256) {
        return _modelEarnings[modelId];
    }

    /// @notice The protocol's fees and shares not yet paid to the treasury.
    function protocolFees() external view returns (uint256) {
        return _protocolFees;
    }

    /// @dev Credits every party of an answered request but the payee of its compute fee, by the one fee formula.
    function _settle(RequestTerms memory terms, uint256 computeFee) internal {
        FeeMath.Split memory s = FeeMath.split(
            terms.modelFee,
            computeFee,
            terms.maxComputeFee,
            terms.protocolFeeBps,
            terms.parentShareBps,
            terms.referralShareBps
        );
        if (s.ownerCut != 0) _modelEarnings[terms.modelId] += s.ownerCut;
        if (s.parentCut != 0) _modelEarnings[terms.parentModelId] += s.parentCut;
        _credit(terms.referrer, s.referralCut);
        _creditProtocol(s.protocolFee);
        _credit(terms.requester, s.refund);
    }

    /// @dev Gives `winner` a dispute loser's `bond`, less the protocol's dispute share the request locked;
    /// that share goes to the protocol or, when an arbiter names `rewardees` (a committee's majority), is
    /// split equally between them (the rounding dust to the protocol).
    function _splitLoserBond(
        RequestTerms calldata terms,
        uint256 bond,
        address winner,
        address[] calldata rewardees
    ) internal {
        uint256 protocolShare = FeeMath.share(bond, terms.disputeProtocolShareBps);
        _credit(winner, bond - protocolShare);
        uint256 count = rewardees.length;
        if (count != 0) {
            uint256 each = protocolShare / count;
            for (uint256 i; i < count; ++i) _credit(rewardees[i], each);
            protocolShare -= each * count;
        }
        _creditProtocol(protocolShare);
    }

    /// @dev Credits the requester the late share (locked in the terms) of a late claimant's `jobBond`;
    /// returns that share (to be slashed).
    function _creditLateSlash(RequestTerms calldata terms) internal returns (uint256 slashed) {
        slashed = FeeMath.share(terms.jobBond, terms.lateSlashBps);
        _credit(terms.requester, slashed);
    }

    /// @dev Credits a request's whole escrow back to its requester; returns the amount.
    function _creditRefund(RequestTerms calldata terms) internal returns (uint256 amount) {
        amount = FeeMath.escrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps);
        _credit(terms.requester, amount);
    }

    function _credit(address account, uint256 amount) internal {
        if (amount != 0) _balances[account] += amount;
    }

    function _creditProtocol(uint256 amount) private {
        if (amount != 0) _protocolFees += uint96(amount);
    }
}
