/**
 * Node only: `highway models build`, any ONNX file to a model bundle that deploys and verifies.
 *
 * The EZKL pipeline runs in circuits/model_build.py (through `circuits/build.py model`), into
 * a staging folder next to the target; then the bundle's Solidity verifier, compiled with the
 * project's compiler, is deployed on an in-process EVM (Hardhat's EDR) and verifies the
 * bundle's sample proof in a `verifyProof` transaction, whose gas is measured, and rejects
 * the same proof with one output changed. Only then does the staging folder become the
 * target: a refused build leaves nothing behind.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BrowserProvider, Contract, ContractFactory } from "ethers";
import type { CircuitManifest } from "./manifest.js";
import { compileSolidity } from "./solidity.js";

const REPO_DIR = resolve(import.meta.dirname, "..");
const BUILD_SCRIPT = join(REPO_DIR, "circuits", "build.py");
/** EIP-170: the largest runtime code a contract may have. */
export const MAX_RUNTIME_BYTES = 24_576;

/** A build the input or EZKL refuses (missing file, malformed ONNX, unsupported nodes, too large, wrong calibration). Exit 2. */
export class ModelBuildError extends Error {
  readonly exitCode = 2;
}

export interface ModelBuildOptions {
  onnx: string;
  calibration: string;
  /** Default: the ONNX file's name without `.onnx`. */
  name?: string;
  /** Default: models/<name> under the working directory. */
  out?: string;
  /** Replace an existing `out`. */
  force?: boolean;
  inputScale?: number;
  paramScale?: number;
  inputBound?: number;
  maxLogrows?: number;
  /** The share of calibration rows whose argmax (or sign) must agree with ONNX Runtime; default 0.9. */
  minAgreement?: number;
  /** A ceremony SRS; default a development SRS, shipped in the bundle. */
  srs?: string;
  description?: string;
  python?: string;
  /** Each progress line of the build. */
  onProgress?: (line: string) => void;
}

/** What `highway models build --json` prints, in this key order. */
export interface ModelBuildReport {
  ok: true;
  name: string;
  logrows: number;
  inputShapes: number[][];
  outputShapes: number[][];
  inputBound: number;
  verifierRuntimeBytes: number;
  verifyGas: number;
  proveMs: number;
  accuracy: { maxAbsError: number; agreement: number };
}

export interface ModelBuildResult {
  report: ModelBuildReport;
  dir: string;
  manifest: CircuitManifest;
  notes: string[];
}

/** What the Python pipeline prints: the build report before the EVM check adds `verifyGas`, or a refusal. */
type PipelineReport = Omit<ModelBuildReport, "ok" | "verifyGas"> & { ok: boolean; error?: string; notes: string[] };

/** Builds `options.onnx` into a bundle at `options.out`, checked on an in-process EVM. */
export async function buildModel(options: ModelBuildOptions): Promise<ModelBuildResult> {
  const onnx = resolve(options.onnx);
  const calibration = resolve(options.calibration);
  if (!existsSync(BUILD_SCRIPT))
    throw new ModelBuildError(
      "highway models build runs in a clone of the Highway repository (it needs circuits/ and, after `make setup`, its Python with EZKL)",
    );
  if (!existsSync(onnx)) throw new ModelBuildError(`${options.onnx}: no such ONNX file`);
  if (!existsSync(calibration)) throw new ModelBuildError(`${options.calibration}: no such calibration file`);
  const name = options.name ?? basename(onnx).replace(/\.onnx$/i, "");
  if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new ModelBuildError(
      `model name "${name}": letters, digits, '.', '_' or '-', starting with a letter, at most 64 characters (pass --name)`,
    );
  const out = resolve(options.out ?? join("models", name));
  if (existsSync(out) && readdirSync(out).length > 0 && !options.force)
    throw new ModelBuildError(`${out} exists and is not empty: pass --force to replace it, or another --out`);
  const staging = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const pipeline = await runPipeline(onnx, calibration, name, staging, options);
    const manifest = JSON.parse(readFileSync(join(staging, "manifest.json"), "utf8")) as CircuitManifest;
    const verifyGas = await verifyOnEvm(staging, manifest);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    const report: ModelBuildReport = {
      ok: true,
      name,
      logrows: pipeline.logrows,
      inputShapes: pipeline.inputShapes,
      outputShapes: pipeline.outputShapes,
      inputBound: pipeline.inputBound,
      verifierRuntimeBytes: pipeline.verifierRuntimeBytes,
      verifyGas,
      proveMs: pipeline.proveMs,
      accuracy: pipeline.accuracy,
    };
    return { report, dir: out, manifest, notes: pipeline.notes };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function runPipeline(
  onnx: string,
  calibration: string,
  name: string,
  staging: string,
  options: ModelBuildOptions,
): Promise<PipelineReport> {
  const args = [BUILD_SCRIPT, "model", onnx, "--calibration", calibration, "--out", staging, "--name", name];
  const numeric: [string, number | undefined][] = [
    ["--input-scale", options.inputScale],
    ["--param-scale", options.paramScale],
    ["--input-bound", options.inputBound],
    ["--max-logrows", options.maxLogrows],
    ["--min-agreement", options.minAgreement],
  ];
  for (const [flag, value] of numeric) if (value !== undefined) args.push(flag, String(value));
  if (options.srs) args.push("--srs", resolve(options.srs));
  if (options.description) args.push("--description", options.description);
  const python = options.python ?? process.env.HIGHWAY_PYTHON ?? join(REPO_DIR, ".venv", "bin", "python");
  if (!existsSync(python)) throw new ModelBuildError(`${python}: no Python with EZKL; run \`make setup\` first`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, args, { cwd: REPO_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const lines = stderr.split("\n");
      stderr = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("build: ")) options.onProgress?.(line.slice("build: ".length));
    });
    child.on("error", (error) => reject(new ModelBuildError(`cannot run ${python}: ${error.message}`)));
    child.on("close", () => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      let report: PipelineReport;
      try {
        report = JSON.parse(last) as PipelineReport;
      } catch {
        reject(new ModelBuildError(`${onnx}: the build stopped without a report (${stderr.trim().split("\n").at(-1) ?? "no output"})`));
        return;
      }
      if (!report.ok) reject(new ModelBuildError(report.error ?? `${onnx}: the build failed`));
      else resolvePromise(report);
    });
  });
}

interface Sample {
  proof: string;
  instances: readonly (string | bigint)[];
}

/**
 * Deploys the bundle's verifier on a fresh in-process EVM (EIP-170 enforced), verifies the
 * bundle's sample proof (or `proof`) in a transaction and returns its gas; the proof with one
 * output changed must fail.
 */
export async function verifyOnEvm(
  dir: string,
  manifest: CircuitManifest,
  proof?: { proof: string; instances: readonly bigint[] },
): Promise<number> {
  const source = join(dir, manifest.verifier.source);
  const compiled = compileSolidity(basename(source), readFileSync(source, "utf8"), manifest.verifier.contract);
  const runtimeBytes = (compiled.deployedBytecode.length - 2) / 2;
  if (runtimeBytes >= MAX_RUNTIME_BYTES)
    throw new ModelBuildError(`${source}: the verifier's runtime code is ${runtimeBytes} bytes, over EIP-170's ${MAX_RUNTIME_BYTES}`);
  const sample = proof ?? (JSON.parse(readFileSync(join(dir, "samples", "sample-0.json"), "utf8")) as Sample);
  const instances = sample.instances.map(BigInt);
  if (instances.length !== manifest.publicInstances.count)
    throw new ModelBuildError(`${dir}: the sample proof has ${instances.length} instances, the manifest ${manifest.publicInstances.count}`);

  const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.connect();
  try {
    const provider = new BrowserProvider(connection.provider);
    const signer = await provider.getSigner();
    const factory = new ContractFactory(compiled.abi as never, compiled.bytecode, signer);
    const deployed = await factory.deploy();
    await deployed.waitForDeployment();
    const verifier = new Contract(await deployed.getAddress(), compiled.abi as never, signer);
    if ((await verifier.verifyProof.staticCall(sample.proof, instances)) !== true)
      throw new ModelBuildError(`${source}: the generated verifier rejects the sample proof`);
    const tampered = [...instances];
    tampered[tampered.length - 1] += 1n;
    const rejects = await verifier.verifyProof.staticCall(sample.proof, tampered).then(
      (accepted: boolean) => !accepted,
      () => true,
    );
    if (!rejects) throw new ModelBuildError(`${source}: the generated verifier accepts the sample proof with a changed output`);
    const receipt = await (await verifier.verifyProof(sample.proof, instances)).wait();
    return Number(receipt!.gasUsed);
  } finally {
    await connection.close();
  }
}
