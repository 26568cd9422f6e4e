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
 * With --json, the last line is one JSON object: {"models":[...]}.
 */
import { network } from "hardhat";
import { randomInt } from "node:crypto";
import { inputSpec, REFERENCE_MODELS } from "../../sdk/circuits.js";
import { calldataGas, INTRINSIC_GAS } from "../../sdk/gas.js";
import { type ProofResult, ProverPool } from "../../relayer/prover/pool.js";
import { deployVerifier } from "../lib/verifiers.js";
import { flag, median, option, printTable } from "../lib/report.js";

const json = flag("--json");
const runs = Number(option("--runs", "7"));

const { ethers } = await network.create();
const rows = [];
for (const model of REFERENCE_MODELS) {
  const pool = await ProverPool.start({ circuits: [model] });
  try {
    const spec = inputSpec(pool.circuit(model).manifest);
    const witnessMs: number[] = [];
    const proveMs: number[] = [];
    let last: ProofResult | undefined;
    for (let run = 0; run < runs; run++) {
      const input = Array.from({ length: spec.length }, () => BigInt(randomInt(-Number(spec.bound), Number(spec.bound) + 1)));
      last = await pool.prove(model, input);
      witnessMs.push(last.witnessMs);
      proveMs.push(last.proveMs);
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
if (json) console.log(JSON.stringify({ models: rows }));

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
