/**
 * `highway`: the command line over the SDK, for requesters, model owners and relayer
 * operators (commander; the commands are in sdk/cli/commands/). Human text by default,
 * one JSON document with --json. Every failure ends in one line on stderr, mapped in
 * sdk/cli/errors.ts: exit 2 for a malformed command line, 1 for anything else.
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { toJson } from "./format.js";
import { configure } from "./cli/command.js";
import { accountCommands } from "./cli/commands/account.js";
import { explorerCommand } from "./cli/commands/explorer.js";
import { initCommand } from "./cli/commands/init.js";
import { modelCommands } from "./cli/commands/models.js";
import { requestCommands } from "./cli/commands/requests.js";
import { Cli, PACKAGE_JSON, type Io } from "./cli/context.js";
import { describeFailure, usageError } from "./cli/errors.js";

const GLOBAL_HELP = `
Keys and output:
  The signing key comes from $HIGHWAY_PRIVATE_KEY (0x + 64 hex digits); commands that
  only read need none. Amounts T are in tokens (decimals allowed), BPS in basis points,
  times S in seconds. Request ids are shown as 0x + 64 hex digits, and taken so or in decimal.

  --json prints one JSON document on stdout: the command's result (amounts in base
  units as decimal strings, ids in hex), or on failure {"ok":false,"error":"...",
  "errorName":"...","exitCode":N}.

Exit codes:
  0  done
  1  the command failed (the chain, a contract, a file, a timeout): one line on stderr says why and what to do
  2  the command line or HIGHWAY_PRIVATE_KEY is malformed: nothing was sent

Run \`highway <command> --help\` for a command's options.`;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** The command tree, writing through `cli`. */
export function buildProgram(cli: Cli): Command {
  const program = configure(cli, new Command("highway"))
    .description("Highway from the command line: verifiable AI inference on EVM chains (models, requests, relayers)")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--rpc <url>", "JSON-RPC endpoint (default $HIGHWAY_RPC or http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment file, or a chain id for deployments/<id>.json (default: the RPC's chain id)")
    .option("--json", 'print one JSON document on stdout ({"ok":false,...} on failure)')
    .addHelpText("after", GLOBAL_HELP);
  modelCommands(program, cli);
  requestCommands(program, cli);
  accountCommands(program, cli);
  explorerCommand(program, cli);
  initCommand(program, cli);
  return program;
}

const stdio: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  status: process.stdout.isTTY
    ? (() => {
        let shown = false;
        return (line: string | undefined) => {
          if (line === undefined) {
            if (shown) process.stdout.write("\n");
            shown = false;
          } else {
            process.stdout.write(`\r\x1b[2K${line}`);
            shown = true;
          }
        };
      })()
    : undefined,
};

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: Io = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const cli = new Cli(io, env);
  const program = buildProgram(cli);
  try {
    await program.parseAsync(argv, { from: "user" });
    return cli.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return 0; // --help, --version
    const failure = describeFailure(
      error instanceof CommanderError ? usageError(error, cli.failedCommand, argv.length === 0) : error,
      cli.failure,
    );
    io.err(`error: ${failure.message}`);
    if (cli.json || argv.includes("--json"))
      io.out(toJson({ ok: false, error: failure.message, errorName: failure.errorName ?? null, exitCode: failure.exitCode }));
    return failure.exitCode;
  } finally {
    cli.close();
  }
}
