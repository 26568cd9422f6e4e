/**
 * The watcher: follows the coordinator's logs (and the model registry's and the staking contract's) block by block, `confirmations`
 * blocks behind the head, and notices reorgs by comparing the hashes of the blocks
 * it processed with the chain's. After a reorg it rewinds the store to the common
 * ancestor and scans again; after a restart it catches up from the last block it
 * processed, and on a fresh store from `startBlock`, in ranges of `logRange` blocks.
 */
import type { Interface, Log, LogDescription, Provider } from "ethers";
import { getLogsPaged } from "../../sdk/logs.js";
import type { Logger } from "./logger.js";
import type { RelayerMetrics } from "./metrics.js";
import type { JobStore } from "./store.js";

/**
 * Finished jobs created this many blocks before a reorg's common ancestor are re-derived
 * too: their answers, made later, may be in the undone blocks.
 */
export const REORG_LOOKBACK_BLOCKS = 256;

export interface WatcherOptions {
  confirmations: number;
  /** Most blocks per log query. */
  logRange: number;
  /** First block to scan on a fresh store. */
  startBlock: number;
}

export interface WatcherEvents {
  /** One coordinator, registry or staking event, in chain order. */
  onEvent(event: LogDescription, log: Log): void;
  /** The chain reorganized below what was processed; the store is already rewound to `ancestor`, the last block still valid. */
  onReorg(ancestor: number): void;
}

export class Watcher {
  constructor(
    private readonly provider: Provider,
    /** The contracts followed: the coordinator, the model registry and the staking contract. */
    private readonly addresses: readonly string[],
    /** Their events, all in one interface. */
    private readonly iface: Interface,
    private readonly store: JobStore,
    private readonly options: WatcherOptions,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {}

  /** Processes every confirmed block not processed yet, handing its events to `handlers`. */
  async poll(handlers: WatcherEvents): Promise<void> {
    const head = await this.provider.getBlockNumber();
    this.metrics.headBlock.set(head);
    const target = head - this.options.confirmations;
    let last = await this.checkForReorg(handlers);
    while (last < target) {
      const to = Math.min(target, last + this.options.logRange);
      const before = await this.provider.getBlock(to);
      const logs = await getLogsPaged(this.provider, { address: [...this.addresses] }, last + 1, to, this.options.logRange);
      const after = await this.provider.getBlock(to);
      if (!before || !after || before.hash !== after.hash) return; // the range moved under us: try again next poll
      for (const log of logs) {
        const event = this.iface.parseLog(log);
        if (event) handlers.onEvent(event, log);
      }
      this.store.markProcessed(to, after.hash!);
      this.metrics.lastBlock.set(to);
      last = to;
    }
  }

  /** The last processed block that is still on the chain, rewinding the store if a reorg undid later ones. */
  private async checkForReorg(handlers: WatcherEvents): Promise<number> {
    const last = this.store.lastProcessedBlock();
    if (last === undefined) return this.options.startBlock - 1;
    const known = this.store.knownBlocks();
    for (const [index, block] of known.entries()) {
      const onChain = await this.provider.getBlock(block.number);
      if (onChain?.hash === block.hash) {
        if (index === 0) return last;
        this.rewind(block.number, last, handlers);
        return block.number;
      }
    }
    const ancestor = this.options.startBlock - 1;
    this.rewind(ancestor, last, handlers);
    return ancestor;
  }

  private rewind(ancestor: number, last: number, handlers: WatcherEvents): void {
    const { forgotten, revived } = this.store.rewindAfterReorg(ancestor, ancestor - REORG_LOOKBACK_BLOCKS);
    this.log.warn({ ancestor, last, forgotten, revived }, "chain reorganized: rewinding to the common ancestor and re-deriving");
    handlers.onReorg(ancestor);
  }
}
