/**
 * Token buckets held in this process: the default backend when one Portico serves all traffic.
 *
 * Refill is computed when a bucket is used, from a monotonic clock, so an idle bucket costs no
 * timer and no work. The number of buckets is bounded: a bucket that has refilled to full is
 * indistinguishable from one never created, so the least recently used full bucket is the one
 * dropped when room is needed, and it comes back full on its next use.
 */
import { performance } from 'node:perf_hooks';
import { ADMITTED, firstClosedBucket, validateBuckets, type BucketLimit, type TakeResult, type TokenBuckets } from './token-bucket.js';

export interface MemoryBucketsOptions {
  /** Most buckets kept at once (default 100,000, a few tens of MB at most). */
  maxBuckets?: number;
  /** Monotonic clock in milliseconds (default `performance.now`); tests drive their own. */
  now?: () => number;
}

/** A bucket, linked into the recency list (least recently used at `head`). */
interface BucketState {
  readonly key: string;
  tokens: number;
  /** Clock reading at which `tokens` was computed. */
  at: number;
  /** The limits of the last request that used the bucket, to judge whether it is full yet. */
  rate: number;
  burst: number;
  prev: BucketState | undefined;
  next: BucketState | undefined;
}

const DEFAULT_MAX_BUCKETS = 100_000;
/** How far from the least recently used end eviction looks for a full bucket, keeping it O(1). */
const EVICTION_SCAN = 16;
/** Tolerance for float rounding in refill, so a bucket due exactly one token is not refused. */
const EPSILON = 1e-9;

export class MemoryBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, BucketState>();
  // A linked list rather than the Map's own insertion order: iterating a Map from its oldest
  // end walks past every entry deleted since its last rehash, which made eviction O(n).
  private head: BucketState | undefined;
  private tail: BucketState | undefined;
  private readonly maxBuckets: number;
  private readonly now: () => number;
  private forced = 0;

  constructor(options: MemoryBucketsOptions = {}) {
    const max = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxBuckets must be a positive integer, got ${max}`);
    this.maxBuckets = max;
    this.now = options.now ?? (() => performance.now());
  }

  take(buckets: readonly BucketLimit[]): Promise<TakeResult> {
    // Invalid limits reject like the Redis backend's, rather than throw synchronously.
    try {
      return Promise.resolve(this.takeSync(buckets));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The same decision as `take`, without a promise, for callers on the hot path. */
  takeSync(buckets: readonly BucketLimit[]): TakeResult {
    validateBuckets(buckets);
    if (buckets.length === 0) return ADMITTED;
    const closed = firstClosedBucket(buckets);
    if (closed !== undefined) return { admitted: false, limitedBy: closed };

    const now = this.now();
    // Refill every bucket first and decide, then charge: nothing is charged unless all admit.
    const states = new Array<BucketState | undefined>(buckets.length);
    let limitedBy: string | undefined;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i];
      const state = this.buckets.get(b.key);
      if (state === undefined) continue; // never used or evicted: full, so it has a token
      refill(state, b, now);
      states[i] = state;
      // Touched even when refused: a bucket being hammered is the last one to evict.
      this.unlink(state);
      this.append(state);
      if (limitedBy === undefined && state.tokens < 1 - EPSILON) limitedBy = b.key;
    }
    if (limitedBy !== undefined) return { admitted: false, limitedBy };

    for (let i = 0; i < buckets.length; i++) {
      const state = states[i];
      if (state !== undefined) {
        state.tokens = Math.max(0, state.tokens - 1);
      } else {
        const { key, rate, burst } = buckets[i];
        const created: BucketState = { key, tokens: burst - 1, at: now, rate, burst, prev: undefined, next: undefined };
        this.buckets.set(key, created);
        this.append(created);
      }
    }
    this.evict(now);
    return ADMITTED;
  }

  /** Buckets currently held. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Buckets dropped before they had refilled, because none of the least recently used ones was
   * full; each such bucket later comes back full, admitting up to a burst more than it should.
   * Non-zero only when `maxBuckets` is too small for the traffic.
   */
  get forcedEvictions(): number {
    return this.forced;
  }

  private evict(now: number): void {
    // The buckets just charged sit at the recent end and are not full, so they are never picked
    // by the scan; only a `maxBuckets` smaller than one request's bucket count could drop them.
    while (this.buckets.size > this.maxBuckets) {
      let victim = this.head;
      for (let scanned = 0; victim !== undefined && scanned < EVICTION_SCAN; scanned++, victim = victim.next) {
        if (isFull(victim, now)) break;
      }
      if (victim === undefined || !isFull(victim, now)) {
        victim = this.head as BucketState;
        this.forced++;
      }
      this.unlink(victim);
      this.buckets.delete(victim.key);
    }
  }

  private append(state: BucketState): void {
    state.prev = this.tail;
    state.next = undefined;
    if (this.tail) this.tail.next = state;
    else this.head = state;
    this.tail = state;
  }

  private unlink(state: BucketState): void {
    if (state.prev) state.prev.next = state.next;
    else this.head = state.next;
    if (state.next) state.next.prev = state.prev;
    else this.tail = state.prev;
    state.prev = state.next = undefined;
  }
}

function refill(state: BucketState, limit: BucketLimit, now: number): void {
  const elapsed = now - state.at;
  // Clamped to the burst even without elapsed time, so a lowered burst takes effect at once.
  state.tokens = Math.min(limit.burst, state.tokens + (elapsed > 0 ? (elapsed * limit.rate) / 1000 : 0));
  if (elapsed > 0) state.at = now;
  state.rate = limit.rate;
  state.burst = limit.burst;
}

function isFull(state: BucketState, now: number): boolean {
  const elapsed = Math.max(0, now - state.at);
  return state.tokens + (elapsed * state.rate) / 1000 >= state.burst - EPSILON;
}
