/**
 * The relayer: watches the coordinator, claims the requests worth serving, answers
 * them (a zk proof, or an optimistic output), finalizes its optimistic answers,
 * defends them when challenged, and, as a watchtower, challenges other relayers'
 * wrong optimistic answers and proves the fraud.
 *
 * Every request is a row in the job store. Each tick the relayer reads the on-chain
 * state of the requests that may need it and reconciles: the chain is the truth,
 * the store remembers what was already made (outputs, proofs) and sent. That one
 * mechanism covers restarts, reorgs and races with other relayers alike.
 */
import { readFileSync } from "node:fs";
import {
  Interface,
  JsonRpcProvider,
  MaxUint256,
  WebSocketProvider,
  type AbstractProvider,
  type Log,
  type LogDescription,
  type Wallet,
} from "ethers";
import type { Server } from "node:http";
import { InferenceCoordinator__factory } from "../../types/factories/contracts/InferenceCoordinator__factory.js";
import { DisputeGame__factory } from "../../types/factories/contracts/DisputeGame__factory.js";
import { RelayerStaking__factory } from "../../types/factories/contracts/RelayerStaking__factory.js";
import { HighwayToken__factory } from "../../types/factories/contracts/token/HighwayToken__factory.js";
import type { IInferenceCoordinator, InferenceCoordinator } from "../../types/contracts/InferenceCoordinator.js";
import type { DisputeGame } from "../../types/contracts/DisputeGame.js";
import type { RelayerStaking } from "../../types/contracts/RelayerStaking.js";
import type { HighwayToken } from "../../types/contracts/token/HighwayToken.js";
import { decodeInput } from "../../sdk/encoding.js";
import { auctionPrice } from "../../sdk/fees.js";
import { PROOF_MODES, RequestStatusCode as Status } from "../../sdk/protocol.js";
import { ProverPool } from "../prover/pool.js";
import { ConfigError, type ModelConfig, type RelayerConfig } from "./config.js";
import { loadSigner } from "./keys.js";
import { createLogger, type Logger } from "./logger.js";
import { RelayerMetrics, serveHttp } from "./metrics.js";
import { worthClaiming } from "./pricing.js";
import { JobStore, type Job, type JobState } from "./store.js";
import { Submitter, type SendResult } from "./submitter.js";
import { Watcher } from "./watcher.js";

/** Jobs created this many blocks before a reorg's ancestor are re-derived too (their answers may be undone). */
const REORG_LOOKBACK_BLOCKS = 256;
/** Custom errors that mean "another party got there first": the normal race, not a failure. */
const RACE_ERRORS = new Set(["WrongStatus", "NotClaimant", "InsufficientFreeStake", "DeadlinePassed", "ChallengeWindowClosed"]);
/** Custom errors that mean "not yet": the step is retried on a later tick. */
const TOO_EARLY_ERRORS = new Set(["DeliveryWindowOpen", "ChallengeWindowOpen", "DefenceWindowOpen"]);

export interface RelayerOptions {
  /**
   * Rewrites optimistic outputs before they are posted. Only for demonstrations and
   * tests of the dispute game (a deliberately cheating relayer); never set in production.
   */
  corruptOptimisticOutput?: (output: bigint[]) => bigint[];
}

/** A request's terms as the coordinator emitted them (numbers as decimal strings). */
type Terms = IInferenceCoordinator.RequestTermsStruct;

interface Deployment {
  chainId: number;
  coordinator: string;
  disputeGame: string;
  staking: string;
  models: Record<string, { modelId: string }>;
}

interface ServedModel {
  name: string;
  modelId: string;
  config: ModelConfig;
}

export class Relayer {
  private readonly dirty = new Set<bigint>();
  private readonly busy = new Set<bigint>();
  private readonly wrongOutputs = new Map<bigint, boolean>();
  private readonly unaffordable = new Set<bigint>();
  /** Chain times at which a watched job's window ends and it may need us again. */
  private readonly wakeAt = new Map<bigint, number>();
  private stopping = false;
  private reservedBond = 0n;
  private loop: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private lastTickAt = 0;
  private http: Server | undefined;
  /** The HTTP port actually bound (the config may ask for port 0). */
  httpPort = 0;

  private constructor(
    readonly config: RelayerConfig,
    private readonly provider: AbstractProvider,
    private readonly signer: Wallet,
    private readonly coordinator: InferenceCoordinator,
    private readonly disputeGame: DisputeGame,
    private readonly staking: RelayerStaking,
    private readonly token: HighwayToken,
    private readonly store: JobStore,
    private readonly pool: ProverPool,
    private readonly models: Map<string, ServedModel>,
    private readonly submitter: Submitter,
    private readonly watcher: Watcher,
    readonly log: Logger,
    readonly metrics: RelayerMetrics,
    private readonly options: RelayerOptions,
  ) {}

  /** Connects, checks the chain and the key, starts the prover pool, the HTTP server and the loop. */
  static async start(config: RelayerConfig, options: RelayerOptions = {}): Promise<Relayer> {
    const deployment = readDeployment(config.deployment);
    const provider = await connect(config.rpcUrl, deployment.chainId);
    try {
      return await Relayer.startOn(provider, deployment, config, options);
    } catch (error) {
      provider.destroy();
      throw error;
    }
  }

  private static async startOn(provider: AbstractProvider, deployment: Deployment, config: RelayerConfig, options: RelayerOptions): Promise<Relayer> {
    const log = createLogger(config.logLevel);
    const metrics = new RelayerMetrics();
    const signer = await loadSigner(config.key, provider);
    const coordinator = InferenceCoordinator__factory.connect(deployment.coordinator, signer);
    const disputeGame = DisputeGame__factory.connect(deployment.disputeGame, signer);
    const staking = RelayerStaking__factory.connect(deployment.staking, provider);
    const token = HighwayToken__factory.connect(await coordinator.paymentToken(), signer);
    // Challenges post a bond that the coordinator pulls from this account.
    if (config.watchtower.enabled && (await token.allowance(signer.address, deployment.coordinator)) < MaxUint256 / 2n) {
      await (await token.approve(deployment.coordinator, MaxUint256)).wait();
      log.info("approved the coordinator to pull challenge bonds");
    }
    // Every custom error a transaction of ours can meet: the coordinator's, the staking contract's, the token's.
    const errors = new Interface([coordinator.interface, staking.interface, token.interface].flatMap((i) => i.fragments.filter((f) => f.type === "error")));

    const models = new Map<string, ServedModel>();
    for (const model of config.models) {
      const name = model.circuit.split("/").filter(Boolean).pop()!;
      const modelId = (model.modelId ?? deployment.models[name]?.modelId)?.toLowerCase();
      if (!modelId) throw new ConfigError(`field "models": no modelId for ${name} and none in ${config.deployment}; set "modelId"`);
      models.set(modelId, { name, modelId, config: model });
    }

    const store = new JobStore(config.database);
    let pool: ProverPool;
    try {
      pool = await ProverPool.start({ circuits: config.models.map((m) => m.circuit), workers: config.prover.workers, maxQueue: config.prover.maxQueue });
    } catch (error) {
      store.close();
      throw error;
    }
    const submitter = new Submitter(signer, provider, errors, config.submitter, log, metrics);
    const startBlock = config.startBlock ?? 0;

    let relayer: Relayer | undefined;
    const watcher = new Watcher(
      provider,
      deployment.coordinator,
      coordinator.interface,
      store,
      { confirmations: config.confirmations, logRange: config.logRange, startBlock },
      { onEvent: (event, raw) => relayer!.onEvent(event, raw), onReorg: (ancestor) => relayer!.onReorg(ancestor) },
      log,
      metrics,
    );
    relayer = new Relayer(config, provider, signer, coordinator, disputeGame, staking, token, store, pool, models, submitter, watcher, log, metrics, options);
    const { server, port } = await serveHttp(metrics, () => relayer!.health(), config.http.host, config.http.port);
    relayer.http = server;
    relayer.httpPort = port;
    for (const job of store.active()) relayer.dirty.add(job.requestId);
    log.info({ relayer: signer.address, models: [...models.values()].map((m) => m.name), http: port, resumed: store.active().length }, "relayer started");
    relayer.loop = relayer.run();
    return relayer;
  }

  get address(): string {
    return this.signer.address;
  }

  /** The job store's view (for tests, the bench and the CLI). */
  jobs(): Job[] {
    return this.store.all();
  }

  /** Stops after the work in hand: no new actions, in-flight ones finish (bounded wait). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info("stopping: finishing the work in hand");
    await this.loop;
    const deadline = Date.now() + 30_000;
    while (this.busy.size > 0 && Date.now() < deadline) await sleep(50);
    await this.pool.close();
    await new Promise((resolve) => this.http?.close(resolve));
    this.provider.destroy();
    this.store.close();
    this.log.info("stopped");
  }

  private health() {
    const stalledMs = Date.now() - this.lastTickAt;
    return {
      ok: !this.stopping && this.lastTickAt > 0 && stalledMs < Math.max(30_000, this.config.pollIntervalMs * 10),
      relayer: this.signer.address,
      lastBlock: this.store.lastProcessedBlock() ?? null,
      msSinceLastTick: stalledMs,
      consecutiveRpcFailures: this.consecutiveFailures,
      jobs: this.store.countsByState(),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.tick();
        this.consecutiveFailures = 0;
        this.lastTickAt = Date.now();
      } catch (error) {
        this.consecutiveFailures++;
        this.metrics.rpcErrors.inc();
        this.log.warn({ error: (error as Error).message, failures: this.consecutiveFailures }, "tick failed; backing off");
      }
      // Exponential backoff while the RPC fails, capped at 30 s.
      const delay = Math.min(30_000, this.config.pollIntervalMs * 2 ** Math.min(this.consecutiveFailures, 8));
      await sleep(delay);
    }
  }

  private async tick(): Promise<void> {
    await this.watcher.poll();
    const now = await this.chainTime();
    const work: Promise<void>[] = [];
    for (const job of this.store.active()) {
      if (this.busy.has(job.requestId)) continue;
      // Jobs held by another relayer change only through events; the rest also move with time.
      if (job.state === "watching" && !this.dirty.has(job.requestId) && !((this.wakeAt.get(job.requestId) ?? Infinity) <= now)) continue;
      this.dirty.delete(job.requestId);
      this.busy.add(job.requestId);
      work.push(
        this.reconcile(job, now)
          .catch((error) => {
            this.dirty.add(job.requestId);
            this.log.warn({ request: job.requestId.toString(), error: (error as Error).message }, "job step failed; will retry");
          })
          .finally(() => this.busy.delete(job.requestId)),
      );
    }
    this.updateJobGauge();
    // Wait for the chain reads and cheap steps; proving runs on in the background.
    await Promise.race([Promise.all(work), sleep(this.config.pollIntervalMs)]);
  }

  private onEvent(event: LogDescription, log: Log): void {
    if (event.name === "RequestCreated") {
      const terms = event.args.terms;
      const modelId = (terms.modelId as string).toLowerCase();
      const mode = PROOF_MODES[Number(terms.proofMode)];
      const model = this.models.get(modelId);
      const requestId = event.args.requestId as bigint;
      // A model we run but a mode we do not serve: the watchtower still checks its answers.
      const state: JobState = model === undefined ? "ignored" : model.config.modes.includes(mode) ? "new" : "watching";
      this.store.insert({
        requestId,
        modelId,
        model: model?.name ?? "",
        mode,
        terms: JSON.stringify(terms.toObject(true), (_, value) => (typeof value === "bigint" ? value.toString() : value)),
        input: event.args.input as string,
        createdBlock: log.blockNumber,
        state,
      });
      this.dirty.add(requestId);
      return;
    }
    if (event.name === "MaxComputeFeeRaised") {
      // The request's terms changed: keep ours equal to the coordinator's, or every call would fail.
      this.store.raiseMaxComputeFee(event.args.requestId as bigint, event.args.maxComputeFee as bigint);
    }
    if (event.name === "RequestFulfilled" && (event.args.payee as string) === this.signer.address) {
      this.metrics.earnings.inc({ kind: "compute" }, Number(event.args.computeFee as bigint));
    }
    const requestId = event.args[0];
    if (typeof requestId === "bigint" && event.fragment.inputs[0]?.name === "requestId") this.dirty.add(requestId);
  }

  private onReorg(ancestor: number): void {
    // What we sent after the ancestor may be undone: re-derive every recent job from the chain.
    this.store.reviveCreatedAfter(ancestor - REORG_LOOKBACK_BLOCKS);
    this.submitter.resync();
    this.wrongOutputs.clear();
    for (const job of this.store.active()) this.dirty.add(job.requestId);
  }

  /** Brings one job in line with its request's on-chain state, taking the next step that is ours. */
  private async reconcile(job: Job, now: number): Promise<void> {
    const [, onChain] = await this.coordinator.getRequest(job.requestId);
    const status = Number(onChain.status);
    const ours = onChain.relayer === this.signer.address;
    const terms = JSON.parse(job.terms) as Terms;
    const id = job.requestId;

    switch (status) {
      case Status.None:
        return; // not (or no longer) on the chain: the watcher's rewind handles it
      case Status.Fulfilled:
      case Status.Refunded:
        if (job.state !== "done") this.moveTo(job, "done", { note: status === Status.Fulfilled ? "fulfilled" : "refunded" });
        return;
      case Status.Open:
        if (now > Number(terms.deadline)) return this.moveTo(job, "done", { note: "deadline passed while open" });
        if (job.state !== "new" && job.state !== "waiting") this.log.info({ request: id.toString(), was: job.state }, "request is open again; re-evaluating");
        return this.tryClaim(job, terms, now);
      case Status.Claimed:
        if (!ours) return this.afterWindow(job, onChain.phaseEndsAt, now, "reopen", terms);
        return this.answer(job, terms);
      case Status.Pending:
        if (ours) {
          if (job.state !== "submitted") this.moveTo(job, "submitted");
          if (now >= Number(onChain.phaseEndsAt)) await this.act(job, "finalize", this.coordinator.interface.encodeFunctionData("finalize", [id, terms]), "submitted");
          return;
        }
        return this.watch(job, terms);
      case Status.Disputed:
        if (ours) return this.defend(job, terms);
        await this.proveFraudIfWrong(job, terms);
        // A correct answer whose relayer does not defend it: the dispute times out.
        if (this.store.get(id)?.state === "watching") return this.afterWindow(job, onChain.phaseEndsAt, now, "resolveDisputeTimeout", terms);
        return;
    }
  }

  /**
   * Another relayer holds the request: once its window has passed, anyone may move it
   * on (reopen a claim not answered in time, resolve a dispute not defended in time),
   * and nothing should wait on that relayer coming back. Until then, wake at the window's end.
   */
  private async afterWindow(job: Job, phaseEndsAt: bigint, now: number, action: "reopen" | "resolveDisputeTimeout", terms: Terms): Promise<void> {
    if (job.state !== "watching") this.moveTo(job, "watching");
    if (now <= Number(phaseEndsAt)) {
      this.wakeAt.set(job.requestId, Number(phaseEndsAt) + 1);
      return;
    }
    this.wakeAt.delete(job.requestId);
    this.log.info({ request: job.requestId.toString(), action }, `the holder's window passed: ${action}`);
    const data =
      action === "reopen"
        ? this.coordinator.interface.encodeFunctionData("reopen", [job.requestId, terms])
        : this.disputeGame.interface.encodeFunctionData("resolveDisputeTimeout", [job.requestId, terms]);
    await this.act(job, action, data, "new", action === "reopen" ? this.coordinator : this.disputeGame);
  }

  private async tryClaim(job: Job, terms: Terms, now: number): Promise<void> {
    const model = this.models.get(job.modelId)!;
    if (!model.config.modes.includes(job.mode)) return this.moveTo(job, "watching");
    const [fees, record] = await Promise.all([this.provider.getFeeData(), this.staking.relayerOf(this.signer.address)]);
    const offered = auctionPrice(BigInt(terms.startComputeFee), BigInt(terms.maxComputeFee), BigInt(terms.createdAt), BigInt(terms.auctionDuration), BigInt(now));
    // Claims in flight have not locked their bonds on chain yet: count them here.
    const freeStake = record.stake - record.locked - this.reservedBond;
    const worth = worthClaiming({
      offeredFee: offered,
      mode: job.mode,
      gasPriceWei: fees.gasPrice ?? fees.maxFeePerGas ?? 0n,
      tokenUnitsPerWei: this.config.pricing.tokenUnitsPerWei,
      computeCost: BigInt(model.config.computeCost),
      margin: this.config.pricing.margin,
    });
    if (!worth || freeStake < BigInt(terms.jobBond)) {
      if (job.state !== "waiting") this.moveTo(job, "waiting", { note: worth ? "not enough free stake" : `offered ${offered} does not cover our cost yet` });
      return;
    }
    this.moveTo(job, "claiming");
    this.reservedBond += BigInt(terms.jobBond);
    let result: SendResult;
    try {
      result = await this.submitter.send("claim", await this.coordinator.getAddress(), this.coordinator.interface.encodeFunctionData("claim", [job.requestId, terms]));
    } finally {
      this.reservedBond -= BigInt(terms.jobBond);
    }
    if (result.ok) {
      this.moveTo(job, "claimed", { claimTx: result.receipt.hash });
      await this.answer(this.store.get(job.requestId)!, terms);
    } else {
      this.settleRace(job, result, "claim");
    }
  }

  /** Makes (or reuses) our output and proof, then answers: fulfillZk or submitOptimistic. */
  private async answer(job: Job, terms: Terms): Promise<void> {
    if (job.state !== "claimed" && job.state !== "ready") this.moveTo(job, "claimed");
    const prepared = await this.prepare(job, job.mode === "zk");
    const output = this.outputToPost(job, prepared.output);
    const data =
      job.mode === "zk"
        ? this.coordinator.interface.encodeFunctionData("fulfillZk", [job.requestId, terms, job.input, prepared.output, prepared.proof!])
        : this.coordinator.interface.encodeFunctionData("submitOptimistic", [job.requestId, terms, output]);
    const result = await this.act(job, job.mode === "zk" ? "fulfillZk" : "submitOptimistic", data, job.mode === "zk" ? "done" : "submitted");
    if (result?.ok) {
      const answeredAtMs = Date.now();
      this.store.update(job.requestId, job.mode === "zk" ? "done" : "submitted", { answeredAtMs, answerTx: result.receipt.hash });
      this.metrics.answerSeconds.observe({ mode: job.mode }, (answeredAtMs - job.seenAtMs) / 1000);
    }
  }

  private async defend(job: Job, terms: Terms): Promise<void> {
    this.moveTo(job, "defending");
    const prepared = await this.prepare(job, true);
    const data = this.disputeGame.interface.encodeFunctionData("defend", [job.requestId, terms, job.input, prepared.proof!]);
    await this.act(job, "defend", data, "done", this.disputeGame);
  }

  /** Watchtower: checks another relayer's optimistic answer and challenges it when it is wrong. */
  private async watch(job: Job, terms: Terms): Promise<void> {
    if (job.state !== "watching") this.moveTo(job, "watching");
    if (!this.config.watchtower.enabled || job.mode !== "optimistic") return;
    if (!(await this.isWrong(job))) return;
    const bond = BigInt(terms.challengeBond);
    const reward = BigInt(terms.jobBond);
    if (reward < BigInt(this.config.watchtower.minProfit)) return;
    if ((await this.token.balanceOf(this.signer.address)) < bond) {
      if (!this.unaffordable.has(job.requestId)) this.log.warn({ request: job.requestId.toString(), bond: bond.toString() }, "watchtower: wrong answer, but the balance cannot cover the challenge bond");
      this.unaffordable.add(job.requestId);
      return;
    }
    this.log.warn({ request: job.requestId.toString(), bond: bond.toString() }, "watchtower: wrong optimistic answer; challenging");
    const result = await this.act(job, "challenge", this.disputeGame.interface.encodeFunctionData("challenge", [job.requestId, terms]), "challenging", this.disputeGame);
    if (result?.ok) await this.proveFraudIfWrong(this.store.get(job.requestId)!, terms);
  }

  private async proveFraudIfWrong(job: Job, terms: Terms): Promise<void> {
    if (!this.config.watchtower.enabled || !(await this.isWrong(job))) {
      if (job.state !== "watching") this.moveTo(job, "watching");
      return;
    }
    const prepared = await this.prepare(job, true);
    const data = this.disputeGame.interface.encodeFunctionData("proveFraud", [job.requestId, terms, job.input, prepared.output, prepared.proof!]);
    const result = await this.act(job, "proveFraud", data, "done", this.disputeGame);
    if (result?.ok) this.metrics.earnings.inc({ kind: "fraud-proof" }, Number(terms.jobBond));
  }

  /** Whether the posted provisional output differs from the model's output. */
  private async isWrong(job: Job): Promise<boolean> {
    const known = this.wrongOutputs.get(job.requestId);
    if (known !== undefined) return known;
    const [posted] = await this.coordinator.pendingResult(job.requestId);
    const { output } = await this.prepare(job, false);
    const wrong = posted.length !== output.length || posted.some((value, i) => value !== output[i]);
    this.wrongOutputs.set(job.requestId, wrong);
    return wrong;
  }

  /** Our output for the job, and its proof when asked; made once and kept in the store. */
  private async prepare(job: Job, withProof: boolean): Promise<{ output: bigint[]; proof: string | null }> {
    const stored = this.store.get(job.requestId)!;
    if (stored.output && (!withProof || stored.proof)) {
      return { output: (JSON.parse(stored.output) as string[]).map(BigInt), proof: stored.proof };
    }
    const input = decodeInput(job.input);
    const started = Date.now();
    const made = withProof ? await this.pool.prove(job.model, input) : { ...(await this.pool.witness(job.model, input)), proof: null };
    this.metrics.proveSeconds.observe({ model: job.model, mode: withProof ? "proof" : "witness" }, (Date.now() - started) / 1000);
    const proof = made.proof;
    this.store.recordProof(job.requestId, JSON.stringify(made.outputs.map(String)), proof);
    return { output: made.outputs, proof };
  }

  private outputToPost(job: Job, output: bigint[]): bigint[] {
    return job.mode === "optimistic" && this.options.corruptOptimisticOutput ? this.options.corruptOptimisticOutput(output) : output;
  }

  /** Sends one action for a job to `to` (the coordinator, or the dispute game for disputes); a lost race puts the job back to watching. */
  private async act(job: Job, action: string, data: string, next: JobState, to: InferenceCoordinator | DisputeGame = this.coordinator): Promise<SendResult | undefined> {
    const result = await this.submitter.send(action, await to.getAddress(), data);
    if (result.ok) {
      this.moveTo(job, next);
      this.log.info({ request: job.requestId.toString(), action, gas: result.gasUsed.toString() }, `${action} mined`);
      return result;
    }
    this.settleRace(job, result, action);
    return result;
  }

  /** After a failed action the next reconcile re-derives the job from the chain; a lost race is not an error. */
  private settleRace(job: Job, result: Extract<SendResult, { ok: false }>, action: string): void {
    const race = RACE_ERRORS.has(result.error);
    const early = TOO_EARLY_ERRORS.has(result.error);
    const fields = { request: job.requestId.toString(), action, error: result.error, sent: result.sent };
    if (early) this.log.debug(fields, `${action}: not yet`);
    else this.log[race ? "info" : "warn"](fields, race ? `${action}: another party got there first` : `${action} failed`);
    this.dirty.add(job.requestId);
    this.moveTo(job, action === "claim" ? "waiting" : job.state, { note: `${action}: ${result.error}` });
  }

  private moveTo(job: Job, state: JobState, fields: { note?: string; claimTx?: string } = {}): void {
    this.store.update(job.requestId, state, fields);
    job.state = state;
  }

  private updateJobGauge(): void {
    this.metrics.jobs.reset();
    for (const [state, count] of Object.entries(this.store.countsByState())) this.metrics.jobs.set({ state }, count);
  }

  /** The earliest timestamp the next block can have: the latest block's, or now if the chain is idle. */
  private async chainTime(): Promise<number> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new Error("the RPC returned no latest block");
    return Math.max(block.timestamp, Math.floor(Date.now() / 1000));
  }
}

function readDeployment(path: string): Deployment {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Deployment;
  } catch (error) {
    throw new ConfigError(`field "deployment": cannot read ${path} (${(error as Error).message}); deploy with scripts/deploy.ts first`);
  }
}

/** Opens the RPC and checks that it answers and serves the deployment's chain. */
async function connect(url: string, chainId: number): Promise<AbstractProvider> {
  const provider: AbstractProvider = url.startsWith("ws")
    ? new WebSocketProvider(url, chainId)
    : // No response cache: a cached pending nonce or request state would be stale by design here.
      new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 50, pollingInterval: 250, cacheTimeout: -1 });
  try {
    const network = await withTimeout(provider.getNetwork(), 10_000);
    await withTimeout(provider.getBlockNumber(), 10_000);
    if (Number(network.chainId) !== chainId) throw new Error(`the RPC serves chain ${network.chainId}, the deployment is on ${chainId}`);
  } catch (error) {
    provider.destroy();
    throw new ConfigError(`field "rpcUrl": cannot use ${url}: ${(error as Error).message}`);
  }
  return provider;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
