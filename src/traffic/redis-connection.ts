/**
 * The one Redis connection a Portico process shares for throttles, quotas and the response
 * cache. The data plane must never wait on Redis: commands are not queued while the
 * connection is down, each command has a short timeout, and callers get a rejected promise
 * they turn into their own policy (throttling fails open, quotas fail closed, the cache is
 * bypassed). An outage is logged once when it starts and once when service returns; the
 * client reconnects by itself with a bounded backoff.
 */
import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** Longest a single command may take before it counts as a failure (default 100 ms). */
  commandTimeoutMs?: number;
  /** Where outage and recovery lines go (default stderr). */
  log?: (line: string) => void;
  /** Key prefix, so several Porticos or test runs can share one Redis (default `portico:`). */
  keyPrefix?: string;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 100;
/** Reconnect delays grow to this and stay there while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export class RedisConnection {
  readonly client: Redis;
  readonly keyPrefix: string;
  private down = false;
  private readonly log: (line: string) => void;

  constructor(private readonly options: RedisConnectionOptions) {
    this.keyPrefix = options.keyPrefix ?? 'portico:';
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.client = new Redis(options.url, {
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), MAX_RECONNECT_DELAY_MS),
    });
    this.client.on('ready', () => {
      if (this.down) this.log(`portico: Redis at ${redact(options.url)} is back`);
      this.down = false;
    });
    this.client.on('error', (err: Error) => this.markDown(err.message));
    this.client.on('close', () => this.markDown('connection closed'));
  }

  /** True while the connection is known to be down; callers may skip Redis without trying. */
  get isDown(): boolean {
    return this.down || this.client.status !== 'ready';
  }

  /** Resolves once connected, or rejects after `timeoutMs`; for start-up and tests. */
  async ready(timeoutMs = 2_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis at ${redact(this.options.url)} is not reachable`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.client.removeAllListeners('error');
    // A deliberate close is not an outage: without this, quitting logs "unavailable".
    this.client.removeAllListeners('close');
    this.client.on('error', () => undefined);
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private markDown(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.log(`portico: Redis at ${redact(this.options.url)} is unavailable (${reason}); applying the configured failure policies until it returns`);
  }
}

/** The URL without a password, for log lines. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}
