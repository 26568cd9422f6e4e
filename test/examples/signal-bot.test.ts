/**
 * The signal bot's own rules on the embedded network, without a relayer: when it observes,
 * when a request is due (interval, price move, one in flight), and how it reports decisions.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { encodeTensor } from "../../sdk/encoding.js";
import { deployHighway } from "../../scripts/deploy.js";
import { deployKit, KIT_CONFIG, type Kit } from "../../examples/scripts/deploy-kit.js";
import { SignalBot } from "../../examples/bot/signal-bot.js";

const UNIT = 10n ** 18n;

describe("examples: signal bot rules", function () {
  this.timeout(120_000);

  async function setUp(minMoveBps: number) {
    const { ethers } = await network.create();
    const highway = await deployHighway(ethers, { models: ["price-signal"], write: false });
    const [deployer, keeper, trader] = await ethers.getSigners();
    const { deployment } = highway;
    // A TTL of the coordinator's delivery window (the shortest deadline it accepts), so a request
    // nobody answers stops being "in flight" after ten minutes, well inside the bot's hour.
    const kit: Kit = await deployKit({
      deployer,
      keeper,
      trader,
      config: { ...KIT_CONFIG, requestTtl: 600 },
      highway: { coordinator: deployment.coordinator, token: deployment.token, modelId: deployment.models["price-signal"].modelId },
    });
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const bot = await SignalBot.create({
      vault: kit.vault,
      intervalSeconds: 3_600,
      mode: "zk",
      minMoveBps,
      log: (message, fields) => lines.push({ message, fields }),
    });
    const later = async (seconds: number) => {
      await ethers.provider.send("evm_increaseTime", [seconds]);
      await ethers.provider.send("evm_mine", []);
    };
    const buyVolatile = async (stableIn: bigint) => (await kit.pool.connect(trader).swapExactIn(kit.stable, stableIn, 0, trader)).wait();
    return { kit, bot, lines, later, buyVolatile, ethers };
  }

  it("observes only when the vault accepts it and requests once the history is full", async () => {
    const { bot, lines, later, buyVolatile } = await setUp(0);
    expect(await bot.observe()).to.equal(true);
    expect(await bot.observe()).to.equal(false); // same second: the vault's interval is not up
    for (let i = 0; i < 8; i++) {
      expect(await bot.maybeRequest()).to.equal(undefined);
      await buyVolatile(BigInt(i + 1) * 10_000n * UNIT);
      await later(2);
      expect(await bot.observe()).to.equal(true);
    }
    const sent = await bot.maybeRequest();
    expect(sent?.inputs).to.have.length(8);
    expect(lines.map((line) => line.message)).to.include("signal requested");
    // In flight: the bot does not try again (the vault would refuse), even with the interval ignored.
    expect(await bot.maybeRequest()).to.equal(undefined);
  });

  it("requests early when the price moved by minMoveBps, not before", async () => {
    const { bot, later, buyVolatile } = await setUp(100);
    for (let i = 0; i < 9; i++) {
      await buyVolatile(BigInt(i + 1) * 5_000n * UNIT);
      await later(2);
      await bot.observe();
    }
    const first = await bot.maybeRequest();
    expect(first).to.not.equal(undefined);
    await later(601); // past the first request's deadline: no longer in flight, but the hour is not up
    expect(await bot.maybeRequest()).to.equal(undefined);
    await buyVolatile(20_000n * UNIT); // about +0.2%: below 1%
    expect(await bot.maybeRequest()).to.equal(undefined);
    await buyVolatile(200_000n * UNIT); // about +2% more
    const second = await bot.maybeRequest();
    expect(second).to.not.equal(undefined);
    expect(second!.requestId).to.not.equal(first!.requestId);
  });

  it("reports each decision the vault takes once, with the signal as a number", async () => {
    const { kit, bot, lines, later, buyVolatile, ethers } = await setUp(0);
    for (let i = 0; i < 9; i++) {
      await buyVolatile(BigInt(9 - i) * 7_000n * UNIT);
      await later(2);
      await bot.observe();
    }
    const sent = await bot.maybeRequest();
    expect(await bot.readDecisions()).to.deep.equal([]); // asked, not answered

    // No relayer here: the answer comes from the coordinator's address itself.
    const coordinator = await kit.vault.coordinator();
    await ethers.provider.send("hardhat_impersonateAccount", [coordinator]);
    await ethers.provider.send("hardhat_setBalance", [coordinator, "0xde0b6b3a7640000"]);
    const signal = 3n << 23n; // 1.5 at scale 24: above the threshold, buy
    await (await kit.vault.connect(await ethers.getSigner(coordinator)).onInferenceResult(sent!.requestId, encodeTensor([signal]))).wait();

    const [decision] = await bot.readDecisions();
    expect(decision).to.deep.include({ kind: "rebalanced", requestId: sent!.requestId, signal, tokenIn: await kit.stable.getAddress() });
    expect(await bot.readDecisions()).to.deep.equal([]); // read once
    const logged = lines.filter((line) => line.message === "decision: rebalanced");
    expect(logged).to.have.length(1);
    expect(logged[0].fields?.signalValue).to.equal(1.5);
  });
});
