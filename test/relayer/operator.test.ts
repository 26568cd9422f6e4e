/**
 * What an operator meets running the relayer, against real processes and a real Hardhat
 * node: a port already taken, a stake too small to claim, logs read on a terminal or by
 * a collector, and a model added to the config after its requests were set aside.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { REPO } from "../../scripts/lib/repo.js";
import { stakeRelayer, waitFor, UNIT, type LocalHighway } from "../../scripts/lib/localnet.js";
import type { Prover } from "../../relayer/src/outputs.js";
import { parseConfig } from "../../relayer/src/config.js";
import { startRelayer } from "../../relayer/src/start.js";
import { requestBurst } from "../helpers/requests.js";
import { eventCounts, healthOf, randomRequest, relayerTestbed, Status, statuses, storedJob } from "./helpers.js";

const RELAYER = 5;
/** One model, to keep the prover's warm-up short where the model does not matter. */
const ONE_MODEL = { models: [{ circuit: "price-signal" }] };

describe("relayer behaviour an operator can trust (real processes against a Hardhat node)", function () {
  this.timeout(300_000);
  const { startHighway, start, requester, signer, waitAllFinal } = relayerTestbed();
  const relayerSigner = () => signer(RELAYER);
  let highway: LocalHighway;
  const servers: Server[] = [];

  beforeEach(async () => {
    highway = await startHighway();
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  describe("a port already taken", () => {
    it("exits with one clear line naming the field, not a stack trace, and releases the store and the RPC", async () => {
      await stakeRelayer(highway, await relayerSigner());
      const taken = createServer();
      servers.push(taken);
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      const port = (taken.address() as { port: number }).port;

      // Over WebSocket: an RPC connection left open would keep the process from exiting on its own.
      const relayer = start({
        account: RELAYER,
        rpcUrl: highway.node.url.replace("http://", "ws://"),
        config: { ...ONE_MODEL, http: { port } },
      });
      const exited = await Promise.race([relayer.exited, new Promise((resolve) => setTimeout(() => resolve("still running"), 60_000))]);

      expect(exited).to.equal(2);
      expect(relayer.output().trim()).to.equal(`relayer: http port ${port} is in use: set "http.port" (or 0 for any free port)`);
      // The store was opened and closed: SQLite removes its write-ahead log when the last connection closes cleanly.
      expect(existsSync(relayer.databasePath)).to.equal(true);
      expect(existsSync(`${relayer.databasePath}-wal`)).to.equal(false);
    });

    it("closes the prover, the HTTP server and the store again when start-up fails after the prover started (in-process)", async () => {
      const closed: string[] = [];
      // A prover that starts but reports no warm-up time: start-up fails with everything open.
      const prover: Prover = {
        witness: () => Promise.reject(new Error("unused")),
        prove: () => Promise.reject(new Error("unused")),
        warmUpTimes: () => new Map(),
        close: () => {
          closed.push("prover");
          return Promise.resolve();
        },
      };
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      const port = (probe.address() as { port: number }).port;
      await new Promise((resolve) => probe.close(resolve));
      const database = join(highway.dir, "failed-start.sqlite");
      const config = parseConfig({
        rpcUrl: highway.node.url.replace("http://", "ws://"),
        deployment: highway.deploymentPath,
        key: { env: "HIGHWAY_TEST_RELAYER_KEY" },
        database,
        logLevel: "silent",
        logFormat: "json",
        http: { port },
        ...ONE_MODEL,
      });
      process.env.HIGHWAY_TEST_RELAYER_KEY = hardhatAccount(RELAYER).privateKey;
      try {
        const failure = await startRelayer(config, { startProver: () => Promise.resolve(prover) }).then(
          () => new Error("started"),
          (error: Error) => error,
        );
        expect(failure.message).to.contain("the prover reported no warm-up time for price-signal");
      } finally {
        delete process.env.HIGHWAY_TEST_RELAYER_KEY;
      }
      expect(closed).to.deep.equal(["prover"]);
      expect(existsSync(`${database}-wal`)).to.equal(false);
      // The port is free again.
      const again = createServer();
      servers.push(again);
      await new Promise<void>((resolve, reject) => again.once("error", reject).listen(port, "127.0.0.1", resolve));
    });
  });

  describe("a stake too small to claim", () => {
    it("warns at start-up with the numbers and the command, reports it in /healthz, and claims once a Staked event shows enough", async () => {
      const signer = await relayerSigner();
      // 10 tokens: below the 100-token job bond and the 200-token minimum stake of the deployment.
      await stakeRelayer(highway, signer, 10n * UNIT);
      const relayer = start({ account: RELAYER, config: ONE_MODEL });
      await waitFor("the relayer up", () => relayer.httpPort() !== undefined, 120_000, 100);

      const warning = relayer
        .output()
        .split("\n")
        .find((line) => line.includes("cannot claim requests"));
      expect(warning, relayer.output()).to.not.equal(undefined);
      const logged = JSON.parse(warning!);
      expect(logged.level).to.equal(40);
      expect(logged.msg).to.equal(
        "cannot claim requests: free stake 10 tokens (stake 10, 0 locked in open jobs) does not cover a job bond of 100 tokens, and stake 10 tokens is below the minimum stake of 200 tokens: " +
          `stake 190 more with \`highway relayer stake 190\` from the relayer's account ${relayer.address}`,
      );
      expect(logged.stake).to.deep.include({ free: "10", jobBond: "100", minStake: "200", canClaim: false });

      await waitFor("the first tick", async () => (await healthOf(relayer)).ok === true, 30_000, 100);
      const response = await fetch(`http://127.0.0.1:${relayer.httpPort()}/healthz`);
      expect(response.status).to.equal(200); // it runs: it finishes the jobs in hand and watches others; a restart would not help
      const health = (await response.json()) as Record<string, unknown>;
      expect(health).to.deep.include({ ok: true, degraded: true, warnings: [logged.msg] });
      expect(health.stake).to.deep.equal({
        staked: "10",
        locked: "0",
        free: "10",
        jobBond: "100",
        minStake: "200",
        canClaim: false,
        shortfall: "190",
      });

      const [id] = await requestBurst(highway, await requester(), 1, () => randomRequest(0, ["zk"]));
      await waitFor("the request set aside for want of stake", () => storedJob(relayer, id)?.note === "not enough free stake", 30_000, 100);
      expect((await statuses(highway, [id]))[0]).to.equal(Status.Open);

      // The Staked event has the relayer read its stake again at once (the periodic read is a minute away).
      await stakeRelayer(highway, signer, 190n * UNIT, 0n);
      await waitFor("the stake read again", async () => ((await healthOf(relayer)).stake as { canClaim: boolean }).canClaim, 20_000, 100);
      expect(await healthOf(relayer)).to.deep.include({ degraded: false, warnings: [] });
      expect(relayer.output()).to.contain("free stake covers a job bond again: claiming");
      await waitAllFinal([id], 120_000);
      expect((await eventCounts(highway, "RequestFulfilled")).get(id)).to.equal(1);
    });
  });

  describe("logs", () => {
    it("writes readable lines when asked for pretty, JSON when the environment overrides it", async () => {
      await stakeRelayer(highway, await relayerSigner());
      const pretty = start({ account: RELAYER, config: { ...ONE_MODEL, logFormat: "pretty" } });
      await waitFor("the pretty relayer up", () => pretty.output().includes("relayer started"), 120_000, 100);
      const started = pretty
        .output()
        .split("\n")
        .find((line) => line.includes("relayer started"))!;
      expect(started).to.match(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO.*: relayer started$/);
      expect(pretty.output()).to.match(/\n\s+http: \d+\n/); // fields on their own lines
      expect(pretty.output()).not.to.contain('{"level"');
      if (!("FORCE_COLOR" in process.env)) expect(pretty.output()).not.to.contain("\u001b["); // no colours into a pipe
      expect(await pretty.kill("SIGTERM")).to.equal(0);
      expect(pretty.output()).to.match(/INFO.*: stopped/);

      const json = start({ account: RELAYER, config: { ...ONE_MODEL, logFormat: "pretty" }, env: { HIGHWAY_RELAYER_LOG_FORMAT: "json" } });
      await waitFor("the JSON relayer up", () => json.httpPort() !== undefined, 120_000, 100);
      expect(await json.kill("SIGTERM")).to.equal(0);
      const lines = json.output().trim().split("\n");
      expect(lines.length).to.be.greaterThan(1);
      for (const line of lines) expect(() => JSON.parse(line), line).not.to.throw();
    });

    it("writes readable lines on a terminal and JSON into a pipe, by default", async function () {
      if (spawnSync("script", ["--version"]).error) this.skip(); // util-linux's `script` gives the relayer a terminal
      await stakeRelayer(highway, await relayerSigner());
      // Into a pipe (as every other test runs it): JSON.
      const piped = start({ account: RELAYER, config: ONE_MODEL });
      await waitFor("the piped relayer up", () => piped.httpPort() !== undefined, 120_000, 100);
      expect(
        JSON.parse(
          piped
            .output()
            .split("\n")
            .find((line) => line.includes("relayer started"))!,
        ).msg,
      ).to.equal("relayer started");
      expect(await piped.kill("SIGTERM")).to.equal(0);

      // The same config on a terminal: pretty, in colour.
      const configPath = join(highway.dir, "relayer-on-a-terminal.json");
      writeFileSync(
        configPath,
        JSON.stringify({ ...JSON.parse(readFileSync(piped.configPath, "utf8")), database: join(highway.dir, "terminal.sqlite") }),
      );
      const command = `exec ${process.execPath} ${join(REPO, "relayer", "bin", "relayer.mjs")} start --config ${configPath}`;
      const child = spawn("script", ["-qefc", command, "/dev/null"], {
        cwd: REPO,
        env: { ...withoutColourSettings(process.env), HIGHWAY_RELAYER_KEY: hardhatAccount(RELAYER).privateKey, TERM: "xterm-256color" },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        await waitFor("the relayer on a terminal up", () => output.includes("relayer started"), 120_000, 100);
        expect(output).to.contain("\u001b["); // colours on a terminal
        // eslint-disable-next-line no-control-regex -- the ANSI colour codes a terminal gets are what is stripped here
        const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
        expect(plain).to.match(/\] INFO.*: relayer started/);
        expect(plain).not.to.contain('{"level"');
      } finally {
        process.kill(-child.pid!, "SIGTERM");
        await exited;
      }
    });
  });

  describe("a model added to the config", () => {
    it("answers, after a restart that serves them, the requests an earlier run set aside for a model or a mode it did not serve", async () => {
      await stakeRelayer(highway, await relayerSigner());
      const first = start({ account: RELAYER, config: { models: [{ circuit: "price-signal", modes: ["zk"] }] } });
      await waitFor("the relayer up", () => first.httpPort() !== undefined, 120_000, 100);
      const [otherModel] = await requestBurst(highway, await requester(), 1, () => randomRequest(2, ["zk"])); // credit-risk
      const [otherMode] = await requestBurst(highway, await requester(), 1, () => randomRequest(0, ["optimistic"])); // price-signal
      await waitFor(
        "both requests set aside",
        () => storedJob(first, otherModel)?.state === "ignored" && storedJob(first, otherMode)?.state === "watching",
        30_000,
        100,
      );
      expect(storedJob(first, otherMode)!.note).to.equal("we do not answer optimistic requests of price-signal");
      expect(await first.kill("SIGTERM")).to.equal(0);
      expect(await statuses(highway, [otherModel, otherMode])).to.deep.equal([Status.Open, Status.Open]);

      const second = start({
        account: RELAYER,
        databasePath: first.databasePath,
        config: { models: [{ circuit: "price-signal" }, { circuit: "credit-risk" }] },
      });
      await waitAllFinal([otherModel, otherMode], 120_000);
      expect(await statuses(highway, [otherModel, otherMode])).to.deep.equal([Status.Fulfilled, Status.Fulfilled]);
      const [, otherModelState] = await highway.coordinator.getRequest(otherModel);
      expect(otherModelState.relayer).to.equal(second.address);
      expect(second.output()).to.contain('"reconsidered":2');
      expect([storedJob(second, otherModel)!.state, storedJob(second, otherMode)!.state]).to.deep.equal(["done", "done"]);
    });
  });
});

/** The environment without the variables that force colours on or off, so that the terminal decides. */
function withoutColourSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.NO_COLOR;
  delete copy.FORCE_COLOR;
  return copy;
}
