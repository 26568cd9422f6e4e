/**
 * Every failure of the `highway` command becomes one line for the user, here and only
 * here: what happened and what to do, never a stack trace, a raw provider error, a hex
 * dump or a secret. Exit 2 when the command line (or HIGHWAY_PRIVATE_KEY) is malformed,
 * so that nothing was sent; exit 1 for everything that fails after that.
 */
import { CommanderError, type Command } from "commander";
import { isError, toBeHex } from "ethers";
import { formatTokens } from "../format.js";
import { commandPath } from "./command.js";
import { ModelBuildError } from "../model-build.js";
import { ERROR_HINTS, HighwayContractError, HighwayError, PROOF_MODES, proofModesFromBits, RequestStatusCode } from "../index.js";

/** The command line is wrong: nothing was sent. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A failure with a message for the user, found out after the command line was read. Exit 1. */
export class CliError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    /** A name for scripts (`--json`'s errorName). */
    readonly errorName?: string,
  ) {
    super(message);
  }
}

export interface Failure {
  message: string;
  exitCode: 1 | 2;
  /** The contract error's name, or the CLI's name for the failure. */
  errorName?: string;
}

/**
 * A parse error of commander (unknown command or option, missing argument, a group
 * without its subcommand) as one UsageError that points at the failing command's help.
 */
export function usageError(error: CommanderError, command: Command | undefined, noArguments: boolean): UsageError {
  const path = command ? commandPath(command) : "highway";
  const help = `see \`${path} --help\``;
  if (error.code === "commander.help") {
    // Help shown as an error: a group (or highway itself) without its subcommand.
    const subcommands = (command?.commands ?? []).map((sub) => sub.name()).filter((name) => name !== "help");
    return new UsageError(noArguments ? `no command given: ${help}` : `${path} needs a command: ${subcommands.join(", ")} (${help})`);
  }
  return new UsageError(`${error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")} (${help})`);
}

/** What the mapping needs to know about the run that failed. */
export interface FailureContext {
  /** The RPC's origin (no path: it may hold an API key). */
  rpc?: string;
  account?: string;
  chainId?: number;
  /** Strings never to print (the key), whatever library put them in a message. */
  secrets: string[];
}

/** The one line (and exit code) to report for `error`. */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  const failure = classify(error, context);
  return { ...failure, message: sanitize(failure.message, context.secrets) };
}

function classify(error: unknown, context: FailureContext): Failure {
  if (error instanceof UsageError) return { message: error.message, exitCode: 2, errorName: "UsageError" };
  if (error instanceof ModelBuildError) return { message: error.message, exitCode: 2, errorName: "ModelBuildRefused" };
  if (error instanceof CliError) return { message: error.message, exitCode: 1, errorName: error.errorName };
  if (error instanceof CommanderError)
    return { message: error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "), exitCode: 2, errorName: "UsageError" };
  if (error instanceof HighwayContractError) return { message: contractErrorMessage(error), exitCode: 1, errorName: error.errorName };
  if (error instanceof HighwayError) return { message: error.shortMessage, exitCode: 1, errorName: error.name };
  const fromProvider = providerFailure(error, context);
  if (fromProvider) return { ...fromProvider, exitCode: 1 };
  return { message: `unexpected error: ${messageOf(error)}`, exitCode: 1 };
}

const RPC_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The errors ethers (and fetch under it) throw, by what the user can do about them. */
function providerFailure(error: unknown, context: FailureContext): Omit<Failure, "exitCode"> | undefined {
  const rpc = context.rpc ?? "the RPC";
  const account = context.account ?? "the account";
  const chain = context.chainId === undefined ? "" : ` on chain ${context.chainId}`;
  const noGas = {
    message: `${account} has too little ETH to pay for gas${chain}: send it some ETH, then retry`,
    errorName: "InsufficientFunds",
  };
  const nonce = {
    message: `another transaction from ${account} took the same nonce: wait for it to be mined, then retry`,
    errorName: "NonceConflict",
  };
  const lost = { message: `lost the connection to ${rpc}: check that the node is running, then retry`, errorName: "RpcUnreachable" };
  if (isError(error, "INSUFFICIENT_FUNDS")) return noGas;
  if (isError(error, "NONCE_EXPIRED") || isError(error, "REPLACEMENT_UNDERPRICED") || isError(error, "TRANSACTION_REPLACED")) return nonce;
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT") || isError(error, "SERVER_ERROR")) return lost;
  if (RPC_CODES.has(causeCode(error) ?? "")) return lost;
  if (isError(error, "CALL_EXCEPTION")) {
    if (error.revert)
      return {
        message: `the contract refused: ${error.revert.name}(${error.revert.args.map(String).join(", ")})`,
        errorName: error.revert.name,
      };
    if (error.data && error.data.length >= 10)
      return {
        message: `the contract refused with an error this CLI does not know (selector ${error.data.slice(0, 10)}): is the deployment file the one on this chain?`,
        errorName: "UnknownContractError",
      };
    return {
      message: `a contract call failed without a reason (out of gas, or no contract at ${error.transaction?.to ?? "the address"}): check that the deployment file matches the chain at ${rpc}`,
      errorName: "CallFailed",
    };
  }
  if (isError(error, "BAD_DATA"))
    return {
      message: `the chain at ${rpc} answered with data Highway's contracts cannot have sent: is the deployment file the one on this chain?`,
      errorName: "BadData",
    };
  if (isError(error, "UNKNOWN_ERROR") || isError(error, "UNSUPPORTED_OPERATION")) {
    // "could not coalesce error": the node's own words are inside.
    const inner = nodeMessage(error) ?? "";
    if (/insufficient funds|enough funds|balance is too low/i.test(inner)) return noGas;
    if (/nonce/i.test(inner)) return nonce;
    return { message: `the node at ${rpc} refused: ${inner || "no reason given"}`, errorName: "NodeError" };
  }
  return undefined;
}

/** What the node said inside an ethers error, when it said anything. */
function nodeMessage(error: unknown): string | undefined {
  const candidate = error as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } };
  for (const message of [candidate.error?.message, candidate.info?.error?.message]) if (typeof message === "string") return message;
  return undefined;
}

function causeCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && RPC_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return (error as { shortMessage?: string }).shortMessage ?? error.message;
  return String(error);
}

/**
 * The CLI's own words for the contract errors a command line can run into: CLI commands
 * instead of SDK calls. Every other error keeps the SDK's hint (ERROR_HINTS); in both,
 * amounts are in tokens, request ids in hex, times as UTC.
 */
const CLI_HINTS: Partial<Record<keyof typeof ERROR_HINTS, string>> = {
  UnknownModel: "model {modelId} is not registered: check the id (`highway models list`)",
  ModelInactive:
    "model {modelId} is not active: pick an active model (`highway models list`); its owner can reopen it with `highway models update <model> --active`",
  ProofModeUnsupported: "model {modelId} does not accept {mode} requests: use a mode it supports (`highway models show <model>`)",
  WrongStatus: "request {requestId} is {status}, where this is not allowed (see `highway status {requestId}`)",
  NotRequester: "only the requester of request {requestId} may do this, not {caller}: use the requester's key",
  DeadlinePassed:
    "request {requestId} passed its deadline ({deadline}): nobody can answer it now; refund its escrow with `highway refund {requestId}`",
  DeadlineNotReached:
    "request {requestId} has not expired: its deadline is {deadline}; cancel it with `highway cancel {requestId}` while it is open, or refund it after the deadline",
  MaxComputeFeeNotRaised: "the new max compute fee ({proposed} tokens) must be above the current one ({current} tokens)",
  NoFailedCallback: "request {requestId} has no failed callback to retry",
  NothingToWithdraw: "there is nothing to withdraw for this account: see `highway balance`",
  NotModelOwner: "only the owner of model {modelId} may do this, not {caller}: use the owner's key",
  ModelAlreadyRegistered: "model {modelId} is already registered: pass another --salt, or change it with `highway models update`",
  InvalidShares: "a parent share of {parentShareBps} bps plus a referral share of {referralShareBps} bps is more than 10000 bps",
  InvalidProofModes: "proof modes {proofModes} are not valid: use zk, optimistic or zk,optimistic",
  ERC20InsufficientBalance: "{sender} holds {balance} tokens but {needed} are needed: get more of the payment token",
  ERC20InsufficientAllowance: "{spender} may spend {allowance} tokens but {needed} are needed: approve more of the payment token",
  InsufficientFreeStake:
    "relayer {relayer} needs {needed} tokens of free stake but has {free}: stake more (`highway relayer stake <T>`), or wait for its jobs to settle",
  BelowMinStake: "relayer {relayer} would keep {stake} tokens of stake, below the minimum {minStake}: unstake less, or all of it",
  StillUnbonding: "the unbonding stake is released at {releaseAt}: run `highway relayer withdraw` after that",
  ZeroAmount: "the amount must be above zero",
};

const TOKEN_ARGS = new Set([
  "balance",
  "needed",
  "allowance",
  "stake",
  "minStake",
  "free",
  "locked",
  "amount",
  "current",
  "proposed",
  "startComputeFee",
  "maxComputeFee",
  "fee",
]);
const TIME_ARGS = new Set(["deadline", "endsAt", "endedAt", "releaseAt"]);

function contractErrorMessage(error: HighwayContractError): string {
  const hint: string = CLI_HINTS[error.errorName] ?? ERROR_HINTS[error.errorName];
  return hint.replace(/\{(\w+)\}/g, (_, key: string) => (key in error.args ? formatArg(key, error.args[key]) : `{${key}}`));
}

function formatArg(name: string, value: unknown): string {
  if (typeof value !== "bigint") return String(value);
  if (name === "requestId") return toBeHex(value, 32);
  if (TOKEN_ARGS.has(name)) return formatTokens(value);
  if (TIME_ARGS.has(name)) return formatTime(Number(value));
  if (name === "status") return (Object.keys(RequestStatusCode)[Number(value)] ?? String(value)).toLowerCase();
  if (name === "mode") return PROOF_MODES[Number(value)] ?? String(value);
  if (name === "proofModes") return proofModesFromBits(value).join(",") || String(value);
  return value.toString();
}

/** An amount of tokens (18 decimals) as a person writes it: 1.5, 2, 0.25. */
export { formatTokens };

/** A unix time as UTC, to the second. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * One line, no secret, no hex dump: hex longer than a 32-byte word (revert data,
 * calldata) is shortened to its start and length.
 */
export function sanitize(message: string, secrets: readonly string[]): string {
  let line = message;
  for (const secret of secrets) if (secret.length >= 8) line = line.split(secret).join("[redacted]");
  line = line.replace(/0x[0-9a-fA-F]{65,}/g, (hex) => `${hex.slice(0, 10)}…(${(hex.length - 2) / 2} bytes)`);
  line = line
    .replace(/\s*\n\s*/g, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
  return line.length > 1000 ? `${line.slice(0, 999)}…` : line;
}
