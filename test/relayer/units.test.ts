/** Unit tests of the relayer's pure parts: the config schema, the pricing rule, the watchtower's profit, proving times, the verifier's opcode scan, the stake's standing and the log format. */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { forbiddenOpcodes } from "../../relayer/src/model-checks.js";
import { ProvingTimes } from "../../relayer/src/proving-times.js";
import { REPO } from "../helpers/repo.js";
import { ConfigError, parseConfig } from "../../relayer/src/config.js";
import { LOG_FORMAT_ENV, resolveLogFormat } from "../../relayer/src/logger.js";
import { stakeStanding, stakeWarning } from "../../relayer/src/stake.js";
import { lossKind } from "../../relayer/src/relayer.js";
import {
  breakEvenFee,
  challengeProfit,
  fraudProofProfit,
  gasCostInTokens,
  proveFraudGas,
  serviceGas,
  TRANSACTION_GAS,
  worthClaiming,
} from "../../relayer/src/pricing.js";

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
    [
      "a private transaction endpoint that is not an RPC URL",
      { watchtower: { privateTxRpcUrl: "ftp://builder.example" } },
      'field "watchtower.privateTxRpcUrl": expected an http(s):// or ws(s):// URL',
    ],
    ["an unknown field", { colour: "blue" }, "colour"],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      expect(() => parseConfig({ ...VALID, ...change }, "relayer.json")).to.throw(ConfigError, message);
    });
  }
});

describe("relayer pricing", () => {
  const base = {
    mode: "zk" as const,
    callbackGasLimit: 200_000n,
    gasPriceWei: 2_000_000_000n,
    tokenUnitsPerWei: 3,
    computeCost: 10n ** 16n,
    margin: 1.5,
  };

  it("breaks even at (gas of the claim and the answer with its callback × gas price × token per wei + compute cost) × margin", () => {
    const gasCost = (TRANSACTION_GAS.claim + TRANSACTION_GAS.fulfillZk + 200_000n) * base.gasPriceWei * 3n;
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

  it("prices each request with its own callback gas limit: the transaction that calls back may spend all of it", () => {
    for (const mode of ["zk", "optimistic"] as const) {
      expect(serviceGas(mode, 2_000_000n) - serviceGas(mode, 100_000n)).to.equal(1_900_000n);
    }
    // A fee that covers a 100,000-gas callback does not cover a 2,000,000-gas one.
    const fee = breakEvenFee({ ...base, callbackGasLimit: 100_000n });
    expect(worthClaiming({ ...base, callbackGasLimit: 100_000n, offeredFee: fee })).to.equal(true);
    expect(worthClaiming({ ...base, callbackGasLimit: 2_000_000n, offeredFee: fee })).to.equal(false);
  });
});

describe("watchtower profit", () => {
  const UNIT = 10n ** 18n;
  const wrongAnswer = {
    jobBond: 100n * UNIT,
    disputeProtocolShareBps: 2_000n,
    computeFee: 3n * UNIT,
    callbackGasLimit: 200_000n,
    computeCost: 1n * UNIT,
    gasPriceWei: 1_000_000_000n,
    tokenUnitsPerWei: 10_000,
  };

  it("is the bond less the protocol's share, plus the compute fee, less our compute cost and the gas of the challenge and the fraud proof", () => {
    const gas = TRANSACTION_GAS.challenge + proveFraudGas(200_000n);
    expect(gas).to.equal(90_000n + 580_000n + 200_000n);
    const gasCost = gasCostInTokens(gas, wrongAnswer);
    expect(gasCost).to.equal(gas * 1_000_000_000n * 10_000n);
    expect(challengeProfit(wrongAnswer)).to.equal(80n * UNIT + 3n * UNIT - 1n * UNIT - gasCost);
  });

  it("can be a loss: a small bond does not pay for the protocol's share and the gas", () => {
    expect(challengeProfit({ ...wrongAnswer, jobBond: 1n * UNIT, computeFee: 0n, computeCost: 0n })).to.be.lessThan(0n);
  });

  it("of a fraud proof in someone else's dispute is a loss: bond and compute fee are the challenger's, our cost and gas ours", () => {
    expect(fraudProofProfit(wrongAnswer)).to.equal(-1n * UNIT - gasCostInTokens(proveFraudGas(200_000n), wrongAnswer));
  });
});

describe("proving times", () => {
  const warmUp = new Map([["price-signal", { witnessMs: 40, proveMs: 900 }]]);

  it("start from the prover's warm-up: a proof takes its witness and its proving", () => {
    const times = new ProvingTimes(warmUp);
    expect(times.estimateSeconds("price-signal", "proof")).to.equal(0.94);
    expect(times.estimateSeconds("price-signal", "witness")).to.equal(0.04);
    expect(times.knows("credit-risk")).to.equal(false);
    expect(() => times.estimateSeconds("credit-risk", "proof")).to.throw("no measured proof time for credit-risk");
  });

  it("estimate the 95th percentile of the latest 32 measurements: one slow proof counts until it leaves the window", () => {
    const times = new ProvingTimes(warmUp);
    for (let i = 0; i < 30; i++) times.record("price-signal", "proof", 500);
    times.record("price-signal", "proof", 5_000);
    // 32 samples: the warm-up's 940, thirty 500s, one 5,000; the 95th percentile (the 31st of 32) is 940.
    expect(times.estimateSeconds("price-signal", "proof")).to.equal(0.94);
    times.record("price-signal", "proof", 6_000); // the warm-up leaves the window
    expect(times.estimateSeconds("price-signal", "proof")).to.equal(5);
    for (let i = 0; i < 32; i++) times.record("price-signal", "proof", 700);
    expect(times.estimateSeconds("price-signal", "proof")).to.equal(0.7);
  });
});

describe("verifier opcode scan", () => {
  const artifact = (path: string) => JSON.parse(readFileSync(join(REPO, "artifacts", path), "utf8")).deployedBytecode as string;

  it("finds nothing forbidden in the generated Halo2 verifiers", () => {
    for (const model of ["price-signal", "credit-risk", "price-signal-volatile"]) {
      expect(forbiddenOpcodes(artifact(`contracts/verifiers/${model}/Halo2Verifier.sol/Halo2Verifier.json`)), model).to.deep.equal([]);
    }
  });

  it("finds the SSTORE of a switchable verifier", () => {
    const found = forbiddenOpcodes(artifact("contracts/test/mocks/SwitchableVerifier.sol/SwitchableVerifier.json")).map((f) => f.opcode);
    expect(found).to.include("SSTORE");
  });

  it("skips PUSH data and the compiler's metadata, and names each forbidden opcode with its offset", () => {
    // PUSH2 0x55ff, then DELEGATECALL, SELFDESTRUCT; then metadata (a CBOR map, 0xa1, holding an 0x55 byte) and its length.
    expect(forbiddenOpcodes("0x6155fff4ff" + "a155" + "0002")).to.deep.equal([
      { opcode: "DELEGATECALL", offset: 3 },
      { opcode: "SELFDESTRUCT", offset: 4 },
    ]);
    expect(forbiddenOpcodes("0xf0f2f55500").map((f) => f.opcode)).to.deep.equal(["CREATE", "CALLCODE", "CREATE2", "SSTORE"]);
  });
});

describe("stake standing", () => {
  const UNIT = 10n ** 18n;
  const ADDRESS = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

  it("can claim when the free stake covers a job bond and the stake reaches the minimum, exactly", () => {
    expect(stakeStanding({ stake: 300n * UNIT, locked: 200n * UNIT }, 100n * UNIT, 200n * UNIT)).to.deep.equal({
      staked: 300n * UNIT,
      locked: 200n * UNIT,
      free: 100n * UNIT,
      jobBond: 100n * UNIT,
      minStake: 200n * UNIT,
      canClaim: true,
      shortfall: 0n,
    });
    expect(stakeWarning(stakeStanding({ stake: 300n * UNIT, locked: 200n * UNIT }, 100n * UNIT, 200n * UNIT), ADDRESS)).to.equal(undefined);
  });

  it("names the numbers in tokens and the stake that makes up the larger shortfall", () => {
    const standing = stakeStanding({ stake: 10n * UNIT, locked: 0n }, 100n * UNIT, 200n * UNIT);
    expect(standing).to.include({ free: 10n * UNIT, canClaim: false, shortfall: 190n * UNIT });
    expect(stakeWarning(standing, ADDRESS)).to.equal(
      "cannot claim requests: free stake 10 tokens (stake 10, 0 locked in open jobs) does not cover a job bond of 100 tokens, and stake 10 tokens is below the minimum stake of 200 tokens: " +
        `stake 190 more with \`highway relayer stake 190\` from the relayer's account ${ADDRESS}`,
    );
  });

  it("says that waiting helps when only bonds locked in open jobs keep it from claiming", () => {
    const standing = stakeStanding({ stake: 250n * UNIT, locked: 200n * UNIT + UNIT / 2n }, 100n * UNIT, 200n * UNIT);
    expect(standing.shortfall).to.equal(50n * UNIT + UNIT / 2n);
    expect(stakeWarning(standing, ADDRESS)).to.equal(
      "cannot claim requests: free stake 49.5 tokens (stake 250, 200.5 locked in open jobs) does not cover a job bond of 100 tokens: " +
        `stake 50.5 more with \`highway relayer stake 50.5\` from the relayer's account ${ADDRESS}, or wait for its open jobs to release their bonds`,
    );
  });
});

describe("relayer log format", () => {
  it("is pretty on a terminal and JSON when piped, unless the config or the environment says which", () => {
    expect(resolveLogFormat("auto", {}, true)).to.equal("pretty");
    expect(resolveLogFormat("auto", {}, false)).to.equal("json");
    expect(resolveLogFormat("json", {}, true)).to.equal("json");
    expect(resolveLogFormat("pretty", {}, false)).to.equal("pretty");
    expect(resolveLogFormat("pretty", { [LOG_FORMAT_ENV]: "json" }, true)).to.equal("json");
    expect(resolveLogFormat("json", { [LOG_FORMAT_ENV]: "auto" }, true)).to.equal("pretty");
    expect(() => resolveLogFormat("auto", { [LOG_FORMAT_ENV]: "colour" }, true)).to.throw(
      '$HIGHWAY_RELAYER_LOG_FORMAT is "colour": expected "pretty", "json" or "auto"',
    );
  });

  it("rejects an unknown logFormat in the config, naming the field", () => {
    expect(() => parseConfig({ ...VALID, logFormat: "text" })).to.throw(ConfigError, 'field "logFormat"');
    expect(parseConfig(VALID).logFormat).to.equal("auto");
  });
});

describe("relayer: what a send that did not go through means for its job (lossKind)", () => {
  it("counts a batch of which every request was skipped as a lost race, not a failure of the job", () => {
    expect(lossKind("NothingClaimed")).to.equal("race");
    expect(lossKind("NothingAnswered")).to.equal("race");
    expect(lossKind("WrongStatus")).to.equal("race");
  });

  it("waits on a window not yet open, and counts what the relayer got wrong against the job", () => {
    expect(lossKind("ChallengeWindowOpen")).to.equal("too-early");
    expect(lossKind("InvalidProof")).to.equal("failure");
    expect(lossKind("InputMismatch")).to.equal("failure");
    expect(lossKind("Reverted")).to.equal("failure");
  });
});
