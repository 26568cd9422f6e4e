/**
 * The README's quickstarts cannot drift: every code block of its "Quickstart: …" sections is
 * compiled, type-checked or run here, and a block this test does not know fails it.
 *
 * - Solidity (contract developers): compiled with the project's solc (0.8.30, its settings),
 *   `highway-inference-contracts/…` read from contracts/ (the package's layout) and OpenZeppelin
 *   from node_modules; and it is, byte for byte, the contract `highway init` scaffolds.
 * - Shell (contract developers): run, line by line, by test/deploy/init.test.ts.
 * - TypeScript (SDK): type-checked as a file at the repository's root (its imports as written),
 *   then run with tsx against a local network.
 * - Shell (SDK, relayer operators): each command run in bash from the repository's root, against
 *   a local network like `make localnet`'s (a node, Highway deployed, Hardhat's accounts 1–6
 *   funded). What differs from a user's terminal, and only that, is substituted: the node's URL
 *   for http://127.0.0.1:8545 (the test's node has a free port and a chain id of its own, so
 *   its deployment file, deployments/<chainId>.json, is not a developer's 31337.json);
 *   relayer/example.config.json for a copy pointing at that node, file and a free HTTP port
 *   (for 127.0.0.1:9464); `<request-id>` for the id the previous `--no-wait` printed. The
 *   relayer's `start` runs in the background until its /healthz answers; it then serves the
 *   SDK's requests (the relayer block runs first).
 */
import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { network } from "hardhat";
import { deployHighway, type Highway } from "../../scripts/deploy.js";
import { FAST_PARAMS, UNIT, waitFor } from "../../scripts/lib/localnet.js";
import { freePort, hardhatAccount } from "../../scripts/lib/node.js";
import { TEMPLATE_DIR } from "../../sdk/cli/commands/init.js";
import { REPO } from "../helpers/repo.js";
import { commands, quickstartBlock, quickstartBlocks, Shell, userEnvironment, type CodeBlock, type CommandResult } from "./readme.js";

const require = createRequire(import.meta.url);
const exec = promisify(execFile);
/** Not 31337: the deployment file this test writes into deployments/ is its own. */
const CHAIN_ID = 31_337 + 1_000 + (process.pid % 1_000);
const README_RPC = "http://127.0.0.1:8545";

/** Each quickstart block, in README order, and how it is checked. */
const EXPECTED = [
  ["Quickstart: smart-contract developers", "solidity", "compiled; the contract highway init scaffolds"],
  ["Quickstart: smart-contract developers", "sh", "run by test/deploy/init.test.ts"],
  ["Quickstart: DeFi bots and scripts (TypeScript SDK)", "ts", "type-checked and run"],
  ["Quickstart: DeFi bots and scripts (TypeScript SDK)", "sh", "run"],
  ["Quickstart: relayer operators", "sh", "run"],
];

describe("README quickstarts: every code block compiles, type-checks or runs", function () {
  this.timeout(600_000);

  it("has exactly the blocks this test checks", () => {
    expect(quickstartBlocks().map((block) => [block.section, block.lang])).to.deep.equal(
      EXPECTED.map(([section, lang]) => [section, lang]),
      "a quickstart code block was added, removed or moved: give it a check in test/readme/quickstart.test.ts",
    );
  });

  describe("Solidity", () => {
    const block = () => quickstartBlock("Quickstart: smart-contract developers", "solidity");

    it("is the contract highway init scaffolds (templates/consumer/contracts/MyConsumer.sol), complete", () => {
      expect(block().code).to.equal(readFileSync(join(TEMPLATE_DIR, "contracts", "MyConsumer.sol"), "utf8"));
      expect(block().code).to.match(/^\/\/ SPDX-License-Identifier: MIT\npragma solidity /);
    });

    it("compiles with the project's solc, importing InferenceConsumer as the contracts package lays it out", () => {
      const solc = require("solc") as {
        version(): string;
        compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string;
      };
      expect(solc.version()).to.match(/^0\.8\.30\+/);
      const findImport = (path: string) => {
        const file = path.startsWith("highway-inference-contracts/")
          ? join(REPO, "contracts", path.slice("highway-inference-contracts/".length))
          : join(REPO, "node_modules", path);
        return existsSync(file) ? { contents: readFileSync(file, "utf8") } : { error: `${path} not found` };
      };
      const input = {
        language: "Solidity",
        sources: { "MyConsumer.sol": { content: block().code } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
          outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
        },
      };
      const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
        errors?: { severity: string; formattedMessage: string }[];
        contracts: Record<string, Record<string, { abi: { name?: string }[]; evm: { bytecode: { object: string } } }>>;
      };
      expect((output.errors ?? []).filter((error) => error.severity === "error").map((error) => error.formattedMessage)).to.deep.equal([]);
      const contract = output.contracts["MyConsumer.sol"].MyConsumer;
      expect(contract.evm.bytecode.object.length).to.be.greaterThan(1_000);
      expect(contract.abi.map((item) => item.name)).to.include.members(["ask", "outputOf", "answered", "onInferenceResult"]);
    });
  });

  it("the contract developers' shell block is run by test/deploy/init.test.ts", () => {
    const source = readFileSync(join(REPO, "test", "deploy", "init.test.ts"), "utf8");
    expect(source).to.contain('quickstartBlock("Quickstart: smart-contract developers", "sh")');
  });

  it("the TypeScript block type-checks, as a file at the repository's root", () => {
    const block = quickstartBlock("Quickstart: DeFi bots and scripts", "ts");
    expect(typeErrors(block)).to.deep.equal([]);
  });

  describe("against a local network", () => {
    let node: ChildProcess;
    let url: string;
    let highway: Highway;
    let dir: string;
    let shell: Shell;
    let relayer: ReturnType<Shell["start"]> | undefined;
    const deploymentPath = join(REPO, "deployments", `${CHAIN_ID}.json`);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "highway-readme-"));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      node = spawn(
        join(REPO, "node_modules", ".bin", "hardhat"),
        ["node", "--network", "localnode", "--chain-id", String(CHAIN_ID), "--port", String(port)],
        { cwd: REPO, stdio: "ignore" },
      );
      await waitFor(
        "the node",
        async () =>
          (
            await fetch(url, {
              method: "POST",
              body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
              headers: { "content-type": "application/json" },
            }).catch(() => undefined)
          )?.ok === true,
      );
      // What `make localnet` does: Highway with one-minute windows, tokens for the accounts it prints.
      const { ethers } = await network.create({ network: "localhost", override: { url } });
      highway = await deployHighway(ethers, { params: FAST_PARAMS });
      for (let i = 1; i <= 6; i++) await (await highway.token.mint(hardhatAccount(i).address, 10_000n * UNIT)).wait();
      shell = new Shell(REPO);
    });

    after(async () => {
      if (relayer && relayer.process.exitCode === null) {
        relayer.process.kill("SIGTERM");
        await new Promise((done) => relayer!.process.once("exit", done));
      }
      node?.kill("SIGTERM");
      for (const file of [deploymentPath, join(REPO, "deployments", `${CHAIN_ID}.models.json`)]) rmSync(file, { force: true });
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Runs a block's commands in the session, substituted; returns each result. */
    async function runBlock(block: CodeBlock, substitutions: [string, string][]): Promise<CommandResult[]> {
      const results: CommandResult[] = [];
      let requestId: string | undefined;
      for (const written of commands(block)) {
        let command = written.replaceAll(README_RPC, url);
        for (const [from, to] of substitutions) command = command.replaceAll(from, to);
        if (command.includes("<request-id>")) {
          expect(requestId, `${written}: no request id printed before it`).to.be.a("string");
          command = command.replaceAll("<request-id>", requestId!);
        }
        if (/\brelayer(\.mjs)? start\b/.test(command)) {
          relayer = shell.start(command);
          continue;
        }
        if (command.startsWith("curl ")) await waitForRelayer();
        const result = await shell.run(command);
        expect(result.code, `README line ${block.line}: ${written}\n${result.stdout}\n${result.stderr}`).to.equal(0);
        requestId = /request (0x[0-9a-f]{64}) sent/.exec(result.stdout)?.[1] ?? requestId;
        results.push(result);
      }
      return results;
    }

    let relayerPort: number;
    async function waitForRelayer(): Promise<void> {
      await waitFor(
        "the relayer's /healthz",
        async () => {
          if (relayer?.process.exitCode !== null) throw new Error(`the relayer exited: ${relayer?.output()}`);
          return (await fetch(`http://127.0.0.1:${relayerPort}/healthz`).catch(() => undefined))?.ok === true;
        },
        120_000,
      );
    }

    it("relayer operators: stakes, starts the relayer with the example config, and /healthz and /metrics answer", async () => {
      relayerPort = await freePort();
      const example = JSON.parse(readFileSync(join(REPO, "relayer", "example.config.json"), "utf8")) as Record<string, unknown>;
      const config = join(dir, "example.config.json");
      writeFileSync(
        config,
        JSON.stringify(
          { ...example, rpcUrl: url, deployment: deploymentPath, database: join(dir, "relayer.sqlite"), http: { port: relayerPort } },
          null,
          2,
        ),
      );
      const results = await runBlock(quickstartBlock("Quickstart: relayer operators", "sh"), [
        ["relayer/example.config.json", config],
        ["127.0.0.1:9464", `127.0.0.1:${relayerPort}`],
      ]);
      expect(relayer, "the block starts a relayer").to.not.equal(undefined);
      const curl = results.find((result) => result.command.startsWith("curl "))!;
      expect(curl.stdout).to.match(/^\{"ok":true,/); // /healthz, then /metrics
      expect(curl.stdout).to.contain("highway_");
      expect((await highway.staking.relayerOf(hardhatAccount(5).address)).stake).to.be.greaterThanOrEqual(1_000n * UNIT);
    });

    it("SDK: the TypeScript block runs, and its zk request is answered", async () => {
      const block = quickstartBlock("Quickstart: DeFi bots and scripts", "ts");
      // The same code as a file in .build/ (git-ignored): its relative imports made absolute, its packages the repository's.
      mkdirSync(join(REPO, ".build"), { recursive: true });
      const scratch = mkdtempSync(join(REPO, ".build", "readme-"));
      const file = join(scratch, "quickstart.ts");
      writeFileSync(
        file,
        block.code.replace(/from "(\.\.?\/[^"]+)"/g, (_, path: string) => `from "${resolve(REPO, path)}"`),
      );
      let stdout: string;
      try {
        ({ stdout } = await exec(process.execPath, [require.resolve("tsx/cli"), file], {
          timeout: 180_000,
          cwd: REPO,
          env: { ...userEnvironment(), HIGHWAY_RPC: url, HIGHWAY_PRIVATE_KEY: hardhatAccount(1).privateKey },
          maxBuffer: 16 << 20,
        }));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      expect(stdout).to.match(/fulfilled/);
    });

    it("SDK: every command of the shell block runs", async () => {
      const results = await runBlock(quickstartBlock("Quickstart: DeFi bots and scripts", "sh"), []);
      expect(results.some((result) => result.command.includes("models register"))).to.equal(true);
      const registered = JSON.parse(readFileSync(join(REPO, "deployments", `${CHAIN_ID}.models.json`), "utf8")) as Record<string, unknown>;
      expect(registered).to.have.property("my-model");
    });
  });
});

/** The TypeScript errors of `block` as the file readme-quickstart.ts at the repository's root, under tsconfig.json. */
function typeErrors(block: CodeBlock): string[] {
  const configPath = join(REPO, "tsconfig.json");
  const parsed = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, (path) => ts.sys.readFile(path)).config,
    ts.sys,
    dirname(configPath),
  );
  const file = join(REPO, "readme-quickstart.ts");
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (path) => resolve(path) === file || fileExists(path);
  host.readFile = (path) => (resolve(path) === file ? block.code : readFile(path));
  host.getSourceFile = (path, language, onError, fresh) =>
    resolve(path) === file ? ts.createSourceFile(path, block.code, language, true) : getSourceFile(path, language, onError, fresh);
  const program = ts.createProgram({ rootNames: [file], options: { ...parsed.options, noEmit: true }, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
    .map((diagnostic) => `${diagnostic.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`);
}
