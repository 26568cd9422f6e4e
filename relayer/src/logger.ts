/**
 * The relayer's logs (pino). JSON lines, one per event, for log collectors and tests;
 * readable lines (pino-pretty) when a person watches a terminal. Fields that could
 * carry a secret are redacted in both.
 */
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/** How log lines are written: `json` (one JSON object a line) or `pretty` (for a person at a terminal). */
export type LogFormat = "json" | "pretty";
/** What the config may ask for: a format, or `auto` (pretty on a terminal, JSON otherwise). */
export type LogFormatSetting = LogFormat | "auto";

/** The environment variable that overrides the config's `logFormat`. */
export const LOG_FORMAT_ENV = "HIGHWAY_RELAYER_LOG_FORMAT";
const SETTINGS: readonly LogFormatSetting[] = ["auto", "pretty", "json"];

/**
 * The format to write in: `$HIGHWAY_RELAYER_LOG_FORMAT` when set, else the config's
 * `logFormat`; `auto` is pretty when stdout is a terminal and JSON when it is piped.
 * Throws for an unknown value of the variable, naming it.
 */
export function resolveLogFormat(
  configured: LogFormatSetting,
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTty = process.stdout.isTTY === true,
): LogFormat {
  const fromEnv = env[LOG_FORMAT_ENV]?.trim();
  if (fromEnv && !SETTINGS.includes(fromEnv as LogFormatSetting))
    throw new Error(`$${LOG_FORMAT_ENV} is "${fromEnv}": expected "pretty", "json" or "auto"`);
  const setting = (fromEnv || configured) as LogFormatSetting;
  if (setting === "auto") return stdoutIsTty ? "pretty" : "json";
  return setting;
}

export function createLogger(level: string, options: { format?: LogFormat; bindings?: Record<string, unknown> } = {}): Logger {
  const settings = {
    level,
    base: { service: "highway-relayer", ...options.bindings },
    redact: { paths: ["key", "privateKey", "password", "*.privateKey", "*.password", "*.key"], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.format !== "pretty") return pino(settings);
  // In this process, synchronously: a line logged just before the process exits is still written, and in order.
  // Colours only when stdout is a terminal that shows them (pino-pretty's default; NO_COLOR and FORCE_COLOR apply).
  return pino(settings, pretty({ sync: true, translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l", ignore: "pid,hostname,service" }));
}
