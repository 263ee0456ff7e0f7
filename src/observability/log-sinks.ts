import { join } from 'node:path';

/**
 * Where access and execution log events go. (Interface fixed; implementation to follow.)
 */

/** Routes log events by log group to the configured destination. */
export interface LogRouter {
  /**
   * Appends one event to a log group. Never blocks the caller and never throws: events beyond
   * the destination's buffer bound are dropped and counted.
   */
  write(group: string, message: string, epochMs: number): void;
  /** Writes out what is buffered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type LogDestination = 'file' | 'stdout' | 'off';

export interface LogRouterOptions {
  destination: LogDestination;
  /** Directory of the log files (destination `file`): `<data dir>/logs`. */
  dir: string;
  /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318) that also receives every event. */
  otlpEndpoint?: string;
}

/**
 * The file a log group is written to under `dir` (destination `file`): the group name with
 * every character outside `[A-Za-z0-9._-]` percent-encoded (a `/` becomes `%2F`), plus `.log`.
 * Rotated files sit beside it as `<name>.log.1` (newest) … `.N`.
 */
export function logFilePath(dir: string, group: string): string {
  const safe = group.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return join(dir, `${safe}.log`);
}

export function createLogRouter(_options: LogRouterOptions): LogRouter | undefined {
  return undefined;
}
