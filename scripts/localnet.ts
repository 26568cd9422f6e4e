/**
 * `make localnet`: a local Highway network to try the SDK, the CLI and a relayer
 * against. Starts `hardhat node` on 127.0.0.1:8545 (or --port), deploys the protocol
 * with one-minute windows, writes deployments/<chainId>.json (where the SDK and the CLI
 * look by default), mints payment tokens to the first accounts, prints them, and runs
 * until Ctrl-C.
 *
 * The printed keys are Hardhat's public test keys: they hold nothing anywhere else.
 */
import { formatUnits } from "ethers";
import { DEPLOYMENTS_DIR } from "../sdk/deployment-file.js";
import { printTable } from "../sdk/format.js";
import { hardhatAccount } from "./lib/node.js";
import { startHighway, UNIT } from "./lib/localnet.js";
import { option } from "./lib/report.js";

const port = Number(option("--port", "8545"));
const highway = await startHighway({ port, outDir: DEPLOYMENTS_DIR });
const roles = ["deployer, model owner, treasury", "requester", "model owner 2", "referrer", "spare", "relayer", "relayer 2"];
for (let i = 1; i < roles.length; i++) await (await highway.token.mint(hardhatAccount(i).address, 10_000n * UNIT)).wait();

console.log(`Highway local network on ${highway.node.url} (chain ${highway.deployment.chainId})`);
console.log(`deployment: ${highway.deploymentPath}`);
printTable(
  Object.entries({ coordinator: highway.deployment.coordinator, registry: highway.deployment.registry, staking: highway.deployment.staking, token: highway.deployment.token }).map(([contract, address]) => ({ contract, address })),
);
console.log("\nmodels");
printTable(Object.entries(highway.deployment.models).map(([name, model]) => ({ name, modelId: model.modelId, fee: formatUnits(model.fee, 18) })));
console.log("\naccounts (Hardhat's public test keys; 10,000 tokens each but the deployer's)");
printTable(roles.map((role, i) => ({ account: i, role, address: hardhatAccount(i).address, privateKey: hardhatAccount(i).privateKey })));
console.log(`\nexport HIGHWAY_RPC=${highway.node.url}\nrunning; Ctrl-C stops the node`);

await new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
await highway.stop();
