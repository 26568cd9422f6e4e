/**
 * The npm packages (`make pack`, scripts/pack.ts) work installed into a project outside the
 * repository: the pack script's JSON line names the tarballs and InferenceConsumer's import;
 * `npm install` of the three tarballs (from npm's cache, as the repository installed the same
 * dependencies) gives a project in which a consumer contract importing InferenceConsumer
 * compiles with solc 0.8.30, a TypeScript script importing the SDK's three entries type-checks
 * against the published declarations and runs, the SDK's main entry bundles for a browser, the
 * `highway` and `relayer` bins run, and the relayer's Python worker proves from the package.
 */
import { expect } from "chai";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PackResult } from "../../scripts/pack.js";
import { bundleForBrowser } from "../helpers/browser.js";
import { PYTHON, REPO } from "../helpers/python.js";

const require = createRequire(import.meta.url);
/** Child processes find this Node (and its npm) first, as `make` gives them .tools/node/bin. */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` };
const NPM = existsSync(join(dirname(process.execPath), "npm")) ? join(dirname(process.execPath), "npm") : "npm";

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", env: ENV, maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function succeed(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = run(command, args, options);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe("the npm packages, installed into a project outside the repository", function () {
  this.timeout(180_000);

  let packed: PackResult;
  let project: string;
  const packageOf = (kind: string) => packed.packages.find((p) => p.kind === kind)!;
  const installed = (kind: string, ...path: string[]) => join(project, "node_modules", packageOf(kind).name, ...path);

  before(function () {
    // What `make pack ARGS=--json` runs after the build: its last line is the JSON.
    const output = succeed(process.execPath, [require.resolve("tsx/cli"), "scripts/pack.ts", "--json"], { cwd: REPO });
    packed = JSON.parse(output.trim().split("\n").at(-1)!) as PackResult;

    project = realpathSync(mkdtempSync(join(tmpdir(), "highway-packages-")));
    expect(relative(REPO, project).startsWith("..")).to.equal(true);
    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: "highway-consumer", private: true, type: "module" }, null, 2)}\n`,
    );
    const openZeppelin = `@openzeppelin/contracts@${(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["@openzeppelin/contracts"]}`;
    const tarballs = packed.packages.map((p) => resolve(REPO, p.tarball));
    succeed(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, openZeppelin], {
      cwd: project,
    });
  });

  after(function () {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("packs the contracts, the SDK and the relayer into dist/packages/ with free names of their own", function () {
    expect(packed.packages.map((p) => p.kind)).to.deep.equal(["contracts", "sdk", "relayer"]);
    for (const p of packed.packages) {
      expect(p.tarball).to.match(new RegExp(`^dist/packages/${p.name}-${p.version}\\.tgz$`));
      expect(existsSync(resolve(REPO, p.tarball)), p.tarball).to.equal(true);
      expect(p.name).to.not.equal("highway");
    }
    expect(packed.consumerImport).to.equal(`${packageOf("contracts").name}/InferenceConsumer.sol`);
  });

  it("compiles a consumer contract that imports InferenceConsumer from the contracts package, with the ABIs and artifacts alongside", function () {
    const interfaces = `${dirname(packed.consumerImport)}/interfaces`;
    const source = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "${packed.consumerImport}";
import {IInferenceCoordinator} from "${interfaces}/IInferenceCoordinator.sol";

contract MyDapp is InferenceConsumer {
    int256 public last;

    constructor(IInferenceCoordinator coordinator) InferenceConsumer(coordinator) {}

    function ask(IERC20 token, bytes32 modelId, int256[] calldata quantized) external returns (uint256) {
        return _requestInference(token, modelId, _encodeTensor(quantized), RequestOptions({
            proofMode: IInferenceCoordinator.ProofMode.Zk,
            maxModelFee: 2e18, // the most you pay the model: a fee raised in front of you reverts
            startComputeFee: 0,
            maxComputeFee: 1e18,
            jobBond: 0, // 0, 0: the protocol's job bond and challenge window
            challengeWindow: 0,
            callbackGasLimit: 200_000,
            maxOutputBytes: 0,
            deadline: uint40(block.timestamp + 1 hours),
            referrer: address(0)
        }));
    }

    // Refunds and unspent compute fees are credited to this contract in the coordinator.
    function reclaim() external returns (uint256) {
        return _withdrawFromCoordinator();
    }

    function _onInferenceResult(uint256, bytes calldata output) internal override {
        last = _tensor(output)[0];
    }
}
`;
    const solc = require("solc") as {
      version(): string;
      compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string;
    };
    expect(solc.version()).to.match(/^0\.8\.30\+/);
    const input = {
      language: "Solidity",
      sources: { "contracts/MyDapp.sol": { content: source } },
      settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: "cancun",
        outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
      },
    };
    const resolved: string[] = [];
    const findImport = (path: string) => {
      const file = join(project, "node_modules", path);
      if (!existsSync(file)) return { error: `${path} is not in the project's node_modules` };
      resolved.push(path);
      return { contents: readFileSync(file, "utf8") };
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
      errors?: { severity: string; formattedMessage: string }[];
      contracts: Record<string, Record<string, { abi: { name?: string }[]; evm: { bytecode: { object: string } } }>>;
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === "error").map((e) => e.formattedMessage);
    expect(errors).to.deep.equal([]);
    const dapp = output.contracts["contracts/MyDapp.sol"].MyDapp;
    expect(dapp.evm.bytecode.object.length).to.be.greaterThan(1000);
    expect(dapp.abi.map((item) => item.name)).to.include.members(["ask", "onInferenceResult", "coordinator", "last"]);
    expect(resolved).to.include(packed.consumerImport);

    const coordinatorAbi = JSON.parse(readFileSync(installed("contracts", "abi", "IInferenceCoordinator.json"), "utf8")) as {
      name?: string;
    }[];
    expect(coordinatorAbi.map((item) => item.name)).to.include("requestInference");
    const artifact = JSON.parse(readFileSync(installed("contracts", "artifacts", "InferenceCoordinator.json"), "utf8")) as {
      abi: unknown[];
      bytecode: string;
    };
    expect(artifact.bytecode).to.match(/^0x[0-9a-f]{1000,}$/);
  });

  it("type-checks a TypeScript script against the SDK's declarations and runs it: main entry, Node entry, contracts", function () {
    writeFileSync(
      join(project, "deployment.json"),
      JSON.stringify({
        chainId: 31337,
        token: `0x${"01".repeat(20)}`,
        registry: `0x${"02".repeat(20)}`,
        staking: `0x${"03".repeat(20)}`,
        coordinator: `0x${"04".repeat(20)}`,
        models: {},
        params: {},
      }),
    );
    writeFileSync(
      join(project, "check.ts"),
      `import { decodeTensor, encodeTensor, Highway as BrowserHighway, HighwayError, quantizeTensor, quoteEscrow, type HighwayDeployment } from "${packageOf("sdk").name}";
import { compileSolidity, Highway, loadDeployment } from "${packageOf("sdk").name}/node";
import { InferenceCoordinator__factory, type InferenceCoordinator } from "${packageOf("sdk").name}/contracts";

const quantized: bigint[] = quantizeTensor([0.5, -0.25, 1], { length: 3, scale: 8 });
const deployment: HighwayDeployment = loadDeployment("./deployment.json");
let byChainId = "";
try {
  loadDeployment(31337);
} catch (error) {
  byChainId = error instanceof HighwayError ? error.message : "not a HighwayError";
}
const coordinator: InferenceCoordinator = InferenceCoordinator__factory.connect(deployment.coordinator);
const compiled = compileSolidity("Answer.sol", "// SPDX-License-Identifier: MIT\\npragma solidity ^0.8.24;\\ncontract Answer { function get() external pure returns (uint256) { return 42; } }", "Answer");
const escrow = quoteEscrow(10n ** 18n, 5n * 10n ** 17n, 500n);
console.log(JSON.stringify({
  quantized: quantized.map(String),
  roundTrip: decodeTensor(encodeTensor(quantized)).map(String),
  total: escrow.total.toString(),
  protocolFee: escrow.protocolFee.toString(),
  coordinator: await coordinator.getAddress(),
  requestInference: coordinator.interface.getFunction("requestInference").selector,
  byChainId,
  compiled: compiled.bytecode.length > 10,
  nodeHighwayExtendsBrowser: Object.getPrototypeOf(Highway) === BrowserHighway,
}));
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          types: [],
          rootDir: ".",
          outDir: "out",
        },
        files: ["check.ts"],
      }),
    );
    succeed(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "."], { cwd: project });
    const result = JSON.parse(succeed(process.execPath, ["out/check.js"], { cwd: project }));
    expect(result).to.deep.equal({
      quantized: ["128", "-64", "256"],
      roundTrip: ["128", "-64", "256"],
      total: "1575000000000000000",
      protocolFee: "75000000000000000",
      coordinator: `0x${"04".repeat(20)}`,
      requestInference: result.requestInference,
      byChainId:
        "no deployment file for chain 31337: an installed SDK has no deployments/ folder; pass the deployment file's path (the CLI: --deployment FILE)",
      compiled: true,
      nodeHighwayExtendsBrowser: true,
    });
    expect(result.requestInference).to.match(/^0x[0-9a-f]{8}$/);
  });

  it("bundles the SDK's main entry for a browser with no Node builtin", async function () {
    writeFileSync(join(project, "browser.js"), `export { Highway, quoteEscrow } from "${packageOf("sdk").name}";\n`);
    const bundled = await bundleForBrowser({ entryPoints: [join(project, "browser.js")], absWorkingDir: project, format: "esm" });
    expect(bundled.errors).to.deep.equal([]);
    expect(bundled.builtinImports).to.deep.equal([]);
  });

  it("installs the highway and relayer commands; `highway relayer start` runs the relayer package", function () {
    const bin = (name: string) => join(project, "node_modules", ".bin", name);
    const help = run(bin("relayer"), ["--help"], { cwd: project });
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain("usage: relayer start --config FILE");
    expect(run(bin("highway"), ["--help"], { cwd: project }).stdout).to.contain("Usage: highway");
    // An empty config reaches the relayer package's own check, which names the missing fields.
    writeFileSync(join(project, "empty.json"), "{}");
    const started = run(bin("highway"), ["relayer", "start", "--config", "empty.json"], { cwd: project });
    expect(started.status, started.stderr).to.equal(2);
    expect(started.stderr).to.contain('relayer: empty.json: invalid config: field "rpcUrl": Required');
    expect(readFileSync(installed("relayer", "requirements.txt"), "utf8")).to.match(/^ezkl==/m);
  });

  it("proves with the relayer package's Python worker, the SDK it depends on and a circuit folder by path", async function () {
    // The installed pool resolves its SDK and ethers from the project; the worker, its helpers and the dev SRS are the package's.
    const { ProverPool } = (await import(
      pathToFileURL(installed("relayer", "relayer", "prover", "pool.js")).href
    )) as typeof import("../../relayer/prover/pool.js");
    const sample = JSON.parse(readFileSync(join(REPO, "circuits", "price-signal", "samples", "sample-0.json"), "utf8")) as {
      input: string[];
      output: string[];
    };
    const pool = await ProverPool.start({ circuits: [join(REPO, "circuits", "price-signal")], python: PYTHON });
    try {
      const { outputs, proof } = await pool.prove("price-signal", sample.input.map(BigInt));
      expect(outputs.map(String)).to.deep.equal(sample.output);
      expect(proof).to.match(/^0x[0-9a-f]+$/);
    } finally {
      await pool.close();
    }
  });
});
