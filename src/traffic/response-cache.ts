/**
 * The stage response cache contract both backends (memory-cache.ts, redis-cache.ts) implement,
 * and the limits AWS documents for API caching that apply to either:
 *
 * - a TTL of 0 disables caching and 3,600 seconds is the most a method may ask for;
 * - a response larger than 1,048,576 bytes is never cached;
 * - cacheDataEncrypted is a per-method setting, so it travels with each call.
 *
 * What gets cached is decided by the caller, not here. AWS documents no status filter, and
 * public reports (a throttled 429 from the backend kept being served from the cache) show it
 * caches whatever the integration answered; gateway responses (throttling, authorizer
 * refusals) never reach the integration and so are never offered to the cache. AWS adds no
 * header to a response served from the cache; hits and misses show only in the
 * CacheHitCount / CacheMissCount metrics, which `stats()` feeds.
 */
import type { CacheKey } from './cache-key.js';

export type { CacheKey } from './cache-key.js';

/** AWS's ceiling for cacheTtlInSeconds; longer requests are clamped to it. */
export const MAX_TTL_SECONDS = 3600;
/** AWS's default cacheTtlInSeconds. */
export const DEFAULT_TTL_SECONDS = 300;
/** The largest response body AWS caches (1 MiB). */
export const MAX_CACHEABLE_BODY_BYTES = 1_048_576;

/**
 * A method response as the client received it: status, the headers the method response
 * carries, and the body bytes after content handling, so a hit is replayed without running the
 * integration response again. The content type is one of the headers; binary and text bodies
 * are both plain bytes here, so no base64 flag is needed.
 */
export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * A stored response as peek() hands it out. The body may be a string when the stored bytes are
 * ASCII: the same bytes, sent by Node in one write with the response head.
 */
export interface PeekedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

/** Per-call settings that come from the method's settings, not from the stage. */
export interface CacheEntryOptions {
  /** The method's cacheDataEncrypted. */
  encrypted?: boolean;
}

/** Counters for metrics; cumulative since the cache was created. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries removed to stay within the byte budget (memory backend; Redis evicts on its own). */
  evictions: number;
  /** Calls answered as a miss or dropped because the backend was unavailable (Redis). */
  bypassed: number;
  /** Sets refused because the body is over MAX_CACHEABLE_BODY_BYTES or the TTL is not positive. */
  rejected: number;
}

export interface ResponseCache {
  /**
   * Whether entries of methods with cacheDataEncrypted can be stored. When false, calls with
   * `encrypted: true` reject with CacheConfigurationError; check this when a stage is loaded.
   */
  readonly canEncrypt: boolean;
  /** The stored response, or undefined on a miss, an expired entry or an unavailable backend. */
  get(key: CacheKey, options?: CacheEntryOptions): Promise<CachedResponse | undefined>;
  /**
   * The same lookup answered at once, offered only by caches held in this process: a hit then
   * costs no promise and no turn of the event loop. The returned headers are the entry's own,
   * shared by every hit, and must not be changed. Counted in stats() like get().
   */
  peek?(key: CacheKey, options?: CacheEntryOptions): PeekedResponse | undefined;
  /**
   * Stores (or replaces) the entry for `ttlSeconds`, clamped to MAX_TTL_SECONDS; a TTL of 0 or
   * less, or a body over the size limit, stores nothing. Never rejects because the backend is
   * unavailable; rejects only for a configuration error (encrypted caching without a key).
   */
  set(key: CacheKey, response: CachedResponse, ttlSeconds: number, options?: CacheEntryOptions): Promise<void>;
  delete(key: CacheKey, options?: CacheEntryOptions): Promise<void>;
  /** Drops every entry of one stage (FlushStageCache); `stage` is a CacheKey's `stage`. */
  flush(stage: string): Promise<void>;
  stats(): CacheStats;
}

/** Thrown (as a rejection) when an encrypted entry is asked of a cache that cannot encrypt. */
export class CacheConfigurationError extends Error {
  override readonly name = 'CacheConfigurationError';
}

/** Whether AWS would cache this response at all, judged by size only. */
export function isCacheableSize(response: CachedResponse): boolean {
  return response.body.length <= MAX_CACHEABLE_BODY_BYTES;
}

/** The TTL to store with, in milliseconds, or 0 when nothing should be stored. */
export function effectiveTtlMs(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) return 0;
  // Fractions are accepted (tests use sub-second TTLs); AWS values are whole seconds.
  return Math.max(1, Math.round(Math.min(ttlSeconds, MAX_TTL_SECONDS) * 1000));
}

/** A fresh, zeroed counter set. */
export function emptyStats(): CacheStats {
  return { hits: 0, misses: 0, evictions: 0, bypassed: 0, rejected: 0 };
}
