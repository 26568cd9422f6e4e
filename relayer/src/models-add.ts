/**
 * `relayer models add <modelId> --config FILE [--dir DIR]`: serve a model someone else built.
 *
 * Reads the model's registration (artifactURI, artifactHash, verifier), fetches its bundle
 * (sdk/bundle.ts: every file checked against the registered hash), derives the proving key
 * locally from the bundle's compiled circuit and SRS (relayer/prover/derive_keys.py, which checks
 * that they imply the bundle's verifying key), and checks that the registered verifier's
 * runtime code hash is the one of the verifier compiled from the bundle (model-checks.ts's
 * rule, run again at start-up). Only then is `{"circuit": DIR, "modelId": ...}` added to the
 * config's `models`: a model that fails a check is never served.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { keccak256 } from "ethers";
import { ModelRegistry__factory } from "../../types/factories/contracts/ModelRegistry__factory.js";
import { InferenceCoordinator__factory } from "../../types/factories/contracts/InferenceCoordinator__factory.js";
import { fetchBundle } from "../../sdk/bundle.js";
import { loadCircuit } from "../../sdk/circuits.js";
import { compiledVerifier } from "../../sdk/verifier.js";
import { ConfigError, loadConfig } from "./config.js";
import { connect, readDeployment } from "./start.js";
import { forbiddenOpcodes } from "./model-checks.js";

const REPO = resolve(import.meta.dirname, "..", "..");

/** A check of the fetched model failed: nothing was added to the config. */
export class ModelAddError extends Error {
  override name = "ModelAddError";
}

export interface AddedModel {
  modelId: string;
  dir: string;
  name: string;
  verifierCodeHash: string;
}

/** Fetches, checks and adds `modelId` to the config at `configPath`; the bundle goes to `dir` (default models/<modelId> next to the config). */
export async function addModel(configPath: string, modelId: string, dir?: string): Promise<AddedModel> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(modelId)) throw new ConfigError(`model id "${modelId}": 0x followed by 64 hex digits`);
  const config = loadConfig(configPath);
  const deployment = readDeployment(config.deployment);
  const provider = await connect(config.rpcUrl, deployment.chainId);
  try {
    const coordinator = InferenceCoordinator__factory.connect(deployment.coordinator, provider);
    const registry = ModelRegistry__factory.connect(await coordinator.registry(), provider);
    const model = await registry.getModel(modelId);
    const target = resolve(dir ?? join(dirname(resolve(configPath)), "models", modelId.toLowerCase()));
    const manifest = await fetchBundle(model.artifactURI, model.artifactHash, target);

    const python = process.env.HIGHWAY_PYTHON ?? join(REPO, ".venv", "bin", "python");
    const keys = spawnSync(python, [join(REPO, "relayer", "prover", "derive_keys.py"), target], { encoding: "utf8" });
    if (keys.status !== 0)
      throw new ModelAddError(`${target}: cannot derive the proving key: ${keys.stderr.trim().split("\n").at(-1) ?? `${python} failed`}`);

    const expected = keccak256(compiledVerifier(loadCircuit(target)).deployedBytecode);
    const code = await provider.getCode(model.verifier);
    if (keccak256(code) !== expected)
      throw new ModelAddError(
        `model ${modelId}: the registered verifier ${model.verifier} has code hash ${keccak256(code)}, the verifier compiled from the bundle ${expected}`,
      );
    const forbidden = forbiddenOpcodes(code);
    if (forbidden.length) throw new ModelAddError(`model ${modelId}: the registered verifier contains ${forbidden[0].opcode}`);

    const raw = JSON.parse(readFileSync(configPath, "utf8")) as { models: { circuit: string; modelId?: string }[] };
    const circuit = relative(dirname(resolve(configPath)), target) || ".";
    raw.models = raw.models.filter((m) => m.modelId?.toLowerCase() !== modelId.toLowerCase());
    raw.models.push({ circuit: circuit.startsWith(".") ? circuit : `./${circuit}`, modelId: modelId.toLowerCase() });
    writeFileSync(configPath, `${JSON.stringify(raw, null, 2)}\n`);
    return { modelId: modelId.toLowerCase(), dir: target, name: manifest.name, verifierCodeHash: expected };
  } finally {
    provider.destroy();
  }
}
