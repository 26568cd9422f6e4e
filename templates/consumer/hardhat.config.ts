import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import hardhatKeystore from "@nomicfoundation/hardhat-keystore";

const require = createRequire(import.meta.url);

export default defineConfig({
  plugins: [hardhatEthers, hardhatIgnitionEthers, hardhatKeystore],
  solidity: {
    compilers: [
      {
        // The solc-js build of the npm `solc` package (the same version): compiles offline.
        // Remove `path` to have Hardhat download the native compiler instead.
        version: "0.8.30",
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    ],
  },
  networks: {
    // The chain Highway is deployed on, by URL (default: a local node, such as `make localnet` in the
    // Highway repository). The account that deploys and pays is HIGHWAY_PRIVATE_KEY, the variable the
    // highway CLI reads too. Both are configuration variables: from the environment, or from
    // Hardhat's encrypted keystore (`npx hardhat keystore set HIGHWAY_PRIVATE_KEY`), never a file here.
    highway: {
      type: "http",
      url: configVariable("HIGHWAY_RPC_URL", { default: "http://127.0.0.1:8545" }),
      accounts: [configVariable("HIGHWAY_PRIVATE_KEY")],
    },
  },
});
