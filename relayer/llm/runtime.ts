/**
 * A language-model runtime as the relayer uses it: it turns a request's input bytes into the answer
 * bytes by the model's runtime spec (sdk/runtime-spec.ts: the input's messages, the chat template,
 * greedy decoding, stop strings, the byte limit). Two backends: llama.cpp in a worker thread
 * (relayer/llm/llama.ts) and an OpenAI-compatible completions endpoint (relayer/llm/openai.ts). Both
 * generate from the same rendered prompt text, so the spec, not the backend, decides the bytes.
 */
import { answerBytes, inputMessages, renderPrompt, type RuntimeSpec } from "../../sdk/runtime-spec.js";

/** What one generation returned. */
export interface Generation {
  /** The answer bytes (UTF-8), what a relayer posts. */
  output: Uint8Array;
  /** Tokens generated (before the answer was cut to its stop string and byte limit). */
  tokens: number;
  promptTokens: number;
  ms: number;
}

/** The raw text a backend generated from a rendered prompt. */
export interface RawGeneration {
  text: string;
  tokens: number;
  promptTokens: number;
  ms: number;
}

/** A backend: generates greedily from a prompt, stopping per the arguments. */
export interface GenerationBackend {
  /** `maxBytes`: the backend may stop once the answer's first `maxBytes` bytes are settled. */
  generate(prompt: string, maxTokens: number, maxBytes: number): Promise<RawGeneration>;
  close(): Promise<void>;
}

/** A request's input or the runtime does not match the model's spec; the relayer neither serves nor votes. */
export class RuntimeSpecMismatchError extends Error {
  override name = "RuntimeSpecMismatchError";
}

/** A language model served by a backend under its runtime spec. */
export class LanguageRuntime {
  constructor(
    readonly spec: RuntimeSpec,
    private readonly backend: GenerationBackend,
  ) {}

  /** The answer to `input` (a prompt or a JSON message list, UTF-8), at most `maxOutputBytes` bytes. */
  async answer(input: Uint8Array, maxOutputBytes: number): Promise<Generation> {
    const prompt = renderPrompt(this.spec, inputMessages(this.spec, input));
    const raw = await this.backend.generate(prompt, this.spec.maxTokens, maxOutputBytes);
    return { output: answerBytes(this.spec, raw.text, maxOutputBytes), tokens: raw.tokens, promptTokens: raw.promptTokens, ms: raw.ms };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
