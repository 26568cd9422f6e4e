import type { Contract } from "ethers";

/** Whether the verifier accepts the proof: a revert counts as a rejection, as it does on chain. */
export async function verifies(verifier: Contract, proof: string, instances: readonly bigint[]): Promise<boolean> {
  try {
    return (await verifier.verifyProof.staticCall(proof, instances)) === true;
  } catch {
    return false;
  }
}
