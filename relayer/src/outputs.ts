/**
 * Our output for a job, and its proof when one is needed: made once by the prover (a
 * circuit model's) or the language runtime (a language model's answer text) and kept in
 * the job store, so that a retry, a restart or a dispute reuses them instead of making
 * them again. Each one made is timed, for the estimate of how long we take.
 */
import { getBytes, hexlify, keccak256 } from "ethers";
import { decodeTensor, encodeTensor } from "../../sdk/encoding.js";
import type { LanguageRuntime } from "../llm/runtime.js";
import { ProverBusyError, type WarmUpTime } from "../prover/pool.js";
import type { RelayerMetrics } from "./metrics.js";
import type { ProverWork, ProvingTimes } from "./proving-times.js";
import type { Job, JobStore } from "./store.js";

/** What the relayer needs of a prover (relayer/prover/pool.ts's ProverPool is one). */
export interface Prover {
  /** The model's quantized outputs for a quantized input, without a proof: what an optimistic answer posts. */
  witness(model: string, input: readonly bigint[]): Promise<{ outputs: bigint[] }>;
  /** The outputs with a proof of them: what a zk answer, a defence and a fraud proof send. */
  prove(model: string, input: readonly bigint[]): Promise<{ outputs: bigint[]; proof: string }>;
  /** One proof of 1..B inputs with the model's batched circuit (batching.ts); absent without batched circuits. */
  proveBatch?(model: string, inputs: readonly (readonly bigint[])[]): Promise<{ outputs: bigint[][]; proof: string; instances: bigint[] }>;
  /** Workers with nothing to do (batching.ts waits with a partial batch while there are none); absent, always one. */
  readonly idleWorkers?: number;
  /** Each model's warm-up time: the first measure of how long we take, before any job. */
  warmUpTimes(): ReadonlyMap<string, WarmUpTime>;
  close(): Promise<void>;
}

/** The prover could not make a job's output or proof: a failure of the job, counted against it. */
export class OutputError extends Error {
  override name = "OutputError";
}

export class JobOutputs {
  constructor(
    private readonly prover: Prover,
    private readonly store: JobStore,
    private readonly times: ProvingTimes,
    private readonly metrics: RelayerMetrics,
    /** The language models we run, by name: their answers are generated, never proven. */
    private readonly runtimes: ReadonlyMap<string, LanguageRuntime> = new Map(),
  ) {}

  /**
   * Our output for the job, as the coordinator takes it: a circuit model's canonical tensor (a witness
   * suffices), or a language model's answer, UTF-8 bytes within the request's `outputSize`.
   */
  async output(job: Job): Promise<string> {
    const stored = this.store.get(job.requestId)!;
    if (stored.output) return stored.output;
    const runtime = this.runtimes.get(job.model);
    const output = runtime
      ? await this.timed(job, "witness", () => answerOf(runtime, job))
      : encodeTensor((await this.timed(job, "witness", () => this.prover.witness(job.model, decodeTensor(job.input)))).outputs);
    this.store.recordProof(job.requestId, output, null);
    return output;
  }

  /** Our output for the job and a proof of it (a circuit model's: a language model's answer has none). */
  async proven(job: Job): Promise<{ output: string; proof: string }> {
    if (this.runtimes.has(job.model)) throw new OutputError(`request ${job.requestId} is a language model's: its answer has no proof`);
    const stored = this.store.get(job.requestId)!;
    if (stored.output && stored.proof) return { output: stored.output, proof: stored.proof };
    const { outputs, proof } = await this.timed(job, "proof", () => this.prover.prove(job.model, decodeTensor(job.input)));
    const output = encodeTensor(outputs);
    this.store.recordProof(job.requestId, output, proof);
    return { output, proof };
  }

  private async timed<T>(job: Job, work: ProverWork, make: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let made: T;
    try {
      made = await make();
    } catch (error) {
      // A full queue is our load, not the job's fault: the step is retried without counting it.
      if (error instanceof ProverBusyError) throw error;
      this.metrics.provingFailures.inc({ model: job.model, work });
      throw new OutputError(`the prover failed to make the ${work} of request ${job.requestId}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const ms = Date.now() - started;
    this.times.record(job.model, work, ms);
    this.metrics.proveSeconds.observe({ model: job.model, mode: work }, ms / 1000);
    return made;
  }
}

/**
 * A language model's answer to the job's input under its runtime spec. The coordinator takes 1 to `outputSize`
 * bytes: an empty answer (the model stopped at once) cannot be posted, so it fails the job rather than being claimed.
 */
async function answerOf(runtime: LanguageRuntime, job: Job): Promise<string> {
  const { output } = await runtime.answer(getBytes(job.input), Number(job.terms.outputSize));
  if (output.length === 0) throw new Error("the model's answer is empty, which the coordinator does not take");
  return hexlify(output);
}

/** What the watchtower keys its verdicts on, and the coordinator keeps of a posted answer: the output's hash. */
export function outputHash(output: string): string {
  return keccak256(output);
}
