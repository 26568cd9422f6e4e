/**
 * Builds the explorer page with Vite into a folder (default .build/explorer): an
 * index.html and its hashed assets, everything the page loads.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const EXPLORER_ROOT = import.meta.dirname;
export const DEFAULT_OUT_DIR = resolve(EXPLORER_ROOT, "..", ".build", "explorer");

/** Runs Vite's build of the page into `outDir`; resolves with the folder. */
export async function buildExplorer(outDir: string = DEFAULT_OUT_DIR): Promise<string> {
  // Loaded on demand: serving an existing build needs no bundler.
  const { build } = await import("vite");
  await build({ configFile: join(EXPLORER_ROOT, "vite.config.ts"), build: { outDir }, logLevel: "warn" });
  return outDir;
}

/** Whether `outDir` holds a build. */
export function isBuilt(outDir: string = DEFAULT_OUT_DIR): boolean {
  return existsSync(join(outDir, "index.html"));
}

// `tsx explorer/build.ts [outDir]` (make explorer): build, and say where.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const outDir = await buildExplorer(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT_DIR);
  console.log(`explorer built in ${outDir}`);
}
