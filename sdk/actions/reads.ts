/** Reads: a request's status, terms and events, requests by model or requester, balances, callback gas. */
import { EventLog, toBeHex } from "ethers";
import { IInferenceConsumer__factory } from "../../types/factories/contracts/interfaces/IInferenceConsumer__factory.js";
import { queryEvents, signerOf, type HighwayClient } from "../client.js";
import { deploymentStartBlock } from "../deployment.js";
import { HighwayError, messageOf } from "../errors.js";
import { calldataGas, INTRINSIC_GAS } from "../gas.js";
import { getLogsPaged } from "../logs.js";
import { requestStatusName, type RequestStatus } from "../protocol.js";
import { currentTerms, termsFromEvent, type RequestTerms } from "../terms.js";
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

/** Every coordinator event about a request (the request id is each one's first indexed argument), oldest first. */
export async function getRequestEvents(client: HighwayClient, requestId: bigint): Promise<EventLog[]> {
  const { coordinator } = client;
  const filter = { address: client.deployment.coordinator, topics: [null, toBeHex(requestId, 32)] };
  const logs = await getLogsPaged(client.provider, filter, deploymentStartBlock(client.deployment), undefined, client.logPageBlocks);
  return logs.flatMap((log) => {
    const fragment = coordinator.interface.parseLog(log)?.fragment;
    return fragment ? [new EventLog(log, coordinator.interface, fragment)] : [];
  });
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
export async function requestsByModel(client: HighwayClient, model: string): Promise<{ requestId: bigint; requester: string; blockNumber: number }[]> {
  const created = await queryEvents(client, client.coordinator, client.coordinator.filters.RequestCreated(undefined, resolveModelId(client, model)));
  return created.map((event) => ({ requestId: event.args.requestId, requester: event.args.requester, blockNumber: event.blockNumber }));
}

/** Requests made by an account, oldest first. */
export async function requestsByRequester(client: HighwayClient, requester: string): Promise<{ requestId: bigint; modelId: string; blockNumber: number }[]> {
  const created = await queryEvents(client, client.coordinator, client.coordinator.filters.RequestCreated(undefined, undefined, requester));
  return created.map((event) => ({ requestId: event.args.requestId, modelId: event.args.modelId, blockNumber: event.blockNumber }));
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
 * Measures the gas a consumer's callback uses for `sampleOutput` (called as the
 * coordinator would), and recommends a limit with head-room.
 */
export async function estimateCallbackGas(client: HighwayClient, consumer: string, sampleOutput: readonly bigint[]): Promise<{ gasUsed: bigint; recommendedLimit: bigint }> {
  const data = IInferenceConsumer__factory.createInterface().encodeFunctionData("onInferenceResult", [1n, [...sampleOutput]]);
  let estimate: bigint;
  try {
    estimate = await client.provider.estimateGas({ from: client.deployment.coordinator, to: consumer, data });
  } catch (error) {
    throw new HighwayError("the consumer's callback reverts for this sample output, so no gas limit makes it succeed", { details: messageOf(error), cause: error });
  }
  const gasUsed = estimate - INTRINSIC_GAS - calldataGas(data);
  return { gasUsed, recommendedLimit: (gasUsed * 13n) / 10n + 10_000n };
}
