/**
 * The language runtime a relayer config names (`languageModels[i]`): the model's runtime spec and
 * its backend, in-process llama.cpp or an OpenAI-compatible endpoint, each checked against the spec
 * before it serves (a mismatch names the config field and is refused).
 */
import { loadRuntimeSpec, type RuntimeSpec } from "../../sdk/language-models.js";
import { ConfigError, type LanguageModelConfig } from "../src/config.js";
import { LlamaBackend } from "./llama.js";
import { checkEndpoint, OpenAiBackend } from "./openai.js";
import { LanguageRuntime } from "./runtime.js";

/** The runtime spec `languageModels[index]` names; an unreadable or invalid one is a ConfigError naming the field. */
export function configuredSpec(model: LanguageModelConfig, index: number): RuntimeSpec {
  try {
    return loadRuntimeSpec(model.language);
  } catch (error) {
    throw new ConfigError(`field "languageModels[${index}].language": ${(error as Error).message}`);
  }
}

/** Starts the runtime of `languageModels[index]`, under `spec` (by default the one it names). */
export async function startLanguageRuntime(
  model: LanguageModelConfig,
  index: number,
  env: NodeJS.ProcessEnv = process.env,
  spec: RuntimeSpec = configuredSpec(model, index),
): Promise<LanguageRuntime> {
  const field = `languageModels[${index}]`;
  const backend = model.backend;
  if (backend.kind === "llama.cpp") {
    return new LanguageRuntime(spec, await LlamaBackend.start(spec, { threads: backend.threads, parallel: backend.parallel }));
  }
  let apiKey: string | undefined;
  if (backend.apiKeyEnv) {
    apiKey = env[backend.apiKeyEnv];
    if (!apiKey) throw new ConfigError(`field "${field}.backend.apiKeyEnv": the environment variable ${backend.apiKeyEnv} is not set`);
  }
  const options = { ...backend, apiKey };
  checkEndpoint(spec, options, `${field}.backend`);
  return new LanguageRuntime(spec, new OpenAiBackend(spec, options));
}
