/**
 * Relayer processes serving the reference language model (smollm2 through llama.cpp) on a local Highway:
 * a request answered and finalized; a cheating relayer's wrong text answer caught by an honest watchtower,
 * voted down by a committee of three relayer processes, the cheater slashed and the committee paid; a right
 * answer challenged and upheld, the challenger losing its bond; and a relayer whose runtime spec is not the
 * registered one neither serving nor declaring it.
 */
import { expect } from "chai";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Contract } from "ethers";
import { hexlify, toUtf8Bytes, toUtf8String } from "ethers";
import { advanceTime, stakeRelayer, waitFor, type LocalHighway } from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { quoteEscrow } from "../../sdk/fees.js";
import { Highway } from "../../sdk/highway.js";
import { LANGUAGE_MODELS_DIR, loadRuntimeSpec } from "../../sdk/language-models.js";
import { runtimeSpecHash } from "../../sdk/runtime-spec.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime } from "../../relayer/llm/runtime.js";
import { healthOf, relayerTestbed, Status, statuses, storedJob } from "../relayer/helpers.js";

const ANSWERER = 1;
const CHEATER = 2;
const COMMITTEE = [3, 4, 5];
const WATCHTOWER = 6;
const CHALLENGER = 7;
const PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
const MAX_ANSWER = 64;

describe("relayers serving a language model", function () {
  this.timeout(600_000);
  const { startHighway, start, requester, signer } = relayerTestbed(60);
  const spec = loadRuntimeSpec("smollm2");
  let expected: Uint8Array;
  let highway: LocalHighway;
  let modelId: string;

  before(async () => {
    // The answer every honest relayer must post, generated here in the test's own process.
    const runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 1 }));
    try {
      expected = (await runtime.answer(toUtf8Bytes(PROMPT), MAX_ANSWER)).output;
    } finally {
      await runtime.close();
    }
  });

  beforeEach(async () => {
    // A challenge window long enough for relayer processes to start while an answer is pending.
    highway = await startHighway({
      models: ["smollm2"],
      params: { auctionDuration: 4, deliveryWindow: 60, challengeWindow: 300, defenceWindow: 60 },
    });
    modelId = highway.deployment.models.smollm2.modelId;
  });

  /** A relayer of smollm2 only (no circuit), one llama.cpp context. */
  function languageRelayer(account: number, extra: { cheat?: boolean; watchtower?: boolean; language?: string } = {}) {
    return start({
      account,
      cheat: extra.cheat,
      config: {
        models: [],
        languageModels: [{ language: extra.language ?? "smollm2", backend: { kind: "llama.cpp", parallel: 1 } }],
        watchtower: { enabled: extra.watchtower ?? true },
      },
    });
  }

  async function request(): Promise<bigint> {
    const sdk = await Highway.connect({ runner: await requester(), deployment: highway.deployment });
    const handle = await sdk.requestInference({ model: modelId, input: PROMPT, maxOutputBytes: MAX_ANSWER });
    return handle.requestId;
  }

  const statusOf = async (id: bigint) => (await statuses(highway, [id]))[0];
  const started = (relayer: { output(): string }) => relayer.output().includes("relayer started");

  it("answers a language-model request with the model's own text and finalizes it after the challenge window", async () => {
    await stakeRelayer(highway, await signer(ANSWERER));
    const relayer = languageRelayer(ANSWERER);
    await waitFor("the relayer started", () => started(relayer), 120_000);
    expect(await highway.staking.serves(modelId, hardhatAccount(ANSWERER).address)).to.equal(true);

    const id = await request();
    await waitFor("the answer posted", async () => (await statusOf(id)) === Status.Pending, 60_000);
    const sdk = await Highway.connect({ runner: highway.ethers.provider, deployment: highway.deployment });
    await advanceTime(highway, 301);
    await waitFor("the answer finalized", async () => (await statusOf(id)) === Status.Fulfilled, 60_000);
    const result = await sdk.result(id);
    expect(result?.text).to.equal(toUtf8String(expected));
    expect(result?.relayer).to.equal(hardhatAccount(ANSWERER).address);
    // The relayer records its finalize once it has the receipt, which may come after the test sees the request Fulfilled.
    await waitFor("the relayer's job done", () => storedJob(relayer, id)?.state === "done", 10_000);
  });

  it("catches a wrong text answer: a watchtower challenges, a committee of three relayer processes outvotes it, the cheater is slashed and the committee paid", async () => {
    for (const account of [CHEATER, WATCHTOWER, ...COMMITTEE]) await stakeRelayer(highway, await signer(account));
    const cheater = languageRelayer(CHEATER, { cheat: true, watchtower: false });
    await waitFor("the cheater started", () => started(cheater), 120_000);
    const id = await request();
    await waitFor("the cheater's answer posted", async () => (await statusOf(id)) === Status.Pending, 60_000);

    const coordinator = highway.coordinator;
    const members = COMMITTEE.map((account) => hardhatAccount(account).address);
    const creditsBefore = await Promise.all(members.map((member) => coordinator.balanceOf(member)));
    const cheaterStake = (await highway.staking.relayerOf(hardhatAccount(CHEATER).address)).stake;
    // The honest relayers start now, with the wrong answer already pending: one watches, three sit on the committee.
    languageRelayer(WATCHTOWER);
    for (const account of COMMITTEE) languageRelayer(account, { watchtower: false });
    await waitFor("the dispute resolved", async () => (await statusOf(id)) === Status.Fulfilled, 300_000);

    const sdk = await Highway.connect({ runner: highway.ethers.provider, deployment: highway.deployment });
    const result = await sdk.result(id);
    expect(result?.status).to.equal("disputed");
    expect(result?.text).to.equal(toUtf8String(expected)); // the committee's answer, not the cheater's
    const terms = await sdk.terms(id);
    expect((await highway.staking.relayerOf(hardhatAccount(CHEATER).address)).stake).to.equal(cheaterStake - BigInt(terms.jobBond));
    for (const [i, member] of members.entries())
      expect(await coordinator.balanceOf(member), `committee member ${i} paid`).to.be.greaterThan(creditsBefore[i]);
  });

  it("upholds a right text answer: a challenger loses its bond to the relayer once the committee votes", async () => {
    for (const account of [ANSWERER, ...COMMITTEE]) await stakeRelayer(highway, await signer(account));
    const answerer = languageRelayer(ANSWERER);
    await waitFor("the relayer started", () => started(answerer), 120_000);
    const id = await request();
    await waitFor("the answer posted", async () => (await statusOf(id)) === Status.Pending, 60_000);
    // The committee must be serving before the challenge: the draw comes in the next block, from the relayers serving then.
    const committee = COMMITTEE.map((account) => languageRelayer(account, { watchtower: false }));
    await waitFor("the committee started", () => committee.every(started), 120_000);

    const challenger = await signer(CHALLENGER);
    const sdk = await Highway.connect({ runner: challenger, deployment: highway.deployment });
    const terms = await sdk.terms(id);
    await (await highway.token.mint(challenger.address, BigInt(terms.challengeBond))).wait();
    await (
      await (highway.token.connect(challenger) as unknown as Contract).approve(
        await highway.coordinator.getAddress(),
        BigInt(terms.challengeBond),
      )
    ).wait();
    const arbiter = (await highway.ethers.getContractAt("CommitteeArbiter", highway.deployment.committeeArbiter!)).connect(challenger);
    const salt = hexlify(toUtf8Bytes("a griefer's salt, 32 bytes long!"));
    await (await arbiter.commitChallenge(await arbiter.challengeCommitment(id, challenger.address, salt))).wait();
    await (await arbiter.challenge(id, terms, salt)).wait();
    const tokensBefore = await highway.token.balanceOf(challenger.address);
    const relayerCredit = await highway.coordinator.balanceOf(hardhatAccount(ANSWERER).address);

    await waitFor("the dispute resolved", async () => (await statusOf(id)) === Status.Fulfilled, 300_000);
    const result = await sdk.result(id);
    expect(result?.text).to.equal(toUtf8String(expected));
    expect(result?.relayer).to.equal(hardhatAccount(ANSWERER).address);
    expect(await highway.coordinator.balanceOf(challenger.address)).to.equal(0n); // nothing back
    expect(await highway.token.balanceOf(challenger.address)).to.equal(tokensBefore);
    const bondWon = BigInt(terms.challengeBond) - (BigInt(terms.challengeBond) * BigInt(terms.disputeProtocolShareBps)) / 10_000n;
    expect((await highway.coordinator.balanceOf(hardhatAccount(ANSWERER).address)) - relayerCredit).to.be.at.least(bondWon);
  });

  it("penalises committee members that never vote, and without a majority refunds the request and slashes nobody", async () => {
    for (const account of [CHEATER, WATCHTOWER, ...COMMITTEE]) await stakeRelayer(highway, await signer(account));
    const cheater = languageRelayer(CHEATER, { cheat: true, watchtower: false });
    await waitFor("the cheater started", () => started(cheater), 120_000);
    const id = await request();
    await waitFor("the cheater's answer posted", async () => (await statusOf(id)) === Status.Pending, 60_000);
    // Three relayers declare they serve the model; two of them then go offline for good, still declared.
    const committee = COMMITTEE.map((account) => languageRelayer(account, { watchtower: false }));
    await waitFor("the committee started", () => committee.every(started), 120_000);
    for (const offline of committee.slice(1)) await offline.kill("SIGKILL");
    const [live, ...gone] = COMMITTEE.map((account) => hardhatAccount(account).address);
    const staked = async (address: string) => (await highway.staking.relayerOf(address)).stake;
    const goneStakes = await Promise.all(gone.map(staked));
    const cheaterStake = await staked(hardhatAccount(CHEATER).address);
    const requesterTokens = await highway.coordinator.balanceOf((await requester()).address);

    languageRelayer(WATCHTOWER);
    const arbiter = await highway.ethers.getContractAt("CommitteeArbiter", highway.deployment.committeeArbiter!);
    const seen = async (filter: Parameters<typeof arbiter.queryFilter>[0]) => (await arbiter.queryFilter(filter)).length > 0;
    await waitFor("the live member's commitment", async () => seen(arbiter.filters.VoteCommitted(id, live)), 120_000);
    // The other two never commit: the reveal window opens when the commit window ends.
    const { commitWindow, revealWindow } = await arbiter.params();
    await advanceTime(highway, Number(commitWindow) + 1);
    await waitFor("the live member's reveal", async () => seen(arbiter.filters.VoteRevealed(id, live)), 60_000);
    await advanceTime(highway, Number(revealWindow) + 1);
    await waitFor("the request refunded", async () => (await statusOf(id)) === Status.Refunded, 60_000);

    const [resolved] = await arbiter.queryFilter(arbiter.filters.VoteResolved(id));
    expect(resolved.args.votes).to.equal(0n); // one answer of three seats is no majority
    expect(await staked(hardhatAccount(CHEATER).address)).to.equal(cheaterStake); // nobody slashed over the answer
    const { memberBond, nonRevealSlashBps } = await arbiter.params();
    const penalty = (memberBond * BigInt(nonRevealSlashBps)) / 10_000n;
    for (const [i, address] of gone.entries()) expect(await staked(address), `absent member ${i}`).to.equal(goneStakes[i] - penalty);
    expect(await arbiter.balanceOf(live)).to.equal(2n * penalty); // the one that revealed shares the absent members' penalties
    // The requester's whole escrow comes back, and the challenger's bond.
    const terms = await (await Highway.connect({ runner: highway.ethers.provider, deployment: highway.deployment })).terms(id);
    const escrow = quoteEscrow(BigInt(terms.modelFee), BigInt(terms.maxComputeFee), BigInt(terms.protocolFeeBps)).total;
    expect((await highway.coordinator.balanceOf((await requester()).address)) - requesterTokens).to.equal(escrow);
    expect(await highway.coordinator.balanceOf(hardhatAccount(WATCHTOWER).address)).to.equal(BigInt(terms.challengeBond));
  });

  it("neither serves nor declares a model whose registered runtime spec is not its own", async () => {
    await stakeRelayer(highway, await signer(ANSWERER));
    // The same weights and runtime with another stop string: another spec, another hash, other answers.
    const dir = highway.dir;
    const file = join(dir, "runtime.json");
    copyFileSync(join(LANGUAGE_MODELS_DIR, "smollm2", "runtime.json"), file);
    const changed = { ...JSON.parse(readFileSync(file, "utf8")), stop: ["<|im_end|>", "<|endoftext|>", "\n\n"] };
    writeFileSync(file, JSON.stringify(changed));
    expect(runtimeSpecHash(loadRuntimeSpec(file))).to.not.equal(runtimeSpecHash(spec));
    const relayer = languageRelayer(ANSWERER, { language: file });
    await waitFor("the relayer started", () => started(relayer), 120_000);

    const health = await healthOf(relayer);
    expect(health.degraded).to.equal(true);
    expect(JSON.stringify(health.warnings)).to.contain("runtimeSpecHash");
    expect(await highway.staking.serves(modelId, hardhatAccount(ANSWERER).address)).to.equal(false);
    const id = await request();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await statusOf(id)).to.equal(Status.Open);
  });
});
