// The llama.cpp runtime's worker thread (relayer/llm/llama.ts starts it): loads one GGUF model with
// node-llama-cpp's prebuilt CPU binaries (no compiler, no download) and generates greedily, each
// request alone in a context of its own. `parallel` contexts generate at once (on the machine's
// cores); sequences sharing one context's batch would be faster per core, but llama.cpp's answers
// then depend on what else is in the batch, and a committee must be able to reproduce every byte.
// Plain JavaScript: a worker thread does not inherit the tsx loader.
import { parentPort, workerData } from "node:worker_threads";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const { modelPath, contextSize, batchSize, flashAttention, parallel, threads } = workerData;

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false });
const model = await llama.loadModel({ modelPath });
const contexts = await Promise.all(
  Array.from({ length: parallel }, () => model.createContext({ contextSize, batchSize, flashAttention, sequences: 1, threads })),
);
const free = contexts.map((context) => context.getSequence());
const waiting = [];

parentPort.postMessage({ type: "ready", threads: contexts[0].currentThreads });

parentPort.on("message", (message) => {
  if (message.type === "close") {
    void Promise.all(contexts.map((context) => context.dispose()))
      .then(() => model.dispose())
      .then(() => llama.dispose())
      .finally(() => process.exit(0));
    return;
  }
  const sequence = free.pop();
  if (sequence) void run(sequence, message);
  else waiting.push(message);
});

/**
 * Greedy generation: temperature 0 takes the most likely token at every step, so the answer depends
 * on the prompt and the weights alone. Stops at an end-of-generation token, at a stop string, at
 * `maxTokens`, or once the text is long enough that the answer's first `maxBytes` bytes are settled.
 */
async function run(sequence, { id, prompt, maxTokens, maxBytes, stop }) {
  const started = performance.now();
  try {
    const promptTokens = model.tokenize(prompt, true);
    if (promptTokens.length + maxTokens > contextSize) {
      throw new Error(
        `the prompt is ${promptTokens.length} tokens: with ${maxTokens} to generate it exceeds the context of ${contextSize}`,
      );
    }
    const settled = maxBytes + Math.max(0, ...stop.map((s) => Buffer.byteLength(s))) + 4;
    const generated = [];
    let text = "";
    for await (const token of sequence.evaluate(promptTokens, { temperature: 0 })) {
      if (model.isEogToken(token)) break;
      generated.push(token);
      text = model.detokenize(generated);
      if (generated.length >= maxTokens || stop.some((s) => text.includes(s)) || Buffer.byteLength(text) >= settled) break;
    }
    parentPort.postMessage({
      type: "result",
      id,
      text,
      promptTokens: promptTokens.length,
      tokens: generated.length,
      ms: performance.now() - started,
    });
  } catch (error) {
    parentPort.postMessage({ type: "error", id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    await sequence.clearHistory();
    const next = waiting.shift();
    if (next) void run(sequence, next);
    else free.push(sequence);
  }
}
