/**
 * Highway's TypeScript SDK, main entry: runs in a browser as in Node (nothing here
 * imports `node:*` or the Solidity compiler; test/sdk/browser.test.ts bundles it for
 * the browser to prove it). Node-only additions are in sdk/node.ts.
 */
export * from "./highway.js";
export { createHighwayClient, type HighwayClient, type HighwayClientOptions } from "./client.js";
export * from "./actions/committee.js";
export * from "./actions/models.js";
export * from "./actions/reads.js";
export * from "./actions/requests.js";
export * from "./actions/results.js";
export * from "./actions/relayers.js";
export * from "./deployment.js";
export * from "./encoding.js";
export * from "./errors.js";
export * from "./fees.js";
export { formatTokens } from "./format.js";
export * from "./gas.js";
export * from "./logs.js";
export * from "./manifest.js";
export * from "./permit.js";
export * from "./protocol.js";
export * from "./terms.js";
