/**
 * Start-up: from a validated config to a running relayer. Reads the deployment,
 * connects and checks the RPC, loads the key, opens the job store, binds the HTTP port
 * of /metrics and /healthz (before anything slow: a port in use stops start-up at once),
 * puts back in play the requests set aside for a model or mode the config now serves,
 * reads our stake, approves challenge bonds, starts the prover (whose warm-up seeds our
 * proving times), checks each model's registration against our artifacts, builds the
 * submitter, watcher and watchtower, and starts the loop. A failure on the way closes
 * what was opened, last first; `stop` closes it all the same way.
 */
import type { Server } from "node:http";
import { Interface, JsonRpcProvider, MaxUint256, WebSocketProvider, ZeroAddress, type AbstractProvider, type Fragment } from "ethers";
import { InferenceCoordinator__factory } from "../../types/factories/contracts/InferenceCoordinator__factory.js";
import { DisputeGame__factory } from "../../types/factories/contracts/DisputeGame__factory.js";
import { ModelRegistry__factory } from "../../types/factories/contracts/ModelRegistry__factory.js";
import { RelayerStaking__factory } from "../../types/factories/contracts/RelayerStaking__factory.js";
import { HighwayToken__factory } from "../../types/factories/contracts/token/HighwayToken__factory.js";
import { BatchFulfiller__factory } from "../../types/factories/contracts/BatchFulfiller__factory.js";
import { CommitteeArbiter__factory } from "../../types/factories/contracts/CommitteeArbiter__factory.js";
import type { HighwayToken } from "../../types/contracts/token/HighwayToken.js";
import { batchFulfillerOf, deploymentStartBlock, type HighwayDeployment } from "../../sdk/deployment.js";
import { loadDeployment } from "../../sdk/deployment-file.js";
import { batchedCircuits, loadCircuit, type Circuit } from "../../sdk/circuits.js";
import { ProverPool, type ProverPoolOptions } from "../prover/pool.js";
import { committeeSeat, declareServing, languagePolicy, startLanguageRuntimes, type LanguagePolicyEntry } from "../llm/serve.js";
import type { LanguageRuntime } from "../llm/runtime.js";
import { ConfigError, type RelayerConfig } from "./config.js";
import type { Policy, ServedModel } from "./decide.js";
import { DisputeCalls, type DisputeContract } from "./disputes.js";
import { loadSigner } from "./keys.js";
import { createLogger, resolveLogFormat, type LogFormat, type Logger } from "./logger.js";
import { RelayerMetrics, serveHttp, type Health } from "./metrics.js";
import { ModelChecks, type CheckedCircuit } from "./model-checks.js";
import { ProvingTimes } from "./proving-times.js";
import { JobOutputs, type Prover } from "./outputs.js";
import { Relayer, type RelayerBatching } from "./relayer.js";
import { StakeMonitor } from "./stake.js";
import { JobStore } from "./store.js";
import { Submitter, type PrivateRoute } from "./submitter.js";
import { Watcher } from "./watcher.js";
import { Watchtower } from "./watchtower.js";

export interface StartOptions {
  /** Starts the prover; by default the pool of EZKL workers. The demo's cheating relayer wraps that pool. */
  startProver?: (options: ProverPoolOptions) => Promise<Prover>;
  /** Wraps each language runtime once started; the demo's cheating relayer makes it answer wrongly. */
  wrapLanguageRuntime?: (runtime: LanguageRuntime) => LanguageRuntime;
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

/** Connects, checks the chain and the key, binds the HTTP port, starts the prover pool and the loop. */
export async function startRelayer(config: RelayerConfig, options: StartOptions = {}): Promise<StartedRelayer> {
  const log = createLogger(config.logLevel, { format: logFormatOf(config) });
  const deployment = readDeployment(config.deployment);
  const opened = new Opened();
  try {
    const provider = await connect(config.rpcUrl, deployment.chainId);
    opened.add(() => provider.destroy());
    return await startOn(provider, deployment, config, options, log, opened);
  } catch (error) {
    // Whatever start-up opened is closed again, so that the process can exit on its own.
    await opened.closeAll(log);
    throw error;
  }
}

async function startOn(
  provider: AbstractProvider,
  deployment: HighwayDeployment,
  config: RelayerConfig,
  options: StartOptions,
  log: Logger,
  opened: Opened,
): Promise<StartedRelayer> {
  const metrics = new RelayerMetrics();
  const { policy, checked, language } = policyOf(config, deployment);
  const signer = await loadSigner(config.key, provider);
  const coordinator = InferenceCoordinator__factory.connect(deployment.coordinator, signer);
  // Disputes are played on the dispute game (disputes.ts); the coordinator keeps every token, so it pulls challenge bonds.
  const disputeGame: DisputeContract = DisputeGame__factory.connect(deployment.disputeGame, signer);
  const staking = RelayerStaking__factory.connect(deployment.staking, provider);
  // The registry the coordinator itself reads verifiers from.
  const registry = ModelRegistry__factory.connect(await coordinator.registry(), provider);
  const token = HighwayToken__factory.connect(await coordinator.paymentToken(), signer);

  const store = new JobStore(config.database);
  opened.add(() => store.close());
  // Before anything slow (the prover's warm-up): a port in use stops start-up at once.
  let relayer: Relayer | undefined;
  const { server, port } = await listen(metrics, () => relayer?.health() ?? { ok: false, starting: true }, config.http);
  opened.add(() => closeServer(server));

  reconsiderSetAside(store, policy, log);
  const stake = new StakeMonitor({ staking, coordinator }, signer.address, log, metrics);
  await stake.check();
  if (config.watchtower.enabled) await approveChallengeBonds(token, signer.address, deployment.coordinator, log);
  // Every custom error a transaction of ours can meet, to name it when a call would revert.
  const errors = new Interface(
    [coordinator.interface, disputeGame.interface, staking.interface, token.interface].flatMap((i) =>
      i.fragments.filter((f) => f.type === "error"),
    ),
  );

  // A relayer of language models only needs no EZKL workers.
  const startProver =
    config.models.length === 0
      ? () => Promise.resolve(NO_CIRCUITS)
      : (options.startProver ?? ((poolOptions: ProverPoolOptions) => ProverPool.start(poolOptions)));
  // Each model's largest batched circuit, when batching is on: the workers prove with it too.
  const batchedOf = new Map(
    config.batching.enabled
      ? checked.flatMap((model) => {
          const batched = batchedCircuits(model.circuit.dir).at(-1);
          return batched ? [[model.modelId, batched] as const] : [];
        })
      : [],
  );
  const prover = await startProver({
    circuits: [...config.models.map((m) => m.circuit), ...[...batchedOf.values()].map((c) => c.dir)],
    workers: config.prover.workers,
    maxQueue: config.prover.maxQueue,
  });
  opened.add(() => prover.close());
  const { runtimes, warmUpMs } = await startLanguageRuntimes(language, log, (runtime) => opened.add(() => runtime.close()));
  const wrap = options.wrapLanguageRuntime ?? ((runtime: LanguageRuntime) => runtime);
  for (const [name, runtime] of runtimes) runtimes.set(name, wrap(runtime));
  const provingTimes = new ProvingTimes(prover.warmUpTimes());
  // A language answer is generated, never proven: its one time is the warm-up answer's.
  for (const [name, ms] of warmUpMs) for (const work of ["witness", "proof"] as const) provingTimes.record(name, work, ms);
  const unmeasured = [...policy.models.values()].filter((model) => !provingTimes.knows(model.name)).map((model) => model.name);
  if (unmeasured.length)
    throw new Error(
      `the prover reported no warm-up time for ${unmeasured.join(", ")}: the relayer cannot tell which deadlines it can meet`,
    );
  const modelChecks = new ModelChecks({ registry, provider, log, metrics }, [...checked, ...language.map((entry) => entry.checked)]);
  await modelChecks.checkAll();
  if (language.length) await declareServing(staking, signer, language, log);

  const batching = await batchingOf(deployment, config, checked, batchedOf, modelChecks, prover, log);
  const outputs = new JobOutputs(prover, store, provingTimes, metrics, runtimes);
  const disputes = new DisputeCalls(disputeGame);
  // Language models' challenges go to the committee arbiter, which also draws us to its committees.
  const arbiterAddress = await coordinator.languageArbiter();
  const arbiter = CommitteeArbiter__factory.connect(arbiterAddress, signer);
  const languageDisputes = new DisputeCalls(arbiter);
  const registryAddress = await registry.getAddress();
  const followed = [deployment.coordinator, registryAddress, deployment.staking];
  const eventsOf = (fragments: readonly Fragment[]) => fragments.filter((f) => f.type === "event");
  const arbiterEvents = language.length && arbiterAddress !== ZeroAddress ? eventsOf(arbiter.interface.fragments) : [];
  if (arbiterEvents.length) followed.push(arbiterAddress);
  const known = new Set(coordinator.interface.fragments.filter((f) => f.type === "event").map((f) => f.format()));
  const events = new Interface([
    ...coordinator.interface.fragments,
    ...eventsOf(registry.interface.fragments),
    ...eventsOf(staking.interface.fragments),
    // Only the arbiter's own events (an event the coordinator declares too is the coordinator's).
    ...arbiterEvents.filter((f) => !known.has(f.format())),
  ]);
  const submitter = new Submitter(signer, provider, errors, config.submitter, log, metrics, privateRoute(config));
  const committee = arbiterEvents.length
    ? {
        arbiter: arbiterAddress,
        voter: await committeeSeat({
          arbiter,
          registry,
          signer,
          store,
          entries: language,
          runtimes,
          send: (action, call) => submitter.send(action, call),
          log,
        }),
      }
    : undefined;
  relayer = new Relayer({
    provider,
    coordinator,
    staking,
    stakingAddress: deployment.staking,
    stake,
    store,
    watcher: new Watcher(
      provider,
      followed,
      events,
      store,
      { confirmations: config.confirmations, logRange: config.logRange, startBlock: firstBlockToScan(config, deployment) },
      log,
      metrics,
    ),
    submitter,
    outputs,
    provingTimes,
    modelChecks,
    registry: registryAddress,
    watchtower: new Watchtower({
      coordinator,
      disputesOf: (job) => (policy.models.get(job.modelId)?.kind === "language" ? languageDisputes : disputes),
      outputs,
      store,
      token,
      address: signer.address,
      log,
    }),
    disputes,
    policy,
    pollIntervalMs: config.pollIntervalMs,
    log,
    metrics,
    batching,
    committee,
  });
  const started = relayer;
  const resumed = store.active().length;
  started.start();
  const refused = modelChecks
    .status()
    .filter((model) => !model.verified)
    .map((model) => `${model.model} (${model.modelId})`);
  log.info(
    {
      relayer: signer.address,
      models: [...policy.models.values()].map((m) => m.name),
      refused,
      http: port,
      resumed,
      stake: stake.status(),
    },
    "relayer started",
  );

  return {
    relayer: started,
    log,
    httpPort: port,
    async stop() {
      await started.stop();
      await opened.closeAll(log);
      log.info("stopped");
    },
  };
}

/**
 * Batching for the models whose batched verifier on chain matches our batched circuit; none (every job
 * alone) when batching is off, no model has one, or the prover cannot batch.
 */
async function batchingOf(
  deployment: HighwayDeployment,
  config: RelayerConfig,
  checked: readonly CheckedCircuit[],
  batchedOf: ReadonlyMap<string, Circuit>,
  modelChecks: ModelChecks,
  prover: Prover,
  log: Logger,
): Promise<RelayerBatching | undefined> {
  if (!config.batching.enabled) return undefined;
  const proveBatch = prover.proveBatch?.bind(prover) ?? noBatchProver;
  const models = new Map<string, { modelId: string; size: number; since: number }>();
  for (const model of checked) {
    const batched = batchedOf.get(model.modelId);
    if (!batched) continue;
    const verdict = await modelChecks.batchedVerifier(model.modelId, batched);
    if ("refusal" in verdict) {
      log.warn({ model: model.served.name }, `no batch proofs for ${model.served.name}: ${verdict.refusal}`);
      continue;
    }
    models.set(model.served.name, { modelId: model.modelId, ...verdict });
    log.info({ model: model.served.name, batchSize: verdict.size }, `batch proofs for ${model.served.name}`);
  }
  return {
    fulfiller: deployment.batchFulfiller ?? batchFulfillerOf(deployment.coordinator),
    fulfillerInterface: BatchFulfiller__factory.createInterface(),
    maxWaitMs: config.batching.maxWaitMs,
    minBatch: config.batching.minBatch,
    models,
    idleProvers: () => prover.idleWorkers ?? 1,
    proveBatch,
  };
}

/** A prover without batched circuits: never called, since no model then answers in batches (claims still batch). */
function noBatchProver(): never {
  throw new Error("this prover has no batched circuit");
}

/** What start-up opened, closed again in the reverse order (each once), whatever fails on the way. */
class Opened {
  private readonly closers: (() => unknown)[] = [];

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  async closeAll(log: Logger): Promise<void> {
    for (let close = this.closers.pop(); close; close = this.closers.pop()) {
      try {
        await close();
      } catch (error) {
        log.warn({ error: (error as Error).message }, "closing on the way out failed");
      }
    }
  }
}

/** Binds the HTTP port of /metrics and /healthz; a port in use or not ours to bind is a config error naming the field. */
async function listen(
  metrics: RelayerMetrics,
  health: () => Health,
  http: RelayerConfig["http"],
): Promise<{ server: Server; port: number }> {
  try {
    return await serveHttp(metrics, health, http.host, http.port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new ConfigError(`http port ${http.port} is in use: set "http.port" (or 0 for any free port)`);
    if (code === "EACCES")
      throw new ConfigError(
        `http port ${http.port} needs privileges this process does not have: set "http.port" to 1024 or above (or 0 for any free port)`,
      );
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
      throw new ConfigError(
        `field "http.host": cannot listen on ${http.host} (${code}): use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`,
      );
    throw error;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Requests of a model the config now serves, set aside by an earlier run that did not
 * serve it (or its mode), are looked at again; jobs of ours of a model no longer served
 * are named, since nothing will finish them.
 */
function reconsiderSetAside(store: JobStore, policy: Policy, log: Logger): void {
  const reconsidered = store.reconsider(policy.models);
  if (reconsidered)
    log.info({ reconsidered }, "requests set aside as not served are looked at again: the config serves their model or mode now");
  for (const { modelId, model, jobs } of store.committedOutside(new Set(policy.models.keys()))) {
    log.warn(
      { modelId, model, jobs },
      `${jobs} jobs of model ${model || modelId} hold our claim, answer or challenge, but the config no longer serves the model: they will not be finished (their bonds are at stake); add it back to finish them`,
    );
  }
}

/** The log format: the environment's override, the config's choice, or by whether stdout is a terminal. */
function logFormatOf(config: RelayerConfig): LogFormat {
  try {
    return resolveLogFormat(config.logFormat);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * What the config asks of each model, keyed by the model's registry id, with the circuit each must match; and the
 * language models, with the runtime spec each must match.
 */
function policyOf(
  config: RelayerConfig,
  deployment: HighwayDeployment,
): { policy: Policy; checked: CheckedCircuit[]; language: LanguagePolicyEntry[] } {
  const models = new Map<string, ServedModel>();
  const checked: CheckedCircuit[] = [];
  for (const model of config.models) {
    const name = model.circuit.split("/").filter(Boolean).pop()!;
    const modelId = (model.modelId ?? deployment.models[name]?.modelId)?.toLowerCase();
    if (!modelId) throw new ConfigError(`field "models": no modelId for ${name} and none in ${config.deployment}; set "modelId"`);
    const served: ServedModel = { name, kind: "circuit", modes: model.modes, computeCost: BigInt(model.computeCost) };
    models.set(modelId, served);
    checked.push({ modelId, circuit: loadCircuit(model.circuit), served });
  }
  const language = languagePolicy(config.languageModels, deployment, config.deployment);
  for (const entry of language) models.set(entry.modelId, entry.served);
  const policy: Policy = {
    models,
    pricing: config.pricing,
    watchtower: { enabled: config.watchtower.enabled, minProfit: BigInt(config.watchtower.minProfit) },
    deadlineMarginSeconds: config.deadlineMarginSeconds,
    maxJobFailures: config.maxJobFailures,
  };
  return { policy, checked, language };
}

/** The prover of a relayer that serves no circuit model: it is never asked for a witness or a proof. */
const NO_CIRCUITS: Prover = {
  witness: () => Promise.reject(new Error("this relayer serves no circuit model")),
  prove: () => Promise.reject(new Error("this relayer serves no circuit model")),
  warmUpTimes: () => new Map(),
  close: () => Promise.resolve(),
};

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

export function readDeployment(path: string): HighwayDeployment {
  try {
    return loadDeployment(path);
  } catch (error) {
    throw new ConfigError(`field "deployment": ${(error as Error).message}`);
  }
}

/** Opens the RPC and checks that it answers and serves the deployment's chain. */
export async function connect(url: string, chainId: number): Promise<AbstractProvider> {
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

/** The private endpoint our challenges and fraud proofs go through, when `watchtower.privateTxRpcUrl` names one. */
function privateRoute(config: RelayerConfig): PrivateRoute | undefined {
  const url = config.watchtower.privateTxRpcUrl;
  if (url === undefined) return undefined;
  return { provider: new JsonRpcProvider(url), actions: new Set(["commitChallenge", "challenge", "proveFraud"]) };
}
