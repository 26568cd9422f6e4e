/**
 * Issue 10, "Economics": the default parameters (scripts/deploy.ts DEFAULT_PARAMS) played
 * against every strategy on the real contracts, with the real price-signal verifier and its
 * real sample proofs. Each strategy's paths are measured on chain (simulation.ts, paths.ts) and
 * combined with the stated probabilities (model.ts) into an expected profit per request; the
 * table is printed, and each claim of docs/DESIGN.md's "Economics: the default parameters and
 * why" is asserted against the measurements.
 *
 * Some assertions pin a rule of the security review that closes an attack (named in the
 * test's title): H-2 (a deadline and a claim leave a whole delivery window), M-2 (maxModelFee),
 * M-1 (the verifier's code hash), L-2 (a fraud proof's compute fee goes to the challenger), and
 * the three closing the last open findings: commit-reveal challenges, the winner's bounded share
 * of a slashed bond (disputeProtocolShareBps 80 %), no slash over a changed verifier code.
 *
 * The committee assertions (issue 14) read the language-model dispute paths (committee.ts) on the
 * real CommitteeArbiter: what each member, the relayer and the challenger earn, the non-reveal
 * penalty, the void, the lazy member's break-even, and the open findings of docs/DESIGN.md's
 * "Language models: disputes settled by a committee" (capture thresholds, bribes, copied challenges).
 */
import { expect } from "chai";
import { createWorld, serviceCost, UNIT, type World } from "./simulation.js";
import {
  ASSUMPTIONS,
  BRIBES,
  bribedExpected,
  breakEvenBribe,
  breakEvenWatch,
  bribeLevels,
  JOB_BONDS,
  measureAll,
  ownerWithoutTheCheck,
  bribeOfMembers,
  captureAttacks,
  captureProbability,
  lazyBreakEvenCompute,
  lazyBreakEvenWrongShare,
  printReport,
  shareForCapture,
  SHORT_DEADLINES,
  strategies,
  tokens,
  type Measurements,
} from "./model.js";

const BPS = 10_000n;
/** p_w values at and above the stated lower bound. */
const WATCH_RANGE = [ASSUMPTIONS.pWatch, 0.6, 0.75, 0.9, 0.99, 1];

describe("Economics of the default parameters, played on the real contracts", function () {
  this.timeout(240_000);
  let w: World;
  let m: Measurements;
  let share: bigint;

  before(async function () {
    const started = Date.now();
    w = await createWorld();
    m = await measureAll(w);
    share = BigInt(w.params.disputeProtocolShareBps);
    const log = (line: string) => console.log(`      ${line}`);
    printReport(w, m, log);
    log(`${Object.keys(m).length} paths measured in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("an honest relayer earns a profit on each request at the auction's clearing price, in both proof modes and at every job bond", () => {
    for (const id of ["honest-zk", "honest-optimistic", ...JOB_BONDS.map((b) => `honest-optimistic@${b / UNIT}`)]) {
      const r = m[id];
      const mode = id === "honest-zk" ? "zk" : "optimistic";
      expect(r.facts.deliveredRight, `${id}: the right output is delivered`).to.equal(true);
      expect(r.facts.computeFee, `${id}: the clearing price covers the relayer's cost`).to.be.greaterThan(serviceCost(w, mode).cost);
      expect(r.parties.relayer.tokens, `${id}: the relayer is paid the clearing price`).to.equal(r.facts.computeFee);
      expect(r.parties.relayer.profit, `${id}: profit`).to.be.greaterThan(0n);
    }
  });

  it("a lazy relayer loses lateSlashBps of its job bond to the requester on each request it claims and leaves unanswered", () => {
    const lateSlash = (BigInt(w.params.jobBond) * BigInt(w.params.lateSlashBps)) / BPS;
    expect(m.lazy.parties.lazy.tokens).to.equal(-lateSlash);
    expect(m.lazy.parties.lazy.profit).to.be.lessThan(-lateSlash + 1n);
    // Its claim's price was below what the request finally paid: the slash outweighs the difference.
    expect(lateSlash).to.be.greaterThan(BigInt(m.lazy.facts.computeFee) - BigInt(m.lazy.facts.lazyComputeFee));
  });

  it("a cheating optimistic relayer loses money in expectation whenever a watchtower challenges with probability at least 1/2", () => {
    for (const b of JOB_BONDS) {
      const k = b / UNIT;
      expect(m[`cheat-unchallenged@${k}`].facts.deliveredRight, "unchallenged, the wrong output is delivered").to.equal(false);
      expect(m[`cheat-unchallenged@${k}`].parties.cheater.tokens, "unchallenged, it is paid like an honest relayer").to.equal(
        m[`cheat-unchallenged@${k}`].facts.computeFee,
      );
      expect(m[`cheat-caught@${k}`].parties.cheater.tokens, "caught, it loses its whole job bond").to.equal(-b);
      expect(m[`cheat-caught@${k}`].facts.deliveredRight, "caught, the right output is delivered").to.equal(true);
      expect(m[`cheat-caught@${k}`].parties.watchtower.profit, "the watchtower that catches it profits").to.be.greaterThan(0n);
      for (const pWatch of WATCH_RANGE) {
        for (const pFrontRun of [0, 0.5, 1]) {
          expect(
            bribedExpected(
              bribeLevels(m).find((l) => l.jobBond === b)!,
              0,
              { ...ASSUMPTIONS, pWatch, pFrontRun },
            ),
            `B ${k}, p_w ${pWatch}, q ${pFrontRun}`,
          ).to.be.lessThan(0);
        }
      }
    }
    expect(breakEvenWatch(m)).to.be.lessThan(ASSUMPTIONS.pWatch / 100);
  });

  it("a bribed relayer loses money whenever the request's job bond less its compute fee exceeds the bribe, across a sweep of bribes and job bonds", () => {
    for (const l of bribeLevels(m)) {
      for (const pWatch of WATCH_RANGE) {
        const a = { ...ASSUMPTIONS, pWatch, pFrontRun: 0 };
        const vStar = breakEvenBribe(l, a);
        // The exact condition, from the measured payoffs: E < 0 iff V < V*; V* ≥ jobBond − compute fee once p_w ≥ 1/2.
        expect(vStar, `B ${l.jobBond / UNIT}, p_w ${pWatch}`).to.be.at.least(tokens(l.jobBond - l.computeFee));
        for (const v of BRIBES) {
          const e = bribedExpected(l, v, a);
          expect(e < 0, `B ${l.jobBond / UNIT}, V ${v}, p_w ${pWatch}: E = ${e}`).to.equal(v < vStar);
          if (tokens(l.jobBond - l.computeFee) > v) expect(e, `B ${l.jobBond / UNIT} − fee > V ${v}`).to.be.lessThan(0);
        }
        if (Number.isFinite(vStar)) expect(bribedExpected(l, vStar + 1, a), "a bribe above V* pays").to.be.greaterThan(0);
      }
    }
  });

  it("a bribed relayer that front-runs every challenge with its own loses money whenever the bribe is below the protocol's dispute share of its bond less twice the fee", () => {
    const a = { ...ASSUMPTIONS, pFrontRun: 1 };
    expect(share, "the dispute winner keeps a bounded part of the slashed bond").to.be.at.least(7_500n);
    for (const l of bribeLevels(m)) {
      const k = l.jobBond / UNIT;
      const gas = tokens(m[`self-dispute@${k}`].parties.selfDisputer.gasCost + m[`cheat-unchallenged@${k}`].parties.cheater.gasCost);
      // At p_w = 1/2: V* = share·B − 2·fee + the gas of its two paths (it keeps the rest of its bond as its own challenger).
      const expected = tokens((l.jobBond * share) / BPS) - 2 * tokens(l.computeFee) + gas;
      expect(Math.abs(breakEvenBribe(l, a) - expected), `B ${k}: V* ${breakEvenBribe(l, a)} vs ${expected}`).to.be.lessThan(1e-9);
      // The front-run recovers at most (1 − share)·B: a bribe below 3/4 of the bond never pays.
      expect(breakEvenBribe(l, a), `B ${k}`).to.be.greaterThan(0.75 * tokens(l.jobBond));
      for (const v of BRIBES) expect(bribedExpected(l, v, a) < 0, `B ${k}, V ${v}`).to.equal(v < breakEvenBribe(l, a));
    }
  });

  it("a watchtower that catches a wrong answer still earns several times what catching it costs (commitment, reveal, proof and gas), at every job bond", () => {
    for (const b of JOB_BONDS) {
      const r = m[`cheat-caught@${b / UNIT}`];
      const w_ = r.parties.watchtower;
      expect(w_.tokens, `B ${b / UNIT}`).to.equal(b - (b * share) / BPS + BigInt(r.facts.computeFee));
      expect(w_.profit, `B ${b / UNIT}`).to.be.greaterThan(5n * (w_.gasCost + w_.offChain));
    }
  });

  it("a self-disputing relayer loses the protocol's dispute share of its job bond and keeps only the compute fee it proved", () => {
    for (const b of JOB_BONDS) {
      const r = m[`self-dispute@${b / UNIT}`];
      expect(r.parties.selfDisputer.tokens).to.equal(-(b * share) / BPS + BigInt(r.facts.computeFee));
      expect(r.parties.selfDisputer.profit).to.be.lessThan(0n);
      expect(r.parties.selfDisputer.profit).to.be.lessThan(m[`honest-optimistic@${b / UNIT}`].parties.relayer.profit);
      expect(r.facts.deliveredRight).to.equal(true);
    }
  });

  it("a griefing requester gains nothing from a deadline too short to answer by (the H-2 deadline rule)", () => {
    for (const d of SHORT_DEADLINES) {
      const r = m[`short-deadline@${d}s`];
      const story = r.steps.join("; ");
      expect(r.parties.griefer.tokens, `deadline +${d} s: ${story}`).to.be.at.most(0n);
      expect(r.parties.relayer.tokens, `deadline +${d} s: the claimant keeps its bond (${story})`).to.be.at.least(0n);
      // Refused outright (the request, InvalidDeadline, or the claim, ClaimTooLate) it costs nothing but the gas it sent.
      if (r.facts.refused) expect(r.parties.griefer.profit).to.be.at.most(0n);
      else expect(r.parties.griefer.profit).to.be.lessThan(0n);
    }
  });

  it("a griefing challenger loses its whole challenge bond on each right answer it challenges, and the defending relayer is paid for its defence", () => {
    const r = m["griefed-optimistic"];
    const bond = BigInt(w.params.challengeBond);
    expect(r.parties.challenger.tokens).to.equal(-bond);
    expect(r.parties.relayer.tokens).to.equal(BigInt(r.facts.computeFee) + bond - (bond * share) / BPS);
    expect(r.parties.relayer.profit).to.be.greaterThan(m["honest-optimistic"].parties.relayer.profit);
    expect(r.facts.deliveredRight).to.equal(true);
  });

  it("a malicious model owner's switchable verifier is refused by the relayers' check, so the owner only pays gas", () => {
    const r = m["owner-refused"];
    expect(r.facts.switchableAccepted, "the switchable verifier is not the artifacts'").to.equal(false);
    expect(r.facts.referenceAccepted, "the reference verifier is the artifacts'").to.equal(true);
    expect(r.facts.ownVerifierAccepted, "the owner's own deployment of the artifacts' verifier passes").to.equal(true);
    expect(r.parties.owner.profit).to.be.lessThan(0n);
    // What the check protects: served without it, the switch pays the owner.
    for (const l of ownerWithoutTheCheck(w, m)) expect(l.result.profit - l.baseline, l.path).to.be.greaterThan(0n);
  });

  it("a malicious model owner cannot charge a request more than the model fee its requester accepted (the M-2 maxModelFee rule)", () => {
    const r = m["owner-fee-front-run"];
    expect(r.facts.refused, r.steps.join("; ")).to.equal(true);
    expect(r.parties.requester.tokens).to.equal(0n);
    expect(r.parties.owner.profit).to.be.lessThan(0n);
  });

  it("a verifier whose code is replaced after registration cannot defend a wrong answer: the dispute is void, the wrong output never delivered (the M-1 code-hash rule)", () => {
    const r = m["owner-swaps-code-accept"];
    expect(r.facts.checkedBefore, "the relayers' check passed before the swap").to.equal(true);
    expect(r.parties.owner.tokens, r.steps.join("; ")).to.equal(0n);
    expect(r.parties.owner.profit).to.be.lessThan(0n);
    expect(r.parties.watchtower.tokens, "the challenger's bond is returned").to.equal(0n);
    expect(r.parties.requester.tokens, "the request is refunded").to.equal(0n);
    expect(r.facts.deliveredRight, "nothing is delivered").to.equal(undefined);
  });

  it("a copying bot gains nothing by replaying a claimant's fulfilment from the mempool", () => {
    const r = m["copy-fulfilment"];
    expect(r.facts.copySucceeded).to.equal(false);
    expect(r.parties.bot.tokens).to.equal(0n);
    expect(r.parties.relayer.tokens).to.equal(r.facts.computeFee);
  });

  it("a copying bot gains nothing by replaying a watchtower's fraud proof from the mempool, since a fraud proof's compute fee goes to the challenger (the L-2 rule)", () => {
    const r = m["copy-fraud-proof"];
    expect(r.parties.bot.tokens, r.steps.join("; ")).to.be.at.most(0n);
    expect(r.parties.watchtower.profit, "the watchtower keeps its reward").to.be.greaterThan(0n);
  });

  it("every dishonest strategy loses money in expectation per request under the stated assumptions (or, refused outright, gains nothing), and every honest one earns", () => {
    for (const s of strategies(w, m).filter((s) => !s.open)) {
      if (s.honest) expect(s.expected, s.name).to.be.greaterThan(0);
      else if (s.expected === 0) {
        // Only a strategy the contracts refuse before it costs anything breaks even.
        for (const l of s.lines)
          if (l.result.profit === 0n) expect(m[l.path].facts.refused, `${s.name}: ${l.path}`).to.not.equal(undefined);
      } else expect(s.expected, s.name).to.be.lessThan(0);
    }
  });

  it("a copying bot gains nothing by replaying a watchtower's challenge from the mempool, since a challenge is revealed only by its committer (the commit-reveal rule)", () => {
    const r = m["copy-challenge"];
    const story = r.steps.join("; ");
    expect(r.facts.copiedCommitMined, `the copied commitment goes through, binding the watchtower: ${story}`).to.equal(true);
    expect(r.facts.copySucceeded, `the copied reveal has no commitment of the bot's: ${story}`).to.equal(false);
    expect(r.facts.watchtowerChallenged, "the watchtower is the challenger of record").to.equal(true);
    expect(r.parties.bot.tokens).to.equal(0n);
    expect(r.parties.bot.profit).to.be.lessThan(0n);
    expect(r.parties.watchtower.profit, "the watchtower keeps its reward").to.be.greaterThan(0n);
  });

  it("where a verifier's code can be replaced after the relayers' check, nobody is slashed over it: the claimant's bond is released and the request refunded (the code-change rule)", () => {
    const zk = m["owner-swaps-code-reject"];
    expect(zk.parties.owner.tokens, zk.steps.join("; ")).to.equal(0n);
    expect(zk.parties.relayer.tokens).to.equal(0n);
    expect(zk.parties.owner.profit).to.be.lessThan(0n);
    const optimistic = m["owner-swaps-code-reject-optimistic"];
    expect(optimistic.parties.owner.tokens, optimistic.steps.join("; ")).to.equal(0n);
    expect(optimistic.parties.relayer.tokens).to.equal(0n);
    expect(optimistic.parties.requester.tokens, "the request is refunded").to.equal(0n);
    expect(optimistic.parties.owner.profit).to.be.lessThan(0n);
  });

  // ============================================================ the committee (language models' disputes)

  const MEMBERS = ["member1", "member2", "member3"];

  it("a cheating relayer whose wrong text answer is voted down by an honest committee of three loses its whole job bond, while the challenger and each majority member profit", () => {
    for (const id of ["committee-fraud", "committee-fraud@250", "committee-fraud@1000"]) {
      const r = m[id];
      const b = BigInt(r.facts.jobBond);
      const protocolShare = (b * share) / BPS;
      expect(r.facts.outcome, id).to.equal("FraudProven");
      expect(r.facts.deliveredRight, `${id}: the majority's answer answers the request`).to.equal(true);
      expect(r.parties.cheater.tokens, id).to.equal(-b);
      expect(r.parties.watchtower.tokens, id).to.equal(b - protocolShare + BigInt(r.facts.computeFee));
      expect(r.parties.watchtower.profit, id).to.be.greaterThan(5n * (r.parties.watchtower.gasCost + r.parties.watchtower.offChain));
      for (const member of MEMBERS) {
        expect(r.parties[member].tokens, `${id} ${member}`).to.equal(protocolShare / 3n);
        expect(r.parties[member].profit, `${id} ${member}`).to.be.greaterThan(
          20n * (r.parties[member].gasCost + r.parties[member].offChain),
        );
      }
    }
  });

  it("a griefing challenger of a right text answer loses its whole challenge bond, and the relayer and each majority member are paid", () => {
    const r = m["committee-defended"];
    const c = BigInt(r.facts.challengeBond);
    const protocolShare = (c * share) / BPS;
    expect(r.facts.outcome).to.equal("Defended");
    expect(r.facts.deliveredRight).to.equal(true);
    expect(r.parties.challenger.tokens).to.equal(-c);
    expect(r.parties.challenger.profit).to.be.lessThan(-c);
    expect(r.parties.relayer.tokens).to.equal(BigInt(r.facts.computeFee) + c - protocolShare);
    expect(r.parties.relayer.profit, "the griefed relayer is better off than an unchallenged one").to.be.greaterThan(
      BigInt(r.facts.computeFee),
    );
    for (const member of MEMBERS) {
      expect(r.parties[member].tokens, member).to.equal(protocolShare / 3n);
      expect(r.parties[member].profit, member).to.be.greaterThan(10n * (r.parties[member].gasCost + r.parties[member].offChain));
    }
  });

  it("a committee member who does not reveal earns less than one who does, even one outvoted in the minority, and its penalty goes to the majority", () => {
    const penalty = (w.committee.memberBond * BigInt(w.committee.nonRevealSlashBps)) / BPS;
    const r = m["committee-no-reveal"];
    const b = BigInt(r.facts.jobBond);
    expect(r.facts.outcome).to.equal("FraudProven");
    expect(r.parties.member3.tokens).to.equal(-penalty);
    for (const member of ["member1", "member2"]) {
      expect(r.parties[member].tokens, member).to.equal((b * share) / BPS / 2n + penalty / 2n);
      expect(r.parties.member3.profit).to.be.lessThan(r.parties[member].profit);
    }
    expect(r.parties.member3.profit).to.be.lessThan(m["committee-fraud"].parties.member3.profit);
    // Revealing always pays: a member outvoted 2-1 loses only its gas, against the penalty of staying silent.
    expect(m["committee-lazy-wrong"].parties.member3.tokens).to.equal(0n);
    expect(r.parties.member3.profit).to.be.lessThan(m["committee-lazy-wrong"].parties.member3.profit - penalty / 2n);
  });

  it("a committee member who does not commit loses the same penalty as one that does not reveal", () => {
    const penalty = (w.committee.memberBond * BigInt(w.committee.nonRevealSlashBps)) / BPS;
    const r = m["committee-no-commit"];
    expect(r.facts.outcome).to.equal("FraudProven");
    expect(r.parties.member3.tokens).to.equal(-penalty);
    expect(r.parties.member3.gas).to.equal(0n);
    expect(r.parties.member3.profit).to.be.lessThan(m["committee-fraud"].parties.member3.profit);
  });

  it("a committee without a majority refunds everybody and slashes nobody: each party is out only its gas and compute", () => {
    const r = m["committee-no-majority"];
    expect(r.facts.outcome, r.steps.join("; ")).to.equal("Voided");
    for (const [party, p] of Object.entries(r.parties)) {
      expect(p.tokens, party).to.equal(0n);
      expect(p.profit, party).to.equal(-(p.gasCost + p.offChain));
      expect(p.profit, party).to.be.greaterThan(-2n * UNIT);
    }
  });

  it("a lazy committee member that votes the posted answer without re-running earns less than an honest one unless fewer than 1 in 10,000 challenged answers are wrong", () => {
    const wrong = m["committee-lazy-wrong"];
    expect(wrong.facts.outcome, "two honest members outvote it").to.equal("FraudProven");
    expect(wrong.parties.member3.tokens, "outvoted, it forgoes the majority's share").to.equal(0n);
    expect(wrong.parties.member3.offChain, "it saves the re-run").to.equal(0n);
    expect(m["committee-lazy-right"].parties.member3.tokens).to.equal(m["committee-defended"].parties.member3.tokens);
    expect(lazyBreakEvenWrongShare(w, m)).to.be.lessThan(1e-4);
    // The compute a lazy vote must save to pay grows with the share of wrong answers: 26.7 tokens when every challenged answer is wrong.
    expect(lazyBreakEvenCompute(w, m, 1)).to.be.greaterThan(tokens((BigInt(wrong.facts.jobBond) * share) / BPS / 3n) - 0.01);
    expect(lazyBreakEvenCompute(w, m, 0.01)).to.be.greaterThan(100 * tokens(w.prices.inferenceCost));
  });

  it("a committee of three upholds a wrong text answer only when a majority of its seats votes for it, so a cheater must hold over 60 % of the model's serving relayers before capture pays", () => {
    for (const id of ["committee-captured", "committee-all-lazy"]) {
      expect(m[id].facts.outcome, id).to.equal("Defended");
      expect(m[id].facts.deliveredRight, id).to.equal(false);
    }
    const [cheat] = captureAttacks(m);
    expect(cheat.honest).to.be.lessThan(-100);
    expect(shareForCapture(w.committee.committeeSize, cheat.breakEven)).to.be.greaterThan(0.6);
    expect(Math.abs(captureProbability(3, 0.1) - 0.028), "3f²(1 − f) + f³ at f = 10 %").to.be.lessThan(1e-9);
  });

  it("a party must hold the same share of the serving relayers to profit from overturning a right text answer at every job bond, since a raised job bond raises the challenge bond in proportion", () => {
    const thresholds = [100n, 250n, 1_000n].map((b) => {
      const grief = captureAttacks(m, b).find((a) => a.name.startsWith("griefer"))!;
      expect(m[`committee-captured-grief${b === 100n ? "" : `@${b}`}`].facts.deliveredRight).to.equal(false);
      return shareForCapture(w.committee.committeeSize, grief.breakEven);
    });
    expect(thresholds[0]).to.be.greaterThan(0.35);
    for (const threshold of thresholds.slice(1)) expect(Math.abs(threshold - thresholds[0])).to.be.lessThan(0.02);
  });

  it("bribing a drawn committee's majority costs less than the cheater gains, since a member of a wrong majority is never slashed (an open finding)", () => {
    const b = bribeOfMembers(m);
    expect(b.perMember).to.be.greaterThan(0);
    expect(b.majority).to.be.lessThan(b.cheaterGain / 4);
  });

  it("a copying bot gains nothing from a watchtower's challenge of a wrong text answer: the committed challenge names its challenger, and the watchtower keeps its reward", () => {
    const r = m["committee-copy-challenge"];
    expect(r.facts.copySucceeded, r.steps.join("; ")).to.equal(false);
    expect(r.facts.outcome).to.equal("FraudProven");
    expect(r.parties.bot.profit).to.be.lessThan(0n); // its gas
    expect(r.parties.watchtower.tokens).to.equal(m["committee-fraud"].parties.watchtower.tokens);
  });
});
