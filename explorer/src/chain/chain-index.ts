/**
 * Everything the pages show, read straight from the chain over JSON-RPC: the logs of the
 * deployment's contracts from its first block (paged by the SDK's `getLogsPaged`), then
 * only the new blocks at each poll; the models, relayers and parameters read with views
 * when an event says they changed. No storage of its own: a reload reads it all again.
 */
import { toBeHex, type Provider } from "ethers";
import { deploymentStartBlock, getLogsPaged, getModel, type HighwayClient, type ModelInfo } from "../../../sdk/index.js";
import { EventDecoder, type ChainEvent, type ChainEventOf } from "./events.js";
import { applyRequestEvent, newRequest, type RequestRecord } from "./requests.js";

export interface RelayerRecord {
  address: string;
  stake: bigint;
  locked: bigint;
  unbonding: bigint;
  jobsServed: number;
  jobsSlashed: number;
}

export interface ProtocolState {
  params: { name: string; value: string }[];
  jobBond: bigint;
  treasury: string;
  paused: boolean;
  /** Accrued and not yet paid to the treasury. */
  protocolFeesPending: bigint;
}

export interface SyncState {
  /** The last block read. */
  block: number;
  /** Its timestamp: the chain's clock. */
  chainTime: number;
  loading: boolean;
  error?: string;
}

export class ChainIndex {
  readonly decoder: EventDecoder;
  readonly requests = new Map<bigint, RequestRecord>();
  /** Requests newest first. */
  ordered: RequestRecord[] = [];
  readonly models = new Map<string, ModelInfo>();
  readonly relayers = new Map<string, RelayerRecord>();
  /** Withdrawal, ModelEarningsWithdrawn and ProtocolFeesWithdrawn events, oldest first. */
  readonly payouts: ChainEventOf<"Withdrawal" | "ModelEarningsWithdrawn" | "ProtocolFeesWithdrawn">[] = [];
  /** Timestamps of the blocks that hold a request's event. */
  readonly blockTimes = new Map<number, number>();
  protocol?: ProtocolState;
  sync: SyncState = { block: -1, chainTime: 0, loading: true };
  /** The wall-clock time (ms) of the last read, to move the chain's clock on between reads. */
  syncedAt = Date.now();
  /** Bumped after each change: what the pages re-render on. */
  version = 0;

  private readonly listeners = new Set<() => void>();
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;

  constructor(readonly client: HighwayClient) {
    this.decoder = new EventDecoder(client);
  }

  get provider(): Provider {
    return this.client.provider;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Polls for new blocks every `intervalMs` until `stop`. */
  start(intervalMs = 1_500): void {
    this.running = true;
    const tick = async () => {
      await this.refresh();
      if (this.running) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Reads every block since the last one read; a failure is shown and retried at the next poll. */
  async refresh(): Promise<void> {
    try {
      const head = await this.provider.getBlock("latest");
      if (!head) return;
      if (head.number === this.sync.block && !this.sync.loading) return;
      const from = this.sync.block < 0 ? deploymentStartBlock(this.client.deployment) : this.sync.block + 1;
      const logs = from <= head.number ? await getLogsPaged(this.provider, { address: this.decoder.addresses }, from, head.number) : [];
      const events = logs.flatMap((log) => this.decoder.decode(log) ?? []);
      await this.apply(events, this.sync.block < 0);
      this.sync = { block: head.number, chainTime: head.timestamp, loading: false };
      this.syncedAt = Date.now();
    } catch (error) {
      this.sync = { ...this.sync, loading: false, error: `cannot read the chain: ${(error as Error).message.split("\n")[0]}` };
    }
    this.version++;
    for (const listener of this.listeners) listener();
  }

  private async apply(events: ChainEvent[], first: boolean): Promise<void> {
    const models = new Set<string>();
    const relayers = new Set<string>();
    let settings = first;
    let added = false;
    const timed = new Set<number>();
    for (const event of events) {
      switch (event.kind) {
        case "ModelChanged":
          models.add(event.modelId);
          break;
        case "RelayerChanged":
          relayers.add(event.relayer);
          break;
        case "Other":
          settings = true;
          break;
        case "Withdrawal":
        case "ModelEarningsWithdrawn":
        case "ProtocolFeesWithdrawn":
          this.payouts.push(event);
          timed.add(event.block);
          settings = true;
          break;
        default: {
          if (event.kind === "RequestCreated" || (event.kind === "CachedRequestFulfilled" && !this.requests.has(event.requestId))) {
            if (!this.requests.has(event.requestId)) {
              this.requests.set(event.requestId, newRequest(event));
              added = true;
            }
          }
          const record = this.requests.get(event.requestId);
          if (!record) break;
          applyRequestEvent(record, event);
          if (event.kind !== "RequestCreated") timed.add(event.block);
          if (event.kind === "RequestFulfilled" || event.kind === "CachedRequestFulfilled" || event.kind === "RelayerSlashed")
            settings = true;
          if (event.kind === "RequestClaimed" || event.kind === "RequestFulfilled" || event.kind === "RelayerSlashed") {
            relayers.add((event as { relayer?: string; payee?: string }).relayer ?? (event as { payee: string }).payee);
          }
        }
      }
    }
    if (added) this.ordered = [...this.requests.values()].sort((a, b) => b.createdBlock - a.createdBlock || bigintOrder(b, a));
    await Promise.all([
      this.readBlockTimes([...timed].filter((block) => !this.blockTimes.has(block))),
      ...[...models].map(async (modelId) => this.models.set(modelId, await getModel(this.client, modelId))),
      ...[...relayers].map((address) => this.readRelayer(address)),
      // A relayer's locked bond and jobs counts move with the coordinator's events too: read the known ones again.
      ...(events.length > 0 ? [...this.relayers.keys()].filter((address) => !relayers.has(address)).map((a) => this.readRelayer(a)) : []),
      settings || events.length > 0 ? this.readProtocol() : undefined,
    ]);
  }

  private async readBlockTimes(blocks: number[]): Promise<void> {
    await Promise.all(
      blocks.map(async (number) => {
        const block = await this.provider.getBlock(number);
        if (block) this.blockTimes.set(number, block.timestamp);
      }),
    );
  }

  private async readRelayer(address: string): Promise<void> {
    const record = await this.client.staking.relayerOf(address);
    this.relayers.set(address, {
      address,
      stake: record.stake,
      locked: record.locked,
      unbonding: record.unbonding,
      jobsServed: Number(record.jobsServed),
      jobsSlashed: Number(record.jobsSlashed),
    });
  }

  private async readProtocol(): Promise<void> {
    const { coordinator } = this.client;
    const [params, treasury, paused, pending] = await Promise.all([
      coordinator.getParams(),
      coordinator.treasury(),
      coordinator.paused(),
      coordinator.protocolFees(),
    ]);
    const names = coordinator.interface.getFunction("getParams").outputs[0].components!.map((component) => component.name);
    this.protocol = {
      params: names.map((name, i) => ({ name, value: String(params[i]) })),
      jobBond: params.jobBond,
      treasury,
      paused,
      protocolFeesPending: pending,
    };
  }

  /** The time of a block that holds a request's event (undefined until read). */
  timeOf(block: number | undefined): number | undefined {
    return block === undefined ? undefined : this.blockTimes.get(block);
  }

  /** A request by its id in hex (as the page's address names it). */
  request(idHex: string): RequestRecord | undefined {
    try {
      return this.requests.get(BigInt(idHex));
    } catch {
      return undefined;
    }
  }
}

function bigintOrder(a: RequestRecord, b: RequestRecord): number {
  const ea = a.events[0];
  const eb = b.events[0];
  return (ea?.index ?? 0) - (eb?.index ?? 0);
}

/** A request id as the page shows it and links to it: 0x and 64 hex digits. */
export function hexId(requestId: bigint): string {
  return toBeHex(requestId, 32);
}
