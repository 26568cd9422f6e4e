#!/usr/bin/env node
// The `relayer` command. Runs the TypeScript sources through tsx (the project runs
// TypeScript directly; there is no separate build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
