/**
 * apigateway (v1) usage plan keys: CreateUsagePlanKey, GetUsagePlanKey, GetUsagePlanKeys and
 * DeleteUsagePlanKey. A membership record links a plan and an API key; the key's name and
 * value are read from the key itself, so a renamed key shows its new name.
 */
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS, type ApiKey, type UsagePlan, type UsagePlanKey } from '../../model/usage-plan.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { limitExceeded, readApiKey, readUsagePlan, sortBy } from './account-common.js';
import { usagePlanKeyId } from './account-api-key-rules.js';
import { MAX_USAGE_PLANS_PER_KEY } from './account-api-key-import.js';
import { deleteUsage } from './account-usage.js';

export function usagePlanKeyShape(key: ApiKey): Record<string, unknown> {
  return compact({ id: key.id, type: 'API_KEY', value: key.value, name: key.name });
}

const usagePlanKeyNotFound = (): Error => notFound('Invalid Usage Plan Key identifier specified');

/** The plans `keyId` belongs to. */
export async function plansOfKey(reader: StoreReader, keyId: string): Promise<UsagePlan[]> {
  const members = (await reader.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)).filter((m) => m.keyId === keyId);
  const plans: UsagePlan[] = [];
  for (const m of members) {
    const plan = await reader.getRecord<UsagePlan>(RECORD_KINDS.usagePlan, m.usagePlanId);
    if (plan) plans.push(plan);
  }
  return plans;
}

/**
 * AWS lets a key reach one API stage through one plan only: the data plane must know which
 * plan's limits apply to a request.
 */
export function checkStageOverlap(plan: UsagePlan, keyId: string, otherPlans: readonly UsagePlan[]): void {
  for (const other of otherPlans) {
    if (other.id === plan.id) continue;
    const shared = plan.apiStages.find((s) => other.apiStages.some((o) => o.apiId === s.apiId && o.stage === s.stage));
    if (shared) {
      throw conflict(
        `Usage Plan ${plan.id} cannot be added because API Key ${keyId} cannot reference multiple Usage Plans with the same API Stage: ${shared.apiId}:${shared.stage}`,
      );
    }
  }
}

const createUsagePlanKey: OperationHandler = async (ctx, req) => {
  const keyId = typeof req.body.keyId === 'string' ? req.body.keyId : '';
  const keyType = req.body.keyType;
  if (keyId === '') throw badRequest('keyId must be specified');
  if (keyType !== 'API_KEY') throw badRequest(`Invalid keyType '${String(keyType ?? '')}': only API_KEY is supported`);
  const key = await ctx.store.transaction(async (tx) => {
    const plan = await readUsagePlan(tx, req.path.usagePlanId!);
    const apiKey = await readApiKey(tx, keyId);
    const id = usagePlanKeyId(plan.id, apiKey.id);
    if (await tx.getRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, id)) throw conflict(`API Key ${apiKey.id} is already in usage plan ${plan.id}`);
    const others = await plansOfKey(tx, apiKey.id);
    if (others.length >= MAX_USAGE_PLANS_PER_KEY) throw limitExceeded(`An API key can be in at most ${MAX_USAGE_PLANS_PER_KEY} usage plans`);
    checkStageOverlap(plan, apiKey.id, others);
    const member: UsagePlanKey = { usagePlanId: plan.id, keyId: apiKey.id, type: 'API_KEY' };
    await tx.putRecord(RECORD_KINDS.usagePlanKey, id, member);
    return apiKey;
  });
  return { body: usagePlanKeyShape(key) };
};

async function readMember(reader: StoreReader, usagePlanId: string, keyId: string): Promise<ApiKey> {
  await readUsagePlan(reader, usagePlanId);
  if (!(await reader.getRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, usagePlanKeyId(usagePlanId, keyId)))) throw usagePlanKeyNotFound();
  const key = await reader.getRecord<ApiKey>(RECORD_KINDS.apiKey, keyId);
  if (!key) throw usagePlanKeyNotFound();
  return key;
}

const getUsagePlanKey: OperationHandler = async (ctx, req) => ({
  body: usagePlanKeyShape(await readMember(ctx.store, req.path.usagePlanId!, req.path.keyId!)),
});

const getUsagePlanKeys: OperationHandler = async (ctx, req) => {
  const plan = await readUsagePlan(ctx.store, req.path.usagePlanId!);
  // The SDKs send nameQuery as `name`.
  const nameQuery = req.query.get('name') ?? '';
  const keys: ApiKey[] = [];
  for (const m of await ctx.store.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)) {
    if (m.usagePlanId !== plan.id) continue;
    const key = await ctx.store.getRecord<ApiKey>(RECORD_KINDS.apiKey, m.keyId);
    if (key && (nameQuery === '' || (key.name ?? '').startsWith(nameQuery))) keys.push(key);
  }
  sortBy(keys, (k) => `${k.name ?? ''}\u0000${k.id}`);
  const page = pageV1(keys, req.query);
  return { body: { ...page, item: page.item.map(usagePlanKeyShape) } };
};

const deleteUsagePlanKey: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const key = await readMember(tx, req.path.usagePlanId!, req.path.keyId!);
    await tx.deleteRecord(RECORD_KINDS.usagePlanKey, usagePlanKeyId(req.path.usagePlanId!, key.id));
    await deleteUsage(tx, req.path.usagePlanId!, key.id);
  });
  return {};
};

export const USAGE_PLAN_KEYS_HANDLERS: HandlerTable = {
  CreateUsagePlanKey: createUsagePlanKey,
  GetUsagePlanKey: getUsagePlanKey,
  GetUsagePlanKeys: getUsagePlanKeys,
  DeleteUsagePlanKey: deleteUsagePlanKey,
};
