/**
 * `highway`: the command line over the SDK, for requesters, model owners and relayer operators.
 * Human tables by default, `--json` for scripts. See `highway --help`.
 */
import { formatUnits, JsonRpcProvider, parseUnits, Wallet, type Provider, type Signer } from "ethers";
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { printTable, toJson } from "./format.js";
import { Highway, loadDeployment, type InferenceResult, type ModelInfo, type ProofMode } from "./node.js";
import { relayerBin } from "./relayer-bin.js";

export const USAGE = `usage: highway [global options] <command>

commands:
  models list                               registered models
  models show <model>                       one model (a name from the deployment, or a model id)
  models register <circuit-dir> --fee T     deploy the circuit's verifier and register it
        [--parent ID --parent-share BPS] [--referral-share BPS] [--modes zk,optimistic]
  quote <model> [--max-fee T]               the escrow a request takes, and its parts
  request <model> --input v1,v2,...         request an inference and wait for the result
        [--mode zk|optimistic] [--max-fee T] [--referrer ADDR] [--deadline-in S]
        [--consumer ADDR] [--timeout S] [--no-wait]
  status <request-id>                       a request's status and, once final, its result
  withdraw                                  pay out your balance in the coordinator
  relayer start --config FILE               run a relayer (same as the relayer command)
  relayer stake <T> | unstake <T> | withdraw    manage a relayer's stake

global options:
  --rpc URL          JSON-RPC endpoint (default $HIGHWAY_RPC or http://127.0.0.1:8545)
  --deployment F     deployment file or chain id (default deployments/<chain id>.json)
  --json             machine-readable output (one JSON document)
The signing key comes from $HIGHWAY_PRIVATE_KEY (commands that only read need none).
Amounts T are in tokens (decimals allowed), BPS in basis points.`;

class UsageError extends Error {}

const OPTIONS = {
  rpc: { type: "string" },
  deployment: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  fee: { type: "string" },
  parent: { type: "string" },
  "parent-share": { type: "string" },
  "referral-share": { type: "string" },
  modes: { type: "string" },
  "max-fee": { type: "string" },
  input: { type: "string" },
  mode: { type: "string" },
  referrer: { type: "string" },
  consumer: { type: "string" },
  "deadline-in": { type: "string" },
  timeout: { type: "string" },
  "no-wait": { type: "boolean" },
  config: { type: "string" },
} as const;

export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: options, positionals } = parsed;
  if (options.help || positionals.length === 0) {
    (options.help ? out : err)(USAGE);
    return options.help ? 0 : 2;
  }
  try {
    return await run(positionals, options, out, err);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    err(`error: ${(error as Error).message}`);
    return 1;
  }
}

/** `--input -0.4,0.1` means the value -0.4,0.1: join it as `--input=-0.4,0.1` for parseArgs. */
function joinNegativeValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    const takesValue = name !== undefined && (OPTIONS as Record<string, { type: string }>)[name]?.type === "string";
    if (takesValue && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      joined.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      joined.push(argv[i]);
    }
  }
  return joined;
}

type Options = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

async function run(args: string[], options: Options, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command, sub, ...rest] = args;
  const json = options.json === true;
  const print = (value: unknown, table: () => void) => (json ? out(toJson(value)) : table());

  if (command === "relayer" && sub === "start") {
    if (typeof options.config !== "string") throw new UsageError("relayer start needs --config FILE");
    return runRelayer(options.config);
  }

  const highway = await connect(options, needsSigner(command, sub));
  if (command === "models" && sub === "list") {
    const models = await highway.models();
    print(models, () => printTable(models.map(modelRow), out));
    return 0;
  }
  if (command === "models" && sub === "show") {
    const model = await highway.model(required(rest[0], "models show <model>"));
    print(model, () => printTable([modelRow(model)], out));
    return 0;
  }
  if (command === "models" && sub === "register") {
    const circuit = required(rest[0], "models register <circuit-dir> --fee T");
    const registered = await highway.registerModel(circuit, {
      fee: tokens(required(options.fee as string | undefined, "--fee T")),
      parentModelId: options.parent as string | undefined,
      parentShareBps: options["parent-share"] ? Number(options["parent-share"]) : undefined,
      referralShareBps: options["referral-share"] ? Number(options["referral-share"]) : undefined,
      proofModes: options.modes ? ((options.modes as string).split(",") as ProofMode[]) : undefined,
    });
    print(registered, () => out(`registered model ${registered.modelId} with verifier ${registered.verifier}`));
    return 0;
  }
  if (command === "quote") {
    const quote = await highway.quote({ model: required(sub, "quote <model>"), maxComputeFee: options["max-fee"] ? tokens(options["max-fee"] as string) : undefined });
    print(quote, () => printTable([{ modelFee: fmt(quote.modelFee), maxComputeFee: fmt(quote.maxComputeFee), protocolFee: fmt(quote.protocolFee), total: fmt(quote.total) }], out));
    return 0;
  }
  if (command === "request") {
    const model = required(sub, "request <model> --input v1,v2,...");
    const input = required(options.input as string | undefined, "--input v1,v2,...").split(",").map((v) => Number(v.trim()));
    if (input.some((v) => !Number.isFinite(v))) throw new UsageError(`--input must be numbers separated by commas, got "${options.input}"`);
    const latest = await highway.provider.getBlock("latest");
    const now = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000));
    const handle = await highway.requestInference({
      model,
      input,
      proofMode: (options.mode as ProofMode | undefined) ?? "zk",
      maxComputeFee: options["max-fee"] ? tokens(options["max-fee"] as string) : undefined,
      referrer: options.referrer as string | undefined,
      consumer: options.consumer as string | undefined,
      deadline: options["deadline-in"] ? now + Number(options["deadline-in"]) : undefined,
    });
    if (options["no-wait"]) {
      print({ requestId: handle.requestId, transaction: handle.transactionHash }, () => out(`request ${handle.requestId} sent in ${handle.transactionHash}`));
      return 0;
    }
    if (!json) err(`request ${handle.requestId} sent${handle.cached ? " (answered from the cache)" : ""}`);
    const started = Date.now();
    const result = await handle.wait({
      timeoutMs: Number(options.timeout ?? 300) * 1000,
      onProgress: (status) => {
        if (!json) err(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${describeStatus(status)}`);
      },
    });
    print(result, () => printResult(result, out));
    return 0;
  }
  if (command === "status") {
    const requestId = BigInt(required(sub, "status <request-id>"));
    const status = await highway.status(requestId);
    const result = await highway.result(requestId);
    print({ requestId, status, result }, () => (result ? printResult(result, out) : out(`request ${requestId}: ${describeStatus(status)}`)));
    return 0;
  }
  if (command === "withdraw") {
    const { withdrawable, account } = await highway.balances();
    await highway.withdraw();
    print({ account, withdrawn: withdrawable }, () => out(`withdrew ${fmt(withdrawable)} tokens to ${account}`));
    return 0;
  }
  if (command === "relayer") {
    if (sub === "stake") await highway.stake(tokens(required(rest[0], "relayer stake <T>")));
    else if (sub === "unstake") await highway.requestUnstake(tokens(required(rest[0], "relayer unstake <T>")));
    else if (sub === "withdraw") await highway.withdrawStake();
    else throw new UsageError(`unknown relayer command "${sub ?? ""}"`);
    const { stake } = await highway.balances();
    print(stake, () => printTable([{ staked: fmt(stake.staked), locked: fmt(stake.locked), unbonding: fmt(stake.unbonding), releaseAt: stake.unbondingReleaseAt || "-", served: stake.jobsServed, slashed: stake.jobsSlashed }], out));
    return 0;
  }
  throw new UsageError(`unknown command "${args.join(" ")}"`);
}

/**
 * Runs the `relayer` command (sdk/relayer-bin.ts) as a child process until it exits: the relayer is a
 * program of its own, which the SDK does not import. SIGTERM is passed on; Ctrl-C's
 * SIGINT reaches the child directly (same process group), so here it is only kept from
 * ending this process before the relayer has stopped.
 */
function runRelayer(configPath: string): Promise<number> {
  const bin = relayerBin();
  const child = spawn(process.execPath, [bin, "start", "--config", configPath], { stdio: "inherit" });
  const passOn = () => child.kill("SIGTERM");
  const wait = () => {};
  process.on("SIGTERM", passOn);
  process.on("SIGINT", wait);
  return new Promise((resolveExit) => {
    child.once("exit", (code) => {
      process.off("SIGTERM", passOn);
      process.off("SIGINT", wait);
      resolveExit(code ?? 1);
    });
  });
}

function needsSigner(command: string, sub?: string): boolean {
  return !(command === "models" && sub !== "register") && command !== "quote" && command !== "status";
}

async function connect(options: Options, withSigner: boolean): Promise<Highway> {
  const rpc = (options.rpc as string | undefined) ?? process.env.HIGHWAY_RPC ?? "http://127.0.0.1:8545";
  const provider: Provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: false, cacheTimeout: -1 });
  let chainId: bigint;
  try {
    chainId = (await Promise.race([provider.getNetwork(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer in 10 s")), 10_000).unref())])).chainId;
  } catch (error) {
    (provider as JsonRpcProvider).destroy();
    throw new Error(`cannot reach the RPC at ${rpc} (${(error as Error).message}); pass --rpc URL`);
  }
  const deployment = loadDeployment((options.deployment as string | undefined) ?? Number(chainId));
  let runner: Signer | Provider = provider;
  if (withSigner) {
    const key = process.env.HIGHWAY_PRIVATE_KEY;
    if (!key) throw new Error("this command signs a transaction: put the private key in $HIGHWAY_PRIVATE_KEY");
    runner = new Wallet(key, provider);
  }
  return Highway.connect({ runner, deployment });
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new UsageError(`missing argument: ${what}`);
  return value;
}

function tokens(amount: string): bigint {
  try {
    return parseUnits(amount, 18);
  } catch {
    throw new UsageError(`"${amount}" is not an amount of tokens`);
  }
}

function fmt(value: bigint): string {
  return formatUnits(value, 18);
}

function modelRow(model: ModelInfo) {
  return {
    name: model.name ?? "-",
    modelId: model.modelId,
    fee: fmt(model.fee),
    modes: model.proofModes.join(","),
    input: `${model.input.length}@2^-${model.input.scale}`,
    output: `${model.output.length}@2^-${model.output.scale}`,
    active: model.active,
    parent: model.parentModelId === `0x${"0".repeat(64)}` ? "-" : `${model.parentModelId.slice(0, 10)}… (${model.parentShareBps} bps)`,
  };
}

const STATUS_TEXT: Record<string, string> = {
  open: "open: waiting for a relayer to claim it",
  claimed: "claimed: the relayer is computing and proving",
  pending: "pending: optimistic answer posted, in its challenge window",
  disputed: "disputed: challenged, waiting for a proof",
  fulfilled: "fulfilled",
  refunded: "refunded",
  none: "unknown request",
};

function describeStatus(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

function printResult(result: InferenceResult, out: (line: string) => void): void {
  out(`request ${result.requestId}: ${result.status} (${result.proofMode}${result.proven ? ", proven" : ""})`);
  if (result.output) out(`output ${result.output.values.map((v) => v.toFixed(6)).join(", ")}  (raw ${result.output.raw.join(", ")} at scale ${result.output.scale})`);
  if (result.relayer !== "0x0000000000000000000000000000000000000000") out(`relayer ${result.relayer}`);
  printTable([Object.fromEntries(Object.entries(result.fees).map(([role, amount]) => [role, fmt(amount)]))], out);
}
