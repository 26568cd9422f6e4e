/**
 * The job store: one SQLite row per request the relayer has seen, the raises of its
 * terms, and the chain position it has processed. Every state change is written here
 * before it is acted on, so that after a crash the relayer resumes from this file; the
 * on-chain state of a request is checked again before anything is sent.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { currentTerms, termsFromJson, termsToJson, type PlainTerms } from "../../sdk/terms.js";
import type { ProofMode } from "../../sdk/protocol.js";

/** The watchtower's finding on a posted optimistic output, once it recomputed the request's output. */
export type Verdict = "right" | "wrong";

/** Where a job stands from this relayer's point of view. */
export type JobState =
  | "new" // seen, not yet evaluated
  | "waiting" // open, but the auction price does not cover our cost yet, or our free stake does not cover the bond
  | "claiming" // a claim is being sent
  | "claimed" // we hold the claim; output or proof being made
  | "ready" // we hold the claim; output (and proof, for zk) stored, answer being sent
  | "submitted" // our optimistic answer is in its challenge window
  | "defending" // our optimistic answer was challenged; defence being sent
  | "watching" // someone else must move it next; the watchtower keeps an eye on optimistic answers
  | "committed" // we committed to a challenge of another relayer's answer (commit mined); its reveal being sent
  | "challenging" // we challenged another relayer's answer; fraud proof being sent
  | "skipped" // open, but we could not answer it before its deadline (or within its delivery window) at our measured speed; looked at again when an event about it arrives
  | "failed" // given up after `maxJobFailures` failures of our own (the last one in `lastFailure`)
  | "done" // final on chain (fulfilled or refunded), or nothing left that we could do
  | "ignored"; // a model we do not run

export const TERMINAL_STATES: readonly JobState[] = ["done", "failed", "ignored"];
/** States in which we have committed a bond: a claim of ours (answered or not), or a challenge. */
export const COMMITTED_STATES: readonly JobState[] = ["claiming", "claimed", "ready", "submitted", "defending", "challenging"];

/**
 * Our commitment to a challenge (DisputeGame.commitChallenge): the secret salt of
 * `keccak256(abi.encode(requestId, us, salt))`, and the posted output it challenges. Stored
 * before the commit is sent, so that a restart reveals with the same salt; it holds for
 * that output alone (a later answer under the same id needs a new commitment).
 */
export interface ChallengeCommit {
  output: string;
  salt: string;
}

/** A verdict with the posted output it was made on: it holds for that output alone, not for the request. */
export interface CheckedOutput {
  /** The posted output's hash (`outputHash`). */
  output: string;
  verdict: Verdict;
}

export interface Job {
  requestId: bigint;
  modelId: string;
  /** The model's name (its circuit folder); empty for a model we do not run. */
  model: string;
  mode: ProofMode;
  /** The request's current terms: the created ones with every recorded raise applied. */
  terms: PlainTerms;
  /** The request's input bytes (hex). */
  input: string;
  /** Where the request was created: its RequestCreated log's block and index. */
  createdBlock: number;
  createdLogIndex: number;
  state: JobState;
  /** Our output for this request, as the coordinator takes it (a canonical tensor, hex). */
  output: string | null;
  proof: string | null;
  /** How many times this relayer proved this request (tests assert at most one). */
  proofsMade: number;
  claimTx: string | null;
  answerTx: string | null;
  seenAtMs: number;
  answeredAtMs: number | null;
  note: string | null;
  /** The watchtower's last verdict, on the output that was posted when it checked. */
  checked: CheckedOutput | null;
  /** Our challenge commitment, if we made one (on the output it challenges). */
  commit: ChallengeCommit | null;
  /** Failures of our own steps on this job (a prover failure, a transaction that reverted or was given up). */
  failures: number;
  lastFailure: string | null;
}

/** A log's place in the chain. */
export interface ChainPosition {
  block: number;
  logIndex: number;
}

export type NewJob = Pick<
  Job,
  "requestId" | "modelId" | "model" | "mode" | "terms" | "input" | "createdBlock" | "createdLogIndex" | "state"
>;

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
  log_index INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  output TEXT,
  proof TEXT,
  proofs_made INTEGER NOT NULL DEFAULT 0,
  claim_tx TEXT,
  answer_tx TEXT,
  seen_at_ms INTEGER NOT NULL,
  answered_at_ms INTEGER,
  note TEXT,
  updated_at_ms INTEGER NOT NULL,
  checked_output TEXT,
  verdict TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  last_failure TEXT,
  commit_output TEXT,
  commit_salt TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state);
CREATE TABLE IF NOT EXISTS raises (
  request_id TEXT NOT NULL,
  block INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  max_compute_fee TEXT NOT NULL,
  PRIMARY KEY (request_id, block, log_index)
);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** A job row with its raises (oldest first) as a JSON array, so that one query yields current terms. */
const SELECT_JOBS = `
SELECT jobs.*, (SELECT json_group_array(max_compute_fee ORDER BY block, log_index) FROM raises WHERE raises.request_id = jobs.request_id) AS raises
FROM jobs`;

/** Chain order: the order the requests were created in. */
const CHAIN_ORDER = "ORDER BY created_block, log_index";

/** Columns added since the first stores were written: an older file gets them on opening. */
const ADDED_COLUMNS: Record<string, string> = {
  log_index: "INTEGER NOT NULL DEFAULT 0", // older rows get index 0: block order stays right
  checked_output: "TEXT",
  verdict: "TEXT",
  failures: "INTEGER NOT NULL DEFAULT 0",
  last_failure: "TEXT",
  commit_output: "TEXT",
  commit_salt: "TEXT",
};

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
    const columns = new Set((this.db.prepare("PRAGMA table_info(jobs)").all() as Row[]).map((column) => column.name));
    for (const [name, type] of Object.entries(ADDED_COLUMNS))
      if (!columns.has(name)) this.db.exec(`ALTER TABLE jobs ADD COLUMN ${name} ${type}`);
  }

  close(): void {
    this.db.close();
  }

  /** Records a request seen in a RequestCreated event; a request seen again keeps its row. */
  insert(job: NewJob): boolean {
    const now = Date.now();
    const result = this.db
      .prepare(
        `INSERT INTO jobs (request_id, model_id, model, mode, terms, input, created_block, log_index, state, seen_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING`,
      )
      .run(
        job.requestId.toString(),
        job.modelId,
        job.model,
        job.mode,
        termsToJson(job.terms),
        job.input,
        job.createdBlock,
        job.createdLogIndex,
        job.state,
        now,
        now,
      );
    return Number(result.changes) > 0;
  }

  get(requestId: bigint): Job | undefined {
    const row = this.db.prepare(`${SELECT_JOBS} WHERE request_id = ?`).get(requestId.toString()) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Moves a job to `state`, with any other fields that change with it, in one write. */
  update(requestId: bigint, state: JobState, fields: Partial<Pick<Job, "claimTx" | "answerTx" | "answeredAtMs" | "note">> = {}): void {
    const columns: Record<string, string | number | null> = { state, updated_at_ms: Date.now() };
    if (fields.claimTx !== undefined) columns.claim_tx = fields.claimTx;
    if (fields.answerTx !== undefined) columns.answer_tx = fields.answerTx;
    if (fields.answeredAtMs !== undefined) columns.answered_at_ms = fields.answeredAtMs;
    if (fields.note !== undefined) columns.note = fields.note;
    const names = Object.keys(columns);
    this.db
      .prepare(`UPDATE jobs SET ${names.map((name) => `${name} = ?`).join(", ")} WHERE request_id = ?`)
      .run(...names.map((name) => columns[name]), requestId.toString());
  }

  /**
   * Records a MaxComputeFeeRaised event of a known request. The raise is kept as the
   * event, with its place in the chain, so that a reorg can undo it; a job's current
   * terms are derived from the created terms and the raises by sdk/terms.ts.
   */
  recordRaise(requestId: bigint, maxComputeFee: bigint, at: ChainPosition): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO raises (request_id, block, log_index, max_compute_fee)
         SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM jobs WHERE request_id = ?)`,
      )
      .run(requestId.toString(), at.block, at.logIndex, maxComputeFee.toString(), requestId.toString());
  }

  /** Stores a proof (or a witness-only output) and counts it. */
  recordProof(requestId: bigint, output: string, proof: string | null): void {
    this.db
      .prepare("UPDATE jobs SET output = ?, proof = ?, proofs_made = proofs_made + ?, updated_at_ms = ? WHERE request_id = ?")
      .run(output, proof, proof === null ? 0 : 1, Date.now(), requestId.toString());
  }

  /** Records the watchtower's verdict on `output`, the output posted for the request when it checked. */
  recordVerdict(requestId: bigint, output: string, verdict: Verdict): void {
    this.db
      .prepare("UPDATE jobs SET checked_output = ?, verdict = ?, updated_at_ms = ? WHERE request_id = ?")
      .run(output, verdict, Date.now(), requestId.toString());
  }

  /** Records our challenge commitment's salt and the posted output it challenges, before the commit is sent. */
  recordCommit(requestId: bigint, commit: ChallengeCommit): void {
    this.db
      .prepare("UPDATE jobs SET commit_output = ?, commit_salt = ?, updated_at_ms = ? WHERE request_id = ?")
      .run(commit.output, commit.salt, Date.now(), requestId.toString());
  }

  /** Counts a failure of one of our steps on the job, with its reason; `decide` gives the job up after enough of them. */
  recordFailure(requestId: bigint, reason: string): void {
    this.db
      .prepare("UPDATE jobs SET failures = failures + 1, last_failure = ?, updated_at_ms = ? WHERE request_id = ?")
      .run(reason, Date.now(), requestId.toString());
  }

  /**
   * At start-up, with the models the config serves now (by model id): the requests set
   * aside because we did not run their model (`ignored`) or answer their mode
   * (`watching`) go back to `new`, under the model's name, so that `decide` derives them
   * again from the chain; the other unfinished jobs of those models take the model's
   * name too. Returns how many jobs went back to `new`.
   */
  reconsider(models: ReadonlyMap<string, { name: string; modes: readonly ProofMode[] }>): number {
    return this.transaction(() => {
      let reconsidered = 0;
      const now = Date.now();
      for (const [modelId, model] of models) {
        const modes = model.modes.map(() => "?").join(", ");
        reconsidered += Number(
          this.db
            .prepare(
              `UPDATE jobs SET state = 'new', model = ?, note = NULL, updated_at_ms = ? WHERE model_id = ? AND (state = 'ignored' OR (state = 'watching' AND mode IN (${modes})))`,
            )
            .run(model.name, now, modelId, ...model.modes).changes,
        );
        this.db
          .prepare("UPDATE jobs SET model = ? WHERE model_id = ? AND model <> ? AND state NOT IN ('done', 'failed')")
          .run(model.name, modelId, model.name);
      }
      return reconsidered;
    });
  }

  /**
   * Jobs in which we hold a claim, an answer or a challenge (our bond is at stake), of a
   * model that is not among `served`: counted by model id, with the model's last name.
   */
  committedOutside(served: ReadonlySet<string>): { modelId: string; model: string; jobs: number }[] {
    const rows = this.db
      .prepare(
        `SELECT model_id, MAX(model) AS model, COUNT(*) AS n FROM jobs WHERE state IN (${COMMITTED_STATES.map(() => "?").join(", ")}) GROUP BY model_id`,
      )
      .all(...COMMITTED_STATES) as Row[];
    return rows
      .filter((row) => !served.has(row.model_id as string))
      .map((row) => ({ modelId: row.model_id as string, model: row.model as string, jobs: Number(row.n) }));
  }

  /** Jobs that may still need something from us, in chain order. */
  active(): Job[] {
    const placeholders = TERMINAL_STATES.map(() => "?").join(", ");
    return (this.db.prepare(`${SELECT_JOBS} WHERE state NOT IN (${placeholders}) ${CHAIN_ORDER}`).all(...TERMINAL_STATES) as Row[]).map(
      toJob,
    );
  }

  /** Every job, in chain order. */
  all(): Job[] {
    return (this.db.prepare(`${SELECT_JOBS} ${CHAIN_ORDER}`).all() as Row[]).map(toJob);
  }

  countsByState(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Row[];
    return Object.fromEntries(rows.map((row) => [row.state as string, Number(row.n)]));
  }

  // ------------------------------------------------------------------ chain position

  lastProcessedBlock(): number | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'last_block'").get() as Row | undefined;
    return row ? Number(row.value) : undefined;
  }

  /** Marks blocks up to `number` (whose hash is `hash`) as processed. */
  markProcessed(number: number, hash: string): void {
    this.transaction(() => {
      this.db.prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)").run(number, hash);
      this.setLastProcessedBlock(number);
      this.db.prepare("DELETE FROM blocks WHERE number < ?").run(number - KEPT_BLOCKS);
    });
  }

  /** Processed blocks with known hashes, newest first. */
  knownBlocks(): { number: number; hash: string }[] {
    return (this.db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC").all() as Row[]).map((row) => ({
      number: Number(row.number),
      hash: String(row.hash),
    }));
  }

  /**
   * After a reorg whose common ancestor is `ancestor`, in one transaction (a crash
   * leaves the store before or after it, never half-way): rewinds the processed
   * position to the ancestor, forgets the requests and raises of the undone blocks
   * (they come back if re-mined), and puts the finished jobs created after
   * `reviveCreatedAfter` back in play, since their answers may have been undone too.
   */
  rewindAfterReorg(ancestor: number, reviveCreatedAfter: number): { forgotten: number; revived: number } {
    return this.transaction(() => {
      this.db.prepare("DELETE FROM blocks WHERE number > ?").run(ancestor);
      this.setLastProcessedBlock(ancestor);
      this.db.prepare("DELETE FROM raises WHERE block > ?").run(ancestor);
      const forgotten = this.db.prepare("DELETE FROM jobs WHERE created_block > ?").run(ancestor).changes;
      const revived = this.db
        .prepare("UPDATE jobs SET state = 'new', updated_at_ms = ? WHERE state = 'done' AND created_block > ?")
        .run(Date.now(), reviveCreatedAfter).changes;
      return { forgotten: Number(forgotten), revived: Number(revived) };
    });
  }

  private setLastProcessedBlock(number: number): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_block', ?)").run(String(number));
  }

  private transaction<T>(work: () => T): T {
    this.db.exec("BEGIN");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }
}

function toJob(row: Row): Job {
  const raises = (JSON.parse((row.raises as string | null) ?? "[]") as string[]).map(BigInt);
  return {
    requestId: BigInt(row.request_id as string),
    modelId: row.model_id as string,
    model: row.model as string,
    mode: row.mode as ProofMode,
    terms: currentTerms(termsFromJson(row.terms as string), raises),
    input: row.input as string,
    createdBlock: Number(row.created_block),
    createdLogIndex: Number(row.log_index),
    state: row.state as JobState,
    output: row.output as string | null,
    proof: row.proof as string | null,
    proofsMade: Number(row.proofs_made),
    claimTx: row.claim_tx as string | null,
    answerTx: row.answer_tx as string | null,
    seenAtMs: Number(row.seen_at_ms),
    answeredAtMs: row.answered_at_ms === null ? null : Number(row.answered_at_ms),
    note: row.note as string | null,
    checked:
      row.checked_output === null || row.verdict === null
        ? null
        : { output: row.checked_output as string, verdict: row.verdict as Verdict },
    commit:
      row.commit_output === null || row.commit_salt === null || row.commit_output === undefined
        ? null
        : { output: row.commit_output as string, salt: row.commit_salt as string },
    failures: Number(row.failures),
    lastFailure: row.last_failure as string | null,
  };
}
