/**
 * The consumer kit end to end: a SignalVault and its pool on a real Hardhat node, the
 * signal bot as keeper, and a real relayer process answering `price-signal` with EZKL
 * proofs (zk) or optimistic results. Staleness is covered by the Solidity tests
 * (contracts/test/examples/SignalVault.t.sol): a request past its deadline cannot be
 * answered here, the coordinator refuses it.
 */
import { expect } from "chai";
import { RequestStatusCode as Status } from "../../sdk/protocol.js";
import type { Signer } from "ethers";
import { hardhatAccount } from "../../scripts/lib/node.js";
import {
  advanceTime,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  UNIT,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";
import { deployKit, KIT_CONFIG, type Kit as DeployedKit } from "../../examples/scripts/deploy-kit.js";
import { decodeTensor, encodeTensor } from "../../sdk/encoding.js";
import { deploymentStartBlock } from "../../sdk/deployment.js";
import { queryFilterPaged } from "../../sdk/logs.js";
import type { TypedContractEvent, TypedDeferredTopicFilter } from "../../types/common.js";
import { runSignalBot, SignalBot, type Decision, type ProofModeName } from "../../examples/bot/signal-bot.js";
import { DemoToken__factory } from "../../types/index.js";

const RELAYER = 5;
const THRESHOLD = KIT_CONFIG.signalThreshold;
const REBALANCE_BPS = BigInt(KIT_CONFIG.rebalanceBps);

/** Trades that move the pool between observations: stable in when positive, volatile in when negative. */
const MOVES = [250_000n, -60n, 400_000n, -150n, 90_000n, 180_000n, -40n, 120_000n].map((units) => units * UNIT);

type Kit = DeployedKit & { trader: Signer };

describe("examples: SignalVault against a live relayer", function () {
  this.timeout(300_000);
  let highway: LocalHighway;
  let relayer: RelayerProcess | undefined;

  beforeEach(async () => {
    highway = await startHighway();
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    relayer = startRelayerProcess(highway, { account: RELAYER });
  });

  afterEach(async function () {
    await relayer?.kill("SIGKILL");
    if (this.currentTest?.state === "failed") console.log(relayer?.output().split("\n").slice(-40).join("\n"));
    await highway?.stop();
  });

  /** The kit on the node: signer 1 is the keeper, signer 2 the trader who moves the price. */
  async function deployTestKit(): Promise<Kit> {
    const [deployer, keeper, trader] = await highway.ethers.getSigners();
    const { deployment } = highway;
    const kit = await deployKit({
      deployer,
      keeper,
      trader,
      highway: { coordinator: deployment.coordinator, token: deployment.token, modelId: deployment.models["price-signal"].modelId },
    });
    return { ...kit, trader };
  }

  /** Nine observations made by the bot, with the trader moving the price in between; the ninth step requests. */
  async function historyAndRequest(kit: Kit, bot: SignalBot): Promise<bigint> {
    for (let i = 0; i <= MOVES.length; i++) {
      if (i > 0) {
        const move = MOVES[i - 1];
        const swap =
          move > 0n
            ? kit.pool.connect(kit.trader).swapExactIn(kit.stable, move, 0, kit.trader)
            : kit.pool.connect(kit.trader).swapExactIn(kit.volatile, -move, 0, kit.trader);
        await (await swap).wait();
      }
      await advanceTime(highway, 2); // past the vault's minimum observation interval
      expect(await bot.observe()).to.equal(true);
      if (i < MOVES.length) expect(await bot.maybeRequest()).to.equal(undefined); // history not full yet
    }
    const sent = await bot.maybeRequest();
    expect(sent, "the bot requests once the history is full").to.not.equal(undefined);
    expect(await kit.vault.currentInputs()).to.deep.equal(sent!.inputs);
    return sent!.requestId;
  }

  /** The coordinator's final answer for `requestId`: its output and whether it was proven (a cache answer always is). */
  async function fulfilled(requestId: bigint): Promise<{ signal: bigint; proven: boolean; input?: string }> {
    const coordinator = highway.coordinator;
    const events = <E extends TypedContractEvent>(filter: TypedDeferredTopicFilter<E>) =>
      queryFilterPaged(highway.ethers.provider, coordinator, filter, deploymentStartBlock(highway.deployment));
    const [done] = await events(coordinator.filters.RequestFulfilled(requestId));
    if (done) {
      const [created] = await events(coordinator.filters.RequestCreated(requestId));
      return { signal: decodeTensor(done.args.output)[0], proven: done.args.proven, input: created.args.input };
    }
    const [cached] = await events(coordinator.filters.CachedRequestFulfilled(requestId));
    return { signal: decodeTensor(cached.args.output)[0], proven: true };
  }

  /** Runs the bot until the vault decided on `requestId`, moving time past challenge windows. */
  async function decisionOn(bot: SignalBot, requestId: bigint): Promise<Decision> {
    await waitFor(
      `the vault's decision on request ${requestId}`,
      async () => {
        if (relayer?.process.exitCode !== null) throw new Error(`the relayer exited:\n${relayer?.output()}`);
        await bot.readDecisions();
        if (bot.decisions.some((decision) => decision.requestId === requestId)) return true;
        const [, state] = await highway.coordinator.getRequest(requestId);
        if (Number(state.status) === Status.Pending) await advanceTime(highway, 61); // the optimistic challenge window
        return false;
      },
      240_000,
      500,
    );
    return bot.decisions.find((decision) => decision.requestId === requestId)!;
  }

  /** The vault's rule, applied to the answer the coordinator delivered, and the balances it moved. */
  async function expectDecisionFollowsTheRule(
    kit: Kit,
    decision: Decision,
    signal: bigint,
    before: { stable: bigint; volatile: bigint },
  ): Promise<void> {
    const vault = await kit.vault.getAddress();
    const after = { stable: await kit.stable.balanceOf(vault), volatile: await kit.volatile.balanceOf(vault) };
    if (signal > THRESHOLD || signal < -THRESHOLD) {
      const tokenIn = signal > 0n ? kit.stable : kit.volatile;
      expect(decision.kind).to.equal("rebalanced");
      if (decision.kind !== "rebalanced") return;
      expect(decision.signal).to.equal(signal);
      expect(decision.tokenIn).to.equal(await tokenIn.getAddress());
      const [sold, bought] = signal > 0n ? (["stable", "volatile"] as const) : (["volatile", "stable"] as const);
      expect(decision.amountIn).to.equal((before[sold] * REBALANCE_BPS) / 10_000n);
      expect(after[sold]).to.equal(before[sold] - decision.amountIn);
      expect(after[bought]).to.equal(before[bought] + decision.amountOut);
    } else {
      expect(decision).to.deep.include({ kind: "held", signal });
      expect(after).to.deep.equal(before);
    }
  }

  for (const mode of ["zk", "optimistic"] as ProofModeName[]) {
    it(`acts on an answer in ${mode} mode: the bot requests, the relayer answers, the vault decides by the threshold`, async () => {
      const kit = await deployTestKit();
      const lines: string[] = [];
      const bot = await SignalBot.create({ vault: kit.vault, intervalSeconds: 3_600, mode, log: (message) => lines.push(message) });
      // Only a rebalance moves the vault's balances (the trader trades with the pool, not the vault).
      const vaultAddress = await kit.vault.getAddress();
      const before = { stable: await kit.stable.balanceOf(vaultAddress), volatile: await kit.volatile.balanceOf(vaultAddress) };
      const requestId = await historyAndRequest(kit, bot);

      const decision = await decisionOn(bot, requestId);
      const answer = await fulfilled(requestId);
      expect(answer.proven).to.equal(mode === "zk");
      expect(answer.input).to.equal(encodeTensor(bot.requests[0].inputs)); // the model saw the vault's own returns
      await expectDecisionFollowsTheRule(kit, decision, answer.signal, before);
      expect(lines).to.include(`decision: ${decision.kind}`);
      const [, state] = await highway.coordinator.getRequest(requestId);
      expect(Number(state.status)).to.equal(Status.Fulfilled);
      expect((await kit.vault.requests(requestId)).open).to.equal(false);
      expect(await kit.vault.isPendingRequest(requestId)).to.equal(false);
      await expectUnspentFeeReclaimed(kit, requestId);
    });
  }

  /** The unspent part of the compute fee is credited to the vault in the coordinator; anyone brings it home. */
  async function expectUnspentFeeReclaimed(kit: Kit, requestId: bigint): Promise<void> {
    const coordinator = highway.coordinator;
    const events = <E extends TypedContractEvent>(filter: TypedDeferredTopicFilter<E>) =>
      queryFilterPaged(highway.ethers.provider, coordinator, filter, deploymentStartBlock(highway.deployment));
    const [created] = await events(coordinator.filters.RequestCreated(requestId));
    const [done] = await events(coordinator.filters.RequestFulfilled(requestId));
    const { modelFee, maxComputeFee, protocolFeeBps } = created.args.terms;
    const escrow = modelFee + maxComputeFee + ((modelFee + maxComputeFee) * protocolFeeBps) / 10_000n;
    const paid = modelFee + done.args.computeFee + ((modelFee + done.args.computeFee) * protocolFeeBps) / 10_000n;
    const vault = await kit.vault.getAddress();
    expect(await coordinator.balanceOf(vault)).to.equal(escrow - paid);
    const token = DemoToken__factory.connect(highway.deployment.token, kit.trader);
    const before = await token.balanceOf(vault);
    await (await kit.vault.connect(kit.trader).reclaimRefunds()).wait(); // anyone may
    expect(await token.balanceOf(vault)).to.equal(before + escrow - paid);
    expect(await coordinator.balanceOf(vault)).to.equal(0n);
  }

  it("acts on a repeated input from the verified-result cache, inside requestSignal", async () => {
    const kit = await deployTestKit();
    const bot = await SignalBot.create({ vault: kit.vault, intervalSeconds: 0, mode: "zk", log: () => {} });
    const first = await historyAndRequest(kit, bot);
    await decisionOn(bot, first);
    const { signal } = await fulfilled(first);

    // No new observation: the same input again, already proven, is answered in the request's own transaction.
    const again = await bot.maybeRequest();
    expect(again!.inputs).to.deep.equal(bot.requests[0].inputs);
    const decision = bot.decisions.find((d) => d.requestId === again!.requestId);
    expect(decision, "decided inside the request transaction").to.not.equal(undefined);
    expect(decision!.blockNumber).to.equal(again!.blockNumber);
    expect((await fulfilled(again!.requestId)).signal).to.equal(signal);
    expect(decision!.kind).to.equal(signal > THRESHOLD || signal < -THRESHOLD ? "rebalanced" : "held");
    expect((await kit.vault.requests(again!.requestId)).open).to.equal(false);
    expect(await kit.vault.isPendingRequest(again!.requestId)).to.equal(false);
    // The request first withdrew what the coordinator owed the vault for the first one; a cache answer owes nothing.
    expect(await highway.coordinator.balanceOf(await kit.vault.getAddress())).to.equal(0n);
  });

  it("runs as a loop: observes while the price moves, requests, and reports the decision", async () => {
    const kit = await deployTestKit();
    const stop = new AbortController();
    const decisions: Decision[] = [];
    const loop = runSignalBot({
      vault: kit.vault,
      intervalSeconds: 3_600,
      mode: "optimistic",
      pollSeconds: 0.2,
      log: () => {},
      signal: stop.signal,
      onDecision: (d) => decisions.push(d),
    });
    try {
      let move = 0;
      await waitFor(
        "a decision reported by the loop",
        async () => {
          if (relayer?.process.exitCode !== null) throw new Error(`the relayer exited:\n${relayer?.output()}`);
          if (decisions.length > 0) return true;
          // Keep the price moving until the vault has its nine observations, then let windows pass.
          const swap = MOVES[move++ % MOVES.length];
          await (
            await (swap > 0n
              ? kit.pool.connect(kit.trader).swapExactIn(kit.stable, swap, 0, kit.trader)
              : kit.pool.connect(kit.trader).swapExactIn(kit.volatile, -swap, 0, kit.trader))
          ).wait();
          await advanceTime(highway, move > 12 ? 61 : 2);
          return false;
        },
        240_000,
        300,
      );
    } finally {
      stop.abort();
    }
    const bot = await loop;
    expect(bot.requests).to.have.length(1);
    expect(decisions[0].requestId).to.equal(bot.requests[0].requestId);
    expect((await fulfilled(decisions[0].requestId)).proven).to.equal(false);
    expect(["rebalanced", "held", "rebalance-failed"]).to.include(decisions[0].kind);
  });
});
