/**
 * Node only: the script of the `relayer` command, which `highway relayer start` runs. In the
 * repository the root package.json names it; the published SDK (highway-inference-sdk) has no
 * relayer of its own and runs the one of the highway-inference-relayer package installed next to it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { HighwayError } from "./errors.js";

/** The npm package of the relayer (scripts/pack/relayer/package.json). */
export const RELAYER_PACKAGE = "highway-inference-relayer";

/** The path of the `relayer` command's script; throws a HighwayError saying what to install when there is none. */
export function relayerBin(): string {
  const own = binOf(resolve(import.meta.dirname, "..", "package.json"));
  if (own) return own;
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${RELAYER_PACKAGE}/package.json`);
  } catch (error) {
    throw new HighwayError(`the relayer is a package of its own: install it next to the SDK (npm install ${RELAYER_PACKAGE})`, {
      cause: error,
    });
  }
  const bin = binOf(packageJson);
  if (!bin) throw new HighwayError(`${packageJson} has no "relayer" bin: reinstall ${RELAYER_PACKAGE}`);
  return bin;
}

/** The `relayer` bin a package.json names, as an absolute path, if it names one. */
function binOf(packageJson: string): string | undefined {
  let bin: unknown;
  try {
    bin = (JSON.parse(readFileSync(packageJson, "utf8")) as { bin?: unknown }).bin;
  } catch {
    return undefined;
  }
  const relayer = typeof bin === "object" && bin !== null ? (bin as Record<string, unknown>).relayer : undefined;
  return typeof relayer === "string" ? resolve(dirname(packageJson), relayer) : undefined;
}
