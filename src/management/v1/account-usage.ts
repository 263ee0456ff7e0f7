/**
 * Usage of API keys in usage plans: the management operations GetUsage and UpdateUsage, and
 * the store-level helpers around the per-day usage records.
 *
 * Both operations go through the quota counter attached to the store (src/traffic/quota.ts),
 * the one enforcement counts with, so GetUsage reports exactly what enforcement goes by and
 * UpdateUsage applies to the very next request, whichever backend (the store, or Redis) is in
 * use. With no counter attached (no data plane in this process), they read and write the
 * store's records directly, which is where the store backend keeps its counts.
 *
 * Days and quota periods are UTC: a DAY quota resets at midnight, WEEK on Monday (ISO weeks),
 * MONTH on the first. The quota's `offset` is taken off the limit in the period the plan was
 * created in.
 */
import type { Store, StoreReader, StoreWriter } from '../../store/store.js';
import { RECORD_KINDS, type UsagePlan, type UsagePlanKey, type UsageRecord } from '../../model/usage-plan.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { ManagementError, badRequest, notFound } from '../errors.js';
import { integerValue, invalidPath, parsePatchOperations } from '../patch.js';
import { readUsagePlan } from './account-common.js';
import { usagePlanKeyId } from './account-api-key-rules.js';
import { MAX_USAGE_DAYS, QuotaUnavailableError, attachedQuotaCounter, dayOf, daysBetween, periodStart, type DailyUsage, type QuotaCounter } from '../../traffic/quota.js';
import { StoreQuota, addDayUsage, usageRecordId } from '../../traffic/store-quota.js';

export { MAX_USAGE_DAYS, periodStart };

/** The counter enforcement uses for `store`, or one that reads and writes its records directly. */
function counterOf(store: Store): QuotaCounter {
  return attachedQuotaCounter(store) ?? new StoreQuota(store, { attach: false });
}

/** Runs a counter call, answering 503 when the counts cannot be reached (e.g. Redis is down). */
async function counted<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QuotaUnavailableError) throw new ManagementError('ServiceUnavailableException', 'Usage counts are temporarily unavailable; try again later');
    throw err;
  }
}

function keyUsage(store: Store, plan: UsagePlan, keyId: string, days: string[]): Promise<DailyUsage[]> {
  return counted(() => counterOf(store).usage({ usagePlanId: plan.id, keyId, quota: plan.quota, planCreatedDate: plan.createdDate, days }));
}

/** The quota `keyId` has left in `plan`'s current period, as enforcement sees it; undefined without a quota. */
export async function remainingQuota(store: Store, plan: UsagePlan, keyId: string, at: Date = new Date()): Promise<number | undefined> {
  if (!plan.quota) return undefined;
  const [[, remaining]] = (await keyUsage(store, plan, keyId, [dayOf(at)])) as [DailyUsage];
  return remaining;
}

/**
 * Writes `count` requests by `keyId` through `usagePlanId` on the day of `at` straight into the
 * store's records, bypassing the quota check; a store-backed counter in this process re-reads
 * them. Enforcement counts with QuotaCounter.consume instead.
 */
export async function recordUsage(store: Store, usagePlanId: string, keyId: string, count = 1, at: Date = new Date()): Promise<void> {
  await store.transaction((tx) => addUsage(tx, usagePlanId, keyId, count, at));
  const counter = attachedQuotaCounter(store);
  if (counter instanceof StoreQuota) counter.invalidate(usagePlanId, keyId);
}

/** `recordUsage` inside a caller's transaction (without telling an attached counter). */
export async function addUsage(tx: StoreWriter, usagePlanId: string, keyId: string, count: number, at: Date): Promise<void> {
  await addDayUsage(tx, usagePlanId, keyId, dayOf(at), count);
}

/**
 * Removes every usage record of a plan, or of one key in it. Attached counters drop their own
 * counts when the plan or plan key deletion that goes with this commits.
 */
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
  const items: Record<string, DailyUsage[]> = {};
  for (const key of keys) items[key] = await keyUsage(ctx.store, plan, key, days);
  // The wire name of Usage.items is `values`.
  return { body: { usagePlanId: plan.id, startDate, endDate, values: items } };
};

const updateUsage: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const { usagePlanId, keyId } = req.path as { usagePlanId: string; keyId: string };
  const now = new Date();
  const plan = await readUsagePlan(ctx.store, usagePlanId);
  if (!(await ctx.store.getRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, usagePlanKeyId(usagePlanId, keyId)))) {
    throw notFound('Invalid API Key identifier specified');
  }
  const quota = plan.quota;
  if (!quota) throw badRequest(`Usage plan ${usagePlanId} has no quota, so there is no remaining quota to update`);
  // Every operation is checked before anything is written; the last one's value stands.
  let remaining: number | undefined;
  for (const op of ops) {
    if (op.op !== 'replace' || op.path !== '/remaining') throw invalidPath(op);
    remaining = integerValue(op);
    if (remaining < 0) throw badRequest('The remaining quota must not be negative');
  }
  const value = remaining;
  if (value !== undefined) {
    await counted(() => counterOf(ctx.store).setRemaining({ usagePlanId, keyId, quota, planCreatedDate: plan.createdDate, remaining: value, now }));
  }
  const startDate = periodStart(dayOf(now), quota.period);
  const endDate = dayOf(now);
  const values = { [keyId]: await keyUsage(ctx.store, plan, keyId, daysBetween(startDate, endDate)) };
  return { body: { usagePlanId, startDate, endDate, values } };
};

export const USAGE_HANDLERS: HandlerTable = {
  GetUsage: getUsage,
  UpdateUsage: updateUsage,
};
