/** Node only: deploys a circuit folder's EZKL verifier, compiled by Hardhat (the repository's circuits) or by solc. */
import { ContractFactory, type Signer } from "ethers";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CIRCUITS_DIR, type Circuit } from "./circuits.js";
import { HighwayError } from "./errors.js";
import { compileSolidity, type CompiledContract } from "./solidity.js";

const REPO_DIR = resolve(import.meta.dirname, "..");
const ARTIFACTS_DIR = join(REPO_DIR, "artifacts");

/** Deploys the verifier of `circuit` from `signer`; returns its address. */
export async function deployCircuitVerifier(signer: Signer, circuit: Circuit): Promise<string> {
  const compiled = compiledVerifier(circuit);
  const contract = await new ContractFactory(compiled.abi as never, compiled.bytecode, signer).deploy();
  await contract.waitForDeployment();
  return contract.getAddress();
}

/** A circuit's verifier as compiled: the Hardhat artifact of a repository circuit, else compiled from the manifest's source. */
export function compiledVerifier({ dir, manifest }: Circuit): CompiledContract {
  const { source, contract } = manifest.verifier;
  const artifactPath = join(ARTIFACTS_DIR, source, `${contract}.json`);
  if (resolve(dir).startsWith(CIRCUITS_DIR) && existsSync(artifactPath))
    return JSON.parse(readFileSync(artifactPath, "utf8")) as CompiledContract;
  // A folder outside the repository keeps its verifier where its manifest says (build.py --out);
  // a model bundle (highway models build) keeps it inside, named relative to the bundle.
  const inBundle = resolve(dir, source);
  const sourcePath = existsSync(inBundle) ? inBundle : resolve(REPO_DIR, source);
  if (!existsSync(sourcePath))
    throw new HighwayError(
      `${dir}: its manifest's verifier ${sourcePath} is missing; build the circuit with \`circuits/build.py build MODEL --out DIR\`, which keeps the verifier in DIR`,
    );
  return compileSolidity("Verifier.sol", readFileSync(sourcePath, "utf8"), contract);
}
