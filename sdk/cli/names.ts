/**
 * The local name book: names for the models a user registered with `highway models
 * register`. The registry keeps no name (only a model id, derived from the owner and a
 * salt), so the CLI keeps them in a small JSON file next to the deployment file:
 * deployments/<chainId>.json has deployments/<chainId>.models.json, and a deployment
 * file given by path (foo.json) has foo.models.json. Names of the deployment file's
 * own models (the reference models) come first and cannot be taken.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError } from "./errors.js";

export interface NamedModel {
  modelId: string;
  /** The account that registered it. */
  owner: string;
  /** The circuit folder it was registered from. */
  circuit?: string;
}

export type NameBook = Record<string, NamedModel>;

/** The name book's path for a deployment file's path. */
export function nameBookPath(deploymentPath: string): string {
  return join(dirname(deploymentPath), `${basename(deploymentPath).replace(/\.json$/, "")}.models.json`);
}

/** The names in the book at `path`; an absent file is an empty book. */
export function readNameBook(path: string): NameBook {
  if (!existsSync(path)) return {};
  try {
    const book = JSON.parse(readFileSync(path, "utf8")) as NameBook;
    if (typeof book !== "object" || book === null || Array.isArray(book)) throw new Error("not an object");
    return book;
  } catch {
    throw new CliError(`${path} is not a model name book (JSON of name → { modelId, owner }): fix or delete it`, "BadNameBook");
  }
}

/** Adds `name` to the book at `path` (written whole, through a temporary file). */
export function recordName(path: string, name: string, model: NamedModel): void {
  const book = readNameBook(path);
  book[name] = model;
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(book, null, 2)}\n`);
    renameSync(temporary, path);
  } catch {
    throw new CliError(
      `could not write the name book ${path}: the model is registered, but not named (check the folder's permissions)`,
      "NameBookNotWritten",
    );
  }
}
