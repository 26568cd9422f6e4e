/**
 * How long we take to make an answer, per model: a rolling high percentile of the
 * witnesses and proofs we really made, seeded by the prover's warm-up. `decide` claims
 * a request only when this time, with the configured margin, fits before its deadline
 * and within its delivery window: a claim we cannot answer in time costs part of our bond.
 */
import type { WarmUpTime } from "../prover/pool.js";

/** What an answer needs the prover for: a witness (an optimistic answer) or a proof (a zk answer). */
export type ProverWork = "witness" | "proof";

/** How many of the latest measurements the estimate is taken over. */
const WINDOW = 32;
/** The estimate: the 95th percentile (nearest rank) of the window, its maximum while it holds fewer than 20. */
const PERCENTILE = 0.95;

export class ProvingTimes {
  private readonly samples = new Map<string, number[]>();

  /** Starts from the prover's warm-up of each model: a proof's time is its witness's and its proving's. */
  constructor(warmUp: ReadonlyMap<string, WarmUpTime>) {
    for (const [model, time] of warmUp) {
      this.record(model, "witness", time.witnessMs);
      this.record(model, "proof", time.witnessMs + time.proveMs);
    }
  }

  /** Records one measurement of `work` for `model`, in milliseconds. */
  record(model: string, work: ProverWork, ms: number): void {
    const key = `${model}/${work}`;
    const window = this.samples.get(key) ?? [];
    window.push(ms);
    if (window.length > WINDOW) window.shift();
    this.samples.set(key, window);
  }

  /** Whether `model` was measured (its warm-up at least). */
  knows(model: string): boolean {
    return this.samples.has(`${model}/proof`);
  }

  /** The estimated seconds `work` takes for `model`. */
  estimateSeconds(model: string, work: ProverWork): number {
    const window = this.samples.get(`${model}/${work}`);
    if (!window?.length) throw new Error(`no measured ${work} time for ${model}: the prover did not warm it up`);
    const sorted = [...window].sort((a, b) => a - b);
    return sorted[Math.ceil(PERCENTILE * sorted.length) - 1] / 1000;
  }
}
