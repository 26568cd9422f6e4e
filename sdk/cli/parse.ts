/**
 * The command line's values, checked before anything is read from the chain: each
 * parser returns the value or throws a UsageError (exit 2) that names the flag and
 * says what it takes, never a library's message.
 */
import { getAddress, id as keccakUtf8, isHexString, parseUnits } from "ethers";
import { readFileSync } from "node:fs";
import { CHAT_ROLES, decodeText, PROOF_MODES, type ChatMessage, type ProofMode } from "../index.js";
import { formatTokens, UsageError } from "./errors.js";

const MAX_UINT256 = (1n << 256n) - 1n;

/** A request id: 0x and up to 64 hex digits, or a decimal number. */
export function parseRequestId(text: string): bigint {
  const trimmed = text.trim();
  if (/^0x[0-9a-fA-F]{1,64}$/.test(trimmed) || /^\d{1,78}$/.test(trimmed)) {
    const value = BigInt(trimmed);
    if (value <= MAX_UINT256) return value;
  }
  throw new UsageError(
    `"${clip(text)}" is not a request id: give 0x followed by 64 hex digits (as highway prints them), or the id in decimal`,
  );
}

/**
 * An amount of tokens as the user typed it (decimals allowed), in base units; at most
 * `bits` wide, the width the contract stores it in.
 */
export function parseTokens(text: string, what: string, options: { bits?: number; positive?: boolean } = {}): bigint {
  const { bits = 96, positive = false } = options;
  const trimmed = text.trim();
  let value: bigint | undefined;
  if (/^\d*\.?\d+$|^\d+\.$/.test(trimmed)) {
    try {
      value = parseUnits(trimmed.endsWith(".") ? trimmed.slice(0, -1) : trimmed, 18);
    } catch {
      value = undefined;
    }
  }
  if (value === undefined)
    throw new UsageError(`${what}: "${clip(text)}" is not an amount of tokens (a number such as 1.5, at most 18 decimals)`);
  const max = (1n << BigInt(bits)) - 1n;
  if (value > max) throw new UsageError(`${what}: ${trimmed} tokens is more than the contracts can hold (at most ${formatTokens(max)})`);
  if (positive && value === 0n) throw new UsageError(`${what}: the amount must be above zero`);
  return value;
}

/** Basis points: a whole number from 0 to 10000. */
export function parseBps(text: string, what: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 10_000)
    throw new UsageError(`${what}: "${clip(text)}" is not a share in basis points (a whole number from 0 to 10000)`);
  return Number(trimmed);
}

/** One proof mode: zk or optimistic. */
export function parseMode(text: string, what = "--mode"): ProofMode {
  const mode = text.trim().toLowerCase();
  if (!(PROOF_MODES as readonly string[]).includes(mode))
    throw new UsageError(`${what}: "${clip(text)}" is not a proof mode: use zk or optimistic`);
  return mode as ProofMode;
}

/** A set of proof modes: zk, optimistic or zk,optimistic. */
export function parseModes(text: string, what = "--modes"): ProofMode[] {
  const parts = text.split(",").map((part) => part.trim());
  if (parts.some((part) => part === ""))
    throw new UsageError(`${what}: "${clip(text)}" has an empty mode: use zk, optimistic or zk,optimistic`);
  const modes = parts.map((part) => parseMode(part, what));
  return PROOF_MODES.filter((mode) => modes.includes(mode));
}

/** A duration in seconds: a positive number (decimals allowed unless `whole`). */
export function parseSeconds(text: string, what: string, options: { whole?: boolean } = {}): number {
  const trimmed = text.trim();
  const pattern = options.whole ? /^\d+$/ : /^\d*\.?\d+$/;
  const value = Number(trimmed);
  if (!pattern.test(trimmed) || !(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(`${what}: "${clip(text)}" is not a number of seconds (a ${options.whole ? "whole " : ""}number above zero)`);
  }
  return value;
}

/** A whole number within [min, max]. */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max)
    throw new UsageError(`${what}: "${clip(text)}" is not a whole number from ${min} to ${max}`);
  return Number(trimmed);
}

/** An address, 0x and 40 hex digits (any case; a mixed-case one must have a valid checksum). */
export function parseAddress(text: string, what: string): string {
  try {
    return getAddress(text.trim());
  } catch {
    throw new UsageError(`${what}: "${clip(text)}" is not an address (0x followed by 40 hex digits)`);
  }
}

/** A model id (0x and 64 hex digits) as given, lower case; undefined for a name. */
export function asModelId(text: string): string | undefined {
  if (isHexString(text, 32)) return text.toLowerCase();
  if (/^0x[0-9a-fA-F]*$/.test(text))
    throw new UsageError(`"${clip(text)}" is not a model id (0x followed by 64 hex digits) or a model name`);
  return undefined;
}

/** A registration salt: 32 bytes of hex as they are, any other text hashed (keccak256 of its UTF-8). */
export function parseSalt(text: string): string {
  if (text === "") throw new UsageError("--salt: give a text or 32 bytes of hex");
  return isHexString(text, 32) ? text.toLowerCase() : keccakUtf8(text);
}

/** A name for a model in the local name book. */
export function parseModelName(text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(text))
    throw new UsageError(`--name: "${clip(text)}" is not a model name (a letter, then up to 63 letters, digits, ".", "_" or "-")`);
  return text;
}

/**
 * Numbers separated by commas, each at a position the message can name (1-based): an
 * empty position (`1,,2`, a trailing comma) is an error, not a zero.
 */
export function parseNumbers(text: string, what: string): number[] {
  if (text.trim() === "") throw new UsageError(`${what}: give the values as numbers separated by commas, e.g. 0.1,-0.4,2`);
  return text.split(",").map((part, index) => {
    const trimmed = part.trim();
    const position = `${what}: value ${index + 1}`;
    if (trimmed === "") throw new UsageError(`${position} is empty: give a number at every position (no ",," and no trailing comma)`);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) || !Number.isFinite(Number(trimmed))) {
      throw new UsageError(`${position} ("${clip(trimmed)}") is not a number`);
    }
    return Number(trimmed);
  });
}

/** Long values are cut in messages: a pasted secret in the wrong place should not come back whole. */
function clip(text: string): string {
  return text.length > 70 ? `${text.slice(0, 20)}…` : text;
}

/**
 * A chat message list from a file (`-`: standard input): UTF-8 JSON, a non-empty list of
 * `{"role", "content"}` objects, each role system, user or assistant, each content a string.
 */
export function readMessages(file: string, what = "--messages", stdin: () => Uint8Array = () => readFileSync(0)): ChatMessage[] {
  const source = file === "-" ? "standard input" : file;
  let bytes: Uint8Array;
  try {
    bytes = file === "-" ? stdin() : readFileSync(file);
  } catch {
    throw new UsageError(`${what}: cannot read ${source}: give a JSON file of chat messages, or - for standard input`);
  }
  let text: string;
  try {
    text = decodeText(bytes);
  } catch {
    throw new UsageError(`${what}: ${source} is not UTF-8 text: save it as UTF-8`);
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new UsageError(`${what}: ${source} is not JSON: give a list such as [{"role": "user", "content": "..."}]`);
  }
  if (!Array.isArray(list) || list.length === 0)
    throw new UsageError(`${what}: ${source} must hold a non-empty JSON list of {"role", "content"} messages`);
  list.forEach((message: unknown, index) => {
    const m = message as Record<string, unknown> | null;
    const keys = m !== null && typeof m === "object" && !Array.isArray(m) ? Object.keys(m).sort().join(",") : "";
    if (keys !== "content,role" || typeof m!.content !== "string" || !(CHAT_ROLES as readonly unknown[]).includes(m!.role))
      throw new UsageError(
        `${what}: message ${index + 1} of ${source} is not {"role", "content"} with a role of ${CHAT_ROLES.join(", ")} and text content`,
      );
  });
  return (list as ChatMessage[]).map(({ role, content }) => ({ role, content }));
}
