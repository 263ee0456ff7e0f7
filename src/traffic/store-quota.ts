/**
 * The single-process quota backend: counts live in memory, and the store's per-day usage
 * records (RECORD_KINDS.usage) are their durable copy, written ahead of admission.
 *
 * A request is admitted only against a token reserved beforehand: a reservation adds N to the
 * day's `used` in one store transaction, and the next N requests for that plan and key are
 * admitted from memory without touching the store. So the persisted count is never below what
 * was admitted. A clean `close()` hands unused tokens back; after a crash they stay counted,
 * which errs on the side of the quota. What a crash can cost, per plan and key, is the tokens
 * of its last reservation not yet used: fewer than `reserveBatch`, and about a tenth of the
 * quota left when it was taken (at least 1), plus any requests that were waiting for that very
 * reservation and never got an answer.
 *
 * GetUsage reads the records and takes this process's unused tokens back out, so it reports
 * exactly what was admitted. UpdateUsage goes through `setRemaining`, which drops the tokens,
 * so the new figure applies to the very next request. The quota itself (limit, offset, period)
 * arrives with every request, so a changed usage plan applies at once as well.
 */
import { RECORD_KINDS, type UsageRecord } from '../model/usage-plan.js';
import type { Store, StoreChange, StoreWriter } from '../store/store.js';
import {
  EXCEEDED,
  QuotaUnavailableError,
  UNAVAILABLE_CLOSED,
  UNAVAILABLE_OPEN,
  attachQuotaCounter,
  dailyUsage,
  dayOf,
  daysBetween,
  firstDayNeeded,
  periodCount,
  periodLimit,
  periodStart,
  remainingOf,
  type ConsumeRequest,
  type DailyUsage,
  type DayCount,
  type QuotaCounter,
  type QuotaDecision,
  type SetRemainingRequest,
  type UsageQuery,
} from './quota.js';

export interface StoreQuotaOptions {
  /** Most tokens one reservation takes (default 100): the bound on what a crash can cost a key. */
  reserveBatch?: number;
  /** Share of the quota left that one reservation may take (default 0.1), so small quotas lose little. */
  reserveFraction?: number;
  /**
   * Attach to the store (default true): the management API's GetUsage and UpdateUsage then go
   * through this counter, and deleted plans and plan keys are dropped from memory.
   */
  attach?: boolean;
  /** Admit requests while the store cannot be written (default false: refuse them). */
  failOpen?: boolean;
  /** Where store failures are reported (default stderr). */
  log?: (line: string) => void;
}

const DEFAULT_RESERVE_BATCH = 100;
const DEFAULT_RESERVE_FRACTION = 0.1;

/** The id of one key's usage record for one day. */
export const usageRecordId = (usagePlanId: string, keyId: string, date: string): string => `${usagePlanId}:${keyId}:${date}`;

/**
 * Adds `delta` (negative to hand tokens back) to one day's usage record, and takes it off the
 * remaining quota UpdateUsage set that day, if it did.
 */
export async function addDayUsage(tx: StoreWriter, usagePlanId: string, keyId: string, date: string, delta: number): Promise<void> {
  const id = usageRecordId(usagePlanId, keyId, date);
  const record = (await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, id)) ?? { usagePlanId, keyId, date, used: 0 };
  const next: UsageRecord = { ...record, used: Math.max(0, record.used + delta) };
  if (record.remaining !== undefined) next.remaining = Math.max(0, record.remaining - delta);
  await tx.putRecord(RECORD_KINDS.usage, id, next);
}

interface Waiter {
  request: ConsumeRequest;
  now: Date;
  resolve: (decision: QuotaDecision) => void;
}

/** What this process knows of one plan and key. */
interface Entry {
  usagePlanId: string;
  keyId: string;
  /** `PERIOD:first-day` the counts below belong to; undefined until read, or after a change. */
  periodKey: string | undefined;
  /** The period's count as the store has it, unused tokens included. */
  base: number | undefined;
  used: number;
  /** Tokens reserved in the store and not yet handed to a request. */
  unused: number;
  /** The day whose record holds the unused tokens. */
  day: string;
  /** Requests waiting for a reservation, first come first served. */
  waiters: Waiter[];
  syncing: boolean;
}

export class StoreQuota implements QuotaCounter {
  private readonly entries = new Map<string, Entry>();
  private readonly reserveBatch: number;
  private readonly reserveFraction: number;
  private readonly failOpen: boolean;
  private readonly log: (line: string) => void;
  private readonly detach: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private failing = false;

  constructor(
    private readonly store: Store,
    options: StoreQuotaOptions = {},
  ) {
    this.reserveBatch = Math.max(1, Math.floor(options.reserveBatch ?? DEFAULT_RESERVE_BATCH));
    this.reserveFraction = Math.min(1, Math.max(0, options.reserveFraction ?? DEFAULT_RESERVE_FRACTION));
    this.failOpen = options.failOpen ?? false;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    if (options.attach ?? true) {
      this.detach.push(attachQuotaCounter(store, this), store.onChange((changes) => this.onStoreChange(changes)));
    }
  }

  consume(request: ConsumeRequest): Promise<QuotaDecision> {
    if (this.closed) return Promise.resolve(this.unavailable());
    const now = request.now ?? new Date();
    const entry = this.entryOf(request.usagePlanId, request.keyId);
    // Requests already waiting go first, so a newcomer cannot take the tokens they wait for.
    if (entry.waiters.length === 0) {
      const decision = this.decide(entry, request, now);
      if (decision) return Promise.resolve(decision);
    }
    return new Promise((resolve) => {
      entry.waiters.push({ request, now, resolve });
      this.pump(entry);
    });
  }

  async usage(query: UsageQuery): Promise<DailyUsage[]> {
    if (query.days.length === 0) return [];
    const span = daysBetween(firstDayNeeded(query), query.days.at(-1)!);
    const counts = await this.guard(() =>
      this.store.transaction(async (tx) => {
        const found = new Map<string, DayCount>();
        for (const day of span) {
          const record = await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, usageRecordId(query.usagePlanId, query.keyId, day));
          if (record) found.set(day, { used: record.used, ...(record.remaining !== undefined && { remaining: record.remaining }) });
        }
        // Read together with the records (reservations change both inside store transactions),
        // so the tokens taken back out are exactly the ones those records hold.
        const entry = this.entries.get(entryId(query.usagePlanId, query.keyId));
        const held = found.get(entry?.day ?? '');
        if (entry && held && entry.unused > 0) {
          held.used = Math.max(0, held.used - entry.unused);
          if (held.remaining !== undefined) held.remaining += entry.unused;
        }
        return found;
      }),
    );
    return dailyUsage(query, (day) => counts.get(day));
  }

  async setRemaining(request: SetRemainingRequest): Promise<void> {
    if (this.closed) throw new QuotaUnavailableError('The quota counter is closed');
    const today = dayOf(request.now ?? new Date());
    const entry = this.entries.get(entryId(request.usagePlanId, request.keyId));
    try {
      await this.guard(() =>
        this.store.transaction(async (tx) => {
          // Taken before the first await, so no request can be admitted from tokens being handed back.
          const handBack = entry?.unused ?? 0;
          if (entry) entry.unused = 0;
          if (entry && handBack > 0) await addDayUsage(tx, entry.usagePlanId, entry.keyId, entry.day, -handBack);
          const id = usageRecordId(request.usagePlanId, request.keyId, today);
          const record = (await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, id)) ?? { usagePlanId: request.usagePlanId, keyId: request.keyId, date: today, used: 0 };
          await tx.putRecord<UsageRecord>(RECORD_KINDS.usage, id, { ...record, remaining: request.remaining });
          if (entry) forgetCounts(entry);
        }),
      );
    } catch (err) {
      // Whether or not the hand-back committed, the tokens are no longer ours to hand out.
      if (entry) forgetCounts(entry);
      throw err;
    }
  }

  async forget(usagePlanId: string, keyId?: string): Promise<void> {
    for (const [id, entry] of this.entries) {
      if (entry.usagePlanId === usagePlanId && (keyId === undefined || entry.keyId === keyId)) this.entries.delete(id);
    }
  }

  /** Usage was written to the store behind this counter's back (recordUsage): read it again. */
  invalidate(usagePlanId: string, keyId: string): void {
    const entry = this.entries.get(entryId(usagePlanId, keyId));
    if (entry) entry.periodKey = undefined;
  }

  /** Waits for reservations under way, then hands every unused token back to the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const undo of this.detach.splice(0)) undo();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const holding = [...this.entries.values()].filter((e) => e.unused > 0);
    this.entries.clear();
    if (holding.length === 0) return;
    try {
      await this.store.transaction(async (tx) => {
        for (const e of holding) await addDayUsage(tx, e.usagePlanId, e.keyId, e.day, -e.unused);
      });
    } catch (err) {
      // The tokens stay counted, as after a crash: the quota loses them, it is never exceeded.
      this.log(`portico: could not hand unused quota reservations back to the store: ${messageOf(err)}`);
    }
  }

  private entryOf(usagePlanId: string, keyId: string): Entry {
    const id = entryId(usagePlanId, keyId);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { usagePlanId, keyId, periodKey: undefined, base: undefined, used: 0, unused: 0, day: '', waiters: [], syncing: false };
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** The verdict from memory, or undefined when it takes a trip to the store. */
  private decide(entry: Entry, request: ConsumeRequest, now: Date): QuotaDecision | undefined {
    const today = dayOf(now);
    const start = periodStart(today, request.quota.period);
    if (entry.periodKey !== `${request.quota.period}:${start}`) return undefined;
    // The store's count includes the unused tokens; adding them back gives what is really left.
    const left = remainingOf(entry, periodLimit(request.quota, start, request.planCreatedDate)) + entry.unused;
    if (left <= 0) return EXCEEDED;
    if (entry.unused > 0 && entry.day === today) {
      entry.unused--;
      return { allowed: true, remaining: left - 1 };
    }
    return undefined;
  }

  /** Runs one reservation for the first waiter, then answers every waiter it can. */
  private pump(entry: Entry): void {
    if (entry.syncing || entry.waiters.length === 0) return;
    entry.syncing = true;
    const head = entry.waiters[0]!;
    const done = this.reserve(entry, head.request, head.now, entry.waiters.length).then(
      () => {
        if (this.failing) this.log('portico: quota counts can be stored again');
        this.failing = false;
        entry.syncing = false;
        // The reservation was made for the head, so at least the head gets its answer here.
        entry.waiters = entry.waiters.filter((w) => {
          const decision = this.decide(entry, w.request, w.now);
          if (decision) w.resolve(decision);
          return !decision;
        });
        this.pump(entry);
      },
      (err: unknown) => {
        if (!this.failing && !this.closed) this.log(`portico: cannot store quota counts (${messageOf(err)}); applying the quota failure policy`);
        this.failing = !this.closed;
        entry.syncing = false;
        for (const w of entry.waiters.splice(0)) w.resolve(this.unavailable());
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  /**
   * One transaction: hands back the unused tokens, re-reads the period, and reserves on today's
   * record. The entry is updated as the last step inside the transaction, so readers that run
   * in store transactions (`usage`) always see it in step with the records.
   */
  private async reserve(entry: Entry, request: ConsumeRequest, now: Date, demand: number): Promise<void> {
    if (this.closed) throw new QuotaUnavailableError('The quota counter is closed');
    const today = dayOf(now);
    const { quota } = request;
    const start = periodStart(today, quota.period);
    const { usagePlanId, keyId } = entry;
    try {
      await this.store.transaction(async (tx) => {
        const handBack = entry.unused;
        entry.unused = 0;
        if (handBack > 0) await addDayUsage(tx, usagePlanId, keyId, entry.day, -handBack);
        const days: (DayCount | undefined)[] = [];
        for (const day of daysBetween(start, today)) days.push(await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, usageRecordId(usagePlanId, keyId, day)));
        const count = periodCount(days);
        const left = remainingOf(count, periodLimit(quota, start, request.planCreatedDate));
        const share = Math.max(1, Math.min(this.reserveBatch, Math.floor(left * this.reserveFraction)));
        // Everyone already waiting gets a token from this one write, if the quota has them.
        const take = left > 0 ? Math.min(left, Math.max(share, demand)) : 0;
        if (take > 0) await addDayUsage(tx, usagePlanId, keyId, today, take);
        entry.periodKey = `${quota.period}:${start}`;
        entry.base = count.base;
        entry.used = count.used + take;
        entry.unused = take;
        entry.day = today;
      });
    } catch (err) {
      // If the failure came at COMMIT, the entry already claims tokens the store does not
      // have; forgetting them can only under-admit.
      forgetCounts(entry);
      throw err;
    }
  }

  private onStoreChange(changes: StoreChange[]): void {
    for (const change of changes) {
      if (change.kind !== 'record' || !change.deleted) continue;
      if (change.recordKind === RECORD_KINDS.usagePlan) void this.forget(change.id);
      if (change.recordKind === RECORD_KINDS.usagePlanKey) {
        const [usagePlanId, keyId] = change.id.split(':');
        if (usagePlanId && keyId) void this.forget(usagePlanId, keyId);
      }
    }
  }

  private unavailable(): QuotaDecision {
    return this.failOpen ? UNAVAILABLE_OPEN : UNAVAILABLE_CLOSED;
  }

  /** Store failures become QuotaUnavailableError, so callers handle both backends alike. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new QuotaUnavailableError(`The quota counts cannot be read or written: ${messageOf(err)}`, { cause: err });
    }
  }
}

const entryId = (usagePlanId: string, keyId: string): string => `${usagePlanId}:${keyId}`;

/** Drops an entry's counts and tokens, so its next request re-reads the store. */
function forgetCounts(entry: Entry): void {
  entry.periodKey = undefined;
  entry.unused = 0;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
