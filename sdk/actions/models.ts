/** Model actions: find models in the registry, read one, register one, change one, pay out its earnings. */
import { isHexString, type TransactionReceipt } from "ethers";
import { queryEvents, sendAndWait, withContractErrors, type HighwayClient } from "../client.js";
import type { TensorSpec } from "../encoding.js";
import { HighwayError } from "../errors.js";
import { modelRegistration, type CircuitManifest, type RegistrationOptions } from "../manifest.js";
import { MODEL_KINDS, proofModeBits, proofModesFromBits, type ModelKind, type ProofMode } from "../protocol.js";

export interface ModelInfo {
  modelId: string;
  /** The name in the deployment file, when it has one. */
  name?: string;
  owner: string;
  /** A circuit model (tensors in and out, proven by its verifier) or a language model (UTF-8 text, optimistic only). */
  kind: ModelKind;
  /** A circuit model's verifier (the zero address for a language model). */
  verifier: string;
  /** A language model's runtime spec hash (zero for a circuit model). */
  runtimeSpecHash: string;
  fee: bigint;
  proofModes: ProofMode[];
  active: boolean;
  /** A circuit model's input tensor; for a language model, `length` is the most prompt bytes (scale 0). */
  input: TensorSpec;
  /** A circuit model's output tensor; for a language model, `length` is the most answer bytes a request may ask for. */
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
  if (!known)
    throw new HighwayError(`unknown model "${model}": use a model id or one of ${Object.keys(client.deployment.models).join(", ")}`);
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
    kind: MODEL_KINDS[Number(terms.kind)],
    verifier: m.verifier,
    runtimeSpecHash: m.runtimeSpecHash,
    fee: terms.fee,
    proofModes: proofModesFromBits(terms.proofModes),
    active: terms.active,
    input: { length: Number(terms.inputLength), scale: Number(m.inputScale), bound: terms.inputBound },
    output: { length: Number(terms.outputLength), scale: Number(m.outputScale) },
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
export async function registerModel(
  client: HighwayClient,
  manifest: CircuitManifest,
  options: RegistrationOptions,
): Promise<{ modelId: string; verifier: string }> {
  const { salt, params } = modelRegistration(manifest, options);
  const receipt = await sendAndWait(client, () => client.registry.registerModel(salt, params));
  const registered = receipt.logs.map((log) => client.registry.interface.parseLog(log)).find((event) => event?.name === "ModelRegistered");
  return { modelId: (registered!.args.modelId as string).toLowerCase(), verifier: options.verifier };
}

/** What an owner may change about a model (ModelRegistry's setters); the rest is the model's identity. */
export interface ModelChanges {
  /** The model fee of future requests, in payment-token units. */
  fee?: bigint;
  referralShareBps?: number;
  proofModes?: readonly ProofMode[];
  /** Open (true) or close (false) the model to new requests. */
  active?: boolean;
  artifactURI?: string;
  /** Hand the model and its future fees to this address: sent last, since it ends the caller's rights. */
  owner?: string;
}

/**
 * Applies an owner's changes to a model: one setter transaction per change given, in
 * the order of ModelChanges (ownership last). Returns the receipts, in that order.
 */
export async function updateModel(client: HighwayClient, model: string, changes: ModelChanges): Promise<TransactionReceipt[]> {
  const modelId = resolveModelId(client, model);
  const { registry } = client;
  const sends: ((overrides: { nonce?: number }) => Promise<{ nonce: number; wait(): Promise<TransactionReceipt | null> }>)[] = [];
  if (changes.fee !== undefined) sends.push((o) => registry.setFee(modelId, changes.fee!, o));
  if (changes.referralShareBps !== undefined) sends.push((o) => registry.setReferralShareBps(modelId, changes.referralShareBps!, o));
  if (changes.proofModes !== undefined) sends.push((o) => registry.setProofModes(modelId, proofModeBits(changes.proofModes!), o));
  if (changes.active !== undefined) sends.push((o) => registry.setActive(modelId, changes.active!, o));
  if (changes.artifactURI !== undefined) sends.push((o) => registry.setArtifactURI(modelId, changes.artifactURI!, o));
  if (changes.owner !== undefined) sends.push((o) => registry.transferModelOwnership(modelId, changes.owner!, o));
  const receipts: TransactionReceipt[] = [];
  // Each next nonce follows the last transaction's: a provider may answer the pending-nonce query from a cache.
  let overrides: { nonce?: number } = {};
  for (const send of sends) {
    receipts.push(
      await sendAndWait(client, async () => {
        const sent = await send(overrides);
        overrides = { nonce: sent.nonce + 1 };
        return sent;
      }),
    );
  }
  return receipts;
}

/** What a model has earned and its owner has not yet withdrawn, in payment-token units. */
export function modelEarnings(client: HighwayClient, model: string): Promise<bigint> {
  return client.coordinator.modelEarnings(resolveModelId(client, model));
}

/** Pays a model's earnings out to its owner (owner only); returns the amount paid. */
export async function withdrawModelEarnings(
  client: HighwayClient,
  model: string,
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const modelId = resolveModelId(client, model);
  const receipt = await sendAndWait(client, () => client.coordinator.withdrawModelEarnings(modelId));
  const withdrawn = receipt.logs
    .map((log) => client.coordinator.interface.parseLog(log))
    .find((event) => event?.name === "ModelEarningsWithdrawn");
  return { amount: (withdrawn?.args.amount as bigint | undefined) ?? 0n, receipt };
}
