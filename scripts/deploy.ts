/**
 * Deploys Highway's protocol contracts: the demo payment token (ERC-20 with permit),
 * ModelRegistry, RelayerStaking, InferenceCoordinator and the reference models'
 * EZKL verifiers, registers the reference models, and writes the addresses to
 * deployments/<chainId>.json, where the SDK and the relayer read them.
 *
 *   tsx scripts/deploy.ts            # on the embedded Hardhat network
 *
 * `deployHighway(ethers, options)` is the same deployment for tests, the demo and benchmarks.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadCircuit, REFERENCE_MODELS } from "../sdk/circuits.js";

/** The coordinator's parameters (contracts/README.md, "Protocol rules"). */
export interface CoordinatorParams {
  protocolFeeBps: number;
  lateSlashBps: number;
  disputeProtocolShareBps: number;
  auctionDuration: number;
  deliveryWindow: number;
  challengeWindow: number;
  defenceWindow: number;
  maxCallbackGasLimit: number;
  jobBond: bigint;
  challengeBond: bigint;
}

const UNIT = 10n ** 18n;

export const DEFAULT_PARAMS: CoordinatorParams = {
  protocolFeeBps: 500,
  lateSlashBps: 2_000,
  disputeProtocolShareBps: 2_000,
  auctionDuration: 120,
  deliveryWindow: 600,
  challengeWindow: 3_600,
  defenceWindow: 3_600,
  maxCallbackGasLimit: 2_000_000,
  jobBond: 100n * UNIT,
  challengeBond: 50n * UNIT,
};

export interface DeployOptions {
  /** Admin of the coordinator and the staking contract; default: the first signer. */
  admin?: string;
  /** Credited with protocol fees; default: the admin. */
  treasury?: string;
  params?: Partial<CoordinatorParams>;
  minStake?: bigint;
  unbondingDelay?: number;
  /** Reference models to deploy a verifier for and register (owned by the first signer). */
  models?: readonly string[];
  /** Fee of each registered model, in token units. */
  modelFee?: bigint;
  /** Demo tokens minted to each of these accounts. */
  mint?: { to: string; amount: bigint }[];
  /** Write deployments/<chainId>.json (default true). */
  write?: boolean;
  /** Folder of the deployment files (default deployments/ at the repository root). */
  outDir?: string;
}

/** What deployments/<chainId>.json holds. */
export interface HighwayDeployment {
  chainId: number;
  token: string;
  registry: string;
  staking: string;
  coordinator: string;
  models: Record<string, { modelId: string; verifier: string; fee: string }>;
  params: Record<keyof CoordinatorParams, string | number>;
}

export interface Highway {
  deployment: HighwayDeployment;
  token: Contract;
  registry: Contract;
  staking: Contract;
  coordinator: Contract;
  verifiers: Record<string, Contract>;
}

export const DEPLOYMENTS_DIR = resolve(import.meta.dirname, "..", "deployments");

/** Deploys and wires the whole protocol; see DeployOptions for what can be chosen. */
export async function deployHighway(ethers: HardhatEthers, options: DeployOptions = {}): Promise<Highway> {
  const [deployer] = await ethers.getSigners();
  const admin = options.admin ?? deployer.address;
  const treasury = options.treasury ?? admin;
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const models = options.models ?? REFERENCE_MODELS;
  const modelFee = options.modelFee ?? 2n * UNIT;

  const token = await deploy(ethers, "HighwayToken", [deployer.address]);
  const registry = await deploy(ethers, "ModelRegistry", []);
  const staking = await deploy(ethers, "RelayerStaking", [
    await token.getAddress(),
    deployer.address,
    options.minStake ?? 200n * UNIT,
    options.unbondingDelay ?? 86_400,
  ]);
  const coordinator = await deploy(ethers, "InferenceCoordinator", [
    await token.getAddress(),
    await registry.getAddress(),
    await staking.getAddress(),
    admin,
    treasury,
    params,
  ]);
  await (await staking.setCoordinator(await coordinator.getAddress())).wait();
  if (admin !== deployer.address) {
    const role = await staking.DEFAULT_ADMIN_ROLE();
    await (await staking.grantRole(role, admin)).wait();
    await (await staking.renounceRole(role, deployer.address)).wait();
  }
  for (const { to, amount } of options.mint ?? []) await (await token.mint(to, amount)).wait();

  const verifiers: Record<string, Contract> = {};
  const registered: HighwayDeployment["models"] = {};
  for (const name of models) {
    const { manifest } = loadCircuit(name);
    const verifier = await deploy(ethers, `${manifest.verifier.source}:${manifest.verifier.contract}`, []);
    verifiers[name] = verifier;
    const salt = ethers.id(name);
    const modelParams = {
      fee: modelFee,
      verifier: await verifier.getAddress(),
      proofModes: 3,
      inputLength: manifest.input.length,
      outputLength: manifest.output.length,
      inputScale: manifest.input.scale,
      outputScale: manifest.output.scale,
      parentModelId: ethers.ZeroHash,
      parentShareBps: 0,
      referralShareBps: 0,
      artifactURI: `circuits/${name}`,
      artifactHash: manifest.artifactHash,
    };
    await (await registry.registerModel(salt, modelParams)).wait();
    registered[name] = {
      modelId: await registry.modelIdOf(deployer.address, salt),
      verifier: await verifier.getAddress(),
      fee: modelFee.toString(),
    };
  }

  const { chainId } = await ethers.provider.getNetwork();
  const deployment: HighwayDeployment = {
    chainId: Number(chainId),
    token: await token.getAddress(),
    registry: await registry.getAddress(),
    staking: await staking.getAddress(),
    coordinator: await coordinator.getAddress(),
    models: registered,
    params: Object.fromEntries(
      Object.entries(params).map(([key, value]) => [key, typeof value === "bigint" ? value.toString() : value]),
    ) as HighwayDeployment["params"],
  };
  if (options.write ?? true) {
    const dir = options.outDir ?? DEPLOYMENTS_DIR;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${deployment.chainId}.json`), `${JSON.stringify(deployment, null, 2)}\n`);
  }
  return { deployment, token, registry, staking, coordinator, verifiers };
}

async function deploy(ethers: HardhatEthers, name: string, args: unknown[]): Promise<Contract> {
  const contract = await ethers.deployContract(name, args);
  await contract.waitForDeployment();
  return contract as unknown as Contract;
}

// CLI entry: deploy on the embedded network and print where the addresses went.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { network } = await import("hardhat");
  const { ethers } = await network.create();
  const [deployer] = await ethers.getSigners();
  const { deployment } = await deployHighway(ethers, { mint: [{ to: deployer.address, amount: 1_000_000n * UNIT }] });
  console.log(JSON.stringify(deployment, null, 2));
  console.log(`written to ${join(DEPLOYMENTS_DIR, `${deployment.chainId}.json`)}`);
}
