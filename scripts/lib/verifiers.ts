import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { loadCircuit } from "../../sdk/circuits.js";

/**
 * Deploys the generated verifier of a reference model (contracts/verifiers/<model>/Halo2Verifier.sol),
 * or of a circuit folder given by path (a batched circuit: contracts/verifiers/<model>/batch-<B>/).
 */
export async function deployVerifier(ethers: HardhatEthers, model: string): Promise<Contract> {
  const { manifest } = loadCircuit(model);
  const verifier = await ethers.deployContract(`${manifest.verifier.source}:${manifest.verifier.contract}`);
  await verifier.waitForDeployment();
  return verifier;
}
