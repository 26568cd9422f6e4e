#!/usr/bin/env node
// The `highway` command of the published SDK: the compiled sdk/cli.ts.
import { main } from "../sdk/cli.js";

process.exitCode = await main(process.argv.slice(2));
