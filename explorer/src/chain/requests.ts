/**
 * A request's life as the explorer tracks it, folded from its events in chain order (no
 * calls): its status, who claimed and answered it, its answer, its dispute and the fee
 * split it settled with (the SDK's one fee formula, `splitFees`).
 */
import { ZeroAddress } from "ethers";
import { PROOF_MODES, splitFees, type FeeSplit, type ProofMode, type RequestStatus, type RequestTerms } from "../../../sdk/index.js";
import type { ChainEventOf, RawOutput, RequestEvent } from "./events.js";

/** How a request's answer became final. */
export type AnswerMode = "zk" | "optimistic" | "dispute" | "cache";

export interface RequestRecord {
  requestId: bigint;
  modelId: string;
  requester: string;
  /** The current terms: those it was made with, with every raise of maxComputeFee applied. */
  terms: RequestTerms;
  proofMode: ProofMode;
  /** The input bytes (absent for a request answered from the cache, whose event carries only the output). */
  input?: string;
  createdBlock: number;
  createdAt: number;
  status: RequestStatus;
  /** The relayer holding it (claimed, pending, disputed) or that answered it. */
  relayer?: string;
  computeFee?: bigint;
  claimedBlock?: number;
  /** The posted optimistic answer, while there is one. */
  posted?: RawOutput;
  /** The final answer. */
  output?: RawOutput;
  answerMode?: AnswerMode;
  proven?: boolean;
  /** Who was paid the compute fee (the relayer, or the challenger of a proven fraud). */
  payee?: string;
  fulfilledBlock?: number;
  refunded?: bigint;
  /** Who received what (settled requests only): the parts add up to the escrow. */
  fees?: FeeSplit;
  dispute?: { challenger: string; bond: bigint; outcome?: "defended" | "fraud-proven" | "timed-out" | "voided" };
  slashed: { relayer: string; amount: bigint }[];
  callbackFailed: boolean;
  /** Every event about it, oldest first. */
  events: RequestEvent[];
}

/** A new record from the event that made the request. */
export function newRequest(event: ChainEventOf<"RequestCreated"> | ChainEventOf<"CachedRequestFulfilled">): RequestRecord {
  return {
    requestId: event.requestId,
    modelId: event.modelId,
    requester: event.requester,
    terms: event.terms,
    proofMode: PROOF_MODES[Number(event.terms.proofMode)],
    input: event.kind === "RequestCreated" ? event.input : undefined,
    createdBlock: event.block,
    createdAt: Number(event.terms.createdAt),
    status: "open",
    slashed: [],
    callbackFailed: false,
    events: [],
  };
}

/** Applies one of the request's events (in chain order). */
export function applyRequestEvent(record: RequestRecord, event: RequestEvent): void {
  record.events.push(event);
  switch (event.kind) {
    case "RequestCreated":
      break;
    case "CachedRequestFulfilled":
      Object.assign(record, {
        status: "fulfilled",
        output: event.output,
        answerMode: "cache",
        proven: true,
        fulfilledBlock: event.block,
        fees: splitFees(record.terms, 0n),
      });
      break;
    case "RequestClaimed":
      Object.assign(record, { status: "claimed", relayer: event.relayer, computeFee: event.computeFee, claimedBlock: event.block });
      break;
    case "OptimisticSubmitted":
      Object.assign(record, { status: "pending", posted: event.output });
      break;
    case "Challenged":
      record.status = "disputed";
      record.dispute = { challenger: event.challenger, bond: event.bond };
      break;
    case "Defended":
      if (record.dispute) record.dispute.outcome = "defended";
      break;
    case "FraudProven":
      if (record.dispute) record.dispute.outcome = "fraud-proven";
      break;
    case "DisputeTimedOut":
      if (record.dispute) record.dispute.outcome = "timed-out";
      break;
    case "DisputeVoided":
      if (record.dispute) record.dispute.outcome = "voided";
      break;
    case "RequestReopened":
      Object.assign(record, { status: "open", relayer: undefined, computeFee: undefined, posted: undefined });
      break;
    case "RelayerSlashed":
      record.slashed.push({ relayer: event.relayer, amount: event.amount });
      break;
    case "RequestFulfilled":
      Object.assign(record, {
        status: "fulfilled",
        output: event.output,
        proven: event.proven,
        payee: event.payee,
        computeFee: event.computeFee,
        fulfilledBlock: event.block,
        answerMode: record.dispute ? "dispute" : record.proofMode === "zk" ? "zk" : "optimistic",
        fees: splitFees(record.terms, event.computeFee),
      });
      if (record.dispute?.outcome !== "fraud-proven") record.relayer = event.payee;
      break;
    case "RequestRefunded":
      Object.assign(record, {
        status: "refunded",
        refunded: event.amount,
        fulfilledBlock: event.block,
        fees: { relayer: 0n, modelOwner: 0n, parent: 0n, referrer: 0n, protocol: 0n, refund: event.amount },
      });
      break;
    case "MaxComputeFeeRaised":
      record.terms = { ...record.terms, maxComputeFee: event.maxComputeFee };
      break;
    case "CallbackFailed":
      record.callbackFailed = true;
      break;
    case "CallbackDelivered":
      record.callbackFailed = false;
      break;
  }
}

/** Whether the request names a consumer contract to call back (else its answer is only in the events). */
export function hasConsumer(record: RequestRecord): boolean {
  return record.terms.consumer !== ZeroAddress;
}
