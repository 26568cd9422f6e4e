/**
 * The watchtower: recomputes other relayers' optimistic outputs, and builds the
 * transactions that act on a wrong one (challenge, then prove the fraud) or on a
 * dispute nobody defended (resolve its timeout). `decide` says when; the relayer loop
 * sends what this returns.
 *
 * A verdict is stored with the posted output it judged, and holds for that output
 * alone: a dispute that times out reopens the request, and the next answer posted
 * under the same id is judged anew.
 */
import type { InferenceCoordinator } from "../../types/contracts/InferenceCoordinator.js";
import type { HighwayToken } from "../../types/contracts/token/HighwayToken.js";
import type { DisputeCalls } from "./disputes.js";
import type { Logger } from "./logger.js";
import { outputHash, type JobOutputs } from "./outputs.js";
import type { Job, JobStore, Verdict } from "./store.js";
import type { Call } from "./submitter.js";

export interface WatchtowerDeps {
  /** Where the posted outputs are read. */
  coordinator: InferenceCoordinator;
  disputes: DisputeCalls;
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

  /** The challenge of a wrong answer, or nothing while our balance cannot cover the bond. */
  async challenge(job: Job): Promise<Call | undefined> {
    const bond = BigInt(job.terms.challengeBond);
    const fields = { request: job.requestId.toString(), bond: bond.toString() };
    if ((await this.deps.token.balanceOf(this.deps.address)) < bond) {
      if (!this.unaffordable.has(job.requestId))
        this.deps.log.warn(fields, "watchtower: wrong answer, but the balance cannot cover the challenge bond");
      this.unaffordable.add(job.requestId);
      return undefined;
    }
    this.deps.log.warn(fields, "watchtower: wrong optimistic answer; challenging");
    return this.deps.disputes.challenge(job.requestId, job.terms);
  }

  /** The fraud proof of a disputed wrong answer: our output and its proof. */
  async proveFraud(job: Job): Promise<Call> {
    const { output, proof } = await this.deps.outputs.proven(job);
    return this.deps.disputes.proveFraud(job.requestId, job.terms, job.input, output, proof);
  }

  resolveDisputeTimeout(job: Job): Promise<Call> {
    return this.deps.disputes.resolveDisputeTimeout(job.requestId, job.terms);
  }
}
