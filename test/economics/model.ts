/**
 * The expected-profit model of the economics simulation: the path payoffs measured on chain
 * (simulation.ts, paths.ts) combined with stated probabilities into an expected profit per
 * request for each strategy, the bribed relayer's sweep over bribes and job bonds with its
 * exact break-even condition, and the printed tables.
 *
 * Every probability is an assumption, stated here and printed with the table; every payoff is
 * a measurement. Nothing below restates a protocol formula: where a payoff's dependence on a
 * parameter matters (the bribe's break-even), it is read from paths measured at each value.
 */
import { printTable } from "../../sdk/format.js";
import { serviceCost, UNIT, type PartyResult, type PathResult, type World } from "./simulation.js";
import * as paths from "./paths.js";
import { committeePaths, RIGHT } from "./committee.js";

/** The stated probabilities (see docs/DESIGN.md, "Economics: the default parameters and why"). */
export interface Assumptions {
  /**
   * p_w: probability that an honest watchtower challenges a wrong optimistic answer within its
   * challenge window. Every dishonest strategy's expected profit falls as p_w rises, so the
   * assertions hold for every p_w at or above this lower bound.
   */
  pWatch: number;
  /**
   * q: probability that a cheater about to be challenged gets its own challenge (and fraud proof)
   * mined first, recovering its bond as its own challenger (a self-dispute): 0 when watchtowers
   * submit challenges privately, up to 1 with a public mempool and a cheater that front-runs.
   */
  pFrontRun: number;
  /** g: probability that a right optimistic answer is challenged by a griefer (it only pays the relayer). */
  pGrief: number;
}

export const ASSUMPTIONS: Assumptions = { pWatch: 0.5, pFrontRun: 0, pGrief: 0 };

/** The job bonds (request security levels) the bribe sweep plays on chain, in tokens; the first is the default. */
export const JOB_BONDS = [100n, 250n, 1_000n].map((b) => b * UNIT);
/** The bribes the sweep tries, in tokens. */
export const BRIBES = [
  0, 1, 5, 10, 15, 20, 25, 50, 75, 90, 95, 99, 100, 101, 110, 150, 200, 240, 250, 300, 500, 900, 1_000, 1_100, 2_000, 5_000,
];
/** The deadlines (seconds after the request) a griefing requester tries: the next block, a minute, one second short of the delivery window, exactly the window. */
export const SHORT_DEADLINES = [1, 60, 599, 600];

export type Measurements = Record<string, PathResult>;

/** Plays every path of every strategy on the world's chain (each from the same snapshot). */
export async function measureAll(w: World): Promise<Measurements> {
  const runs: (() => Promise<PathResult>)[] = [
    () => paths.honestZk(w),
    () => paths.honestOptimistic(w),
    () => paths.griefingChallenge(w),
    () => paths.lazy(w),
    ...JOB_BONDS.flatMap((b) => [
      () => paths.honestOptimistic(w, b),
      () => paths.cheatUnchallenged(w, b),
      () => paths.cheatCaught(w, b),
      () => paths.selfDispute(w, b),
    ]),
    ...SHORT_DEADLINES.map((d) => () => paths.griefingRequester(w, d)),
    () => paths.ownerRefused(w),
    () => paths.ownerFeeFrontRun(w),
    () => paths.ownerSwapsCodeToAccept(w),
    () => paths.ownerSwapsCodeToReject(w),
    () => paths.ownerSwapsCodeToRejectOptimistic(w),
    () => paths.ownerRejectsZk(w),
    () => paths.ownerRejectsOptimistic(w),
    () => paths.ownerAcceptsOptimistic(w),
    () => paths.copyFulfilment(w),
    () => paths.copyFraudProof(w),
    () => paths.copyChallenge(w),
    ...committeePaths(w),
  ];
  const m: Measurements = {};
  for (const run of runs) {
    const result = await run();
    m[result.id] = result;
  }
  return m;
}

export function tokens(units: bigint): number {
  return Number(units) / Number(UNIT);
}

/** One path of a strategy, with the probability the strategy meets it (or "choice": the strategy picks its best option). */
export interface Line {
  path: string;
  party: string;
  probability: number | "choice";
  result: PartyResult;
  /** What the party would have made on the same request by behaving honestly (model owners); 0 otherwise. */
  baseline: bigint;
  note?: string;
}

export interface Strategy {
  name: string;
  honest: boolean;
  /** Set when the strategy is outside the stated assumptions and still pays: an open finding (what it needs). */
  open?: string;
  lines: Line[];
  /** Expected profit per request (tokens): Σ p·payoff, or the best choice's payoff less its baseline. */
  expected: number;
  assumption: string;
}

function line(m: Measurements, path: string, party: string, probability: number | "choice", baseline = 0n, note?: string): Line {
  const result = m[path]?.parties[party];
  if (!result) throw new Error(`no measurement of ${party} on ${path}`);
  return { path, party, probability, result, baseline, note };
}

function mix(lines: Line[]): number {
  return lines.reduce((sum, l) => sum + (l.probability as number) * tokens(l.result.profit - l.baseline), 0);
}

function best(lines: Line[]): number {
  return Math.max(...lines.map((l) => tokens(l.result.profit - l.baseline)));
}

/** A bribe V (tokens), paid by the briber only when the wrong output is final: a pseudo-line of the bribed relayer's unchallenged path. */
function bribeLine(v: number, probability: number): Line {
  const units = BigInt(Math.round(v * 1e6)) * (UNIT / 1_000_000n);
  return {
    path: "bribe (paid when the wrong output is final)",
    party: "cheater",
    probability,
    result: { tokens: units, gas: 0n, gasCost: 0n, offChain: 0n, profit: units },
    baseline: 0n,
  };
}

/** The cheater's payoff mix at job bond `b`: unchallenged (1 − p_w), caught (p_w (1 − q)), self-disputed first (p_w q). */
function cheatLines(m: Measurements, b: bigint, a: Assumptions): Line[] {
  const k = b / UNIT;
  return [
    line(m, `cheat-unchallenged@${k}`, "cheater", 1 - a.pWatch),
    line(m, `cheat-caught@${k}`, "cheater", a.pWatch * (1 - a.pFrontRun)),
    line(m, `self-dispute@${k}`, "selfDisputer", a.pWatch * a.pFrontRun),
  ].filter((l) => l.probability !== 0);
}

/** What the owner would have made honestly on each owner path's request (the baseline its strategy is measured against). */
function ownerBaselines(w: World, m: Measurements): Record<string, bigint> {
  const posted = BigInt(m["owner-fee-front-run"].facts.postedFee);
  const optimistic = serviceCost(w, "optimistic").cost;
  const served = (path: string) => posted + BigInt(m[path].facts.computeFee ?? 0n) - optimistic;
  return {
    "owner-refused": 0n, // its own bait request: it would have paid its model fee to itself
    "owner-fee-front-run": posted, // a third party's request, at the fee it posted
    "owner-swaps-code-accept": served("owner-swaps-code-accept"), // it would have served the request honestly
    "owner-swaps-code-reject": 0n, // its own bait request
    "owner-swaps-code-reject-optimistic": posted,
    "owner-rejects-zk": 0n,
    "owner-rejects-optimistic": posted,
    "owner-accepts-optimistic": served("owner-accepts-optimistic"),
  };
}

export const OWNER_PATHS_UNDER_THE_RULES = ["owner-refused", "owner-fee-front-run", "owner-swaps-code-accept"];
export const OWNER_PATHS_CODE_REPLACED = ["owner-swaps-code-reject", "owner-swaps-code-reject-optimistic"];
export const OWNER_PATHS_WITHOUT_THE_CHECK = ["owner-rejects-zk", "owner-rejects-optimistic", "owner-accepts-optimistic"];

/** Every strategy's paths and expected profit per request, at the default parameters and `a`. */
export function strategies(w: World, m: Measurements, a: Assumptions = ASSUMPTIONS, bribe = 50): Strategy[] {
  const b = JOB_BONDS[0];
  const baselines = ownerBaselines(w, m);
  const out: Strategy[] = [];
  const add = (name: string, honest: boolean, lines: Line[], combine: "mix" | "best", assumption: string, open?: string) =>
    out.push({ name, honest, lines, expected: combine === "mix" ? mix(lines) : best(lines), assumption, open });

  add(
    "honest relayer (zk)",
    true,
    [line(m, "honest-zk", "relayer", 1)],
    "mix",
    "claims when the auction's price reaches its cost × 1.2 (the reference relayer's margin); pays gas and the proof",
  );
  add(
    "honest relayer (optimistic)",
    true,
    [line(m, "honest-optimistic", "relayer", 1 - a.pGrief), line(m, "griefed-optimistic", "relayer", a.pGrief)].filter(
      (l) => l.probability !== 0,
    ),
    "mix",
    `g = ${a.pGrief} (a griefing challenge only pays it: see the griefed path); pays gas, inference and 10 %/yr on its bond for the window`,
  );
  add(
    "lazy relayer",
    false,
    [line(m, "lazy", "lazy", 1)],
    "mix",
    "claims at the clearing price, never answers; anyone reopens after the delivery window",
  );
  add(
    "cheating optimistic relayer",
    false,
    cheatLines(m, b, a),
    "mix",
    `p_w = ${a.pWatch}, q = ${a.pFrontRun}; the cheater computes nothing`,
  );
  add(
    `bribed relayer (V = ${bribe}, jobBond = ${b / UNIT})`,
    false,
    [bribeLine(bribe, 1 - a.pWatch), ...cheatLines(m, b, a)],
    "mix",
    `p_w = ${a.pWatch}, q = ${a.pFrontRun}; V paid only if the wrong output becomes final (sweep below)`,
  );
  add(
    "self-disputing relayer",
    false,
    [line(m, `self-dispute@${b / UNIT}`, "selfDisputer", 1)],
    "mix",
    "posts a wrong output, then challenges it itself and proves the right one (one transaction)",
  );
  add(
    "griefing requester (short deadline)",
    false,
    SHORT_DEADLINES.map((d) => line(m, `short-deadline@${d}s`, "griefer", "choice")),
    "best",
    "best of the deadlines tried; a relayer claims at once and cannot prove before the deadline",
  );
  add(
    "griefing challenger",
    false,
    [line(m, "griefed-optimistic", "challenger", 1)],
    "mix",
    "challenges a right answer; the relayer defends with its proof",
  );
  add(
    "malicious model owner",
    false,
    OWNER_PATHS_UNDER_THE_RULES.map((p) => line(m, p, "owner", "choice", baselines[p])),
    "best",
    "best option less what honesty earns on the same request; relayers run the off-chain verifier check",
  );
  add(
    "copying bot",
    false,
    ["copy-fulfilment", "copy-fraud-proof", "copy-challenge"].map((p) => line(m, p, "bot", "choice")),
    "best",
    "best of the copies; replays calldata seen in the mempool with a higher tip (a challenge: both its commitment and its reveal)",
  );
  add(
    `bribed relayer, front-running (V = ${bribe}, jobBond = ${b / UNIT})`,
    false,
    [bribeLine(bribe, 1 - a.pWatch), ...cheatLines(m, b, { ...a, pFrontRun: 1 })],
    "mix",
    `q = 1: a public mempool; it sees each challenge coming and disputes itself first (p_w = ${a.pWatch}); deterred by the dispute share of its bond`,
  );
  add(
    "malicious model owner (verifier code replaced)",
    false,
    OWNER_PATHS_CODE_REPLACED.map((p) => line(m, p, "owner", "choice", baselines[p])),
    "best",
    "a chain without EIP-6780 (metamorphic redeploy), after the relayers checked the code; nobody is slashed over a changed verifier",
  );
  return out;
}

/** The owner's gains without the relayers' off-chain check (what the check protects), each less its honest baseline. */
export function ownerWithoutTheCheck(w: World, m: Measurements): Line[] {
  const baselines = ownerBaselines(w, m);
  return OWNER_PATHS_WITHOUT_THE_CHECK.map((p) => line(m, p, "owner", "choice", baselines[p]));
}

// ================================================================ the bribed relayer

export interface BribeLevel {
  jobBond: bigint;
  /** The compute fee the cheater's claim cleared at. */
  computeFee: bigint;
  /** Measured profits (token units): wrong output unchallenged (before the bribe), caught by a watchtower, self-disputed first. */
  unchallenged: bigint;
  caught: bigint;
  selfDisputed: bigint;
}

export function bribeLevels(m: Measurements): BribeLevel[] {
  return JOB_BONDS.map((b) => {
    const k = b / UNIT;
    const u = m[`cheat-unchallenged@${k}`];
    return {
      jobBond: b,
      computeFee: u.facts.computeFee as bigint,
      unchallenged: u.parties.cheater.profit,
      caught: m[`cheat-caught@${k}`].parties.cheater.profit,
      selfDisputed: m[`self-dispute@${k}`].parties.selfDisputer.profit,
    };
  });
}

/** The bribed relayer's expected profit (tokens) for bribe `v` at level `l`: (1 − p_w)(V + U) + p_w((1 − q) C + q S). */
export function bribedExpected(l: BribeLevel, v: number, a: Assumptions): number {
  const caught = (1 - a.pFrontRun) * tokens(l.caught) + a.pFrontRun * tokens(l.selfDisputed);
  return (1 - a.pWatch) * (v + tokens(l.unchallenged)) + a.pWatch * caught;
}

/** The exact break-even bribe: the bribed relayer loses money (in expectation) iff V < V* = p_w / (1 − p_w) · (−((1 − q) C + q S)) − U. */
export function breakEvenBribe(l: BribeLevel, a: Assumptions): number {
  if (a.pWatch >= 1) return Infinity;
  const caught = (1 - a.pFrontRun) * tokens(l.caught) + a.pFrontRun * tokens(l.selfDisputed);
  return (a.pWatch / (1 - a.pWatch)) * -caught - tokens(l.unchallenged);
}

/** The cheater's break-even watch probability: below p* = U / (U − C) cheating pays (no bribe, q = 0). */
export function breakEvenWatch(m: Measurements, b: bigint = JOB_BONDS[0]): number {
  const k = b / UNIT;
  const u = tokens(m[`cheat-unchallenged@${k}`].parties.cheater.profit);
  const c = tokens(m[`cheat-caught@${k}`].parties.cheater.profit);
  return u <= 0 ? 0 : u / (u - c);
}

// ================================================================ printing

const t3 = (units: bigint) => tokens(units).toFixed(3);
const n3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "∞");

export function strategyTable(list: Strategy[]): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const s of list) {
    s.lines.forEach((l, i) => {
      rows.push({
        strategy: i === 0 ? `${s.open ? "OPEN " : ""}${s.name}` : "",
        path: l.path,
        party: l.party,
        p: l.probability === "choice" ? "choice" : l.probability.toFixed(3),
        Δtokens: t3(l.result.tokens),
        gas: l.result.gas.toString(),
        "gas cost": t3(l.result.gasCost),
        "off-chain": t3(l.result.offChain),
        payoff: t3(l.result.profit),
        "honest baseline": l.baseline === 0n ? "" : t3(l.baseline),
        "E[profit]/request": i === 0 ? n3(s.expected) : "",
      });
    });
  }
  return rows;
}

export function bribeTable(levels: BribeLevel[], a: Assumptions, bribes = BRIBES): Record<string, string>[] {
  return levels.map((l) => {
    const row: Record<string, string> = {
      jobBond: t3(l.jobBond),
      fee: t3(l.computeFee),
      U: t3(l.unchallenged),
      C: t3(l.caught),
      S: t3(l.selfDisputed),
      "V*": n3(breakEvenBribe(l, a)),
    };
    for (const v of bribes) row[`V=${v}`] = bribedExpected(l, v, a).toFixed(1);
    return row;
  });
}

export function pathTable(m: Measurements): Record<string, string>[] {
  return Object.values(m).flatMap((r) =>
    Object.entries(r.parties).map(([party, p], i) => ({
      path: i === 0 ? r.id : "",
      party,
      Δtokens: t3(p.tokens),
      gas: p.gas.toString(),
      payoff: t3(p.profit),
    })),
  );
}

export function describeAssumptions(w: World, a: Assumptions): string[] {
  const p = w.prices;
  return [
    `gas price ${Number(p.gasPriceWei) / 1e9} gwei; 1 ETH = ${Number(p.tokenUnitsPerWei) / 1e3}k tokens (a token = 1 USD), so 1M gas = ${t3(1_000_000n * p.gasPriceWei * p.tokenUnitsPerWei)} tokens`,
    `off-chain costs (honest parties only): proof ${t3(p.proofCost)}, inference ${t3(p.inferenceCost)}, capital ${Number(p.capitalBpsPerYear) / 100} %/yr on a locked job bond; withdrawals not charged`,
    `market: requests offer 0.5 → 5 tokens over the auction; the cheapest relayer claims at its measured cost × ${Number(p.marginPpm) / 1e6} (zk ${t3(serviceCost(w, "zk").bid)}, optimistic ${t3(serviceCost(w, "optimistic").bid)}); model fee 2 tokens`,
    `p_w = ${a.pWatch} (lower bound: every dishonest E falls as p_w rises), q = ${a.pFrontRun} (front-running self-dispute), g = ${a.pGrief}`,
    `service gas measured in steady state: zk ${w.serviceGas.zk}, optimistic ${w.serviceGas.optimistic}; job bond per request from RequestParams.jobBond`,
  ];
}

/** Prints the strategies table, the assumptions, the owner's gains without the check and the bribe sweep. */
export function printReport(w: World, m: Measurements, log: (line: string) => void = console.log, a: Assumptions = ASSUMPTIONS): void {
  log("");
  log(
    "Expected profit per request of each strategy (tokens; payoff = Δtokens − gas cost − off-chain cost; OPEN: outside the assumptions, still pays):",
  );
  printTable(strategyTable(strategies(w, m, a)), log);
  log("");
  log("Assumptions:");
  for (const line of describeAssumptions(w, a)) log(`  - ${line}`);
  log(`  - a cheater breaks even only at p_w < p* = ${(breakEvenWatch(m) * 100).toFixed(3)} %`);
  log("");
  log("Malicious model owner without the relayers' verifier check (what the check protects):");
  printTable(
    ownerWithoutTheCheck(w, m).map((l) => ({
      path: l.path,
      Δtokens: t3(l.result.tokens),
      payoff: t3(l.result.profit),
      "honest baseline": t3(l.baseline),
      gain: t3(l.result.profit - l.baseline),
    })),
    log,
  );
  for (const q of [0, 1]) {
    log("");
    log(`Bribed relayer, E[profit] per request (tokens) at p_w = ${a.pWatch}, q = ${q}; U, C, S measured; loses iff V < V*:`);
    printTable(bribeTable(bribeLevels(m), { ...a, pFrontRun: q }, [0, 10, 20, 50, 99, 100, 150, 250, 1_000, 2_000]), log);
  }
  log("");
  printCommittee(w, m, log);
}

// ================================================================ the committee (language models' disputes)

/** The probabilities of a challenged language-model answer being wrong that the lazy-member table tries. */
export const WRONG_SHARES = [0.00001, 0.0001, 0.001, 0.01, 0.1, 0.5, 1];
/** The fractions of a model's serving relayers under one party's control that the capture table tries. */
export const COLLUDER_SHARES = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
/** Committee sizes the capture table compares (only the deployed one is played on chain). */
export const COMMITTEE_SIZES = [1, 3, 5, 7];

const payoff = (m: Measurements, path: string, party: string): bigint => {
  const r = m[path]?.parties[party];
  if (!r) throw new Error(`no measurement of ${party} on ${path}`);
  return r.profit;
};

/**
 * The lazy member (votes the posted answer without re-running) against an honest one, when the two
 * other members are honest. Its gain from laziness is the compute it saves, `c`; its loss, when the
 * posted answer is wrong (probability p), the majority's share it forgoes by ending in the minority.
 * Laziness pays iff c > c*(p) = p·(H_w − L_w) + (1 − p)·(H_r − L_r), every term measured with c = 0.
 */
export function lazyBreakEvenCompute(w: World, m: Measurements, pWrong: number): number {
  const c = w.prices.inferenceCost;
  const honestWrong = payoff(m, "committee-fraud", "member3") + c;
  const honestRight = payoff(m, "committee-defended", "member3") + c;
  const lazyWrong = payoff(m, "committee-lazy-wrong", "member3");
  const lazyRight = payoff(m, "committee-lazy-right", "member3");
  return pWrong * tokens(honestWrong - lazyWrong) + (1 - pWrong) * tokens(honestRight - lazyRight);
}

/** The least share of challenged answers that are wrong for which re-running pays, at the stated compute cost. */
export function lazyBreakEvenWrongShare(w: World, m: Measurements): number {
  const at0 = lazyBreakEvenCompute(w, m, 0);
  const at1 = lazyBreakEvenCompute(w, m, 1);
  const c = tokens(w.prices.inferenceCost);
  return (c - at0) / (at1 - at0);
}

function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * The probability that a party controlling `colluders` of the `eligible` relayers that can sit (the
 * model's serving relayers but the disputed answer's relayer and the challenger) holds a majority of
 * a committee of `k`: seats are distinct uniform picks (CommitteeVote.draw), so the count of its
 * members is hypergeometric; `eligible` = Infinity gives the binomial limit at share f = colluders.
 */
export function captureProbability(k: number, colluders: number, eligible = Infinity): number {
  const need = (k + 1) / 2;
  let p = 0;
  for (let j = need; j <= k; j++) {
    if (Number.isFinite(eligible)) p += (choose(colluders, j) * choose(eligible - colluders, k - j)) / choose(eligible, k);
    else p += choose(k, j) * colluders ** j * (1 - colluders) ** (k - j);
  }
  return p;
}

/** The least share f of the serving relayers (binomial limit) for which a committee of `k` is captured with probability `p`. */
export function shareForCapture(k: number, p: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (captureProbability(k, mid) < p) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface CaptureAttack {
  name: string;
  /** The coalition's payoff (tokens) when it holds the majority, and when it does not (the honest committee's verdict). */
  captured: number;
  honest: number;
  /** The capture probability above which the attack pays in expectation: −honest / (captured − honest). */
  breakEven: number;
}

/**
 * The two ways a party that controls relayers serving a model uses a captured majority: a cheater's
 * wrong answer upheld against a watchtower's challenge, and a challenger's attack on a right answer
 * (the honest relayer's job bond taken). The coalition is the cheater (or challenger) and its two
 * seated members; when it does not hold the majority, its member (if any) votes honestly, counted as 0.
 */
export function captureAttacks(m: Measurements, jobBond = 100n): CaptureAttack[] {
  const suffix = jobBond === 100n ? "" : `@${jobBond}`;
  const coalition = (path: string, party: string) =>
    tokens(payoff(m, path, party) + payoff(m, path, "member1") + payoff(m, path, "member2"));
  const attack = (name: string, captured: number, honest: number): CaptureAttack => ({
    name,
    captured,
    honest,
    breakEven: -honest / (captured - honest),
  });
  const list = [
    attack(
      `cheater (wrong answer upheld, job bond ${jobBond})`,
      coalition("committee-captured", "cheater"),
      tokens(payoff(m, `committee-fraud${suffix}`, "cheater")),
    ),
    attack(
      `griefer (right answer overturned, job bond ${jobBond})`,
      coalition(`committee-captured-grief${suffix}`, "challenger"),
      tokens(payoff(m, `committee-defended${suffix}`, "challenger")),
    ),
  ];
  // The cheater's capture is played at the default job bond only: its payoff does not depend on the bond.
  return jobBond === 100n ? list : list.slice(1);
}

/** What bribing a drawn committee's majority costs (per member: what it forgoes by voting the wrong answer) and gains the cheater. */
export function bribeOfMembers(m: Measurements): { perMember: number; majority: number; cheaterGain: number } {
  const perMember = tokens(payoff(m, "committee-fraud", "member1") - payoff(m, "committee-captured", "member1"));
  return {
    perMember,
    majority: 2 * perMember,
    cheaterGain: tokens(payoff(m, "committee-captured", "cheater") - payoff(m, "committee-fraud", "cheater")),
  };
}

/** The committee paths' parties and payoffs, by path. */
export const COMMITTEE_PATHS = [
  "committee-fraud",
  "committee-defended",
  "committee-no-reveal",
  "committee-no-commit",
  "committee-no-majority",
  "committee-lazy-wrong",
  "committee-lazy-right",
  "committee-all-lazy",
  "committee-captured",
  "committee-captured-grief",
  "committee-copy-challenge",
];

/** The gas of each step of a 3-0 dispute (the whole dispute: challenge, draw, three commits and reveals, resolve). */
export function disputeGas(m: Measurements): Record<string, bigint> {
  const f = m["committee-fraud"].facts;
  const steps = {
    challenge: f.challengeGas as bigint,
    draw: f.drawGas as bigint,
    commit: f.commitGas as bigint,
    reveal: f.revealGas as bigint,
    resolve: f.resolveGas as bigint,
  };
  return { ...steps, dispute: steps.challenge + steps.draw + 3n * (steps.commit + steps.reveal) + steps.resolve };
}

/** The committee's part of the report: each path's parties, the lazy member, capture and bribes. */
export function printCommittee(w: World, m: Measurements, log: (line: string) => void = console.log): void {
  const c = w.committee;
  const minStake = w.minStake;
  log(
    `Committee disputes (language models; CommitteeArbiter: k = ${c.committeeSize}, member bond ${t3(c.memberBond)}, non-reveal slash ${c.nonRevealSlashBps / 100} %, windows ${c.commitWindow} s + ${c.revealWindow} s; the protocol's ${Number(w.params.disputeProtocolShareBps) / 100} % of the loser's bond to the majority). Answers are fixed strings: the arbiter compares hashes only.`,
  );
  printTable(
    COMMITTEE_PATHS.flatMap((id) =>
      Object.entries(m[id].parties).map(([party, p], i) => ({
        path: i === 0 ? id : "",
        outcome: i === 0 ? String(m[id].facts.outcome) : "",
        party,
        Δtokens: t3(p.tokens),
        gas: p.gas.toString(),
        "off-chain": t3(p.offChain),
        payoff: t3(p.profit),
      })),
    ),
    log,
  );
  const gas = disputeGas(m);
  log(
    `  - gas of a 3-0 dispute over a ${RIGHT.length}-byte answer: ${Object.entries(gas)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  log("");
  log(
    `Lazy member (votes the posted answer without re-running; the two others honest): laziness pays iff the compute it saves exceeds c*(p), p = share of challenged answers that are wrong; at c = ${t3(w.prices.inferenceCost)} it pays only below p* = ${lazyBreakEvenWrongShare(w, m).toExponential(2)}:`,
  );
  printTable(
    WRONG_SHARES.map((p) => ({ p: String(p), "c* (tokens)": lazyBreakEvenCompute(w, m, p).toFixed(4) })),
    log,
  );
  log("");
  log(
    `Capture: probability that one party holds a majority of a committee of k, with a share f of the serving relayers (each identity locks max(minStake, memberBond) = ${t3(minStake > c.memberBond ? minStake : c.memberBond)}; the draw is uniform per relayer, not per stake):`,
  );
  printTable(
    COMMITTEE_SIZES.map((k) => {
      const row: Record<string, string> = { k: String(k) };
      for (const f of COLLUDER_SHARES) row[`f=${f}`] = (captureProbability(k, f) * 100).toFixed(1) + " %";
      row["3 of 10"] = (captureProbability(k, 3, 10) * 100).toFixed(1) + " %";
      row["5 of 20"] = (captureProbability(k, 5, 20) * 100).toFixed(1) + " %";
      return row;
    }),
    log,
  );
  const attacks = [...captureAttacks(m), ...captureAttacks(m, 250n), ...captureAttacks(m, 1_000n)];
  printTable(
    attacks.map((a) => {
      const row: Record<string, string> = {
        attack: a.name,
        "captured (coalition)": a.captured.toFixed(3),
        "not captured": a.honest.toFixed(3),
        "pays above P": (a.breakEven * 100).toFixed(1) + " %",
      };
      for (const k of COMMITTEE_SIZES.slice(1)) row[`f* (k=${k})`] = (shareForCapture(k, a.breakEven) * 100).toFixed(1) + " %";
      return row;
    }),
    log,
  );
  const b = bribeOfMembers(m);
  log(
    `  - bribing a drawn committee (after CommitteeDrawn): a member voting the cheater's answer with another forgoes ${b.perMember.toFixed(3)} (its honest share less the wrong majority's); a majority costs ${b.majority.toFixed(3)} against the cheater's gain of ${b.cheaterGain.toFixed(3)}: no parameter prices it while a wrong majority is never slashed (see docs/DESIGN.md)`,
  );
  log("");
}
