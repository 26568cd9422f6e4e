/**
 * `relayer generate --model NAME [--prompt TEXT ...] [--threads N] [--parallel K] [--max-bytes B]`:
 * answers prompts with the in-process llama.cpp runtime under the model's runtime spec, several at once
 * (`--parallel`, each in a context of its own), and prints one JSON line per prompt (`prompt`, `text`, `outputHex`, `tokens`)
 * then a summary line. An operator compares the bytes with another relayer's to check its runtime;
 * the determinism test compares processes with different thread counts.
 */
import { parseArgs } from "node:util";
import { hexlify, toUtf8Bytes } from "ethers";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { decodeText } from "../../sdk/encoding.js";
import { LlamaBackend } from "./llama.js";
import { LanguageRuntime } from "./runtime.js";

export const GENERATE_USAGE = `usage: relayer generate --model NAME [--prompt TEXT ...] [--threads N] [--parallel K] [--max-bytes B]

  Answers each prompt (or JSON message list) with the model's runtime spec
  (language-models/NAME/runtime.json) on the local llama.cpp runtime, and prints
  one JSON line per prompt, then {"threads","tokens","ms","tokensPerSecond"}.`;

function positiveInt(value: string | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Runs the subcommand; returns the exit code. */
export async function generateCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: "string" },
        prompt: { type: "string", multiple: true },
        threads: { type: "string" },
        parallel: { type: "string" },
        "max-bytes": { type: "string" },
      },
    }));
    if (!values.model || !values.prompt?.length) throw new Error("--model and at least one --prompt are required");
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${GENERATE_USAGE}`);
    return 2;
  }
  let runtime: LanguageRuntime | undefined;
  try {
    const spec = loadRuntimeSpec(values.model);
    const threads = positiveInt(values.threads, "--threads");
    const parallel = positiveInt(values.parallel, "--parallel", 1);
    const maxBytes = positiveInt(values["max-bytes"], "--max-bytes", spec.limits.outputBytes)!;
    const backend = await LlamaBackend.start(spec, { threads, parallel });
    runtime = new LanguageRuntime(spec, backend);
    const started = performance.now();
    const answers = await Promise.all(values.prompt.map((prompt) => runtime!.answer(toUtf8Bytes(prompt), maxBytes)));
    const ms = performance.now() - started;
    answers.forEach((a, i) =>
      console.log(
        JSON.stringify({ prompt: values.prompt![i], text: decodeText(a.output), outputHex: hexlify(a.output), tokens: a.tokens }),
      ),
    );
    const tokens = answers.reduce((sum, a) => sum + a.tokens, 0);
    console.log(JSON.stringify({ threads: backend.threads, tokens, ms: Math.round(ms), tokensPerSecond: (tokens * 1000) / ms }));
    return 0;
  } catch (error) {
    console.error(`relayer generate: ${(error as Error).message}`);
    return 1;
  } finally {
    await runtime?.close();
  }
}
