import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import hardhatKeystore from "@nomicfoundation/hardhat-keystore";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";

const require = createRequire(import.meta.url);

// Compile offline with the solc-js build shipped in the npm `solc` package, so no
// compiler is downloaded. The version here must equal the `solc` package's version.
const SOLC_VERSION = "0.8.30";
const solcJsPath = require.resolve("solc/soljson.js");

/** The deployer's key of every real chain: a configuration variable, never a file in the repository. */
function deployerKey() {
  return [configVariable("HIGHWAY_DEPLOYER_KEY")];
}

export default defineConfig({
  plugins: [
    hardhatEthers,
    hardhatEthersChaiMatchers,
    hardhatIgnitionEthers,
    hardhatKeystore,
    hardhatMocha,
    hardhatNetworkHelpers,
    hardhatTypechain,
  ],
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        path: solcJsPath,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
        },
      },
    ],
    overrides: {
      // The IR pipeline keeps the coordinator (19.5 KB, with the dispute game and admin contract its
      // constructor deploys) 5 KB under EIP-170's 24,576 bytes; the legacy pipeline makes it 22.4 KB.
      "contracts/InferenceCoordinator.sol": {
        version: SOLC_VERSION,
        path: solcJsPath,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
          viaIR: true,
        },
      },
    },
  },
  paths: {
    sources: ["contracts", "examples/contracts"],
    tests: { mocha: "test", solidity: "contracts/test" },
  },
  test: {
    solidity: {
      // The protocol tests read the real EZKL sample proofs (circuits/<model>/samples/*.json).
      fsPermissions: { readDirectory: ["circuits"] },
    },
  },
  networks: {
    // What `hardhat node --network localnode` serves to the relayer's integration tests,
    // the demo and the benchmarks: blocks on every transaction and at least once a second,
    // so time-based steps (auction, windows, confirmations) move on an idle chain too.
    // Blocks in the same second share its timestamp, so chain time keeps to the clock under load.
    localnode: { type: "edr-simulated", chainType: "l1", allowBlocksWithSameTimestamp: true, mining: { auto: true, interval: 1_000 } },
    // Real chains (`make deploy NETWORK=<name>`, README "Deploy to a public chain"). Their RPC URLs and the
    // deployer's key are Hardhat configuration variables: read from the environment, else from Hardhat's
    // encrypted keystore (`hardhat keystore set HIGHWAY_DEPLOYER_KEY`), which lives in the user's Hardhat
    // config folder, never in this repository. They are resolved only when the network is used.
    // `custom` is any EVM chain: HIGHWAY_RPC_URL names it.
    custom: { type: "http", chainType: "generic", url: configVariable("HIGHWAY_RPC_URL"), accounts: deployerKey() },
    sepolia: { type: "http", chainType: "l1", url: configVariable("SEPOLIA_RPC_URL"), accounts: deployerKey() },
    baseSepolia: { type: "http", chainType: "op", url: configVariable("BASE_SEPOLIA_RPC_URL"), accounts: deployerKey() },
    arbitrumSepolia: { type: "http", chainType: "generic", url: configVariable("ARBITRUM_SEPOLIA_RPC_URL"), accounts: deployerKey() },
  },
  typechain: { outDir: "types" },
});
