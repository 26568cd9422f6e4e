/** How a command is declared: its output goes through the run's Cli, its failures to the one error line. */
import type { Command } from "commander";
import type { Cli } from "./context.js";

/**
 * A subcommand of `parent` whose help goes to stdout and whose parse errors are left to
 * main() (one line, exit 2); `cli.failedCommand` says which command they came from.
 */
export function define(cli: Cli, parent: Command, nameAndArgs: string, description: string): Command {
  const command = parent.command(nameAndArgs).description(description);
  configure(cli, command);
  return command;
}

export function configure(cli: Cli, command: Command): Command {
  return command
    .exitOverride()
    .showHelpAfterError(false)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => cli.io.out(text.replace(/\n$/, "")),
      // Help written as an error (a group command without its subcommand): main() says it in one line.
      writeErr: () => {
        cli.failedCommand = command;
      },
      outputError: () => {
        cli.failedCommand = command;
      },
    });
}

/** An action: takes the global options as the command sees them, then runs `run` with the arguments and options. */
export function action<Args extends unknown[]>(
  cli: Cli,
  run: (...args: Args) => void | Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    cli.use(args.at(-1) as Command);
    await run(...(args.slice(0, -1) as Args));
  };
}

/** `highway models register`, as a user types it. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
