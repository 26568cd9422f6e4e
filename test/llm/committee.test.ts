/**
 * The relayer's committee seat (relayer/llm/committee.ts) on the real committee arbiter and staking
 * contracts, against a harness of the coordinator's dispute hooks, with the real reference model:
 * relayers drawn to a committee re-run the request, commit, reveal and resolve on their own.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { hexlify, toUtf8Bytes, ZeroHash, type Interface } from "ethers";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { runtimeSpecHash } from "../../sdk/runtime-spec.js";
import { CommitteeVoter, type DisputedRequest } from "../../relayer/llm/committee.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime } from "../../relayer/llm/runtime.js";
import { createLogger } from "../../relayer/src/logger.js";
import type { Call, SendResult } from "../../relayer/src/submitter.js";

const { ethers, networkHelpers } = await network.create();
const UNIT = 10n ** 18n;
const MODEL = ethers.id("smollm2");
const PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
const DEFENDED = 0n;
const FRAUD_PROVEN = 1n;

/** Sends like the relayer's submitter: simulated first, a refusal comes back as the custom error's name. */
function sender(signer: HardhatEthersSigner, errors: Interface) {
  return async (_action: string, call: Call): Promise<SendResult> => {
    try {
      await signer.estimateGas(call);
    } catch (error) {
      const data = (error as { data?: string }).data;
      return { ok: false, error: (data && errors.parseError(data)?.name) || "Reverted", args: [], sent: false };
    }
    const receipt = (await (await signer.sendTransaction(call)).wait())!;
    return { ok: true, receipt, gasUsed: receipt.gasUsed };
  };
}

describe("relayers on a committee", function () {
  this.timeout(300_000);
  const spec = loadRuntimeSpec("smollm2");
  let runtime: LanguageRuntime;
  let expected: Uint8Array;

  before(async () => {
    runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 2 }));
    expected = (await runtime.answer(toUtf8Bytes(PROMPT), 48)).output;
  });
  after(() => runtime.close());

  /** The contracts, three declared relayers each running a voter, the disputed answer's relayer and a challenger. */
  async function committee(posted: Uint8Array, registered: (voter: number) => string = () => runtimeSpecHash(spec)) {
    const [admin, relayer, challenger, treasury, ...servers] = await ethers.getSigners();
    const token = await ethers.deployContract("HighwayToken", [admin.address]);
    const hooks = await ethers.deployContract("LanguageHooksHarness", [await token.getAddress(), treasury.address]);
    const staking = await ethers.deployContract("RelayerStaking", [
      await token.getAddress(),
      await hooks.getAddress(),
      admin.address,
      100n * UNIT,
      3_600,
    ]);
    const arbiter = await ethers.deployContract("CommitteeArbiter", [
      await hooks.getAddress(),
      await staking.getAddress(),
      { committeeSize: 3, nonRevealSlashBps: 5_000, commitWindow: 600, revealWindow: 600, memberBond: 50n * UNIT },
    ]);
    await (await hooks.setArbiter(await arbiter.getAddress())).wait();
    const members = servers.slice(0, 3);
    for (const server of members) {
      await (await token.mint(server.address, 200n * UNIT)).wait();
      await (await token.connect(server).approve(await staking.getAddress(), 200n * UNIT)).wait();
      await (await staking.connect(server).stake(200n * UNIT)).wait();
      await (await staking.connect(server).setServes(MODEL, true)).wait();
    }
    await (await token.mint(challenger.address, 50n * UNIT)).wait();
    await (await token.connect(challenger).approve(await hooks.getAddress(), 50n * UNIT)).wait();
    const requestId = 7n;
    await (await hooks.post(requestId, relayer.address, posted)).wait();
    // The harness posts answers with a one-hour challenge window.
    const terms = { ...emptyTerms(), modelId: MODEL, challengeBond: 50n * UNIT, challengeWindow: 3_600n };
    const request: DisputedRequest = { modelId: MODEL, input: toUtf8Bytes(PROMPT), maxOutputBytes: 48, terms };
    const voters = members.map(
      (server, i) =>
        new CommitteeVoter({
          arbiter: arbiter.connect(server),
          address: server.address,
          runtimes: new Map([[MODEL.toLowerCase(), runtime]]),
          registeredSpecHash: () => Promise.resolve(registered(i)),
          request: (id) => (id === requestId ? request : undefined),
          sign: (message) => server.signMessage(message),
          send: sender(server, arbiter.interface),
          log: createLogger("silent"),
        }),
    );
    /** Feeds the arbiter's new events to every voter and lets each take its due steps, until the dispute is closed. */
    let fromBlock = 0;
    const runUntilClosed = async (rounds = 12) => {
      for (let round = 0; round < rounds && (await hooks.closes()) === 0n; round++) {
        const logs = await arbiter.queryFilter("*" as never, fromBlock);
        fromBlock = (await ethers.provider.getBlockNumber()) + 1;
        for (const log of logs) {
          const event = arbiter.interface.parseLog(log);
          if (event) for (const voter of voters) voter.onEvent(event);
        }
        for (const voter of voters) await voter.tick();
        // A missing vote holds a phase up until its window ends: past the commit window, then the reveal window.
        if (round === 4 || round === 8) await networkHelpers.time.increase(601);
      }
    };
    /** The challenger commits, then reveals its challenge in a later block. */
    const challenge = async () => {
      const salt = ethers.id("the challenger's secret");
      await (
        await arbiter.connect(challenger).commitChallenge(await arbiter.challengeCommitment(requestId, challenger.address, salt))
      ).wait();
      await (await arbiter.connect(challenger).challenge(requestId, terms, salt)).wait();
    };
    return { arbiter, hooks, staking, challenger, members, requestId, terms, challenge, runUntilClosed };
  }

  it("outvote a wrong answer: the request is answered with the committee's answer and the majority rewarded", async () => {
    const c = await committee(toUtf8Bytes("POSITIVE? No: this is not the model's answer"));
    await c.challenge();
    await c.runUntilClosed();
    expect(await c.hooks.lastOutcome()).to.equal(FRAUD_PROVEN);
    expect(await c.hooks.lastOutput()).to.equal(hexlify(expected));
    expect((await c.hooks.lastRewardees()).length).to.equal(3);
  });

  it("uphold a right answer: the challenge is defended", async () => {
    const c = await committee(expected);
    await c.challenge();
    await c.runUntilClosed();
    expect(await c.hooks.lastOutcome()).to.equal(DEFENDED);
    expect(await c.hooks.lastOutput()).to.equal(hexlify(expected));
  });

  it("do not vote with a runtime spec other than the registered one, and such a member loses half its seat bond", async () => {
    const c = await committee(toUtf8Bytes("wrong"), (voter) => (voter === 2 ? ZeroHash : runtimeSpecHash(spec)));
    await c.challenge();
    await c.runUntilClosed();
    expect(await c.hooks.lastOutcome()).to.equal(FRAUD_PROVEN);
    expect((await c.hooks.lastRewardees()).length).to.equal(2);
    expect((await c.staking.relayerOf(c.members[2].address)).stake).to.equal(175n * UNIT);
    expect(await c.arbiter.balanceOf(c.members[0].address)).to.be.greaterThan(0n);
  });
});

/** RequestTerms with every field zero: the harness reads none of them but the model and the challenge bond. */
function emptyTerms() {
  return {
    modelId: ZeroHash,
    inputHash: ZeroHash,
    requester: ethers.ZeroAddress,
    consumer: ethers.ZeroAddress,
    referrer: ethers.ZeroAddress,
    parentModelId: ZeroHash,
    modelFee: 0n,
    startComputeFee: 0n,
    maxComputeFee: 0n,
    jobBond: 0n,
    challengeBond: 0n,
    createdAt: 0,
    deadline: 0,
    auctionDuration: 0,
    deliveryWindow: 0,
    challengeWindow: 0,
    defenceWindow: 0,
    callbackGasLimit: 0,
    protocolFeeBps: 0,
    lateSlashBps: 0,
    disputeProtocolShareBps: 0,
    parentShareBps: 0,
    referralShareBps: 0,
    outputSize: 0,
    modelKind: 1,
    proofMode: 1,
    nonce: 0,
  };
}
