// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "./IHighwayErrors.sol";
import {ModelKind} from "../types/ModelKind.sol";

/// @title IModelRegistry
/// @notice Models by `bytes32 modelId`: kind, owner, fee, verifier or runtime spec, shapes, lineage and artifacts.
interface IModelRegistry is IHighwayErrors {
    // Proof modes are bits of `ModelTerms.proofModes`: 1 = zk, 2 = optimistic.

    /// @notice What a registrant chooses once; `fee`, `referralShareBps`, `proofModes`,
    /// `artifactURI` and `active` can be changed later, the rest is the model's identity.
    // Never stored (calldata and an event only): the field order is `registerModel`'s ABI.
    // solhint-disable-next-line gas-struct-packing
    struct ModelParams {
        ModelKind kind;
        uint96 fee;
        address verifier; // circuit models only (zero for a language model)
        bytes32 runtimeSpecHash; // language models only: the hash of the deterministic runtime spec (zero for a circuit)
        uint8 proofModes;
        uint16 inputLength; // circuit: input values (all tensors flattened); language: most prompt bytes
        uint16 outputLength; // circuit: output values; language: most answer bytes a request may ask for
        uint8 inputScale;
        uint8 outputScale;
        uint64 inputBound;
        bytes32 parentModelId;
        uint16 parentShareBps;
        uint16 referralShareBps;
        string artifactURI;
        bytes32 artifactHash;
    }

    /// @notice What a request locks: the model's kind, economics and input shape (one storage slot).
    /// `inputBound` is the largest |quantized input value| the circuit handles (0: only the field's bound).
    // 248 bits, one slot: solhint's packing heuristic does not see it.
    // solhint-disable-next-line gas-struct-packing
    struct ModelTerms {
        uint96 fee;
        uint16 inputLength;
        uint16 outputLength;
        uint8 proofModes;
        bool active;
        uint16 parentShareBps;
        uint16 referralShareBps;
        ModelKind kind;
        uint64 inputBound;
    }

    /// @notice A full model record. `verifierCodeHash` is the verifier's runtime code hash
    /// (EXTCODEHASH) at registration: proofs are accepted only while the verifier's code still hashes
    /// to it, and a relayer checks it against the verifier the model's artifacts generate. A language
    /// model has no verifier and a `runtimeSpecHash` instead.
    struct Model {
        ModelTerms terms;
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

    /// @notice A model's batched verifier: the same model proven for `batchSize` inputs at once
    /// (`circuits/<model>/batch-<B>/`), registered once by its owner at `since`, with its runtime
    /// code hash then. It answers only requests made after `since`.
    struct BatchVerifier {
        address verifier;
        uint8 batchSize;
        uint40 since;
        bytes32 codeHash;
    }

    /// @notice `owner` registered model `modelId` with `params`.
    event ModelRegistered(bytes32 indexed modelId, address indexed owner, ModelParams params);

    /// @notice The fee of future requests for `modelId` is `fee`.
    event ModelFeeUpdated(bytes32 indexed modelId, uint96 fee);

    /// @notice Referrers get `referralShareBps` of `modelId`'s fee in future requests.
    event ModelReferralShareUpdated(bytes32 indexed modelId, uint16 referralShareBps);

    /// @notice Future requests for `modelId` may use `proofModes` (bits: 1 = zk, 2 = optimistic).
    event ModelProofModesUpdated(bytes32 indexed modelId, uint8 proofModes);

    /// @notice `modelId`'s artifacts moved to `artifactURI` (their hash is unchanged).
    event ModelArtifactURIUpdated(bytes32 indexed modelId, string artifactURI);

    /// @notice `modelId` takes new requests (`active`) or not.
    event ModelActiveUpdated(bytes32 indexed modelId, bool active);

    /// @notice `modelId`'s batched verifier `verifier` answers up to `batchSize` of its requests per proof
    /// (requests made from now on); `artifactHash` names the batched circuit's build.
    event BatchVerifierRegistered(bytes32 indexed modelId, address verifier, uint8 batchSize, bytes32 artifactHash);

    /// @notice `modelId` and its future earnings passed from `previousOwner` to `newOwner`.
    event ModelOwnershipTransferred(bytes32 indexed modelId, address indexed previousOwner, address indexed newOwner);

    /// @notice The id `owner` gets for `salt`: `keccak256(abi.encode(owner, salt))`.
    function modelIdOf(address owner, bytes32 salt) external pure returns (bytes32);

    /// @notice Registers a model owned by the caller under `modelIdOf(msg.sender, salt)`.
    function registerModel(bytes32 salt, ModelParams calldata params) external returns (bytes32 modelId);

    /// @notice The full record of `modelId` (reverts for an unknown model).
    function getModel(bytes32 modelId) external view returns (Model memory);

    /// @notice What a new request for `modelId` locks (reverts for an unknown model).
    function modelTerms(bytes32 modelId) external view returns (ModelTerms memory);

    /**
     * @notice What a new request for `modelId` on `input` locks, once `input` is checked to be one the
     * model takes: for a circuit model, a tensor (`TensorCodec`) of exactly `inputLength` values each
     * within `inputBound` (`MalformedTensor`, `InputLengthMismatch`, `InputOutOfBounds`); for a language
     * model, 1 to `inputLength` bytes of well-formed UTF-8 (`InvalidPromptLength`, `InvalidUtf8`).
     */
    function termsForInput(bytes32 modelId, bytes calldata input) external view returns (ModelTerms memory);

    /// @notice The verifier of `modelId`, checked to still run the code registered: reverts with
    /// `VerifierCodeChanged` once its code hash differs from the recorded one (a metamorphic verifier
    /// redeployed, or destroyed), for an unknown model, and for a language model (`VerifierRequired`: it has no
    /// verifier). Every proof check calls it.
    function verifierOf(bytes32 modelId) external view returns (address);

    /// @notice Registers `modelId`'s batched verifier, once; only the model's owner. The batched circuit
    /// (`artifactHash`, its manifest's) must be the model's own weights with a batch dimension: relayers
    /// check it as they check the single one. Requests made before this call are not answered by it;
    /// a language model has none (`InvalidLanguageModel`).
    function registerBatchVerifier(bytes32 modelId, address verifier, uint8 batchSize, bytes32 artifactHash) external;

    /// @notice `modelId`'s batched verifier, checked like `verifierOf` to still run the code registered
    /// (`VerifierCodeChanged`); reverts with `NoBatchVerifier` without one.
    function batchVerifierOf(bytes32 modelId) external view returns (BatchVerifier memory);

    /// @notice Whether the code of `modelId`'s verifier differs from the code recorded at registration (a
    /// metamorphic verifier redeployed, or destroyed): no proof of the model can be judged any more, so the
    /// coordinator slashes nobody over it (late claims and disputes end without a slash, and are refunded).
    function verifierCodeChanged(bytes32 modelId) external view returns (bool);

    /// @notice The current owner of `modelId` (reverts for an unknown model).
    function ownerOf(bytes32 modelId) external view returns (address);

    /// @notice The parent of `modelId` (zero without one; reverts for an unknown model).
    function parentOf(bytes32 modelId) external view returns (bytes32);
}
