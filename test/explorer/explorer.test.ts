/**
 * The Highway Explorer in a real browser: Debian's Chromium, headless, driven by
 * puppeteer-core, on the page `highway explorer` serves (built by Vite from explorer/),
 * against a local network (a Hardhat node process with Highway deployed) and a relayer
 * process. Screenshots of the main pages go to .build/test-output/explorer/.
 *
 * Without Chromium the test skips, saying how to install it; under CI=true it fails instead.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import type { Browser, Page } from "puppeteer-core";
import { buildExplorer } from "../../explorer/build.js";
import {
  advanceTime,
  fundRequester,
  requestBatch,
  stakeRelayer,
  startHighway,
  startRelayerProcess,
  waitFor,
  type LocalHighway,
  type RelayerProcess,
} from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { formatTokens, Highway, type InferenceResult } from "../../sdk/node.js";
import { CHROMIUM_HINT, findChromium } from "../../scripts/lib/chromium.js";
import { REPO } from "../helpers/repo.js";

const OUTPUT = join(REPO, ".build", "test-output", "explorer");
const RELAYER = 5;
/** A relayer that posts wrong optimistic answers (scripts/demo/cheating-relayer.mjs): its disputes show on the page. */
const CHEATER = 6;
const REQUESTER = hardhatAccount(1);
/** Requests the page must take in its stride, made in JSON-RPC batches. */
const MANY = 1_000;
const PRICE_INPUT = [-0.4, 0.1, 0.3, 0.2, 0.6, 0.9, 1.1, 1.4];
const RISK_INPUT = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, -0.1, -0.2, -0.3, -0.4, 0.5, 0.6, 0.7, 0.8];

/** What the page shows of a decoded tensor: the values to 4 decimals (explorer/src/chain/events.ts, describeData). */
function shown(values: readonly number[]): string {
  return values.map((value) => Number(value.toFixed(4)).toString()).join(", ");
}

function hexId(id: bigint): string {
  return `0x${id.toString(16).padStart(64, "0")}`;
}

describe("the Highway Explorer (highway explorer) in headless Chromium", function () {
  this.timeout(240_000);
  let chromium: string | undefined;
  let highway: LocalHighway;
  let relayer: RelayerProcess;
  let cheater: RelayerProcess;
  let explorer: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let sdk: Highway;
  let provider: JsonRpcProvider;
  let dir: string;
  const answered: { result: InferenceResult; model: string }[] = [];

  before(async function () {
    chromium = findChromium();
    if (!chromium) {
      if (process.env.CI === "true") throw new Error(`no Chromium, and CI=true never skips the browser test: ${CHROMIUM_HINT}`);
      console.log(`    skipped: no Chromium: ${CHROMIUM_HINT}`);
      this.skip();
    }
    mkdirSync(OUTPUT, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "highway-explorer-"));
    const [, started] = await Promise.all([buildExplorer(join(dir, "page")), startHighway()]);
    highway = started;
    for (const account of [RELAYER, CHEATER]) await stakeRelayer(highway, await highway.ethers.getSigner(hardhatAccount(account).address));
    // The honest relayer answers price-signal in both modes and credit-risk by proof; its watchtower checks the
    // cheater's optimistic credit-risk answers.
    relayer = startRelayerProcess(highway, {
      account: RELAYER,
      config: {
        models: [
          { circuit: "price-signal", modes: ["zk", "optimistic"] },
          { circuit: "credit-risk", modes: ["zk"] },
        ],
      },
    });
    cheater = startRelayerProcess(highway, {
      account: CHEATER,
      cheat: true,
      config: { watchtower: { enabled: false }, models: [{ circuit: "credit-risk", modes: ["optimistic"] }] },
    });
    const requester = await highway.ethers.getSigner(REQUESTER.address);
    await fundRequester(highway, requester);

    // The deployment file is the test's own (not deployments/<chain id>.json); the RPC is the test's node.
    let out = "";
    explorer = spawn(
      process.execPath,
      [
        join(REPO, "sdk", "bin", "highway.mjs"),
        "--deployment",
        highway.deploymentPath,
        "explorer",
        "--port",
        "0",
        "--dir",
        join(dir, "page"),
        "--poll",
        "500",
        "--json",
      ],
      { cwd: REPO, env: { ...process.env, HIGHWAY_RPC: highway.node.url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    explorer.stdout!.on("data", (chunk) => (out += chunk));
    explorer.stderr!.on("data", (chunk) => (out += chunk));
    await waitFor("the explorer's URL", () => /"url":"([^"]+)"/.test(out), 30_000, 100);
    url = /"url":"([^"]+)"/.exec(out)![1];

    // No cache: two requests in a row must each read the pending nonce afresh.
    provider = new JsonRpcProvider(highway.node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    sdk = await Highway.connect({ runner: new Wallet(REQUESTER.privateKey, provider), deployment: highway.deploymentPath });
    const { default: puppeteer } = await import("puppeteer-core");
    browser = await puppeteer.launch({ executablePath: chromium, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    for (const started of [relayer, cheater])
      await waitFor(
        "the relayers up",
        async () => (await fetch(`http://127.0.0.1:${started.httpPort() ?? 1}/healthz`).catch(() => undefined))?.status === 200,
        120_000,
        200,
      );
  });

  after(async () => {
    await browser?.close();
    explorer?.kill();
    await relayer?.kill("SIGKILL");
    await cheater?.kill("SIGKILL");
    provider?.destroy();
    await highway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function text(selector: string): Promise<string> {
    return page.$eval(selector, (element) => element.textContent?.trim() ?? "");
  }

  async function shows(selector: string, expected: string, timeoutMs = 20_000): Promise<void> {
    await page
      .waitForFunction((s, e) => document.querySelector(s)?.textContent?.trim() === e, { timeout: timeoutMs }, selector, expected)
      .catch(async () => {
        const actual = await page.$eval(selector, (element) => element.textContent?.trim()).catch(() => "(absent)");
        throw new Error(`${selector} shows "${actual}", not "${expected}"`);
      });
  }

  it("lists zk and optimistic requests, and a request's page shows its final status, decoded output, dispute and the fee split the chain paid", async () => {
    const zk = await sdk.requestInference({ model: "price-signal", input: PRICE_INPUT, proofMode: "zk" });
    const optimistic = await sdk.requestInference({ model: "price-signal", input: PRICE_INPUT.map((x) => -x), proofMode: "optimistic" });
    const fraud = await sdk.requestInference({ model: "credit-risk", input: RISK_INPUT, proofMode: "optimistic" });
    await page.goto(url);
    // Live: the list shows them while they are in flight, then their final status.
    for (const handle of [zk, optimistic, fraud]) await page.waitForSelector(`tr[data-request="${handle.requestId.toString(16)}"]`);
    answered.push({ result: await zk.wait({ timeoutMs: 60_000, pollIntervalMs: 200 }), model: "price-signal" });
    // The cheater's wrong answer is challenged and proven wrong by the honest relayer's watchtower, in real time.
    const disputed = await fraud.wait({ timeoutMs: 120_000, pollIntervalMs: 200 });
    expect(disputed.status).to.equal("disputed");
    await waitFor("the optimistic answer posted", async () => (await sdk.status(optimistic.requestId)) === "pending", 60_000, 200);
    await page.goto(`${url}#/request/${hexId(optimistic.requestId)}`);
    await page.waitForSelector("[data-testid=countdown]");
    expect(await text("[data-testid=countdown]")).to.match(/^challenge window closes in \d+ s$/);
    await advanceTime(highway, 61);
    answered.push({ result: await optimistic.wait({ timeoutMs: 60_000, pollIntervalMs: 200 }), model: "price-signal" });
    answered.push({ result: disputed, model: "credit-risk" });

    for (const { result } of answered) {
      await page.goto(`${url}#/request/${hexId(result.requestId)}`);
      await shows("[data-testid=request-status]", "fulfilled");
      await shows("[data-testid=output] [data-testid=values]", shown(result.output!.values));
      for (const [role, amount] of Object.entries({
        relayer: result.fees.relayer,
        "model owner": result.fees.modelOwner,
        "parent model's owner": result.fees.parent,
        referrer: result.fees.referrer,
        protocol: result.fees.protocol,
        "refund to requester": result.fees.refund,
      }))
        await shows(`[data-testid="fee-${role}"]`, formatTokens(amount));
      // Every step of the timeline, with the gas its transaction used.
      await page.waitForFunction(() =>
        [...document.querySelectorAll("[data-testid=timeline] tbody tr td:last-child")].every((td) => /^\d+$/.test(td.textContent)),
      );
      const steps = await page.$$eval("[data-testid=timeline] tbody tr", (rows) => rows.map((row) => row.getAttribute("data-event")));
      expect(steps).to.include.members(["RequestCreated", "RequestClaimed", "RequestFulfilled"]);
      if (result.proofMode === "optimistic") expect(steps).to.include("OptimisticSubmitted");
      if (result.status === "disputed") {
        expect(steps).to.include.members(["Challenged", "FraudProven", "RelayerSlashed"]);
        expect(await text("[data-testid=request]")).to.include("a dispute (fraud-proven)");
        expect(await text("[data-testid=output]")).to.include("posted optimistically (proven wrong)");
      }
    }
    await page.screenshot({ path: join(OUTPUT, "request.png"), fullPage: true });

    // The split matches what the chain credited: each model's earnings, and the protocol's fees (with its share of the slashed bond).
    const { coordinator } = highway;
    const sum = (pick: (fees: InferenceResult["fees"]) => bigint) => answered.reduce((total, { result }) => total + pick(result.fees), 0n);
    const fraudTerms = await sdk.terms(fraud.requestId);
    const disputeShare = (fraudTerms.jobBond * fraudTerms.disputeProtocolShareBps) / 10_000n;
    expect(await coordinator.protocolFees()).to.equal(sum((fees) => fees.protocol) + disputeShare);
    for (const model of ["price-signal", "credit-risk"])
      expect(await coordinator.modelEarnings(highway.deployment.models[model].modelId)).to.equal(
        answered.filter((answer) => answer.model === model).reduce((total, { result }) => total + result.fees.modelOwner, 0n),
      );

    await page.goto(url);
    await shows("[data-testid=total-fulfilled]", String(answered.length));
    await page.screenshot({ path: join(OUTPUT, "requests.png"), fullPage: true });
    await page.goto(`${url}#/model/${highway.deployment.models["price-signal"].modelId.toLowerCase()}`);
    await shows("[data-testid=model-served]", "2");
    await shows(
      "[data-testid=model-owner-earnings]",
      formatTokens(answered[0].result.fees.modelOwner + answered[1].result.fees.modelOwner),
    );
    await page.screenshot({ path: join(OUTPUT, "model.png"), fullPage: true });
    // The honest relayer served two; it earned every compute fee, the fraud proof's included.
    await page.goto(`${url}#/relayer/${relayer.address}`);
    await shows("[data-testid=relayer-served]", "2");
    await shows("[data-testid=relayer-earnings]", formatTokens(sum((fees) => fees.relayer)));
    await page.screenshot({ path: join(OUTPUT, "relayer.png"), fullPage: true });
    await page.goto(`${url}#/relayer/${cheater.address}`);
    await shows("[data-testid=relayer-slashed]", "1");
    await page.goto(`${url}#/network`);
    await shows("[data-testid=answers-zk]", "1");
    await shows("[data-testid=answers-optimistic]", "1");
    await shows("[data-testid=answers-dispute]", "1");
    await shows("[data-testid=network-protocol-fees]", formatTokens(await coordinator.protocolFees()));
    await page.screenshot({ path: join(OUTPUT, "network.png"), fullPage: true });
  });

  it(`stays responsive with ${MANY.toLocaleString("en")} requests on chain, and shows their totals`, async () => {
    await Promise.all([relayer.kill("SIGTERM"), cheater.kill("SIGTERM")]); // nobody serves them: they stay open
    await page.goto(url);
    await shows("[data-testid=total-requests]", String(answered.length));

    // In JSON-RPC batches of eth_sendTransaction from the node's unlocked account: a few HTTP calls.
    await requestBatch(highway, REQUESTER.address, MANY);
    const model = highway.deployment.models["price-signal"].modelId;

    // The open page follows without a reload, then a fresh load reads it all again.
    const total = String(MANY + answered.length);
    await shows("[data-testid=total-requests]", total, 60_000);
    await page.goto(url);
    await shows("[data-testid=total-requests]", total, 60_000);
    await shows("[data-testid=total-open]", String(MANY));
    await shows("[data-testid=total-fulfilled]", String(answered.length));
    // A page at a time: the table never holds more than 25 rows.
    expect(await page.$$eval("[data-testid=requests] tbody tr", (rows) => rows.length)).to.equal(25);
    await shows("[data-testid=page]", `page 1 of ${Math.ceil((MANY + answered.length) / 25)}`);
    await page.click("[data-testid=next-page]");
    await shows("[data-testid=page]", `page 2 of ${Math.ceil((MANY + answered.length) / 25)}`);
    await page.select("[data-testid=status-filter]", "fulfilled");
    await shows("[data-testid=shown-count]", `${answered.length} shown`);
    expect(await page.$$eval("[data-testid=requests] tbody tr", (rows) => rows.length)).to.equal(answered.length);
    await page.goto(`${url}#/model/${model.toLowerCase()}`);
    await shows("[data-testid=model-requests]", String(MANY + 2));
    await page.goto(`${url}#/network`);
    await shows("[data-testid=network-protocol-fees]", formatTokens(await highway.coordinator.protocolFees()));
  });

  it("with an injected wallet, makes a request, cancels an open one of its account and withdraws the refund", async () => {
    // An EIP-1193 wallet for the requester: the node's unlocked account signs (through Node, not the page, whose CSP allows only its server).
    const wallet = await browser.newPage();
    await wallet.setViewport({ width: 1400, height: 900 });
    await wallet.exposeFunction("highwayNodeRpc", async (method: string, params: unknown[]) => {
      const response = await fetch(highway.node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      const answer = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (answer.error) throw new Error(answer.error.message);
      return answer.result;
    });
    // As source text: tsx would wrap a function's inner arrows in a helper the page does not have.
    await wallet.evaluateOnNewDocument(`
      window.ethereum = {
        request: ({ method, params }) =>
          method === "eth_requestAccounts" || method === "eth_accounts"
            ? Promise.resolve([${JSON.stringify(REQUESTER.address)}])
            : window.highwayNodeRpc(method, params ?? []),
        on: () => undefined,
        removeListener: () => undefined,
      };
    `);

    const { coordinator, token } = highway;
    const withdrawable = await coordinator.balanceOf(REQUESTER.address);
    const open = (await sdk.listRequests({ requester: REQUESTER.address })).find((request) => request.status === "open")!;
    await wallet.goto(`${url}#/request/${hexId(open.requestId)}`);
    await (await wallet.waitForSelector("[data-testid=connect]"))!.click();
    await wallet.waitForSelector("[data-testid=wallet]");
    await wallet.waitForFunction(
      (text) => document.querySelector("[data-testid=wallet]")!.textContent.includes(text),
      {},
      `withdrawable ${formatTokens(withdrawable)}`,
    );

    await (await wallet.waitForSelector("[data-testid=cancel]"))!.click();
    await wallet.waitForFunction(() => document.querySelector("[data-testid=request-status]")?.textContent?.trim() === "refunded", {
      timeout: 20_000,
    });
    const refund = (await sdk.result(open.requestId))!.fees.refund;
    expect(await coordinator.balanceOf(REQUESTER.address)).to.equal(withdrawable + refund);

    const tokens = await token.balanceOf(REQUESTER.address);
    await wallet.click("[data-testid=withdraw]");
    await wallet.waitForFunction(() => document.querySelector("[data-testid=wallet]")!.textContent.includes("withdrawable 0 "), {
      timeout: 20_000,
    });
    expect(await coordinator.balanceOf(REQUESTER.address)).to.equal(0n);
    expect(await token.balanceOf(REQUESTER.address)).to.equal(tokens + withdrawable + refund);

    await wallet.goto(`${url}#/model/${highway.deployment.models["credit-risk"].modelId.toLowerCase()}`);
    await wallet.waitForSelector("[data-testid=request-form]");
    await wallet.click("[data-testid=request-form] button[type=submit]");
    await wallet.waitForFunction(
      () => /^request made: 0x[0-9a-f]{64}$/.test(document.querySelector("[data-testid=request-result]")?.textContent ?? ""),
      {
        timeout: 30_000,
      },
    );
    const made = (await wallet.$eval("[data-testid=request-result]", (element) => element.textContent)).slice("request made: ".length);
    expect(await sdk.status(BigInt(made))).to.equal("open");
    await wallet.close();
  });
});
