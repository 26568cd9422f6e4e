// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IRelayerStaking} from "./interfaces/IRelayerStaking.sol";
import {IHalo2Verifier} from "./interfaces/IHalo2Verifier.sol";
import {AuctionMath} from "./libraries/AuctionMath.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {InstanceEncoding} from "./libraries/InstanceEncoding.sol";
import {OutputPacking} from "./libraries/OutputPacking.sol";
import {ExactGasCall} from "./libraries/ExactGasCall.sol";

/**
 * @title InferenceCoordinator
 * @notice Holds every request's escrow and every challenge bond, runs the reverse Dutch
 * auction, checks zk answers against the model's verifier, runs optimistic disputes,
 * settles by docs/DESIGN.md's formulas into pull balances, and delivers final results to
 * consumers with an exact gas limit. The protocol rules it implements are listed in
 * `contracts/README.md` ("Protocol rules").
 * @dev A request's id is the hash of its `RequestTerms`; it stores one packed state slot and
 * (optimistic answers only) one packed output word and the challenger. Pausing stops only
 * new requests: everything about a request already made, and every withdrawal, still works.
 */
contract InferenceCoordinator is IInferenceCoordinator, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint256 private constant MAX_PROTOCOL_FEE_BPS = 1_000;
    uint256 private constant MIN_LATE_SLASH_BPS = 100;
    uint256 private constant MIN_DISPUTE_PROTOCOL_SHARE_BPS = 500;
    uint256 private constant MAX_DISPUTE_PROTOCOL_SHARE_BPS = 5_000;
    uint256 private constant MAX_AUCTION_DURATION = 1 days;
    uint256 private constant MIN_WINDOW = 1 minutes;
    uint256 private constant MAX_DELIVERY_WINDOW = 1 days;
    uint256 private constant MAX_DISPUTE_WINDOW = 7 days;
    uint256 private constant MAX_CALLBACK_GAS_LIMIT = 5_000_000;

    /// @dev Packed parameters (two slots) and the request counter.
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

    struct Request {
        RequestState state;
        uint256 output; // packed, optimistic or fraud-proven answers only (zk answers live in the cache)
        address challenger;
        bytes32 raisedTermsHash; // the hash of the current terms once `raiseMaxComputeFee` changed them
    }

    IERC20 public immutable paymentToken;
    IModelRegistry public immutable registry;
    IRelayerStaking public immutable staking;

    Config private _config;
    Bonds private _bonds;
    /// @dev The treasury and the protocol's accrued fees and shares, in one slot.
    address private _treasury;
    uint96 private _protocolFees;

    mapping(uint256 requestId => Request) private _requests;
    mapping(bytes32 cacheKey => uint256 packedOutput) private _cache;
    mapping(address account => uint256) private _balances;
    mapping(bytes32 modelId => uint256) private _modelEarnings;

    constructor(
        IERC20 paymentToken_,
        IModelRegistry registry_,
        IRelayerStaking staking_,
        address admin,
        address treasury_,
        Params memory params_
    ) {
        if (
            address(paymentToken_) == address(0) || address(registry_) == address(0)
                || address(staking_) == address(0) || admin == address(0)
        ) revert ZeroAddress();
        if (staking_.token() != address(paymentToken_)) revert StakeTokenMismatch(staking_.token());
        if (staking_.coordinator() != address(this)) revert StakingCoordinatorMismatch(staking_.coordinator());
        paymentToken = paymentToken_;
        registry = registry_;
        staking = staking_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _config.nextNonce = 1;
        _setTreasury(treasury_);
        _setParams(params_);
    }

    // =================================================================== requests

    /// @inheritdoc IInferenceCoordinator
    function requestInference(RequestParams calldata params, bytes calldata input)
        external
        nonReentrant
        returns (uint256)
    {
        return _request(params, input);
    }

    /// @inheritdoc IInferenceCoordinator
    function requestInferenceWithPermit(
        RequestParams calldata params,
        bytes calldata input,
        uint256 permitValue,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256) {
        // A permit front-run by someone else has already set the allowance: go on either way.
        try IERC20Permit(address(paymentToken)).permit(msg.sender, address(this), permitValue, permitDeadline, v, r, s) {}
            catch {}
        return _request(params, input);
    }

    /// @inheritdoc IInferenceCoordinator
    function cancel(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        _stateIn(requestId, r, RequestStatus.Open);
        if (msg.sender != terms.requester) revert NotRequester(requestId, msg.sender);
        _refund(requestId, r, terms);
    }

    /// @inheritdoc IInferenceCoordinator
    function expire(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        if (block.timestamp <= terms.deadline) revert DeadlineNotReached(requestId, terms.deadline);
        RequestState memory s = r.state;
        RequestStatus status = s.status;
        if (status == RequestStatus.Claimed) {
            // The claimant let the deadline pass: it loses the late share of its bond to the requester.
            _slashLate(requestId, terms, s.relayer);
        } else if (status != RequestStatus.Open) {
            revert WrongStatus(requestId, status);
        }
        _refund(requestId, r, terms);
    }

    /// @inheritdoc IInferenceCoordinator
    function raiseMaxComputeFee(uint256 requestId, RequestTerms calldata terms, uint96 newMaxComputeFee)
        external
        nonReentrant
    {
        Request storage r = _checkedRequest(requestId, terms);
        _stateIn(requestId, r, RequestStatus.Open);
        if (msg.sender != terms.requester) revert NotRequester(requestId, msg.sender);
        if (newMaxComputeFee <= terms.maxComputeFee) revert MaxComputeFeeNotRaised(terms.maxComputeFee, newMaxComputeFee);
        uint256 topUp = FeeMath.escrow(terms.modelFee, newMaxComputeFee, terms.protocolFeeBps)
            - FeeMath.escrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps);
        // The new terms are the old ones with `maxComputeFee` (the 9th word of their encoding) replaced.
        bytes memory encoded = abi.encode(terms);
        assembly ("memory-safe") {
            mstore(add(encoded, 0x120), newMaxComputeFee)
        }
        r.raisedTermsHash = keccak256(encoded);
        r.state.termsRaised = true;
        emit MaxComputeFeeRaised(requestId, newMaxComputeFee, topUp);
        paymentToken.safeTransferFrom(msg.sender, address(this), topUp);
    }

    // =================================================================== relayers

    /// @inheritdoc IInferenceCoordinator
    function claim(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Open);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(requestId, terms.deadline);
        s.status = RequestStatus.Claimed;
        s.relayer = msg.sender;
        s.claimedAt = uint32(block.timestamp);
        s.phaseEndsAt = uint32(block.timestamp + terms.deliveryWindow);
        r.state = s;
        emit RequestClaimed(requestId, msg.sender, _computeFee(terms, block.timestamp));
        staking.lockBond(msg.sender, terms.jobBond);
    }

    /// @inheritdoc IInferenceCoordinator
    function fulfillZk(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _claimantState(requestId, r, terms);
        _verify(requestId, terms, input, output, proof);
        uint256 word = OutputPacking.pack(output);
        r.state.status = RequestStatus.Fulfilled;
        _cacheResult(terms, word);
        _settleAnswer(requestId, terms, msg.sender, s.claimedAt, output, true);
        staking.unlockBond(msg.sender, terms.jobBond, true);
        _deliver(requestId, r, terms, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function submitOptimistic(uint256 requestId, RequestTerms calldata terms, int256[] calldata output)
        external
        nonReentrant
    {
        Request storage r = _checkedRequest(requestId, terms);
        if (terms.proofMode != ProofMode.Optimistic) revert ProofModeUnsupported(terms.modelId, terms.proofMode);
        RequestState memory s = _claimantState(requestId, r, terms);
        if (output.length != terms.outputLength) revert OutputLengthMismatch(terms.outputLength, output.length);
        r.output = OutputPacking.pack(output);
        s.status = RequestStatus.Pending;
        s.phaseEndsAt = uint32(block.timestamp + terms.challengeWindow);
        r.state = s;
        emit OptimisticSubmitted(requestId, msg.sender, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function finalize(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Pending);
        if (block.timestamp < s.phaseEndsAt) revert ChallengeWindowOpen(requestId, s.phaseEndsAt);
        r.state.status = RequestStatus.Fulfilled;
        int256[] memory output = OutputPacking.unpack(r.output);
        _settleAnswer(requestId, terms, s.relayer, s.claimedAt, output, false);
        staking.unlockBond(s.relayer, terms.jobBond, true);
        _deliver(requestId, r, terms, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function challenge(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Pending);
        if (block.timestamp >= s.phaseEndsAt) revert ChallengeWindowClosed(requestId, s.phaseEndsAt);
        s.status = RequestStatus.Disputed;
        s.phaseEndsAt = uint32(block.timestamp + terms.defenceWindow);
        r.state = s;
        r.challenger = msg.sender;
        emit Challenged(requestId, msg.sender, terms.challengeBond);
        paymentToken.safeTransferFrom(msg.sender, address(this), terms.challengeBond);
    }

    /// @inheritdoc IInferenceCoordinator
    function defend(uint256 requestId, RequestTerms calldata terms, bytes calldata input, bytes calldata proof)
        external
        nonReentrant
    {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Disputed);
        if (msg.sender != s.relayer) revert NotClaimant(requestId, msg.sender);
        if (block.timestamp > s.phaseEndsAt) revert DefenceWindowClosed(requestId, s.phaseEndsAt);
        uint256 word = r.output;
        int256[] memory output = OutputPacking.unpack(word);
        _verify(requestId, terms, input, output, proof);
        address challenger = r.challenger;
        r.state.status = RequestStatus.Fulfilled;
        _cacheResult(terms, word);
        // The challenger was wrong: its bond pays the relayer, less the protocol's share.
        _splitLoserBond(terms.challengeBond, s.relayer);
        emit Defended(requestId, s.relayer, challenger);
        _settleAnswer(requestId, terms, s.relayer, s.claimedAt, output, true);
        staking.unlockBond(s.relayer, terms.jobBond, true);
        _deliver(requestId, r, terms, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function proveFraud(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Disputed);
        uint256 word = OutputPacking.pack(output);
        if (word == r.output) revert SameOutput(requestId);
        _verify(requestId, terms, input, output, proof);
        address challenger = r.challenger;
        r.state.status = RequestStatus.Fulfilled;
        r.output = word;
        _cacheResult(terms, word);
        // The relayer was wrong: the challenger gets its bond back and the relayer's slashed bond,
        // less the protocol's share; the prover answers the request and earns its compute fee.
        _credit(challenger, terms.challengeBond);
        _splitLoserBond(terms.jobBond, challenger);
        emit FraudProven(requestId, msg.sender, s.relayer, output);
        _settleAnswer(requestId, terms, msg.sender, s.claimedAt, output, true);
        _slash(requestId, s.relayer, terms.jobBond, terms.jobBond);
        _deliver(requestId, r, terms, output);
    }

    /// @inheritdoc IInferenceCoordinator
    function resolveDisputeTimeout(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Disputed);
        if (block.timestamp <= s.phaseEndsAt) revert DefenceWindowOpen(requestId, s.phaseEndsAt);
        address challenger = r.challenger;
        r.output = 0;
        r.challenger = address(0);
        _credit(challenger, terms.challengeBond);
        _splitLoserBond(terms.jobBond, challenger);
        emit DisputeTimedOut(requestId, s.relayer, challenger);
        if (block.timestamp > terms.deadline) {
            _refund(requestId, r, terms);
        } else {
            _reopen(requestId, r, s.relayer);
        }
        _slash(requestId, s.relayer, terms.jobBond, terms.jobBond);
    }

    /// @inheritdoc IInferenceCoordinator
    function reopen(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = _stateIn(requestId, r, RequestStatus.Claimed);
        if (block.timestamp <= s.phaseEndsAt) revert DeliveryWindowOpen(requestId, s.phaseEndsAt);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(requestId, terms.deadline);
        _reopen(requestId, r, s.relayer);
        _slashLate(requestId, terms, s.relayer);
    }

    // =================================================================== results and payments

    /// @inheritdoc IInferenceCoordinator
    function retryCallback(uint256 requestId, RequestTerms calldata terms) external nonReentrant {
        Request storage r = _checkedRequest(requestId, terms);
        RequestState memory s = r.state;
        if (s.status != RequestStatus.Fulfilled || !s.callbackPending) revert NoFailedCallback(requestId);
        r.state.callbackPending = false;
        uint256 word = r.output;
        if (word == 0) word = _cache[_cacheKey(terms.modelId, terms.inputHash)];
        if (_deliver(requestId, r, terms, OutputPacking.unpack(word))) emit CallbackDelivered(requestId);
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

    // =================================================================== admin

    /// @notice Sets every protocol parameter at once, each within its bounds; requests already made keep theirs.
    function setParams(Params calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(params_);
    }

    /// @notice Sets the address credited with protocol fees and shares from now on.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @notice Stops new requests (nothing else: answers, disputes, refunds and withdrawals go on).
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_config.paused) revert EnforcedPause();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Accepts new requests again.
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_config.paused) revert ExpectedPause();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // =================================================================== views

    /// @inheritdoc IInferenceCoordinator
    function cachedResult(bytes32 modelId, bytes calldata input)
        external
        view
        returns (bool found, int256[] memory output)
    {
        uint256 word = _cache[_cacheKey(modelId, keccak256(input))];
        return (word != 0, OutputPacking.unpack(word));
    }

    /// @inheritdoc IInferenceCoordinator
    function pendingResult(uint256 requestId)
        external
        view
        returns (int256[] memory output, RequestStatus status, uint256 windowEndsAt)
    {
        Request storage r = _requests[requestId];
        RequestState memory s = r.state;
        status = s.status;
        if (status != RequestStatus.Pending && status != RequestStatus.Disputed) revert WrongStatus(requestId, status);
        return (OutputPacking.unpack(r.output), status, s.phaseEndsAt);
    }

    /// @inheritdoc IInferenceCoordinator
    function getRequest(uint256 requestId) external view returns (bytes32 termsHash, RequestState memory state) {
        Request storage r = _requests[requestId];
        state = r.state;
        if (state.status == RequestStatus.None) return (bytes32(0), state);
        return (state.termsRaised ? r.raisedTermsHash : bytes32(requestId), state);
    }

    /// @inheritdoc IInferenceCoordinator
    function quoteEscrow(bytes32 modelId, uint96 maxComputeFee) external view returns (uint256) {
        return FeeMath.escrow(registry.modelTerms(modelId).fee, maxComputeFee, _config.protocolFeeBps);
    }

    /// @inheritdoc IInferenceCoordinator
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice The current protocol parameters.
    function getParams() external view returns (Params memory p) {
        Config memory c = _config;
        return Params(
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

    /// @notice Whether new requests are stopped.
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @notice The address protocol fees and shares are paid to.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The protocol's fees and shares not yet paid to the treasury.
    function protocolFees() external view returns (uint256) {
        return _protocolFees;
    }

    /// @notice The earnings of `modelId` (its owner's cut, and its cut as a parent) not yet withdrawn.
    function modelEarnings(bytes32 modelId) external view returns (uint256) {
        return _modelEarnings[modelId];
    }

    /// @notice The nonce the next request's terms will carry.
    function nextNonce() external view returns (uint256) {
        return _config.nextNonce;
    }

    // =================================================================== internals

    function _request(RequestParams calldata p, bytes calldata input) private returns (uint256 requestId) {
        IModelRegistry.ModelTerms memory m = registry.modelTerms(p.modelId);
        if (!m.active) revert ModelInactive(p.modelId);
        if (m.proofModes & (p.proofMode == ProofMode.Zk ? 1 : 2) == 0) revert ProofModeUnsupported(p.modelId, p.proofMode);
        _checkInput(input, m.inputLength, m.inputBound);
        if (p.deadline <= block.timestamp) revert InvalidDeadline(p.deadline);
        if (p.startComputeFee > p.maxComputeFee) revert InvalidComputeFees(p.startComputeFee, p.maxComputeFee);
        Config memory c = _config;
        if (c.paused) revert EnforcedPause();
        if (p.callbackGasLimit > c.maxCallbackGasLimit) {
            revert CallbackGasLimitTooHigh(p.callbackGasLimit, c.maxCallbackGasLimit);
        }
        _config.nextNonce = c.nextNonce + 1;

        bytes32 inputHash = keccak256(input);
        uint256 cached = _cache[_cacheKey(p.modelId, inputHash)];
        // A cached pair is answered now: no relayer is bonded, nothing can be disputed.
        Bonds memory bonds = cached == 0 ? _bonds : Bonds(0, 0);
        RequestTerms memory t = RequestTerms({
            modelId: p.modelId,
            inputHash: inputHash,
            requester: msg.sender,
            consumer: p.consumer == address(0) ? msg.sender : p.consumer,
            referrer: p.referrer,
            modelFee: m.fee,
            // A cached pair is answered now for the model fee alone: no compute is bought.
            startComputeFee: cached == 0 ? p.startComputeFee : 0,
            maxComputeFee: cached == 0 ? p.maxComputeFee : 0,
            jobBond: bonds.jobBond,
            challengeBond: bonds.challengeBond,
            createdAt: uint40(block.timestamp),
            deadline: p.deadline,
            auctionDuration: c.auctionDuration,
            deliveryWindow: c.deliveryWindow,
            challengeWindow: c.challengeWindow,
            defenceWindow: c.defenceWindow,
            callbackGasLimit: p.callbackGasLimit,
            protocolFeeBps: c.protocolFeeBps,
            parentModelId: m.parentShareBps == 0 ? bytes32(0) : registry.parentOf(p.modelId),
            parentShareBps: m.parentShareBps,
            referralShareBps: p.referrer == address(0) ? 0 : m.referralShareBps,
            outputLength: m.outputLength,
            proofMode: p.proofMode,
            nonce: c.nextNonce
        });
        requestId = uint256(keccak256(abi.encode(t)));
        uint256 escrow = FeeMath.escrow(t.modelFee, t.maxComputeFee, t.protocolFeeBps);
        if (cached == 0) {
            emit RequestCreated(requestId, p.modelId, msg.sender, t, input);
            _requests[requestId].state.status = RequestStatus.Open;
            paymentToken.safeTransferFrom(msg.sender, address(this), escrow);
        } else {
            // Answered now: no relayer will ever need the terms, unless the callback fails (see _deliverCached).
            _settle(t, 0);
            int256[] memory output = OutputPacking.unpack(cached);
            emit CachedRequestFulfilled(requestId, p.modelId, msg.sender, t, output);
            paymentToken.safeTransferFrom(msg.sender, address(this), escrow);
            _deliverCached(requestId, t, input, output);
        }
    }

    /// @dev `input` must be exactly `abi.encode(int256[])` of `inputLength` values, each of magnitude at
    /// most `inputBound` (the model's) and with a field image.
    function _checkInput(bytes calldata input, uint256 inputLength, uint256 inputBound) private pure {
        if (input.length < 64 || uint256(bytes32(input[0:32])) != 0x20) revert MalformedInput();
        uint256 count = uint256(bytes32(input[32:64]));
        if (count != inputLength) revert InputLengthMismatch(inputLength, count);
        if (input.length != 64 + 32 * count) revert MalformedInput();
        uint256 maxAbs = inputBound == 0 ? InstanceEncoding.MAX_ABS_VALUE : inputBound;
        for (uint256 i; i < count; ++i) {
            int256 v;
            assembly ("memory-safe") {
                v := calldataload(add(input.offset, add(64, mul(32, i))))
            }
            if (v > int256(maxAbs) || v < -int256(maxAbs)) revert InputOutOfBounds(i, v, maxAbs);
        }
    }

    /// @dev The request `requestId`, whose current terms must be `terms`: a request's id is the
    /// hash of the terms it was made with, and `raisedTermsHash` holds the hash of raised terms.
    function _checkedRequest(uint256 requestId, RequestTerms calldata terms) private view returns (Request storage r) {
        r = _requests[requestId];
        bytes32 termsHash = keccak256(abi.encode(terms));
        if (r.state.termsRaised ? termsHash != r.raisedTermsHash : uint256(termsHash) != requestId) {
            revert TermsMismatch(requestId);
        }
    }

    /// @dev The state of request `requestId`, which must have status `expected`.
    function _stateIn(uint256 requestId, Request storage r, RequestStatus expected)
        private
        view
        returns (RequestState memory s)
    {
        s = r.state;
        if (s.status != expected) revert WrongStatus(requestId, s.status);
    }

    /// @dev The state of a Claimed request, checked to be answered by its claimant before the deadline.
    function _claimantState(uint256 requestId, Request storage r, RequestTerms calldata terms)
        private
        view
        returns (RequestState memory s)
    {
        s = _stateIn(requestId, r, RequestStatus.Claimed);
        if (s.relayer != msg.sender) revert NotClaimant(requestId, msg.sender);
        if (block.timestamp > terms.deadline) revert DeadlinePassed(requestId, terms.deadline);
    }

    function _computeFee(RequestTerms calldata terms, uint256 at) private pure returns (uint256) {
        return AuctionMath.price(terms.startComputeFee, terms.maxComputeFee, terms.createdAt, terms.auctionDuration, at);
    }

    /// @dev Reverts unless `proof` proves that the model maps the request's own `input` to `output`.
    function _verify(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] memory output,
        bytes calldata proof
    ) private {
        if (keccak256(input) != terms.inputHash) revert InputMismatch(requestId);
        if (output.length != terms.outputLength) revert OutputLengthMismatch(terms.outputLength, output.length);
        uint256[] memory instances = InstanceEncoding.buildInstances(abi.decode(input, (int256[])), output);
        bool valid;
        try IHalo2Verifier(registry.verifierOf(terms.modelId)).verifyProof(proof, instances) returns (bool ok) {
            valid = ok;
        } catch {}
        if (!valid) revert InvalidProof(requestId);
    }

    function _cacheKey(bytes32 modelId, bytes32 inputHash) private pure returns (bytes32) {
        return keccak256(abi.encode(modelId, inputHash));
    }

    function _cacheResult(RequestTerms calldata terms, uint256 word) private {
        bytes32 key = _cacheKey(terms.modelId, terms.inputHash);
        if (_cache[key] == 0) _cache[key] = word;
    }

    /// @dev Credits every party of an answered request, by the one fee formula.
    function _settle(RequestTerms memory terms, uint256 computeFee) private returns (uint256 refund) {
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
        return s.refund;
    }

    /// @dev Settles an answered request and pays `payee` its compute fee.
    function _settleAnswer(
        uint256 requestId,
        RequestTerms calldata terms,
        address payee,
        uint256 claimedAt,
        int256[] memory output,
        bool proven
    ) private {
        uint256 computeFee = _computeFee(terms, claimedAt);
        _settle(terms, computeFee);
        _credit(payee, computeFee);
        emit RequestFulfilled(requestId, payee, output, computeFee, proven);
    }

    function _creditProtocol(uint256 amount) private {
        if (amount != 0) _protocolFees += uint96(amount);
    }

    /// @dev Gives `winner` a loser's `bond`, less the protocol's dispute share.
    function _splitLoserBond(uint256 bond, address winner) private {
        uint256 protocolShare = FeeMath.share(bond, _config.disputeProtocolShareBps);
        _creditProtocol(protocolShare);
        _credit(winner, bond - protocolShare);
    }

    /// @dev Slashes the late share of a claimant's bond to the requester and releases the rest.
    function _slashLate(uint256 requestId, RequestTerms calldata terms, address relayer) private {
        uint256 slashed = FeeMath.share(terms.jobBond, _config.lateSlashBps);
        _credit(terms.requester, slashed);
        _slash(requestId, relayer, terms.jobBond, slashed);
    }

    /// @dev Takes `slashed` of the `locked` job bond of `relayer` (the rest is released); the tokens come here.
    function _slash(uint256 requestId, address relayer, uint256 locked, uint256 slashed) private {
        emit RelayerSlashed(requestId, relayer, slashed);
        staking.slash(relayer, locked, slashed);
    }

    function _reopen(uint256 requestId, Request storage r, address previousRelayer) private {
        r.state = RequestState(RequestStatus.Open, false, r.state.termsRaised, address(0), 0, 0);
        emit RequestReopened(requestId, previousRelayer);
    }

    function _refund(uint256 requestId, Request storage r, RequestTerms calldata terms) private {
        uint256 amount = FeeMath.escrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps);
        r.state = RequestState(RequestStatus.Refunded, false, r.state.termsRaised, address(0), 0, 0);
        _credit(terms.requester, amount);
        emit RequestRefunded(requestId, amount);
    }

    function _credit(address account, uint256 amount) private {
        if (amount != 0) _balances[account] += amount;
    }

    /// @dev Calls the consumer of a stored request; a failure is recorded for `retryCallback`.
    function _deliver(uint256 requestId, Request storage r, RequestTerms calldata terms, int256[] memory output)
        private
        returns (bool ok)
    {
        ok = _callConsumer(requestId, terms.consumer, terms.callbackGasLimit, output);
        if (!ok) r.state.callbackPending = true;
    }

    /// @dev Calls the consumer of a request answered from the cache; only if the callback failed is the
    /// request stored (and its terms emitted), so that anyone can `retryCallback` it.
    function _deliverCached(uint256 requestId, RequestTerms memory terms, bytes calldata input, int256[] memory output)
        private
    {
        if (!_callConsumer(requestId, terms.consumer, terms.callbackGasLimit, output)) {
            emit RequestCreated(requestId, terms.modelId, terms.requester, terms, input);
            _requests[requestId].state = RequestState(RequestStatus.Fulfilled, true, false, address(0), 0, 0);
        }
    }

    function _callConsumer(uint256 requestId, address consumer, uint256 gasLimit, int256[] memory output)
        private
        returns (bool ok)
    {
        uint256 gasUsed;
        bytes memory reason;
        (ok, gasUsed, reason) = ExactGasCall.call(
            consumer, gasLimit, abi.encodeCall(IInferenceConsumer.onInferenceResult, (requestId, output))
        );
        if (!ok) emit CallbackFailed(requestId, gasUsed, reason);
    }

    function _setParams(Params memory p) private {
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
        emit ParamsUpdated(p);
    }

    function _checkBounds(uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(value, min, max);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert ZeroAddress();
        _treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }
}
