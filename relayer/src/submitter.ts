/**
 * The submitter: every transaction of the relayer goes through here. One nonce
 * counter; each transaction is simulated first (a call that would revert is not
 * sent, and its custom error is decoded).
 *
 * A transaction not mined in time is replaced at its nonce, at fees of at least the
 * node's replacement minimum over the previous send (`bumpPercent`) and at least the
 * current quote: a fee spike after the first send is met at once, not by small steps
 * from the old quote. A nonce is never abandoned while a transaction is outstanding at
 * it, since every later transaction of ours would queue behind it: after `maxSends`
 * sends the action is given up by replacing its nonce with a zero-value transfer to
 * ourselves, re-priced whenever the quote rises past it, until something at the nonce
 * is mined.
 */
import type { Interface, Provider, TransactionReceipt, Wallet } from "ethers";
import { INTRINSIC_GAS } from "../../sdk/gas.js";
import { revertData } from "../../sdk/errors.js";
import type { Logger } from "./logger.js";
import type { RelayerMetrics } from "./metrics.js";

export interface SubmitterOptions {
  bumpAfterMs: number;
  /** The least fee increase of a replacement over the send it replaces, in percent (nodes want 10 or more). */
  bumpPercent: number;
  /** Sends of an action (the first and its replacements) before it is given up. */
  maxSends: number;
}

/**
 * A private transaction endpoint (config `watchtower.privateTxRpcUrl`) and the actions sent
 * through it rather than the public mempool: signed here, broadcast there, and waited for on
 * the public node like any other send.
 */
export interface PrivateRoute {
  provider: Provider;
  actions: ReadonlySet<string>;
}

/** A transaction to send: `data` for the contract at `to`. */
export interface Call {
  to: string;
  data: string;
}

export type SendResult =
  | { ok: true; receipt: TransactionReceipt; gasUsed: bigint }
  /**
   * The call would revert (or did): `error` is the decoded custom error's name, `args` its
   * arguments; "GivenUp" when it was not mined after `maxSends` sends and its nonce went to a self-transfer.
   */
  | { ok: false; error: string; args: unknown[]; sent: boolean };

/** Fees of one send: EIP-1559's, or a legacy gas price on a chain without a base fee. */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };

/** The fees of a replacement: at least `bumpPercent` over the previous send's, and at least the current quote. */
export function replacementFees(previous: Fees, quote: Fees, bumpPercent: number): Fees {
  const bumped = (fee: bigint) => (fee * BigInt(100 + bumpPercent) + 99n) / 100n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  if ("gasPrice" in previous)
    return { gasPrice: max(bumped(previous.gasPrice), "gasPrice" in quote ? quote.gasPrice : quote.maxFeePerGas) };
  const quoted = "gasPrice" in quote ? { maxFeePerGas: quote.gasPrice, maxPriorityFeePerGas: quote.gasPrice } : quote;
  const maxFeePerGas = max(bumped(previous.maxFeePerGas), quoted.maxFeePerGas);
  const maxPriorityFeePerGas = max(bumped(previous.maxPriorityFeePerGas), quoted.maxPriorityFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas: maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : maxPriorityFeePerGas };
}

/** Whether the quote asks more than `fees`: a transaction at `fees` may no longer be mined. */
function quoteAbove(quote: Fees, fees: Fees): boolean {
  const price = (f: Fees) => ("gasPrice" in f ? f.gasPrice : f.maxFeePerGas);
  return price(quote) > price(fees);
}

export class Submitter {
  private nextNonce: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly signer: Wallet,
    private readonly provider: Provider,
    private readonly errors: Interface,
    private readonly options: SubmitterOptions,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly privateRoute?: PrivateRoute,
  ) {}

  get address(): string {
    return this.signer.address;
  }

  /** Forgets the local nonce; the next send reads it from the node (after a reorg or a lost transaction). */
  resync(): void {
    this.nextNonce = undefined;
  }

  /** Simulates, then sends the call, and waits until its nonce is mined (by it, a replacement, or a self-transfer giving it up). */
  async send(action: string, { to, data }: Call): Promise<SendResult> {
    let gasLimit: bigint;
    try {
      gasLimit = await this.provider.estimateGas({ from: this.signer.address, to, data });
    } catch (error) {
      const decoded = this.decode(error);
      if (!decoded) throw error; // not a revert: an RPC failure, for the caller's retry loop
      this.metrics.transactions.inc({ action, outcome: "not-sent" });
      return { ...decoded, sent: false };
    }
    // Head-room for state that changes between simulation and inclusion.
    gasLimit = (gasLimit * 12n) / 10n + 20_000n;
    const transaction = { to, data, gasLimit };
    const giveUp = { to: this.signer.address, data: "0x", gasLimit: INTRINSIC_GAS };

    /** Every hash sent at the nonce, and whether it is the self-transfer that gives the action up. */
    const sent = new Map<string, "action" | "give-up">();
    const first = await this.exclusive(async () => {
      const nonce = await this.takeNonce();
      const fees = await this.quote();
      try {
        sent.set(await this.broadcast(transaction, nonce, fees, action), "action");
      } catch (error) {
        this.nextNonce = undefined; // resynchronize from the node on the next send
        throw error;
      }
      return { nonce, fees };
    });
    const { nonce } = first;
    let { fees } = first;

    for (let sends = 1; ; sends++) {
      const receipt = await this.waitForAny([...sent.keys()], this.options.bumpAfterMs);
      if (receipt) return this.outcome(action, nonce, receipt, sent.get(receipt.hash)!);
      if (await this.nonceTakenElsewhere(nonce)) {
        // Mined, but by no transaction we know of (the key is used elsewhere too): resynchronize.
        this.resync();
        this.metrics.transactions.inc({ action, outcome: "abandoned" });
        return { ok: false, error: "NonceTaken", args: [nonce], sent: true };
      }
      const quote = await this.quote();
      const givingUp = sends >= this.options.maxSends;
      // The self-transfer is re-priced only when the fee market moves past it: its job is to be mined, not to outbid.
      if (givingUp && [...sent.values()].includes("give-up") && !quoteAbove(quote, fees)) continue;
      fees = replacementFees(fees, quote, this.options.bumpPercent);
      if (givingUp)
        this.log.warn({ action, nonce, sends }, "transaction not mined; giving it up by replacing its nonce with a transfer to ourselves");
      else this.log.warn({ action, nonce, sends }, "transaction not mined in time; replacing it at its nonce with higher fees");
      try {
        sent.set(
          await this.broadcast(givingUp ? giveUp : transaction, nonce, fees, givingUp ? "give-up" : action),
          givingUp ? "give-up" : "action",
        );
      } catch (error) {
        // "nonce too low" and the like: one of the earlier sends was mined meanwhile; the next wait finds it.
        this.log.debug({ action, nonce, error: (error as Error).message }, "replacement not accepted");
      }
    }
  }

  private outcome(action: string, nonce: number, receipt: TransactionReceipt, kind: "action" | "give-up"): SendResult {
    if (kind === "give-up") {
      this.metrics.transactions.inc({ action, outcome: "abandoned" });
      return { ok: false, error: "GivenUp", args: [nonce], sent: true };
    }
    if (receipt.status === 1) {
      this.metrics.transactions.inc({ action, outcome: "mined" });
      return { ok: true, receipt, gasUsed: receipt.gasUsed };
    }
    this.metrics.transactions.inc({ action, outcome: "reverted" });
    return { ok: false, error: "Reverted", args: [receipt.hash], sent: true };
  }

  /** The current fee quote. */
  private async quote(): Promise<Fees> {
    const data = await this.provider.getFeeData();
    if (data.maxFeePerGas !== null) return { maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas ?? 0n };
    return { gasPrice: data.gasPrice ?? 0n };
  }

  private async broadcast(tx: { to: string; data: string; gasLimit: bigint }, nonce: number, fees: Fees, action: string): Promise<string> {
    const route = this.privateRoute;
    if (route?.actions.has(action)) {
      const signed = await this.signer.signTransaction(await this.signer.populateTransaction({ ...tx, nonce, ...fees }));
      try {
        return (await route.provider.broadcastTransaction(signed)).hash;
      } catch (error) {
        // The endpoint is named by its config field only: its URL may hold an API key.
        throw new Error(`watchtower.privateTxRpcUrl refused the ${action} transaction: ${(error as Error).message.split("\n")[0]}`, {
          cause: error,
        });
      }
    }
    const response = await this.signer.sendTransaction({ ...tx, nonce, ...fees });
    return response.hash;
  }

  /** Whether a transaction at `nonce` was mined (none of ours had a receipt a moment ago). */
  private async nonceTakenElsewhere(nonce: number): Promise<boolean> {
    try {
      return (await this.provider.getTransactionCount(this.signer.address, "latest")) > nonce;
    } catch {
      return false; // the RPC failing is no news about the nonce: keep waiting
    }
  }

  /** The first receipt of any of `hashes` within `timeoutMs`; RPC failures meanwhile are waited out, not thrown. */
  private async waitForAny(hashes: string[], timeoutMs: number): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const hash of hashes) {
        try {
          const receipt = await this.provider.getTransactionReceipt(hash);
          if (receipt) return receipt;
        } catch (error) {
          // A transaction is outstanding at the nonce: giving up on it here would leave the nonce stuck.
          this.log.debug({ hash, error: (error as Error).message }, "receipt query failed; waiting on");
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(10, deadline - Date.now()))));
    }
    return null;
  }

  private async takeNonce(): Promise<number> {
    if (this.nextNonce === undefined) this.nextNonce = await this.provider.getTransactionCount(this.signer.address, "pending");
    return this.nextNonce++;
  }

  /** Runs `work` alone: nonces are taken and broadcast in order. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The custom error (or revert reason) in a failed call, if it is one. */
  private decode(error: unknown): { ok: false; error: string; args: unknown[] } | undefined {
    const data = revertData(error);
    if (data === undefined) {
      return (error as { code?: string })?.code === "CALL_EXCEPTION" ? { ok: false, error: "Revert", args: [] } : undefined;
    }
    try {
      const parsed = this.errors.parseError(data);
      if (parsed) return { ok: false, error: parsed.name, args: [...parsed.args] };
    } catch {
      // an unknown selector
    }
    return { ok: false, error: `Unknown(${data.slice(0, 10)})`, args: [] };
  }
}
