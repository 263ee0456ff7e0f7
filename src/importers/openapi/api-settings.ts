/**
 * API-wide extensions: binary media types, API key source, endpoint configuration, resource
 * policy, minimum compression size, request validators and gateway responses.
 */
import type { AccountSettings } from '../../model/settings.js';
import {
  API_KEY_SOURCES,
  ENDPOINT_TYPES,
  type EndpointConfiguration,
  type GatewayResponse,
  type GatewayResponseType,
  type RequestValidator,
  type RestApi,
} from '../../model/rest-api.js';
import { canonicalEnum, isObject, type ImportContext, type SourcePath } from './context.js';
import type { IdAllocator } from './ids.js';
import type { LocationMap } from './locations.js';

export const EXT = {
  binaryMediaTypes: 'x-amazon-apigateway-binary-media-types',
  apiKeySource: 'x-amazon-apigateway-api-key-source',
  endpointConfiguration: 'x-amazon-apigateway-endpoint-configuration',
  policy: 'x-amazon-apigateway-policy',
  minimumCompressionSize: 'x-amazon-apigateway-minimum-compression-size',
  requestValidators: 'x-amazon-apigateway-request-validators',
  requestValidator: 'x-amazon-apigateway-request-validator',
  gatewayResponses: 'x-amazon-apigateway-gateway-responses',
} as const;

export type ApiSettings = Pick<
  RestApi,
  'binaryMediaTypes' | 'apiKeySource' | 'endpointConfiguration' | 'policy' | 'minimumCompressionSize' | 'disableExecuteApiEndpoint'
>;

export function buildApiSettings(
  ctx: ImportContext,
  apiId: string,
  account: AccountSettings,
  locations: LocationMap,
): ApiSettings {
  const root = ctx.root;
  const settings: ApiSettings = {
    binaryMediaTypes: ctx.stringList(root, EXT.binaryMediaTypes, []) ?? [],
    apiKeySource: canonicalEnum(ctx.string(root, EXT.apiKeySource, []), API_KEY_SOURCES) ?? 'HEADER',
    endpointConfiguration: { types: ['EDGE'] },
    disableExecuteApiEndpoint: false,
  };
  locations.add(['restApi', 'binaryMediaTypes'], [EXT.binaryMediaTypes]);
  locations.add(['restApi', 'apiKeySource'], [EXT.apiKeySource]);
  locations.add(['restApi', 'minimumCompressionSize'], [EXT.minimumCompressionSize]);
  locations.add(['restApi', 'policy'], [EXT.policy]);

  const minimum = ctx.number(root, EXT.minimumCompressionSize, []);
  if (minimum !== undefined) settings.minimumCompressionSize = minimum;

  const policy = root[EXT.policy];
  if (isObject(policy)) {
    settings.policy = JSON.stringify(expandPolicyResources(policy, `arn:aws:execute-api:${account.region}:${account.accountId}:${apiId}`));
  } else if (typeof policy === 'string') {
    settings.policy = policy;
  } else if (policy !== undefined) {
    ctx.problem([EXT.policy], 'expected a policy document (an object)');
  }

  const endpoint = findEndpointConfiguration(ctx);
  if (endpoint) {
    const [config, path] = endpoint;
    locations.add(['restApi', 'endpointConfiguration'], path);
    locations.add(['restApi', 'disableExecuteApiEndpoint'], [...path, 'disableExecuteApiEndpoint']);
    const types = typeof config.types === 'string' ? [config.types] : ctx.stringList(config, 'types', path);
    const result: EndpointConfiguration = {
      types: (types ?? ['EDGE']).map((t) => canonicalEnum(t, ENDPOINT_TYPES)!),
    };
    const vpcEndpointIds = ctx.stringList(config, 'vpcEndpointIds', path);
    if (vpcEndpointIds !== undefined) result.vpcEndpointIds = vpcEndpointIds;
    settings.endpointConfiguration = result;
    settings.disableExecuteApiEndpoint = ctx.boolean(config, 'disableExecuteApiEndpoint', path) ?? false;
  }
  return settings;
}

/**
 * Swagger 2.0 puts the endpoint configuration at the top level; OpenAPI 3 puts it on a Server
 * object. Both places are read whatever the version, the first found wins.
 */
function findEndpointConfiguration(ctx: ImportContext): [Record<string, unknown>, SourcePath] | undefined {
  const candidates: SourcePath[] = [[EXT.endpointConfiguration]];
  const servers = ctx.root.servers;
  if (Array.isArray(servers)) {
    servers.forEach((_, i) => candidates.push(['servers', String(i), EXT.endpointConfiguration]));
  }
  for (const path of candidates) {
    const value = ctx.at(path);
    if (value === undefined) continue;
    const config = ctx.object(value, path);
    return config ? [config, path] : undefined;
  }
  return undefined;
}

/**
 * AWS lets policies name the API being imported as `execute-api:/…` (its id is not known yet)
 * and expands that to the API's ARN on import.
 */
function expandPolicyResources(policy: Record<string, unknown>, apiArn: string): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(policy)) as Record<string, unknown>;
  const expand = (resource: unknown): unknown =>
    typeof resource === 'string' && resource.startsWith('execute-api:/') ? apiArn + resource.slice('execute-api:'.length) : resource;
  const statements = Array.isArray(copy.Statement) ? copy.Statement : [copy.Statement];
  for (const statement of statements) {
    if (!isObject(statement)) continue;
    for (const key of ['Resource', 'NotResource']) {
      const value = statement[key];
      if (Array.isArray(value)) statement[key] = value.map(expand);
      else if (value !== undefined) statement[key] = expand(value);
    }
  }
  return copy;
}

export interface ValidatorRef {
  id: string;
  path: SourcePath;
}

export function buildRequestValidators(
  ctx: ImportContext,
  ids: IdAllocator,
  locations: LocationMap,
): { requestValidators: Record<string, RequestValidator>; byName: Map<string, ValidatorRef>; apiDefault?: ValidatorRef } {
  const requestValidators: Record<string, RequestValidator> = {};
  const byName = new Map<string, ValidatorRef>();
  const definitions = ctx.optionalObject(ctx.root, EXT.requestValidators, []);
  for (const [name, raw] of Object.entries(definitions ?? {})) {
    const path = [EXT.requestValidators, name];
    const definition = ctx.object(raw, path);
    if (!definition) continue;
    const id = ids.validator(name);
    requestValidators[id] = {
      id,
      name,
      validateRequestBody: ctx.boolean(definition, 'validateRequestBody', path) ?? false,
      validateRequestParameters: ctx.boolean(definition, 'validateRequestParameters', path) ?? false,
    };
    byName.set(name, { id, path });
    locations.add(['requestValidators', id], path);
    locations.add(['requestValidators', id, 'name'], path);
  }
  const apiDefault = lookupValidator(ctx, byName, ctx.root, []);
  return { requestValidators, byName, ...(apiDefault ? { apiDefault } : {}) };
}

/** The validator `x-amazon-apigateway-request-validator` names on `holder`, if any. */
export function lookupValidator(
  ctx: ImportContext,
  byName: Map<string, ValidatorRef>,
  holder: Record<string, unknown>,
  holderPath: SourcePath,
): ValidatorRef | undefined {
  const name = ctx.string(holder, EXT.requestValidator, holderPath);
  if (name === undefined) return undefined;
  const path = [...holderPath, EXT.requestValidator];
  const found = byName.get(name);
  if (!found) {
    ctx.problem(path, `there is no request validator '${name}' in ${EXT.requestValidators}`);
    return undefined;
  }
  return { id: found.id, path };
}

export function buildGatewayResponses(
  ctx: ImportContext,
  locations: LocationMap,
): Partial<Record<GatewayResponseType, GatewayResponse>> {
  const out: Partial<Record<GatewayResponseType, GatewayResponse>> = {};
  const responses = ctx.optionalObject(ctx.root, EXT.gatewayResponses, []);
  for (const [type, raw] of Object.entries(responses ?? {})) {
    const path = [EXT.gatewayResponses, type];
    const definition = ctx.object(raw, path);
    if (!definition) continue;
    // Unknown types are kept so that model validation reports them with the list of valid ones.
    const responseType = type as GatewayResponseType;
    const response: GatewayResponse = {
      responseType,
      responseParameters: ctx.stringMap(definition, 'responseParameters', path),
      responseTemplates: ctx.stringMap(definition, 'responseTemplates', path),
    };
    const statusCode = ctx.stringish(definition, 'statusCode', path);
    if (statusCode !== undefined) response.statusCode = statusCode;
    out[responseType] = response;
    locations.add(['gatewayResponses', type], path);
    locations.add(['gatewayResponses', type, 'responseType'], path);
  }
  return out;
}
