/**
 * apigateway (v1) base path mappings of custom domain names: CreateBasePathMapping,
 * GetBasePathMapping, GetBasePathMappings, UpdateBasePathMapping and DeleteBasePathMapping.
 * A mapping sends `https://{domain}/{basePath}/…` to a REST API (and optionally one stage);
 * `(none)` is the domain's root. apigatewayv2 sees the same records as API mappings
 * (v2/api-mappings.ts), so every mapping carries the id that API knows it by.
 */
import { createHash } from 'node:crypto';
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS, type BasePathMapping, type DomainName } from '../../model/usage-plan.js';
import { randomId } from '../../model/ids.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { invalidPath, parsePatchOperations, requireValue } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { optionalString, sortBy } from './account-common.js';

export const ROOT_BASE_PATH = '(none)';
/** Characters AWS allows in a base path; `/` separates levels of a multi-level path. */
const BASE_PATH = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;

export const basePathMappingId = (domainName: string, basePath: string): string => `${domainName}/${basePath}`;

/** apigatewayv2's id of a new mapping: 10 lower-case alphanumerics, as AWS hands out. */
export const newApiMappingId = (): string => randomId(10);

/**
 * The apigatewayv2 id of a mapping. Mappings stored before they carried one get an id derived
 * from where they are, so it stays the same on every read.
 */
export function apiMappingIdOf(m: BasePathMapping): string {
  if (m.apiMappingId !== undefined) return m.apiMappingId;
  const digest = createHash('sha256').update(basePathMappingId(m.domainName, m.basePath)).digest();
  let id = '';
  for (let i = 0; i < 10; i++) id += '0123456789abcdefghijklmnopqrstuvwxyz'[digest[i]! % 36];
  return id;
}

export async function readDomainName(reader: StoreReader, name: string): Promise<DomainName> {
  const domain = await reader.getRecord<DomainName>(RECORD_KINDS.domainName, name.toLowerCase());
  if (!domain) throw notFound('Invalid domain name identifier specified');
  return domain;
}

const mappingShape = (m: BasePathMapping): Record<string, unknown> => compact({ basePath: m.basePath, restApiId: m.restApiId, stage: m.stage });

function checkBasePath(basePath: string): string {
  if (basePath === '' || basePath === ROOT_BASE_PATH) return ROOT_BASE_PATH;
  if (!BASE_PATH.test(basePath)) throw badRequest(`Invalid base path '${basePath}': use letters, digits and $-_.+!*'() separated by /`);
  return basePath;
}

/** The REST API, and the stage when one is named, must exist. */
async function checkTarget(reader: StoreReader, restApiId: string, stage: string | undefined): Promise<void> {
  const api = await reader.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') throw badRequest('Invalid REST API identifier specified');
  if (stage !== undefined && !(await reader.getStage(restApiId, stage))) throw badRequest('Invalid stage identifier specified');
}

export async function mappingsOf(reader: StoreReader, domainName: string): Promise<BasePathMapping[]> {
  return (await reader.listRecords<BasePathMapping>(RECORD_KINDS.basePathMapping)).filter((m) => m.domainName === domainName);
}

/** A root mapping takes the whole domain, so it cannot share it with other base paths. */
function checkRootExclusive(existing: readonly BasePathMapping[], basePath: string): void {
  const others = existing.filter((m) => m.basePath !== basePath);
  if (others.length === 0) return;
  if (basePath === ROOT_BASE_PATH || others.some((m) => m.basePath === ROOT_BASE_PATH)) {
    throw conflict('Only one base path mapping is allowed when the base path is empty');
  }
}

const createBasePathMapping: OperationHandler = async (ctx, req) => {
  const restApiId = optionalString(req.body, 'restApiId');
  if (restApiId === undefined) throw badRequest('restApiId must be specified');
  const stage = optionalString(req.body, 'stage');
  const basePath = checkBasePath(optionalString(req.body, 'basePath') ?? ROOT_BASE_PATH);
  const mapping = await ctx.store.transaction(async (tx) => {
    const domain = await readDomainName(tx, req.path.domainName!);
    await checkTarget(tx, restApiId, stage);
    const existing = await mappingsOf(tx, domain.domainName);
    if (existing.some((m) => m.basePath === basePath)) throw conflict('Base path already exists for this domain name');
    checkRootExclusive(existing, basePath);
    const created = compact({ domainName: domain.domainName, basePath, restApiId, stage, apiMappingId: newApiMappingId() }) as unknown as BasePathMapping;
    await tx.putRecord(RECORD_KINDS.basePathMapping, basePathMappingId(domain.domainName, basePath), created);
    return created;
  });
  return { body: mappingShape(mapping) };
};

async function readMapping(reader: StoreReader, domainName: string, basePath: string): Promise<BasePathMapping> {
  const domain = await readDomainName(reader, domainName);
  const key = basePath === '' ? ROOT_BASE_PATH : basePath;
  const mapping = await reader.getRecord<BasePathMapping>(RECORD_KINDS.basePathMapping, basePathMappingId(domain.domainName, key));
  if (!mapping) throw notFound('Invalid base path mapping identifier specified');
  return mapping;
}

const getBasePathMapping: OperationHandler = async (ctx, req) => ({
  body: mappingShape(await readMapping(ctx.store, req.path.domainName!, req.path.basePath!)),
});

const getBasePathMappings: OperationHandler = async (ctx, req) => {
  const domain = await readDomainName(ctx.store, req.path.domainName!);
  const page = pageV1(sortBy(await mappingsOf(ctx.store, domain.domainName), (m) => m.basePath), req.query);
  return { body: { ...page, item: page.item.map(mappingShape) } };
};

const updateBasePathMapping: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const mapping = await ctx.store.transaction(async (tx) => {
    const stored = await readMapping(tx, req.path.domainName!, req.path.basePath!);
    const updated: BasePathMapping = { ...stored };
    for (const op of ops) {
      if (op.op !== 'replace') throw invalidPath(op);
      // AWS spells the API member `/restapiId` in patch paths.
      if (op.path === '/restapiId' || op.path === '/restApiId') updated.restApiId = requireValue(op);
      else if (op.path === '/basePath') updated.basePath = checkBasePath(op.value ?? '');
      else if (op.path === '/stage') {
        if (op.value === undefined || op.value === '') delete updated.stage;
        else updated.stage = op.value;
      } else throw invalidPath(op);
    }
    await checkTarget(tx, updated.restApiId, updated.stage);
    const others = (await mappingsOf(tx, updated.domainName)).filter((m) => m.basePath !== stored.basePath);
    if (updated.basePath !== stored.basePath && others.some((m) => m.basePath === updated.basePath)) {
      throw conflict('Base path already exists for this domain name');
    }
    checkRootExclusive(others, updated.basePath);
    await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(stored.domainName, stored.basePath));
    await tx.putRecord(RECORD_KINDS.basePathMapping, basePathMappingId(updated.domainName, updated.basePath), updated);
    return updated;
  });
  return { body: mappingShape(mapping) };
};

const deleteBasePathMapping: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const mapping = await readMapping(tx, req.path.domainName!, req.path.basePath!);
    await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(mapping.domainName, mapping.basePath));
  });
  return {};
};

export const BASE_PATH_MAPPINGS_HANDLERS: HandlerTable = {
  CreateBasePathMapping: createBasePathMapping,
  GetBasePathMapping: getBasePathMapping,
  GetBasePathMappings: getBasePathMappings,
  UpdateBasePathMapping: updateBasePathMapping,
  DeleteBasePathMapping: deleteBasePathMapping,
};
