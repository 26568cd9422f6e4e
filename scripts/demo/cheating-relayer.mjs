#!/usr/bin/env node
// The demo's cheating relayer: the real relayer, except that every optimistic output
// it posts is off by one unit in its first value. It exists to show (and test) the
// dispute game: an honest watchtower challenges it, proves the fraud, and it is slashed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../../relayer/src/cli.ts");
process.exitCode = await main(process.argv.slice(2), {
  corruptOptimisticOutput: (output) => output.map((value, index) => (index === 0 ? value + 1n : value)),
});
