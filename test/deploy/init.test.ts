/**
 * The contract developer's path, end to end, as the README's "Quickstart: smart-contract
 * developers" gives it: its shell block's commands run one by one (make pack, highway init,
 * npm install outside the repository, npm run deploy, npm run ask) against a local Highway
 * network (startHighway) with a relayer process serving price-signal. `highway init` scaffolds
 * a project on the packed packages; its scripts deploy MyConsumer with Ignition against the
 * network's deployment file, fund it, ask and wait: the relayer answers with a proof and the
 * contract's callback stores the output. The project also type-checks against the installed
 * packages. What differs from a user's terminal is substituted: the project's folder (a temp
 * folder for ../my-consumer), the network's deployment file and URL (HIGHWAY_RPC_URL), and
 * npm install reads npm's cache first.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { Contract } from "ethers";
import { hardhatAccount } from "../../scripts/lib/node.js";
import {
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  UNIT,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";
import { decodeTensor } from "../../sdk/encoding.js";
import { HIGHWAY_PACKAGES, TEMPLATE_DIR } from "../../sdk/cli/commands/init.js";
import { REPO } from "../helpers/repo.js";
import { commands, quickstartBlock, Shell, userEnvironment, type CommandResult } from "../readme/readme.js";

const exec = promisify(execFile);
/** Child processes find this Node (and its npm) first. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
const NPM = existsSync(join(dirname(process.execPath), "npm")) ? join(dirname(process.execPath), "npm") : "npm";
const REQUESTER = hardhatAccount(1);
const RELAYER = 5;

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd, env: { ...userEnvironment(), PATH, ...env }, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: error });
  }
}

describe("highway init: the README's consumer project, deployed and answered on a local network", function () {
  this.timeout(600_000);

  let dir: string;
  let project: string;
  let highway: LocalHighway;
  let relayer: RelayerProcess | undefined;
  const ran: CommandResult[] = [];
  const output = (command: string) => ran.find((result) => result.command.includes(command))?.stdout ?? "";

  before(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "highway-init-")));
    project = join(dir, "my-consumer");
    expect(relative(REPO, project).startsWith("..")).to.equal(true);
    // What the quickstart asks for first: a local network and a relayer serving price-signal.
    highway = await startHighway({ models: ["price-signal"] });
    await (await highway.token.mint(REQUESTER.address, 100n * UNIT)).wait();
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    relayer = startRelayerProcess(highway, { account: RELAYER, config: { models: [{ circuit: "price-signal" }] } });
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

  it("runs the README's commands: make pack, highway init, npm install, npm run deploy, npm run ask", async () => {
    const block = quickstartBlock("Quickstart: smart-contract developers", "sh");
    const shell = new Shell(REPO, { ...userEnvironment(), PATH, HIGHWAY_RPC_URL: highway.node.url });
    for (const written of commands(block)) {
      const command = written
        .replaceAll("../my-consumer", project)
        .replaceAll("deployments/31337.json", highway.deploymentPath)
        .replace(/\bnpm install\b/, "npm install --prefer-offline --no-audit --no-fund --loglevel=error");
      const started = Date.now();
      const result = await shell.run(command);
      console.log(`      ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${written.replace(/\s+#.*$/, "")}`);
      expect(result.code, `README line ${block.line}: ${written}\n${result.stdout}\n${result.stderr}`).to.equal(0);
      ran.push(result);
    }
    expect(ran.map((result) => result.command)).to.satisfy((all: string[]) =>
      ["make pack", "init", "npm install", "npm run deploy", "npm run ask"].every((step) => all.some((command) => command.includes(step))),
    );
  });

  it("scaffolded the project on the packed packages, with the deployment file; the installed SDK carries the template", () => {
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      name: string;
      dependencies: Record<string, string>;
    };
    expect(manifest.name).to.equal("my-consumer");
    for (const name of HIGHWAY_PACKAGES)
      expect(manifest.dependencies[name]).to.match(new RegExp(`^file:${join(REPO, "dist", "packages", name)}-[0-9.]+\\.tgz$`));
    for (const file of [
      ".gitignore",
      "hardhat.config.ts",
      "contracts/MyConsumer.sol",
      "ignition/modules/MyConsumer.ts",
      "scripts/deploy.ts",
      "scripts/ask.ts",
      `deployments/${highway.deployment.chainId}.json`,
    ])
      expect(existsSync(join(project, file)), file).to.equal(true);
    expect(
      existsSync(join(project, "node_modules", "highway-inference-sdk", "templates", "consumer", "contracts", "MyConsumer.sol")),
    ).to.equal(true);
  });

  it("deployed MyConsumer with Ignition against the deployment file's coordinator and token, once", async () => {
    const address = /MyConsumer: (0x[0-9a-fA-F]{40})/.exec(output("npm run deploy"))?.[1];
    expect(address, output("npm run deploy")).to.be.a("string");
    const consumer = new Contract(
      address!,
      [
        "function coordinator() view returns (address)",
        "function owner() view returns (address)",
        "function paymentToken() view returns (address)",
      ],
      highway.ethers.provider,
    );
    expect(await consumer.coordinator()).to.equal(highway.deployment.coordinator);
    expect(await consumer.paymentToken()).to.equal(highway.deployment.token);
    expect(await consumer.owner()).to.equal(REQUESTER.address);
    // `npm run ask` found it deployed rather than deploying another.
    expect(output("npm run ask")).to.contain(`MyConsumer ${address}`);
  });

  it("got the relayer's proven answer into MyConsumer's callback", async () => {
    const asked = output("npm run ask");
    const requestId = BigInt(/\(request (\d+)\)/.exec(asked)?.[1] ?? "0");
    expect(requestId, asked).to.not.equal(0n);
    expect(asked).to.match(/answered: -?[0-9.e-]+ \(raw -?\d+\)/);
    const address = /MyConsumer (0x[0-9a-fA-F]{40})/.exec(asked)![1];
    const consumer = new Contract(
      address,
      ["function answered(uint256) view returns (bool)", "function outputOf(uint256) view returns (int256[])"],
      highway.ethers.provider,
    );
    expect(await consumer.answered(requestId)).to.equal(true);
    const fulfilled = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestFulfilled(requestId));
    expect(fulfilled).to.have.length(1);
    expect(fulfilled[0].args.proven).to.equal(true);
    expect(fulfilled[0].args.payee).to.equal(hardhatAccount(RELAYER).address);
    expect([...(await consumer.outputOf(requestId))]).to.deep.equal(decodeTensor(fulfilled[0].args.output));
  });

  it("type-checks against the installed packages", async () => {
    await run(NPM, ["run", "typecheck"], project);
  });
});
