/**
 * The submitter: every transaction of the relayer goes through here. One nonce
 * counter; each transaction is simulated first (a call that would revert is not
 * sent, and its custom error is decoded); a transaction not mined in time is sent
 * again with the same nonce and bumped fees.
 */
import type { Interface, Provider, TransactionReceipt, Wallet } from "ethers";
import { revertData } from "../../sdk/errors.js";
import type { Logger } from "./logger.js";
import type { RelayerMetrics } from "./metrics.js";

export interface SubmitterOptions {
  bumpAfterMs: number;
  bumpPercent: number;
  maxSends: number;
}

/** A transaction to send: `data` for the contract at `to`. */
export interface Call {
  to: string;
  data: string;
}

export type SendResult =
  | { ok: true; receipt: TransactionReceipt; gasUsed: bigint }
  /** The call would revert (or did): `error` is the decoded custom error's name, `args` its arguments. */
  | { ok: false; error: string; args: unknown[]; sent: boolean };

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
  ) {}

  get address(): string {
    return this.signer.address;
  }

  /** Forgets the local nonce; the next send reads it from the node (after a reorg or a lost transaction). */
  resync(): void {
    this.nextNonce = undefined;
  }

  /** Simulates, then sends the call, and waits for the receipt. */
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

    const hashes: string[] = [];
    const { nonce, fees } = await this.exclusive(async () => {
      const nonce = await this.takeNonce();
      const fees = await this.provider.getFeeData();
      try {
        hashes.push(await this.broadcast({ to, data, gasLimit, nonce, fees }));
      } catch (error) {
        this.nextNonce = undefined; // resynchronize from the node on the next send
        throw error;
      }
      return { nonce, fees };
    });

    for (let sends = 1; ; sends++) {
      const receipt = await this.waitForAny(hashes, this.options.bumpAfterMs);
      if (receipt) {
        if (receipt.status === 1) {
          this.metrics.transactions.inc({ action, outcome: "mined" });
          return { ok: true, receipt, gasUsed: receipt.gasUsed };
        }
        this.metrics.transactions.inc({ action, outcome: "reverted" });
        return { ok: false, error: "Reverted", args: [receipt.hash], sent: true };
      }
      if (sends >= this.options.maxSends) {
        this.metrics.transactions.inc({ action, outcome: "abandoned" });
        this.resync();
        throw new Error(`${action}: not mined after ${sends} sends (nonce ${nonce}); last hash ${hashes.at(-1)}`);
      }
      const factor = BigInt(100 + this.options.bumpPercent * sends);
      const bumped = {
        gasPrice: fees.gasPrice === null ? null : (fees.gasPrice * factor) / 100n,
        maxFeePerGas: fees.maxFeePerGas === null ? null : (fees.maxFeePerGas * factor) / 100n,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas === null ? null : (fees.maxPriorityFeePerGas * factor) / 100n,
      };
      this.log.warn({ action, nonce, sends }, "transaction not mined in time; sending again with bumped fees");
      try {
        hashes.push(await this.broadcast({ to, data, gasLimit, nonce, fees: bumped }));
      } catch (error) {
        // "nonce too low" and the like: one of the earlier sends was mined meanwhile.
        this.log.debug({ action, nonce, error: (error as Error).message }, "replacement not accepted");
      }
    }
  }

  private async broadcast(tx: {
    to: string;
    data: string;
    gasLimit: bigint;
    nonce: number;
    fees: { gasPrice: bigint | null; maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null };
  }): Promise<string> {
    const fees =
      tx.fees.maxFeePerGas !== null
        ? { maxFeePerGas: tx.fees.maxFeePerGas, maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas ?? 0n }
        : { gasPrice: tx.fees.gasPrice ?? undefined };
    const response = await this.signer.sendTransaction({ to: tx.to, data: tx.data, gasLimit: tx.gasLimit, nonce: tx.nonce, ...fees });
    return response.hash;
  }

  private async waitForAny(hashes: string[], timeoutMs: number): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const hash of hashes) {
        const receipt = await this.provider.getTransactionReceipt(hash);
        if (receipt) return receipt;
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
