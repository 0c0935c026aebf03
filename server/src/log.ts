import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines instead of JSON; defaults to on in development on a terminal. */
  pretty?: boolean;
}

/** The server's default logger: pino JSON, pretty-printed in development on a terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const wantPretty = options.pretty ?? (process.env.NODE_ENV !== "production" && process.stdout.isTTY === true);
  // pino-pretty as an in-process stream: no worker thread to start or to flush at exit.
  if (wantPretty) return pino({ level, name: "tickwire" }, pretty({ colorize: true, sync: true }));
  return pino({ level, name: "tickwire" });
}

/** A logger that writes nothing, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
