/**
 * The fee formula of docs/DESIGN.md "Settlement", mirrored from contracts/libraries/FeeMath.sol
 * so that a quote needs no RPC call and a settled request's split can be reported
 * exactly; the tests check both against the contract. Also the rule of a request's security
 * level (its job bond and challenge window), mirrored from the coordinator.
 */
import { HighwayError } from "./errors.js";

export const BPS = 10_000n;

const MAX_UINT96 = (1n << 96n) - 1n;

/** The longest challenge window a request may ask for: 7 days, the bound of the protocol's dispute windows. */
export const MAX_CHALLENGE_WINDOW = 7 * 24 * 3_600;

/** What a request locks for its optimistic answers' security: the claimant's job bond, the challenge bond and window. */
export interface SecurityLevel {
  /** The stake a claimant locks, slashed (to the challenger) if its answer is proven wrong or left undefended. */
  jobBond: bigint;
  /** What a challenger posts, lost to the relayer if the answer stands: the protocol's, raised in proportion to a raised job bond. */
  challengeBond: bigint;
  /** Seconds an optimistic answer can be challenged before it is final. */
  challengeWindow: number;
}

/**
 * The security level a request asking for `requested` locks, under the protocol's `defaults`
 * (`coordinator.getParams()`): 0 or nothing asked means the protocol's value; a job bond asked
 * for must be at least the protocol's (and raises the challenge bond in proportion), a challenge window at least the protocol's and at most
 * 7 days (the coordinator refuses others with InvalidJobBond and InvalidChallengeWindow).
 */
export function securityLevel(
  defaults: { jobBond: bigint; challengeBond: bigint; challengeWindow: bigint | number },
  requested: { jobBond?: bigint; challengeWindow?: number } = {},
): SecurityLevel {
  const minWindow = Number(defaults.challengeWindow);
  const jobBond = requested.jobBond || defaults.jobBond;
  const challengeWindow = requested.challengeWindow || minWindow;
  if (jobBond < defaults.jobBond)
    throw new HighwayError(
      `job bond ${requested.jobBond} is below the protocol's ${defaults.jobBond}: a request may raise its security level, not lower it`,
    );
  if (challengeWindow < minWindow || challengeWindow > MAX_CHALLENGE_WINDOW) {
    throw new HighwayError(
      `challenge window ${requested.challengeWindow} s is outside [${minWindow}, ${MAX_CHALLENGE_WINDOW}] s: at least the protocol's, at most 7 days`,
    );
  }
  // The bonds keep the protocol's ratio (the coordinator's `_setSecurityLevel`, rounded down the same way).
  const raised = (defaults.challengeBond * jobBond) / defaults.jobBond;
  const challengeBond = raised > MAX_UINT96 ? MAX_UINT96 : raised;
  return { jobBond, challengeBond, challengeWindow };
}

/** What a request escrows, and what each part is for. */
export interface EscrowQuote {
  modelFee: bigint;
  maxComputeFee: bigint;
  /** The protocol fee on modelFee + maxComputeFee. */
  protocolFee: bigint;
  /** modelFee + maxComputeFee + protocolFee: what the requester pays up front. */
  total: bigint;
}

/** Who received what when a request was answered; the parts add up to the escrow. */
export interface FeeSplit {
  /** The relayer's compute fee (the auction's clearing price). */
  relayer: bigint;
  modelOwner: bigint;
  parent: bigint;
  referrer: bigint;
  protocol: bigint;
  /** The unspent escrow, back to the requester. */
  refund: bigint;
}

export function protocolFee(modelFee: bigint, computeFee: bigint, protocolFeeBps: bigint): bigint {
  return ((modelFee + computeFee) * protocolFeeBps) / BPS;
}

export function quoteEscrow(modelFee: bigint, maxComputeFee: bigint, protocolFeeBps: bigint): EscrowQuote {
  const fee = protocolFee(modelFee, maxComputeFee, protocolFeeBps);
  return { modelFee, maxComputeFee, protocolFee: fee, total: modelFee + maxComputeFee + fee };
}

/** The terms fields the split depends on (as the coordinator locked them in the request). */
export interface SplitTerms {
  modelFee: bigint;
  maxComputeFee: bigint;
  protocolFeeBps: bigint;
  parentShareBps: bigint;
  referralShareBps: bigint;
}

/** How an answered request's escrow was divided, given the compute fee it cleared at. */
export function splitFees(terms: SplitTerms, computeFee: bigint): FeeSplit {
  const protocol = protocolFee(terms.modelFee, computeFee, terms.protocolFeeBps);
  const parent = (terms.modelFee * terms.parentShareBps) / BPS;
  const referrer = (terms.modelFee * terms.referralShareBps) / BPS;
  const escrow = quoteEscrow(terms.modelFee, terms.maxComputeFee, terms.protocolFeeBps).total;
  return {
    relayer: computeFee,
    modelOwner: terms.modelFee - parent - referrer,
    parent,
    referrer,
    protocol,
    refund: escrow - terms.modelFee - computeFee - protocol,
  };
}

/**
 * The reverse Dutch auction's compute fee at time `at`: from startFee at the request's
 * creation, rising linearly to maxFee over `duration` seconds (mirrors
 * contracts/libraries/AuctionMath.sol; the tests check the two agree).
 */
export function auctionPrice(startFee: bigint, maxFee: bigint, startTime: bigint, duration: bigint, at: bigint): bigint {
  if (startFee >= maxFee || duration === 0n || at >= startTime + duration) return maxFee;
  if (at <= startTime) return startFee;
  return startFee + ((maxFee - startFee) * (at - startTime)) / duration;
}
