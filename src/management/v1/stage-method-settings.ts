/**
 * UpdateStage's method-setting paths: `/*\/*\/<group>/<setting>` for the stage default and
 * `/<~1escaped~1resource~1path>/<METHOD>/<group>/<setting>` per method, stored under `*\/*` or
 * `~1resource~1path/METHOD` as AWS shows them. A method's first setting brings AWS's defaults
 * for all the others, as GetStage then shows them.
 */
import type { MethodSetting } from '../../model/api.js';
import { HTTP_METHODS } from '../../model/rest-api.js';
import { badRequest } from '../errors.js';
import type { PatchOperation } from '../patch.js';

type SettingName = keyof MethodSetting;

interface SettingRule {
  member: SettingName;
  parse(op: PatchOperation, value: string): MethodSetting[SettingName];
}

const bool = (op: PatchOperation, v: string): boolean => {
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw badRequest(`Invalid value '${v}' for ${op.path}: must be true or false`);
};

const integer = (min: number, max: number) => (op: PatchOperation, v: string): number => {
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw badRequest(`Invalid value '${v}' for ${op.path}: must be an integer from ${min} to ${max}`);
  }
  return Number(v);
};

const oneOf = <T extends string>(values: readonly T[]) => (op: PatchOperation, v: string): T => {
  const found = values.find((x) => x === v.toUpperCase());
  if (!found) throw badRequest(`Invalid value '${v}' for ${op.path}: must be one of ${values.join(', ')}`);
  return found;
};

/** Stage throttling is bounded by the account's default limits on AWS. */
const MAX_RATE = 10000;
const MAX_BURST = 5000;

const RULES: Record<string, SettingRule> = {
  'metrics/enabled': { member: 'metricsEnabled', parse: bool },
  'logging/loglevel': { member: 'loggingLevel', parse: oneOf(['OFF', 'ERROR', 'INFO'] as const) },
  'logging/dataTrace': { member: 'dataTraceEnabled', parse: bool },
  'throttling/burstLimit': { member: 'throttlingBurstLimit', parse: integer(0, MAX_BURST) },
  'throttling/rateLimit': {
    member: 'throttlingRateLimit',
    parse: (op, v) => {
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) > MAX_RATE) throw badRequest(`Invalid value '${v}' for ${op.path}: must be a number from 0 to ${MAX_RATE}`);
      return Number(v);
    },
  },
  'caching/enabled': { member: 'cachingEnabled', parse: bool },
  'caching/ttlInSeconds': { member: 'cacheTtlInSeconds', parse: integer(0, 3600) },
  'caching/dataEncrypted': { member: 'cacheDataEncrypted', parse: bool },
  'caching/requireAuthorizationForCacheControl': { member: 'requireAuthorizationForCacheControl', parse: bool },
  'caching/unauthorizedCacheControlHeaderStrategy': {
    member: 'unauthorizedCacheControlHeaderStrategy',
    parse: oneOf(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'] as const),
  },
};

/** What GetStage shows for a method's settings before any of them is changed. */
export const DEFAULT_METHOD_SETTING: Required<MethodSetting> = {
  metricsEnabled: false,
  loggingLevel: 'OFF',
  dataTraceEnabled: false,
  throttlingBurstLimit: MAX_BURST,
  throttlingRateLimit: MAX_RATE,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
};

/** The raw (still `~1`-escaped) segments of a patch path. */
const rawSegments = (path: string): string[] => (path.startsWith('/') ? path.slice(1) : path).split('/');

/** `*\/*` or an escaped resource path and a method; undefined when the pair is neither. */
function settingsKey(resource: string, method: string): string | undefined {
  if (resource === '*') return method === '*' ? '*/*' : undefined;
  if (!resource.startsWith('~1')) return undefined;
  if (method !== '*' && !(HTTP_METHODS as readonly string[]).includes(method)) return undefined;
  return `${resource}/${method}`;
}

/** Whether the path is a method setting (`/<resource>/<method>/<group>/<setting>`). */
export function isMethodSettingPath(op: PatchOperation): boolean {
  const raw = rawSegments(op.path);
  return raw.length === 4 && settingsKey(raw[0]!, raw[1]!) !== undefined && Object.hasOwn(RULES, `${raw[2]}/${raw[3]}`);
}

/** Sets one method setting (add / replace). */
export function setMethodSetting(settings: Record<string, MethodSetting>, op: PatchOperation): void {
  const raw = rawSegments(op.path);
  const key = settingsKey(raw[0]!, raw[1]!)!;
  const rule = RULES[`${raw[2]}/${raw[3]}`]!;
  if (op.value === undefined) throw badRequest(`Invalid null or empty value in ${op.path}`);
  const value = rule.parse(op, op.value);
  settings[key] = { ...DEFAULT_METHOD_SETTING, ...settings[key], [rule.member]: value };
}

/**
 * `remove` of `/<resource>/<method>` (all of that method's settings) or of one setting. AWS
 * reads any two-segment path this way, hence its wording for e.g. `/accessLogSettings/x`.
 */
export function removeMethodSetting(settings: Record<string, MethodSetting>, op: PatchOperation): boolean {
  const raw = rawSegments(op.path);
  if (raw.length !== 2 && !isMethodSettingPath(op)) return false;
  const key = settingsKey(raw[0]!, raw[1]!) ?? `${raw[0]}/${raw[1]}`;
  const current = settings[key];
  if (!current) {
    throw badRequest(`Cannot remove method setting ${raw[0]}/${raw[1]} because there is no method setting for this method `);
  }
  if (raw.length === 2) {
    delete settings[key];
  } else {
    // A single setting goes back to its default; the method's entry stays.
    const rule = RULES[`${raw[2]}/${raw[3]}`]!;
    settings[key] = { ...current, [rule.member]: DEFAULT_METHOD_SETTING[rule.member] };
  }
  return true;
}
