/**
 * What every command shares: the global options, the connection (RPC, deployment file,
 * signing key), model names, and output (human text or one JSON document).
 */
import type { Command } from "commander";
import { computeAddress, JsonRpcProvider, Network, SigningKey, Wallet } from "ethers";
import { join, resolve } from "node:path";
import { DEPLOYMENTS_DIR, Highway, loadDeployment, type HighwayDeployment } from "../node.js";
import { toJson } from "../format.js";
import { CliError, UsageError, type FailureContext } from "./errors.js";
import { nameBookPath, readNameBook, type NameBook } from "./names.js";
import { asModelId } from "./parse.js";

/** Where output goes: lines on stdout and stderr, and whether stderr is a terminal (for live status lines). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Rewrites the terminal's current line (a live status); absent when the output is not a terminal. */
  status?: (line: string | undefined) => void;
}

export interface GlobalOptions {
  rpc?: string;
  deployment?: string;
  json?: boolean;
}

const KEY_VARIABLE = "HIGHWAY_PRIVATE_KEY";
/** The package's manifest, for its version. */
export const PACKAGE_JSON = resolve(import.meta.dirname, "..", "..", "package.json");
const RPC_TIMEOUT_MS = 10_000;

/** A connection: the SDK's Highway, with what the CLI adds (names, the signer's address). */
export interface Session {
  highway: Highway;
  deployment: HighwayDeployment;
  chainId: number;
  /** The signer's address, when the command signs. */
  account?: string;
  nameBookPath: string;
  names: NameBook;
}

/** One run of the command line: its options and output, and what a failure report needs. */
export class Cli {
  /** Filled as the run learns it: what the failure line may name. */
  readonly failure: FailureContext = { secrets: [] };
  private provider?: JsonRpcProvider;

  constructor(
    readonly io: Io,
    readonly env: NodeJS.ProcessEnv,
  ) {
    const key = env[KEY_VARIABLE];
    if (key) this.failure.secrets.push(key.trim());
  }

  globals: GlobalOptions = {};
  /** The command whose parsing failed, for the error line's hint. */
  failedCommand?: Command;
  /** What the process exits with when the command succeeds (the relayer's own code for `relayer start`). */
  exitCode = 0;

  /** Takes the global options as the command that runs sees them. */
  use(command: Command): this {
    this.globals = command.optsWithGlobals<GlobalOptions>();
    return this;
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /** Prints `value` as the JSON document with --json, else runs `human`. */
  print(value: unknown, human: () => void): void {
    if (this.json) this.io.out(toJson(value));
    else human();
  }

  /** A progress line for people (stderr); none with --json, whose stdout is one document. */
  progress(line: string): void {
    if (!this.json) this.io.err(line);
  }

  /** The JSON-RPC endpoint: --rpc, else $HIGHWAY_RPC, else a local node. */
  rpcUrl(): string {
    return this.globals.rpc ?? this.env.HIGHWAY_RPC ?? "http://127.0.0.1:8545";
  }

  /** The signing key's address, or undefined when none is set. Throws (exit 2) for a malformed key, without echoing it. */
  keyAddress(): string | undefined {
    const key = this.env[KEY_VARIABLE]?.trim();
    return key ? computeAddress(signingKey(key).publicKey) : undefined;
  }

  /**
   * Connects: asks the RPC its chain id (10 s at most), reads the deployment file, checks
   * that the coordinator is there, and with `sign` loads the key and checks the account has ETH.
   */
  async connect(options: { sign?: boolean } = {}): Promise<Session> {
    const key = options.sign ? requiredKey(this.env) : undefined;
    const url = this.rpcUrl();
    const origin = rpcOrigin(url);
    this.failure.rpc = `the RPC at ${origin}`;
    const chainId = await probeChainId(url, origin);
    this.failure.chainId = chainId;

    const deploymentArg = this.globals.deployment;
    const deploymentPath =
      deploymentArg === undefined || /^\d+$/.test(deploymentArg)
        ? join(DEPLOYMENTS_DIR, `${deploymentArg ?? chainId}.json`)
        : resolve(deploymentArg);
    let deployment: HighwayDeployment;
    try {
      deployment = loadDeployment(deploymentPath);
    } catch {
      throw new CliError(
        deploymentArg === undefined
          ? `no deployment file for chain ${chainId} (${deploymentPath}): start a local network with \`make localnet\`, deploy with scripts/deploy.ts, or pass --deployment FILE`
          : `cannot read the deployment file ${deploymentPath}: pass --deployment with a deployment file (deployments/<chain id>.json) or a chain id`,
        "NoDeployment",
      );
    }
    if (deployment.chainId !== chainId) {
      throw new CliError(
        `the deployment file ${deploymentPath} is for chain ${deployment.chainId}, but ${origin} is chain ${chainId}: pass the matching --rpc or --deployment`,
        "WrongChain",
      );
    }
    const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: Network.from(chainId), cacheTimeout: -1 });
    this.provider = provider;
    if ((await provider.getCode(deployment.coordinator)) === "0x") {
      throw new CliError(
        `no Highway coordinator at ${deployment.coordinator} on chain ${chainId}: the deployment file ${deploymentPath} is stale (the node was restarted?); redeploy (\`make localnet\`) or pass --deployment`,
        "StaleDeployment",
      );
    }

    let account: string | undefined;
    let runner: Wallet | JsonRpcProvider = provider;
    if (key) {
      const wallet = new Wallet(key, provider);
      account = wallet.address;
      this.failure.account = `account ${account}`;
      if ((await provider.getBalance(account)) === 0n) {
        throw new CliError(`account ${account} has no ETH to pay for gas on chain ${chainId}: send it some ETH first`, "InsufficientFunds");
      }
      runner = wallet;
    }
    const highway = await Highway.connect({ runner, deployment });
    const bookPath = nameBookPath(deploymentPath);
    return { highway, deployment, chainId, account, nameBookPath: bookPath, names: readNameBook(bookPath) };
  }

  /** Ends the connection so the process can exit. */
  close(): void {
    this.provider?.destroy();
  }
}

/** A model given by id, by its deployment file name, or by its name in the local name book. */
export function resolveModel(session: Session, text: string): { modelId: string; name?: string } {
  const id = asModelId(text);
  if (id) return { modelId: id, name: modelName(session, id) };
  const fromDeployment = session.deployment.models[text];
  if (fromDeployment) return { modelId: fromDeployment.modelId.toLowerCase(), name: text };
  const fromBook = session.names[text];
  if (fromBook) return { modelId: fromBook.modelId.toLowerCase(), name: text };
  const known = [...Object.keys(session.deployment.models), ...Object.keys(session.names)];
  throw new CliError(
    `unknown model "${text}": give a model id (0x + 64 hex digits) or a name${known.length ? ` (${known.join(", ")})` : ""}; \`highway models list\` shows them all`,
    "UnknownModelName",
  );
}

/** The name of a model id, from the deployment file or the name book. */
export function modelName(session: Session, modelId: string): string | undefined {
  const id = modelId.toLowerCase();
  return (
    Object.entries(session.deployment.models).find(([, model]) => model.modelId.toLowerCase() === id)?.[0] ??
    Object.entries(session.names).find(([, model]) => model.modelId.toLowerCase() === id)?.[0]
  );
}

/** A key from HIGHWAY_PRIVATE_KEY, checked without ever repeating it. */
function requiredKey(env: NodeJS.ProcessEnv): string {
  const key = env[KEY_VARIABLE]?.trim();
  if (!key) throw new UsageError(`this command signs transactions: put the account's private key in ${KEY_VARIABLE}`);
  return signingKey(key).privateKey;
}

function signingKey(key: string): SigningKey {
  const hex = key.startsWith("0x") || key.startsWith("0X") ? key.slice(2) : key;
  const words = key.split(/\s+/).length;
  const what = words >= 12 ? ` (it holds ${words} words, like a mnemonic phrase: give the account's private key instead)` : "";
  const bad = new UsageError(`${KEY_VARIABLE} is not a 32-byte hex private key${what}: set it to 0x followed by 64 hex digits`);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw bad;
  try {
    const signing = new SigningKey(`0x${hex}`);
    void signing.publicKey; // checks 0 < key < the curve's order
    return signing;
  } catch {
    throw bad; // zero, or beyond the curve's order
  }
}

/** The RPC's scheme, host and port: its path or query may hold an API key. */
function rpcOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--rpc (or HIGHWAY_RPC) is not a URL: give an http(s) JSON-RPC endpoint such as http://127.0.0.1:8545`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new UsageError(`--rpc (or HIGHWAY_RPC) must be an http:// or https:// URL, not ${parsed.protocol}`);
  return parsed.origin;
}

/** eth_chainId, with a time limit: a clear failure instead of ethers' retries. */
async function probeChainId(url: string, origin: string): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error).name === "TimeoutError";
    const why = timedOut ? `no answer in ${RPC_TIMEOUT_MS / 1000} s` : "connection failed";
    throw new CliError(
      `cannot reach the RPC at ${origin} (${why}): start the node (\`make localnet\`), or pass --rpc URL (or set HIGHWAY_RPC)`,
      "RpcUnreachable",
    );
  }
  let chainId: unknown;
  try {
    chainId = ((await response.json()) as { result?: unknown }).result;
  } catch {
    chainId = undefined;
  }
  if (!response.ok || typeof chainId !== "string" || !/^0x[0-9a-fA-F]+$/.test(chainId)) {
    throw new CliError(
      `the RPC at ${origin} did not answer eth_chainId (HTTP ${response.status}): is it an Ethereum JSON-RPC endpoint?`,
      "RpcUnreachable",
    );
  }
  return Number(BigInt(chainId));
}
