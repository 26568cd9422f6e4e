/**
 * The job state machine, case by case: every job state against every on-chain status
 * (ours or another relayer's), windows and deadlines on either side, and the races
 * with other relayers, requesters and reorgs. Each row reads as a sentence: given a
 * job and what the relayer observed of its request, the step `decide` returns.
 */
import { expect } from "chai";
import { decide, type Action, type ChainView, type DecidedJob, type Policy, type ServedModel, type Step } from "../../relayer/src/decide.js";
import type { JobState } from "../../relayer/src/store.js";
import { raiseTerms, type PlainTerms } from "../../sdk/terms.js";

const UNIT = 10n ** 18n;
const NOW = 1_800_000_000;
const MODEL = "0x" + "11".repeat(32);
const UNKNOWN_MODEL = "0x" + "22".repeat(32);
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * A request made 15 s ago: its auction rises from 1 to 3 units over 60 s, so it
 * offers 1.5 units now and 2 units (our cost) 15 s from now.
 */
const TERMS: PlainTerms = {
  modelId: MODEL,
  inputHash: "0x" + "33".repeat(32),
  requester: ZERO_ADDRESS,
  consumer: ZERO_ADDRESS,
  referrer: ZERO_ADDRESS,
  parentModelId: "0x" + "00".repeat(32),
  modelFee: 1n * UNIT,
  startComputeFee: 1n * UNIT,
  maxComputeFee: 3n * UNIT,
  jobBond: 100n * UNIT,
  challengeBond: 10n * UNIT,
  createdAt: NOW - 15,
  deadline: NOW + 3_600,
  auctionDuration: 60,
  deliveryWindow: 60,
  challengeWindow: 60,
  defenceWindow: 60,
  callbackGasLimit: 200_000,
  protocolFeeBps: 100,
  lateSlashBps: 2_000,
  disputeProtocolShareBps: 2_000,
  parentShareBps: 0,
  referralShareBps: 0,
  outputLength: 1,
  proofMode: 1,
  nonce: 1,
};
const DEADLINE = Number(TERMS.deadline);
const LATER = NOW + 15; // when the auction offers our cost

const PRICE_SIGNAL: ServedModel = { name: "price-signal", modes: ["zk", "optimistic"], computeCost: 2n * UNIT };
const POLICY: Policy = {
  models: new Map([[MODEL, PRICE_SIGNAL]]),
  pricing: { margin: 1, tokenUnitsPerWei: 0 },
  watchtower: { enabled: true, minProfit: 0n },
};
const ZK_ONLY: Policy = { ...POLICY, models: new Map([[MODEL, { ...PRICE_SIGNAL, modes: ["zk"] }]]) };
const NO_WATCHTOWER: Policy = { ...POLICY, watchtower: { enabled: false, minProfit: 0n } };

function job(state: JobState, changes: Partial<DecidedJob> = {}): DecidedJob {
  return { modelId: MODEL, mode: "optimistic", state, terms: TERMS, ...changes };
}
const zkJob = (state: JobState) => job(state, { mode: "zk" });

const WINDOW_ENDS = NOW + 30;
const WINDOW_ENDED = NOW - 1;
const chain = {
  none: { status: "none" } as ChainView,
  fulfilled: { status: "fulfilled" } as ChainView,
  refunded: { status: "refunded" } as ChainView,
  open: (market: { gasPriceWei?: bigint; freeStake?: bigint } = {}): ChainView => ({ status: "open", gasPriceWei: 1_000_000_000n, freeStake: 1_000n * UNIT, ...market }),
  claimedByUs: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "claimed", ours: true, phaseEndsAt }),
  claimedByAnother: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "claimed", ours: false, phaseEndsAt }),
  ourAnswerPending: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "pending", ours: true, phaseEndsAt }),
  theirAnswerPending: (verdict?: "right" | "wrong", phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "pending", ours: false, phaseEndsAt, ...(verdict ? { verdict } : {}) }),
  ourAnswerDisputed: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "disputed", ours: true, phaseEndsAt }),
  theirAnswerDisputed: (verdict?: "right" | "wrong", phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "disputed", ours: false, phaseEndsAt, ...(verdict ? { verdict } : {}) }),
};

function waitIn(state: JobState, note?: string, wakeAt?: number): Step {
  return { kind: "wait", state, ...(note !== undefined ? { note } : {}), ...(wakeAt !== undefined ? { wakeAt } : {}) };
}
function send(action: Action, state: JobState, mined: JobState, lost: JobState, note?: string): Step {
  return { kind: "send", action, state, mined, lost, ...(note !== undefined ? { note } : {}) };
}
const check = (state: JobState): Step => ({ kind: "check", state });

interface Case {
  does: string;
  job: DecidedJob;
  chain: ChainView;
  now?: number;
  policy?: Policy;
  step: Step;
}

const ALL_STATES: JobState[] = ["new", "waiting", "claiming", "claimed", "ready", "submitted", "defending", "watching", "challenging", "done", "ignored"];
const STATES_OF_A_MODEL_WE_RUN = ALL_STATES.filter((state) => state !== "ignored");

const CASES: Record<string, Case[]> = {
  "a request that reached its end": [
    ...STATES_OF_A_MODEL_WE_RUN.map((state) => ({ does: `is done with a ${state} job once its request is fulfilled`, job: job(state), chain: chain.fulfilled, step: waitIn("done", "fulfilled") })),
    ...STATES_OF_A_MODEL_WE_RUN.map((state) => ({ does: `is done with a ${state} job once its request is refunded`, job: job(state), chain: chain.refunded, step: waitIn("done", "refunded") })),
    { does: "is done with a request another relayer answered while we waited for a better price", job: job("waiting"), chain: chain.fulfilled, step: waitIn("done", "fulfilled") },
    { does: "is done with a request its requester cancelled or let expire while another relayer held it", job: job("watching"), chain: chain.refunded, step: waitIn("done", "refunded") },
  ],
  "a request not on the chain": [
    { does: "leaves a new job as it is while a reorg has undone its request (the watcher's rewind deals with it)", job: job("new"), chain: chain.none, step: waitIn("new") },
    { does: "leaves a submitted job as it is while its request is not on the chain", job: job("submitted"), chain: chain.none, step: waitIn("submitted") },
  ],
  "a model we do not run": [
    ...(["none", "open", "claimed", "pending", "disputed", "fulfilled"] as const).map((status) => ({
      does: `ignores a request for a model we do not run when it is ${status}`,
      job: job("new", { modelId: UNKNOWN_MODEL }),
      chain: status === "open" ? chain.open() : status === "claimed" ? chain.claimedByAnother() : status === "pending" ? chain.theirAnswerPending() : status === "disputed" ? chain.theirAnswerDisputed() : ({ status } as ChainView),
      step: waitIn("ignored"),
    })),
    { does: "keeps an ignored job ignored", job: job("ignored", { modelId: UNKNOWN_MODEL }), chain: chain.open(), step: waitIn("ignored") },
  ],
  "an open request": [
    { does: "waits while the auction offers less than our cost", job: job("new"), chain: chain.open(), step: waitIn("waiting", `offered ${(3n * UNIT) / 2n} does not cover our cost yet`) },
    { does: "claims once the auction's offer covers our cost", job: job("waiting"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting") },
    { does: "claims a new request whose offer already covers our cost", job: zkJob("new"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting") },
    { does: "claims without waiting longer once the requester raised the maximum fee", job: job("waiting", { terms: raiseTerms(TERMS, 5n * UNIT) }), chain: chain.open(), step: send("claim", "claiming", "claimed", "waiting") },
    { does: "waits when the offer covers our cost but our free stake does not cover the job bond", job: job("new"), chain: chain.open({ freeStake: 100n * UNIT - 1n }), now: LATER, step: waitIn("waiting", "not enough free stake") },
    { does: "claims when our free stake covers the job bond exactly", job: job("new"), chain: chain.open({ freeStake: 100n * UNIT }), now: LATER, step: send("claim", "claiming", "claimed", "waiting") },
    { does: "names the price, not the stake, when neither suffices", job: job("new"), chain: chain.open({ freeStake: 0n }), step: waitIn("waiting", `offered ${(3n * UNIT) / 2n} does not cover our cost yet`) },
    {
      does: "counts gas at the operator's token price: a dear gas price keeps it waiting",
      job: job("new"),
      chain: chain.open({ gasPriceWei: 10n ** 12n }),
      now: LATER,
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 10 } },
      step: waitIn("waiting", `offered ${2n * UNIT} does not cover our cost yet`),
    },
    { does: "still claims at the deadline itself", job: job("waiting"), chain: chain.open(), now: DEADLINE, step: send("claim", "claiming", "claimed", "waiting") },
    { does: "is done with a request still open after its deadline", job: job("waiting"), chain: chain.open(), now: DEADLINE + 1, step: waitIn("done", "deadline passed while open") },
    { does: "sets aside a request in a mode we do not answer, for the watchtower", job: job("new"), chain: chain.open(), now: LATER, policy: ZK_ONLY, step: waitIn("watching", "we do not answer optimistic requests of price-signal") },
    { does: "keeps a request set aside as not served set aside when it is open again", job: job("watching"), chain: chain.open(), now: LATER, policy: ZK_ONLY, step: waitIn("watching", "we do not answer optimistic requests of price-signal") },
    { does: "claims a request reopened after its claimant's delivery window passed", job: job("watching"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was watching)") },
    { does: "claims again when our claim never landed (a crash, or a reorg undid it)", job: job("claiming"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was claiming)") },
    { does: "claims again when a reorg undid the claim we were answering", job: job("claimed"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was claimed)") },
    { does: "claims again when a reorg undid our submitted answer and its claim", job: job("submitted"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was submitted)") },
    { does: "claims again when a dispute we watched timed out and reopened the request", job: job("challenging"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was challenging)") },
    { does: "claims again when a reorg undid the answer of a job we had finished", job: job("done"), chain: chain.open(), now: LATER, step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was done)") },
  ],
  "a request claimed by us": [
    { does: "answers a zk request with a proof once our claim is mined", job: zkJob("claiming"), chain: chain.claimedByUs(), step: send("fulfillZk", "claimed", "done", "ready") },
    { does: "answers an optimistic request with its output", job: job("claimed"), chain: chain.claimedByUs(), step: send("submitOptimistic", "claimed", "submitted", "ready") },
    { does: "sends the stored answer of a ready job again (after a restart or a lost send)", job: zkJob("ready"), chain: chain.claimedByUs(), step: send("fulfillZk", "ready", "done", "ready") },
    { does: "answers when it was still waiting (our claim landed before the store recorded it)", job: job("waiting"), chain: chain.claimedByUs(), step: send("submitOptimistic", "claimed", "submitted", "ready") },
    { does: "answers even after its delivery window, as long as nobody reopened it", job: job("claimed"), chain: chain.claimedByUs(WINDOW_ENDED), step: send("submitOptimistic", "claimed", "submitted", "ready") },
    { does: "gives up a claim whose deadline passed before we answered (the request can only expire)", job: zkJob("claimed"), chain: chain.claimedByUs(WINDOW_ENDED), now: DEADLINE + 1, step: waitIn("done", "the deadline passed before we answered") },
  ],
  "a request claimed by another relayer": [
    { does: "watches a request claimed by someone else between our check and our claim, until its delivery window ends", job: job("claiming"), chain: chain.claimedByAnother(), step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
    { does: "watches a request another relayer claimed while we waited for a better price", job: job("waiting"), chain: chain.claimedByAnother(), step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
    { does: "watches a request another relayer claimed before we first looked", job: job("new"), chain: chain.claimedByAnother(), step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
    { does: "still waits at the last second of the claimant's delivery window", job: job("watching"), chain: chain.claimedByAnother(), now: WINDOW_ENDS, step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
    { does: "reopens a claim its relayer did not answer within the delivery window", job: job("watching"), chain: chain.claimedByAnother(WINDOW_ENDED), step: send("reopen", "watching", "new", "watching", "the holder's window passed: reopen") },
    { does: "reopens a late claim even in a mode we do not answer", job: job("watching"), chain: chain.claimedByAnother(WINDOW_ENDED), policy: ZK_ONLY, step: send("reopen", "watching", "new", "watching", "the holder's window passed: reopen") },
    { does: "does not reopen a late claim once the deadline passed too", job: job("watching"), chain: chain.claimedByAnother(DEADLINE - 60), now: DEADLINE + 1, step: waitIn("watching", "the holder's window and the deadline passed: the request can only expire") },
    { does: "watches again when a reorg turned our claim into another relayer's", job: zkJob("ready"), chain: chain.claimedByAnother(), step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
  ],
  "our optimistic answer, pending": [
    { does: "waits out the challenge window of our answer", job: job("submitted"), chain: chain.ourAnswerPending(), step: waitIn("submitted") },
    { does: "records our answer as submitted when it was mined before the store knew", job: job("ready"), chain: chain.ourAnswerPending(), step: waitIn("submitted") },
    { does: "records our answer as submitted after a restart in the claimed state", job: job("claimed"), chain: chain.ourAnswerPending(), step: waitIn("submitted") },
    { does: "finalizes our answer when its challenge window ends", job: job("submitted"), chain: chain.ourAnswerPending(NOW), step: send("finalize", "submitted", "submitted", "submitted") },
    { does: "finalizes our answer long after its challenge window", job: job("submitted"), chain: chain.ourAnswerPending(WINDOW_ENDED), step: send("finalize", "submitted", "submitted", "submitted") },
  ],
  "another relayer's optimistic answer, pending": [
    { does: "has the watchtower check an answer it has not checked yet", job: job("watching"), chain: chain.theirAnswerPending(), step: check("watching") },
    { does: "checks another relayer's answer to a request we were claiming", job: job("claiming"), chain: chain.theirAnswerPending(), step: check("watching") },
    { does: "checks answers in a mode we do not answer ourselves", job: job("watching"), chain: chain.theirAnswerPending(), policy: ZK_ONLY, step: check("watching") },
    { does: "leaves a right answer alone", job: job("watching"), chain: chain.theirAnswerPending("right"), step: waitIn("watching") },
    { does: "challenges a wrong answer", job: job("watching"), chain: chain.theirAnswerPending("wrong"), step: send("challenge", "watching", "challenging", "watching") },
    { does: "challenges a wrong answer in the last second of its challenge window", job: job("watching"), chain: chain.theirAnswerPending("wrong", NOW + 1), step: send("challenge", "watching", "challenging", "watching") },
    { does: "does not challenge once the challenge window closed", job: job("watching"), chain: chain.theirAnswerPending("wrong", NOW), step: waitIn("watching") },
    { does: "does not even check an answer whose challenge window closed", job: job("watching"), chain: chain.theirAnswerPending(undefined, WINDOW_ENDED), step: waitIn("watching") },
    {
      does: "does not challenge a wrong answer whose bond is below the watchtower's minimum profit",
      job: job("watching"),
      chain: chain.theirAnswerPending("wrong"),
      policy: { ...POLICY, watchtower: { enabled: true, minProfit: 100n * UNIT + 1n } },
      step: waitIn("watching", "a wrong answer, but its bond is below watchtower.minProfit"),
    },
    { does: "only watches when the watchtower is off", job: job("watching"), chain: chain.theirAnswerPending("wrong"), policy: NO_WATCHTOWER, step: waitIn("watching") },
    { does: "watches another relayer's answer to a request that was ours before a reorg", job: job("submitted"), chain: chain.theirAnswerPending("right"), step: waitIn("watching") },
  ],
  "our answer, disputed": [
    { does: "defends our answer against a dispute", job: job("submitted"), chain: chain.ourAnswerDisputed(), step: send("defend", "defending", "done", "defending") },
    { does: "sends the defence again after a lost send or a restart", job: job("defending"), chain: chain.ourAnswerDisputed(), step: send("defend", "defending", "done", "defending") },
    { does: "defends in the last second of the defence window", job: job("submitted"), chain: chain.ourAnswerDisputed(NOW), step: send("defend", "defending", "done", "defending") },
    { does: "stops defending once the defence window passed", job: job("defending"), chain: chain.ourAnswerDisputed(WINDOW_ENDED), step: waitIn("watching", "our answer was challenged and the defence window passed") },
  ],
  "another relayer's answer, disputed": [
    { does: "proves the fraud of a wrong answer we challenged", job: job("challenging"), chain: chain.theirAnswerDisputed("wrong"), step: send("proveFraud", "challenging", "done", "challenging") },
    { does: "checks the answer again when its verdict was lost with a restart", job: job("challenging"), chain: chain.theirAnswerDisputed(), step: check("challenging") },
    { does: "checks an answer someone else disputed", job: job("watching"), chain: chain.theirAnswerDisputed(), step: check("watching") },
    { does: "proves the fraud of a wrong answer someone else disputed", job: job("watching"), chain: chain.theirAnswerDisputed("wrong"), step: send("proveFraud", "watching", "done", "watching") },
    { does: "proves the fraud even after the defence window", job: job("challenging"), chain: chain.theirAnswerDisputed("wrong", WINDOW_ENDED), step: send("proveFraud", "challenging", "done", "challenging") },
    { does: "waits out the defence window of a right answer someone disputed", job: job("watching"), chain: chain.theirAnswerDisputed("right"), step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
    { does: "resolves a dispute whose relayer did not defend in time", job: job("watching"), chain: chain.theirAnswerDisputed("right", WINDOW_ENDED), step: send("resolveDisputeTimeout", "watching", "new", "watching", "the holder's window passed: resolveDisputeTimeout") },
    { does: "resolves an undefended dispute even with the watchtower off", job: job("watching"), chain: chain.theirAnswerDisputed(undefined, WINDOW_ENDED), policy: NO_WATCHTOWER, step: send("resolveDisputeTimeout", "watching", "new", "watching", "the holder's window passed: resolveDisputeTimeout") },
    { does: "waits out the defence window with the watchtower off", job: job("watching"), chain: chain.theirAnswerDisputed(), policy: NO_WATCHTOWER, step: waitIn("watching", undefined, WINDOW_ENDS + 1) },
  ],
};

describe("decide: a job's next step", () => {
  for (const [situation, cases] of Object.entries(CASES)) {
    describe(situation, () => {
      for (const row of cases) {
        it(row.does, () => {
          expect(decide(row.job, row.chain, row.now ?? NOW, row.policy ?? POLICY)).to.deep.equal(row.step);
        });
      }
    });
  }

  it("covers every job state and every on-chain status, ours and another relayer's", () => {
    const rows = Object.values(CASES).flat();
    expect(new Set(rows.map((row) => row.job.state))).to.have.all.keys(...ALL_STATES);
    const seen = new Set(rows.map((row) => ("ours" in row.chain ? `${row.chain.status}, ${row.chain.ours ? "ours" : "another's"}` : row.chain.status)));
    expect(seen).to.have.all.keys("none", "open", "claimed, ours", "claimed, another's", "pending, ours", "pending, another's", "disputed, ours", "disputed, another's", "fulfilled", "refunded");
  });
});
