/**
 * The contract developer's path, end to end: `highway init` scaffolds a consumer project that
 * depends on the packages `make pack` builds; installed with npm outside the repository, it
 * type-checks, its scripts deploy MyConsumer with Ignition against a local Highway network's
 * deployment file (startHighway), and `npm run ask` funds it, asks price-signal and waits: a
 * relayer process answers with a proof and the contract's callback stores the output.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { Contract } from "ethers";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { stakeRelayer, startHighway, startRelayerProcess, UNIT, type LocalHighway, type RelayerProcess } from "../../scripts/lib/localnet.js";
import { HIGHWAY_PACKAGES, TEMPLATE_DIR } from "../../sdk/cli/commands/init.js";
import { REPO } from "../helpers/repo.js";

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
/** Child processes find this Node (and its npm) first. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
const NPM = existsSync(join(dirname(process.execPath), "npm")) ? join(dirname(process.execPath), "npm") : "npm";
const REQUESTER = hardhatAccount(1);
const RELAYER = 5;

/** The environment a user's shell has: without what `hardhat test` set for this process (HARDHAT_CONFIG names the repository's config). */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("HARDHAT_") && !name.startsWith("HH_")));
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd, env: { ...userEnvironment(), PATH, ...env }, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

describe("highway init: a consumer project, deployed and answered on a local network", function () {
  this.timeout(600_000);

  let dir: string;
  let project: string;
  let highway: LocalHighway;
  let relayer: RelayerProcess | undefined;

  before(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "highway-init-")));
    project = join(dir, "my-consumer");
    expect(relative(REPO, project).startsWith("..")).to.equal(true);
    highway = await startHighway({ models: ["price-signal"] });
  });

  after(async () => {
    await relayer?.kill();
    await highway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("pins the template's dependencies at the versions the repository uses", () => {
    const template = JSON.parse(readFileSync(join(TEMPLATE_DIR, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    const repo = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    const versions = { ...repo.devDependencies, ...repo.dependencies };
    for (const [name, version] of Object.entries({ ...template.dependencies, ...template.devDependencies })) {
      if ((HIGHWAY_PACKAGES as readonly string[]).includes(name)) expect(version, name).to.equal(repo.version);
      else expect(version, name).to.equal(versions[name]);
    }
  });

  it("scaffolds the project with the packages of `make pack` and the deployment file", async () => {
    await run(process.execPath, [require.resolve("tsx/cli"), join(REPO, "scripts", "pack.ts")], REPO);
    const output = await run(process.execPath, [join(REPO, "sdk", "bin", "highway.mjs"), "init", project, "--deployment", highway.deploymentPath, "--json"], dir);
    const result = JSON.parse(output) as { files: string[]; dependencies: Record<string, string> };
    expect(result.files).to.include.members([
      ".gitignore",
      "package.json",
      "hardhat.config.ts",
      "contracts/MyConsumer.sol",
      "ignition/modules/MyConsumer.ts",
      "scripts/deploy.ts",
      "scripts/ask.ts",
      `deployments/${highway.deployment.chainId}.json`,
    ]);
    for (const name of HIGHWAY_PACKAGES) expect(result.dependencies[name]).to.match(new RegExp(`^file:${join(REPO, "dist", "packages", name)}-[0-9.]+\\.tgz$`));
    await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], project);
    // The installed SDK carries the template too: `highway init` works from npm.
    expect(existsSync(join(project, "node_modules", "highway-inference-sdk", "templates", "consumer", "contracts", "MyConsumer.sol"))).to.equal(true);
  });

  it("compiles and type-checks against the installed packages", async () => {
    await run(NPM, ["run", "typecheck"], project);
  });

  it("deploys MyConsumer with Ignition, against the coordinator of deployments/<chainId>.json", async () => {
    await (await highway.token.mint(REQUESTER.address, 100n * UNIT)).wait();
    const env = { HIGHWAY_RPC_URL: highway.node.url, HIGHWAY_PRIVATE_KEY: REQUESTER.privateKey };
    const output = await run(NPM, ["run", "deploy"], project, env);
    const address = /MyConsumer: (0x[0-9a-fA-F]{40})/.exec(output)?.[1];
    expect(address, output).to.be.a("string");
    const consumer = new Contract(address!, ["function coordinator() view returns (address)", "function owner() view returns (address)", "function paymentToken() view returns (address)"], highway.ethers.provider);
    expect(await consumer.coordinator()).to.equal(highway.deployment.coordinator);
    expect(await consumer.paymentToken()).to.equal(highway.deployment.token);
    expect(await consumer.owner()).to.equal(REQUESTER.address);
    // Deploying again finds it deployed.
    expect(await run(NPM, ["run", "deploy"], project, env)).to.contain(`MyConsumer: ${address}`);
  });

  it("funds it, asks, and a relayer's proven answer arrives in its callback", async () => {
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    relayer = startRelayerProcess(highway, { account: RELAYER, config: { models: [{ circuit: "price-signal" }] } });
    const started = Date.now();
    const output = await run(NPM, ["run", "ask"], project, { HIGHWAY_RPC_URL: highway.node.url, HIGHWAY_PRIVATE_KEY: REQUESTER.privateKey });
    console.log(`      npm run ask: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const requestId = BigInt(/\(request (\d+)\)/.exec(output)?.[1] ?? "0");
    expect(requestId, output).to.not.equal(0n);
    expect(output).to.match(/answered: -?[0-9.e-]+ \(raw -?\d+\)/);

    const address = /MyConsumer (0x[0-9a-fA-F]{40})/.exec(output)![1];
    const consumer = new Contract(address, ["function answered(uint256) view returns (bool)", "function outputOf(uint256) view returns (int256[])"], highway.ethers.provider);
    expect(await consumer.answered(requestId)).to.equal(true);
    const fulfilled = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestFulfilled(requestId));
    expect(fulfilled).to.have.length(1);
    expect(fulfilled[0].args.proven).to.equal(true);
    expect([...(await consumer.outputOf(requestId))]).to.deep.equal([...fulfilled[0].args.output]);
  });
});
