/** Prometheus metrics and the HTTP endpoints /metrics and /healthz. */
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { messageOf } from "../../sdk/errors.js";

export class RelayerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Gauge({
    name: "highway_relayer_jobs",
    help: "Jobs in the store by state",
    labelNames: ["state"],
    registers: [this.registry],
  });
  readonly proveSeconds = new Histogram({
    name: "highway_relayer_prove_seconds",
    help: "Time to witness and prove one request",
    labelNames: ["model", "mode"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly answerSeconds = new Histogram({
    name: "highway_relayer_answer_seconds",
    help: "From first seeing a request to our answer being mined",
    labelNames: ["mode"],
    buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly earnings = new Counter({
    name: "highway_relayer_earnings_token_units",
    help: "Compute fees and dispute winnings credited to this relayer (payment-token units)",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly transactions = new Counter({
    name: "highway_relayer_transactions_total",
    help: "Transactions by action and outcome",
    labelNames: ["action", "outcome"],
    registers: [this.registry],
  });
  readonly modelRefused = new Gauge({
    name: "highway_relayer_model_refused",
    help: "1 while a configured model is refused: its registration (verifier code, shapes, scales, artifact hash) does not match our artifacts",
    labelNames: ["model", "model_id"],
    registers: [this.registry],
  });
  readonly answerEstimateSeconds = new Gauge({
    name: "highway_relayer_answer_estimate_seconds",
    help: "Our measured time to make an answer (a rolling 95th percentile), which a request's deadline must leave room for",
    labelNames: ["model", "mode"],
    registers: [this.registry],
  });
  readonly stakeTokens = new Gauge({
    name: "highway_relayer_stake_tokens",
    help: "Our stake in RelayerStaking (staked, locked, free) and what a claim needs (job_bond, min_stake), in tokens",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly canClaim = new Gauge({
    name: "highway_relayer_can_claim",
    help: "1 while our free stake covers a job bond and our stake reaches the minimum stake; 0 while we cannot claim",
    registers: [this.registry],
  });
  readonly provingFailures = new Counter({
    name: "highway_relayer_proving_failures_total",
    help: "Witnesses and proofs the prover failed to make (a full queue is not a failure)",
    labelNames: ["model", "work"],
    registers: [this.registry],
  });
  readonly disputes = new Counter({
    name: "highway_relayer_disputes_total",
    help: "Disputes over our optimistic answers: opened (challenged), defended (we proved it), lost (fraud proven or no defence in time)",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({ name: "highway_relayer_rpc_errors_total", help: "Failed RPC calls", registers: [this.registry] });
  readonly lastBlock = new Gauge({ name: "highway_relayer_last_block", help: "Last processed block", registers: [this.registry] });
  readonly headBlock = new Gauge({
    name: "highway_relayer_head_block",
    help: "The chain's latest block at our last poll (the watcher lags by head_block - last_block, confirmations included)",
    registers: [this.registry],
  });
}

export interface Health {
  /** The loop runs: answered with 200 while true, 503 otherwise. */
  ok: boolean;
  [detail: string]: unknown;
}

/** Serves /metrics and /healthz; resolves with the bound port. Rejects with the listen error (its `code`, e.g. EADDRINUSE). */
export async function serveHttp(
  metrics: RelayerMetrics,
  health: () => Health,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.url === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          response.setHeader("content-type", metrics.registry.contentType);
          response.end(text);
        },
        (error: unknown) => {
          response.statusCode = 500;
          response.end(`metrics failed: ${messageOf(error)}\n`);
        },
      );
    } else if (request.url === "/healthz") {
      const status = health();
      response.statusCode = status.ok ? 200 : 503;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(status));
    } else {
      response.statusCode = 404;
      response.end("not found: use /metrics or /healthz\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port };
}
