/**
 * apigateway (v1) API keys: CreateApiKey, GetApiKey, GetApiKeys, UpdateApiKey, DeleteApiKey and
 * ImportApiKeys. Keys are account-level records; a key's value is what callers send in
 * `x-api-key`, so values are unique in the account and only shown when asked for.
 */
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS, type ApiKey, type UsagePlanKey } from '../../model/usage-plan.js';
import { randomId } from '../../model/ids.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, notFound } from '../errors.js';
import { parsePatchOperations, requireValue, type PatchOperation } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { checkTags, nowSeconds, optionalString, readApiKey, restStageExists, sortBy } from './account-common.js';
import {
  checkApiKeyDescription,
  checkApiKeyName,
  checkApiKeyValue,
  generateApiKeyValue,
  insertApiKey,
  usagePlanKeyId,
} from './account-api-key-rules.js';
import { importApiKeys } from './account-api-key-import.js';

export interface ApiKeyShapeOptions {
  includeValue: boolean;
  /** Get and Update answer `tags: {}` even when there are none; Create and list items do not. */
  alwaysTags: boolean;
}

/** An ApiKey as the wire shows it. `stageKeys` is always present, as AWS sends it. */
export function apiKeyShape(key: ApiKey, options: ApiKeyShapeOptions): Record<string, unknown> {
  return {
    ...compact({
      id: key.id,
      value: options.includeValue ? key.value : undefined,
      name: key.name,
      customerId: key.customerId,
      description: key.description,
      enabled: key.enabled,
      createdDate: key.createdDate,
      lastUpdatedDate: key.lastUpdatedDate,
    }),
    stageKeys: key.stageKeys,
    ...(options.alwaysTags || Object.keys(key.tags).length > 0 ? { tags: key.tags } : {}),
  };
}

/** Checks a `restApiId/stageName` stage key against the store. */
async function checkStageKey(reader: StoreReader, restApiId: string, stageName: string): Promise<string> {
  if (!(await restStageExists(reader, restApiId, stageName))) {
    throw notFound(`Invalid stage identifier specified: ${restApiId}/${stageName}`);
  }
  return `${restApiId}/${stageName}`;
}

async function readStageKeys(reader: StoreReader, raw: unknown): Promise<string[]> {
  if (raw === undefined || raw === null) return [];
  const out: string[] = [];
  for (const [i, item] of (raw as unknown[]).entries()) {
    const { restApiId, stageName } = (item ?? {}) as Record<string, unknown>;
    if (typeof restApiId !== 'string' || typeof stageName !== 'string' || restApiId === '' || stageName === '') {
      throw badRequest(`stageKeys[${i}] must have a restApiId and a stageName`);
    }
    const key = await checkStageKey(reader, restApiId, stageName);
    if (!out.includes(key)) out.push(key);
  }
  return out;
}

const createApiKey: OperationHandler = async (ctx, req) => {
  const { body } = req;
  const name = optionalString(body, 'name');
  const description = optionalString(body, 'description');
  const given = typeof body.value === 'string' ? body.value : undefined;
  checkApiKeyName(name);
  if (given !== undefined) checkApiKeyValue(given);
  checkApiKeyDescription(description);
  const tags = checkTags(body.tags);
  const key = await ctx.store.transaction(async (tx) => {
    const now = nowSeconds();
    const created: ApiKey = {
      id: randomId(10),
      value: given ?? generateApiKeyValue(),
      name,
      description,
      enabled: body.enabled === true,
      customerId: optionalString(body, 'customerId'),
      createdDate: now,
      lastUpdatedDate: now,
      stageKeys: await readStageKeys(tx, body.stageKeys),
      tags,
    };
    await insertApiKey(tx, created);
    return created;
  });
  return { body: apiKeyShape(key, { includeValue: true, alwaysTags: false }) };
};

const getApiKey: OperationHandler = async (ctx, req) => {
  const key = await readApiKey(ctx.store, req.path.apiKey!);
  return { body: apiKeyShape(key, { includeValue: req.query.get('includeValue') === 'true', alwaysTags: true }) };
};

const getApiKeys: OperationHandler = async (ctx, req) => {
  // The SDKs send GetApiKeys' nameQuery as `name`.
  const nameQuery = req.query.get('name') ?? '';
  const customerId = req.query.get('customerId');
  const includeValues = req.query.get('includeValues') === 'true';
  const keys = (await ctx.store.listRecords<ApiKey>(RECORD_KINDS.apiKey)).filter(
    (k) => (nameQuery === '' || (k.name ?? '').startsWith(nameQuery)) && (customerId === null || k.customerId === customerId),
  );
  sortBy(keys, (k) => `${k.name ?? ''}\u0000${k.id}`);
  const page = pageV1(keys, req.query);
  return { body: { ...page, item: page.item.map((k) => apiKeyShape(k, { includeValue: includeValues, alwaysTags: false })) } };
};

const SCALAR_PATHS = ['/description', '/enabled', '/name', '/customerId'];

/** Splits a `/stages` patch value `restApiId/stageName`. */
function stageOf(op: PatchOperation): [string, string] {
  const value = requireValue(op);
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw badRequest(`Invalid stage key '${value}': expected restApiId/stageName`);
  return [value.slice(0, slash), value.slice(slash + 1)];
}

async function applyApiKeyPatch(tx: StoreReader, key: ApiKey, op: PatchOperation): Promise<void> {
  if (op.path === '/stages' && (op.op === 'add' || op.op === 'remove')) {
    const [restApiId, stageName] = stageOf(op);
    const stageKey = `${restApiId}/${stageName}`;
    if (op.op === 'add') {
      await checkStageKey(tx, restApiId, stageName);
      if (!key.stageKeys.includes(stageKey)) key.stageKeys.push(stageKey);
    } else {
      if (!key.stageKeys.includes(stageKey)) throw notFound(`Invalid stage identifier specified: ${stageKey}`);
      key.stageKeys = key.stageKeys.filter((s) => s !== stageKey);
    }
    return;
  }
  if (op.op !== 'replace' || !SCALAR_PATHS.includes(op.path)) {
    throw badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Must be one of: [${SCALAR_PATHS.join(', ')}]`);
  }
  const value = op.value === '' ? undefined : op.value;
  switch (op.path) {
    case '/name':
      checkApiKeyName(value);
      key.name = value;
      break;
    case '/description':
      checkApiKeyDescription(value);
      key.description = value;
      break;
    case '/customerId':
      key.customerId = value;
      break;
    case '/enabled':
      // AWS reads anything but "true" as false rather than refusing it.
      key.enabled = (value ?? '').toLowerCase() === 'true';
      break;
  }
}

const updateApiKey: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const key = await ctx.store.transaction(async (tx) => {
    const updated = structuredClone(await readApiKey(tx, req.path.apiKey!));
    for (const op of ops) await applyApiKeyPatch(tx, updated, op);
    updated.lastUpdatedDate = nowSeconds();
    await tx.putRecord(RECORD_KINDS.apiKey, updated.id, updated);
    return updated;
  });
  return { body: apiKeyShape(key, { includeValue: false, alwaysTags: true }) };
};

const deleteApiKey: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const key = await readApiKey(tx, req.path.apiKey!);
    // A deleted key leaves every usage plan it was in.
    for (const member of await tx.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)) {
      if (member.keyId === key.id) await tx.deleteRecord(RECORD_KINDS.usagePlanKey, usagePlanKeyId(member.usagePlanId, key.id));
    }
    await tx.deleteRecord(RECORD_KINDS.apiKey, key.id);
  });
  return {};
};

export const API_KEYS_HANDLERS: HandlerTable = {
  CreateApiKey: createApiKey,
  GetApiKey: getApiKey,
  GetApiKeys: getApiKeys,
  UpdateApiKey: updateApiKey,
  DeleteApiKey: deleteApiKey,
  ImportApiKeys: importApiKeys,
};
