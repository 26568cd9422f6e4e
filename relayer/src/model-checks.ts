/**
 * The models we serve must be the circuits we prove with. A model's owner chooses its
 * verifier: one it can switch (accept real proofs, then anything, or nothing) could
 * slash an honest relayer's zk answer or defence, or let a wrong fraud proof through.
 * So a model is served and watched only while its registration matches our artifacts:
 *
 *  - the registered verifier's runtime code hash equals that of the verifier compiled
 *    from the circuit (its Hardhat artifact, or the manifest's source compiled);
 *  - that code holds none of the opcodes that could make it change or act on its own
 *    (SSTORE, DELEGATECALL, CALLCODE, SELFDESTRUCT, CREATE, CREATE2): a Halo2 verifier
 *    only computes and STATICCALLs precompiles;
 *  - the registered input and output lengths, scales and input bound are the manifest's;
 *  - the registered artifact hash is the manifest's.
 *
 * A language model has no verifier: it is served, watched and voted on only while it is
 * registered as a language model with our runtime spec's hash (sdk/runtime-spec.ts), since
 * with another spec our answer would be another's, and a challenge or a vote of ours wrong.
 *
 * Checked at start-up and again whenever a registry event names the model. A refused
 * model's refusal names each field that differs; it shows in the log, /healthz and the
 * `highway_relayer_model_refused` metric, and `decide` takes no step for its requests.
 */
import { getBytes, keccak256, type Provider } from "ethers";
import type { ModelRegistry } from "../../types/contracts/ModelRegistry.js";
import type { Circuit } from "../../sdk/circuits.js";
import { MODEL_KINDS } from "../../sdk/protocol.js";
import { runtimeSpecHash, type RuntimeSpec } from "../../sdk/runtime-spec.js";
import { revertData } from "../../sdk/errors.js";
import { compiledVerifier } from "../../sdk/verifier.js";
import type { ServedModel } from "./decide.js";
import type { Logger } from "./logger.js";
import type { RelayerMetrics } from "./metrics.js";

/** The opcodes a verifier must not contain, by value. */
const FORBIDDEN_OPCODES = new Map<number, string>([
  [0x55, "SSTORE"],
  [0xf0, "CREATE"],
  [0xf2, "CALLCODE"],
  [0xf4, "DELEGATECALL"],
  [0xf5, "CREATE2"],
  [0xff, "SELFDESTRUCT"],
]);
const PUSH1 = 0x60;
const PUSH32 = 0x7f;

/**
 * The forbidden opcodes in runtime `code`, with their byte offsets. PUSH data is skipped,
 * and so is the compiler's CBOR metadata at the end (its length is the code's last two
 * bytes), which is data, never run.
 */
export function forbiddenOpcodes(code: string): { opcode: string; offset: number }[] {
  const bytes = getBytes(code);
  let end = bytes.length;
  if (end >= 2) {
    const metadataLength = (bytes[end - 2] << 8) | bytes[end - 1];
    // A CBOR map (major type 5) opens Solidity's metadata.
    if (metadataLength + 2 <= end && (bytes[end - 2 - metadataLength] & 0xe0) === 0xa0) end -= metadataLength + 2;
  }
  const found: { opcode: string; offset: number }[] = [];
  for (let offset = 0; offset < end; offset++) {
    const opcode = bytes[offset];
    const name = FORBIDDEN_OPCODES.get(opcode);
    if (name) found.push({ opcode: name, offset });
    if (opcode >= PUSH1 && opcode <= PUSH32) offset += opcode - PUSH1 + 1;
  }
  return found;
}

/** One configured model, with the circuit we prove it with or the runtime spec we generate its answers by. */
export type CheckedModel = CheckedCircuit | (Omit<CheckedCircuit, "circuit"> & { spec: RuntimeSpec });

/** A configured circuit model, with the circuit we prove it with. */
export interface CheckedCircuit {
  modelId: string;
  /** Its entry in the policy `decide` reads: its `refusal` is set here. */
  served: ServedModel;
  circuit: Circuit;
}

export interface ModelCheckDeps {
  /** The registry the coordinator reads verifiers from. */
  registry: ModelRegistry;
  provider: Provider;
  log: Logger;
  metrics: RelayerMetrics;
}

export class ModelChecks {
  private readonly models = new Map<string, CheckedModel>();
  /** Each circuit's compiled verifier runtime code hash, by circuit folder. */
  private readonly expectedCodeHash = new Map<string, string>();

  constructor(
    private readonly deps: ModelCheckDeps,
    models: readonly CheckedModel[],
  ) {
    for (const model of models) this.models.set(model.modelId, model);
  }

  /** Checks every model; the relayer starts with the verdicts. */
  async checkAll(): Promise<void> {
    for (const modelId of this.models.keys()) await this.check(modelId);
  }

  /** Whether `modelId` is one of ours (a registry event about another model needs no check). */
  has(modelId: string): boolean {
    return this.models.has(modelId.toLowerCase());
  }

  /** Checks one model again; true when it went from refused to verified or back. */
  async check(modelId: string): Promise<boolean> {
    const model = this.models.get(modelId.toLowerCase());
    if (!model) return false;
    const problems = await this.problems(model);
    const refusal = problems.length ? problems.join("; ") : undefined;
    const changed = refusal !== model.served.refusal;
    model.served.refusal = refusal;
    const labels = { model: model.served.name, model_id: model.modelId };
    this.deps.metrics.modelRefused.set(labels, refusal ? 1 : 0);
    if (refusal) this.deps.log.error({ ...labels, problems }, `model ${model.served.name} (${model.modelId}) refused: ${refusal}`);
    else if (changed)
      this.deps.log.info(labels, `model ${model.served.name} (${model.modelId}) verified: its registration matches our artifacts`);
    return changed;
  }

  /** Each model's standing, for /healthz. */
  status(): { model: string; modelId: string; verified: boolean; refusal?: string }[] {
    return [...this.models.values()].map(({ modelId, served }) => ({
      model: served.name,
      modelId,
      verified: served.refusal === undefined,
      ...(served.refusal ? { refusal: served.refusal } : {}),
    }));
  }

  /** What differs between the model's registration and our artifacts; empty when nothing does. */
  private async problems(model: CheckedModel): Promise<string[]> {
    const { modelId } = model;
    let registered: Awaited<ReturnType<ModelRegistry["getModel"]>>;
    try {
      registered = await this.deps.registry.getModel(modelId);
    } catch (error) {
      const data = revertData(error);
      if (data !== undefined && this.deps.registry.interface.parseError(data)?.name === "UnknownModel") return ["modelId: not registered"];
      throw error;
    }
    const kind = MODEL_KINDS[Number(registered.terms.kind)];
    if ("spec" in model) {
      if (kind !== "language") return [`kind: registered as a ${kind} model, ours is a language model`];
      const ours = runtimeSpecHash(model.spec);
      if (registered.runtimeSpecHash.toLowerCase() !== ours.toLowerCase())
        return [`runtimeSpecHash ${registered.runtimeSpecHash} differs from ${ours}, our runtime spec's (${model.spec.name})`];
      return [];
    }
    if (kind !== "circuit") return [`kind: registered as a ${kind} model, ours is a circuit`];
    const { circuit } = model;
    const { manifest } = circuit;
    const problems: string[] = [];
    const code = await this.deps.provider.getCode(registered.verifier);
    const expected = this.expectedVerifierCodeHash(circuit);
    if (keccak256(code) !== expected) {
      problems.push(
        `verifier code hash ${keccak256(code)} (at ${registered.verifier}) differs from ${expected}, the verifier compiled from ${manifest.verifier.source}`,
      );
    }
    for (const { opcode, offset } of forbiddenOpcodes(code)) problems.push(`verifier code contains ${opcode} at byte ${offset}`);
    const fields: [string, bigint, bigint][] = [
      ["inputLength", registered.terms.inputLength, BigInt(manifest.input.length)],
      ["outputLength", registered.terms.outputLength, BigInt(manifest.output.length)],
      ["inputScale", registered.inputScale, BigInt(manifest.input.scale)],
      ["outputScale", registered.outputScale, BigInt(manifest.output.scale)],
      ["inputBound", registered.terms.inputBound, BigInt(manifest.input.bound)],
    ];
    for (const [field, onChain, ours] of fields)
      if (BigInt(onChain) !== ours) problems.push(`${field} ${onChain} differs from the manifest's ${ours}`);
    if (registered.artifactHash.toLowerCase() !== manifest.artifactHash.toLowerCase()) {
      problems.push(`artifactHash ${registered.artifactHash} differs from the manifest's ${manifest.artifactHash}`);
    }
    return problems;
  }

  /**
   * The model's batched verifier (`registry.batchVerifierOf`) checked as the single one is, against our
   * batched circuit: its code hash is that of the verifier compiled from the circuit, with no forbidden
   * opcode, and its batch size the circuit's. Its batch size and registration time, or why it is not used.
   */
  async batchedVerifier(modelId: string, batched: Circuit): Promise<{ size: number; since: number } | { refusal: string }> {
    let registered: Awaited<ReturnType<ModelRegistry["batchVerifierOf"]>>;
    try {
      registered = await this.deps.registry.batchVerifierOf(modelId);
    } catch (error) {
      const data = revertData(error);
      const name = data !== undefined ? this.deps.registry.interface.parseError(data)?.name : undefined;
      if (name) return { refusal: `batchVerifierOf: ${name}` };
      throw error;
    }
    const code = await this.deps.provider.getCode(registered.verifier);
    const expected = this.expectedVerifierCodeHash(batched);
    if (keccak256(code) !== expected)
      return { refusal: `batched verifier code hash ${keccak256(code)} differs from ${expected} (${batched.manifest.verifier.source})` };
    const forbidden = forbiddenOpcodes(code);
    if (forbidden.length) return { refusal: `batched verifier code contains ${forbidden[0].opcode}` };
    if (Number(registered.batchSize) !== batched.manifest.batchSize)
      return { refusal: `batch size ${registered.batchSize} differs from the circuit's ${batched.manifest.batchSize}` };
    return { size: Number(registered.batchSize), since: Number(registered.since) };
  }

  private expectedVerifierCodeHash(circuit: Circuit): string {
    let hash = this.expectedCodeHash.get(circuit.dir);
    if (!hash) {
      hash = keccak256(compiledVerifier(circuit).deployedBytecode);
      this.expectedCodeHash.set(circuit.dir, hash);
    }
    return hash;
  }
}
