/**
 * The Highway client as one object, for the three kinds of users:
 *
 *   const highway = await Highway.connect({ runner: signer, deployment });
 *   const handle = await highway.requestInference({ model: "price-signal", input: [0.1, -0.4, ...], proofMode: "zk" });
 *   const result = await handle.wait({ timeoutMs: 60_000 });
 *   result.output.values; result.fees.relayer;
 *
 * Each method is one action of sdk/actions/ over the client it holds. Every contract
 * revert with a custom error surfaces as a HighwayContractError whose message says what
 * to do. In Node, `Highway` from sdk/node.ts also reads deployment files and registers
 * a model from its circuit folder.
 */
import { createHighwayClient, type HighwayClient, type HighwayClientOptions } from "./client.js";
import type { CircuitManifest, RegistrationOptions } from "./manifest.js";
import * as committee from "./actions/committee.js";
import * as models from "./actions/models.js";
import * as reads from "./actions/reads.js";
import * as relayers from "./actions/relayers.js";
import * as requests from "./actions/requests.js";
import * as results from "./actions/results.js";
import type { RequestStatus } from "./protocol.js";
import type { RequestTerms } from "./terms.js";

export type HighwayOptions = HighwayClientOptions;

export class Highway {
  constructor(readonly client: HighwayClient) {}

  get deployment() {
    return this.client.deployment;
  }
  get provider() {
    return this.client.provider;
  }
  get coordinator() {
    return this.client.coordinator;
  }
  get disputeGame() {
    return this.client.disputeGame;
  }
  get registry() {
    return this.client.registry;
  }
  get staking() {
    return this.client.staking;
  }
  get token() {
    return this.client.token;
  }

  static async connect(options: HighwayOptions): Promise<Highway> {
    return new Highway(await createHighwayClient(options));
  }

  // ================================================================= models

  /** Resolves a model name from the deployment, or checks a 0x model id. */
  modelId(model: string): string {
    return models.resolveModelId(this.client, model);
  }

  model(model: string): Promise<models.ModelInfo> {
    return models.getModel(this.client, model);
  }

  /** Every registered model (from the registry's ModelRegistered events). */
  models(): Promise<models.ModelInfo[]> {
    return models.listModels(this.client);
  }

  /** Registers a circuit build from its manifest, its verifier already deployed at `options.verifier`. */
  registerModelFromManifest(manifest: CircuitManifest, options: RegistrationOptions): Promise<{ modelId: string; verifier: string }> {
    return models.registerModel(this.client, manifest, options);
  }

  /** Applies an owner's changes to a model, one setter transaction each (owner only). */
  updateModel(model: string, changes: models.ModelChanges) {
    return models.updateModel(this.client, model, changes);
  }

  /** What a model has earned and its owner has not yet withdrawn. */
  modelEarnings(model: string): Promise<bigint> {
    return models.modelEarnings(this.client, model);
  }

  /** Pays a model's earnings out to its owner (owner only). */
  withdrawModelEarnings(model: string) {
    return models.withdrawModelEarnings(this.client, model);
  }

  // ================================================================= requests and results

  /** The escrow a request with this maxComputeFee takes and its parts, and the security level (job bond, challenge window) it locks. */
  quote(request: requests.QuoteRequest): Promise<requests.RequestQuote> {
    return requests.quote(this.client, request);
  }

  /** Asks for a model's output on `input`; approves (or permits) the escrow as needed. */
  requestInference(request: requests.InferenceRequest): Promise<results.InferenceHandle> {
    return requests.requestInference(this.client, request);
  }

  /** A handle for an existing request. */
  handle(requestId: bigint): results.InferenceHandle {
    return new results.InferenceHandle(this.client, requestId, "", false);
  }

  status(requestId: bigint): Promise<RequestStatus> {
    return reads.getStatus(this.client, requestId);
  }

  /** A request's current terms: those it was made with, with any raise of maxComputeFee applied. */
  terms(requestId: bigint): Promise<RequestTerms> {
    return reads.getTerms(this.client, requestId);
  }

  /** The final outcome of a request, or undefined while it is not final. */
  result(requestId: bigint): Promise<results.InferenceResult | undefined> {
    return results.getResult(this.client, requestId);
  }

  /** Where a request stands now: its phase, the auction's price, the open window and when it closes. */
  progress(requestId: bigint): Promise<reads.RequestProgress> {
    return reads.getRequestProgress(this.client, requestId);
  }

  /** Where the committee vote on a challenged language-model answer stands; undefined when it was never challenged. */
  committeeVote(requestId: bigint): Promise<committee.CommitteeVote | undefined> {
    return committee.getCommitteeVote(this.client, requestId);
  }

  /** Follows a request until it is final, reporting its progress at every poll; resolves with its result. */
  watch(requestId: bigint, options?: results.WatchOptions): Promise<results.InferenceResult> {
    return results.watchRequest(this.client, requestId, options);
  }

  /** Requests by requester, by model, or both, oldest first, with their status (cache answers included). */
  listRequests(filter: { requester?: string; model?: string }): Promise<reads.RequestSummary[]> {
    return reads.listRequests(this.client, filter);
  }

  /** Requests for a model, oldest first. */
  requestsByModel(model: string) {
    return reads.requestsByModel(this.client, model);
  }

  /** Requests made by an account, oldest first. */
  requestsByRequester(requester: string) {
    return reads.requestsByRequester(this.client, requester);
  }

  /** What an account (default: the signer) holds: withdrawable from the coordinator, tokens, and its relayer stake. */
  balances(account?: string) {
    return reads.getBalances(this.client, account);
  }

  /** Measures the gas a consumer's callback uses for `sampleOutput`, and recommends a limit with head-room. */
  estimateCallbackGas(consumer: string, sampleOutput: readonly bigint[]) {
    return reads.estimateCallbackGas(this.client, consumer, sampleOutput);
  }

  /** Withdraws an Open request, refunding its escrow (requester only). */
  cancel(requestId: bigint) {
    return requests.cancel(this.client, requestId);
  }

  /** Refunds a request whose deadline passed unanswered (anyone). */
  refundExpired(requestId: bigint) {
    return requests.refundExpired(this.client, requestId);
  }

  /** Raises an Open request's maxComputeFee, approving the top-up as needed (requester only). */
  raiseMaxComputeFee(requestId: bigint, newMaxComputeFee: bigint) {
    return requests.raiseMaxComputeFee(this.client, requestId, newMaxComputeFee);
  }

  /** Calls a failed callback again with the same gas limit (anyone). */
  retryCallback(requestId: bigint) {
    return requests.retryCallback(this.client, requestId);
  }

  /** Pays out the caller's balance in the coordinator. */
  withdraw() {
    return requests.withdraw(this.client);
  }

  // ================================================================= relayers

  /** Stakes `amount` as a relayer, approving the staking contract as needed. */
  stake(amount: bigint) {
    return relayers.stake(this.client, amount);
  }

  /** Starts unbonding `amount` of stake; it can be withdrawn after the unbonding delay. */
  requestUnstake(amount: bigint) {
    return relayers.requestUnstake(this.client, amount);
  }

  /** Withdraws stake whose unbonding delay has passed. */
  withdrawStake() {
    return relayers.withdrawStake(this.client);
  }
}
