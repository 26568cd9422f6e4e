/**
 * The relayer side of the security review (issue 10): each attack replayed against the
 * real contracts on a `hardhat node` process and a real relayer process, showing that
 * it no longer profits. The attackers are accounts and contracts the test controls.
 */
import { expect } from "chai";
import { id as keccakUtf8, keccak256, type Contract } from "ethers";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeTensor } from "../../sdk/encoding.js";
import { Highway } from "../../sdk/node.js";
import { CIRCUITS_DIR, loadCircuit } from "../../sdk/circuits.js";
import { modelRegistration } from "../../sdk/manifest.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import type { CoordinatorParams } from "../../scripts/deploy.js";
import { requestBurst } from "../helpers/requests.js";
import {
  advanceTime,
  FAST_PARAMS,
  fundRequester,
  stakeRelayer,
  waitFor,
  UNIT,
  type LocalHighway,
  type RelayerProcess,
  type RelayerProcessOptions,
} from "../../scripts/lib/localnet.js";
import { eventCounts, healthOf, metricSum, metricsOf, randomRequest, relayerTestbed, Status, statuses, storedJob } from "./helpers.js";

/** The relayer process under test. */
const RELAYER = 5;
/** Accounts the attacks use, each staked as a relayer (or funded for challenge bonds). */
const ATTACKER = 6;
const HONEST_EOA = 7;
const ACCOMPLICE = 8;
const MODEL_OWNER = 9;

/** A real price-signal input with its true output (circuits/price-signal/samples). */
function sample(index: number): { input: bigint[]; output: bigint[] } {
  const raw = JSON.parse(readFileSync(join(CIRCUITS_DIR, "price-signal", "samples", `sample-${index}.json`), "utf8"));
  return { input: raw.input.map(BigInt), output: raw.output.map(BigInt) };
}

describe("relayer security (issue 10): attacks replayed against real processes", function () {
  this.timeout(300_000);
  const { startHighway, start, requester, signer } = relayerTestbed(60);
  let highway: LocalHighway;

  async function setUp(params: Partial<CoordinatorParams> = FAST_PARAMS): Promise<void> {
    highway = await startHighway({ params, models: ["price-signal"] });
    for (const account of [RELAYER, ATTACKER, HONEST_EOA]) await stakeRelayer(highway, await signer(account));
    await fundRequester(highway, await signer(ACCOMPLICE), 1_000n * UNIT); // challenge bonds
  }

  async function startUp(options: RelayerProcessOptions): Promise<RelayerProcess> {
    const relayer = start(options);
    await waitFor("the relayer up", () => relayer.httpPort() !== undefined, 120_000, 100);
    return relayer;
  }

  async function coordinatorAs(account: number): Promise<Contract> {
    return highway.coordinator.connect(await signer(account)) as unknown as Contract;
  }

  /** Disputes are played on the dispute game (the coordinator pulls the challenge bond). */
  async function disputeGameAs(account: number): Promise<Contract> {
    return highway.disputeGame.connect(await signer(account)) as unknown as Contract;
  }

  async function termsOf(requestId: bigint) {
    return (await Highway.connect({ runner: await requester(), deployment: highway.deploymentPath })).terms(requestId);
  }

  async function send(tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
    await (await tx).wait();
  }

  async function status(requestId: bigint): Promise<number> {
    return (await statuses(highway, [requestId]))[0];
  }

  async function gasPriceWei(): Promise<bigint> {
    return (await highway.ethers.provider.getFeeData()).gasPrice!;
  }

  it("H-1: challenges a wrong output posted after a dispute timed out and reopened the request, though the earlier output under the same id was right", async () => {
    await setUp();
    // The watchtower answers zk only: it watches the optimistic request and never claims it itself.
    const watchtower = await startUp({ account: RELAYER, config: { models: [{ circuit: "price-signal", modes: ["zk"] }] } });
    const { input, output } = sample(1);
    const [id] = await requestBurst(highway, await requester(), 1, () => ({ model: "price-signal", mode: "optimistic", input }));
    const terms = await termsOf(id);

    // An honest relayer answers right; the watchtower checks it and finds it right.
    await send((await coordinatorAs(HONEST_EOA)).claim(id, terms));
    await send((await coordinatorAs(HONEST_EOA)).submitOptimistic(id, terms, encodeTensor(output)));
    await waitFor("the watchtower's verdict on the honest output", () => storedJob(watchtower, id)?.verdict === "right", 60_000, 100);

    // The attacker's accomplice challenges the right answer; nobody defends; the dispute times out and the request reopens.
    const game = await disputeGameAs(ACCOMPLICE);
    const salt = keccakUtf8("the accomplice's salt");
    await send(game.commitChallenge(await game.challengeCommitment(id, await (await signer(ACCOMPLICE)).getAddress(), salt)));
    await send(game.challenge(id, terms, salt));
    await advanceTime(highway, 61);
    await waitFor("the dispute timed out and the request reopened", async () => (await status(id)) === Status.Open, 60_000, 200);
    expect((await eventCounts(highway, "DisputeTimedOut")).get(id)).to.equal(1);

    // The attacker claims the reopened request and posts a wrong output under the same id.
    const wrong = encodeTensor([output[0] + 1n]);
    await advanceTime(highway, 1); // a reopened request is claimable from the next second (ClaimTooSoon)
    await send((await coordinatorAs(ATTACKER)).claim(id, terms));
    await send((await coordinatorAs(ATTACKER)).submitOptimistic(id, terms, wrong));

    await waitFor("the watchtower proving the fraud", async () => (await eventCounts(highway, "FraudProven")).get(id) === 1, 120_000, 200);
    expect((await eventCounts(highway, "Challenged")).get(id)).to.equal(2); // the accomplice's, then the watchtower's
    expect(await status(id)).to.equal(Status.Fulfilled);
    const [fulfilled] = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestFulfilled(id));
    expect(fulfilled.args.output).to.equal(encodeTensor(output)); // the wrong output never finalized
    expect(fulfilled.args.payee).to.equal(hardhatAccount(RELAYER).address);
    expect((await highway.staking.relayerOf(hardhatAccount(ATTACKER).address)).jobsSlashed).to.equal(1n);
    // The store records the fraud proof once the relayer has its receipt, a moment after the chain has the event.
    await waitFor("the watchtower's job done", () => storedJob(watchtower, id)?.state === "done", 10_000, 100);
    expect(storedJob(watchtower, id)).to.include({ state: "done", verdict: "wrong", checkedOutput: keccak256(wrong) });
  });

  it("H-2: a deadline that leaves no delivery window is refused, and a relayer never claims what it cannot answer within the delivery window at its measured time and margin", async () => {
    await setUp();
    // The griefing request itself: its deadline is the next few seconds, shorter than the delivery window.
    const tooClose = await requestBurst(highway, await requester(), 1, () => ({ ...randomRequest(0, ["zk"]), deadlineIn: 5 })).then(
      () => "sent",
      (error: Error) => error.message,
    );
    expect(tooClose).to.contain("InvalidDeadline");

    // A relayer whose measured time and margin exceed the delivery window (60 s here) sets the request aside.
    const relayer = await startUp({
      account: RELAYER,
      config: { models: [{ circuit: "price-signal", modes: ["zk"] }], deadlineMarginSeconds: 60 },
    });
    const [request] = await requestBurst(highway, await requester(), 1, () => randomRequest(0, ["zk"]));
    await waitFor("the request set aside", () => storedJob(relayer, request)?.state === "skipped", 30_000, 100);
    expect(storedJob(relayer, request)!.note).to.match(
      /^an answer needs \d+ s \(our measured time and the margin\), more than the 60 s delivery window$/,
    );
    await advanceTime(highway, 5);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // ticks on a later block change nothing
    expect((await eventCounts(highway, "RequestClaimed")).get(request)).to.equal(undefined);
    expect((await highway.staking.relayerOf(hardhatAccount(RELAYER).address)).locked).to.equal(0n); // no bond ever at risk
    expect(
      metricSum(await metricsOf(relayer), "highway_relayer_answer_estimate_seconds", { model: "price-signal", mode: "zk" }),
    ).to.be.greaterThan(0);
  });

  it("M-1: never serves or watches a model whose verifier can be switched, nor one whose artifact hash is not the manifest's, naming the field", async () => {
    await setUp();
    const owner = await signer(MODEL_OWNER);
    const { manifest } = loadCircuit("price-signal");
    const realVerifier = await highway.verifiers["price-signal"].getAddress();
    const switchable = await highway.ethers.deployContract("SwitchableVerifier", [realVerifier], owner);
    await switchable.waitForDeployment();
    const registry = highway.registry.connect(owner);
    const register = async (salt: string, verifier: string, artifactHash = manifest.artifactHash): Promise<string> => {
      const registration = modelRegistration(manifest, { fee: UNIT, verifier, salt });
      await send(registry.registerModel(salt, { ...registration.params, artifactHash }));
      return (await registry.modelIdOf(await owner.getAddress(), salt)).toLowerCase();
    };
    const switchableId = await register(keccakUtf8("switchable"), await switchable.getAddress());
    const wrongHashId = await register(keccakUtf8("wrong artifact hash"), realVerifier, keccakUtf8("other artifacts"));

    const relayer = await startUp({
      account: RELAYER,
      config: {
        models: [
          { circuit: "price-signal" },
          { circuit: "price-signal", modelId: switchableId },
          { circuit: "price-signal", modelId: wrongHashId },
        ],
      },
    });
    const output = relayer.output();
    expect(output).to.match(
      new RegExp(
        `model price-signal \\(${switchableId}\\) refused: verifier code hash 0x[0-9a-f]{64} \\(at ${await switchable.getAddress()}\\) differs from 0x[0-9a-f]{64}, the verifier compiled from contracts/verifiers/price-signal/Halo2Verifier.sol; verifier code contains SSTORE at byte \\d+`,
      ),
    );
    expect(output).to.contain(
      `model price-signal (${wrongHashId}) refused: artifactHash ${keccakUtf8("other artifacts")} differs from the manifest's ${manifest.artifactHash}`,
    );
    const health = (await healthOf(relayer)).models as { modelId: string; verified: boolean; refusal?: string }[];
    expect(health.map(({ modelId, verified }) => [modelId, verified])).to.deep.equal([
      [highway.deployment.models["price-signal"].modelId.toLowerCase(), true],
      [switchableId, false],
      [wrongHashId, false],
    ]);
    expect(health[2].refusal).to.match(/^artifactHash /);
    const metrics = await metricsOf(relayer);
    expect(metricSum(metrics, "highway_relayer_model_refused", { model_id: switchableId })).to.equal(1);
    expect(metricSum(metrics, "highway_relayer_model_refused", { model_id: wrongHashId })).to.equal(1);

    // Requests for the refused models, and one for the genuine model, which is served.
    const withRefused = {
      ...highway,
      deployment: {
        ...highway.deployment,
        models: {
          ...highway.deployment.models,
          switchable: { modelId: switchableId, verifier: "", fee: "0" },
          "wrong-hash": { modelId: wrongHashId, verifier: "", fee: "0" },
        },
      },
    };
    const refusedIds = await requestBurst(withRefused, await requester(), 3, (i) => ({
      ...randomRequest(0),
      model: i === 2 ? "wrong-hash" : "switchable",
      mode: i === 1 ? "optimistic" : "zk",
    }));
    const [genuine] = await requestBurst(highway, await requester(), 1, () => randomRequest(0, ["zk"]));
    await waitFor("the genuine model's request answered", async () => (await status(genuine)) === Status.Fulfilled, 60_000, 200);

    // Another relayer posts a wrong optimistic answer for the switchable model: the watchtower does not touch it.
    const optimisticId = refusedIds[1];
    const terms = await termsOf(optimisticId);
    await send((await coordinatorAs(ATTACKER)).claim(optimisticId, terms));
    await send((await coordinatorAs(ATTACKER)).submitOptimistic(optimisticId, terms, encodeTensor([123n])));
    // A registry event about the model has it checked again: still refused.
    await send(registry.setFee(switchableId, 2n * UNIT));
    await waitFor(
      "the model checked again on its registry event",
      () => relayer.output().split(`model price-signal (${switchableId}) refused`).length > 2,
      30_000,
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    expect((await eventCounts(highway, "Challenged")).get(optimisticId)).to.equal(undefined);
    const claims = await eventCounts(highway, "RequestClaimed");
    expect(refusedIds.map((id) => claims.get(id))).to.deep.equal([undefined, 1, undefined]); // the attacker's claim alone
    expect(await statuses(highway, refusedIds)).to.deep.equal([Status.Open, Status.Pending, Status.Open]);
    for (const id of refusedIds) {
      const job = storedJob(relayer, id)!;
      expect(job.state).to.equal("watching");
      expect(job.note).to.match(/^price-signal is refused: (verifier code hash|artifactHash)/);
      expect(job.verdict).to.equal(null); // not even checked
    }
  });

  it("L-3: prices a zk request with its own callback gas limit: the same fee claims a small callback and not a huge one", async () => {
    await setUp();
    const fee = UNIT;
    // (claim + fulfillZk) gas with a 100,000 and a 2,000,000 callback limit: 690,000 and 2,590,000. At the
    // geometric mean of the two the fee covers the first with room and not the second, within a 1.9x move of the gas price.
    const tokenUnitsPerWei = Number(fee) / (Number(await gasPriceWei()) * Math.sqrt(690_000 * 2_590_000));
    const relayer = await startUp({
      account: RELAYER,
      config: { models: [{ circuit: "price-signal", modes: ["zk"] }], pricing: { margin: 1, tokenUnitsPerWei } },
    });
    const [huge, small] = await requestBurst(highway, await requester(), 2, (i) => ({
      ...randomRequest(0, ["zk"]),
      startComputeFee: fee,
      maxComputeFee: fee,
      callbackGasLimit: i === 0 ? 2_000_000 : 100_000,
    }));

    await waitFor("the small-callback request answered", async () => (await status(small)) === Status.Fulfilled, 60_000, 200);
    await waitFor("the huge-callback request looked at", () => storedJob(relayer, huge)?.state === "waiting", 30_000, 200);
    expect(await status(huge)).to.equal(Status.Open);
    expect((await eventCounts(highway, "RequestClaimed")).get(huge)).to.equal(undefined);
    expect(storedJob(relayer, huge)!.note).to.equal(`offered ${fee} does not cover our cost yet`);
  });

  it("L-4: does not challenge a wrong answer whose bond, less the protocol's dispute share, and fee do not cover the gas; challenges one whose fee does", async () => {
    await setUp({ ...FAST_PARAMS, jobBond: UNIT }); // a wrong answer wins 0.8 units of bond after the 20% share
    // challenge + proveFraud with a 200,000-gas callback: 870,000 gas, priced at 2 units.
    const tokenUnitsPerWei = Number(2n * UNIT) / (Number(await gasPriceWei()) * 870_000);
    const watchtower = await startUp({
      account: RELAYER,
      config: { models: [{ circuit: "price-signal", modes: ["zk"] }], pricing: { margin: 1, tokenUnitsPerWei } },
    });
    const cheater = start({
      account: ATTACKER,
      cheat: true,
      config: { watchtower: { enabled: false }, models: [{ circuit: "price-signal", modes: ["optimistic"] }] },
    });
    await waitFor("the cheater up", () => cheater.httpPort() !== undefined, 120_000, 100);

    // 0.8 + 0.01 - 2 < 0: a loss; 0.8 + 5 - 2 > 0: worth it.
    const [unprofitable, profitable] = await requestBurst(highway, await requester(), 2, (i) => {
      const fee = i === 0 ? UNIT / 100n : 5n * UNIT;
      return { ...randomRequest(0), mode: "optimistic", startComputeFee: fee, maxComputeFee: fee };
    });
    await waitFor(
      "the worthwhile fraud proven",
      async () => (await eventCounts(highway, "FraudProven")).get(profitable) === 1,
      120_000,
      200,
    );
    await waitFor("both wrong answers checked", () => storedJob(watchtower, unprofitable)?.verdict === "wrong", 30_000, 200);
    expect(storedJob(watchtower, unprofitable)!.note).to.match(
      /^a wrong answer, but challenging it is expected to earn -\d+, below watchtower.minProfit$/,
    );
    expect(await status(unprofitable)).to.equal(Status.Pending);
    expect((await eventCounts(highway, "Challenged")).get(unprofitable)).to.equal(undefined);
    expect((await eventCounts(highway, "Challenged")).get(profitable)).to.equal(1);
  });

  it("L-5: replaces a transaction stuck behind a fee spike at its nonce with the current fees, and the transactions after it go through", async () => {
    await setUp();
    const relayer = await startUp({
      account: RELAYER,
      config: { models: [{ circuit: "price-signal", modes: ["zk"] }], submitter: { bumpAfterMs: 1_000, bumpPercent: 10, maxSends: 3 } },
    });
    const provider = highway.ethers.provider;
    const address = hardhatAccount(RELAYER).address;
    const spike = 100n * 10n ** 9n; // 100 gwei, some fifty times the fees quoted before it
    await provider.send("evm_setAutomine", [false]);
    await provider.send("evm_setIntervalMining", [0]);
    let id: bigint;
    try {
      const requested = requestBurst(highway, await requester(), 1, () => randomRequest(0, ["zk"]));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await provider.send("evm_mine", []);
      [id] = await requested;
      const nonce = await provider.getTransactionCount(address, "latest");
      await waitFor(
        "the relayer's claim in the mempool",
        async () => (await provider.getTransactionCount(address, "pending")) > nonce,
        30_000,
        100,
      );
      // Blocks now mine at a base fee the claim's fees do not meet: it is stuck until replaced at the current quote.
      await waitFor(
        "the request answered during the fee spike",
        async () => {
          await provider.send("hardhat_setNextBlockBaseFeePerGas", [`0x${spike.toString(16)}`]);
          await provider.send("evm_mine", []);
          return (await status(id)) === Status.Fulfilled;
        },
        60_000,
        300,
      );
      const [claimed] = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestClaimed(id));
      const claim = (await provider.getTransaction(claimed.transactionHash))!;
      expect(claim.nonce).to.equal(nonce); // the stuck nonce itself, replaced
      expect(claim.maxFeePerGas! >= spike).to.equal(true);
    } finally {
      await provider.send("evm_setAutomine", [true]);
      await provider.send("evm_setIntervalMining", [1_000]);
    }
    expect(relayer.output()).to.contain("replacing it at its nonce with higher fees");
    expect(relayer.output()).not.to.contain("giving it up");
    // The relayer sees the answer's receipt a poll after the chain has it.
    await waitFor(
      "the answer counted as mined",
      async () =>
        metricSum(await metricsOf(relayer), "highway_relayer_transactions_total", { action: "fulfillZk", outcome: "mined" }) === 1,
      10_000,
      100,
    );
    expect(metricSum(await metricsOf(relayer), "highway_relayer_transactions_total", { outcome: "abandoned" })).to.equal(0);
  });
});
