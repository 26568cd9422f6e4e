/** The `highway` command, run as a child process against a local node and a live relayer. */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/repo.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { fundRequester, stakeRelayer, startHighway, startRelayerProcess, waitFor, type LocalHighway, type RelayerProcess } from "../../scripts/lib/localnet.js";

const BIN = join(REPO, "sdk", "bin", "highway.mjs");

describe("highway CLI (sdk/bin/highway.mjs)", function () {
  this.timeout(300_000);
  let highway: LocalHighway;
  let relayer: RelayerProcess;

  before(async () => {
    highway = await startHighway();
    await fundRequester(highway, await highway.ethers.getSigner(hardhatAccount(1).address));
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(5).address));
    relayer = startRelayerProcess(highway, { account: 5 });
  });

  after(async () => {
    await relayer?.kill();
    await highway?.stop();
  });

  /** Runs the bin as account `account`; resolves with its exit code and output. */
  function cli(args: string[], account = 1): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, "--rpc", highway.node.url, "--deployment", highway.deploymentPath, ...args], {
        cwd: REPO,
        env: { ...process.env, HIGHWAY_PRIVATE_KEY: hardhatAccount(account).privateKey },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("registers a model from its circuit folder, requests, waits and withdraws", async () => {
    const registered = await cli(["models", "register", "circuits/credit-risk", "--fee", "1.5", "--json"], 2);
    expect(registered.code, registered.stderr).to.equal(0);
    const { modelId } = JSON.parse(registered.stdout);
    const shown = JSON.parse((await cli(["models", "show", modelId, "--json"])).stdout);
    expect(shown.fee).to.equal("1500000000000000000");
    expect(shown.input).to.deep.equal({ length: 16, scale: 8, bound: "2048" });

    const list = await cli(["models", "list"]);
    expect(list.stdout).to.contain("price-signal").and.contain(modelId);

    const request = await cli(["request", "price-signal", "--input", "-0.4,0.1,0.3,0.2,0.6,0.9,1.1,1.4", "--mode", "zk", "--json"]);
    expect(request.code, request.stderr).to.equal(0);
    const result = JSON.parse(request.stdout);
    expect(result.status).to.equal("answered");
    expect(result.output.raw).to.have.length(1);
    expect(result.relayer).to.equal(hardhatAccount(5).address);

    const status = JSON.parse((await cli(["status", result.requestId, "--json"])).stdout);
    expect(status.status).to.equal("fulfilled");

    const withdrawn = await cli(["withdraw", "--json"]);
    expect(withdrawn.code, withdrawn.stderr).to.equal(0);
    expect(JSON.parse(withdrawn.stdout).withdrawn).to.equal(result.fees.refund);

    const human = await cli(["request", "credit-risk", "--input", Array(16).fill("0.5").join(",")]);
    expect(human.code, human.stderr).to.equal(0);
    // Live progress: each status as it is seen (a fast relayer may skip "claimed" between two polls).
    expect(human.stderr).to.match(/request \d+ sent/);
    expect(human.stderr).to.match(/s {2}(open|claimed): /);
    expect(human.stderr).to.contain("fulfilled");
    expect(human.stdout).to.match(/answered \(zk, proven\)/);
  });

  it("prints usage and exits non-zero on bad arguments", async () => {
    for (const args of [[], ["bogus"], ["request", "price-signal"], ["request", "price-signal", "--input", "a,b"], ["models", "register", "circuits/price-signal"], ["--nope"]]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.stderr, args.join(" ")).to.contain("usage: highway");
    }
  });

  it("runs a relayer as the package's relayer program, and passes SIGTERM on to it", async () => {
    // Only its config file is wanted: the relayer itself is started below, through the CLI.
    const { configPath, kill } = startRelayerProcess(highway, { account: 6 });
    await kill();
    const child = spawn(process.execPath, [BIN, "relayer", "start", "--config", configPath], {
      cwd: REPO,
      env: { ...process.env, HIGHWAY_RELAYER_KEY: hardhatAccount(6).privateKey },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await waitFor("the relayer started", async () => output.includes("relayer started"), 60_000, 100);
    child.kill("SIGTERM");
    expect(await exited, output).to.equal(0);
    expect(output).to.contain('"msg":"stopped"');
  });

  it("says what to do when a contract refuses", async () => {
    const run = await cli(["withdraw"], 4);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("NothingToWithdraw: there is nothing to withdraw");
  });
});
