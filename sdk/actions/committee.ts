/**
 * A language-model dispute's committee vote (CommitteeArbiter, docs/DESIGN.md "Language models:
 * disputes settled by a committee"), read from the arbiter's events: who challenged, the committee
 * drawn, who committed and revealed what, who was penalised, and how the vote ended.
 */
import type { EventLog } from "ethers";
import { getRequestLogs, type HighwayClient } from "../client.js";
import { DISPUTE_OUTCOMES, type DisputeOutcome } from "../protocol.js";

/** Where a committee vote on a challenged language-model answer stands. */
export interface CommitteeVote {
  requestId: bigint;
  challenger: string;
  /** The block whose hash draws the committee (the challenge's; a later one when the draw came 256 blocks too late). */
  seedBlock: number;
  /** Once drawn: the members, by seat. */
  members?: string[];
  /** Once drawn: when the commit phase ends at the latest (unix seconds). */
  commitEndsAt?: number;
  /** The members that committed a vote, in the order they did. */
  committed: string[];
  /** The votes revealed, in order: each member's answer (hex bytes) and its hash. */
  revealed: { member: string; outputHash: string; output: string }[];
  /** Members that did not reveal, and what each lost of its seat's bond. */
  penalised: { member: string; amount: bigint }[];
  /** Once resolved: the outcome, the winning answer's hash and its votes (zero without a majority). */
  resolved?: { outcome: DisputeOutcome; majorityHash: string; votes: number };
}

/** The committee arbiter's events about a request (its id is their first indexed argument), oldest first. */
export async function getCommitteeEvents(
  client: HighwayClient,
  requestId: bigint,
  range: { fromBlock?: number; toBlock?: number } = {},
): Promise<EventLog[]> {
  const arbiter = client.committeeArbiter;
  if (!arbiter) return [];
  return getRequestLogs(client, client.deployment.committeeArbiter!, arbiter.interface, requestId, range);
}

/**
 * The committee vote the arbiter's events about a request record (the latest, should the request have
 * been challenged again); undefined while nobody challenged it through the arbiter.
 */
export function committeeVoteFromEvents(requestId: bigint, events: readonly EventLog[]): CommitteeVote | undefined {
  let vote: CommitteeVote | undefined;
  for (const event of events) {
    const args = event.args;
    if (event.eventName === "CommitteeSeeded") {
      // A new challenge (after an earlier vote ended) starts a new vote; a re-seed of an undrawn one only moves its block.
      if (!vote || vote.resolved)
        vote = { requestId, challenger: args.challenger as string, seedBlock: 0, committed: [], revealed: [], penalised: [] };
      vote.seedBlock = Number(args.seedBlock);
    }
    if (!vote) continue;
    switch (event.eventName) {
      case "CommitteeDrawn":
        vote.members = [...(args.members as string[])];
        vote.commitEndsAt = Number(args.commitEndsAt);
        break;
      case "VoteCommitted":
        vote.committed.push(args.member as string);
        break;
      case "VoteRevealed":
        vote.revealed.push({ member: args.member as string, outputHash: args.outputHash as string, output: args.output as string });
        break;
      case "MemberPenalised":
        vote.penalised.push({ member: args.member as string, amount: args.amount as bigint });
        break;
      case "VoteResolved":
        vote.resolved = {
          outcome: DISPUTE_OUTCOMES[Number(args.outcome)],
          majorityHash: args.majorityHash as string,
          votes: Number(args.votes),
        };
        break;
    }
  }
  return vote;
}

/** Where the committee vote on request `requestId` stands; undefined when it was never challenged through the arbiter. */
export async function getCommitteeVote(client: HighwayClient, requestId: bigint): Promise<CommitteeVote | undefined> {
  return committeeVoteFromEvents(requestId, await getCommitteeEvents(client, requestId));
}
