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
 *
 * The relayer's own rules on top: a request is claimed only when our measured time to
 * answer it, with a margin, fits within its delivery window (which the coordinator gives
 * every claim whole before the deadline); a
 * model whose registration does not match the artifacts we prove with is neither served
 * nor watched; a watchtower verdict holds for the posted output it was made on, never
 * for the request; a challenge is sent only when its expected profit, net of the
 * protocol's share and our gas, reaches `watchtower.minProfit`, in two steps (a
 * commitment, mined, then its reveal in a later block: DisputeGame's commit-reveal, so a
 * copy of either is worthless to a copier); and a job whose own
 * steps failed `maxJobFailures` times is given up.
 */
import { auctionPrice } from "../../sdk/fees.js";
import type { ProofMode } from "../../sdk/protocol.js";
import { challengeProfit, fraudProofProfit, worthClaiming, type FraudInputs } from "./pricing.js";
import type { Job, JobState, Verdict } from "./store.js";

export type { Verdict } from "./store.js";

/** What `decide` reads of a job. */
export type DecidedJob = Pick<Job, "modelId" | "mode" | "state" | "terms" | "checked" | "commit" | "failures" | "lastFailure">;

/** What the relayer observed of the request: its on-chain status, with what that status calls for. */
export type ChainView =
  | { status: "none" | "fulfilled" | "refunded" }
  | OpenView
  /** `ours`: we are the relayer that claimed it; `phaseEndsAt`: the end of the delivery window. */
  | { status: "claimed"; ours: boolean; phaseEndsAt: number }
  /** Our answer; `phaseEndsAt`: the end of the challenge window (pending) or of the defence window (disputed). */
  | { status: "pending" | "disputed"; ours: true; phaseEndsAt: number }
  | TheirAnswer;

/**
 * An Open request, with the gas price, our stake free for a new job bond (claims in flight
 * already counted), and our measured time to make this request's answer (a witness, or a
 * proof for zk). After a reopen the coordinator keeps the claimant that lost it, which may
 * never claim it again, and the reopen's time, before which nobody may claim.
 */
export interface OpenView {
  status: "open";
  gasPriceWei: bigint;
  freeStake: bigint;
  secondsToAnswer: number;
  /** We are the claimant that lost this request (a reopen or a dispute timeout): the coordinator refuses our claim. */
  formerClaimant: boolean;
  /** When it was reopened (0 if never): a claim must come in a later second. */
  reopenedAt: number;
}

/** Another relayer's optimistic answer, in its challenge window (pending) or disputed. */
export interface TheirAnswer {
  status: "pending" | "disputed";
  ours: false;
  /** The end of the challenge window (pending) or of the defence window (disputed). */
  phaseEndsAt: number;
  /** The hash of the output posted now (what the coordinator keeps of it): a verdict holds for this output alone. */
  posted: string;
  /** When the answering relayer claimed: its compute fee, which a fraud proof earns, is the auction's price then. */
  claimedAt: number;
  gasPriceWei: bigint;
}

/** A model this relayer runs. */
export interface ServedModel {
  /** Its circuit's name, which the prover knows it by, or its runtime spec's name (a language model). */
  name: string;
  /**
   * A circuit model (its disputes are the dispute game's: defences and fraud proofs) or a language model
   * (optimistic only; its disputes are voted on by a committee of relayers, relayer/llm/committee.ts).
   */
  kind: "circuit" | "language";
  /** The proof modes we answer; the watchtower also checks answers in the others. */
  modes: readonly ProofMode[];
  /** What one job costs us beyond gas, in payment-token units. */
  computeCost: bigint;
  /**
   * Why we refuse the model, naming the registration's field that does not match the
   * artifacts we prove with (model-checks.ts); undefined while it matches.
   */
  refusal?: string;
}

/** The operator's choices that `decide` applies (from the config). */
export interface Policy {
  /** The models we run, by lower-case model id. */
  models: ReadonlyMap<string, ServedModel>;
  pricing: { margin: number; tokenUnitsPerWei: number };
  /** `minProfit`: the least expected profit, in token units, of a challenge and its fraud proof. */
  watchtower: { enabled: boolean; minProfit: bigint };
  /** Seconds kept in hand beyond our measured time to answer: for the claim and the answer to be mined and confirmed. */
  deadlineMarginSeconds: number;
  /** Failures of our own steps after which a job is given up. */
  maxJobFailures: number;
}

/** The transactions a job can need, by the contract function they call. */
export type Action =
  | "claim"
  | "fulfillZk"
  | "submitOptimistic"
  | "finalize"
  | "defend"
  | "reopen"
  | "commitChallenge"
  | "challenge"
  | "proveFraud"
  | "resolveDisputeTimeout";

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
  if (chain.status === "fulfilled" || chain.status === "refunded") return wait("done", chain.status);
  if (job.failures >= policy.maxJobFailures) return wait("failed", `gave up after ${job.failures} failures; the last: ${job.lastFailure}`);
  // A model whose verifier or registration does not match our artifacts can slash us or fool us: no step at all.
  if (model.refusal !== undefined) return wait("watching", `${model.name} is refused: ${model.refusal}`);
  switch (chain.status) {
    case "none":
      // Not (or no longer) on the chain: the watcher's rewind after a reorg deals with it.
      return wait(job.state);
    case "open":
      return decideOpen(job, chain, now, model, policy);
    case "claimed":
      return chain.ours ? answer(job, now) : afterHoldersWindow(job, chain.phaseEndsAt, now, "reopen");
    case "pending":
      return chain.ours ? finalizeWhenDue(chain.phaseEndsAt, now) : watchPending(job, chain, now, model, policy);
    case "disputed":
      if (model.kind === "language")
        // No defence, no fraud proof, no timeout: a committee re-runs the request and its vote settles it.
        return wait(
          chain.ours ? "submitted" : job.state === "challenging" ? "challenging" : "watching",
          "a committee is voting on the answer",
        );
      return chain.ours ? defendInTime(chain.phaseEndsAt, now) : watchDispute(job, chain, now, model, policy);
  }
}

function decideOpen(job: DecidedJob, market: OpenView, now: number, model: ServedModel, policy: Policy): Step {
  const { terms } = job;
  const deadline = Number(terms.deadline);
  if (now > deadline) return wait("done", "deadline passed while open");
  if (!model.modes.includes(job.mode)) return wait("watching", `we do not answer ${job.mode} requests of ${model.name}`);
  if (market.formerClaimant) return wait("watching", "we lost this request's claim: the coordinator refuses us another (FormerClaimant)");
  // A claim we cannot answer in its delivery window costs part of our bond: claim only what our measured speed answers in it.
  // The coordinator gives every claim a whole window before the deadline, so that answer also comes before the deadline.
  const needed = Math.ceil(market.secondsToAnswer) + policy.deadlineMarginSeconds;
  // Set aside until an event about it (a raise, a claim by another relayer), or its deadline passing, has it looked at again.
  if (needed > Number(terms.deliveryWindow))
    return wait(
      "skipped",
      `an answer needs ${needed} s (our measured time and the margin), more than the ${terms.deliveryWindow} s delivery window`,
      deadline + 1,
    );
  // Claims close a delivery window before the deadline (ClaimTooLate); a reopened request is claimable from the next second (ClaimTooSoon).
  const lastClaimAt = deadline - Number(terms.deliveryWindow);
  if (now > lastClaimAt) return wait("watching", `too late to claim: claims close ${Number(terms.deliveryWindow)} s before the deadline`);
  if (now <= market.reopenedAt)
    return wait("waiting", "reopened this second: claimable from the next (ClaimTooSoon)", market.reopenedAt + 1);
  const offered = auctionPrice(
    BigInt(terms.startComputeFee),
    BigInt(terms.maxComputeFee),
    BigInt(terms.createdAt),
    BigInt(terms.auctionDuration),
    BigInt(now),
  );
  const worth = worthClaiming({
    offeredFee: offered,
    mode: job.mode,
    callbackGasLimit: BigInt(terms.callbackGasLimit),
    gasPriceWei: market.gasPriceWei,
    tokenUnitsPerWei: policy.pricing.tokenUnitsPerWei,
    computeCost: model.computeCost,
    margin: policy.pricing.margin,
  });
  if (!worth) return wait("waiting", `offered ${offered} does not cover our cost yet`);
  if (market.freeStake < BigInt(terms.jobBond)) return wait("waiting", "not enough free stake");
  // A request first met now: new, priced or timed out before, or set aside by a run that did not serve its model.
  const again = !["new", "waiting", "skipped", "ignored"].includes(job.state);
  return send("claim", {
    state: "claiming",
    mined: "claimed",
    lost: "waiting",
    note: again ? `the request is open again (was ${job.state})` : undefined,
  });
}

/** We hold the claim: answer, unless the deadline passed (the coordinator would refuse; the request can only expire). */
function answer(job: DecidedJob, now: number): Step {
  if (now > Number(job.terms.deadline)) return wait("done", "the deadline passed before we answered");
  const zk = job.mode === "zk";
  // Outputs (and the proof) are made and stored before the answer is sent: a lost send leaves the job ready.
  return send(zk ? "fulfillZk" : "submitOptimistic", {
    state: job.state === "ready" ? "ready" : "claimed",
    mined: zk ? "done" : "submitted",
    lost: "ready",
  });
}

/**
 * Another relayer holds the request: once its window has passed, anyone may move the
 * request on, and nothing should wait on that relayer coming back. Until then, wake at
 * the window's end.
 */
function afterHoldersWindow(job: DecidedJob, phaseEndsAt: number, now: number, action: "reopen" | "resolveDisputeTimeout"): Step {
  if (now <= phaseEndsAt) return wait("watching", undefined, phaseEndsAt + 1);
  if (action === "reopen" && now > Number(job.terms.deadline))
    return wait("watching", "the holder's window and the deadline passed: the request can only expire");
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

/**
 * The watchtower's verdict on the output posted now. A request can be answered more than
 * once (a dispute that times out reopens it), so a verdict on an earlier output says
 * nothing about this one.
 */
function verdictOn(job: DecidedJob, answer: TheirAnswer): Verdict | undefined {
  return job.checked?.output === answer.posted ? job.checked.verdict : undefined;
}

/** What a fraud proof of this answer earns and costs. */
function fraudInputs(job: DecidedJob, answer: TheirAnswer, model: ServedModel, policy: Policy): FraudInputs {
  const { terms } = job;
  return {
    jobBond: BigInt(terms.jobBond),
    disputeProtocolShareBps: BigInt(terms.disputeProtocolShareBps),
    computeFee: auctionPrice(
      BigInt(terms.startComputeFee),
      BigInt(terms.maxComputeFee),
      BigInt(terms.createdAt),
      BigInt(terms.auctionDuration),
      BigInt(answer.claimedAt),
    ),
    callbackGasLimit: BigInt(terms.callbackGasLimit),
    computeCost: model.computeCost,
    gasPriceWei: answer.gasPriceWei,
    tokenUnitsPerWei: policy.pricing.tokenUnitsPerWei,
  };
}

/** Watchtower: another relayer's optimistic answer in its challenge window. */
function watchPending(job: DecidedJob, answer: TheirAnswer, now: number, model: ServedModel, policy: Policy): Step {
  if (!policy.watchtower.enabled || job.mode !== "optimistic" || now >= answer.phaseEndsAt) return wait("watching");
  const verdict = verdictOn(job, answer);
  if (verdict === undefined) return { kind: "check", state: "watching" };
  if (verdict === "right") return wait("watching");
  const profit = challengeProfit(fraudInputs(job, answer, model, policy));
  if (profit < policy.watchtower.minProfit)
    return wait("watching", `a wrong answer, but challenging it is expected to earn ${profit}, below watchtower.minProfit`);
  // Our commitment is mined (state "committed") on this very output: reveal it (a later block than the commit's).
  if (job.state === "committed" && job.commit?.output === answer.posted)
    return send("challenge", { state: "committed", mined: "challenging", lost: "committed" });
  return send("commitChallenge", { state: "watching", mined: "committed", lost: "watching" });
}

/**
 * Another relayer's answer is disputed (by us or anyone): prove it wrong if it is (a
 * dispute of ours always; someone else's when the compute fee alone pays for it), else
 * let its defence window run out.
 */
function watchDispute(job: DecidedJob, answer: TheirAnswer, now: number, model: ServedModel, policy: Policy): Step {
  if (policy.watchtower.enabled && job.mode === "optimistic") {
    const state = job.state === "challenging" ? "challenging" : "watching";
    const verdict = verdictOn(job, answer);
    if (verdict === undefined) return { kind: "check", state };
    const worthProving =
      state === "challenging" || fraudProofProfit(fraudInputs(job, answer, model, policy)) >= policy.watchtower.minProfit;
    if (verdict === "wrong" && worthProving) return send("proveFraud", { state, mined: "done", lost: state });
  }
  return afterHoldersWindow(job, answer.phaseEndsAt, now, "resolveDisputeTimeout");
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
