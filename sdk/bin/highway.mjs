#!/usr/bin/env node
// The `highway` command. Runs the TypeScript sources through tsx (no separate build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli.ts");
process.exitCode = await main(process.argv.slice(2));
