/**
 * bench-relayer: one relayer process serving a burst of requests on a local Hardhat
 * node, zk and optimistic mixed, each with a callback to a consumer contract.
 *
 *   make bench-relayer [ARGS="--json --requests 100"]
 *
 * Latency is request-to-callback: from sending the request transaction to the
 * bench seeing the consumer's callback delivered (CallbackDelivered), polled every
 * 50 ms. Optimistic answers reach the callback only after the challenge window, so
 * their latency includes it (the coordinator's minimum, 60 s, in real time).
 * answersPerMinute counts the relayer's answers (fulfillZk or submitOptimistic)
 * between the first request and the last answer.
 * With --json the last line is one JSON object:
 * {"requested","answered","duplicates","zk":{"p50Ms","p95Ms"},"optimistic":{"p50Ms","p95Ms"},"answersPerMinute"}.
 */
import type { Contract } from "ethers";
import { hardhatAccount } from "../../test/helpers/node.js";
import {
  fundRequester,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  UNIT,
} from "../../test/helpers/highway.js";
import { encodeInput } from "../../sdk/encoding.js";
import { randomRequest } from "../../test/relayer/helpers.js";
import { flag, median, option, percentile, printTable } from "../lib/report.js";

const json = flag("--json");
const count = Number(option("--requests", "100"));
const RELAYER_ACCOUNT = 5;

const highway = await startHighway();
const relayer = startRelayerProcess(highway, { account: RELAYER_ACCOUNT });
try {
  const [requester] = await highway.ethers.getSigners();
  await fundRequester(highway, requester);
  await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER_ACCOUNT).address));
  const consumer = (await highway.ethers.deployContract("EchoConsumer", [await highway.coordinator.getAddress()])) as unknown as Contract;
  await consumer.waitForDeployment();
  await waitForRelayer();

  const coordinator = highway.coordinator.connect(requester) as Contract;
  const latest = await highway.ethers.provider.getBlock("latest");
  const deadline = Math.floor(Date.now() / 1000) + Math.max(0, latest!.timestamp - Math.floor(Date.now() / 1000)) + 3_600;
  let nonce = await requester.getNonce("pending");
  const sentAt = new Map<bigint, number>();
  const modeOf = new Map<bigint, "zk" | "optimistic">();
  const started = Date.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const options = randomRequest(i);
    const params = {
      modelId: highway.deployment.models[options.model].modelId,
      proofMode: options.mode === "zk" ? 0 : 1,
      startComputeFee: 1n * UNIT,
      maxComputeFee: 3n * UNIT,
      callbackGasLimit: 100_000,
      deadline,
      consumer: await consumer.getAddress(),
      referrer: "0x0000000000000000000000000000000000000000",
    };
    const at = Date.now();
    pending.push(coordinator.requestInference(params, encodeInput(options.input), { nonce: nonce++, gasLimit: 400_000 }).then(async (tx: { wait(): Promise<{ logs: { topics: string[]; data: string }[] }> }) => {
      const receipt = await tx.wait();
      const created = receipt.logs.map((log) => highway.coordinator.interface.parseLog(log)).find((event) => event?.name === "RequestCreated");
      const id = created!.args.requestId as bigint;
      sentAt.set(id, at);
      modeOf.set(id, options.mode);
    }));
  }
  await Promise.all(pending);

  const deliveredAt = new Map<bigint, number>();
  const answerTimes: number[] = [];
  let fromBlock = 0;
  while (deliveredAt.size < count && Date.now() - started < 10 * 60_000) {
    const toBlock = await highway.ethers.provider.getBlockNumber();
    if (toBlock >= fromBlock) {
      for (const log of await highway.coordinator.queryFilter(highway.coordinator.filters.CallbackDelivered(), fromBlock, toBlock)) {
        const id = (log as unknown as { args: { requestId: bigint } }).args.requestId;
        if (!deliveredAt.has(id)) deliveredAt.set(id, Date.now());
      }
      for (const name of ["RequestFulfilled", "OptimisticSubmitted"] as const) {
        const logs = await highway.coordinator.queryFilter(highway.coordinator.filters[name](), fromBlock, toBlock);
        for (const log of logs) {
          const id = (log as unknown as { args: { requestId: bigint } }).args.requestId;
          if (name === "OptimisticSubmitted" || modeOf.get(id) === "zk") answerTimes.push(Date.now());
        }
      }
      fromBlock = toBlock + 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const fulfilled = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestFulfilled(), 0, "latest");
  const perRequest = new Map<bigint, number>();
  for (const log of fulfilled) {
    const id = (log as unknown as { args: { requestId: bigint } }).args.requestId;
    perRequest.set(id, (perRequest.get(id) ?? 0) + 1);
  }
  const duplicates = [...perRequest.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const latencies = (mode: "zk" | "optimistic") =>
    [...deliveredAt].filter(([id]) => modeOf.get(id) === mode).map(([id, at]) => at - sentAt.get(id)!);
  const summary = (mode: "zk" | "optimistic") => {
    const values = latencies(mode);
    return values.length ? { p50Ms: Math.round(median(values)), p95Ms: Math.round(percentile(values, 95)) } : { p50Ms: null, p95Ms: null };
  };
  const lastAnswer = Math.max(...answerTimes);
  const result = {
    requested: count,
    answered: deliveredAt.size,
    duplicates,
    zk: summary("zk"),
    optimistic: summary("optimistic"),
    answersPerMinute: Math.round((answerTimes.length / ((lastAnswer - started) / 60_000)) * 10) / 10,
  };
  console.log(`bench-relayer: ${count} requests (zk and optimistic, both models), one relayer, challenge window ${highway.deployment.params.challengeWindow} s`);
  printTable([
    { mode: "zk", answered: latencies("zk").length, ...result.zk },
    { mode: "optimistic", answered: latencies("optimistic").length, ...result.optimistic },
  ]);
  console.log(`duplicates ${duplicates}, answers per minute ${result.answersPerMinute}`);
  if (json) console.log(JSON.stringify(result));
} finally {
  await relayer.kill();
  await highway.stop();
}

async function waitForRelayer(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!relayer.httpPort()) {
    if (Date.now() > deadline || relayer.process.exitCode !== null) throw new Error(`the relayer did not start:\n${relayer.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
