/** The local model cache's installer (language-models/install.py), as `make setup` runs it. */
import { expect } from "chai";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRuntimeSpec, weightsPath } from "../../sdk/language-models.js";
import { runPython } from "../helpers/python.js";

describe("the model cache installer", function () {
  this.timeout(120_000);

  it("checks weights already in a cache outside the repository, or behind a link, and names the cache's path whole", () => {
    const spec = loadRuntimeSpec("smollm2");
    const cache = mkdtempSync(join(tmpdir(), "highway-models-"));
    // A cache elsewhere holding the weights through a link, as an operator's shared cache would.
    symlinkSync(weightsPath(spec), join(cache, spec.weights.file));
    const run = runPython(["language-models/install.py", "--cache", cache]);
    expect(run.stderr).to.equal("");
    expect(run.status).to.equal(0);
    expect(run.stdout).to.equal(`smollm2: ${join(cache, spec.weights.file)} present, sha256 checked\n`);
  });
});
