/**
 * bench-relayer: one relayer process serving a burst of requests on a local Hardhat
 * node, zk and optimistic mixed, each with a callback to a consumer contract.
 *
 *   make bench-relayer [ARGS="--json --requests 100"]
 *
 * Two phases. Latency: --latency-requests (20) requests, one every --interval-ms
 * (1000), request-to-callback: from sending the request transaction to the bench
 * seeing the consumer's callback run (its InferenceReceived event, polled every 50 ms).
 * Optimistic answers reach the callback only after the challenge window, so their
 * latency includes it (the coordinator's minimum, 60 s, in real time). Throughput:
 * the rest of --requests (120) at once; answersPerMinute counts the relayer's answers
 * (fulfillZk, a batch's fulfillZkBatch, or submitOptimistic) from the first request to the last answer.
 * Batch proofs are on (price-signal's zk requests are claimed and answered up to 8 at a time);
 * --no-batching runs the relayer with them off, for comparison.
 * With --json the last line is one JSON object:
 * {"requested","answered","duplicates","zk":{"p50Ms","p95Ms"},"optimistic":{"p50Ms","p95Ms"},"answersPerMinute"}.
 */
import type { Contract } from "ethers";
import { hardhatAccount } from "../lib/node.js";
import { fundRequester, randomRequest, stakeRelayer, startHighway, startRelayerProcess, UNIT } from "../lib/localnet.js";
import { deploymentStartBlock } from "../../sdk/deployment.js";
import { encodeTensor } from "../../sdk/encoding.js";
import { queryFilterPaged } from "../../sdk/logs.js";
import { flag, median, option, percentile, printTable } from "../lib/report.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";

const json = flag("--json");
const count = Number(option("--requests", "120"));
const latencyCount = Math.min(count, Number(option("--latency-requests", "20")));
const intervalMs = Number(option("--interval-ms", "1000"));
const RELAYER_ACCOUNT = 5;
const batching = !flag("--no-batching");

const highway = await startHighway();
const relayer = startRelayerProcess(highway, { account: RELAYER_ACCOUNT, config: { batching: { enabled: batching } } });
try {
  const [requester] = await highway.ethers.getSigners();
  await fundRequester(highway, requester);
  await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER_ACCOUNT).address));
  const consumer = (await highway.ethers.deployContract("EchoConsumer", [await highway.coordinator.getAddress()])) as unknown as Contract;
  await consumer.waitForDeployment();
  await waitForRelayer();

  const consumerAddress = await consumer.getAddress();

  // Phase 1, latency: requests spaced out, as steady traffic would come.
  const spaced = await runRequests(latencyCount, intervalMs);
  // Phase 2, throughput: the rest at once.
  const burst = await runRequests(count - latencyCount, 0);

  const latencies = (mode: "zk" | "optimistic") =>
    [...spaced.deliveredAt].filter(([id]) => spaced.modeOf.get(id) === mode).map(([id, at]) => at - spaced.sentAt.get(id)!);
  const summary = (mode: "zk" | "optimistic") => {
    const values = latencies(mode);
    return values.length ? { p50Ms: Math.round(median(values)), p95Ms: Math.round(percentile(values, 95)) } : { p50Ms: null, p95Ms: null };
  };
  const duplicates = await duplicateAnswers();
  const result = {
    batching,
    requested: count,
    // The burst's watcher also sees the latency phase's late callbacks (optimistic answers final after the window).
    answered: new Set([...spaced.deliveredAt.keys(), ...burst.deliveredAt.keys()]).size,
    duplicates,
    zk: summary("zk"),
    optimistic: summary("optimistic"),
    answersPerMinute: Math.round((burst.answers / ((burst.lastAnswerAt - burst.startedAt) / 60_000)) * 10) / 10,
  };
  console.log(
    `bench-relayer: one relayer, batch proofs ${batching ? "on" : "off"}; ${latencyCount} requests one every ${intervalMs} ms for latency, then a burst of ${count - latencyCount}; ` +
      `challenge window ${highway.deployment.params.challengeWindow} s (real time)`,
  );
  printTable([
    { mode: "zk", answered: latencies("zk").length, ...result.zk },
    { mode: "optimistic", answered: latencies("optimistic").length, ...result.optimistic },
  ]);
  console.log(
    `burst: ${burst.answers} answers, ${result.answersPerMinute} per minute; duplicates ${duplicates}; answered ${result.answered}/${count}`,
  );
  if (json) console.log(JSON.stringify(result));

  /** Sends `n` requests `spacingMs` apart and waits for every callback. */
  async function runRequests(n: number, spacingMs: number) {
    const coordinator = highway.coordinator.connect(requester) as unknown as Contract;
    const sentAt = new Map<bigint, number>();
    const modeOf = new Map<bigint, "zk" | "optimistic">();
    const deliveredAt = new Map<bigint, number>();
    let fromBlock = await highway.ethers.provider.getBlockNumber();
    let nonce = await requester.getNonce("pending");
    const answeredAt = new Map<bigint, number>();
    const startedAt = Date.now();
    const sends = [];
    let sending = true;
    // Callbacks are watched while requests are still being sent, so each is timed when it lands.
    const watching = (async () => {
      while ((sending || deliveredAt.size < n) && Date.now() - startedAt < 10 * 60_000) {
        const toBlock = await highway.ethers.provider.getBlockNumber();
        if (toBlock >= fromBlock) {
          // The consumer's own event: the callback ran (the coordinator emits CallbackDelivered only for retries).
          for (const log of await consumer.queryFilter(consumer.filters.InferenceReceived(), fromBlock, toBlock)) {
            if (!deliveredAt.has(idOf(log))) deliveredAt.set(idOf(log), Date.now());
          }
          // A request's first answer event: fulfillZk's RequestFulfilled, or OptimisticSubmitted.
          for (const name of ["OptimisticSubmitted", "RequestFulfilled"] as const) {
            for (const log of await highway.coordinator.queryFilter(highway.coordinator.filters[name](), fromBlock, toBlock)) {
              if (!answeredAt.has(idOf(log))) answeredAt.set(idOf(log), Date.now());
            }
          }
          fromBlock = toBlock + 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    for (let i = 0; i < n; i++) {
      const options = randomRequest(i);
      const latest = await highway.ethers.provider.getBlock("latest");
      const params = {
        modelId: highway.deployment.models[options.model].modelId,
        proofMode: options.mode === "zk" ? 0 : 1,
        startComputeFee: 1n * UNIT,
        maxComputeFee: 3n * UNIT,
        maxModelFee: ANY_MODEL_FEE,
        jobBond: 0n,
        challengeWindow: 0,
        callbackGasLimit: 100_000,
        maxOutputBytes: 0,
        deadline: Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + 3_600,
        consumer: consumerAddress,
        referrer: "0x0000000000000000000000000000000000000000",
      };
      const at = Date.now();
      // Sent one after another (automining refuses a nonce gap); receipts are awaited together.
      const tx = await coordinator.requestInference(params, encodeTensor(options.input), { nonce: nonce++, gasLimit: 400_000 });
      sends.push(
        tx.wait().then((receipt: { logs: { topics: string[]; data: string }[] }) => {
          const created = receipt.logs
            .map((log) => highway.coordinator.interface.parseLog(log))
            .find((event) => event?.name === "RequestCreated");
          const id = created!.args.requestId as bigint;
          sentAt.set(id, at);
          modeOf.set(id, options.mode);
        }),
      );
      if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
    await Promise.all(sends);
    sending = false;
    await watching;
    const ours = [...sentAt.keys()].filter((id) => answeredAt.has(id));
    const answers = ours.length;
    const lastAnswerAt = Math.max(...ours.map((id) => answeredAt.get(id)!));
    return { sentAt, modeOf, deliveredAt, answers, lastAnswerAt, startedAt };
  }
} finally {
  if (process.env.BENCH_DEBUG) console.log(relayer.output());
  await relayer.kill();
  await highway.stop();
}

function idOf(log: unknown): bigint {
  return (log as { args: { requestId: bigint } }).args.requestId;
}

async function duplicateAnswers(): Promise<number> {
  const perRequest = new Map<bigint, number>();
  const fulfilled = await queryFilterPaged(
    highway.ethers.provider,
    highway.coordinator,
    highway.coordinator.filters.RequestFulfilled(),
    deploymentStartBlock(highway.deployment),
  );
  for (const log of fulfilled) {
    perRequest.set(idOf(log), (perRequest.get(idOf(log)) ?? 0) + 1);
  }
  return [...perRequest.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

async function waitForRelayer(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!relayer.httpPort()) {
    if (Date.now() > deadline || relayer.process.exitCode !== null) throw new Error(`the relayer did not start:\n${relayer.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
