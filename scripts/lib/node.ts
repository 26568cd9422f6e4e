/**
 * A real Hardhat node on loopback, as its own process, for tests that run relayer
 * processes against it (and the demo and benchmarks): `hardhat node --network localnode`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";
import { REPO } from "./repo.js";

/** The mnemonic of Hardhat's default accounts (public test keys, funded on every Hardhat node). */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default account `index` (public, for local test chains only). */
export function hardhatAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface LocalNode {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Who holds a TCP port on loopback: nobody, a JSON-RPC node (with its chain id), or something else. */
export type PortHolder = { kind: "free" } | { kind: "node"; chainId: number } | { kind: "other" };

/**
 * Finds out whether 127.0.0.1:`port` is free to listen on and, when it is not, whether
 * what holds it answers JSON-RPC (`eth_chainId`, within `timeoutMs`).
 */
export async function portHolder(port: number, timeoutMs = 2_000): Promise<PortHolder> {
  const free = await new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  if (free) return { kind: "free" };
  try {
    const response = await fetch(`http://127.0.0.1:${port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const { result } = (await response.json()) as { result?: unknown };
    if (typeof result === "string" && /^0x[0-9a-f]+$/i.test(result)) return { kind: "node", chainId: Number(BigInt(result)) };
  } catch {
    // not HTTP, not JSON, or no answer in time
  }
  return { kind: "other" };
}

/** 127.0.0.1:`port` is taken: `message` says by what and what to do, in one line. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly holder: Exclude<PortHolder, { kind: "free" }>,
  ) {
    super(
      holder.kind === "node"
        ? `a node already answers on 127.0.0.1:${port} (chain ${holder.chainId}): stop it or pick another port with PORT=<n>`
        : `127.0.0.1:${port} is already in use, by something that is not an Ethereum JSON-RPC node: stop it or pick another port with PORT=<n>`,
    );
    this.name = "PortInUseError";
  }
}

/** Throws a PortInUseError unless 127.0.0.1:`port` is free. */
export async function assertPortFree(port: number): Promise<void> {
  const holder = await portHolder(port);
  if (holder.kind !== "free") throw new PortInUseError(port, holder);
}

/**
 * Starts `hardhat node` on 127.0.0.1:`port` (default: a free one) and resolves once it answers.
 * A given port that is already taken is a PortInUseError, before anything is started: a node
 * that answers there is not this one.
 */
export async function startNode(port?: number): Promise<LocalNode> {
  if (port === undefined) port = await freePort();
  else await assertPortFree(port);
  const child = spawn(
    join(REPO, "node_modules", ".bin", "hardhat"),
    ["node", "--network", "localnode", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`hardhat node exited: ${output}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} within 60 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, port, process: child, stop };
}
