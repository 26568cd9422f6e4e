/** Reads: a request's status, progress, terms and events, requests by model or requester, balances, callback gas. */
import { ZeroAddress, type EventLog } from "ethers";
import { IInferenceConsumer__factory } from "../../types/factories/contracts/interfaces/IInferenceConsumer__factory.js";
import { getRequestLogs, queryEvents, signerOf, type HighwayClient } from "../client.js";
import { encodeTensor, encodeText } from "../encoding.js";
import { HighwayError, messageOf } from "../errors.js";
import { auctionPrice } from "../fees.js";
import { calldataGas, INTRINSIC_GAS } from "../gas.js";
import { MODEL_KINDS, requestStatusName, type RequestStatus } from "../protocol.js";
import { currentTerms, termsFromEvent, type RequestTerms } from "../terms.js";
import { committeeVoteFromEvents, getCommitteeEvents, type CommitteeVote } from "./committee.js";
import { resolveModelId } from "./models.js";

/** A request's on-chain status; a request answered from the cache in its own transaction reads as fulfilled. */
export async function getStatus(client: HighwayClient, requestId: bigint): Promise<RequestStatus> {
  const [, state] = await client.coordinator.getRequest(requestId);
  const status = requestStatusName(state.status);
  // A cache answer keeps no state (unless its callback failed): only its event tells it apart from an unknown id.
  if (status !== "none") return status;
  const cached = await queryEvents(client, client.coordinator, client.coordinator.filters.CachedRequestFulfilled(requestId));
  return cached.length > 0 ? "fulfilled" : "none";
}

/**
 * Every coordinator event about a request (the request id is each one's first indexed
 * argument), oldest first; `range` narrows the blocks (default: the deployment's first to the latest).
 */
export async function getRequestEvents(
  client: HighwayClient,
  requestId: bigint,
  range: { fromBlock?: number; toBlock?: number } = {},
): Promise<EventLog[]> {
  return getRequestLogs(client, client.deployment.coordinator, client.coordinator.interface, requestId, range);
}

/** A request's current terms from its events: those it was made with, with every raise of maxComputeFee applied. */
export function termsFromEvents(requestId: bigint, events: readonly EventLog[]): RequestTerms {
  const made = events.find((event) => event.eventName === "RequestCreated" || event.eventName === "CachedRequestFulfilled");
  if (!made) throw new HighwayError(`request ${requestId} does not exist (no RequestCreated or CachedRequestFulfilled event)`);
  const raises = events.filter((event) => event.eventName === "MaxComputeFeeRaised").map((event) => event.args.maxComputeFee as bigint);
  return currentTerms(termsFromEvent(made.args.terms), raises);
}

/** A request's current terms: what every later call on it must pass. */
export async function getTerms(client: HighwayClient, requestId: bigint): Promise<RequestTerms> {
  return termsFromEvents(requestId, await getRequestEvents(client, requestId));
}

/** Requests for a model, oldest first. */
export async function requestsByModel(
  client: HighwayClient,
  model: string,
): Promise<{ requestId: bigint; requester: string; blockNumber: number }[]> {
  const created = await queryEvents(
    client,
    client.coordinator,
    client.coordinator.filters.RequestCreated(undefined, resolveModelId(client, model)),
  );
  return created.map((event) => ({ requestId: event.args.requestId, requester: event.args.requester, blockNumber: event.blockNumber }));
}

/** Requests made by an account, oldest first. */
export async function requestsByRequester(
  client: HighwayClient,
  requester: string,
): Promise<{ requestId: bigint; modelId: string; blockNumber: number }[]> {
  const created = await queryEvents(client, client.coordinator, client.coordinator.filters.RequestCreated(undefined, undefined, requester));
  return created.map((event) => ({ requestId: event.args.requestId, modelId: event.args.modelId, blockNumber: event.blockNumber }));
}

/** A request as a list shows it. */
export interface RequestSummary {
  requestId: bigint;
  modelId: string;
  requester: string;
  blockNumber: number;
  /** Answered from the verified-result cache in its own transaction. */
  cached: boolean;
  status: RequestStatus;
}

/**
 * Requests made by `requester`, for `model`, or both (at least one is needed), oldest
 * first, with their current status; requests answered from the cache included.
 */
export async function listRequests(client: HighwayClient, filter: { requester?: string; model?: string }): Promise<RequestSummary[]> {
  if (filter.requester === undefined && filter.model === undefined)
    throw new HighwayError("listRequests needs a requester, a model, or both");
  const modelId = filter.model === undefined ? undefined : resolveModelId(client, filter.model);
  const { coordinator } = client;
  const [created, cached] = await Promise.all([
    queryEvents(client, coordinator, coordinator.filters.RequestCreated(undefined, modelId, filter.requester)),
    queryEvents(client, coordinator, coordinator.filters.CachedRequestFulfilled(undefined, modelId, filter.requester)),
  ]);
  const events = [...created.map((event) => ({ event, cached: false })), ...cached.map((event) => ({ event, cached: true }))];
  events.sort((a, b) => a.event.blockNumber - b.event.blockNumber || a.event.index - b.event.index);
  return Promise.all(
    events.map(async ({ event, cached: fromCache }) => {
      const [, state] = await coordinator.getRequest(event.args.requestId);
      const status = requestStatusName(state.status);
      return {
        requestId: event.args.requestId,
        modelId: event.args.modelId.toLowerCase(),
        requester: event.args.requester,
        blockNumber: event.blockNumber,
        cached: fromCache,
        status: fromCache && status === "none" ? "fulfilled" : status,
      };
    }),
  );
}

/** Where a request stands now: its phase, the auction's price, the window it is in and when that closes. */
export interface RequestProgress {
  requestId: bigint;
  status: RequestStatus;
  /** The latest block's timestamp: the clock the coordinator checks deadlines and windows against. */
  chainTime: number;
  /** The request's current terms; absent for an unknown id. */
  terms?: RequestTerms;
  /** Answered from the verified-result cache in its own transaction. */
  cached: boolean;
  /** The relayer holding or having answered the request; the zero address when none. */
  relayer: string;
  /** A final request whose consumer callback failed and can be retried (retryCallback). */
  callbackPending: boolean;
  /** While open: the compute fee a claim would lock now, and when the auction reaches maxComputeFee (unix seconds). */
  auction?: { price: bigint; reachesMaxAt: number };
  /** Once claimed: the compute fee the claim locked. */
  claimedComputeFee?: bigint;
  /** The window the request is in (claimed: delivery, pending: challenge, disputed: defence) and when it closes. */
  window?: { name: "delivery" | "challenge" | "defence"; endsAt: number };
  /** Open or claimed past its deadline: nobody can answer it any more, anyone can refund it (refundExpired). */
  expired: boolean;
  /** The optimistic answer last posted (hex bytes: a tensor, or a language model's UTF-8 text), once one was. */
  postedOutput?: string;
  /** A challenged language-model answer: where its committee vote stands (the arbiter's events). */
  committee?: CommitteeVote;
}

const WINDOW_OF_STATUS: Partial<Record<RequestStatus, "delivery" | "challenge" | "defence">> = {
  claimed: "delivery",
  pending: "challenge",
  disputed: "defence",
};

/** A request's progress: its state and its events at the latest block, and that block's time. */
export async function getRequestProgress(client: HighwayClient, requestId: bigint): Promise<RequestProgress> {
  const block = (await client.provider.getBlock("latest"))!;
  const [[, state], events] = await Promise.all([
    client.coordinator.getRequest(requestId, { blockTag: block.number }),
    getRequestEvents(client, requestId, { toBlock: block.number }),
  ]);
  const committeeEvents = committeeDispute(events) ? await getCommitteeEvents(client, requestId, { toBlock: block.number }) : [];
  return requestProgress(requestId, state, events, block.timestamp, committeeEvents);
}

/** Whether a request's events show a challenged language-model answer: a dispute the committee arbiter settles. */
export function committeeDispute(events: readonly EventLog[]): boolean {
  const made = events.find((event) => event.eventName === "RequestCreated");
  return (
    made !== undefined &&
    MODEL_KINDS[Number(termsFromEvent(made.args.terms).modelKind)] === "language" &&
    events.some((event) => event.eventName === "Challenged")
  );
}

/**
 * A request's progress from what was read: its state (getRequest), all its events up to
 * the same block, and that block's timestamp; for a challenged language-model answer, the committee
 * arbiter's events about it up to that block too.
 */
export function requestProgress(
  requestId: bigint,
  state: { status: bigint | number; relayer: string; callbackPending: boolean; phaseEndsAt: bigint | number },
  events: readonly EventLog[],
  chainTime: number,
  committeeEvents: readonly EventLog[] = [],
): RequestProgress {
  const cached = events.some((event) => event.eventName === "CachedRequestFulfilled");
  const known = cached || events.some((event) => event.eventName === "RequestCreated");
  let status = requestStatusName(state.status);
  if (status === "none" && cached) status = "fulfilled";
  // An Open request's state keeps the claimant that lost it (after a reopen): it holds nothing now.
  const relayer = status === "open" ? ZeroAddress : state.relayer || ZeroAddress;
  const progress: RequestProgress = {
    requestId,
    status,
    chainTime,
    cached,
    relayer,
    callbackPending: state.callbackPending,
    expired: false,
  };
  if (!known) return progress;
  const terms = termsFromEvents(requestId, events);
  progress.terms = terms;
  if (status === "open") {
    const reachesMaxAt = Number(terms.createdAt) + Number(terms.auctionDuration);
    progress.auction = {
      price: auctionPrice(terms.startComputeFee, terms.maxComputeFee, terms.createdAt, terms.auctionDuration, BigInt(chainTime)),
      reachesMaxAt,
    };
  }
  const claims = events.filter((event) => event.eventName === "RequestClaimed");
  if (claims.length > 0 && status !== "open") progress.claimedComputeFee = claims.at(-1)!.args.computeFee as bigint;
  const window = WINDOW_OF_STATUS[status];
  if (window) progress.window = { name: window, endsAt: Number(state.phaseEndsAt) };
  progress.expired = (status === "open" || status === "claimed") && chainTime > Number(terms.deadline);
  const posted = events.filter((event) => event.eventName === "OptimisticSubmitted").at(-1);
  if (posted) progress.postedOutput = posted.args.output as string;
  const committee = committeeVoteFromEvents(requestId, committeeEvents);
  if (committee) progress.committee = committee;
  return progress;
}

/** What an account (default: the signer) holds: withdrawable from the coordinator, tokens, and its relayer stake. */
export async function getBalances(client: HighwayClient, account?: string) {
  const address = account ?? (await signerOf(client).getAddress());
  const [withdrawable, token, relayer] = await Promise.all([
    client.coordinator.balanceOf(address),
    client.token.balanceOf(address),
    client.staking.relayerOf(address),
  ]);
  return {
    account: address,
    withdrawable,
    token,
    stake: {
      staked: relayer.stake,
      locked: relayer.locked,
      unbonding: relayer.unbonding,
      unbondingReleaseAt: Number(relayer.unbondingReleaseAt),
      jobsServed: Number(relayer.jobsServed),
      jobsSlashed: Number(relayer.jobsSlashed),
    },
  };
}

/**
 * Measures the gas a consumer's callback uses for `sampleOutput` (a circuit model's quantized
 * values, or a language model's answer text), called as the coordinator would, and recommends a
 * limit with head-room.
 */
export async function estimateCallbackGas(
  client: HighwayClient,
  consumer: string,
  sampleOutput: readonly bigint[] | string,
): Promise<{ gasUsed: bigint; recommendedLimit: bigint }> {
  const output = typeof sampleOutput === "string" ? encodeText(sampleOutput) : encodeTensor(sampleOutput);
  const data = IInferenceConsumer__factory.createInterface().encodeFunctionData("onInferenceResult", [1n, output]);
  let estimate: bigint;
  try {
    estimate = await client.provider.estimateGas({ from: client.deployment.coordinator, to: consumer, data });
  } catch (error) {
    throw new HighwayError("the consumer's callback reverts for this sample output, so no gas limit makes it succeed", {
      details: messageOf(error),
      cause: error,
    });
  }
  const gasUsed = estimate - INTRINSIC_GAS - calldataGas(data);
  return { gasUsed, recommendedLimit: (gasUsed * 13n) / 10n + 10_000n };
}
