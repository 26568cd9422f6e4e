#!/usr/bin/env node
// The `relayer` command of the published relayer: the compiled relayer/src/cli.ts.
import { main } from "../relayer/src/cli.js";

process.exitCode = await main(process.argv.slice(2));
