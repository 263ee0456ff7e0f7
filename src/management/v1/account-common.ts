/**
 * What the account-level families (API keys, usage plans, domain names, tags, account) share:
 * reading their records or answering AWS's NotFoundException, checking tags and the small
 * scalar inputs their request bodies carry.
 */
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS, type ApiKey, type Tags, type UsagePlan } from '../../model/usage-plan.js';
import { ManagementError, badRequest, notFound } from '../errors.js';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export const limitExceeded = (message: string): ManagementError => new ManagementError('LimitExceededException', message);

export async function readApiKey(reader: StoreReader, id: string): Promise<ApiKey> {
  const key = await reader.getRecord<ApiKey>(RECORD_KINDS.apiKey, id);
  if (!key) throw notFound('Invalid API Key identifier specified');
  return key;
}

export async function readUsagePlan(reader: StoreReader, id: string): Promise<UsagePlan> {
  const plan = await reader.getRecord<UsagePlan>(RECORD_KINDS.usagePlan, id);
  if (!plan) throw notFound('Invalid Usage Plan ID specified');
  return plan;
}

/** Whether `restApiId` is a REST API with a stage `stageName`. */
export async function restStageExists(reader: StoreReader, restApiId: string, stageName: string): Promise<boolean> {
  const api = await reader.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') return false;
  return (await reader.getStage(restApiId, stageName)) !== undefined;
}

/** AWS bounds every taggable resource alike. */
export const MAX_TAGS = 50;

/** Checks a `tags` map (already known to be an object) and returns it as string pairs. */
export function checkTags(raw: unknown, existing: Tags = {}): Tags {
  if (raw === undefined || raw === null) return { ...existing };
  const tags: Tags = { ...existing };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') throw badRequest(`The value of tag '${key}' must be a string`);
    if (key.length < 1 || key.length > 128) throw badRequest('Tag keys must be between 1 and 128 characters long');
    if (value.length > 256) throw badRequest(`The value of tag '${key}' must be at most 256 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw badRequest(`Tag keys starting with 'aws:' are reserved: ${key}`);
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags`);
  return tags;
}

/** An optional string member; `""` counts as absent, as AWS treats it. */
export function optionalString(body: Readonly<Record<string, unknown>>, member: string): string | undefined {
  const value = body[member];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An optional structure member (nested members are not checked by the service). */
export function optionalObject(body: Readonly<Record<string, unknown>>, member: string): Record<string, unknown> | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${member} must be an object`);
  return value as Record<string, unknown>;
}

/** A nested number member of `object`, or undefined; `integer` refuses fractions. */
export function nestedNumber(object: Record<string, unknown>, member: string, where: string, integer: boolean): number | undefined {
  const value = object[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw badRequest(`${where}.${member} must be ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

/** A nested string member of `object`, or undefined. */
export function nestedString(object: Record<string, unknown>, member: string, where: string): string | undefined {
  const value = object[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${where}.${member} must be a string`);
  return value;
}

/** Sorts records by a key, the order list operations answer in. */
export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
