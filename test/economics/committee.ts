/**
 * The committee paths (issue 14): disputes over a language model's optimistic answer, settled by
 * the real CommitteeArbiter through the real coordinator, with the committee drawn from the relayers
 * that declared in RelayerStaking that they serve the model (see simulation.ts: three members stake
 * and serve, and nobody else does, so every dispute draws all three; which seat each one sits in is
 * the draw's).
 *
 * The answers are fixed UTF-8 strings: the arbiter compares only their hashes, so nothing in the
 * mechanism (the draw, the commitments, the majority, the settlement) depends on the model. What a
 * re-execution costs is charged as an off-chain cost (`Prices.inferenceCost`) to every party that
 * re-runs the request: the relayer that answers, the challenger that checks it, each honest member.
 *
 * Who sends what: the challenger challenges and draws (it wants the vote to start); each member
 * commits and reveals its own vote; the party the verdict pays resolves (the challenger when the
 * answer is overturned or the dispute voided, the relayer when it is upheld).
 */
import { hexlify, toUtf8Bytes, type TransactionReceipt } from "ethers";
import {
  claim,
  copyFromMempool,
  nextBlockAt,
  Path,
  request,
  UNIT,
  type Actor,
  type PathResult,
  type Request,
  type World,
} from "./simulation.js";

/** The prompt every committee path requests, and the answer's bound (the issue's 256-byte answer). */
export const PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
export const MAX_OUTPUT_BYTES = 256;
/** The model's answer (what every honest re-execution gives) and a cheater's. */
export const RIGHT = "POSITIVE";
export const WRONG = "NEGATIVE";

/** What a member does with its seat. */
export type Vote =
  | { kind: "honest" } // re-runs the request, commits and reveals the model's answer
  | { kind: "lazy" } // does not re-run: commits and reveals the posted answer
  | { kind: "answer"; answer: string; rerun: boolean } // commits and reveals `answer` (a colluder's, or a runtime that differs)
  | { kind: "no-reveal" } // re-runs and commits, never reveals
  | { kind: "no-commit" }; // never commits

export interface DisputeSetup {
  id: string;
  description: string;
  /** The answer's relayer and whether it posts the right answer. */
  relayer: Actor;
  posted: string;
  challenger: Actor;
  /** A bot that copies the challenger's commitment and reveal from the mempool with a higher tip (both worthless to it). */
  copiedBy?: Actor;
  /** How each member votes (by actor name; missing: honest). */
  votes?: Partial<Record<"member1" | "member2" | "member3", Vote>>;
  jobBond?: bigint;
}

/** Two of the three seats vote the wrong answer (colluders: they do not re-run), the third re-runs. */
const CAPTURED: DisputeSetup["votes"] = {
  member1: { kind: "answer", answer: WRONG, rerun: false },
  member2: { kind: "answer", answer: WRONG, rerun: false },
};

const OUTCOMES = ["Defended", "FraudProven", "TimedOut", "Voided"];

function salt(w: World, who: Actor, r: Request): string {
  return w.ethers.id(`committee salt of ${who.name} for ${r.id}`);
}

function event(w: World, receipt: TransactionReceipt, name: string) {
  for (const log of receipt.logs) {
    try {
      const parsed = w.arbiter.interface.parseLog(log);
      if (parsed?.name === name) return parsed;
    } catch {
      // another contract's log
    }
  }
  return undefined;
}

/** The coordinator's RequestFulfilled output, if the receipt delivered one. */
function delivered(w: World, receipt: TransactionReceipt): string | undefined {
  for (const log of receipt.logs) {
    try {
      const parsed = w.coordinator.interface.parseLog(log);
      if (parsed?.name === "RequestFulfilled") return parsed.args.output as string;
    } catch {
      // another contract's log
    }
  }
  return undefined;
}

/**
 * One dispute: a language-model request answered optimistically with `posted` by `relayer`,
 * challenged by `challenger`, judged by the committee voting as `votes` says, resolved.
 */
export async function committeeDispute(w: World, o: DisputeSetup): Promise<PathResult> {
  const { requester, member1, member2, member3 } = w.actors;
  const members = [member1, member2, member3];
  const p = await new Path(w, o.id, o.description, [
    o.relayer,
    o.challenger,
    ...(o.copiedBy ? [o.copiedBy] : []),
    requester,
    ...members,
  ]).start();
  const inference = w.prices.inferenceCost;
  const r = await request(p, requester, {
    mode: "optimistic",
    modelId: w.languageModelId,
    prompt: PROMPT,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    jobBond: o.jobBond,
  });
  await claim(p, o.relayer, r, "optimistic");
  const posted = toUtf8Bytes(o.posted);
  await p.tx(
    o.relayer,
    `submitOptimistic ("${o.posted}", the ${o.posted === RIGHT ? "right" : "wrong"} answer)`,
    w.coordinator.connect(o.relayer.signer).submitOptimistic(r.id, r.terms, posted),
  );
  if (o.posted === RIGHT) p.charge(o.relayer, inference, "offChain"); // a cheater computes nothing
  p.charge(o.challenger, inference, "offChain"); // it re-ran the request before bonding
  // The challenge is committed, then revealed in a later block (the dispute game's rule): a copy of either step is
  // worthless to its copier, whose address is not in the commitment.
  const challenger = o.challenger;
  const arbiterOf = (a: Actor) => w.arbiter.connect(a.signer);
  const challengeSalt = salt(w, challenger, r);
  const commitment = await w.arbiter.challengeCommitment(r.id, challenger.holder, challengeSalt);
  if (o.copiedBy) {
    const copier = o.copiedBy;
    const committed = await copyFromMempool(p, challenger, copier, "commitChallenge (CommitteeArbiter)", (fees) =>
      arbiterOf(challenger).commitChallenge(commitment, fees),
    );
    const revealed = await copyFromMempool(p, challenger, copier, "challenge: reveal (CommitteeArbiter)", (fees) =>
      arbiterOf(challenger).challenge(r.id, r.terms, challengeSalt, fees),
    );
    p.facts.copiedCommitMined = committed.copy;
    p.facts.copySucceeded = revealed.copy;
  } else {
    await p.tx(challenger, "challenge: commit (CommitteeArbiter)", arbiterOf(challenger).commitChallenge(commitment));
    const challenged = await p.tx(
      challenger,
      "challenge: reveal (CommitteeArbiter)",
      arbiterOf(challenger).challenge(r.id, r.terms, challengeSalt),
    );
    p.facts.challengeGas = challenged.gasUsed;
  }
  const drawn = await p.tx(challenger, "draw (the next block)", w.arbiter.connect(challenger.signer).draw(r.id, r.terms));
  p.facts.drawGas = drawn.gasUsed;
  let commitGas = 0n;
  let revealGas = 0n;
  const committee = event(w, drawn, "CommitteeDrawn");
  if (!committee) throw new Error(`${o.id}: no committee was drawn`);
  const seats: string[] = [...committee.args.members];
  const byAddress = new Map(members.map((m) => [m.holder.toLowerCase(), m]));
  const seated = seats.map((address) => byAddress.get(address.toLowerCase())!);
  p.note(`committee: ${seated.map((m, seat) => `seat ${seat} ${m.name}`).join(", ")}`);
  const voteOf = (m: Actor): Vote => o.votes?.[m.name as "member1"] ?? { kind: "honest" };
  const answerOf = (v: Vote): string | undefined =>
    v.kind === "honest" || v.kind === "no-reveal" ? RIGHT : v.kind === "lazy" ? o.posted : v.kind === "answer" ? v.answer : undefined;

  for (const [seat, m] of seated.entries()) {
    const v = voteOf(m);
    const answer = answerOf(v);
    if (answer === undefined) {
      p.note(`${m.name}: does not commit`);
      continue;
    }
    if (v.kind === "honest" || v.kind === "no-reveal" || (v.kind === "answer" && v.rerun)) p.charge(m, inference, "offChain");
    const commitment = await w.arbiter.voteCommitment(r.id, m.holder, toUtf8Bytes(answer), salt(w, m, r));
    const committed = await p.tx(
      m,
      `commit (${v.kind}${v.kind === "lazy" ? ": the posted answer" : ""})`,
      w.arbiter.connect(m.signer).commit(r.id, seats, seat, commitment),
    );
    commitGas = max(commitGas, committed.gasUsed);
  }
  const [commitEndsAt] = await w.arbiter.voteOf(r.id);
  await nextBlockAt(w, Number(commitEndsAt) + 1);
  for (const [seat, m] of seated.entries()) {
    const v = voteOf(m);
    const answer = answerOf(v);
    if (answer === undefined || v.kind === "no-reveal") {
      if (v.kind === "no-reveal") p.note(`${m.name}: committed, does not reveal`);
      continue;
    }
    const revealed = await p.tx(
      m,
      `reveal "${answer}"`,
      w.arbiter.connect(m.signer).reveal(r.id, seats, seat, toUtf8Bytes(answer), salt(w, m, r)),
    );
    revealGas = max(revealGas, revealed.gasUsed);
  }
  const [, revealEndsAt, , revealedMask] = await w.arbiter.voteOf(r.id);
  if (Number(revealedMask) !== (1 << seats.length) - 1) await nextBlockAt(w, Number(revealEndsAt) + 1);
  const [majorityHash, votes] = await w.arbiter.majorityOf(r.id);
  const winner = votes === 0n ? undefined : [RIGHT, WRONG, o.posted].find((a) => w.ethers.keccak256(toUtf8Bytes(a)) === majorityHash);
  const overturned = winner !== undefined && winner !== o.posted;
  const resolver = votes === 0n || overturned ? challenger : o.relayer;
  const resolved = await p.tx(
    resolver,
    "resolve",
    w.arbiter.connect(resolver.signer).resolve(r.id, r.terms, seats, winner === undefined ? "0x" : toUtf8Bytes(winner)),
  );
  Object.assign(p.facts, { commitGas, revealGas, resolveGas: resolved.gasUsed });
  const verdict = event(w, resolved, "VoteResolved");
  p.facts.outcome = OUTCOMES[Number(verdict!.args.outcome)];
  p.facts.majorityVotes = BigInt(verdict!.args.votes);
  const output = delivered(w, resolved);
  if (output !== undefined) p.facts.deliveredRight = output === hexlify(toUtf8Bytes(RIGHT));
  p.facts.jobBond = BigInt(r.terms.jobBond);
  p.facts.challengeBond = BigInt(r.terms.challengeBond);
  p.facts.shareBps = BigInt(r.terms.disputeProtocolShareBps);
  p.facts.escrow = BigInt(r.terms.modelFee) + BigInt(r.terms.maxComputeFee);
  return p.finish();
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** Every committee path of the simulation (each from the same snapshot). */
export function committeePaths(w: World): (() => Promise<PathResult>)[] {
  const { cheater, relayer, watchtower, challenger } = w.actors;
  const fraud = { relayer: cheater, posted: WRONG, challenger: watchtower };
  const grief = { relayer, posted: RIGHT, challenger };
  return [
    () => committeeDispute(w, { id: "committee-fraud", description: "wrong text answer challenged, voted down 3-0", ...fraud }),
    () => committeeDispute(w, { id: "committee-defended", description: "right text answer challenged, upheld 3-0", ...grief }),
    () =>
      committeeDispute(w, {
        id: "committee-no-reveal",
        description: "wrong text answer voted down 2-0; member3 commits and does not reveal",
        ...fraud,
        votes: { member3: { kind: "no-reveal" } },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-no-commit",
        description: "wrong text answer voted down 2-0; member3 does not commit",
        ...fraud,
        votes: { member3: { kind: "no-commit" } },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-no-majority",
        description: "three different answers (a runtime not deterministic somewhere): voided",
        relayer,
        posted: RIGHT,
        challenger: watchtower,
        votes: {
          member1: { kind: "answer", answer: "POSITIVE.", rerun: true },
          member2: { kind: "answer", answer: "Positive", rerun: true },
          member3: { kind: "answer", answer: "POSITIVE!", rerun: true },
        },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-lazy-wrong",
        description: "wrong text answer; member3 votes the posted answer without re-running, outvoted 2-1",
        ...fraud,
        votes: { member3: { kind: "lazy" } },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-lazy-right",
        description: "right text answer challenged; member3 votes the posted answer without re-running, upheld 3-0",
        ...grief,
        votes: { member3: { kind: "lazy" } },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-all-lazy",
        description: "wrong text answer; all three vote the posted answer without re-running: upheld 3-0",
        ...fraud,
        votes: { member1: { kind: "lazy" }, member2: { kind: "lazy" }, member3: { kind: "lazy" } },
      }),
    () =>
      committeeDispute(w, {
        id: "committee-captured",
        description: "wrong text answer; member1 and member2 collude with the cheater (vote its answer), member3 honest: upheld 2-1",
        ...fraud,
        votes: CAPTURED,
      }),
    () =>
      committeeDispute(w, {
        id: "committee-captured-grief",
        description: "right text answer; the challenger's colluders member1 and member2 vote a wrong one, member3 honest: overturned 2-1",
        ...grief,
        votes: CAPTURED,
      }),
    () =>
      committeeDispute(w, {
        id: "committee-copy-challenge",
        description:
          "wrong text answer; a bot copies the watchtower's commitment and challenge from the mempool ahead of it, voted down 3-0",
        ...fraud,
        copiedBy: w.actors.bot,
      }),
    ...[250n, 1_000n].flatMap((b) => [
      () =>
        committeeDispute(w, { id: `committee-fraud@${b}`, description: `as committee-fraud, job bond ${b}`, ...fraud, jobBond: b * UNIT }),
      () =>
        committeeDispute(w, {
          id: `committee-defended@${b}`,
          description: `as committee-defended, job bond ${b} (the challenge bond raised in proportion)`,
          ...grief,
          jobBond: b * UNIT,
        }),
      () =>
        committeeDispute(w, {
          id: `committee-captured-grief@${b}`,
          description: `as committee-captured-grief, job bond ${b}`,
          ...grief,
          jobBond: b * UNIT,
          votes: CAPTURED,
        }),
    ]),
  ];
}
