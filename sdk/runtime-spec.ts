/**
 * A language model's deterministic runtime spec (language-models/<model>/runtime.json) as data,
 * and the rules every honest relayer applies with it, so that two relayers with the same spec
 * produce the same answer bytes: the canonical hash the registry stores (`runtimeSpecHash`),
 * how a request's input bytes become the model's prompt (a prompt, or a JSON message list, rendered
 * by the spec's chat template), and how the generated text becomes the answer (stop strings, then
 * the request's byte limit at a character boundary). Browser-safe: reading a spec file is Node-only
 * (sdk/language-models.ts).
 */
import { keccak256, toUtf8Bytes, ZeroAddress, ZeroHash, id as keccakUtf8 } from "ethers";
import type { IModelRegistry } from "../types/contracts/ModelRegistry.js";
import type { ChatMessage } from "./actions/requests.js";
import { decodeText } from "./encoding.js";
import { HighwayError } from "./errors.js";
import { MODEL_KINDS, proofModeBits } from "./protocol.js";

/** A language model's runtime spec: everything that decides its answer bytes. */
export interface RuntimeSpec {
  /** The model's short name (the CLI's and the relayer's). */
  name: string;
  description?: string;
  /** The weights: the GGUF file's name in the model cache, its sha256 (hex, no 0x), and where `make setup` gets it. */
  weights: { file: string; sha256: string; source: string };
  /** The runtime and its exact version (another version may round differently). */
  runtime: { name: string; version: string };
  /**
   * The context size in tokens: the rendered prompt and the answer must fit. Each request is generated
   * alone in a context of its own (one sequence): llama.cpp's answers change when sequences share a
   * batch, so an answer never depends on what else a relayer was generating.
   */
  contextSize: number;
  /** Prompt tokens evaluated per step (a longer prompt is evaluated in steps of this many). */
  batchSize: number;
  /** Whether attention runs as flash attention (a different kernel, so different rounding). */
  flashAttention: boolean;
  /** Greedy decoding (temperature 0: the most likely token each step); the seed is recorded for completeness. */
  sampling: { method: "greedy"; seed: number };
  /** The most tokens an answer is generated to. */
  maxTokens: number;
  /** The chat template: each message as `message` with `{role}` and `{content}`, then `generationPrompt`. */
  chatTemplate: {
    message: string;
    generationPrompt: string;
    /** Put first when the first message is not a system message. */
    defaultSystem: string;
    roles: string[];
  };
  /** Generation stops before the first of these. */
  stop: string[];
  /** The registration's input length (most prompt bytes) and output length (most answer bytes). */
  limits: { inputBytes: number; outputBytes: number };
}

/** A language model's input or spec is not what its rules accept. */
export class LanguageInputError extends HighwayError {
  override name = "LanguageInputError";
}

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new LanguageInputError(`not a finite number: ${value}`);
  return JSON.stringify(value);
}

/**
 * The hash the registry stores as a language model's `runtimeSpecHash`: keccak256 of the spec's
 * canonical JSON, the description left out (it changes no answer byte).
 */
export function runtimeSpecHash(spec: RuntimeSpec): string {
  return keccak256(toUtf8Bytes(canonicalJson({ ...spec, description: undefined })));
}

/** ModelRegistry's bound on a model's input and output lengths (`MAX_INPUT_LENGTH`, `MAX_OUTPUT_LENGTH`). */
export const MAX_LANGUAGE_BYTES = 16_384;

/**
 * The salt a language model is registered under: keccak256("<name>:<runtimeSpecHash>"), the rule of a
 * circuit's `modelSalt` with the spec's hash for the artifact hash: a changed spec gets a new model id, and
 * registering the same spec twice fails (ModelAlreadyRegistered) instead of making a second id.
 */
export function languageModelSalt(spec: RuntimeSpec): string {
  return keccakUtf8(`${spec.name}:${runtimeSpecHash(spec)}`);
}

/**
 * The registration of a language model (the arguments of `ModelRegistry.registerModel`): no verifier,
 * its runtime spec's hash, optimistic answers only, the spec's limits as its input length (most prompt
 * bytes) and output length (most answer bytes), no scales or bound; its artifacts are the weights
 * (`artifactHash`: the GGUF file's sha256) under language-models/<name> by default.
 */
export function languageModelRegistration(
  spec: RuntimeSpec,
  options: { fee: bigint; referralShareBps?: number; artifactURI?: string; salt?: string },
): { salt: string; params: IModelRegistry.ModelParamsStruct } {
  const { inputBytes, outputBytes } = spec.limits;
  for (const [what, bytes] of [
    ["limits.inputBytes", inputBytes],
    ["limits.outputBytes", outputBytes],
  ] as const) {
    if (bytes < 1 || bytes > MAX_LANGUAGE_BYTES)
      throw new LanguageInputError(`${spec.name}: ${what} is ${bytes}; the registry takes 1 to ${MAX_LANGUAGE_BYTES}`);
  }
  return {
    salt: options.salt ?? languageModelSalt(spec),
    params: {
      kind: MODEL_KINDS.indexOf("language"),
      fee: options.fee,
      verifier: ZeroAddress,
      runtimeSpecHash: runtimeSpecHash(spec),
      proofModes: proofModeBits(["optimistic"]),
      inputLength: inputBytes,
      outputLength: outputBytes,
      inputScale: 0,
      outputScale: 0,
      inputBound: 0,
      parentModelId: ZeroHash,
      parentShareBps: 0,
      referralShareBps: options.referralShareBps ?? 0,
      artifactURI: options.artifactURI ?? `language-models/${spec.name}`,
      artifactHash: `0x${spec.weights.sha256}`,
    },
  };
}

/** Checks a parsed runtime.json; `where` names it in the error. */
export function checkRuntimeSpec(spec: unknown, where: string): RuntimeSpec {
  const s = spec as Partial<RuntimeSpec> | null;
  const fail = (field: string, expected: string): never => {
    throw new LanguageInputError(`${where}: ${field} must be ${expected}`);
  };
  if (s === null || typeof s !== "object") return fail("the spec", "a JSON object");
  if (typeof s.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(s.name)) fail("name", "a lowercase name");
  if (typeof s.weights?.file !== "string" || !/^[0-9a-f]{64}$/.test(s.weights?.sha256 ?? "")) {
    fail("weights", "{ file, sha256 (64 hex digits), source }");
  }
  if (typeof s.runtime?.name !== "string" || typeof s.runtime?.version !== "string") fail("runtime", "{ name, version }");
  if (!Number.isInteger(s.contextSize) || s.contextSize! < 64) fail("contextSize", "an integer of at least 64");
  if (!Number.isInteger(s.batchSize) || s.batchSize! < 1) fail("batchSize", "a positive integer");
  if (typeof s.flashAttention !== "boolean") fail("flashAttention", "true or false");
  if (s.sampling?.method !== "greedy" || !Number.isInteger(s.sampling?.seed)) fail("sampling", '{ method: "greedy", seed }');
  if (!Number.isInteger(s.maxTokens) || s.maxTokens! < 1) fail("maxTokens", "a positive integer");
  const t = s.chatTemplate;
  if (typeof t?.message !== "string" || !t.message.includes("{role}") || !t.message.includes("{content}")) {
    fail("chatTemplate.message", "a string with {role} and {content}");
  }
  if (typeof t?.generationPrompt !== "string" || typeof t?.defaultSystem !== "string" || !Array.isArray(t?.roles)) {
    fail("chatTemplate", "{ message, generationPrompt, defaultSystem, roles }");
  }
  if (!Array.isArray(s.stop) || s.stop.some((x) => typeof x !== "string" || x === "")) fail("stop", "a list of non-empty strings");
  if (!Number.isInteger(s.limits?.inputBytes) || !Number.isInteger(s.limits?.outputBytes)) {
    fail("limits", "{ inputBytes, outputBytes } (integers)");
  }
  return s as RuntimeSpec;
}

/**
 * The messages a request's input bytes stand for: a JSON list of `{role, content}` messages (roles
 * from the spec) is that list; any other valid UTF-8 is one user message. Throws on invalid UTF-8.
 */
export function inputMessages(spec: RuntimeSpec, input: Uint8Array): ChatMessage[] {
  const text = decodeText(input);
  const list = messageList(spec, text);
  return list ?? [{ role: "user", content: text }];
}

/** `text` as a message list, or undefined when it is not one (then it is a plain prompt). */
function messageList(spec: RuntimeSpec, text: string): ChatMessage[] | undefined {
  if (!text.trimStart().startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const ok = parsed.every(
    (m: unknown) =>
      m !== null &&
      typeof m === "object" &&
      Object.keys(m).length === 2 &&
      typeof (m as ChatMessage).content === "string" &&
      spec.chatTemplate.roles.includes((m as ChatMessage).role),
  );
  return ok ? (parsed as ChatMessage[]).map(({ role, content }) => ({ role, content })) : undefined;
}

/** The prompt text the model reads: the messages through the chat template, then the generation prompt. */
export function renderPrompt(spec: RuntimeSpec, messages: readonly { role: string; content: string }[]): string {
  const t = spec.chatTemplate;
  const all = messages[0]?.role === "system" ? messages : [{ role: "system", content: t.defaultSystem }, ...messages];
  // A function replacer: `$` in a message is literal text, never a replacement pattern.
  const one = (m: { role: string; content: string }) => t.message.replace("{role}", () => m.role).replace("{content}", () => m.content);
  return all.map(one).join("") + t.generationPrompt;
}

/**
 * The answer bytes of generated `text`: cut before the first stop string, then to at most
 * `maxOutputBytes` bytes, never inside a character (a partial character at the end is dropped).
 */
export function answerBytes(spec: RuntimeSpec, text: string, maxOutputBytes: number): Uint8Array {
  let cut = text.length;
  for (const stop of spec.stop) {
    const at = text.indexOf(stop);
    if (at !== -1 && at < cut) cut = at;
  }
  const bytes = toUtf8Bytes(text.slice(0, cut));
  if (bytes.length <= maxOutputBytes) return bytes;
  let end = maxOutputBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}
