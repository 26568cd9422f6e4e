/**
 * The SDK's errors. Each is a HighwayError: a short message that says what went wrong
 * and what to do, optional details (what a node or a library said), and the cause. Every
 * custom error of Highway's contracts (and of the token they move) is decoded into one
 * typed HighwayContractError.
 */
import type { Interface } from "ethers";

/** The base of every error the SDK throws, so a caller can catch them all at once. */
export class HighwayError extends Error {
  override name = "HighwayError";
  /** What went wrong and what to do, without the details. */
  readonly shortMessage: string;
  /** What the node, a library or the file system said, when it helps. */
  readonly details?: string;

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage} (${options.details})` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** The message of a caught value, for an error's details. */
export function messageOf(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

/** What to tell the user for each custom error, by name; `{arg}` is replaced by that argument. */
export const ERROR_HINTS = {
  // ---------------------------------------------------------------- requests
  ModelInactive: "model {modelId} is not active: pick an active model (`highway models list`)",
  UnknownModel: "model {modelId} is not registered: check the model id (`highway models list`)",
  ProofModeUnsupported: "model {modelId} does not accept proof mode {mode}: use a mode it supports",
  MalformedTensor: "the tensor is not a width byte (1, 2, 4, 8, 16 or 32) then whole values: encode it with encodeTensor()",
  NonCanonicalOutput: "the output tensor is not in its canonical (smallest) width: encode it with encodeTensor()",
  InvalidUtf8: "a language model's input must be UTF-8 text",
  InvalidPromptLength: "the prompt has {actual} bytes: the model takes 1 to {max}",
  InvalidMaxOutputBytes:
    "maxOutputBytes {maxOutputBytes} is not allowed: a language model's request bounds its answer to 1..{max} bytes; a circuit model's leaves it 0",
  OutputTooLong: "the answer has {actual} bytes: the request accepts 1 to {max}",
  OutputHashMismatch:
    "the output passed is not the one request {requestId} holds: pass the output from its OptimisticSubmitted or RequestFulfilled event",
  InvalidLanguageModel: "a language model has no verifier, a runtime spec hash, optimistic answers only, and no input bound or scales",
  LanguageArbiterAlreadySet: "the language arbiter is set once and is already {arbiter}",
  InputLengthMismatch: "the model takes {expected} input values but got {actual}",
  InputOutOfBounds: "input value {value} at index {index} is outside ±{bound}: clip or rescale it to the model's input range",
  ValueOutsideField: "value {value} does not fit the proof's field: it is far outside any model's range",
  InvalidDeadline:
    "deadline {deadline} leaves less than the delivery window a relayer has to answer: give a deadline at or after {earliest}",
  ModelFeeAboveMax:
    "model {modelId}'s fee is now {fee}, above the {maxModelFee} this request accepts (it changed since the quote): quote again and resend",
  InvalidJobBond: "job bond {jobBond} is below the protocol's {minimum}: pass 0 for the protocol's, or a larger bond",
  InvalidChallengeWindow:
    "challenge window {challengeWindow} s is outside [{minimum}, {maximum}] s: pass 0 for the protocol's, or a longer window up to the maximum",
  InvalidComputeFees: "startComputeFee {startComputeFee} must not exceed maxComputeFee {maxComputeFee}",
  CallbackGasLimitTooHigh:
    "callbackGasLimit {callbackGasLimit} exceeds the protocol's {maxCallbackGasLimit}: lower it (estimateCallbackGas tells what the consumer needs)",
  EnforcedPause: "the coordinator is paused for new requests: try again later (answers, refunds and withdrawals still work)",
  ExpectedPause: "the coordinator is not paused",
  TermsMismatch:
    "the terms passed for request {requestId} are not the request's: read them again from its RequestCreated event (and any MaxComputeFeeRaised)",
  InputMismatch: "the input passed for request {requestId} is not the one it was made with",
  WrongStatus:
    "request {requestId} is in status {status}, where this action is not allowed (it may have been answered, claimed or refunded already)",
  NotRequester: "only the requester may do this to request {requestId} (caller {caller})",
  NotClaimant: "only the relayer that claimed request {requestId} may answer it (caller {caller})",
  DeadlinePassed: "request {requestId} passed its deadline {deadline}: it can only be refunded now (refundExpired)",
  DeadlineNotReached: "request {requestId} is before its deadline {deadline}: it cannot be expired yet",
  ClaimTooLate:
    "request {requestId} can no longer be claimed: its last claim time {lastClaimAt} (the deadline less the delivery window) has passed; it can only expire",
  ClaimTooSoon: "request {requestId} was reopened at {reopenedAt}: it can be claimed from the next block on",
  FormerClaimant: "relayer {relayer} lost its claim on request {requestId} (late or undefended) and may not claim it again",
  DeliveryWindowOpen: "the claimant of request {requestId} still has until {endsAt} to answer",
  DeliveryWindowClosed: "the delivery window of request {requestId} closed at {endedAt}: it can be reopened",
  ChallengeWindowOpen: "request {requestId}'s challenge window is open until {endsAt}: finalize after that",
  ChallengeWindowClosed: "request {requestId}'s challenge window closed at {endedAt}: it can no longer be challenged",
  DefenceWindowOpen: "request {requestId}'s defence window is open until {endsAt}",
  DefenceWindowClosed: "request {requestId}'s defence window closed at {endedAt}",
  OutputLengthMismatch: "the model returns {expected} outputs but {actual} were given",
  InvalidProof: "the proof for request {requestId} does not verify: prove the request's own input with the model's circuit",
  SameOutput: "request {requestId}'s posted output is the proven one: there is no fraud to prove",
  ChallengeNotCommitted:
    "{challenger} committed to no challenge of request {requestId} with this salt: commitChallenge first, in an earlier block",
  ChallengeRevealTooSoon: "request {requestId}'s challenge commitment was made in block {committedAt}: reveal it in a later block",
  ChallengeCommitmentStale:
    "the challenge commitment (made at {committedAt}) predates request {requestId}'s answer (posted at {answeredAt}): commit again",
  NoFailedCallback: "request {requestId} has no failed callback to retry",
  MaxComputeFeeNotRaised: "the new maxComputeFee {proposed} must be above the current {current}",
  InsufficientGasForCall: "the transaction carried too little gas to give the callback its {gasLimit} gas: send more gas",
  NothingToWithdraw: "there is nothing to withdraw for this account",
  // ---------------------------------------------------------------- models
  NotModelOwner: "only the owner of model {modelId} may do this (caller {caller})",
  ModelAlreadyRegistered: "model {modelId} is already registered: pick another salt, or update the existing model",
  InvalidInputLength: "input length {inputLength} is not supported: it must be between 1 and the registry's maximum",
  InvalidOutputLength: "output length {outputLength} is not supported",
  InvalidScale: "scale {scale} is not supported",
  InvalidParent: "parent model {parentModelId} is not registered (or is the model itself)",
  InvalidProofModes: "proof modes {proofModes} are not valid: 1 = zk, 2 = optimistic, 3 = both",
  InvalidShares: "parentShareBps {parentShareBps} plus referralShareBps {referralShareBps} must not exceed 10000",
  VerifierRequired: "a model needs a verifier until a dispute arbiter exists: deploy the circuit's verifier and pass its address",
  VerifierCodeChanged:
    "the verifier of model {modelId} no longer runs the code registered (code hash {recorded}, now {current}): no proof of this model is accepted; do not serve or request it",
  NoBatchVerifier: "model {modelId} has no batched verifier: answer its requests one by one with fulfillZk",
  BatchVerifierAlreadyRegistered: "model {modelId} already has its batched verifier: it is registered once, never replaced",
  InvalidBatchSize: "batch size {batchSize} is not supported: a batched verifier answers 2 to {max} requests per proof",
  // ---------------------------------------------------------------- batches
  InvalidBatch: "a batch holds 1 to {batchSize} requests of one model, with as many terms and inputs; this one held {count}",
  NotInBatchModel: "request {requestId} is not a zk request of model {modelId}: answer it apart",
  RequestBeforeBatchVerifier:
    "request {requestId} was made before its model's batched verifier was registered (at {since}): answer it with fulfillZk",
  NothingAnswered: "no request of the batch could be answered (each was skipped: see BatchRequestSkipped): nothing was sent",
  NothingClaimed: "no request of the batch could be claimed (each was skipped: see BatchRequestSkipped)",
  // ---------------------------------------------------------------- staking
  ZeroAmount: "the amount must be above zero",
  AmountTooLarge: "amount {amount} is larger than the contract can hold",
  BelowMinStake: "relayer {relayer} would be left with stake {stake}, below the minimum {minStake}: stake more or unbond all",
  InsufficientFreeStake: "relayer {relayer} needs {needed} free stake but has {free}: stake more, or wait for open jobs to settle",
  LockedBondTooSmall: "relayer {relayer} has only {locked} locked, not {amount}",
  StillUnbonding: "the unbonding stake is released at {releaseAt}: withdraw after that",
  OnlyCoordinator: "only the coordinator may call this (caller {caller})",
  OnlyArbiter:
    "only the arbiter of the request's model kind may call this (caller {caller}): dispute circuit models through the dispute game, language models through the language arbiter",
  OnlyCoordinatorAdmin:
    "only the coordinator's admin contract may call this (caller {caller}): set parameters, treasury and pause through CoordinatorAdmin",
  StakeTokenMismatch: "the staking contract uses token {stakeToken}, not the coordinator's payment token",
  StakingCoordinatorMismatch: "the staking contract's coordinator is {stakingCoordinator}, not this one",
  // ---------------------------------------------------------------- committee arbiter (language models)
  CommitteeNotDrawn: "request {requestId} has no committee yet: draw it (`draw`) in a block after the challenge",
  CommitteeAlreadyDrawn: "request {requestId}'s committee is drawn already: its members are in the CommitteeDrawn event",
  DrawTooEarly: "request {requestId}'s committee is drawn from the hash of block {seedBlock}: draw in a later block",
  NotCommitteeMember:
    "{caller} is not on that seat of request {requestId}'s committee: pass the members and seat from its CommitteeDrawn event",
  CommitWindowClosed: "the commit window of request {requestId}'s committee closed at {closedAt}",
  AlreadyVoted: "{member} already committed or revealed on request {requestId}",
  RevealWindowNotOpen: "reveals on request {requestId} open once every member committed, or after {opensAt}",
  RevealWindowClosed: "the reveal window of request {requestId}'s committee closed at {closedAt}",
  CommitmentMismatch: "{member}'s reveal on request {requestId} does not match its commitment (answer or salt differs, or no commit)",
  VoteStillOpen: "the vote on request {requestId} can be resolved once every member revealed, or after {endsAt}",
  MajorityOutputMismatch:
    "the output passed hashes to {actual}, not the majority's {expected}: pass the answer revealed with that hash (majorityOf, VoteRevealed)",
  // ---------------------------------------------------------------- admin
  ParameterOutOfBounds: "value {value} is outside its bounds [{min}, {max}]",
  ZeroAddress: "an address argument is zero",
  AccessControlUnauthorizedAccount: "account {account} lacks role {neededRole} for this",
  AccessControlBadConfirmation: "renounceRole must be called by the account itself",
  ReentrancyGuardReentrantCall: "the coordinator may not be re-entered (from a callback, say)",
  OwnableInvalidOwner: "{owner} cannot be the owner",
  OwnableUnauthorizedAccount: "account {account} is not the owner",
  // ---------------------------------------------------------------- token
  ERC20InsufficientBalance: "{sender} holds {balance} tokens but {needed} are needed: get more of the payment token",
  ERC20InsufficientAllowance:
    "the allowance of {spender} is {allowance} but {needed} is needed: approve the coordinator for the escrow (or use requestInferenceWithPermit)",
  ERC20InvalidApprover: "approver {approver} is invalid",
  ERC20InvalidReceiver: "receiver {receiver} is invalid",
  ERC20InvalidSender: "sender {sender} is invalid",
  ERC20InvalidSpender: "spender {spender} is invalid",
  ERC2612ExpiredSignature: "the permit expired at {deadline}: sign a new one",
  ERC2612InvalidSigner: "the permit was signed by {signer}, not by the owner {owner}",
  InvalidAccountNonce: "the permit's nonce is stale (current {currentNonce}): sign a new one",
  ECDSAInvalidSignature: "the signature is invalid",
  ECDSAInvalidSignatureLength: "the signature has the wrong length {length}",
  ECDSAInvalidSignatureS: "the signature's s value is invalid",
  InvalidShortString: "invalid short string",
  StringTooLong: "string too long: {str}",
  SafeERC20FailedOperation: "a transfer of token {token} failed",
} as const;

export type ContractErrorName = keyof typeof ERROR_HINTS;

/** A transaction or call reverted with one of Highway's custom errors. */
export class HighwayContractError<Name extends ContractErrorName = ContractErrorName> extends HighwayError {
  override name = "HighwayContractError";
  constructor(
    /** The Solidity error's name, e.g. "InsufficientFreeStake". */
    readonly errorName: Name,
    /** Its arguments by name. */
    readonly args: Record<string, unknown>,
    /** The provider's error that carried the revert. */
    cause?: unknown,
  ) {
    super(`${errorName}: ${formatHint(ERROR_HINTS[errorName], args)}`, { cause });
  }

  /** Narrows to one error: `if (error.is("DeadlinePassed")) ...`. */
  is<Other extends ContractErrorName>(name: Other): this is HighwayContractError<Other> {
    return (this.errorName as string) === name;
  }
}

function formatHint(hint: string, args: Record<string, unknown>): string {
  return hint.replace(/\{(\w+)\}/g, (_, key: string) => (key in args ? String(args[key]) : `{${key}}`));
}

/** The revert data inside an ethers error, wherever ethers put it. */
export function revertData(error: unknown): string | undefined {
  const candidate = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } } | undefined;
  for (const data of [candidate?.data, candidate?.info?.error?.data, candidate?.error?.data]) {
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
  }
  return undefined;
}

/** The typed error for a revert, if `interfaces` know its selector; otherwise `undefined`. */
export function decodeContractError(error: unknown, interfaces: readonly Interface[]): HighwayContractError | undefined {
  const data = revertData(error);
  if (!data) return undefined;
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed && parsed.name in ERROR_HINTS) {
        const args = Object.fromEntries(parsed.fragment.inputs.map((input, i) => [input.name || String(i), parsed.args[i]]));
        return new HighwayContractError(parsed.name as ContractErrorName, args, error);
      }
    } catch {
      // not this interface's error
    }
  }
  return undefined;
}

/** Runs a contract call, turning a custom-error revert into a HighwayContractError. */
export async function withDecodedErrors<T>(interfaces: readonly Interface[], action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw decodeContractError(error, interfaces) ?? error;
  }
}
