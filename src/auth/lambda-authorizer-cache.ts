/**
 * The result cache of one Lambda authorizer on one stage: identity key → the function's usable
 * answer, for authorizerResultTtlInSeconds. Bounded: the least recently used entry goes first
 * once the cap is reached, so a flood of distinct tokens costs memory up to the cap and no more.
 * A Map keeps insertion order, which a delete-and-set on every hit turns into recency order.
 * A hit on the entry that is already the most recent skips that move: it would change nothing,
 * and under a steady stream of one caller's requests it would otherwise churn the Map (each
 * delete leaves a hole the Map must compact) on every request.
 */

/** Entries per authorizer per stage. */
export const DEFAULT_AUTHORIZER_CACHE_ENTRIES = 10_000;

export interface AuthorizerCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  /** The clock, replaceable so expiry can be tested without waiting. */
  now?: () => number;
}

export class AuthorizerResultCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** The key last set or got, i.e. the Map's last entry while it is still there. */
  private newest: string | undefined;

  constructor(options: AuthorizerCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_AUTHORIZER_CACHE_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      if (key === this.newest) this.newest = undefined;
      return undefined;
    }
    if (key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry.value;
  }

  /** Drops every answer (FlushStageAuthorizersCache). */
  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // The first key is the least recently used.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    this.newest = key;
  }
}
