/**
 * The demo's scenario: a whole Highway network on one machine. A Hardhat node
 * process, the protocol deployed on it, three models (one a fine-tune of another),
 * two relayer processes (one honest, one that posts wrong optimistic results), and
 * a run of requests that shows every path: zk and optimistic answers, a referrer's
 * share, the parent model's share, a fraud proof and a slash, a cache hit answered in
 * the request's own transaction, and an expired request refunded.
 *
 * `runDemo` returns a summary that scripts/demo.ts prints and test/demo.test.ts checks;
 * it throws if any step does not behave as described.
 */
import type { Contract } from "ethers";
import { Highway, type InferenceResult, type FeeSplit } from "../../sdk/index.js";
import { hardhatAccount } from "../lib/node.js";
import { advanceTime, fundRequester, stakeRelayer, startHighway, startRelayerProcess, waitFor, UNIT, type LocalHighway, type RelayerProcess } from "../lib/localnet.js";

const ACCOUNTS = { modelOwner: 0, requester: 1, fineTuner: 2, referrer: 3, honest: 5, cheater: 6 } as const;

export interface DemoRequest {
  label: string;
  model: string;
  mode: "zk" | "optimistic";
  status: InferenceResult["status"];
  cached: boolean;
  latencyMs: number;
  requestGas: bigint;
  answerGas: bigint;
  escrow: bigint;
  fees: FeeSplit;
  output?: number[];
}

export interface DemoSummary {
  requests: DemoRequest[];
  /** Token units credited per role by the requests' fee splits. */
  earnings: Record<string, bigint>;
  escrowed: bigint;
  slashes: { relayer: string; amount: bigint }[];
  fraudProofs: number;
  /** Dispute bonds moved: the winner's and the protocol's shares of slashed or forfeited bonds. */
  disputeWinnings: { honestRelayer: bigint; protocol: bigint };
  addresses: Record<string, string>;
}

export async function runDemo(log: (line: string) => void = console.log): Promise<DemoSummary> {
  const processes: RelayerProcess[] = [];
  log("starting a Hardhat node and deploying Highway ...");
  const highway = await startHighway();
  try {
    const signer = (index: number) => highway.ethers.getSigner(hardhatAccount(index).address);
    const requester = await signer(ACCOUNTS.requester);
    const referrer = hardhatAccount(ACCOUNTS.referrer).address;
    const sdk = await Highway.connect({ runner: requester, deployment: highway.deploymentPath });

    // ---------------------------------------------------------------- models
    const owner = await Highway.connect({ runner: await signer(ACCOUNTS.modelOwner), deployment: highway.deploymentPath });
    const baseId = owner.modelId("price-signal");
    await (await (owner.registry.setReferralShareBps(baseId, 1_000))).wait();
    const fineTuner = await Highway.connect({ runner: await signer(ACCOUNTS.fineTuner), deployment: highway.deploymentPath });
    const fineTune = await fineTuner.registerModel("price-signal", {
      fee: 3n * UNIT,
      parentModelId: baseId,
      parentShareBps: 2_000,
      referralShareBps: 1_000,
      artifactURI: "circuits/price-signal (listed as a fine-tune of price-signal)",
    });
    log(`models: price-signal (base), credit-risk, and a fine-tune of price-signal ${short(fineTune.modelId)} paying its parent 20%`);

    // ---------------------------------------------------------------- relayers
    await fundRequester(highway, requester);
    for (const account of [ACCOUNTS.honest, ACCOUNTS.cheater]) await stakeRelayer(highway, await signer(account));
    const models = (modes: string[], extra: Record<string, unknown> = {}) => [
      { circuit: "price-signal", modes, ...extra },
      { circuit: "price-signal", modelId: fineTune.modelId, modes, ...extra },
      { circuit: "credit-risk", modes, computeCost: (1n * UNIT).toString() },
    ];
    processes.push(startRelayerProcess(highway, { account: ACCOUNTS.honest, config: { models: models(["zk"]) } }));
    processes.push(startRelayerProcess(highway, { account: ACCOUNTS.cheater, cheat: true, config: { watchtower: { enabled: false }, models: models(["optimistic"]) } }));
    await waitFor("both relayers up", async () => processes.every((p) => p.httpPort() !== undefined), 120_000, 100);
    log(`relayers: honest ${short(hardhatAccount(ACCOUNTS.honest).address)} (zk, watchtower) and cheating ${short(hardhatAccount(ACCOUNTS.cheater).address)} (optimistic, posts wrong outputs)`);

    const consumer = (await highway.ethers.deployContract("EchoConsumer", [await highway.coordinator.getAddress()])) as unknown as Contract;
    await consumer.waitForDeployment();
    const consumerAddress = await consumer.getAddress();

    // ---------------------------------------------------------------- requests
    const requests: DemoRequest[] = [];
    const returns = [-0.4, 0.1, 0.3, 0.2, 0.6, 0.9, 1.1, 1.4];
    const run = async (label: string, model: string, mode: "zk" | "optimistic", input: number[], extra: { referrer?: string; maxComputeFee?: bigint; deadline?: number } = {}, finish?: (requestId: bigint) => Promise<void>) => {
      const started = Date.now();
      const maxComputeFee = extra.maxComputeFee ?? 2n * UNIT;
      const handle = await sdk.requestInference({ model, input, proofMode: mode, consumer: consumerAddress, maxComputeFee, ...extra });
      log(`  ${label}: request sent${handle.cached ? " — answered from the verified-result cache in the same transaction" : ""}`);
      await finish?.(handle.requestId);
      const result = await handle.wait({ timeoutMs: 120_000, pollIntervalMs: 200 });
      const requestGas = (await highway.ethers.provider.getTransactionReceipt(handle.transactionHash))!.gasUsed;
      const answerTx = result.transactions.fulfilled ?? result.transactions.proveFraud;
      const answerGas = answerTx && !handle.cached ? (await highway.ethers.provider.getTransactionReceipt(answerTx))!.gasUsed : 0n;
      const escrow = handle.cached ? result.fees.modelOwner + result.fees.parent + result.fees.referrer + result.fees.protocol : (await sdk.quote({ model, maxComputeFee })).total;
      const entry: DemoRequest = { label, model, mode, status: result.status, cached: handle.cached, latencyMs: Date.now() - started, requestGas, answerGas, escrow, fees: result.fees, output: result.output?.values };
      requests.push(entry);
      log(`  ${label}: ${result.status}${result.output ? `, output ${result.output.values.map((v) => v.toFixed(4)).join(", ")}` : ""}`);
      return entry;
    };

    log("requests:");
    await run("zk signal", "price-signal", "zk", returns);
    await run("zk signal via a referrer, from the fine-tune", fineTune.modelId, "zk", returns.map((r) => -r), { referrer });
    await run("optimistic signal (the cheater answers)", "price-signal", "optimistic", returns.map((r) => r / 2), {}, async () => {
      await waitFor("the fraud proof", async () => (await highway.coordinator.queryFilter(highway.coordinator.filters.FraudProven(), 0, "latest")).length > 0, 120_000, 200);
      log("  the honest watchtower challenged the wrong answer and proved the fraud");
    });
    await run("the first signal again", "price-signal", "zk", returns);
    const latest = await highway.ethers.provider.getBlock("latest");
    const soon = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + 90;
    await run("credit score nobody will serve at this price", "credit-risk", "zk", Array.from({ length: 16 }, (_, i) => (i % 5) / 4 - 0.5), { maxComputeFee: UNIT / 10n, deadline: soon }, async (requestId) => {
      await advanceTime(highway, 120);
      await sdk.refundExpired(requestId);
      log("  its deadline passed unanswered; anyone may refund it, and the requester gets every unit back");
    });

    // ---------------------------------------------------------------- summary
    const staking = highway.staking as unknown as Contract;
    const slashes = (await staking.queryFilter(staking.filters.Slashed(), 0, "latest")).map((log) => {
      const { args } = log as unknown as { args: { relayer: string; amount: bigint } };
      return { relayer: args.relayer, amount: args.amount };
    });
    const fraudProofs = (await highway.coordinator.queryFilter(highway.coordinator.filters.FraudProven(), 0, "latest")).length;
    const honestBalance = await highway.coordinator.balanceOf(hardhatAccount(ACCOUNTS.honest).address);
    const honestFees = requests.filter((r) => r.status !== "refunded").reduce((sum, r) => sum + r.fees.relayer, 0n);
    const protocolBalance = await highway.coordinator.protocolFees();
    const protocolFees = requests.reduce((sum, r) => sum + r.fees.protocol, 0n);
    const earnings: Record<string, bigint> = {
      "model owner (price-signal, credit-risk)": sum(requests.filter((r) => r.model !== fineTune.modelId), (r) => r.fees.modelOwner) + sum(requests, (r) => r.fees.parent),
      "  of which parent share from the fine-tune": sum(requests, (r) => r.fees.parent),
      "fine-tuner": sum(requests.filter((r) => r.model === fineTune.modelId), (r) => r.fees.modelOwner),
      referrer: sum(requests, (r) => r.fees.referrer),
      relayers: sum(requests, (r) => r.fees.relayer),
      protocol: protocolFees,
      "refunds to the requester": sum(requests, (r) => r.fees.refund),
    };
    const escrowed = sum(requests, (r) => r.escrow);
    const summary: DemoSummary = {
      requests,
      earnings,
      escrowed,
      slashes,
      fraudProofs,
      // The honest relayer's balance also holds its own challenge bonds, returned after each won dispute.
      disputeWinnings: { honestRelayer: honestBalance - honestFees - BigInt(highway.deployment.params.challengeBond) * BigInt(fraudProofs), protocol: protocolBalance - protocolFees },
      addresses: { coordinator: await highway.coordinator.getAddress(), fineTune: fineTune.modelId },
    };
    check(summary);
    return summary;
  } finally {
    for (const process of processes) await process.kill();
    await highway.stop();
  }
}

/** The claims the demo makes, checked on its own figures. */
function check(summary: DemoSummary): void {
  const fail = (what: string) => {
    throw new Error(`demo failed: ${what}`);
  };
  const total = Object.entries(summary.earnings).filter(([role]) => !role.startsWith(" ")).reduce((s, [, v]) => s + v, 0n);
  if (total !== summary.escrowed) fail(`earnings ${total} do not add up to the escrow ${summary.escrowed}`);
  if (summary.slashes.length !== 1) fail(`expected exactly one slash, saw ${summary.slashes.length}`);
  if (summary.fraudProofs !== 1) fail(`expected one fraud proof, saw ${summary.fraudProofs}`);
  if (!summary.requests.some((r) => r.cached)) fail("no request was answered from the cache");
  if (!summary.requests.some((r) => r.status === "refunded")) fail("no request was refunded");
  if (summary.earnings.referrer === 0n) fail("the referrer was not paid");
  if (summary.earnings["  of which parent share from the fine-tune"] === 0n) fail("the parent model was not paid");
  if (summary.disputeWinnings.honestRelayer <= 0n) fail("the honest relayer won nothing from the cheater's bond");
}

function sum<T>(items: T[], value: (item: T) => bigint): bigint {
  return items.reduce((total, item) => total + value(item), 0n);
}

function short(hex: string): string {
  return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
