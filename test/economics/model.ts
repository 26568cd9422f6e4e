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
}
