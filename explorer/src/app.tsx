/** The layout, the navigation (hash routes, so any page can be linked) and the wallet bar. */
import { useEffect, useState } from "preact/hooks";
import { formatTokens } from "../../sdk/index.js";
import type { ChainIndex } from "./chain/chain-index.js";
import { NetworkPage } from "./pages/network.js";
import { ModelPage, ModelsPage } from "./pages/models.js";
import { RelayerPage, RelayersPage } from "./pages/relayers.js";
import { RequestPage } from "./pages/request.js";
import { RequestsPage } from "./pages/requests.js";
import { Wallet } from "./wallet.js";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return hash;
}

export function App({ index }: { index: ChainIndex }) {
  const [, setVersion] = useState(index.version);
  const [wallet] = useState(() => (Wallet.available() ? new Wallet(index.client.deployment, () => setVersion((v) => v + 1)) : undefined));
  const [walletError, setWalletError] = useState<string>();
  useEffect(() => index.subscribe(() => setVersion(index.version)), [index]);
  useEffect(() => {
    if (wallet?.account) void wallet.refresh();
  }, [index.version, wallet]);
  const hash = useHash();
  const [, page = "", arg = ""] = hash.split("/");
  const act = (action: () => Promise<void>) => () =>
    void action().then(
      () => setWalletError(undefined),
      (error: Error) => setWalletError(error.message.split("\n")[0]),
    );

  let body;
  if (page === "request") body = <RequestPage index={index} idHex={arg} wallet={wallet} />;
  else if (page === "models") body = <ModelsPage index={index} />;
  else if (page === "model") body = <ModelPage index={index} modelId={arg} wallet={wallet} />;
  else if (page === "relayers") body = <RelayersPage index={index} />;
  else if (page === "relayer") body = <RelayerPage index={index} address={arg} />;
  else if (page === "network") body = <NetworkPage index={index} />;
  else body = <RequestsPage index={index} />;

  const link = (target: string, label: string) => (
    <a href={`#/${target}`} class={page === target || (target === "" && page === "") ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <strong class="brand">Highway Explorer</strong>
        <nav>
          {link("", "Requests")}
          {link("models", "Models")}
          {link("relayers", "Relayers")}
          {link("network", "Network")}
        </nav>
        <span class="sync" data-testid="sync" data-block={index.sync.block}>
          chain {index.client.deployment.chainId} · block {index.sync.block < 0 ? "…" : index.sync.block}
          {index.sync.loading && " · reading…"}
        </span>
        {wallet &&
          (wallet.account ? (
            <span class="wallet" data-testid="wallet">
              <span class="mono">{wallet.account.slice(0, 8)}…</span> · withdrawable {formatTokens(wallet.withdrawable)}{" "}
              <button disabled={wallet.withdrawable === 0n} onClick={act(() => wallet.withdraw())} data-testid="withdraw">
                withdraw
              </button>
            </span>
          ) : (
            <button onClick={act(() => wallet.connect())} data-testid="connect">
              connect wallet
            </button>
          ))}
      </header>
      {index.sync.error && <div class="error">{index.sync.error}</div>}
      {walletError && <div class="error">{walletError}</div>}
      <main>{body}</main>
    </>
  );
}
