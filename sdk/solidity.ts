/** Offline Solidity compilation with the project's solc-js (the npm `solc` package). */
import { createRequire } from "node:module";

export interface CompiledContract {
  abi: unknown[];
  /** The creation code. */
  bytecode: string;
  /** The runtime code: what the chain holds once the contract is deployed. */
  deployedBytecode: string;
}

/** Compiles one source file and returns `contractName` from it; throws with solc's errors. */
export function compileSolidity(fileName: string, source: string, contractName: string): CompiledContract {
  const solc = createRequire(import.meta.url)("solc");
  const input = {
    language: "Solidity",
    sources: { [fileName]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) throw new Error(`${fileName}: solc failed: ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n")}`);
  const compiled = output.contracts?.[fileName]?.[contractName];
  if (!compiled) throw new Error(`${fileName}: no contract named ${contractName}`);
  return { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}`, deployedBytecode: `0x${compiled.evm.deployedBytecode.object}` };
}
