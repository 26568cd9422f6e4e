/**
 * Deploys the consumer kit on a chain where Highway is deployed: two demo tokens, the
 * pool between them (2000 stable per volatile, 0.3% fee) and a SignalVault, funded and
 * with a keeper. `deployKit` is what the end-to-end test uses; run as a script it sets
 * up a whole local network for the bot (see examples/README.md):
 *
 *   tsx examples/scripts/deploy-kit.ts --rpc http://127.0.0.1:8545 [--out DIR]
 *
 * deploys the protocol and the kit on that node, stakes Hardhat account 5 as a relayer,
 * and writes DIR/relayer.json; it prints the commands to start the relayer and the bot.
 * Hardhat's default accounts are public test keys: use it on a local node only.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { Signer } from "ethers";
import {
  ConstantProductPool__factory,
  DemoToken__factory,
  HeadlineSentimentAgent__factory,
  SignalVault__factory,
  type ConstantProductPool,
  type DemoToken,
  type HeadlineSentimentAgent,
  type SignalVault,
} from "../../types/index.js";

const UNIT = 10n ** 18n;

/**
 * The vault's knobs for the kit: 0.05 threshold, 20% per rebalance, 2% slippage against the pool's
 * TWAP, 10-minute TTL, at most 2 tokens to the model (the local deployment's fee) and 3 to a relayer.
 * The local history is seconds long (an observation a second at most), so the TWAP window is one
 * second: enough to make a price pushed in the answer's own block weigh nothing. On a live chain,
 * observe every few minutes and bound by a window of tens of minutes (examples/README.md).
 */
export const KIT_CONFIG = {
  signalThreshold: 838_861n, // 0.05 at the model's output scale (2^24)
  rebalanceBps: 2_000,
  maxSlippageBps: 200,
  minObservationInterval: 1,
  twapWindow: 1,
  requestTtl: 600,
  callbackGasLimit: 500_000,
  startComputeFee: 1n * UNIT,
  maxComputeFee: 3n * UNIT,
  maxModelFee: 2n * UNIT,
};

export interface Kit {
  stable: DemoToken;
  volatile: DemoToken;
  pool: ConstantProductPool;
  /** Connected to the keeper. */
  vault: SignalVault;
}

export interface KitOptions {
  /** Deploys, owns the pool and administers the vault. */
  deployer: Signer;
  keeper: Signer;
  /** Gets a large balance of both tokens, approved to the pool, to move the price. */
  trader?: Signer;
  /** The coordinator, its payment token (mintable by `deployer`) and the `price-signal` model id. */
  highway: { coordinator: string; token: string; modelId: string };
  config?: typeof KIT_CONFIG;
}

/** Deploys and funds the kit; the vault gets 100 volatile, 200k stable and 100 payment tokens. */
export async function deployKit(options: KitOptions): Promise<Kit> {
  const { deployer, keeper, trader, highway } = options;
  const owner = await deployer.getAddress();
  const stable = await new DemoToken__factory(deployer).deploy("Demo USD", "dUSD", owner);
  const volatile = await new DemoToken__factory(deployer).deploy("Demo Volatile", "dVOL", owner);
  const pool = await new ConstantProductPool__factory(deployer).deploy(volatile, stable, 30, owner);
  for (const [token, amount] of [
    [volatile, 10_000n * UNIT],
    [stable, 20_000_000n * UNIT],
  ] as const) {
    await (await token.mint(owner, amount)).wait();
    await (await token.approve(pool, amount)).wait();
    if (trader) {
      await (await token.mint(await trader.getAddress(), 10n ** 30n)).wait();
      await (await token.connect(trader).approve(pool, 10n ** 30n)).wait();
    }
  }
  await (await pool.addLiquidity(10_000n * UNIT, 20_000_000n * UNIT)).wait();

  const vault = await new SignalVault__factory(deployer).deploy(
    highway.coordinator,
    highway.modelId,
    highway.token,
    pool,
    true,
    options.config ?? KIT_CONFIG,
    owner,
  );
  await (await vault.grantRole(await vault.KEEPER_ROLE(), await keeper.getAddress())).wait();
  await (await volatile.mint(vault, 100n * UNIT)).wait();
  await (await stable.mint(vault, 200_000n * UNIT)).wait();
  const paymentToken = DemoToken__factory.connect(highway.token, deployer); // same mint(to, amount) as HighwayToken
  await (await paymentToken.mint(vault, 100n * UNIT)).wait();
  return { stable, volatile, pool, vault: vault.connect(keeper) };
}

/**
 * The headline agent's knobs for the kit: 20% per trade, 2% slippage against the pool's TWAP since the
 * request (at least 60 seconds of it: the local challenge window), 10-minute TTL, 32-byte answers (a
 * label and a few words: `NEGATIVE (bad news)` is 19), at most 2 tokens to the model and 3 to a relayer.
 * 300,000 gas covers the costliest callback (a 64-byte answer and a trade: about 185,000, measured in
 * contracts/test/examples/HeadlineSentimentAgent.t.sol).
 */
export const HEADLINE_AGENT_CONFIG = {
  tradeBps: 2_000,
  maxSlippageBps: 200,
  minTwapWindow: 60,
  requestTtl: 600,
  callbackGasLimit: 300_000,
  maxAnswerBytes: 32,
  startComputeFee: 1n * UNIT,
  maxComputeFee: 3n * UNIT,
  maxModelFee: 2n * UNIT,
};

/**
 * Deploys a `HeadlineSentimentAgent` trading in the kit's pool on `highway.modelId` (a language model:
 * `smollm2`), with `keeper` as its keeper; funds it like the vault (100 volatile, 200k stable, 100
 * payment tokens). `deployer` must be able to mint the kit's tokens and the payment token.
 */
export async function deployHeadlineAgent(options: {
  deployer: Signer;
  keeper: Signer;
  kit: Pick<Kit, "stable" | "volatile" | "pool">;
  highway: { coordinator: string; token: string; modelId: string };
  config?: typeof HEADLINE_AGENT_CONFIG;
}): Promise<HeadlineSentimentAgent> {
  const { deployer, keeper, kit, highway } = options;
  const owner = await deployer.getAddress();
  const volatileIsToken0 = (await kit.pool.token0()) === (await kit.volatile.getAddress());
  const agent = await new HeadlineSentimentAgent__factory(deployer).deploy(
    highway.coordinator,
    highway.modelId,
    highway.token,
    kit.pool,
    volatileIsToken0,
    options.config ?? HEADLINE_AGENT_CONFIG,
    owner,
  );
  await (await agent.grantRole(await agent.KEEPER_ROLE(), await keeper.getAddress())).wait();
  await (await kit.volatile.connect(deployer).mint(agent, 100n * UNIT)).wait();
  await (await kit.stable.connect(deployer).mint(agent, 200_000n * UNIT)).wait();
  await (await DemoToken__factory.connect(highway.token, deployer).mint(agent, 100n * UNIT)).wait();
  return agent.connect(keeper);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rpc: { type: "string", default: "http://127.0.0.1:8545" }, out: { type: "string", default: ".build/kit" } },
  });
  const { network } = await import("hardhat");
  const { deployHighway, DEFAULT_PARAMS } = await import("../../scripts/deploy.js");
  const { ethers } = await network.create({ network: "localhost", override: { url: values.rpc } });
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });

  // Short windows so an optimistic answer is final after a minute.
  const highway = await deployHighway(ethers, {
    outDir: out,
    params: { ...DEFAULT_PARAMS, auctionDuration: 4, deliveryWindow: 60, challengeWindow: 60, defenceWindow: 60 },
  });
  const [deployer, keeper, trader] = await ethers.getSigners();
  const relayer = (await ethers.getSigners())[5];
  const stake = 50_000n * UNIT;
  await (await highway.token.mint(relayer.address, stake + 1_000n * UNIT)).wait();
  await (await highway.token.connect(relayer).approve(await highway.staking.getAddress(), stake)).wait();
  await (await highway.staking.connect(relayer).stake(stake)).wait();

  const { deployment } = highway;
  const kit = await deployKit({
    deployer,
    keeper,
    trader,
    highway: { coordinator: deployment.coordinator, token: deployment.token, modelId: deployment.models["price-signal"].modelId },
  });
  const relayerConfig = join(out, "relayer.json");
  writeFileSync(
    relayerConfig,
    JSON.stringify(
      {
        rpcUrl: values.rpc,
        deployment: join(out, `${deployment.chainId}.json`),
        key: { env: "HIGHWAY_RELAYER_KEY" },
        database: join(out, "relayer.sqlite"),
        confirmations: 0,
        models: [{ circuit: "price-signal" }],
        pricing: { margin: 1, tokenUnitsPerWei: 0 },
      },
      null,
      2,
    ),
  );
  const vault = await kit.vault.getAddress();
  console.log(
    `vault ${vault}\npool ${await kit.pool.getAddress()}\nkeeper ${keeper.address} (Hardhat account 1), trader ${trader.address} (account 2)\n`,
  );
  console.log(`relayer:  HIGHWAY_RELAYER_KEY=<Hardhat account 5 key> node relayer/bin/relayer.mjs start --config ${relayerConfig}`);
  console.log(
    `bot:      SIGNAL_BOT_KEY=<Hardhat account 1 key> tsx examples/bot/signal-bot.ts --rpc ${values.rpc} --vault ${vault} --interval 60`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
