import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./repo.js";

export { REPO };
export const PYTHON = process.env.HIGHWAY_PYTHON ?? join(REPO, ".venv", "bin", "python");

/** Runs a Python script or snippet from the project's virtualenv and returns what it did. */
export function runPython(args: string[], options: { input?: string } = {}) {
  const result = spawnSync(PYTHON, args, { cwd: REPO, encoding: "utf8", input: options.input, maxBuffer: 64 << 20 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
