/**
 * The job state machine: from a job, what the relayer observed of its request, and
 * the chain's time, the one next step. Pure (no I/O, no clock, no ethers calls): the
 * relayer loop gathers the observation, calls `decide`, carries the step out, and asks
 * again after every transaction of ours that is mined, so the chain stays the truth.
 *
 * The windows follow the coordinator's checks: a claim and an answer need the deadline
 * not passed; `finalize` needs the challenge window over and `challenge` needs it open;
 * `defend` needs the defence window open; `reopen` (a claim not answered in time) and
 * `resolveDisputeTimeout` (a dispute not defended in time) need the holder's window over.
 */
import { auctionPrice } from "../../sdk/fees.js";
import type { ProofMode } from "../../sdk/protocol.js";
import { worthClaiming } from "./pricing.js";
import type { Job, JobState } from "./store.js";

/** What `decide` reads of a job. */
export type DecidedJob = Pick<Job, "modelId" | "mode" | "state" | "terms">;

/** The watchtower's finding on another relayer's posted optimistic output, once it recomputed it. */
export type Verdict = "right" | "wrong";

/** What the relayer observed of the request: its on-chain status, with what that status calls for. */
export type ChainView =
  | { status: "none" | "fulfilled" | "refunded" }
  /** Open, with the gas price and our stake free for a new job bond (claims in flight already counted). */
  | { status: "open"; gasPriceWei: bigint; freeStake: bigint }
  /** `ours`: we are the relayer that claimed it; `phaseEndsAt`: the end of the delivery window. */
  | { status: "claimed"; ours: boolean; phaseEndsAt: number }
  /** `ours`: the answer is ours; `phaseEndsAt`: the end of the challenge window (pending) or of the defence window (disputed). */
  | { status: "pending" | "disputed"; ours: boolean; phaseEndsAt: number; verdict?: Verdict };

/** A model this relayer runs. */
export interface ServedModel {
  /** Its circuit's name, which the prover knows it by. */
  name: string;
  /** The proof modes we answer; the watchtower also checks answers in the others. */
  modes: readonly ProofMode[];
  /** What one job costs us beyond gas, in payment-token units. */
  computeCost: bigint;
}

/** The operator's choices that `decide` applies (from the config). */
export interface Policy {
  /** The models we run, by lower-case model id. */
  models: ReadonlyMap<string, ServedModel>;
  pricing: { margin: number; tokenUnitsPerWei: number };
  watchtower: { enabled: boolean; minProfit: bigint };
}

/** The transactions a job can need, by the contract function they call. */
export type Action = "claim" | "fulfillZk" | "submitOptimistic" | "finalize" | "defend" | "reopen" | "challenge" | "proveFraud" | "resolveDisputeTimeout";

export type Step =
  /** Nothing to send now: the job is in `state` (entered for `note`); a watched job needs a look again at chain time `wakeAt`. */
  | { kind: "wait"; state: JobState; note?: string; wakeAt?: number }
  /** The watchtower must recompute another relayer's posted output before anything else is decided. */
  | { kind: "check"; state: JobState }
  /** Send `action`: the job is in `state` while it is sent, in `mined` once it is, in `lost` if it does not go through. */
  | SendStep;

export interface SendStep {
  kind: "send";
  action: Action;
  state: JobState;
  mined: JobState;
  lost: JobState;
  /** Why, when the action is not ours alone to take. */
  note?: string;
}

export function decide(job: DecidedJob, chain: ChainView, now: number, policy: Policy): Step {
  const model = policy.models.get(job.modelId);
  if (!model) return wait("ignored");
  switch (chain.status) {
    case "none":
      // Not (or no longer) on the chain: the watcher's rewind after a reorg deals with it.
      return wait(job.state);
    case "fulfilled":
      return wait("done", "fulfilled");
    case "refunded":
      return wait("done", "refunded");
    case "open":
      return decideOpen(job, chain, now, model, policy);
    case "claimed":
      return chain.ours ? answer(job, now) : afterHoldersWindow(job, chain.phaseEndsAt, now, "reopen");
    case "pending":
      return chain.ours ? finalizeWhenDue(chain.phaseEndsAt, now) : watchPending(job, chain.phaseEndsAt, chain.verdict, now, policy);
    case "disputed":
      return chain.ours ? defendInTime(chain.phaseEndsAt, now) : watchDispute(job, chain.phaseEndsAt, chain.verdict, now, policy);
  }
}

function decideOpen(job: DecidedJob, market: { gasPriceWei: bigint; freeStake: bigint }, now: number, model: ServedModel, policy: Policy): Step {
  const { terms } = job;
  if (now > Number(terms.deadline)) return wait("done", "deadline passed while open");
  if (!model.modes.includes(job.mode)) return wait("watching", `we do not answer ${job.mode} requests of ${model.name}`);
  const offered = auctionPrice(BigInt(terms.startComputeFee), BigInt(terms.maxComputeFee), BigInt(terms.createdAt), BigInt(terms.auctionDuration), BigInt(now));
  const worth = worthClaiming({
    offeredFee: offered,
    mode: job.mode,
    gasPriceWei: market.gasPriceWei,
    tokenUnitsPerWei: policy.pricing.tokenUnitsPerWei,
    computeCost: model.computeCost,
    margin: policy.pricing.margin,
  });
  if (!worth) return wait("waiting", `offered ${offered} does not cover our cost yet`);
  if (market.freeStake < BigInt(terms.jobBond)) return wait("waiting", "not enough free stake");
  const again = job.state !== "new" && job.state !== "waiting";
  return send("claim", { state: "claiming", mined: "claimed", lost: "waiting", note: again ? `the request is open again (was ${job.state})` : undefined });
}

/** We hold the claim: answer, unless the deadline passed (the coordinator would refuse; the request can only expire). */
function answer(job: DecidedJob, now: number): Step {
  if (now > Number(job.terms.deadline)) return wait("done", "the deadline passed before we answered");
  const zk = job.mode === "zk";
  // Outputs (and the proof) are made and stored before the answer is sent: a lost send leaves the job ready.
  return send(zk ? "fulfillZk" : "submitOptimistic", { state: job.state === "ready" ? "ready" : "claimed", mined: zk ? "done" : "submitted", lost: "ready" });
}

/**
 * Another relayer holds the request: once its window has passed, anyone may move the
 * request on, and nothing should wait on that relayer coming back. Until then, wake at
 * the window's end.
 */
function afterHoldersWindow(job: DecidedJob, phaseEndsAt: number, now: number, action: "reopen" | "resolveDisputeTimeout"): Step {
  if (now <= phaseEndsAt) return wait("watching", undefined, phaseEndsAt + 1);
  if (action === "reopen" && now > Number(job.terms.deadline)) return wait("watching", "the holder's window and the deadline passed: the request can only expire");
  return send(action, { state: "watching", mined: "new", lost: "watching", note: `the holder's window passed: ${action}` });
}

function finalizeWhenDue(phaseEndsAt: number, now: number): Step {
  if (now < phaseEndsAt) return wait("submitted");
  return send("finalize", { state: "submitted", mined: "submitted", lost: "submitted" });
}

function defendInTime(phaseEndsAt: number, now: number): Step {
  if (now > phaseEndsAt) return wait("watching", "our answer was challenged and the defence window passed");
  return send("defend", { state: "defending", mined: "done", lost: "defending" });
}

/** Watchtower: another relayer's optimistic answer in its challenge window. */
function watchPending(job: DecidedJob, phaseEndsAt: number, verdict: Verdict | undefined, now: number, policy: Policy): Step {
  if (!policy.watchtower.enabled || job.mode !== "optimistic" || now >= phaseEndsAt) return wait("watching");
  if (verdict === undefined) return { kind: "check", state: "watching" };
  if (verdict === "right") return wait("watching");
  if (BigInt(job.terms.jobBond) < policy.watchtower.minProfit) return wait("watching", "a wrong answer, but its bond is below watchtower.minProfit");
  return send("challenge", { state: "watching", mined: "challenging", lost: "watching" });
}

/** Another relayer's answer is disputed (by us or anyone): prove it wrong if it is, else let its defence window run out. */
function watchDispute(job: DecidedJob, phaseEndsAt: number, verdict: Verdict | undefined, now: number, policy: Policy): Step {
  if (policy.watchtower.enabled && job.mode === "optimistic") {
    const state = job.state === "challenging" ? "challenging" : "watching";
    if (verdict === undefined) return { kind: "check", state };
    if (verdict === "wrong") return send("proveFraud", { state, mined: "done", lost: state });
  }
  return afterHoldersWindow(job, phaseEndsAt, now, "resolveDisputeTimeout");
}

function wait(state: JobState, note?: string, wakeAt?: number): Step {
  const step: Step = { kind: "wait", state };
  if (note !== undefined) step.note = note;
  if (wakeAt !== undefined) step.wakeAt = wakeAt;
  return step;
}

function send(action: Action, states: { state: JobState; mined: JobState; lost: JobState; note?: string }): SendStep {
  const step: SendStep = { kind: "send", action, state: states.state, mined: states.mined, lost: states.lost };
  if (states.note !== undefined) step.note = states.note;
  return step;
}
