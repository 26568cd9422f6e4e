/**
 * The headline agent end to end: a HeadlineSentimentAgent on a real Hardhat node with Highway deployed,
 * trading in the kit's pool, asks the reference language model `smollm2` about three headlines; each
 * request is answered with the bytes the real model generates (llama.cpp, the model's runtime spec), as a
 * staked relayer would: claim, submitOptimistic, past the challenge window, finalize. The agent acts on
 * each answer by its rule. `answerRequest` is the relayer's part, in one place.
 */
import { expect } from "chai";
import { getBytes, hexlify, id, toUtf8String, ZeroAddress, ZeroHash } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { advanceTime, stakeRelayer, startHighway, type LocalHighway } from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { loadRuntimeSpec, runtimeSpecHash } from "../../sdk/language-models.js";
import { proofModeBits, RequestStatusCode as Status } from "../../sdk/protocol.js";
import { termsFromEvent } from "../../sdk/terms.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime } from "../../relayer/llm/runtime.js";
import { deployHeadlineAgent, deployKit, HEADLINE_AGENT_CONFIG, type Kit } from "../../examples/scripts/deploy-kit.js";
import type { HeadlineSentimentAgent } from "../../types/index.js";

const RELAYER = 5;
const spec = loadRuntimeSpec("smollm2");
const TRADE_BPS = BigInt(HEADLINE_AGENT_CONFIG.tradeBps);

/** The agent's `Sentiment` and `Outcome` enums. */
const Sentiment = { Unclear: 0n, Positive: 1n, Negative: 2n, Neutral: 3n } as const;
const Outcome = { Pending: 1n, Traded: 2n, TradeFailed: 3n, Held: 4n, Unclear: 5n } as const;

/**
 * Headlines the greedy model reads sensibly with the agent's prompt (examples/README.md, "The prompt", lists
 * others it gets wrong), and what it answers: the test checks the model still does, then that the agent acts.
 */
const HEADLINES = [
  { headline: "Company reports record profits and raises dividend", sentiment: Sentiment.Positive },
  { headline: "Exchange hacked, $200 million in customer funds stolen", sentiment: Sentiment.Negative },
  { headline: "Central bank leaves rates unchanged", sentiment: Sentiment.Neutral },
];

describe("examples: HeadlineSentimentAgent on smollm2's real answers", function () {
  this.timeout(300_000);
  let runtime: LanguageRuntime;
  let highway: LocalHighway;

  before(async () => {
    runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 1 }));
  });
  after(() => runtime?.close());
  afterEach(() => highway?.stop());

  /** `smollm2`'s model id: the deployment's, or registered here (by the deployer) when the deployment has none. */
  async function smollm2(): Promise<string> {
    const known = highway.deployment.models.smollm2?.modelId;
    if (known) return known;
    const params = {
      kind: 1, // ModelKind.Language
      fee: BigInt(highway.deployment.models["price-signal"].fee), // the deployment's model fee, as it would register it
      verifier: ZeroAddress,
      runtimeSpecHash: runtimeSpecHash(spec),
      proofModes: proofModeBits(["optimistic"]),
      inputLength: spec.limits.inputBytes,
      outputLength: spec.limits.outputBytes,
      inputScale: 0,
      outputScale: 0,
      inputBound: 0,
      parentModelId: ZeroHash,
      parentShareBps: 0,
      referralShareBps: 0,
      artifactURI: spec.weights.source,
      artifactHash: `0x${spec.weights.sha256}`,
    };
    const salt = id(spec.name);
    await (await highway.registry.registerModel(salt, params)).wait();
    const [deployer] = await highway.ethers.getSigners();
    return highway.registry.modelIdOf(deployer.address, salt);
  }

  /**
   * Answers request `requestId` as a staked relayer would: reads its prompt and answer limit from its
   * `RequestCreated` event, generates the answer with the real model, claims, posts it optimistically, waits out
   * the challenge window and finalizes (which delivers it to the agent). Returns the answer's bytes.
   */
  async function answerRequest(relayer: HardhatEthersSigner, requestId: bigint): Promise<Uint8Array> {
    const coordinator = highway.coordinator.connect(relayer);
    const [created] = await coordinator.queryFilter(coordinator.filters.RequestCreated(requestId));
    const terms = termsFromEvent(coordinator.interface.parseLog(created)!.args.terms);
    const { output } = await runtime.answer(getBytes(created.args.input), Number(terms.outputSize));
    await (await coordinator.claim(requestId, terms)).wait();
    await (await coordinator.submitOptimistic(requestId, terms, output)).wait();
    await advanceTime(highway, Number(terms.challengeWindow) + 1);
    await (await coordinator.finalize(requestId, terms, output)).wait();
    return output;
  }

  async function balancesOf(kit: Kit, agent: HeadlineSentimentAgent) {
    return { stable: await kit.stable.balanceOf(agent), volatile: await kit.volatile.balanceOf(agent) };
  }

  it("trades on a positive and a negative headline and holds on a neutral one, as the model reads them", async () => {
    highway = await startHighway();
    const [deployer, keeper, trader] = await highway.ethers.getSigners();
    const relayer = await highway.ethers.getSigner(hardhatAccount(RELAYER).address);
    await stakeRelayer(highway, relayer);
    const modelId = await smollm2();
    const { coordinator, token } = highway.deployment;
    const kit = await deployKit({
      deployer,
      keeper,
      trader,
      highway: { coordinator, token, modelId: highway.deployment.models["price-signal"].modelId },
    });
    const agent = await deployHeadlineAgent({ deployer, keeper, kit, highway: { coordinator, token, modelId } });

    for (const { headline, sentiment } of HEADLINES) {
      const receipt = (await (await agent.submitHeadline(headline)).wait())!;
      const submitted = receipt.logs.map((log) => agent.interface.parseLog(log)).find((event) => event?.name === "HeadlineSubmitted")!;
      const requestId = submitted.args.requestId as bigint;
      const [created] = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestCreated(requestId));
      expect(toUtf8String(created.args.input)).to.equal(toUtf8String(await agent.prompt(headline)));
      expect((await agent.requests(requestId)).outcome).to.equal(Outcome.Pending);

      const before = await balancesOf(kit, agent);
      const output = await answerRequest(relayer, requestId);
      expect(await agent.sentimentOf(output), `smollm2 answered ${JSON.stringify(toUtf8String(output))} to "${headline}"`).to.equal(
        sentiment,
      );
      const [, state] = await highway.coordinator.getRequest(requestId);
      expect(Number(state.status)).to.equal(Status.Fulfilled);
      const [fulfilled] = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestFulfilled(requestId));
      expect(fulfilled.args.output).to.equal(hexlify(output)); // the text the coordinator emits is the model's

      const record = await agent.requests(requestId);
      expect(record.sentiment).to.equal(sentiment);
      const after = await balancesOf(kit, agent);
      if (sentiment === Sentiment.Neutral) {
        expect(record.outcome).to.equal(Outcome.Held);
        expect(after).to.deep.equal(before);
        continue;
      }
      expect(record.outcome).to.equal(Outcome.Traded);
      const [traded] = await agent.queryFilter(agent.filters.Traded(requestId));
      const [sold, bought] = sentiment === Sentiment.Positive ? (["stable", "volatile"] as const) : (["volatile", "stable"] as const);
      expect(traded.args.tokenIn).to.equal(await kit[sold].getAddress());
      expect(traded.args.amountIn).to.equal((before[sold] * TRADE_BPS) / 10_000n);
      expect(after[sold]).to.equal(before[sold] - traded.args.amountIn);
      expect(after[bought]).to.equal(before[bought] + traded.args.amountOut);
    }
  });
});
