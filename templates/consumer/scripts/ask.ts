/**
 * Funds MyConsumer, asks a model for its output on an input, and waits for the answer its
 * callback stores:
 *
 *   npm run ask                       # price-signal on a sample input
 *   MODEL=credit-risk INPUT=0.1,0.2,... npm run ask
 *
 * The account (HIGHWAY_PRIVATE_KEY) pays: it sends the consumer the escrow the request takes.
 */
import { formatUnits } from "ethers";
import { network } from "hardhat";
import { dequantize, Highway, quantizeTensor } from "highway-inference-sdk/node";
import { deployConsumer, highwayDeployment } from "./highway.js";

const MODEL = process.env.MODEL ?? "price-signal";
const INPUT = (process.env.INPUT ?? "-0.4,0.1,0.3,0.2,0.6,0.9,1.1,1.4").split(",").map(Number);
/** The most a relayer is paid for computing and proving the answer: 1 token. */
const MAX_COMPUTE_FEE = 10n ** 18n;
const ERC20 = ["function balanceOf(address) view returns (uint256)", "function transfer(address, uint256) returns (bool)"];

const connection = await network.create();
const { ethers } = connection;
const [account] = await ethers.getSigners();
const { deployment } = await highwayDeployment(connection);
const consumer = await deployConsumer(connection, deployment);
const consumerAddress = await consumer.getAddress();
const highway = await Highway.connect({ runner: account, deployment });
const model = await highway.model(MODEL);

// 1. Fund: the consumer pays the escrow (model fee + compute fee + protocol fee) from its own balance.
const { total } = await highway.quote({ model: MODEL, maxComputeFee: MAX_COMPUTE_FEE });
const token = await ethers.getContractAt(ERC20, deployment.token);
const held: bigint = await token.balanceOf(consumerAddress);
if (held < total) {
  const mine: bigint = await token.balanceOf(account.address);
  if (mine < total - held)
    throw new Error(`${account.address} holds ${formatUnits(mine, 18)} tokens; the request needs ${formatUnits(total - held, 18)} more`);
  await (await token.transfer(consumerAddress, total - held)).wait();
}
console.log(
  `MyConsumer ${consumerAddress} holds ${formatUnits(await token.balanceOf(consumerAddress), 18)} tokens; a request escrows ${formatUnits(total, 18)}`,
);

// 2. Ask: the input quantized at the model's input scale, at most the model fee just quoted.
const receipt = await (await consumer.ask(model.modelId, quantizeTensor(INPUT, model.input), model.fee, MAX_COMPUTE_FEE)).wait();
const asked = receipt.logs
  .map((log: { topics: string[]; data: string }) => consumer.interface.parseLog(log))
  .find((event: { name: string } | null) => event?.name === "Asked");
const requestId: bigint = asked.args.requestId;
console.log(`asked ${MODEL} (request ${requestId}); waiting for a relayer's answer`);

// 3. Wait until the request is final, then read what the callback stored.
await highway.handle(requestId).wait({ timeoutMs: 180_000, onProgress: (status) => console.log(`  ${status}`) });
const output: bigint[] = [...(await consumer.outputOf(requestId))];
console.log(`answered: ${output.map((value) => dequantize(value, model.output.scale)).join(", ")} (raw ${output.join(", ")})`);
