/**
 * The demo's scenario: a whole Highway network on one machine. A Hardhat node
 * process, the protocol deployed on it, three circuit models (one a fine-tune of
 * another) and the language model smollm2, two relayer processes (one honest, one that
 * posts wrong optimistic results) and three more that serve smollm2 and sit on its
 * committees, and a run of requests that shows every path: zk and optimistic answers, a
 * referrer's share, the parent model's share, a fraud proof and a slash, a cache hit
 * answered in the request's own transaction, an expired request refunded, a language
 * model's text answer finalized after its challenge window, and a wrong text answer
 * challenged, voted down by the committee and slashed.
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
import { toUtf8String } from "ethers";
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

const ACCOUNTS = {
  modelOwner: 0,
  requester: 1,
  fineTuner: 2,
  referrer: 3,
  trader: 4,
  honest: 5,
  cheater: 6,
  committee: [7, 8, 9],
} as const;
/** The language requests' prompt: a headline to classify. */
const HEADLINE_PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
/**
 * The honest relayers' stake, below the high-stakes language request's job bond: only the cheater, with a large
 * stake, can take that request (and lies on it). The committee members' stake covers their seat bonds.
 */
const HONEST_STAKE = 2_000n * UNIT;
const HIGH_STAKES_JOB_BOND = 5_000n * UNIT;
/** What the cheater charges for a language answer: more than the first language request offers, so an honest relayer answers it. */
const CHEATER_LANGUAGE_COST = 1n * UNIT;
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

/** A language request's outcome. */
export interface DemoLanguageRequest {
  label: string;
  status: InferenceResult["status"];
  /** The relayer paid for the answer (the challenger, after a committee's vote). */
  relayer: string;
  /** The answer delivered. */
  text: string;
  /** The answer the relayer first posted. */
  posted: string;
  latencyMs: number;
}

export interface DemoSummary {
  requests: DemoRequest[];
  /** The language model's requests: one answered and finalized, one wrong answer voted down by a committee. */
  language: DemoLanguageRequest[];
  /**
   * What each committee relayer was credited by the coordinator during the language stage (its share of the
   * cheater's bond if it sat on the vote, and any language answer's fee it earned).
   */
  committeeRewards: bigint[];
  /** The cheater's stake slashed over its wrong text answer. */
  languageSlash: bigint;
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
  const highway = await startHighway({ models: ["price-signal", "credit-risk", "smollm2"] });
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
    await stakeRelayer(highway, await signer(ACCOUNTS.cheater));
    for (const account of [ACCOUNTS.honest, ...ACCOUNTS.committee]) await stakeRelayer(highway, await signer(account), HONEST_STAKE);
    const models = (modes: string[], extra: Record<string, unknown> = {}) => [
      { circuit: "price-signal", modes, ...extra },
      { circuit: "price-signal-volatile", modelId: fineTune.modelId, modes, ...extra },
      { circuit: "credit-risk", modes, computeCost: (1n * UNIT).toString() },
    ];
    const smollm2 = (computeCost = 0n) => [
      { language: "smollm2", computeCost: computeCost.toString(), backend: { kind: "llama.cpp", parallel: 1 } },
    ];
    processes.push(
      startRelayerProcess(highway, { account: ACCOUNTS.honest, config: { models: models(["zk"]), languageModels: smollm2() } }),
    );
    processes.push(
      startRelayerProcess(highway, {
        account: ACCOUNTS.cheater,
        cheat: true,
        config: { watchtower: { enabled: false }, models: models(["optimistic"]), languageModels: smollm2(CHEATER_LANGUAGE_COST) },
      }),
    );
    for (const account of ACCOUNTS.committee)
      processes.push(
        startRelayerProcess(highway, { account, config: { watchtower: { enabled: false }, models: [], languageModels: smollm2() } }),
      );
    await waitFor("the relayers up", () => processes.every((p) => p.output().includes("relayer started")), 180_000, 100);
    log(
      `relayers: honest ${short(hardhatAccount(ACCOUNTS.honest).address)} (zk and smollm2, watchtower), cheating ${short(hardhatAccount(ACCOUNTS.cheater).address)} (optimistic and smollm2, posts wrong outputs), and three more serving smollm2 (${ACCOUNTS.committee.map((a) => short(hardhatAccount(a).address)).join(", ")}), each running the model with llama.cpp`,
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

    // The circuit models' dispute, before the language model's moves the same balances.
    const slashes = (await events(highway, highway.staking, highway.staking.filters.Slashed())).map(({ args }) => ({
      relayer: args.relayer,
      amount: args.amount,
    }));
    const fraudProofs = (await events(highway, highway.coordinator, highway.coordinator.filters.FraudProven())).length;
    const honestBalance = await highway.coordinator.balanceOf(hardhatAccount(ACCOUNTS.honest).address);
    const protocolBalance = await highway.coordinator.protocolFees();
    const cheaterStake = (await highway.staking.relayerOf(hardhatAccount(ACCOUNTS.cheater).address)).stake;

    // ---------------------------------------------------------------- the language model
    log("language model smollm2 (text in, text out, answered optimistically, disputes settled by a committee):");
    const language: DemoLanguageRequest[] = [];
    const smollm2Id = highway.deployment.models.smollm2.modelId;
    const languageRequest = async (
      label: string,
      extra: { maxComputeFee: bigint; jobBond?: bigint },
      whilePending: (id: bigint) => Promise<void>,
    ) => {
      const started = Date.now();
      const handle = await sdk.requestInference({ model: smollm2Id, input: HEADLINE_PROMPT, maxOutputBytes: 64, ...extra });
      await waitFor(
        `${label}: an answer posted`,
        async () => !["open", "claimed"].includes(await sdk.status(handle.requestId)),
        120_000,
        100,
      );
      const [submitted] = await events(highway, highway.coordinator, highway.coordinator.filters.OptimisticSubmitted(handle.requestId));
      const posted = toUtf8String(submitted.args.output);
      log(`  ${label}: ${short(submitted.args.relayer)} posted ${JSON.stringify(posted)}`);
      await whilePending(handle.requestId);
      const result = await handle.wait({ timeoutMs: 300_000, pollIntervalMs: 200 });
      language.push({
        label,
        status: result.status,
        relayer: result.relayer,
        text: result.text ?? "",
        posted,
        latencyMs: Date.now() - started,
      });
      log(`  ${label}: ${result.status}, delivered ${JSON.stringify(result.text)}`);
      return handle.requestId;
    };
    // The cheater charges more than this request offers: an honest relayer answers it.
    await languageRequest("a headline's sentiment", { maxComputeFee: CHEATER_LANGUAGE_COST / 2n }, async () => {
      await advanceTime(highway, Number(highway.deployment.params.challengeWindow) + 1);
      log("  nobody challenged it within the challenge window: the relayer finalizes it");
    });
    // A request with a large job bond, which only the cheater's stake covers; it posts a wrong answer.
    const members = ACCOUNTS.committee.map((account) => hardhatAccount(account).address);
    const creditsBefore = await Promise.all(members.map((member) => highway.coordinator.balanceOf(member)));
    const arbiter = highway.committeeArbiter;
    await languageRequest(
      "the same headline, at a 5,000-token job bond",
      { maxComputeFee: 2n * UNIT, jobBond: HIGH_STAKES_JOB_BOND },
      async (id) => {
        await waitFor(
          "the committee's vote resolved",
          async () => (await events(highway, arbiter, arbiter.filters.VoteResolved(id))).length > 0,
          300_000,
          200,
        );
        const [drawn] = await events(highway, arbiter, arbiter.filters.CommitteeDrawn(id));
        log(`  the honest watchtower challenged it; a committee of ${drawn.args.members.map(short).join(", ")} re-ran the model and voted`);
      },
    );
    const committeeRewards = await Promise.all(
      members.map(async (member, i) => (await highway.coordinator.balanceOf(member)) - creditsBefore[i]),
    );
    const languageSlash = cheaterStake - (await highway.staking.relayerOf(hardhatAccount(ACCOUNTS.cheater).address)).stake;

    // ---------------------------------------------------------------- summary
    const honestFees = requests.filter((r) => r.status !== "refunded").reduce((sum, r) => sum + r.fees.relayer, 0n);
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
      language,
      committeeRewards,
      languageSlash,
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
  if (summary.slashes.length !== 1) fail(`expected exactly one slash of a circuit answer, saw ${summary.slashes.length}`);
  if (summary.fraudProofs !== 1) fail(`expected one fraud proof, saw ${summary.fraudProofs}`);
  if (!summary.requests.some((r) => r.cached)) fail("no request was answered from the cache");
  if (!summary.requests.some((r) => r.status === "refunded")) fail("no request was refunded");
  if (summary.earnings.referrer === 0n) fail("the referrer was not paid");
  if (summary.earnings["  of which parent share from the fine-tune"] === 0n) fail("the parent model was not paid");
  if (summary.disputeWinnings.honestRelayer <= 0n) fail("the honest relayer won nothing from the cheater's bond");
  const vaultDecisions = summary.requests.filter((r) => r.label.startsWith("vault")).map((r) => r.decision);
  if (vaultDecisions.length !== 2 || vaultDecisions.some((d) => d === undefined || d.startsWith("ignored")))
    fail(`the vault did not act on both its signals: ${vaultDecisions.join("; ")}`);
  const [answered, disputed] = summary.language;
  if (answered?.status !== "answered" || answered.text === "") fail("the language request was not answered with text");
  if (disputed?.status !== "disputed" || disputed.posted === disputed.text)
    fail("the wrong text answer was not replaced by the committee's");
  // The same prompt under the same runtime spec: the committee's answer is the honest relayer's, byte for byte.
  if (disputed.text !== answered.text)
    fail(`the committee answered ${JSON.stringify(disputed.text)}, not ${JSON.stringify(answered.text)}`);
  if (summary.languageSlash === 0n) fail("the cheater was not slashed for its wrong text answer");
  if (summary.committeeRewards.some((reward) => reward <= 0n)) fail("a committee member was not paid");
}

function sum<T>(items: T[], value: (item: T) => bigint): bigint {
  return items.reduce((total, item) => total + value(item), 0n);
}

function short(hex: string): string {
  return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
