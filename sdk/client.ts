/**
 * The client every action takes: a runner (a signer to act, a provider to read), the
 * deployment, and typed handles on its contracts. Actions are plain functions over it
 * (sdk/actions/); the `Highway` class (sdk/highway.ts) is a facade that holds one.
 */
import { EventLog, toBeHex, type Interface, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { CommitteeArbiter__factory } from "../types/factories/contracts/CommitteeArbiter__factory.js";
import { InferenceCoordinator__factory } from "../types/factories/contracts/InferenceCoordinator__factory.js";
import { DisputeGame__factory } from "../types/factories/contracts/DisputeGame__factory.js";
import { ModelRegistry__factory } from "../types/factories/contracts/ModelRegistry__factory.js";
import { RelayerStaking__factory } from "../types/factories/contracts/RelayerStaking__factory.js";
import { HighwayToken__factory } from "../types/factories/contracts/token/HighwayToken__factory.js";
import type { CommitteeArbiter } from "../types/contracts/CommitteeArbiter.js";
import type { InferenceCoordinator } from "../types/contracts/InferenceCoordinator.js";
import type { DisputeGame } from "../types/contracts/DisputeGame.js";
import type { ModelRegistry } from "../types/contracts/ModelRegistry.js";
import type { RelayerStaking } from "../types/contracts/RelayerStaking.js";
import type { HighwayToken } from "../types/contracts/token/HighwayToken.js";
import type { TypedContractEvent, TypedDeferredTopicFilter, TypedEventLog } from "../types/common.js";
import { deploymentStartBlock, type HighwayDeployment } from "./deployment.js";
import { HighwayError, withDecodedErrors } from "./errors.js";
import { getLogsPaged, LOG_PAGE_BLOCKS, queryFilterPaged, type EventSource } from "./logs.js";

export interface HighwayClientOptions {
  /** A signer to act, or a provider to read only. */
  runner: Signer | Provider;
  /** The deployment's contents (in Node, `loadDeployment` reads them from a file). */
  deployment: HighwayDeployment;
  /** Blocks per log query; default LOG_PAGE_BLOCKS. */
  logPageBlocks?: number;
}

export interface HighwayClient {
  readonly deployment: HighwayDeployment;
  readonly runner: Signer | Provider;
  readonly provider: Provider;
  readonly coordinator: InferenceCoordinator;
  /** challenge, defend, proveFraud, resolveDisputeTimeout (their events are the coordinator's). */
  readonly disputeGame: DisputeGame;
  /** Language models' disputes: challenge, draw, commit, reveal, resolve, and the committee's events. Absent when the deployment file names none. */
  readonly committeeArbiter?: CommitteeArbiter;
  readonly registry: ModelRegistry;
  readonly staking: RelayerStaking;
  readonly token: HighwayToken;
  readonly logPageBlocks: number;
}

/** A client for `deployment`; checks that the runner is on the deployment's chain. */
export async function createHighwayClient(options: HighwayClientOptions): Promise<HighwayClient> {
  const { runner, deployment } = options;
  const provider = "provider" in runner && runner.provider ? runner.provider : (runner as Provider);
  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== deployment.chainId) {
    throw new HighwayError(`the runner is on chain ${chainId} but the deployment is for chain ${deployment.chainId}`);
  }
  return {
    deployment,
    runner,
    provider,
    coordinator: InferenceCoordinator__factory.connect(deployment.coordinator, runner),
    disputeGame: DisputeGame__factory.connect(deployment.disputeGame, runner),
    ...(deployment.committeeArbiter ? { committeeArbiter: CommitteeArbiter__factory.connect(deployment.committeeArbiter, runner) } : {}),
    registry: ModelRegistry__factory.connect(deployment.registry, runner),
    staking: RelayerStaking__factory.connect(deployment.staking, runner),
    token: HighwayToken__factory.connect(deployment.token, runner),
    logPageBlocks: options.logPageBlocks ?? LOG_PAGE_BLOCKS,
  };
}

/** The client's signer; throws when it was connected with a provider only. */
export function signerOf(client: HighwayClient): Signer {
  const signer = client.runner as Signer;
  if (typeof signer.getAddress !== "function") throw new HighwayError("this action needs a signer: connect with { runner: signer }");
  return signer;
}

/** The interfaces whose custom errors a Highway call may revert with. */
function errorInterfaces(client: HighwayClient): Interface[] {
  return [
    client.coordinator.interface,
    client.disputeGame.interface,
    ...(client.committeeArbiter ? [client.committeeArbiter.interface] : []),
    client.registry.interface,
    client.staking.interface,
    client.token.interface,
  ];
}

/** Runs a contract call, turning a custom-error revert into a HighwayContractError. */
export function withContractErrors<T>(client: HighwayClient, action: () => Promise<T>): Promise<T> {
  return withDecodedErrors(errorInterfaces(client), action);
}

/** Sends a transaction and waits for its receipt, turning a custom-error revert into a HighwayContractError. */
export function sendAndWait(
  client: HighwayClient,
  send: () => Promise<{ wait(): Promise<TransactionReceipt | null> }>,
): Promise<TransactionReceipt> {
  return withContractErrors(client, async () => (await (await send()).wait())!);
}

/**
 * Approves `spender` for `approval` of the payment token when its allowance is below
 * `needed`. Returns the overrides for the transaction that follows: the nonce after the
 * approval's, since a provider may still answer the pending-nonce query from a cache of before it.
 */
export async function approveIfNeeded(
  client: HighwayClient,
  spender: string,
  needed: bigint,
  approval: bigint,
): Promise<{ nonce?: number }> {
  const owner = await signerOf(client).getAddress();
  if ((await client.token.allowance(owner, spender)) >= needed) return {};
  const approve = await client.token.approve(spender, approval);
  await approve.wait();
  return { nonce: approve.nonce + 1 };
}

/** The events of one filter on one of the deployment's contracts, from the deployment's block, page by page. */
/**
 * The events about one request that the contract at `address` (whose ABI is `iface`) emitted: those whose first
 * indexed argument is `requestId` and named `requestId`, parsed, oldest first; `range` narrows the blocks (default:
 * the deployment's first to the latest). The coordinator's and the committee arbiter's are read this way.
 */
export async function getRequestLogs(
  client: HighwayClient,
  address: string,
  iface: Interface,
  requestId: bigint,
  range: { fromBlock?: number; toBlock?: number } = {},
): Promise<EventLog[]> {
  const filter = { address, topics: [null, toBeHex(requestId, 32)] };
  const from = range.fromBlock ?? deploymentStartBlock(client.deployment);
  const logs = await getLogsPaged(client.provider, filter, from, range.toBlock, client.logPageBlocks);
  return logs.flatMap((log) => {
    const fragment = iface.parseLog(log)?.fragment;
    // Another event's first indexed argument (an account, say) may read as this id: only the request's own events.
    return fragment && fragment.inputs[0]?.name === "requestId" ? [new EventLog(log, iface, fragment)] : [];
  });
}

export function queryEvents<E extends TypedContractEvent>(
  client: HighwayClient,
  contract: EventSource,
  filter: TypedDeferredTopicFilter<E>,
): Promise<TypedEventLog<E>[]> {
  return queryFilterPaged(client.provider, contract, filter, deploymentStartBlock(client.deployment), client.logPageBlocks);
}
