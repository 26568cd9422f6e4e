/** Highway's TypeScript SDK. */
export * from "./client.js";
export * from "./circuits.js";
export * from "./deployment.js";
export * from "./encoding.js";
export * from "./errors.js";
export * from "./fees.js";
export * from "./gas.js";
export * from "./permit.js";
export * from "./protocol.js";
