/**
 * apigatewayv2 API mappings: CreateApiMapping, GetApiMapping, GetApiMappings, UpdateApiMapping
 * and DeleteApiMapping. An API mapping is what apigateway (v1) calls a base path mapping, and
 * AWS keeps one resource behind both names, so these read and write v1's records: the mapping
 * key `""` is v1's `(none)`, and the mapping may point at a REST, HTTP or WebSocket API.
 */
import type { ApiRecord, ProtocolType } from '../../model/api.js';
import { RECORD_KINDS, type BasePathMapping, type DomainName } from '../../model/usage-plan.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { ROOT_BASE_PATH, apiMappingIdOf, basePathMappingId, mappingsOf, newApiMappingId } from '../v1/account-base-path-mappings.js';
import { LIMITS, STAGE_KIND, compact, invalidApiId, stageKey } from './document.js';
import { optionalString, requiredString } from './input.js';
import { readV2DomainName } from './domain-names.js';

/** Characters AWS allows in a mapping key; `/` separates the levels of a multi-level key. */
const MAPPING_KEY = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
const MAX_KEY_LENGTH = 300;

const keyOf = (basePath: string): string => (basePath === ROOT_BASE_PATH ? '' : basePath);

export const apiMappingShape = (m: BasePathMapping): Record<string, unknown> =>
  compact({ apiId: m.restApiId, apiMappingId: apiMappingIdOf(m), apiMappingKey: keyOf(m.basePath), stage: m.stage });

/** The stored base path of a mapping key. */
function basePathOf(key: string): string {
  if (key === '' || key === ROOT_BASE_PATH) return ROOT_BASE_PATH;
  if (key.length > MAX_KEY_LENGTH) throw badRequest(`The API mapping key must be at most ${MAX_KEY_LENGTH} characters long`);
  if (!MAPPING_KEY.test(key)) {
    throw badRequest(`Invalid API mapping key '${key}': use letters, digits and $-_.+!*'() in levels separated by /`);
  }
  return key;
}

/** The protocol of the mapped API; the API and its stage must exist. */
async function targetProtocol(ctx: ManagementContext, reader: StoreReader, apiId: string, stage: string): Promise<ProtocolType> {
  const api = (await reader.getApi(apiId)) as ApiRecord<unknown> | undefined;
  if (!api) throw invalidApiId(ctx, apiId);
  const stageExists =
    api.protocolType === 'REST' ? (await reader.getStage(apiId, stage)) !== undefined : (await reader.getRecord(STAGE_KIND, stageKey(apiId, stage))) !== undefined;
  if (!stageExists) throw badRequest('Invalid stage identifier specified');
  return api.protocolType;
}

async function protocolOf(reader: StoreReader, apiId: string): Promise<ProtocolType | undefined> {
  return ((await reader.getApi(apiId)) as ApiRecord<unknown> | undefined)?.protocolType;
}

/** AWS's rules for what may share a domain and which domains take which mappings. */
async function checkPlacement(reader: StoreReader, domain: DomainName, others: readonly BasePathMapping[], mapping: BasePathMapping, protocol: ProtocolType): Promise<void> {
  const regionalTls12 = domain.endpointConfiguration.types[0] === 'REGIONAL' && domain.securityPolicy === 'TLS_1_2';
  if (protocol === 'HTTP' && !regionalTls12) throw badRequest('HTTP APIs can be mapped only to a REGIONAL domain name with the TLS_1_2 security policy');
  if (protocol === 'HTTP' && (domain.routingRules ?? []).length > 0) {
    throw badRequest('HTTP APIs cannot be mapped to a domain name that has routing rules');
  }
  if (mapping.basePath.includes('/')) {
    if (protocol === 'WEBSOCKET') throw badRequest('API mappings of WebSocket APIs cannot have multiple levels');
    if (!regionalTls12) throw badRequest('API mappings with multiple levels need a REGIONAL domain name with the TLS_1_2 security policy');
  }
  for (const other of others) {
    const otherProtocol = await protocolOf(reader, other.restApiId);
    if (otherProtocol !== undefined && (otherProtocol === 'WEBSOCKET') !== (protocol === 'WEBSOCKET')) {
      throw badRequest('A domain name cannot map WebSocket APIs together with REST or HTTP APIs');
    }
  }
  if (others.some((m) => m.basePath === mapping.basePath)) throw conflict(`ApiMapping key already exists for this domain name: ${keyOf(mapping.basePath)}`);
}

async function readApiMapping(reader: StoreReader, domainName: string, apiMappingId: string): Promise<BasePathMapping> {
  const domain = await readV2DomainName(reader, domainName);
  const mapping = (await mappingsOf(reader, domain.domainName)).find((m) => apiMappingIdOf(m) === apiMappingId);
  if (!mapping) throw notFound(`Invalid API mapping identifier specified ${apiMappingId}`);
  return mapping;
}

export const API_MAPPINGS_HANDLERS: HandlerTable = {
  async CreateApiMapping(ctx, req) {
    const apiId = requiredString(req.body, 'apiId');
    const stage = requiredString(req.body, 'stage', 128);
    const path = basePathOf(optionalString(req.body, 'apiMappingKey') ?? '');
    const created = await ctx.store.transaction(async (tx) => {
      const domain = await readV2DomainName(tx, req.path['DomainName']!);
      const protocol = await targetProtocol(ctx, tx, apiId, stage);
      const existing = await mappingsOf(tx, domain.domainName);
      if (existing.length >= LIMITS.apiMappingsPerDomain) {
        throw badRequest(`A domain name can have at most ${LIMITS.apiMappingsPerDomain} API mappings`);
      }
      const mapping: BasePathMapping = { domainName: domain.domainName, basePath: path, restApiId: apiId, stage, apiMappingId: newApiMappingId() };
      await checkPlacement(tx, domain, existing, mapping, protocol);
      await tx.putRecord(RECORD_KINDS.basePathMapping, basePathMappingId(domain.domainName, path), mapping);
      return mapping;
    });
    return { body: apiMappingShape(created) };
  },

  async GetApiMapping(ctx, req) {
    return { body: apiMappingShape(await readApiMapping(ctx.store, req.path['DomainName']!, req.path['ApiMappingId']!)) };
  },

  async GetApiMappings(ctx, req) {
    const domain = await readV2DomainName(ctx.store, req.path['DomainName']!);
    const all = (await mappingsOf(ctx.store, domain.domainName)).sort((a, b) => (a.basePath < b.basePath ? -1 : a.basePath > b.basePath ? 1 : 0));
    const { items, nextToken } = pageV2(all, req.query);
    return { body: compact({ items: items.map(apiMappingShape), nextToken }) };
  },

  async UpdateApiMapping(ctx, req) {
    const apiId = requiredString(req.body, 'apiId');
    const key = optionalString(req.body, 'apiMappingKey');
    const stage = optionalString(req.body, 'stage', 128);
    const updated = await ctx.store.transaction(async (tx) => {
      const current = await readApiMapping(tx, req.path['DomainName']!, req.path['ApiMappingId']!);
      const domain = await readV2DomainName(tx, current.domainName);
      const next: BasePathMapping = {
        ...current,
        apiMappingId: apiMappingIdOf(current),
        restApiId: apiId,
        basePath: key === undefined ? current.basePath : basePathOf(key),
        ...(stage !== undefined ? { stage } : {}),
      };
      // v1 mappings may leave the stage open; apigatewayv2 always names one.
      if (next.stage === undefined) throw badRequest('Invalid stage identifier specified');
      const protocol = await targetProtocol(ctx, tx, next.restApiId, next.stage);
      const others = (await mappingsOf(tx, domain.domainName)).filter((m) => m.basePath !== current.basePath);
      await checkPlacement(tx, domain, others, next, protocol);
      await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(current.domainName, current.basePath));
      await tx.putRecord(RECORD_KINDS.basePathMapping, basePathMappingId(next.domainName, next.basePath), next);
      return next;
    });
    return { body: apiMappingShape(updated) };
  },

  async DeleteApiMapping(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const mapping = await readApiMapping(tx, req.path['DomainName']!, req.path['ApiMappingId']!);
      await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(mapping.domainName, mapping.basePath));
    });
    return {};
  },
};
