/**
 * The SDK's main entry runs in a browser: bundled for the browser it pulls in no Node
 * builtin, and the bundle loads and works in a context with nothing but JavaScript's
 * own globals (no process, require, Buffer or fs).
 */
import { expect } from "chai";
import { build, type Plugin } from "esbuild";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import { REPO } from "../../scripts/lib/repo.js";

describe("the SDK's main entry (sdk/index.ts) in a browser", function () {
  this.timeout(60_000);

  /** Every import of a Node builtin anywhere in the graph, by importer. */
  const builtinImports: string[] = [];
  const recordBuiltins: Plugin = {
    name: "record-node-builtins",
    setup(bundle) {
      // Kept out of the bundle rather than failing it, so the assertion can name every one.
      bundle.onResolve({ filter: /.*/ }, ({ path, importer }) => {
        if (!isBuiltin(path)) return undefined;
        builtinImports.push(`${importer} imports ${path}`);
        return { path, external: true };
      });
    },
  };

  it("bundles for the browser with no Node builtin in its graph, and runs without Node's globals", async () => {
    const bundled = await build({
      entryPoints: [join(REPO, "sdk", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "highway",
      write: false,
      logLevel: "silent",
      plugins: [recordBuiltins],
    });
    expect(bundled.errors).to.deep.equal([]);
    expect(builtinImports).to.deep.equal([]);

    const context = createContext({});
    runInContext(bundled.outputFiles[0].text, context);
    const sdk = context.highway as typeof import("../../sdk/index.js");
    expect(sdk.Highway).to.be.a("function");
    expect(sdk.proofModesFromBits(sdk.proofModeBits(["zk", "optimistic"]))).to.deep.equal(["zk", "optimistic"]);
    expect(sdk.quoteEscrow(100n, 50n, 500n).total).to.equal(157n);
    expect(sdk.modelSalt({ name: "price-signal", artifactHash: `0x${"00".repeat(32)}` })).to.match(/^0x[0-9a-f]{64}$/);
  });
});
