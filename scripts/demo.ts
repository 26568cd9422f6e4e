/**
 * The demo (`make demo`): one verified inference, end to end, on the embedded
 * Hardhat network. A DeFi bot's view of the last 8 normalized log-returns of a pair
 * goes into `price-signal`; the native EZKL prover proves the model's output; the
 * generated Solidity verifier checks the proof in a real transaction.
 *
 * Until the protocol contracts land (requests, auction, relayers), this is the
 * whole flow that exists; it exits non-zero if any step does not behave as shown.
 */
import { network } from "hardhat";
import { inputSpec, outputSpec } from "../sdk/circuits.js";
import { dequantize, quantizeTensor } from "../sdk/encoding.js";
import { ProverPool } from "../relayer/prover/pool.js";
import { deployVerifier } from "../test/helpers/verifiers.js";

const MODEL = "price-signal";
// A pair that has been rising with growing momentum, as volatility-normalized log-returns.
const RECENT_RETURNS = [-0.4, 0.1, 0.3, 0.2, 0.6, 0.9, 1.1, 1.4];

const { ethers } = await network.create();
console.log(`Highway demo: one ${MODEL} inference, proven with EZKL and verified on chain\n`);

const pool = await ProverPool.start({ circuits: [MODEL] });
try {
  const { manifest } = pool.circuit(MODEL);
  const input = quantizeTensor(RECENT_RETURNS, inputSpec(manifest));
  console.log(`input   normalized returns ${RECENT_RETURNS.join(", ")}`);
  console.log(`        quantized at scale ${manifest.input.scale}: [${input.join(", ")}]`);

  const proof = await pool.prove(MODEL, input);
  const signal = dequantize(proof.outputs[0], outputSpec(manifest).scale);
  console.log(`output  signal ${signal.toFixed(4)} (${signal > 0 ? "expect up" : "expect down"}); quantized ${proof.outputs[0]} at scale ${manifest.output.scale}`);
  console.log(`proof   ${ethers.getBytes(proof.proof).length} bytes, witness ${proof.witnessMs.toFixed(1)} ms, prove ${proof.proveMs.toFixed(0)} ms (native EZKL ${manifest.ezklVersion}, logrows ${manifest.logrows})`);

  const verifier = await deployVerifier(ethers, MODEL);
  const accepted = await verifier.verifyProof.staticCall(proof.proof, proof.instances);
  const receipt = await (await verifier.verifyProof(proof.proof, proof.instances)).wait();
  console.log(`chain   Halo2Verifier at ${await verifier.getAddress()}: verifyProof ${accepted ? "accepted" : "REJECTED"}, ${receipt!.gasUsed} gas`);

  const forged = [...proof.instances];
  forged[forged.length - 1] += 1n;
  const forgedAccepted = await verifier.verifyProof.staticCall(proof.proof, forged).catch(() => false);
  console.log(`        the same proof with the output changed by one unit: ${forgedAccepted ? "ACCEPTED" : "rejected"}`);

  if (!accepted || receipt!.status !== 1 || forgedAccepted) {
    console.error("\ndemo failed: the verifier did not behave as shown");
    process.exitCode = 1;
  } else {
    console.log("\ndemo ok");
  }
} finally {
  await pool.close();
}
