/**
 * Fixed-point tensors of a zk model and their public instances.
 *
 * A model's inputs and outputs are fixed-point numbers: value × 2^scale, rounded
 * half away from zero (as EZKL quantizes). A proof's public instances are the inputs
 * followed by the outputs as elements of the BN254 scalar field, where a negative
 * value v is the element p + v. The Solidity twin is
 * `contracts/libraries/InstanceEncoding.sol`; both are tested on the same vectors.
 */
import { AbiCoder, type BytesLike } from "ethers";
import { HighwayError } from "./errors.js";

/** The order of the BN254 scalar field. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** The largest magnitude a value may have to map to a field element: (p − 1) / 2. */
export const MAX_ABS_VALUE = (FIELD_MODULUS - 1n) / 2n;

/** What a model accepts for one tensor: how many values, at which scale, within which bound. */
export interface TensorSpec {
  /** Number of values (the flattened tensor). */
  length: number;
  /** Fixed-point scale: a value v is represented as round(v × 2^scale). */
  scale: number;
  /** Largest allowed |quantized value|; omit for no bound beyond the field's. */
  bound?: bigint;
}

/** The base of every encoding error, so callers can catch them all at once. */
export class EncodingError extends HighwayError {
  override name = "EncodingError";
}

/** A tensor has the wrong number of values for the model. */
export class TensorLengthError extends EncodingError {
  override name = "TensorLengthError";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected ${expected} values but got ${actual}: pass exactly one value per model input`);
  }
}

/** A value lies outside the range the model (or the field) accepts. */
export class ValueOutOfRangeError extends EncodingError {
  override name = "ValueOutOfRangeError";
  constructor(
    readonly index: number,
    readonly value: bigint | number,
    readonly bound: bigint,
    readonly scale?: number,
  ) {
    const limit = scale === undefined ? `${bound}` : `${bound} (±${dequantize(bound, scale)} at scale ${scale})`;
    super(`value ${value} at index ${index} is out of range: |quantized value| must be at most ${limit}`);
  }
}

/** A number is not finite, or a field element is not canonical. */
export class InvalidValueError extends EncodingError {
  override name = "InvalidValueError";
}

/** round(value × 2^scale), with ties away from zero. */
export function quantize(value: number, scale: number): bigint {
  if (!Number.isFinite(value)) throw new InvalidValueError(`cannot quantize ${value}: it is not a finite number`);
  const scaled = Math.abs(value) * 2 ** scale;
  const magnitude = BigInt(Math.round(scaled));
  return value < 0 ? -magnitude : magnitude;
}

/** The number a fixed-point value at `scale` stands for. */
export function dequantize(quantized: bigint, scale: number): number {
  return Number(quantized) / 2 ** scale;
}

/** Checks a quantized tensor against its spec; throws a typed error before anything is sent. */
export function checkTensor(values: readonly bigint[], spec: TensorSpec): void {
  if (values.length !== spec.length) throw new TensorLengthError(spec.length, values.length);
  const bound = spec.bound ?? MAX_ABS_VALUE;
  values.forEach((value, index) => {
    if (value > bound || value < -bound) throw new ValueOutOfRangeError(index, value, bound, spec.scale);
  });
}

/** Quantizes a tensor of numbers at the spec's scale and checks it against the spec. */
export function quantizeTensor(values: readonly number[], spec: TensorSpec): bigint[] {
  const quantized = values.map((value) => quantize(value, spec.scale));
  checkTensor(quantized, spec);
  return quantized;
}

/**
 * The field element that stands for the signed value `value` (negative v ↦ p + v).
 * @param index where the value stands in its tensor, for the error message
 */
export function toField(value: bigint, index = 0): bigint {
  if (value > MAX_ABS_VALUE || value < -MAX_ABS_VALUE) {
    throw new ValueOutOfRangeError(index, value, MAX_ABS_VALUE);
  }
  return value >= 0n ? value : FIELD_MODULUS + value;
}

/** The signed value that a canonical field element stands for. */
export function fromField(element: bigint): bigint {
  if (element < 0n || element >= FIELD_MODULUS) {
    throw new InvalidValueError(`${element} is not a canonical BN254 field element (0 ≤ e < p)`);
  }
  return element <= MAX_ABS_VALUE ? element : element - FIELD_MODULUS;
}

/** The public instances of a proof that `inputs` produce `outputs`: inputs first, then outputs. */
export function buildInstances(inputs: readonly bigint[], outputs: readonly bigint[]): bigint[] {
  return [...inputs, ...outputs].map((value, index) => toField(value, index));
}

/** The outputs carried by instances that hold `inputCount` inputs and then `outputCount` outputs. */
export function readOutputs(instances: readonly bigint[], inputCount: number, outputCount: number): bigint[] {
  if (instances.length !== inputCount + outputCount) {
    throw new TensorLengthError(inputCount + outputCount, instances.length);
  }
  return instances.slice(inputCount).map(fromField);
}

const abi = AbiCoder.defaultAbiCoder();

/** A request's `input` bytes: abi.encode(int256[]) of the quantized values. */
export function encodeInput(values: readonly bigint[]): string {
  return abi.encode(["int256[]"], [values]);
}

/** The quantized values of a request's `input` bytes. */
export function decodeInput(data: BytesLike): bigint[] {
  const [values] = abi.decode(["int256[]"], data);
  return (values as bigint[]).map((value) => BigInt(value));
}
