/**
 * The data plane's traffic controls, built once per process: the response caches, the throttle
 * token buckets, the usage-plan quota counter and the live account-level limit, all over the
 * process's one Redis connection when one is configured (`--redis URL`, PORTICO_REDIS_URL, or
 * Portico.start's `redisUrl`) and in this process otherwise (buckets in memory, quotas counted
 * in memory with the store as their durable copy). Stages are compiled with these services
 * (CompileServices.traffic), so a control is wired per method at compile time and a method it
 * does not apply to pays nothing.
 *
 * Redis being down at start does not stop Portico: each control applies its failure policy
 * (the cache is bypassed, throttling admits, quotas refuse) until the connection comes back by
 * itself.
 */
import type { AccountThrottle } from '../model/settings.js';
import type { Store } from '../store/store.js';
import { AccountLimit } from './account-limit.js';
import { CacheRegistry } from './cache-registry.js';
import { MemoryBuckets } from './memory-buckets.js';
import type { QuotaCounter } from './quota.js';
import { RedisBuckets, type FailurePolicy } from './redis-buckets.js';
import { cacheEncryptionKeyFromEnv } from './redis-cache.js';
import { RedisConnection } from './redis-connection.js';
import { RedisQuota } from './redis-quota.js';
import { StoreQuota } from './store-quota.js';
import type { BucketLimit, TakeResult, TokenBuckets } from './token-bucket.js';

/** The environment variable naming the Redis to use. */
export const REDIS_URL_ENV = 'PORTICO_REDIS_URL';

export interface TrafficServices {
  /** The process's one Redis connection, when configured; every Redis-backed control shares it. */
  readonly redis?: RedisConnection;
  /** Per-stage response caches (memory, or Redis when `redis` is set). */
  readonly cache: CacheRegistry;
  /**
   * Throttle token buckets: in memory, with `takeSync` for a decision without a promise; or in
   * Redis (no `takeSync`), shared by every Portico using it.
   */
  readonly buckets: TokenBuckets & { takeSync?(buckets: readonly BucketLimit[]): TakeResult };
  /** Usage-plan quotas, attached to the store so GetUsage and UpdateUsage see the same counts. */
  readonly quotas: QuotaCounter;
  /** The account-level throttle, kept current from the store's account record. */
  readonly accountLimit: AccountLimit;
}

/** What happens to a request while its control's state cannot be reached. */
export interface TrafficFailurePolicies {
  /** Default 'open': an outage of the shared store should not take the API down with it. */
  throttling?: FailurePolicy;
  /** Default 'closed': a quota is a promise to whoever pays for the backend. */
  quotas?: FailurePolicy;
}

export interface TrafficOptions {
  /** The store whose usage plans the quotas count for and whose account record holds the account throttle. */
  store: Store;
  /** The account the account-level bucket belongs to, and its throttle while the store sets none. */
  account: { accountId: string; region: string; throttle?: AccountThrottle };
  failurePolicies?: TrafficFailurePolicies;
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
export async function startTraffic(options: TrafficOptions): Promise<TrafficServices> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { store } = options;
  const quotaFailOpen = options.failurePolicies?.quotas === 'open';
  const accountLimit = new AccountLimit(options.account);
  if (options.redisUrl === undefined || options.redisUrl === '') {
    return {
      cache: new CacheRegistry({ log }),
      buckets: new MemoryBuckets(),
      quotas: new StoreQuota(store, { failOpen: quotaFailOpen, log }),
      accountLimit,
    };
  }
  {
    checkRedisUrl(options.redisUrl);
    // Read before connecting: a malformed key is a mistake to report, not something to run without.
    const encryptionKey = cacheEncryptionKeyFromEnv(options.env ?? process.env);
    const redis = new RedisConnection({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix, log });
    try {
      await redis.ready(options.connectTimeoutMs ?? 1_000);
    } catch {
      // The connection has logged the outage; it keeps reconnecting in the background.
    }
    return {
      redis,
      cache: new CacheRegistry({ redis: { connection: redis, encryptionKey }, log }),
      buckets: new RedisBuckets(redis, { failurePolicy: options.failurePolicies?.throttling ?? 'open', log }),
      quotas: new RedisQuota({ connection: redis, store, failOpen: quotaFailOpen, log }),
      accountLimit,
    };
  }
}

/**
 * Releases what startTraffic opened. Call it after the listener has stopped and before the
 * store closes: the store quota counter hands its unused reservations back to the store.
 */
export async function closeTraffic(services: TrafficServices): Promise<void> {
  await services.quotas.close();
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
