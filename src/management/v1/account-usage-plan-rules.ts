/**
 * What a usage plan may hold, checked alike by CreateUsagePlan and UpdateUsagePlan: throttle and
 * quota settings, API stages that must exist, method-level throttles keyed
 * `{resourcePath}/{httpMethod}`, and the plan's wire shape.
 */
import type { StoreReader } from '../../store/store.js';
import type { ApiStage, QuotaPeriod, QuotaSettings, ThrottleSettings, UsagePlan } from '../../model/usage-plan.js';
import { badRequest, notFound } from '../errors.js';
import { compact } from './shapes.js';
import { nestedNumber, nestedString, restStageExists } from './account-common.js';

/** AWS's usage plans per account and region. */
export const MAX_USAGE_PLANS = 300;
/** AWS's method-level throttling settings per stage in a usage plan. */
export const MAX_METHOD_THROTTLES = 20;
export const QUOTA_PERIODS: readonly QuotaPeriod[] = ['DAY', 'WEEK', 'MONTH'];

/** A plan as the wire shows it; Get and Update answer `tags: {}` even when there are none. */
export function usagePlanShape(plan: UsagePlan, alwaysTags: boolean): Record<string, unknown> {
  return {
    ...compact({ id: plan.id, name: plan.name, description: plan.description }),
    apiStages: plan.apiStages.map((s) => compact({ apiId: s.apiId, stage: s.stage, throttle: s.throttle })),
    ...compact({ throttle: plan.throttle, quota: plan.quota }),
    ...(alwaysTags || Object.keys(plan.tags).length > 0 ? { tags: plan.tags } : {}),
  };
}

export function checkThrottle(settings: ThrottleSettings, where: string): ThrottleSettings {
  if (settings.burstLimit !== undefined && settings.burstLimit < 0) throw badRequest(`${where}.burstLimit must not be negative`);
  if (settings.rateLimit !== undefined && settings.rateLimit < 0) throw badRequest(`${where}.rateLimit must not be negative`);
  return settings;
}

export function readThrottle(raw: Record<string, unknown>, where: string): ThrottleSettings {
  return checkThrottle(
    compact({ burstLimit: nestedNumber(raw, 'burstLimit', where, true), rateLimit: nestedNumber(raw, 'rateLimit', where, false) }) as ThrottleSettings,
    where,
  );
}

export function checkQuota(quota: QuotaSettings): QuotaSettings {
  if (!QUOTA_PERIODS.includes(quota.period)) throw badRequest(`Invalid quota period '${quota.period}': must be one of [DAY, WEEK, MONTH]`);
  if (!Number.isInteger(quota.limit) || quota.limit <= 0) throw badRequest('The quota limit must be a positive integer');
  if (!Number.isInteger(quota.offset) || quota.offset < 0) throw badRequest('The quota offset must not be negative');
  if (quota.offset >= quota.limit) throw badRequest('The quota offset must be less than the quota limit');
  return quota;
}

export function readQuota(raw: Record<string, unknown>): QuotaSettings {
  const limit = nestedNumber(raw, 'limit', 'quota', true);
  const period = nestedString(raw, 'period', 'quota');
  if (limit === undefined || period === undefined) throw badRequest('A quota must have a limit and a period');
  return checkQuota({ limit, offset: nestedNumber(raw, 'offset', 'quota', true) ?? 0, period: period as QuotaPeriod });
}

/** Checks a method throttle key such as `/pets/GET` or `//GET`. */
export function checkMethodKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const method = key.slice(slash + 1);
  if (slash < 1 || !key.startsWith('/') || !/^(\*|GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|ANY)$/.test(method)) {
    throw badRequest(`Invalid method throttle key '${key}': expected {resourcePath}/{httpMethod}`);
  }
  return key;
}

export function checkMethodThrottles(throttle: Record<string, ThrottleSettings>): void {
  if (Object.keys(throttle).length > MAX_METHOD_THROTTLES) {
    throw badRequest(`A stage in a usage plan can have at most ${MAX_METHOD_THROTTLES} method-level throttling settings`);
  }
}

export function readMethodThrottles(raw: unknown, where: string): Record<string, ThrottleSettings> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest(`${where} must be a map of method throttle settings`);
  const out: Record<string, ThrottleSettings> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${where}['${key}'] must be an object`);
    out[checkMethodKey(key)] = readThrottle(value as Record<string, unknown>, `${where}['${key}']`);
  }
  checkMethodThrottles(out);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** AWS's words for an API stage that is not there (or not in the plan). */
export const invalidApiStage = (apiId: string, stage: string, usagePlanId: string): Error =>
  notFound(`Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${usagePlanId}`);

/** Reads CreateUsagePlan's `apiStages`, each of which must name an existing REST API stage. */
export async function readApiStages(reader: StoreReader, raw: unknown, usagePlanId: string): Promise<ApiStage[]> {
  if (raw === undefined || raw === null) return [];
  const out: ApiStage[] = [];
  for (const [i, item] of (raw as unknown[]).entries()) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`apiStages[${i}] must be an object`);
    const entry = item as Record<string, unknown>;
    const apiId = nestedString(entry, 'apiId', `apiStages[${i}]`) ?? '';
    const stage = nestedString(entry, 'stage', `apiStages[${i}]`) ?? '';
    // AWS answers a missing stage here with a BadRequestException, unlike UpdateUsagePlan's 404.
    if (apiId === '' || stage === '' || !(await restStageExists(reader, apiId, stage))) {
      throw badRequest(`Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${usagePlanId}`);
    }
    if (out.some((s) => s.apiId === apiId && s.stage === stage)) throw badRequest(`API Stage {api: ${apiId}, stage: ${stage}} is listed twice`);
    const throttle = readMethodThrottles(entry.throttle, `apiStages[${i}].throttle`);
    out.push(throttle ? { apiId, stage, throttle } : { apiId, stage });
  }
  return out;
}
