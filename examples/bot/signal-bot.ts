/**
 * The keeper bot a DeFi operator runs next to a `SignalVault`: it records the pool's
 * price whenever the vault accepts a new observation, asks `price-signal` for a signal
 * every `--interval` seconds (or sooner when the price moved `--min-move-bps` since the
 * last request), and logs every decision the vault takes in its callback. The vault itself
 * withdraws what the coordinator owes it (refunds, unspent compute fees) before each request.
 *
 *   SIGNAL_BOT_KEY=0x… tsx examples/bot/signal-bot.ts --rpc http://127.0.0.1:8545 \
 *     --vault 0xVAULT --interval 60 [--mode zk|optimistic] [--min-move-bps 100] [--poll 1]
 *
 * The key comes only from the environment, never from a flag (flags end up in shell
 * history and process lists). `SignalBot` and `runSignalBot` are exported so tests can
 * drive the same code step by step or as a loop.
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { JsonRpcProvider, NonceManager, Wallet, type Log, type LogDescription, type Signer } from "ethers";
import { ConstantProductPool__factory, SignalVault__factory, type ConstantProductPool, type SignalVault } from "../../types/index.js";
import { PROOF_MODES, type ProofMode } from "../../sdk/protocol.js";
import { dequantize } from "../../sdk/encoding.js";
import { getLogsPaged } from "../../sdk/logs.js";

/** The `price-signal` model's scales (circuits/price-signal/manifest.json). */
const INPUT_SCALE = 8;
const OUTPUT_SCALE = 24;
const BPS = 10_000n;

/** `IInferenceCoordinator.ProofMode` by name. */
export type ProofModeName = ProofMode;

/** `SignalVault.IgnoreReason` by index. */
const IGNORE_REASONS = ["stale", "unknown", "malformed-output"] as const;

/** What the vault did with one answer, read from its events. */
export type Decision =
  | { kind: "rebalanced"; requestId: bigint; signal: bigint; tokenIn: string; amountIn: bigint; amountOut: bigint; blockNumber: number }
  | { kind: "rebalance-failed"; requestId: bigint; signal: bigint; tokenIn: string; amountIn: bigint; reason: string; blockNumber: number }
  | { kind: "held"; requestId: bigint; signal: bigint; blockNumber: number }
  | { kind: "ignored"; requestId: bigint; reason: (typeof IGNORE_REASONS)[number]; blockNumber: number };

/** A request the bot made. */
export interface SentRequest {
  requestId: bigint;
  mode: ProofModeName;
  deadline: bigint;
  /** The last price the request's input ends on (the vault's latest observation). */
  lastObservedPrice: bigint;
  inputs: bigint[];
  /** The block of the request transaction. */
  blockNumber: number;
}

export interface BotOptions {
  /** The vault, connected to a signer with its KEEPER_ROLE. */
  vault: SignalVault;
  /** Seconds of chain time between two requests. */
  intervalSeconds: number;
  mode: ProofModeName;
  /** Request before the interval is up when the spot price moved this much from the last price of the last request's input (0: never). */
  minMoveBps?: number;
  /** Where log lines go (one JSON object per line by default). */
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Called for every decision the vault takes. */
  onDecision?: (decision: Decision) => void;
}

/** One line of JSON per event: easy to read, easy to ship to a log store. */
export function jsonLog(message: string, fields: Record<string, unknown> = {}): void {
  console.log(
    JSON.stringify({ time: new Date().toISOString(), message, ...fields }, (_, value) =>
      typeof value === "bigint" ? value.toString() : value,
    ),
  );
}

/**
 * The bot's state and its one step: observe, maybe request, read decisions.
 * A step never throws on a failed transaction: it logs and the next step tries again.
 */
export class SignalBot {
  readonly requests: SentRequest[] = [];
  readonly decisions: Decision[] = [];
  private lastRequestAt?: bigint;
  /** Decisions are reported once each, though a request's receipt and the log scan both see them. */
  private readonly seen = new Set<string>();

  private constructor(
    readonly vault: SignalVault,
    readonly pool: ConstantProductPool,
    readonly volatileToken: string,
    private readonly options: Required<Omit<BotOptions, "onDecision">> & Pick<BotOptions, "onDecision">,
    /** The first block whose decisions have not been read. */
    private nextBlock: number,
  ) {}

  /** Reads the vault's pool and tokens once. */
  static async create(options: BotOptions): Promise<SignalBot> {
    const { vault } = options;
    const runner = vault.runner as Signer;
    const pool = ConstantProductPool__factory.connect(await vault.pool(), runner);
    const startBlock = await runner.provider!.getBlockNumber();
    return new SignalBot(vault, pool, await vault.volatileToken(), { minMoveBps: 0, log: jsonLog, ...options }, startBlock);
  }

  /** Observe, request when due, then report decisions made since the last step. */
  async step(): Promise<void> {
    await this.guard("observe", () => this.observe());
    await this.guard("request", () => this.maybeRequest());
    await this.guard("read decisions", () => this.readDecisions());
  }

  /** Records the pool's price if the vault accepts an observation now; true if it did. */
  async observe(): Promise<boolean> {
    const [observations, nextAt] = await this.vault.observationState();
    if ((await this.chainTime()) < nextAt) return false;
    const receipt = await (await this.vault.poke()).wait();
    const observed = this.parse(receipt!.logs).find((event) => event.name === "PriceObserved");
    this.options.log("price observed", { observation: observations, price: observed?.args.price });
    return true;
  }

  /** Requests a signal when the vault has a full history, none is in flight, and one is due. */
  async maybeRequest(): Promise<SentRequest | undefined> {
    const [observations] = await this.vault.observationState();
    if (observations < 9n) return undefined;
    const now = await this.chainTime();
    const latest = await this.vault.latestRequestId();
    const previous = await this.vault.requests(latest);
    if (previous.open && now <= previous.deadline) return undefined; // the vault would refuse: one in flight
    if (!(await this.due(now))) return undefined;

    const receipt = await (await this.vault.requestSignal(PROOF_MODES.indexOf(this.options.mode))).wait();
    const event = this.parse(receipt!.logs).find((parsed) => parsed.name === "SignalRequested");
    if (!event) throw new Error(`requestSignal mined in ${receipt!.hash} without a SignalRequested event`);
    const sent: SentRequest = {
      requestId: event.args.requestId,
      mode: this.options.mode,
      deadline: event.args.deadline,
      lastObservedPrice: event.args.lastObservedPrice,
      inputs: [...event.args.inputs],
      blockNumber: receipt!.blockNumber,
    };
    this.requests.push(sent);
    this.lastRequestAt = now;
    const reclaimed = this.parse(receipt!.logs).find((parsed) => parsed.name === "RefundsReclaimed");
    if (reclaimed) this.options.log("refunds reclaimed", { amount: reclaimed.args.amount }); // withdrawn from the coordinator first
    this.options.log("signal requested", {
      requestId: sent.requestId,
      mode: sent.mode,
      deadline: sent.deadline,
      price: sent.lastObservedPrice,
      normalizedReturns: sent.inputs.map((value) => dequantize(value, INPUT_SCALE)),
    });
    // Decisions taken inside this transaction (an input already proven is answered at once).
    this.report(this.parse(receipt!.logs), receipt!.blockNumber);
    return sent;
  }

  /** Reads the vault's decision events from the blocks not read yet. */
  async readDecisions(): Promise<Decision[]> {
    const provider = this.vault.runner!.provider!;
    const latest = await provider.getBlockNumber();
    if (this.nextBlock > latest) return [];
    const logs = await getLogsPaged(provider, { address: await this.vault.getAddress() }, this.nextBlock, latest);
    this.nextBlock = latest + 1;
    const found: Decision[] = [];
    for (const log of logs) found.push(...this.report(this.parse([log]), log.blockNumber, log.transactionHash));
    return found;
  }

  /** Turns parsed vault events into decisions, once each, and logs them. */
  private report(events: LogDescription[], blockNumber: number, txHash = ""): Decision[] {
    const found: Decision[] = [];
    for (const event of events) {
      const decision = toDecision(event, blockNumber);
      if (!decision) continue;
      const key = `${decision.requestId}:${decision.kind}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.decisions.push(decision);
      found.push(decision);
      this.options.log(`decision: ${decision.kind}`, {
        ...decision,
        ...("signal" in decision ? { signalValue: dequantize(decision.signal, OUTPUT_SCALE) } : {}),
        ...(txHash ? { txHash } : {}),
      });
      this.options.onDecision?.(decision);
    }
    return found;
  }

  private async due(now: bigint): Promise<boolean> {
    if (this.lastRequestAt === undefined || now >= this.lastRequestAt + BigInt(this.options.intervalSeconds)) return true;
    const last = this.requests.at(-1);
    if (!this.options.minMoveBps || !last) return false;
    const price = await this.pool.spotPrice(this.volatileToken);
    const move = price > last.lastObservedPrice ? price - last.lastObservedPrice : last.lastObservedPrice - price;
    return move * BPS >= last.lastObservedPrice * BigInt(this.options.minMoveBps);
  }

  private async chainTime(): Promise<bigint> {
    const block = await this.vault.runner!.provider!.getBlock("latest");
    return BigInt(block!.timestamp);
  }

  private parse(logs: readonly Log[]): LogDescription[] {
    return logs.flatMap((log) => {
      try {
        const parsed = this.vault.interface.parseLog(log);
        return parsed ? [parsed] : [];
      } catch {
        return []; // another contract's event in the same receipt
      }
    });
  }

  private async guard(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      // A transaction that never made it leaves a NonceManager ahead of the chain: recount.
      (this.vault.runner as { reset?: () => void } | null)?.reset?.();
      this.options.log(`${what} failed; retrying next step`, { error: (error as Error).message });
    }
  }
}

function toDecision(event: LogDescription, blockNumber: number): Decision | undefined {
  const { args } = event;
  switch (event.name) {
    case "Rebalanced":
      return {
        kind: "rebalanced",
        requestId: args.requestId,
        signal: args.signal,
        tokenIn: args.tokenIn,
        amountIn: args.amountIn,
        amountOut: args.amountOut,
        blockNumber,
      };
    case "RebalanceFailed":
      return {
        kind: "rebalance-failed",
        requestId: args.requestId,
        signal: args.signal,
        tokenIn: args.tokenIn,
        amountIn: args.amountIn,
        reason: args.reason,
        blockNumber,
      };
    case "SignalHeld":
      return { kind: "held", requestId: args.requestId, signal: args.signal, blockNumber };
    case "SignalIgnored":
      return { kind: "ignored", requestId: args.requestId, reason: IGNORE_REASONS[Number(args.reason)], blockNumber };
    default:
      return undefined;
  }
}

/**
 * The main loop: one `step` every `pollSeconds` until `signal` aborts. Decisions are read on
 * every step; observations and requests happen when the vault and the interval allow them.
 */
export async function runSignalBot(options: BotOptions & { pollSeconds?: number; signal?: AbortSignal }): Promise<SignalBot> {
  const bot = await SignalBot.create(options);
  const log = options.log ?? jsonLog;
  log("signal bot started", {
    vault: await options.vault.getAddress(),
    pool: await bot.pool.getAddress(),
    mode: options.mode,
    intervalSeconds: options.intervalSeconds,
  });
  while (!options.signal?.aborted) {
    await bot.step();
    await sleep((options.pollSeconds ?? 1) * 1_000, options.signal);
  }
  log("signal bot stopped");
  return bot;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** The CLI: flags for where and how often, the key from SIGNAL_BOT_KEY. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string", default: "http://127.0.0.1:8545" },
      vault: { type: "string" },
      interval: { type: "string", default: "60" },
      mode: { type: "string", default: "zk" },
      "min-move-bps": { type: "string", default: "0" },
      poll: { type: "string", default: "1" },
    },
  });
  const key = process.env.SIGNAL_BOT_KEY;
  if (!key) throw new Error("SIGNAL_BOT_KEY is not set: export the keeper's private key (never pass it as a flag)");
  if (!values.vault) throw new Error("--vault ADDRESS is required");
  if (!PROOF_MODES.includes(values.mode as ProofMode)) throw new Error(`--mode must be zk or optimistic, not ${values.mode}`);

  // Nonces counted locally: the provider caches eth_getTransactionCount briefly, and a request
  // sent right after a poke would otherwise reuse the poke's nonce.
  const signer = new NonceManager(new Wallet(key, new JsonRpcProvider(values.rpc)));
  const vault = SignalVault__factory.connect(values.vault, signer);
  const stop = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => stop.abort());
  await runSignalBot({
    vault,
    intervalSeconds: Number(values.interval),
    mode: values.mode as ProofModeName,
    minMoveBps: Number(values["min-move-bps"]),
    pollSeconds: Number(values.poll),
    signal: stop.signal,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`signal-bot: ${(error as Error).message}`);
    process.exit(1);
  });
}
