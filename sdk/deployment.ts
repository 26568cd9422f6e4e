/** Where Highway is deployed on a chain: deployments/<chainId>.json, written by scripts/deploy.ts. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The contents of deployments/<chainId>.json. */
export interface HighwayDeployment {
  chainId: number;
  token: string;
  registry: string;
  staking: string;
  coordinator: string;
  /** Where challenge, defend, proveFraud and resolveDisputeTimeout go (deployed by the coordinator; its events stay on the coordinator). */
  disputeGame: string;
  /** The reference models registered at deployment, by name. */
  models: Record<string, { modelId: string; verifier: string; fee: string }>;
  params: Record<string, string | number>;
}

export const DEPLOYMENTS_DIR = resolve(import.meta.dirname, "..", "deployments");

/** Reads a deployment file, given its path or the chain id of one in deployments/. */
export function loadDeployment(pathOrChainId: string | number): HighwayDeployment {
  const path = typeof pathOrChainId === "number" || /^\d+$/.test(pathOrChainId) ? join(DEPLOYMENTS_DIR, `${pathOrChainId}.json`) : pathOrChainId;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as HighwayDeployment;
  } catch (error) {
    throw new Error(`cannot read the deployment ${path} (${(error as Error).message}); deploy with scripts/deploy.ts first`);
  }
}
