/**
 * `relayer start --config FILE`: runs the relayer until SIGTERM or SIGINT.
 * `relayer models add <modelId> --config FILE`: fetches and checks a registered model's bundle (models-add.ts).
 * Exit codes: 0 after a graceful stop, 2 for a bad config (or key, or RPC), 1 otherwise.
 */
import "./quiet-warnings.js";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.js";
import { startRelayer, type StartedRelayer, type StartOptions } from "./start.js";
import { addModel } from "./models-add.js";

const USAGE = `usage: relayer start --config FILE
       relayer models add <modelId> --config FILE [--dir DIR]

  Runs a Highway relayer: watches the coordinator, claims requests worth serving,
  answers them with EZKL proofs or optimistic outputs, and watches other relayers.
  The private key comes from the config's "key" (an environment variable, or an
  encrypted keystore with its password in an environment variable).

  models add: fetches a registered model's bundle from its artifactURI, checks it
  against the registered artifactHash, derives the proving key, checks the registered
  verifier's code against the bundle's, then adds the model to the config's "models".`;

/** Runs the CLI; `options` lets a wrapper (the demo's cheating relayer) bring its own prover. */
export async function main(argv: string[], options: StartOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { config: { type: "string", short: "c" }, dir: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals[0] === "models" && parsed.positionals[1] === "add" && parsed.positionals.length === 3 && parsed.values.config) {
    try {
      const added = await addModel(parsed.values.config, parsed.positionals[2], parsed.values.dir);
      console.log(
        `relayer: added model ${added.name} (${added.modelId}) from ${added.dir}: bundle hash, proving key and verifier code (${added.verifierCodeHash}) checked`,
      );
      return 0;
    } catch (error) {
      console.error(`relayer: models add: ${(error as Error).message}`);
      return error instanceof ConfigError ? 2 : 1;
    }
  }
  if (parsed.positionals[0] !== "start" || parsed.positionals.length !== 1 || !parsed.values.config) {
    console.error(USAGE);
    return 2;
  }

  // Listen before starting: a signal that arrives while the relayer starts (or right after it
  // logs "relayer started") stops it once it is up, instead of killing the process mid-way.
  let requested: NodeJS.Signals | undefined;
  let onSignal = (signal: NodeJS.Signals) => void (requested ??= signal);
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  process.once("SIGTERM", listener);
  process.once("SIGINT", listener);

  let relayer: StartedRelayer;
  try {
    relayer = await startRelayer(loadConfig(parsed.values.config), options);
  } catch (error) {
    process.off("SIGTERM", listener);
    process.off("SIGINT", listener);
    if (error instanceof ConfigError) {
      console.error(`relayer: ${error.message}`);
      return 2;
    }
    console.error(`relayer: failed to start: ${(error as Error).message}`);
    return 1;
  }

  await new Promise<void>((resolve) => {
    onSignal = (signal) => {
      relayer.log.info({ signal }, "shutdown requested");
      resolve();
    };
    if (requested) onSignal(requested);
  });
  await relayer.stop();
  return 0;
}
