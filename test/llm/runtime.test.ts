/**
 * The language models' runtime: the spec's rules (its hash, the input's messages, the chat template,
 * the answer's cut), the OpenAI-compatible backend's requests and config errors, and determinism:
 * the same prompts answered in separate processes with different thread counts and batch sizes give
 * the same bytes.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { toUtf8Bytes } from "ethers";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { InvalidValueError } from "../../sdk/encoding.js";
import { answerBytes, inputMessages, renderPrompt, runtimeSpecHash, type RuntimeSpec } from "../../sdk/runtime-spec.js";
import { startLanguageRuntime } from "../../relayer/llm/backends.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { RuntimeSpecMismatchError } from "../../relayer/llm/runtime.js";
import { REPO } from "../helpers/repo.js";

const spec = loadRuntimeSpec("smollm2");

describe("a language model's runtime spec", () => {
  it("hashes the same whatever the key order and description, and differently when a decisive field changes", () => {
    const reordered = Object.fromEntries(Object.entries({ ...spec, description: "another text" }).reverse()) as unknown as RuntimeSpec;
    expect(runtimeSpecHash(reordered)).to.equal(runtimeSpecHash(spec));
    for (const changed of [
      { ...spec, maxTokens: spec.maxTokens + 1 },
      { ...spec, runtime: { ...spec.runtime, version: "3.21.2" } },
      { ...spec, weights: { ...spec.weights, sha256: "0".repeat(64) } },
      { ...spec, stop: [...spec.stop, "\n\n"] },
    ]) {
      expect(runtimeSpecHash(changed)).to.not.equal(runtimeSpecHash(spec));
    }
  });

  it("reads a plain prompt as one user message and a JSON message list as its messages", () => {
    expect(inputMessages(spec, toUtf8Bytes("Is 7 prime?"))).to.deep.equal([{ role: "user", content: "Is 7 prime?" }]);
    const list = [
      { role: "system", content: "Answer yes or no." },
      { role: "user", content: "Is 7 prime?" },
    ];
    expect(inputMessages(spec, toUtf8Bytes(JSON.stringify(list)))).to.deep.equal(list);
    // Not a message list (an unknown role, an extra key): the whole text is the prompt.
    for (const text of ['[{"role":"robot","content":"x"}]', '[{"role":"user","content":"x","name":"y"}]', "[1, 2]"]) {
      expect(inputMessages(spec, toUtf8Bytes(text))).to.deep.equal([{ role: "user", content: text }]);
    }
  });

  it("refuses input that is not UTF-8", () => {
    expect(() => inputMessages(spec, Uint8Array.from([0x68, 0xff, 0x69]))).to.throw(InvalidValueError, "not well-formed UTF-8");
  });

  it("renders messages with the model's chat template, its default system message first", () => {
    expect(renderPrompt(spec, [{ role: "user", content: "Hi $& there" }])).to.equal(
      "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
        "<|im_start|>user\nHi $& there<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(renderPrompt(spec, [{ role: "system", content: "Be brief." }])).to.equal(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("cuts an answer before its first stop string, then to the byte limit without splitting a character", () => {
    expect(answerBytes(spec, "yes<|im_end|>more", 100)).to.deep.equal(toUtf8Bytes("yes"));
    expect(answerBytes(spec, "déjà vu", 2)).to.deep.equal(toUtf8Bytes("d"));
    expect(answerBytes(spec, "déjà vu", 3)).to.deep.equal(toUtf8Bytes("dé"));
  });
});

describe("the OpenAI-compatible backend", () => {
  let server: Server;
  let url: string;
  const bodies: Record<string, unknown>[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let data = "";
      req.on("data", (chunk: Buffer) => (data += chunk.toString()));
      req.on("end", () => {
        bodies.push({ path: req.url, ...(JSON.parse(data) as Record<string, unknown>) });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ choices: [{ text: "NEGATIVE<|im_end|>ignored" }], usage: { prompt_tokens: 30, completion_tokens: 3 } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  after(() => server.close());

  const endpoint = (overrides: Record<string, unknown> = {}) => ({
    language: "smollm2",
    computeCost: "0",
    backend: {
      kind: "openai" as const,
      url,
      model: "smollm2",
      runtime: { ...spec.runtime },
      weightsSha256: spec.weights.sha256,
      ...overrides,
    },
  });

  it("asks for a greedy completion of the prompt the spec renders, and cuts the answer by the spec", async () => {
    const runtime = await startLanguageRuntime(endpoint(), 0);
    const answer = await runtime.answer(toUtf8Bytes("Stocks crash"), 64);
    expect(answer.output).to.deep.equal(toUtf8Bytes("NEGATIVE"));
    expect(bodies.at(-1)).to.include({ path: "/v1/completions", temperature: 0, max_tokens: spec.maxTokens, model: "smollm2" });
    expect(bodies.at(-1)?.prompt).to.equal(renderPrompt(spec, [{ role: "user", content: "Stocks crash" }]));
    expect(bodies.at(-1)?.stop).to.deep.equal(spec.stop);
  });

  it("refuses an endpoint whose stated runtime or weights are not the spec's, naming the field", async () => {
    let error = await startLanguageRuntime(endpoint({ runtime: { name: "vllm", version: "0.9.0" } }), 2).catch((e: Error) => e);
    expect((error as Error).message).to.include('field "languageModels[2].backend.runtime" is vllm 0.9.0');
    error = await startLanguageRuntime(endpoint({ weightsSha256: "1".repeat(64) }), 0).catch((e: Error) => e);
    expect((error as Error).message).to.include('field "languageModels[0].backend.weightsSha256"');
    error = await startLanguageRuntime(endpoint({ apiKeyEnv: "HIGHWAY_TEST_UNSET_KEY" }), 0, {}).catch((e: Error) => e);
    expect((error as Error).message).to.include('field "languageModels[0].backend.apiKeyEnv"');
  });
});

describe("the llama.cpp backend's spec check", () => {
  it("refuses a spec naming another runtime version, or weights whose sha256 differs from the cached file's", async () => {
    let error = await LlamaBackend.start({ ...spec, runtime: { ...spec.runtime, version: "3.22.0" } }).catch((e: Error) => e);
    expect(error).to.be.instanceOf(RuntimeSpecMismatchError);
    expect((error as Error).message).to.include("the spec's runtime is node-llama-cpp 3.22.0, this relayer runs node-llama-cpp 3.21.1");
    error = await LlamaBackend.start({ ...spec, weights: { ...spec.weights, sha256: "a".repeat(64) } }).catch((e: Error) => e);
    expect(error).to.be.instanceOf(RuntimeSpecMismatchError);
    expect((error as Error).message).to.include(`has sha256 ${spec.weights.sha256}, the spec's weights are ${"a".repeat(64)}`);
  });
});

/** Answers `prompts` in a separate `relayer generate` process; returns each answer's bytes (hex). */
function generateInProcess(prompts: string[], threads: number, parallel: number): Promise<string[]> {
  const args = ["generate", "--model", "smollm2", "--threads", String(threads), "--parallel", String(parallel), "--max-bytes", "160"];
  const child = spawn(
    process.execPath,
    [join(REPO, "relayer", "bin", "relayer.mjs"), ...args, ...prompts.flatMap((p) => ["--prompt", p])],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`relayer generate exited ${code}: ${stderr}`));
      const lines = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { outputHex?: string });
      resolve(lines.filter((l) => l.outputHex !== undefined).map((l) => l.outputHex!));
    }),
  );
}

describe("the llama.cpp runtime's determinism", function () {
  this.timeout(300_000);

  it("gives byte-identical answers in separate processes with 1 and 2 threads, one at a time and two at once", async () => {
    const prompts = [
      "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools",
      JSON.stringify([
        { role: "system", content: "Answer LOW, MEDIUM or HIGH." },
        { role: "user", content: "Risk of a proposal to send the whole treasury to an unknown address?" },
      ]),
      "Name three prime numbers.",
    ];
    const alone = await generateInProcess(prompts, 1, 1);
    const together = await generateInProcess(prompts, 2, 2);
    expect(alone).to.have.length(3);
    expect(alone.every((hex) => hex.length > 2)).to.equal(true);
    expect(together).to.deep.equal(alone);
  });
});
