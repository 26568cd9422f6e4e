/**
 * The relayer's committee seat: when the committee arbiter draws it to judge a disputed language-model
 * answer, it re-runs the request under the model's runtime spec, commits the hash of its answer, reveals
 * it once reveals open, and resolves the vote once it can be resolved (anyone may; the first to try wins
 * the race, the others' calls are refused and dropped). It votes only for models whose registered
 * runtime spec hash is its own spec's: with another spec its answer would be another's, not a vote.
 *
 * The salt of a commitment is the hash of the relayer's signature over the request's id: secret (no one
 * else can sign it) and the same after a restart, so a seat needs no storage between commit and reveal
 * (the answer is computed again: it is deterministic).
 */
import { AbiCoder, getBytes, hexlify, keccak256, type LogDescription } from "ethers";
import type { CommitteeArbiter } from "../../types/contracts/CommitteeArbiter.js";
import { runtimeSpecHash } from "../../sdk/runtime-spec.js";
import type { Logger } from "../src/logger.js";
import type { Call, SendResult } from "../src/submitter.js";
import type { LanguageRuntime } from "./runtime.js";

/** What a seat needs to know about the disputed request (from its `RequestCreated` event). */
export interface DisputedRequest {
  modelId: string;
  /** The request's input bytes (UTF-8). */
  input: Uint8Array;
  /** The most answer bytes the request accepts (its terms' output size). */
  maxOutputBytes: number;
  /** The request's current terms, passed to `draw` and `resolve`. */
  terms: unknown;
}

export interface CommitteeVoterDeps {
  arbiter: CommitteeArbiter;
  /** Our address. */
  address: string;
  /** The language models we run, by lowercase model id. */
  runtimes: ReadonlyMap<string, LanguageRuntime>;
  /** The runtime spec hash the registry holds for a model. */
  registeredSpecHash: (modelId: string) => Promise<string>;
  /** The disputed request, if we know it. */
  request: (requestId: bigint) => DisputedRequest | undefined;
  /** Signs a message with our key (EIP-191), for the commitments' salts. */
  sign: (message: string) => Promise<string>;
  /** Sends a transaction; a refused call comes back as `{ ok: false, error }`. */
  send: (action: string, call: Call) => Promise<SendResult>;
  log: Logger;
}

/** A seat of ours on a drawn committee. */
interface Seat {
  requestId: bigint;
  seat: number;
  modelId: string;
  members: string[];
  /** Our answer, once computed. */
  answer?: Uint8Array;
  /** Why we do not vote, once decided. */
  refusal?: string;
}

/** Custom errors that mean another party moved the vote first, or that it is not time yet: dropped or retried. */
const NOT_NOW = new Set(["RevealWindowNotOpen", "VoteStillOpen", "DrawTooEarly"]);
const DONE = new Set(["CommitteeNotDrawn", "CommitteeAlreadyDrawn", "WrongStatus", "AlreadyVoted"]);

/** Sits on the committees the arbiter draws us to, and moves every vote it knows of forward. */
export class CommitteeVoter {
  private readonly seats = new Map<bigint, Seat>();
  /** Disputes challenged but not drawn yet: anyone may draw once the challenge's block is past. */
  private readonly undrawn = new Set<bigint>();
  /** Disputes drawn and not resolved, with their committees: anyone may resolve them once due. */
  private readonly open = new Map<bigint, string[]>();

  constructor(private readonly deps: CommitteeVoterDeps) {}

  /** An arbiter event, in chain order. */
  onEvent(event: LogDescription): void {
    const requestId = event.args.requestId as bigint;
    if (event.name === "CommitteeSeeded") this.undrawn.add(requestId);
    if (event.name === "CommitteeDrawn") {
      this.undrawn.delete(requestId);
      const members = [...(event.args.members as string[])];
      this.open.set(requestId, members);
      const seat = members.findIndex((m) => m.toLowerCase() === this.deps.address.toLowerCase());
      if (seat >= 0) {
        this.seats.set(requestId, { requestId, seat, modelId: String(event.args.modelId).toLowerCase(), members });
        this.deps.log.info({ request: requestId.toString(), seat }, "drawn to a committee");
      }
    }
    if (event.name === "VoteResolved") {
      this.undrawn.delete(requestId);
      this.open.delete(requestId);
      this.seats.delete(requestId);
    }
  }

  /** Our seats, for the health endpoint and tests. */
  seatsHeld(): bigint[] {
    return [...this.seats.keys()];
  }

  /** Takes every step that is due: draws, our commits and reveals, and resolutions. */
  async tick(): Promise<void> {
    for (const requestId of [...this.undrawn]) await this.draw(requestId);
    for (const seat of [...this.seats.values()]) await this.vote(seat);
    for (const [requestId, members] of [...this.open]) await this.resolve(requestId, members);
  }

  private async draw(requestId: bigint): Promise<void> {
    const request = this.deps.request(requestId);
    if (!request) return;
    const { arbiter } = this.deps;
    await this.sendTo("draw", arbiter.interface.encodeFunctionData("draw", [requestId, request.terms as never]), requestId, () =>
      this.undrawn.delete(requestId),
    );
  }

  private async vote(seat: Seat): Promise<void> {
    if (seat.refusal) return;
    const { arbiter, address } = this.deps;
    const [, , committedMask, revealedMask] = await arbiter.voteOf(seat.requestId);
    const bit = 1n << BigInt(seat.seat);
    if ((revealedMask & bit) !== 0n) return;
    const answer = await this.answer(seat);
    if (!answer) return;
    const salt = keccak256(await this.deps.sign(`highway committee salt ${await arbiter.getAddress()} ${seat.requestId}`));
    if ((committedMask & bit) === 0n) {
      const commitment = keccak256(
        AbiCoder.defaultAbiCoder().encode(["uint256", "address", "bytes32", "bytes32"], [seat.requestId, address, keccak256(answer), salt]),
      );
      await this.sendTo(
        "commit",
        arbiter.interface.encodeFunctionData("commit", [seat.requestId, seat.members, seat.seat, commitment]),
        seat.requestId,
      );
      return;
    }
    await this.sendTo(
      "reveal",
      arbiter.interface.encodeFunctionData("reveal", [seat.requestId, seat.members, seat.seat, answer, salt]),
      seat.requestId,
    );
  }

  /** Our answer to the seat's request under its model's spec, computed once; undefined when we do not vote. */
  private async answer(seat: Seat): Promise<Uint8Array | undefined> {
    if (seat.answer) return seat.answer;
    const runtime = this.deps.runtimes.get(seat.modelId);
    const request = this.deps.request(seat.requestId);
    const refuse = (reason: string) => {
      seat.refusal = reason;
      this.deps.log.warn({ request: seat.requestId.toString(), model: seat.modelId }, `not voting: ${reason}`);
      return undefined;
    };
    if (!runtime) return refuse("we do not run this model");
    if (!request) return undefined; // the request's event is not processed yet
    const registered = (await this.deps.registeredSpecHash(seat.modelId)).toLowerCase();
    const ours = runtimeSpecHash(runtime.spec).toLowerCase();
    if (registered !== ours) return refuse(`runtime spec mismatch: the registry holds ${registered}, ours is ${ours}`);
    seat.answer = (await runtime.answer(request.input, request.maxOutputBytes)).output;
    this.deps.log.info({ request: seat.requestId.toString(), answer: hexlify(seat.answer) }, "committee answer computed");
    return seat.answer;
  }

  private async resolve(requestId: bigint, members: string[]): Promise<void> {
    const request = this.deps.request(requestId);
    if (!request) return;
    const { arbiter } = this.deps;
    const [, revealEndsAt, , revealedMask] = await arbiter.voteOf(requestId);
    const allRevealed = revealedMask === (1n << BigInt(members.length)) - 1n;
    const block = await arbiter.runner!.provider!.getBlock("latest");
    if (!allRevealed && BigInt(block!.timestamp) <= revealEndsAt) return;
    const output = await this.majorityOutput(requestId);
    await this.sendTo(
      "resolve",
      arbiter.interface.encodeFunctionData("resolve", [requestId, request.terms as never, members, output]),
      requestId,
      () => this.open.delete(requestId),
    );
  }

  /** The answer the arbiter's majority revealed (from its `VoteRevealed` events), or empty without a majority. */
  private async majorityOutput(requestId: bigint): Promise<string> {
    const { arbiter } = this.deps;
    const [hash, votes] = await arbiter.majorityOf(requestId);
    if (votes === 0n) return "0x";
    const reveals = await arbiter.queryFilter(arbiter.filters.VoteRevealed(requestId));
    const reveal = reveals.find((log) => String(log.args.outputHash) === hash);
    return reveal ? hexlify(getBytes(reveal.args.output)) : "0x";
  }

  /** Sends a call to the arbiter; `done` runs when it was mined or another party made it moot. */
  private async sendTo(action: string, data: string, requestId: bigint, done?: () => void): Promise<void> {
    const result = await this.deps.send(action, { to: await this.deps.arbiter.getAddress(), data });
    const fields = { request: requestId.toString(), action };
    if (result.ok) {
      this.deps.log.info({ ...fields, gas: result.gasUsed.toString() }, `${action} mined`);
      done?.();
    } else if (DONE.has(result.error)) {
      this.deps.log.debug({ ...fields, error: result.error }, `${action}: another party got there first`);
      done?.();
    } else if (!NOT_NOW.has(result.error)) {
      this.deps.log.warn({ ...fields, error: result.error }, `${action} failed`);
    }
  }
}
