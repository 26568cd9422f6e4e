/**
 * The generation check: every committed Solidity verifier is exactly what the pinned EZKL
 * generates from the committed verifying key, settings and SRS. A hand edit of a verifier,
 * or a verifying key committed without its verifier, fails here.
 *
 *   hardhat test mocha test/zk/generation.test.ts      (about a second per model)
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadCircuit } from "../../sdk/circuits.js";
import { REPO, runPython } from "../helpers/python.js";

const BUILD = join(REPO, "circuits", "build.py");
/** Every folder in `dir` (relative to circuits/) with a manifest. */
function circuitFolders(dir: string, prefix = ""): string[] {
  return readdirSync(join(REPO, "circuits", dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith(prefix))
    .map((entry) => join(dir, entry.name))
    .filter((folder) => existsSync(join(REPO, "circuits", folder, "manifest.json")));
}
/** Every model folder with a manifest, so a new model is checked without listing it here. */
const MODELS = circuitFolders("");
/** Every model's batched circuits (circuits/<model>/batch-<B>/), each with its own verifier. */
const BATCHED = MODELS.flatMap((model) => circuitFolders(model, "batch-"));

/** The first line where two texts differ, for a failure message a reader can act on. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split("\n");
  const b = generated.split("\n");
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe("generated verifiers (circuits/build.py verifier)", function () {
  this.timeout(60_000);
  let scratch: string;
  let ezklVersion: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "highway-generation-"));
    const result = runPython(["-c", "import ezkl; print(ezkl.__version__)"]);
    expect(result.status, result.stderr).to.equal(0);
    ezklVersion = result.stdout.trim();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("finds the reference models and price-signal's batched circuit", () => {
    expect(MODELS).to.include.members(["price-signal", "credit-risk", "price-signal-volatile"]);
    expect(BATCHED).to.include("price-signal/batch-8");
  });

  it("price-signal/batch-8: answers 8 requests per proof, its verifier next to the single one's", () => {
    const { manifest } = loadCircuit(join(REPO, "circuits", "price-signal", "batch-8"));
    const single = loadCircuit("price-signal").manifest;
    expect(manifest.batchSize).to.equal(8);
    expect(manifest.input).to.deep.equal({ ...single.input, shape: [8, ...single.input.shape.slice(1)] });
    expect(manifest.output).to.deep.equal({ ...single.output, shape: [8, ...single.output.shape.slice(1)] });
    expect(manifest.publicInstances).to.include({ count: 8 * 9, inputOffset: 0, outputOffset: 8 * 8 });
    expect(manifest.verifier.source).to.equal("contracts/verifiers/price-signal/batch-8/Halo2Verifier.sol");
  });

  for (const model of [...MODELS, ...BATCHED]) {
    it(`${model}: the committed verifier is what EZKL generates from the committed keys`, () => {
      const { manifest } = loadCircuit(join(REPO, "circuits", model));
      expect(ezklVersion, "the virtualenv's ezkl is not the version the manifest was built with").to.equal(manifest.ezklVersion);
      const out = join(scratch, model);
      const result = runPython([BUILD, "verifier", join(REPO, "circuits", model), "--out", out]);
      expect(result.status, result.stderr).to.equal(0);

      const committed = readFileSync(resolve(REPO, manifest.verifier.source));
      const generated = readFileSync(join(out, `${manifest.verifier.contract}.sol`));
      if (!committed.equals(generated)) {
        expect.fail(
          `${manifest.verifier.source} is not what EZKL ${ezklVersion} generates from circuits/${model} ` +
            `(${firstDifference(committed.toString("utf8"), generated.toString("utf8"))}); ` +
            `regenerate it with \`.venv/bin/python circuits/build.py verifier circuits/${model}\``,
        );
      }
    });
  }
});
