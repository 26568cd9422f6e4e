/**
 * bench-llm: the reference language model on the in-process llama.cpp runtime (relayer/llm/).
 *
 *   make bench-llm [ARGS="--json --runs 3 --parallel 2 --threads 1"]
 *
 * Prints the model's load time; one answer's generation speed (tokens per second from the prompt to
 * the last token, median of --runs); the aggregate speed of 4 requests sent at once (the runtime
 * generates --parallel of them at a time, each in a context of its own, with --threads threads
 * each); and whether the answers generated together are byte for byte the answers generated one at
 * a time (`deterministic`). Gas: a dispute over a 256-byte answer on the real CommitteeArbiter and
 * RelayerStaking, with a harness standing in for the coordinator's dispute hooks: `commit` and
 * `reveal` are the arbiter's alone and final, and the draw (three seats bonded) is printed; the
 * challenge and resolve go through the coordinator, whose share the harness does not stand for. The request-to-posted-answer latency, the committee of relayer processes and the other gas
 * figures need the coordinator's language-model interface (the bytes interface): null until then.
 * With --json, the last line is one JSON object:
 * {"model","tokensPerSecond","aggregateTokensPerSecond","answerTokens","requestToPendingP50Ms",
 *  "deterministic","committeeResolved","gas":{...}}.
 */
import { network } from "hardhat";
import { AbiCoder, keccak256, toUtf8Bytes, ZeroAddress, ZeroHash } from "ethers";
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
  const disputeGas = await arbiterGas(together[0].output.slice(0, 256));
  const result = {
    model: spec.name,
    tokensPerSecond: round(median(single.map((s) => s.tokensPerSecond))),
    aggregateTokensPerSecond: round(median(aggregate)),
    answerTokens: single[0].tokens,
    requestToPendingP50Ms: null,
    deterministic,
    committeeResolved: null,
    gas: {
      requestInference: null,
      submitOptimistic: null,
      finalize: null,
      challenge: null,
      commit: disputeGas.commit,
      reveal: disputeGas.reveal,
      resolve: null,
    },
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
    { measure: `commit gas`, value: disputeGas.commit },
    { measure: `reveal gas (${disputeGas.answerBytes}-byte answer)`, value: disputeGas.reveal },
    { measure: "draw gas (3 seats)", value: disputeGas.draw },
  ]);
  if (json) console.log(JSON.stringify(result));
} finally {
  await runtime.close();
}

/** The gas of each step of a dispute over `answer` on the real arbiter and staking contracts, the coordinator's hooks a harness. */
async function arbiterGas(answer: Uint8Array) {
  const { ethers } = await network.create();
  const UNIT = 10n ** 18n;
  const model = ethers.id(spec.name);
  const [admin, relayer, challenger, treasury, ...servers] = await ethers.getSigners();
  const token = await ethers.deployContract("HighwayToken", [admin.address]);
  const hooks = await ethers.deployContract("LanguageHooksHarness", [await token.getAddress(), treasury.address]);
  const staking = await ethers.deployContract("RelayerStaking", [
    await token.getAddress(),
    await hooks.getAddress(),
    admin.address,
    UNIT,
    3_600,
  ]);
  const arbiter = await ethers.deployContract("CommitteeArbiter", [
    await hooks.getAddress(),
    await staking.getAddress(),
    { committeeSize: 3, nonRevealSlashBps: 5_000, commitWindow: 600, revealWindow: 600, memberBond: 50n * UNIT },
  ]);
  await (await hooks.setArbiter(await arbiter.getAddress())).wait();
  for (const server of servers.slice(0, 5)) {
    await (await token.mint(server.address, 200n * UNIT)).wait();
    await (await token.connect(server).approve(await staking.getAddress(), 200n * UNIT)).wait();
    await (await staking.connect(server).stake(200n * UNIT)).wait();
    await (await staking.connect(server).setServes(model, true)).wait();
  }
  await (await token.mint(challenger.address, 50n * UNIT)).wait();
  await (await token.connect(challenger).approve(await hooks.getAddress(), 50n * UNIT)).wait();
  const requestId = 1n;
  await (await hooks.post(requestId, relayer.address, toUtf8Bytes("a wrong answer"))).wait();
  // The harness reads only the model and the challenge bond of the terms: every other field is zero.
  const fields = arbiter.interface.getFunction("draw").inputs[1].components!;
  const zero = (type: string) => (type === "bytes32" ? ZeroHash : type === "address" ? ZeroAddress : 0);
  // The harness posts answers with a one-hour challenge window.
  const terms = {
    ...Object.fromEntries(fields.map((f) => [f.name, zero(f.type)])),
    modelId: model,
    challengeBond: 50n * UNIT,
    challengeWindow: 3_600,
  };
  const gas = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) => Number((await (await tx).wait())!.gasUsed);
  const salt = keccak256(toUtf8Bytes("the challenger's secret"));
  await gas(arbiter.connect(challenger).commitChallenge(await arbiter.challengeCommitment(requestId, challenger.address, salt)));
  await gas(arbiter.connect(challenger).challenge(requestId, terms as never, salt));
  const drawTx = await arbiter.draw(requestId, terms as never);
  const drawReceipt = (await drawTx.wait())!;
  const draw = Number(drawReceipt.gasUsed);
  const drawn = drawReceipt.logs.map((log) => arbiter.interface.parseLog(log)).find((event) => event?.name === "CommitteeDrawn");
  const members = [...(drawn!.args.members as string[])];
  const signers = members.map((m) => servers.find((s) => s.address === m)!);
  const commits: number[] = [];
  const reveals: number[] = [];
  for (const [seat, member] of signers.entries()) {
    const commitment = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["uint256", "address", "bytes32", "bytes32"],
        [requestId, member.address, keccak256(answer), ZeroHash],
      ),
    );
    commits.push(await gas(arbiter.connect(member).commit(requestId, members, seat, commitment)));
  }
  for (const [seat, member] of signers.entries())
    reveals.push(await gas(arbiter.connect(member).reveal(requestId, members, seat, answer, ZeroHash)));
  await gas(arbiter.resolve(requestId, terms as never, members, answer));
  return { answerBytes: answer.length, draw, commit: Math.max(...commits), reveal: Math.max(...reveals) };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
