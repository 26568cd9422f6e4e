/**
 * A circuit build folder (circuits/<model>/) as the SDK, the prover and the
 * benchmarks see it: its manifest.json, written by circuits/build.py.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TensorSpec } from "./encoding.js";

/** The fields of manifest.json that code reads (see circuits/README.md for the whole file). */
export interface CircuitManifest {
  name: string;
  description: string;
  /** The model this one is fine-tuned from (its parent in the registry), or null. */
  parent: string | null;
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

/** A circuit folder and its manifest. */
export interface Circuit {
  dir: string;
  manifest: CircuitManifest;
}

/** The repository's circuits folder. */
export const CIRCUITS_DIR = resolve(import.meta.dirname, "..", "circuits");

/** The reference models shipped in circuits/; a fine-tune comes after its parent. */
export const REFERENCE_MODELS = ["price-signal", "credit-risk", "price-signal-volatile"] as const;

/** Reads a circuit folder; `dirOrName` is a path or the name of a folder in circuits/. */
export function loadCircuit(dirOrName: string): Circuit {
  const dir = dirOrName.includes("/") ? resolve(dirOrName) : join(CIRCUITS_DIR, dirOrName);
  const manifestPath = join(dir, "manifest.json");
  let manifest: CircuitManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CircuitManifest;
  } catch (error) {
    throw new Error(`${manifestPath}: cannot read the circuit manifest (${(error as Error).message}); build it with circuits/build.py`);
  }
  return { dir, manifest };
}

/** What the model accepts as input. */
export function inputSpec(manifest: CircuitManifest): TensorSpec {
  return { length: manifest.input.length, scale: manifest.input.scale, bound: BigInt(manifest.input.bound) };
}

/** What the model returns. */
export function outputSpec(manifest: CircuitManifest): TensorSpec {
  return { length: manifest.output.length, scale: manifest.output.scale };
}
