/**
 * Usage plan quotas: the contract both quota backends keep (the single-process store backend,
 * store-quota.ts, and the shared Redis backend, redis-quota.ts), the UTC period arithmetic they
 * share, and how per-day usage turns into the `[used, remaining]` pairs GetUsage reports.
 *
 * Quotas are counted per usage plan, per API key, per period. Periods are UTC: DAY resets at
 * midnight, WEEK on Monday (ISO weeks), MONTH on the first. The quota's `offset` is taken off
 * the limit in the period the plan was created in. A refused request is not counted: the AWS
 * guide does not say either way, and counting refusals would let a client that keeps calling
 * after running out push its usage past the limit, which GetUsage would then show.
 *
 * The management API (GetUsage, UpdateUsage) must see the same counts enforcement uses, so a
 * backend attaches itself to the Store it serves (`attachQuotaCounter`) and the management
 * handlers find it there (`attachedQuotaCounter`).
 */
import type { QuotaPeriod, QuotaSettings } from '../model/usage-plan.js';
import type { Store } from '../store/store.js';

const DAY_MS = 86_400_000;
/** The longest span one GetUsage call may cover, in days. */
export const MAX_USAGE_DAYS = 90;
/** The longest quota period, in days: usage this far back can still count today. */
export const MAX_PERIOD_DAYS = 31;

/** Which plan and key a request is counted against, and the plan's quota as it is now. */
export interface QuotaSubject {
  usagePlanId: string;
  keyId: string;
  quota: QuotaSettings;
  /** The plan's creation time in epoch seconds (UsagePlan.createdDate): the offset applies to its period. */
  planCreatedDate: number;
}

export interface ConsumeRequest extends QuotaSubject {
  /** The request's time; defaults to the clock. */
  now?: Date;
}

/**
 * The verdict on one request. `remaining` is what is left after it, or undefined when the
 * quota could not be checked and the backend's failure policy let the request through.
 * `exceeded` maps to the QUOTA_EXCEEDED gateway response (429 `{"message":"Limit Exceeded"}`);
 * `unavailable` means the count could not be reached and the policy is to refuse: it is not the
 * client's quota that ran out, so it should be answered as a server-side failure (503 through
 * DEFAULT_5XX), not as QUOTA_EXCEEDED.
 */
export type QuotaDecision =
  | { allowed: true; remaining: number | undefined }
  | { allowed: false; reason: 'exceeded' | 'unavailable' };

export interface UsageQuery {
  usagePlanId: string;
  keyId: string;
  /** Absent for a plan without a quota: remaining is then reported as 0, as before. */
  quota?: QuotaSettings;
  planCreatedDate: number;
  /** Consecutive, ascending UTC days (`YYYY-MM-DD`). */
  days: string[];
}

export interface SetRemainingRequest extends QuotaSubject {
  /** The quota left from now on in the current period. */
  remaining: number;
  now?: Date;
}

/** `[used, remaining]` for one day, as GetUsage reports it. */
export type DailyUsage = [used: number, remaining: number];

export interface QuotaCounter {
  /** Counts the request if the quota has room for it; a refused request is not counted. */
  consume(request: ConsumeRequest): Promise<QuotaDecision>;
  /** Per-day usage for GetUsage, the same counts `consume` goes by. Throws QuotaUnavailableError. */
  usage(query: UsageQuery): Promise<DailyUsage[]>;
  /** UpdateUsage: from now on, `remaining` requests are left in the current period. Throws QuotaUnavailableError. */
  setRemaining(request: SetRemainingRequest): Promise<void>;
  /** Drops the counts of a deleted plan, or of a key removed from it. */
  forget(usagePlanId: string, keyId?: string): Promise<void>;
  close(): Promise<void>;
}

/** The count could not be read or written (Redis down, the store closed or failing). */
export class QuotaUnavailableError extends Error {
  override readonly name = 'QuotaUnavailableError';
}

/** What the backends answer when the count cannot be reached, by failure policy. */
export const UNAVAILABLE_CLOSED: QuotaDecision = Object.freeze({ allowed: false, reason: 'unavailable' });
export const UNAVAILABLE_OPEN: QuotaDecision = Object.freeze({ allowed: true, remaining: undefined });
export const EXCEEDED: QuotaDecision = Object.freeze({ allowed: false, reason: 'exceeded' });

/** The UTC day of `at`, `YYYY-MM-DD`. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** The first day (`YYYY-MM-DD`) of the quota period holding `day`. */
export function periodStart(day: string, period: QuotaPeriod): string {
  if (period === 'MONTH') return `${day.slice(0, 8)}01`;
  if (period === 'WEEK') {
    const d = new Date(`${day}T00:00:00Z`);
    return dayOf(new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS));
  }
  return day;
}

/** When the period starting on `start` ends (the next one's first instant), epoch ms. */
export function periodEnd(start: string, period: QuotaPeriod): number {
  const t = Date.parse(`${start}T00:00:00Z`);
  if (period === 'DAY') return t + DAY_MS;
  if (period === 'WEEK') return t + 7 * DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The days from `start` to `end`, both included; empty when `end` comes first. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += DAY_MS) out.push(dayOf(new Date(t)));
  return out;
}

/** The quota's limit in the period starting on `start`: less the offset in the plan's first period. */
export function periodLimit(quota: QuotaSettings, start: string, planCreatedDate: number): number {
  const created = periodStart(dayOf(new Date(planCreatedDate * 1000)), quota.period);
  return quota.limit - (created === start ? quota.offset : 0);
}

/** One key's usage on one day: UsageRecord's counting members. */
export interface DayCount {
  used: number;
  /** Set by UpdateUsage: the quota left at that point of the day, lowered by later requests. */
  remaining?: number;
}

/**
 * Where a period stands after the given days (its first through the current one): either
 * `limit - used`, or, once UpdateUsage has set the remaining quota, `base - used` where `used`
 * counts only the requests after it. Keeping the limit out lets a changed limit apply at once.
 */
export interface PeriodCount {
  base: number | undefined;
  used: number;
}

export function periodCount(days: (DayCount | undefined)[]): PeriodCount {
  const count: PeriodCount = { base: undefined, used: 0 };
  for (const day of days) {
    if (!day) continue;
    if (day.remaining !== undefined) {
      count.base = day.remaining;
      count.used = 0;
    } else {
      count.used += day.used;
    }
  }
  return count;
}

/** The quota left given a period's count; negative when a lowered limit is already overrun. */
export function remainingOf(count: PeriodCount, limit: number): number {
  return (count.base ?? limit) - count.used;
}

/** `[used, remaining]` per day of `query.days`, from the per-day counts `countOf` returns. */
export function dailyUsage(query: UsageQuery, countOf: (day: string) => DayCount | undefined): DailyUsage[] {
  const { quota } = query;
  return query.days.map((day): DailyUsage => {
    const used = countOf(day)?.used ?? 0;
    if (!quota) return [used, 0];
    const start = periodStart(day, quota.period);
    const count = periodCount(daysBetween(start, day).map(countOf));
    return [used, Math.max(0, remainingOf(count, periodLimit(quota, start, query.planCreatedDate)))];
  });
}

/** The first day a usage query must read: the start of the period holding its first day. */
export function firstDayNeeded(query: UsageQuery): string {
  const first = query.days[0]!;
  return query.quota ? periodStart(first, query.quota.period) : first;
}

const attached = new WeakMap<Store, QuotaCounter>();

/**
 * Makes `counter` the one the management API uses for `store`'s usage plans. Returns the
 * detach function; detaching a counter that has since been replaced does nothing.
 */
export function attachQuotaCounter(store: Store, counter: QuotaCounter): () => void {
  attached.set(store, counter);
  return () => {
    if (attached.get(store) === counter) attached.delete(store);
  };
}

/** The counter attached to `store`, if any. */
export function attachedQuotaCounter(store: Store): QuotaCounter | undefined {
  return attached.get(store);
}
