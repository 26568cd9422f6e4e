/**
 * The relayer against a real Hardhat node on loopback, as real processes
 * (`relayer start --config FILE`), in the situations an operator meets.
 */
import { expect } from "chai";
import type { Contract } from "ethers";
import { writeFileSync } from "node:fs";
import { Highway } from "../../sdk/node.js";
import { join } from "node:path";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { TcpProxy } from "../helpers/proxy.js";
import { requestBurst } from "../helpers/requests.js";
import { advanceTime, stakeRelayer, waitFor, UNIT, type LocalHighway } from "../../scripts/lib/localnet.js";
import { deploymentStartBlock } from "../../sdk/deployment.js";
import { queryFilterPaged } from "../../sdk/logs.js";
import { allInStatus, eventCounts, metricSum, metricsOf, randomRequest, relayerTestbed, Status, statuses, storedJobs } from "./helpers.js";

const HONEST = 5;
const SECOND = 6;

describe("relayer (real processes against a Hardhat node)", function () {
  this.timeout(300_000);
  const { startHighway, start, requester, signer, waitAllFinal } = relayerTestbed();
  let highway: LocalHighway;

  beforeEach(async () => {
    highway = await startHighway();
    for (const account of [HONEST, SECOND]) await stakeRelayer(highway, await signer(account));
  });

  async function expectAnsweredExactlyOnce(ids: bigint[]): Promise<void> {
    expect(await statuses(highway, ids)).to.deep.equal(ids.map(() => Status.Fulfilled));
    const fulfilled = await eventCounts(highway, "RequestFulfilled");
    for (const id of ids) expect(fulfilled.get(id), `request ${id} fulfilled once`).to.equal(1);
  }

  it("answers a burst of 200 mixed requests exactly once each", async () => {
    const relayer = start({ account: HONEST });
    const ids = await requestBurst(highway, await requester(), 200, (i) => randomRequest(i));
    await waitAllFinal(ids);
    await expectAnsweredExactlyOnce(ids);
    const metrics = await metricsOf(relayer);
    expect(metricSum(metrics, "highway_relayer_transactions_total", { outcome: "reverted" })).to.equal(0);
    const jobs = storedJobs(relayer);
    expect(jobs).to.have.length(200);
    expect(jobs.every((job) => job.state === "done" && job.proofsMade <= 1)).to.equal(true);
  });

  it("answers a burst in batches: claims together, optimistic answers posted and finalized together, one proof per zk batch", async () => {
    const relayer = start({ account: HONEST, config: { batching: { enabled: true, maxWaitMs: 1_000 } } });
    // The batched verifiers answer requests made after the second they were registered in (the deployment's).
    await advanceTime(highway, 1);
    const ids = await requestBurst(highway, await requester(), 36, (i) => randomRequest(i, ["zk", "zk", "optimistic"]));
    await waitAllFinal(ids);
    await expectAnsweredExactlyOnce(ids);
    // Optimistic answers went through the batch fulfiller, several to a transaction, each naming our relayer.
    const posted = await queryFilterPaged(
      highway.ethers.provider,
      highway.coordinator as unknown as Contract,
      highway.coordinator.filters.OptimisticSubmitted(),
      deploymentStartBlock(highway.deployment),
    );
    expect(posted).to.have.length(12);
    const fulfiller = (await highway.batchFulfiller.getAddress()).toLowerCase();
    const postingTxs = new Map<string, number>();
    for (const log of posted) {
      expect((log as unknown as { args: { relayer: string } }).args.relayer).to.equal(hardhatAccount(HONEST).address);
      const tx = await highway.ethers.provider.getTransaction(log.transactionHash);
      if (tx!.to!.toLowerCase() === fulfiller) postingTxs.set(log.transactionHash, (postingTxs.get(log.transactionHash) ?? 0) + 1);
    }
    expect(Math.max(...postingTxs.values())).to.be.greaterThan(1);
    expect(relayer.output()).to.contain("submitOptimisticBatch mined");
    expect(relayer.output()).to.contain("finalizeBatch mined");
    const batches = await highway.batchFulfiller.queryFilter(
      highway.batchFulfiller.filters.BatchFulfilled(),
      deploymentStartBlock(highway.deployment),
    );
    expect(batches.length).to.be.greaterThan(0);
    const answeredInBatches = batches.reduce((sum, event) => sum + Number(event.args.answered), 0);
    expect(answeredInBatches).to.be.greaterThan(ids.length / 2);
    for (const event of batches) expect(Number(event.args.count)).to.be.at.most(8);
    expect(relayer.output()).to.contain("fulfillZkBatch mined");
    expect(storedJobs(relayer).every((job) => job.state === "done")).to.equal(true);
  });

  it("survives SIGKILL in the middle of a burst: every request answered once, nothing proved twice", async () => {
    const first = start({ account: HONEST });
    const ids = await requestBurst(highway, await requester(), 200, (i) => randomRequest(i));
    await waitFor(
      "a quarter of the burst answered",
      async () => (await statuses(highway, ids)).filter((s) => s >= Status.Pending).length >= 50,
      120_000,
      100,
    );
    expect(await first.kill("SIGKILL")).to.equal("SIGKILL");
    const answeredAtKill = (await statuses(highway, ids)).filter((s) => s >= Status.Pending).length;
    expect(answeredAtKill).to.be.lessThan(200);

    const second = start({ account: HONEST, databasePath: first.databasePath });
    await waitAllFinal(ids);
    await expectAnsweredExactlyOnce(ids);
    const jobs = storedJobs(second);
    expect(jobs).to.have.length(200);
    expect(jobs.filter((job) => job.proofsMade > 1)).to.deep.equal([]);
    expect(second.output()).to.contain('"resumed":');
  });

  it("rides out an RPC outage made by a TCP proxy, without a restart", async () => {
    const proxy = await TcpProxy.start(highway.node.port);
    try {
      const relayer = start({ account: HONEST, rpcUrl: proxy.url });
      const before = await requestBurst(highway, await requester(), 6, (i) => randomRequest(i, ["zk"]));
      await waitAllFinal(before);

      await proxy.drop();
      const during = await requestBurst(highway, await requester(), 6, (i) => randomRequest(i));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(await statuses(highway, during)).to.deep.equal(during.map(() => Status.Open));
      await proxy.restore();

      await waitAllFinal(during);
      await expectAnsweredExactlyOnce([...before, ...during]);
      expect(relayer.process.exitCode).to.equal(null);
      expect(relayer.output()).to.contain("tick failed; backing off");
      expect(metricSum(await metricsOf(relayer), "highway_relayer_rpc_errors_total")).to.be.greaterThan(0);
    } finally {
      await proxy.drop();
    }
  });

  it("re-derives its state after a reorg (snapshot and revert) around claims and answers", async () => {
    const relayerConfig = { account: HONEST };
    // Requests made while no relayer runs, then a snapshot: the reorg will undo their claims and answers.
    const early = await requestBurst(highway, await requester(), 6, (i) => randomRequest(i));
    const snapshot = await highway.ethers.provider.send("evm_snapshot", []);
    const relayer = start(relayerConfig);
    await waitAllFinal(early);
    const undone = await requestBurst(highway, await requester(), 4, (i) => randomRequest(i, ["zk"]));
    await waitAllFinal(undone);

    expect(await highway.ethers.provider.send("evm_revert", [snapshot])).to.equal(true);
    expect(await statuses(highway, early)).to.deep.equal(early.map(() => Status.Open));
    const after = await requestBurst(highway, await requester(), 4, (i) => randomRequest(i));

    await waitAllFinal([...early, ...after]);
    await expectAnsweredExactlyOnce([...early, ...after]);
    expect(relayer.output()).to.contain("chain reorganized");
    const jobs = storedJobs(relayer);
    expect(jobs.every((job) => job.state === "done")).to.equal(true);
  });

  it("competes with a second relayer: each request paid once, the loser backs off without a revert storm", async () => {
    const a = start({ account: HONEST });
    const b = start({ account: SECOND });
    const ids = await requestBurst(highway, await requester(), 60, (i) => randomRequest(i));
    await waitAllFinal(ids);
    await expectAnsweredExactlyOnce(ids);
    const claims = await eventCounts(highway, "RequestClaimed");
    for (const id of ids) expect(claims.get(id), `request ${id} claimed once`).to.equal(1);
    let reverted = 0;
    for (const relayer of [a, b])
      reverted += metricSum(await metricsOf(relayer), "highway_relayer_transactions_total", { outcome: "reverted" });
    expect(reverted).to.be.at.most(6); // only claims that raced within one block
  });

  it("catches a cheating relayer: the watchtower challenges, proves fraud and is paid from the cheater's bond", async () => {
    const honest = start({
      account: HONEST,
      config: {
        models: [
          { circuit: "price-signal", modes: ["zk"] },
          { circuit: "credit-risk", modes: ["zk"] },
        ],
      },
    });
    const cheater = start({
      account: SECOND,
      cheat: true,
      config: { watchtower: { enabled: false }, models: [{ circuit: "price-signal", modes: ["optimistic"] }] },
    });
    const honestAddress = hardhatAccount(HONEST).address;
    const cheaterAddress = hardhatAccount(SECOND).address;
    const balanceBefore = await highway.coordinator.balanceOf(honestAddress);

    const ids = await requestBurst(highway, await requester(), 3, () => ({ ...randomRequest(0), mode: "optimistic" }));
    await waitFor("fraud proven on every request", async () => (await eventCounts(highway, "FraudProven")).size === 3, 120_000);
    await waitAllFinal(ids);
    expect(await allInStatus(highway, ids, [Status.Fulfilled])).to.equal(true);

    const record = await highway.staking.relayerOf(cheaterAddress);
    expect(record.jobsSlashed).to.equal(3n);
    expect(await highway.coordinator.balanceOf(honestAddress)).to.be.greaterThan(balanceBefore);
    expect(honest.output()).to.contain("watchtower: wrong optimistic answer");
    expect(cheater.process.exitCode).to.equal(null);
    // The cheater's own metrics tell its operator (relayer/monitoring/alerts.yml): each answer challenged, each dispute lost.
    await waitFor("the cheater's dispute metrics", async () => {
      const metrics = await metricsOf(cheater);
      const disputes = (outcome: string) => metricSum(metrics, "highway_relayer_disputes_total", { outcome });
      return disputes("opened") === 3 && disputes("lost") === 3 && disputes("defended") === 0;
    });
  });

  it("reopens a request whose claimant never answers, once its delivery window has passed, and serves it", async () => {
    const relayer = start({ account: HONEST });
    const silent = await signer(SECOND);
    // The silent relayer claims first: requests made while the honest one is not yet watching.
    await relayer.kill("SIGTERM");
    const [id] = await requestBurst(highway, await requester(), 1, (i) => randomRequest(i, ["zk"]));
    const sdk = await Highway.connect({ runner: silent, deployment: highway.deploymentPath });
    await (await (highway.coordinator.connect(silent) as unknown as Contract).claim(id, await sdk.terms(id))).wait();
    expect((await statuses(highway, [id]))[0]).to.equal(Status.Claimed);

    const honest = start({ account: HONEST, databasePath: relayer.databasePath });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await statuses(highway, [id]))[0]).to.equal(Status.Claimed); // within the window nobody moves
    await advanceTime(highway, 61);
    await waitAllFinal([id], 60_000);
    const reopened = await eventCounts(highway, "RequestReopened");
    expect(reopened.get(id)).to.equal(1);
    // The late claimant loses part of its bond to the requester (counted as a slash).
    expect((await highway.staking.relayerOf(hardhatAccount(SECOND).address)).jobsSlashed).to.equal(1n);
    expect(honest.output()).to.contain("the holder's window passed: reopen");
    const [, state] = await highway.coordinator.getRequest(id);
    expect(state.relayer).to.equal(hardhatAccount(HONEST).address);
  });

  it("claims a request it set aside as too cheap once its requester raises the maximum fee, calling with the raised terms", async () => {
    const relayer = start({
      account: HONEST,
      config: { models: [{ circuit: "price-signal", modes: ["zk"], computeCost: (2n * UNIT).toString() }] },
    });
    await waitFor("the relayer up", () => relayer.httpPort() !== undefined, 120_000, 100);
    const [id] = await requestBurst(highway, await requester(), 1, () => ({
      ...randomRequest(0, ["zk"]),
      startComputeFee: 1n * UNIT,
      maxComputeFee: 1n * UNIT,
    }));
    await waitFor(
      "the request set aside as too cheap",
      () => storedJobs(relayer).some((job) => job.requestId === id && job.state === "waiting"),
      120_000,
      100,
    );

    const sdk = await Highway.connect({ runner: await requester(), deployment: highway.deploymentPath });
    await sdk.raiseMaxComputeFee(id, 3n * UNIT);
    await waitAllFinal([id], 60_000);
    await expectAnsweredExactlyOnce([id]);
    expect(metricSum(await metricsOf(relayer), "highway_relayer_transactions_total", { outcome: "not-sent" })).to.equal(0);
  });

  it("replaces a transaction the chain does not mine with one at a bumped fee", async () => {
    const relayer = start({ account: HONEST, config: { submitter: { bumpAfterMs: 1_000, bumpPercent: 25, maxSends: 10 } } });
    await waitFor("the relayer up", () => relayer.httpPort() !== undefined, 120_000, 100);
    // The node stops mining; one block mines the request, and then the relayer's claim waits in the mempool.
    await highway.ethers.provider.send("evm_setAutomine", [false]);
    await highway.ethers.provider.send("evm_setIntervalMining", [0]);
    let id: bigint;
    try {
      const requested = requestBurst(highway, await requester(), 1, (i) => randomRequest(i, ["zk"]));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await highway.ethers.provider.send("evm_mine", []);
      [id] = await requested;
      await waitFor("a bumped re-send", () => relayer.output().includes("replacing it at its nonce with higher fees"), 30_000, 100);
    } finally {
      await highway.ethers.provider.send("evm_setAutomine", [true]);
      await highway.ethers.provider.send("evm_setIntervalMining", [1_000]);
    }
    await waitAllFinal([id!], 60_000);
    await expectAnsweredExactlyOnce([id!]);
    const claim = (await eventCounts(highway, "RequestClaimed")).get(id!);
    expect(claim).to.equal(1);
  });

  it("runs over WebSocket with a key from an encrypted keystore, two confirmations behind, and stops gracefully on SIGTERM", async () => {
    const password = "correct horse battery staple";
    const keystore = join(highway.dir, "relayer-keystore.json");
    writeFileSync(keystore, await hardhatAccount(HONEST).encrypt(password));
    const relayer = start({
      account: HONEST,
      omitKey: true,
      rpcUrl: highway.node.url.replace("http://", "ws://"),
      env: { HIGHWAY_KEYSTORE_PASSWORD: password },
      // Two confirmations: the node mines at least one block a second, so requests still get served.
      config: { key: { keystore, passwordEnv: "HIGHWAY_KEYSTORE_PASSWORD" }, confirmations: 2 },
    });
    const ids = await requestBurst(highway, await requester(), 4, (i) => randomRequest(i, ["zk"]));
    await waitAllFinal(ids, 60_000);
    await expectAnsweredExactlyOnce(ids);
    const health = await (await fetch(`http://127.0.0.1:${relayer.httpPort()}/healthz`)).json();
    expect(health.ok).to.equal(true);
    expect(health.jobs).to.deep.equal({ done: 4 });

    expect(await relayer.kill("SIGTERM")).to.equal(0);
    expect(relayer.output()).to.contain('"msg":"stopped"');
    expect(relayer.output()).not.to.contain(password);
    expect(relayer.output()).not.to.contain(hardhatAccount(HONEST).privateKey.slice(2));
  });

  describe("refuses to start, with a clear message and a non-zero exit", () => {
    it("on a config with a bad field", async () => {
      const relayer = start({ account: HONEST, config: { confirmations: -1 } });
      expect(await relayer.exited).to.equal(2);
      expect(relayer.output()).to.contain('field "confirmations"');
    });

    it("on an unreachable RPC", async () => {
      const relayer = start({ account: HONEST, rpcUrl: "http://127.0.0.1:9" });
      expect(await relayer.exited).to.equal(2);
      expect(relayer.output()).to.contain('field "rpcUrl": cannot use http://127.0.0.1:9');
    });

    it("on a keystore it cannot decrypt", async () => {
      const keystore = join(highway.dir, "wrong-keystore.json");
      writeFileSync(keystore, await hardhatAccount(HONEST).encrypt("the right password"));
      const relayer = start({
        account: HONEST,
        omitKey: true,
        env: { PASSWORD: "a wrong one" },
        config: { key: { keystore, passwordEnv: "PASSWORD" } },
      });
      expect(await relayer.exited).to.equal(2);
      expect(relayer.output()).to.contain(`field "key.keystore": cannot decrypt ${keystore}`);
    });

    it("on a missing key", async () => {
      const relayer = start({ account: HONEST, omitKey: true });
      expect(await relayer.exited).to.equal(2);
      expect(relayer.output()).to.contain("HIGHWAY_RELAYER_KEY is not set");
      expect(relayer.output()).not.to.match(/0x[0-9a-f]{64}/i);
    });
  });
});
