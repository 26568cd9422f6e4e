/** Requests: quote and make one, and what a requester (or anyone) may do to it afterwards. */
import { ZeroAddress } from "ethers";
import { approveIfNeeded, sendAndWait, signerOf, withContractErrors, type HighwayClient } from "../client.js";
import { checkTensor, encodeTensor, encodeText, quantizeTensor } from "../encoding.js";
import { HighwayError } from "../errors.js";
import { quoteEscrow, securityLevel, type EscrowQuote, type SecurityLevel } from "../fees.js";
import { signPermit } from "../permit.js";
import { PROOF_MODES, type ProofMode } from "../protocol.js";
import { getModel, type ModelInfo } from "./models.js";
import { getTerms } from "./reads.js";
import { getResult, InferenceHandle } from "./results.js";

export interface InferenceRequest {
  /** A model id (0x…32 bytes) or the name of a model in the deployment. */
  model: string;
  /**
   * A circuit model's input: numbers (quantized here at the model's input scale) or already-quantized
   * bigints. A language model's: the prompt, or a chat message list (sent as its JSON, which the model's
   * chat template renders).
   */
  input: readonly number[] | readonly bigint[] | string | readonly ChatMessage[];
  /** Language models: the longest answer accepted, in bytes; default the model's limit. */
  maxOutputBytes?: number;
  proofMode?: ProofMode;
  /** The most the requester pays a relayer (payment-token units); default: the model's fee. */
  maxComputeFee?: bigint;
  /** The most the requester accepts as the model's fee; default: the fee quoted when the request is built. */
  maxModelFee?: bigint;
  /** The job bond a claimant locks (the request's security level); default (or 0): the protocol's, else at least it. */
  jobBond?: bigint;
  /** Seconds an optimistic answer can be challenged; default (or 0): the protocol's, else at least it and at most 7 days. */
  challengeWindow?: number;
  /** Where the auction starts; default a quarter of maxComputeFee. */
  startComputeFee?: bigint;
  /** Unix time after which an answer is worthless; default in one hour. It must leave the delivery window (`quote`'s deliveryWindow). */
  deadline?: number;
  callbackGasLimit?: number;
  /** The callback target; default the sender. */
  consumer?: string;
  referrer?: string;
  /** Pay with an ERC-2612 permit in the same transaction instead of an approval. */
  permit?: boolean;
}

/** The roles of a chat message. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

/** One message of a chat prompt for a language model. */
export interface ChatMessage {
  role: (typeof CHAT_ROLES)[number];
  content: string;
}

/** What to quote: a model, and what a request for it would ask for. */
export interface QuoteRequest {
  model: string;
  /** Default: the model's fee. */
  maxComputeFee?: bigint;
  /** Default (or 0): the protocol's job bond. */
  jobBond?: bigint;
  /** Default (or 0): the protocol's challenge window. */
  challengeWindow?: number;
}

/** A request's escrow and its parts, and the terms of its security it would lock. */
export interface RequestQuote extends EscrowQuote, SecurityLevel {
  /** Seconds a claimant has to answer: a request's deadline must be at least this far from the time it is made. */
  deliveryWindow: number;
}

/**
 * The escrow a request with this maxComputeFee (default: the model's fee) takes and its parts,
 * at the model's fee now (which `requestInference` passes as the request's `maxModelFee`), with
 * the job bond and challenge window it would lock and the delivery window its deadline must leave.
 */
export async function quote(client: HighwayClient, request: QuoteRequest): Promise<RequestQuote> {
  const [model, params] = await Promise.all([getModel(client, request.model), client.coordinator.getParams()]);
  return quoteFor(model.fee, params, request);
}

function quoteFor(
  modelFee: bigint,
  params: { protocolFeeBps: bigint; jobBond: bigint; challengeBond: bigint; challengeWindow: bigint; deliveryWindow: bigint },
  request: Omit<QuoteRequest, "model">,
): RequestQuote {
  return {
    ...quoteEscrow(modelFee, request.maxComputeFee ?? modelFee, params.protocolFeeBps),
    ...securityLevel(params, request),
    deliveryWindow: Number(params.deliveryWindow),
  };
}

/** Asks for a model's output on `input`; approves (or permits) the escrow as needed. */
export async function requestInference(client: HighwayClient, request: InferenceRequest): Promise<InferenceHandle> {
  const signer = signerOf(client);
  const [model, protocol] = await Promise.all([getModel(client, request.model), client.coordinator.getParams()]);
  const label = model.name ?? model.modelId;
  if (!model.active) throw new HighwayError(`model ${label} is not active`);
  const { encoded, maxOutputBytes } = encodeRequestInput(model, request);
  const proofMode = request.proofMode ?? (model.kind === "language" ? "optimistic" : "zk");
  if (!model.proofModes.includes(proofMode)) throw new HighwayError(`model ${label} does not serve ${proofMode} requests`);
  const maxComputeFee = request.maxComputeFee ?? model.fee;
  // One read of the model's fee prices the escrow and caps the fee the request accepts.
  const quoted = quoteFor(model.fee, protocol, { maxComputeFee, jobBond: request.jobBond, challengeWindow: request.challengeWindow });
  const { total } = quoted;
  // The chain's clock may run ahead of ours (a test node moved on): a deadline counts from the later one.
  const latest = await client.provider.getBlock("latest");
  const now = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000));
  const deadline = request.deadline ?? now + 3_600;
  if (deadline < now + quoted.deliveryWindow) {
    throw new HighwayError(
      `deadline ${deadline} leaves less than the delivery window (${quoted.deliveryWindow} s) a relayer has to answer: give a deadline at or after ${now + quoted.deliveryWindow}`,
    );
  }
  const params = {
    modelId: model.modelId,
    proofMode: PROOF_MODES.indexOf(proofMode),
    startComputeFee: request.startComputeFee ?? maxComputeFee / 4n,
    maxComputeFee,
    // The fee this request was priced at: a fee raised before it is mined makes it revert rather than pay more.
    maxModelFee: request.maxModelFee ?? quoted.modelFee,
    // 0: the protocol's (the coordinator locks the quoted level, or refuses a lower one).
    jobBond: request.jobBond ?? 0n,
    challengeWindow: request.challengeWindow ?? 0,
    callbackGasLimit: request.callbackGasLimit ?? 200_000,
    maxOutputBytes,
    deadline,
    consumer: request.consumer ?? ZeroAddress,
    referrer: request.referrer ?? ZeroAddress,
  };
  const { coordinator } = client;
  const receipt = await sendAndWait(client, async () => {
    if (request.permit) {
      const { v, r, s, deadline } = await signPermit(signer, client.token, client.deployment.coordinator, total, BigInt(now + 3_600));
      return coordinator.requestInferenceWithPermit(params, encoded, total, deadline, v, r, s);
    }
    const overrides = await approveIfNeeded(client, client.deployment.coordinator, total, total);
    return coordinator.requestInference(params, encoded, overrides);
  });
  for (const log of receipt.logs) {
    const event = coordinator.interface.parseLog(log);
    if (event?.name === "RequestCreated") return new InferenceHandle(client, event.args.requestId, receipt.hash, false);
    if (event?.name === "CachedRequestFulfilled") return new InferenceHandle(client, event.args.requestId, receipt.hash, true);
  }
  throw new HighwayError(`transaction ${receipt.hash} created no request`);
}

/**
 * A request's input bytes and answer bound for its model: a circuit's tensor (checked against its shape
 * and bound; no answer bound), or a language model's UTF-8 prompt (checked against its limit) and
 * `maxOutputBytes` (default the model's limit).
 */
function encodeRequestInput(model: ModelInfo, request: InferenceRequest): { encoded: string; maxOutputBytes: number } {
  const label = model.name ?? model.modelId;
  if (model.kind === "language") {
    if (typeof request.input !== "string" && !(request.input.length > 0 && typeof request.input[0] === "object")) {
      throw new HighwayError(`model ${label} is a language model: its input is a prompt (text) or a list of chat messages`);
    }
    const encoded = encodeText(typeof request.input === "string" ? request.input : JSON.stringify(request.input));
    const bytes = (encoded.length - 2) / 2;
    if (bytes === 0 || bytes > model.input.length) {
      throw new HighwayError(`the prompt has ${bytes} bytes: model ${label} takes 1 to ${model.input.length}`);
    }
    const maxOutputBytes = request.maxOutputBytes ?? model.output.length;
    if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 1 || maxOutputBytes > model.output.length) {
      throw new HighwayError(`maxOutputBytes must be 1 to ${model.output.length} for model ${label}, not ${maxOutputBytes}`);
    }
    return { encoded, maxOutputBytes };
  }
  if (typeof request.input === "string" || (request.input.length > 0 && typeof request.input[0] === "object")) {
    throw new HighwayError(`model ${label} is a circuit model: its input is ${model.input.length} numbers, not text`);
  }
  if (request.maxOutputBytes !== undefined) throw new HighwayError(`maxOutputBytes is for language models; model ${label} is a circuit`);
  const input =
    typeof request.input[0] === "number" ? quantizeTensor(request.input as number[], model.input) : [...(request.input as bigint[])];
  checkTensor(input, model.input);
  return { encoded: encodeTensor(input), maxOutputBytes: 0 };
}

/** Withdraws an Open request, refunding its escrow (requester only). */
export async function cancel(client: HighwayClient, requestId: bigint) {
  const terms = await getTerms(client, requestId);
  return sendAndWait(client, () => client.coordinator.cancel(requestId, terms));
}

/** Refunds a request whose deadline passed unanswered (anyone). */
export async function refundExpired(client: HighwayClient, requestId: bigint) {
  const terms = await getTerms(client, requestId);
  return sendAndWait(client, () => client.coordinator.expire(requestId, terms));
}

/** Raises an Open request's maxComputeFee, approving the top-up as needed (requester only). */
export async function raiseMaxComputeFee(client: HighwayClient, requestId: bigint, newMaxComputeFee: bigint) {
  const terms = await getTerms(client, requestId);
  const escrow = (maxComputeFee: bigint) => quoteEscrow(terms.modelFee, maxComputeFee, terms.protocolFeeBps).total;
  const topUp = escrow(newMaxComputeFee) - escrow(terms.maxComputeFee);
  const overrides = await withContractErrors(client, () => approveIfNeeded(client, client.deployment.coordinator, topUp, topUp));
  return sendAndWait(client, () => client.coordinator.raiseMaxComputeFee(requestId, terms, newMaxComputeFee, overrides));
}

/** Calls a failed callback again with the same gas limit and the request's answer, read from its events (anyone). */
export async function retryCallback(client: HighwayClient, requestId: bigint) {
  const [terms, result] = await Promise.all([getTerms(client, requestId), getResult(client, requestId)]);
  if (!result?.outputBytes) throw new HighwayError(`request ${requestId} has no answer to deliver`);
  return sendAndWait(client, () => client.coordinator.retryCallback(requestId, terms, result.outputBytes!));
}

/** Pays out the caller's balance in the coordinator. */
export function withdraw(client: HighwayClient) {
  return sendAndWait(client, () => client.coordinator.withdraw());
}
