import { expect } from "chai";
import { network } from "hardhat";
import { randomInt } from "node:crypto";
import { inputSpec, REFERENCE_MODELS } from "../../sdk/circuits.js";
import { buildInstances, FIELD_MODULUS, TensorLengthError, ValueOutOfRangeError } from "../../sdk/encoding.js";
import { ProverPool } from "../../relayer/prover/pool.js";
import { deployVerifier } from "../../scripts/lib/verifiers.js";
import { verifies } from "../helpers/verifiers.js";

const { ethers } = await network.create();

/** A fresh random quantized input within the model's bound. */
function randomInput(length: number, bound: bigint): bigint[] {
  return Array.from({ length }, () => BigInt(randomInt(-Number(bound), Number(bound) + 1)));
}

/** The same proof bytes with one byte flipped. */
function tamper(proof: string, byteIndex: number): string {
  const bytes = ethers.getBytes(proof);
  bytes[byteIndex] ^= 0x01;
  return ethers.hexlify(bytes);
}

describe("EZKL proofs verified on chain", function () {
  let pool: ProverPool;

  before(async () => {
    pool = await ProverPool.start({ circuits: REFERENCE_MODELS });
  });

  after(async () => {
    await pool?.close();
  });

  for (const model of REFERENCE_MODELS) {
    describe(model, () => {
      it("verifies a proof for a fresh random input, and rejects any tampering", async () => {
        const { manifest } = pool.circuit(model);
        const input = randomInput(manifest.input.length, BigInt(manifest.input.bound));
        const result = await pool.prove(model, input);
        expect(result.outputs).to.have.length(manifest.output.length);
        expect(result.instances).to.deep.equal(buildInstances(input, result.outputs));

        const verifier = await deployVerifier(ethers, model);
        expect(await verifies(verifier, result.proof, result.instances)).to.equal(true);
        const receipt = await (await verifier.verifyProof(result.proof, result.instances)).wait();
        expect(receipt?.status).to.equal(1);

        // A flipped byte in a commitment, in an evaluation, and in the last word of the proof.
        const proofLength = ethers.getBytes(result.proof).length;
        for (const byteIndex of [31, proofLength / 2, proofLength - 1]) {
          expect(await verifies(verifier, tamper(result.proof, byteIndex), result.instances)).to.equal(false);
        }
        // Any single instance changed, inputs and outputs alike.
        for (let i = 0; i < result.instances.length; i++) {
          const changed = [...result.instances];
          changed[i] = (changed[i] + 1n) % FIELD_MODULUS;
          expect(await verifies(verifier, result.proof, changed), `instance ${i} changed`).to.equal(false);
        }
      });

      it("witnesses the same outputs that the proof carries", async () => {
        const { manifest } = pool.circuit(model);
        const input = randomInput(manifest.input.length, BigInt(manifest.input.bound));
        const witness = await pool.witness(model, input);
        const proof = await pool.prove(model, input);
        expect(witness.outputs).to.deep.equal(proof.outputs);
      });

      it("rejects a wrong-length or out-of-range input before any proving starts", async () => {
        const spec = inputSpec(pool.circuit(model).manifest);
        const sentBefore = pool.sent;
        await expectRejection(pool.prove(model, randomInput(spec.length - 1, spec.bound!)), TensorLengthError);
        await expectRejection(pool.witness(model, randomInput(spec.length + 1, spec.bound!)), TensorLengthError);
        const tooLarge = randomInput(spec.length, spec.bound!);
        tooLarge[spec.length - 1] = spec.bound! + 1n;
        await expectRejection(pool.prove(model, tooLarge), ValueOutOfRangeError);
        const tooSmall = randomInput(spec.length, spec.bound!);
        tooSmall[0] = -spec.bound! - 1n;
        await expectRejection(pool.prove(model, tooSmall), ValueOutOfRangeError);
        expect(pool.sent).to.equal(sentBefore);
      });

      it("proves inputs at the extremes of the scale", async () => {
        const spec = inputSpec(pool.circuit(model).manifest);
        const input = Array.from({ length: spec.length }, (_, i) => (i % 2 === 0 ? spec.bound! : -spec.bound!));
        const result = await pool.prove(model, input);
        const verifier = await deployVerifier(ethers, model);
        expect(await verifies(verifier, result.proof, result.instances)).to.equal(true);
      });
    });
  }

  it("puts a witness ahead of the proofs waiting for a worker: a claim or an optimistic answer does not wait for them", async () => {
    const model = REFERENCE_MODELS[0];
    const { manifest } = pool.circuit(model);
    const input = () => randomInput(manifest.input.length, BigInt(manifest.input.bound));
    const done: string[] = [];
    // One worker: the first proof starts, the next two wait; the witness asked for last goes before them.
    const proofs = [1, 2, 3].map((n) => pool.prove(model, input()).then(() => done.push(`proof ${n}`)));
    expect(pool.idleWorkers).to.equal(0);
    const witness = pool.witness(model, input()).then(() => done.push("witness"));
    await Promise.all([...proofs, witness]);
    expect(done).to.deep.equal(["proof 1", "witness", "proof 2", "proof 3"]);
    expect(pool.idleWorkers).to.equal(1);
  });
});

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return;
  }
  expect.fail(`expected a ${type.name}`);
}
