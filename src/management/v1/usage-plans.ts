/**
 * apigateway (v1) usage plans: CreateUsagePlan, GetUsagePlan, GetUsagePlans, UpdateUsagePlan and
 * DeleteUsagePlan, with the plan's keys (account-usage-plan-keys.ts) and usage
 * (account-usage.ts). Plans are account-level records; each names the REST API stages it covers.
 */
import { RECORD_KINDS, type UsagePlan, type UsagePlanKey } from '../../model/usage-plan.js';
import { randomId } from '../../model/ids.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest } from '../errors.js';
import { parsePatchOperations } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { checkTags, limitExceeded, nowSeconds, optionalObject, optionalString, readUsagePlan, sortBy } from './account-common.js';
import { usagePlanKeyId } from './account-api-key-rules.js';
import { MAX_USAGE_PLANS, readApiStages, readQuota, readThrottle, usagePlanShape } from './account-usage-plan-rules.js';
import { applyUsagePlanPatch } from './account-usage-plan-patch.js';
import { USAGE_PLAN_KEYS_HANDLERS, checkStageOverlap, plansOfKey } from './account-usage-plan-keys.js';
import { USAGE_HANDLERS, deleteUsage } from './account-usage.js';

const createUsagePlan: OperationHandler = async (ctx, req) => {
  const { body } = req;
  const name = optionalString(body, 'name');
  if (name === undefined) throw badRequest('A usage plan name must be specified');
  const throttleInput = optionalObject(body, 'throttle');
  const quotaInput = optionalObject(body, 'quota');
  const throttle = throttleInput && readThrottle(throttleInput, 'throttle');
  const quota = quotaInput && readQuota(quotaInput);
  const tags = checkTags(body.tags);
  const plan = await ctx.store.transaction(async (tx) => {
    if ((await tx.listRecords<UsagePlan>(RECORD_KINDS.usagePlan)).length >= MAX_USAGE_PLANS) {
      throw limitExceeded(`An account can have at most ${MAX_USAGE_PLANS} usage plans`);
    }
    const id = randomId(6);
    const created: UsagePlan = {
      id,
      name,
      description: optionalString(body, 'description'),
      apiStages: await readApiStages(tx, body.apiStages, id),
      ...(throttle && Object.keys(throttle).length > 0 ? { throttle } : {}),
      ...(quota ? { quota } : {}),
      tags,
      createdDate: nowSeconds(),
    };
    await tx.putRecord(RECORD_KINDS.usagePlan, id, created);
    return created;
  });
  return { body: usagePlanShape(plan, false) };
};

const getUsagePlan: OperationHandler = async (ctx, req) => ({
  body: usagePlanShape(await readUsagePlan(ctx.store, req.path.usagePlanId!), true),
});

const getUsagePlans: OperationHandler = async (ctx, req) => {
  const keyId = req.query.get('keyId');
  let plans = await ctx.store.listRecords<UsagePlan>(RECORD_KINDS.usagePlan);
  if (keyId !== null && keyId !== '') {
    const members = new Set(
      (await ctx.store.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)).filter((m) => m.keyId === keyId).map((m) => m.usagePlanId),
    );
    plans = plans.filter((p) => members.has(p.id));
  }
  sortBy(plans, (p) => `${p.name}\u0000${p.id}`);
  const page = pageV1(plans, req.query);
  return { body: { ...page, item: page.item.map((p) => usagePlanShape(p, false)) } };
};

const updateUsagePlan: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const plan = await ctx.store.transaction(async (tx) => {
    const updated = structuredClone(await readUsagePlan(tx, req.path.usagePlanId!));
    await applyUsagePlanPatch(tx, updated, ops);
    // A stage added to the plan must not reach a key through two plans.
    for (const m of await tx.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)) {
      if (m.usagePlanId === updated.id) checkStageOverlap(updated, m.keyId, await plansOfKey(tx, m.keyId));
    }
    await tx.putRecord(RECORD_KINDS.usagePlan, updated.id, updated);
    return updated;
  });
  return { body: usagePlanShape(plan, true) };
};

const deleteUsagePlan: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const plan = await readUsagePlan(tx, req.path.usagePlanId!);
    for (const m of await tx.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)) {
      if (m.usagePlanId === plan.id) await tx.deleteRecord(RECORD_KINDS.usagePlanKey, usagePlanKeyId(plan.id, m.keyId));
    }
    await deleteUsage(tx, plan.id);
    await tx.deleteRecord(RECORD_KINDS.usagePlan, plan.id);
  });
  return {};
};

export const USAGE_PLANS_HANDLERS: HandlerTable = {
  CreateUsagePlan: createUsagePlan,
  GetUsagePlan: getUsagePlan,
  GetUsagePlans: getUsagePlans,
  UpdateUsagePlan: updateUsagePlan,
  DeleteUsagePlan: deleteUsagePlan,
  ...USAGE_PLAN_KEYS_HANDLERS,
  ...USAGE_HANDLERS,
};
