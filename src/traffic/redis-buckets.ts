/**
 * Token buckets held in Redis, so several Portico processes enforce one limit together.
 *
 * One Lua script refills and takes across all of a request's buckets in a single atomic step,
 * timed by the Redis server's clock so that processes on different machines agree on elapsed
 * time. A bucket's key expires once it would have refilled to full, which is its idle state.
 * Redis is never waited on beyond the connection's command timeout: when it is down, slow or
 * failing, the answer comes from the failure policy chosen at construction.
 */
import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis-connection.js';
import { ADMITTED, firstClosedBucket, validateBuckets, type BucketLimit, type TakeResult, type TokenBuckets } from './token-bucket.js';

/** 'open' admits while Redis cannot be asked (the default for throttling); 'closed' refuses. */
export type FailurePolicy = 'open' | 'closed';

export interface RedisBucketsOptions {
  /** Default 'open': an outage of the shared store should not take the API down with it. */
  failurePolicy?: FailurePolicy;
  /**
   * Where a failure of the script while the connection is up is reported (a timeout on a slow
   * Redis, an error reply), once until it succeeds again; the connection itself reports
   * outages. Default stderr.
   */
  log?: (line: string) => void;
}

/** Namespace under the connection's key prefix, apart from quotas and the cache. */
const KEY_NAMESPACE = 'throttle:';

/**
 * KEYS: the buckets; ARGV: rate and burst of each, in order. Returns 0 when admitted, else the
 * 1-based position of the first bucket without a token. A bucket is stored as the string
 * "<tokens> <server time in µs>"; an absent key is a full bucket. A refused request writes
 * nothing, since refill is recomputed from the stored pair anyway. The expiry is the time to
 * refill to full plus a second, so a key never vanishes while it still owes tokens; it is
 * capped at a year, which only matters for rates below a few tokens a year.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
local tokens = {}
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local have = burst
  local v = redis.call('GET', KEYS[i])
  if v then
    local sp = string.find(v, ' ', 1, true)
    local stored = tonumber(string.sub(v, 1, sp - 1))
    local elapsed = now - tonumber(string.sub(v, sp + 1))
    if elapsed < 0 then elapsed = 0 end
    have = math.min(burst, stored + elapsed * rate / 1000000)
  end
  if have < 1 - 1e-9 then return i end
  tokens[i] = have
end
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local left = math.max(0, tokens[i] - 1)
  local ttl = math.min(math.ceil((burst - left) * 1000 / rate) + 1000, 31536000000)
  redis.call('SET', KEYS[i], string.format('%.17g %.17g', left, now), 'PX', string.format('%d', ttl))
end
return 0
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export class RedisBuckets implements TokenBuckets {
  private readonly policy: FailurePolicy;
  private readonly log: (line: string) => void;
  private failing = false;
  /** One SCRIPT LOAD in flight at a time, however many requests find the script missing. */
  private loading: Promise<unknown> | undefined;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisBucketsOptions = {},
  ) {
    this.policy = options.failurePolicy ?? 'open';
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  async take(buckets: readonly BucketLimit[]): Promise<TakeResult> {
    validateBuckets(buckets);
    if (buckets.length === 0) return ADMITTED;
    const closed = firstClosedBucket(buckets);
    if (closed !== undefined) return { admitted: false, limitedBy: closed };
    // Known down: answer at once rather than pay for a command that cannot succeed.
    if (this.connection.isDown) return this.fallback(buckets);

    const args: (string | number)[] = [];
    for (const b of buckets) args.push(this.connection.keyPrefix + KEY_NAMESPACE + b.key);
    for (const b of buckets) args.push(String(b.rate), String(b.burst));
    let reply: unknown;
    try {
      reply = await this.run(buckets.length, args);
    } catch (err) {
      // An error while the connection is down is the connection's outage, which it logs.
      if (!this.failing && !this.connection.isDown) {
        this.failing = true;
        this.log(`portico: throttling in Redis failed (${(err as Error).message}); failing ${this.policy} until it succeeds`);
      }
      return this.fallback(buckets);
    }
    if (this.failing) {
      this.failing = false;
      this.log('portico: throttling in Redis succeeds again');
    }
    const refused = Number(reply);
    return refused === 0 ? ADMITTED : { admitted: false, limitedBy: buckets[refused - 1].key };
  }

  /** EVALSHA, loading the script when the server lacks it (first use, restart, SCRIPT FLUSH). */
  private async run(keyCount: number, args: (string | number)[]): Promise<unknown> {
    const client = this.connection.client;
    try {
      return await client.evalsha(TAKE_SHA, keyCount, ...args);
    } catch (err) {
      if (!(err as Error).message?.includes('NOSCRIPT')) throw err;
    }
    this.loading ??= client.script('LOAD', TAKE_SCRIPT).finally(() => {
      this.loading = undefined;
    });
    await this.loading;
    return await client.evalsha(TAKE_SHA, keyCount, ...args);
  }

  private fallback(buckets: readonly BucketLimit[]): TakeResult {
    return this.policy === 'open'
      ? { admitted: true, degraded: true }
      : { admitted: false, limitedBy: buckets[0].key, degraded: true };
  }
}
