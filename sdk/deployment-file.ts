/** Node only: deployment files on disk, deployments/<chainId>.json. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { HighwayDeployment } from "./deployment.js";
import { HighwayError, messageOf } from "./errors.js";

export const DEPLOYMENTS_DIR = resolve(import.meta.dirname, "..", "deployments");

/** Reads a deployment file, given its path or the chain id of one in deployments/. */
export function loadDeployment(pathOrChainId: string | number): HighwayDeployment {
  const byChainId = typeof pathOrChainId === "number" || /^\d+$/.test(pathOrChainId);
  const path = byChainId ? join(DEPLOYMENTS_DIR, `${pathOrChainId}.json`) : pathOrChainId;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as HighwayDeployment;
  } catch (error) {
    // The published SDK (highway-inference-sdk) has no deployments/ folder: it reads deployment files by path.
    if (byChainId && !existsSync(DEPLOYMENTS_DIR))
      throw new HighwayError(
        `no deployment file for chain ${pathOrChainId}: an installed SDK has no deployments/ folder; pass the deployment file's path (the CLI: --deployment FILE)`,
        { cause: error },
      );
    throw new HighwayError(`cannot read the deployment ${path}: deploy with scripts/deploy.ts first`, {
      details: messageOf(error),
      cause: error,
    });
  }
}
