/**
 * Deploys MyConsumer on the network's chain, against the Highway deployment there:
 *
 *   npm run deploy                    # = hardhat run --network highway scripts/deploy.ts
 */
import { network } from "hardhat";
import { deployConsumer, highwayDeployment } from "./highway.js";

const connection = await network.create();
const { deployment, path } = await highwayDeployment(connection);
const consumer = await deployConsumer(connection, deployment);
console.log(`MyConsumer: ${await consumer.getAddress()} (chain ${deployment.chainId}, coordinator ${deployment.coordinator} from ${path})`);
