/**
 * The optional injected wallet (EIP-1193, `window.ethereum`): with one the page can make a
 * request, cancel an open request of its account and withdraw its balance, through the
 * SDK's actions; without one the page only reads.
 */
import { BrowserProvider, type Eip1193Provider } from "ethers";
import { Highway, type HighwayDeployment, type InferenceRequest } from "../../sdk/index.js";

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

export class Wallet {
  account?: string;
  /** What the account can withdraw from the coordinator. */
  withdrawable = 0n;
  private highway?: Highway;

  constructor(
    private readonly deployment: HighwayDeployment,
    private readonly onChange: () => void,
  ) {}

  static available(): boolean {
    return typeof window !== "undefined" && window.ethereum !== undefined;
  }

  async connect(): Promise<void> {
    const provider = new BrowserProvider(window.ethereum!);
    const signer = await provider.getSigner();
    this.highway = await Highway.connect({ runner: signer, deployment: this.deployment });
    this.account = await signer.getAddress();
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.highway || !this.account) return;
    this.withdrawable = (await this.highway.balances(this.account)).withdrawable;
    this.onChange();
  }

  private connected(): Highway {
    if (!this.highway) throw new Error("connect a wallet first");
    return this.highway;
  }

  /** Makes a request (approving the escrow as needed); resolves with its id in hex. */
  async request(request: InferenceRequest): Promise<string> {
    const handle = await this.connected().requestInference(request);
    await this.refresh();
    return `0x${handle.requestId.toString(16).padStart(64, "0")}`;
  }

  async cancel(requestId: bigint): Promise<void> {
    await this.connected().cancel(requestId);
    await this.refresh();
  }

  async withdraw(): Promise<void> {
    await this.connected().withdraw();
    await this.refresh();
  }
}
