/**
 * The fee formula of docs/DESIGN.md "Settlement", mirrored from contracts/libraries/FeeMath.sol
 * so that a quote needs no RPC call and a settled request's split can be reported
 * exactly; the tests check both against the contract.
 */

export const BPS = 10_000n;

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
