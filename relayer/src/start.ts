/**
 * Start-up: from a validated config to a running relayer. Reads the deployment,
 * connects and checks the RPC, loads the key, approves challenge bonds, opens the job
 * store, starts the prover (whose warm-up seeds our proving times), checks each model's
 * registration against our artifacts, builds the submitter, watcher, watchtower and
 * metrics, starts the loop and serves /metrics and /healthz. `stop` closes it all again.
 */
import { Interface, JsonRpcProvider, MaxUint256, WebSocketProvider, type AbstractProvider } from "ethers";
import { InferenceCoordinator__factory } from "../../types/factories/contracts/InferenceCoordinator__factory.js";
import { DisputeGame__factory } from "../../types/factories/contracts/DisputeGame__factory.js";
import { ModelRegistry__factory } from "../../types/factories/contracts/ModelRegistry__factory.js";
import { RelayerStaking__factory } from "../../types/factories/contracts/RelayerStaking__factory.js";
import { HighwayToken__factory } from "../../types/factories/contracts/token/HighwayToken__factory.js";
import type { HighwayToken } from "../../types/contracts/token/HighwayToken.js";
import { deploymentStartBlock, type HighwayDeployment } from "../../sdk/deployment.js";
import { loadDeployment } from "../../sdk/deployment-file.js";
import { loadCircuit } from "../../sdk/circuits.js";
import { ProverPool, type ProverPoolOptions } from "../prover/pool.js";
import { ConfigError, type RelayerConfig } from "./config.js";
import type { Policy, ServedModel } from "./decide.js";
import { DisputeCalls, type DisputeContract } from "./disputes.js";
import { loadSigner } from "./keys.js";
import { createLogger, type Logger } from "./logger.js";
import { RelayerMetrics, serveHttp } from "./metrics.js";
import { ModelChecks, type CheckedModel } from "./model-checks.js";
import { ProvingTimes } from "./proving-times.js";
import { JobOutputs, type Prover } from "./outputs.js";
import { Relayer } from "./relayer.js";
import { JobStore } from "./store.js";
import { Submitter } from "./submitter.js";
import { Watcher } from "./watcher.js";
import { Watchtower } from "./watchtower.js";

export interface StartOptions {
  /** Starts the prover; by default the pool of EZKL workers. The demo's cheating relayer wraps that pool. */
  startProver?: (options: ProverPoolOptions) => Promise<Prover>;
}

/** A started relayer, with what start-up opened for it. */
export interface StartedRelayer {
  readonly relayer: Relayer;
  readonly log: Logger;
  /** The HTTP port actually bound (the config may ask for port 0). */
  readonly httpPort: number;
  /** Stops after the work in hand, then closes the prover, the HTTP server, the RPC connection and the store. */
  stop(): Promise<void>;
}

/** Connects, checks the chain and the key, starts the prover pool, the loop and the HTTP server. */
export async function startRelayer(config: RelayerConfig, options: StartOptions = {}): Promise<StartedRelayer> {
  const deployment = readDeployment(config.deployment);
  const provider = await connect(config.rpcUrl, deployment.chainId);
  try {
    return await startOn(provider, deployment, config, options);
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

async function startOn(provider: AbstractProvider, deployment: HighwayDeployment, config: RelayerConfig, options: StartOptions): Promise<StartedRelayer> {
  const log = createLogger(config.logLevel);
  const metrics = new RelayerMetrics();
  const { policy, checked } = policyOf(config, deployment);
  const signer = await loadSigner(config.key, provider);
  const coordinator = InferenceCoordinator__factory.connect(deployment.coordinator, signer);
  // Disputes are played on the dispute game (disputes.ts); the coordinator keeps every token, so it pulls challenge bonds.
  const disputeGame: DisputeContract = DisputeGame__factory.connect(deployment.disputeGame, signer);
  const staking = RelayerStaking__factory.connect(deployment.staking, provider);
  // The registry the coordinator itself reads verifiers from.
  const registry = ModelRegistry__factory.connect(await coordinator.registry(), provider);
  const token = HighwayToken__factory.connect(await coordinator.paymentToken(), signer);
  if (config.watchtower.enabled) await approveChallengeBonds(token, signer.address, deployment.coordinator, log);
  // Every custom error a transaction of ours can meet, to name it when a call would revert.
  const errors = new Interface([coordinator.interface, disputeGame.interface, staking.interface, token.interface].flatMap((i) => i.fragments.filter((f) => f.type === "error")));

  const store = new JobStore(config.database);
  const startProver = options.startProver ?? ((poolOptions: ProverPoolOptions) => ProverPool.start(poolOptions));
  let prover: Prover;
  try {
    prover = await startProver({ circuits: config.models.map((m) => m.circuit), workers: config.prover.workers, maxQueue: config.prover.maxQueue });
  } catch (error) {
    store.close();
    throw error;
  }
  let provingTimes: ProvingTimes;
  const modelChecks = new ModelChecks({ registry, provider, log, metrics }, checked);
  try {
    provingTimes = new ProvingTimes(prover.warmUpTimes());
    const unmeasured = [...policy.models.values()].filter((model) => !provingTimes.knows(model.name)).map((model) => model.name);
    if (unmeasured.length) throw new Error(`the prover reported no warm-up time for ${unmeasured.join(", ")}: the relayer cannot tell which deadlines it can meet`);
    await modelChecks.checkAll();
  } catch (error) {
    await prover.close();
    store.close();
    throw error;
  }
  const outputs = new JobOutputs(prover, store, provingTimes, metrics);
  const disputes = new DisputeCalls(disputeGame);
  const followed = [deployment.coordinator, await registry.getAddress()];
  const events = new Interface([...coordinator.interface.fragments, ...registry.interface.fragments.filter((f) => f.type === "event")]);
  const relayer = new Relayer({
    provider,
    coordinator,
    staking,
    store,
    watcher: new Watcher(provider, followed, events, store, { confirmations: config.confirmations, logRange: config.logRange, startBlock: firstBlockToScan(config, deployment) }, log, metrics),
    submitter: new Submitter(signer, provider, errors, config.submitter, log, metrics),
    outputs,
    provingTimes,
    modelChecks,
    registry: await registry.getAddress(),
    watchtower: new Watchtower({ coordinator, disputes, outputs, store, token, address: signer.address, log }),
    disputes,
    policy,
    pollIntervalMs: config.pollIntervalMs,
    log,
    metrics,
  });
  let http: Awaited<ReturnType<typeof serveHttp>>;
  try {
    http = await serveHttp(metrics, () => relayer.health(), config.http.host, config.http.port);
  } catch (error) {
    await prover.close();
    store.close();
    throw error;
  }
  const { server, port } = http;
  const resumed = store.active().length;
  relayer.start();
  const refused = modelChecks.status().filter((model) => !model.verified).map((model) => `${model.model} (${model.modelId})`);
  log.info({ relayer: signer.address, models: [...policy.models.values()].map((m) => m.name), refused, http: port, resumed }, "relayer started");

  return {
    relayer,
    log,
    httpPort: port,
    async stop() {
      await relayer.stop();
      await prover.close();
      await new Promise((resolve) => server.close(resolve));
      provider.destroy();
      store.close();
      log.info("stopped");
    },
  };
}

/** What the config asks of each model, keyed by the model's registry id, with the circuit each must match. */
function policyOf(config: RelayerConfig, deployment: HighwayDeployment): { policy: Policy; checked: CheckedModel[] } {
  const models = new Map<string, ServedModel>();
  const checked: CheckedModel[] = [];
  for (const model of config.models) {
    const name = model.circuit.split("/").filter(Boolean).pop()!;
    const modelId = (model.modelId ?? deployment.models[name]?.modelId)?.toLowerCase();
    if (!modelId) throw new ConfigError(`field "models": no modelId for ${name} and none in ${config.deployment}; set "modelId"`);
    const served: ServedModel = { name, modes: model.modes, computeCost: BigInt(model.computeCost) };
    models.set(modelId, served);
    checked.push({ modelId, circuit: loadCircuit(model.circuit), served });
  }
  const policy: Policy = {
    models,
    pricing: config.pricing,
    watchtower: { enabled: config.watchtower.enabled, minProfit: BigInt(config.watchtower.minProfit) },
    deadlineMarginSeconds: config.deadlineMarginSeconds,
    maxJobFailures: config.maxJobFailures,
  };
  return { policy, checked };
}

/** Where a fresh store's scan starts: nothing of Highway's is older than its deployment. */
function firstBlockToScan(config: RelayerConfig, deployment: HighwayDeployment): number {
  return config.startBlock ?? deploymentStartBlock(deployment);
}

/** Challenges post a bond that the dispute contract pulls from this account: allow it once, for good. */
async function approveChallengeBonds(token: HighwayToken, owner: string, spender: string, log: Logger): Promise<void> {
  if ((await token.allowance(owner, spender)) >= MaxUint256 / 2n) return;
  await (await token.approve(spender, MaxUint256)).wait();
  log.info({ spender }, "approved challenge bonds");
}

function readDeployment(path: string): HighwayDeployment {
  try {
    return loadDeployment(path);
  } catch (error) {
    throw new ConfigError(`field "deployment": ${(error as Error).message}`);
  }
}

/** Opens the RPC and checks that it answers and serves the deployment's chain. */
async function connect(url: string, chainId: number): Promise<AbstractProvider> {
  const provider: AbstractProvider = url.startsWith("ws")
    ? new WebSocketProvider(url, chainId)
    : // No response cache: a cached pending nonce or request state would be stale by design here.
      new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 50, pollingInterval: 250, cacheTimeout: -1 });
  try {
    const network = await withTimeout(provider.getNetwork(), 10_000);
    await withTimeout(provider.getBlockNumber(), 10_000);
    if (Number(network.chainId) !== chainId) throw new Error(`the RPC serves chain ${network.chainId}, the deployment is on ${chainId}`);
  } catch (error) {
    provider.destroy();
    throw new ConfigError(`field "rpcUrl": cannot use ${url}: ${(error as Error).message}`);
  }
  return provider;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
