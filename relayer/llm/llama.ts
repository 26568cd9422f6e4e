/**
 * The in-process llama.cpp backend: node-llama-cpp's prebuilt CPU binaries in a worker thread
 * (relayer/llm/llama-worker.mjs), so generation never blocks the relayer's event loop. `parallel`
 * requests are generated at once, each alone in a context of its own (one sequence), as the runtime
 * spec requires: llama.cpp's answers change when sequences share a batch. Before loading, the installed runtime's name and version and the weights' sha256 are
 * checked against the model's runtime spec: a mismatch is refused (`RuntimeSpecMismatchError`).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { sha256File, weightsPath } from "../../sdk/language-models.js";
import type { RuntimeSpec } from "../../sdk/runtime-spec.js";
import { RuntimeSpecMismatchError, type GenerationBackend, type RawGeneration } from "./runtime.js";

/** The runtime this backend is, as a runtime spec names it. */
export const LLAMA_RUNTIME_NAME = "node-llama-cpp";

export interface LlamaBackendOptions {
  /** Requests generated at once, each in a context of its own. Default 2. */
  parallel?: number;
  /** CPU threads per context. Default 1 (a 135M model is memory-bound). Answers do not depend on it. */
  threads?: number;
  /** The model cache; default sdk/language-models.ts's MODEL_CACHE_DIR. */
  cacheDir?: string;
}

/** The installed node-llama-cpp's version. */
export function installedLlamaVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("node-llama-cpp");
  const pkg = join(main.slice(0, main.lastIndexOf("node_modules/node-llama-cpp") + "node_modules/node-llama-cpp".length), "package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

/** Checks that this backend is the runtime `spec` names and that the cached weights are its; returns their path. */
export async function checkLlamaRuntime(spec: RuntimeSpec, cacheDir?: string): Promise<string> {
  const version = installedLlamaVersion();
  if (spec.runtime.name !== LLAMA_RUNTIME_NAME || spec.runtime.version !== version) {
    throw new RuntimeSpecMismatchError(
      `${spec.name}: the spec's runtime is ${spec.runtime.name} ${spec.runtime.version}, this relayer runs ${LLAMA_RUNTIME_NAME} ${version}`,
    );
  }
  const path = weightsPath(spec, cacheDir);
  const sha256 = await sha256File(path);
  if (sha256 !== spec.weights.sha256) {
    throw new RuntimeSpecMismatchError(`${spec.name}: ${path} has sha256 ${sha256}, the spec's weights are ${spec.weights.sha256}`);
  }
  return path;
}

interface Pending {
  resolve: (generation: RawGeneration) => void;
  reject: (error: Error) => void;
}

/** llama.cpp in a worker thread; `start` loads the model. */
export class LlamaBackend implements GenerationBackend {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    readonly threads: number,
    private readonly stop: readonly string[],
  ) {
    worker.on("message", (message: WorkerMessage) => {
      if (message.type !== "result" && message.type !== "error") return;
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.type === "error") waiting.reject(new Error(message.message));
      else waiting.resolve({ text: message.text, tokens: message.tokens, promptTokens: message.promptTokens, ms: message.ms });
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the llama.cpp worker exited (code ${code})`)));
  }

  /** Checks the runtime and the weights against `spec`, then loads the model in a worker thread. */
  static async start(spec: RuntimeSpec, options: LlamaBackendOptions = {}): Promise<LlamaBackend> {
    const modelPath = await checkLlamaRuntime(spec, options.cacheDir);
    const worker = new Worker(new URL("./llama-worker.mjs", import.meta.url), {
      workerData: {
        modelPath,
        contextSize: spec.contextSize,
        batchSize: spec.batchSize,
        flashAttention: spec.flashAttention,
        parallel: options.parallel ?? 2,
        threads: options.threads ?? 1,
      },
    });
    const threads = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type !== "ready") return;
        worker.off("error", reject);
        resolve(message.threads);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the llama.cpp worker exited while loading ${modelPath} (code ${code})`)));
    });
    worker.removeAllListeners("exit");
    return new LlamaBackend(worker, threads, spec.stop);
  }

  generate(prompt: string, maxTokens: number, maxBytes: number): Promise<RawGeneration> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The spec's stop strings are applied to the text by sdk/runtime-spec.ts; the worker stops early on them.
      this.worker.postMessage({ type: "generate", id, prompt, maxTokens, maxBytes, stop: this.stop });
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage({ type: "close" });
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

type WorkerMessage =
  | { type: "ready"; threads: number }
  | { type: "result"; id: number; text: string; tokens: number; promptTokens: number; ms: number }
  | { type: "error"; id: number; message: string };
