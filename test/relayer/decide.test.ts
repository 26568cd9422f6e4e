/**
 * The job state machine, case by case: every job state against every on-chain status
 * (ours or another relayer's), windows and deadlines on either side, and the races
 * with other relayers, requesters and reorgs. Each row reads as a sentence: given a
 * job and what the relayer observed of its request, the step `decide` returns.
 */
import { expect } from "chai";
import {
  decide,
  type Action,
  type ChainView,
  type DecidedJob,
  type OpenView,
  type Policy,
  type ServedModel,
  type Step,
  type TheirAnswer,
} from "../../relayer/src/decide.js";
import type { CheckedOutput, JobState, Verdict } from "../../relayer/src/store.js";
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
  outputSize: 1,
  modelKind: 0,
  proofMode: 1,
  nonce: 1,
};
const DEADLINE = Number(TERMS.deadline);
const LATER = NOW + 15; // when the auction offers our cost

const PRICE_SIGNAL: ServedModel = { name: "price-signal", kind: "circuit", modes: ["zk", "optimistic"], computeCost: 2n * UNIT };
const POLICY: Policy = {
  models: new Map([[MODEL, PRICE_SIGNAL]]),
  pricing: { margin: 1, tokenUnitsPerWei: 0 },
  watchtower: { enabled: true, minProfit: 0n },
  deadlineMarginSeconds: 30,
  maxJobFailures: 3,
};
const REFUSED_NOTE = "price-signal is refused: artifactHash 0x01 differs from the manifest's 0x02";
const REFUSED: Policy = {
  ...POLICY,
  models: new Map([[MODEL, { ...PRICE_SIGNAL, refusal: "artifactHash 0x01 differs from the manifest's 0x02" }]]),
};
const ZK_ONLY: Policy = { ...POLICY, models: new Map([[MODEL, { ...PRICE_SIGNAL, modes: ["zk"] }]]) };
const NO_WATCHTOWER: Policy = { ...POLICY, watchtower: { enabled: false, minProfit: 0n } };

function job(state: JobState, changes: Partial<DecidedJob> = {}): DecidedJob {
  return {
    modelId: MODEL,
    mode: "optimistic",
    state,
    terms: TERMS,
    checked: null,
    commit: null,
    failures: 0,
    lastFailure: null,
    ...changes,
  };
}

/** The output another relayer's answer posts in these rows, and another one posted under the same request id later. */
const POSTED = JSON.stringify(["7"]);
const POSTED_LATER = JSON.stringify(["8"]);
/** A challenge commitment's salt. */
const SALT = "0x" + "11".repeat(32);

/** A job whose posted output the watchtower checked: `verdict` on `output`. */
const checkedAs = (verdict: Verdict, output = POSTED): { checked: CheckedOutput } => ({ checked: { output, verdict } });
const zkJob = (state: JobState) => job(state, { mode: "zk" });

const WINDOW_ENDS = NOW + 30;
/** Another relayer's answer, claimed when the auction offered 1 unit, at a 1 gwei gas price (the terms lock a 20% dispute share). */
const THEIR_ANSWER = { claimedAt: NOW - 15, gasPriceWei: 1_000_000_000n };
/** Claimed when the auction had reached its 3-unit maximum. */
const CLAIMED_AT_MAX = { claimedAt: NOW + 45 };
const WINDOW_ENDED = NOW - 1;
const chain = {
  none: { status: "none" } as ChainView,
  fulfilled: { status: "fulfilled" } as ChainView,
  refunded: { status: "refunded" } as ChainView,
  open: (market: Partial<OpenView> = {}): ChainView => ({
    status: "open",
    gasPriceWei: 1_000_000_000n,
    freeStake: 1_000n * UNIT,
    secondsToAnswer: 1,
    formerClaimant: false,
    reopenedAt: 0,
    ...market,
  }),
  claimedByUs: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "claimed", ours: true, phaseEndsAt }),
  claimedByAnother: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "claimed", ours: false, phaseEndsAt }),
  ourAnswerPending: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "pending", ours: true, phaseEndsAt }),
  theirAnswerPending: (phaseEndsAt = WINDOW_ENDS, posted = POSTED, market: Partial<TheirAnswer> = {}): ChainView => ({
    status: "pending",
    ours: false,
    phaseEndsAt,
    ...THEIR_ANSWER,
    posted,
    ...market,
  }),
  ourAnswerDisputed: (phaseEndsAt = WINDOW_ENDS): ChainView => ({ status: "disputed", ours: true, phaseEndsAt }),
  theirAnswerDisputed: (phaseEndsAt = WINDOW_ENDS, posted = POSTED, market: Partial<TheirAnswer> = {}): ChainView => ({
    status: "disputed",
    ours: false,
    phaseEndsAt,
    ...THEIR_ANSWER,
    posted,
    ...market,
  }),
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

const ALL_STATES: JobState[] = [
  "new",
  "waiting",
  "claiming",
  "claimed",
  "ready",
  "submitted",
  "defending",
  "watching",
  "committed",
  "challenging",
  "skipped",
  "failed",
  "done",
  "ignored",
];
const STATES_OF_A_MODEL_WE_RUN = ALL_STATES.filter((state) => state !== "ignored");

const CASES: Record<string, Case[]> = {
  "a request that reached its end": [
    ...STATES_OF_A_MODEL_WE_RUN.map((state) => ({
      does: `is done with a ${state} job once its request is fulfilled`,
      job: job(state),
      chain: chain.fulfilled,
      step: waitIn("done", "fulfilled"),
    })),
    ...STATES_OF_A_MODEL_WE_RUN.map((state) => ({
      does: `is done with a ${state} job once its request is refunded`,
      job: job(state),
      chain: chain.refunded,
      step: waitIn("done", "refunded"),
    })),
    {
      does: "is done with a request another relayer answered while we waited for a better price",
      job: job("waiting"),
      chain: chain.fulfilled,
      step: waitIn("done", "fulfilled"),
    },
    {
      does: "is done with a request its requester cancelled or let expire while another relayer held it",
      job: job("watching"),
      chain: chain.refunded,
      step: waitIn("done", "refunded"),
    },
  ],
  "a request not on the chain": [
    {
      does: "leaves a new job as it is while a reorg has undone its request (the watcher's rewind deals with it)",
      job: job("new"),
      chain: chain.none,
      step: waitIn("new"),
    },
    {
      does: "leaves a submitted job as it is while its request is not on the chain",
      job: job("submitted"),
      chain: chain.none,
      step: waitIn("submitted"),
    },
  ],
  "a model we do not run": [
    ...(["none", "open", "claimed", "pending", "disputed", "fulfilled"] as const).map((status) => ({
      does: `ignores a request for a model we do not run when it is ${status}`,
      job: job("new", { modelId: UNKNOWN_MODEL }),
      chain:
        status === "open"
          ? chain.open()
          : status === "claimed"
            ? chain.claimedByAnother()
            : status === "pending"
              ? chain.theirAnswerPending()
              : status === "disputed"
                ? chain.theirAnswerDisputed()
                : { status },
      step: waitIn("ignored"),
    })),
    { does: "keeps an ignored job ignored", job: job("ignored", { modelId: UNKNOWN_MODEL }), chain: chain.open(), step: waitIn("ignored") },
  ],
  "a request set aside as not served, after a restart with its model or mode in the config (the store puts it back to new)": [
    {
      does: "claims a request of a model the earlier run did not serve",
      job: job("new", { modelId: MODEL }),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "claims a request in a mode the earlier run did not answer",
      job: zkJob("new"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "claims an ignored job as a new one, had the store not put it back",
      job: job("ignored"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "watches a request another relayer claimed meanwhile",
      job: job("new"),
      chain: chain.claimedByAnother(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "checks another relayer's answer to it, posted meanwhile",
      job: job("new"),
      chain: chain.theirAnswerPending(),
      step: check("watching"),
    },
    { does: "is done with a request answered meanwhile", job: job("new"), chain: chain.fulfilled, step: waitIn("done", "fulfilled") },
    {
      does: "still does not serve it when the restart serves its model but not its mode",
      job: job("new"),
      chain: chain.open(),
      now: LATER,
      policy: ZK_ONLY,
      step: waitIn("watching", "we do not answer optimistic requests of price-signal"),
    },
  ],
  "an open request": [
    {
      does: "waits while the auction offers less than our cost",
      job: job("new"),
      chain: chain.open(),
      step: waitIn("waiting", `offered ${(3n * UNIT) / 2n} does not cover our cost yet`),
    },
    {
      does: "claims once the auction's offer covers our cost",
      job: job("waiting"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "claims a new request whose offer already covers our cost",
      job: zkJob("new"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "claims without waiting longer once the requester raised the maximum fee",
      job: job("waiting", { terms: raiseTerms(TERMS, 5n * UNIT) }),
      chain: chain.open(),
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "waits when the offer covers our cost but our free stake does not cover the job bond",
      job: job("new"),
      chain: chain.open({ freeStake: 100n * UNIT - 1n }),
      now: LATER,
      step: waitIn("waiting", "not enough free stake"),
    },
    {
      does: "claims when our free stake covers the job bond exactly",
      job: job("new"),
      chain: chain.open({ freeStake: 100n * UNIT }),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "names the price, not the stake, when neither suffices",
      job: job("new"),
      chain: chain.open({ freeStake: 0n }),
      step: waitIn("waiting", `offered ${(3n * UNIT) / 2n} does not cover our cost yet`),
    },
    {
      does: "counts gas at the operator's token price: a dear gas price keeps it waiting",
      job: job("new"),
      chain: chain.open({ gasPriceWei: 10n ** 12n }),
      now: LATER,
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 10 } },
      step: waitIn("waiting", `offered ${2n * UNIT} does not cover our cost yet`),
    },
    {
      does: "claims at the last second claims are open: a whole delivery window before the deadline",
      job: job("waiting"),
      chain: chain.open({ secondsToAnswer: 5 }),
      now: DEADLINE - 60,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "does not claim once claims have closed, a delivery window before the deadline (the coordinator refuses: ClaimTooLate)",
      job: job("new"),
      chain: chain.open({ secondsToAnswer: 5 }),
      now: DEADLINE - 59,
      step: waitIn("watching", "too late to claim: claims close 60 s before the deadline"),
    },
    {
      does: "does not claim at the deadline itself",
      job: job("waiting"),
      chain: chain.open(),
      now: DEADLINE,
      step: waitIn("watching", "too late to claim: claims close 60 s before the deadline"),
    },
    {
      does: "sets aside a request whose delivery window is shorter than our measured time to answer and the margin",
      job: zkJob("new"),
      chain: chain.open({ secondsToAnswer: 31 }),
      now: LATER,
      step: waitIn("skipped", "an answer needs 61 s (our measured time and the margin), more than the 60 s delivery window", DEADLINE + 1),
    },
    {
      does: "rounds a fraction of a second of measured time up",
      job: job("new"),
      chain: chain.open({ secondsToAnswer: 30.2 }),
      now: LATER,
      step: waitIn("skipped", "an answer needs 61 s (our measured time and the margin), more than the 60 s delivery window", DEADLINE + 1),
    },
    {
      does: "keeps a request set aside when it is looked at again and still cannot be answered in time",
      job: job("skipped"),
      chain: chain.open({ secondsToAnswer: 31 }),
      now: LATER,
      step: waitIn("skipped", "an answer needs 61 s (our measured time and the margin), more than the 60 s delivery window", DEADLINE + 1),
    },
    {
      does: "does not claim a request it lost, after a reopen or a dispute timeout (the coordinator refuses: FormerClaimant)",
      job: job("claimed"),
      chain: chain.open({ formerClaimant: true }),
      now: LATER,
      step: waitIn("watching", "we lost this request's claim: the coordinator refuses us another (FormerClaimant)"),
    },
    {
      does: "waits for the next second to claim a request reopened in this one (the coordinator refuses: ClaimTooSoon)",
      job: job("watching"),
      chain: chain.open({ reopenedAt: LATER }),
      now: LATER,
      step: waitIn("waiting", "reopened this second: claimable from the next (ClaimTooSoon)", LATER + 1),
    },
    {
      does: "claims a reopened request from the second after its reopen",
      job: job("watching"),
      chain: chain.open({ reopenedAt: LATER - 1 }),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was watching)"),
    },
    {
      does: "claims a request it had set aside once it can answer in time (looked at again on an event, such as a raise)",
      job: job("skipped"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "claims a zk request whose offer covers its answer with a small callback gas limit",
      // At the auction's 3-unit maximum, 1 unit is left over our 2-unit compute cost: (60,000 + 530,000 + 100,000) gas × 1 gwei × 1,000 = 0.69 units.
      job: job("new", { mode: "zk", terms: { ...TERMS, callbackGasLimit: 100_000 } }),
      chain: chain.open(),
      now: NOW + 45,
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 1_000 } },
      step: send("claim", "claiming", "claimed", "waiting"),
    },
    {
      does: "waits on the same zk request when its callback gas limit, which the answer may spend, makes it cost more than offered",
      // (60,000 + 530,000 + 2,000,000) gas × 1 gwei × 1,000 = 2.59 units.
      job: job("new", { mode: "zk", terms: { ...TERMS, callbackGasLimit: 2_000_000 } }),
      chain: chain.open(),
      now: NOW + 45,
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 1_000 } },
      step: waitIn("waiting", `offered ${3n * UNIT} does not cover our cost yet`),
    },
    {
      does: "prices an optimistic answer's finalize, which calls back, with the callback gas limit too",
      // (60,000 + 70,000 + 90,000 + 2,000,000) gas × 1 gwei × 1,000 = 2.22 units.
      job: job("new", { terms: { ...TERMS, callbackGasLimit: 2_000_000 } }),
      chain: chain.open(),
      now: NOW + 45,
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 1_000 } },
      step: waitIn("waiting", `offered ${3n * UNIT} does not cover our cost yet`),
    },
    {
      does: "takes no step for an open request of a refused model",
      job: job("new"),
      chain: chain.open(),
      now: LATER,
      policy: REFUSED,
      step: waitIn("watching", REFUSED_NOTE),
    },
    {
      does: "is done with a request still open after its deadline",
      job: job("waiting"),
      chain: chain.open(),
      now: DEADLINE + 1,
      step: waitIn("done", "deadline passed while open"),
    },
    {
      does: "sets aside a request in a mode we do not answer, for the watchtower",
      job: job("new"),
      chain: chain.open(),
      now: LATER,
      policy: ZK_ONLY,
      step: waitIn("watching", "we do not answer optimistic requests of price-signal"),
    },
    {
      does: "keeps a request set aside as not served set aside when it is open again",
      job: job("watching"),
      chain: chain.open(),
      now: LATER,
      policy: ZK_ONLY,
      step: waitIn("watching", "we do not answer optimistic requests of price-signal"),
    },
    {
      does: "claims a request reopened after its claimant's delivery window passed",
      job: job("watching"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was watching)"),
    },
    {
      does: "claims again when our claim never landed (a crash, or a reorg undid it)",
      job: job("claiming"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was claiming)"),
    },
    {
      does: "claims again when a reorg undid the claim we were answering",
      job: job("claimed"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was claimed)"),
    },
    {
      does: "claims again when a reorg undid our submitted answer and its claim",
      job: job("submitted"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was submitted)"),
    },
    {
      does: "claims again when a dispute we watched timed out and reopened the request",
      job: job("challenging"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was challenging)"),
    },
    {
      does: "claims again when a reorg undid the answer of a job we had finished",
      job: job("done"),
      chain: chain.open(),
      now: LATER,
      step: send("claim", "claiming", "claimed", "waiting", "the request is open again (was done)"),
    },
  ],
  "a request claimed by us": [
    {
      does: "answers a zk request with a proof once our claim is mined",
      job: zkJob("claiming"),
      chain: chain.claimedByUs(),
      step: send("fulfillZk", "claimed", "done", "ready"),
    },
    {
      does: "answers an optimistic request with its output",
      job: job("claimed"),
      chain: chain.claimedByUs(),
      step: send("submitOptimistic", "claimed", "submitted", "ready"),
    },
    {
      does: "sends the stored answer of a ready job again (after a restart or a lost send)",
      job: zkJob("ready"),
      chain: chain.claimedByUs(),
      step: send("fulfillZk", "ready", "done", "ready"),
    },
    {
      does: "answers when it was still waiting (our claim landed before the store recorded it)",
      job: job("waiting"),
      chain: chain.claimedByUs(),
      step: send("submitOptimistic", "claimed", "submitted", "ready"),
    },
    {
      does: "answers even after its delivery window, as long as nobody reopened it",
      job: job("claimed"),
      chain: chain.claimedByUs(WINDOW_ENDED),
      step: send("submitOptimistic", "claimed", "submitted", "ready"),
    },
    {
      does: "retries the answer after fewer failures than maxJobFailures",
      job: job("ready", { mode: "zk", failures: 2, lastFailure: "fulfillZk: Reverted" }),
      chain: chain.claimedByUs(),
      step: send("fulfillZk", "ready", "done", "ready"),
    },
    {
      does: "gives a job up after maxJobFailures failures of its own steps, naming the last",
      job: job("ready", { mode: "zk", failures: 3, lastFailure: "fulfillZk: InvalidProof" }),
      chain: chain.claimedByUs(),
      step: waitIn("failed", "gave up after 3 failures; the last: fulfillZk: InvalidProof"),
    },
    {
      does: "does not answer our claim on a model refused since we claimed",
      job: zkJob("claimed"),
      chain: chain.claimedByUs(),
      policy: REFUSED,
      step: waitIn("watching", REFUSED_NOTE),
    },
    {
      does: "gives up a claim whose deadline passed before we answered (the request can only expire)",
      job: zkJob("claimed"),
      chain: chain.claimedByUs(WINDOW_ENDED),
      now: DEADLINE + 1,
      step: waitIn("done", "the deadline passed before we answered"),
    },
  ],
  "a request claimed by another relayer": [
    {
      does: "watches a request claimed by someone else between our check and our claim, until its delivery window ends",
      job: job("claiming"),
      chain: chain.claimedByAnother(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "watches a request another relayer claimed while we waited for a better price",
      job: job("waiting"),
      chain: chain.claimedByAnother(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "watches a request another relayer claimed before we first looked",
      job: job("new"),
      chain: chain.claimedByAnother(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "still waits at the last second of the claimant's delivery window",
      job: job("watching"),
      chain: chain.claimedByAnother(),
      now: WINDOW_ENDS,
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "reopens a claim its relayer did not answer within the delivery window",
      job: job("watching"),
      chain: chain.claimedByAnother(WINDOW_ENDED),
      step: send("reopen", "watching", "new", "watching", "the holder's window passed: reopen"),
    },
    {
      does: "reopens a late claim even in a mode we do not answer",
      job: job("watching"),
      chain: chain.claimedByAnother(WINDOW_ENDED),
      policy: ZK_ONLY,
      step: send("reopen", "watching", "new", "watching", "the holder's window passed: reopen"),
    },
    {
      does: "does not reopen a late claim once the deadline passed too",
      job: job("watching"),
      chain: chain.claimedByAnother(DEADLINE - 60),
      now: DEADLINE + 1,
      step: waitIn("watching", "the holder's window and the deadline passed: the request can only expire"),
    },
    {
      does: "watches again when a reorg turned our claim into another relayer's",
      job: zkJob("ready"),
      chain: chain.claimedByAnother(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
  ],
  "our optimistic answer, pending": [
    {
      does: "waits out the challenge window of our answer",
      job: job("submitted"),
      chain: chain.ourAnswerPending(),
      step: waitIn("submitted"),
    },
    {
      does: "records our answer as submitted when it was mined before the store knew",
      job: job("ready"),
      chain: chain.ourAnswerPending(),
      step: waitIn("submitted"),
    },
    {
      does: "records our answer as submitted after a restart in the claimed state",
      job: job("claimed"),
      chain: chain.ourAnswerPending(),
      step: waitIn("submitted"),
    },
    {
      does: "finalizes our answer when its challenge window ends",
      job: job("submitted"),
      chain: chain.ourAnswerPending(NOW),
      step: send("finalize", "submitted", "submitted", "submitted"),
    },
    {
      does: "finalizes our answer long after its challenge window",
      job: job("submitted"),
      chain: chain.ourAnswerPending(WINDOW_ENDED),
      step: send("finalize", "submitted", "submitted", "submitted"),
    },
  ],
  "another relayer's optimistic answer, pending": [
    {
      does: "has the watchtower check an answer it has not checked yet",
      job: job("watching"),
      chain: chain.theirAnswerPending(),
      step: check("watching"),
    },
    {
      does: "checks another relayer's answer to a request we were claiming",
      job: job("claiming"),
      chain: chain.theirAnswerPending(),
      step: check("watching"),
    },
    {
      does: "checks answers in a mode we do not answer ourselves",
      job: job("watching"),
      chain: chain.theirAnswerPending(),
      policy: ZK_ONLY,
      step: check("watching"),
    },
    {
      does: "leaves a right answer alone",
      job: job("watching", checkedAs("right")),
      chain: chain.theirAnswerPending(),
      step: waitIn("watching"),
    },
    {
      does: "challenges a wrong answer",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(),
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "challenges a wrong answer in the last second of its challenge window",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(NOW + 1),
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "does not challenge once the challenge window closed",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(NOW),
      step: waitIn("watching"),
    },
    {
      does: "does not even check an answer whose challenge window closed",
      job: job("watching"),
      chain: chain.theirAnswerPending(WINDOW_ENDED),
      step: waitIn("watching"),
    },
    // The profit of these rows: the 100-unit bond less the 20% share (80), plus the 1-unit compute fee, less our 2-unit compute cost: 79 units.
    {
      does: "challenges when the expected profit reaches watchtower.minProfit exactly",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(),
      policy: { ...POLICY, watchtower: { enabled: true, minProfit: 79n * UNIT } },
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "does not challenge when the bond less the protocol's dispute share falls short of watchtower.minProfit, though the bond alone would not",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(),
      policy: { ...POLICY, watchtower: { enabled: true, minProfit: 79n * UNIT + 1n } },
      step: waitIn("watching", `a wrong answer, but challenging it is expected to earn ${79n * UNIT}, below watchtower.minProfit`),
    },
    {
      does: "does not challenge when the gas of the challenge and the fraud proof (with the request's callback) eats the bond",
      job: job("watching", checkedAs("wrong")),
      // (90,000 + 580,000 + 200,000 gas) × 1 gwei × 100,000 token units per wei = 87 units.
      chain: chain.theirAnswerPending(),
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 100_000 } },
      step: waitIn(
        "watching",
        `a wrong answer, but challenging it is expected to earn ${79n * UNIT - 87n * UNIT}, below watchtower.minProfit`,
      ),
    },
    {
      does: "counts the compute fee the fraud proof earns: the auction's price when the wrong relayer claimed",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(WINDOW_ENDS, POSTED, CLAIMED_AT_MAX), // 81 units in all
      policy: { ...POLICY, watchtower: { enabled: true, minProfit: 81n * UNIT } },
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "does not challenge a wrong answer of a refused model",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(),
      policy: REFUSED,
      step: waitIn("watching", REFUSED_NOTE),
    },
    {
      does: "only watches when the watchtower is off",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(),
      policy: NO_WATCHTOWER,
      step: waitIn("watching"),
    },
    {
      does: "checks an output posted after the request reopened, though an earlier output under the same request id was checked right",
      job: job("watching", checkedAs("right")),
      chain: chain.theirAnswerPending(WINDOW_ENDS, POSTED_LATER),
      step: check("watching"),
    },
    {
      does: "challenges the later output once it is checked wrong",
      job: job("watching", checkedAs("wrong", POSTED_LATER)),
      chain: chain.theirAnswerPending(WINDOW_ENDS, POSTED_LATER),
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "reveals its challenge once its commitment to the posted output is mined (a later block)",
      job: job("committed", { ...checkedAs("wrong"), commit: { output: POSTED, salt: SALT } }),
      chain: chain.theirAnswerPending(),
      step: send("challenge", "committed", "challenging", "committed"),
    },
    {
      does: "does not reveal a commitment made on an earlier output under the same request id: it commits anew",
      job: job("committed", { ...checkedAs("wrong", POSTED_LATER), commit: { output: POSTED, salt: SALT } }),
      chain: chain.theirAnswerPending(WINDOW_ENDS, POSTED_LATER),
      step: send("commitChallenge", "watching", "committed", "watching"),
    },
    {
      does: "does not reveal once the challenge window closed",
      job: job("committed", { ...checkedAs("wrong"), commit: { output: POSTED, salt: SALT } }),
      chain: chain.theirAnswerPending(NOW),
      step: waitIn("watching"),
    },
    {
      does: "does not carry a wrong verdict over to a later output either",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerPending(WINDOW_ENDS, POSTED_LATER),
      step: check("watching"),
    },
    {
      does: "watches another relayer's answer to a request that was ours before a reorg",
      job: job("submitted", checkedAs("right")),
      chain: chain.theirAnswerPending(),
      step: waitIn("watching"),
    },
  ],
  "our answer, disputed": [
    {
      does: "defends our answer against a dispute",
      job: job("submitted"),
      chain: chain.ourAnswerDisputed(),
      step: send("defend", "defending", "done", "defending"),
    },
    {
      does: "sends the defence again after a lost send or a restart",
      job: job("defending"),
      chain: chain.ourAnswerDisputed(),
      step: send("defend", "defending", "done", "defending"),
    },
    {
      does: "defends in the last second of the defence window",
      job: job("submitted"),
      chain: chain.ourAnswerDisputed(NOW),
      step: send("defend", "defending", "done", "defending"),
    },
    {
      does: "stops defending once the defence window passed",
      job: job("defending"),
      chain: chain.ourAnswerDisputed(WINDOW_ENDED),
      step: waitIn("watching", "our answer was challenged and the defence window passed"),
    },
  ],
  "another relayer's answer, disputed": [
    {
      does: "proves the fraud of a wrong answer we challenged",
      job: job("challenging", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(),
      step: send("proveFraud", "challenging", "done", "challenging"),
    },
    {
      does: "checks the answer again when its verdict was lost with a restart",
      job: job("challenging"),
      chain: chain.theirAnswerDisputed(),
      step: check("challenging"),
    },
    { does: "checks an answer someone else disputed", job: job("watching"), chain: chain.theirAnswerDisputed(), step: check("watching") },
    // A fraud proof of someone else's dispute earns us nothing: the bond and the compute fee both go to its challenger (a copied proof gains nothing).
    {
      does: "leaves a wrong answer someone else disputed to its challenger, though the compute fee is at the auction's maximum",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(WINDOW_ENDS, POSTED, CLAIMED_AT_MAX),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "proves the fraud even after the defence window",
      job: job("challenging", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(WINDOW_ENDED),
      step: send("proveFraud", "challenging", "done", "challenging"),
    },
    {
      does: "waits out the defence window of a right answer someone disputed",
      job: job("watching", checkedAs("right")),
      chain: chain.theirAnswerDisputed(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "resolves a dispute whose relayer did not defend in time",
      job: job("watching", checkedAs("right")),
      chain: chain.theirAnswerDisputed(WINDOW_ENDED),
      step: send("resolveDisputeTimeout", "watching", "new", "watching", "the holder's window passed: resolveDisputeTimeout"),
    },
    {
      does: "resolves an undefended dispute even with the watchtower off",
      job: job("watching"),
      chain: chain.theirAnswerDisputed(WINDOW_ENDED),
      policy: NO_WATCHTOWER,
      step: send("resolveDisputeTimeout", "watching", "new", "watching", "the holder's window passed: resolveDisputeTimeout"),
    },
    {
      does: "checks a later output under dispute, though an earlier one under the same request id was checked right",
      job: job("watching", checkedAs("right")),
      chain: chain.theirAnswerDisputed(WINDOW_ENDS, POSTED_LATER),
      step: check("watching"),
    },
    {
      does: "checks a later wrong output someone else disputed and leaves it to its challenger too",
      job: job("watching", checkedAs("wrong", POSTED_LATER)),
      chain: chain.theirAnswerDisputed(WINDOW_ENDS, POSTED_LATER, CLAIMED_AT_MAX),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "leaves a dispute someone else started to its defence window when the fraud proof's compute fee does not cover our compute cost",
      job: job("watching", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(),
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "leaves a dispute someone else started to its defence window when the fraud proof's compute fee does not pay for its gas",
      job: job("watching", checkedAs("wrong")),
      // 780,000 gas × 1 gwei × 10,000 token units per wei = 7.8 units, more than the 3-unit fee leaves over our 2-unit cost.
      chain: chain.theirAnswerDisputed(WINDOW_ENDS, POSTED, CLAIMED_AT_MAX),
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 10_000 } },
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
    {
      does: "proves the fraud of a dispute of ours even when the fraud proof alone would not pay (the challenge is already made)",
      job: job("challenging", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(),
      policy: { ...POLICY, pricing: { margin: 1, tokenUnitsPerWei: 10_000 } },
      step: send("proveFraud", "challenging", "done", "challenging"),
    },
    {
      does: "takes no step in a dispute over a refused model's answer",
      job: job("challenging", checkedAs("wrong")),
      chain: chain.theirAnswerDisputed(WINDOW_ENDED),
      policy: REFUSED,
      step: waitIn("watching", REFUSED_NOTE),
    },
    {
      does: "waits out the defence window with the watchtower off",
      job: job("watching"),
      chain: chain.theirAnswerDisputed(),
      policy: NO_WATCHTOWER,
      step: waitIn("watching", undefined, WINDOW_ENDS + 1),
    },
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
    const seen = new Set(
      rows.map((row) => ("ours" in row.chain ? `${row.chain.status}, ${row.chain.ours ? "ours" : "another's"}` : row.chain.status)),
    );
    expect(seen).to.have.all.keys(
      "none",
      "open",
      "claimed, ours",
      "claimed, another's",
      "pending, ours",
      "pending, another's",
      "disputed, ours",
      "disputed, another's",
      "fulfilled",
      "refunded",
    );
  });
});
