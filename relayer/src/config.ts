/**
 * The relayer's configuration file (JSON), validated by a schema: a bad field stops
 * the relayer with a message that names the field and says what is wrong.
 * See relayer/README.md for every field.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";

const decimalUnits = z.string().regex(/^\d+$/, 'expected a whole number of token units as a decimal string, e.g. "1000000000000000"');
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex string");

const rpcUrl = z
  .string()
  .url("expected a URL such as http://127.0.0.1:8545 or wss://rpc.example")
  .refine((url) => /^(https?|wss?):\/\//.test(url), "expected an http(s):// or ws(s):// URL");

const keySource = z.union(
  [
    z.object({ env: z.string().min(1, "name the environment variable that holds the private key") }).strict(),
    z
      .object({
        keystore: z.string().min(1, "the path of an encrypted JSON keystore"),
        passwordEnv: z.string().min(1, "name the environment variable that holds the keystore's password"),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: 'expected {"env": "VAR"} or {"keystore": "file.json", "passwordEnv": "VAR"}' }) },
);

const modelConfig = z
  .object({
    /** A circuit folder (path, or name of a folder in circuits/). */
    circuit: z.string().min(1),
    /** The registry's model id; default the deployment file's id for the circuit's name. */
    modelId: bytes32.optional(),
    /** What one job costs the operator beyond gas, in payment-token units. */
    computeCost: decimalUnits.default("0"),
    /** Which proof modes to answer; the watchtower also checks this model's answers in the others. */
    modes: z
      .array(z.enum(["zk", "optimistic"]))
      .min(1)
      .default(["zk", "optimistic"]),
  })
  .strict();

const llamaBackend = z
  .object({
    kind: z.literal("llama.cpp"),
    /** CPU threads per generation. Answers do not depend on it. */
    threads: z.number().int().min(1).max(256).default(1),
    /** Requests generated at once, each in a context of its own (the machine's cores, divided by `threads`). */
    parallel: z.number().int().min(1).max(64).default(2),
  })
  .strict();

const openAiBackend = z
  .object({
    kind: z.literal("openai"),
    /** The endpoint's base URL (llama.cpp's server, vLLM): `/v1/completions` is appended. */
    url: z.string().url("expected the endpoint's base URL, e.g. http://127.0.0.1:8080"),
    /** The model name the endpoint serves. */
    model: z.string().min(1, "the model name the endpoint serves"),
    /** The runtime the endpoint runs, exactly as the model's runtime spec names it. */
    runtime: z.object({ name: z.string().min(1), version: z.string().min(1) }).strict(),
    /** The sha256 of the weights the endpoint loaded: it must be the spec's. */
    weightsSha256: z.string().regex(/^[0-9a-f]{64}$/, "expected the weights' sha256 as 64 lowercase hex digits"),
    /** The environment variable holding the endpoint's bearer token, if it needs one. */
    apiKeyEnv: z.string().min(1).optional(),
  })
  .strict();

const languageModelConfig = z
  .object({
    /** A runtime spec: the name of a folder in language-models/, or the path of a runtime.json. */
    language: z.string().min(1),
    /** The registry's model id; default the deployment file's id for the spec's name. */
    modelId: bytes32.optional(),
    /** What one job costs the operator beyond gas, in payment-token units. */
    computeCost: decimalUnits.default("0"),
    backend: z
      .discriminatedUnion("kind", [llamaBackend, openAiBackend], {
        errorMap: (issue, ctx) =>
          issue.code === "invalid_union_discriminator"
            ? { message: 'expected "kind": "llama.cpp" or "openai"' }
            : { message: ctx.defaultError },
      })
      .default({ kind: "llama.cpp" }),
  })
  .strict();

export const configSchema = z
  .object({
    rpcUrl,
    /** deployments/<chainId>.json written by scripts/deploy.ts. */
    deployment: z.string().min(1),
    key: keySource,
    /** SQLite file of the job store. */
    database: z.string().min(1),
    confirmations: z.number().int().min(0).max(64).default(1),
    pollIntervalMs: z.number().int().min(20).max(60_000).default(1_000),
    /** Most blocks per eth_getLogs call: the watcher catches up in ranges this long. */
    logRange: z.number().int().min(1).max(10_000).default(2_000),
    /** First block to scan on a fresh database; default the deployment file's `deploymentBlock` (0 when it has none). */
    startBlock: z.number().int().min(0).optional(),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /**
     * `json`: one JSON object a line (log collectors); `pretty`: readable lines; `auto`: pretty when stdout is a
     * terminal, JSON when it is piped. `$HIGHWAY_RELAYER_LOG_FORMAT` overrides it.
     */
    logFormat: z.enum(["auto", "pretty", "json"]).default("auto"),
    http: z
      .object({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65_535).default(9464) })
      .strict()
      .default({}),
    prover: z
      .object({
        workers: z.number().int().min(1).max(64).default(1),
        maxQueue: z.number().int().min(1).max(100_000).default(1_024),
      })
      .strict()
      .default({}),
    /** Circuit models (zk and optimistic). */
    models: z.array(modelConfig).default([]),
    /** Language models (optimistic, settled by a committee): served, watched, and voted on. */
    languageModels: z.array(languageModelConfig).default([]),
    /**
     * Batch proofs: zk requests of a model with a batched circuit (circuits/<model>/batch-<B>/) and a registered
     * batched verifier are claimed together and answered with one proof of up to B of them.
     */
    batching: z
      .object({
        enabled: z.boolean().default(true),
        /** How long the oldest zk answer of a partial batch waits for more requests before it goes. */
        maxWaitMs: z.number().int().min(0).max(60_000).default(0),
        /** The fewest zk answers proven together (a batch proof costs the whole circuit); fewer go alone, with single proofs. */
        minBatch: z.number().int().min(2).max(32).default(4),
      })
      .strict()
      .default({}),
    /**
     * Seconds kept in hand beyond our measured time to make an answer, for the claim and the
     * answer to be mined and confirmed: a request whose deadline (or delivery window) leaves less is not claimed.
     */
    deadlineMarginSeconds: z.number().int().min(0).max(86_400).default(30),
    /** Failures of our own steps on a job (the prover failing, a transaction reverted or given up) after which it is given up. */
    maxJobFailures: z.number().int().min(1).max(100).default(3),
    pricing: z
      .object({
        /** Claim only when the offered fee ≥ (gas cost + compute cost) × margin. */
        margin: z.number().min(1).max(100).default(1.2),
        /** Payment-token units per wei of gas spent (the chain's coin priced in the payment token). */
        tokenUnitsPerWei: z.number().min(0).default(0),
      })
      .strict()
      .default({}),
    watchtower: z
      .object({
        enabled: z.boolean().default(true),
        /**
         * Challenge only when the expected profit is at least this (token units): the wrong relayer's job
         * bond less the protocol's dispute share, plus the compute fee the fraud proof earns, less our
         * compute cost and the gas of the challenge and the fraud proof.
         */
        minProfit: decimalUnits.default("0"),
        /**
         * Where our challenges (the commitment and its reveal) and fraud proofs are sent instead of the
         * public mempool: a private transaction endpoint (a builder's or a protected RPC), so that a
         * wrong relayer cannot see a challenge coming and dispute itself first. Optional; never logged
         * (such URLs often carry an API key).
         */
        privateTxRpcUrl: rpcUrl.optional(),
      })
      .strict()
      .default({}),
    submitter: z
      .object({
        /** Replace a transaction at its nonce when it is not mined within this. */
        bumpAfterMs: z.number().int().min(500).max(600_000).default(15_000),
        /**
         * The least fee increase of a replacement over the send it replaces, in percent (nodes accept a
         * replacement only at 10% or more above the one it replaces); a replacement is never below the current quote either.
         */
        bumpPercent: z.number().int().min(10).max(500).default(20),
        /** Sends of an action before it is given up, by replacing its nonce with a zero-value transfer to ourselves. */
        maxSends: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.models.length + config.languageModels.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["models"], message: "serve at least one model" });
    }
  });

export type RelayerConfig = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelConfig>;
export type LanguageModelConfig = z.infer<typeof languageModelConfig>;

/** The configuration file is unreadable or invalid; the message names the file and the field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates a config file; relative paths in it are resolved against its folder. */
export function loadConfig(path: string): RelayerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the config (${(error as Error).message})`);
  }
  const config = parseConfig(raw, path);
  const base = dirname(resolve(path));
  const within = (file: string) => (isAbsolute(file) ? file : resolve(base, file));
  config.deployment = within(config.deployment);
  config.database = within(config.database);
  if ("keystore" in config.key) config.key.keystore = within(config.key.keystore);
  for (const model of config.models) if (model.circuit.includes("/")) model.circuit = within(model.circuit);
  for (const model of config.languageModels) if (model.language.includes("/")) model.language = within(model.language);
  return config;
}

/** Validates a parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source = "config"): RelayerConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length
      ? issue.path
          .map((p) => (typeof p === "number" ? `[${p}]` : p))
          .join(".")
          .replace(/\.\[/g, "[")
      : "(top level)";
    return `field "${field}": ${issue.message}`;
  });
  throw new ConfigError(`${source}: invalid config: ${problems.join("; ")}`);
}
