/** Where the browser test and the explorer benchmark find Chromium: $HIGHWAY_CHROMIUM, else Debian's `chromium` on PATH (make setup installs it as root). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_HINT =
  "install Debian's Chromium with `apt-get install -y chromium` as root (`make setup` does it when run as root), or set HIGHWAY_CHROMIUM to a Chromium executable";

/** The Chromium executable, or undefined when there is none. */
export function findChromium(): string | undefined {
  const configured = process.env.HIGHWAY_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : undefined;
  for (const name of ["chromium", "chromium-browser"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (found) return found;
  }
  return undefined;
}
