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
/** Every model folder with a manifest, so a new model is checked without listing it here. */
const MODELS = readdirSync(join(REPO, "circuits"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(REPO, "circuits", entry.name, "manifest.json")))
  .map((entry) => entry.name);

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

  it("finds the reference models", () => {
    expect(MODELS).to.include.members(["price-signal", "credit-risk", "price-signal-volatile"]);
  });

  for (const model of MODELS) {
    it(`${model}: the committed verifier is what EZKL generates from the committed keys`, () => {
      const { manifest } = loadCircuit(model);
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
