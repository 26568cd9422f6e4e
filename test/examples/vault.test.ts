/**
 * The consumer kit end to end: a SignalVault and its pool on a real Hardhat node, the
 * signal bot as keeper, and a real relayer process answering `price-signal` with EZKL
 * proofs (zk) or optimistic results. Staleness is covered by the Solidity tests
 * (contracts/test/examples/SignalVault.t.sol): a request past its deadline cannot be
 * answered here, the coordinator refuses it.
 */
import { expect } from "chai";
import type { Signer } from "ethers";
import { hardhatAccount } from "../helpers/node.js";
import { advanceTime, stakeRelayer, startHighway, startRelayerProcess, UNIT, waitFor, type LocalHighway, type RelayerProcess } from "../helpers/highway.js";
import { ConstantProductPool__factory, DemoToken__factory, SignalVault__factory, type ConstantProductPool, type DemoToken, type SignalVault } from "../../types/contracts/index.js";
import { encodeInput } from "../../sdk/encoding.js";
import { SignalBot, type Decision, type ProofModeName } from "../../examples/bot/signal-bot.js";

const RELAYER = 5;
const THRESHOLD = 838_861n; // 0.05 at the model's output scale (2^24)
const REBALANCE_BPS = 2_000n;
const Status = { Pending: 3n, Fulfilled: 5n };

/** Trades that move the pool between observations: stable in when positive, volatile in when negative. */
const MOVES = [250_000n, -60n, 400_000n, -150n, 90_000n, 180_000n, -40n, 120_000n].map((units) => units * UNIT);

interface Kit {
  stable: DemoToken;
  volatile: DemoToken;
  pool: ConstantProductPool;
  vault: SignalVault;
  trader: Signer;
}

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

  /** Deploys the pool (2000 stable per volatile) and the vault, funds both, makes signer 1 the keeper. */
  async function deployKit(): Promise<Kit> {
    const [deployer, keeper, trader] = await highway.ethers.getSigners();
    const stable = await new DemoToken__factory(deployer).deploy("Demo USD", "dUSD", deployer.address);
    const volatile = await new DemoToken__factory(deployer).deploy("Demo Volatile", "dVOL", deployer.address);
    const pool = await new ConstantProductPool__factory(deployer).deploy(volatile, stable, 30, deployer.address);
    for (const [token, amount] of [[volatile, 10_000n * UNIT], [stable, 20_000_000n * UNIT]] as const) {
      await (await token.mint(deployer.address, amount)).wait();
      await (await token.approve(pool, amount)).wait();
      await (await token.mint(trader.address, 10n ** 30n)).wait();
      await (await token.connect(trader).approve(pool, 10n ** 30n)).wait();
    }
    await (await pool.addLiquidity(10_000n * UNIT, 20_000_000n * UNIT)).wait();

    const config = {
      signalThreshold: THRESHOLD,
      rebalanceBps: REBALANCE_BPS,
      maxSlippageBps: 200,
      minObservationInterval: 1,
      requestTtl: 600,
      callbackGasLimit: 500_000,
      startComputeFee: 1n * UNIT,
      maxComputeFee: 3n * UNIT,
    };
    const modelId = highway.deployment.models["price-signal"].modelId;
    const vault = await new SignalVault__factory(deployer).deploy(highway.deployment.coordinator, modelId, highway.deployment.token, pool, true, config, deployer.address);
    await (await vault.grantRole(await vault.KEEPER_ROLE(), keeper.address)).wait();
    await (await volatile.mint(vault, 100n * UNIT)).wait();
    await (await stable.mint(vault, 200_000n * UNIT)).wait();
    await (await highway.token.mint(await vault.getAddress(), 100n * UNIT)).wait();
    return { stable, volatile, pool, vault: vault.connect(keeper), trader };
  }

  /** Nine observations made by the bot, with the trader moving the price in between; the ninth step requests. */
  async function historyAndRequest(kit: Kit, bot: SignalBot): Promise<bigint> {
    for (let i = 0; i <= MOVES.length; i++) {
      if (i > 0) {
        const move = MOVES[i - 1];
        const swap = move > 0n ? kit.pool.connect(kit.trader).swapExactIn(kit.stable, move, 0, kit.trader) : kit.pool.connect(kit.trader).swapExactIn(kit.volatile, -move, 0, kit.trader);
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

  /** The coordinator's final answer for `requestId`: its output and whether it was proven. */
  async function fulfilled(requestId: bigint): Promise<{ signal: bigint; proven: boolean; input: string }> {
    const coordinator = highway.coordinator;
    const [done] = await coordinator.queryFilter(coordinator.filters.RequestFulfilled(requestId), 0, "latest");
    const [created] = await coordinator.queryFilter(coordinator.filters.RequestCreated(requestId), 0, "latest");
    const args = (done as unknown as { args: { output: bigint[]; proven: boolean } }).args;
    return { signal: args.output[0], proven: args.proven, input: (created as unknown as { args: { input: string } }).args.input };
  }

  /** Runs the bot until the vault decided on `requestId`, moving time past challenge windows. */
  async function decisionOn(bot: SignalBot, requestId: bigint): Promise<Decision> {
    await waitFor(`the vault's decision on request ${requestId}`, async () => {
      if (relayer?.process.exitCode !== null) throw new Error(`the relayer exited:\n${relayer?.output()}`);
      await bot.readDecisions();
      if (bot.decisions.some((decision) => decision.requestId === requestId)) return true;
      const [, state] = await highway.coordinator.getRequest(requestId);
      if (state.status === Status.Pending) await advanceTime(highway, 61); // the optimistic challenge window
      return false;
    }, 240_000, 500);
    return bot.decisions.find((decision) => decision.requestId === requestId)!;
  }

  /** The vault's rule, applied to the answer the coordinator delivered, and the balances it moved. */
  async function expectDecisionFollowsTheRule(kit: Kit, decision: Decision, signal: bigint, before: { stable: bigint; volatile: bigint }): Promise<void> {
    const vault = await kit.vault.getAddress();
    const after = { stable: await kit.stable.balanceOf(vault), volatile: await kit.volatile.balanceOf(vault) };
    if (signal > THRESHOLD || signal < -THRESHOLD) {
      const tokenIn = signal > 0n ? kit.stable : kit.volatile;
      expect(decision.kind).to.equal("rebalanced");
      if (decision.kind !== "rebalanced") return;
      expect(decision.signal).to.equal(signal);
      expect(decision.tokenIn).to.equal(await tokenIn.getAddress());
      const [sold, bought] = signal > 0n ? ["stable", "volatile"] as const : ["volatile", "stable"] as const;
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
      const kit = await deployKit();
      const lines: string[] = [];
      const bot = await SignalBot.create({ vault: kit.vault, intervalSeconds: 3_600, mode, log: (message) => lines.push(message) });
      // Only a rebalance moves the vault's balances (the trader trades with the pool, not the vault).
      const vaultAddress = await kit.vault.getAddress();
      const before = { stable: await kit.stable.balanceOf(vaultAddress), volatile: await kit.volatile.balanceOf(vaultAddress) };
      const requestId = await historyAndRequest(kit, bot);

      const decision = await decisionOn(bot, requestId);
      const answer = await fulfilled(requestId);
      expect(answer.proven).to.equal(mode === "zk");
      expect(answer.input).to.equal(encodeInput(bot.requests[0].inputs)); // the model saw the vault's own returns
      await expectDecisionFollowsTheRule(kit, decision, answer.signal, before);
      expect(lines).to.include(`decision: ${decision.kind}`);
      const [, state] = await highway.coordinator.getRequest(requestId);
      expect(state.status).to.equal(Status.Fulfilled);
      expect((await kit.vault.requests(requestId)).open).to.equal(false);
    });
  }
});
