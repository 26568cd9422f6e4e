/**
 * Requests: quote, request (and wait), status, cancel, refund, raise-fee, retry-callback,
 * requests list and requests watch.
 */
import type { Command } from "commander";
import { printTable } from "../../format.js";
import {
  encodeText,
  InferenceTimeoutError,
  quantize,
  type ChatMessage,
  type InferenceRequest,
  type InferenceResult,
  type RequestProgress,
} from "../../node.js";
import { action, define } from "../command.js";
import { modelName, resolveModel, type Cli, type Session } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import {
  countdown,
  describeProgress,
  formatTime,
  formatTokens,
  hexId,
  isLanguageRequest,
  languageProgressLines,
  printResult,
  progressJson,
  resultJson,
} from "../output.js";
import { parseAddress, parseInteger, parseMode, parseNumbers, parseRequestId, parseSeconds, parseTokens, readMessages } from "../parse.js";

const ID_HELP = "\nRequest ids are shown as 0x and 64 hex digits; give them so, or in decimal.";

export function requestCommands(program: Command, cli: Cli): void {
  define(cli, program, "quote <model>", "the escrow a request takes, and its parts (in tokens)")
    .option("--max-fee <T>", "the most you would pay a relayer (default: the model's fee)")
    .action(
      action(cli, async (text: string, options: { maxFee?: string }) => {
        const maxComputeFee = options.maxFee === undefined ? undefined : parseTokens(options.maxFee, "--max-fee");
        const session = await cli.connect();
        const { modelId } = resolveModel(session, text);
        const quote = await session.highway.quote({ model: modelId, maxComputeFee });
        cli.print(quote, () =>
          printTable(
            [
              {
                modelFee: formatTokens(quote.modelFee),
                maxComputeFee: formatTokens(quote.maxComputeFee),
                protocolFee: formatTokens(quote.protocolFee),
                total: formatTokens(quote.total),
              },
            ],
            cli.io.out,
          ),
        );
      }),
    );

  define(cli, program, "request <model>", "request an inference and wait for its final result")
    .option("--input <values>", "a circuit model's input: numbers separated by commas, one per model input (quantized at its scale)")
    .option("--prompt <text>", "a language model's input: the prompt (UTF-8)")
    .option("--messages <file>", 'a language model\'s input: a JSON list of chat messages [{"role", "content"}] (- reads stdin)')
    .option("--max-output-bytes <B>", "a language model's longest answer, in bytes (default: the model's limit)")
    .option(
      "--mode <mode>",
      "zk (a proof) or optimistic (bonded, final after the challenge window); default zk, optimistic for a language model",
    )
    .option("--max-fee <T>", "the most you pay a relayer, in tokens (default: the model's fee)")
    .option("--start-fee <T>", "where the relayers' auction starts, in tokens (default: a quarter of --max-fee)")
    .option("--deadline-in <S>", "seconds until the request expires unanswered (default 3600)")
    .option("--callback-gas <gas>", "gas for the consumer's callback (default 200000)")
    .option("--consumer <address>", "the contract to call back (default: you)")
    .option("--referrer <address>", "who referred you: paid the model's referral share")
    .option("--permit", "pay with an ERC-2612 permit signature instead of an approval transaction")
    .option("--timeout <S>", "seconds to wait for the final result", "300")
    .option("--no-wait", "send the request, print its id and return")
    .addHelpText(
      "after",
      `
While it waits, progress goes to stderr: each phase as it is seen, and a line when the
auction reaches its max with no relayer claiming; for a language model, the answer as
posted and when its challenge window ends, then any challenge and its committee vote
(members drawn, votes committed and revealed, the outcome). The final result goes to
stdout (a language model's answer as its text). If the request is not final after
--timeout seconds, or expires, the command exits 1 and says how to cancel, raise the
fee or refund it. Negative values need no quoting: --input -0.4,0.1,...

examples: highway request price-signal --input -0.4,0.1,0.3,0.2,0.6,0.9,1.1,1.4 --mode zk
          highway request smollm2 --prompt "Is this headline positive or negative? Stocks soar"
          highway request smollm2 --messages chat.json --max-output-bytes 256`,
    )
    .action(
      action(
        cli,
        async (
          text: string,
          options: {
            input?: string;
            prompt?: string;
            messages?: string;
            maxOutputBytes?: string;
            mode?: string;
            maxFee?: string;
            startFee?: string;
            deadlineIn?: string;
            callbackGas?: string;
            consumer?: string;
            referrer?: string;
            permit?: boolean;
            timeout: string;
            wait: boolean;
          },
        ) => {
          const given = (["input", "prompt", "messages"] as const).filter((name) => options[name] !== undefined);
          if (given.length === 0)
            throw new UsageError(
              "request needs the model's input: --input <values> for a circuit model, --prompt <text> or --messages <file> for a language model (see `highway request --help`)",
            );
          if (given.length > 1) throw new UsageError(`give one input, not ${given.map((name) => `--${name}`).join(" and ")}`);
          const values = options.input === undefined ? undefined : parseNumbers(options.input, "--input");
          if (options.prompt === "") throw new UsageError("--prompt is empty: give the text to ask the model");
          const messages: ChatMessage[] | undefined = options.messages === undefined ? undefined : readMessages(options.messages);
          const prompt = options.prompt ?? messages;
          const maxOutputBytes =
            options.maxOutputBytes === undefined ? undefined : parseInteger(options.maxOutputBytes, "--max-output-bytes", 1, 16_384);
          const chosenMode = options.mode === undefined ? undefined : parseMode(options.mode);
          const maxComputeFee = options.maxFee === undefined ? undefined : parseTokens(options.maxFee, "--max-fee");
          const startComputeFee = options.startFee === undefined ? undefined : parseTokens(options.startFee, "--start-fee");
          const deadlineIn =
            options.deadlineIn === undefined ? undefined : parseSeconds(options.deadlineIn, "--deadline-in", { whole: true });
          const callbackGasLimit =
            options.callbackGas === undefined ? undefined : parseInteger(options.callbackGas, "--callback-gas", 0, 2 ** 32 - 1);
          const consumer = options.consumer === undefined ? undefined : parseAddress(options.consumer, "--consumer");
          const referrer = options.referrer === undefined ? undefined : parseAddress(options.referrer, "--referrer");
          const timeout = parseSeconds(options.timeout, "--timeout");

          const session = await cli.connect({ sign: true });
          const { highway } = session;
          const { modelId, name } = resolveModel(session, text);
          const label = name ?? modelId;
          const model = await highway.model(modelId);
          const language = model.kind === "language";
          if (language && values)
            throw new CliError(
              `model ${label} is a language model: give its input as --prompt <text> or --messages <file>, not --input`,
              "WrongInputKind",
            );
          if (!language && prompt !== undefined)
            throw new CliError(
              `model ${label} is a circuit model: its input is ${model.input.length} numbers (--input v1,v2,...), not ${options.prompt !== undefined ? "--prompt" : "--messages"}`,
              "WrongInputKind",
            );
          if (!language && maxOutputBytes !== undefined)
            throw new CliError(`--max-output-bytes is for language models; model ${label} is a circuit model`, "WrongInputKind");
          const proofMode = chosenMode ?? (language ? "optimistic" : "zk");
          if (!model.active)
            throw new CliError(
              `model ${label} is not active (its owner closed it to new requests): pick another (\`highway models list\`)`,
              "ModelInactive",
            );
          if (!model.proofModes.includes(proofMode))
            throw new CliError(
              `model ${label} does not serve ${proofMode} requests, only ${model.proofModes.join(" and ")}: pass --mode ${model.proofModes[0]}`,
              "ProofModeUnsupported",
            );
          if (prompt !== undefined) {
            const flag = options.prompt !== undefined ? "--prompt" : "--messages";
            // What the request sends: the prompt's UTF-8 bytes, or the message list's JSON.
            const bytes = (encodeText(typeof prompt === "string" ? prompt : JSON.stringify(prompt)).length - 2) / 2;
            if (bytes > model.input.length)
              throw new CliError(
                `${flag} is ${bytes} bytes of UTF-8${flag === "--messages" ? " as JSON" : ""}: model ${label} takes at most ${model.input.length}; shorten it`,
                "InvalidPromptLength",
              );
            if (maxOutputBytes !== undefined && maxOutputBytes > model.output.length)
              throw new CliError(
                `--max-output-bytes ${maxOutputBytes} is above model ${label}'s limit of ${model.output.length} bytes`,
                "InvalidMaxOutputBytes",
              );
          }
          if (values && values.length !== model.input.length)
            throw new CliError(
              `model ${label} takes ${model.input.length} input values, --input has ${values.length}`,
              "InputLengthMismatch",
            );
          if (values && model.input.bound) {
            const bound = model.input.bound;
            const range = Number(bound) / 2 ** model.input.scale;
            values.forEach((value, index) => {
              const quantized = quantize(value, model.input.scale);
              if (quantized > bound || quantized < -bound)
                throw new CliError(
                  `--input: value ${index + 1} (${value}) is outside model ${label}'s range: each value must be within ±${range}`,
                  "InputOutOfBounds",
                );
            });
          }
          const max = maxComputeFee ?? model.fee;
          if (startComputeFee !== undefined && startComputeFee > max)
            throw new UsageError(
              `--start-fee ${options.startFee} is above the max compute fee (${options.maxFee ?? formatTokens(max)} tokens)`,
            );
          const quote = await highway.quote({ model: modelId, maxComputeFee: max });
          const { token } = await highway.balances(session.account);
          if (token < quote.total) {
            throw new CliError(
              `${session.account} holds ${formatTokens(token)} tokens but the request escrows ${formatTokens(quote.total)} (model fee ${formatTokens(quote.modelFee)}, max compute fee ${formatTokens(quote.maxComputeFee)}, protocol fee ${formatTokens(quote.protocolFee)}): get more of the payment token`,
              "InsufficientTokens",
            );
          }

          let deadline: number | undefined;
          if (deadlineIn !== undefined) {
            // The chain's clock may run ahead of ours (a test node moved on): count from the later one.
            const latest = await highway.provider.getBlock("latest");
            deadline = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + deadlineIn;
          }
          const request: InferenceRequest = {
            model: modelId,
            input: (prompt ?? values)!,
            maxOutputBytes,
            proofMode,
            maxComputeFee,
            startComputeFee,
            deadline,
            callbackGasLimit,
            consumer,
            referrer,
            permit: options.permit,
          };
          const handle = await highway.requestInference(request);
          const id = hexId(handle.requestId);
          if (!options.wait) {
            cli.print({ requestId: id, transaction: handle.transactionHash, cached: handle.cached }, () => {
              cli.io.out(`request ${id} sent in ${handle.transactionHash}${handle.cached ? " (answered from the cache)" : ""}`);
              if (!handle.cached) cli.io.out(`follow it: highway requests watch ${id}`);
            });
            return;
          }
          cli.progress(`request ${id} sent${handle.cached ? " (answered from the cache)" : ""}`);
          const result = await follow(cli, session, handle.requestId, { timeout, pollMs: 500, style: "progress" });
          if (result.status === "refunded")
            throw new CliError(
              `request ${id} was refunded without an answer (cancelled or expired): its escrow is in your balance (\`highway withdraw\`)`,
              "Refunded",
            );
          cli.print(resultJson(result), () => printResult(result, cli.io.out));
        },
      ),
    );

  define(cli, program, "status <id>", "a request's phase (price, windows, deadline) and, once final, its result")
    .addHelpText("after", ID_HELP)
    .action(
      action(cli, async (idText: string) => {
        const requestId = parseRequestId(idText);
        const session = await cli.connect();
        const progress = await knownProgress(session, requestId);
        const result =
          progress.status === "fulfilled" || progress.status === "refunded" ? await session.highway.result(requestId) : undefined;
        cli.print({ ...progressJson(progress), result: result ? resultJson(result) : null }, () => {
          if (result) printResult(result, cli.io.out);
          else cli.io.out(`request ${hexId(requestId)}: ${describeProgress(progress)}`);
          const next = nextStep(progress);
          if (next) cli.io.out(next);
        });
      }),
    );

  define(cli, program, "cancel <id>", "withdraw an open request of yours; its escrow goes back to your balance")
    .addHelpText("after", `${ID_HELP}\nOnly the requester may cancel, and only while the request is open (not yet claimed).`)
    .action(
      action(cli, async (idText: string) => {
        const requestId = parseRequestId(idText);
        const { session, progress, id } = await requestToAct(cli, requestId);
        if (progress.status !== "open")
          throw new CliError(
            `request ${id} is ${progress.status}: only an open request can be cancelled${progress.expired ? "" : refundHint(progress)}`,
            "WrongStatus",
          );
        requireRequester(session, progress, "cancel");
        printRefund(cli, session, progress, await session.highway.cancel(requestId), "cancelled");
      }),
    );

  define(cli, program, "refund <id>", "refund a request that passed its deadline unanswered (anyone may)")
    .addHelpText(
      "after",
      `${ID_HELP}\nThe escrow goes to the requester's balance; a relayer that claimed the request and\nmissed the deadline loses part of its bond to the requester.`,
    )
    .action(
      action(cli, async (idText: string) => {
        const requestId = parseRequestId(idText);
        const { session, progress, id } = await requestToAct(cli, requestId);
        if (progress.status !== "open" && progress.status !== "claimed")
          throw new CliError(
            `request ${id} is ${progress.status}: only an open or claimed request past its deadline can be refunded`,
            "WrongStatus",
          );
        if (!progress.expired) {
          const deadline = Number(progress.terms!.deadline);
          throw new CliError(
            `request ${id} has not expired: its deadline is ${formatTime(deadline)} (${countdown(deadline, progress.chainTime)}); ${progress.status === "open" ? `its requester can cancel it now with \`highway cancel ${id}\`` : "its relayer may still answer"}`,
            "DeadlineNotReached",
          );
        }
        printRefund(cli, session, progress, await session.highway.refundExpired(requestId), "refunded");
      }),
    );

  define(cli, program, "raise-fee <id> <T>", "raise an open request's max compute fee to T tokens, to draw a relayer")
    .addHelpText(
      "after",
      `${ID_HELP}\nOnly the requester may raise it, while the request is open; the escrow is topped up\n(approved as needed).`,
    )
    .action(
      action(cli, async (idText: string, amountText: string) => {
        const requestId = parseRequestId(idText);
        const newMax = parseTokens(amountText, "<T>", { positive: true });
        const { session, progress, id } = await requestToAct(cli, requestId);
        if (progress.status !== "open")
          throw new CliError(`request ${id} is ${progress.status}: only an open request's fee can be raised`, "WrongStatus");
        if (progress.expired)
          throw new CliError(
            `request ${id} passed its deadline: nobody can claim it now; refund it with \`highway refund ${id}\``,
            "DeadlinePassed",
          );
        requireRequester(session, progress, "raise the fee of");
        const current = progress.terms!.maxComputeFee;
        if (newMax <= current)
          throw new CliError(
            `${amountText} tokens is not above request ${id}'s current max compute fee of ${formatTokens(current)} tokens`,
            "MaxComputeFeeNotRaised",
          );
        const receipt = await session.highway.raiseMaxComputeFee(requestId, newMax);
        const raised = receipt.logs
          .map((log) => session.highway.coordinator.interface.parseLog(log))
          .find((event) => event?.name === "MaxComputeFeeRaised");
        const topUp = (raised?.args.topUp as bigint | undefined) ?? 0n;
        cli.print({ requestId: id, maxComputeFee: newMax, topUp, transaction: receipt.hash }, () =>
          cli.io.out(`raised request ${id}'s max compute fee to ${amountText} tokens (escrow topped up by ${formatTokens(topUp)} tokens)`),
        );
      }),
    );

  define(cli, program, "retry-callback <id>", "call a request's consumer again after its callback failed (anyone may)")
    .addHelpText("after", `${ID_HELP}\nThe callback gets the gas limit the request was made with.`)
    .action(
      action(cli, async (idText: string) => {
        const requestId = parseRequestId(idText);
        const { session, progress, id } = await requestToAct(cli, requestId);
        if (!progress.callbackPending)
          throw new CliError(
            `request ${id} has no failed callback to retry (it is ${progress.status}${progress.status === "fulfilled" ? " and its callback was delivered" : ""})`,
            "NoFailedCallback",
          );
        const receipt = await session.highway.retryCallback(requestId);
        const events = receipt.logs.map((log) => session.highway.coordinator.interface.parseLog(log)?.name);
        if (!events.includes("CallbackDelivered")) {
          throw new CliError(
            `the callback of request ${id} failed again: fix the consumer ${progress.terms!.consumer} (it has ${progress.terms!.callbackGasLimit} gas), then retry`,
            "CallbackFailed",
          );
        }
        cli.print({ requestId: id, delivered: true, transaction: receipt.hash }, () =>
          cli.io.out(`delivered the callback of request ${id}`),
        );
      }),
    );

  const requests = define(cli, program, "requests", "list | watch: find requests, follow one live");
  define(cli, requests, "list", "requests by a requester (default: yours) or for a model, oldest first, with their status")
    .option("--requester <address>", "whose requests (default: the account of HIGHWAY_PRIVATE_KEY, unless --model is given)")
    .option("--model <model>", "requests for this model (a name or id)")
    .action(
      action(cli, async (options: { requester?: string; model?: string }) => {
        let requester = options.requester === undefined ? undefined : parseAddress(options.requester, "--requester");
        if (requester === undefined && options.model === undefined) {
          requester = cli.keyAddress();
          if (requester === undefined)
            throw new UsageError(
              "requests list needs --requester ADDRESS or --model MODEL (or HIGHWAY_PRIVATE_KEY, for your own requests)",
            );
        }
        const session = await cli.connect();
        const model = options.model === undefined ? undefined : resolveModel(session, options.model);
        const list = await session.highway.listRequests({ requester, model: model?.modelId });
        const rows = list.map((request) => ({
          ...request,
          requestId: hexId(request.requestId),
          model: modelName(session, request.modelId) ?? null,
        }));
        cli.print(rows, () => {
          if (rows.length === 0)
            return cli.io.out(
              `no requests${requester ? ` by ${requester}` : ""}${model ? ` for model ${model.name ?? model.modelId}` : ""}`,
            );
          printTable(
            rows.map((row) => ({
              requestId: row.requestId,
              model: row.model ?? `${row.modelId.slice(0, 10)}…`,
              ...(requester ? {} : { requester: row.requester }),
              status: row.cached ? "fulfilled (cache)" : row.status,
              block: row.blockNumber,
            })),
            cli.io.out,
          );
        });
      }),
    );

  define(cli, requests, "watch <id>", "follow a request live until it is final: phase, auction price, window countdowns")
    .option("--interval <S>", "seconds between reads", "1")
    .option("--timeout <S>", "give up after this many seconds (default: never)")
    .addHelpText(
      "after",
      `${ID_HELP}
A line is printed whenever what it says changes (on a terminal, one line is
rewritten); with --json, only the final result. If the request expires unanswered,
the command exits 1 and says how to refund it.`,
    )
    .action(
      action(cli, async (idText: string, options: { interval: string; timeout?: string }) => {
        const requestId = parseRequestId(idText);
        const interval = parseSeconds(options.interval, "--interval");
        const timeout = options.timeout === undefined ? undefined : parseSeconds(options.timeout, "--timeout");
        const session = await cli.connect();
        await knownProgress(session, requestId);
        const result = await follow(cli, session, requestId, { timeout, pollMs: interval * 1000, style: "watch" });
        cli.print(resultJson(result), () => printResult(result, cli.io.out));
      }),
    );
}

/** A request's progress; an unknown id is an error that says so. */
async function knownProgress(session: Session, requestId: bigint): Promise<RequestProgress> {
  const progress = await session.highway.progress(requestId);
  if (progress.status === "none") {
    throw new CliError(
      `request ${hexId(requestId)} does not exist on chain ${session.chainId} (deployment ${session.deployment.coordinator}): check the id (\`highway requests list\` shows yours)`,
      "UnknownRequest",
    );
  }
  return progress;
}

/** For a command that sends a transaction about a request: a session that signs, and the request's progress and hex id. */
async function requestToAct(cli: Cli, requestId: bigint): Promise<{ session: Session; progress: RequestProgress; id: string }> {
  const session = await cli.connect({ sign: true });
  const progress = await knownProgress(session, requestId);
  return { session, progress, id: hexId(requestId) };
}

function requireRequester(session: Session, progress: RequestProgress, what: string): void {
  const requester = progress.terms!.requester;
  if (requester.toLowerCase() !== session.account!.toLowerCase()) {
    throw new CliError(
      `only the requester ${requester} may ${what} request ${hexId(progress.requestId)}, not ${session.account}: use the requester's key`,
      "NotRequester",
    );
  }
}

/** Prints what a cancel or a refund put back in the requester's balance (its RequestRefunded event). */
function printRefund(
  cli: Cli,
  session: Session,
  progress: RequestProgress,
  receipt: { hash: string; logs: readonly { topics: readonly string[]; data: string }[] },
  done: "cancelled" | "refunded",
): void {
  const id = hexId(progress.requestId);
  const requester = progress.terms!.requester;
  const event = receipt.logs
    .map((log) => session.highway.coordinator.interface.parseLog(log))
    .find((parsed) => parsed?.name === "RequestRefunded");
  const amount = (event?.args.amount as bigint | undefined) ?? 0n;
  cli.print({ requestId: id, refunded: amount, to: requester, transaction: receipt.hash }, () =>
    cli.io.out(
      `${done} request ${id}: ${formatTokens(amount)} tokens ${done === "cancelled" ? "back to" : "to"} ${requester}'s balance (\`highway withdraw\` pays it out)`,
    ),
  );
}

function refundHint(progress: RequestProgress): string {
  return progress.status === "claimed"
    ? ` (a relayer claimed it; if it misses the deadline, \`highway refund ${hexId(progress.requestId)}\`)`
    : "";
}

/** What the user can do next about a request that is not final, when there is something. */
function nextStep(progress: RequestProgress): string | undefined {
  const id = hexId(progress.requestId);
  if (progress.expired) return `it expired unanswered: refund its escrow with \`highway refund ${id}\``;
  if (progress.status === "open" && progress.auction && progress.chainTime >= progress.auction.reachesMaxAt) {
    return `no relayer has claimed it at its max compute fee: raise it (\`highway raise-fee ${id} <T>\`) or cancel it (\`highway cancel ${id}\`)`;
  }
  if (progress.callbackPending) return `its callback failed: retry it with \`highway retry-callback ${id}\``;
  return undefined;
}

/**
 * Follows a request until it is final. `progress` style (request): a line on stderr per
 * phase, with the seconds since sending. `watch` style: a line on stdout whenever it
 * changes (rewritten in place on a terminal). Both say once when the auction reaches
 * its max unclaimed; an expired request or the timeout ends it with an error that says
 * what to do.
 */
async function follow(
  cli: Cli,
  session: Session,
  requestId: bigint,
  options: { timeout?: number; pollMs: number; style: "progress" | "watch" },
): Promise<InferenceResult> {
  const id = hexId(requestId);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  `;
  const write =
    options.style === "progress"
      ? (line: string) => cli.progress(`${elapsed()}${line}`)
      : (line: string) => (cli.json ? undefined : cli.io.out(line));
  const live = options.style === "watch" && !cli.json ? cli.io.status : undefined;
  let last: RequestProgress | undefined;
  let lastPhase = "";
  let lastLine = "";
  let toldAtMax = false;
  try {
    return await session.highway.watch(requestId, {
      pollIntervalMs: options.pollMs,
      timeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
      onProgress: (progress) => {
        const before = last;
        last = progress;
        const stamp = (text: string) => (options.style === "progress" ? text : `${new Date().toISOString().slice(11, 19)}  ${text}`);
        const phase = `${progress.status}/${progress.relayer}/${progress.callbackPending}`;
        const line = stamp(describeProgress(progress));
        if (isLanguageRequest(progress)) {
          // A language model's steps, each once (the answer posted, the challenge, the committee's vote); on a terminal,
          // the live line below them keeps the countdowns.
          const lines = languageProgressLines(before, progress);
          if (lines.length) live?.(undefined);
          for (const step of lines) write(stamp(step));
          live?.(line);
        } else if (phase !== lastPhase) {
          live?.(undefined);
          if (live) live(line);
          else write(line);
        } else if (options.style === "watch" && line.replace(/^\S+\s+/, "") !== lastLine.replace(/^\S+\s+/, "")) {
          if (live) live(line);
          else write(line);
        }
        lastPhase = phase;
        lastLine = line;
        if (
          progress.status === "open" &&
          progress.auction &&
          progress.chainTime >= progress.auction.reachesMaxAt &&
          !toldAtMax &&
          !progress.expired
        ) {
          toldAtMax = true;
          live?.(undefined);
          write(
            `the auction reached its max compute fee (${formatTokens(progress.terms!.maxComputeFee)} tokens) and no relayer has claimed request ${id} yet: keep waiting, raise the fee (\`highway raise-fee ${id} <T>\`) or cancel it (\`highway cancel ${id}\`)`,
          );
        }
        if (progress.expired) {
          const deadline = formatTime(Number(progress.terms!.deadline));
          throw new CliError(
            progress.status === "open"
              ? `request ${id} expired at ${deadline} with no relayer claiming it: refund its escrow with \`highway refund ${id}\``
              : `request ${id} passed its deadline (${deadline}) before its relayer ${progress.relayer} answered: refund it with \`highway refund ${id}\` (the relayer's bond is slashed)`,
            "Expired",
          );
        }
      },
    });
  } catch (error) {
    if (error instanceof InferenceTimeoutError && last) throw new CliError(timeoutMessage(last, options.timeout!), "Timeout");
    throw error;
  } finally {
    live?.(undefined);
  }
}

/** Why the wait ended without an answer, and what to do, in the unit --timeout takes. */
function timeoutMessage(progress: RequestProgress, timeout: number): string {
  const id = hexId(progress.requestId);
  const after = `after ${timeout} s`;
  const watch = `\`highway requests watch ${id}\``;
  switch (progress.status) {
    case "open": {
      const atMax = progress.auction !== undefined && progress.chainTime >= progress.auction.reachesMaxAt;
      return `request ${id} is still open ${after}: no relayer claimed it${atMax ? ` at its max compute fee of ${formatTokens(progress.terms!.maxComputeFee)} tokens` : ""}; cancel it (\`highway cancel ${id}\`), raise its fee (\`highway raise-fee ${id} <T>\`) or keep following it (${watch})`;
    }
    case "claimed":
      return `request ${id} is still being computed by ${progress.relayer} ${after} (delivery window closes ${countdown(progress.window!.endsAt, progress.chainTime)}): keep following it (${watch}); if its deadline passes, \`highway refund ${id}\``;
    case "pending":
      return `request ${id}'s optimistic answer is still in its challenge window ${after} (closes ${countdown(progress.window!.endsAt, progress.chainTime)}): keep following it (${watch})`;
    case "disputed":
      if (isLanguageRequest(progress))
        return `request ${id} is still disputed ${after} (its committee is voting): keep following it (${watch})`;
      return `request ${id} is still disputed ${after} (defence window closes ${countdown(progress.window!.endsAt, progress.chainTime)}): keep following it (${watch})`;
    default:
      return `request ${id} is ${progress.status} ${after} but its result could not be read yet: see \`highway status ${id}\``;
  }
}
