/**
 * The CLI's progress lines for a language-model request (sdk/cli/output.ts, languageProgressLines):
 * each step once, in order, for the outcomes the CLI test's committee (fraud proven) does not reach:
 * the posted answer upheld, and a vote without a majority whose silent member is penalised.
 */
import { expect } from "chai";
import { hexlify, keccak256, toUtf8Bytes, ZeroAddress } from "ethers";
import type { CommitteeVote, RequestProgress } from "../../sdk/index.js";
import { languageProgressLines } from "../../sdk/cli/output.js";
import type { RequestTerms } from "../../sdk/terms.js";

const RELAYER = "0x1111111111111111111111111111111111111111";
const CHALLENGER = "0x2222222222222222222222222222222222222222";
const MEMBERS = [
  "0xaAaAaAaaAaAaAaaAaAAAAAAAAaaaAaAaAaaAaaAa",
  "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB",
  "0xcCCCcCcCcCCcCCcCcCCCCcCcCcCcCcCcCcCcCcCc",
];
const POSTED = hexlify(toUtf8Bytes("NEUTRAL"));
const OTHER = hexlify(toUtf8Bytes("POSITIVE"));
const NOW = 1_800_000_000;

function progress(status: RequestProgress["status"], committee?: CommitteeVote): RequestProgress {
  return {
    requestId: 7n,
    status,
    chainTime: NOW,
    terms: { modelKind: 1n, deadline: BigInt(NOW + 3_600) } as unknown as RequestTerms,
    cached: false,
    relayer: status === "open" ? ZeroAddress : RELAYER,
    callbackPending: false,
    expired: false,
    postedOutput: status === "open" || status === "claimed" ? undefined : POSTED,
    ...(status === "pending" ? { window: { name: "challenge" as const, endsAt: NOW + 60 } } : {}),
    ...(committee ? { committee } : {}),
  };
}

function vote(parts: Partial<CommitteeVote>): CommitteeVote {
  return { requestId: 7n, challenger: CHALLENGER, seedBlock: 10, committed: [], revealed: [], penalised: [], ...parts };
}

/** Every line a watch prints over the sequence of progress reads. */
function lines(sequence: RequestProgress[]): string[] {
  return sequence.flatMap((after, i) => languageProgressLines(sequence[i - 1], after));
}

describe("a language-model request's progress lines", () => {
  it("show the posted answer and its window's end, then a vote upholding it, each step once", () => {
    const drawn = { members: MEMBERS, commitEndsAt: NOW + 600 };
    const revealed = MEMBERS.map((member) => ({ member, outputHash: keccak256(POSTED), output: POSTED }));
    const shown = lines([
      progress("pending"),
      progress("pending"),
      progress("disputed", vote({})),
      progress("disputed", vote({ ...drawn, committed: MEMBERS.slice(0, 2) })),
      progress("disputed", vote({ ...drawn, committed: MEMBERS, revealed })),
      progress(
        "fulfilled",
        vote({ ...drawn, committed: MEMBERS, revealed, resolved: { outcome: "defended", majorityHash: keccak256(POSTED), votes: 3 } }),
      ),
    ]);
    expect(shown).to.deep.equal([
      `answered: "NEUTRAL" by ${RELAYER} (pending: challenge window ends at 2027-01-15T08:01:00Z, in 60 s)`,
      `challenged by ${CHALLENGER}: a committee of staked relayers re-runs the request and votes`,
      `committee drawn: ${MEMBERS.join(", ")} (commits until 2027-01-15T08:10:00Z)`,
      `vote committed by ${MEMBERS[0]} (1 of 3)`,
      `vote committed by ${MEMBERS[1]} (2 of 3)`,
      `vote committed by ${MEMBERS[2]} (3 of 3)`,
      ...MEMBERS.map((member, i) => `vote revealed by ${member}: the posted answer (${i + 1} of 3)`),
      "vote resolved: defended (the posted answer stands; the challenger loses its bond; 3 of 3 votes for the winning answer)",
      "fulfilled",
    ]);
  });

  it("name a member that did not reveal and a vote without a majority, which refunds the request", () => {
    const drawn = { members: MEMBERS, commitEndsAt: NOW + 600, committed: MEMBERS };
    const revealed = [
      { member: MEMBERS[0], outputHash: keccak256(POSTED), output: POSTED },
      { member: MEMBERS[1], outputHash: keccak256(OTHER), output: OTHER },
    ];
    const end = vote({
      ...drawn,
      revealed,
      penalised: [{ member: MEMBERS[2], amount: 25n * 10n ** 18n }],
      resolved: { outcome: "voided", majorityHash: `0x${"0".repeat(64)}`, votes: 0 },
    });
    const shown = lines([progress("disputed", vote({ ...drawn })), progress("refunded", end)]);
    expect(shown.slice(-5)).to.deep.equal([
      `vote revealed by ${MEMBERS[0]}: the posted answer (1 of 3)`,
      `vote revealed by ${MEMBERS[1]}: another answer, "POSITIVE" (2 of 3)`,
      `${MEMBERS[2]} did not reveal: it lost 25 tokens of its seat's bond`,
      "vote resolved: voided (no majority; the request is refunded and nobody is slashed)",
      "refunded",
    ]);
  });
});
