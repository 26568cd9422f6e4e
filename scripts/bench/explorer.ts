/**
 * bench-explorer: how fast the Highway Explorer reads a busy deployment, in headless Chromium
 * (Debian's package, as the browser test uses it).
 *
 *   make bench-explorer [ARGS="--json --requests 1000"]
 *
 * A local node with Highway deployed and --requests (1000) requests on chain (made in JSON-RPC
 * batches; nobody serves them). The page, built by Vite and served as `highway explorer` serves
 * it, is loaded afresh three times: loadMs is from navigation to the request list showing every
 * request (all logs read from the deployment block, decoded and counted), the median of the three;
 * pageTurnMs is a click on "older" until the list's second page shows; requestPageMs a click on a
 * request until its page shows its status. With --json the last line is one JSON object:
 * {"requests","loadMs","pageTurnMs","requestPageMs"}.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildExplorer } from "../../explorer/build.js";
import { serveExplorer } from "../../sdk/explorer-server.js";
import { CHROMIUM_HINT, findChromium } from "../lib/chromium.js";
import { fundRequester, requestBatch, startHighway } from "../lib/localnet.js";
import { flag, median, option, printTable } from "../lib/report.js";

const json = flag("--json");
const count = Number(option("--requests", "1000"));
const chromium = findChromium();
if (!chromium) {
  console.error(`bench-explorer needs Chromium: ${CHROMIUM_HINT}`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "highway-bench-explorer-"));
const [highway] = await Promise.all([startHighway(), buildExplorer(join(dir, "page"))]);
const { default: puppeteer } = await import("puppeteer-core");
const browser = await puppeteer.launch({ executablePath: chromium, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  const [requester] = await highway.ethers.getSigners();
  await fundRequester(highway, requester);
  await requestBatch(highway, requester.address, count);
  const served = await serveExplorer({ dir: join(dir, "page"), deployment: highway.deployment, rpcUrl: highway.node.url, port: 0 });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });

  const shows = (selector: string, text: string) =>
    page.waitForFunction((s, t) => document.querySelector(s)?.textContent?.trim() === t, { timeout: 120_000 }, selector, text);
  const timed = async (action: () => Promise<unknown>, until: () => Promise<unknown>) => {
    const started = performance.now();
    await action();
    await until();
    return performance.now() - started;
  };
  const pages = Math.ceil(count / 25);
  const loads: number[] = [];
  for (let run = 0; run < 3; run++) {
    await page.goto("about:blank");
    loads.push(
      await timed(
        () => page.goto(served.url),
        () => shows("[data-testid=total-requests]", String(count)),
      ),
    );
  }
  const pageTurnMs = await timed(
    () => page.click("[data-testid=next-page]"),
    () => shows("[data-testid=page]", `page 2 of ${pages}`),
  );
  const requestPageMs = await timed(
    () => page.click("[data-testid=requests] tbody tr a[href^='#/request/']"),
    () => shows("[data-testid=request-status]", "open"),
  );
  await served.close();

  const result = {
    requests: count,
    loadMs: Math.round(median(loads)),
    pageTurnMs: Math.round(pageTurnMs),
    requestPageMs: Math.round(requestPageMs),
  };
  printTable([
    { measure: `load: every one of ${count} requests read and counted (median of 3)`, ms: result.loadMs },
    { measure: "list: the next page of 25", ms: result.pageTurnMs },
    { measure: "a request's page", ms: result.requestPageMs },
  ]);
  if (json) console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await highway.stop();
  rmSync(dir, { recursive: true, force: true });
}
