/**
 * The Highway client: typed access to the protocol for the three kinds of users.
 *
 *   const highway = await Highway.connect({ runner: signer, deployment: 31337 });
 *   const handle = await highway.requestInference({ model: "price-signal", input: [0.1, -0.4, ...], proofMode: "zk" });
 *   const result = await handle.wait({ timeoutMs: 60_000 });
 *   result.output.values; result.fees.relayer;
 *
 * Every contract revert with a custom error surfaces as a HighwayContractError whose
 * message says what to do.
 */
import {
  Contract,
  ContractFactory,
  MaxUint256,
  ZeroAddress,
  ZeroHash,
  id as keccakText,
  isHexString,
  type ContractRunner,
  type Interface,
  type Log,
  type Provider,
  type Signer,
} from "ethers";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InferenceCoordinator__factory } from "../types/factories/contracts/InferenceCoordinator__factory.js";
import { DisputeGame__factory } from "../types/factories/contracts/DisputeGame__factory.js";
import { ModelRegistry__factory } from "../types/factories/contracts/ModelRegistry__factory.js";
import { RelayerStaking__factory } from "../types/factories/contracts/RelayerStaking__factory.js";
import { HighwayToken__factory } from "../types/factories/contracts/token/HighwayToken__factory.js";
import type { IInferenceCoordinator, InferenceCoordinator } from "../types/contracts/InferenceCoordinator.js";
import type { DisputeGame } from "../types/contracts/DisputeGame.js";
import type { ModelRegistry } from "../types/contracts/ModelRegistry.js";
import type { RelayerStaking } from "../types/contracts/RelayerStaking.js";
import type { HighwayToken } from "../types/contracts/token/HighwayToken.js";
import { loadCircuit } from "./circuits.js";
import { loadDeployment, type HighwayDeployment } from "./deployment.js";
import { checkTensor, dequantize, encodeInput, quantizeTensor, type TensorSpec } from "./encoding.js";
import { withDecodedErrors } from "./errors.js";
import { calldataGas, INTRINSIC_GAS } from "./gas.js";
import { quoteEscrow, splitFees, type EscrowQuote, type FeeSplit } from "./fees.js";
import { signPermit } from "./permit.js";
import { PROOF_MODES, requestStatusName, type ProofMode, type RequestStatus } from "./protocol.js";
import { compileSolidity } from "./solidity.js";

const REPO = resolve(import.meta.dirname, "..");

/** A request's terms as the coordinator locked them (see IInferenceCoordinator.RequestTerms). */
export type RequestTerms = IInferenceCoordinator.RequestTermsStructOutput;

export interface ModelInfo {
  modelId: string;
  /** The name in the deployment file, when it has one. */
  name?: string;
  owner: string;
  verifier: string;
  fee: bigint;
  proofModes: ProofMode[];
  active: boolean;
  input: TensorSpec;
  output: TensorSpec;
  parentModelId: string;
  parentShareBps: number;
  referralShareBps: number;
  artifactURI: string;
  artifactHash: string;
}

export interface InferenceRequest {
  /** A model id (0x…32 bytes) or the name of a model in the deployment. */
  model: string;
  /** Numbers (quantized here at the model's input scale) or already-quantized bigints. */
  input: readonly number[] | readonly bigint[];
  proofMode?: ProofMode;
  /** The most the requester pays a relayer (payment-token units); default: the model's fee. */
  maxComputeFee?: bigint;
  /** Where the auction starts; default a quarter of maxComputeFee. */
  startComputeFee?: bigint;
  /** Unix time after which an answer is worthless; default in one hour. */
  deadline?: number;
  callbackGasLimit?: number;
  /** The callback target; default the sender. */
  consumer?: string;
  referrer?: string;
  /** Pay with an ERC-2612 permit in the same transaction instead of an approval. */
  permit?: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Blocks on top of the one that made the result final. */
  confirmations?: number;
  pollIntervalMs?: number;
  /** Called whenever the request's status changes. */
  onProgress?: (status: RequestStatus, requestId: bigint) => void;
}

/** The outcome of a request once it is final. */
export interface InferenceResult {
  requestId: bigint;
  /** answered; callback-failed (answered, the consumer's callback reverted); refunded; disputed (answered after a dispute). */
  status: "answered" | "callback-failed" | "refunded" | "disputed";
  proofMode: ProofMode;
  /** The relayer (or fraud prover) paid for the answer; zero when refunded or answered from the cache. */
  relayer: string;
  output?: { raw: bigint[]; values: number[]; scale: number };
  /** Whether the output is zk-proven (zk answers, cache answers, fraud proofs) or optimistic. */
  proven?: boolean;
  /** What each role received; the parts add up to the escrow. */
  fees: FeeSplit;
  transactions: Record<string, string>;
}

export class InferenceTimeoutError extends Error {
  override name = "InferenceTimeoutError";
}

/** A request in flight. */
export class InferenceHandle {
  constructor(
    private readonly highway: Highway,
    readonly requestId: bigint,
    readonly transactionHash: string,
    /** Answered in the request's own transaction from the verified-result cache. */
    readonly cached: boolean,
  ) {}

  status(): Promise<RequestStatus> {
    return this.highway.status(this.requestId);
  }

  /** Resolves with the final result; rejects with InferenceTimeoutError after `timeoutMs`. */
  async wait(options: WaitOptions = {}): Promise<InferenceResult> {
    const { timeoutMs = 300_000, confirmations = 0, pollIntervalMs = 500, onProgress } = options;
    const deadline = Date.now() + timeoutMs;
    let last: RequestStatus | undefined;
    for (;;) {
      const status = await this.status();
      if (status !== last) onProgress?.(status, this.requestId);
      last = status;
      if (status === "fulfilled" || status === "refunded") {
        const result = await this.highway.result(this.requestId);
        if (result && (await this.confirmed(result, confirmations))) return result;
      }
      if (Date.now() > deadline) throw new InferenceTimeoutError(`request ${this.requestId} is still ${status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pollIntervalMs));
    }
  }

  private async confirmed(result: InferenceResult, confirmations: number): Promise<boolean> {
    if (confirmations === 0) return true;
    const final = result.transactions.fulfilled ?? result.transactions.refunded ?? result.transactions.request;
    const receipt = await this.highway.provider.getTransactionReceipt(final);
    return receipt !== null && (await receipt.confirmations()) > confirmations;
  }
}

export interface HighwayOptions {
  /** A signer to act, or a provider to read only. */
  runner: Signer | Provider;
  /** The deployment: its contents, a path to its file, or a chain id with a file in deployments/. */
  deployment: HighwayDeployment | string | number;
}

export class Highway {
  readonly coordinator: InferenceCoordinator;
  /** challenge, defend, proveFraud, resolveDisputeTimeout (their events are the coordinator's). */
  readonly disputeGame: DisputeGame;
  readonly registry: ModelRegistry;
  readonly staking: RelayerStaking;
  readonly token: HighwayToken;
  private readonly errorInterfaces: Interface[];

  private constructor(
    readonly deployment: HighwayDeployment,
    private readonly runner: ContractRunner,
    readonly provider: Provider,
  ) {
    this.coordinator = InferenceCoordinator__factory.connect(deployment.coordinator, runner);
    this.disputeGame = DisputeGame__factory.connect(deployment.disputeGame, runner);
    this.registry = ModelRegistry__factory.connect(deployment.registry, runner);
    this.staking = RelayerStaking__factory.connect(deployment.staking, runner);
    this.token = HighwayToken__factory.connect(deployment.token, runner);
    this.errorInterfaces = [this.coordinator.interface, this.registry.interface, this.staking.interface, this.token.interface];
  }

  static async connect(options: HighwayOptions): Promise<Highway> {
    const deployment = typeof options.deployment === "object" ? options.deployment : loadDeployment(options.deployment);
    const provider = "provider" in options.runner && options.runner.provider ? options.runner.provider : (options.runner as Provider);
    const { chainId } = await provider.getNetwork();
    if (Number(chainId) !== deployment.chainId) {
      throw new Error(`the runner is on chain ${chainId} but the deployment is for chain ${deployment.chainId}`);
    }
    return new Highway(deployment, options.runner, provider);
  }

  // ================================================================= models

  /** Resolves a model name from the deployment, or checks a 0x model id. */
  modelId(model: string): string {
    if (isHexString(model, 32)) return model.toLowerCase();
    const known = this.deployment.models[model];
    if (!known) throw new Error(`unknown model "${model}": use a model id or one of ${Object.keys(this.deployment.models).join(", ")}`);
    return known.modelId.toLowerCase();
  }

  async model(model: string): Promise<ModelInfo> {
    const modelId = this.modelId(model);
    const m = await withDecodedErrors(this.errorInterfaces, () => this.registry.getModel(modelId));
    const t = m.terms;
    const name = Object.entries(this.deployment.models).find(([, v]) => v.modelId.toLowerCase() === modelId)?.[0];
    return {
      modelId,
      name,
      owner: m.owner,
      verifier: m.verifier,
      fee: t.fee,
      proofModes: PROOF_MODES.filter((_, bit) => (Number(t.proofModes) >> bit) & 1) as ProofMode[],
      active: t.active,
      input: { length: Number(t.inputLength), scale: Number(t.inputScale), bound: t.inputBound },
      output: { length: Number(t.outputLength), scale: Number(t.outputScale) },
      parentModelId: m.parentModelId,
      parentShareBps: Number(t.parentShareBps),
      referralShareBps: Number(t.referralShareBps),
      artifactURI: m.artifactURI,
      artifactHash: m.artifactHash,
    };
  }

  /** Every registered model (from the registry's ModelRegistered events). */
  async models(): Promise<ModelInfo[]> {
    const logs = await this.registry.queryFilter(this.registry.filters.ModelRegistered(), 0, "latest");
    return Promise.all(logs.map((log) => this.model(log.args.modelId)));
  }

  /**
   * Deploys a circuit folder's verifier and registers the model with the manifest's
   * shapes, scales, input bound and artifact hash. Returns the new model id.
   */
  async registerModel(
    circuitDir: string,
    options: { fee: bigint; salt?: string; proofModes?: ProofMode[]; parentModelId?: string; parentShareBps?: number; referralShareBps?: number; artifactURI?: string },
  ): Promise<{ modelId: string; verifier: string }> {
    const { dir, manifest } = loadCircuit(circuitDir);
    const signer = this.signer();
    const verifier = await this.deployVerifier(dir, manifest.verifier.source, manifest.verifier.contract, signer);
    const salt = options.salt ?? keccakText(`${manifest.name}:${manifest.artifactHash}`);
    const params = {
      fee: options.fee,
      verifier,
      proofModes: (options.proofModes ?? ["zk", "optimistic"]).reduce((bits, mode) => bits | (1 << PROOF_MODES.indexOf(mode)), 0),
      inputLength: manifest.input.length,
      outputLength: manifest.output.length,
      inputScale: manifest.input.scale,
      outputScale: manifest.output.scale,
      inputBound: manifest.input.bound,
      parentModelId: options.parentModelId ?? ZeroHash,
      parentShareBps: options.parentShareBps ?? 0,
      referralShareBps: options.referralShareBps ?? 0,
      artifactURI: options.artifactURI ?? `circuits/${manifest.name}`,
      artifactHash: manifest.artifactHash,
    };
    await this.send(() => this.registry.registerModel(salt, params));
    return { modelId: (await this.registry.modelIdOf(await signer.getAddress(), salt)).toLowerCase(), verifier };
  }

  private async deployVerifier(dir: string, source: string, contractName: string, signer: Signer): Promise<string> {
    // The repository's own verifiers are compiled by Hardhat; any other folder's is compiled here.
    const artifactPath = join(REPO, "artifacts", source, `${contractName}.json`);
    const compiled = existsSync(artifactPath) && resolve(dir).startsWith(join(REPO, "circuits"))
      ? (JSON.parse(readFileSync(artifactPath, "utf8")) as { abi: unknown[]; bytecode: string })
      : compileSolidity("Verifier.sol", readFileSync(join(dir, "Verifier.sol"), "utf8"), contractName);
    const contract = await new ContractFactory(compiled.abi as never, compiled.bytecode, signer).deploy();
    await contract.waitForDeployment();
    return contract.getAddress();
  }

  // ================================================================= requests

  /** The escrow a request with this maxComputeFee takes, and its parts. */
  async quote(request: { model: string; maxComputeFee?: bigint }): Promise<EscrowQuote> {
    const [model, params] = await Promise.all([this.model(request.model), this.coordinator.getParams()]);
    return quoteEscrow(model.fee, request.maxComputeFee ?? model.fee, params.protocolFeeBps);
  }

  /** Asks for a model's output on `input`; approves (or permits) the escrow as needed. */
  async requestInference(request: InferenceRequest): Promise<InferenceHandle> {
    const signer = this.signer();
    const model = await this.model(request.model);
    if (!model.active) throw new Error(`model ${model.name ?? model.modelId} is not active`);
    const input = typeof request.input[0] === "number" ? quantizeTensor(request.input as number[], model.input) : [...(request.input as bigint[])];
    checkTensor(input, model.input);
    const proofMode = request.proofMode ?? "zk";
    if (!model.proofModes.includes(proofMode)) throw new Error(`model ${model.name ?? model.modelId} does not serve ${proofMode} requests`);
    const maxComputeFee = request.maxComputeFee ?? model.fee;
    const quote = await this.quote({ model: model.modelId, maxComputeFee });
    const latest = await this.provider.getBlock("latest");
    const now = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000));
    const params = {
      modelId: model.modelId,
      proofMode: PROOF_MODES.indexOf(proofMode),
      startComputeFee: request.startComputeFee ?? maxComputeFee / 4n,
      maxComputeFee,
      callbackGasLimit: request.callbackGasLimit ?? 200_000,
      deadline: request.deadline ?? now + 3_600,
      consumer: request.consumer ?? ZeroAddress,
      referrer: request.referrer ?? ZeroAddress,
    };
    const encoded = encodeInput(input);
    const owner = await signer.getAddress();
    const tx = request.permit
      ? await this.send(async () => {
          const { v, r, s, deadline } = await signPermit(signer, this.token, this.deployment.coordinator, quote.total, BigInt(now + 3_600));
          return this.coordinator.requestInferenceWithPermit(params, encoded, quote.total, deadline, v, r, s);
        })
      : await this.send(async () => {
          const overrides = await this.approveIfNeeded(owner, this.deployment.coordinator, quote.total, quote.total);
          return this.coordinator.requestInference(params, encoded, overrides);
        });
    const receipt = await tx.wait();
    let requestId: bigint | undefined;
    let cached = false;
    for (const log of receipt!.logs) {
      const event = this.coordinator.interface.parseLog(log);
      if (event?.name === "RequestCreated") requestId = event.args.requestId;
      if (event?.name === "CachedRequestFulfilled") {
        requestId = event.args.requestId;
        cached = true;
      }
    }
    if (requestId === undefined) throw new Error(`transaction ${tx.hash} created no request`);
    return new InferenceHandle(this, requestId, tx.hash, cached);
  }

  /** A handle for an existing request. */
  handle(requestId: bigint): InferenceHandle {
    return new InferenceHandle(this, requestId, "", false);
  }

  async status(requestId: bigint): Promise<RequestStatus> {
    const [, state] = await this.coordinator.getRequest(requestId);
    const status = requestStatusName(state.status);
    // A request answered from the cache in its own transaction keeps no state (unless its callback failed).
    if (status === "none" && (await this.requestLogs(requestId)).some((log) => log.name === "CachedRequestFulfilled")) return "fulfilled";
    return status;
  }

  /** A request's current terms: those it was made with, with any raise of maxComputeFee applied. */
  async terms(requestId: bigint): Promise<RequestTerms> {
    const logs = await this.requestLogs(requestId);
    const created = logs.find((l) => l.name === "RequestCreated");
    if (!created) throw new Error(`request ${requestId} does not exist (no RequestCreated event)`);
    const terms = created.args.terms.toObject(true) as Record<string, unknown>;
    for (const raised of logs.filter((l) => l.name === "MaxComputeFeeRaised")) terms.maxComputeFee = raised.args.maxComputeFee;
    return terms as unknown as RequestTerms;
  }

  /** The final outcome of a request, or undefined while it is not final. */
  async result(requestId: bigint): Promise<InferenceResult | undefined> {
    const logs = await this.requestLogs(requestId);
    const byName = (name: string) => logs.filter((l) => l.name === name);
    const cachedAnswer = byName("CachedRequestFulfilled")[0];
    const status = await this.status(requestId);
    if (!cachedAnswer && status !== "fulfilled" && status !== "refunded") return undefined;

    const transactions: Record<string, string> = {};
    const txNames: Record<string, string> = {
      RequestCreated: "request", CachedRequestFulfilled: "request", RequestClaimed: "claim", OptimisticSubmitted: "submitOptimistic",
      Challenged: "challenge", Defended: "defend", FraudProven: "proveFraud", RequestFulfilled: "fulfilled", RequestRefunded: "refunded",
      CallbackFailed: "callbackFailed", CallbackDelivered: "callback", RequestReopened: "reopen",
    };
    for (const log of logs) if (txNames[log.name]) transactions[txNames[log.name]] = log.transactionHash;

    if (cachedAnswer) {
      const model = await this.model(cachedAnswer.args.modelId);
      const raw = [...cachedAnswer.args.output] as bigint[];
      // A cache answer pays the model fee (and its protocol fee) alone. Its terms are not
      // emitted; the referrer comes from the request's calldata, fee and shares from the
      // model and parameters as they are now (equal to the request's unless changed since).
      const request = await this.provider.getTransaction(cachedAnswer.transactionHash);
      const params = this.coordinator.interface.parseTransaction(request!)!.args[0];
      const protocolFeeBps = (await this.coordinator.getParams()).protocolFeeBps;
      const referralShareBps = params.referrer === ZeroAddress ? 0n : BigInt(model.referralShareBps);
      const fees = splitFees({ modelFee: model.fee, maxComputeFee: 0n, protocolFeeBps, parentShareBps: BigInt(model.parentShareBps), referralShareBps }, 0n);
      return { requestId, status: "answered", proofMode: "zk", relayer: ZeroAddress, output: this.decodeOutput(raw, model.output.scale), proven: true, fees, transactions };
    }

    const terms = await this.terms(requestId);
    const model = await this.model(terms.modelId);
    const proofMode = PROOF_MODES[Number(terms.proofMode)];
    const splitTerms = {
      modelFee: terms.modelFee,
      maxComputeFee: terms.maxComputeFee,
      protocolFeeBps: terms.protocolFeeBps,
      parentShareBps: terms.parentShareBps,
      referralShareBps: terms.referralShareBps,
    };
    if (status === "refunded") {
      const escrow = quoteEscrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps).total;
      const fees = { relayer: 0n, modelOwner: 0n, parent: 0n, referrer: 0n, protocol: 0n, refund: escrow };
      return { requestId, status: "refunded", proofMode, relayer: ZeroAddress, fees, transactions };
    }
    const fulfilled = byName("RequestFulfilled").at(-1)!;
    const raw = [...fulfilled.args.output] as bigint[];
    const callbackFailed = byName("CallbackFailed").length > byName("CallbackDelivered").length;
    const disputed = byName("Challenged").length > 0;
    return {
      requestId,
      status: callbackFailed ? "callback-failed" : disputed ? "disputed" : "answered",
      proofMode,
      relayer: fulfilled.args.payee,
      output: this.decodeOutput(raw, model.output.scale),
      proven: fulfilled.args.proven,
      fees: splitFees(splitTerms, fulfilled.args.computeFee),
      transactions,
    };
  }

  /** Requests for a model, newest last. */
  async requestsByModel(model: string): Promise<{ requestId: bigint; requester: string; blockNumber: number }[]> {
    const logs = await this.coordinator.queryFilter(this.coordinator.filters.RequestCreated(undefined, this.modelId(model)), 0, "latest");
    return logs.map((log) => ({ requestId: log.args.requestId, requester: log.args.requester, blockNumber: log.blockNumber }));
  }

  /** Requests made by an account, newest last. */
  async requestsByRequester(requester: string): Promise<{ requestId: bigint; modelId: string; blockNumber: number }[]> {
    const logs = await this.coordinator.queryFilter(this.coordinator.filters.RequestCreated(undefined, undefined, requester), 0, "latest");
    return logs.map((log) => ({ requestId: log.args.requestId, modelId: log.args.modelId, blockNumber: log.blockNumber }));
  }

  /** What an account holds: withdrawable from the coordinator, tokens, and its relayer stake. */
  async balances(account?: string) {
    const address = account ?? (await this.signer().getAddress());
    const [withdrawable, token, relayer] = await Promise.all([
      this.coordinator.balanceOf(address),
      this.token.balanceOf(address),
      this.staking.relayerOf(address),
    ]);
    return {
      account: address,
      withdrawable,
      token,
      stake: { staked: relayer.stake, locked: relayer.locked, unbonding: relayer.unbonding, unbondingReleaseAt: Number(relayer.unbondingReleaseAt), jobsServed: Number(relayer.jobsServed), jobsSlashed: Number(relayer.jobsSlashed) },
    };
  }

  /**
   * Measures the gas a consumer's callback uses for `sampleOutput` (called as the
   * coordinator would), and recommends a limit with head-room.
   */
  async estimateCallbackGas(consumer: string, sampleOutput: readonly bigint[]): Promise<{ gasUsed: bigint; recommendedLimit: bigint }> {
    const data = new Contract(consumer, ["function onInferenceResult(uint256,int256[])"]).interface.encodeFunctionData("onInferenceResult", [1n, sampleOutput]);
    let estimate: bigint;
    try {
      estimate = await this.provider.estimateGas({ from: this.deployment.coordinator, to: consumer, data });
    } catch (error) {
      throw new Error(`the consumer's callback reverts for this sample output, so no gas limit makes it succeed: ${(error as Error).message}`);
    }
    const gasUsed = estimate - INTRINSIC_GAS - calldataGas(data);
    return { gasUsed, recommendedLimit: (gasUsed * 13n) / 10n + 10_000n };
  }

  // ================================================================= actions

  /** Withdraws an Open request, refunding its escrow (requester only). */
  async cancel(requestId: bigint) {
    const terms = await this.terms(requestId);
    return this.wait(() => this.coordinator.cancel(requestId, terms));
  }

  /** Refunds a request whose deadline passed unanswered (anyone). */
  async refundExpired(requestId: bigint) {
    const terms = await this.terms(requestId);
    return this.wait(() => this.coordinator.expire(requestId, terms));
  }

  /** Raises an Open request's maxComputeFee, approving the top-up as needed (requester only). */
  async raiseMaxComputeFee(requestId: bigint, newMaxComputeFee: bigint) {
    const terms = await this.terms(requestId);
    const topUp = quoteEscrow(terms.modelFee, newMaxComputeFee, terms.protocolFeeBps).total - quoteEscrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps).total;
    const owner = await this.signer().getAddress();
    const overrides = await this.send(() => this.approveIfNeeded(owner, this.deployment.coordinator, topUp, topUp));
    return this.wait(() => this.coordinator.raiseMaxComputeFee(requestId, terms, newMaxComputeFee, overrides));
  }

  /** Calls a failed callback again with the same gas limit (anyone). */
  async retryCallback(requestId: bigint) {
    const terms = await this.terms(requestId);
    return this.wait(() => this.coordinator.retryCallback(requestId, terms));
  }

  /** Pays out the caller's balance in the coordinator. */
  withdraw() {
    return this.wait(() => this.coordinator.withdraw());
  }

  /** Stakes `amount` as a relayer, approving the staking contract as needed. */
  async stake(amount: bigint) {
    const owner = await this.signer().getAddress();
    const overrides = await this.send(() => this.approveIfNeeded(owner, this.deployment.staking, amount, MaxUint256));
    return this.wait(() => this.staking.stake(amount, overrides));
  }

  /** Starts unbonding `amount` of stake; it can be withdrawn after the unbonding delay. */
  requestUnstake(amount: bigint) {
    return this.wait(() => this.staking.unbond(amount));
  }

  /** Withdraws stake whose unbonding delay has passed. */
  withdrawStake() {
    return this.wait(() => this.staking.withdraw());
  }

  // ================================================================= helpers

  /**
   * Approves `spender` for `approval` when its allowance is below `needed`. Returns the
   * overrides for the transaction that follows: the nonce after the approval's, since a
   * provider may still answer the pending-nonce query from a cache of before it.
   */
  private async approveIfNeeded(owner: string, spender: string, needed: bigint, approval: bigint): Promise<{ nonce?: number }> {
    if ((await this.token.allowance(owner, spender)) >= needed) return {};
    const approve = await this.token.approve(spender, approval);
    await approve.wait();
    return { nonce: approve.nonce + 1 };
  }

  private decodeOutput(raw: bigint[], scale: number) {
    return { raw, values: raw.map((value) => dequantize(value, scale)), scale };
  }

  private signer(): Signer {
    const runner = this.runner as Signer;
    if (typeof runner.getAddress !== "function") throw new Error("this action needs a signer: connect with { runner: signer }");
    return runner;
  }

  private async requestLogs(requestId: bigint): Promise<(Log & { name: string; args: any })[]> {
    const topic = `0x${requestId.toString(16).padStart(64, "0")}`;
    const logs = await this.provider.getLogs({ address: this.deployment.coordinator, topics: [null, topic], fromBlock: 0, toBlock: "latest" });
    return logs.flatMap((log) => {
      const event = this.coordinator.interface.parseLog(log);
      return event ? [Object.assign(log, { name: event.name, args: event.args })] : [];
    });
  }

  /** Sends a transaction, decoding a custom-error revert. */
  private send<T>(action: () => Promise<T>): Promise<T> {
    return withDecodedErrors(this.errorInterfaces, action);
  }

  /** Sends a transaction and waits for its receipt, decoding a custom-error revert. */
  private async wait(action: () => Promise<{ wait(): Promise<unknown> }>) {
    return withDecodedErrors(this.errorInterfaces, async () => (await action()).wait());
  }
}
