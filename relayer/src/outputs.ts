/**
 * Our output for a job, and its proof when one is needed: made once by the prover and
 * kept in the job store, so that a retry, a restart or a dispute reuses them instead
 * of proving again.
 */
import { decodeInput } from "../../sdk/encoding.js";
import type { RelayerMetrics } from "./metrics.js";
import type { Job, JobStore } from "./store.js";

/** What the relayer needs of a prover (relayer/prover/pool.ts's ProverPool is one). */
export interface Prover {
  /** The model's quantized outputs for a quantized input, without a proof: what an optimistic answer posts. */
  witness(model: string, input: readonly bigint[]): Promise<{ outputs: bigint[] }>;
  /** The outputs with a proof of them: what a zk answer, a defence and a fraud proof send. */
  prove(model: string, input: readonly bigint[]): Promise<{ outputs: bigint[]; proof: string }>;
  close(): Promise<void>;
}

export class JobOutputs {
  constructor(
    private readonly prover: Prover,
    private readonly store: JobStore,
    private readonly metrics: RelayerMetrics,
  ) {}

  /** Our output for the job (a witness suffices). */
  async output(job: Job): Promise<bigint[]> {
    const stored = this.store.get(job.requestId)!;
    if (stored.output) return parseOutput(stored.output);
    const { outputs } = await this.timed(job, "witness", () => this.prover.witness(job.model, decodeInput(job.input)));
    this.store.recordProof(job.requestId, JSON.stringify(outputs.map(String)), null);
    return outputs;
  }

  /** Our output for the job and a proof of it. */
  async proven(job: Job): Promise<{ output: bigint[]; proof: string }> {
    const stored = this.store.get(job.requestId)!;
    if (stored.output && stored.proof) return { output: parseOutput(stored.output), proof: stored.proof };
    const { outputs, proof } = await this.timed(job, "proof", () => this.prover.prove(job.model, decodeInput(job.input)));
    this.store.recordProof(job.requestId, JSON.stringify(outputs.map(String)), proof);
    return { output: outputs, proof };
  }

  private async timed<T>(job: Job, mode: "witness" | "proof", make: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const made = await make();
    this.metrics.proveSeconds.observe({ model: job.model, mode }, (Date.now() - started) / 1000);
    return made;
  }
}

function parseOutput(json: string): bigint[] {
  return (JSON.parse(json) as string[]).map(BigInt);
}
