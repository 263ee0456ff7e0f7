/**
 * UpdateUsagePlan's patch paths: /name, /description, /throttle/{burstLimit,rateLimit},
 * /quota/{limit,offset,period}, adding and removing /apiStages (`apiId:stage`), and the
 * method-level throttles under /apiStages/{apiId:stage}/throttle. The operations apply to a
 * copy of the plan; the caller stores it only when every one succeeded.
 */
import type { StoreReader } from '../../store/store.js';
import type { ApiStage, QuotaPeriod, QuotaSettings, ThrottleSettings, UsagePlan } from '../../model/usage-plan.js';
import { badRequest } from '../errors.js';
import { integerValue, invalidPath, requireValue, type PatchOperation } from '../patch.js';
import { restStageExists } from './account-common.js';
import { checkMethodKey, checkMethodThrottles, checkQuota, checkThrottle, invalidApiStage, readMethodThrottles } from './account-usage-plan-rules.js';

const invalidApiStageValue = (): Error => badRequest('Invalid API Stage specified');

function numberValue(op: PatchOperation): number {
  const v = requireValue(op);
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw badRequest(`Invalid value for ${op.path}: '${v}' is not a number`);
  return Number(v);
}

/** `apiId:stage` → its parts, or AWS's 400 for a value that is not one. */
function splitApiStage(value: string | undefined): [string, string] {
  if (value === undefined) throw invalidApiStageValue();
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw invalidApiStageValue();
  return [value.slice(0, colon), value.slice(colon + 1)];
}

function stageIn(plan: UsagePlan, value: string): ApiStage {
  const [apiId, stage] = splitApiStage(value);
  const found = plan.apiStages.find((s) => s.apiId === apiId && s.stage === stage);
  if (!found) throw invalidApiStage(apiId, stage, plan.id);
  return found;
}

function setThrottleMember(target: ThrottleSettings, member: string, op: PatchOperation): void {
  if (member === 'burstLimit') target.burstLimit = integerValue(op);
  else if (member === 'rateLimit') target.rateLimit = numberValue(op);
  else throw invalidPath(op);
  checkThrottle(target, op.path);
}

async function patchApiStages(reader: StoreReader, plan: UsagePlan, op: PatchOperation): Promise<void> {
  const [, stageRef, section, ...rest] = op.segments;
  if (stageRef === undefined) {
    if (op.op !== 'add' && op.op !== 'remove') throw invalidPath(op);
    const [apiId, stage] = splitApiStage(op.value);
    const index = plan.apiStages.findIndex((s) => s.apiId === apiId && s.stage === stage);
    if (op.op === 'remove') {
      if (index === -1) throw invalidApiStage(apiId, stage, plan.id);
      plan.apiStages.splice(index, 1);
    } else if (index === -1) {
      if (!(await restStageExists(reader, apiId, stage))) throw invalidApiStage(apiId, stage, plan.id);
      plan.apiStages.push({ apiId, stage });
    }
    return;
  }
  if (section !== 'throttle') throw invalidPath(op);
  const target = stageIn(plan, stageRef);
  if (rest.length === 0) {
    if (op.op === 'remove') return void delete target.throttle;
    if (op.op !== 'replace' && op.op !== 'add') throw invalidPath(op);
    let parsed: unknown;
    try {
      parsed = JSON.parse(requireValue(op));
    } catch {
      throw badRequest(`Invalid value for ${op.path}: expected a JSON map of method throttle settings`);
    }
    const throttle = readMethodThrottles(parsed, op.path);
    if (throttle) target.throttle = throttle;
    else delete target.throttle;
    return;
  }
  // The resource path may itself hold slashes: /apiStages/a:s/throttle//pets/GET/rateLimit.
  const last = rest[rest.length - 1]!;
  const isMember = last === 'rateLimit' || last === 'burstLimit';
  const keyParts = isMember ? rest.slice(0, -1) : rest;
  const methodKey = checkMethodKey(`/${keyParts.join('/')}`.replace(/^\/\//, '/'));
  const throttles = { ...target.throttle };
  if (op.op === 'remove') {
    if (isMember) delete throttles[methodKey]?.[last];
    else delete throttles[methodKey];
  } else if ((op.op === 'replace' || op.op === 'add') && isMember) {
    const settings = { ...throttles[methodKey] };
    setThrottleMember(settings, last, op);
    throttles[methodKey] = settings;
  } else {
    throw invalidPath(op);
  }
  checkMethodThrottles(throttles);
  if (Object.keys(throttles).length > 0) target.throttle = throttles;
  else delete target.throttle;
}

/** Applies `ops` to `plan` (a copy) and checks the result. */
export async function applyUsagePlanPatch(reader: StoreReader, plan: UsagePlan, ops: readonly PatchOperation[]): Promise<void> {
  let quota: Partial<QuotaSettings> | undefined = plan.quota && { ...plan.quota };
  for (const op of ops) {
    const [head, member, ...rest] = op.segments;
    if (head === 'apiStages') {
      await patchApiStages(reader, plan, op);
      continue;
    }
    if (rest.length > 0) throw invalidPath(op);
    if (head === 'name' && member === undefined && op.op === 'replace') {
      const name = requireValue(op);
      if (name === '') throw badRequest('A usage plan name must not be empty');
      plan.name = name;
    } else if (head === 'description' && member === undefined && (op.op === 'replace' || op.op === 'remove')) {
      if (op.op === 'remove' || !op.value) delete plan.description;
      else plan.description = op.value;
    } else if (head === 'throttle' && (op.op === 'replace' || op.op === 'add' || op.op === 'remove')) {
      if (op.op === 'remove') {
        if (member === undefined) delete plan.throttle;
        else if (member === 'burstLimit' || member === 'rateLimit') delete plan.throttle?.[member];
        else throw invalidPath(op);
      } else if (member !== undefined) {
        const throttle = { ...plan.throttle };
        setThrottleMember(throttle, member, op);
        plan.throttle = throttle;
      } else {
        throw invalidPath(op);
      }
    } else if (head === 'quota' && (op.op === 'replace' || op.op === 'add' || op.op === 'remove')) {
      if (op.op === 'remove' && member === undefined) quota = undefined;
      else if (op.op === 'remove') throw invalidPath(op);
      else if (member === 'limit') quota = { offset: 0, ...quota, limit: integerValue(op) };
      else if (member === 'offset') quota = { ...quota, offset: integerValue(op) };
      else if (member === 'period') quota = { offset: 0, ...quota, period: requireValue(op) as QuotaPeriod };
      else throw invalidPath(op);
    } else {
      throw invalidPath(op);
    }
  }
  if (plan.throttle && Object.keys(plan.throttle).length === 0) delete plan.throttle;
  if (quota === undefined) delete plan.quota;
  else {
    if (quota.limit === undefined || quota.period === undefined) throw badRequest('A quota must have a limit and a period');
    plan.quota = checkQuota({ limit: quota.limit, offset: quota.offset ?? 0, period: quota.period });
  }
}
