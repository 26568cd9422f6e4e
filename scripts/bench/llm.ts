/**
 * bench-llm: the reference language model (smollm2) served by Highway, end to end.
 *
 *   make bench-llm [ARGS="--json --runs 3 --parallel 2 --threads 1 --requests 10"]
 *
 * Four parts, one after the other (each frees the cores before the next):
 * 1. The in-process llama.cpp runtime (relayer/llm/): the model's load time; one answer's generation speed
 *    (tokens per second from the prompt to the last token, median of --runs); the aggregate speed of 4 requests
 *    sent at once (--parallel contexts of --threads threads each); and whether the answers generated together are
 *    byte for byte the answers generated one at a time. It also generates the answers the later parts expect.
 * 2. Gas (receipt gasUsed), on the real InferenceCoordinator, CommitteeArbiter and RelayerStaking of a Highway
 *    deployed on the in-process Hardhat network, with a 256-byte answer (a real answer of the model, padded with
 *    spaces to 256 bytes): a language request, its claim, `submitOptimistic` and `finalize`; then a wrong answer
 *    challenged (`commitChallenge`, then `challenge` in a later block), the committee drawn (five relayers serve
 *    the model: the answerer, the challenger and three others), three commits, three reveals of the right answer,
 *    and `resolve`. Each measured after the same steps ran once (steady state); the dispute's figures are the medians
 *    of 5 disputes (the draw's gas depends on its seed). The committee's vote is scripted.
 * 3. Request to posted answer: a relayer process serving smollm2 (llama.cpp) on a local Hardhat node; --requests
 *    sequential requests with short answers (`answerTokens` tokens, the median: a two-sentence prompt, at most 200 bytes), each
 *    timed from sending the request transaction to seeing the request Pending (its `OptimisticSubmitted`, polled
 *    every 20 ms); p50. The posted answers must be the answers part 1 generated (they count in `deterministic`).
 * 4. The committee: on a fresh node, the demo's cheating relayer answers a request; an honest watchtower relayer
 *    and three honest committee relayers start with the wrong answer pending, the watchtower challenges and the
 *    committee votes. `committeeResolved` is true when the request ends Fulfilled with the honest answer and the
 *    cheater's job bond slashed (as test/llm/relayer.test.ts's committee test).
 * With --json, the last line is one JSON object:
 * {"model","tokensPerSecond","aggregateTokensPerSecond","answerTokens","requestToPendingP50Ms","deterministic",
 *  "committeeResolved","gas":{"requestInference","submitOptimistic","finalize","commitChallenge","challenge","draw",
 *  "commit","reveal","resolve"}} (`commit` and `reveal`: the costliest member's).
 */
import { network } from "hardhat";
import { hexlify, toUtf8Bytes, toUtf8String, type Contract, type ContractTransactionResponse, type Log } from "ethers";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { encodeText } from "../../sdk/encoding.js";
import { Highway as HighwaySdk } from "../../sdk/highway.js";
import { ANY_MODEL_FEE, RequestStatusCode as Status } from "../../sdk/protocol.js";
import { answerBytes } from "../../sdk/runtime-spec.js";
import { termsFromEvent, type PlainTerms } from "../../sdk/terms.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime, type Generation } from "../../relayer/llm/runtime.js";
import { deployHighway } from "../deploy.js";
import {
  fundRequester,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  UNIT,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
} from "../lib/localnet.js";
import { hardhatAccount } from "../lib/node.js";
import { flag, median, option, printTable } from "../lib/report.js";

const json = flag("--json");
const runs = Number(option("--runs", "3"));
const threads = Number(option("--threads", "1"));
const parallel = Number(option("--parallel", "2"));
const latencyRequests = Number(option("--requests", "10"));
const CONCURRENT = 4;
/** Disputes measured (after a warm-up one): each dispute figure is their median. */
const DISPUTES = 5;
/** The answer size of the gas figures. */
const GAS_ANSWER_BYTES = 256;
/** The latency run's answer bound: two sentences, about 32 tokens. */
const SHORT_ANSWER_BYTES = 200;
const GOALS = {
  tokensPerSecond: 25,
  aggregateTokensPerSecond: 50,
  requestToPendingP50Ms: 3_000,
  submitOptimistic: 80_000,
  dispute: 600_000,
};

const PROMPTS = [
  "Write a short story about a robot that learns to paint.",
  "Explain how a bicycle works, step by step.",
  "Describe a walk through a busy market in the morning.",
  "Write a letter to a friend about your summer holidays.",
];
const HEADLINES = [
  "Stocks soar as inflation cools",
  "City opens new public library downtown",
  "Storm knocks out power to thousands",
  "Local team wins national championship",
  "Scientists discover water on distant moon",
  "Factory closure leaves hundreds jobless",
  "New bridge cuts commute times in half",
  "Drought threatens this year's harvest",
  "Startup raises funds for electric planes",
  "Museum returns stolen paintings to owners",
];
/** The latency run's prompts: two sentences about a headline. */
const SHORT_PROMPTS = Array.from(
  { length: latencyRequests },
  (_, i) => `In two sentences, say what this headline means for ordinary people: ${HEADLINES[i % HEADLINES.length]}`,
);
/** The committee run's request (the relayer tests' prompt). */
const COMMITTEE_PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
const COMMITTEE_ANSWER_BYTES = 64;

const spec = loadRuntimeSpec("smollm2");
console.log(`bench-llm: ${spec.name} (${spec.weights.file}) on ${spec.runtime.name} ${spec.runtime.version}`);

// ------------------------------------------------------------------ 1. the runtime
const loadStarted = performance.now();
const backend = await LlamaBackend.start(spec, { parallel, threads });
const loadMs = performance.now() - loadStarted;
const runtime = new LanguageRuntime(spec, backend);
let speed: { tokensPerSecond: number; aggregateTokensPerSecond: number; deterministic: boolean };
let gasAnswer: Uint8Array;
let shortAnswers: Generation[];
let committeeAnswer: Uint8Array;
try {
  speed = await measureSpeed(runtime);
  gasAnswer = toSize((await runtime.answer(toUtf8Bytes(PROMPTS[1]), GAS_ANSWER_BYTES)).output, GAS_ANSWER_BYTES);
  shortAnswers = [];
  for (const prompt of SHORT_PROMPTS) shortAnswers.push(await runtime.answer(toUtf8Bytes(prompt), SHORT_ANSWER_BYTES));
  committeeAnswer = (await runtime.answer(toUtf8Bytes(COMMITTEE_PROMPT), COMMITTEE_ANSWER_BYTES)).output;
} finally {
  await runtime.close();
}
const answerTokens = Math.round(median(shortAnswers.map((a) => a.tokens)));

// ------------------------------------------------------------------ 2. gas
const gas = await measureGas(gasAnswer, toSize(toUtf8Bytes(`Cheated: ${toUtf8String(gasAnswer)}`), GAS_ANSWER_BYTES));
const disputeGas = gas.commitChallenge + gas.challenge + gas.draw + gas.commits.reduce(sum) + gas.reveals.reduce(sum) + gas.resolve;

// ------------------------------------------------------------------ 3. request to posted answer
const latency = await measureLatency(shortAnswers.map((a) => a.output));

// ------------------------------------------------------------------ 4. the committee of relayer processes
const committee = await runCommittee(committeeAnswer);

const result = {
  model: spec.name,
  tokensPerSecond: speed.tokensPerSecond,
  aggregateTokensPerSecond: speed.aggregateTokensPerSecond,
  answerTokens,
  requestToPendingP50Ms: latency.p50Ms,
  deterministic: speed.deterministic && latency.sameAnswers,
  committeeResolved: committee.resolved,
  // The keys exactly: `challenge` is the reveal; the commitment and the draw are in the table above.
  gas: {
    requestInference: gas.requestInference,
    submitOptimistic: gas.submitOptimistic,
    finalize: gas.finalize,
    challenge: gas.challenge,
    commit: Math.max(...gas.commits),
    reveal: Math.max(...gas.reveals),
    resolve: gas.resolve,
  },
};

const goal = (limit: number, value: number, atLeast = false) => ({
  goal: `${atLeast ? ">=" : "<="} ${limit.toLocaleString("en-US")}`,
  met: (atLeast ? value >= limit : value <= limit) ? "yes" : "NO",
});
const gasRow = (measure: string, value: number, limit?: number) => ({
  measure,
  value: value.toLocaleString("en-US"),
  ...(limit ? goal(limit, value) : { goal: "", met: "" }),
});
console.log(
  `\n${parallel} contexts of ${backend.threads} threads, ${runs} runs; gas with a ${GAS_ANSWER_BYTES}-byte answer (dispute: median of ${DISPUTES}); ` +
    `${latencyRequests} sequential requests of ${answerTokens}-token answers (p50 of ${latency.samples.length})`,
);
printTable([
  { measure: "model load (ms)", value: round(loadMs), goal: "", met: "" },
  { measure: "one answer (tokens/s)", value: speed.tokensPerSecond, ...goal(GOALS.tokensPerSecond, speed.tokensPerSecond, true) },
  {
    measure: `${CONCURRENT} answers at once (tokens/s)`,
    value: speed.aggregateTokensPerSecond,
    ...goal(GOALS.aggregateTokensPerSecond, speed.aggregateTokensPerSecond, true),
  },
  { measure: "answers together = answers alone", value: String(speed.deterministic), goal: "", met: "" },
  { measure: "relayer process's answers = this process's", value: String(latency.sameAnswers), goal: "", met: "" },
  { measure: "request to posted answer, p50 (ms)", value: latency.p50Ms, ...goal(GOALS.requestToPendingP50Ms, latency.p50Ms) },
  { measure: "request to posted answer, max (ms)", value: Math.max(...latency.samples), goal: "", met: "" },
  { measure: "committee of relayer processes resolved", value: String(committee.resolved), goal: "", met: "" },
  { measure: "committee run (s)", value: round(committee.ms / 1000), goal: "", met: "" },
  gasRow("gas: requestInference (language)", gas.requestInference),
  gasRow("gas: claim", gas.claim),
  gasRow(`gas: submitOptimistic (${GAS_ANSWER_BYTES} B)`, gas.submitOptimistic, GOALS.submitOptimistic),
  gasRow(`gas: finalize (${GAS_ANSWER_BYTES} B)`, gas.finalize),
  gasRow("gas: commitChallenge", gas.commitChallenge),
  gasRow("gas: challenge (the reveal)", gas.challenge),
  gasRow(`gas: draw (3 seats of 5 servers; ${gas.drawRange.map((g) => g.toLocaleString("en-US")).join(" to ")})`, gas.draw),
  ...gas.commits.map((g, i) => gasRow(`gas: commit, seat ${i}`, g)),
  ...gas.reveals.map((g, i) => gasRow(`gas: reveal, seat ${i} (${GAS_ANSWER_BYTES} B)`, g)),
  gasRow(`gas: resolve (${GAS_ANSWER_BYTES} B, fraud proven)`, gas.resolve),
  gasRow("gas: whole dispute (both challenge txs, draw, 3 commits, 3 reveals, resolve)", disputeGas, GOALS.dispute),
  gasRow("gas: the same without commitChallenge and draw", disputeGas - gas.commitChallenge - gas.draw, GOALS.dispute),
]);
if (!committee.resolved) console.log(`committee run: ${committee.note}`);
if (json) console.log(JSON.stringify(result));

// ================================================================== the parts

async function measureSpeed(runtime: LanguageRuntime) {
  const maxBytes = spec.limits.outputBytes;
  const ask = (prompt: string) => runtime.answer(toUtf8Bytes(prompt), maxBytes);
  // A first answer warms the runtime up (page cache, thread pool); it is not counted.
  await ask(PROMPTS[0]);
  const single: number[] = [];
  let alone: Generation[] = [];
  for (let run = 0; run < runs; run++) {
    alone = [];
    for (const prompt of PROMPTS) {
      const started = performance.now();
      const answer = await ask(prompt);
      alone.push(answer);
      if (prompt === PROMPTS[0]) single.push((answer.tokens * 1000) / (performance.now() - started));
    }
  }
  const aggregate: number[] = [];
  let together: Generation[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    together = await Promise.all(PROMPTS.map(ask));
    const tokens = together.reduce((total, a) => total + a.tokens, 0);
    aggregate.push((tokens * 1000) / (performance.now() - started));
  }
  return {
    tokensPerSecond: round(median(single)),
    aggregateTokensPerSecond: round(median(aggregate)),
    deterministic: together.every((answer, i) => Buffer.from(answer.output).equals(Buffer.from(alone[i].output))),
  };
}

/** The gas of a language request's whole life, and of a dispute over its answer, on a Highway in this process. */
async function measureGas(right: Uint8Array, wrong: Uint8Array) {
  const { ethers, networkHelpers } = await network.create();
  const [, requester, relayer, challenger, ...others] = await ethers.getSigners();
  const highway = await deployHighway(ethers, { write: false, models: ["smollm2"] });
  const modelId = highway.deployment.models.smollm2.modelId;
  const { coordinator, committeeArbiter: arbiter, staking } = highway;
  const coordinatorAddress = await coordinator.getAddress();
  await fundRequester(highway, requester);
  // Five relayers serve the model: the answerer, the challenger (a watchtower) and three more the draw can seat.
  const servers = [relayer, challenger, ...others.slice(0, 3)];
  for (const server of servers) {
    await stakeRelayer(highway, server);
    await (await staking.connect(server).setServes(modelId, true)).wait();
  }
  await (await highway.token.connect(challenger).approve(coordinatorAddress, ethers.MaxUint256)).wait();
  const input = encodeText(PROMPTS[1]);

  async function request() {
    const params = {
      modelId,
      proofMode: 1,
      startComputeFee: UNIT,
      maxComputeFee: 2n * UNIT,
      maxModelFee: ANY_MODEL_FEE,
      jobBond: 0n,
      challengeWindow: 0,
      callbackGasLimit: 100_000,
      maxOutputBytes: GAS_ANSWER_BYTES,
      deadline: (await networkHelpers.time.latest()) + 86_400,
      consumer: ethers.ZeroAddress,
      referrer: ethers.ZeroAddress,
    };
    const { gas, logs } = await gasOf(coordinator.connect(requester).requestInference(params, input));
    const created = logs.map((log) => parse(coordinator, log)).find((event) => event?.name === "RequestCreated")!;
    return { gas, id: created.args.requestId as bigint, terms: termsFromEvent(created.args.terms) as PlainTerms };
  }

  async function lifecycle() {
    const r = await request();
    const claim = await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
    const submit = await gasOf(coordinator.connect(relayer).submitOptimistic(r.id, r.terms, right));
    await networkHelpers.time.increase(Number(r.terms.challengeWindow));
    const finalize = await gasOf(coordinator.connect(requester).finalize(r.id, r.terms, right));
    return { requestInference: r.gas, claim: claim.gas, submitOptimistic: submit.gas, finalize: finalize.gas };
  }

  async function dispute() {
    const r = await request();
    await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
    await gasOf(coordinator.connect(relayer).submitOptimistic(r.id, r.terms, wrong));
    const salt = ethers.id(`the challenge of ${r.id}`);
    const commitChallenge = await gasOf(
      arbiter.connect(challenger).commitChallenge(await arbiter.challengeCommitment(r.id, challenger.address, salt)),
    );
    const challenge = await gasOf(arbiter.connect(challenger).challenge(r.id, r.terms, salt));
    const draw = await gasOf(arbiter.connect(requester).draw(r.id, r.terms));
    const drawn = draw.logs.map((log) => parse(arbiter, log)).find((event) => event?.name === "CommitteeDrawn");
    if (!drawn) throw new Error("the arbiter drew no committee");
    const members = [...(drawn.args.members as string[])];
    const seats = members.map((member) => servers.find((s) => s.address === member)!);
    const commits: number[] = [];
    const reveals: number[] = [];
    for (const [seat, member] of seats.entries()) {
      const salted = ethers.id(`${member.address}'s vote on ${r.id}`);
      const commitment = await arbiter.voteCommitment(r.id, member.address, right, salted);
      commits.push((await gasOf(arbiter.connect(member).commit(r.id, members, seat, commitment))).gas);
    }
    for (const [seat, member] of seats.entries()) {
      const salted = ethers.id(`${member.address}'s vote on ${r.id}`);
      reveals.push((await gasOf(arbiter.connect(member).reveal(r.id, members, seat, right, salted))).gas);
    }
    const resolve = await gasOf(arbiter.connect(requester).resolve(r.id, r.terms, members, right));
    const [, state] = await coordinator.getRequest(r.id);
    if (Number(state.status) !== Status.Fulfilled) throw new Error(`the dispute over request ${r.id} did not end Fulfilled`);
    return { commitChallenge: commitChallenge.gas, challenge: challenge.gas, draw: draw.gas, commits, reveals, resolve: resolve.gas };
  }

  // Each once to warm up (first-ever balances and slots), then measured. The draw's gas depends on its seed (how many
  // picks land on the two excluded relayers or repeat a member): every dispute figure is the median of DISPUTES.
  await lifecycle();
  await dispute();
  const measured = await lifecycle();
  const disputes: Awaited<ReturnType<typeof dispute>>[] = [];
  for (let i = 0; i < DISPUTES; i++) disputes.push(await dispute());
  const mid = (pick: (d: Awaited<ReturnType<typeof dispute>>) => number) => median(disputes.map(pick));
  return {
    ...measured,
    commitChallenge: mid((d) => d.commitChallenge),
    challenge: mid((d) => d.challenge),
    draw: mid((d) => d.draw),
    drawRange: [Math.min(...disputes.map((d) => d.draw)), Math.max(...disputes.map((d) => d.draw))],
    commits: disputes[0].commits.map((_, seat) => mid((d) => d.commits[seat])),
    reveals: disputes[0].reveals.map((_, seat) => mid((d) => d.reveals[seat])),
    resolve: mid((d) => d.resolve),
  };
}

/** Sequential requests to one relayer process: each one's time from the request transaction sent to its answer posted. */
async function measureLatency(expected: Uint8Array[]) {
  const highway = await startHighway({ models: ["smollm2"] });
  const relayers: RelayerProcess[] = [];
  try {
    const modelId = highway.deployment.models.smollm2.modelId;
    const [requester] = await highway.ethers.getSigners();
    await fundRequester(highway, requester);
    const account = 1;
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(account).address));
    relayers.push(languageRelayer(highway, modelId, account));
    await waitFor("the relayer started", () => started(relayers[0]), 180_000);
    // The request is signed from Hardhat account 0 through the node (unlocked): its sending is one RPC call.
    const coordinator = highway.coordinator.connect(requester);
    const samples: number[] = [];
    let sameAnswers = true;
    for (const [i, prompt] of SHORT_PROMPTS.entries()) {
      const params = {
        modelId,
        proofMode: 1,
        // The full fee from the start: a requester in a hurry (the auction does not hold the relayer back).
        startComputeFee: UNIT,
        maxComputeFee: UNIT,
        maxModelFee: ANY_MODEL_FEE,
        jobBond: 0n,
        challengeWindow: 0,
        callbackGasLimit: 100_000,
        maxOutputBytes: SHORT_ANSWER_BYTES,
        deadline: Math.floor(Date.now() / 1000) + 3_600,
        consumer: highway.ethers.ZeroAddress,
        referrer: highway.ethers.ZeroAddress,
      };
      const sent = performance.now();
      const tx = await coordinator.requestInference(params, encodeText(prompt));
      const receipt = (await tx.wait())!;
      const id = receipt.logs.map((log) => parse(highway.coordinator, log)).find((e) => e?.name === "RequestCreated")!.args
        .requestId as bigint;
      let pendingAt = 0;
      await waitFor(
        `request ${id} answered`,
        async () => {
          const [, state] = await highway.coordinator.getRequest(id);
          if (Number(state.status) < Status.Pending) return false;
          pendingAt = performance.now();
          return true;
        },
        60_000,
        20,
      );
      samples.push(Math.round(pendingAt - sent));
      const [posted] = await highway.coordinator.queryFilter(highway.coordinator.filters.OptimisticSubmitted(id), receipt.blockNumber);
      if (!posted || hexlify(posted.args.output) !== hexlify(expected[i])) sameAnswers = false;
    }
    return { p50Ms: Math.round(median(samples)), samples, sameAnswers };
  } finally {
    for (const relayer of relayers) await relayer.kill("SIGKILL");
    await highway.stop();
  }
}

/** The relayer tests' committee case, with relayer processes: true when the cheater is voted down and slashed. */
async function runCommittee(expected: Uint8Array): Promise<{ resolved: boolean; ms: number; note: string }> {
  const CHEATER = 2;
  const WATCHTOWER = 6;
  const COMMITTEE = [3, 4, 5];
  const started_ = performance.now();
  // A challenge window long enough for the honest relayers to start while the wrong answer is pending.
  const highway = await startHighway({
    models: ["smollm2"],
    params: { auctionDuration: 4, deliveryWindow: 60, challengeWindow: 300, defenceWindow: 60 },
  });
  const relayers: RelayerProcess[] = [];
  try {
    const modelId = highway.deployment.models.smollm2.modelId;
    const [requester] = await highway.ethers.getSigners();
    await fundRequester(highway, requester);
    for (const account of [CHEATER, WATCHTOWER, ...COMMITTEE])
      await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(account).address));
    const cheater = languageRelayer(highway, modelId, CHEATER, { cheat: true, watchtower: false });
    relayers.push(cheater);
    await waitFor("the cheater started", () => started(cheater), 180_000);
    const sdk = await HighwaySdk.connect({ runner: requester, deployment: highway.deployment });
    const { requestId: id } = await sdk.requestInference({
      model: modelId,
      input: COMMITTEE_PROMPT,
      maxOutputBytes: COMMITTEE_ANSWER_BYTES,
    });
    const statusOf = async () => Number((await highway.coordinator.getRequest(id))[1].status);
    await waitFor("the cheater's answer posted", async () => (await statusOf()) === Status.Pending, 60_000);
    const stakeBefore = (await highway.staking.relayerOf(hardhatAccount(CHEATER).address)).stake;
    relayers.push(languageRelayer(highway, modelId, WATCHTOWER));
    for (const account of COMMITTEE) relayers.push(languageRelayer(highway, modelId, account, { watchtower: false }));
    try {
      await waitFor("the dispute resolved", async () => (await statusOf()) === Status.Fulfilled, 300_000, 500);
    } catch (error) {
      return { resolved: false, ms: performance.now() - started_, note: (error as Error).message };
    }
    const result = await sdk.result(id);
    const terms = await sdk.terms(id);
    const slashed = stakeBefore - (await highway.staking.relayerOf(hardhatAccount(CHEATER).address)).stake;
    const committeeAnswered = result?.status === "disputed" && result.outputBytes === hexlify(expected);
    const resolved = committeeAnswered && slashed === BigInt(terms.jobBond);
    return {
      resolved,
      ms: performance.now() - started_,
      note: resolved ? "" : `status ${result?.status}, answer ${JSON.stringify(result?.text)}, cheater slashed ${slashed}`,
    };
  } finally {
    for (const relayer of relayers) await relayer.kill("SIGKILL");
    await highway.stop();
  }
}

// ================================================================== helpers

/** A relayer process of smollm2 only (no circuit), one llama.cpp context. */
function languageRelayer(
  highway: LocalHighway,
  modelId: string,
  account: number,
  extra: { cheat?: boolean; watchtower?: boolean } = {},
): RelayerProcess {
  return startRelayerProcess(highway, {
    account,
    cheat: extra.cheat,
    config: {
      models: [],
      languageModels: [{ language: "smollm2", modelId, backend: { kind: "llama.cpp", parallel: 1 } }],
      watchtower: { enabled: extra.watchtower ?? true },
    },
  });
}

function started(relayer: RelayerProcess): boolean {
  if (relayer.process.exitCode !== null) throw new Error(`a relayer exited:\n${relayer.output().split("\n").slice(-20).join("\n")}`);
  return relayer.output().includes("relayer started");
}

/** `bytes` (UTF-8) cut at a character boundary to at most `size` bytes, then padded with spaces to exactly `size`. */
function toSize(bytes: Uint8Array, size: number): Uint8Array {
  const cut = answerBytes({ ...spec, stop: [] }, toUtf8String(bytes), size);
  const padded = new Uint8Array(size).fill(0x20);
  padded.set(cut);
  return padded;
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<{ gas: number; logs: readonly Log[] }> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
  return { gas: Number(receipt.gasUsed), logs: receipt.logs };
}

function parse(contract: { interface: Contract["interface"] }, log: Log) {
  try {
    return contract.interface.parseLog(log);
  } catch {
    return null; // another contract's log
  }
}

function sum(a: number, b: number): number {
  return a + b;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
