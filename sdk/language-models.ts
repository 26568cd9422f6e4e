/**
 * Node only: the language models' folders (language-models/<model>/runtime.json) and the local
 * model cache (.models/) that `make setup` fills (sdk/runtime-spec.ts has the spec as data).
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HighwayError, messageOf } from "./errors.js";
import { checkRuntimeSpec, type RuntimeSpec } from "./runtime-spec.js";

export * from "./runtime-spec.js";

/** The repository's language-models folder. */
export const LANGUAGE_MODELS_DIR = resolve(import.meta.dirname, "..", "language-models");

/** The local model cache: `$HIGHWAY_MODEL_CACHE`, or the repository's .models/. */
export const MODEL_CACHE_DIR = process.env.HIGHWAY_MODEL_CACHE ?? resolve(import.meta.dirname, "..", ".models");

/** The reference language models shipped in language-models/. */
export const REFERENCE_LANGUAGE_MODELS = ["smollm2"] as const;

/** Reads a runtime spec; `fileOrName` is a runtime.json path or the name of a folder in language-models/. */
export function loadRuntimeSpec(fileOrName: string): RuntimeSpec {
  const file = fileOrName.includes("/") ? resolve(fileOrName) : join(LANGUAGE_MODELS_DIR, fileOrName, "runtime.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new HighwayError(`${file}: cannot read the runtime spec`, { details: messageOf(error), cause: error });
  }
  return checkRuntimeSpec(raw, file);
}

/** The path of a spec's weights in the model cache; throws, saying to run `make setup`, when missing. */
export function weightsPath(spec: RuntimeSpec, cacheDir = MODEL_CACHE_DIR): string {
  const path = join(cacheDir, spec.weights.file);
  if (!existsSync(path)) {
    throw new HighwayError(`${path} is missing: run \`make setup\` to install ${spec.name}'s weights (${spec.weights.source})`);
  }
  return path;
}

/** The sha256 (hex) of a file. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
