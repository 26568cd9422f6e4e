/**
 * `make deploy NETWORK=custom` against a chain it knows only by URL: a separate `hardhat node`
 * process on a free port with a chain id of its own (31338), reached through HIGHWAY_RPC_URL, the
 * deployer's key in HIGHWAY_DEPLOYER_KEY, the parameters from ignition/parameters/testnet.json5.
 * The deployment file it writes must hold every address and the deployment block, leave other
 * chains' files alone, and work unchanged with the CLI (`highway models list --deployment FILE`),
 * the SDK (Highway.connect + reads) and a relayer process (a config naming the file, /healthz ok).
 * A second run resumes from the Ignition journal: nothing is sent again, the same file is written.
 */
import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Contract, JsonRpcProvider, ZeroAddress } from "ethers";
import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import { freePort, hardhatAccount } from "../../scripts/lib/node.js";
import { startRelayerProcess, waitFor, type LocalHighway, type RelayerProcess } from "../../scripts/lib/localnet.js";
import { DEFAULT_DEPLOY_MODELS } from "../../ignition/modules/Highway.js";
import type { HighwayDeployment } from "../../sdk/deployment.js";
import { Highway } from "../../sdk/node.js";
import { REPO } from "../helpers/repo.js";

const run = promisify(execFile);
const CHAIN_ID = 31338;
const DEPLOYER = hardhatAccount(0);
const PARAMETERS = "ignition/parameters/testnet.json5";

/** The environment a user's shell has: without what `hardhat test` set for this process (HARDHAT_CONFIG, HH_TEST). */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && !name.startsWith("HH_")));
}

interface RemoteNode {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `hardhat node` with its own chain id, as its own process: to the deployment, a remote chain. */
async function startRemoteNode(): Promise<RemoteNode> {
  const port = await freePort();
  const child = spawn(
    join(REPO, "node_modules", ".bin", "hardhat"),
    ["node", "--network", "localnode", "--chain-id", String(CHAIN_ID), "--port", String(port)],
    {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "the hardhat node to answer",
    async () => {
      if (child.exitCode !== null) throw new Error(`hardhat node exited: ${output}`);
      try {
        return (
          await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          })
        ).ok;
      } catch {
        return false;
      }
    },
    60_000,
    200,
  );
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

describe("make deploy NETWORK=custom, against a separate node", function () {
  this.timeout(240_000);

  let node: RemoteNode;
  let dir: string;
  let outDir: string;
  let journal: string;
  let deploymentPath: string;
  let deployment: HighwayDeployment;
  let provider: JsonRpcProvider;
  let relayer: RelayerProcess | undefined;
  const others = { "31337.json": '{"chainId":31337,"note":"a local network"}\n', "1.json": '{"chainId":1,"note":"mainnet"}\n' };

  /** `make deploy` as a user runs it; resolves with its output. */
  async function makeDeploy(): Promise<{ stdout: string; stderr: string }> {
    return await run(
      "make",
      ["--no-print-directory", "deploy", "NETWORK=custom", `PARAMETERS=${PARAMETERS}`, `OUT=${outDir}`, `JOURNAL=${journal}`],
      {
        cwd: REPO,
        env: { ...userEnvironment(), HIGHWAY_RPC_URL: node.url, HIGHWAY_DEPLOYER_KEY: DEPLOYER.privateKey },
        maxBuffer: 16 << 20,
      },
    );
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "highway-remote-"));
    outDir = join(dir, "deployments");
    journal = join(dir, "ignition");
    node = await startRemoteNode();
    provider = new JsonRpcProvider(node.url, CHAIN_ID, { staticNetwork: true });
    // Other chains' deployment files, which the deployment must leave as they are.
    await run("mkdir", ["-p", outDir]);
    for (const [name, text] of Object.entries(others)) writeFileSync(join(outDir, name), text);
  });

  after(async () => {
    await relayer?.kill();
    provider?.destroy();
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("deploys with the parameters file and writes <chainId>.json with every address and the deployment block", async () => {
    const started = Date.now();
    const { stdout, stderr } = await makeDeploy();
    console.log(`      make deploy: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    deploymentPath = join(outDir, `${CHAIN_ID}.json`);
    expect(stdout).to.contain(`written to ${deploymentPath}`);
    expect(stdout + stderr).not.to.contain(DEPLOYER.privateKey.slice(2));
    // Not chain 31337: the reference verifiers' development-only SRS is called out.
    expect(stderr).to.contain("development-only SRS");
    deployment = JSON.parse(readFileSync(deploymentPath, "utf8")) as HighwayDeployment;

    expect(deployment.chainId).to.equal(CHAIN_ID);
    for (const [name, address] of Object.entries({
      token: deployment.token,
      registry: deployment.registry,
      staking: deployment.staking,
      coordinator: deployment.coordinator,
      disputeGame: deployment.disputeGame,
    }))
      expect(await provider.getCode(address), name).to.not.equal("0x");
    expect(Object.keys(deployment.models)).to.deep.equal([...DEFAULT_DEPLOY_MODELS]);
    for (const model of Object.values(deployment.models))
      if (model.kind === "circuit") expect(await provider.getCode(model.verifier)).to.not.equal("0x");
    expect(deployment.models.smollm2).to.include({ kind: "language", verifier: ZeroAddress });

    // The deployment block is the token's: its first transaction.
    const tokenCreated = await provider.getLogs({ address: deployment.token, fromBlock: 0 });
    expect(deployment.deploymentBlock).to.equal(tokenCreated[0].blockNumber);

    // The parameters file's values, as the coordinator holds them.
    const file = (await readDeploymentParameters(join(REPO, PARAMETERS))).Highway;
    expect(deployment.params.challengeWindow).to.equal(file.challengeWindow).and.to.equal(86_400);
    expect(deployment.params.deliveryWindow).to.equal(file.deliveryWindow);
    expect(BigInt(deployment.params.jobBond)).to.equal(file.jobBond);
    const staking = new Contract(
      deployment.staking,
      [
        "function coordinator() view returns (address)",
        "function minStake() view returns (uint256)",
        "function unbondingDelay() view returns (uint256)",
      ],
      provider,
    );
    expect(await staking.coordinator()).to.equal(deployment.coordinator);
    expect(await staking.minStake()).to.equal(file.minStake);
    expect(await staking.unbondingDelay()).to.equal(BigInt(file.unbondingDelay as number));

    for (const [name, text] of Object.entries(others)) expect(readFileSync(join(outDir, name), "utf8"), name).to.equal(text);
  });

  it("resumes from its Ignition journal on a second run: no transaction, the same file", async () => {
    const before = readFileSync(deploymentPath, "utf8");
    const nonce = await provider.getTransactionCount(DEPLOYER.address);
    await makeDeploy();
    expect(await provider.getTransactionCount(DEPLOYER.address)).to.equal(nonce);
    expect(readFileSync(deploymentPath, "utf8")).to.equal(before);
  });

  it("works unchanged with the CLI: highway models list --deployment FILE", async () => {
    const { stdout } = await run(
      process.execPath,
      [join(REPO, "sdk", "bin", "highway.mjs"), "models", "list", "--rpc", node.url, "--deployment", deploymentPath, "--json"],
      {
        cwd: dir,
        env: { ...process.env, HIGHWAY_PRIVATE_KEY: "" },
      },
    );
    const listed = JSON.parse(stdout) as { name?: string; modelId: string }[];
    expect(listed.map((model) => model.name).sort()).to.deep.equal([...DEFAULT_DEPLOY_MODELS].sort());
    expect(listed.find((model) => model.name === "price-signal")!.modelId).to.equal(
      deployment.models["price-signal"].modelId.toLowerCase(),
    );
  });

  it("works unchanged with the SDK: Highway.connect with the file's path, and reads", async () => {
    const highway = await Highway.connect({ runner: provider, deployment: deploymentPath });
    const models = await highway.models();
    expect(models.map((model) => model.modelId.toLowerCase())).to.have.members(
      Object.values(deployment.models).map((model) => model.modelId.toLowerCase()),
    );
    const quote = await highway.quote({ model: "price-signal", maxComputeFee: 10n ** 18n });
    expect(quote.modelFee).to.equal(BigInt(deployment.models["price-signal"].fee));
  });

  it("works unchanged with a relayer: a config naming the file, /healthz ok", async () => {
    const chain = { dir, node: { url: node.url }, deploymentPath } as unknown as LocalHighway;
    relayer = startRelayerProcess(chain, { account: 5, config: { models: [{ circuit: "price-signal" }] } });
    await waitFor(
      "the relayer's /healthz",
      async () => {
        if (relayer!.process.exitCode !== null) throw new Error(`the relayer exited: ${relayer!.output()}`);
        const port = relayer!.httpPort();
        if (!port) return false;
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        return response.ok && ((await response.json()) as { ok: boolean }).ok;
      },
      120_000,
    );
    expect(relayer.output()).to.contain("relayer started");
  });
});
