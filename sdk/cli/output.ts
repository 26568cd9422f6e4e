/** How the CLI shows things: request ids in hex, amounts in tokens, times as countdowns. */
import { keccak256, toBeHex, ZeroAddress } from "ethers";
import { printTable } from "../format.js";
import { decodeText, MODEL_KINDS, type InferenceResult, type ModelInfo, type RequestProgress } from "../index.js";
import { formatTime, formatTokens } from "./errors.js";

/** A request id as the CLI shows it everywhere: 0x and 64 hex digits. */
export function hexId(requestId: bigint): string {
  return toBeHex(requestId, 32);
}

export { formatTime, formatTokens };

/** "in 42 s" or "42 s ago", against the chain's clock. */
export function countdown(at: number, now: number): string {
  return at >= now ? `in ${at - now} s` : `${now - at} s ago`;
}

export const STATUS_TEXT: Record<string, string> = {
  open: "open: waiting for a relayer to claim it",
  claimed: "claimed: the relayer is computing and proving",
  pending: "pending: optimistic answer posted, in its challenge window",
  disputed: "disputed: challenged, waiting for a proof",
  fulfilled: "fulfilled",
  refunded: "refunded",
  none: "unknown request",
};

/** A language model's phases where they differ: nothing is proven, a dispute goes to a committee. */
const LANGUAGE_STATUS_TEXT: Record<string, string> = {
  claimed: "claimed: the relayer is generating the answer",
  disputed: "disputed: challenged, a committee of relayers re-runs it and votes",
};

/** Whether a request is for a language model (its terms say). */
export function isLanguageRequest(progress: RequestProgress): boolean {
  return progress.terms !== undefined && MODEL_KINDS[Number(progress.terms.modelKind)] === "language";
}

/** One line on where a request stands: phase, price or claim, the open window, the deadline. */
export function describeProgress(progress: RequestProgress): string {
  const { status, chainTime, terms } = progress;
  const language = isLanguageRequest(progress);
  const parts = [(language ? LANGUAGE_STATUS_TEXT[status] : undefined) ?? STATUS_TEXT[status] ?? status];
  if (progress.auction && terms) {
    const atMax = progress.auction.price >= terms.maxComputeFee;
    parts.push(
      atMax
        ? `auction at its max, ${formatTokens(terms.maxComputeFee)} tokens`
        : `auction at ${formatTokens(progress.auction.price)} tokens, reaching its max ${formatTokens(terms.maxComputeFee)} ${countdown(progress.auction.reachesMaxAt, chainTime)}`,
    );
  }
  if (progress.claimedComputeFee !== undefined && (status === "claimed" || status === "pending" || status === "disputed")) {
    parts.push(`by ${progress.relayer} for ${formatTokens(progress.claimedComputeFee)} tokens`);
  }
  // A language model's dispute has the committee's windows, not the coordinator's defence window.
  if (progress.window && !(language && status === "disputed"))
    parts.push(`${progress.window.name} window closes ${countdown(progress.window.endsAt, chainTime)}`);
  if (terms && (status === "open" || status === "claimed"))
    parts.push(
      progress.expired
        ? `deadline passed ${countdown(Number(terms.deadline), chainTime)}`
        : `deadline ${countdown(Number(terms.deadline), chainTime)}`,
    );
  if (progress.callbackPending) parts.push("callback failed (retry with `highway retry-callback`)");
  return parts.join("; ");
}

/** Text for a progress line: quoted, on one line, at most `max` characters. */
function quote(text: string, max = 160): string {
  const quoted = JSON.stringify(text);
  return quoted.length > max ? `${quoted.slice(0, max - 2)}…"` : quoted;
}

/** Hex bytes as the text they are, or a note when they are not UTF-8. */
function textOf(bytes: string): string {
  try {
    return quote(decodeText(bytes));
  } catch {
    return `${(bytes.length - 2) / 2} bytes that are not UTF-8`;
  }
}

const OUTCOME_TEXT: Record<string, string> = {
  defended: "the posted answer stands; the challenger loses its bond",
  "fraud-proven": "the committee's answer replaces the posted one; the relayer is slashed",
  voided: "no majority; the request is refunded and nobody is slashed",
  "timed-out": "timed out",
};

/**
 * The lines a language-model request's progress adds to what `before` showed: a new phase, the
 * answer posted (with the end of its challenge window), the challenge, the committee drawn, each
 * vote committed and revealed, each member penalised, the vote's outcome.
 */
export function languageProgressLines(before: RequestProgress | undefined, after: RequestProgress): string[] {
  const lines: string[] = [];
  const { status, chainTime } = after;
  const statusChanged = before?.status !== status;
  if (status === "pending" && (statusChanged || before?.postedOutput !== after.postedOutput) && after.postedOutput) {
    const endsAt = after.window?.endsAt;
    lines.push(
      `answered: ${textOf(after.postedOutput)} by ${after.relayer} (pending${endsAt === undefined ? "" : `: challenge window ends at ${formatTime(endsAt)}, ${countdown(endsAt, chainTime)}`})`,
    );
  } else if (statusChanged && status !== "disputed" && status !== "fulfilled" && status !== "refunded") {
    lines.push(describeProgress(after));
  }
  const was = before?.committee;
  const vote = after.committee;
  if (vote) {
    if (!was) lines.push(`challenged by ${vote.challenger}: a committee of staked relayers re-runs the request and votes`);
    const size = vote.members?.length;
    if (vote.members && !was?.members)
      lines.push(`committee drawn: ${vote.members.join(", ")} (commits until ${formatTime(vote.commitEndsAt!)})`);
    vote.committed.slice(was?.committed.length ?? 0).forEach((member, i) => {
      lines.push(`vote committed by ${member} (${(was?.committed.length ?? 0) + i + 1} of ${size ?? "?"})`);
    });
    const postedHash = after.postedOutput ? keccak256(after.postedOutput) : undefined;
    vote.revealed.slice(was?.revealed.length ?? 0).forEach((revealed, i) => {
      const what = revealed.outputHash === postedHash ? "the posted answer" : `another answer, ${textOf(revealed.output)}`;
      lines.push(`vote revealed by ${revealed.member}: ${what} (${(was?.revealed.length ?? 0) + i + 1} of ${size ?? "?"})`);
    });
    for (const penalised of vote.penalised.slice(was?.penalised.length ?? 0))
      lines.push(`${penalised.member} did not reveal: it lost ${formatTokens(penalised.amount)} tokens of its seat's bond`);
    if (vote.resolved && !was?.resolved) {
      const { outcome, votes } = vote.resolved;
      const count = outcome === "voided" ? "" : `; ${votes} of ${size ?? "?"} votes for the winning answer`;
      lines.push(`vote resolved: ${outcome} (${OUTCOME_TEXT[outcome] ?? outcome}${count})`);
    }
  } else if (statusChanged && status === "disputed") {
    lines.push(describeProgress(after));
  }
  if (statusChanged && (status === "fulfilled" || status === "refunded")) lines.push(STATUS_TEXT[status]);
  if (after.callbackPending && !before?.callbackPending) lines.push("callback failed (retry with `highway retry-callback`)");
  return lines;
}

/** A request's progress as JSON: ids in hex, amounts in base units (decimal strings). */
export function progressJson(progress: RequestProgress) {
  const { terms } = progress;
  return {
    requestId: hexId(progress.requestId),
    status: progress.status,
    chainTime: progress.chainTime,
    cached: progress.cached,
    relayer: progress.relayer === ZeroAddress ? null : progress.relayer,
    callbackPending: progress.callbackPending,
    expired: progress.expired,
    auction: progress.auction ?? null,
    claimedComputeFee: progress.claimedComputeFee ?? null,
    window: progress.window ?? null,
    postedOutput: progress.postedOutput ?? null,
    committee: progress.committee ? { ...progress.committee, requestId: hexId(progress.committee.requestId) } : null,
    terms: terms
      ? {
          modelId: terms.modelId,
          requester: terms.requester,
          consumer: terms.consumer,
          proofMode: Number(terms.proofMode) === 0 ? "zk" : "optimistic",
          modelFee: terms.modelFee,
          startComputeFee: terms.startComputeFee,
          maxComputeFee: terms.maxComputeFee,
          createdAt: Number(terms.createdAt),
          deadline: Number(terms.deadline),
        }
      : null,
  };
}

/** A final result as JSON: the SDK's InferenceResult with the id in hex. */
export function resultJson(result: InferenceResult) {
  return { ...result, requestId: hexId(result.requestId) };
}

export function printResult(result: InferenceResult, out: (line: string) => void): void {
  // An answer established in a dispute: proven by a proof (circuit models), settled by a committee's vote (language models).
  const established = result.text !== undefined ? ", settled by a committee vote" : ", proven";
  out(`request ${hexId(result.requestId)}: ${result.status} (${result.proofMode}${result.proven ? established : ""})`);
  if (result.output)
    out(
      `output ${result.output.values.map((v) => v.toFixed(6)).join(", ")}  (raw ${result.output.raw.join(", ")} at scale ${result.output.scale})`,
    );
  // A language model's answer as the text it is, between the header and the rest.
  if (result.text !== undefined) out(result.text);
  if (result.relayer !== ZeroAddress) out(`relayer ${result.relayer}`);
  out("paid (tokens):");
  printTable([Object.fromEntries(Object.entries(result.fees).map(([role, amount]) => [role, formatTokens(amount)]))], out);
}

export function modelRow(model: ModelInfo & { name?: string }) {
  return {
    name: model.name ?? "-",
    modelId: model.modelId,
    fee: formatTokens(model.fee),
    kind: model.kind,
    modes: model.proofModes.join(","),
    input: model.kind === "language" ? `≤${model.input.length} B` : `${model.input.length}@2^-${model.input.scale}`,
    output: model.kind === "language" ? `≤${model.output.length} B` : `${model.output.length}@2^-${model.output.scale}`,
    active: model.active,
    parent: model.parentModelId === `0x${"0".repeat(64)}` ? "-" : `${model.parentModelId.slice(0, 10)}… (${model.parentShareBps} bps)`,
  };
}

export function printModel(model: ModelInfo & { name?: string }, out: (line: string) => void): void {
  const rows: [string, string][] = [
    ["name", model.name ?? "-"],
    ["modelId", model.modelId],
    ["owner", model.owner],
    ["fee", `${formatTokens(model.fee)} tokens`],
    ["kind", model.kind],
    ["proof modes", model.proofModes.join(",")],
    ["active", String(model.active)],
    ...((model.kind === "language"
      ? [
          ["input", `UTF-8 text, at most ${model.input.length} bytes`],
          ["output", `UTF-8 text, at most ${model.output.length} bytes`],
          ["runtime spec", model.runtimeSpecHash],
        ]
      : [
          [
            "input",
            `${model.input.length} values at scale ${model.input.scale}${model.input.bound ? `, |value| ≤ ${Number(model.input.bound) / 2 ** model.input.scale}` : ""}`,
          ],
          ["output", `${model.output.length} values at scale ${model.output.scale}`],
        ]) as [string, string][]),
    ["referral share", `${model.referralShareBps} bps`],
    ["parent", model.parentModelId === `0x${"0".repeat(64)}` ? "-" : `${model.parentModelId} (${model.parentShareBps} bps)`],
    ["verifier", model.verifier],
    ["artifacts", `${model.artifactURI} (${model.artifactHash})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out(`${label.padEnd(width)}  ${value}`);
}
