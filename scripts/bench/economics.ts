/**
 * bench-economics: the economics simulation of test/economics/ as a printable report. Every
 * strategy's paths (honest, lazy, cheating, bribed and self-disputing relayers, griefing
 * requester and challenger, malicious model owner, copying bot, and the language models'
 * committee disputes: honest, non-revealing, lazy and colluding members) are played on the real
 * contracts with DEFAULT_PARAMS, the real price-signal verifier and its sample proofs; each
 * party's payoff is measured on chain and combined with the stated probabilities into an
 * expected profit per request (docs/DESIGN.md, "Economics: the default parameters and why").
 *
 *   tsx scripts/bench/economics.ts [--paths] [--json]
 *
 * --paths also prints every path's steps and every party's result; with --json the last line
 * is one JSON object: {"strategies":[...],"bribe":[...],"committee":{...},"paths":{...}}.
 */
import { toJson } from "../../sdk/format.js";
import { flag } from "../lib/report.js";
import {
  ASSUMPTIONS,
  breakEvenBribe,
  bribeLevels,
  bribeOfMembers,
  captureAttacks,
  captureProbability,
  COLLUDER_SHARES,
  COMMITTEE_SIZES,
  disputeGas,
  lazyBreakEvenCompute,
  lazyBreakEvenWrongShare,
  measureAll,
  printReport,
  shareForCapture,
  strategies,
  tokens,
  WRONG_SHARES,
} from "../../test/economics/model.js";
import { createWorld, fmt } from "../../test/economics/simulation.js";

const started = Date.now();
const world = await createWorld();
const measured = await measureAll(world);
printReport(world, measured);
if (flag("--paths")) {
  for (const r of Object.values(measured)) {
    console.log(`${r.id}: ${r.description}`);
    for (const step of r.steps) console.log(`    ${step}`);
    for (const [party, p] of Object.entries(r.parties))
      console.log(
        `    = ${party}: Δtokens ${fmt(p.tokens)}, gas ${p.gas} (${fmt(p.gasCost)}), off-chain ${fmt(p.offChain)}, payoff ${fmt(p.profit)}`,
      );
  }
}
console.log(`${Object.keys(measured).length} paths measured in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (flag("--json")) {
  console.log(
    toJson({
      strategies: strategies(world, measured).map((s) => ({
        name: s.name,
        honest: s.honest,
        open: s.open ?? null,
        expected: s.expected,
        lines: s.lines.map((l) => ({
          path: l.path,
          party: l.party,
          probability: l.probability,
          payoff: tokens(l.result.profit),
          baseline: tokens(l.baseline),
        })),
      })),
      bribe: bribeLevels(measured).map((l) => ({
        jobBond: tokens(l.jobBond),
        computeFee: tokens(l.computeFee),
        unchallenged: tokens(l.unchallenged),
        caught: tokens(l.caught),
        selfDisputed: tokens(l.selfDisputed),
        breakEven: { q0: breakEvenBribe(l, ASSUMPTIONS), q1: breakEvenBribe(l, { ...ASSUMPTIONS, pFrontRun: 1 }) },
      })),
      committee: {
        params: world.committee,
        gas: disputeGas(measured),
        lazy: {
          breakEvenWrongShare: lazyBreakEvenWrongShare(world, measured),
          breakEvenCompute: WRONG_SHARES.map((p) => ({ pWrong: p, compute: lazyBreakEvenCompute(world, measured, p) })),
        },
        capture: COMMITTEE_SIZES.map((k) => ({
          k,
          probability: Object.fromEntries(COLLUDER_SHARES.map((f) => [f, captureProbability(k, f)])),
        })),
        attacks: [100n, 250n, 1_000n]
          .flatMap((b) => captureAttacks(measured, b))
          .map((a) => ({ ...a, share: Object.fromEntries(COMMITTEE_SIZES.slice(1).map((k) => [k, shareForCapture(k, a.breakEven)])) })),
        bribe: bribeOfMembers(measured),
      },
      paths: measured,
    }),
  );
}
