import { expect } from "chai";
import { signPermit } from "../../sdk/permit.js";
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CIRCUITS_DIR } from "../../sdk/circuits.js";
import { decodeTensor, encodeTensor } from "../../sdk/encoding.js";
import { deployHighway } from "../../scripts/deploy.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";

const { ethers, networkHelpers } = await network.create();
const UNIT = 10n ** 18n;

function sample(model: string, index: number) {
  const raw = JSON.parse(readFileSync(join(CIRCUITS_DIR, model, "samples", `sample-${index}.json`), "utf8"));
  return { input: raw.input.map(BigInt) as bigint[], output: raw.output.map(BigInt) as bigint[], proof: raw.proof as string };
}

describe("Highway end to end (TypeScript, real price-signal proof)", () => {
  it("a bot requests with a permit, a relayer claims and proves, the consumer gets the output, everyone withdraws", async () => {
    const [admin, bot, relayer, treasury] = await ethers.getSigners();
    const highway = await deployHighway(ethers, {
      write: false,
      treasury: treasury.address,
      mint: [bot, relayer].map((s) => ({ to: s.address, amount: 10_000n * UNIT })),
    });
    const { token, staking, coordinator, registry } = highway;
    const modelId = highway.deployment.models["price-signal"].modelId;
    const consumer = await ethers.deployContract("EchoConsumer", [await coordinator.getAddress()]);

    await (await token.connect(relayer).approve(await staking.getAddress(), 1_000n * UNIT)).wait();
    await (await staking.connect(relayer).stake(1_000n * UNIT)).wait();

    const s = sample("price-signal", 2);
    const params = {
      modelId,
      proofMode: 0,
      startComputeFee: UNIT,
      maxComputeFee: 3n * UNIT,
      maxModelFee: ANY_MODEL_FEE,
      jobBond: 0n,
      challengeWindow: 0,
      callbackGasLimit: 100_000,
      maxOutputBytes: 0,
      deadline: (await networkHelpers.time.latest()) + 3_600,
      consumer: await consumer.getAddress(),
      referrer: ethers.ZeroAddress,
    };
    const value: bigint = await coordinator.quoteEscrow(modelId, params.maxComputeFee);
    const deadline = (await networkHelpers.time.latest()) + 600;
    const signature = await signPermit(bot, token, await coordinator.getAddress(), value, BigInt(deadline));
    const receipt = await (
      await coordinator
        .connect(bot)
        .requestInferenceWithPermit(params, encodeTensor(s.input), value, deadline, signature.v, signature.r, signature.s)
    ).wait();
    const created = receipt!.logs.map((l) => coordinator.interface.parseLog(l)).find((l) => l?.name === "RequestCreated")!;
    const requestId: bigint = created.args.requestId;
    const terms = created.args.terms.toObject();
    expect(decodeTensor(created.args.input)).to.deep.equal(s.input);
    expect(
      BigInt(
        ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode([coordinator.interface.getEvent("RequestCreated").inputs[3]], [terms])),
      ),
    ).to.equal(requestId);

    await networkHelpers.time.increase(119); // the end of the default 120 s auction: price = max
    await expect(coordinator.connect(relayer).claim(requestId, terms)).to.emit(coordinator, "RequestClaimed");
    await expect(coordinator.connect(relayer).fulfillZk(requestId, terms, encodeTensor(s.input), encodeTensor(s.output), s.proof))
      .to.emit(consumer, "InferenceReceived")
      .withArgs(requestId, encodeTensor(s.output));

    const [found, cached] = await coordinator.cachedResult(modelId, encodeTensor(s.input));
    expect(found).to.equal(true);
    expect(decodeTensor(cached)).to.deep.equal(s.output);

    const modelFee = (await registry.modelTerms(modelId)).fee;
    const computeFee = 3n * UNIT;
    const protocolFee = ((modelFee + computeFee) * 500n) / 10_000n;
    expect(await coordinator.balanceOf(relayer.address)).to.equal(computeFee);
    expect(await coordinator.balanceOf(bot.address)).to.equal(value - modelFee - computeFee - protocolFee);
    expect(await coordinator.modelEarnings(modelId)).to.equal(modelFee);
    expect(await coordinator.protocolFees()).to.equal(protocolFee);

    await expect(coordinator.connect(relayer).withdraw()).to.changeTokenBalance(ethers, token, relayer, computeFee);
    await expect(coordinator.connect(admin).withdrawModelEarnings(modelId)).to.changeTokenBalance(ethers, token, admin, modelFee);
    await expect(coordinator.withdrawProtocolFees()).to.changeTokenBalance(ethers, token, treasury, protocolFee);
    // Claimed at the maximal price: nothing of the escrow is left to refund.
    expect(value - modelFee - computeFee - protocolFee).to.equal(0n);
    await expect(coordinator.connect(bot).withdraw()).to.be.revertedWithCustomError(coordinator, "NothingToWithdraw");
    expect(await token.balanceOf(await coordinator.getAddress())).to.equal(0n);
  });

  it("decodes the coordinator's custom errors", async () => {
    const highway = await deployHighway(ethers, { write: false, models: ["price-signal"] });
    const modelId = highway.deployment.models["price-signal"].modelId;
    const params = {
      modelId,
      proofMode: 0,
      startComputeFee: 0n,
      maxComputeFee: UNIT,
      maxModelFee: ANY_MODEL_FEE,
      jobBond: 0n,
      challengeWindow: 0,
      callbackGasLimit: 0,
      maxOutputBytes: 0,
      deadline: (await networkHelpers.time.latest()) + 3_600,
      consumer: ethers.ZeroAddress,
      referrer: ethers.ZeroAddress,
    };
    await expect(highway.coordinator.requestInference(params, encodeTensor([1n, 2n, 3n])))
      .to.be.revertedWithCustomError(highway.coordinator, "InputLengthMismatch")
      .withArgs(8n, 3n);
  });
});
