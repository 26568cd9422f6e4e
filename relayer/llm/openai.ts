/**
 * The OpenAI-compatible backend, for operators who serve a model on their own hardware (llama.cpp's
 * server, vLLM): the relayer renders the prompt by the runtime spec and asks the endpoint's
 * `/v1/completions` for a greedy completion (temperature 0, the spec's seed and stop strings), so
 * the chat template is the spec's, never the server's. The operator states in its config which runtime
 * and weights the endpoint runs; they are checked against the spec before anything is served.
 */
import type { RuntimeSpec } from "../../sdk/runtime-spec.js";
import { RuntimeSpecMismatchError, type GenerationBackend, type RawGeneration } from "./runtime.js";

export interface OpenAiBackendOptions {
  /** The endpoint's base URL, e.g. http://127.0.0.1:8080 (`/v1/completions` is appended). */
  url: string;
  /** The model name the endpoint serves. */
  model: string;
  /** The endpoint's runtime and exact version, as the operator states them. */
  runtime: { name: string; version: string };
  /** The sha256 of the weights the endpoint loaded, as the operator states it. */
  weightsSha256: string;
  /** A bearer token for the endpoint, if it needs one. */
  apiKey?: string;
  /** How long one completion may take. Default 120 s. */
  timeoutMs?: number;
}

/** A request to the endpoint failed; the message names the URL and what it answered. */
export class EndpointError extends Error {
  override name = "EndpointError";
}

/** Checks the operator's statement of the endpoint against the spec (`field` names the config's). */
export function checkEndpoint(spec: RuntimeSpec, options: OpenAiBackendOptions, field = "backend"): void {
  if (options.runtime.name !== spec.runtime.name || options.runtime.version !== spec.runtime.version) {
    throw new RuntimeSpecMismatchError(
      `${spec.name}: field "${field}.runtime" is ${options.runtime.name} ${options.runtime.version}, the spec's runtime is ${spec.runtime.name} ${spec.runtime.version}`,
    );
  }
  if (options.weightsSha256 !== spec.weights.sha256) {
    throw new RuntimeSpecMismatchError(
      `${spec.name}: field "${field}.weightsSha256" is ${options.weightsSha256}, the spec's weights are ${spec.weights.sha256}`,
    );
  }
}

interface CompletionResponse {
  choices?: { text?: string }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** An OpenAI-compatible completions endpoint. */
export class OpenAiBackend implements GenerationBackend {
  constructor(
    private readonly spec: RuntimeSpec,
    private readonly options: OpenAiBackendOptions,
  ) {
    checkEndpoint(spec, options);
  }

  async generate(prompt: string, maxTokens: number): Promise<RawGeneration> {
    const url = `${this.options.url.replace(/\/+$/, "")}/v1/completions`;
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.options.model,
          prompt,
          max_tokens: maxTokens,
          temperature: 0,
          top_k: 1,
          seed: this.spec.sampling.seed,
          stop: this.spec.stop,
          stream: false,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (error) {
      throw new EndpointError(`${url}: no answer (${(error as Error).message})`);
    }
    const body = (await response.json().catch(() => undefined)) as CompletionResponse | undefined;
    const text = body?.choices?.[0]?.text;
    if (!response.ok || typeof text !== "string") {
      throw new EndpointError(`${url}: HTTP ${response.status}, not a completion (${JSON.stringify(body)?.slice(0, 200)})`);
    }
    return {
      text,
      tokens: body?.usage?.completion_tokens ?? 0,
      promptTokens: body?.usage?.prompt_tokens ?? 0,
      ms: performance.now() - started,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
