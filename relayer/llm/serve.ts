/**
 * Start-up of the language models a relayer serves (`languageModels` in its config): each model's runtime
 * (relayer/llm/backends.ts, checked against its runtime spec), a warm-up answer that seeds our time to
 * answer (`decide` claims only what that time answers within a delivery window), our declaration to the
 * staking contract that we serve the model (so the committee arbiter can draw us: only while the registry
 * holds our spec's hash, since a member with another spec would vote another answer and lose its seat
 * bond), and the committee seat (relayer/llm/committee.ts) that votes when we are drawn.
 */
import { getBytes, toUtf8Bytes, type Signer } from "ethers";
import type { CommitteeArbiter } from "../../types/contracts/CommitteeArbiter.js";
import type { ModelRegistry } from "../../types/contracts/ModelRegistry.js";
import type { RelayerStaking } from "../../types/contracts/RelayerStaking.js";
import type { RuntimeSpec } from "../../sdk/language-models.js";
import type { HighwayDeployment } from "../../sdk/deployment.js";
import { ConfigError, type LanguageModelConfig } from "../src/config.js";
import type { ServedModel } from "../src/decide.js";
import type { Logger } from "../src/logger.js";
import type { CheckedModel } from "../src/model-checks.js";
import type { JobStore } from "../src/store.js";
import type { Call, SendResult } from "../src/submitter.js";
import { configuredSpec, startLanguageRuntime } from "./backends.js";
import { CommitteeVoter } from "./committee.js";
import type { LanguageRuntime } from "./runtime.js";

/** The prompt of the warm-up answer: a short instruction answered at the model's full token limit at most. */
const WARM_UP_PROMPT = "Reply with one short sentence about the weather.";

/** A configured language model: its policy entry and what checks it. */
export interface LanguagePolicyEntry {
  modelId: string;
  served: ServedModel;
  spec: RuntimeSpec;
  checked: CheckedModel;
  config: LanguageModelConfig;
  index: number;
}

/** The policy entries of `languageModels`: each model's id (the config's, or the deployment file's for the spec's name). */
export function languagePolicy(models: readonly LanguageModelConfig[], deployment: HighwayDeployment, deploymentFile: string) {
  return models.map((config, index): LanguagePolicyEntry => {
    const spec = configuredSpec(config, index);
    const modelId = (config.modelId ?? deployment.models[spec.name]?.modelId)?.toLowerCase();
    if (!modelId)
      throw new ConfigError(`field "languageModels[${index}]": no modelId for ${spec.name} and none in ${deploymentFile}; set "modelId"`);
    const served: ServedModel = { name: spec.name, kind: "language", modes: ["optimistic"], computeCost: BigInt(config.computeCost) };
    return { modelId, served, spec, checked: { modelId, served, spec }, config, index };
  });
}

/** The runtimes started, by model name, with each one's warm-up time (ms). */
export async function startLanguageRuntimes(
  entries: readonly LanguagePolicyEntry[],
  log: Logger,
  onStarted: (runtime: LanguageRuntime) => void,
): Promise<{ runtimes: Map<string, LanguageRuntime>; warmUpMs: Map<string, number> }> {
  const runtimes = new Map<string, LanguageRuntime>();
  const warmUpMs = new Map<string, number>();
  for (const entry of entries) {
    const runtime = await startLanguageRuntime(entry.config, entry.index, process.env, entry.spec);
    onStarted(runtime);
    const generation = await runtime.answer(toUtf8Bytes(WARM_UP_PROMPT), 4_096);
    runtimes.set(entry.served.name, runtime);
    warmUpMs.set(entry.served.name, generation.ms);
    log.info(
      { model: entry.served.name, tokens: generation.tokens, ms: generation.ms },
      `language model ${entry.served.name} loaded and warmed up`,
    );
  }
  return { runtimes, warmUpMs };
}

/**
 * Declares to the staking contract that we serve each verified language model (and that we no longer serve a
 * refused one), so committees are drawn only from relayers that run the registered spec.
 */
export async function declareServing(
  staking: RelayerStaking,
  signer: Signer,
  entries: readonly LanguagePolicyEntry[],
  log: Logger,
): Promise<void> {
  const address = await signer.getAddress();
  for (const { modelId, served } of entries) {
    const serving = served.refusal === undefined;
    if ((await staking.serves(modelId, address)) === serving) continue;
    await (await staking.connect(signer).setServes(modelId, serving)).wait();
    log.info(
      { model: served.name, serving },
      serving ? `declared serving ${served.name}: committees may draw us` : `stopped serving ${served.name}`,
    );
  }
}

export interface CommitteeSeatDeps {
  arbiter: CommitteeArbiter;
  registry: ModelRegistry;
  signer: Signer;
  store: JobStore;
  entries: readonly LanguagePolicyEntry[];
  runtimes: ReadonlyMap<string, LanguageRuntime>;
  send: (action: string, call: Call) => Promise<SendResult>;
  log: Logger;
}

/** Our committee seat: votes with the runtimes we serve, on requests the job store knows. */
export async function committeeSeat(deps: CommitteeSeatDeps): Promise<CommitteeVoter> {
  const byModelId = new Map<string, LanguageRuntime>();
  for (const entry of deps.entries) byModelId.set(entry.modelId, deps.runtimes.get(entry.served.name)!);
  return new CommitteeVoter({
    arbiter: deps.arbiter.connect(deps.signer),
    address: await deps.signer.getAddress(),
    runtimes: byModelId,
    registeredSpecHash: async (modelId) => (await deps.registry.getModel(modelId)).runtimeSpecHash,
    request: (requestId) => {
      const job = deps.store.get(requestId);
      if (!job) return undefined;
      return { modelId: job.modelId, input: getBytes(job.input), maxOutputBytes: Number(job.terms.outputSize), terms: job.terms };
    },
    sign: (message) => deps.signer.signMessage(message),
    send: deps.send,
    log: deps.log,
  });
}
