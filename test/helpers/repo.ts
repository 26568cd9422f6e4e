import { resolve } from "node:path";

/** The repository's root folder. */
export const REPO = resolve(import.meta.dirname, "..", "..");
