/** `highway explorer`: serves the Highway Explorer web page for the connected deployment, until Ctrl-C. */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveExplorer } from "../../explorer-server.js";
import { action, define } from "../command.js";
import type { Cli } from "../context.js";
import { CliError } from "../errors.js";
import { parseInteger } from "../parse.js";

/** Where `make explorer` (explorer/build.ts) writes the page. */
export const EXPLORER_BUILD_DIR = resolve(import.meta.dirname, "..", "..", "..", ".build", "explorer");

export function explorerCommand(program: Command, cli: Cli): void {
  define(
    cli,
    program,
    "explorer",
    "serve the Highway Explorer: a live web page of this deployment's requests, models, relayers and network, read from the chain",
  )
    .option("--port <n>", "the port to serve on (0: any free port)", "8600")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--dir <folder>", "the built page (default .build/explorer, which `make explorer` builds)")
    .option("--poll <ms>", "how often the page looks for new blocks", "1500")
    .addHelpText(
      "after",
      "\nThe page reads the chain through this server's /rpc, which passes reads only; a browser wallet\n(window.ethereum) lets it request, cancel and withdraw. Ctrl-C stops the server.",
    )
    .action(
      action(cli, async (options: { port: string; host: string; dir?: string; poll: string }) => {
        const port = parseInteger(options.port, "--port", 0, 65_535);
        const pollIntervalMs = parseInteger(options.poll, "--poll", 100, 600_000);
        const dir = options.dir === undefined ? EXPLORER_BUILD_DIR : resolve(options.dir);
        if (!existsSync(join(dir, "index.html")))
          throw new CliError(`no explorer page in ${dir}: build it with \`make explorer\` (or pass --dir with a build)`, "NoExplorerBuild");
        const session = await cli.connect();
        let served;
        try {
          served = await serveExplorer({
            dir,
            deployment: session.deployment,
            rpcUrl: cli.rpcUrl(),
            host: options.host,
            port,
            pollIntervalMs,
          });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
            throw new CliError(`port ${port} is in use: pass another with --port (0 for any free port)`, "PortInUse");
          throw error;
        }
        const stopped = new Promise<void>((done) => {
          process.once("SIGINT", () => done());
          process.once("SIGTERM", () => done());
        });
        cli.print({ url: served.url, chainId: session.chainId, coordinator: session.deployment.coordinator }, () =>
          cli.io.out(`Highway Explorer on ${served.url} (chain ${session.chainId}); Ctrl-C stops it`),
        );
        await stopped;
        await served.close();
      }),
    );
}
