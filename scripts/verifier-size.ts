/**
 * The runtime size of a Solidity verifier as the project compiles it (sdk/solidity.ts, solc-js):
 * what the EIP-170 limit applies to. Used by `circuits/build.py model` to choose logrows.
 *
 *   tsx scripts/verifier-size.ts Halo2Verifier.sol [ContractName]
 *
 * Prints one JSON line: {"runtimeBytes":N,"creationBytes":N}, or exits 1 with solc's errors.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { compileSolidity } from "../sdk/solidity.js";

const [file, contract = "Halo2Verifier"] = process.argv.slice(2);
try {
  const compiled = compileSolidity(basename(file), readFileSync(file, "utf8"), contract);
  const bytes = (hex: string) => (hex.length - 2) / 2;
  console.log(JSON.stringify({ runtimeBytes: bytes(compiled.deployedBytecode), creationBytes: bytes(compiled.bytecode) }));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
