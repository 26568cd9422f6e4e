/** Unit tests of the relayer's pure parts: the config schema and the pricing rule. */
import { expect } from "chai";
import { ConfigError, parseConfig } from "../../relayer/src/config.js";
import { breakEvenFee, SERVICE_GAS, worthClaiming } from "../../relayer/src/pricing.js";

const VALID = {
  rpcUrl: "http://127.0.0.1:8545",
  deployment: "deployments/31337.json",
  key: { env: "HIGHWAY_RELAYER_KEY" },
  database: "relayer.sqlite",
  models: [{ circuit: "price-signal" }],
};

describe("relayer config schema", () => {
  it("fills in the defaults of a minimal config", () => {
    const config = parseConfig(VALID);
    expect(config.confirmations).to.equal(1);
    expect(config.models[0]).to.deep.equal({ circuit: "price-signal", computeCost: "0", modes: ["zk", "optimistic"] });
    expect(config.pricing).to.deep.equal({ margin: 1.2, tokenUnitsPerWei: 0 });
    expect(config.watchtower.enabled).to.equal(true);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["a non-RPC URL", { rpcUrl: "ftp://example.org" }, 'field "rpcUrl": expected an http(s):// or ws(s):// URL'],
    ["a key without a source", { key: {} }, 'field "key": expected {"env": "VAR"} or {"keystore"'],
    ["negative confirmations", { confirmations: -1 }, 'field "confirmations"'],
    ["a compute cost as a number", { models: [{ circuit: "price-signal", computeCost: 5 }] }, 'field "models[0].computeCost"'],
    ["an unknown proof mode", { models: [{ circuit: "price-signal", modes: ["fast"] }] }, 'field "models[0].modes[0]"'],
    ["no models", { models: [] }, 'field "models": serve at least one model'],
    ["a margin below 1", { pricing: { margin: 0.5 } }, 'field "pricing.margin"'],
    ["a bump under 10%", { submitter: { bumpPercent: 5 } }, 'field "submitter.bumpPercent"'],
    ["an unknown field", { colour: "blue" }, "colour"],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      expect(() => parseConfig({ ...VALID, ...change }, "relayer.json")).to.throw(ConfigError, message);
    });
  }
});

describe("relayer pricing", () => {
  const base = { mode: "zk" as const, gasPriceWei: 2_000_000_000n, tokenUnitsPerWei: 3, computeCost: 10n ** 16n, margin: 1.5 };

  it("breaks even at (gas × gas price × token per wei + compute cost) × margin", () => {
    const gasCost = SERVICE_GAS.zk * base.gasPriceWei * 3n;
    expect(breakEvenFee(base)).to.equal(((gasCost + base.computeCost) * 3n) / 2n);
  });

  it("claims at the break-even fee and not one unit below", () => {
    const fee = breakEvenFee(base);
    expect(worthClaiming({ ...base, offeredFee: fee })).to.equal(true);
    expect(worthClaiming({ ...base, offeredFee: fee - 1n })).to.equal(false);
  });

  it("costs an optimistic answer less gas than a zk one", () => {
    expect(breakEvenFee({ ...base, mode: "optimistic" })).to.be.lessThan(breakEvenFee(base));
  });
});
