/**
 * Node only: a circuit build folder (circuits/<model>/) as the SDK, the prover and the
 * benchmarks see it, with its manifest.json (see sdk/manifest.ts for the manifest as data).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HighwayError, messageOf } from "./errors.js";
import type { CircuitManifest } from "./manifest.js";

export { inputSpec, outputSpec, type CircuitManifest } from "./manifest.js";

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
  // The published SDK (highway-inference-sdk) has no circuits/ folder: it reads circuit folders by path.
  if (!dirOrName.includes("/") && !existsSync(CIRCUITS_DIR))
    throw new HighwayError(
      `no circuit folder named "${dirOrName}": an installed SDK has no circuits/ folder; pass the folder's path (e.g. ./${dirOrName})`,
    );
  const manifestPath = join(dir, "manifest.json");
  let manifest: CircuitManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CircuitManifest;
  } catch (error) {
    throw new HighwayError(`${manifestPath}: cannot read the circuit manifest; build it with circuits/build.py`, {
      details: messageOf(error),
      cause: error,
    });
  }
  return { dir, manifest };
}

/**
 * The batched circuits of a model (its folder's `batch-<B>/` folders, built with
 * `circuits/build.py build <model> --batch B`), smallest batch first; none for a model without.
 */
export function batchedCircuits(modelDir: string): Circuit[] {
  const dir = modelDir.includes("/") ? resolve(modelDir) : join(CIRCUITS_DIR, modelDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^batch-\d+$/.test(entry.name) && existsSync(join(dir, entry.name, "manifest.json")))
    .map((entry) => loadCircuit(join(dir, entry.name)))
    .sort((a, b) => (a.manifest.batchSize ?? 1) - (b.manifest.batchSize ?? 1));
}
