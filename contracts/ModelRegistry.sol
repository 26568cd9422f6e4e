// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ModelKind} from "./types/ModelKind.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {Utf8} from "./libraries/Utf8.sol";

/**
 * @title ModelRegistry
 * @notice Models by `bytes32 modelId`. Anyone may register a model; its owner may change its
 * fee, referral share, proof modes, artifact URI, active flag and owner. The kind, the verifier
 * (and its runtime code hash, recorded at registration) or the runtime spec hash, shapes, scales,
 * parent, parent share and artifact hash are the model's identity: a new circuit (or runtime) is a
 * new model. It also checks a request's input against the model (`termsForInput`). A request locks the
 * fee and shares it saw, so no change here touches a request already made.
 */
contract ModelRegistry is IModelRegistry {
    /// @notice The proof-mode bit of answers proven with an EZKL proof.
    uint8 public constant MODE_ZK = 1;
    /// @notice The proof-mode bit of bonded optimistic answers, open to challenge.
    uint8 public constant MODE_OPTIMISTIC = 2;
    /// @notice The most input values (a language model: prompt bytes) a model may take.
    uint16 public constant MAX_INPUT_LENGTH = 16_384;
    /// @notice The most output values (a language model: answer bytes) a model may have.
    uint16 public constant MAX_OUTPUT_LENGTH = 16_384;
    /// @notice The largest fixed-point scale (bits).
    uint8 public constant MAX_SCALE = 64;
    /// @notice The most requests one batched proof answers.
    uint8 public constant MAX_BATCH_SIZE = 32;

    struct Record {
        ModelTerms terms; // one slot
        address owner;
        address verifier;
        uint8 inputScale;
        uint8 outputScale;
        bytes32 verifierCodeHash;
        bytes32 runtimeSpecHash;
        bytes32 parentModelId;
        bytes32 artifactHash;
        string artifactURI;
    }

    mapping(bytes32 modelId => Record) private _models;
    mapping(bytes32 modelId => BatchVerifier) private _batchVerifiers;

    modifier onlyModelOwner(bytes32 modelId) {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert UnknownModel(modelId);
        if (owner != msg.sender) revert NotModelOwner(modelId, msg.sender);
        _;
    }

    /// @inheritdoc IModelRegistry
    function modelIdOf(address owner, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, salt));
    }

    /// @inheritdoc IModelRegistry
    function registerModel(bytes32 salt, ModelParams calldata params) external returns (bytes32 modelId) {
        modelId = modelIdOf(msg.sender, salt);
        if (_models[modelId].owner != address(0)) revert ModelAlreadyRegistered(modelId);
        _checkKind(params);
        if (params.inputLength == 0 || params.inputLength > MAX_INPUT_LENGTH)
            revert InvalidInputLength(params.inputLength);
        if (params.outputLength == 0 || params.outputLength > MAX_OUTPUT_LENGTH) {
            revert InvalidOutputLength(params.outputLength);
        }
        if (params.inputScale > MAX_SCALE) revert InvalidScale(params.inputScale);
        if (params.outputScale > MAX_SCALE) revert InvalidScale(params.outputScale);
        if (params.parentModelId == bytes32(0)) {
            if (params.parentShareBps != 0) revert InvalidShares(params.parentShareBps, params.referralShareBps);
        } else if (params.parentModelId == modelId || _models[params.parentModelId].owner == address(0)) {
            revert InvalidParent(params.parentModelId);
        }
        _checkShares(params.parentShareBps, params.referralShareBps);

        Record storage m = _models[modelId];
        m.terms = ModelTerms({
            fee: params.fee,
            inputLength: params.inputLength,
            outputLength: params.outputLength,
            proofModes: params.proofModes,
            active: true,
            parentShareBps: params.parentShareBps,
            referralShareBps: params.referralShareBps,
            kind: params.kind,
            inputBound: params.inputBound
        });
        m.owner = msg.sender;
        m.verifier = params.verifier;
        m.inputScale = params.inputScale;
        m.outputScale = params.outputScale;
        if (params.kind == ModelKind.Circuit) m.verifierCodeHash = params.verifier.codehash;
        m.runtimeSpecHash = params.runtimeSpecHash;
        m.parentModelId = params.parentModelId;
        m.artifactHash = params.artifactHash;
        m.artifactURI = params.artifactURI;
        emit ModelRegistered(modelId, msg.sender, params);
    }

    /// @notice Sets the fee of future requests for `modelId`; only its owner.
    function setFee(bytes32 modelId, uint96 fee) external onlyModelOwner(modelId) {
        _models[modelId].terms.fee = fee;
        emit ModelFeeUpdated(modelId, fee);
    }

    /// @notice Sets the referrers' share of the model fee for future requests; only the owner.
    function setReferralShareBps(bytes32 modelId, uint16 referralShareBps) external onlyModelOwner(modelId) {
        ModelTerms storage t = _models[modelId].terms;
        _checkShares(t.parentShareBps, referralShareBps);
        t.referralShareBps = referralShareBps;
        emit ModelReferralShareUpdated(modelId, referralShareBps);
    }

    /// @notice Sets the proof modes future requests may use; only the owner (a language model's are fixed).
    function setProofModes(bytes32 modelId, uint8 proofModes) external onlyModelOwner(modelId) {
        _checkProofModes(proofModes);
        if (_models[modelId].terms.kind == ModelKind.Language && proofModes != MODE_OPTIMISTIC) {
            revert InvalidLanguageModel();
        }
        _models[modelId].terms.proofModes = proofModes;
        emit ModelProofModesUpdated(modelId, proofModes);
    }

    /// @notice Moves the artifacts' URI (their hash stays); only the owner.
    function setArtifactURI(bytes32 modelId, string calldata artifactURI) external onlyModelOwner(modelId) {
        _models[modelId].artifactURI = artifactURI;
        emit ModelArtifactURIUpdated(modelId, artifactURI);
    }

    /// @notice Opens or closes the model to new requests (requests already made still settle); only the owner.
    function setActive(bytes32 modelId, bool active) external onlyModelOwner(modelId) {
        _models[modelId].terms.active = active;
        emit ModelActiveUpdated(modelId, active);
    }

    /// @notice Hands the model (and its future fees) to `newOwner`; only the owner.
    function transferModelOwnership(bytes32 modelId, address newOwner) external onlyModelOwner(modelId) {
        if (newOwner == address(0)) revert ZeroAddress();
        _models[modelId].owner = newOwner;
        emit ModelOwnershipTransferred(modelId, msg.sender, newOwner);
    }

    /// @inheritdoc IModelRegistry
    function registerBatchVerifier(
        bytes32 modelId,
        address verifier,
        uint8 batchSize,
        bytes32 artifactHash
    ) external onlyModelOwner(modelId) {
        if (_batchVerifiers[modelId].verifier != address(0)) revert BatchVerifierAlreadyRegistered(modelId);
        // A language model is never proven: it has no verifier, batched or not.
        if (_models[modelId].terms.kind != ModelKind.Circuit) revert InvalidLanguageModel();
        if (verifier == address(0) || verifier.code.length == 0) revert VerifierRequired();
        if (batchSize < 2 || batchSize > MAX_BATCH_SIZE) revert InvalidBatchSize(batchSize, MAX_BATCH_SIZE);
        _batchVerifiers[modelId] = BatchVerifier(verifier, batchSize, uint40(block.timestamp), verifier.codehash);
        emit BatchVerifierRegistered(modelId, verifier, batchSize, artifactHash);
    }

    /// @inheritdoc IModelRegistry
    function batchVerifierOf(bytes32 modelId) external view returns (BatchVerifier memory b) {
        b = _batchVerifiers[modelId];
        if (b.verifier == address(0)) revert NoBatchVerifier(modelId);
        _checkCode(modelId, b.verifier, b.codeHash);
    }

    /// @inheritdoc IModelRegistry
    function getModel(bytes32 modelId) external view returns (Model memory) {
        Record storage m = _record(modelId);
        return
            Model(
                m.terms,
                m.owner,
                m.verifier,
                m.inputScale,
                m.outputScale,
                m.verifierCodeHash,
                m.runtimeSpecHash,
                m.parentModelId,
                m.artifactHash,
                m.artifactURI
            );
    }

    /// @inheritdoc IModelRegistry
    function modelTerms(bytes32 modelId) public view returns (ModelTerms memory terms) {
        terms = _models[modelId].terms;
        if (terms.inputLength == 0) revert UnknownModel(modelId);
    }

    /// @inheritdoc IModelRegistry
    function termsForInput(bytes32 modelId, bytes calldata input) external view returns (ModelTerms memory terms) {
        terms = modelTerms(modelId);
        if (terms.kind == ModelKind.Circuit) {
            TensorCodec.checkInput(input, terms.inputLength, terms.inputBound);
        } else {
            if (input.length == 0 || input.length > terms.inputLength)
                revert InvalidPromptLength(terms.inputLength, input.length);
            if (!Utf8.isValid(input)) revert InvalidUtf8();
        }
    }

    /// @inheritdoc IModelRegistry
    function verifierOf(bytes32 modelId) external view returns (address verifier) {
        Record storage m = _models[modelId];
        verifier = m.verifier;
        if (verifier == address(0)) {
            // A language model has no verifier: it is never proven.
            if (m.owner != address(0)) revert VerifierRequired();
            revert UnknownModel(modelId);
        }
        _checkCode(modelId, verifier, m.verifierCodeHash);
    }

    /// @inheritdoc IModelRegistry
    function verifierCodeChanged(bytes32 modelId) external view returns (bool) {
        Record storage m = _record(modelId);
        return m.verifier.codehash != m.verifierCodeHash;
    }

    /// @inheritdoc IModelRegistry
    function ownerOf(bytes32 modelId) external view returns (address) {
        return _record(modelId).owner;
    }

    /// @inheritdoc IModelRegistry
    function parentOf(bytes32 modelId) external view returns (bytes32) {
        return _record(modelId).parentModelId;
    }

    function _record(bytes32 modelId) private view returns (Record storage m) {
        m = _models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
    }

    /// @dev The one rule for both verifiers of a model: only the code recorded at registration judges proofs.
    function _checkCode(bytes32 modelId, address verifier, bytes32 recorded) private view {
        bytes32 current = verifier.codehash;
        if (current != recorded) revert VerifierCodeChanged(modelId, recorded, current);
    }

    /// @dev A circuit model needs a verifier (its disputes are settled by proof); a language model is
    /// re-executed, never proven: no verifier, a runtime spec, optimistic answers only, no bound or scales.
    function _checkKind(ModelParams calldata params) private view {
        if (params.kind == ModelKind.Circuit) {
            if (params.verifier == address(0) || params.verifier.code.length == 0) revert VerifierRequired();
            if (params.runtimeSpecHash != bytes32(0)) revert InvalidLanguageModel();
            _checkProofModes(params.proofModes);
        } else {
            bool valid =
                params.verifier == address(0)
                    && params.runtimeSpecHash != bytes32(0)
                    && params.proofModes == MODE_OPTIMISTIC
                    && params.inputBound == 0
                    && params.inputScale == 0
                    && params.outputScale == 0;
            if (!valid) revert InvalidLanguageModel();
        }
    }

    function _checkProofModes(uint8 proofModes) private pure {
        if (proofModes == 0 || proofModes > (MODE_ZK | MODE_OPTIMISTIC)) revert InvalidProofModes(proofModes);
    }

    function _checkShares(uint16 parentShareBps, uint16 referralShareBps) private pure {
        if (uint256(parentShareBps) + referralShareBps > 10_000) revert InvalidShares(parentShareBps, referralShareBps);
    }
}
