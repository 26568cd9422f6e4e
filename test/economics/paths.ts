/**
 * Each strategy's paths, played on the real contracts (see simulation.ts for how a path is
 * measured). A path is one request's worth of a strategy: the transactions of every party
 * involved, in the order the chain saw them, from the same starting state.
 */
import type { Contract, ContractTransactionResponse, TransactionReceipt } from "ethers";
import { encodeTensor } from "../../sdk/encoding.js";
import {
  claim,
  copyFromMempool,
  nextBlockAt,
  OFFER,
  Path,
  phaseEndsAt,
  request,
  requestParams,
  revertName,
  sample,
  termsOfReceipt,
  UNIT,
  verifierIsTheArtifacts,
  wrongOutput,
  type Actor,
  type PathResult,
  type Request,
  type Sample,
  type World,
} from "./simulation.js";

const coordinatorOf = (w: World, a: Actor) => w.coordinator.connect(a.signer);
const gameOf = (w: World, a: Actor) => w.game.connect(a.signer);

/** `who`'s secret salt for a challenge of request `r` (any unguessable word would do). */
function saltOf(w: World, who: Actor, r: Request): string {
  return w.ethers.id(`salt of ${who.name} for ${r.id}`);
}

/** `who` challenges request `r` as the dispute game requires: a commitment, then its reveal in the next block. */
async function challenge(p: Path, who: Actor, r: Request, step = "challenge"): Promise<TransactionReceipt> {
  const w = p.world;
  const salt = saltOf(w, who, r);
  await p.tx(who, `${step}: commit`, gameOf(w, who).commitChallenge(await w.game.challengeCommitment(r.id, who.holder, salt)));
  return p.tx(who, `${step}: reveal`, gameOf(w, who).challenge(r.id, r.terms, salt));
}

/** `who` proves the fraud of request `r`'s wrong answer with sample `s`'s real proof, paying for the proof. */
async function proveFraud(p: Path, who: Actor, r: Request, s: Sample): Promise<TransactionReceipt> {
  const w = p.world;
  const receipt = await p.tx(
    who,
    "proveFraud (real proof)",
    gameOf(w, who).proveFraud(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
  );
  p.charge(who, w.prices.proofCost, "offChain");
  return receipt;
}

/** The compute fee and output the coordinator settled a request with (its RequestFulfilled event), if it did. */
function fulfilled(w: World, receipt: TransactionReceipt | undefined): { payee: string; output: string; computeFee: bigint } | undefined {
  for (const log of receipt?.logs ?? []) {
    try {
      const parsed = w.coordinator.interface.parseLog(log);
      if (parsed?.name === "RequestFulfilled")
        return { payee: parsed.args.payee, output: parsed.args.output, computeFee: parsed.args.computeFee };
    } catch {
      // another contract's log
    }
  }
  return undefined;
}

function recordDelivery(path: Path, receipt: TransactionReceipt | undefined, right: string): void {
  const f = fulfilled(path.world, receipt);
  if (!f) return;
  // Outputs are canonical tensors: the same values, the same bytes.
  path.facts.deliveredRight = f.output === right;
  path.facts.paidFee = f.computeFee;
}

// ================================================================ honest relayer

/** Honest relayer, zk: claims at the clearing price, proves, is paid the compute fee. */
export async function honestZk(w: World): Promise<PathResult> {
  const { requester, relayer } = w.actors;
  const p = await new Path(w, "honest-zk", "claim at the clearing price, fulfillZk with a real proof", [relayer, requester]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "zk", sample: s });
  await claim(p, relayer, r, "zk");
  const receipt = await p.tx(
    relayer,
    "fulfillZk (real proof)",
    coordinatorOf(w, relayer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
  );
  p.charge(relayer, w.prices.proofCost, "offChain");
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

/** Honest relayer, optimistic: claims at the clearing price, posts the right output, finalizes after the window. */
export async function honestOptimistic(w: World, jobBond?: bigint): Promise<PathResult> {
  const { requester, relayer } = w.actors;
  const id = jobBond === undefined ? "honest-optimistic" : `honest-optimistic@${jobBond / UNIT}`;
  const p = await new Path(w, id, "claim, submitOptimistic (right output), finalize after the challenge window", [
    relayer,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, jobBond });
  await claim(p, relayer, r, "optimistic");
  await p.tx(relayer, "submitOptimistic (right output)", coordinatorOf(w, relayer).submitOptimistic(r.id, r.terms, s.output));
  await nextBlockAt(w, await phaseEndsAt(w, r.id));
  const receipt = await p.tx(relayer, "finalize after the challenge window", coordinatorOf(w, relayer).finalize(r.id, r.terms, s.output));
  chargeOptimisticCosts(p, relayer, r);
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

function chargeOptimisticCosts(p: Path, relayer: Actor, r: Request): void {
  const w = p.world;
  p.charge(relayer, w.prices.inferenceCost, "offChain");
  // Its job bond is locked through the challenge window.
  p.charge(
    relayer,
    (BigInt(r.terms.jobBond) * w.prices.capitalBpsPerYear * BigInt(r.terms.challengeWindow)) / (10_000n * 365n * 86_400n),
    "offChain",
  );
}

// ================================================================ griefing challenger

/** Griefing challenger: challenges a right optimistic answer; the relayer defends with its proof. */
export async function griefingChallenge(w: World): Promise<PathResult> {
  const { requester, relayer, challenger } = w.actors;
  const p = await new Path(w, "griefed-optimistic", "right output challenged; the relayer defends with a real proof", [
    challenger,
    relayer,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s });
  await claim(p, relayer, r, "optimistic");
  await p.tx(relayer, "submitOptimistic (right output)", coordinatorOf(w, relayer).submitOptimistic(r.id, r.terms, s.output));
  await challenge(p, challenger, r, "challenge (the output is right)");
  const receipt = await p.tx(
    relayer,
    "defend (real proof)",
    gameOf(w, relayer).defend(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
  );
  chargeOptimisticCosts(p, relayer, r);
  p.charge(relayer, w.prices.proofCost, "offChain");
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

// ================================================================ lazy relayer

/** Lazy relayer: claims and never answers; after the delivery window a keeper reopens the request. */
export async function lazy(w: World): Promise<PathResult> {
  const { requester, lazy: relayer, keeper } = w.actors;
  const p = await new Path(w, "lazy", "claim, no answer; reopened after the delivery window", [relayer, requester, keeper]).start();
  const r = await request(p, requester, { mode: "zk", sample: sample(0) });
  await claim(p, relayer, r, "zk");
  p.facts.lazyComputeFee = p.facts.computeFee;
  await nextBlockAt(w, (await phaseEndsAt(w, r.id)) + 1);
  await p.tx(keeper, "reopen (delivery window passed)", coordinatorOf(w, keeper).reopen(r.id, r.terms));
  // The keeper is the next relayer: it takes the request at the now higher price and answers it.
  const s = sample(0);
  await claim(p, keeper, r, "zk", (await w.helpers.time.latest()) + 1);
  await p.tx(keeper, "fulfillZk (real proof)", coordinatorOf(w, keeper).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof));
  p.charge(keeper, w.prices.proofCost, "offChain");
  return p.finish();
}

// ================================================================ cheating optimistic relayer (and the bribed one)

/** Cheater posts a wrong output; no one challenges; it finalizes after the window (the wrong output is delivered). */
export async function cheatUnchallenged(w: World, jobBond: bigint): Promise<PathResult> {
  const { requester, cheater } = w.actors;
  const p = await new Path(w, `cheat-unchallenged@${jobBond / UNIT}`, "wrong output, unchallenged, finalized (delivered)", [
    cheater,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, jobBond });
  await claim(p, cheater, r, "optimistic");
  await p.tx(cheater, "submitOptimistic (wrong output)", coordinatorOf(w, cheater).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  await nextBlockAt(w, await phaseEndsAt(w, r.id));
  const receipt = await p.tx(cheater, "finalize", coordinatorOf(w, cheater).finalize(r.id, r.terms, wrongOutput(s)));
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

/** Cheater posts a wrong output; an honest watchtower challenges and proves the right one. */
export async function cheatCaught(w: World, jobBond: bigint): Promise<PathResult> {
  const { requester, cheater, watchtower } = w.actors;
  const p = await new Path(w, `cheat-caught@${jobBond / UNIT}`, "wrong output; a watchtower challenges and proves fraud", [
    cheater,
    watchtower,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, jobBond });
  await claim(p, cheater, r, "optimistic");
  await p.tx(cheater, "submitOptimistic (wrong output)", coordinatorOf(w, cheater).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  await challenge(p, watchtower, r);
  const receipt = await proveFraud(p, watchtower, r, s);
  p.charge(watchtower, w.prices.inferenceCost, "offChain");
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

/**
 * Self-disputing relayer (the SelfDisputingRelayer adversary contract): posts a wrong output, then
 * challenges it itself and proves the right one in one transaction, before an honest challenger
 * can take its bond (what a cheater does when it sees a watchtower's challenge in the mempool).
 */
export async function selfDispute(w: World, jobBond: bigint): Promise<PathResult> {
  const { requester, selfDisputer } = w.actors;
  const p = await new Path(
    w,
    `self-dispute@${jobBond / UNIT}`,
    "wrong output, commit to its own challenge, then reveal it and proveFraud in one transaction",
    [selfDisputer, requester],
  ).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, jobBond });
  const adversary = w.selfDisputing.connect(selfDisputer.signer) as Contract;
  await claim(p, selfDisputer, r, "optimistic", undefined, w.selfDisputing);
  await p.tx(selfDisputer, "submitWrong", adversary.getFunction("submitWrong")(r.id, r.terms, wrongOutput(s)));
  // It commits to its own challenge at once (it can always be ahead of a watchtower's commitment).
  await p.tx(selfDisputer, "commitChallenge (its own)", adversary.getFunction("commitChallenge")(r.id));
  const receipt = await p.tx(
    selfDisputer,
    "disputeItself (challenge + proveFraud)",
    adversary.getFunction("disputeItself")(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
  );
  recordDelivery(p, receipt, s.output);
  return p.finish();
}

// ================================================================ griefing requester

/**
 * Griefing requester: a request whose deadline leaves less than a delivery window, at a price
 * that gets it claimed at once; the claimant cannot prove before the deadline; the requester
 * expires the request, hoping for the late share of the claimant's bond.
 */
export async function griefingRequester(w: World, deadlineIn: number): Promise<PathResult> {
  const { griefer, relayer } = w.actors;
  const p = await new Path(w, `short-deadline@${deadlineIn}s`, `deadline ${deadlineIn} s after the request, claimed at once, expired`, [
    griefer,
    relayer,
  ]).start();
  const s = sample(0);
  let r: Request;
  try {
    r = await request(p, griefer, { mode: "zk", sample: s, startComputeFee: OFFER.maxComputeFee, deadlineIn });
  } catch (error) {
    p.note(`griefer: request (deadline +${deadlineIn} s) reverts ${revertName(w, error)}`);
    p.facts.refused = "request";
    return p.finish();
  }
  try {
    await claim(p, relayer, r, "zk", r.createdAt + 1);
  } catch (error) {
    p.note(`relayer: claim reverts ${revertName(w, error)}`);
    p.facts.refused = "claim";
  }
  if (p.facts.refused === undefined) {
    p.note("relayer: its proof is not ready before the deadline");
    p.charge(relayer, w.prices.proofCost, "offChain");
  }
  await nextBlockAt(w, Number(r.terms.deadline) + 1);
  await p.attempt(griefer, "expire (deadline passed)", () => coordinatorOf(w, griefer).expire(r.id, r.terms));
  return p.finish();
}

// ================================================================ malicious model owner

/** The owner's switchable verifier is set to `mode` (0 pass-through, 1 accept all, 2 reject all). */
async function switchTo(p: Path, mode: 1 | 2): Promise<void> {
  const { owner } = p.world.actors;
  await p.tx(
    owner,
    mode === 1 ? "switches its verifier to accept anything" : "switches its verifier to reject everything",
    p.world.switchable.connect(owner.signer).setMode(mode),
  );
}

/**
 * The relayers' rule in force: every relayer refuses the model behind the switchable verifier
 * (its code is not the artifacts'), so its requests are never claimed; the owner, requesting its
 * own model to bait one, gets its escrow back and has paid the gas.
 */
export async function ownerRefused(w: World): Promise<PathResult> {
  const { owner } = w.actors;
  const p = await new Path(
    w,
    "owner-refused",
    "switchable verifier: relayers refuse the model; the owner's bait request is never claimed",
    [owner],
  ).start();
  p.facts.switchableAccepted = await verifierIsTheArtifacts(w, w.switchableModelId);
  p.facts.referenceAccepted = await verifierIsTheArtifacts(w, w.modelId);
  p.facts.ownVerifierAccepted = await verifierIsTheArtifacts(w, w.ownVerifierModelId);
  p.note(
    `relayers' check: switchable verifier ${p.facts.switchableAccepted ? "accepted" : "refused"}, the owner's own deployment of the artifacts' verifier ${p.facts.ownVerifierAccepted ? "accepted" : "refused"}`,
  );
  const r = await request(p, owner, { mode: "zk", sample: sample(0), modelId: w.switchableModelId, startComputeFee: OFFER.maxComputeFee });
  p.note("no relayer claims (the model is refused)");
  await nextBlockAt(w, r.createdAt + Number(r.terms.auctionDuration) + 1);
  await p.tx(owner, "cancel", coordinatorOf(w, owner).cancel(r.id, r.terms));
  return p.finish();
}

/**
 * The owner's bait zk request on `modelId`: a relayer claims it, `sabotage` makes the verifier
 * refuse every proof, the relayer is late and the owner reopens (late slash) and cancels.
 * `closeMustPass`: the reopen and the cancel must succeed (else each is only attempted).
 */
async function ownerTrapsZkClaim(
  w: World,
  path: { name: string; description: string; modelId: string },
  sabotage: (p: Path) => Promise<void>,
  closeMustPass: boolean,
): Promise<PathResult> {
  const { owner, relayer } = w.actors;
  const p = await new Path(w, path.name, path.description, [owner, relayer]).start();
  const s = sample(0);
  const r = await request(p, owner, { mode: "zk", sample: s, modelId: path.modelId, startComputeFee: OFFER.maxComputeFee });
  await claim(p, relayer, r, "zk", r.createdAt + 1);
  await sabotage(p);
  await p.attempt(relayer, "fulfillZk (real proof)", () =>
    coordinatorOf(w, relayer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
  );
  p.charge(relayer, w.prices.proofCost, "offChain");
  await nextBlockAt(w, (await phaseEndsAt(w, r.id)) + 1);
  for (const [what, call] of [
    ["reopen", () => coordinatorOf(w, owner).reopen(r.id, r.terms)],
    ["cancel", () => coordinatorOf(w, owner).cancel(r.id, r.terms)],
  ] as const) {
    if (closeMustPass) await p.tx(owner, what, call());
    else await p.attempt(owner, what, call);
  }
  return p.finish();
}

/**
 * The owner's request for an honest optimistic answer on `modelId`: `sabotage` makes the
 * verifier refuse every proof, the owner challenges, the defence fails and the dispute times out.
 * `timeoutMustPass`: resolving the timeout must succeed (else it is only attempted).
 */
async function ownerTrapsOptimisticAnswer(
  w: World,
  path: { name: string; description: string; modelId: string },
  sabotage: (p: Path) => Promise<void>,
  timeoutMustPass: boolean,
): Promise<PathResult> {
  const { owner, relayer, requester } = w.actors;
  const p = await new Path(w, path.name, path.description, [owner, relayer, requester]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, modelId: path.modelId });
  await claim(p, relayer, r, "optimistic");
  await p.tx(relayer, "submitOptimistic (right output)", coordinatorOf(w, relayer).submitOptimistic(r.id, r.terms, s.output));
  await sabotage(p);
  await challenge(p, owner, r);
  await p.attempt(relayer, "defend (real proof)", () => gameOf(w, relayer).defend(r.id, r.terms, encodeTensor(s.input), s.output, s.proof));
  chargeOptimisticCosts(p, relayer, r);
  await nextBlockAt(w, (await phaseEndsAt(w, r.id)) + 1);
  const resolve = () => gameOf(w, owner).resolveDisputeTimeout(r.id, r.terms);
  if (timeoutMustPass) await p.tx(owner, "resolveDisputeTimeout", resolve());
  else await p.attempt(owner, "resolveDisputeTimeout", resolve);
  return p.finish();
}

/** Without the rule: a relayer claims the owner's bait zk request, the owner switches to reject-all, the relayer is late. */
export function ownerRejectsZk(w: World): Promise<PathResult> {
  const path = {
    name: "owner-rejects-zk",
    description: "unchecked relayer claims the owner's request; verifier switched to reject; late slash",
    modelId: w.switchableModelId,
  };
  return ownerTrapsZkClaim(w, path, (p) => switchTo(p, 2), true);
}

/** Without the rule: the owner challenges a right optimistic answer on its model and switches to reject-all; no defence passes. */
export function ownerRejectsOptimistic(w: World): Promise<PathResult> {
  const path = {
    name: "owner-rejects-optimistic",
    description: "owner challenges a right answer, verifier switched to reject; the defence fails",
    modelId: w.switchableModelId,
  };
  return ownerTrapsOptimisticAnswer(w, path, (p) => switchTo(p, 2), true);
}

/** Without the rule: the owner answers its model's request wrongly and, challenged, switches to accept-all and "defends". */
export async function ownerAcceptsOptimistic(w: World): Promise<PathResult> {
  const { owner, watchtower, requester } = w.actors;
  const p = await new Path(
    w,
    "owner-accepts-optimistic",
    "owner posts a wrong answer, is challenged, switches to accept-all and defends with junk",
    [owner, watchtower, requester],
  ).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s, modelId: w.switchableModelId });
  await claim(p, owner, r, "optimistic");
  await p.tx(owner, "submitOptimistic (wrong output)", coordinatorOf(w, owner).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  await challenge(p, watchtower, r);
  await switchTo(p, 1);
  const receipt = await p.attempt(owner, "defend (another input's proof)", () =>
    gameOf(w, owner).defend(r.id, r.terms, encodeTensor(s.input), wrongOutput(s), sample(1).proof),
  );
  if (receipt) recordDelivery(p, receipt, s.output);
  else {
    await proveFraud(p, watchtower, r, s);
  }
  p.charge(watchtower, w.prices.inferenceCost, "offChain");
  return p.finish();
}

/**
 * Fee front-run: the owner sees a request for its (honestly verified) model in the mempool and
 * raises its fee 25-fold ahead of it; the requester, which approved the coordinator without limit,
 * asked for at most the fee it saw (RequestParams.maxModelFee). If the request goes through, an
 * honest relayer serves it and the owner lowers the fee again.
 */
export async function ownerFeeFrontRun(w: World): Promise<PathResult> {
  const { owner, requester, relayer } = w.actors;
  const p = await new Path(w, "owner-fee-front-run", "owner raises its fee ahead of a request in the mempool", [
    owner,
    requester,
    relayer,
  ]).start();
  const s = sample(0);
  const modelId = w.ownVerifierModelId;
  const fee = (await w.registry.modelTerms(modelId)).fee;
  p.facts.postedFee = fee;
  const now = (await w.helpers.time.latest()) + 1;
  const params = requestParams(w, { mode: "zk", sample: s, modelId }, now, fee);
  const provider = w.ethers.provider;
  await w.helpers.time.setNextBlockTimestamp(now);
  await provider.send("evm_setAutomine", [false]);
  let requestTx: ContractTransactionResponse;
  let raiseTx: ContractTransactionResponse;
  try {
    const base = { maxFeePerGas: 100_000_000_000n };
    requestTx = await coordinatorOf(w, requester).requestInference(params, encodeTensor(s.input), {
      ...base,
      maxPriorityFeePerGas: 1_000_000_000n,
      gasLimit: 1_000_000n,
    });
    raiseTx = await w.registry.connect(owner.signer).setFee(modelId, 25n * fee, { ...base, maxPriorityFeePerGas: 2_000_000_000n });
    await w.helpers.mine();
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
  const raised = (await provider.getTransactionReceipt(raiseTx.hash))!;
  p.charge(owner, raised.gasUsed, "gas");
  p.note(`owner: setFee(${(25n * fee) / UNIT} tokens), ahead of the request [index ${raised.index}]`);
  const requested = (await provider.getTransactionReceipt(requestTx.hash))!;
  p.charge(requester, requested.gasUsed, "gas");
  if (requested.status !== 1) {
    let reason = "";
    try {
      await coordinatorOf(w, requester).requestInference.staticCall(params, encodeTensor(s.input));
    } catch (error) {
      reason = revertName(w, error);
    }
    p.note(`requester: request (maxModelFee ${fee / UNIT} tokens) reverts ${reason} [index ${requested.index}]`);
    p.facts.refused = true;
  } else {
    const r = termsOfReceipt(w, requested);
    p.note(`requester: request goes through at a model fee of ${BigInt(r.terms.modelFee) / UNIT} tokens [index ${requested.index}]`);
    p.facts.modelFeePaid = BigInt(r.terms.modelFee);
    await claim(p, relayer, r, "zk");
    await p.tx(
      relayer,
      "fulfillZk (real proof)",
      coordinatorOf(w, relayer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof),
    );
    p.charge(relayer, w.prices.proofCost, "offChain");
  }
  await p.tx(owner, "setFee back", w.registry.connect(owner.signer).setFee(modelId, fee));
  return p.finish();
}

/** Replaces the code at the owner's verifier (a metamorphic redeploy, where a chain still allows one) by the switchable verifier's, set to `mode`. */
async function replaceVerifierCode(p: Path, mode: 1 | 2): Promise<void> {
  const w = p.world;
  const verifier: string = (await w.registry.getModel(w.ownVerifierModelId)).verifier;
  const code: string = await w.ethers.provider.getCode(await w.switchable.getAddress());
  await w.ethers.provider.send("hardhat_setCode", [verifier, code]);
  await w.ethers.provider.send("hardhat_setStorageAt", [verifier, "0x0", w.ethers.toBeHex(mode, 32)]);
  p.note(
    `owner: replaces its verifier's code (a metamorphic redeploy) by one that ${mode === 1 ? "accepts anything" : "rejects everything"}`,
  );
}

/** The verifier's code changes after relayers checked it: the owner "defends" its wrong answer with junk. */
export async function ownerSwapsCodeToAccept(w: World): Promise<PathResult> {
  const { owner, watchtower, requester } = w.actors;
  const p = await new Path(
    w,
    "owner-swaps-code-accept",
    "checked verifier's code replaced by accept-all; the owner defends a wrong answer",
    [owner, watchtower, requester],
  ).start();
  const s = sample(0);
  p.facts.checkedBefore = await verifierIsTheArtifacts(w, w.ownVerifierModelId);
  const r = await request(p, requester, { mode: "optimistic", sample: s, modelId: w.ownVerifierModelId });
  await claim(p, owner, r, "optimistic");
  await p.tx(owner, "submitOptimistic (wrong output)", coordinatorOf(w, owner).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  await challenge(p, watchtower, r);
  await replaceVerifierCode(p, 1);
  const defended = await p.attempt(owner, "defend (another input's proof)", () =>
    gameOf(w, owner).defend(r.id, r.terms, encodeTensor(s.input), wrongOutput(s), sample(1).proof),
  );
  if (defended) recordDelivery(p, defended, s.output);
  else {
    await nextBlockAt(w, (await phaseEndsAt(w, r.id)) + 1);
    await p.tx(watchtower, "resolveDisputeTimeout", gameOf(w, watchtower).resolveDisputeTimeout(r.id, r.terms));
  }
  p.charge(watchtower, w.prices.inferenceCost, "offChain");
  return p.finish();
}

/** The verifier's code changes after a relayer checked it and claimed: its real proof is refused, it is late. */
export function ownerSwapsCodeToReject(w: World): Promise<PathResult> {
  const path = {
    name: "owner-swaps-code-reject",
    description: "checked verifier's code replaced by reject-all after a claim; late slash",
    modelId: w.ownVerifierModelId,
  };
  return ownerTrapsZkClaim(w, path, (p) => replaceVerifierCode(p, 2), false);
}

/** The verifier's code changes after an honest optimistic answer: the owner challenges it and no defence can pass. */
export function ownerSwapsCodeToRejectOptimistic(w: World): Promise<PathResult> {
  const path = {
    name: "owner-swaps-code-reject-optimistic",
    description: "checked verifier's code replaced by reject-all; the owner challenges a right answer",
    modelId: w.ownVerifierModelId,
  };
  return ownerTrapsOptimisticAnswer(w, path, (p) => replaceVerifierCode(p, 2), false);
}

// ================================================================ copying bot

/** The bot copies a claimant's fulfillZk from the mempool and gets it mined first. */
export async function copyFulfilment(w: World): Promise<PathResult> {
  const { requester, relayer, bot } = w.actors;
  const p = await new Path(w, "copy-fulfilment", "bot replays the claimant's fulfillZk ahead of it", [bot, relayer, requester]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "zk", sample: s });
  await claim(p, relayer, r, "zk");
  const result = await copyFromMempool(p, relayer, bot, "fulfillZk (real proof)", (o) =>
    coordinatorOf(w, relayer).fulfillZk(r.id, r.terms, encodeTensor(s.input), s.output, s.proof, o),
  );
  p.charge(relayer, w.prices.proofCost, "offChain");
  p.facts.copySucceeded = result.copy;
  return p.finish();
}

/** The bot copies a watchtower's proveFraud from the mempool and gets it mined first. */
export async function copyFraudProof(w: World): Promise<PathResult> {
  const { requester, cheater, watchtower, bot } = w.actors;
  const p = await new Path(w, "copy-fraud-proof", "bot replays a watchtower's proveFraud ahead of it", [
    bot,
    watchtower,
    cheater,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s });
  await claim(p, cheater, r, "optimistic");
  await p.tx(cheater, "submitOptimistic (wrong output)", coordinatorOf(w, cheater).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  await challenge(p, watchtower, r);
  const result = await copyFromMempool(p, watchtower, bot, "proveFraud (real proof)", (o) =>
    gameOf(w, watchtower).proveFraud(r.id, r.terms, encodeTensor(s.input), s.output, s.proof, o),
  );
  p.charge(watchtower, w.prices.inferenceCost + w.prices.proofCost, "offChain");
  p.facts.copySucceeded = result.copy;
  return p.finish();
}

/**
 * The bot copies both steps of a watchtower's challenge of a wrong answer from the mempool and
 * gets each mined first. The copied commitment goes through but binds the watchtower's address
 * (useless to the bot); the copied reveal has no commitment of the bot's and reverts
 * (`ChallengeNotCommitted`). The watchtower's reveal opens the dispute and it proves the fraud.
 * (Before the commit-reveal rule the copy made the bot the challenger of record: +79.417.)
 */
export async function copyChallenge(w: World): Promise<PathResult> {
  const { requester, cheater, watchtower, bot } = w.actors;
  const p = await new Path(w, "copy-challenge", "bot replays a watchtower's challenge ahead of it", [
    bot,
    watchtower,
    cheater,
    requester,
  ]).start();
  const s = sample(0);
  const r = await request(p, requester, { mode: "optimistic", sample: s });
  await claim(p, cheater, r, "optimistic");
  await p.tx(cheater, "submitOptimistic (wrong output)", coordinatorOf(w, cheater).submitOptimistic(r.id, r.terms, wrongOutput(s)));
  const salt = saltOf(w, watchtower, r);
  const commitment = await w.game.challengeCommitment(r.id, watchtower.holder, salt);
  const committed = await copyFromMempool(p, watchtower, bot, "commitChallenge", (o) =>
    gameOf(w, watchtower).commitChallenge(commitment, o),
  );
  const revealed = await copyFromMempool(p, watchtower, bot, "challenge (reveal)", (o) =>
    gameOf(w, watchtower).challenge(r.id, r.terms, salt, o),
  );
  p.facts.copiedCommitMined = committed.copy;
  p.facts.copySucceeded = revealed.copy;
  p.facts.challengerOfRecord = await w.game.challengerOf(r.id);
  p.facts.watchtowerChallenged = p.facts.challengerOfRecord === watchtower.holder;
  if (revealed.original) {
    await proveFraud(p, watchtower, r, s);
  }
  p.charge(watchtower, w.prices.inferenceCost, "offChain");
  return p.finish();
}
