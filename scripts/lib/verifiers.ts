import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { loadCircuit } from "../../sdk/circuits.js";

/** Deploys the generated verifier of a reference model (contracts/verifiers/<model>/Halo2Verifier.sol). */
export async function deployVerifier(ethers: HardhatEthers, model: string): Promise<Contract> {
  const { manifest } = loadCircuit(model);
  const verifier = await ethers.deployContract(`${manifest.verifier.source}:${manifest.verifier.contract}`);
  await verifier.waitForDeployment();
  return verifier as unknown as Contract;
}

/** Whether the verifier accepts the proof: a revert counts as a rejection, as it does on chain. */
export async function verifies(verifier: Contract, proof: string, instances: readonly bigint[]): Promise<boolean> {
  try {
    return (await verifier.verifyProof.staticCall(proof, instances)) === true;
  } catch {
    return false;
  }
}
