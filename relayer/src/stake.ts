/**
 * Whether our stake lets us claim. A claim locks the request's job bond (at least the
 * coordinator's `jobBond`) from our free stake (stake − locked, in RelayerStaking), and
 * the staking contract takes it only while our stake is at least its `minStake`. A
 * relayer that cannot claim still runs (it finishes the jobs in hand and watches other
 * relayers), so the operator must hear it: a warning with the numbers and the command
 * that fixes it, and `/healthz` reports the stake and `degraded`.
 *
 * Read at start-up, then again at least every minute, and on the next tick after an
 * event that changes it (the watcher hands the relayer Staked, Slashed,
 * UnbondingStarted, Withdrawn of ours, MinStakeUpdated and the coordinator's ParamsUpdated).
 */
import { formatUnits } from "ethers";
import type { Logger } from "./logger.js";
import type { RelayerMetrics } from "./metrics.js";

/** How often the stake is read again when no event said it changed. */
export const STAKE_RECHECK_MS = 60_000;

/** Our stake against what a claim needs, in token units. */
export interface StakeStanding {
  staked: bigint;
  locked: bigint;
  /** stake − locked: what a new job bond can be locked from. */
  free: bigint;
  /** The coordinator's job bond: the least any request locks. */
  jobBond: bigint;
  minStake: bigint;
  /** Free stake covers a job bond and the stake reaches the minimum. */
  canClaim: boolean;
  /** What staking that many more tokens would make up (0 when we can claim). */
  shortfall: bigint;
}

export function stakeStanding(record: { stake: bigint; locked: bigint }, jobBond: bigint, minStake: bigint): StakeStanding {
  const free = record.stake - record.locked;
  const shortfall = [jobBond - free, minStake - record.stake, 0n].reduce((a, b) => (a > b ? a : b));
  return { staked: record.stake, locked: record.locked, free, jobBond, minStake, canClaim: shortfall === 0n, shortfall };
}

/** Token units as tokens (the payment token has 18 decimals, as `highway` reads and writes amounts): 12.5, 200. */
export function formatTokens(units: bigint): string {
  return formatUnits(units, 18).replace(/\.0$/, "");
}

/** Why we cannot claim, with the numbers in tokens and the command that fixes it; undefined when we can. */
export function stakeWarning(standing: StakeStanding, address: string): string | undefined {
  if (standing.canClaim) return undefined;
  const { staked, locked, free, jobBond, minStake, shortfall } = standing;
  const reasons: string[] = [];
  if (free < jobBond)
    reasons.push(
      `free stake ${formatTokens(free)} tokens (stake ${formatTokens(staked)}, ${formatTokens(locked)} locked in open jobs) does not cover a job bond of ${formatTokens(jobBond)} tokens`,
    );
  if (staked < minStake)
    reasons.push(`stake ${formatTokens(staked)} tokens is below the minimum stake of ${formatTokens(minStake)} tokens`);
  const onlyLocked = staked >= minStake && staked >= jobBond;
  const amount = formatTokens(shortfall);
  return (
    `cannot claim requests: ${reasons.join(", and ")}: stake ${amount} more with \`highway relayer stake ${amount}\` from the relayer's account ${address}` +
    (onlyLocked ? ", or wait for its open jobs to release their bonds" : "")
  );
}

/** What the monitor reads: RelayerStaking's record and minimum, the coordinator's job bond. */
export interface StakeSources {
  staking: { relayerOf(address: string): Promise<{ stake: bigint; locked: bigint }>; minStake(): Promise<bigint> };
  coordinator: { getParams(): Promise<{ jobBond: bigint }> };
}

/** Keeps our stake's standing, reads it again when due, and says so when it changes between "can claim" and "cannot". */
export class StakeMonitor {
  private standing: StakeStanding | undefined;
  private checkedAtMs = 0;
  private stale = true;

  constructor(
    private readonly sources: StakeSources,
    private readonly address: string,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly recheckMs = STAKE_RECHECK_MS,
  ) {}

  /** An event said our stake, the minimum or the job bond changed: read them again on the next `refresh`. */
  markStale(): void {
    this.stale = true;
  }

  /** Reads the stake again when an event marked it stale or the last read is older than the recheck period. */
  async refresh(nowMs = Date.now()): Promise<void> {
    if (this.stale || nowMs - this.checkedAtMs >= this.recheckMs) await this.check(nowMs);
  }

  /** Reads the stake, the minimum and the job bond; warns when we cannot claim (at the first read, or when that starts), tells when we can again. */
  async check(nowMs = Date.now()): Promise<StakeStanding> {
    this.stale = false;
    const [record, minStake, params] = await Promise.all([
      this.sources.staking.relayerOf(this.address),
      this.sources.staking.minStake(),
      this.sources.coordinator.getParams(),
    ]);
    const standing = stakeStanding(record, params.jobBond, minStake);
    const before = this.standing;
    this.standing = standing;
    this.checkedAtMs = nowMs;
    this.updateMetrics(standing);
    const fields = { stake: this.tokens(standing) };
    if (!standing.canClaim && (before === undefined || before.canClaim)) this.log.warn(fields, stakeWarning(standing, this.address));
    if (standing.canClaim && before !== undefined && !before.canClaim)
      this.log.info(fields, "free stake covers a job bond again: claiming");
    return standing;
  }

  /** The last standing, in tokens, for /healthz and the logs; undefined before the first read. */
  status(): ReturnType<StakeMonitor["tokens"]> | undefined {
    return this.standing && this.tokens(this.standing);
  }

  /** Why we cannot claim, when we cannot. */
  warning(): string | undefined {
    return this.standing && stakeWarning(this.standing, this.address);
  }

  private tokens(standing: StakeStanding) {
    return {
      staked: formatTokens(standing.staked),
      locked: formatTokens(standing.locked),
      free: formatTokens(standing.free),
      jobBond: formatTokens(standing.jobBond),
      minStake: formatTokens(standing.minStake),
      canClaim: standing.canClaim,
      shortfall: formatTokens(standing.shortfall),
    };
  }

  private updateMetrics(standing: StakeStanding): void {
    const { stakeTokens, canClaim } = this.metrics;
    for (const [kind, units] of [
      ["staked", standing.staked],
      ["locked", standing.locked],
      ["free", standing.free],
      ["job_bond", standing.jobBond],
      ["min_stake", standing.minStake],
    ] as const) {
      stakeTokens.set({ kind }, Number(formatUnits(units, 18)));
    }
    canClaim.set(standing.canClaim ? 1 : 0);
  }
}
