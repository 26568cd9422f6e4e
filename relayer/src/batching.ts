/**
 * When to answer several zk requests of one model with one batch proof (pure: no I/O, no clock).
 *
 * Jobs whose next step is a claim or a zk answer, of a model with a batched circuit, queue per
 * model and step instead of being sent one by one. A queue is sent as one transaction
 * (`claimBatch`, or one batch proof and `fulfillZkBatch`) as soon as it holds a whole batch, or
 * once its oldest job has waited `maxWaitMs`: then two or more go as a partial batch (padded by
 * the circuit), and a lone job goes alone, the single-proof way, so low load waits no longer
 * than `maxWaitMs` and proves no padding.
 */

/** A job waiting in a batch queue since `queuedAtMs`. */
export interface Queued {
  requestId: bigint;
  queuedAtMs: number;
}

/** What to do with one queue now. */
export type BatchPlan =
  /** Send these together (2 to the batch size, oldest first). */
  | { kind: "batch"; requestIds: bigint[] }
  /** Send this one alone, as without batching. */
  | { kind: "single"; requestId: bigint }
  /** Nothing yet: look again at `wakeAtMs`. */
  | { kind: "wait"; wakeAtMs: number }
  | { kind: "empty" };

export function planBatch(queue: readonly Queued[], batchSize: number, nowMs: number, maxWaitMs: number): BatchPlan {
  if (queue.length === 0) return { kind: "empty" };
  const oldestFirst = [...queue].sort((a, b) => a.queuedAtMs - b.queuedAtMs);
  if (oldestFirst.length >= batchSize) return { kind: "batch", requestIds: oldestFirst.slice(0, batchSize).map((q) => q.requestId) };
  const dueAtMs = oldestFirst[0].queuedAtMs + maxWaitMs;
  if (nowMs < dueAtMs) return { kind: "wait", wakeAtMs: dueAtMs };
  if (oldestFirst.length === 1) return { kind: "single", requestId: oldestFirst[0].requestId };
  return { kind: "batch", requestIds: oldestFirst.map((q) => q.requestId) };
}

/** The most claims one `claimBatch` carries, for a model without a batched circuit. */
export const CLAIM_BATCH_SIZE = 8;

/**
 * Whether a job may go in a batch answer of its model: a zk request (a batch answer is a zk answer) made
 * after the model's batched verifier was registered (`since`: the coordinator's batch fulfiller
 * refuses older requests, whose requesters saw only the single verifier). Any request's claim may go in a
 * `claimBatch`.
 */
export function batchable(job: { mode: string; terms: { createdAt: bigint | number | string } }, since: number | undefined): boolean {
  return job.mode === "zk" && since !== undefined && Number(job.terms.createdAt) > since;
}
