/** Model actions: find models in the registry, read one, register one. */
import { isHexString } from "ethers";
import { queryEvents, sendAndWait, withContractErrors, type HighwayClient } from "../client.js";
import type { TensorSpec } from "../encoding.js";
import { HighwayError } from "../errors.js";
import { modelRegistration, type CircuitManifest, type RegistrationOptions } from "../manifest.js";
import { proofModesFromBits, type ProofMode } from "../protocol.js";

export interface ModelInfo {
  modelId: string;
  /** The name in the deployment file, when it has one. */
  name?: string;
  owner: string;
  verifier: string;
  fee: bigint;
  proofModes: ProofMode[];
  active: boolean;
  input: TensorSpec;
  output: TensorSpec;
  parentModelId: string;
  parentShareBps: number;
  referralShareBps: number;
  artifactURI: string;
  artifactHash: string;
}

/** Resolves a model name from the deployment, or checks a 0x model id; lower case. */
export function resolveModelId(client: HighwayClient, model: string): string {
  if (isHexString(model, 32)) return model.toLowerCase();
  const known = client.deployment.models[model];
  if (!known) throw new HighwayError(`unknown model "${model}": use a model id or one of ${Object.keys(client.deployment.models).join(", ")}`);
  return known.modelId.toLowerCase();
}

/** A model as the registry holds it. */
export async function getModel(client: HighwayClient, model: string): Promise<ModelInfo> {
  const modelId = resolveModelId(client, model);
  const m = await withContractErrors(client, () => client.registry.getModel(modelId));
  const terms = m.terms;
  const name = Object.entries(client.deployment.models).find(([, known]) => known.modelId.toLowerCase() === modelId)?.[0];
  return {
    modelId,
    name,
    owner: m.owner,
    verifier: m.verifier,
    fee: terms.fee,
    proofModes: proofModesFromBits(terms.proofModes),
    active: terms.active,
    input: { length: Number(terms.inputLength), scale: Number(terms.inputScale), bound: terms.inputBound },
    output: { length: Number(terms.outputLength), scale: Number(terms.outputScale) },
    parentModelId: m.parentModelId,
    parentShareBps: Number(terms.parentShareBps),
    referralShareBps: Number(terms.referralShareBps),
    artifactURI: m.artifactURI,
    artifactHash: m.artifactHash,
  };
}

/** Every registered model (from the registry's ModelRegistered events). */
export async function listModels(client: HighwayClient): Promise<ModelInfo[]> {
  const registered = await queryEvents(client, client.registry, client.registry.filters.ModelRegistered());
  return Promise.all(registered.map((event) => getModel(client, event.args.modelId)));
}

/**
 * Registers a circuit build whose verifier is already deployed (`options.verifier`), with
 * the manifest's shapes, scales, input bound and artifact hash. Returns the new model id.
 */
export async function registerModel(client: HighwayClient, manifest: CircuitManifest, options: RegistrationOptions): Promise<{ modelId: string; verifier: string }> {
  const { salt, params } = modelRegistration(manifest, options);
  const receipt = await sendAndWait(client, () => client.registry.registerModel(salt, params));
  const registered = receipt.logs.map((log) => client.registry.interface.parseLog(log)).find((event) => event?.name === "ModelRegistered");
  return { modelId: (registered!.args.modelId as string).toLowerCase(), verifier: options.verifier };
}
