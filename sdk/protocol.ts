/**
 * The protocol's enums as TypeScript sees them: one mirror of
 * IInferenceCoordinator.RequestStatus, ProofMode and ModelKind for the SDK, the relayer and the tests.
 */

/** Each RequestStatus by its on-chain value. */
export const RequestStatusCode = { None: 0, Open: 1, Claimed: 2, Pending: 3, Disputed: 4, Fulfilled: 5, Refunded: 6 } as const;

export type RequestStatus = Lowercase<keyof typeof RequestStatusCode>;

/** The name of an on-chain RequestStatus value, e.g. 5 → "fulfilled". */
export function requestStatusName(code: number | bigint): RequestStatus {
  const name = (Object.keys(RequestStatusCode) as (keyof typeof RequestStatusCode)[]).find(
    (key) => RequestStatusCode[key] === Number(code),
  );
  if (!name) throw new Error(`${code} is not a RequestStatus`);
  return name.toLowerCase() as RequestStatus;
}

/** ProofMode values in on-chain order (Zk = 0, Optimistic = 1); a model's `proofModes` bit i is mode i. */
export const PROOF_MODES = ["zk", "optimistic"] as const;

export type ProofMode = (typeof PROOF_MODES)[number];

/** A model's `proofModes` bits for a list of modes (zk = bit 0 = 1, optimistic = bit 1 = 2). */
export function proofModeBits(modes: readonly ProofMode[]): number {
  return modes.reduce((bits, mode) => bits | (1 << PROOF_MODES.indexOf(mode)), 0);
}

/** The modes a model's `proofModes` bits allow. */
export function proofModesFromBits(bits: number | bigint): ProofMode[] {
  return PROOF_MODES.filter((_, bit) => (Number(bits) >> bit) & 1);
}

/** `RequestParams.maxModelFee` that accepts any model fee (uint96's maximum): for callers that checked the fee themselves. */
export const ANY_MODEL_FEE = (1n << 96n) - 1n;

/** ModelKind values in on-chain order (Circuit = 0, Language = 1): tensors proven by a verifier, or UTF-8 text re-executed by a committee. */
export const MODEL_KINDS = ["circuit", "language"] as const;

export type ModelKind = (typeof MODEL_KINDS)[number];

/** IInferenceCoordinator.DisputeOutcome values in on-chain order: how a dispute ended. */
export const DISPUTE_OUTCOMES = ["defended", "fraud-proven", "timed-out", "voided"] as const;

export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
