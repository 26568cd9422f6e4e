/**
 * The language runtime a relayer config names (`languageModels[i]`): the model's runtime spec and
 * its backend, in-process llama.cpp or an OpenAI-compatible endpoint, each checked against the spec
 * before it serves (a mismatch names the config field and is refused).
 */
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { ConfigError, type LanguageModelConfig } from "../src/config.js";
import { LlamaBackend } from "./llama.js";
import { checkEndpoint, OpenAiBackend } from "./openai.js";
import { LanguageRuntime } from "./runtime.js";

/** Starts the runtime of `languageModels[index]`. */
export async function startLanguageRuntime(
  model: LanguageModelConfig,
  index: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LanguageRuntime> {
  const field = `languageModels[${index}]`;
  let spec;
  try {
    spec = loadRuntimeSpec(model.language);
  } catch (error) {
    throw new ConfigError(`field "${field}.language": ${(error as Error).message}`);
  }
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
