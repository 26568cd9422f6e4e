/**
 * When a request is worth claiming: the auction's current price (sdk/fees.ts's
 * `auctionPrice`, which mirrors the coordinator's formula, so no RPC call is needed)
 * must cover the gas of serving it, priced in payment-token units, plus the model's
 * compute cost, times a margin.
 */

/**
 * Gas of serving one request end to end, by mode: whole transactions as `make bench-gas`
 * measures them (the price-signal verifier, a minimal callback), rounded up to 10,000.
 */
export const SERVICE_GAS = {
  zk: 60_000n + 530_000n, // claim + fulfillZk with the verifier
  optimistic: 60_000n + 70_000n + 90_000n, // claim + submitOptimistic + finalize
} as const;

export interface PriceInputs {
  offeredFee: bigint;
  mode: keyof typeof SERVICE_GAS;
  gasPriceWei: bigint;
  /** Payment-token units per wei (the coin's price in the token). */
  tokenUnitsPerWei: number;
  computeCost: bigint;
  margin: number;
}

/** The least fee at which serving is worth it. */
export function breakEvenFee(inputs: Omit<PriceInputs, "offeredFee">): bigint {
  const gasCost = BigInt(Math.ceil(Number(SERVICE_GAS[inputs.mode] * inputs.gasPriceWei) * inputs.tokenUnitsPerWei));
  const marginPpm = BigInt(Math.round(inputs.margin * 1_000_000));
  return ((gasCost + inputs.computeCost) * marginPpm + 999_999n) / 1_000_000n;
}

export function worthClaiming(inputs: PriceInputs): boolean {
  return inputs.offeredFee >= breakEvenFee(inputs);
}
