/**
 * The SDK against a real Hardhat node and a live relayer process.
 */
import { expect } from "chai";
import { ZeroAddress, type Contract } from "ethers";
import {
  Highway,
  HighwayContractError,
  HighwayError,
  ERROR_HINTS,
  InferenceTimeoutError,
  TensorLengthError,
  ValueOutOfRangeError,
  auctionPrice,
  encodeTensor,
  quantizeTensor,
  quoteEscrow,
} from "../../sdk/node.js";
import { EchoConsumer__factory } from "../../types/factories/contracts/examples/EchoConsumer__factory.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import {
  advanceTime,
  fundRequester,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  UNIT,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";

const RELAYER = 5;
const REFERRER = hardhatAccount(7).address;

describe("SDK (Highway and sdk/actions/) against a live relayer", function () {
  this.timeout(300_000);
  let highway: LocalHighway;
  let relayer: RelayerProcess;
  let sdk: Highway;

  before(async () => {
    highway = await startHighway();
    const [requester] = await highway.ethers.getSigners();
    await fundRequester(highway, requester);
    await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(RELAYER).address));
    // price-signal pays referrers 10% of its fee; the relayer serves price-signal only.
    await (await highway.registry.setReferralShareBps(highway.deployment.models["price-signal"].modelId, 1_000)).wait();
    relayer = startRelayerProcess(highway, { account: RELAYER, config: { models: [{ circuit: "price-signal" }] } });
    sdk = await Highway.connect({ runner: requester, deployment: highway.deploymentPath });
  });

  after(async () => {
    await relayer?.kill();
    await highway?.stop();
  });

  it("requests, waits and reports the output and the exact fee split paid to each role", async () => {
    const [requester] = await highway.ethers.getSigners();
    const modelId = sdk.modelId("price-signal");
    const before = {
      owner: await highway.coordinator.modelEarnings(modelId),
      relayer: await highway.coordinator.balanceOf(hardhatAccount(RELAYER).address),
      referrer: await highway.coordinator.balanceOf(REFERRER),
      protocol: await highway.coordinator.protocolFees(),
      requester: await highway.coordinator.balanceOf(requester.address),
    };
    const quote = await sdk.quote({ model: "price-signal", maxComputeFee: 3n * UNIT });
    const progress: string[] = [];
    const handle = await sdk.requestInference({
      model: "price-signal",
      input: [0.5, -0.25, 1, 0, 0.75, -1.5, 2, 0.125],
      proofMode: "zk",
      maxComputeFee: 3n * UNIT,
      referrer: REFERRER,
    });
    const result = await handle.wait({ timeoutMs: 60_000, onProgress: (status) => progress.push(status) });

    expect(result.status).to.equal("answered");
    expect(result.proofMode).to.equal("zk");
    expect(result.proven).to.equal(true);
    expect(result.relayer).to.equal(hardhatAccount(RELAYER).address);
    expect(result.output!.raw).to.have.length(1);
    expect(result.output!.values[0]).to.equal(Number(result.output!.raw[0]) / 2 ** 24);
    expect(progress.at(-1)).to.equal("fulfilled");
    expect(result.transactions).to.include.keys("request", "claim", "fulfilled");

    const fees = result.fees;
    expect(fees.referrer).to.equal((quote.modelFee * 1_000n) / 10_000n);
    expect(fees.relayer + fees.modelOwner + fees.parent + fees.referrer + fees.protocol + fees.refund).to.equal(quote.total);
    expect((await highway.coordinator.modelEarnings(modelId)) - before.owner).to.equal(fees.modelOwner);
    expect((await highway.coordinator.balanceOf(hardhatAccount(RELAYER).address)) - before.relayer).to.equal(fees.relayer);
    expect((await highway.coordinator.balanceOf(REFERRER)) - before.referrer).to.equal(fees.referrer);
    expect((await highway.coordinator.protocolFees()) - before.protocol).to.equal(fees.protocol);
    expect((await highway.coordinator.balanceOf(requester.address)) - before.requester).to.equal(fees.refund);

    // The compute fee is the auction's price at the claim's block.
    const terms = await sdk.terms(handle.requestId);
    const claimBlock = await highway.ethers.provider.getBlock(
      (await highway.ethers.provider.getTransactionReceipt(result.transactions.claim))!.blockNumber,
    );
    expect(fees.relayer).to.equal(
      auctionPrice(terms.startComputeFee, terms.maxComputeFee, terms.createdAt, terms.auctionDuration, BigInt(claimBlock!.timestamp)),
    );
  });

  it("reports a request a consumer contract had answered from the cache, from its events alone", async () => {
    const input = [0.25, 0.25, -0.5, 0.5, 1, -1, 0.125, 0];
    const proven = await (await sdk.requestInference({ model: "price-signal", input, proofMode: "zk" })).wait({ timeoutMs: 60_000 });
    const [requester] = await highway.ethers.getSigners();
    const consumer = await new EchoConsumer__factory(requester).deploy(highway.deployment.coordinator);
    await consumer.waitForDeployment();
    await (await highway.token.mint(await consumer.getAddress(), 10n * UNIT)).wait();
    const model = await sdk.model("price-signal");
    const before = {
      owner: await highway.coordinator.modelEarnings(model.modelId),
      protocol: await highway.coordinator.protocolFees(),
      tokens: await highway.token.balanceOf(await consumer.getAddress()),
    };

    const latest = await highway.ethers.provider.getBlock("latest");
    const tx = await consumer.request(
      highway.deployment.token,
      model.modelId,
      encodeTensor(quantizeTensor(input, model.input)),
      model.fee,
      3n * UNIT,
      200_000,
      latest!.timestamp + 3_600,
    );
    const receipt = (await tx.wait())!;
    const answered = receipt.logs
      .map((log) => highway.coordinator.interface.parseLog(log))
      .find((event) => event?.name === "CachedRequestFulfilled");
    const requestId = answered!.args.requestId as bigint;

    expect(await sdk.status(requestId)).to.equal("fulfilled");
    const result = (await sdk.result(requestId))!;
    expect(result.status).to.equal("answered");
    expect(result.proven).to.equal(true);
    expect(result.relayer).to.equal(ZeroAddress);
    expect(result.output).to.deep.equal(proven.output);
    expect(result.transactions).to.deep.equal({ request: tx.hash });
    // A cache answer buys no compute: the consumer pays the model fee and its protocol fee, nothing comes back.
    const paid = before.tokens - (await highway.token.balanceOf(await consumer.getAddress()));
    const { fees } = result;
    expect(paid).to.equal(quoteEscrow(model.fee, 0n, (await highway.coordinator.getParams()).protocolFeeBps).total);
    expect(fees.relayer + fees.modelOwner + fees.parent + fees.referrer + fees.protocol + fees.refund).to.equal(paid);
    expect(fees).to.include({ relayer: 0n, referrer: 0n, refund: 0n });
    expect((await highway.coordinator.modelEarnings(model.modelId)) - before.owner).to.equal(fees.modelOwner);
    expect((await highway.coordinator.protocolFees()) - before.protocol).to.equal(fees.protocol);
  });

  it("quotes the escrow exactly as the coordinator does", async () => {
    const modelId = sdk.modelId("price-signal");
    for (const maxComputeFee of [0n, 1n, 3n * UNIT, 12_345_678_901_234_567n]) {
      const quote = await sdk.quote({ model: "price-signal", maxComputeFee });
      expect(quote.total).to.equal(await highway.coordinator.quoteEscrow(modelId, maxComputeFee));
    }
  });

  it("quotes the security level a request locks, and passes it and the quoted model fee", async () => {
    const params = await highway.coordinator.getParams();
    const asked = { jobBond: 2n * params.jobBond, challengeWindow: 2 * Number(params.challengeWindow) };
    const quote = await sdk.quote({ model: "credit-risk", ...asked });
    expect(quote).to.include({ ...asked, deliveryWindow: Number(params.deliveryWindow) });
    expect(await sdk.quote({ model: "credit-risk" })).to.include({
      jobBond: params.jobBond,
      challengeBond: params.challengeBond,
      challengeWindow: Number(params.challengeWindow),
    });
    // credit-risk is not served here: the request stays open with the terms it locked.
    const handle = await sdk.requestInference({
      model: "credit-risk",
      input: Array.from({ length: 16 }, () => 0.125),
      proofMode: "optimistic",
      ...asked,
    });
    const terms = await sdk.terms(handle.requestId);
    expect(terms.jobBond).to.equal(asked.jobBond);
    // Twice the job bond, twice the challenge bond: the coordinator and the quote agree.
    expect(terms.challengeBond).to.equal(2n * params.challengeBond);
    expect(quote.challengeBond).to.equal(terms.challengeBond);
    expect(Number(terms.challengeWindow)).to.equal(asked.challengeWindow);
    expect(terms.modelFee).to.equal(quote.modelFee);
    expect(terms.lateSlashBps).to.equal(params.lateSlashBps);
    expect(terms.disputeProtocolShareBps).to.equal(params.disputeProtocolShareBps);
    await sdk.cancel(handle.requestId);
    // Below the protocol's level, or a deadline short of the delivery window: refused before anything is sent.
    await expectRejected(sdk.quote({ model: "credit-risk", jobBond: params.jobBond - 1n }), HighwayError);
    await expectRejected(
      sdk.requestInference({
        model: "credit-risk",
        input: Array.from({ length: 16 }, () => 0.125),
        deadline: Math.floor(Date.now() / 1000) + 1,
      }),
      HighwayError,
    );
  });

  it("reports a failed callback, and a retry delivers it", async () => {
    const consumer = (await highway.ethers.deployContract("ToggleConsumer", [
      await highway.coordinator.getAddress(),
    ])) as unknown as Contract;
    await consumer.waitForDeployment();
    const handle = await sdk.requestInference({
      model: "price-signal",
      input: [1, 1, 1, 1, -1, -1, -1, -1],
      consumer: await consumer.getAddress(),
    });
    const failed = await handle.wait({ timeoutMs: 60_000 });
    expect(failed.status).to.equal("callback-failed");
    expect(await consumer.delivered()).to.equal(0n);

    const notReady = await sdk.estimateCallbackGas(await consumer.getAddress(), failed.output!.raw).catch((error) => error);
    expect((notReady as Error).message).to.contain("the consumer's callback reverts");

    await (await consumer.setReady(true)).wait();
    const { gasUsed, recommendedLimit } = await sdk.estimateCallbackGas(await consumer.getAddress(), failed.output!.raw);
    expect(gasUsed).to.be.greaterThan(20_000n); // two fresh storage writes
    expect(recommendedLimit).to.be.greaterThan(gasUsed);
    await sdk.retryCallback(handle.requestId);
    expect(await consumer.delivered()).to.equal(1n);
    expect(await consumer.lastValue()).to.equal(failed.output!.raw[0]);
    expect((await sdk.result(handle.requestId))!.status).to.equal("answered");
  });

  it("refunds an expired request in full", async () => {
    const [requester] = await highway.ethers.getSigners();
    // No relayer serves credit-risk here: the request can only expire.
    const maxComputeFee = 2n * UNIT;
    const handle = await sdk.requestInference({
      model: "credit-risk",
      input: Array.from({ length: 16 }, () => 0.5),
      maxComputeFee,
      deadline: Math.floor(Date.now() / 1000) + 120,
    });
    const error = await sdk.refundExpired(handle.requestId).catch((caught) => caught);
    expect(error).to.be.instanceOf(HighwayContractError);
    expect((error as HighwayContractError).errorName).to.equal("DeadlineNotReached");

    await advanceTime(highway, 600);
    const balanceBefore = await highway.coordinator.balanceOf(requester.address);
    await sdk.refundExpired(handle.requestId);
    const result = await handle.wait({ timeoutMs: 10_000 });
    expect(result.status).to.equal("refunded");
    const escrow = (await sdk.quote({ model: "credit-risk", maxComputeFee })).total;
    expect(result.fees.refund).to.equal(escrow);
    expect((await highway.coordinator.balanceOf(requester.address)) - balanceBefore).to.equal(escrow);
    await sdk.withdraw();
    expect(await highway.coordinator.balanceOf(requester.address)).to.equal(0n);
  });

  it("pays with an ERC-2612 permit in one transaction", async () => {
    const wallet = hardhatAccount(8).connect(highway.ethers.provider);
    await (await highway.token.mint(wallet.address, 100n * UNIT)).wait();
    const payer = await Highway.connect({ runner: wallet, deployment: highway.deploymentPath });
    const handle = await payer.requestInference({ model: "price-signal", input: [0, 0, 0, 0, 0, 0, 0, 0.5], permit: true });
    const transaction = await highway.ethers.provider.getTransaction(handle.transactionHash);
    expect(highway.coordinator.interface.parseTransaction(transaction!)!.name).to.equal("requestInferenceWithPermit");
    expect((await handle.wait({ timeoutMs: 60_000 })).status).to.equal("answered");
  });

  it("finds requests by model and by requester, and reads balances and models", async () => {
    const [requester] = await highway.ethers.getSigners();
    const byRequester = await sdk.requestsByRequester(requester.address);
    const byModel = await sdk.requestsByModel("price-signal");
    expect(byRequester.length).to.be.greaterThanOrEqual(3);
    expect(byModel.every((r) => typeof r.requestId === "bigint")).to.equal(true);
    const models = await sdk.models();
    expect(models.map((m) => m.name).sort()).to.deep.equal(["credit-risk", "price-signal", "price-signal-volatile", "smollm2"]);
    expect(models.find((m) => m.name === "smollm2")).to.include({ kind: "language", verifier: ZeroAddress });
    const priceSignal = models.find((m) => m.name === "price-signal")!;
    expect(priceSignal.input).to.deep.equal({ length: 8, scale: 8, bound: 2048n });
    // The fine-tune is registered as price-signal's child, as its manifest says.
    const fineTune = models.find((m) => m.name === "price-signal-volatile")!;
    expect(fineTune.parentModelId.toLowerCase()).to.equal(priceSignal.modelId);
    expect(fineTune.parentShareBps).to.equal(2_000);
    const balances = await sdk.balances(hardhatAccount(RELAYER).address);
    expect(balances.stake.jobsServed).to.be.greaterThan(0);
  });

  describe("typed errors", () => {
    it("times out waiting for a request nobody serves", async () => {
      const handle = await sdk.requestInference({ model: "credit-risk", input: Array.from({ length: 16 }, () => -0.5) });
      const error = await handle.wait({ timeoutMs: 300, pollIntervalMs: 50 }).catch((caught) => caught);
      expect(error).to.be.instanceOf(InferenceTimeoutError);
      expect((error as Error).message).to.contain("is still open after 300 ms");
      await sdk.cancel(handle.requestId);
    });

    it("checks input length and range before sending", async () => {
      await expectRejected(sdk.requestInference({ model: "price-signal", input: [1, 2, 3] }), TensorLengthError);
      await expectRejected(sdk.requestInference({ model: "price-signal", input: [9, 0, 0, 0, 0, 0, 0, 0] }), ValueOutOfRangeError);
    });

    it("decodes each contract error into a message that says what to do", async () => {
      const stranger = await Highway.connect({
        runner: await highway.ethers.getSigner(hardhatAccount(9).address),
        deployment: highway.deploymentPath,
      });
      const handle = await sdk.requestInference({ model: "credit-risk", input: Array.from({ length: 16 }, () => 0.25) });
      await expectContractError(stranger.cancel(handle.requestId), "NotRequester", "only the requester");
      await expectContractError(stranger.withdraw(), "NothingToWithdraw", "nothing to withdraw");
      await expectContractError(sdk.raiseMaxComputeFee(handle.requestId, 1n), "MaxComputeFeeNotRaised", "must be above the current");
      await expectContractError(stranger.stake(0n), "ZeroAmount", "above zero");
      await expectContractError(stranger.withdrawStake(), "NothingToWithdraw", "nothing to withdraw");
      await sdk.cancel(handle.requestId);
      await expectContractError(sdk.cancel(handle.requestId), "WrongStatus", "is in status");
    });

    it("has a hint for every custom error of every contract", () => {
      for (const contract of [sdk.coordinator, sdk.registry, sdk.staking, sdk.token]) {
        contract.interface.forEachError((error) => expect(ERROR_HINTS, `hint for ${error.name}`).to.have.property(error.name));
      }
    });
  });
});

async function expectRejected(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught) => caught,
  );
  expect(error).to.be.instanceOf(type);
}

async function expectContractError(promise: Promise<unknown>, name: string, hint: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught) => caught,
  );
  expect(error, `expected ${name}`).to.be.instanceOf(HighwayContractError);
  expect((error as HighwayContractError).errorName).to.equal(name);
  expect((error as Error).message).to.contain(hint);
}
