/**
 * How the reference language model reads headlines with HeadlineSentimentAgent's prompt: for each
 * headline, the prompt the contract builds (`prompt`), the real model's answer (llama.cpp under the
 * model's runtime spec, greedy, cut to the kit's 32 bytes) and what the contract reads in it
 * (`sentimentOf`), both called on an agent deployed on Hardhat's in-process network, so the prompt
 * and the parse are the contract's own. Prints one line per headline and, for the built-in
 * headlines (examples/README.md, "The prompt"), how many it reads as expected.
 *
 *   tsx examples/scripts/headline-prompt.ts [--headline "Stocks soar as inflation cools"]... [--model smollm2]
 */
import { parseArgs } from "node:util";
import { network } from "hardhat";
import { getBytes, toUtf8String, Wallet, ZeroHash } from "ethers";
import { messageOf } from "../../sdk/errors.js";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { LlamaBackend } from "../../relayer/llm/llama.js";
import { LanguageRuntime } from "../../relayer/llm/runtime.js";
import { ConstantProductPool__factory, DemoToken__factory, HeadlineSentimentAgent__factory } from "../../types/index.js";
import { HEADLINE_AGENT_CONFIG } from "./deploy-kit.js";

/** The agent's `Sentiment` enum, by value. */
const SENTIMENTS = ["UNCLEAR", "POSITIVE", "NEGATIVE", "NEUTRAL"] as const;
type Sentiment = (typeof SENTIMENTS)[number];

/** Twelve headlines and the reading a person would give them. */
export const HEADLINES: { headline: string; expected: Sentiment }[] = [
  { headline: "Stocks soar as inflation cools", expected: "POSITIVE" },
  { headline: "Exchange hacked, $200 million in customer funds stolen", expected: "NEGATIVE" },
  { headline: "Central bank leaves rates unchanged", expected: "NEUTRAL" },
  { headline: "Ether ETF approved, inflows hit record high", expected: "POSITIVE" },
  { headline: "Major lender files for bankruptcy as losses mount", expected: "NEGATIVE" },
  { headline: "Company reports record profits and raises dividend", expected: "POSITIVE" },
  { headline: "Regulator sues stablecoin issuer for fraud", expected: "NEGATIVE" },
  { headline: "Markets close flat ahead of holiday", expected: "NEUTRAL" },
  { headline: "Bitcoin crashes 20% overnight", expected: "NEGATIVE" },
  { headline: "Protocol upgrade scheduled for next Tuesday", expected: "NEUTRAL" },
  { headline: "Token price plunges after founder arrested", expected: "NEGATIVE" },
  { headline: "Trading volume steady as investors await earnings", expected: "NEUTRAL" },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { headline: { type: "string", multiple: true }, model: { type: "string", default: "smollm2" } },
  });
  const chosen = values.headline?.map((headline) => ({ headline, expected: undefined })) ?? HEADLINES;

  // An agent whose coordinator and payment token are placeholders: only its pure functions are called.
  const { ethers } = await network.create();
  const [deployer] = await ethers.getSigners();
  const owner = deployer.address;
  const stable = await new DemoToken__factory(deployer).deploy("Demo USD", "dUSD", owner);
  const volatile = await new DemoToken__factory(deployer).deploy("Demo Volatile", "dVOL", owner);
  const pool = await new ConstantProductPool__factory(deployer).deploy(volatile, stable, 30, owner);
  const placeholder = Wallet.createRandom().address;
  const agent = await new HeadlineSentimentAgent__factory(deployer).deploy(
    placeholder,
    ZeroHash,
    placeholder,
    pool,
    true,
    HEADLINE_AGENT_CONFIG,
    owner,
  );

  const spec = loadRuntimeSpec(values.model);
  const runtime = new LanguageRuntime(spec, await LlamaBackend.start(spec, { parallel: 1 }));
  try {
    let right = 0;
    for (const { headline, expected } of chosen) {
      const { output } = await runtime.answer(getBytes(await agent.prompt(headline)), HEADLINE_AGENT_CONFIG.maxAnswerBytes);
      const read = SENTIMENTS[Number(await agent.sentimentOf(output))];
      if (read === expected) right++;
      const verdict = expected === undefined ? "" : read === expected ? "  right" : `  wrong (expected ${expected})`;
      console.log(`${read.padEnd(8)} ${JSON.stringify(toUtf8String(output)).padEnd(26)} <= ${headline}${verdict}`);
    }
    if (!values.headline) console.log(`${spec.name} read ${right} of ${chosen.length} headlines as expected`);
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(`headline-prompt: ${messageOf(error)}`);
  process.exitCode = 1;
});
