/**
 * The `highway` command, run as a child process through its bin against a local node:
 * real exit codes, real stderr. Every failure a user can cause must end in exactly one
 * line on stderr (no stack trace, no raw provider error, no hex dump, no secret).
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatUnits, getBytes, hexlify, randomBytes, toUtf8Bytes, toUtf8String, Wallet, type Contract } from "ethers";
import { REPO } from "../helpers/repo.js";
import { freePort, hardhatAccount } from "../../scripts/lib/node.js";
import {
  advanceTime,
  fundRequester,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";
import { encodeTensor } from "../../sdk/encoding.js";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { Highway } from "../../sdk/node.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime } from "../../relayer/llm/runtime.js";

const BIN = join(REPO, "sdk", "bin", "highway.mjs");
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
/** price-signal's 8 inputs. */
const INPUT = "-0.4,0.1,0.3,0.2,0.6,0.9,1.1,1.4";
/** A BIP-39 test vector: pasted where a key belongs, none of it may come back. */
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const REQUESTER = 1;
const OWNER_2 = 2;
const RELAYER = 5;
/** Claims and answers by hand in the watch test (no relayer process serves price-signal-volatile) and the language-model tests. */
const DRIVER = 7;
/** smollm2's committee (staked, declared to serve it) and a challenger, in the language-model tests. */
const MEMBERS = [8, 9, 10];
const CHALLENGER = 11;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Hardhat account whose key is in HIGHWAY_PRIVATE_KEY (default the requester); null for none. */
  account?: number | null;
  /** HIGHWAY_PRIVATE_KEY as given, instead of an account's. */
  key?: string;
  /** Without the test's --rpc and --deployment. */
  bare?: boolean;
}

describe("highway CLI (sdk/bin/highway.mjs)", function () {
  this.timeout(600_000);
  let highway: LocalHighway;
  let relayer: RelayerProcess | undefined;

  before(async () => {
    highway = await startHighway();
    await fundRequester(highway, await highway.ethers.getSigner(hardhatAccount(REQUESTER).address));
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(DRIVER).address));
  });

  after(async () => {
    await relayer?.kill();
    await highway?.stop();
  });

  /** Starts the bin with `args`; `done` resolves with its exit code and output, `stdout()` and `stderr()` are what it printed so far. */
  function start(args: string[], options: RunOptions = {}): { done: Promise<Run>; stdout(): string; stderr(): string } {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.HIGHWAY_PRIVATE_KEY;
    delete env.HIGHWAY_RPC;
    const account = options.account === undefined ? REQUESTER : options.account;
    if (options.key !== undefined) env.HIGHWAY_PRIVATE_KEY = options.key;
    else if (account !== null) env.HIGHWAY_PRIVATE_KEY = hardhatAccount(account).privateKey;
    const globals = options.bare ? [] : ["--rpc", highway.node.url, "--deployment", highway.deploymentPath];
    const child = spawn(process.execPath, [BIN, ...globals, ...args], { cwd: REPO, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return {
      done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))),
      stdout: () => stdout,
      stderr: () => stderr,
    };
  }

  function cli(args: string[], options: RunOptions = {}): Promise<Run> {
    return start(args, options).done;
  }

  /** Runs and expects success; returns stdout parsed when --json is among the args. */
  async function ok(args: string[], options: RunOptions = {}): Promise<Run & { json: unknown }> {
    const run = await cli(args, options);
    expect(run.code, `highway ${args.join(" ")}\n${run.stderr}`).to.equal(0);
    return { ...run, json: args.includes("--json") ? JSON.parse(run.stdout) : undefined };
  }

  /** The failure contract: exit `code`, exactly one line on stderr saying it, nothing a user should not see. */
  function expectOneLineFailure(run: Run, code: number, pattern: RegExp, label: string): void {
    expect(run.code, `${label}\n${run.stderr}`).to.equal(code);
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    expect(lines, `${label}: stderr\n${run.stderr}`).to.have.length(1);
    expect(lines[0], label)
      .to.match(/^error: /)
      .and.match(pattern);
    expect(run.stderr, label).not.to.match(/^\s+at /m);
    expect(run.stderr, label).not.to.contain("could not coalesce");
    expect(run.stderr, label).not.to.match(/0x[0-9a-fA-F]{65,}/);
    expect(run.stdout, label).to.equal("");
  }

  it("prints its version and each command's help", async () => {
    expect((await ok(["--version"], { bare: true })).stdout.trim()).to.equal(VERSION);
    const help = await ok(["--help"], { bare: true });
    for (const command of [
      "models",
      "request",
      "status",
      "cancel",
      "refund",
      "raise-fee",
      "retry-callback",
      "requests",
      "withdraw",
      "relayer",
    ])
      expect(help.stdout).to.contain(command);
    expect(help.stdout).to.contain('{"ok":false').and.contain("Exit codes");
    expect((await ok(["request", "--help"], { bare: true })).stdout)
      .to.contain("--input <values>")
      .and.contain("--timeout <S>")
      .and.contain("--rpc <url>");
    expect((await ok(["models", "--help"], { bare: true })).stdout)
      .to.contain("withdraw-earnings")
      .and.contain("models.json");
    expect((await ok(["models", "update", "--help"], { bare: true })).stdout)
      .to.contain("--referral-share <BPS>")
      .and.contain("--inactive");
    expect((await ok(["requests", "watch", "--help"], { bare: true })).stdout).to.contain("--interval <S>");
    expect((await ok(["help", "refund"], { bare: true })).stdout).to.contain("Usage: highway refund");
  });

  it("fails in one line, with the right exit code, for every bad invocation", async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const stale = join(highway.dir, "stale.json");
    writeFileSync(stale, JSON.stringify({ ...highway.deployment, coordinator: Wallet.createRandom().address }));
    const zero = `0x${"0".repeat(64)}`;
    const notUtf8 = join(highway.dir, "latin1.json");
    writeFileSync(notUtf8, Buffer.from('[{"role": "user", "content": "caf\xe9"}]', "latin1"));
    const badRole = join(highway.dir, "bad-role.json");
    writeFileSync(badRole, JSON.stringify([{ role: "bot", content: "hi" }]));
    const cases: { label: string; args: string[]; options?: RunOptions; code: number; pattern: RegExp; secret?: string[] }[] = [
      { label: "no arguments", args: [], options: { bare: true }, code: 2, pattern: /no command given.*highway --help/ },
      { label: "unknown command", args: ["bogus"], code: 2, pattern: /unknown command 'bogus'/ },
      { label: "misspelt command", args: ["reqest"], code: 2, pattern: /unknown command 'reqest'.*Did you mean request\?/ },
      { label: "unknown option", args: ["models", "list", "--nope"], code: 2, pattern: /unknown option '--nope'/ },
      { label: "missing argument", args: ["cancel"], code: 2, pattern: /missing required argument 'id'.*highway cancel --help/ },
      { label: "missing --input", args: ["request", "price-signal"], code: 2, pattern: /--input <values>/ },
      {
        label: "group without its command",
        args: ["models"],
        code: 2,
        pattern: /highway models needs a command: build, list, show, register, update, withdraw-earnings/,
      },
      {
        label: "unknown model name",
        args: ["request", "nosuch", "--input", "1"],
        code: 1,
        pattern: /unknown model "nosuch".*price-signal/,
      },
      {
        label: "unregistered model id",
        args: ["models", "show", `0x${"0".repeat(63)}1`],
        code: 1,
        pattern: /model 0x0+1 is not registered/,
      },
      { label: "malformed model id", args: ["models", "show", "0x1234"], code: 2, pattern: /not a model id/ },
      {
        label: "wrong input count",
        args: ["request", "price-signal", "--input", "1,2"],
        code: 1,
        pattern: /takes 8 input values, --input has 2/,
      },
      {
        label: "empty input value",
        args: ["request", "price-signal", "--input", "1,,2,3,4,5,6,7"],
        code: 2,
        pattern: /--input: value 2 is empty/,
      },
      { label: "trailing comma", args: ["request", "price-signal", "--input", `${INPUT},`], code: 2, pattern: /--input: value 9 is empty/ },
      {
        label: "non-numeric input",
        args: ["request", "price-signal", "--input", "1,2,abc,4,5,6,7,8"],
        code: 2,
        pattern: /--input: value 3 \("abc"\) is not a number/,
      },
      {
        label: "input out of range",
        args: ["request", "price-signal", "--input", "100,0,0,0,0,0,0,0"],
        code: 1,
        pattern: /value 1 \(100\) is outside model price-signal's range.*±8/,
      },
      {
        label: "bad proof mode",
        args: ["request", "price-signal", "--input", INPUT, "--mode", "fast"],
        code: 2,
        pattern: /--mode: "fast" is not a proof mode: use zk or optimistic/,
      },
      {
        label: "bad proof modes",
        args: ["models", "update", "price-signal", "--modes", "zk,fast"],
        code: 2,
        pattern: /--modes: "fast" is not a proof mode/,
      },
      { label: "malformed request id", args: ["status", "xyz"], code: 2, pattern: /"xyz" is not a request id/ },
      { label: "unknown request id (hex)", args: ["status", "0xbeef"], code: 1, pattern: /request 0x0{60}beef does not exist/ },
      { label: "unknown request id (decimal)", args: ["cancel", "12345"], code: 1, pattern: /request 0x0{60}3039 does not exist/ },
      { label: "unknown request to watch", args: ["requests", "watch", "0x01"], code: 1, pattern: /does not exist/ },
      { label: "unknown request to retry", args: ["retry-callback", "7"], code: 1, pattern: /does not exist/ },
      {
        label: "key too short",
        args: ["withdraw"],
        options: { key: "0xdeadbeefcafe" },
        code: 2,
        pattern: /HIGHWAY_PRIVATE_KEY is not a 32-byte hex private key/,
        secret: ["deadbeef"],
      },
      {
        label: "mnemonic as key",
        args: ["withdraw"],
        options: { key: MNEMONIC },
        code: 2,
        pattern: /HIGHWAY_PRIVATE_KEY is not a 32-byte hex private key \(it holds 12 words/,
        secret: ["sausage", "legal", "winner", "yellow"],
      },
      {
        label: "zero key",
        args: ["relayer", "stake", "1"],
        options: { key: zero },
        code: 2,
        pattern: /HIGHWAY_PRIVATE_KEY is not a 32-byte hex private key/,
      },
      {
        label: "no key for a transaction",
        args: ["withdraw"],
        options: { account: null },
        code: 2,
        pattern: /put the account's private key in HIGHWAY_PRIVATE_KEY/,
      },
      {
        label: "unreachable RPC",
        args: ["--rpc", unreachable, "models", "list"],
        options: { bare: true },
        code: 1,
        pattern: /cannot reach the RPC at http:\/\/127\.0\.0\.1:\d+ \(connection failed\).*--rpc/,
      },
      {
        label: "RPC URL with an API key",
        args: ["--rpc", `${unreachable}/v3/SECRETAPIKEY`, "models", "list"],
        options: { bare: true },
        code: 1,
        pattern: /cannot reach the RPC/,
        secret: ["SECRETAPIKEY"],
      },
      {
        label: "not a URL",
        args: ["--rpc", "localhost", "models", "list"],
        options: { bare: true },
        code: 2,
        pattern: /--rpc .* is not a URL/,
      },
      {
        label: "account without gas",
        args: ["request", "price-signal", "--input", INPUT],
        options: { key: Wallet.createRandom().privateKey },
        code: 1,
        pattern: /account 0x[0-9a-fA-F]{40} has no ETH to pay for gas on chain 31337/,
      },
      { label: "nothing to withdraw", args: ["withdraw"], options: { account: 4 }, code: 1, pattern: /nothing to withdraw for 0x/ },
      {
        label: "no model earnings",
        args: ["models", "withdraw-earnings", "credit-risk"],
        options: { account: 0 },
        code: 1,
        pattern: /model credit-risk has no earnings to withdraw/,
      },
      {
        label: "earnings of another's model",
        args: ["models", "withdraw-earnings", "price-signal"],
        code: 1,
        pattern: /only the owner of model price-signal/,
      },
      { label: "no stake to withdraw", args: ["relayer", "withdraw"], options: { account: 4 }, code: 1, pattern: /has no unbonding stake/ },
      {
        label: "amount too large",
        args: ["quote", "price-signal", "--max-fee", "100000000000"],
        code: 2,
        pattern: /--max-fee: 100000000000 tokens is more than the contracts can hold/,
      },
      { label: "not an amount", args: ["relayer", "stake", "abc"], code: 2, pattern: /"abc" is not an amount of tokens/ },
      { label: "negative amount", args: ["raise-fee", "1", "-2"], code: 2, pattern: /is not an amount of tokens|unknown option/ },
      {
        label: "not the model's owner",
        args: ["models", "update", "price-signal", "--fee", "1"],
        code: 1,
        pattern: /only the owner of model price-signal \(0x[0-9a-fA-F]{40}\) may change it/,
      },
      { label: "no change given", args: ["models", "update", "price-signal"], code: 2, pattern: /needs at least one change/ },
      {
        label: "both --active and --inactive",
        args: ["models", "update", "price-signal", "--active", "--inactive"],
        code: 2,
        pattern: /cannot be used with/,
      },
      {
        label: "share out of range",
        args: ["models", "update", "price-signal", "--referral-share", "20000"],
        code: 2,
        pattern: /--referral-share: "20000" is not a share in basis points/,
      },
      {
        label: "missing deployment file",
        args: ["--rpc", highway.node.url, "--deployment", "/nonexistent/x.json", "models", "list"],
        options: { bare: true },
        code: 1,
        pattern: /cannot read the deployment file \/nonexistent\/x\.json/,
      },
      {
        label: "stale deployment file",
        args: ["--deployment", stale, "models", "list"],
        code: 1,
        pattern: /no Highway coordinator at 0x[0-9a-fA-F]{40} on chain 31337/,
      },
      {
        label: "missing circuit folder",
        args: ["models", "register", "/nonexistent/circuit", "--fee", "1"],
        options: { account: OWNER_2 },
        code: 1,
        pattern: /cannot read the circuit manifest/,
      },
      {
        label: "relayer start without --config",
        args: ["relayer", "start"],
        code: 2,
        pattern: /required option '--config <file>' not specified/,
      },
      {
        label: "requests list with nothing to list by",
        args: ["requests", "list"],
        options: { account: null },
        code: 2,
        pattern: /needs --requester ADDRESS or --model MODEL/,
      },
      {
        label: "prompt over the language model's limit",
        args: ["request", "smollm2", "--prompt", "é".repeat(1_025)],
        code: 1,
        pattern: /--prompt is 2050 bytes of UTF-8: model smollm2 takes at most 2048; shorten it$/,
      },
      {
        label: "messages file that is not UTF-8",
        args: ["request", "smollm2", "--messages", notUtf8],
        code: 2,
        pattern: /--messages: \S+latin1\.json is not UTF-8 text: save it as UTF-8$/,
      },
      {
        label: "messages file with an unknown role",
        args: ["request", "smollm2", "--messages", badRole],
        code: 2,
        pattern: /--messages: message 1 of \S+bad-role\.json is not \{"role", "content"\} with a role of system, user, assistant/,
      },
      {
        label: "missing messages file",
        args: ["request", "smollm2", "--messages", "/nonexistent/chat.json"],
        code: 2,
        pattern: /cannot read/,
      },
      {
        label: "a prompt for a circuit model",
        args: ["request", "price-signal", "--prompt", "hello"],
        code: 1,
        pattern: /model price-signal is a circuit model: its input is 8 numbers \(--input v1,v2,\.\.\.\), not --prompt/,
      },
      {
        label: "tensor input for a language model",
        args: ["request", "smollm2", "--input", "1,2"],
        code: 1,
        pattern: /model smollm2 is a language model: give its input as --prompt <text> or --messages <file>, not --input/,
      },
      {
        label: "two inputs",
        args: ["request", "smollm2", "--prompt", "hi", "--input", "1"],
        code: 2,
        pattern: /give one input, not --input and --prompt/,
      },
      {
        label: "answer bound above the model's",
        args: ["request", "smollm2", "--prompt", "hi", "--max-output-bytes", "2000"],
        code: 1,
        pattern: /--max-output-bytes 2000 is above model smollm2's limit of 1024 bytes/,
      },
      {
        label: "bad --timeout",
        args: ["request", "price-signal", "--input", INPUT, "--timeout", "soon"],
        code: 2,
        pattern: /--timeout: "soon" is not a number of seconds/,
      },
    ];
    // Two at a time: each is its own Node process.
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async ({ label, args, options, code, pattern, secret }) => {
          const run = await cli(args, options);
          expectOneLineFailure(run, code, pattern, label);
          for (const word of secret ?? []) expect(run.stderr + run.stdout, `${label}: echoes a secret`).not.to.contain(word);
        }),
      );
    }
    expect(cases).to.have.length.above(40);

    // --json: the same one line on stderr, and one JSON document on stdout.
    const json = await cli(["withdraw", "--json"], { account: 4 });
    expect(json.code).to.equal(1);
    expect(json.stderr.trim().split("\n")).to.have.length(1);
    expect(JSON.parse(json.stdout)).to.deep.equal({
      ok: false,
      error: json.stderr.trim().replace(/^error: /, ""),
      errorName: "NothingToWithdraw",
      exitCode: 1,
    });
    const usage = await cli(["status", "xyz", "--json"]);
    expect(usage.code).to.equal(2);
    expect(JSON.parse(usage.stdout)).to.include({ ok: false, errorName: "UsageError", exitCode: 2 });
  });

  it("registers a model under a name, changes it, and refuses what it cannot do", async () => {
    const registered = await ok(["models", "register", "circuits/credit-risk", "--fee", "1.5", "--name", "my-credit", "--json"], {
      account: OWNER_2,
    });
    const { modelId, name, nameBook } = registered.json as { modelId: string; name: string; nameBook: string };
    expect(name).to.equal("my-credit");
    expect(nameBook).to.equal(join(highway.dir, "31337.models.json"));
    expect(JSON.parse(readFileSync(nameBook, "utf8"))["my-credit"].modelId).to.equal(modelId);

    const shown = (await ok(["models", "show", "my-credit", "--json"])).json as Record<string, unknown>;
    expect(shown).to.include({ modelId, name: "my-credit", fee: "1500000000000000000", active: true });
    expect(shown.input).to.deep.equal({ length: 16, scale: 8, bound: "2048" });
    expect((await ok(["models", "list"])).stdout)
      .to.contain("my-credit")
      .and.contain(modelId)
      .and.contain("price-signal");

    // The same build again: the same id, refused before anything is sent; a salt makes a new one.
    expectOneLineFailure(
      await cli(["models", "register", "circuits/credit-risk", "--fee", "1.5"], { account: OWNER_2 }),
      1,
      /already registered this circuit build as model 0x[0-9a-f]{64} \(my-credit\): pass --salt/,
      "same build twice",
    );
    expectOneLineFailure(
      await cli(["models", "register", "circuits/credit-risk", "--fee", "1", "--salt", "two", "--name", "my-credit"], { account: OWNER_2 }),
      2,
      /--name my-credit already names model/,
      "name taken",
    );
    expectOneLineFailure(
      await cli(["models", "register", "circuits/credit-risk", "--fee", "1", "--salt", "two", "--name", "price-signal"], {
        account: OWNER_2,
      }),
      2,
      /--name price-signal already names model/,
      "deployment name taken",
    );
    const second = await ok(["models", "register", "circuits/credit-risk", "--fee", "1", "--salt", "two"], { account: OWNER_2 });
    expect(second.stdout)
      .to.match(/registered model 0x[0-9a-f]{64} with verifier 0x[0-9a-fA-F]{40}, fee 1 tokens/)
      .and.contain("not named: credit-risk already names model");

    const updated = await ok(["models", "update", "my-credit", "--fee", "2.5", "--referral-share", "500", "--modes", "zk", "--inactive"], {
      account: OWNER_2,
    });
    expect(updated.stdout.trim()).to.equal("updated model my-credit: fee 2.5 tokens, referral share 500 bps, proof modes zk, inactive");
    const after = (await ok(["models", "show", modelId, "--json"])).json as Record<string, unknown>;
    expect(after).to.include({ fee: "2500000000000000000", referralShareBps: 500, active: false });
    expect(after.proofModes).to.deep.equal(["zk"]);

    expectOneLineFailure(
      await cli(["request", "my-credit", "--input", Array(16).fill("0.5").join(",")]),
      1,
      /model my-credit is not active/,
      "inactive model",
    );
    expectOneLineFailure(await cli(["models", "update", "my-credit", "--active"]), 1, /only the owner of model my-credit/, "not the owner");
    await ok(["models", "update", "my-credit", "--active", "--modes", "zk,optimistic"], { account: OWNER_2 });
    expect(((await ok(["models", "show", "my-credit", "--json"])).json as { active: boolean }).active).to.equal(true);
  });

  it("raises the fee of an open request and cancels it; only its requester may", async () => {
    const sent = (await ok(["request", "price-signal-volatile", "--input", INPUT, "--max-fee", "2", "--no-wait", "--json"])).json as {
      requestId: string;
    };
    expect(sent.requestId).to.match(/^0x[0-9a-f]{64}$/);
    const id = sent.requestId;

    const raised = await ok(["raise-fee", id, "3"]);
    expect(raised.stdout.trim()).to.equal(`raised request ${id}'s max compute fee to 3 tokens (escrow topped up by 1.05 tokens)`);
    const status = (await ok(["status", id, "--json"])).json as { status: string; terms: { maxComputeFee: string } };
    expect(status.status).to.equal("open");
    expect(status.terms.maxComputeFee).to.equal("3000000000000000000");
    expect((await ok(["status", id])).stdout)
      .to.contain(`request ${id}: open`)
      .and.contain("auction at");

    expectOneLineFailure(
      await cli(["raise-fee", id, "2.5"]),
      1,
      /2\.5 tokens is not above request 0x[0-9a-f]{64}'s current max compute fee of 3 tokens/,
      "lower fee",
    );
    expectOneLineFailure(
      await cli(["cancel", id], { account: OWNER_2 }),
      1,
      /only the requester 0x[0-9a-fA-F]{40} may cancel request/,
      "not the requester",
    );
    expectOneLineFailure(await cli(["raise-fee", id, "4"], { account: OWNER_2 }), 1, /only the requester/, "not the requester's raise");

    // Decimal ids work as well as hex ones.
    const cancelled = await ok(["cancel", BigInt(id).toString()]);
    expect(cancelled.stdout.trim()).to.equal(
      `cancelled request ${id}: 5.25 tokens back to ${hardhatAccount(REQUESTER).address}'s balance (\`highway withdraw\` pays it out)`,
    );
    expectOneLineFailure(await cli(["cancel", id]), 1, /is refunded: only an open request can be cancelled/, "cancel twice");
    expect(((await ok(["status", id, "--json"])).json as { status: string }).status).to.equal("refunded");
  });

  it("refunds a request once it expires, and not before", async () => {
    const {
      requestId: id,
    } = // The shortest deadline allowed leaves the delivery window (localnet: 60 s) from the time of the request.
      (await ok(["request", "price-signal-volatile", "--input", INPUT, "--deadline-in", "90", "--no-wait", "--json"])).json as {
        requestId: string;
      };
    expectOneLineFailure(
      await cli(["refund", id], { account: 4 }),
      1,
      /has not expired: its deadline is \S+Z \(in \d+ s\); its requester can cancel it now with `highway cancel 0x[0-9a-f]{64}`/,
      "refund before the deadline",
    );
    await advanceTime(highway, 120);
    expect((await ok(["status", id])).stdout).to.contain(`refund its escrow with \`highway refund ${id}\``);
    expectOneLineFailure(
      await cli(["raise-fee", id, "5"]),
      1,
      /passed its deadline: nobody can claim it now; refund it with `highway refund/,
      "raise after the deadline",
    );
    const refunded = await ok(["refund", id, "--json"], { account: 4 });
    expect(refunded.json).to.include({ requestId: id, refunded: "4200000000000000000", to: hardhatAccount(REQUESTER).address });
    expectOneLineFailure(
      await cli(["refund", id]),
      1,
      /is refunded: only an open or claimed request past its deadline can be refunded/,
      "refund twice",
    );
  });

  it("says so while nobody claims a request, and gives up after --timeout with what to do", async () => {
    const run = await cli(["request", "price-signal-volatile", "--input", INPUT, "--timeout", "8"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.equal("");
    const lines = run.stderr.trim().split("\n");
    expect(lines[0]).to.match(/^request 0x[0-9a-f]{64} sent$/);
    expect(run.stderr).to.match(/s {2}open: waiting for a relayer to claim it; auction at [\d.]+ tokens, reaching its max 2 in \d+ s/);
    expect(run.stderr).to.match(
      /s {2}the auction reached its max compute fee \(2 tokens\) and no relayer has claimed request 0x[0-9a-f]{64} yet/,
    );
    const id = /request (0x[0-9a-f]{64}) sent/.exec(lines[0])![1];
    expect(lines.at(-1)).to.equal(
      `error: request ${id} is still open after 8 s: no relayer claimed it at its max compute fee of 2 tokens; cancel it (\`highway cancel ${id}\`), raise its fee (\`highway raise-fee ${id} <T>\`) or keep following it (\`highway requests watch ${id}\`)`,
    );
    expect(run.stderr).not.to.match(/^\s+at /m);
    await ok(["cancel", id]);
  });

  it("watches a request live until final: auction price, claim, window countdowns, result", async () => {
    const { requestId: id } = (
      await ok(["request", "price-signal-volatile", "--input", INPUT, "--mode", "optimistic", "--no-wait", "--json"])
    ).json as { requestId: string };
    const watching = start(["requests", "watch", id, "--interval", "0.5"]);
    const json = start(["requests", "watch", id, "--json"]);

    // Play the relayer by hand, each step once the watch has shown the one before: claim,
    // post an optimistic answer, let the challenge window pass, finalize.
    const shows = (what: string) => waitFor(`the watch to show ${what}`, () => watching.stdout().includes(what), 60_000, 100);
    const driver = await Highway.connect({
      runner: await highway.ethers.getSigner(hardhatAccount(DRIVER).address),
      deployment: highway.deployment,
    });
    const coordinator = driver.coordinator as unknown as Contract;
    const requestId = BigInt(id);
    await shows("open: waiting for a relayer");
    const terms = await driver.terms(requestId);
    await (await coordinator.claim(requestId, terms)).wait();
    await shows("delivery window closes in");
    await (await coordinator.submitOptimistic(requestId, terms, encodeTensor([1234n]))).wait();
    await shows("challenge window closes in");
    await advanceTime(highway, 61);
    await (await coordinator.finalize(requestId, terms, encodeTensor([1234n]))).wait();

    const run = await watching.done;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.equal("");
    expect(run.stdout).to.match(/open: waiting for a relayer to claim it; auction at/);
    expect(run.stdout).to.contain(`claimed: the relayer is computing and proving; by ${hardhatAccount(DRIVER).address} for`);
    expect(run.stdout).to.match(/delivery window closes in \d+ s/);
    expect(run.stdout).to.match(
      /pending: optimistic answer posted, in its challenge window; by 0x[0-9a-fA-F]{40} for [\d.]+ tokens; challenge window closes in \d+ s/,
    );
    expect(run.stdout).to.contain(`request ${id}: answered (optimistic)`);
    expect(run.stdout).to.contain(`relayer ${hardhatAccount(DRIVER).address}`);

    const document = await json.done;
    expect(document.code, document.stderr).to.equal(0);
    const result = JSON.parse(document.stdout);
    expect(result).to.include({ requestId: id, status: "answered", proofMode: "optimistic", relayer: hardhatAccount(DRIVER).address });
    expect(result.output.raw).to.deep.equal(["1234"]);
  });

  it("lists requests by requester (default: the key's account) and by model", async () => {
    const mine = (await ok(["requests", "list", "--json"])).json as {
      requestId: string;
      requester: string;
      model: string | null;
      status: string;
    }[];
    expect(mine.length).to.be.at.least(4);
    for (const request of mine) {
      expect(request.requestId).to.match(/^0x[0-9a-f]{64}$/);
      expect(request.requester).to.equal(hardhatAccount(REQUESTER).address);
    }
    expect(mine.map((request) => request.status)).to.include.members(["refunded", "fulfilled"]);
    const byModel = (await ok(["requests", "list", "--model", "price-signal-volatile", "--json"], { account: null })).json as {
      model: string;
    }[];
    expect(byModel.length).to.equal(mine.filter((request) => request.model === "price-signal-volatile").length);
    const human = await ok(["requests", "list", "--requester", hardhatAccount(REQUESTER).address], { account: null });
    expect(human.stdout).to.contain(mine[0].requestId).and.contain("price-signal-volatile");
    expect((await ok(["requests", "list"], { account: 4 })).stdout.trim()).to.equal(`no requests by ${hardhatAccount(4).address}`);
  });

  it("requests through a live relayer, waits, withdraws, and pays the model owner its earnings", async () => {
    relayer = startRelayerProcess(highway, { account: RELAYER });
    await waitFor("the relayer started", () => relayer!.output().includes("relayer started"), 60_000, 100);

    const request = await ok(["request", "price-signal", "--input", INPUT, "--mode", "zk", "--json"]);
    const result = request.json as {
      requestId: string;
      status: string;
      output: { raw: string[] };
      relayer: string;
      fees: { refund: string; modelOwner: string };
    };
    expect(result.requestId).to.match(/^0x[0-9a-f]{64}$/);
    expect(result.status).to.equal("answered");
    expect(result.output.raw).to.have.length(1);
    expect(result.relayer).to.equal(hardhatAccount(RELAYER).address);
    expect(request.stderr).to.equal("");

    const status = (await ok(["status", result.requestId, "--json"])).json as { status: string; result: { requestId: string } };
    expect(status.status).to.equal("fulfilled");
    expect(status.result.requestId).to.equal(result.requestId);

    const human = await ok(["request", "credit-risk", "--input", Array(16).fill("0.5").join(",")]);
    expect(human.stderr).to.match(/^request 0x[0-9a-f]{64} sent$/m);
    expect(human.stderr).to.match(/s {2}(open|claimed): /);
    expect(human.stderr).to.contain("fulfilled");
    expect(human.stdout)
      .to.match(/answered \(zk, proven\)/)
      .and.contain("paid (tokens):");

    const withdrawn = (await ok(["withdraw", "--json"])).json as { withdrawn: string };
    expect(BigInt(withdrawn.withdrawn)).to.be.at.least(BigInt(result.fees.refund));

    // price-signal belongs to the deployer (account 0); it earned its fee, and its parent share of the fine-tune's answer.
    const { earnings: earned } = (await ok(["models", "show", "price-signal", "--json"])).json as { earnings: string };
    expect(BigInt(earned)).to.be.above(0n);
    const earnings = await ok(["models", "withdraw-earnings", "price-signal"], { account: 0 });
    expect(earnings.stdout.trim()).to.equal(
      `withdrew ${formatUnits(earned, 18).replace(/\.0$/, "")} tokens of model price-signal's earnings to ${hardhatAccount(0).address}`,
    );
    expectOneLineFailure(
      await cli(["models", "withdraw-earnings", "price-signal"], { account: 0 }),
      1,
      /model price-signal has no earnings to withdraw/,
      "earnings twice",
    );

    const balance = await ok(["balance", hardhatAccount(RELAYER).address, "--json"], { account: null });
    expect(BigInt((balance.json as { stake: { staked: string } }).stake.staked)).to.be.above(0n);
    await relayer.kill();
    relayer = undefined;
  });

  it("runs a relayer as the package's relayer program, and passes SIGTERM on to it", async () => {
    // Only its config file is wanted: the relayer itself is started below, through the CLI.
    const started = startRelayerProcess(highway, { account: 6 });
    await started.kill();
    const { configPath } = started;
    const child = spawn(process.execPath, [BIN, "relayer", "start", "--config", configPath], {
      cwd: REPO,
      env: { ...process.env, HIGHWAY_RELAYER_KEY: hardhatAccount(6).privateKey },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await waitFor("the relayer started", () => output.includes("relayer started"), 60_000, 100);
    child.kill("SIGTERM");
    expect(await exited, output).to.equal(0);
    expect(output).to.contain('"msg":"stopped"');
    expect(existsSync(configPath)).to.equal(true);
  });

  describe("a language model: highway request smollm2", () => {
    const spec = loadRuntimeSpec("smollm2");
    const PROMPT = "Classify the sentiment of this headline as POSITIVE, NEGATIVE or NEUTRAL: Stocks soar as inflation cools";
    let runtime: LanguageRuntime;
    let driver: Highway;

    before(async () => {
      runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 1 }));
      driver = await Highway.connect({
        runner: await highway.ethers.getSigner(hardhatAccount(DRIVER).address),
        deployment: highway.deployment,
      });
      const modelId = highway.deployment.models.smollm2.modelId;
      for (const member of MEMBERS) {
        const signer = await highway.ethers.getSigner(hardhatAccount(member).address);
        await stakeRelayer(highway, signer);
        await (await highway.staking.connect(signer).setServes(modelId, true)).wait();
      }
      await fundRequester(highway, await highway.ethers.getSigner(hardhatAccount(CHALLENGER).address));
    });
    after(() => runtime?.close());

    /** The id of the request a running `highway request` sent: from its progress line, or (with --json) the chain's newest smollm2 request. */
    async function sentRequest(run: { stderr(): string }, json = false): Promise<bigint> {
      let id: bigint | undefined;
      const known = new Set((await driver.requestsByModel("smollm2")).map((request) => request.requestId));
      await waitFor("the request to be sent", async () => {
        if (!json) id = ((match) => (match ? BigInt(match[1]) : undefined))(/request (0x[0-9a-f]{64}) sent/.exec(run.stderr()));
        else id = (await driver.requestsByModel("smollm2")).map((request) => request.requestId).find((requestId) => !known.has(requestId));
        return id !== undefined;
      });
      return id!;
    }

    /** Claims a request as the driver and posts `answer` (UTF-8 bytes) optimistically; returns the request's terms. */
    async function claimAndPost(requestId: bigint, answer: Uint8Array) {
      const terms = await driver.terms(requestId);
      const coordinator = driver.coordinator as unknown as Contract;
      await (await coordinator.claim(requestId, terms)).wait();
      await (await coordinator.submitOptimistic(requestId, terms, answer)).wait();
      return terms;
    }

    it("prints the model's answer as text once it is posted and final, and each step on stderr", async () => {
      const run = start(["request", "smollm2", "--prompt", PROMPT, "--max-output-bytes", "64"]);
      const requestId = await sentRequest(run);
      // The answer a relayer would post: the real model's, under smollm2's runtime spec.
      const answer = (await runtime.answer(toUtf8Bytes(PROMPT), 64)).output;
      const text = toUtf8String(answer);
      expect(text.length).to.be.above(0);
      const terms = await claimAndPost(requestId, answer);
      expect(terms.outputSize).to.equal(64n);
      await waitFor("the CLI to show the posted answer", () => run.stderr().includes("answered: "), 60_000, 100);
      await advanceTime(highway, 61);
      await (await (driver.coordinator as unknown as Contract).finalize(requestId, terms, answer)).wait();

      const done = await run.done;
      expect(done.code, done.stderr).to.equal(0);
      const id = `0x${requestId.toString(16).padStart(64, "0")}`;
      expect(done.stderr).to.match(new RegExp(`^request ${id} sent$`, "m"));
      expect(done.stderr).to.match(/s {2}open: waiting for a relayer to claim it/);
      expect(done.stderr).to.contain(
        `answered: ${JSON.stringify(text)} by ${hardhatAccount(DRIVER).address} (pending: challenge window ends at `,
      );
      expect(done.stderr).to.match(/s {2}fulfilled$/m);
      // The answer, as the text it is, between the result's header and the relayer.
      expect(done.stdout).to.contain(`request ${id}: answered (optimistic)\n${text}\nrelayer ${hardhatAccount(DRIVER).address}\n`);
    });

    it("follows a wrong answer through its challenge and committee vote, and ends with the committee's answer (--messages, --json)", async () => {
      const messages = join(highway.dir, "chat.json");
      writeFileSync(
        messages,
        JSON.stringify([
          { role: "system", content: "You answer with one word." },
          { role: "user", content: "What is the capital of France?" },
        ]),
      );
      const run = start(["request", "smollm2", "--messages", messages, "--max-output-bytes", "48", "--json"]);
      const requestId = await sentRequest(run, true);
      const id = `0x${requestId.toString(16).padStart(64, "0")}`;
      const watch = start(["requests", "watch", id, "--interval", "0.25"]);
      const shows = (what: string) => waitFor(`the watch to show ${what}`, () => watch.stdout().includes(what), 60_000, 100);

      // The request's input as the chain holds it (the message list's JSON), answered by the real model.
      const [created] = await highway.coordinator.queryFilter(highway.coordinator.filters.RequestCreated(requestId));
      expect(JSON.parse(toUtf8String(created.args.input))).to.deep.equal(JSON.parse(readFileSync(messages, "utf8")));
      const right = (await runtime.answer(getBytes(created.args.input), 48)).output;
      const wrong = toUtf8Bytes("Berlin.");
      expect(hexlify(right)).to.not.equal(hexlify(wrong));
      const terms = await claimAndPost(requestId, wrong);
      await shows('answered: "Berlin."');

      // A challenger disputes it; anyone draws the committee; each member commits, then reveals, the right answer.
      const arbiter = highway.committeeArbiter;
      const challenger = await highway.ethers.getSigner(hardhatAccount(CHALLENGER).address);
      const salt = hexlify(randomBytes(32));
      await (
        await arbiter.connect(challenger).commitChallenge(await arbiter.challengeCommitment(requestId, challenger.address, salt))
      ).wait();
      await (await arbiter.connect(challenger).challenge(requestId, terms, salt)).wait();
      await (await arbiter.connect(challenger).draw(requestId, terms)).wait();
      const [drawn] = await arbiter.queryFilter(arbiter.filters.CommitteeDrawn(requestId));
      const members = [...drawn.args.members];
      expect(members.map((member) => member.toLowerCase()).sort()).to.deep.equal(
        MEMBERS.map((member) => hardhatAccount(member).address.toLowerCase()).sort(),
      );
      await shows("committee drawn: ");
      const salts = members.map(() => hexlify(randomBytes(32)));
      for (const [seat, member] of members.entries()) {
        const signer = await highway.ethers.getSigner(member);
        const commitment = await arbiter.voteCommitment(requestId, member, right, salts[seat]);
        await (await arbiter.connect(signer).commit(requestId, members, seat, commitment)).wait();
      }
      for (const [seat, member] of members.entries()) {
        await (await arbiter.connect(await highway.ethers.getSigner(member)).reveal(requestId, members, seat, right, salts[seat])).wait();
      }
      await (await arbiter.connect(challenger).resolve(requestId, terms, members, right)).wait();

      const done = await run.done;
      expect(done.code, done.stderr).to.equal(0);
      expect(done.stderr).to.equal("");
      const result = JSON.parse(done.stdout.trim().split("\n").at(-1)!) as Record<string, unknown> & {
        transactions: Record<string, string>;
      };
      expect(result).to.include({
        requestId: id,
        status: "disputed",
        proofMode: "optimistic",
        text: toUtf8String(right),
        outputBytes: hexlify(right),
        // The challenger proved the answer wrong: it earns the compute fee.
        relayer: hardhatAccount(CHALLENGER).address,
      });
      expect(result.transactions).to.have.keys("request", "claim", "submitOptimistic", "challenge", "proveFraud", "fulfilled");

      const watched = await watch.done;
      expect(watched.code, watched.stderr).to.equal(0);
      const out = watched.stdout;
      expect(out).to.contain(
        `challenged by ${hardhatAccount(CHALLENGER).address}: a committee of staked relayers re-runs the request and votes`,
      );
      expect(out).to.contain(`committee drawn: ${members.join(", ")} (commits until `);
      for (const member of members) {
        expect(out).to.contain(`vote committed by ${member} (`);
        expect(out).to.contain(`vote revealed by ${member}: another answer, ${JSON.stringify(toUtf8String(right))} (`);
      }
      expect(out).to.contain("(3 of 3)");
      expect(out).to.contain(
        "vote resolved: fraud-proven (the committee's answer replaces the posted one; the relayer is slashed; 3 of 3 votes for the winning answer)",
      );
      expect(out).to.match(/ {2}fulfilled$/m);
      expect(out).to.contain(`request ${id}: disputed (optimistic, settled by a committee vote)\n${toUtf8String(right)}\n`);
    });
  });
});
