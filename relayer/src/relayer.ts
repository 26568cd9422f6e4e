/**
 * The relayer loop: follows the coordinator through the watcher, and brings each job
 * in line with its request's on-chain state, one step at a time: it observes the
 * request, asks `decide` (decide.ts) for the next step, and carries the step out
 * (claim, answer, finalize, defend, reopen, and the watchtower's challenge, fraud proof
 * and dispute timeout).
 *
 * With batching (batching.ts), claims, optimistic answers and their finalizations, and zk answers of a
 * model with a batched circuit queue per model and go out together: one `claimBatch`, then one
 * `submitOptimisticBatch` and later one `finalizeBatch`, or one batch proof and one `fulfillZkBatch`,
 * through the coordinator's batch fulfiller.
 *
 * Every request is a row in the job store. The chain is the truth, the store
 * remembers what was already made (outputs, proofs) and sent. That one mechanism
 * covers restarts, reorgs and races with other relayers alike. Start-up (start.ts)
 * builds what the loop works with.
 */
import type { Interface, Log, LogDescription, Provider } from "ethers";
import { decodeTensor } from "../../sdk/encoding.js";
import { batchable, planBatch, UNPROVEN_RULE } from "./batching.js";
import type { InferenceCoordinator } from "../../types/contracts/InferenceCoordinator.js";
import type { RelayerStaking } from "../../types/contracts/RelayerStaking.js";
import { PROOF_MODES, requestStatusName } from "../../sdk/protocol.js";
import { termsFromEvent } from "../../sdk/terms.js";
import { decide, type Action, type ChainView, type Policy, type SendStep, type Step } from "./decide.js";
import type { ModelChecks } from "./model-checks.js";
import type { ProvingTimes } from "./proving-times.js";
import type { StakeMonitor } from "./stake.js";
import type { DisputeCalls } from "./disputes.js";
import type { Logger } from "./logger.js";
import type { Health, RelayerMetrics } from "./metrics.js";
import { OutputError, type JobOutputs } from "./outputs.js";
import type { Job, JobState, JobStore } from "./store.js";
import type { Call, SendResult, Submitter } from "./submitter.js";
import type { Watcher, WatcherEvents } from "./watcher.js";
import type { Watchtower } from "./watchtower.js";
import type { CommitteeVoter } from "../llm/committee.js";

/** Custom errors that mean "another party got there first": the normal race, not a failure. */
const RACE_ERRORS = new Set([
  "WrongStatus",
  "NotClaimant",
  "InsufficientFreeStake",
  "DeadlinePassed",
  "ChallengeWindowClosed",
  "ClaimTooLate",
  "FormerClaimant",
  // A batch of which every request was skipped: each for what others (or the clock) changed, since what the
  // relayer decided itself reverts a batch with its own error (IBatchFulfiller).
  "NothingClaimed",
  "NothingAnswered",
]);
/** Custom errors that mean "not yet": the step is retried on a later tick. */
const TOO_EARLY_ERRORS = new Set([
  "DeliveryWindowOpen",
  "ChallengeWindowOpen",
  "DefenceWindowOpen",
  "ClaimTooSoon",
  "ChallengeRevealTooSoon",
]);
/**
 * Steps one job may take in one tick (reopen, claim, answer; or check, challenge,
 * prove fraud), each after a fresh look at the chain; a job with more goes on next tick.
 */
const MAX_STEPS_PER_TICK = 6;

/** The steps that may go in a batch, and the batch fulfiller's function that takes several of each. */
const BATCH_FUNCTION = {
  claim: "claimBatch",
  submitOptimistic: "submitOptimisticBatch",
  finalize: "finalizeBatch",
  fulfillZk: "fulfillZkBatch",
} as const;
type BatchedAction = keyof typeof BATCH_FUNCTION;
const BATCHED_ACTIONS: ReadonlySet<string> = new Set(Object.keys(BATCH_FUNCTION));

/** Batch proofs (batching.ts): where batches go and which models have them. */
export interface RelayerBatching {
  /** The coordinator's batch fulfiller (claimBatch, submitOptimisticBatch, finalizeBatch, fulfillZkBatch). */
  fulfiller: string;
  fulfillerInterface: Interface;
  /** How long the oldest zk answer of a partial batch waits for more before it goes (batching.ts). */
  maxWaitMs: number;
  /** The fewest zk answers that go as a batch proof rather than each alone. */
  minBatch: number;
  /**
   * By model name, the models answered with batch proofs: its id, its batched circuit's size and when its batched
   * verifier was registered (chain time). Claims, optimistic answers and finalizations of every model go in batches of up to
   * UNPROVEN_BATCH_SIZE.
   */
  models: ReadonlyMap<string, { modelId: string; size: number; since: number }>;
  /** Prover workers with nothing to do: while there are none, a partial batch proof waits to fill (batching.ts). */
  idleProvers(): number;
  /** Proves 1..size inputs of a model with its batched circuit (relayer/prover/pool.ts's ProverPool.proveBatch). */
  proveBatch(model: string, inputs: readonly (readonly bigint[])[]): Promise<{ outputs: bigint[][]; proof: string; instances: bigint[] }>;
}

/** A job waiting in a batch queue, with the step it will take. */
interface QueuedStep {
  job: Job;
  step: SendStep;
  queuedAtMs: number;
}

/** What the relayer loop works with; start.ts builds it from the config. */
export interface RelayerDeps {
  /** Reads the chain's time and gas price. */
  provider: Provider;
  /** Where requests are read and most actions sent. */
  coordinator: InferenceCoordinator;
  /** Where our stake is read. */
  staking: RelayerStaking;
  /** The staking contract's address, whose events the watcher hands us too. */
  stakingAddress: string;
  /** Whether our stake lets us claim: read again when due and after the events that change it. */
  stake: StakeMonitor;
  store: JobStore;
  watcher: Watcher;
  /** Sends every transaction, from our address. */
  submitter: Submitter;
  outputs: JobOutputs;
  /** Our measured time to make an answer, per model. */
  provingTimes: ProvingTimes;
  /** Whether each model's registration matches our artifacts; registry events about a model check it again. */
  modelChecks: ModelChecks;
  /** The registry's address, whose events the watcher hands us too. */
  registry: string;
  watchtower: Watchtower;
  /** Builds our defence when our answer is disputed. */
  disputes: DisputeCalls;
  policy: Policy;
  pollIntervalMs: number;
  log: Logger;
  metrics: RelayerMetrics;
  /** Batch proofs; absent, every job is claimed and answered alone. */
  batching?: RelayerBatching;
  /** Our committee seat for the language models we serve: the arbiter's events go to it, and it takes its steps each tick. */
  committee?: { arbiter: string; voter: CommitteeVoter };
}

export class Relayer implements WatcherEvents {
  private readonly dirty = new Set<bigint>();
  private readonly busy = new Set<bigint>();
  /** Models a registry event named since the last tick: checked again before the jobs are looked at. */
  private readonly modelsToCheck = new Set<string>();
  /** Chain times at which a watched job's window ends and it may need us again. */
  private readonly wakeAt = new Map<bigint, number>();
  /** Requests whose pending optimistic answer is ours (from its OptimisticSubmitted event), to count a challenge of it. */
  private readonly postedByUs = new Set<bigint>();
  private stopping = false;
  /** The job bonds of claims in flight: not locked on chain yet, already spoken for. */
  private reservedBond = 0n;
  private loop: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private lastTickAt = 0;
  /** Batch queues, by "<action>:<model>": jobs whose claim or zk answer waits to go with others. */
  private readonly queues = new Map<string, Map<bigint, QueuedStep>>();
  /** The committee seat's steps under way (a re-run of the model takes seconds): one round at a time. */
  private voting: Promise<void> | undefined;

  constructor(private readonly deps: RelayerDeps) {}

  get address(): string {
    return this.deps.submitter.address;
  }

  /** Starts the loop; the jobs the store holds from an earlier run are looked at first. */
  start(): void {
    for (const job of this.deps.store.active()) this.dirty.add(job.requestId);
    this.loop = this.run();
  }

  /** Stops after the work in hand: no new steps, steps under way finish (bounded wait). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.deps.log.info("stopping: finishing the work in hand");
    await this.loop;
    await this.voting;
    const deadline = Date.now() + 30_000;
    while (this.busy.size > 0 && Date.now() < deadline) await sleep(50);
  }

  /**
   * `ok` while the loop runs (the HTTP status follows it); `degraded` while it runs but
   * cannot serve everything it is configured for (our stake does not let us claim, or a
   * model is refused), with a warning for each.
   */
  health(): Health {
    const stalledMs = Date.now() - this.lastTickAt;
    const models = this.deps.modelChecks.status();
    const warnings = [
      this.deps.stake.warning(),
      ...models.filter((model) => !model.verified).map((model) => `model ${model.model} (${model.modelId}) is refused: ${model.refusal}`),
    ].filter((warning): warning is string => warning !== undefined);
    return {
      ok: !this.stopping && this.lastTickAt > 0 && stalledMs < Math.max(30_000, this.deps.pollIntervalMs * 10),
      degraded: warnings.length > 0,
      warnings,
      relayer: this.address,
      lastBlock: this.deps.store.lastProcessedBlock() ?? null,
      msSinceLastTick: stalledMs,
      consecutiveRpcFailures: this.consecutiveFailures,
      stake: this.deps.stake.status() ?? null,
      jobs: this.deps.store.countsByState(),
      models,
    };
  }

  onEvent(event: LogDescription, log: Log): void {
    const { store, policy, committee } = this.deps;
    if (committee && log.address.toLowerCase() === committee.arbiter.toLowerCase()) {
      committee.voter.onEvent(event);
      return;
    }
    if (log.address.toLowerCase() === this.deps.registry.toLowerCase()) {
      const modelId = String(event.args.modelId).toLowerCase();
      if (this.deps.modelChecks.has(modelId)) this.modelsToCheck.add(modelId);
      return;
    }
    if (log.address.toLowerCase() === this.deps.stakingAddress.toLowerCase()) {
      // Our stake, or the minimum every relayer needs, changed: read it again on this tick.
      if (event.name === "MinStakeUpdated" || event.args[0] === this.address) this.deps.stake.markStale();
      return;
    }
    if (event.name === "ParamsUpdated") this.deps.stake.markStale(); // the job bond may have changed
    if (event.name === "RequestCreated") {
      const terms = termsFromEvent(event.args.terms);
      const modelId = String(terms.modelId).toLowerCase();
      const model = policy.models.get(modelId);
      store.insert({
        requestId: event.args.requestId as bigint,
        modelId,
        model: model?.name ?? "",
        mode: PROOF_MODES[Number(terms.proofMode)],
        terms,
        input: event.args.input as string,
        createdBlock: log.blockNumber,
        createdLogIndex: log.index,
        // A model we run is looked at even in a mode we do not answer: the watchtower checks those answers.
        state: model ? "new" : "ignored",
      });
    }
    if (event.name === "MaxComputeFeeRaised") {
      // Our calls must carry the coordinator's current terms, or every one of them fails.
      store.recordRaise(event.args.requestId as bigint, event.args.maxComputeFee as bigint, {
        block: log.blockNumber,
        logIndex: log.index,
      });
    }
    if (event.name === "RequestFulfilled" && (event.args.payee as string) === this.address) {
      this.deps.metrics.earnings.inc({ kind: "compute" }, Number(event.args.computeFee as bigint));
    }
    this.countDispute(event);
    const requestId = event.args[0];
    if (typeof requestId === "bigint" && event.fragment.inputs[0]?.name === "requestId") this.dirty.add(requestId);
  }

  /** Disputes over our answers, for the operator's alerts: challenged, then defended or lost. */
  private countDispute(event: LogDescription): void {
    const { metrics, store } = this.deps;
    const ours = event.args.relayer === this.address;
    const requestId = event.args.requestId as bigint;
    if (event.name === "OptimisticSubmitted" && ours) this.postedByUs.add(requestId);
    if (event.name === "Challenged" && (this.postedByUs.has(requestId) || store.get(requestId)?.state === "submitted"))
      metrics.disputes.inc({ outcome: "opened" });
    if (event.name === "RequestFulfilled" || event.name === "RequestReopened" || event.name === "RequestRefunded")
      this.postedByUs.delete(requestId);
    if (event.name === "Defended" && ours) metrics.disputes.inc({ outcome: "defended" });
    if ((event.name === "FraudProven" || event.name === "DisputeTimedOut") && ours) metrics.disputes.inc({ outcome: "lost" });
  }

  onReorg(): void {
    // The store has forgotten the undone requests and revived the recent finished jobs;
    // what we sent or checked after the ancestor may be undone too: re-derive everything.
    this.deps.submitter.resync();
    for (const job of this.deps.store.active()) this.dirty.add(job.requestId);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.tick();
        this.consecutiveFailures = 0;
        this.lastTickAt = Date.now();
      } catch (error) {
        this.consecutiveFailures++;
        this.deps.metrics.rpcErrors.inc();
        this.deps.log.warn({ error: (error as Error).message, failures: this.consecutiveFailures }, "tick failed; backing off");
      }
      // Exponential backoff while the RPC fails, capped at 30 s.
      const delay = Math.min(30_000, this.deps.pollIntervalMs * 2 ** Math.min(this.consecutiveFailures, 8));
      await sleep(delay);
    }
  }

  private async tick(): Promise<void> {
    await this.deps.watcher.poll(this);
    await this.checkModelsNamedByEvents();
    await this.deps.stake.refresh();
    const now = await this.chainTime();
    const work: Promise<void>[] = [];
    for (const job of this.deps.store.active()) {
      const id = job.requestId;
      if (this.busy.has(id)) continue;
      // Jobs someone else must move on, and requests set aside, change only through events, or when a window ends.
      if ((job.state === "watching" || job.state === "skipped") && !this.dirty.has(id) && !((this.wakeAt.get(id) ?? Infinity) <= now))
        continue;
      // A job in a batch queue waits there (flushBatches sends it); an event about it has it looked at again.
      if (this.isQueued(id) && !this.dirty.has(id)) continue;
      this.dirty.delete(id);
      this.busy.add(id);
      work.push(
        this.reconcile(id, now)
          .catch((error) => {
            this.dirty.add(id);
            // The prover failing on this job counts against it; an RPC failure is no fault of the job's.
            if (error instanceof OutputError) this.deps.store.recordFailure(id, error.message);
            this.deps.log.warn({ request: id.toString(), error: (error as Error).message }, "job step failed; will retry");
          })
          .finally(() => this.busy.delete(id)),
      );
    }
    this.updateJobGauge();
    this.vote();
    // Wait for the chain reads and cheap steps; proving runs on in the background.
    await Promise.race([Promise.all(work), sleep(this.deps.pollIntervalMs)]);
    this.flushBatches();
  }

  /** Lets the committee seat take its due steps (draws, our votes, resolutions) in the background, one round at a time. */
  private vote(): void {
    const committee = this.deps.committee;
    if (!committee || this.voting || this.stopping) return;
    this.voting = committee.voter
      .tick()
      .catch((error) => this.deps.log.warn({ error: (error as Error).message }, "committee step failed; will retry"))
      .finally(() => (this.voting = undefined));
  }

  /** Sends each batch queue that is due (batching.ts): a batch, each job alone, or nothing yet. */
  private flushBatches(): void {
    const batching = this.deps.batching;
    if (!batching) return;
    for (const [key, queue] of this.queues) {
      const model = key.slice(key.indexOf(":") + 1);
      const proving = key.startsWith("fulfillZk:");
      const rule = proving
        ? { size: batching.models.get(model)?.size ?? 1, minBatch: batching.minBatch, maxWaitMs: batching.maxWaitMs }
        : UNPROVEN_RULE;
      const plan = planBatch(
        [...queue.values()].map((q) => ({ requestId: q.job.requestId, queuedAtMs: q.queuedAtMs })),
        rule,
        Date.now(),
        proving && batching.idleProvers() === 0,
      );
      if (plan.kind === "empty" || plan.kind === "wait") continue;
      const groups = plan.kind === "batch" ? [plan.requestIds] : plan.requestIds.map((id) => [id]);
      for (const ids of groups) {
        const taken = ids.map((id) => queue.get(id)!);
        for (const id of ids) {
          queue.delete(id);
          this.busy.add(id);
        }
        const done = ids.length > 1 ? this.sendBatch(model, taken) : this.send(taken[0].job, taken[0].step).then(() => undefined);
        void done
          .catch((error) => {
            for (const { job } of taken) if (error instanceof OutputError) this.deps.store.recordFailure(job.requestId, error.message);
            this.deps.log.warn({ requests: ids.map(String), error: (error as Error).message }, "batch step failed; will retry");
          })
          .finally(() => {
            for (const id of ids) {
              this.busy.delete(id);
              this.dirty.add(id);
            }
          });
      }
    }
  }

  /** Queues a claim, an optimistic answer or its finalization, or a zk answer of a model with a batched circuit; false when the step goes alone now. */
  private queueForBatch(job: Job, step: SendStep, queuedAtMs: number | undefined): boolean {
    const batching = this.deps.batching;
    if (!batching || !BATCHED_ACTIONS.has(step.action)) return false;
    // Any claim, optimistic answer or finalization may go in a batch; a zk answer in a batch proof only with the model's batched verifier.
    const model = batching.models.get(job.model);
    if (step.action === "fulfillZk" && (!model || model.size < 2 || !batchable(job, model.since))) return false;
    const key = `${step.action}:${job.model}`;
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = new Map()));
    queue.set(job.requestId, { job, step, queuedAtMs: queuedAtMs ?? Date.now() });
    return true;
  }

  private isQueued(requestId: bigint): boolean {
    for (const queue of this.queues.values()) if (queue.has(requestId)) return true;
    return false;
  }

  /** Takes a job out of the batch queues (its next step is decided again); when it had been queued since. */
  private dequeue(requestId: bigint): number | undefined {
    for (const queue of this.queues.values()) {
      const queued = queue.get(requestId);
      if (queued) {
        queue.delete(requestId);
        return queued.queuedAtMs;
      }
    }
    return undefined;
  }

  /**
   * One transaction for several jobs of `model` that take the same step: `claimBatch`, `submitOptimisticBatch`,
   * `finalizeBatch`, or a batch proof and `fulfillZkBatch`. The receipt says which went through (the coordinator's events name
   * us); the others were skipped (taken, answered, late) and are looked at again.
   */
  private async sendBatch(model: string, queued: readonly QueuedStep[]): Promise<void> {
    const batching = this.deps.batching!;
    const action = queued[0].step.action as BatchedAction;
    const jobs = queued.map((q) => q.job);
    const ids = jobs.map((job) => job.requestId);
    const terms = jobs.map((job) => job.terms);
    let data: string;
    if (action === "claim") {
      data = batching.fulfillerInterface.encodeFunctionData("claimBatch", [ids, terms]);
    } else if (action === "submitOptimistic" || action === "finalize") {
      const outputs = await Promise.all(jobs.map((job) => this.deps.outputs.output(job)));
      if (action === "submitOptimistic") for (const job of jobs) if (job.state !== "ready") this.moveTo(job, "ready");
      data = batching.fulfillerInterface.encodeFunctionData(BATCH_FUNCTION[action], [ids, terms, outputs]);
    } else {
      const started = Date.now();
      let proved;
      try {
        proved = await batching.proveBatch(
          model,
          jobs.map((job) => decodeTensor(job.input)),
        );
      } catch (error) {
        throw new OutputError(`the prover failed to make the batch proof of ${ids.length} requests: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        // A worker is free: a partial batch that waited for one goes now, not at the next tick.
        this.flushBatches();
      }
      this.deps.metrics.proveSeconds.observe({ model, mode: "batch" }, (Date.now() - started) / 1000);
      const size = batching.models.get(model)!.size;
      const inputLength = decodeTensor(jobs[0].input).length;
      const outputInstances = proved.instances.slice(size * inputLength);
      for (const job of jobs) if (job.state !== "ready") this.moveTo(job, "ready");
      data = batching.fulfillerInterface.encodeFunctionData("fulfillZkBatch", [
        batching.models.get(model)!.modelId,
        ids,
        terms,
        jobs.map((job) => job.input),
        outputInstances,
        proved.proof,
      ]);
    }
    const reserved = action === "claim" ? terms.reduce((sum, t) => sum + BigInt(t.jobBond), 0n) : 0n;
    this.reservedBond += reserved;
    let result: SendResult;
    try {
      result = await this.deps.submitter.send(BATCH_FUNCTION[action], { to: batching.fulfiller, data });
    } finally {
      this.reservedBond -= reserved;
    }
    if (!result.ok) {
      for (const { job, step } of queued) this.settleLoss(job, step, result);
      return;
    }
    const ours = new Set<bigint>();
    for (const log of result.receipt.logs) {
      if (log.address.toLowerCase() !== (await this.deps.coordinator.getAddress()).toLowerCase()) continue;
      const event = this.deps.coordinator.interface.parseLog(log);
      if (event?.name === "RequestClaimed" && event.args.relayer === this.address) ours.add(event.args.requestId as bigint);
      if (event?.name === "OptimisticSubmitted" && event.args.relayer === this.address) ours.add(event.args.requestId as bigint);
      if (event?.name === "RequestFulfilled" && event.args.payee === this.address) ours.add(event.args.requestId as bigint);
    }
    this.deps.log.info(
      { requests: ids.length, through: ours.size, action, gas: result.gasUsed.toString() },
      `${BATCH_FUNCTION[action]} mined`,
    );
    for (const { job, step } of queued) {
      if (ours.has(job.requestId)) this.recordMined(job, step, result.receipt.hash);
      else this.moveTo(job, step.lost, { note: `skipped in a batch ${action}` });
    }
  }

  /** Checks again the models that registry events named; a model whose standing changed has its jobs looked at again. */
  private async checkModelsNamedByEvents(): Promise<void> {
    for (const modelId of [...this.modelsToCheck]) {
      const changed = await this.deps.modelChecks.check(modelId);
      this.modelsToCheck.delete(modelId);
      if (changed) for (const job of this.deps.store.active()) if (job.modelId === modelId) this.dirty.add(job.requestId);
    }
  }

  /** Observes, decides, acts, and again after each mined transaction, until a step waits or a send does not go through. */
  private async reconcile(requestId: bigint, now: number): Promise<void> {
    for (let steps = 0; steps < MAX_STEPS_PER_TICK; steps++) {
      const job = this.deps.store.get(requestId);
      if (!job) return; // forgotten after a reorg
      const step = decide(job, await this.observe(job), now, this.deps.policy);
      if (!(await this.execute(job, step))) return;
    }
    this.dirty.add(requestId);
  }

  /** The request's on-chain state, with what that state calls for us to know. */
  private async observe(job: Job): Promise<ChainView> {
    const { coordinator, staking } = this.deps;
    const [, request] = await coordinator.getRequest(job.requestId);
    const status = requestStatusName(request.status);
    const ours = request.relayer === this.address;
    const phaseEndsAt = Number(request.phaseEndsAt);
    switch (status) {
      case "open": {
        const [gasPriceWei, record] = await Promise.all([this.gasPrice(), staking.relayerOf(this.address)]);
        return {
          status,
          gasPriceWei,
          freeStake: record.stake - record.locked - this.reservedBond,
          secondsToAnswer: this.secondsToAnswer(job),
          formerClaimant: ours,
          reopenedAt: phaseEndsAt,
        };
      }
      case "claimed":
        return { status, ours, phaseEndsAt };
      case "pending":
      case "disputed": {
        if (ours) return { status, ours, phaseEndsAt };
        const [[, posted], gasPriceWei] = await Promise.all([coordinator.postedAnswer(job.requestId, job.terms), this.gasPrice()]);
        return {
          status,
          ours,
          phaseEndsAt,
          posted,
          claimedAt: Number(request.claimedAt),
          gasPriceWei,
        };
      }
      default:
        return { status };
    }
  }

  private async gasPrice(): Promise<bigint> {
    const fees = await this.deps.provider.getFeeData();
    return fees.gasPrice ?? fees.maxFeePerGas ?? 0n;
  }

  /** Our measured time to make the job's answer: a witness for an optimistic answer, a proof for a zk one. */
  private secondsToAnswer(job: Job): number {
    const seconds = this.deps.provingTimes.estimateSeconds(job.model, job.mode === "zk" ? "proof" : "witness");
    this.deps.metrics.answerEstimateSeconds.set({ model: job.model, mode: job.mode }, seconds);
    return seconds;
  }

  /** Carries out one step; true when the job may have another step right away. */
  private async execute(job: Job, step: Step): Promise<boolean> {
    const id = job.requestId;
    const queuedAtMs = this.dequeue(id);
    if (step.kind === "wait") {
      // A watched job's new note in the same state (a declined challenge, a refused model) is recorded too, so the
      // store says why; watched jobs are looked at only on events, so this is no write per tick (a waiting job's would be).
      const entering = step.state !== job.state;
      const newNote = step.state === "watching" && step.note !== undefined && step.note !== job.note;
      if (entering || newNote) this.moveTo(job, step.state, { note: step.note });
      // Set aside or given up: the operator should hear why, once.
      if (entering && step.state === "skipped") this.deps.log.info({ request: id.toString() }, `not claimed: ${step.note}`);
      if (entering && step.state === "failed") this.deps.log.warn({ request: id.toString() }, step.note ?? "job given up");
      if (step.wakeAt === undefined) this.wakeAt.delete(id);
      else this.wakeAt.set(id, step.wakeAt);
      return false;
    }
    this.wakeAt.delete(id);
    if (step.kind === "check") {
      if (step.state !== job.state) this.moveTo(job, step.state);
      await this.deps.watchtower.check(job);
      return true;
    }
    if (step.state !== job.state) this.moveTo(job, step.state, { note: step.note });
    if (step.note) this.deps.log.info({ request: id.toString(), action: step.action }, step.note);
    // A claim or zk answer of a model with a batched circuit waits in its queue (flushBatches sends it).
    if (this.queueForBatch(job, step, queuedAtMs)) return false;
    return this.send(job, step);
  }

  private async send(job: Job, step: SendStep): Promise<boolean> {
    const call = await this.callFor(job, step.action);
    if (!call) return false;
    const reserved = step.action === "claim" ? BigInt(job.terms.jobBond) : 0n;
    this.reservedBond += reserved;
    let result: SendResult;
    try {
      result = await this.deps.submitter.send(step.action, call);
    } finally {
      this.reservedBond -= reserved;
    }
    if (!result.ok) {
      this.settleLoss(job, step, result);
      return false;
    }
    this.recordMined(job, step, result.receipt.hash);
    this.deps.log.info({ request: job.requestId.toString(), action: step.action, gas: result.gasUsed.toString() }, `${step.action} mined`);
    return true;
  }

  /** The transaction for `action`; nothing when the watchtower cannot afford a challenge. */
  private async callFor(job: Job, action: Action): Promise<Call | undefined> {
    const { coordinator, outputs, watchtower, disputes } = this.deps;
    const { requestId: id, terms } = job;
    const toCoordinator = async (data: string): Promise<Call> => ({ to: await coordinator.getAddress(), data });
    switch (action) {
      case "claim":
        // Never claim what we cannot answer: the output (a witness) is made first, and a prover failure
        // here counts against the job (maxJobFailures) instead of costing a claimed request's bond.
        await outputs.output(job);
        return toCoordinator(coordinator.interface.encodeFunctionData("claim", [id, terms]));
      case "fulfillZk": {
        const { output, proof } = await outputs.proven(job);
        if (job.state !== "ready") this.moveTo(job, "ready");
        return toCoordinator(coordinator.interface.encodeFunctionData("fulfillZk", [id, terms, job.input, output, proof]));
      }
      case "submitOptimistic": {
        const output = await outputs.output(job);
        if (job.state !== "ready") this.moveTo(job, "ready");
        return toCoordinator(coordinator.interface.encodeFunctionData("submitOptimistic", [id, terms, output]));
      }
      case "finalize":
        return toCoordinator(coordinator.interface.encodeFunctionData("finalize", [id, terms, await outputs.output(job)]));
      case "reopen":
        return toCoordinator(coordinator.interface.encodeFunctionData("reopen", [id, terms]));
      case "defend": {
        const { output, proof } = await outputs.proven(job);
        return disputes.defend(id, terms, job.input, output, proof);
      }
      case "commitChallenge":
        return watchtower.commitChallenge(job, (await coordinator.postedAnswer(id, terms))[1]);
      case "challenge":
        return watchtower.challenge(job);
      case "proveFraud":
        return watchtower.proveFraud(job);
      case "resolveDisputeTimeout":
        return watchtower.resolveDisputeTimeout(job);
    }
  }

  private recordMined(job: Job, step: SendStep, txHash: string): void {
    const { metrics } = this.deps;
    if (step.action === "claim") return this.moveTo(job, step.mined, { claimTx: txHash });
    if (step.action === "fulfillZk" || step.action === "submitOptimistic") {
      const answeredAtMs = Date.now();
      metrics.answerSeconds.observe({ mode: job.mode }, (answeredAtMs - job.seenAtMs) / 1000);
      return this.moveTo(job, step.mined, { answerTx: txHash, answeredAtMs });
    }
    if (step.action === "proveFraud") metrics.earnings.inc({ kind: "fraud-proof" }, Number(job.terms.jobBond));
    this.moveTo(job, step.mined);
  }

  /** A send that did not go through: the next look at the chain says why; a lost race is not an error, any other failure counts against the job. */
  private settleLoss(job: Job, step: SendStep, result: Extract<SendResult, { ok: false }>): void {
    const fields = { request: job.requestId.toString(), action: step.action, error: result.error, sent: result.sent };
    const kind = lossKind(result.error);
    if (kind === "too-early") this.deps.log.debug(fields, `${step.action}: not yet`);
    else if (kind === "race") this.deps.log.info(fields, `${step.action}: another party got there first`);
    else {
      this.deps.log.warn(fields, `${step.action} failed`);
      this.deps.store.recordFailure(job.requestId, `${step.action}: ${result.error}`);
    }
    this.dirty.add(job.requestId);
    this.moveTo(job, step.lost, { note: `${step.action}: ${result.error}` });
  }

  private moveTo(
    job: Job,
    state: JobState,
    fields: { note?: string; claimTx?: string; answerTx?: string; answeredAtMs?: number } = {},
  ): void {
    this.deps.store.update(job.requestId, state, fields);
    job.state = state;
  }

  private updateJobGauge(): void {
    this.deps.metrics.jobs.reset();
    for (const [state, count] of Object.entries(this.deps.store.countsByState())) this.deps.metrics.jobs.set({ state }, count);
  }

  /** The earliest timestamp the next block can have: the latest block's, or now if the chain is idle. */
  private async chainTime(): Promise<number> {
    const block = await this.deps.provider.getBlock("latest");
    if (!block) throw new Error("the RPC returned no latest block");
    return Math.max(block.timestamp, Math.floor(Date.now() / 1000));
  }
}

/** What a send that did not go through means for its job: not yet, a race lost to another party, or a failure of ours. */
export function lossKind(error: string): "too-early" | "race" | "failure" {
  if (TOO_EARLY_ERRORS.has(error)) return "too-early";
  return RACE_ERRORS.has(error) ? "race" : "failure";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
