/**
 * The SDK's main entry runs in a browser: bundled for the browser it pulls in no Node
 * builtin, and the bundle loads and works in a context with nothing but JavaScript's
 * own globals (no process, require, Buffer or fs).
 */
import { expect } from "chai";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import { REPO } from "../../scripts/lib/repo.js";
import { bundleForBrowser } from "../helpers/browser.js";

describe("the SDK's main entry (sdk/index.ts) in a browser", function () {
  this.timeout(60_000);

  it("bundles for the browser with no Node builtin in its graph, and runs without Node's globals", async () => {
    const bundled = await bundleForBrowser({ entryPoints: [join(REPO, "sdk", "index.ts")], format: "iife", globalName: "highway" });
    expect(bundled.errors).to.deep.equal([]);
    expect(bundled.builtinImports).to.deep.equal([]);

    const context = createContext({});
    runInContext(bundled.code, context);
    const sdk = context.highway as typeof import("../../sdk/index.js");
    expect(sdk.Highway).to.be.a("function");
    expect(sdk.proofModesFromBits(sdk.proofModeBits(["zk", "optimistic"]))).to.deep.equal(["zk", "optimistic"]);
    expect(sdk.quoteEscrow(100n, 50n, 500n).total).to.equal(157n);
    expect(sdk.modelSalt({ name: "price-signal", artifactHash: `0x${"00".repeat(32)}` })).to.match(/^0x[0-9a-f]{64}$/);
  });
});
