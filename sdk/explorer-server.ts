/**
 * What `highway explorer` serves (Node only): the page explorer/ builds (explorer/build.ts), its config.json (the
 * deployment and the poll interval), and /rpc, a relay to the node that passes reads only
 * (the page signs nothing through it; an injected wallet sends through its own provider).
 * The relay keeps the node's URL, which may hold an API key, out of the page. Nothing is
 * stored: every figure the page shows is read from the chain.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import type { HighwayDeployment } from "./deployment.js";

/** The JSON-RPC methods the relay passes: reads of blocks, logs, receipts, state and calls. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  "eth_chainId",
  "net_version",
  "eth_blockNumber",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getLogs",
  "eth_call",
  "eth_getTransactionByHash",
  "eth_getTransactionReceipt",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
]);

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** Scripts, styles and connections from this server alone: nothing from a CDN. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

/** The most a page's JSON-RPC body may be: a batch of log queries is far smaller. */
const MAX_BODY_BYTES = 1_000_000;

export interface ExplorerServerOptions {
  /** The built page (index.html and assets/). */
  dir: string;
  deployment: HighwayDeployment;
  /** The node's JSON-RPC URL. */
  rpcUrl: string;
  host?: string;
  /** 0: any free port. */
  port: number;
  pollIntervalMs?: number;
}

export interface ExplorerServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface RpcCall {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
}

/** Serves the explorer; resolves once listening. Rejects with the listen error (its `code`, e.g. EADDRINUSE). */
export async function serveExplorer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const host = options.host ?? "127.0.0.1";
  const config = JSON.stringify({ deployment: options.deployment, pollIntervalMs: options.pollIntervalMs ?? 1_500 });
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.statusCode = 502;
      response.end(`explorer: ${(error as Error).message.split("\n")[0]}\n`);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
    response.setHeader("x-content-type-options", "nosniff");
    const path = new URL(request.url ?? "/", "http://explorer").pathname;
    if (path === "/rpc") return relay(request, response);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.statusCode = 405;
      return void response.end("only GET, and POST /rpc\n");
    }
    if (path === "/config.json") {
      response.setHeader("content-type", "application/json");
      response.setHeader("cache-control", "no-store");
      return void response.end(config);
    }
    const file = normalize(join(options.dir, path === "/" ? "index.html" : decodeURIComponent(path)));
    if (!file.startsWith(options.dir + sep)) {
      response.statusCode = 404;
      return void response.end("not found\n");
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.statusCode = 404;
      return void response.end("not found\n");
    }
    response.setHeader("content-type", CONTENT_TYPES[extname(file)] ?? "application/octet-stream");
    // Assets carry their content's hash in their name; the page itself is read fresh.
    response.setHeader("cache-control", path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    response.end(body);
  }

  async function relay(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader("content-type", "application/json");
    if (request.method !== "POST") {
      response.statusCode = 405;
      return void response.end(JSON.stringify({ error: "POST JSON-RPC here" }));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.statusCode = 413;
        return void response.end(JSON.stringify({ error: "request too large" }));
      }
      chunks.push(chunk);
    }
    let calls: RpcCall | RpcCall[];
    try {
      calls = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcCall | RpcCall[];
    } catch {
      response.statusCode = 400;
      return void response.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
    }
    const refused = (Array.isArray(calls) ? calls : [calls]).find(
      (call) => typeof call.method !== "string" || !READ_METHODS.has(call.method),
    );
    if (refused) {
      const error = { code: -32601, message: `the explorer's relay only reads: ${String(refused.method)} is not passed on` };
      return void response.end(JSON.stringify({ jsonrpc: "2.0", id: refused.id ?? null, error }));
    }
    const upstream = await fetch(options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.concat(chunks),
      signal: AbortSignal.timeout(30_000),
    });
    response.statusCode = upstream.status;
    response.end(Buffer.from(await upstream.arrayBuffer()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
