/**
 * Highway's TypeScript SDK for Node: everything of the main entry (sdk/index.ts), plus
 * what needs the file system or the Solidity compiler: deployment files, circuit
 * folders, and a `Highway` that reads the one and registers models from the other.
 */
import { loadCircuit } from "./circuits.js";
import { HighwayError } from "./errors.js";
import { loadDeployment } from "./deployment-file.js";
import type { HighwayDeployment } from "./deployment.js";
import { Highway as BrowserHighway, type HighwayOptions } from "./highway.js";
import { modelRegistration, type RegistrationOptions } from "./manifest.js";
import { createHighwayClient, signerOf, withContractErrors, type HighwayClient } from "./client.js";
import { registerModel } from "./actions/models.js";
import { deployCircuitVerifier } from "./verifier.js";

export * from "./index.js";
export { CIRCUITS_DIR, REFERENCE_MODELS, batchedCircuits, loadCircuit, type Circuit } from "./circuits.js";
export * from "./language-models.js";
export { DEPLOYMENTS_DIR, loadDeployment } from "./deployment-file.js";
export { compileSolidity, type CompiledContract } from "./solidity.js";
export { compiledVerifier, deployCircuitVerifier } from "./verifier.js";
export { artifactHashOf, fetchBundle } from "./bundle.js";

export interface NodeHighwayOptions extends Omit<HighwayOptions, "deployment"> {
  /** The deployment: its contents, a path to its file, or a chain id with a file in deployments/. */
  deployment: HighwayDeployment | string | number;
}

/** What registering a circuit folder chooses; the verifier is deployed from the folder. */
export type CircuitRegistrationOptions = Omit<RegistrationOptions, "verifier">;

/**
 * Deploys a circuit folder's verifier and registers the model with the manifest's
 * shapes, scales, input bound and artifact hash. Returns the new model id.
 * @param circuitDir a path, or the name of a folder in circuits/
 */
export async function registerModelFromCircuit(
  client: HighwayClient,
  circuitDir: string,
  options: CircuitRegistrationOptions,
): Promise<{ modelId: string; verifier: string }> {
  const circuit = loadCircuit(circuitDir);
  const outputs = (circuit.manifest as { outputs?: { name: string; scale: number }[] }).outputs ?? [];
  if (new Set(outputs.map((output) => output.scale)).size > 1)
    throw new HighwayError(
      `${circuit.dir}: its outputs come at different scales (${outputs.map((o) => `${o.name} 2^-${o.scale}`).join(", ")}), and a registration has one output scale`,
    );
  // A dry run first, with a stand-in verifier (any contract with code will do): a registration the
  // registry refuses (more outputs than it takes, a scale too large) fails here, before a verifier
  // is deployed for nothing.
  const standIn = modelRegistration(circuit.manifest, { ...options, verifier: await client.registry.getAddress() });
  await withContractErrors(client, () => client.registry.connect(signerOf(client)).registerModel.staticCall(standIn.salt, standIn.params));
  const verifier = await deployCircuitVerifier(signerOf(client), circuit);
  return registerModel(client, circuit.manifest, { ...options, verifier });
}

/** The Highway facade in Node: connects by deployment file or chain id, registers models from circuit folders. */
export class Highway extends BrowserHighway {
  static override async connect(options: NodeHighwayOptions): Promise<Highway> {
    const deployment = typeof options.deployment === "object" ? options.deployment : loadDeployment(options.deployment);
    return new Highway(await createHighwayClient({ ...options, deployment }));
  }

  /** Deploys a circuit folder's verifier and registers the model; see registerModelFromCircuit. */
  registerModel(circuitDir: string, options: CircuitRegistrationOptions): Promise<{ modelId: string; verifier: string }> {
    return registerModelFromCircuit(this.client, circuitDir, options);
  }
}
