import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CircuitManifest } from "../../sdk/manifest.js";
import { verifyOnEvm, type ModelBuildReport } from "../../sdk/model-build.js";
import { REPO, runPython } from "../helpers/python.js";
import { ProverPool } from "../../relayer/prover/pool.js";

const BIN = join(REPO, "sdk", "bin", "highway.mjs");
const MAKE_MODELS = join(REPO, "test", "zk", "models", "make_models.py");

/**
 * Builds are cached under .build/test-models/<hash>, the hash of everything a build depends on
 * (the model generator, the pipeline's Python and TypeScript, the toolchain pins): an unchanged
 * pipeline re-verifies its bundles on chain instead of rebuilding them.
 */
const PIPELINE_FILES = [
  "test/zk/models/make_models.py",
  "circuits/model_build.py",
  "circuits/build.py",
  "circuits/lib/onnx_ml.py",
  "circuits/lib/calibration.py",
  "circuits/lib/ezkl_io.py",
  "circuits/requirements.txt",
  "sdk/model-build.ts",
  "scripts/verifier-size.ts",
];
const digest = createHash("sha256");
for (const file of PIPELINE_FILES) digest.update(readFileSync(join(REPO, file)));
const CACHE = join(REPO, ".build", "test-models", digest.digest("hex").slice(0, 16));

/** The models of test/zk/models/make_models.py: operator family, calibration file, extra build flags. */
const MODELS: { name: string; family: string; calibration: string; flags?: string[] }[] = [
  { name: "conv-pool", family: "an image input through Conv, Relu and MaxPool", calibration: "conv-pool.npy" },
  { name: "avgpool-sigmoid", family: "average pooling and a sigmoid, from one calibration row", calibration: "avgpool-sigmoid.json" },
  {
    name: "softmax-mlp",
    family: "a softmax classifier with a symbolic batch and a Constant/Cast",
    calibration: "softmax-mlp.csv",
    flags: ["--input-scale", "6"],
  },
  { name: "layer-norm", family: "layer normalization", calibration: "layer-norm.npy" },
  { name: "rnn", family: "a recurrent layer (RNN)", calibration: "rnn.npy" },
  {
    name: "multi-output",
    family: "two inputs and two outputs, at param scale 10",
    calibration: "multi-output.json",
    flags: ["--param-scale", "10"],
  },
  { name: "reduce-pad", family: "Pad, ReduceMean and an output reshaped to (-1, 1)", calibration: "reduce-pad.npy" },
  {
    name: "sklearn-logistic",
    family: "a scikit-learn pipeline (StandardScaler, LogisticRegression, ZipMap) from skl2onnx",
    calibration: "sklearn-logistic.npy",
    flags: ["--input-scale", "6"],
  },
  { name: "sklearn-tree", family: "a scikit-learn decision tree (TreeEnsembleClassifier) from skl2onnx", calibration: "sklearn-tree.npy" },
];

/** A model's cache entry: its name and its build flags (the flags are not in the cache's hash). */
function cacheName(name: string): string {
  const flags = MODELS.find((model) => model.name === name)?.flags ?? [];
  return [name, ...flags.map((flag) => flag.replace(/^--/, ""))].join("_");
}

const bundleOf = (name: string) => join(CACHE, "bundles", cacheName(name));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function highway(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function lastJson(run: Run): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

/** What git sees changed under contracts/: a refused build must not change it. */
const contractsStatus = () =>
  spawnSync("git", ["status", "--porcelain", "--untracked-files=all", "contracts"], { cwd: REPO, encoding: "utf8" }).stdout;

describe("highway models build", function () {
  this.timeout(900_000);
  const models = join(CACHE, "onnx");
  const scratch: string[] = [];

  before(() => {
    // Builds of an older pipeline are never read again.
    const root = join(CACHE, "..");
    if (existsSync(root))
      for (const entry of readdirSync(root)) if (join(root, entry) !== CACHE) rmSync(join(root, entry), { recursive: true, force: true });
    if (!existsSync(join(models, "done"))) {
      mkdirSync(models, { recursive: true });
      const made = runPython([MAKE_MODELS, models]);
      expect(made.status, made.stderr).to.equal(0);
      writeFileSync(join(models, "done"), "");
    }
  });
  after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  for (const model of MODELS) {
    it(`builds, proves and verifies on chain ${model.family} (${model.name})`, async () => {
      const out = bundleOf(model.name);
      const reportPath = join(CACHE, "reports", `${cacheName(model.name)}.json`);
      let report: ModelBuildReport;
      if (existsSync(reportPath) && existsSync(join(out, "manifest.json"))) {
        report = JSON.parse(readFileSync(reportPath, "utf8")) as ModelBuildReport;
      } else {
        const run = await highway([
          "models",
          "build",
          join(models, `${model.name}.onnx`),
          "--calibration",
          join(models, model.calibration),
          "--out",
          out,
          "--force",
          "--json",
          ...(model.flags ?? []),
        ]);
        expect(run.code, run.stderr).to.equal(0);
        report = lastJson(run) as unknown as ModelBuildReport;
        mkdirSync(join(CACHE, "reports"), { recursive: true });
        writeFileSync(reportPath, JSON.stringify(report));
      }
      expect(Object.keys(report)).to.deep.equal([
        "ok",
        "name",
        "logrows",
        "inputShapes",
        "outputShapes",
        "inputBound",
        "verifierRuntimeBytes",
        "verifyGas",
        "proveMs",
        "accuracy",
      ]);
      expect(report.ok).to.equal(true);
      expect(report.verifierRuntimeBytes).to.be.below(24_576);
      expect(report.accuracy.agreement).to.be.at.least(0.9);

      // The manifest's tensors are the compiled circuit's, and the sample proof carries exactly them.
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as CircuitManifest & {
        inputs: { shape: number[]; length: number }[];
        outputs: { shape: number[]; length: number }[];
      };
      expect(manifest.inputs.map((t) => t.shape)).to.deep.equal(report.inputShapes);
      expect(manifest.outputs.map((t) => t.shape)).to.deep.equal(report.outputShapes);
      const count = (shapes: number[][]) => shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
      expect(manifest.input.length).to.equal(count(report.inputShapes));
      expect(manifest.output.length).to.equal(count(report.outputShapes));
      expect(manifest.publicInstances.count).to.equal(manifest.input.length + manifest.output.length);
      // Every artifact is the one the manifest hashes.
      for (const [file, sha] of Object.entries(manifest.artifacts))
        expect(
          createHash("sha256")
            .update(readFileSync(join(out, file)))
            .digest("hex"),
          file,
        ).to.equal(sha);

      // On chain (again, for a cached bundle): the generated verifier accepts the sample and rejects a changed output.
      expect(await verifyOnEvm(out, manifest)).to.be.above(21_000);
    });
  }

  it("keeps the param scale it was given (EZKL's calibration would reset it to the input scale)", () => {
    const out = bundleOf("multi-output");
    const settings = JSON.parse(readFileSync(join(out, "settings.json"), "utf8")) as {
      run_args: { param_scale: number; input_scale: number };
    };
    expect(settings.run_args).to.include({ param_scale: 10, input_scale: 8 });
    expect((JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { paramScale: number }).paramScale).to.equal(10);
  });

  it("proves every input at its bound, and the proof verifies on chain", async () => {
    const out = bundleOf("multi-output");
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as CircuitManifest;
    const pool = await ProverPool.start({ circuits: [out] });
    try {
      for (const sign of [1n, -1n]) {
        const input = Array.from({ length: manifest.input.length }, () => sign * BigInt(manifest.input.bound));
        const proof = await pool.prove(manifest.name, input);
        expect(await verifyOnEvm(out, manifest, proof)).to.be.above(21_000);
      }
    } finally {
      await pool.close();
    }
  });

  it("names the built model's output count from the circuit, not the declared ONNX output (Reshape(-1, 1))", () => {
    const report = JSON.parse(readFileSync(join(CACHE, "reports", `${cacheName("reduce-pad")}.json`), "utf8")) as ModelBuildReport;
    expect(report.outputShapes).to.deep.equal([[3, 1]]);
  });

  describe("refuses bad input with one line, exit 2, and nothing left behind", () => {
    const refusal = async (args: string[], pattern: RegExp) => {
      const dir = mkdtempSync(join(tmpdir(), "highway-refused-"));
      scratch.push(dir);
      const before = contractsStatus();
      const run = await highway(["models", "build", ...args, "--out", join(dir, "bundle"), "--json"]);
      expect(run.code, run.stderr).to.equal(2);
      const result = lastJson(run);
      expect(result.ok).to.equal(false);
      expect(result.error).to.match(pattern);
      expect(run.stderr).to.not.match(/Traceback| {4}at /);
      expect(run.stderr.trim().split("\n")).to.have.length(1);
      expect(readdirSync(dir)).to.deep.equal([]);
      expect(contractsStatus()).to.equal(before);
    };

    it("a missing ONNX file", () =>
      refusal([join(models, "missing.onnx"), "--calibration", join(models, "rnn.npy")], /missing\.onnx: no such ONNX file/));

    it("a missing calibration file", () =>
      refusal([join(models, "rnn.onnx"), "--calibration", join(models, "missing.csv")], /missing\.csv: no such calibration file/));

    it("a malformed ONNX file", () => {
      const bad = join(CACHE, "malformed.onnx");
      writeFileSync(bad, "not a protobuf");
      return refusal([bad, "--calibration", join(models, "rnn.npy")], /malformed\.onnx: not a valid ONNX model/);
    });

    it("calibration data of the wrong shape", () =>
      refusal(
        [join(models, "rnn.onnx"), "--calibration", join(models, "layer-norm.npy")],
        /layer-norm\.npy: each row has 4 values, the model takes 6 \(seq \[3, 1, 2\]\)/,
      ));

    it("every node EZKL cannot prove, by name", () => {
      const path = join(CACHE, "unsupported.onnx");
      const script = `
import onnx, sys
from onnx import helper, TensorProto
nodes = [helper.make_node("Mish", ["x"], ["a"], name="first_mish"), helper.make_node("Relu", ["a"], ["b"], name="fine"),
         helper.make_node("Det", ["b"], ["y"], name="the_det")]
graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
`;
      const made = runPython(["-c", script, path]);
      expect(made.status, made.stderr).to.equal(0);
      const calibration = join(CACHE, "unsupported.csv");
      writeFileSync(calibration, `${Array.from({ length: 16 }, (_, i) => (i % 5) / 4).join(",")}\n`);
      return refusal([path, "--calibration", calibration], /EZKL cannot prove 2 node\(s\): Mish 'first_mish' .*; Det 'the_det'/);
    });

    it("a model too large for the largest circuit allowed", () =>
      refusal(
        [join(models, "conv-pool.onnx"), "--calibration", join(models, "conv-pool.npy"), "--max-logrows", "9"],
        /conv-pool\.onnx: too large: no layout up to logrows 9 gives a verifier under EIP-170.s 24576 bytes \(logrows 9: \d+ bytes/,
      ));
  });
});
