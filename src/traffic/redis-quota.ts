/**
 * The shared quota backend: every Portico process using the same Redis counts into the same
 * keys, and each request is decided by one Lua script, so the check and the count are atomic
 * across processes and a refused request is never counted.
 *
 * Per plan and key there are two kinds of hash (the `{plan:key}` hash tag keeps them in one
 * cluster slot, as a script needs):
 * - the period counter, `quota:{plan:key}:PERIOD:first-day`, with `used` and, after
 *   UpdateUsage, `base`: what `consume` decides on in O(1). It expires a little after its
 *   period ends; when missing it is rebuilt from the day hashes, so a changed period or an
 *   expired counter never loses a request.
 * - one hash per UTC day, `quota:{plan:key}:day:YYYY-MM-DD`, holding that day's `used` and the
 *   `remaining` UpdateUsage set: the same shape as the store's usage records, kept long enough
 *   for any GetUsage window plus the period before it. GetUsage reads these.
 * Both change in the same script, so GetUsage and enforcement always agree. Redis is then the
 * source of truth for usage: how durable it is depends on Redis's own persistence (AOF).
 *
 * When Redis cannot be reached, `consume` answers at once by the failure policy: refuse
 * (default) or admit uncounted. Commands time out on the shared connection, so nothing waits.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RECORD_KINDS, type QuotaPeriod } from '../model/usage-plan.js';
import type { Store, StoreChange } from '../store/store.js';
import type { RedisConnection } from './redis-connection.js';
import {
  EXCEEDED,
  MAX_PERIOD_DAYS,
  MAX_USAGE_DAYS,
  QuotaUnavailableError,
  UNAVAILABLE_CLOSED,
  UNAVAILABLE_OPEN,
  attachQuotaCounter,
  dailyUsage,
  dayOf,
  daysBetween,
  firstDayNeeded,
  periodEnd,
  periodLimit,
  periodStart,
  type ConsumeRequest,
  type DailyUsage,
  type DayCount,
  type QuotaCounter,
  type QuotaDecision,
  type SetRemainingRequest,
  type UsageQuery,
} from './quota.js';

export interface RedisQuotaOptions {
  connection: RedisConnection;
  /**
   * The store whose usage plans these quotas belong to: the management API's GetUsage and
   * UpdateUsage find this counter through it, and deleting a plan or plan key here clears its
   * counts in Redis. Omit for a counter that only enforces.
   */
  store?: Store;
  /** Admit requests uncounted while Redis is unavailable (default false: refuse them). */
  failOpen?: boolean;
  /** Where failures to clear deleted counts are reported (default stderr). */
  log?: (line: string) => void;
}

const DAY_MS = 86_400_000;
/** A counter outlives its period by this much, so processes whose clocks lag a little still find it. */
const COUNTER_GRACE_MS = 3_600_000;
/** Day hashes are kept for the longest GetUsage window plus the period before its first day. */
const DAY_RETENTION_MS = (MAX_USAGE_DAYS + MAX_PERIOD_DAYS + 1) * DAY_MS;
/** SCAN pages a `forget` may walk; bounds the work a deletion does on a very large Redis. */
const MAX_SCAN_PAGES = 10_000;

/** consume's answers besides "remaining after this request" (never negative). */
const REFUSED = -1;
const NO_COUNTER = -2;

/**
 * KEYS: counter, today's day hash. ARGV: the period's limit, the day hash's TTL (ms).
 * Refuses without writing when nothing is left; otherwise counts in both hashes.
 */
const CONSUME = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return ${NO_COUNTER} end
local counter = redis.call('HMGET', KEYS[1], 'used', 'base')
local left = tonumber(counter[2] or ARGV[1]) - tonumber(counter[1] or '0')
if left <= 0 then return ${REFUSED} end
redis.call('HINCRBY', KEYS[1], 'used', 1)
if redis.call('HINCRBY', KEYS[2], 'used', 1) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if redis.call('HEXISTS', KEYS[2], 'remaining') == 1 then redis.call('HINCRBY', KEYS[2], 'remaining', -1) end
return left - 1
`);

/**
 * KEYS: counter, then the day hashes of its period up to today, in order. ARGV: counter TTL (ms).
 * Builds the counter from the days unless another process just did.
 */
const BUILD = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local used, base = 0, nil
for i = 2, #KEYS do
  local day = redis.call('HMGET', KEYS[i], 'used', 'remaining')
  if day[2] then base = tonumber(day[2]); used = 0
  elseif day[1] then used = used + tonumber(day[1]) end
end
redis.call('HSET', KEYS[1], 'used', used)
if base then redis.call('HSET', KEYS[1], 'base', base) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`);

/**
 * KEYS: counter, today's day hash. ARGV: remaining, counter TTL (ms), day hash TTL (ms).
 * What is left from now on is `remaining`, whatever was used before.
 */
const SET_REMAINING = script(`
redis.call('HSET', KEYS[2], 'remaining', ARGV[1])
if redis.call('HEXISTS', KEYS[2], 'used') == 0 then redis.call('HSET', KEYS[2], 'used', 0) end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'used', 0, 'base', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

export class RedisQuota implements QuotaCounter {
  private readonly connection: RedisConnection;
  private readonly failOpen: boolean;
  private readonly log: (line: string) => void;
  private readonly detach: (() => void)[] = [];

  constructor(options: RedisQuotaOptions) {
    this.connection = options.connection;
    this.failOpen = options.failOpen ?? false;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const { store } = options;
    if (store) this.detach.push(attachQuotaCounter(store, this), store.onChange((changes) => this.onStoreChange(changes)));
  }

  async consume(request: ConsumeRequest): Promise<QuotaDecision> {
    // Known to be down: answer without queueing anything behind a dead connection.
    if (this.connection.isDown) return this.unavailable();
    const now = request.now ?? new Date();
    const today = dayOf(now);
    const { quota } = request;
    const start = periodStart(today, quota.period);
    const counter = this.counterKey(request.usagePlanId, request.keyId, quota.period, start);
    const keys = [counter, this.dayKey(request.usagePlanId, request.keyId, today)];
    const args = [periodLimit(quota, start, request.planCreatedDate), dayTtl(today, now)];
    try {
      let answer = Number(await this.run(CONSUME, keys, args));
      if (answer === NO_COUNTER) {
        const days = daysBetween(start, today).map((day) => this.dayKey(request.usagePlanId, request.keyId, day));
        await this.run(BUILD, [counter, ...days], [counterTtl(start, quota.period, now)]);
        answer = Number(await this.run(CONSUME, keys, args));
      }
      if (answer === REFUSED) return EXCEEDED;
      // Still no counter: it expired between two scripts; refuse rather than loop.
      if (answer < 0 || Number.isNaN(answer)) return this.unavailable();
      return { allowed: true, remaining: answer };
    } catch {
      // The connection logs the outage; one line per failed request would flood the log.
      return this.unavailable();
    }
  }

  async usage(query: UsageQuery): Promise<DailyUsage[]> {
    if (query.days.length === 0) return [];
    this.requireConnection();
    const span = daysBetween(firstDayNeeded(query), query.days.at(-1)!);
    const pipeline = this.client.pipeline();
    for (const day of span) pipeline.hmget(this.dayKey(query.usagePlanId, query.keyId, day), 'used', 'remaining');
    const results = await this.unavailableOnError(() => pipeline.exec());
    const counts = new Map<string, DayCount>();
    span.forEach((day, i) => {
      const [err, value] = results?.[i] ?? [new Error('no reply')];
      if (err) throw new QuotaUnavailableError(`Redis could not read the usage counts: ${err.message}`);
      const [used, remaining] = value as (string | null)[];
      if (used === null && remaining === null) return;
      counts.set(day, { used: Number(used ?? 0), ...(remaining !== null && { remaining: Number(remaining) }) });
    });
    return dailyUsage(query, (day) => counts.get(day));
  }

  async setRemaining(request: SetRemainingRequest): Promise<void> {
    this.requireConnection();
    const now = request.now ?? new Date();
    const today = dayOf(now);
    const start = periodStart(today, request.quota.period);
    const keys = [this.counterKey(request.usagePlanId, request.keyId, request.quota.period, start), this.dayKey(request.usagePlanId, request.keyId, today)];
    await this.unavailableOnError(() => this.run(SET_REMAINING, keys, [request.remaining, counterTtl(start, request.quota.period, now), dayTtl(today, now)]));
  }

  /** Deletes the plan's (or one key's) counters and day hashes, with SCAN so Redis is never blocked. */
  async forget(usagePlanId: string, keyId?: string): Promise<void> {
    this.requireConnection();
    const pattern = `${globEscape(this.connection.keyPrefix)}quota:{${globEscape(usagePlanId)}:${keyId === undefined ? '*' : `${globEscape(keyId)}}`}:*`;
    let cursor = '0';
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const [next, keys] = await this.unavailableOnError(() => this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
      if (keys.length > 0) await this.unavailableOnError(() => this.client.unlink(...keys));
      cursor = next;
      if (cursor === '0') return;
    }
    this.log(`portico: stopped clearing the Redis quota counts of usage plan ${usagePlanId} after ${MAX_SCAN_PAGES} pages; the rest expire by themselves`);
  }

  /** Stops following the store. The connection is shared and stays open. */
  async close(): Promise<void> {
    for (const undo of this.detach.splice(0)) undo();
  }

  private get client(): Redis {
    return this.connection.client;
  }

  private counterKey(usagePlanId: string, keyId: string, period: string, start: string): string {
    return `${this.connection.keyPrefix}quota:{${usagePlanId}:${keyId}}:${period}:${start}`;
  }

  private dayKey(usagePlanId: string, keyId: string, day: string): string {
    return `${this.connection.keyPrefix}quota:{${usagePlanId}:${keyId}}:day:${day}`;
  }

  /** EVALSHA, loading the script when this Redis has not seen it (first use, or after a restart). */
  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.client.eval(s.source, keys.length, ...keys, ...args);
    }
  }

  private unavailable(): QuotaDecision {
    return this.failOpen ? UNAVAILABLE_OPEN : UNAVAILABLE_CLOSED;
  }

  private requireConnection(): void {
    if (this.connection.isDown) throw new QuotaUnavailableError('Redis is unavailable, so the quota counts cannot be read or written');
  }

  private async unavailableOnError<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new QuotaUnavailableError(`Redis could not read or write the quota counts: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private onStoreChange(changes: StoreChange[]): void {
    for (const change of changes) {
      if (change.kind !== 'record' || !change.deleted) continue;
      let cleared: Promise<void> | undefined;
      if (change.recordKind === RECORD_KINDS.usagePlan) cleared = this.forget(change.id);
      if (change.recordKind === RECORD_KINDS.usagePlanKey) {
        const [usagePlanId, keyId] = change.id.split(':');
        if (usagePlanId && keyId) cleared = this.forget(usagePlanId, keyId);
      }
      cleared?.catch((err: unknown) => this.log(`portico: could not clear the Redis quota counts of deleted usage plan key ${change.id}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** How long a period counter lives from `now`: to its period's end, plus the grace. */
function counterTtl(start: string, period: QuotaPeriod, now: Date): number {
  return Math.max(1, periodEnd(start, period) - now.getTime() + COUNTER_GRACE_MS);
}

/** How long a day hash lives from `now`. */
function dayTtl(day: string, now: Date): number {
  return Math.max(1, Date.parse(`${day}T00:00:00Z`) + DAY_RETENTION_MS - now.getTime());
}

/** Escapes Redis glob metacharacters, so ids and prefixes match only themselves. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\^]/g, '\\$&');
}
