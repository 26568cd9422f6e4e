/** How the CLI shows things: request ids in hex, amounts in tokens, times as countdowns. */
import { toBeHex, ZeroAddress } from "ethers";
import { printTable } from "../format.js";
import type { InferenceResult, ModelInfo, RequestProgress } from "../index.js";
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

/** One line on where a request stands: phase, price or claim, the open window, the deadline. */
export function describeProgress(progress: RequestProgress): string {
  const { status, chainTime, terms } = progress;
  const parts = [STATUS_TEXT[status] ?? status];
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
  if (progress.window) parts.push(`${progress.window.name} window closes ${countdown(progress.window.endsAt, chainTime)}`);
  if (terms && (status === "open" || status === "claimed"))
    parts.push(
      progress.expired
        ? `deadline passed ${countdown(Number(terms.deadline), chainTime)}`
        : `deadline ${countdown(Number(terms.deadline), chainTime)}`,
    );
  if (progress.callbackPending) parts.push("callback failed (retry with `highway retry-callback`)");
  return parts.join("; ");
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
  out(`request ${hexId(result.requestId)}: ${result.status} (${result.proofMode}${result.proven ? ", proven" : ""})`);
  if (result.output)
    out(
      `output ${result.output.values.map((v) => v.toFixed(6)).join(", ")}  (raw ${result.output.raw.join(", ")} at scale ${result.output.scale})`,
    );
  if (result.text !== undefined) out(`answer ${JSON.stringify(result.text)}`);
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
