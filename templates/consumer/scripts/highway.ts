/**
 * What the scripts share: the Highway deployment of the chain they run on, and this project's
 * consumer, deployed with the Ignition module ignition/modules/MyConsumer.ts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Contract } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { loadDeployment, type HighwayDeployment } from "highway-inference-sdk/node";
import MyConsumerModule from "../ignition/modules/MyConsumer.js";

const ROOT = resolve(import.meta.dirname, "..");
/** Hardhat's local chains (`hardhat node`, `make localnet` in the Highway repository). */
const LOCAL_CHAIN_ID = 31337;

/** The chain's Highway deployment file: $HIGHWAY_DEPLOYMENT, else deployments/<chainId>.json. */
export async function highwayDeployment(connection: NetworkConnection): Promise<{ deployment: HighwayDeployment; path: string }> {
  const { provider } = connection.ethers;
  const chainId = Number((await provider.getNetwork()).chainId);
  const path = resolve(process.env.HIGHWAY_DEPLOYMENT ?? join(ROOT, "deployments", `${chainId}.json`));
  if (!existsSync(path))
    throw new Error(
      `no Highway deployment for chain ${chainId}: copy its deployment file to deployments/${chainId}.json, or set HIGHWAY_DEPLOYMENT to its path`,
    );
  const deployment = loadDeployment(path);
  if (deployment.chainId !== chainId)
    throw new Error(`${path} is the deployment of chain ${deployment.chainId}, but the network is chain ${chainId}`);
  if ((await provider.getCode(deployment.coordinator)) === "0x")
    throw new Error(`no Highway coordinator at ${deployment.coordinator} on chain ${chainId}: ${path} is stale (a restarted local node?)`);
  return { deployment, path };
}

/** MyConsumer on the deployment's chain: deployed by the first call, the same contract afterwards. */
export async function deployConsumer(connection: NetworkConnection, deployment: HighwayDeployment): Promise<Contract> {
  const deploymentId = `my-consumer-${deployment.chainId}`;
  if (deployment.chainId === LOCAL_CHAIN_ID) await forgetRestartedNode(connection, join(ROOT, "ignition", "deployments", deploymentId));
  const { consumer } = await connection.ignition.deploy(MyConsumerModule, {
    parameters: { MyConsumer: { coordinator: deployment.coordinator, paymentToken: deployment.token } },
    deploymentId,
  });
  return consumer;
}

/**
 * Ignition keeps what it deployed in ignition/deployments/<id>/ to resume and skip it later; a
 * local node that was restarted since has none of it, so its journal is dropped.
 */
async function forgetRestartedNode(connection: NetworkConnection, journal: string): Promise<void> {
  let instanceId: string;
  try {
    instanceId = ((await connection.ethers.provider.send("hardhat_metadata", [])) as { instanceId: string }).instanceId;
  } catch {
    return; // not a Hardhat node
  }
  const marker = join(journal, "node-instance");
  if (existsSync(journal) && (!existsSync(marker) || readFileSync(marker, "utf8") !== instanceId))
    rmSync(journal, { recursive: true, force: true });
  mkdirSync(journal, { recursive: true });
  writeFileSync(marker, instanceId);
}
