/**
 * The explorer's one decoder: every log of the deployment's contracts becomes a typed
 * `ChainEvent` here, with the SDK's own contract interfaces (the TypeChain ABIs a
 * `HighwayClient` holds), and every request input and answer is read at the model's
 * scales here (a circuit model's tensors, a language model's UTF-8 text). Nothing else in
 * the explorer parses a log or an output: a change of the protocol's encodings
 * (docs/DESIGN.md) changes this file alone.
 */
import { LogDescription, type EventFragment, type Interface, type Log } from "ethers";
import {
  decodeTensor,
  decodeText,
  dequantize,
  termsFromEvent,
  type HighwayClient,
  type ModelInfo,
  type RequestTerms,
  type TensorSpec,
} from "../../../sdk/index.js";

/** An answer as the chain carries it: its bytes (hex), a tensor or UTF-8 text by the model's kind. */
export type RawOutput = string;

/** An input or an output read at the model's scale. */
export interface DecodedTensor {
  kind: "tensor";
  /** The quantized values, as on chain. */
  raw: bigint[];
  /** What they stand for: raw / 2^scale. */
  values: number[];
  scale: number;
}

/** What the page shows of a request's input or answer (`undecodable` when the bytes do not match the model's shape). */
export type DecodedData = DecodedTensor | { kind: "text"; text: string } | { kind: "undecodable"; why: string };

/** Where a log is in the chain. */
export interface LogPosition {
  block: number;
  /** The log's index in its block. */
  index: number;
  tx: string;
}

/** Every event of the coordinator, the registry and the staking contract the explorer reads, normalized. */
export type ChainEvent = LogPosition &
  (
    | { kind: "RequestCreated"; requestId: bigint; modelId: string; requester: string; terms: RequestTerms; input: string }
    | { kind: "CachedRequestFulfilled"; requestId: bigint; modelId: string; requester: string; terms: RequestTerms; output: RawOutput }
    | { kind: "RequestClaimed"; requestId: bigint; relayer: string; computeFee: bigint }
    | { kind: "RequestFulfilled"; requestId: bigint; payee: string; output: RawOutput; computeFee: bigint; proven: boolean }
    | { kind: "OptimisticSubmitted"; requestId: bigint; relayer: string; output: RawOutput }
    | { kind: "Challenged"; requestId: bigint; challenger: string; bond: bigint }
    | { kind: "Defended"; requestId: bigint; relayer: string; challenger: string }
    | { kind: "FraudProven"; requestId: bigint; prover: string; relayer: string; output: RawOutput }
    | { kind: "DisputeTimedOut"; requestId: bigint; relayer: string; challenger: string }
    | { kind: "DisputeVoided"; requestId: bigint; relayer: string; challenger: string }
    | { kind: "RequestReopened"; requestId: bigint; previousRelayer: string }
    | { kind: "RelayerSlashed"; requestId: bigint; relayer: string; amount: bigint }
    | { kind: "RequestRefunded"; requestId: bigint; amount: bigint }
    | { kind: "MaxComputeFeeRaised"; requestId: bigint; maxComputeFee: bigint; topUp: bigint }
    | { kind: "CallbackDelivered"; requestId: bigint }
    | { kind: "CallbackFailed"; requestId: bigint; gasUsed: bigint; reason: string }
    | { kind: "Withdrawal"; account: string; amount: bigint }
    | { kind: "ModelEarningsWithdrawn"; modelId: string; owner: string; amount: bigint }
    | { kind: "ProtocolFeesWithdrawn"; treasury: string; amount: bigint }
    /** Any registry event: the model it names is read again. */
    | { kind: "ModelChanged"; name: string; modelId: string }
    /** Any staking event naming a relayer: its record is read again. */
    | { kind: "RelayerChanged"; name: string; relayer: string; amount?: bigint }
    /** Anything else the contracts emit (parameters, pauses, roles): the protocol's settings are read again. */
    | { kind: "Other"; name: string }
  );

export type ChainEventOf<K extends ChainEvent["kind"]> = Extract<ChainEvent, { kind: K }>;

/** The coordinator's events whose first argument is a request id. */
export type RequestEvent = Extract<ChainEvent, { requestId: bigint }>;

/** The decoder of one deployment's logs. */
export class EventDecoder {
  private readonly coordinator: string;
  private readonly registry: string;
  private readonly staking: string;

  constructor(private readonly client: HighwayClient) {
    this.coordinator = client.deployment.coordinator.toLowerCase();
    this.registry = client.deployment.registry.toLowerCase();
    this.staking = client.deployment.staking.toLowerCase();
  }

  /** The contracts whose logs the explorer reads (one `eth_getLogs` filter covers them all). */
  get addresses(): string[] {
    return [this.client.deployment.coordinator, this.client.deployment.registry, this.client.deployment.staking];
  }

  /** One log as a ChainEvent; undefined for a log none of the interfaces knows. */
  decode(log: Log): ChainEvent | undefined {
    const address = log.address.toLowerCase();
    const at: LogPosition = { block: log.blockNumber, index: log.index, tx: log.transactionHash };
    if (address === this.coordinator) {
      const event = this.parse(this.client.coordinator.interface, log);
      return event ? { ...at, ...coordinatorEvent(event) } : undefined;
    }
    if (address === this.registry) {
      const event = this.parse(this.client.registry.interface, log);
      if (!event) return undefined;
      const modelId = event.fragment.inputs[0]?.name === "modelId" ? (event.args[0] as string).toLowerCase() : undefined;
      return modelId ? { ...at, kind: "ModelChanged", name: event.name, modelId } : { ...at, kind: "Other", name: event.name };
    }
    if (address === this.staking) {
      const event = this.parse(this.client.staking.interface, log);
      if (!event) return undefined;
      if (event.fragment.inputs[0]?.name !== "relayer") return { ...at, kind: "Other", name: event.name };
      const amount = event.fragment.inputs[1]?.name === "amount" ? (event.args[1] as bigint) : undefined;
      return { ...at, kind: "RelayerChanged", name: event.name, relayer: event.args[0] as string, amount };
    }
    return undefined;
  }

  /** `iface.parseLog(log)`, with the event found by its topic in a map. */
  private parse(iface: Interface, log: Log): LogDescription | undefined {
    const fragment = fragmentOf(iface, log.topics[0]);
    if (!fragment || fragment.anonymous) return undefined;
    try {
      return new LogDescription(fragment, fragment.topicHash, iface.decodeEventLog(fragment, log.data, log.topics));
    } catch {
      return undefined; // data that does not decode as its event: not one of ours
    }
  }
}

/** Each interface's events by their topic: `Interface.parseLog` searches them anew for every log, which costs as much as decoding it. */
const eventsByTopic = new WeakMap<Interface, Map<string, EventFragment>>();

function fragmentOf(iface: Interface, topic: string | undefined): EventFragment | undefined {
  let events = eventsByTopic.get(iface);
  if (!events) {
    const made = new Map<string, EventFragment>();
    iface.forEachEvent((fragment) => made.set(fragment.topicHash, fragment));
    eventsByTopic.set(iface, (events = made));
  }
  return topic === undefined ? undefined : events.get(topic);
}

type Decoded = ChainEvent extends infer E ? (E extends ChainEvent ? Omit<E, keyof LogPosition> : never) : never;

function coordinatorEvent(event: LogDescription): Decoded {
  const a = event.args;
  switch (event.name) {
    case "RequestCreated":
      return {
        kind: event.name,
        requestId: a.requestId,
        modelId: (a.modelId as string).toLowerCase(),
        requester: a.requester,
        terms: termsFromEvent(a.terms),
        input: a.input,
      };
    case "CachedRequestFulfilled":
      return {
        kind: event.name,
        requestId: a.requestId,
        modelId: (a.modelId as string).toLowerCase(),
        requester: a.requester,
        terms: termsFromEvent(a.terms),
        output: outputOf(a.output),
      };
    case "RequestClaimed":
      return { kind: event.name, requestId: a.requestId, relayer: a.relayer, computeFee: a.computeFee };
    case "RequestFulfilled":
      return {
        kind: event.name,
        requestId: a.requestId,
        payee: a.payee,
        output: outputOf(a.output),
        computeFee: a.computeFee,
        proven: a.proven,
      };
    case "OptimisticSubmitted":
      return { kind: event.name, requestId: a.requestId, relayer: a.relayer, output: outputOf(a.output) };
    case "Challenged":
      return { kind: event.name, requestId: a.requestId, challenger: a.challenger, bond: a.bond };
    case "Defended":
      return { kind: event.name, requestId: a.requestId, relayer: a.relayer, challenger: a.challenger };
    case "FraudProven":
      return { kind: event.name, requestId: a.requestId, prover: a.prover, relayer: a.relayer, output: outputOf(a.output) };
    case "DisputeTimedOut":
    case "DisputeVoided":
      return { kind: event.name, requestId: a.requestId, relayer: a.relayer, challenger: a.challenger };
    case "RequestReopened":
      return { kind: event.name, requestId: a.requestId, previousRelayer: a.previousRelayer };
    case "RelayerSlashed":
      return { kind: event.name, requestId: a.requestId, relayer: a.relayer, amount: a.amount };
    case "RequestRefunded":
      return { kind: event.name, requestId: a.requestId, amount: a.amount };
    case "MaxComputeFeeRaised":
      return { kind: event.name, requestId: a.requestId, maxComputeFee: a.maxComputeFee, topUp: a.topUp };
    case "CallbackDelivered":
      return { kind: event.name, requestId: a.requestId };
    case "CallbackFailed":
      return { kind: event.name, requestId: a.requestId, gasUsed: a.gasUsed, reason: a.reason };
    case "Withdrawal":
      return { kind: event.name, account: a.account, amount: a.amount };
    case "ModelEarningsWithdrawn":
      return { kind: event.name, modelId: (a.modelId as string).toLowerCase(), owner: a.owner, amount: a.amount };
    case "ProtocolFeesWithdrawn":
      return { kind: event.name, treasury: a.treasury, amount: a.amount };
    default:
      return { kind: "Other", name: event.name };
  }
}

function outputOf(value: unknown): RawOutput {
  return (value as string).toLowerCase();
}

/** The model facts decoding needs: its kind and its tensors' shapes and scales. */
type ModelShape = Pick<ModelInfo, "kind" | "input" | "output">;

/** A request's input bytes: a language model's text, or a circuit model's tensor at its input scale. */
export function decodeRequestInput(input: string, model: ModelShape | undefined): DecodedData {
  return decodeBytes(input, model, model?.input);
}

/** An answer's bytes: a language model's text, or a circuit model's tensor at its output scale. */
export function decodeOutput(output: RawOutput, model: ModelShape | undefined): DecodedData {
  return decodeBytes(output, model, model?.output);
}

/** Whether two answers are the same output (a fraud proof's output differs from the posted one). */
export function sameOutput(a: RawOutput, b: RawOutput): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function decodeBytes(bytes: string, model: ModelShape | undefined, spec: TensorSpec | undefined): DecodedData {
  if (model?.kind === "language") {
    try {
      return { kind: "text", text: decodeText(bytes) };
    } catch {
      return { kind: "undecodable", why: "the bytes are not UTF-8 text" };
    }
  }
  let raw: bigint[];
  try {
    raw = decodeTensor(bytes);
  } catch {
    return { kind: "undecodable", why: "the bytes are not a tensor (a width byte, then whole values)" };
  }
  const scale = spec?.scale ?? 0;
  if (spec && raw.length !== spec.length) return { kind: "undecodable", why: `${raw.length} values where the model has ${spec.length}` };
  return { kind: "tensor", raw, values: raw.map((value) => dequantize(value, scale)), scale };
}

/** A decoded input or output as one line of text, for tables and the page. */
export function describeData(data: DecodedData, digits = 4): string {
  if (data.kind === "undecodable") return `(${data.why})`;
  if (data.kind === "text") return data.text;
  return data.values.map((value) => Number(value.toFixed(digits)).toString()).join(", ");
}
