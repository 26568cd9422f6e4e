/**
 * The prover pool: a bounded set of long-lived Python EZKL workers
 * (relayer/prover/ezkl_worker.py), each proving one request at a time, fed from a
 * bounded FIFO queue over pipes. Inputs are checked against the model's manifest
 * before anything is sent, so a wrong length or an out-of-range value is a typed
 * error and no proving starts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { inputSpec, loadCircuit, type Circuit } from "../../sdk/circuits.js";
import { checkTensor, fromField } from "../../sdk/encoding.js";

const REPO = resolve(import.meta.dirname, "..", "..");
const WORKER_SCRIPT = join(REPO, "relayer", "prover", "ezkl_worker.py");

export interface ProverPoolOptions {
  /**
   * Circuit folders (paths, or names of folders in circuits/) the workers serve. A batched circuit's
   * folder (circuits/<model>/batch-<B>/, its manifest's `batchSize`) serves `proveBatch` for its model.
   */
  circuits: readonly string[];
  /** Number of worker processes (each proves one request at a time). Default 1. */
  workers?: number;
  /** Requests that may wait for a worker before `ProverBusyError`. Default 1024. */
  maxQueue?: number;
  /** Python with ezkl; default the project's .venv, or $HIGHWAY_PYTHON. */
  python?: string;
  /** How long a worker may take to load and warm up. Default 120 s. */
  startupTimeoutMs?: number;
}

/** The quantized outputs of a model for an input: what the proof will carry. */
export interface WitnessResult {
  /** Signed quantized outputs at the model's output scale. */
  outputs: bigint[];
  witnessMs: number;
}

/** A proof ready for the verifier: `verifyProof(proof, instances)`. */
export interface ProofResult extends WitnessResult {
  proof: string;
  /** Public instances: the inputs, then the outputs, as field elements. */
  instances: bigint[];
  proveMs: number;
}

/** One proof of a batch of requests' inputs (`proveBatch`), the batched circuit's padding included. */
export interface BatchProofResult {
  /** Each request's signed quantized outputs, in the order of the inputs (padded rows dropped). */
  outputs: bigint[][];
  proof: string;
  /** Public instances of all B rows: every row's inputs, then every row's outputs (padded rows zero inputs). */
  instances: bigint[];
  witnessMs: number;
  proveMs: number;
}

/** A worker failed a request, or died while serving it. */
export class ProverError extends Error {
  override name = "ProverError";
}

/** The queue is full; retry later or add workers. */
export class ProverBusyError extends ProverError {
  override name = "ProverBusyError";
}

/** How long a worker's warm-up took to witness and prove a model's first sample. */
export interface WarmUpTime {
  witnessMs: number;
  proveMs: number;
}

type Op = "witness" | "prove" | "proveBatch";
interface Job {
  id: number;
  op: Op;
  model: string;
  /** One input, or for `proveBatch` the batch's inputs. */
  input: bigint[] | bigint[][];
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

interface Worker {
  process: ChildProcessWithoutNullStreams;
  current?: Job;
  stderrTail: string[];
}

export class ProverPool {
  private readonly circuits = new Map<string, Circuit>();
  private readonly batchedCircuits = new Map<string, Circuit>();
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  private peakRssKb = 0;
  private sentCount = 0;
  private readonly warmUp = new Map<string, WarmUpTime>();

  private constructor(private readonly options: Required<ProverPoolOptions>) {
    for (const dirOrName of options.circuits) {
      const circuit = loadCircuit(dirOrName);
      (circuit.manifest.batchSize ? this.batchedCircuits : this.circuits).set(circuit.manifest.name, circuit);
    }
  }

  /** Starts the workers and resolves once every one has loaded its keys and warmed up. */
  static async start(options: ProverPoolOptions): Promise<ProverPool> {
    const pool = new ProverPool({
      workers: 1,
      maxQueue: 1024,
      python: process.env.HIGHWAY_PYTHON ?? join(REPO, ".venv", "bin", "python"),
      startupTimeoutMs: 120_000,
      ...options,
    });
    if (pool.options.workers < 1) throw new ProverError(`workers must be at least 1, got ${pool.options.workers}`);
    try {
      await Promise.all(Array.from({ length: pool.options.workers }, () => pool.spawnWorker()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** The models this pool serves, by name. */
  get models(): string[] {
    return [...this.circuits.keys()];
  }

  /** The circuit of a model this pool serves. */
  circuit(model: string): Circuit {
    const circuit = this.circuits.get(model);
    if (!circuit) throw new ProverError(`unknown model "${model}"; this pool serves ${this.models.join(", ")}`);
    return circuit;
  }

  /** The batch size of `model`'s batched circuit, or 1 when this pool has none (single proofs only). */
  batchSize(model: string): number {
    return this.batchedCircuits.get(model)?.manifest.batchSize ?? 1;
  }

  /** The batched circuit of a model this pool batches. */
  batchedCircuit(model: string): Circuit {
    const circuit = this.batchedCircuits.get(model);
    if (!circuit)
      throw new ProverError(
        `no batched circuit of "${model}"; this pool batches ${[...this.batchedCircuits.keys()].join(", ") || "no model"}`,
      );
    return circuit;
  }

  /**
   * One proof that the model maps each of `inputs` (1 to its batch size) to its outputs, with the
   * batched circuit: the rows past the inputs are zero padding, whose outputs are dropped.
   */
  async proveBatch(model: string, inputs: readonly (readonly bigint[])[]): Promise<BatchProofResult> {
    const reply = await this.submit("proveBatch", model, inputs);
    const length = this.batchedCircuit(model).manifest.output.length;
    const rows = decodeOutputs(reply);
    return {
      outputs: inputs.map((_, i) => rows.slice(i * length, (i + 1) * length)),
      proof: reply.proof as string,
      instances: (reply.instances as string[]).map(BigInt),
      witnessMs: reply.witnessMs as number,
      proveMs: reply.proveMs as number,
    };
  }

  /** The model's quantized outputs for a quantized input (no proof): for optimistic answers. */
  async witness(model: string, input: readonly bigint[]): Promise<WitnessResult> {
    const reply = await this.submit("witness", model, input);
    return { outputs: decodeOutputs(reply), witnessMs: reply.witnessMs as number };
  }

  /** A proof that the model maps `input` to its outputs. */
  async prove(model: string, input: readonly bigint[]): Promise<ProofResult> {
    const reply = await this.submit("prove", model, input);
    return {
      outputs: decodeOutputs(reply),
      witnessMs: reply.witnessMs as number,
      proof: reply.proof as string,
      instances: (reply.instances as string[]).map(BigInt),
      proveMs: reply.proveMs as number,
    };
  }

  /** Peak resident memory of any worker so far, in MiB (Linux VmHWM). */
  peakRssMb(): number {
    for (const worker of this.workers) this.sampleRss(worker);
    return this.peakRssKb / 1024;
  }

  /** Each model's warm-up time, the slowest worker's: a first measure of how long a witness and a proof take. */
  warmUpTimes(): ReadonlyMap<string, WarmUpTime> {
    return this.warmUp;
  }

  /** Requests handed to a worker so far (checked-out requests never count). */
  get sent(): number {
    return this.sentCount;
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Workers with nothing to do: a request now starts at once. */
  get idleWorkers(): number {
    return this.idle.length;
  }

  /** Stops the workers; pending requests fail with ProverError. */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new ProverError("the prover pool was closed"));
    await Promise.all(
      [...this.workers].map(
        (worker) =>
          new Promise<void>((done) => {
            if (worker.process.exitCode !== null || worker.process.signalCode !== null) return done();
            worker.process.once("exit", () => done());
            worker.process.stdin.end();
            setTimeout(() => worker.process.kill("SIGKILL"), 5_000).unref();
          }),
      ),
    );
  }

  // Async, so that whatever is thrown before the request is queued rejects the promise.
  private async submit(op: Op, model: string, input: readonly bigint[] | readonly (readonly bigint[])[]): Promise<Record<string, unknown>> {
    if (this.closing) throw new ProverError("the prover pool is closed");
    if (op === "proveBatch") {
      const circuit = this.batchedCircuit(model);
      const size = circuit.manifest.batchSize!;
      if (input.length < 1 || input.length > size)
        throw new ProverError(`a batch of ${model} holds 1 to ${size} inputs, got ${input.length}`);
      for (const row of input as readonly (readonly bigint[])[]) checkTensor(row, inputSpec(circuit.manifest));
    } else {
      checkTensor(input as readonly bigint[], inputSpec(this.circuit(model).manifest));
    }
    if (this.queue.length >= this.options.maxQueue) {
      throw new ProverBusyError(`${this.queue.length} requests are already waiting for a prover`);
    }
    return new Promise((resolve, reject) => {
      const copy =
        op === "proveBatch" ? (input as readonly (readonly bigint[])[]).map((row) => [...row]) : [...(input as readonly bigint[])];
      const job = { id: this.nextId++, op, model, input: copy, resolve, reject };
      // A witness takes milliseconds and unblocks a claim or an optimistic answer: it goes ahead of the queued
      // proofs (after the witnesses already queued), which it delays by as little.
      const position = op === "witness" ? this.queue.findIndex((queued) => queued.op !== "witness") : -1;
      if (position < 0) this.queue.push(job);
      else this.queue.splice(position, 0, job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      const job = this.queue.shift()!;
      worker.current = job;
      const request =
        job.op === "proveBatch"
          ? { id: job.id, op: job.op, model: job.model, inputs: (job.input as bigint[][]).map((row) => row.map(String)) }
          : { id: job.id, op: job.op, model: job.model, input: (job.input as bigint[]).map(String) };
      worker.process.stdin.write(JSON.stringify(request) + "\n");
      this.sentCount++;
    }
  }

  private spawnWorker(): Promise<void> {
    const dirs = [...this.circuits.values(), ...this.batchedCircuits.values()].map((c) => c.dir);
    const child = spawn(this.options.python, [WORKER_SCRIPT, ...dirs], { stdio: ["pipe", "pipe", "pipe"] });
    const worker: Worker = { process: child, stderrTail: [] };
    this.workers.add(worker);
    createInterface({ input: child.stderr }).on("line", (line) => {
      worker.stderrTail.push(line);
      if (worker.stderrTail.length > 20) worker.stderrTail.shift();
    });

    return new Promise((resolveReady, rejectReady) => {
      let ready = false;
      const timer = setTimeout(() => {
        rejectReady(new ProverError(`a prover worker did not start within ${this.options.startupTimeoutMs} ms`));
        child.kill("SIGKILL");
      }, this.options.startupTimeoutMs);

      createInterface({ input: child.stdout }).on("line", (line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (!ready) {
          clearTimeout(timer);
          if (message.ready !== true) {
            rejectReady(new ProverError(`a prover worker failed to start: ${String(message.error)}`));
            return;
          }
          ready = true;
          for (const [model, time] of Object.entries((message.warmUp ?? {}) as Record<string, WarmUpTime>)) {
            const known = this.warmUp.get(model);
            this.warmUp.set(model, {
              witnessMs: Math.max(time.witnessMs, known?.witnessMs ?? 0),
              proveMs: Math.max(time.proveMs, known?.proveMs ?? 0),
            });
          }
          this.idle.push(worker);
          resolveReady();
          this.dispatch();
          return;
        }
        const job = worker.current;
        worker.current = undefined;
        this.sampleRss(worker);
        if (job && message.id === job.id) {
          if (message.ok === true) job.resolve(message);
          else job.reject(new ProverError(`${job.op} for ${job.model} failed: ${String(message.error)}`));
        }
        this.idle.push(worker);
        this.dispatch();
      });

      child.on("error", (error) => {
        clearTimeout(timer);
        rejectReady(new ProverError(`cannot run the prover worker with ${this.options.python}: ${error.message}`));
      });

      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        this.workers.delete(worker);
        const position = this.idle.indexOf(worker);
        if (position >= 0) this.idle.splice(position, 1);
        const why = `exited with ${signal ?? `code ${code}`}: ${worker.stderrTail.slice(-3).join(" | ")}`;
        if (!ready) rejectReady(new ProverError(`a prover worker ${why}`));
        worker.current?.reject(new ProverError(`the prover worker serving this request ${why}`));
        // A worker that dies after start is replaced, so one bad request cannot shrink the pool.
        if (ready && !this.closing) this.spawnWorker().catch(() => undefined);
      });
    });
  }

  private sampleRss(worker: Worker): void {
    try {
      const status = readFileSync(`/proc/${worker.process.pid}/status`, "utf8");
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) this.peakRssKb = Math.max(this.peakRssKb, Number(match[1]));
    } catch {
      // The worker has exited; its last sample stands.
    }
  }
}

function decodeOutputs(reply: Record<string, unknown>): bigint[] {
  return (reply.outputs as string[]).map((element) => fromField(BigInt(element)));
}
