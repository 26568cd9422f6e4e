/**
 * The watchtower: recomputes other relayers' optimistic outputs, and builds the
 * transactions that act on a wrong one (challenge, then prove the fraud) or on a
 * dispute nobody defended (resolve its timeout). `decide` says when; the relayer loop
 * sends what this returns.
 *
 * A language model's answer is checked the same way (our answer generated under its runtime
 * spec, compared by hash) and challenged the same way (commit, then reveal), on the committee
 * arbiter, whose committee then votes: there is no fraud proof to send.
 *
 * A verdict is stored with the posted output it judged, and holds for that output
 * alone: a dispute that times out reopens the request, and the next answer posted
 * under the same id is judged anew.
 */
import { hexlify, randomBytes } from "ethers";
import type { InferenceCoordinator } from "../../types/contracts/InferenceCoordinator.js";
import type { HighwayToken } from "../../types/contracts/token/HighwayToken.js";
import { DisputeCalls } from "./disputes.js";
import type { Logger } from "./logger.js";
import { outputHash, type JobOutputs } from "./outputs.js";
import type { Job, JobStore, Verdict } from "./store.js";
import type { Call } from "./submitter.js";

export interface WatchtowerDeps {
  /** Where the posted outputs are read. */
  coordinator: InferenceCoordinator;
  /** Where a job's challenge goes: the dispute game (circuit models) or the committee arbiter (language models). */
  disputesOf: (job: Job) => DisputeCalls;
  outputs: JobOutputs;
  /** Where verdicts are kept, with the output each judged. */
  store: JobStore;
  /** The payment token, whose balance pays challenge bonds. */
  token: HighwayToken;
  /** Our address. */
  address: string;
  log: Logger;
}

export class Watchtower {
  /** Wrong answers we could not afford to challenge, warned about once each. */
  private readonly unaffordable = new Set<bigint>();

  constructor(private readonly deps: WatchtowerDeps) {}

  /**
   * Recomputes the request's output, compares it with the one posted now (by hash: outputs are canonical,
   * one encoding each), and stores the verdict on that output.
   */
  async check(job: Job): Promise<Verdict> {
    const [, posted] = await this.deps.coordinator.postedAnswer(job.requestId, job.terms);
    const verdict = posted === outputHash(await this.deps.outputs.output(job)) ? "right" : "wrong";
    this.deps.store.recordVerdict(job.requestId, posted, verdict);
    return verdict;
  }

  /**
   * Step one of challenging a wrong answer: the commitment, with a new secret salt stored
   * (with the output it challenges) before it is sent, or the stored one when a commitment to
   * this output was already made (a restart, a lost send: committing again is harmless).
   * Nothing while our balance cannot cover the bond the reveal will post.
   */
  async commitChallenge(job: Job, posted: string): Promise<Call | undefined> {
    if (!(await this.canAfford(job))) return undefined;
    let commit = job.commit?.output === posted ? job.commit : null;
    if (!commit) {
      commit = { output: posted, salt: hexlify(randomBytes(32)) };
      this.deps.store.recordCommit(job.requestId, commit);
      job.commit = commit;
    }
    this.deps.log.warn({ request: job.requestId.toString() }, "watchtower: wrong optimistic answer; committing to a challenge");
    return this.deps.disputesOf(job).commitChallenge(DisputeCalls.commitment(job.requestId, this.deps.address, commit.salt));
  }

  /** Step two, once the commitment is mined: the challenge itself, revealed with the stored salt. */
  async challenge(job: Job): Promise<Call | undefined> {
    if (!job.commit) throw new Error(`no challenge commitment stored for request ${job.requestId}`);
    if (!(await this.canAfford(job))) return undefined;
    this.deps.log.warn({ request: job.requestId.toString() }, "watchtower: revealing the challenge");
    return this.deps.disputesOf(job).challenge(job.requestId, job.terms, job.commit.salt);
  }

  private async canAfford(job: Job): Promise<boolean> {
    const bond = BigInt(job.terms.challengeBond);
    if ((await this.deps.token.balanceOf(this.deps.address)) >= bond) return true;
    if (!this.unaffordable.has(job.requestId))
      this.deps.log.warn(
        { request: job.requestId.toString(), bond: bond.toString() },
        "watchtower: wrong answer, but the balance cannot cover the challenge bond",
      );
    this.unaffordable.add(job.requestId);
    return false;
  }

  /** The fraud proof of a disputed wrong answer: our output and its proof. */
  async proveFraud(job: Job): Promise<Call> {
    const { output, proof } = await this.deps.outputs.proven(job);
    return this.deps.disputesOf(job).proveFraud(job.requestId, job.terms, job.input, output, proof);
  }

  resolveDisputeTimeout(job: Job): Promise<Call> {
    return this.deps.disputesOf(job).resolveDisputeTimeout(job.requestId, job.terms);
  }
}
