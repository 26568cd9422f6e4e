/**
 * bench-zk: per reference model, what a proof costs to make and to check.
 *
 *   make bench-zk [ARGS="--json --runs 9"]
 *
 * Prints logrows, proof bytes, witness time, native prove time (median of --runs
 * fresh random inputs, after the worker's warm-up), the gas of a whole
 * `verifyProof` transaction (receipt gasUsed: 21,000 intrinsic + calldata + execution),
 * the same gas without the intrinsic and calldata cost (the verifier's execution alone),
 * the verifier's runtime bytecode size and the prover worker's peak memory.
 * For each model with a batched circuit (circuits/<model>/batch-<B>/), the same for full
 * batches of B random inputs, with the prove time per request against the single proof's
 * (`perRequestVsSingle`: the goal is at most 0.25).
 * With --json, the last line is one JSON object: {"models":[...],"batched":[...]}.
 */
import { network } from "hardhat";
import { randomInt } from "node:crypto";
import { batchedCircuits, inputSpec, REFERENCE_MODELS } from "../../sdk/circuits.js";
import { calldataGas, INTRINSIC_GAS } from "../../sdk/gas.js";
import { type BatchProofResult, type ProofResult, ProverPool } from "../../relayer/prover/pool.js";
import { deployVerifier } from "../lib/verifiers.js";
import { flag, median, option, printTable } from "../lib/report.js";

const json = flag("--json");
const runs = Number(option("--runs", "7"));

const { ethers } = await network.create();
const rows = [];
const batchedRows = [];
for (const model of REFERENCE_MODELS) {
  const batched = batchedCircuits(model);
  const pool = await ProverPool.start({ circuits: [model, ...batched.map((circuit) => circuit.dir)] });
  try {
    const spec = inputSpec(pool.circuit(model).manifest);
    const randomInput = () => Array.from({ length: spec.length }, () => BigInt(randomInt(-Number(spec.bound), Number(spec.bound) + 1)));
    const witnessMs: number[] = [];
    const proveMs: number[] = [];
    const batchWitnessMs: number[] = [];
    const batchProveMs: number[] = [];
    let last: ProofResult | undefined;
    let lastBatch: BatchProofResult | undefined;
    const size = pool.batchSize(model);
    // Single and batched proofs alternate, so load from the machine's other users falls on both alike.
    for (let run = 0; run < runs; run++) {
      last = await pool.prove(model, randomInput());
      witnessMs.push(last.witnessMs);
      proveMs.push(last.proveMs);
      if (size > 1) {
        lastBatch = await pool.proveBatch(model, Array.from({ length: size }, randomInput));
        batchWitnessMs.push(lastBatch.witnessMs);
        batchProveMs.push(lastBatch.proveMs);
      }
    }
    if (lastBatch) {
      const circuit = pool.batchedCircuit(model);
      const verifier = await deployVerifier(ethers, circuit.dir);
      const tx = await verifier.verifyProof(lastBatch.proof, lastBatch.instances);
      const receipt = await tx.wait();
      const runtime = await ethers.provider.getCode(await verifier.getAddress());
      const single = median(proveMs);
      batchedRows.push({
        name: `${model}/batch-${size}`,
        batchSize: size,
        logrows: circuit.manifest.logrows,
        proofBytes: ethers.getBytes(lastBatch.proof).length,
        witnessMs: round(median(batchWitnessMs)),
        proveMsMedian: round(median(batchProveMs)),
        proveMsPerRequest: round(median(batchProveMs) / size),
        singleProveMsMedian: round(single),
        perRequestVsSingle: Math.round((median(batchProveMs) / size / single) * 100) / 100,
        // Witness and proof together: what a relayer waits for per request.
        totalMsPerRequest: round((median(batchWitnessMs) + median(batchProveMs)) / size),
        singleTotalMs: round(median(witnessMs) + single),
        verifyGas: Number(receipt!.gasUsed),
        verifyExecutionGas: Number(receipt!.gasUsed - INTRINSIC_GAS - calldataGas(tx.data)),
        verifierRuntimeBytes: ethers.getBytes(runtime).length,
      });
    }
    const verifier = await deployVerifier(ethers, model);
    const tx = await verifier.verifyProof(last!.proof, last!.instances);
    const receipt = await tx.wait();
    const runtime = await ethers.provider.getCode(await verifier.getAddress());
    rows.push({
      name: model,
      logrows: pool.circuit(model).manifest.logrows,
      proofBytes: ethers.getBytes(last!.proof).length,
      witnessMs: round(median(witnessMs)),
      proveMsMedian: round(median(proveMs)),
      verifyGas: Number(receipt!.gasUsed),
      verifyExecutionGas: Number(receipt!.gasUsed - INTRINSIC_GAS - calldataGas(tx.data)),
      verifierRuntimeBytes: ethers.getBytes(runtime).length,
      peakRssMb: round(pool.peakRssMb()),
    });
  } finally {
    await pool.close();
  }
}

console.log(`bench-zk: native EZKL ${JSON.stringify(REFERENCE_MODELS)}, ${runs} proofs per model`);
printTable(rows);
if (batchedRows.length > 0) {
  console.log(`batched circuits: ${runs} full batches each (prove time per request against the single proof's)`);
  printTable(batchedRows);
}
if (json) console.log(JSON.stringify({ models: rows, batched: batchedRows }));

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
