/**
 * A whole local Highway network for integration tests, the demo and benchmarks:
 * a Hardhat node process, the protocol deployed on it, staked relayer processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract, Signer } from "ethers";
import { deployHighway, type CoordinatorParams, type Highway } from "../deploy.js";
import { randomInt } from "node:crypto";
import { inputSpec, loadCircuit } from "../../sdk/circuits.js";
import { encodeTensor } from "../../sdk/encoding.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";
import { REPO } from "./repo.js";
import { hardhatAccount, startNode, type LocalNode } from "./node.js";

export const UNIT = 10n ** 18n;

/**
 * The shortest windows the coordinator allows (one minute each) and a short auction,
 * so that tests and the demo see every phase; they move time on with `advanceTime`.
 */
export const FAST_PARAMS: Partial<CoordinatorParams> = {
  auctionDuration: 4,
  deliveryWindow: 60,
  challengeWindow: 60,
  defenceWindow: 60,
};

/** Moves the local node's clock on by `seconds` and mines a block. */
export async function advanceTime(highway: LocalHighway, seconds: number): Promise<void> {
  await highway.ethers.provider.send("evm_increaseTime", [seconds]);
  await highway.ethers.provider.send("evm_mine", []);
}

export interface LocalHighway extends Highway {
  node: LocalNode;
  ethers: HardhatEthers;
  dir: string;
  deploymentPath: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  params?: Partial<CoordinatorParams>;
  /** Reference models to deploy and register (default all). */
  models?: readonly string[];
  /** The node's port; default a free one. A port already taken is a PortInUseError (scripts/lib/node.ts). */
  port?: number;
  /** Where the deployment file goes; default a fresh temp folder (also used for relayer files). */
  outDir?: string;
}

/** Starts a node and deploys Highway on it. */
export async function startHighway(options: StartOptions = {}): Promise<LocalHighway> {
  const node = await startNode(options.port);
  const dir = mkdtempSync(join(tmpdir(), "highway-net-"));
  let ethers: HardhatEthers;
  let highway: Highway;
  try {
    ({ ethers } = await network.create({ network: "localhost", override: { url: node.url } }));
    highway = await deployHighway(ethers, { params: options.params ?? FAST_PARAMS, outDir: options.outDir ?? dir, models: options.models });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return {
    ...highway,
    node,
    ethers,
    dir,
    deploymentPath: join(options.outDir ?? dir, `${highway.deployment.chainId}.json`),
    stop: () => node.stop(),
  };
}

/** Mints `amount` to a relayer and stakes it, plus `liquid` unstaked tokens for challenge bonds. */
export async function stakeRelayer(highway: Highway, relayer: Signer, amount = 50_000n * UNIT, liquid = 1_000n * UNIT): Promise<void> {
  const address = await relayer.getAddress();
  await (await highway.token.mint(address, amount + liquid)).wait();
  await (await (highway.token.connect(relayer) as unknown as Contract).approve(await highway.staking.getAddress(), amount)).wait();
  await (await (highway.staking.connect(relayer) as unknown as Contract).stake(amount)).wait();
}

/** Mints tokens to a requester and approves the coordinator for all of them. */
export async function fundRequester(highway: Highway, requester: Signer, amount = 100_000n * UNIT): Promise<void> {
  await (await highway.token.mint(await requester.getAddress(), amount)).wait();
  await (await (highway.token.connect(requester) as unknown as Contract).approve(await highway.coordinator.getAddress(), amount)).wait();
}

export interface RequestOptions {
  model: string;
  mode: "zk" | "optimistic";
  input: bigint[];
  startComputeFee?: bigint;
  maxComputeFee?: bigint;
  callbackGasLimit?: number;
  deadlineIn?: number;
  consumer?: string;
  referrer?: string;
}

export interface RelayerProcess {
  address: string;
  configPath: string;
  databasePath: string;
  process: ChildProcess;
  output(): string;
  /** The port of its /metrics and /healthz, once it has logged it. */
  httpPort(): number | undefined;
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resolves once the log file (`logPath`) has all of the output and is closed; at once without one. */
  logClosed: Promise<void>;
}

export interface RelayerProcessOptions {
  /** Hardhat account index of the relayer's key. */
  account: number;
  /** Overrides of the generated config (merged shallowly). */
  config?: Record<string, unknown>;
  /** Reuse a database (a restart after a crash). */
  databasePath?: string;
  /** Run the demo's cheating relayer instead of the honest one. */
  cheat?: boolean;
  rpcUrl?: string;
  /** Start without the key in the environment (to test that failure). */
  omitKey?: boolean;
  /** More environment variables for the process. */
  env?: Record<string, string>;
  /** Where the config is written; default a new file in the network's temp folder. */
  configPath?: string;
  /** A file that also gets the process's output (truncated at start). */
  logPath?: string;
}

/** Writes a config and starts `relayer start --config FILE` as its own process. */
export function startRelayerProcess(highway: LocalHighway, options: RelayerProcessOptions): RelayerProcess {
  const wallet = hardhatAccount(options.account);
  const databasePath = options.databasePath ?? join(highway.dir, `relayer-${options.account}-${Date.now()}.sqlite`);
  const config = {
    rpcUrl: options.rpcUrl ?? highway.node.url,
    deployment: highway.deploymentPath,
    key: { env: "HIGHWAY_RELAYER_KEY" },
    database: databasePath,
    confirmations: 0,
    pollIntervalMs: 100,
    logLevel: "info",
    http: { port: 0 },
    models: [{ circuit: "price-signal" }, { circuit: "credit-risk" }],
    pricing: { margin: 1, tokenUnitsPerWei: 0 },
    submitter: { bumpAfterMs: 5_000 },
    ...options.config,
  };
  const configPath = options.configPath ?? join(highway.dir, `relayer-${options.account}-${Date.now()}.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const script = options.cheat ? join(REPO, "scripts", "demo", "cheating-relayer.mjs") : join(REPO, "relayer", "bin", "relayer.mjs");
  const child = spawn(process.execPath, [script, "start", "--config", configPath], {
    cwd: REPO,
    env: { ...(options.omitKey ? withoutKey(process.env) : { ...process.env, HIGHWAY_RELAYER_KEY: wallet.privateKey }), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let httpPort: number | undefined;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-400_000);
    httpPort ??= Number(/"http":(\d+)/.exec(output)?.[1]) || undefined;
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let logClosed = Promise.resolve();
  if (options.logPath) {
    const log = createWriteStream(options.logPath);
    logClosed = new Promise((resolve) => log.once("close", () => resolve()));
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("close", () => log.end());
  }
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    address: wallet.address,
    httpPort: () => httpPort,
    configPath,
    databasePath,
    process: child,
    output: () => output,
    exited,
    logClosed,
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function withoutKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.HIGHWAY_RELAYER_KEY;
  return copy;
}

/** A random request for one of the reference models, zk or optimistic. */
export function randomRequest(index: number, modes: ("zk" | "optimistic")[] = ["zk", "optimistic"]): RequestOptions {
  const model = index % 3 === 2 ? "credit-risk" : "price-signal";
  const spec = inputSpec(loadCircuit(model).manifest);
  const input = Array.from({ length: spec.length }, () => BigInt(randomInt(-Number(spec.bound), Number(spec.bound) + 1)));
  return { model, mode: modes[index % modes.length], input };
}

/**
 * Makes `count` requests for `model` from `requester`, a Hardhat node account (unlocked), in JSON-RPC batches of
 * `eth_sendTransaction` (a few HTTP calls for a thousand requests); resolves once all are mined. The requester
 * must have approved the coordinator. They are zk requests nobody may claim before they expire in an hour.
 */
export async function requestBatch(highway: LocalHighway, requester: string, count: number, model = "price-signal"): Promise<void> {
  const provider = highway.ethers.provider;
  const { timestamp } = (await provider.getBlock("latest"))!;
  const data = highway.coordinator.interface.encodeFunctionData("requestInference", [
    {
      modelId: highway.deployment.models[model].modelId,
      proofMode: 0,
      startComputeFee: UNIT,
      maxComputeFee: 2n * UNIT,
      maxModelFee: ANY_MODEL_FEE,
      jobBond: 0n,
      challengeWindow: 0,
      callbackGasLimit: 100_000,
      deadline: timestamp + 3_600,
      consumer: "0x0000000000000000000000000000000000000000",
      referrer: "0x0000000000000000000000000000000000000000",
      maxOutputBytes: 0,
    },
    encodeTensor(Array.from({ length: inputSpec(loadCircuit(model).manifest).length }, (_, i) => BigInt(i + 1))),
  ]);
  const to = highway.deployment.coordinator;
  const first = await provider.getTransactionCount(requester);
  for (let sent = 0; sent < count; sent += 250) {
    const batch = Array.from({ length: Math.min(250, count - sent) }, (_, i) => ({
      jsonrpc: "2.0",
      id: sent + i,
      method: "eth_sendTransaction",
      params: [{ from: requester, to, data, gas: "0x61a80", nonce: `0x${(first + sent + i).toString(16)}` }],
    }));
    const response = await fetch(highway.node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch),
    });
    const failed = ((await response.json()) as { error?: { message: string } }[]).find((result) => result.error);
    if (failed) throw new Error(`a batched request was refused: ${failed.error!.message}`);
  }
  await waitFor(`${count} requests mined`, async () => (await provider.getTransactionCount(requester)) === first + count, 120_000, 200);
}

/** Polls until `condition` holds, or fails after `timeoutMs` with `what`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
