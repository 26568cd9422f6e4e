/** Results: a request's final outcome, read from its events, and waiting for it. */
import { ZeroAddress, type EventLog } from "ethers";
import type { HighwayClient } from "../client.js";
import { deploymentStartBlock } from "../deployment.js";
import { decodeTensor, decodeText, dequantize } from "../encoding.js";
import { HighwayError } from "../errors.js";
import { splitFees, type FeeSplit } from "../fees.js";
import { MODEL_KINDS, PROOF_MODES, type ProofMode, type RequestStatus } from "../protocol.js";
import { getModel } from "./models.js";
import { getCommitteeEvents } from "./committee.js";
import { committeeDispute, getRequestEvents, getStatus, requestProgress, termsFromEvents, type RequestProgress } from "./reads.js";

/** The outcome of a request once it is final. */
export interface InferenceResult {
  requestId: bigint;
  /** answered; callback-failed (answered, the consumer's callback reverted); refunded; disputed (answered after a dispute). */
  status: "answered" | "callback-failed" | "refunded" | "disputed";
  proofMode: ProofMode;
  /** The relayer (or fraud prover) paid for the answer; zero when refunded or answered from the cache. */
  relayer: string;
  /** A circuit model's answer: the quantized values, the numbers they stand for, and the scale. */
  output?: { raw: bigint[]; values: number[]; scale: number };
  /** A language model's answer. */
  text?: string;
  /** The answer as the coordinator delivered it (a tensor, or UTF-8 text). */
  outputBytes?: string;
  /** Whether the output is zk-proven (zk answers, cache answers, fraud proofs) or optimistic. */
  proven?: boolean;
  /** What each role received; the parts add up to the escrow. */
  fees: FeeSplit;
  /** The transaction of each step the request went through (request, claim, fulfilled, ...). */
  transactions: Record<string, string>;
}

/** The step each coordinator event records, as `InferenceResult.transactions` names it. */
const STEP_OF_EVENT: Record<string, string> = {
  RequestCreated: "request",
  CachedRequestFulfilled: "request",
  RequestClaimed: "claim",
  OptimisticSubmitted: "submitOptimistic",
  Challenged: "challenge",
  Defended: "defend",
  FraudProven: "proveFraud",
  RequestFulfilled: "fulfilled",
  RequestRefunded: "refunded",
  CallbackFailed: "callbackFailed",
  CallbackDelivered: "callback",
  RequestReopened: "reopen",
  DisputeVoided: "voided",
};

/**
 * The final outcome of a request, or undefined while it is not final. Everything comes
 * from the request's events (a request made by a consumer contract has no calldata the
 * SDK could parse), except the model's output scale, read from the registry.
 */
export async function getResult(client: HighwayClient, requestId: bigint): Promise<InferenceResult | undefined> {
  const events = await getRequestEvents(client, requestId);
  const named = (name: string) => events.filter((event) => event.eventName === name);
  const cached = named("CachedRequestFulfilled")[0];
  const fulfilled = named("RequestFulfilled").at(-1);
  const refunded = named("RequestRefunded")[0];
  if (!cached && !fulfilled && !refunded) return undefined;

  const terms = termsFromEvents(requestId, events);
  const proofMode = PROOF_MODES[Number(terms.proofMode)];
  const transactions = transactionsOf(events);
  if (refunded) {
    const fees = { relayer: 0n, modelOwner: 0n, parent: 0n, referrer: 0n, protocol: 0n, refund: refunded.args.amount as bigint };
    return { requestId, status: "refunded", proofMode, relayer: ZeroAddress, fees, transactions };
  }
  // A cache answer pays the model fee (and its protocol fee) alone: its terms carry no compute fee.
  const answer = cached
    ? { relayer: ZeroAddress, bytes: cached.args.output as string, proven: true, computeFee: 0n }
    : {
        relayer: fulfilled!.args.payee as string,
        bytes: fulfilled!.args.output as string,
        proven: fulfilled!.args.proven as boolean,
        computeFee: fulfilled!.args.computeFee as bigint,
      };
  const callbackFailed = named("CallbackFailed").length > named("CallbackDelivered").length;
  const disputed = named("Challenged").length > 0;
  return {
    requestId,
    status: callbackFailed ? "callback-failed" : disputed ? "disputed" : "answered",
    proofMode,
    relayer: answer.relayer,
    ...(MODEL_KINDS[Number(terms.modelKind)] === "language"
      ? { text: decodeText(answer.bytes) }
      : { output: await circuitOutput(client, terms.modelId, answer.bytes) }),
    outputBytes: answer.bytes,
    proven: answer.proven,
    fees: splitFees(terms, answer.computeFee),
    transactions,
  };
}

/** A circuit model's answer at the model's output scale (read from the registry). */
async function circuitOutput(client: HighwayClient, modelId: string, bytes: string): Promise<InferenceResult["output"]> {
  const { scale } = (await getModel(client, modelId)).output;
  const raw = decodeTensor(bytes);
  return { raw, values: raw.map((value) => dequantize(value, scale)), scale };
}

/** The last transaction of each step in `events`. */
function transactionsOf(events: readonly EventLog[]): Record<string, string> {
  const transactions: Record<string, string> = {};
  for (const event of events) {
    const step = STEP_OF_EVENT[event.eventName];
    if (step) transactions[step] = event.transactionHash;
  }
  return transactions;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Blocks on top of the one that made the result final. */
  confirmations?: number;
  pollIntervalMs?: number;
  /** Called whenever the request's status changes. */
  onProgress?: (status: RequestStatus, requestId: bigint) => void;
}

export class InferenceTimeoutError extends HighwayError {
  override name = "InferenceTimeoutError";
}

/** Resolves with a request's final result; rejects with InferenceTimeoutError after `timeoutMs`. */
export async function waitForResult(client: HighwayClient, requestId: bigint, options: WaitOptions = {}): Promise<InferenceResult> {
  const { timeoutMs = 300_000, confirmations = 0, pollIntervalMs = 500, onProgress } = options;
  const deadline = Date.now() + timeoutMs;
  let last: RequestStatus | undefined;
  for (;;) {
    const status = await getStatus(client, requestId);
    if (status !== last) onProgress?.(status, requestId);
    last = status;
    if (status === "fulfilled" || status === "refunded") {
      const result = await getResult(client, requestId);
      if (result && (await isConfirmed(client, result, confirmations))) return result;
    }
    if (Date.now() > deadline) throw new InferenceTimeoutError(`request ${requestId} is still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

export interface WatchOptions {
  /** Give up (InferenceTimeoutError) after this long; default: never. */
  timeoutMs?: number;
  pollIntervalMs?: number;
  /** Called with the request's progress at every poll; a throw stops the watch with that error. */
  onProgress?: (progress: RequestProgress) => void | Promise<void>;
}

/**
 * Follows a request until it is final, reporting its progress (phase, the auction's
 * price, the open window, the posted answer, a language model's committee vote) at every
 * poll; resolves with its result. An unknown id is a HighwayError; an expired request is
 * reported (progress.expired) but not given up on, since anyone may refund it.
 */
export async function watchRequest(client: HighwayClient, requestId: bigint, options: WatchOptions = {}): Promise<InferenceResult> {
  const { timeoutMs, pollIntervalMs = 1_000, onProgress } = options;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  // Events are read once from the deployment's first block, then only the blocks since the last poll.
  // The committee arbiter's, from the block before the challenge's once a language-model answer is challenged.
  const events: EventLog[] = [];
  const committeeEvents: EventLog[] = [];
  let scanned = deploymentStartBlock(client.deployment) - 1;
  let committeeScanned: number | undefined;
  for (;;) {
    const block = (await client.provider.getBlock("latest"))!;
    if (block.number > scanned) {
      events.push(...(await getRequestEvents(client, requestId, { fromBlock: scanned + 1, toBlock: block.number })));
      scanned = block.number;
    }
    if (committeeDispute(events) && (committeeScanned ?? -1) < block.number) {
      committeeScanned ??= events.find((event) => event.eventName === "Challenged")!.blockNumber - 1;
      committeeEvents.push(...(await getCommitteeEvents(client, requestId, { fromBlock: committeeScanned + 1, toBlock: block.number })));
      committeeScanned = block.number;
    }
    const [, state] = await client.coordinator.getRequest(requestId, { blockTag: block.number });
    const progress = requestProgress(requestId, state, events, block.timestamp, committeeEvents);
    if (progress.status === "none") throw new HighwayError(`request ${requestId} does not exist`);
    await onProgress?.(progress);
    if (progress.status === "fulfilled" || progress.status === "refunded") {
      const result = await getResult(client, requestId);
      if (result) return result;
    }
    if (Date.now() > deadline) throw new InferenceTimeoutError(`request ${requestId} is still ${progress.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

async function isConfirmed(client: HighwayClient, result: InferenceResult, confirmations: number): Promise<boolean> {
  if (confirmations === 0) return true;
  const final = result.transactions.fulfilled ?? result.transactions.refunded ?? result.transactions.request;
  const receipt = await client.provider.getTransactionReceipt(final);
  return receipt !== null && (await receipt.confirmations()) > confirmations;
}

/** A request in flight. */
export class InferenceHandle {
  constructor(
    private readonly client: HighwayClient,
    readonly requestId: bigint,
    readonly transactionHash: string,
    /** Answered in the request's own transaction from the verified-result cache. */
    readonly cached: boolean,
  ) {}

  status(): Promise<RequestStatus> {
    return getStatus(this.client, this.requestId);
  }

  /** Resolves with the final result; rejects with InferenceTimeoutError after `timeoutMs`. */
  wait(options: WaitOptions = {}): Promise<InferenceResult> {
    return waitForResult(this.client, this.requestId, options);
  }
}
