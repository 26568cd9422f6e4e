/**
 * `make localnet`: a local Highway network to try the SDK, the CLI and a relayer
 * against. Starts `hardhat node` on 127.0.0.1:8545 (or --port), deploys the protocol
 * with one-minute windows, writes deployments/<chainId>.json (where the SDK and the CLI
 * look by default; --out DIR writes it to DIR instead), mints payment tokens to the
 * first accounts, prints them, and runs until Ctrl-C.
 *
 *   tsx scripts/localnet.ts [--port N] [--out DIR] [--relayer]
 *
 * A port already taken (by another node or anything else) is refused with one line on
 * stderr and exit 1, before anything is started or written. With --relayer (`make localnet
 * RELAYER=1`) it stakes account 5 and runs a relayer process for every deployed model,
 * zk and optimistic: its config goes next to the deployment file (<chainId>.relayer.json;
 * the key only in the process's environment), its output to <chainId>.relayer.log there.
 * Ctrl-C stops the relayer, then the node.
 *
 * The printed keys are Hardhat's public test keys: they hold nothing anywhere else.
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { DEPLOYMENTS_DIR } from "../sdk/deployment-file.js";
import { assertPortFree, hardhatAccount, PortInUseError } from "./lib/node.js";
import { flag, option } from "./lib/report.js";

const RELAYER_ACCOUNT = 5;
const NO_RELAYER = "no relayer is running: requests will wait; start one with `make localnet RELAYER=1` or see the relayer quickstart";

const port = Number(option("--port", "8545"));
const outDir = resolve(option("--out", DEPLOYMENTS_DIR));
const withRelayer = flag("--relayer");

let stopRequested = false;
const stopped = new Promise<void>((resolve) => {
  const stop = () => {
    stopRequested = true;
    resolve();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`--port must be a TCP port (1 to 65535), not ${option("--port", "")}`);
// Before anything starts: a second network on a taken port would deploy onto the node
// already there and overwrite its deployment file.
try {
  await assertPortFree(port);
} catch (error) {
  fail(error instanceof PortInUseError ? error.message : `cannot check 127.0.0.1:${port}: ${(error as Error).message}`);
}

// Loaded after the port check, which then answers in well under a second.
const { formatUnits } = await import("ethers");
const { printTable } = await import("../sdk/format.js");
const { stakeRelayer, startHighway, startRelayerProcess, UNIT } = await import("./lib/localnet.js");
type LocalHighway = Awaited<ReturnType<typeof startHighway>>;
type RelayerProcess = ReturnType<typeof startRelayerProcess>;

let highway: LocalHighway | undefined;
let relayer: RelayerProcess | undefined;
let exitCode = 0;
try {
  highway = await startHighway({ port, outDir });
  const { deployment, deploymentPath } = highway;
  const roles = [
    "deployer, model owner, treasury",
    "requester",
    "model owner 2",
    "referrer",
    "spare",
    withRelayer ? "relayer (running, 50,000 staked)" : "relayer",
    "relayer 2",
  ];
  for (let i = 1; i < roles.length; i++) await (await highway.token.mint(hardhatAccount(i).address, 10_000n * UNIT)).wait();

  // The relayer proves the circuit models and answers the language models with llama.cpp (its disputes need a
  // committee of three other relayers serving the model: `make demo` shows one).
  const models = Object.entries(deployment.models)
    .filter(([, model]) => model.kind !== "language")
    .map(([name]) => name);
  const languageModels = Object.entries(deployment.models)
    .filter(([, model]) => model.kind === "language")
    .map(([name]) => name);
  let relayerLine = NO_RELAYER;
  if (withRelayer && !stopRequested) {
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER_ACCOUNT).address));
    const base = deploymentPath.replace(/\.json$/, "");
    relayer = startRelayerProcess(highway, {
      account: RELAYER_ACCOUNT,
      configPath: `${base}.relayer.json`,
      logPath: `${base}.relayer.log`,
      config: {
        pollIntervalMs: 250,
        models: models.map((circuit) => ({ circuit, modes: ["zk", "optimistic"] })),
        languageModels: languageModels.map((language) => ({ language })),
      },
    });
    const started = relayer;
    // Up once its /healthz answers 200 (its loop has run a tick); an exit before that is a failure.
    const healthy = async () => {
      const port = started.httpPort();
      if (!port) return false;
      return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200;
    };
    const up = await Promise.race([
      (async () => {
        while (!(await healthy())) await new Promise((resolve) => setTimeout(resolve, 100));
        return "up" as const;
      })(),
      started.exited.then((code) => code),
      stopped.then(() => "stopped" as const),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 180_000).unref()),
    ]);
    if (up === "timeout") throw new Error(`the relayer did not start within 180 s: see ${base}.relayer.log`);
    if (up !== "up" && up !== "stopped") throw new Error(`the relayer exited during start-up (${up}): see ${base}.relayer.log`);
    relayerLine = [
      `relayer running: account ${RELAYER_ACCOUNT} (${started.address}), staked, serving ${models.join(", ")} (zk and optimistic)${languageModels.length ? ` and ${languageModels.join(", ")} (optimistic, llama.cpp)` : ""}`,
      `  health: http://127.0.0.1:${started.httpPort()}/healthz`,
      `  log:    ${base}.relayer.log`,
      `  config: ${base}.relayer.json (the key is only in its environment)`,
    ].join("\n");
    void started.exited.then((code) => {
      if (!stopRequested) console.error(`the relayer exited (${code}): see ${base}.relayer.log; the node keeps running`);
    });
  }

  if (!stopRequested) {
    console.log(`Highway local network on ${highway.node.url} (chain ${deployment.chainId})`);
    console.log(`deployment: ${deploymentPath}`);
    printTable(
      Object.entries({
        coordinator: deployment.coordinator,
        registry: deployment.registry,
        staking: deployment.staking,
        token: deployment.token,
      }).map(([contract, address]) => ({ contract, address })),
    );
    console.log("\nmodels");
    printTable(
      Object.entries(deployment.models).map(([name, model]) => ({
        name,
        kind: model.kind ?? "circuit",
        modelId: model.modelId,
        fee: formatUnits(model.fee, 18),
      })),
    );
    console.log("\naccounts (Hardhat's public test keys; 10,000 tokens each but the deployer's)");
    printTable(
      roles.map((role, i) => ({ account: i, role, address: hardhatAccount(i).address, privateKey: hardhatAccount(i).privateKey })),
    );
    console.log(`\n${relayerLine}`);
    console.log(`\nexport HIGHWAY_RPC=${highway.node.url}\nrunning; Ctrl-C stops ${relayer ? "the relayer and " : ""}the node`);
  }
  await stopped;
} catch (error) {
  // Ctrl-C during start-up stops the node under the deployment: that is no failure.
  if (!stopRequested) {
    console.error(`localnet failed: ${(error as Error).message.split("\n")[0]}`);
    exitCode = 1;
  }
} finally {
  // The relayer stops after the step in hand; one that does not within 15 s is killed.
  if (relayer) {
    const killed = relayer;
    const timer = setTimeout(() => void killed.kill("SIGKILL"), 15_000);
    await killed.kill("SIGTERM");
    clearTimeout(timer);
    await Promise.race([killed.logClosed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
  await highway?.stop();
  // The relayer's database and the network's other scratch files (the chain they were for is gone).
  if (highway) rmSync(highway.dir, { recursive: true, force: true });
}
process.exit(exitCode);
