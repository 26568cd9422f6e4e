/** The network's, each model's and each relayer's figures, computed from the requests the index holds. */
import { percentile } from "../../../scripts/lib/report.js";
import type { RequestStatus } from "../../../sdk/index.js";
import type { ChainIndex } from "./chain-index.js";
import type { AnswerMode, RequestRecord } from "./requests.js";

/** The `p`th percentile (0–100, nearest rank) of `values`; undefined for none. */
function percentileOf(values: readonly number[], p: number): number | undefined {
  return values.length === 0 ? undefined : percentile(values, p);
}

/** Seconds from a request's creation to its final answer (and callback, in the same transaction). */
export function latencyOf(index: ChainIndex, record: RequestRecord): number | undefined {
  if (record.status !== "fulfilled" || record.answerMode === "cache") return undefined;
  const at = index.timeOf(record.fulfilledBlock);
  return at === undefined ? undefined : at - record.createdAt;
}

export interface Earnings {
  relayer: bigint;
  modelOwner: bigint;
  parent: bigint;
  referrer: bigint;
  protocol: bigint;
  refund: bigint;
}

const ZERO_EARNINGS: Earnings = { relayer: 0n, modelOwner: 0n, parent: 0n, referrer: 0n, protocol: 0n, refund: 0n };

/** The settled fee splits of `records` added up by role. */
export function earningsOf(records: Iterable<RequestRecord>): Earnings {
  const total = { ...ZERO_EARNINGS };
  for (const record of records) {
    if (!record.fees) continue;
    for (const role of Object.keys(total) as (keyof Earnings)[]) total[role] += record.fees[role];
  }
  return total;
}

export interface NetworkStats {
  total: number;
  byStatus: Record<RequestStatus, number>;
  answersByMode: Record<AnswerMode, number>;
  /** Requests made in the last ten minutes of chain time, per minute. */
  perMinute: number;
  /** Requests made per minute of chain time, oldest first (the last 60 minutes with any). */
  minutes: { minute: number; count: number }[];
  latency: { p50?: number; p95?: number; samples: { at: number; seconds: number }[] };
  openDisputes: number;
  earnings: Earnings;
  /** Every protocol fee and dispute share accrued: paid to the treasury and still in the coordinator. */
  protocolFeesAccrued: bigint;
}

export function networkStats(index: ChainIndex): NetworkStats {
  const byStatus: Record<RequestStatus, number> = { none: 0, open: 0, claimed: 0, pending: 0, disputed: 0, fulfilled: 0, refunded: 0 };
  const answersByMode: Record<AnswerMode, number> = { zk: 0, optimistic: 0, dispute: 0, cache: 0 };
  const perMinute = new Map<number, number>();
  const samples: { at: number; seconds: number }[] = [];
  const now = index.sync.chainTime;
  let recent = 0;
  for (const record of index.requests.values()) {
    byStatus[record.status]++;
    if (record.answerMode) answersByMode[record.answerMode]++;
    const minute = Math.floor(record.createdAt / 60);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    if (record.createdAt > now - 600) recent++;
    const seconds = latencyOf(index, record);
    if (seconds !== undefined) samples.push({ at: index.timeOf(record.fulfilledBlock)!, seconds });
  }
  samples.sort((a, b) => a.at - b.at);
  const latencies = samples.map((sample) => sample.seconds);
  const withdrawn = index.payouts.reduce((sum, event) => (event.kind === "ProtocolFeesWithdrawn" ? sum + event.amount : sum), 0n);
  return {
    total: index.requests.size,
    byStatus,
    answersByMode,
    perMinute: recent / 10,
    minutes: minuteSeries(perMinute),
    latency: { p50: percentileOf(latencies, 50), p95: percentileOf(latencies, 95), samples },
    openDisputes: byStatus.disputed,
    earnings: earningsOf(index.requests.values()),
    protocolFeesAccrued: withdrawn + (index.protocol?.protocolFeesPending ?? 0n),
  };
}

/** Every minute of the last hour that has requests up to the last one, with zeros between (at least two minutes, to draw). */
function minuteSeries(perMinute: Map<number, number>): { minute: number; count: number }[] {
  if (perMinute.size === 0) return [];
  const last = Math.max(...perMinute.keys());
  const first = Math.max(Math.min(...perMinute.keys()), last - 59);
  const minutes = [];
  for (let minute = Math.min(first, last - 1); minute <= last; minute++) minutes.push({ minute, count: perMinute.get(minute) ?? 0 });
  return minutes;
}

export interface ModelStats {
  requests: number;
  served: number;
  cacheHits: number;
  /** What its owner earned (model fees less the parent's and referrers' shares). */
  ownerEarnings: bigint;
  /** What its parent model's owner earned from it. */
  parentEarnings: bigint;
  /** Withdrawn by its owner so far. */
  withdrawn: bigint;
}

export function modelStats(index: ChainIndex, modelId: string): ModelStats {
  const records = index.ordered.filter((record) => record.modelId === modelId);
  const earnings = earningsOf(records);
  return {
    requests: records.length,
    served: records.filter((record) => record.status === "fulfilled").length,
    cacheHits: records.filter((record) => record.answerMode === "cache").length,
    ownerEarnings: earnings.modelOwner,
    parentEarnings: earnings.parent,
    withdrawn: index.payouts.reduce(
      (sum, event) => (event.kind === "ModelEarningsWithdrawn" && event.modelId === modelId ? sum + event.amount : sum),
      0n,
    ),
  };
}

/** The models `modelId` descends from, nearest first. */
export function lineageOf(index: ChainIndex, modelId: string): string[] {
  const chain: string[] = [];
  let parent = index.models.get(modelId)?.parentModelId.toLowerCase();
  while (parent && !/^0x0+$/.test(parent) && !chain.includes(parent)) {
    chain.push(parent);
    parent = index.models.get(parent)?.parentModelId.toLowerCase();
  }
  return chain;
}

export interface RelayerStats {
  claimed: number;
  answered: number;
  slashed: bigint;
  /** Compute fees paid to it. */
  earnings: bigint;
  /** Seconds from its claim to its answer (median and 95th percentile), and each answer's (by the answer's time). */
  latency: { p50?: number; p95?: number; samples: { at: number; seconds: number }[] };
}

export function relayerStats(index: ChainIndex, address: string): RelayerStats {
  let claimed = 0;
  let answered = 0;
  let slashed = 0n;
  let earnings = 0n;
  const samples: { at: number; seconds: number }[] = [];
  for (const record of index.requests.values()) {
    for (const event of record.events) {
      if (event.kind === "RequestClaimed" && event.relayer === address) claimed++;
      if (event.kind === "RelayerSlashed" && event.relayer === address) slashed += event.amount;
      if (event.kind === "RequestFulfilled" && event.payee === address) earnings += event.computeFee;
    }
    if (record.relayer === address && record.status === "fulfilled" && record.answerMode !== "cache") {
      answered++;
      const claimedAt = index.timeOf(record.claimedBlock);
      const answer = record.events.find((event) => event.kind === "OptimisticSubmitted" || event.kind === "RequestFulfilled");
      const answeredAt = index.timeOf(answer?.block);
      if (claimedAt !== undefined && answeredAt !== undefined) samples.push({ at: answeredAt, seconds: answeredAt - claimedAt });
    }
  }
  samples.sort((a, b) => a.at - b.at);
  const latencies = samples.map((sample) => sample.seconds);
  return { claimed, answered, slashed, earnings, latency: { p50: percentileOf(latencies, 50), p95: percentileOf(latencies, 95), samples } };
}
