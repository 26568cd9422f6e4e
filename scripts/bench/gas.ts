/**
 * bench-gas: whole-transaction gas (receipt gasUsed: 21,000 intrinsic + calldata +
 * execution) of each protocol operation, with the REAL price-signal verifier and its
 * REAL sample proofs, on the embedded Hardhat network.
 *
 *   tsx scripts/bench/gas.ts [--json]
 *
 * Every operation is measured in steady state: the same operation has run once before,
 * so balances that a first-ever credit would create (20,000 gas each) already exist.
 * The requester approved the coordinator once for an unlimited amount (the usual bot
 * set-up); `requestInferenceWithPermit` uses an exact per-request permit instead.
 * `fulfillZk` delivers to a minimal callback (contracts/examples/EchoConsumer.sol).
 * The dispute game's operations (challenge, defend, proveFraud, resolveDisputeTimeout) go
 * to the DisputeGame, which calls the coordinator's dispute hooks; defences and fraud proofs
 * use real proofs of inputs no proof covered yet (the first proof of a pair writes the cache,
 * as in fulfillZk), on a second registration of the same circuit where the samples run out.
 * Batches: 8 requests claimed with one `claimBatch` and answered with one `fulfillZkBatch` (a REAL batch
 * proof through price-signal's REAL batched verifier, circuits/price-signal/batch-8/), on a registration
 * of their own (a cache of their own), after a warm-up batch: `batch8PerRequest` is the relayer's gas per
 * request (claim and answer, divided by 8), `batch8LifecyclePerRequest` the same plus `requestInference`.
 * Optimistic answers too: 8 claimed with one `claimBatch` and posted with one `submitOptimisticBatch`
 * (`optimisticBatch8PerRequest`: both divided by 8, against `claim` + `submitOptimistic` alone), and made
 * final with one `finalizeBatch` (`finalizeBatch8PerRequest`, against `finalize`).
 * It also reports the runtime size of every deployed contract and its headroom under
 * EIP-170's 24,576 bytes (the protocol keeps at least 4,096: test/contracts/deploy.test.ts).
 * With --json, the last line is one JSON object: {"ops":{...},"goals":{...},"sizes":{...}}.
 */
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ContractTransactionReceipt, ContractTransactionResponse, Log } from "ethers";
import { termsFromEvent, type PlainTerms } from "../../sdk/terms.js";
import { CIRCUITS_DIR } from "../../sdk/circuits.js";
import { buildInstances, decodeTensor, encodeTensor, toField } from "../../sdk/encoding.js";
import { signPermit } from "../../sdk/permit.js";
import { deployHighway } from "../deploy.js";
import { flag, printTable } from "../lib/report.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";

const MODEL = "price-signal";
const UNIT = 10n ** 18n;
const json = flag("--json");

interface Sample {
  input: bigint[];
  /** The canonical output tensor the proof proves. */
  output: string;
  proof: string;
}

function sample(index: number): Sample {
  const raw = JSON.parse(readFileSync(join(CIRCUITS_DIR, MODEL, "samples", `sample-${index}.json`), "utf8"));
  return { input: raw.input.map(BigInt), output: encodeTensor(raw.output.map(BigInt)), proof: raw.proof };
}

const { ethers, networkHelpers } = await network.create();
const [admin, requester, relayer, challenger, permitter] = await ethers.getSigners();
const highway = await deployHighway(ethers, {
  write: false,
  models: [MODEL],
  mint: [requester, relayer, challenger, permitter].map((s) => ({ to: s.address, amount: 1_000_000n * UNIT })),
});
const { token, staking, coordinator, disputeGame, batchFulfiller } = highway;
const verifier = highway.verifiers[MODEL];
const modelId = highway.deployment.models[MODEL].modelId;
const params = highway.deployment.params;
const consumer = await ethers.deployContract("EchoConsumer", [await coordinator.getAddress()]);
await consumer.waitForDeployment();

const coordinatorAddress = await coordinator.getAddress();
await (await token.connect(requester).approve(coordinatorAddress, ethers.MaxUint256)).wait();
await (await token.connect(challenger).approve(coordinatorAddress, ethers.MaxUint256)).wait();
await (await token.connect(relayer).approve(await staking.getAddress(), ethers.MaxUint256)).wait();
await (await staking.connect(relayer).stake(10_000n * UNIT)).wait();

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<{ gas: number; receipt: ContractTransactionReceipt }> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
  return { gas: Number(receipt.gasUsed), receipt };
}

function termsOf(receipt: ContractTransactionReceipt): PlainTerms {
  for (const log of receipt.logs) {
    try {
      const parsed = coordinator.interface.parseLog(log);
      if (parsed?.name === "RequestCreated") return termsFromEvent(parsed.args.terms);
    } catch {
      // another contract's log
    }
  }
  throw new Error("no RequestCreated event");
}

async function latestTime(): Promise<number> {
  return networkHelpers.time.latest();
}

async function requestParams(mode: number) {
  return {
    modelId,
    proofMode: mode,
    startComputeFee: 1n * UNIT,
    maxComputeFee: 5n * UNIT,
    maxModelFee: ANY_MODEL_FEE,
    jobBond: 0n,
    challengeWindow: 0,
    callbackGasLimit: 100_000,
    maxOutputBytes: 0,
    deadline: (await latestTime()) + 86_400,
    consumer: await consumer.getAddress(),
    referrer: ethers.ZeroAddress,
  };
}

async function request(s: Sample, mode = 0) {
  const { gas, receipt } = await gasOf(coordinator.connect(requester).requestInference(await requestParams(mode), encodeTensor(s.input)));
  const id = BigInt(receipt.logs.find((l: Log) => l.address === coordinatorAddress)!.topics[1]);
  return { gas, id, receipt };
}

/** A request that a relayer will serve: its id and the terms its RequestCreated carries. */
async function openRequest(s: Sample, mode = 0) {
  const r = await request(s, mode);
  return { ...r, terms: termsOf(r.receipt) };
}

async function zkRound(s: Sample) {
  const r = await openRequest(s);
  const claim = await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
  const fulfil = await gasOf(coordinator.connect(relayer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof));
  return { request: r.gas, claim: claim.gas, fulfillZk: fulfil.gas };
}

async function optimisticRound(s: Sample) {
  const r = await openRequest(s, 1);
  await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
  const submit = await gasOf(coordinator.connect(relayer).submitOptimistic(r.id, r.terms, s.output));
  await networkHelpers.time.increase(Number(params.challengeWindow));
  const finalize = await gasOf(coordinator.connect(challenger).finalize(r.id, r.terms, s.output));
  return { submitOptimistic: submit.gas, finalize: finalize.gas };
}

async function challengeRound(s: Sample) {
  const r = await openRequest(s, 1);
  await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
  await gasOf(coordinator.connect(relayer).submitOptimistic(r.id, r.terms, s.output));
  const { commit, reveal } = await challengeOf(r);
  await networkHelpers.time.increase(Number(params.defenceWindow) + 1);
  const timeout = await gasOf(disputeGame.connect(challenger).resolveDisputeTimeout(r.id, r.terms));
  return { commitChallenge: commit, challenge: reveal, resolveDisputeTimeout: timeout.gas };
}

/** The challenger's two steps: the commitment, then its reveal in the next block. */
async function challengeOf(r: { id: bigint; terms: Parameters<typeof disputeGame.challenge>[1] }) {
  const salt = ethers.id(`challenge of ${r.id}`);
  const commitment = await disputeGame.challengeCommitment(r.id, challenger.address, salt);
  const commit = await gasOf(disputeGame.connect(challenger).commitChallenge(commitment));
  const reveal = await gasOf(disputeGame.connect(challenger).challenge(r.id, r.terms, salt));
  return { commit: commit.gas, reveal: reveal.gas };
}

/** A challenged optimistic answer of `s`'s input to `model`, right (then defended) or wrong (then proven wrong). */
async function disputeRound(s: Sample, model: string, right: boolean) {
  const p = { ...(await requestParams(1)), modelId: model };
  const { receipt } = await gasOf(coordinator.connect(requester).requestInference(p, encodeTensor(s.input)));
  const r = { id: BigInt(receipt.logs.find((l: Log) => l.address === coordinatorAddress)!.topics[1]), terms: termsOf(receipt) };
  await gasOf(coordinator.connect(relayer).claim(r.id, r.terms));
  await gasOf(
    coordinator
      .connect(relayer)
      .submitOptimistic(r.id, r.terms, right ? s.output : encodeTensor(decodeTensor(s.output).map((v) => v + 1n))),
  );
  await challengeOf(r);
  const input = encodeTensor(s.input);
  const tx = right
    ? disputeGame.connect(relayer).defend(r.id, r.terms, input, s.output, s.proof)
    : disputeGame.connect(challenger).proveFraud(r.id, r.terms, input, s.output, s.proof);
  return (await gasOf(tx)).gas;
}

async function permitRequest(s: Sample) {
  const p = await requestParams(0);
  const value: bigint = await coordinator.quoteEscrow(modelId, p.maxComputeFee);
  const deadline = (await latestTime()) + 3_600;
  const sig = await signPermit(permitter, token, coordinatorAddress, value, BigInt(deadline));
  const { gas } = await gasOf(
    coordinator.connect(permitter).requestInferenceWithPermit(p, encodeTensor(s.input), value, deadline, sig.v, sig.r, sig.s),
  );
  return gas;
}

interface BatchSample {
  inputs: bigint[][];
  /** Every row's output instances (padding rows too). */
  outputInstances: bigint[];
  proof: string;
}

function batchSample(index: number): BatchSample {
  const raw = JSON.parse(readFileSync(join(CIRCUITS_DIR, MODEL, "batch-8", "samples", `sample-${index}.json`), "utf8"));
  const instances: bigint[] = raw.instances.map(BigInt);
  return {
    inputs: raw.requests.map((r: { input: string[] }) => r.input.map(BigInt)),
    outputInstances: instances.slice(instances.length - 8),
    proof: raw.proof,
  };
}

/** One batch: a request per input of `b` (to `batchModel`), one claimBatch, one fulfillZkBatch. */
async function batchRound(b: BatchSample, batchModel: string) {
  const requests = [];
  for (const input of b.inputs) {
    const p = { ...(await requestParams(0)), modelId: batchModel };
    const { gas, receipt } = await gasOf(coordinator.connect(requester).requestInference(p, encodeTensor(input)));
    requests.push({ gas, id: BigInt(receipt.logs.find((l: Log) => l.address === coordinatorAddress)!.topics[1]), terms: termsOf(receipt) });
  }
  const ids = requests.map((r) => r.id);
  const terms = requests.map((r) => r.terms);
  const claim = await gasOf(batchFulfiller.connect(relayer).claimBatch(ids, terms));
  const fulfil = await gasOf(
    batchFulfiller.connect(relayer).fulfillZkBatch(
      batchModel,
      ids,
      terms,
      b.inputs.map((input) => encodeTensor(input)),
      b.outputInstances,
      b.proof,
    ),
  );
  return { request: requests.reduce((sum, r) => sum + r.gas, 0), claimBatch: claim.gas, fulfillZkBatch: fulfil.gas, count: ids.length };
}

/** `count` optimistic requests of fresh inputs, one claimBatch, one submitOptimisticBatch, one finalizeBatch. */
async function optimisticBatchRound(count: number) {
  const requests = [];
  for (let i = 0; i < count; i++) requests.push(await openRequest(freshInput(), 1));
  const ids = requests.map((r) => r.id);
  const terms = requests.map((r) => r.terms);
  const claim = await gasOf(batchFulfiller.connect(relayer).claimBatch(ids, terms));
  const outputs = requests.map(() => encodeTensor([12345n]));
  const submit = await gasOf(batchFulfiller.connect(relayer).submitOptimisticBatch(ids, terms, outputs));
  await networkHelpers.time.increase(Number(params.challengeWindow));
  const finalize = await gasOf(batchFulfiller.connect(challenger).finalizeBatch(ids, terms, outputs));
  return { claimBatch: claim.gas, submitOptimisticBatch: submit.gas, finalizeBatch: finalize.gas, count };
}

const samples = [0, 1, 2].map(sample);
// The same circuit registered again: a cache of its own, so the samples can be proven once more.
const twinSalt = ethers.id(`${MODEL}-twin`);
const registered = await highway.registry.getModel(modelId);
const m = registered.terms;
const twin = {
  kind: m.kind,
  fee: m.fee,
  verifier: await verifier.getAddress(),
  runtimeSpecHash: ethers.ZeroHash,
  proofModes: m.proofModes,
  inputLength: m.inputLength,
  outputLength: m.outputLength,
  inputScale: registered.inputScale,
  outputScale: registered.outputScale,
  inputBound: m.inputBound,
  parentModelId: ethers.ZeroHash,
  parentShareBps: 0,
  referralShareBps: m.referralShareBps,
  artifactURI: "",
  artifactHash: ethers.ZeroHash,
};
await (await highway.registry.registerModel(twinSalt, twin)).wait();
const twinModelId = await highway.registry.modelIdOf(admin.address, twinSalt);
/** An input no proof covers yet, answered optimistically. */
let nonce = 0n;
function freshInput(): Sample {
  nonce += 1n;
  return {
    input: Array.from({ length: 8 }, (_, i) => ((nonce * 37n + BigInt(i) * 11n) % 2048n) - 1024n),
    output: encodeTensor([12345n]),
    proof: "0x",
  };
}
// The same circuit registered a third time, with its batched verifier: batches get a cache of their own.
const batchSalt = ethers.id(`${MODEL}-batch`);
await (await highway.registry.registerModel(batchSalt, twin)).wait();
const batchModelId = await highway.registry.modelIdOf(admin.address, batchSalt);
const batchVerifier = highway.batchVerifiers[MODEL];
await (await highway.registry.registerBatchVerifier(batchModelId, await batchVerifier.getAddress(), 8, ethers.ZeroHash)).wait();
await networkHelpers.time.increase(1); // the batched verifier answers requests made after it was registered
// Warm-up: first-ever credits, first request of each kind.
await zkRound(samples[0]);
await optimisticRound(freshInput());
await challengeRound(freshInput());
await permitRequest(samples[1]);

await batchRound(batchSample(1), batchModelId); // warm-up: four requests
const batch = await batchRound(batchSample(0), batchModelId); // a full batch of 8
const batchSamples0 = batchSample(0);
const batchVerifyOnly = await gasOf(
  batchVerifier.verifyProof(batchSamples0.proof, [...batchSamples0.inputs.flat().map((v) => toField(v)), ...batchSamples0.outputInstances]),
);
await optimisticBatchRound(2); // warm-up
const optimisticBatch = await optimisticBatchRound(8);
const zk = await zkRound(samples[1]);
const optimistic = await optimisticRound(freshInput());
const challenge = await challengeRound(freshInput());
const permit = await permitRequest(samples[2]);
const cached = await request(samples[0]); // sample 0 was proven in the warm-up: answered at once
const verifyOnly = await gasOf(verifier.verifyProof(samples[1].proof, buildInstances(samples[1].input, decodeTensor(samples[1].output))));
// Disputes after everything above, so they change none of its steady state; each after a warm-up of its kind.
await disputeRound(samples[0], twinModelId, true);
const defend = await disputeRound(samples[1], twinModelId, true);
await disputeRound(samples[2], twinModelId, false);
const proveFraud = await disputeRound(samples[2], modelId, false); // sample 2 was only requested (permit) above

const ops = {
  requestInference: zk.request,
  requestInferenceWithPermit: permit,
  claim: zk.claim,
  fulfillZk: zk.fulfillZk,
  verifyProofOnly: verifyOnly.gas,
  submitOptimistic: optimistic.submitOptimistic,
  finalize: optimistic.finalize,
  commitChallenge: challenge.commitChallenge,
  challenge: challenge.challenge,
  defend,
  proveFraud,
  resolveDisputeTimeout: challenge.resolveDisputeTimeout,
  cachedRequest: cached.gas,
  claimBatch8: batch.claimBatch,
  fulfillZkBatch8: batch.fulfillZkBatch,
  batch8VerifyProofOnly: batchVerifyOnly.gas,
  batch8PerRequest: Math.round((batch.claimBatch + batch.fulfillZkBatch) / batch.count),
  batch8LifecyclePerRequest: Math.round((batch.request + batch.claimBatch + batch.fulfillZkBatch) / batch.count),
  submitOptimisticBatch8: optimisticBatch.submitOptimisticBatch,
  optimisticBatch8PerRequest: Math.round((optimisticBatch.claimBatch + optimisticBatch.submitOptimisticBatch) / optimisticBatch.count),
  finalizeBatch8: optimisticBatch.finalizeBatch,
  finalizeBatch8PerRequest: Math.round(optimisticBatch.finalizeBatch / optimisticBatch.count),
};
const goals: Record<string, { limit: number; met: boolean }> = {
  requestInference: { limit: 100_000, met: ops.requestInference <= 100_000 },
  claim: { limit: 55_000, met: ops.claim <= 55_000 },
  fulfillZk: { limit: ops.verifyProofOnly + 70_000, met: ops.fulfillZk <= ops.verifyProofOnly + 70_000 },
  submitOptimistic: { limit: 60_000, met: ops.submitOptimistic <= 60_000 },
  finalize: { limit: 60_000, met: ops.finalize <= 60_000 },
  cachedRequest: { limit: 80_000, met: ops.cachedRequest <= 80_000 },
  batch8PerRequest: { limit: 100_000, met: ops.batch8PerRequest <= 100_000 },
  batch8LifecyclePerRequest: { limit: 200_000, met: ops.batch8LifecyclePerRequest <= 200_000 },
};

console.log(`Highway gas per operation (receipt gasUsed), real ${MODEL} verifier, steady state\n`);
printTable(
  Object.entries(ops).map(([op, gas]) => ({
    operation: op,
    gas: gas.toLocaleString("en-US"),
    goal: goals[op] ? `<= ${goals[op].limit.toLocaleString("en-US")}` : "",
    met: goals[op] ? (goals[op].met ? "yes" : "NO") : "",
  })),
);
console.log(`\nfulfillZk - verifyProofOnly = ${(ops.fulfillZk - ops.verifyProofOnly).toLocaleString("en-US")}`);

const EIP170_LIMIT = 24_576;
const deployed: Record<string, string> = {
  InferenceCoordinator: coordinatorAddress,
  DisputeGame: await disputeGame.getAddress(),
  BatchFulfiller: await batchFulfiller.getAddress(),
  CoordinatorAdmin: await coordinator.coordinatorAdmin(),
  ModelRegistry: await highway.registry.getAddress(),
  RelayerStaking: await staking.getAddress(),
  HighwayToken: await token.getAddress(),
  [`${MODEL} verifier`]: await verifier.getAddress(),
  [`${MODEL} batch-8 verifier`]: await batchVerifier.getAddress(),
};
const sizes: Record<string, number> = {};
for (const [name, address] of Object.entries(deployed)) sizes[name] = ethers.getBytes(await ethers.provider.getCode(address)).length;
console.log(`\nRuntime bytes of each deployed contract (EIP-170 limit ${EIP170_LIMIT.toLocaleString("en-US")})\n`);
printTable(
  Object.entries(sizes).map(([contract, bytes]) => ({
    contract,
    bytes: bytes.toLocaleString("en-US"),
    headroom: (EIP170_LIMIT - bytes).toLocaleString("en-US"),
  })),
);
if (json) console.log(JSON.stringify({ ops, goals, sizes }));
