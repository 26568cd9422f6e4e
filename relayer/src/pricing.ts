/**
 * What serving a request and challenging a wrong answer are worth, in payment-token
 * units. The auction's current price comes from sdk/fees.ts's `auctionPrice` (the
 * coordinator's formula, so no RPC call is needed); gas is priced at the current gas
 * price times the operator's token units per wei.
 *
 * A transaction that calls the consumer back (fulfillZk, finalize, proveFraud) may
 * spend the request's whole `callbackGasLimit` on top of its own work: a consumer that
 * burns its callback gas makes the answer cost that much more, so every such
 * transaction is priced at its measured base plus the request's own limit.
 */
import { BPS } from "../../sdk/fees.js";
import type { ProofMode } from "../../sdk/protocol.js";

/**
 * Gas of each transaction without the consumer's callback: whole transactions as
 * `make bench-gas` measures them (the price-signal verifier; the callback's few
 * thousand gas taken out), with head-room for larger verifiers, rounded up to 10,000.
 */
export const TRANSACTION_GAS = {
  claim: 60_000n,
  fulfillZk: 530_000n, // + callbackGasLimit
  submitOptimistic: 70_000n,
  finalize: 90_000n, // + callbackGasLimit
  challenge: 90_000n,
  proveFraud: 580_000n, // + callbackGasLimit: the verifier, the slash and the settlement
} as const;

/** Gas of serving one request end to end: claim and answer (zk), or claim, answer and finalize (optimistic). */
export function serviceGas(mode: ProofMode, callbackGasLimit: bigint): bigint {
  const gas = TRANSACTION_GAS;
  return mode === "zk" ? gas.claim + gas.fulfillZk + callbackGasLimit : gas.claim + gas.submitOptimistic + gas.finalize + callbackGasLimit;
}

/** Gas of proving a disputed answer wrong, which answers the request and so calls the consumer back. */
export function proveFraudGas(callbackGasLimit: bigint): bigint {
  return TRANSACTION_GAS.proveFraud + callbackGasLimit;
}

/** What the chain's current gas price makes of the operator's token price. */
export interface GasPricing {
  gasPriceWei: bigint;
  /** Payment-token units per wei (the coin's price in the token). */
  tokenUnitsPerWei: number;
}

/** `gas` at the current gas price, in payment-token units (rounded up). */
export function gasCostInTokens(gas: bigint, { gasPriceWei, tokenUnitsPerWei }: GasPricing): bigint {
  return BigInt(Math.ceil(Number(gas * gasPriceWei) * tokenUnitsPerWei));
}

export interface PriceInputs extends GasPricing {
  offeredFee: bigint;
  mode: ProofMode;
  /** The request's callback gas limit. */
  callbackGasLimit: bigint;
  computeCost: bigint;
  margin: number;
}

/** The least fee at which serving is worth it: (gas cost + compute cost) × margin. */
export function breakEvenFee(inputs: Omit<PriceInputs, "offeredFee">): bigint {
  const gasCost = gasCostInTokens(serviceGas(inputs.mode, inputs.callbackGasLimit), inputs);
  const marginPpm = BigInt(Math.round(inputs.margin * 1_000_000));
  return ((gasCost + inputs.computeCost) * marginPpm + 999_999n) / 1_000_000n;
}

export function worthClaiming(inputs: PriceInputs): boolean {
  return inputs.offeredFee >= breakEvenFee(inputs);
}

/** What the watchtower weighs for a wrong answer (the coordinator's `proveFraud` and `_splitLoserBond`). */
export interface FraudInputs extends GasPricing {
  /** The wrong relayer's job bond: the challenger's, less the protocol's dispute share. */
  jobBond: bigint;
  disputeProtocolShareBps: bigint;
  /** The compute fee the wrong relayer claimed at: the fraud prover's, since its proof answers the request. */
  computeFee: bigint;
  callbackGasLimit: bigint;
  /** Our cost of the proof beyond gas. */
  computeCost: bigint;
}

/**
 * The expected profit of challenging a wrong answer and proving the fraud: the job bond
 * less the protocol's share, plus the compute fee, less our compute cost and the gas of
 * both transactions. The challenge bond comes back in full, so it is no cost.
 */
export function challengeProfit(inputs: FraudInputs): bigint {
  const bondWon = inputs.jobBond - (inputs.jobBond * inputs.disputeProtocolShareBps) / BPS;
  const gas = TRANSACTION_GAS.challenge + proveFraudGas(inputs.callbackGasLimit);
  return bondWon + inputs.computeFee - inputs.computeCost - gasCostInTokens(gas, inputs);
}

/** The expected profit of proving the fraud of an answer someone else challenged: its bond goes to the challenger. */
export function fraudProofProfit(inputs: Omit<FraudInputs, "jobBond" | "disputeProtocolShareBps">): bigint {
  return inputs.computeFee - inputs.computeCost - gasCostInTokens(proveFraudGas(inputs.callbackGasLimit), inputs);
}
