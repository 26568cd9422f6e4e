/**
 * The job store: one SQLite row per request the relayer has seen, and the chain
 * position it has processed. Every state change is written here before it is acted
 * on, so that after a crash the relayer resumes from this file; the on-chain state
 * of a request is checked again before anything is sent.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Where a job stands from this relayer's point of view. */
export type JobState =
  | "new" // seen, not yet evaluated
  | "waiting" // open, the auction price does not cover our cost yet
  | "claiming" // a claim is being sent
  | "claimed" // we hold the claim; output or proof being made
  | "ready" // output (and proof, for zk) stored; answer being sent
  | "submitted" // our optimistic answer is in its challenge window
  | "defending" // our optimistic answer was challenged; defence being sent
  | "watching" // another relayer holds it; the watchtower keeps an eye on optimistic answers
  | "challenging" // we challenged another relayer's answer; fraud proof being sent
  | "done" // final on chain (fulfilled or refunded): nothing left for us
  | "ignored"; // a model or mode we do not serve

export const TERMINAL_STATES: readonly JobState[] = ["done", "ignored"];

export interface Job {
  requestId: bigint;
  modelId: string;
  model: string;
  mode: "zk" | "optimistic";
  /** The request's terms as emitted (JSON with bigints as strings). */
  terms: string;
  /** The request's input bytes (hex). */
  input: string;
  createdBlock: number;
  state: JobState;
  /** Our output for this request (signed decimal strings, JSON). */
  output: string | null;
  proof: string | null;
  /** How many times this relayer proved this request (tests assert at most one). */
  proofsMade: number;
  claimTx: string | null;
  answerTx: string | null;
  seenAtMs: number;
  answeredAtMs: number | null;
  note: string | null;
}

type Row = Record<string, string | number | null>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  request_id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  model TEXT NOT NULL,
  mode TEXT NOT NULL,
  terms TEXT NOT NULL,
  input TEXT NOT NULL,
  created_block INTEGER NOT NULL,
  state TEXT NOT NULL,
  output TEXT,
  proof TEXT,
  proofs_made INTEGER NOT NULL DEFAULT 0,
  claim_tx TEXT,
  answer_tx TEXT,
  seen_at_ms INTEGER NOT NULL,
  answered_at_ms INTEGER,
  note TEXT,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** How many processed block hashes are kept to find the common ancestor after a reorg. */
const KEPT_BLOCKS = 1_024;

export class JobStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    // WAL with synchronous=FULL: a state change that returned is on disk, even after SIGKILL.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Records a request seen in a RequestCreated event; a request seen again keeps its row. */
  insert(job: Pick<Job, "requestId" | "modelId" | "model" | "mode" | "terms" | "input" | "createdBlock" | "state">): boolean {
    const now = Date.now();
    const result = this.db
      .prepare(
        `INSERT INTO jobs (request_id, model_id, model, mode, terms, input, created_block, state, seen_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING`,
      )
      .run(job.requestId.toString(), job.modelId, job.model, job.mode, job.terms, job.input, job.createdBlock, job.state, now, now);
    return Number(result.changes) > 0;
  }

  get(requestId: bigint): Job | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE request_id = ?").get(requestId.toString()) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Moves a job to `state`, with any other fields that change with it, in one write. */
  update(requestId: bigint, state: JobState, fields: Partial<Pick<Job, "output" | "proof" | "claimTx" | "answerTx" | "answeredAtMs" | "note">> = {}): void {
    const columns: Record<string, string | number | null> = { state, updated_at_ms: Date.now() };
    if (fields.output !== undefined) columns.output = fields.output;
    if (fields.proof !== undefined) columns.proof = fields.proof;
    if (fields.claimTx !== undefined) columns.claim_tx = fields.claimTx;
    if (fields.answerTx !== undefined) columns.answer_tx = fields.answerTx;
    if (fields.answeredAtMs !== undefined) columns.answered_at_ms = fields.answeredAtMs;
    if (fields.note !== undefined) columns.note = fields.note;
    const names = Object.keys(columns);
    this.db
      .prepare(`UPDATE jobs SET ${names.map((name) => `${name} = ?`).join(", ")} WHERE request_id = ?`)
      .run(...names.map((name) => columns[name]), requestId.toString());
  }

  /** Stores a proof (or a witness-only output) and counts it. */
  recordProof(requestId: bigint, output: string, proof: string | null): void {
    this.db
      .prepare("UPDATE jobs SET output = ?, proof = ?, proofs_made = proofs_made + ?, updated_at_ms = ? WHERE request_id = ?")
      .run(output, proof, proof === null ? 0 : 1, Date.now(), requestId.toString());
  }

  /** Jobs that may still need something from us. */
  active(): Job[] {
    const placeholders = TERMINAL_STATES.map(() => "?").join(", ");
    return (this.db.prepare(`SELECT * FROM jobs WHERE state NOT IN (${placeholders}) ORDER BY CAST(request_id AS INTEGER)`).all(...TERMINAL_STATES) as Row[]).map(toJob);
  }

  all(): Job[] {
    return (this.db.prepare("SELECT * FROM jobs ORDER BY CAST(request_id AS INTEGER)").all() as Row[]).map(toJob);
  }

  countsByState(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Row[];
    return Object.fromEntries(rows.map((row) => [row.state as string, Number(row.n)]));
  }

  /** Puts finished jobs created after `blockNumber` back in play, to be re-derived from the chain. */
  reviveCreatedAfter(blockNumber: number): number {
    return Number(this.db.prepare("UPDATE jobs SET state = 'new', updated_at_ms = ? WHERE state = 'done' AND created_block > ?").run(Date.now(), blockNumber).changes);
  }

  /** Forgets requests created after `blockNumber` (undone by a reorg); they come back if re-mined. */
  forgetCreatedAfter(blockNumber: number): number {
    return Number(this.db.prepare("DELETE FROM jobs WHERE created_block > ?").run(blockNumber).changes);
  }

  // ------------------------------------------------------------------ chain position

  lastProcessedBlock(): number | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'last_block'").get() as Row | undefined;
    return row ? Number(row.value) : undefined;
  }

  /** Marks blocks up to `number` (whose hash is `hash`) as processed. */
  markProcessed(number: number, hash: string): void {
    this.db.exec("BEGIN");
    try {
      this.db.prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)").run(number, hash);
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_block', ?)").run(String(number));
      this.db.prepare("DELETE FROM blocks WHERE number < ?").run(number - KEPT_BLOCKS);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Processed blocks with known hashes, newest first. */
  knownBlocks(): { number: number; hash: string }[] {
    return (this.db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC").all() as Row[]).map((row) => ({
      number: Number(row.number),
      hash: String(row.hash),
    }));
  }

  /** Rewinds the processed position to `number` after a reorg. */
  rewindTo(number: number): void {
    this.db.exec("BEGIN");
    try {
      this.db.prepare("DELETE FROM blocks WHERE number > ?").run(number);
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_block', ?)").run(String(number));
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }
}

function toJob(row: Row): Job {
  return {
    requestId: BigInt(row.request_id as string),
    modelId: row.model_id as string,
    model: row.model as string,
    mode: row.mode as Job["mode"],
    terms: row.terms as string,
    input: row.input as string,
    createdBlock: Number(row.created_block),
    state: row.state as JobState,
    output: row.output as string | null,
    proof: row.proof as string | null,
    proofsMade: Number(row.proofs_made),
    claimTx: row.claim_tx as string | null,
    answerTx: row.answer_tx as string | null,
    seenAtMs: Number(row.seen_at_ms),
    answeredAtMs: row.answered_at_ms === null ? null : Number(row.answered_at_ms),
    note: row.note as string | null,
  };
}
