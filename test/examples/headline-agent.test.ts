/**
 * The headline agent end to end: a HeadlineSentimentAgent on a real Hardhat node with Highway deployed,
 * trading in the kit's pool, asks the reference language model `smollm2` about three headlines; a live
 * relayer process serving smollm2 (llama.cpp) claims each request, posts the model's answer and finalizes
 * it after its challenge window. The test generates the same answer in its own process (the runtime spec
 * makes it the same bytes) and checks the agent acted on it by its rule.
 */
import { expect } from "chai";
import { getBytes, hexlify, toUtf8String } from "ethers";
import {
  advanceTime,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { RequestStatusCode as Status } from "../../sdk/protocol.js";
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
  let relayer: RelayerProcess | undefined;

  before(async () => {
    runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 1 }));
  });
  after(() => runtime?.close());
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && relayer) console.log(relayer.output().split("\n").slice(-40).join("\n"));
    await relayer?.kill("SIGKILL");
    await highway?.stop();
  });

  /**
   * Waits for the live relayer to answer request `requestId` (claim, submitOptimistic), moves time past the challenge
   * window for it to finalize (which delivers the answer to the agent), and returns the answer the test's own runtime
   * generates for the request's input, which the relayer's must equal.
   */
  async function answered(requestId: bigint): Promise<Uint8Array> {
    const coordinator = highway.coordinator;
    const [created] = await coordinator.queryFilter(coordinator.filters.RequestCreated(requestId));
    const terms = termsFromEvent(coordinator.interface.parseLog(created)!.args.terms);
    const expected = (await runtime.answer(getBytes(created.args.input), Number(terms.outputSize))).output;
    const status = async () => Number((await coordinator.getRequest(requestId))[1].status);
    await waitFor("the relayer's answer posted", async () => (await status()) === Status.Pending, 60_000);
    await advanceTime(highway, Number(terms.challengeWindow) + 1);
    await waitFor("the answer finalized", async () => (await status()) === Status.Fulfilled, 60_000);
    return expected;
  }

  async function balancesOf(kit: Kit, agent: HeadlineSentimentAgent) {
    return { stable: await kit.stable.balanceOf(agent), volatile: await kit.volatile.balanceOf(agent) };
  }

  it("trades on a positive and a negative headline and holds on a neutral one, as the model reads them", async () => {
    highway = await startHighway();
    const [deployer, keeper, trader] = await highway.ethers.getSigners();
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    relayer = startRelayerProcess(highway, { account: RELAYER, config: { models: [], languageModels: [{ language: "smollm2" }] } });
    await waitFor("the relayer started", () => relayer!.output().includes("relayer started"), 120_000);
    const modelId = highway.deployment.models.smollm2.modelId;
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
      const output = await answered(requestId);
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
