/**
 * The response caches of the stages that have caching enabled, one per stage, keyed by
 * stageCacheId. A stage keeps its cache across recompiles (a redeploy, a changed setting), so
 * entries outlive the CompiledStage that stored them, as AWS's cache instance outlives
 * deployments. The stage registry releases a stage's cache when the stage is deleted or its
 * caching is turned off.
 *
 * - Memory (the default): each stage gets its own MemoryCache, budgeted from cacheClusterSize.
 *   AWS resizes a cache by replacing the instance and dropping its data, so a new size gets a
 *   new, empty cache.
 * - Redis (when configured): each stage gets a RedisCache over the process's one connection.
 *   The instances are views, not connections: entries live in Redis, shared by every process
 *   on it, and one view per stage is what keeps the hit and miss counts per stage.
 *
 * Releasing a Redis-backed stage flushes it (one INCR), as AWS deletes the cache data when
 * caching is turned off; a memory stage's entries go with its MemoryCache.
 */
import { stageCacheId } from './cache-key.js';
import { MemoryCache, memoryBudgetBytes } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';
import type { RedisConnection } from './redis-connection.js';
import type { CacheStats, ResponseCache } from './response-cache.js';

export interface CacheRegistryOptions {
  /** Store every stage's entries in this Redis instead of in process memory. */
  redis?: { connection: RedisConnection; encryptionKey?: Buffer };
  /** Where one-off configuration notes go (default stderr). */
  log?: (line: string) => void;
}

/** One stage's counters, for the CacheHitCount / CacheMissCount metrics. */
export interface StageCacheStats extends CacheStats {
  apiId: string;
  stageName: string;
  backend: 'memory' | 'redis';
}

interface Held {
  apiId: string;
  stageName: string;
  cacheClusterSize: string | undefined;
  cache: ResponseCache;
}

/** Distinct compile-time notes remembered, so a stage recompiled often does not repeat them. */
const MAX_NOTES = 1000;

export class CacheRegistry {
  readonly backend: 'memory' | 'redis';
  private readonly stages = new Map<string, Held>();
  private readonly notes = new Set<string>();
  private readonly redis: CacheRegistryOptions['redis'];
  private readonly log: (line: string) => void;

  constructor(options: CacheRegistryOptions = {}) {
    this.redis = options.redis;
    this.backend = options.redis ? 'redis' : 'memory';
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Whether methods with cacheDataEncrypted can be cached (Redis needs PORTICO_CACHE_KEY). */
  get canEncrypt(): boolean {
    return this.redis === undefined || this.redis.encryptionKey !== undefined;
  }

  /** The stage's cache, created on first use, or replaced (empty) when its memory size changed. */
  acquire(apiId: string, stageName: string, cacheClusterSize: string | undefined): ResponseCache {
    const id = stageCacheId(apiId, stageName);
    const held = this.stages.get(id);
    if (held !== undefined && (this.redis !== undefined || held.cacheClusterSize === cacheClusterSize)) return held.cache;
    const cache = this.redis
      ? new RedisCache({ connection: this.redis.connection, encryptionKey: this.redis.encryptionKey })
      : new MemoryCache({ maxBytes: memoryBudgetBytes(cacheClusterSize) });
    this.stages.set(id, { apiId, stageName, cacheClusterSize, cache });
    return cache;
  }

  /** Drops the stage's cache and its entries; nothing happens for a stage without one. */
  release(apiId: string, stageName: string): void {
    const id = stageCacheId(apiId, stageName);
    const held = this.stages.get(id);
    if (held === undefined) return;
    this.stages.delete(id);
    if (this.redis !== undefined) {
      held.cache.flush(id).catch((err: Error) => this.log(`portico: could not flush the cache of stage ${stageName} of API ${apiId}: ${err.message}`));
    }
  }

  /**
   * FlushStageCache. With Redis the stage is flushed even when this process holds no cache for
   * it: another process sharing the Redis may. Rejects when the flush could not be done.
   */
  async flush(apiId: string, stageName: string): Promise<void> {
    const id = stageCacheId(apiId, stageName);
    const held = this.stages.get(id);
    if (held !== undefined) return held.cache.flush(id);
    if (this.redis !== undefined) await new RedisCache({ connection: this.redis.connection }).flush(id);
  }

  /** The counters of one stage's cache, or undefined when the stage has none. */
  statsOf(apiId: string, stageName: string): CacheStats | undefined {
    return this.stages.get(stageCacheId(apiId, stageName))?.cache.stats();
  }

  /** Every cached stage's counters. */
  stats(): StageCacheStats[] {
    return [...this.stages.values()].map((held) => ({ apiId: held.apiId, stageName: held.stageName, backend: this.backend, ...held.cache.stats() }));
  }

  /** Logs a compile-time decision once per distinct line (a method left uncached, and why). */
  noteOnce(line: string): void {
    if (this.notes.has(line)) return;
    if (this.notes.size < MAX_NOTES) this.notes.add(line);
    this.log(line);
  }
}
