/**
 * `make demo`: a whole Highway network on this machine — a Hardhat node, the protocol,
 * three circuit models and a language model, an honest and a cheating relayer and three
 * relayers on the language model's committees — running every path of a request,
 * then a summary of every request and of who earned what. Exits non-zero if any step
 * does not behave as shown. The scenario is scripts/demo/scenario.ts.
 */
import { formatUnits } from "ethers";
import { runDemo } from "./demo/scenario.js";
import { printTable } from "./lib/report.js";

const started = Date.now();
console.log("Highway demo: verifiable inference on a local network\n");
try {
  const summary = await runDemo();
  const tokens = (value: bigint) => Number(formatUnits(value, 18)).toFixed(4);
  console.log("\nrequests");
  printTable(
    summary.requests.map((r) => ({
      request: r.label,
      mode: r.cached ? "zk (cache)" : r.mode,
      status: r.status,
      latency: `${(r.latencyMs / 1000).toFixed(1)} s`,
      "request gas": r.requestGas.toString(),
      "answer gas": r.answerGas ? r.answerGas.toString() : "-",
      escrow: tokens(r.escrow),
    })),
  );
  console.log("\nearnings by role (tokens), from the escrows");
  printTable(Object.entries(summary.earnings).map(([role, amount]) => ({ role, amount: tokens(amount) })));
  console.log(
    `total ${tokens(
      Object.entries(summary.earnings)
        .filter(([r]) => !r.startsWith(" "))
        .reduce((s, [, v]) => s + v, 0n),
    )} = escrowed ${tokens(summary.escrowed)}`,
  );
  console.log("\nslashing");
  for (const slash of summary.slashes) console.log(`  relayer ${slash.relayer} slashed ${tokens(slash.amount)} tokens`);
  console.log(
    `  the cheater's bond went to the honest relayer (+${tokens(summary.disputeWinnings.honestRelayer)}, and its challenge bond back) and the protocol (+${tokens(summary.disputeWinnings.protocol)})`,
  );
  console.log("\nlanguage model smollm2");
  printTable(
    summary.language.map((r) => ({
      request: r.label,
      status: r.status,
      posted: JSON.stringify(r.posted),
      delivered: JSON.stringify(r.text),
      latency: `${(r.latencyMs / 1000).toFixed(1)} s`,
    })),
  );
  console.log(
    `  the cheater's wrong text answer cost it ${tokens(summary.languageSlash)} tokens of stake; the committee earned ${summary.committeeRewards.map(tokens).join(", ")}`,
  );
  console.log(`\ndemo ok in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`\n${(error as Error).message}`);
  process.exitCode = 1;
}
