/**
 * `make localnet` (scripts/localnet.ts) run as real processes on free ports, each writing its
 * deployment to a temp folder: the one-line refusal of a taken port (another node, or anything
 * else) that leaves the running network's files alone, the relayer it starts with --relayer
 * (RELAYER=1) answering a request made through the SDK, the line it prints without one, and
 * Ctrl-C stopping it all. Every process is started in a process group of its own, which the
 * after hook kills, whatever happened.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { REPO } from "../helpers/repo.js";
import { freePort, hardhatAccount, portHolder } from "../../scripts/lib/node.js";
import { waitFor } from "../../scripts/lib/localnet.js";
import { Highway } from "../../sdk/node.js";

const TSX = join(REPO, "node_modules", ".bin", "tsx");
const SCRIPT = join(REPO, "scripts", "localnet.ts");
const READY = "running; Ctrl-C stops";
const NO_RELAYER = "no relayer is running: requests will wait; start one with `make localnet RELAYER=1` or see the relayer quickstart";
const RELAYER = hardhatAccount(5);
const REQUESTER = hardhatAccount(1);

interface Localnet {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal). */
  exited: Promise<number | string>;
}

describe("make localnet (scripts/localnet.ts)", function () {
  this.timeout(120_000);
  const started: Localnet[] = [];
  const dirs: string[] = [];
  const servers: Server[] = [];
  const providers: JsonRpcProvider[] = [];
  let port: number;
  let dir: string;
  let net: Localnet;

  function tempDir(): string {
    const made = mkdtempSync(join(tmpdir(), "highway-localnet-test-"));
    dirs.push(made);
    return made;
  }

  /** Starts the script in a process group of its own, so that the after hook can end all it started. */
  function localnet(...args: string[]): Localnet {
    const child = spawn(TSX, [SCRIPT, ...args], { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    const run = { child, stdout: () => stdout, stderr: () => stderr, exited };
    started.push(run);
    return run;
  }

  /** Waits until the network is up (its last line printed); fails with its output if it exits first. */
  async function ready(run: Localnet): Promise<void> {
    await waitFor(
      "the local network up",
      async () => {
        if (run.child.exitCode !== null || run.child.signalCode !== null)
          throw new Error(`localnet exited (${await run.exited}):\n${run.stdout()}\n${run.stderr()}`);
        return run.stdout().includes(READY);
      },
      90_000,
      100,
    );
  }

  /** A run that is refused: its exit code and output. */
  async function refused(...args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
    const run = localnet(...args);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  before(async () => {
    port = await freePort();
    dir = tempDir();
    net = localnet("--port", String(port), "--out", dir, "--relayer");
    await ready(net);
  });

  after(async () => {
    for (const provider of providers) provider.destroy();
    for (const server of servers) server.close();
    for (const run of started) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill("SIGTERM");
        await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      // The whole group: the node and the relayer (and its prover) too, should the script have left any.
      try {
        process.kill(-run.child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  });

  it("starts a node, deploys to --out, starts a staked relayer and prints its health URL and log", async () => {
    const deployment = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as {
      chainId: number;
      models: Record<string, { kind: string }>;
    };
    expect(deployment.chainId).to.equal(31337);
    expect(net.stdout()).to.include(`Highway local network on http://127.0.0.1:${port} (chain 31337)`);
    expect(net.stdout()).to.include(`relayer running: account 5 (${RELAYER.address})`);
    expect(net.stdout()).to.include(`log:    ${join(dir, "31337.relayer.log")}`);
    expect(net.stdout()).not.to.include(NO_RELAYER);

    const health = /health: (http:\/\/127\.0\.0\.1:\d+\/healthz)/.exec(net.stdout())?.[1];
    expect(health, net.stdout()).to.be.a("string");
    const response = await fetch(health!);
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { relayer: string }).relayer).to.equal(RELAYER.address);

    // The config next to the deployment serves every deployed circuit model in both modes and the reference
    // language model, smollm2, with llama.cpp, and names the key's variable; no file the network wrote holds the key.
    const config = JSON.parse(readFileSync(join(dir, "31337.relayer.json"), "utf8")) as {
      key: unknown;
      models: { circuit: string; modes: string[] }[];
      languageModels: { language: string }[];
    };
    expect(config.languageModels).to.deep.equal([{ language: "smollm2" }]);
    expect(config.key).to.deep.equal({ env: "HIGHWAY_RELAYER_KEY" });
    expect(deployment.models.smollm2.kind).to.equal("language");
    expect(config.models.map((m) => m.circuit)).to.deep.equal(
      Object.keys(deployment.models).filter((name) => deployment.models[name].kind === "circuit"),
    );
    for (const model of config.models) expect(model.modes).to.deep.equal(["zk", "optimistic"]);
    for (const file of readdirSync(dir))
      expect(readFileSync(join(dir, file), "utf8").toLowerCase(), file).not.to.include(RELAYER.privateKey.slice(2).toLowerCase());
  });

  it("refuses a second start on the same port in one line, and leaves the running network and its files alone", async () => {
    const files = Object.fromEntries(
      readdirSync(dir)
        .filter((file) => !file.endsWith(".log"))
        .map((file) => [file, readFileSync(join(dir, file))]),
    );
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true });
    providers.push(provider);
    const nonce = await provider.getTransactionCount(hardhatAccount(0).address);

    const second = await refused("--port", String(port), "--out", dir, "--relayer");
    expect(second.code).to.equal(1);
    expect(second.stderr).to.equal(
      `a node already answers on 127.0.0.1:${port} (chain 31337): stop it or pick another port with PORT=<n>\n`,
    );
    expect(second.stdout).to.equal("");

    expect(Object.keys(files)).to.include.members(["31337.json", "31337.relayer.json"]);
    for (const [file, bytes] of Object.entries(files)) expect(readFileSync(join(dir, file)).equals(bytes), file).to.equal(true);
    expect(await provider.getTransactionCount(hardhatAccount(0).address), "nothing deployed again").to.equal(nonce);
    expect(net.child.exitCode).to.equal(null);
  });

  it("refuses a port that something other than a node holds", async () => {
    const other = await freePort();
    const server = createServer((socket) => socket.end("not JSON-RPC\n"));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(other, "127.0.0.1", resolve));
    const out = tempDir();

    const run = await refused("--port", String(other), "--out", out);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal(
      `127.0.0.1:${other} is already in use, by something that is not an Ethereum JSON-RPC node: stop it or pick another port with PORT=<n>\n`,
    );
    expect(readdirSync(out)).to.deep.equal([]);
  });

  it("answers a request made through the SDK with the relayer it started", async () => {
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true });
    providers.push(provider);
    const sdk = await Highway.connect({ runner: new Wallet(REQUESTER.privateKey, provider), deployment: join(dir, "31337.json") });
    const handle = await sdk.requestInference({ model: "price-signal", input: [-0.4, 0.1, 0.3, 0.2, 0.6, 0.9, 1.1, 1.4], proofMode: "zk" });
    const result = await handle.wait({ timeoutMs: 60_000, pollIntervalMs: 250 });
    expect(result.status).to.equal("answered");
    expect(result.proven).to.equal(true);
    expect(result.relayer).to.equal(RELAYER.address);
  });

  it("without --relayer says that no relayer runs, and Ctrl-C stops the node", async () => {
    const bare = await freePort();
    const run = localnet("--port", String(bare), "--out", tempDir());
    await ready(run);
    expect(run.stdout()).to.include(`\n${NO_RELAYER}\n`);
    expect(run.stdout()).not.to.include("relayer running");

    run.child.kill("SIGINT");
    expect(await run.exited).to.equal(0);
    expect(await portHolder(bare)).to.deep.equal({ kind: "free" });
  });

  it("Ctrl-C stops the relayer, then the node", async () => {
    net.child.kill("SIGINT");
    expect(await net.exited).to.equal(0);
    expect(readFileSync(join(dir, "31337.relayer.log"), "utf8")).to.match(/"msg":"stopped"/);
    expect(await portHolder(port)).to.deep.equal({ kind: "free" });
  });
});
