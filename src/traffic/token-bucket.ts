/**
 * The throttling contract shared by the token-bucket backends (in-memory and Redis).
 *
 * A request is throttled by every level that applies to it (usage plan per API key and method,
 * stage method settings, the account), each level being one token bucket: `rate` tokens per
 * second refill a bucket that holds at most `burst` tokens and starts full. The caller lists
 * the buckets in the order API Gateway checks them (usage plan first, account last) and leaves
 * out a level that has no limit; a request passes only if every listed bucket has a token, so
 * the most restrictive level decides. Taking is all-or-nothing: a refused request charges no
 * bucket, otherwise a level that refuses would still drain the others.
 */

export interface BucketLimit {
  /** Identifies the bucket; requests naming the same key share its tokens. */
  readonly key: string;
  /** Tokens added per second; fractional rates are allowed (0.1 is one request per 10 s). */
  readonly rate: number;
  /** Capacity, and the tokens available to a bucket never used before. */
  readonly burst: number;
}

/**
 * `limitedBy` is the key of the first listed bucket with a zero limit, or else the first listed
 * bucket without a token. `degraded` marks a decision made by a backend's failure policy
 * rather than by the buckets (the shared store could not be asked).
 */
export type TakeResult =
  | { readonly admitted: true; readonly degraded?: true }
  | { readonly admitted: false; readonly limitedBy: string; readonly degraded?: true };

export interface TokenBuckets {
  /** Admits the request and takes one token from each bucket, or refuses and takes none. */
  take(buckets: readonly BucketLimit[]): Promise<TakeResult>;
}

/** API Gateway's default account-level limit per Region: 10,000 requests per second, burst 5,000. */
export const ACCOUNT_DEFAULT_LIMIT: { readonly rate: number; readonly burst: number } = Object.freeze({ rate: 10_000, burst: 5_000 });

export const ADMITTED: TakeResult = Object.freeze({ admitted: true });

/**
 * Rejects limits no configuration should produce, before any bucket is touched. The same key
 * twice in one request is refused because it would need two tokens from one bucket, which the
 * one-token-per-bucket contract does not express.
 */
export function validateBuckets(buckets: readonly BucketLimit[]): void {
  for (let i = 0; i < buckets.length; i++) {
    const { key, rate, burst } = buckets[i];
    if (typeof key !== 'string' || key.length === 0) throw new RangeError(`bucket ${i}: key must be a non-empty string`);
    if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`bucket ${key}: rate must be a finite number >= 0, got ${rate}`);
    if (!Number.isFinite(burst) || burst < 0) throw new RangeError(`bucket ${key}: burst must be a finite number >= 0, got ${burst}`);
    for (let j = 0; j < i; j++) {
      if (buckets[j].key === key) throw new RangeError(`bucket ${key} is listed twice`);
    }
  }
}

/**
 * A zero rate or a burst below one token lets nothing through; such a bucket never holds a
 * usable token, so the answer needs no state (and holds even when the shared store is away).
 */
export function firstClosedBucket(buckets: readonly BucketLimit[]): string | undefined {
  for (const b of buckets) {
    if (b.rate === 0 || b.burst < 1) return b.key;
  }
  return undefined;
}
