/**
 * The explorer's entry: reads the deployment the server was started with (config.json),
 * connects the SDK to the server's read-only JSON-RPC relay (rpc), and renders the app.
 */
import { render } from "preact";
import { JsonRpcProvider, Network } from "ethers";
import { Highway, type HighwayDeployment } from "../../sdk/index.js";
import { App } from "./app.js";
import { ChainIndex } from "./chain/chain-index.js";
import "./style.css";

interface ExplorerConfig {
  deployment: HighwayDeployment;
  /** Milliseconds between polls for new blocks. */
  pollIntervalMs: number;
}

async function boot(root: HTMLElement): Promise<void> {
  const config = (await (await fetch("./config.json")).json()) as ExplorerConfig;
  const network = Network.from(config.deployment.chainId);
  const provider = new JsonRpcProvider(new URL("./rpc", location.href).toString(), network, {
    staticNetwork: network,
    batchMaxCount: 100,
  });
  const highway = await Highway.connect({ runner: provider, deployment: config.deployment });
  const index = new ChainIndex(highway.client);
  index.start(config.pollIntervalMs);
  render(<App index={index} />, root);
}

const root = document.getElementById("app")!;
boot(root).catch((error: unknown) => {
  root.textContent = `The explorer cannot start: ${(error as Error).message.split("\n")[0]}`;
});
