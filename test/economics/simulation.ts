/**
 * The economics simulation's measurements (issue 10): every strategy's paths played on the
 * real contracts, deployed by scripts/deploy.ts with DEFAULT_PARAMS, the real price-signal
 * EZKL verifier and its real sample proofs (circuits/price-signal/samples/). Nothing here
 * re-types a protocol formula: each path is a sequence of real transactions, and a party's
 * payoff on it is what the chain says it holds afterwards, less the gas of the transactions it
 * sent (priced at the stated gas price and token/ETH rate) and, for honest parties only, the
 * stated off-chain costs (proving, inference, capital locked in bonds).
 *
 * A party's holdings ("worth") are its wallet's tokens + its pull balance at the coordinator
 * (what `withdraw()` pays) + its stake in RelayerStaking (slashed or returned) + the unpaid
 * earnings of the models it owns (what `withdrawModelEarnings` pays). Withdrawals themselves
 * are not charged: one withdrawal pays out many requests.
 *
 * Every path starts from the same chain state (an EVM snapshot taken after deployment, staking
 * and one warm-up round of each proof mode, so that gas is measured in steady state) and is
 * independent of the others. test/economics/model.ts combines the measured payoffs with the
 * stated probabilities.
 *
 * The committee paths (committee.ts) request a language model (smollm2's runtime spec, registered
 * here when the deployment has none) whose disputes go to the deployed CommitteeArbiter; three
 * relayers (member1-3) stake and serve it, the only ones that do, so each dispute draws all three.
 */
import hre, { network } from "hardhat";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { toUtf8Bytes, type Contract, type ContractTransactionResponse, type Signer, type TransactionReceipt } from "ethers";
import type {
  CommitteeArbiter,
  DisputeGame,
  HighwayToken,
  InferenceCoordinator,
  ModelRegistry,
  RelayerStaking,
  SwitchableVerifier,
} from "../../types/index.js";
import { CIRCUITS_DIR, loadCircuit } from "../../sdk/circuits.js";
import { decodeTensor, encodeTensor } from "../../sdk/encoding.js";
import { auctionPrice } from "../../sdk/fees.js";
import { modelRegistration } from "../../sdk/manifest.js";
import { termsFromEvent, type RequestTerms } from "../../sdk/terms.js";
import { DEFAULT_PARAMS, deployHighway, type CoordinatorParams, type Highway } from "../../scripts/deploy.js";

export const UNIT = 10n ** 18n;
const MODEL = "price-signal";
/** The language model the committee paths request (its runtime spec; the committee compares answers' hashes only). */
const LANGUAGE_MODEL = "smollm2";
const VERIFIER_ARTIFACT = "contracts/verifiers/price-signal/Halo2Verifier.sol:Halo2Verifier";
const YEAR = 365n * 86_400n;

/** The market the payoffs are priced in: stated, not measured. */
export interface Prices {
  /** Gas price every transaction pays (wei per gas). */
  gasPriceWei: bigint;
  /** Payment-token units per wei: the chain's coin priced in the payment token (3,000 = 1 ETH is worth 3,000 tokens). */
  tokenUnitsPerWei: bigint;
  /** Off-chain cost of one EZKL witness and proof of price-signal (token units). */
  proofCost: bigint;
  /** Off-chain cost of one plain inference, no proof (token units). */
  inferenceCost: bigint;
  /** What a relayer asks above its cost, in parts per million (the reference relayer's default margin, 1.2). */
  marginPpm: bigint;
  /** Yearly cost of capital on a relayer's locked job bond, in basis points. */
  capitalBpsPerYear: bigint;
}

export const PRICES: Prices = {
  gasPriceWei: 1_000_000_000n, // 1 gwei
  tokenUnitsPerWei: 3_000n, // 1 token = 1 USD, 1 ETH = 3,000 USD
  proofCost: UNIT / 100n, // 0.01 token: relayer/example.config.json's computeCost
  inferenceCost: UNIT / 1_000n, // 0.001 token
  marginPpm: 1_200_000n, // relayer pricing.margin default
  capitalBpsPerYear: 1_000n, // 10 % a year
};

/** What the requests of the simulation offer: a compute fee rising from 0.5 to 5 tokens over the auction. */
export const OFFER = { startComputeFee: UNIT / 2n, maxComputeFee: 5n * UNIT, callbackGasLimit: 100_000 };

/** One party of the simulation: who signs its transactions and where its tokens are. */
export interface Actor {
  name: string;
  signer: Signer;
  /** The account holding its tokens and stake (its own address, or the adversary contract it runs). */
  holder: string;
  /** Models whose unpaid earnings count as its holdings. */
  models: string[];
}

/** One party's result on one path (token units). */
export interface PartyResult {
  /** Change of its holdings: wallet + pull balance + stake + its models' unpaid earnings. */
  tokens: bigint;
  /** Gas of the transactions it sent (withdrawals excepted). */
  gas: bigint;
  /** That gas priced at Prices. */
  gasCost: bigint;
  /** Stated off-chain costs charged (honest parties only). */
  offChain: bigint;
  /** tokens − gasCost − offChain. */
  profit: bigint;
}

/** One path played on chain: what happened and each party's result. */
export interface PathResult {
  id: string;
  description: string;
  /** What the chain did, step by step (reverts included). */
  steps: string[];
  parties: Record<string, PartyResult>;
  /** Facts the path observed, for the assertions (e.g. the compute fee it cleared at). */
  facts: Record<string, bigint | boolean | string>;
}

export interface Sample {
  input: bigint[];
  /** The canonical output tensor the proof proves. */
  output: string;
  proof: string;
}

export function sample(index: number): Sample {
  const raw = JSON.parse(readFileSync(join(CIRCUITS_DIR, MODEL, "samples", `sample-${index}.json`), "utf8"));
  return { input: raw.input.map(BigInt), output: encodeTensor(raw.output.map(BigInt)), proof: raw.proof };
}

/** An output the model does not produce for the sample (what a cheater posts). */
export function wrongOutput(s: Sample): string {
  return encodeTensor(decodeTensor(s.output).map((v) => v + 1n));
}

export interface Request {
  id: bigint;
  terms: RequestTerms;
  createdAt: number;
}

type Mode = "zk" | "optimistic";

/** The deployed protocol, its parties and the snapshot every path starts from. */
export interface World {
  ethers: HardhatEthers;
  helpers: NetworkHelpers;
  highway: Highway;
  coordinator: InferenceCoordinator;
  game: DisputeGame;
  /** The language models' dispute arbiter, as deployed (DEFAULT_COMMITTEE). */
  arbiter: CommitteeArbiter;
  registry: ModelRegistry;
  staking: RelayerStaking;
  token: HighwayToken;
  prices: Prices;
  /** The coordinator's parameters as deployed (DEFAULT_PARAMS). */
  params: CoordinatorParams;
  /** The reference model (the artifacts' verifier), owned by the deployer. */
  modelId: string;
  /** The reference language model (smollm2), as the deployment registers it: its disputes go to the committee arbiter. */
  languageModelId: string;
  /** RelayerStaking's minimum stake: what each relayer identity locks. */
  minStake: bigint;
  /** The committee arbiter's parameters as it holds them. */
  committee: { committeeSize: number; nonRevealSlashBps: number; commitWindow: number; revealWindow: number; memberBond: bigint };
  /** A price-signal model its owner registered with a SwitchableVerifier around the real verifier. */
  switchableModelId: string;
  switchable: SwitchableVerifier;
  /** A price-signal model its owner registered with its own deployment of the artifacts' verifier. */
  ownVerifierModelId: string;
  consumer: string;
  actors: Record<
    | "admin"
    | "requester"
    | "relayer"
    | "lazy"
    | "cheater"
    | "watchtower"
    | "selfDisputer"
    | "griefer"
    | "challenger"
    | "owner"
    | "keeper"
    | "bot"
    | "member1"
    | "member2"
    | "member3",
    Actor
  >;
  /** The SelfDisputingRelayer adversary contract (contracts/test/mocks/Adversaries.sol) the selfDisputer runs. */
  selfDisputing: Contract;
  /** Whole-transaction gas of serving one request, measured in steady state: claim + fulfillZk; claim + submitOptimistic + finalize. */
  serviceGas: Record<Mode, bigint>;
  base: { restore(): Promise<void> };
}

function gasCost(world: World, gas: bigint): bigint {
  return gas * world.prices.gasPriceWei * world.prices.tokenUnitsPerWei;
}

/** Capital cost of `bond` locked for `seconds`. */
export function capitalCost(prices: Prices, bond: bigint, seconds: bigint): bigint {
  return (bond * prices.capitalBpsPerYear * seconds) / (10_000n * YEAR);
}

/** What serving one request costs the cheapest honest relayer, and the least fee it claims at (cost × margin). */
export function serviceCost(world: World, mode: Mode, jobBond: bigint = world.params.jobBond): { cost: bigint; bid: bigint } {
  const offChain = mode === "zk" ? world.prices.proofCost : world.prices.inferenceCost;
  const capital = mode === "zk" ? 0n : capitalCost(world.prices, jobBond, BigInt(world.params.challengeWindow));
  const cost = gasCost(world, world.serviceGas[mode]) + offChain + capital;
  return { cost, bid: (cost * world.prices.marginPpm + 999_999n) / 1_000_000n };
}

// ================================================================ paths

/** Records one path: the gas each party sends, the off-chain costs charged, the holdings before and after. */
export class Path {
  readonly steps: string[] = [];
  readonly facts: Record<string, bigint | boolean | string> = {};
  private readonly gas = new Map<string, bigint>();
  private readonly offChain = new Map<string, bigint>();
  private readonly before = new Map<string, bigint>();

  constructor(
    readonly world: World,
    readonly id: string,
    readonly description: string,
    readonly parties: Actor[],
  ) {}

  async start(): Promise<this> {
    await this.world.base.restore();
    for (const a of this.parties) this.before.set(a.name, await worth(this.world, a));
    return this;
  }

  /** Sends a transaction of `who` and waits for it; its gas is charged to `who`. */
  async tx(who: Actor, step: string, sent: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
    const receipt = (await (await sent).wait())!;
    this.charge(who, receipt.gasUsed, "gas");
    this.steps.push(`${who.name}: ${step}`);
    return receipt;
  }

  /** Tries a transaction; a revert (decoded) is a step of the path, charging nothing. */
  async attempt(who: Actor, step: string, send: () => Promise<ContractTransactionResponse>): Promise<TransactionReceipt | undefined> {
    try {
      return await this.tx(who, step, send());
    } catch (error) {
      this.steps.push(`${who.name}: ${step} reverts ${revertName(this.world, error)}`);
      return undefined;
    }
  }

  note(step: string): void {
    this.steps.push(step);
  }

  /** Charges `amount` to `who`: "gas" units, or token units of an off-chain cost. */
  charge(who: Actor, amount: bigint, kind: "gas" | "offChain"): void {
    const book = kind === "gas" ? this.gas : this.offChain;
    book.set(who.name, (book.get(who.name) ?? 0n) + amount);
  }

  async finish(): Promise<PathResult> {
    const parties: Record<string, PartyResult> = {};
    for (const a of this.parties) {
      const tokens = (await worth(this.world, a)) - this.before.get(a.name)!;
      const gas = this.gas.get(a.name) ?? 0n;
      const offChain = this.offChain.get(a.name) ?? 0n;
      const cost = gasCost(this.world, gas);
      parties[a.name] = { tokens, gas, gasCost: cost, offChain, profit: tokens - cost - offChain };
    }
    return { id: this.id, description: this.description, steps: this.steps, parties, facts: this.facts };
  }
}

/** A party's holdings: wallet + pull balances (coordinator, committee arbiter) + stake + its models' unpaid earnings. */
export async function worth(world: World, a: Actor): Promise<bigint> {
  let total = await world.token.balanceOf(a.holder);
  total += await world.coordinator.balanceOf(a.holder);
  total += await world.arbiter.balanceOf(a.holder);
  total += BigInt((await world.staking.relayerOf(a.holder)).stake);
  for (const m of a.models) total += await world.coordinator.modelEarnings(m);
  return total;
}

export function revertName(world: World, error: unknown): string {
  const e = error as {
    data?: string;
    info?: { error?: { data?: string } };
    revert?: { name?: string };
    shortMessage?: string;
    message?: string;
  };
  if (e.revert?.name) return e.revert.name;
  const data = e.data ?? e.info?.error?.data;
  if (typeof data === "string" && data.length >= 10) {
    for (const c of [world.coordinator, world.game, world.arbiter, world.registry, world.staking]) {
      try {
        const parsed = c.interface.parseError(data);
        if (parsed) return parsed.name;
      } catch {
        // not this contract's error
      }
    }
  }
  const match =
    /reverted with custom error '([A-Za-z0-9_]+)/.exec(e.message ?? "") ?? /reverted with reason string '([^']+)'/.exec(e.message ?? "");
  return match ? match[1] : (e.shortMessage ?? e.message ?? String(error)).split("\n")[0];
}

export function termsOfReceipt(world: World, receipt: TransactionReceipt): Request {
  for (const log of receipt.logs) {
    try {
      const parsed = world.coordinator.interface.parseLog(log);
      if (parsed?.name === "RequestCreated") {
        const terms = termsFromEvent(parsed.args.terms);
        return { id: parsed.args.requestId as bigint, terms, createdAt: Number(terms.createdAt) };
      }
    } catch {
      // another contract's log
    }
  }
  throw new Error("no RequestCreated event");
}

export interface RequestOptions {
  mode: Mode;
  /** A circuit model's input; or `prompt` (a language model's UTF-8 input) with the answer's bound `maxOutputBytes`. */
  sample?: Sample;
  prompt?: string;
  maxOutputBytes?: number;
  modelId?: string;
  startComputeFee?: bigint;
  maxComputeFee?: bigint;
  /** Seconds from the request's block to its deadline (default one day). */
  deadlineIn?: number;
  /** The request's security level (default: the protocol's job bond). */
  jobBond?: bigint;
  /** The most model fee the requester accepts (default: the model's fee when it looked). */
  maxModelFee?: bigint;
}

export function requestParams(world: World, o: RequestOptions, now: number, maxModelFee: bigint) {
  return {
    modelId: o.modelId ?? world.modelId,
    proofMode: o.mode === "zk" ? 0 : 1,
    startComputeFee: o.startComputeFee ?? OFFER.startComputeFee,
    maxComputeFee: o.maxComputeFee ?? OFFER.maxComputeFee,
    maxModelFee,
    jobBond: o.jobBond ?? 0n,
    challengeWindow: 0,
    callbackGasLimit: OFFER.callbackGasLimit,
    maxOutputBytes: o.maxOutputBytes ?? 0,
    deadline: now + (o.deadlineIn ?? 86_400),
    consumer: world.consumer,
    referrer: "0x0000000000000000000000000000000000000000",
  };
}

/** A request's input bytes: the sample's tensor, or the prompt's UTF-8. */
export function requestInput(o: RequestOptions): Uint8Array | string {
  if (o.prompt !== undefined) return toUtf8Bytes(o.prompt);
  if (!o.sample) throw new Error("a request needs a sample or a prompt");
  return encodeTensor(o.sample.input);
}

/** `who` requests an inference; the request's block is mined at the next second. */
export async function request(path: Path, who: Actor, o: RequestOptions): Promise<Request> {
  const w = path.world;
  const modelId = o.modelId ?? w.modelId;
  const now = (await w.helpers.time.latest()) + 1;
  await w.helpers.time.setNextBlockTimestamp(now);
  const fee = (await w.registry.modelTerms(modelId)).fee;
  const params = requestParams(w, o, now, o.maxModelFee ?? fee);
  const receipt = await path.tx(
    who,
    `requests (${o.mode}, deadline +${o.deadlineIn ?? 86_400} s)`,
    w.coordinator.connect(who.signer).requestInference(params, requestInput(o)),
  );
  const r = termsOfReceipt(w, receipt);
  if (o.jobBond !== undefined && BigInt(r.terms.jobBond) !== o.jobBond)
    throw new Error(`the request's job bond is ${r.terms.jobBond}, not ${o.jobBond}`);
  return r;
}

/**
 * The reverse Dutch auction, played out: the first second after the request at which the
 * offered fee reaches `bid` (the cheapest honest relayer's cost × margin, by default). Returns
 * the price at that second (the clearing price).
 */
export function clearingSecond(r: Request, bid: bigint): { at: number; price: bigint } {
  const t = r.terms;
  for (let at = r.createdAt + 1; ; at++) {
    const price = auctionPrice(
      BigInt(t.startComputeFee),
      BigInt(t.maxComputeFee),
      BigInt(t.createdAt),
      BigInt(t.auctionDuration),
      BigInt(at),
    );
    if (price >= bid || at >= r.createdAt + Number(t.auctionDuration)) {
      if (price < bid) throw new Error(`the offer never reaches the relayers' bid ${fmt(bid)}`);
      return { at, price };
    }
  }
}

/** `who` claims at the auction's clearing price for `mode` (or at `at` when given); returns the compute fee it locked. */
export async function claim(path: Path, who: Actor, r: Request, mode: Mode, at?: number, via?: Contract): Promise<bigint> {
  const w = path.world;
  const clearing =
    at === undefined
      ? clearingSecond(r, serviceCost(w, mode, BigInt(r.terms.jobBond)).bid)
      : {
          at,
          price: auctionPrice(
            BigInt(r.terms.startComputeFee),
            BigInt(r.terms.maxComputeFee),
            BigInt(r.terms.createdAt),
            BigInt(r.terms.auctionDuration),
            BigInt(at),
          ),
        };
  await w.helpers.time.setNextBlockTimestamp(clearing.at);
  const sent = via
    ? (via.connect(who.signer) as Contract).getFunction("claim")(r.id, r.terms)
    : w.coordinator.connect(who.signer).claim(r.id, r.terms);
  await path.tx(who, `claims at ${fmt(clearing.price)} (t+${clearing.at - r.createdAt} s)`, sent);
  path.facts.computeFee = clearing.price;
  return clearing.price;
}

/** Moves the clock so that the next block is at `timestamp` (no earlier than the next second). */
export async function nextBlockAt(w: World, timestamp: number): Promise<void> {
  const latest = await w.helpers.time.latest();
  await w.helpers.time.setNextBlockTimestamp(Math.max(timestamp, latest + 1));
}

export async function phaseEndsAt(w: World, id: bigint): Promise<number> {
  const [, state] = await w.coordinator.getRequest(id);
  return Number(state.phaseEndsAt);
}

export function fmt(units: bigint | number): string {
  const v = typeof units === "bigint" ? Number(units) / 1e18 : units;
  return v.toFixed(3);
}

// ================================================================ the mempool

/**
 * A copying bot's view of the mempool: `original` is sent but not mined; the bot sends the same
 * calldata to the same contract from its own account with a higher priority fee, then one
 * block is mined holding both, the copy first. Returns whether each succeeded.
 */
export async function copyFromMempool(
  path: Path,
  victim: Actor,
  bot: Actor,
  step: string,
  send: (overrides: Record<string, bigint>) => Promise<ContractTransactionResponse>,
): Promise<{ original: boolean; copy: boolean }> {
  const w = path.world;
  const provider = w.ethers.provider;
  await provider.send("evm_setAutomine", [false]);
  try {
    const fees = { maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
    const original = await send(fees);
    const seen = (await provider.getTransaction(original.hash))!; // what the bot reads from the mempool
    // The bot prices its own copy (its own account's storage may cost more gas); a copy that would
    // revert is sent anyway with the original's limit, to show the revert on chain.
    let gasLimit: bigint = seen.gasLimit;
    try {
      gasLimit = ((await provider.estimateGas({ to: seen.to, data: seen.data, from: bot.holder, blockTag: "latest" })) * 12n) / 10n;
    } catch {
      // the copy reverts: sent with the original's limit
    }
    const copy = await bot.signer.sendTransaction({
      to: seen.to,
      data: seen.data,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: 2n * fees.maxPriorityFeePerGas,
    });
    await w.helpers.mine();
    const results = { original: false, copy: false };
    for (const [who, tx, key] of [
      [bot, copy, "copy"],
      [victim, original, "original"],
    ] as const) {
      const receipt = (await provider.getTransactionReceipt(tx.hash))!;
      path.charge(who, receipt.gasUsed, "gas");
      results[key] = receipt.status === 1;
      let reason = "";
      if (receipt.status !== 1) {
        try {
          await provider.call({ to: seen.to, data: seen.data, from: await who.signer.getAddress(), blockTag: receipt.blockNumber });
          reason = " reverts";
        } catch (error) {
          reason = ` reverts ${revertName(w, error)}`;
        }
      }
      path.note(
        `${who.name}: ${key === "copy" ? `copies ${step} (higher tip)` : step}${receipt.status === 1 ? "" : reason} [index ${receipt.index} in the block]`,
      );
    }
    return results;
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
}

// ================================================================ the off-chain model check

/**
 * The relayers' off-chain rule: serve (and watch) a model only while its registered verifier's
 * runtime code is the verifier the circuit's artifacts compile to (Hardhat's artifact of
 * contracts/verifiers/price-signal/Halo2Verifier.sol). The reference relayer's check
 * (relayer/src/model-checks.ts) also scans the code for SSTORE, DELEGATECALL,
 * CALLCODE, SELFDESTRUCT, CREATE and CREATE2; the code-hash comparison alone already refuses
 * every verifier but the artifacts'.
 */
export async function verifierIsTheArtifacts(w: World, modelId: string): Promise<boolean> {
  const verifier: string = (await w.registry.getModel(modelId)).verifier;
  const code: string = await w.ethers.provider.getCode(verifier);
  const artifact = await hre.artifacts.readArtifact(VERIFIER_ARTIFACT);
  return w.ethers.keccak256(code) === w.ethers.keccak256(artifact.deployedBytecode);
}

// ================================================================ the world

export async function createWorld(prices: Prices = PRICES): Promise<World> {
  const { ethers, networkHelpers: helpers } = await network.create();
  const signers: Signer[] = await ethers.getSigners();
  const names = [
    "admin",
    "requester",
    "relayer",
    "lazy",
    "cheater",
    "watchtower",
    "selfDisputer",
    "griefer",
    "challenger",
    "owner",
    "keeper",
    "bot",
    "member1",
    "member2",
    "member3",
  ] as const;
  const addresses = await Promise.all(signers.slice(0, names.length).map((s) => s.getAddress()));
  const funds = 100_000n * UNIT;
  const highway = await deployHighway(ethers, {
    write: false,
    models: [MODEL, LANGUAGE_MODEL],
    mint: addresses.slice(1).map((to) => ({ to, amount: funds })),
  });
  const { token, staking, coordinator, registry, disputeGame, committeeArbiter } = highway;
  const coordinatorAddress = await coordinator.getAddress();
  const stakingAddress = await staking.getAddress();

  const actors = Object.fromEntries(
    names.map((name, i) => [name, { name, signer: signers[i], holder: addresses[i], models: [] as string[] }]),
  ) as World["actors"];
  const modelId = highway.deployment.models[MODEL].modelId;
  actors.admin.models.push(modelId);

  // Every party approves the coordinator once (escrows, challenge bonds); relayers stake.
  for (const a of Object.values(actors).slice(1)) {
    await (await token.connect(a.signer).approve(coordinatorAddress, ethers.MaxUint256)).wait();
  }
  for (const a of [actors.relayer, actors.lazy, actors.cheater, actors.watchtower, actors.owner, actors.keeper]) {
    await (await token.connect(a.signer).approve(stakingAddress, ethers.MaxUint256)).wait();
    await (await staking.connect(a.signer).stake(10_000n * UNIT)).wait();
  }

  // The self-disputing relayer is an adversary contract (contracts/test/mocks/Adversaries.sol), funded before it is deployed.
  const operator = actors.selfDisputer.signer;
  const predicted = ethers.getCreateAddress({ from: actors.selfDisputer.holder, nonce: (await operator.getNonce()) + 1 });
  await (await token.connect(operator).transfer(predicted, 11_000n * UNIT)).wait();
  const selfDisputing = await ethers.deployContract(
    "contracts/test/mocks/Adversaries.sol:SelfDisputingRelayer",
    [coordinatorAddress, stakingAddress, await token.getAddress(), 10_000n * UNIT],
    operator,
  );
  await selfDisputing.waitForDeployment();
  if ((await selfDisputing.getAddress()) !== predicted) throw new Error("the adversary contract is not where it was funded");
  actors.selfDisputer.holder = predicted;

  // The malicious model owner: the same circuit registered twice, once behind a verifier it can
  // switch, once with its own deployment of the artifacts' verifier (whose code it might later replace).
  const { manifest } = loadCircuit(MODEL);
  const fee = 2n * UNIT;
  const switchable = await ethers.deployContract("SwitchableVerifier", [highway.deployment.models[MODEL].verifier], actors.owner.signer);
  await switchable.waitForDeployment();
  const ownVerifier = await ethers.deployContract(VERIFIER_ARTIFACT, [], actors.owner.signer);
  await ownVerifier.waitForDeployment();
  const register = async (salt: string, verifier: string) => {
    const { params } = modelRegistration(manifest, { fee, verifier, salt });
    await (await registry.connect(actors.owner.signer).registerModel(salt, params)).wait();
    return await registry.modelIdOf(actors.owner.holder, salt);
  };
  const switchableModelId = await register(ethers.id("switchable"), await switchable.getAddress());
  const ownVerifierModelId = await register(ethers.id("own verifier"), await ownVerifier.getAddress());
  actors.owner.models.push(switchableModelId, ownVerifierModelId);

  // The language model of the committee paths, the reference one the deployment registers (the deployer's); the three
  // committee members stake and declare they serve it (the only relayers that do, so each dispute draws all three).
  const languageModelId = highway.deployment.models[LANGUAGE_MODEL].modelId;
  for (const a of [actors.member1, actors.member2, actors.member3]) {
    await (await token.connect(a.signer).approve(stakingAddress, ethers.MaxUint256)).wait();
    await (await staking.connect(a.signer).stake(1_000n * UNIT)).wait();
    await (await staking.connect(a.signer).setServes(languageModelId, true)).wait();
  }
  const c = await committeeArbiter.params();
  const committee = {
    committeeSize: Number(c.committeeSize),
    nonRevealSlashBps: Number(c.nonRevealSlashBps),
    commitWindow: Number(c.commitWindow),
    revealWindow: Number(c.revealWindow),
    memberBond: BigInt(c.memberBond),
  };

  const consumer = await ethers.deployContract("EchoConsumer", [coordinatorAddress]);
  await consumer.waitForDeployment();

  // The parameters as the coordinator holds them (DEFAULT_PARAMS: deployHighway was given none).
  const p = await coordinator.getParams();
  const params: CoordinatorParams = { ...DEFAULT_PARAMS };
  for (const key of Object.keys(DEFAULT_PARAMS) as (keyof CoordinatorParams)[]) {
    const value = (p as unknown as Record<string, bigint>)[key];
    (params as unknown as Record<string, bigint | number>)[key] = typeof DEFAULT_PARAMS[key] === "bigint" ? BigInt(value) : Number(value);
  }

  const world: World = {
    ethers,
    helpers,
    highway,
    coordinator,
    game: disputeGame,
    arbiter: committeeArbiter,
    registry,
    staking,
    token,
    prices,
    params,
    modelId,
    languageModelId,
    minStake: await staking.minStake(),
    committee,
    switchableModelId,
    switchable,
    ownVerifierModelId,
    consumer: await consumer.getAddress(),
    actors,
    selfDisputing,
    serviceGas: { zk: 0n, optimistic: 0n },
    base: { restore: async () => {} },
  };

  // Warm-up: one round of each mode (sample 2 proven, sample 1 finalized unproven: neither is
  // cached for the paths, which use samples 0 and 1 with proofs), so every balance a settlement
  // credits already exists and the gas below is steady state.
  const warm = new Path(world, "warm-up", "", []);
  for (const [mode, s] of [
    ["zk", sample(2)],
    ["optimistic", sample(1)],
  ] as const) {
    const r = await request(warm, actors.requester, { mode, sample: s });
    await claim(warm, actors.relayer, r, mode, r.createdAt + 1);
    if (mode === "zk") {
      await warm.tx(
        actors.relayer,
        "fulfils",
        coordinator.connect(actors.relayer.signer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
      );
    } else {
      await warm.tx(actors.relayer, "submits", coordinator.connect(actors.relayer.signer).submitOptimistic(r.id, r.terms, s.output));
      await nextBlockAt(world, await phaseEndsAt(world, r.id));
      await warm.tx(actors.relayer, "finalizes", coordinator.connect(actors.relayer.signer).finalize(r.id, r.terms, s.output));
    }
  }
  const snapshot = await helpers.takeSnapshot();
  world.base = snapshot;

  // The service gas an honest relayer prices in, measured on sample 0 in steady state.
  for (const mode of ["zk", "optimistic"] as const) {
    const path = await new Path(world, "service", "", [actors.relayer]).start();
    const s = sample(0);
    const r = await request(path, actors.requester, { mode, sample: s });
    await claim(path, actors.relayer, r, mode, r.createdAt + 1);
    if (mode === "zk") {
      await path.tx(
        actors.relayer,
        "fulfils",
        coordinator.connect(actors.relayer.signer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
      );
    } else {
      await path.tx(actors.relayer, "submits", coordinator.connect(actors.relayer.signer).submitOptimistic(r.id, r.terms, s.output));
      await nextBlockAt(world, await phaseEndsAt(world, r.id));
      await path.tx(actors.relayer, "finalizes", coordinator.connect(actors.relayer.signer).finalize(r.id, r.terms, s.output));
    }
    world.serviceGas[mode] = (await path.finish()).parties.relayer.gas;
  }
  await world.base.restore();
  return world;
}
