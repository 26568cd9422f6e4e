/**
 * When a request is worth claiming: the auction's current price (read from the
 * coordinator, which holds the one auction formula) must cover the gas of serving
 * it, priced in payment-token units, plus the model's compute cost, times a margin.
 */

/** Gas of serving one request end to end, by mode (from `make bench-gas`, rounded up). */
export const SERVICE_GAS = {
  zk: 90_000n + 520_000n, // claim + fulfillZk with the verifier
  optimistic: 90_000n + 80_000n + 60_000n, // claim + submitOptimistic + finalize
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
