/**
 * When to claim several requests in one transaction, when to post (or finalize) several optimistic answers
 * in one, and when to answer several zk requests of one model with one batch proof (pure: no I/O, no clock).
 *
 * Jobs whose next step is a claim (any request), an optimistic answer or its finalization, or a zk answer of a model with
 * a batched circuit, queue per model and step instead of being sent one by one. A queue goes as soon
 * as it holds a whole batch, or once its oldest job has waited `maxWaitMs`: then, if it holds at least
 * `minBatch`, as one partial batch (padded by the circuit), else each job alone. A batch proof
 * costs the whole circuit whatever the requests in it, so a few requests are answered faster
 * alone; claims and optimistic answers (and finalizations) cost no proof, so their batches go with any two. Claimed
 * together, requests reach the answer queue together: a burst fills whole batches with no wait, and
 * a lone request is claimed and answered alone, as without batching.
 */

/** A job waiting in a batch queue since `queuedAtMs`. */
export interface Queued {
  requestId: bigint;
  queuedAtMs: number;
}

/** When a queue goes (see the file's comment). */
export interface BatchRule {
  /** The most in one batch. */
  size: number;
  /** The fewest that go as a batch rather than alone. */
  minBatch: number;
  /** How long the oldest waits for more before the queue goes. */
  maxWaitMs: number;
}

/** What to do with one queue now. */
export type BatchPlan =
  /** Send these together (`minBatch` to `size`, oldest first). */
  | { kind: "batch"; requestIds: bigint[] }
  /** Send each of these alone, as without batching. */
  | { kind: "alone"; requestIds: bigint[] }
  /** Nothing yet: look again at `wakeAtMs` (with the prover busy, as soon as a worker is free). */
  | { kind: "wait"; wakeAtMs: number }
  | { kind: "empty" };

/** The most claims one `claimBatch`, or optimistic answers one `submitOptimisticBatch` or `finalizeBatch`, carries. */
export const UNPROVEN_BATCH_SIZE = 8;

/** Claims, optimistic answers and finalizations: any two or more queued go together at once (no proof to wait for). */
export const UNPROVEN_RULE: BatchRule = { size: UNPROVEN_BATCH_SIZE, minBatch: 2, maxWaitMs: 0 };

/**
 * What to do with `queue` now. `proverBusy`: no prover worker is free, so a partial batch (or a lone proof) would
 * only wait in the prover's queue, where no more requests can join it: it waits here instead, and goes whole, or
 * partial once a worker is free. Under load a batch proof, which costs the same whatever it holds, fills up.
 */
export function planBatch(queue: readonly Queued[], rule: BatchRule, nowMs: number, proverBusy = false): BatchPlan {
  if (queue.length === 0) return { kind: "empty" };
  const oldestFirst = [...queue].sort((a, b) => a.queuedAtMs - b.queuedAtMs).map((q) => q.requestId);
  if (oldestFirst.length >= rule.size) return { kind: "batch", requestIds: oldestFirst.slice(0, rule.size) };
  const dueAtMs = queue.reduce((oldest, q) => Math.min(oldest, q.queuedAtMs), Infinity) + rule.maxWaitMs;
  if (nowMs < dueAtMs || proverBusy) return { kind: "wait", wakeAtMs: Math.max(dueAtMs, nowMs) };
  if (oldestFirst.length >= Math.max(2, rule.minBatch)) return { kind: "batch", requestIds: oldestFirst };
  return { kind: "alone", requestIds: oldestFirst };
}

/**
 * Whether a job may go in a batch answer of its model: a zk request (a batch answer is a zk answer) made
 * after the model's batched verifier was registered (`since`: the coordinator's batch fulfiller
 * refuses older requests, whose requesters saw only the single verifier). Any request's claim may go in a
 * `claimBatch`.
 */
export function batchable(job: { mode: string; terms: { createdAt: bigint | number | string } }, since: number | undefined): boolean {
  return job.mode === "zk" && since !== undefined && Number(job.terms.createdAt) > since;
}
