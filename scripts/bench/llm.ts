/**
 * bench-llm: the reference language model on the in-process llama.cpp runtime (relayer/llm/).
 *
 *   make bench-llm [ARGS="--json --runs 3 --parallel 2 --threads 1"]
 *
 * Prints the model's load time; one answer's generation speed (tokens per second from the prompt to
 * the last token, median of --runs); the aggregate speed of 4 requests sent at once (the runtime
 * generates --parallel of them at a time, each in a context of its own, with --threads threads
 * each); and whether the answers generated together are byte for byte the answers generated one at
 * a time (`deterministic`). The request-to-posted-answer latency, the committee and
 * the gas figures need the coordinator's language-model interface (the bytes interface) and are
 * null until it is merged.
 * With --json, the last line is one JSON object:
 * {"model","tokensPerSecond","aggregateTokensPerSecond","answerTokens","requestToPendingP50Ms",
 *  "deterministic","committeeResolved","gas":{...}}.
 */
import { toUtf8Bytes } from "ethers";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime, type Generation } from "../../relayer/llm/runtime.js";
import { flag, median, option, printTable } from "../lib/report.js";

const json = flag("--json");
const runs = Number(option("--runs", "3"));
const threads = Number(option("--threads", "1"));
const parallel = Number(option("--parallel", "2"));
const CONCURRENT = 4;

const PROMPTS = [
  "Write a short story about a robot that learns to paint.",
  "Explain how a bicycle works, step by step.",
  "Describe a walk through a busy market in the morning.",
  "Write a letter to a friend about your summer holidays.",
];

const spec = loadRuntimeSpec("smollm2");
const loadStarted = performance.now();
const backend = await LlamaBackend.start(spec, { parallel, threads });
const loadMs = performance.now() - loadStarted;
const runtime = new LanguageRuntime(spec, backend);
const maxBytes = spec.limits.outputBytes;

try {
  const ask = (prompt: string) => runtime.answer(toUtf8Bytes(prompt), maxBytes);
  // A first answer warms the runtime up (page cache, thread pool); it is not counted.
  await ask(PROMPTS[0]);

  const single: { tokensPerSecond: number; tokens: number }[] = [];
  let alone: Generation[] = [];
  for (let run = 0; run < runs; run++) {
    alone = [];
    for (const prompt of PROMPTS) {
      const started = performance.now();
      const answer = await ask(prompt);
      alone.push(answer);
      if (prompt === PROMPTS[0])
        single.push({ tokens: answer.tokens, tokensPerSecond: (answer.tokens * 1000) / (performance.now() - started) });
    }
  }
  const aggregate: number[] = [];
  let together: Generation[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    together = await Promise.all(PROMPTS.map(ask));
    const tokens = together.reduce((sum, a) => sum + a.tokens, 0);
    aggregate.push((tokens * 1000) / (performance.now() - started));
  }
  const deterministic = together.every((answer, i) => Buffer.from(answer.output).equals(Buffer.from(alone[i].output)));
  const result = {
    model: spec.name,
    tokensPerSecond: round(median(single.map((s) => s.tokensPerSecond))),
    aggregateTokensPerSecond: round(median(aggregate)),
    answerTokens: single[0].tokens,
    requestToPendingP50Ms: null,
    deterministic,
    committeeResolved: null,
    gas: { requestInference: null, submitOptimistic: null, finalize: null, challenge: null, commit: null, reveal: null, resolve: null },
  };
  console.log(
    `bench-llm: ${spec.name} (${spec.weights.file}) on ${spec.runtime.name} ${spec.runtime.version}, ${parallel} contexts of ${backend.threads} threads, ${runs} runs`,
  );
  printTable([
    { measure: "model load (ms)", value: round(loadMs) },
    { measure: "one answer (tokens/s)", value: result.tokensPerSecond },
    { measure: "one answer (tokens)", value: result.answerTokens },
    { measure: `${CONCURRENT} answers at once (tokens/s)`, value: result.aggregateTokensPerSecond },
    { measure: "answers together = answers alone", value: String(deterministic) },
  ]);
  if (json) console.log(JSON.stringify(result));
} finally {
  await runtime.close();
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
