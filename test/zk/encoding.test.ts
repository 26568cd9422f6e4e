import { expect } from "chai";
import { network } from "hardhat";
import {
  FIELD_MODULUS,
  MAX_ABS_VALUE,
  TensorLengthError,
  ValueOutOfRangeError,
  InvalidValueError,
  MalformedTensorError,
  type TensorWidth,
  buildInstances,
  canonicalWidth,
  checkTensor,
  decodeTensor,
  decodeText,
  dequantize,
  encodeTensor,
  encodeText,
  isCanonicalTensor,
  fromField,
  quantize,
  quantizeTensor,
  readOutputs,
  toField,
} from "../../sdk/encoding.js";

const { ethers } = await network.create();

/** Signed values both encoders must map identically: zero, ±1, the scale's extremes, the field's. */
const VECTORS: bigint[] = [0n, 1n, -1n, 255n, -256n, 2048n, -2048n, 2n ** 63n - 1n, -(2n ** 63n), MAX_ABS_VALUE, -MAX_ABS_VALUE];

describe("encoding (sdk/encoding.ts, TensorCodec.sol and InstanceEncoding.sol)", () => {
  it("maps negative values to p + v and back, for zero and the extremes", () => {
    expect(toField(0n)).to.equal(0n);
    expect(toField(-1n)).to.equal(FIELD_MODULUS - 1n);
    expect(toField(-MAX_ABS_VALUE)).to.equal(MAX_ABS_VALUE + 1n);
    for (const value of VECTORS) expect(fromField(toField(value))).to.equal(value);
  });

  it("rejects values without a field image and non-canonical elements", () => {
    expect(() => toField(MAX_ABS_VALUE + 1n)).to.throw(ValueOutOfRangeError);
    expect(() => toField(-MAX_ABS_VALUE - 1n)).to.throw(ValueOutOfRangeError);
    expect(() => fromField(FIELD_MODULUS)).to.throw(InvalidValueError);
    expect(() => fromField(-1n)).to.throw(InvalidValueError);
  });

  it("agrees with the Solidity library on every vector", async () => {
    const harness = await ethers.deployContract("InstanceEncodingHarness");
    for (const value of VECTORS) {
      expect(await harness.toField(value)).to.equal(toField(value));
      expect(await harness.fromField(toField(value))).to.equal(value);
    }
    const inputs = [5n, -7n, 0n];
    const outputs = [-123456789n, 42n];
    const instances = buildInstances(inputs, outputs);
    expect(await harness.readOutputs(instances, 3, 2)).to.deep.equal(outputs);
    expect(readOutputs(instances, 3, 2)).to.deep.equal(outputs);
  });

  it("encodes and decodes tensors byte for byte like the Solidity TensorCodec, and both accept only canonical outputs", async () => {
    const harness = await ethers.deployContract("CodecHarness");
    const tensors = [[0n], [127n, -128n], [128n, -1n], [-2048n, 0n, 2048n], [2n ** 63n - 1n, -(2n ** 63n)], [2n ** 63n], VECTORS];
    for (const values of tensors) {
      const encoded = encodeTensor(values);
      expect(await harness.encode(values), values.join(",")).to.equal(encoded);
      expect(await harness.decode(encoded)).to.deep.equal(values);
      await harness.checkOutput(encoded, values.length); // a canonical output: no revert
      if (canonicalWidth(values) < 32) {
        await expect(
          harness.checkOutput(encodeTensor(values, (canonicalWidth(values) * 2) as TensorWidth), values.length),
        ).to.be.revertedWithCustomError(harness, "NonCanonicalOutput");
      }
    }
  });

  it("quantizes at a scale with ties away from zero, and dequantizes exactly", () => {
    expect(quantize(1.5, 8)).to.equal(384n);
    expect(quantize(-1.5, 8)).to.equal(-384n);
    expect(quantize(0.5 / 256, 8)).to.equal(1n);
    expect(quantize(-0.5 / 256, 8)).to.equal(-1n);
    expect(quantize(0, 8)).to.equal(0n);
    expect(dequantize(-384n, 8)).to.equal(-1.5);
    expect(() => quantize(Number.NaN, 8)).to.throw(InvalidValueError);
    expect(() => quantize(Number.POSITIVE_INFINITY, 8)).to.throw(InvalidValueError);
  });

  it("accepts a tensor at the scale's extremes and rejects one value past them", () => {
    const spec = { length: 3, scale: 8, bound: 2048n };
    expect(quantizeTensor([8, -8, 0], spec)).to.deep.equal([2048n, -2048n, 0n]);
    const error = (() => {
      try {
        quantizeTensor([0, 8 + 1 / 256, 0], spec);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).to.be.instanceOf(ValueOutOfRangeError);
    expect((error as ValueOutOfRangeError).index).to.equal(1);
    expect((error as ValueOutOfRangeError).value).to.equal(2049n);
    expect(() => checkTensor([1n, 2n], spec)).to.throw(TensorLengthError, "expected 3 values but got 2");
  });

  it("encodes a tensor in the smallest width its values fit, big-endian two's complement, and decodes it back", () => {
    const values = [-2048n, 0n, 2048n, -1n];
    const encoded = encodeTensor(values);
    expect(encoded).to.equal("0x02" + "f800" + "0000" + "0800" + "ffff");
    expect(decodeTensor(encoded)).to.deep.equal(values);
    expect(canonicalWidth([127n, -128n])).to.equal(1);
    expect(canonicalWidth([128n])).to.equal(2);
    expect(canonicalWidth([-129n])).to.equal(2);
    expect(canonicalWidth([1n << 63n])).to.equal(16);
    expect(canonicalWidth([MAX_ABS_VALUE, -MAX_ABS_VALUE])).to.equal(32);
    expect(decodeTensor(encodeTensor([MAX_ABS_VALUE, -MAX_ABS_VALUE, 5n]))).to.deep.equal([MAX_ABS_VALUE, -MAX_ABS_VALUE, 5n]);
  });

  it("encodes in a wider width on request, which decodes to the same values but is not canonical", () => {
    const wide = encodeTensor([1n, -1n], 8);
    expect(wide).to.equal("0x08" + "0000000000000001" + "ffffffffffffffff");
    expect(decodeTensor(wide)).to.deep.equal([1n, -1n]);
    expect(isCanonicalTensor(wide)).to.equal(false);
    expect(isCanonicalTensor(encodeTensor([1n, -1n]))).to.equal(true);
  });

  it("refuses bytes that are not a tensor and values too wide for the width asked", () => {
    for (const bad of ["0x", "0x01", "0x03aabbcc", "0x02aabbcc", "0x40" + "00".repeat(64), "0x00ff"]) {
      expect(() => decodeTensor(bad), bad).to.throw(MalformedTensorError);
    }
    expect(() => encodeTensor([])).to.throw(MalformedTensorError);
    expect(() => encodeTensor([128n], 1)).to.throw(ValueOutOfRangeError);
    expect(() => encodeTensor([1n], 3 as TensorWidth)).to.throw(MalformedTensorError);
  });

  it("carries a language model's text as UTF-8 and refuses bytes that are not UTF-8", () => {
    const text = "Risk: low — «ok» 👍";
    expect(decodeText(encodeText(text))).to.equal(text);
    expect(() => decodeText("0xc0af")).to.throw(InvalidValueError, "UTF-8"); // an overlong "/"
    expect(() => decodeText("0xeda080")).to.throw(InvalidValueError); // a surrogate
  });

  it("reads outputs only from instances of the right count", () => {
    expect(() => readOutputs([1n, 2n, 3n], 2, 2)).to.throw(TensorLengthError);
  });
});
