/**
 * What the relayer tests share: a local Highway with the relayer processes a test starts on it,
 * and what they read back (on-chain outcomes, the relayers' own stores and metrics).
 */
import "../../relayer/src/quiet-warnings.js";
import { DatabaseSync } from "node:sqlite";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import {
  advanceTime,
  fundRequester,
  startHighway as startLocalHighway,
  startRelayerProcess,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
  type RelayerProcessOptions,
  type StartOptions,
} from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { deploymentStartBlock } from "../../sdk/deployment.js";
import { queryFilterPaged } from "../../sdk/logs.js";
import { RequestStatusCode as Status } from "../../sdk/protocol.js";
export { randomRequest } from "../../scripts/lib/localnet.js";

export { Status };

/** A test's local Highway and the relayers it starts on it (see {@link relayerTestbed}): plain functions, to destructure. */
export interface RelayerTestbed {
  /** Starts a Hardhat node with Highway deployed and funds the requester; the node stops after the test. */
  startHighway: (options?: StartOptions) => Promise<LocalHighway>;
  /** Starts a relayer process on the test's Highway; it is killed after the test. */
  start: (options: RelayerProcessOptions) => RelayerProcess;
  /** Hardhat account 0, who makes the requests. */
  requester: () => Promise<HardhatEthersSigner>;
  /** A Hardhat account, by index. */
  signer: (account: number) => Promise<HardhatEthersSigner>;
  /** Waits until every request is final, moving time past the challenge windows of optimistic answers once nothing else is in flight. */
  waitAllFinal: (ids: readonly bigint[], timeoutMs?: number) => Promise<void>;
}

/**
 * The set-up the relayer process tests share; call it in a `describe`. It registers an `afterEach` that kills
 * the test's relayers (printing the last `logLines` lines of each one's output when the test failed) and stops its node.
 */
export function relayerTestbed(logLines = 40): RelayerTestbed {
  let current: LocalHighway | undefined;
  const processes: RelayerProcess[] = [];
  const highway = (): LocalHighway => {
    if (!current) throw new Error("no local Highway: call startHighway() first");
    return current;
  };

  afterEach(async function () {
    for (const relayer of processes.splice(0)) {
      await relayer.kill("SIGKILL");
      if (this.currentTest?.state === "failed") console.log(relayer.output().split("\n").slice(-logLines).join("\n"));
    }
    await current?.stop();
    current = undefined;
  });

  const requester = async () => (await highway().ethers.getSigners())[0];
  return {
    startHighway: async (options) => {
      current = await startLocalHighway(options);
      await fundRequester(current, await requester());
      return current;
    },
    start: (options) => {
      const relayer = startRelayerProcess(highway(), options);
      processes.push(relayer);
      return relayer;
    },
    requester,
    signer: (account) => highway().ethers.getSigner(hardhatAccount(account).address),
    waitAllFinal: (ids, timeoutMs = 240_000) =>
      waitFor(
        "every request answered or refunded",
        async () => {
          const now = await statuses(highway(), ids);
          if (now.every((status) => status === Status.Fulfilled || status === Status.Refunded)) return true;
          // Jump past the challenge window only once nothing is waiting to be claimed or answered:
          // jumping earlier would also pass delivery windows, and rightly get slow claims reopened.
          const settled = now.every((status) => status === Status.Pending || status === Status.Fulfilled || status === Status.Refunded);
          if (settled && now.some((status) => status === Status.Pending)) await advanceTime(highway(), 61);
          return false;
        },
        timeoutMs,
        500,
      ),
  };
}

export async function statuses(highway: LocalHighway, ids: readonly bigint[]): Promise<number[]> {
  return Promise.all(ids.map(async (id) => Number((await highway.coordinator.getRequest(id))[1].status)));
}

export async function allInStatus(highway: LocalHighway, ids: readonly bigint[], wanted: number[]): Promise<boolean> {
  return (await statuses(highway, ids)).every((status) => wanted.includes(status));
}

/** How many times each request was the subject of `eventName` on chain. */
export async function eventCounts(highway: LocalHighway, eventName: string): Promise<Map<bigint, number>> {
  const coordinator = highway.coordinator as unknown as Contract;
  const logs = await queryFilterPaged(
    highway.ethers.provider,
    coordinator,
    coordinator.filters[eventName](),
    deploymentStartBlock(highway.deployment),
  );
  const counts = new Map<bigint, number>();
  for (const log of logs) {
    const id = (log as unknown as { args: { requestId: bigint } }).args.requestId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The relayer's job rows (read-only). */
export function storedJobs(
  relayer: RelayerProcess,
): { requestId: bigint; state: string; proofsMade: number; note: string | null; verdict: string | null; checkedOutput: string | null }[] {
  const db = new DatabaseSync(relayer.databasePath, { readOnly: true });
  try {
    return (
      db.prepare("SELECT request_id, state, proofs_made, note, verdict, checked_output FROM jobs").all() as Record<
        string,
        string | number | null
      >[]
    ).map((row) => ({
      requestId: BigInt(row.request_id as string),
      state: String(row.state),
      proofsMade: Number(row.proofs_made),
      note: row.note as string | null,
      verdict: row.verdict as string | null,
      checkedOutput: row.checked_output as string | null,
    }));
  } finally {
    db.close();
  }
}

/** One of a relayer's jobs, once the store has it. */
export function storedJob(relayer: RelayerProcess, requestId: bigint): ReturnType<typeof storedJobs>[number] | undefined {
  return storedJobs(relayer).find((job) => job.requestId === requestId);
}

/** A relayer's /healthz answer. */
export async function healthOf(relayer: RelayerProcess): Promise<Record<string, unknown>> {
  const port = relayer.httpPort();
  if (!port) throw new Error(`the relayer did not log its HTTP port:\n${relayer.output()}`);
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<Record<string, unknown>>;
}

/** A relayer's Prometheus metrics, read from its /metrics endpoint. */
export async function metricsOf(relayer: RelayerProcess): Promise<string> {
  const port = relayer.httpPort();
  if (!port) throw new Error(`the relayer did not log its HTTP port:\n${relayer.output()}`);
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The sum of a metric's samples whose labels contain every `labels` pair. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}
