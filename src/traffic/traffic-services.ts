/**
 * The data plane's traffic controls, built once per process: the response caches now, throttle
 * buckets and usage-plan quotas next, all over the process's one Redis connection when one is
 * configured (`--redis URL`, PORTICO_REDIS_URL, or Portico.start's `redisUrl`) and in memory
 * otherwise. Stages are compiled with these services (CompileServices.traffic), so a control
 * is wired per method at compile time and a method it does not apply to pays nothing.
 *
 * Redis being down at start does not stop Portico: each control applies its failure policy
 * (the cache is bypassed) until the connection comes back by itself.
 */
import { CacheRegistry } from './cache-registry.js';
import { cacheEncryptionKeyFromEnv } from './redis-cache.js';
import { RedisConnection } from './redis-connection.js';

/** The environment variable naming the Redis to use. */
export const REDIS_URL_ENV = 'PORTICO_REDIS_URL';

export interface TrafficServices {
  /** The process's one Redis connection, when configured; every Redis-backed control shares it. */
  readonly redis?: RedisConnection;
  /** Per-stage response caches (memory, or Redis when `redis` is set). */
  readonly cache: CacheRegistry;
  // Throttling (token-bucket.ts: memory-buckets.ts / redis-buckets.ts) and usage-plan quotas
  // take their places here as further members, built in startTraffic over the same `redis`.
}

export interface TrafficOptions {
  /** `redis://` or `rediss://` URL; memory backends when absent. */
  redisUrl?: string;
  /** Prefix of every Redis key (default `portico:`), so several deployments can share a Redis. */
  redisKeyPrefix?: string;
  /** Default `process.env`: PORTICO_CACHE_KEY. */
  env?: NodeJS.ProcessEnv;
  /** Where connection and configuration notes go (default stderr). */
  log?: (line: string) => void;
  /** How long start-up waits for Redis before going on without it (default 1 s). */
  connectTimeoutMs?: number;
}

/** A Redis URL or key that cannot work: a configuration mistake, reported before serving. */
export class TrafficConfigurationError extends Error {
  override readonly name = 'TrafficConfigurationError';
}

/** Builds the services; when Redis is configured, waits briefly for it so the first requests find it. */
export async function startTraffic(options: TrafficOptions = {}): Promise<TrafficServices> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.redisUrl === undefined || options.redisUrl === '') return { cache: new CacheRegistry({ log }) };
  checkRedisUrl(options.redisUrl);
  // Read before connecting: a malformed key is a mistake to report, not something to run without.
  const encryptionKey = cacheEncryptionKeyFromEnv(options.env ?? process.env);
  const redis = new RedisConnection({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix, log });
  try {
    await redis.ready(options.connectTimeoutMs ?? 1_000);
  } catch {
    // The connection has logged the outage; it keeps reconnecting in the background.
  }
  return { redis, cache: new CacheRegistry({ redis: { connection: redis, encryptionKey }, log }) };
}

/** Releases what startTraffic opened. */
export async function closeTraffic(services: TrafficServices): Promise<void> {
  await services.redis?.close();
}

function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text is not repeated: it may hold a password.
    throw new TrafficConfigurationError('The Redis URL is not a URL (expected redis://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TrafficConfigurationError(`Redis URL must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
}
