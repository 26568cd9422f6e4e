/**
 * Log queries in bounded block ranges from a deployment's first block: public RPC
 * providers refuse `fromBlock: 0` and wide ranges, so every reader of Highway's events
 * (the SDK, the relayer's catch-up, the scripts) pages through here.
 */
import { EventLog, type DeferredTopicFilter, type Filter, type Interface, type Log, type Provider } from "ethers";
import type { TypedContractEvent, TypedDeferredTopicFilter, TypedEventLog } from "../types/common.js";

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

/** The contract side of a query: where its events come from and how to decode them. */
export interface EventSource {
  readonly interface: Interface;
  getAddress(): Promise<string>;
}

/** What `contract.queryFilter(filter, fromBlock)` returns, fetched page by page: the decoded events, oldest first. */
export async function queryFilterPaged<E extends TypedContractEvent>(
  provider: Provider,
  contract: EventSource,
  filter: TypedDeferredTopicFilter<E> | DeferredTopicFilter,
  fromBlock: number,
  pageBlocks?: number,
): Promise<TypedEventLog<E>[]> {
  const query = { address: await contract.getAddress(), topics: await filter.getTopicFilter() };
  const logs = await getLogsPaged(provider, query, fromBlock, undefined, pageBlocks);
  return logs.map((log) => new EventLog(log, contract.interface, filter.fragment) as unknown as TypedEventLog<E>);
}
