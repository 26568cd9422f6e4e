/**
 * What requests carry: bytes for every model kind. A circuit model's inputs and outputs
 * are fixed-point tensors (value × 2^scale, rounded half away from zero, as EZKL
 * quantizes) in the compact tensor encoding (`encodeTensor`); a language model's are
 * UTF-8 text (`encodeText`). A proof's public instances are a circuit's inputs followed
 * by its outputs as elements of the BN254 scalar field, where a negative value v is the
 * element p + v. The Solidity twins are `contracts/libraries/TensorCodec.sol` and
 * `InstanceEncoding.sol`; each pair is tested on the same vectors.
 */
import { getBytes, hexlify, toUtf8Bytes, type BytesLike } from "ethers";
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

/** The widths a tensor's values may have, in bytes. */
export const TENSOR_WIDTHS = [1, 2, 4, 8, 16, 32] as const;
export type TensorWidth = (typeof TENSOR_WIDTHS)[number];

/** Bytes that are not a tensor: a width byte (1, 2, 4, 8, 16 or 32), then a whole number of values of that width. */
export class MalformedTensorError extends EncodingError {
  override name = "MalformedTensorError";
}

/** The smallest width every one of `values` fits in (two's complement): a tensor's canonical width. */
export function canonicalWidth(values: readonly bigint[]): TensorWidth {
  let width: TensorWidth = 1;
  for (const value of values) {
    while (width < 32 && (value >= 1n << BigInt(8 * width - 1) || value < -(1n << BigInt(8 * width - 1)))) {
      width = (width * 2) as TensorWidth;
    }
  }
  return width;
}

/**
 * A tensor's bytes (`contracts/libraries/TensorCodec.sol`): one header byte, the width `w` of every value,
 * then the values, `w` bytes each, big-endian two's complement. Without `width`, the smallest width the
 * values fit: the cheapest input, and the canonical encoding an output must have.
 */
export function encodeTensor(values: readonly bigint[], width: TensorWidth = canonicalWidth(values)): string {
  if (values.length === 0) throw new MalformedTensorError("a tensor has at least one value");
  if (!TENSOR_WIDTHS.includes(width)) throw new MalformedTensorError(`a tensor's width is 1, 2, 4, 8, 16 or 32 bytes, not ${width}`);
  const bits = BigInt(8 * width);
  const body = values.map((value, index) => {
    if (value >= 1n << (bits - 1n) || value < -(1n << (bits - 1n))) {
      throw new ValueOutOfRangeError(index, value, (1n << (bits - 1n)) - 1n);
    }
    return BigInt.asUintN(Number(bits), value)
      .toString(16)
      .padStart(2 * width, "0");
  });
  return "0x" + width.toString(16).padStart(2, "0") + body.join("");
}

/** The values of a tensor's bytes; throws `MalformedTensorError` for bytes that are not a tensor. */
export function decodeTensor(data: BytesLike): bigint[] {
  const bytes = getBytes(data);
  const width = bytes[0] as TensorWidth;
  if (bytes.length < 2 || !TENSOR_WIDTHS.includes(width) || (bytes.length - 1) % width !== 0) {
    throw new MalformedTensorError(`${bytes.length} bytes are not a tensor: a width byte (1, 2, 4, 8, 16 or 32), then whole values`);
  }
  const values: bigint[] = [];
  for (let start = 1; start < bytes.length; start += width) {
    values.push(BigInt.asIntN(8 * width, BigInt(hexlify(bytes.subarray(start, start + width)))));
  }
  return values;
}

/** Whether `data` is the canonical encoding of its values (what an output must be). */
export function isCanonicalTensor(data: BytesLike): boolean {
  const values = decodeTensor(data);
  return getBytes(data)[0] === canonicalWidth(values);
}

/** A language model's input or answer: the UTF-8 bytes of `text`. */
export function encodeText(text: string): string {
  return hexlify(toUtf8Bytes(text));
}

/** The text of a language model's input or answer; throws `InvalidValueError` for bytes that are not UTF-8. */
export function decodeText(data: BytesLike): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(getBytes(data));
  } catch {
    throw new InvalidValueError("the bytes are not well-formed UTF-8 text");
  }
}
