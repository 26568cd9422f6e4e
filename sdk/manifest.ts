/**
 * A circuit's manifest.json (written by circuits/build.py) as data: what the model
 * accepts and returns, and the one rule that turns it into a ModelRegistry registration.
 * Reading a manifest from a circuit folder is Node-only (sdk/circuits.ts).
 */
import { ZeroHash, id as keccakUtf8 } from "ethers";
import type { IModelRegistry } from "../types/contracts/ModelRegistry.js";
import type { TensorSpec } from "./encoding.js";
import { MODEL_KINDS, PROOF_MODES, proofModeBits, type ProofMode } from "./protocol.js";

/** The fields of manifest.json that code reads (see circuits/README.md for the whole file). */
export interface CircuitManifest {
  name: string;
  description: string;
  /** The model this one is fine-tuned from (its parent in the registry), or null. */
  parent: string | null;
  /**
   * A batched circuit (circuits/<model>/batch-<B>/) only: how many requests one proof answers. Its
   * `input` and `output` lengths are per request and its shapes have B rows; absent for a single circuit.
   */
  batchSize?: number;
  ezklVersion: string;
  logrows: number;
  srs: { kind: "development-only" | "ceremony"; path: string; sha256: string };
  input: { shape: number[]; scale: number; length: number; bound: number };
  output: { shape: number[]; scale: number; length: number };
  publicInstances: { count: number; inputOffset: number; outputOffset: number };
  /** `source`: the verifier's file, relative to the repository (its Hardhat source name), absolute outside it. */
  verifier: { contract: string; source: string };
  /** SHA-256 of every artifact, keyed by its path relative to the circuit folder (the verifier's included). */
  artifacts: Record<string, string>;
  artifactHash: string;
}

/** What the model accepts as input. */
export function inputSpec(manifest: CircuitManifest): TensorSpec {
  return { length: manifest.input.length, scale: manifest.input.scale, bound: BigInt(manifest.input.bound) };
}

/** What the model returns. */
export function outputSpec(manifest: CircuitManifest): TensorSpec {
  return { length: manifest.output.length, scale: manifest.output.scale };
}

/** What a registration chooses beyond the manifest. */
export interface RegistrationOptions {
  /** The model fee, in payment-token units. */
  fee: bigint;
  /** The address of the circuit's deployed verifier. */
  verifier: string;
  /** Default: every mode. */
  proofModes?: readonly ProofMode[];
  /** The model this one is fine-tuned from; default none. */
  parentModelId?: string;
  parentShareBps?: number;
  referralShareBps?: number;
  /** Default: circuits/<name>. */
  artifactURI?: string;
  /** Default: modelSalt(manifest). */
  salt?: string;
}

/** The arguments of `ModelRegistry.registerModel(salt, params)`. */
export interface ModelRegistration {
  salt: string;
  params: IModelRegistry.ModelParamsStruct;
}

/**
 * The salt a circuit build is registered under: keccak256("<name>:<artifactHash>").
 * The registry cannot change a model's verifier or artifacts, so a rebuilt circuit needs
 * a new model id; with the artifact hash in the salt it gets one without choosing a salt,
 * and registering the same build twice fails (ModelAlreadyRegistered) instead of
 * silently making a second id.
 */
export function modelSalt(manifest: Pick<CircuitManifest, "name" | "artifactHash">): string {
  return keccakUtf8(`${manifest.name}:${manifest.artifactHash}`);
}

/** The registration of a circuit build: its shapes, scales, input bound and artifact hash, with the owner's choices. */
export function modelRegistration(manifest: CircuitManifest, options: RegistrationOptions): ModelRegistration {
  return {
    salt: options.salt ?? modelSalt(manifest),
    params: {
      kind: MODEL_KINDS.indexOf("circuit"),
      fee: options.fee,
      verifier: options.verifier,
      runtimeSpecHash: ZeroHash,
      proofModes: proofModeBits(options.proofModes ?? PROOF_MODES),
      inputLength: manifest.input.length,
      outputLength: manifest.output.length,
      inputScale: manifest.input.scale,
      outputScale: manifest.output.scale,
      inputBound: manifest.input.bound,
      parentModelId: options.parentModelId ?? ZeroHash,
      parentShareBps: options.parentShareBps ?? 0,
      referralShareBps: options.referralShareBps ?? 0,
      artifactURI: options.artifactURI ?? `circuits/${manifest.name}`,
      artifactHash: manifest.artifactHash,
    },
  };
}
