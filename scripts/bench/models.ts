/**
 * bench-models: per reference model of models/ (built by `highway models build`), what it is
 * and what it costs: parameters, logrows, native prove time (median of --runs proofs of the
 * bundle's sample, after the worker's warm-up), the verifier's runtime bytes, the gas of a
 * whole `verifyProof` transaction on Hardhat's EVM, and held-out accuracy of the float model
 * and of the circuit (circuits/model_accuracy.py over models/<name>/test.npy).
 *
 *   make bench-models [ARGS="--json --runs 5"]
 *
 * A bundle missing from models/<name>/bundle is built first with models/<name>/build.json's
 * scales; a missing proving key is derived from the bundle (circuits/build.py keys).
 * Request gas: each bundle registered on a fresh Highway deployment (Hardhat's EVM), then one
 * `requestInference` of its sample input in the compact tensor encoding (sdk/encoding.ts's
 * encodeTensor, the smallest width); `requestGasPerInputValue` is that transaction's gas over
 * the model's input value count.
 * With --json, the last line is one JSON object: {"models":[...]}.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCircuit } from "../../sdk/circuits.js";
import { buildModel, verifyOnEvm } from "../../sdk/model-build.js";
import { ProverPool } from "../../relayer/prover/pool.js";
import { REPO } from "../lib/repo.js";
import { flag, median, option, printTable } from "../lib/report.js";
import { spawnSync } from "node:child_process";
import { network } from "hardhat";
import { deployHighway } from "../deploy.js";
import { encodeTensor } from "../../sdk/encoding.js";
import { modelRegistration } from "../../sdk/manifest.js";
import { compiledVerifier } from "../../sdk/verifier.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";

const json = flag("--json");
const runs = Number(option("--runs", "3"));
const PYTHON = join(REPO, ".venv", "bin", "python");
const MODELS_DIR = join(REPO, "models");

interface BuildRecipe {
  calibration: string;
  inputScale: number;
  paramScale: number;
}

function python(args: string[]): string {
  const result = spawnSync(PYTHON, args, { cwd: REPO, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr.trim().split("\n").at(-1)}`);
  return result.stdout.trim().split("\n").at(-1)!;
}

const UNIT = 10n ** 18n;
const { ethers } = await network.create();
const [, requester, owner] = await ethers.getSigners();
const highway = await deployHighway(ethers, { write: false, models: [], mint: [{ to: requester.address, amount: 1_000_000n * UNIT }] });
await (await highway.token.connect(requester).approve(await highway.coordinator.getAddress(), ethers.MaxUint256)).wait();

/** Registers the bundle and returns the gas of one request of `input` (quantized values). */
async function requestGas(bundle: string, input: bigint[]): Promise<number> {
  const circuit = loadCircuit(bundle);
  const compiled = compiledVerifier(circuit);
  const verifier = await (await ethers.getContractFactory(compiled.abi as never, compiled.bytecode, owner)).deploy();
  await verifier.waitForDeployment();
  const { salt, params } = modelRegistration(circuit.manifest, { fee: UNIT, verifier: await verifier.getAddress() });
  await (await highway.registry.connect(owner).registerModel(salt, params)).wait();
  const modelId = await highway.registry.modelIdOf(owner.address, salt);
  const block = await ethers.provider.getBlock("latest");
  const receipt = await (
    await highway.coordinator.connect(requester).requestInference(
      {
        modelId,
        proofMode: 0,
        startComputeFee: UNIT,
        maxComputeFee: 5n * UNIT,
        maxModelFee: ANY_MODEL_FEE,
        jobBond: 0n,
        challengeWindow: 0,
        callbackGasLimit: 0,
        maxOutputBytes: 0,
        deadline: block!.timestamp + 86_400,
        consumer: ethers.ZeroAddress,
        referrer: ethers.ZeroAddress,
      },
      encodeTensor(input),
    )
  ).wait();
  return Number(receipt!.gasUsed);
}

const rows = [];
for (const name of readdirSync(MODELS_DIR)
  .filter((entry) => existsSync(join(MODELS_DIR, entry, "build.json")))
  .sort()) {
  const dir = join(MODELS_DIR, name);
  const bundle = join(dir, "bundle");
  if (!existsSync(join(bundle, "manifest.json"))) {
    const recipe = JSON.parse(readFileSync(join(dir, "build.json"), "utf8")) as BuildRecipe;
    await buildModel({
      onnx: join(dir, "model.onnx"),
      calibration: join(dir, recipe.calibration),
      name,
      out: bundle,
      inputScale: recipe.inputScale,
      paramScale: recipe.paramScale,
    });
  }
  if (!existsSync(join(bundle, "pk.key"))) python([join(REPO, "circuits", "build.py"), "keys", bundle]);
  const { manifest } = loadCircuit(bundle);
  const extra = manifest as typeof manifest & { parameters: number; verifier: { runtimeBytes: number } };
  const sample = JSON.parse(readFileSync(join(bundle, "samples", "sample-0.json"), "utf8")) as { input: string[] };
  const pool = await ProverPool.start({ circuits: [bundle] });
  const proveMs: number[] = [];
  try {
    for (let run = 0; run < runs; run++) proveMs.push((await pool.prove(manifest.name, sample.input.map(BigInt))).proveMs);
  } finally {
    await pool.close();
  }
  const accuracy = JSON.parse(python([join(REPO, "circuits", "model_accuracy.py"), bundle, join(dir, "test.npy")])) as {
    rows: number;
    float: number;
    circuit: number;
  };
  rows.push({
    name,
    params: extra.parameters,
    inputValues: manifest.input.length,
    outputValues: manifest.output.length,
    logrows: manifest.logrows,
    proveMsMedian: Math.round(median(proveMs)),
    verifierBytes: extra.verifier.runtimeBytes,
    verifyGas: await verifyOnEvm(bundle, manifest),
    requestGas: await requestGas(bundle, sample.input.map(BigInt)),
    requestGasPerInputValue: 0,
    testRows: accuracy.rows,
    floatAccuracy: accuracy.float,
    circuitAccuracy: accuracy.circuit,
  });
}

for (const row of rows) row.requestGasPerInputValue = Math.round(row.requestGas / row.inputValues);

console.log(`bench-models: reference models of models/, ${runs} proofs each`);
printTable(rows);
if (json) console.log(JSON.stringify({ models: rows }));
