/**
 * Deploys MyConsumer against a Highway deployment: its coordinator and payment token are the
 * parameters, which scripts/deploy.ts reads from the deployment file (deployments/<chainId>.json).
 * By hand: `npx hardhat ignition deploy ignition/modules/MyConsumer.ts --network highway
 * --parameters params.json` with {"MyConsumer": {"coordinator": "0x…", "paymentToken": "0x…"}}.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("MyConsumer", (m) => {
  const consumer = m.contract("MyConsumer", [m.getParameter<string>("coordinator"), m.getParameter<string>("paymentToken")]);
  return { consumer };
});
