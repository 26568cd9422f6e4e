/** The job store on its own (a SQLite file in a temporary folder): order, current terms, reorgs, and upgrades. */
import "../../relayer/src/quiet-warnings.js";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { id } from "ethers";
import { JobStore, type JobState, type NewJob } from "../../relayer/src/store.js";
import { termsToJson, type PlainTerms } from "../../sdk/terms.js";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const TERMS: PlainTerms = {
  modelId: "0x" + "11".repeat(32),
  inputHash: "0x" + "33".repeat(32),
  requester: ZERO_ADDRESS,
  consumer: ZERO_ADDRESS,
  referrer: ZERO_ADDRESS,
  parentModelId: "0x" + "00".repeat(32),
  modelFee: 1n,
  startComputeFee: 1n,
  maxComputeFee: 3n,
  jobBond: 100n,
  challengeBond: 10n,
  createdAt: 1_000n,
  deadline: 5_000n,
  auctionDuration: 60n,
  deliveryWindow: 60n,
  challengeWindow: 60n,
  defenceWindow: 60n,
  callbackGasLimit: 200_000n,
  protocolFeeBps: 100n,
  lateSlashBps: 2_000n,
  disputeProtocolShareBps: 2_000n,
  parentShareBps: 0n,
  referralShareBps: 0n,
  outputSize: 1n,
  modelKind: 0n,
  proofMode: 1n,
  nonce: 1n,
};

/** A request id as the coordinator makes them: a 256-bit hash, far beyond SQLite's integers. */
function hashId(seed: number): bigint {
  return BigInt(id(`request ${seed}`));
}

function newJob(seed: number, createdBlock: number, createdLogIndex = 0, state: JobState = "new"): NewJob {
  return {
    requestId: hashId(seed),
    modelId: String(TERMS.modelId),
    model: "price-signal",
    mode: "optimistic",
    terms: { ...TERMS, nonce: BigInt(seed) },
    input: "0x",
    createdBlock,
    createdLogIndex,
    state,
  };
}

describe("relayer job store", () => {
  let dir: string;
  let store: JobStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "highway-store-"));
    store = new JobStore(join(dir, "jobs.sqlite"));
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists jobs in the order their requests were created, by block and log index, whatever their ids", () => {
    store.insert(newJob(3, 12, 0));
    store.insert(newJob(1, 11, 5));
    store.insert(newJob(2, 11, 2));
    const order = [hashId(2), hashId(1), hashId(3)];
    expect(store.all().map((job) => job.requestId)).to.deep.equal(order);
    expect(store.active().map((job) => job.requestId)).to.deep.equal(order);
  });

  it("keeps the first row of a request seen twice", () => {
    expect(store.insert(newJob(1, 10, 0, "new"))).to.equal(true);
    expect(store.insert(newJob(1, 10, 0, "ignored"))).to.equal(false);
    expect(store.get(hashId(1))!.state).to.equal("new");
  });

  it("gives a job's current terms: the created ones with every recorded raise, in chain order", () => {
    store.insert(newJob(1, 10));
    store.recordRaise(hashId(1), 7n, { block: 14, logIndex: 0 });
    store.recordRaise(hashId(1), 5n, { block: 12, logIndex: 3 });
    expect(termsToJson(store.get(hashId(1))!.terms)).to.equal(termsToJson({ ...TERMS, nonce: 1n, maxComputeFee: 7n }));
  });

  it("does not record a raise of a request it never saw", () => {
    store.recordRaise(hashId(9), 7n, { block: 14, logIndex: 0 });
    store.insert(newJob(9, 10));
    expect(BigInt(store.get(hashId(9))!.terms.maxComputeFee)).to.equal(3n);
  });

  it("keeps the watchtower's verdict with the posted output it judged, the latest replacing the earlier", () => {
    store.insert(newJob(1, 10, 0, "watching"));
    expect(store.get(hashId(1))!.checked).to.equal(null);
    store.recordVerdict(hashId(1), '["7"]', "right");
    expect(store.get(hashId(1))!.checked).to.deep.equal({ output: '["7"]', verdict: "right" });
    store.recordVerdict(hashId(1), '["8"]', "wrong"); // another output posted after the request reopened
    expect(store.get(hashId(1))!.checked).to.deep.equal({ output: '["8"]', verdict: "wrong" });
  });

  it("keeps a challenge commitment's salt with the output it challenges across a restart, so the reveal uses the same salt", () => {
    store.insert(newJob(1, 10, 0, "watching"));
    expect(store.get(hashId(1))!.commit).to.equal(null);
    const salt = "0x" + "ab".repeat(32);
    store.recordCommit(hashId(1), { output: '["8"]', salt });
    store.update(hashId(1), "committed");
    store.close();
    store = new JobStore(join(dir, "jobs.sqlite"));
    const job = store.get(hashId(1))!;
    expect(job.state).to.equal("committed");
    expect(job.commit).to.deep.equal({ output: '["8"]', salt });
  });

  it("counts a job's failures with the last reason; a failed job is final", () => {
    store.insert(newJob(1, 10, 0, "ready"));
    store.recordFailure(hashId(1), "fulfillZk: Reverted");
    store.recordFailure(hashId(1), "fulfillZk: InvalidProof");
    expect(store.get(hashId(1))).to.include({ failures: 2, lastFailure: "fulfillZk: InvalidProof" });
    store.update(hashId(1), "failed");
    expect(store.active()).to.deep.equal([]);
    expect(store.countsByState()).to.deep.equal({ failed: 1 });
  });

  it("reconsiders at start-up the requests set aside as not served, of the models and modes the config serves now", () => {
    const OTHER_MODEL = "0x" + "44".repeat(32);
    const setAside = (seed: number, state: JobState, changes: Partial<NewJob> = {}) =>
      store.insert({ ...newJob(seed, seed, 0, state), ...changes });
    setAside(1, "ignored", { model: "" }); // a model the earlier run did not serve
    setAside(2, "watching", { mode: "zk" }); // a mode the earlier run did not answer
    setAside(3, "watching"); // an optimistic request: the mode is still not served, the watchtower keeps it
    setAside(4, "ignored", { modelId: OTHER_MODEL, model: "" }); // still not served
    setAside(5, "done", { model: "" }); // final: stays
    setAside(6, "claimed", { model: "old-name" }); // in hand: keeps its state, takes the model's name
    store.update(hashId(2), "watching", { note: "we do not answer zk requests of price-signal" });

    const reconsidered = store.reconsider(new Map([[String(TERMS.modelId), { name: "price-signal", modes: ["zk"] as const }]]));

    expect(reconsidered).to.equal(2);
    expect(store.all().map((job) => [job.requestId, job.state, job.model, job.note])).to.deep.equal([
      [hashId(1), "new", "price-signal", null],
      [hashId(2), "new", "price-signal", null],
      [hashId(3), "watching", "price-signal", null],
      [hashId(4), "ignored", "", null],
      [hashId(5), "done", "", null],
      [hashId(6), "claimed", "price-signal", null],
    ]);
    // Jobs we hold a bond in, of a model no longer served, are named.
    setAside(7, "submitted", { modelId: OTHER_MODEL, model: "credit-risk" });
    expect(store.committedOutside(new Set([String(TERMS.modelId)]))).to.deep.equal([
      { modelId: OTHER_MODEL, model: "credit-risk", jobs: 1 },
    ]);
  });

  it("rewinds after a reorg: forgets the undone requests and raises, revives recent finished jobs, moves the processed position back", () => {
    for (let block = 1; block <= 20; block++) store.markProcessed(block, `0x${block.toString(16).padStart(64, "0")}`);
    store.insert(newJob(1, 2, 0, "done")); // finished long before the lookback: stays done
    store.insert(newJob(2, 9, 0, "done")); // finished within the lookback: its answer may be undone
    store.insert(newJob(3, 12, 0, "submitted")); // created before the ancestor, still in play
    store.insert(newJob(4, 16, 0, "done")); // created in an undone block
    store.recordRaise(hashId(3), 4n, { block: 13, logIndex: 0 }); // kept
    store.recordRaise(hashId(3), 9n, { block: 17, logIndex: 0 }); // undone

    expect(store.rewindAfterReorg(15, 5)).to.deep.equal({ forgotten: 1, revived: 1 });

    expect(store.lastProcessedBlock()).to.equal(15);
    expect(store.knownBlocks()[0].number).to.equal(15);
    expect(store.get(hashId(4))).to.equal(undefined);
    expect(store.all().map((job) => [job.requestId, job.state])).to.deep.equal([
      [hashId(1), "done"],
      [hashId(2), "new"],
      [hashId(3), "submitted"],
    ]);
    expect(BigInt(store.get(hashId(3))!.terms.maxComputeFee)).to.equal(4n);
  });

  it("rewinds in one transaction: when a part fails, nothing of the rewind is kept", () => {
    for (let block = 1; block <= 20; block++) store.markProcessed(block, `0x${block.toString(16).padStart(64, "0")}`);
    store.insert(newJob(2, 9, 0, "done"));
    store.insert(newJob(4, 16, 0, "done"));
    // Another connection makes the last part of the rewind, reviving finished jobs, fail.
    const saboteur = new DatabaseSync(join(dir, "jobs.sqlite"));
    saboteur.exec("CREATE TRIGGER no_revival BEFORE UPDATE ON jobs BEGIN SELECT RAISE(ABORT, 'revival refused'); END");
    saboteur.close();

    expect(() => store.rewindAfterReorg(15, 5)).to.throw("revival refused");

    expect(store.lastProcessedBlock()).to.equal(20);
    expect(store.knownBlocks()[0].number).to.equal(20);
    expect(store.all().map((job) => [job.requestId, job.state])).to.deep.equal([
      [hashId(2), "done"],
      [hashId(4), "done"],
    ]);
  });

  it("opens a store written before jobs recorded their log index, in block order", () => {
    store.close();
    const path = join(dir, "old.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE jobs (request_id TEXT PRIMARY KEY, model_id TEXT NOT NULL, model TEXT NOT NULL, mode TEXT NOT NULL, terms TEXT NOT NULL,
      input TEXT NOT NULL, created_block INTEGER NOT NULL, state TEXT NOT NULL, output TEXT, proof TEXT, proofs_made INTEGER NOT NULL DEFAULT 0,
      claim_tx TEXT, answer_tx TEXT, seen_at_ms INTEGER NOT NULL, answered_at_ms INTEGER, note TEXT, updated_at_ms INTEGER NOT NULL)`);
    const insert = old.prepare(
      "INSERT INTO jobs (request_id, model_id, model, mode, terms, input, created_block, state, seen_at_ms, updated_at_ms) VALUES (?, ?, 'price-signal', 'zk', ?, '0x', ?, 'new', 0, 0)",
    );
    insert.run(hashId(1).toString(), String(TERMS.modelId), termsToJson(TERMS), 8);
    insert.run(hashId(2).toString(), String(TERMS.modelId), termsToJson(TERMS), 7);
    old.close();

    store = new JobStore(path);
    expect(store.active().map((job) => [job.requestId, job.createdLogIndex])).to.deep.equal([
      [hashId(2), 0],
      [hashId(1), 0],
    ]);
    store.insert(newJob(3, 9, 4));
    expect(store.get(hashId(3))!.createdLogIndex).to.equal(4);
    // The columns added since (verdicts, failures) are there too.
    expect(store.get(hashId(1))).to.include({ checked: null, failures: 0, lastFailure: null });
    store.recordVerdict(hashId(1), '["1"]', "right");
    store.recordFailure(hashId(1), "claim: Reverted");
    expect(store.get(hashId(1))).to.deep.include({ checked: { output: '["1"]', verdict: "right" }, failures: 1 });
  });
});
