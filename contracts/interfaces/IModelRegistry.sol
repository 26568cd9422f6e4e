// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Models by `bytes32 modelId`: owner, fee, verifier, shapes, lineage and artifacts.
interface IModelRegistry {
    // Proof modes are bits of `ModelTerms.proofModes`: 1 = zk, 2 = optimistic.

    /// @notice What a registrant chooses once; `fee`, `referralShareBps`, `proofModes`,
    /// `artifactURI` and `active` can be changed later, the rest is the model's identity.
    struct ModelParams {
        uint96 fee;
        address verifier;
        uint8 proofModes;
        uint16 inputLength;
        uint8 outputLength;
        uint8 inputScale;
        uint8 outputScale;
        uint64 inputBound;
        bytes32 parentModelId;
        uint16 parentShareBps;
        uint16 referralShareBps;
        string artifactURI;
        bytes32 artifactHash;
    }

    /// @notice What a request locks: the model's economics and input shape (one storage slot).
    /// `inputBound` is the largest |quantized input value| the circuit handles (0: only the field's bound).
    struct ModelTerms {
        uint96 fee;
        uint16 inputLength;
        uint8 outputLength;
        uint8 proofModes;
        bool active;
        uint16 parentShareBps;
        uint16 referralShareBps;
        uint8 inputScale;
        uint8 outputScale;
        uint64 inputBound;
    }

    /// @notice A full model record.
    struct Model {
        ModelTerms terms;
        address owner;
        address verifier;
        bytes32 parentModelId;
        bytes32 artifactHash;
        string artifactURI;
    }

    event ModelRegistered(bytes32 indexed modelId, address indexed owner, ModelParams params);
    event ModelFeeUpdated(bytes32 indexed modelId, uint96 fee);
    event ModelReferralShareUpdated(bytes32 indexed modelId, uint16 referralShareBps);
    event ModelProofModesUpdated(bytes32 indexed modelId, uint8 proofModes);
    event ModelArtifactURIUpdated(bytes32 indexed modelId, string artifactURI);
    event ModelActiveUpdated(bytes32 indexed modelId, bool active);
    event ModelOwnershipTransferred(bytes32 indexed modelId, address indexed previousOwner, address indexed newOwner);

    error ModelAlreadyRegistered(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error NotModelOwner(bytes32 modelId, address caller);
    error VerifierRequired();
    error InvalidProofModes(uint8 proofModes);
    error InvalidInputLength(uint16 inputLength);
    error InvalidOutputLength(uint8 outputLength);
    error InvalidScale(uint8 scale);
    error InvalidShares(uint16 parentShareBps, uint16 referralShareBps);
    error InvalidParent(bytes32 parentModelId);
    error ZeroAddress();

    /// @notice The id `owner` gets for `salt`: `keccak256(abi.encode(owner, salt))`.
    function modelIdOf(address owner, bytes32 salt) external pure returns (bytes32);

    /// @notice Registers a model owned by the caller under `modelIdOf(msg.sender, salt)`.
    function registerModel(bytes32 salt, ModelParams calldata params) external returns (bytes32 modelId);

    /// @notice The full record of `modelId` (reverts for an unknown model).
    function getModel(bytes32 modelId) external view returns (Model memory);

    /// @notice What a new request for `modelId` locks (reverts for an unknown model).
    function modelTerms(bytes32 modelId) external view returns (ModelTerms memory);

    /// @notice The verifier of `modelId` (reverts for an unknown model).
    function verifierOf(bytes32 modelId) external view returns (address);

    /// @notice The current owner of `modelId` (reverts for an unknown model).
    function ownerOf(bytes32 modelId) external view returns (address);

    /// @notice The parent of `modelId` (zero without one; reverts for an unknown model).
    function parentOf(bytes32 modelId) external view returns (bytes32);
}
