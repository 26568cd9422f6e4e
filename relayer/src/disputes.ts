/**
 * The dispute game's transactions (commitChallenge, challenge, defend, proveFraud,
 * resolveDisputeTimeout), built in this one place on the `DisputeGame` contract's handle;
 * a language model's challenge is built here too, on the `CommitteeArbiter`'s handle (the same
 * two steps: both follow contracts/disputes/ChallengeCommitments.sol).
 * A challenge takes two transactions in two blocks: a commitment to
 * `keccak256(abi.encode(requestId, challenger, salt))`, then the reveal, which only the
 * committer can make (so a challenge copied from the mempool is worth nothing to its copier). The game's events are
 * emitted by the coordinator, where the watcher reads them, and the coordinator pulls the
 * challenge bond (so that is the allowance a challenger gives).
 */
import { AbiCoder, keccak256, type Interface } from "ethers";
import type { PlainTerms } from "../../sdk/terms.js";
import type { Call } from "./submitter.js";

/** What the dispute calls need of a contract: its address and its ABI. */
export interface DisputeContract {
  readonly interface: Interface;
  getAddress(): Promise<string>;
}

export class DisputeCalls {
  constructor(private readonly contract: DisputeContract) {}

  /** The commitment of `challenger`'s challenge of `requestId` with `salt` (DisputeGame.challengeCommitment). */
  static commitment(requestId: bigint, challenger: string, salt: string): string {
    return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "address", "bytes32"], [requestId, challenger, salt]));
  }

  /** Step one of a challenge: commits to it (names neither the request nor the salt). */
  commitChallenge(commitment: string): Promise<Call> {
    return this.call("commitChallenge", [commitment]);
  }

  /** Step two, in a later block: disputes another relayer's pending answer, posting `terms.challengeBond`. */
  challenge(requestId: bigint, terms: PlainTerms, salt: string): Promise<Call> {
    return this.call("challenge", [requestId, terms, salt]);
  }

  /** Proves our own disputed answer. */
  defend(requestId: bigint, terms: PlainTerms, input: string, output: string, proof: string): Promise<Call> {
    return this.call("defend", [requestId, terms, input, output, proof]);
  }

  /** Proves a different output than a disputed answer's, answering the request. */
  proveFraud(requestId: bigint, terms: PlainTerms, input: string, output: string, proof: string): Promise<Call> {
    return this.call("proveFraud", [requestId, terms, input, output, proof]);
  }

  /** Resolves a dispute whose defence window passed without a defence. */
  resolveDisputeTimeout(requestId: bigint, terms: PlainTerms): Promise<Call> {
    return this.call("resolveDisputeTimeout", [requestId, terms]);
  }

  private async call(name: string, args: readonly unknown[]): Promise<Call> {
    return { to: await this.contract.getAddress(), data: this.contract.interface.encodeFunctionData(name, args) };
  }
}
