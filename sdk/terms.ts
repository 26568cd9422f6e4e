/**
 * A request's terms as the coordinator locked them, and the one rule that changes them:
 * `raiseMaxComputeFee` replaces `maxComputeFee` and nothing else (the contract's
 * `RequestTerms` library does the same). The SDK and the relayer both derive a request's
 * current terms here, so their calls always match the coordinator's stored terms hash.
 */
import { AbiCoder, keccak256 } from "ethers";
import { IInferenceCoordinator__factory } from "../types/factories/contracts/interfaces/IInferenceCoordinator__factory.js";
import type { IInferenceCoordinator } from "../types/contracts/interfaces/IInferenceCoordinator.js";

/** A request's terms as the coordinator locked them (see IInferenceCoordinator.RequestTerms). */
export type RequestTerms = IInferenceCoordinator.RequestTermsStructOutput;

/** Terms as plain values: what a call takes, what a store keeps. */
export type PlainTerms = IInferenceCoordinator.RequestTermsStruct;

/** The ABI type of RequestTerms, taken from the interface so it cannot drift from the contract. */
const TERMS_TYPE = IInferenceCoordinator__factory.createInterface().getFunction("cancel").inputs[1];

/** The terms of a `RequestCreated` (or any event carrying `terms`) as a plain object of their decoded values. */
export function termsFromEvent(eventTerms: { toObject(deep?: boolean): Record<string, unknown> }): RequestTerms {
  return eventTerms.toObject(true) as unknown as RequestTerms;
}

/** The terms after `raiseMaxComputeFee(newMaxComputeFee)`: the only field a raise changes. */
export function raiseTerms<T extends PlainTerms>(terms: T, newMaxComputeFee: bigint): T {
  return { ...terms, maxComputeFee: newMaxComputeFee };
}

/** A request's current terms: the created ones with every raise applied in order. */
export function currentTerms<T extends PlainTerms>(created: T, raises: readonly bigint[]): T {
  return raises.reduce<T>((terms, raised) => raiseTerms(terms, raised), created);
}

/** keccak256(abi.encode(terms)): a request's id while its terms were never raised, else its stored terms hash. */
export function termsHash(terms: PlainTerms): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode([TERMS_TYPE], [terms]));
}

/** Terms as JSON (bigints as decimal strings), for a store. */
export function termsToJson(terms: PlainTerms): string {
  return JSON.stringify(terms, (_, value) => (typeof value === "bigint" ? value.toString() : value));
}

/** Terms read back from `termsToJson`; ethers accepts the decimal strings wherever a number is due. */
export function termsFromJson(json: string): PlainTerms {
  return JSON.parse(json) as PlainTerms;
}
