/** Structured JSON logs (pino). Fields that could carry a secret are redacted. */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: "highway-relayer", ...bindings },
    redact: { paths: ["key", "privateKey", "password", "*.privateKey", "*.password", "*.key"], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
