/**
 * Deploys Highway: runs the Hardhat Ignition module ignition/modules/Highway.ts (the payment/stake
 * token, ModelRegistry, RelayerStaking, InferenceCoordinator with the DisputeGame and
 * CoordinatorAdmin its constructor deploys, the language models' CommitteeArbiter, the reference circuit models' EZKL verifiers
 * and their registrations, and the reference language models' registrations) and writes deployments/<chainId>.json, where the SDK, the CLI and the relayer
 * read the addresses. One code path for every chain:
 *
 *   make deploy NETWORK=<name> [PARAMETERS=file.json5]   # = hardhat run --network <name> scripts/deploy.ts
 *
 * on a real chain (the Ignition journal in ignition/deployments/highway-<chainId>/ makes a rerun
 * resume where an interrupted run stopped), and `deployHighway(ethers, options)`, the same module
 * in process and in memory, for tests, `make localnet`, the demo and the benchmarks.
 *
 * Environment of `make deploy` (the Makefile's variables set them):
 *   HIGHWAY_DEPLOY_PARAMETERS  an Ignition parameters file (JSON or JSON5): {"Highway": {"challengeWindow": 86400, ...}}
 *   HIGHWAY_DEPLOY_MODELS      reference models to deploy and register: comma-separated names of circuits/ and
 *                              language-models/ (price-signal,smollm2), or "none" (default: all)
 *   HIGHWAY_DEPLOYMENTS_DIR    where <chainId>.json goes (default: deployments/)
 *   HIGHWAY_IGNITION_DIR       the Ignition journal's folder (default: ignition/deployments/highway-<chainId>)
 *   HIGHWAY_DEPLOY_YES=1       no confirmation question before deploying to a chain other than 31337
 * The RPC and the deployer's key come from the network's Hardhat configuration variables
 * (hardhat.config.ts: HIGHWAY_RPC_URL and HIGHWAY_DEPLOYER_KEY for the network `custom`).
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import {
  HardhatArtifactResolver,
  errorDeploymentResultToExceptionMessage,
  readDeploymentParameters,
} from "@nomicfoundation/hardhat-ignition/helpers";
import {
  deploy as ignitionDeploy,
  DeploymentResultType,
  type DeployConfig,
  type DeploymentParameters,
  type EIP1193Provider,
  type ExecutionEventListener,
  type ModuleParameters,
} from "@nomicfoundation/ignition-core";
import { getCreateAddress, ZeroAddress, type Contract, type Result } from "ethers";
import { artifacts } from "hardhat";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  DEFAULT_DEPLOY_MODELS,
  DEFAULT_PARAMS,
  HIGHWAY_MODULE_ID,
  isLanguageModel,
  TRANSACTIONS_BEFORE_COORDINATOR,
  highwayModule,
  modelFutureId,
  type CoordinatorParams,
} from "../ignition/modules/Highway.js";
import { batchedCircuits, loadCircuit, REFERENCE_MODELS } from "../sdk/circuits.js";
import { languageModelSalt, loadRuntimeSpec, REFERENCE_LANGUAGE_MODELS } from "../sdk/language-models.js";
import { batchFulfillerOf, type HighwayDeployment } from "../sdk/deployment.js";
import { DEPLOYMENTS_DIR } from "../sdk/deployment-file.js";
import { modelSalt } from "../sdk/manifest.js";
import type {
  BatchFulfiller,
  CommitteeArbiter,
  DisputeGame,
  HighwayToken,
  InferenceCoordinator,
  ModelRegistry,
  RelayerStaking,
} from "../types/index.js";

export type { HighwayDeployment, CoordinatorParams };
export { DEFAULT_PARAMS, FINE_TUNE_PARENT_SHARE_BPS } from "../ignition/modules/Highway.js";

/** The chain id of Hardhat's local networks (the in-process one and `hardhat node`). */
const LOCAL_CHAIN_ID = 31337;

export interface DeployOptions {
  /** Admin of the coordinator and the staking contract; default: the deployer (the first account). */
  admin?: string;
  /** Credited with protocol fees; default: the admin. */
  treasury?: string;
  params?: Partial<CoordinatorParams>;
  minStake?: bigint;
  unbondingDelay?: number;
  /**
   * Reference models to register (owned by the deployer), by name: circuit models (circuits/<name>, their verifiers
   * deployed; a fine-tune after its parent) and language models (language-models/<name>). Default: all of them.
   */
  models?: readonly string[];
  /** Fee of each registered model, in token units. */
  modelFee?: bigint;
  /** Ignition parameters (a parameters file's contents); the options above take precedence over them. */
  parameters?: DeploymentParameters;
  /** Demo tokens minted to each of these accounts, after the deployment. */
  mint?: { to: string; amount: bigint }[];
  /** Write deployments/<chainId>.json (default true). */
  write?: boolean;
  /** Folder of the deployment files (default deployments/ at the repository root). */
  outDir?: string;
  /**
   * Ignition's journal folder: a deployment recorded there is resumed (or found complete) rather
   * than started again. Default: none, the deployment runs in memory (tests, local networks).
   */
  journalDir?: string;
  /** Ignition's execution settings (confirmations, polling, fee bumping); default: fast polling for local chains. */
  ignitionConfig?: Partial<DeployConfig>;
  /** Gas price limits of the network (its `ignition` settings in hardhat.config.ts). */
  gas?: {
    maxFeePerGasLimit?: bigint;
    maxFeePerGas?: bigint;
    maxPriorityFeePerGas?: bigint;
    gasPrice?: bigint;
    disableFeeBumping?: boolean;
  };
  /** Follows Ignition's progress (the CLI's pretty printer). */
  executionEventListener?: ExecutionEventListener;
}

/** The deployed contracts (TypeChain types, generated by `hardhat build`). */
export interface Highway {
  deployment: HighwayDeployment;
  token: HighwayToken;
  registry: ModelRegistry;
  staking: RelayerStaking;
  coordinator: InferenceCoordinator;
  disputeGame: DisputeGame;
  committeeArbiter: CommitteeArbiter;
  batchFulfiller: BatchFulfiller;
  verifiers: Record<string, Contract>;
  /** Each deployed model's batched verifier, for the models with a batched circuit. */
  batchVerifiers: Record<string, Contract>;
}

/** What deployHighway keeps beside an Ignition journal, so that a rerun resumes with the same prediction. */
interface JournalSidecar {
  chainId: number;
  deployer: string;
  predictedCoordinator: string;
  /** The first block the deployment can have a transaction in. */
  startBlock: number;
  /** A local node's instance (hardhat_metadata): a restarted node invalidates the journal. */
  instanceId?: string;
}

const SIDECAR = "highway.json";

/** Ignition's deployment parameters for the module "Highway" from the options (over `options.parameters`). */
export function moduleParameters(options: DeployOptions): ModuleParameters {
  const chosen: ModuleParameters = { ...(options.parameters?.[HIGHWAY_MODULE_ID] ?? {}) };
  if (options.admin !== undefined) chosen.admin = options.admin;
  const treasury = options.treasury ?? options.admin;
  if (treasury !== undefined) chosen.treasury = treasury;
  for (const [name, value] of Object.entries(options.params ?? {})) if (value !== undefined) chosen[name] = value;
  if (options.minStake !== undefined) chosen.minStake = options.minStake;
  if (options.unbondingDelay !== undefined) chosen.unbondingDelay = options.unbondingDelay;
  if (options.modelFee !== undefined) chosen.modelFee = options.modelFee;
  return chosen;
}

/**
 * Deploys and wires the whole protocol with the Ignition module, then writes the deployment
 * file; see DeployOptions for what can be chosen.
 */
export async function deployHighway(ethers: HardhatEthers, options: DeployOptions = {}): Promise<Highway> {
  const models = options.models ?? DEFAULT_DEPLOY_MODELS;
  const provider: EIP1193Provider = {
    request: async ({ method, params }) => ethers.provider.send(method, (params as unknown[] | undefined) ?? []),
  };
  const accounts = (await ethers.provider.send("eth_accounts", [])) as string[];
  if (accounts.length === 0)
    throw new Error("the network has no account to deploy from: configure the deployer's key (HIGHWAY_DEPLOYER_KEY)");
  const deployer = ethers.getAddress(accounts[0]);
  const chainId = Number((await ethers.provider.getNetwork()).chainId);

  const sidecar = await prepareJournal(ethers, options.journalDir, chainId, deployer);
  const parameters: DeploymentParameters = {
    ...options.parameters,
    [HIGHWAY_MODULE_ID]: { ...moduleParameters(options), predictedCoordinator: sidecar.predictedCoordinator },
  };

  const module = highwayModule(models);
  const result = await ignitionDeploy({
    config: { blockPollingInterval: 25, ...options.ignitionConfig },
    artifactResolver: new HardhatArtifactResolver(artifacts),
    provider,
    executionEventListener: options.executionEventListener,
    deploymentDir: options.journalDir,
    ignitionModule: module,
    deploymentParameters: parameters,
    accounts,
    defaultSender: deployer,
    ...options.gas,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new Error(`the Highway deployment failed (Ignition: ${result.type}):\n${errorDeploymentResultToExceptionMessage(result)}`);
  }
  const results: Record<string, { id: string }> = module.results;
  const address = (name: string) => result.contracts[results[name].id].address;

  const token = await ethers.getContractAt("HighwayToken", address("token"));
  const registry = await ethers.getContractAt("ModelRegistry", address("registry"));
  const staking = await ethers.getContractAt("RelayerStaking", address("staking"));
  const coordinator = await ethers.getContractAt("InferenceCoordinator", address("coordinator"));
  if ((await ethers.provider.getCode(address("coordinator"))) === "0x") {
    throw new Error(
      `the Ignition journal ${options.journalDir} records a deployment whose coordinator (${address("coordinator")}) is not on chain ${chainId}: delete the folder and deploy again`,
    );
  }
  const disputeGame = await ethers.getContractAt("DisputeGame", await coordinator.disputeGame());
  const committeeArbiter = await ethers.getContractAt("CommitteeArbiter", address("committeeArbiter"));
  // The coordinator routes language-model disputes to the arbiter once its admin names it (set once). The deployer
  // names it when it holds the admin role; a separate admin sends `setLanguageArbiter(committeeArbiter)` itself.
  const coordinatorAdmin = await ethers.getContractAt("CoordinatorAdmin", await coordinator.coordinatorAdmin());
  const canAdminister = await coordinatorAdmin.hasRole(await coordinatorAdmin.DEFAULT_ADMIN_ROLE(), deployer);
  if ((await coordinator.languageArbiter()) === ZeroAddress && canAdminister) {
    await (await coordinatorAdmin.setLanguageArbiter(await committeeArbiter.getAddress())).wait();
  }
  const batchFulfiller = await ethers.getContractAt("BatchFulfiller", batchFulfillerOf(address("coordinator")));
  if ((await batchFulfiller.coordinator()) !== address("coordinator"))
    throw new Error(`the batch fulfiller at ${await batchFulfiller.getAddress()} does not name the coordinator ${address("coordinator")}`);

  const verifiers: Record<string, Contract> = {};
  const batchVerifiers: Record<string, Contract> = {};
  const registered: HighwayDeployment["models"] = {};
  for (const name of models) {
    if (isLanguageModel(name)) {
      const modelId = await registry.modelIdOf(deployer, languageModelSalt(loadRuntimeSpec(name)));
      const fee = (await registry.getModel(modelId)).terms.fee.toString();
      registered[name] = { modelId, verifier: ZeroAddress, fee, kind: "language" };
      continue;
    }
    const { manifest } = loadCircuit(name);
    const verifier = address(modelFutureId("Verifier", name));
    verifiers[name] = await ethers.getContractAt(`${manifest.verifier.source}:${manifest.verifier.contract}`, verifier);
    const batched = batchedCircuits(name).at(-1);
    if (batched) {
      const { source, contract } = batched.manifest.verifier;
      batchVerifiers[name] = await ethers.getContractAt(`${source}:${contract}`, address(modelFutureId("BatchVerifier", name)));
    }
    const modelId = await registry.modelIdOf(deployer, modelSalt(manifest));
    registered[name] = { modelId, verifier, fee: (await registry.getModel(modelId)).terms.fee.toString(), kind: "circuit" };
  }
  for (const { to, amount } of options.mint ?? []) await (await token.mint(to, amount)).wait();

  const deployment: HighwayDeployment = {
    chainId,
    token: await token.getAddress(),
    registry: await registry.getAddress(),
    staking: await staking.getAddress(),
    coordinator: await coordinator.getAddress(),
    deploymentBlock: await tokenDeploymentBlock(token, sidecar.startBlock),
    disputeGame: await disputeGame.getAddress(),
    committeeArbiter: await committeeArbiter.getAddress(),
    batchFulfiller: await batchFulfiller.getAddress(),
    models: registered,
    params: deploymentParams(await coordinator.getParams()),
  };
  if (options.write ?? true) writeDeployment(deployment, options.outDir ?? DEPLOYMENTS_DIR);
  return { deployment, token, registry, staking, coordinator, disputeGame, committeeArbiter, batchFulfiller, verifiers, batchVerifiers };
}

/** Writes `<dir>/<chainId>.json` alone (other chains' files are left as they are); returns its path. */
export function writeDeployment(deployment: HighwayDeployment, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${deployment.chainId}.json`);
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}

/**
 * The coordinator's address predicted for this run, and where it starts: from the journal's
 * sidecar when the journal already holds a run (a resumed deployment must predict what the first
 * run did), else from the deployer's next nonce. A local node that was restarted since the
 * journal was written (another hardhat_metadata instance) gets a fresh journal.
 */
async function prepareJournal(
  ethers: HardhatEthers,
  journalDir: string | undefined,
  chainId: number,
  deployer: string,
): Promise<JournalSidecar> {
  const instanceId = chainId === LOCAL_CHAIN_ID ? await localInstanceId(ethers) : undefined;
  if (journalDir !== undefined) {
    const sidecarPath = join(journalDir, SIDECAR);
    const previous = existsSync(sidecarPath) ? (JSON.parse(readFileSync(sidecarPath, "utf8")) as JournalSidecar) : undefined;
    const started = existsSync(join(journalDir, "journal.jsonl"));
    if (previous && started && instanceId !== undefined && previous.instanceId !== instanceId) {
      // The local node this journal was written for is gone: its contracts are too.
      rmSync(journalDir, { recursive: true, force: true });
    } else if (previous && started) {
      if (previous.chainId !== chainId)
        throw new Error(`the Ignition journal ${journalDir} is for chain ${previous.chainId}, not ${chainId}`);
      if (ethers.getAddress(previous.deployer) !== deployer)
        throw new Error(
          `the Ignition journal ${journalDir} was started by ${previous.deployer}, not ${deployer}: deploy with that key, or use another journal folder`,
        );
      return previous;
    }
  }
  const nonce = await ethers.provider.getTransactionCount(deployer, "pending");
  const sidecar: JournalSidecar = {
    chainId,
    deployer,
    predictedCoordinator: getCreateAddress({ from: deployer, nonce: nonce + TRANSACTIONS_BEFORE_COORDINATOR }),
    startBlock: (await ethers.provider.getBlockNumber()) + 1,
    ...(instanceId === undefined ? {} : { instanceId }),
  };
  if (journalDir !== undefined) {
    mkdirSync(journalDir, { recursive: true });
    writeFileSync(join(journalDir, SIDECAR), `${JSON.stringify(sidecar, null, 2)}\n`);
  }
  return sidecar;
}

async function localInstanceId(ethers: HardhatEthers): Promise<string | undefined> {
  try {
    return ((await ethers.provider.send("hardhat_metadata", [])) as { instanceId?: string }).instanceId;
  } catch {
    return undefined; // not a Hardhat node
  }
}

/** The block of the token's deployment (its Ownable constructor's event): no Highway event is older. */
async function tokenDeploymentBlock(token: HighwayToken, fromBlock: number): Promise<number> {
  try {
    const [first] = await token.queryFilter(token.filters.OwnershipTransferred(), fromBlock);
    if (first) return first.blockNumber;
  } catch {
    // an RPC that limits log ranges: the run's first block is a safe lower bound
  }
  return fromBlock;
}

/** The coordinator's parameters as the deployment file keeps them: numbers, and amounts as decimal strings. */
function deploymentParams(onChain: Awaited<ReturnType<InferenceCoordinator["getParams"]>>): HighwayDeployment["params"] {
  const values = (onChain as unknown as Result).toObject() as Record<string, bigint>;
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      const amount = typeof DEFAULT_PARAMS[key as keyof CoordinatorParams] === "bigint" || value > BigInt(Number.MAX_SAFE_INTEGER);
      return [key, amount ? value.toString() : Number(value)];
    }),
  );
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The reference models of HIGHWAY_DEPLOY_MODELS: comma-separated names of circuit and language models, "none", or (unset) all. */
export function modelsFromEnvironment(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === "") return DEFAULT_DEPLOY_MODELS;
  if (value.trim() === "none") return [];
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !DEFAULT_DEPLOY_MODELS.includes(name));
  if (unknown.length)
    throw new Error(
      `HIGHWAY_DEPLOY_MODELS: ${unknown.join(", ")} ${unknown.length > 1 ? "are not reference models" : "is not a reference model"}: give some of ${[...REFERENCE_MODELS, ...REFERENCE_LANGUAGE_MODELS].join(", ")}, or "none"`,
    );
  return names;
}

/** `make deploy`: the network chosen with --network, parameters and folders from the environment. */
async function main(): Promise<void> {
  const hre = (await import("hardhat")).default;
  const { PrettyEventHandler } = await import("@nomicfoundation/hardhat-ignition/helpers");
  const connection = await hre.network.create();
  const { ethers } = connection;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const [signer] = await ethers.getSigners();
  if (!signer)
    throw new Error(
      `network ${connection.networkName} has no account to deploy from: set HIGHWAY_DEPLOYER_KEY (or store it with \`hardhat keystore set HIGHWAY_DEPLOYER_KEY\`)`,
    );
  const deployer = signer.address;
  const models = modelsFromEnvironment(process.env.HIGHWAY_DEPLOY_MODELS);
  const parametersFile = process.env.HIGHWAY_DEPLOY_PARAMETERS;
  const parameters = parametersFile ? await readDeploymentParameters(resolve(parametersFile)) : undefined;
  const outDir = resolve(process.env.HIGHWAY_DEPLOYMENTS_DIR || DEPLOYMENTS_DIR);
  // The in-process network forgets everything when the process ends: no journal to resume from.
  const journalDir =
    connection.networkConfig.type === "edr-simulated"
      ? undefined
      : resolve(process.env.HIGHWAY_IGNITION_DIR || join(hre.config.paths.ignition, "deployments", `highway-${chainId}`));

  const balance = await ethers.provider.getBalance(deployer);
  console.log(
    `Deploying Highway to network ${connection.networkName} (chain ${chainId}) from ${deployer} (${ethers.formatEther(balance)} ETH)`,
  );
  console.log(`  parameters: ${parametersFile ?? "the module's defaults"}; models: ${models.length ? models.join(", ") : "none"}`);
  if (journalDir) console.log(`  Ignition journal: ${journalDir}`);
  const devSrs = models.filter((name) => !isLanguageModel(name) && loadCircuit(name).manifest.srs.kind === "development-only");
  if (chainId !== LOCAL_CHAIN_ID && devSrs.length) {
    console.warn(
      `\nWARNING: ${devSrs.join(", ")} ${devSrs.length > 1 ? "were" : "was"} built with the development-only SRS (circuits/srs/): anyone who knows its\n` +
        "toxic waste can forge proofs. Fine for a testnet; for production rebuild the circuits with a ceremony SRS\n" +
        "(circuits/README.md) and register those, or deploy with DEPLOY_MODELS=none.\n",
    );
  }
  if (chainId !== LOCAL_CHAIN_ID && !process.env.HIGHWAY_DEPLOY_YES && process.stdin.isTTY) {
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Deploy to chain ${chainId}? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      console.log("Deployment cancelled");
      process.exitCode = 1;
      return;
    }
  }

  // Ignition polls for new blocks every second on a real chain (an RPC's rate limits); a local node mines on every transaction.
  const automined = await ethers.provider.send("hardhat_getAutomine", []).catch(() => false);
  const { maxFeePerGasLimit, maxFeePerGas, maxPriorityFeePerGas, gasPrice, disableFeeBumping } = connection.networkConfig.ignition;
  const { deployment } = await deployHighway(ethers, {
    models,
    parameters,
    outDir,
    journalDir,
    ignitionConfig: { blockPollingInterval: automined === true ? 25 : 1_000, ...definedOnly(hre.config.ignition) },
    gas: definedOnly({ maxFeePerGasLimit, maxFeePerGas, maxPriorityFeePerGas, gasPrice, disableFeeBumping }),
    // Ignition's progress display redraws a terminal; piped output gets the summary below alone.
    executionEventListener: process.stdout.isTTY ? new PrettyEventHandler(hre.interruptions) : undefined,
  });
  console.log(JSON.stringify(deployment, null, 2));
  console.log(`written to ${join(outDir, `${deployment.chainId}.json`)}`);
}

// Run as a script (`hardhat run scripts/deploy.ts`, `tsx scripts/deploy.ts`), not when imported.
if (process.argv.slice(1).some((arg) => resolve(arg) === import.meta.filename)) {
  try {
    await main();
  } catch (error) {
    console.error(`deploy: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
