/**
 * Log queries in bounded block ranges from a deployment's first block: public RPC
 * providers refuse `fromBlock: 0` and wide ranges, so every reader of Highway's events
 * (the SDK, the relayer's catch-up, the scripts) pages through here.
 */
import type { Filter, Log, Provider } from "ethers";

/** Blocks per `eth_getLogs` call: within what public providers accept (commonly 10,000 at most). */
export const LOG_PAGE_BLOCKS = 5_000;

/** Every log matching `filter` from `fromBlock` to `toBlock` (default: the latest block), page by page, oldest first. */
export async function getLogsPaged(
  provider: Provider,
  filter: Omit<Filter, "fromBlock" | "toBlock">,
  fromBlock: number,
  toBlock?: number,
  pageBlocks: number = LOG_PAGE_BLOCKS,
): Promise<Log[]> {
  const last = toBlock ?? (await provider.getBlockNumber());
  const logs: Log[] = [];
  for (let from = fromBlock; from <= last; from += pageBlocks) {
    const to = Math.min(from + pageBlocks - 1, last);
    logs.push(...(await provider.getLogs({ ...filter, fromBlock: from, toBlock: to })));
  }
  return logs;
}
