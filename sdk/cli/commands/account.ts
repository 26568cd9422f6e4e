/** An account's money: `balance`, `withdraw`, `callback-gas`, and `relayer start|stake|unstake|withdraw`. */
import type { Command } from "commander";
import { formatEther } from "ethers";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { printTable } from "../../format.js";
import { action, define } from "../command.js";
import { resolveModel, type Cli, type Session } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatTime, formatTokens } from "../output.js";
import { parseAddress, parseNumbers, parseTokens } from "../parse.js";
import { quantize } from "../../node.js";
import { relayerBin } from "../../relayer-bin.js";

export function accountCommands(program: Command, cli: Cli): void {
  define(cli, program, "balance [address]", "what an account holds: its balance in the coordinator, tokens, ETH, relayer stake")
    .addHelpText("after", "\n[address] defaults to the account of HIGHWAY_PRIVATE_KEY.")
    .action(
      action(cli, async (addressText: string | undefined) => {
        const address = addressText === undefined ? cli.keyAddress() : parseAddress(addressText, "[address]");
        if (address === undefined) throw new UsageError("balance needs an address (or HIGHWAY_PRIVATE_KEY, for your own)");
        const session = await cli.connect();
        const [balances, eth] = await Promise.all([session.highway.balances(address), session.highway.provider.getBalance(address)]);
        cli.print({ ...balances, eth }, () => {
          cli.io.out(`account ${address}`);
          printTable(
            [
              { what: "withdrawable (coordinator)", amount: formatTokens(balances.withdrawable) },
              { what: "tokens", amount: formatTokens(balances.token) },
              { what: "ETH (gas)", amount: formatEther(eth) },
            ],
            cli.io.out,
          );
          if (balances.stake.staked > 0n || balances.stake.unbonding > 0n) printStake(balances.stake, cli.io.out);
        });
      }),
    );

  define(cli, program, "withdraw", "pay out your balance in the coordinator (refunds, referral shares, relayer fees)").action(
    action(cli, async () => {
      const session = await cli.connect({ sign: true });
      const { withdrawable, account } = await session.highway.balances();
      if (withdrawable === 0n)
        throw new CliError(`there is nothing to withdraw for ${account}: see \`highway balance\``, "NothingToWithdraw");
      const receipt = await session.highway.withdraw();
      const event = receipt.logs
        .map((log) => session.highway.coordinator.interface.parseLog(log))
        .find((parsed) => parsed?.name === "Withdrawal");
      const amount = (event?.args.amount as bigint | undefined) ?? withdrawable;
      cli.print({ account, withdrawn: amount, transaction: receipt.hash }, () =>
        cli.io.out(`withdrew ${formatTokens(amount)} tokens to ${account}`),
      );
    }),
  );

  define(cli, program, "callback-gas <consumer> <model>", "measure the gas a consumer contract's callback uses for a sample output")
    .requiredOption("--output <values>", "a sample output: numbers separated by commas, one per model output")
    .action(
      action(cli, async (consumerText: string, modelText: string, options: { output: string }) => {
        const consumer = parseAddress(consumerText, "<consumer>");
        const values = parseNumbers(options.output, "--output");
        const session = await cli.connect();
        const { modelId, name } = resolveModel(session, modelText);
        const model = await session.highway.model(modelId);
        if (values.length !== model.output.length)
          throw new CliError(
            `model ${name ?? modelId} returns ${model.output.length} output values, --output has ${values.length}`,
            "OutputLengthMismatch",
          );
        const estimate = await session.highway.estimateCallbackGas(
          consumer,
          values.map((value) => quantize(value, model.output.scale)),
        );
        cli.print(estimate, () =>
          cli.io.out(`the callback uses ${estimate.gasUsed} gas: request with --callback-gas ${estimate.recommendedLimit}`),
        );
      }),
    );

  const relayer = define(cli, program, "relayer", "start | stake | unstake | withdraw: run a relayer, manage its stake");
  define(cli, relayer, "start", "run a relayer (the package's relayer program) until SIGTERM or Ctrl-C")
    .requiredOption("--config <file>", "the relayer's config file (relayer/README.md lists its fields)")
    .addHelpText(
      "after",
      "\nThe relayer's key comes from its config (an environment variable or a keystore), not from HIGHWAY_PRIVATE_KEY.",
    )
    .action(
      action(cli, async (options: { config: string }) => {
        if (!existsSync(options.config)) throw new UsageError(`--config: no file ${options.config}`);
        cli.exitCode = await runRelayer(options.config);
      }),
    );

  for (const [verb, description] of [
    ["stake", "stake T tokens as a relayer (approves the staking contract as needed)"],
    ["unstake", "start unbonding T tokens of stake; withdraw them after the unbonding delay"],
  ] as const) {
    define(cli, relayer, `${verb} <T>`, description).action(
      action(cli, async (amountText: string) => {
        const amount = parseTokens(amountText, "<T>", { positive: true });
        const session = await cli.connect({ sign: true });
        if (verb === "stake") {
          const { token } = await session.highway.balances();
          if (token < amount)
            throw new CliError(
              `${session.account} holds ${formatTokens(token)} tokens, not the ${amountText} to stake: get more of the payment token`,
              "InsufficientTokens",
            );
          await session.highway.stake(amount);
        } else {
          const { stake } = await session.highway.balances();
          if (stake.staked - stake.locked < amount)
            throw new CliError(
              `${session.account} has ${formatTokens(stake.staked - stake.locked)} tokens of free stake (${formatTokens(stake.locked)} locked in open jobs), not the ${amountText} to unstake`,
              "InsufficientFreeStake",
            );
          await session.highway.requestUnstake(amount);
        }
        await printStakeAfter(cli, session, `${verb === "stake" ? "staked" : "unbonding"} ${amountText} tokens`);
      }),
    );
  }

  define(cli, relayer, "withdraw", "withdraw unbonded stake once its unbonding delay has passed").action(
    action(cli, async () => {
      const session = await cli.connect({ sign: true });
      const { stake } = await session.highway.balances();
      if (stake.unbonding === 0n)
        throw new CliError(`${session.account} has no unbonding stake: start with \`highway relayer unstake <T>\``, "NothingToWithdraw");
      const latest = await session.highway.provider.getBlock("latest");
      if (latest!.timestamp < stake.unbondingReleaseAt) {
        throw new CliError(
          `${formatTokens(stake.unbonding)} tokens are unbonding until ${formatTime(stake.unbondingReleaseAt)} (in ${stake.unbondingReleaseAt - latest!.timestamp} s): withdraw after that`,
          "StillUnbonding",
        );
      }
      await session.highway.withdrawStake();
      await printStakeAfter(cli, session, `withdrew ${formatTokens(stake.unbonding)} tokens of stake`);
    }),
  );
}

type Stake = Awaited<ReturnType<Session["highway"]["balances"]>>["stake"];

function printStake(stake: Stake, out: (line: string) => void): void {
  printTable(
    [
      {
        staked: formatTokens(stake.staked),
        locked: formatTokens(stake.locked),
        unbonding: formatTokens(stake.unbonding),
        releaseAt: stake.unbondingReleaseAt ? formatTime(stake.unbondingReleaseAt) : "-",
        served: stake.jobsServed,
        slashed: stake.jobsSlashed,
      },
    ],
    out,
  );
}

async function printStakeAfter(cli: Cli, session: Session, done: string): Promise<void> {
  const { stake, account } = await session.highway.balances();
  cli.print(stake, () => {
    cli.io.out(`${done} (${account})`);
    printStake(stake, cli.io.out);
  });
}

/**
 * Runs the package's `relayer` bin as a child process until it exits: the relayer is a
 * program of its own, which the SDK does not import. SIGTERM is passed on; Ctrl-C's
 * SIGINT reaches the child directly (same process group), so here it is only kept from
 * ending this process before the relayer has stopped.
 */
function runRelayer(configPath: string): Promise<number> {
  const bin = relayerBin();
  const child = spawn(process.execPath, [bin, "start", "--config", configPath], { stdio: "inherit" });
  const passOn = () => child.kill("SIGTERM");
  const wait = () => {};
  process.on("SIGTERM", passOn);
  process.on("SIGINT", wait);
  return new Promise((resolveExit, reject) => {
    child.once("error", (error) => reject(new CliError(`could not start the relayer (${bin}): ${error.message}`, "RelayerNotStarted")));
    child.once("exit", (code) => {
      process.off("SIGTERM", passOn);
      process.off("SIGINT", wait);
      resolveExit(code ?? 1);
    });
  });
}
