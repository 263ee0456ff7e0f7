/**
 * Per-day usage of API keys in usage plans: the counters usage plan enforcement adds to
 * (`recordUsage`), the quota left in the current period (`remainingQuota`), and the
 * management operations that read and adjust them, GetUsage and UpdateUsage.
 *
 * Days and quota periods are UTC: a DAY quota resets at midnight, WEEK on Monday (ISO weeks),
 * MONTH on the first. The quota's `offset` is taken off the limit in the period the plan was
 * created in, as AWS describes it.
 */
import type { Store, StoreReader, StoreWriter } from '../../store/store.js';
import { RECORD_KINDS, type QuotaPeriod, type UsagePlan, type UsagePlanKey, type UsageRecord } from '../../model/usage-plan.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, notFound } from '../errors.js';
import { integerValue, invalidPath, parsePatchOperations } from '../patch.js';
import { readUsagePlan } from './account-common.js';
import { usagePlanKeyId } from './account-api-key-rules.js';

const DAY_MS = 86_400_000;
/** The longest span one GetUsage call may cover. */
export const MAX_USAGE_DAYS = 90;

const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
const usageRecordId = (usagePlanId: string, keyId: string, date: string): string => `${usagePlanId}:${keyId}:${date}`;

/** The first day (`YYYY-MM-DD`) of the quota period holding `date`. */
export function periodStart(date: string, period: QuotaPeriod): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (period === 'WEEK') return dayOf(new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS));
  if (period === 'MONTH') return `${date.slice(0, 8)}01`;
  return date;
}

function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += DAY_MS) out.push(dayOf(new Date(t)));
  return out;
}

async function usageOf(reader: StoreReader, usagePlanId: string, keyId: string): Promise<Map<string, UsageRecord>> {
  const records = await reader.listRecords<UsageRecord>(RECORD_KINDS.usage);
  return new Map(records.filter((r) => r.usagePlanId === usagePlanId && r.keyId === keyId).map((r) => [r.date, r]));
}

/** `[used, remaining]` per day of `days` (consecutive, ascending) for one key. */
function dailyUsage(plan: UsagePlan, records: Map<string, UsageRecord>, days: string[]): [number, number][] {
  const quota = plan.quota;
  return days.map((day) => {
    const used = records.get(day)?.used ?? 0;
    if (!quota) return [used, 0];
    const start = periodStart(day, quota.period);
    const created = periodStart(dayOf(new Date(plan.createdDate * 1000)), quota.period);
    let remaining = quota.limit - (start === created ? quota.offset : 0);
    for (const d of daysBetween(start, day)) {
      const record = records.get(d);
      if (!record) continue;
      remaining = record.remaining ?? remaining - record.used;
    }
    return [used, Math.max(0, remaining)];
  });
}

/** The quota `keyId` has left in `plan`'s current period; undefined when the plan has no quota. */
export async function remainingQuota(reader: StoreReader, plan: UsagePlan, keyId: string, at: Date = new Date()): Promise<number | undefined> {
  if (!plan.quota) return undefined;
  const today = dayOf(at);
  const [[, remaining]] = dailyUsage(plan, await usageOf(reader, plan.id, keyId), [today]) as [[number, number]];
  return remaining;
}

/** Counts `count` requests by `keyId` through `usagePlanId` on the day of `at`. */
export async function recordUsage(store: Store, usagePlanId: string, keyId: string, count = 1, at: Date = new Date()): Promise<void> {
  await store.transaction((tx) => addUsage(tx, usagePlanId, keyId, count, at));
}

/** `recordUsage` inside a caller's transaction. */
export async function addUsage(tx: StoreWriter, usagePlanId: string, keyId: string, count: number, at: Date): Promise<void> {
  const date = dayOf(at);
  const id = usageRecordId(usagePlanId, keyId, date);
  const record = (await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, id)) ?? { usagePlanId, keyId, date, used: 0 };
  const next: UsageRecord = { ...record, used: record.used + count };
  if (record.remaining !== undefined) next.remaining = Math.max(0, record.remaining - count);
  await tx.putRecord(RECORD_KINDS.usage, id, next);
}

/** Removes every usage record of a plan, or of one key in it. */
export async function deleteUsage(tx: StoreWriter, usagePlanId: string, keyId?: string): Promise<void> {
  for (const r of await tx.listRecords<UsageRecord>(RECORD_KINDS.usage)) {
    if (r.usagePlanId === usagePlanId && (keyId === undefined || r.keyId === keyId)) {
      await tx.deleteRecord(RECORD_KINDS.usage, usageRecordId(r.usagePlanId, r.keyId, r.date));
    }
  }
}

function readDate(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw badRequest(`${name} must be specified`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || dayOf(new Date(`${value}T00:00:00Z`)) !== value) {
    throw badRequest(`Invalid ${name} '${value}': expected yyyy-MM-dd`);
  }
  return value;
}

async function planKeys(reader: StoreReader, usagePlanId: string): Promise<string[]> {
  return (await reader.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey))
    .filter((m) => m.usagePlanId === usagePlanId)
    .map((m) => m.keyId)
    .sort();
}

const getUsage: OperationHandler = async (ctx, req) => {
  const plan = await readUsagePlan(ctx.store, req.path.usagePlanId!);
  const startDate = readDate(req.query, 'startDate');
  const endDate = readDate(req.query, 'endDate');
  if (startDate > endDate) throw badRequest('The endDate must not be before the startDate');
  const days = daysBetween(startDate, endDate);
  if (days.length > MAX_USAGE_DAYS) throw badRequest(`GetUsage covers at most ${MAX_USAGE_DAYS} days`);
  const keyId = req.query.get('keyId');
  const keys = (await planKeys(ctx.store, plan.id)).filter((k) => keyId === null || k === keyId);
  const items: Record<string, [number, number][]> = {};
  for (const key of keys) items[key] = dailyUsage(plan, await usageOf(ctx.store, plan.id, key), days);
  // The wire name of Usage.items is `values`.
  return { body: { usagePlanId: plan.id, startDate, endDate, values: items } };
};

const updateUsage: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const { usagePlanId, keyId } = req.path as { usagePlanId: string; keyId: string };
  const now = new Date();
  const answer = await ctx.store.transaction(async (tx) => {
    const plan = await readUsagePlan(tx, usagePlanId);
    if (!(await tx.getRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, usagePlanKeyId(usagePlanId, keyId)))) {
      throw notFound('Invalid API Key identifier specified');
    }
    if (!plan.quota) throw badRequest(`Usage plan ${usagePlanId} has no quota, so there is no remaining quota to update`);
    for (const op of ops) {
      if (op.op !== 'replace' || op.path !== '/remaining') throw invalidPath(op);
      const remaining = integerValue(op);
      if (remaining < 0) throw badRequest('The remaining quota must not be negative');
      const date = dayOf(now);
      const id = usageRecordId(usagePlanId, keyId, date);
      const record = (await tx.getRecord<UsageRecord>(RECORD_KINDS.usage, id)) ?? { usagePlanId, keyId, date, used: 0 };
      await tx.putRecord(RECORD_KINDS.usage, id, { ...record, remaining });
    }
    const startDate = periodStart(dayOf(now), plan.quota.period);
    const endDate = dayOf(now);
    const values = { [keyId]: dailyUsage(plan, await usageOf(tx, usagePlanId, keyId), daysBetween(startDate, endDate)) };
    return { usagePlanId, startDate, endDate, values };
  });
  return { body: answer };
};

export const USAGE_HANDLERS: HandlerTable = {
  GetUsage: getUsage,
  UpdateUsage: updateUsage,
};
