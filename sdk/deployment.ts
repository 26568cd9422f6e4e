/** Where Highway is deployed on a chain: the contents of deployments/<chainId>.json, written by scripts/deploy.ts. */
import { getCreateAddress } from "ethers";
import type { ModelKind } from "./protocol.js";

export interface HighwayDeployment {
  chainId: number;
  token: string;
  registry: string;
  staking: string;
  coordinator: string;
  /** The block of the deployment's first transaction: no Highway event is older. Absent in older files (read as 0). */
  deploymentBlock?: number;
  /** Where challenge, defend, proveFraud and resolveDisputeTimeout go (deployed by the coordinator; its events stay on the coordinator). */
  disputeGame: string;
  /** Where language-model disputes go: challenge, draw, commit, reveal, resolve. Absent in older files. */
  committeeArbiter?: string;
  /**
   * Where claimBatch and fulfillZkBatch go (deployed by the coordinator, `batchFulfillerOf`; its events stay on the
   * coordinator but for BatchFulfilled and BatchRequestSkipped). Absent in older files.
   */
  batchFulfiller?: string;
  /**
   * The reference models registered at deployment, by name: circuit models with their verifier, language
   * models (the zero address for a verifier). `kind` is absent in older files, where every model is a circuit.
   */
  models: Record<string, { modelId: string; verifier: string; fee: string; kind?: ModelKind }>;
  params: Record<string, string | number>;
}

/** The first block that can hold one of the deployment's events: where every log query starts. */
export function deploymentStartBlock(deployment: HighwayDeployment): number {
  return deployment.deploymentBlock ?? 0;
}

/**
 * The coordinator's `BatchFulfiller`: the third contract its constructor creates (after its admin contract
 * and dispute game). The coordinator keeps no getter for it (it is at its size budget); the fulfiller's
 * `coordinator()` names the coordinator back, which scripts/deploy.ts checks.
 */
export function batchFulfillerOf(coordinator: string): string {
  return getCreateAddress({ from: coordinator, nonce: 3 });
}
