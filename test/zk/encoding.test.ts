import { expect } from "chai";
import { network } from "hardhat";
import {
  FIELD_MODULUS,
  MAX_ABS_VALUE,
  TensorLengthError,
  ValueOutOfRangeError,
  InvalidValueError,
  buildInstances,
  checkTensor,
  decodeTensor,
  dequantize,
  encodeTensor,
  fromField,
  quantize,
  quantizeTensor,
  readOutputs,
  toField,
} from "../../sdk/encoding.js";

const { ethers } = await network.create();

/** Signed values both encoders must map identically: zero, ±1, the scale's extremes, the field's. */
const VECTORS: bigint[] = [0n, 1n, -1n, 255n, -256n, 2048n, -2048n, 2n ** 63n - 1n, -(2n ** 63n), MAX_ABS_VALUE, -MAX_ABS_VALUE];

describe("encoding (sdk/encoding.ts and InstanceEncoding.sol)", () => {
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

  it("encodes a request input as abi.encode(int256[]) and decodes it back", () => {
    const values = [-2048n, 0n, 2048n, -1n];
    const encoded = encodeTensor(values);
    expect(decodeTensor(encoded)).to.deep.equal(values);
    expect(encoded).to.equal(ethers.AbiCoder.defaultAbiCoder().encode(["int256[]"], [values]));
  });

  it("reads outputs only from instances of the right count", () => {
    expect(() => readOutputs([1n, 2n, 3n], 2, 2)).to.throw(TensorLengthError);
  });
});
