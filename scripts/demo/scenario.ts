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
import type { TypedContractEvent, TypedDeferredTopicFilter } from "../../types/common.js";
import { deployKit, type Kit } from "../../examples/scripts/deploy-kit.js";
import {
  deploymentStartBlock,
  Highway,
  queryFilterPaged,
  quoteEscrow,
  type EventSource,
  type InferenceResult,
  type FeeSplit,
} from "../../sdk/node.js";
import { hardhatAccount } from "../lib/node.js";
import {
  advanceTime,
  fundRequester,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  waitFor,
  UNIT,
  type LocalHighway,
  type RelayerProcess,
} from "../lib/localnet.js";

const ACCOUNTS = { modelOwner: 0, requester: 1, fineTuner: 2, referrer: 3, trader: 4, honest: 5, cheater: 6 } as const;
/** Trades that move the vault's pool between its price observations (stable in when positive). */
const MARKET_MOVES = [250_000n, -60n, 400_000n, -150n, 90_000n, 180_000n, -40n, 120_000n, -300n, 500_000n].map((units) => units * UNIT);

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
  /** What the vault did with the answer, for the vault's requests. */
  decision?: string;
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
  // The fine-tune is registered below by its own owner, with price-signal as its parent.
  const highway = await startHighway({ models: ["price-signal", "credit-risk"] });
  try {
    const signer = (index: number) => highway.ethers.getSigner(hardhatAccount(index).address);
    const requester = await signer(ACCOUNTS.requester);
    const referrer = hardhatAccount(ACCOUNTS.referrer).address;
    const sdk = await Highway.connect({ runner: requester, deployment: highway.deploymentPath });

    // ---------------------------------------------------------------- models
    const owner = await Highway.connect({ runner: await signer(ACCOUNTS.modelOwner), deployment: highway.deploymentPath });
    const baseId = owner.modelId("price-signal");
    await (await owner.registry.setReferralShareBps(baseId, 1_000)).wait();
    const fineTuner = await Highway.connect({ runner: await signer(ACCOUNTS.fineTuner), deployment: highway.deploymentPath });
    const fineTune = await fineTuner.registerModel("price-signal-volatile", {
      fee: 3n * UNIT,
      parentModelId: baseId,
      parentShareBps: 2_000,
      referralShareBps: 1_000,
    });
    log(
      `models: price-signal, credit-risk, and price-signal-volatile ${short(fineTune.modelId)}, a fine-tune of price-signal by another owner, paying its parent 20%`,
    );

    // ---------------------------------------------------------------- relayers
    await fundRequester(highway, requester);
    for (const account of [ACCOUNTS.honest, ACCOUNTS.cheater]) await stakeRelayer(highway, await signer(account));
    const models = (modes: string[], extra: Record<string, unknown> = {}) => [
      { circuit: "price-signal", modes, ...extra },
      { circuit: "price-signal-volatile", modelId: fineTune.modelId, modes, ...extra },
      { circuit: "credit-risk", modes, computeCost: (1n * UNIT).toString() },
    ];
    processes.push(startRelayerProcess(highway, { account: ACCOUNTS.honest, config: { models: models(["zk"]) } }));
    processes.push(
      startRelayerProcess(highway, {
        account: ACCOUNTS.cheater,
        cheat: true,
        config: { watchtower: { enabled: false }, models: models(["optimistic"]) },
      }),
    );
    await waitFor("both relayers up", () => processes.every((p) => p.httpPort() !== undefined), 120_000, 100);
    log(
      `relayers: honest ${short(hardhatAccount(ACCOUNTS.honest).address)} (zk, watchtower) and cheating ${short(hardhatAccount(ACCOUNTS.cheater).address)} (optimistic, posts wrong outputs)`,
    );

    // ---------------------------------------------------------------- the DeFi vault
    const kit = await deployKit({
      deployer: await signer(ACCOUNTS.modelOwner),
      keeper: requester,
      trader: await signer(ACCOUNTS.trader),
      highway: { coordinator: highway.deployment.coordinator, token: highway.deployment.token, modelId: baseId },
    });
    const trader = await signer(ACCOUNTS.trader);
    let moves = 0;
    const observe = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const move = MARKET_MOVES[moves++ % MARKET_MOVES.length];
        const pool = kit.pool.connect(trader);
        await (await (move > 0n ? pool.swapExactIn(kit.stable, move, 0, trader) : pool.swapExactIn(kit.volatile, -move, 0, trader))).wait();
        await advanceTime(highway, 2); // the vault observes at most once a second
        await (await kit.vault.poke()).wait();
      }
    };
    await observe(9);
    log(`vault: a SignalVault trading against a constant-product pool, with 9 price observations (keeper ${short(requester.address)})`);

    // ---------------------------------------------------------------- requests
    const requests: DemoRequest[] = [];
    const record = async (
      label: string,
      model: string,
      mode: "zk" | "optimistic",
      requestId: bigint,
      requestTx: string,
      cached: boolean,
      started: number,
      escrow: bigint,
    ) => {
      const result = await sdk.handle(requestId).wait({ timeoutMs: 120_000, pollIntervalMs: 200 });
      const requestGas = (await highway.ethers.provider.getTransactionReceipt(requestTx))!.gasUsed;
      const answerTx = result.transactions.fulfilled ?? result.transactions.proveFraud;
      const answerGas = answerTx && !cached ? (await highway.ethers.provider.getTransactionReceipt(answerTx))!.gasUsed : 0n;
      const decision = await vaultDecision(highway, kit, requestId);
      const entry: DemoRequest = {
        label,
        model,
        mode,
        status: result.status,
        cached,
        latencyMs: Date.now() - started,
        requestGas,
        answerGas,
        escrow,
        fees: result.fees,
        output: result.output?.values,
        decision,
      };
      requests.push(entry);
      log(
        `  ${label}: ${result.status}${result.output ? `, signal ${result.output.values.map((v) => v.toFixed(4)).join(", ")}` : ""}${decision ? ` → the vault ${decision}` : ""}`,
      );
      return entry;
    };
    /** The vault asks for a signal on its own price history, paying from its own balance. */
    const vaultRequest = async (label: string, mode: "zk" | "optimistic", whileWaiting?: () => Promise<void>) => {
      const started = Date.now();
      const tx = await kit.vault.requestSignal(mode === "zk" ? 0 : 1);
      const receipt = (await tx.wait())!;
      const event = receipt.logs.map((l) => kit.vault.interface.parseLog(l)).find((e) => e?.name === "SignalRequested")!;
      const requestId = event.args.requestId as bigint;
      const terms = await sdk.terms(requestId);
      log(`  ${label}: requested by the vault, inputs [${(event.args.inputs as bigint[]).join(", ")}]`);
      await whileWaiting?.();
      return record(
        label,
        "price-signal",
        mode,
        requestId,
        tx.hash,
        false,
        started,
        quoteEscrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps).total,
      );
    };
    /** Anyone asks through the SDK. */
    const sdkRequest = async (
      label: string,
      model: string,
      input: number[] | bigint[],
      extra: { referrer?: string; maxComputeFee?: bigint; deadline?: number } = {},
      whileWaiting?: (requestId: bigint) => Promise<void>,
    ) => {
      const started = Date.now();
      const maxComputeFee = extra.maxComputeFee ?? 2n * UNIT;
      const handle = await sdk.requestInference({ model, input, proofMode: "zk", maxComputeFee, ...extra });
      log(`  ${label}: requested${handle.cached ? " — answered from the verified-result cache in the same transaction" : ""}`);
      await whileWaiting?.(handle.requestId);
      const result = await sdk.result(handle.requestId);
      const escrow = handle.cached
        ? result!.fees.modelOwner + result!.fees.parent + result!.fees.referrer + result!.fees.protocol
        : (await sdk.quote({ model, maxComputeFee })).total;
      return record(label, model, "zk", handle.requestId, handle.transactionHash, handle.cached, started, escrow);
    };

    log("requests:");
    const zkSignal = await vaultRequest("vault, zk signal", "zk");
    const provenInput = await kit.vault.currentInputs();
    await sdkRequest("fine-tune, zk, via a referrer", fineTune.modelId, [-0.4, 0.1, 0.3, 0.2, 0.6, 0.9, 1.1, 1.4], { referrer });
    await observe(2); // the market moves on: a new input
    await vaultRequest("vault, optimistic signal (the cheater answers)", "optimistic", async () => {
      await waitFor(
        "the fraud proof",
        async () => (await events(highway, highway.coordinator, highway.coordinator.filters.FraudProven())).length > 0,
        120_000,
        200,
      );
      log("  the honest watchtower challenged the wrong answer and proved the fraud");
    });
    await sdkRequest("the vault's first input again, by a bot", "price-signal", provenInput);
    if (requests.at(-1)!.output?.[0] !== zkSignal.output?.[0]) throw new Error("demo failed: the cache answered a different output");
    const latest = await highway.ethers.provider.getBlock("latest");
    const soon = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + 90;
    await sdkRequest(
      "credit score nobody serves at this price",
      "credit-risk",
      Array.from({ length: 16 }, (_, i) => (i % 5) / 4 - 0.5),
      { maxComputeFee: UNIT / 10n, deadline: soon },
      async (requestId) => {
        await advanceTime(highway, 120);
        await sdk.refundExpired(requestId);
        log("  its deadline passed unanswered; anyone may refund it, and the requester gets every unit back");
      },
    );

    // ---------------------------------------------------------------- summary
    const slashes = (await events(highway, highway.staking, highway.staking.filters.Slashed())).map(({ args }) => ({
      relayer: args.relayer,
      amount: args.amount,
    }));
    const fraudProofs = (await events(highway, highway.coordinator, highway.coordinator.filters.FraudProven())).length;
    const honestBalance = await highway.coordinator.balanceOf(hardhatAccount(ACCOUNTS.honest).address);
    const honestFees = requests.filter((r) => r.status !== "refunded").reduce((sum, r) => sum + r.fees.relayer, 0n);
    const protocolBalance = await highway.coordinator.protocolFees();
    const protocolFees = requests.reduce((sum, r) => sum + r.fees.protocol, 0n);
    const earnings: Record<string, bigint> = {
      "model owner (price-signal, credit-risk)":
        sum(
          requests.filter((r) => r.model !== fineTune.modelId),
          (r) => r.fees.modelOwner,
        ) + sum(requests, (r) => r.fees.parent),
      "  of which parent share from the fine-tune": sum(requests, (r) => r.fees.parent),
      "fine-tuner": sum(
        requests.filter((r) => r.model === fineTune.modelId),
        (r) => r.fees.modelOwner,
      ),
      referrer: sum(requests, (r) => r.fees.referrer),
      relayers: sum(requests, (r) => r.fees.relayer),
      protocol: protocolFees,
      "refunds to requesters": sum(requests, (r) => r.fees.refund),
    };
    const escrowed = sum(requests, (r) => r.escrow);
    const summary: DemoSummary = {
      requests,
      earnings,
      escrowed,
      slashes,
      fraudProofs,
      // The honest relayer's balance also holds its own challenge bonds, returned after each won dispute.
      disputeWinnings: {
        honestRelayer: honestBalance - honestFees - BigInt(highway.deployment.params.challengeBond) * BigInt(fraudProofs),
        protocol: protocolBalance - protocolFees,
      },
      addresses: { coordinator: await highway.coordinator.getAddress(), fineTune: fineTune.modelId },
    };
    check(summary);
    return summary;
  } finally {
    for (const process of processes) await process.kill();
    await highway.stop();
  }
}

/** The events of one filter since Highway's deployment, page by page. */
function events<E extends TypedContractEvent>(highway: LocalHighway, contract: EventSource, filter: TypedDeferredTopicFilter<E>) {
  return queryFilterPaged(highway.ethers.provider, contract, filter, deploymentStartBlock(highway.deployment));
}

/** What the vault did with request `requestId`'s answer, from its events (undefined: not a vault request). */
async function vaultDecision(highway: LocalHighway, kit: Kit, requestId: bigint): Promise<string | undefined> {
  const vault = kit.vault;
  const [rebalanced] = await events(highway, vault, vault.filters.Rebalanced(requestId));
  if (rebalanced)
    return `rebalanced: sold ${formatTokens(rebalanced.args.amountIn)} ${rebalanced.args.tokenIn === (await kit.stable.getAddress()) ? "stable" : "volatile"} for ${formatTokens(rebalanced.args.amountOut)}`;
  const [held] = await events(highway, vault, vault.filters.SignalHeld(requestId));
  if (held) return "held (the signal was within its threshold)";
  const [ignored] = await events(highway, vault, vault.filters.SignalIgnored(requestId));
  if (ignored) return `ignored the answer (reason ${ignored.args.reason})`;
  const [failed] = await events(highway, vault, vault.filters.RebalanceFailed(requestId));
  return failed ? "tried to rebalance, but the swap failed" : undefined;
}

function formatTokens(amount: bigint): string {
  return (Number(amount / 10n ** 14n) / 10_000).toFixed(2);
}

/** The claims the demo makes, checked on its own figures. */
function check(summary: DemoSummary): void {
  const fail = (what: string) => {
    throw new Error(`demo failed: ${what}`);
  };
  const total = Object.entries(summary.earnings)
    .filter(([role]) => !role.startsWith(" "))
    .reduce((s, [, v]) => s + v, 0n);
  if (total !== summary.escrowed) fail(`earnings ${total} do not add up to the escrow ${summary.escrowed}`);
  if (summary.slashes.length !== 1) fail(`expected exactly one slash, saw ${summary.slashes.length}`);
  if (summary.fraudProofs !== 1) fail(`expected one fraud proof, saw ${summary.fraudProofs}`);
  if (!summary.requests.some((r) => r.cached)) fail("no request was answered from the cache");
  if (!summary.requests.some((r) => r.status === "refunded")) fail("no request was refunded");
  if (summary.earnings.referrer === 0n) fail("the referrer was not paid");
  if (summary.earnings["  of which parent share from the fine-tune"] === 0n) fail("the parent model was not paid");
  if (summary.disputeWinnings.honestRelayer <= 0n) fail("the honest relayer won nothing from the cheater's bond");
  const vaultDecisions = summary.requests.filter((r) => r.label.startsWith("vault")).map((r) => r.decision);
  if (vaultDecisions.length !== 2 || vaultDecisions.some((d) => d === undefined || d.startsWith("ignored")))
    fail(`the vault did not act on both its signals: ${vaultDecisions.join("; ")}`);
}

function sum<T>(items: T[], value: (item: T) => bigint): bigint {
  return items.reduce((total, item) => total + value(item), 0n);
}

function short(hex: string): string {
  return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
