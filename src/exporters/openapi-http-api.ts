/**
 * Export of an HTTP API as OpenAPI 3.0 (apigatewayv2 ExportApi), the inverse of the HTTP API
 * importer: routes become operations, with their integrations and authorizers in API Gateway's
 * extensions, so the document imports again as the same API. Without extensions the document is
 * plain OpenAPI: routes that only an extension can express (ANY, `$default`) are left out.
 */
import type { Api, Authorizer, HttpApiDocument, Integration, Route } from '../model/http-api.js';
import { DEFAULT_ROUTE_PATH, EXT, IMPORT_EXPORT_VERSION } from '../importers/openapi-http-api.js';
import { AUTHORIZER_EXT, AUTHTYPE_EXT } from '../importers/openapi-http-api-authorizers.js';
import { INTEGRATION_EXT } from '../importers/openapi-http-api-integrations.js';

export interface HttpApiExportOptions {
  /** The API's invoke endpoint, `https://{apiId}.execute-api.{region}.amazonaws.com`. */
  endpoint: string;
  /** The stage exported; without one the document describes the API as it is now. */
  stageName?: string;
  includeExtensions: boolean;
  /** ISO-8601 time this state of the API was made; the version of an API that sets none. */
  madeAt: string;
}

type Json = Record<string, unknown>;

const DEFAULT_API_KEY_SELECTION = '$request.header.x-api-key';
/** Operation members in the order OpenAPI path items list them. */
const METHOD_ORDER = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'ANY'];
const PATH_VARIABLE = /\{([^}/]+)\}/g;

/** `2024-05-01 12:30:00UTC`: the version API Gateway gives the export of an API without one. */
export function exportDateVersion(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}UTC`;
}

const nonEmpty = (value: object | undefined): boolean => value !== undefined && Object.keys(value).length > 0;

function integrationExtension(i: Integration): Json {
  const out: Json = { payloadFormatVersion: i.payloadFormatVersion ?? '1.0', type: i.integrationType.toLowerCase() };
  if (i.integrationMethod !== undefined) out.httpMethod = i.integrationMethod;
  if (i.integrationSubtype !== undefined) out.integrationSubtype = i.integrationSubtype;
  if (i.integrationUri !== undefined) out.uri = i.integrationUri;
  out.connectionType = i.connectionType;
  if (i.connectionId !== undefined) out.connectionId = i.connectionId;
  if (i.credentialsArn !== undefined) out.credentials = i.credentialsArn;
  if (i.description !== undefined) out.description = i.description;
  if (nonEmpty(i.requestParameters)) out.requestParameters = i.requestParameters;
  if (nonEmpty(i.responseParameters)) out.responseParameters = i.responseParameters;
  if (i.tlsConfig?.serverNameToVerify !== undefined) out.tlsConfig = { serverNameToVerify: i.tlsConfig.serverNameToVerify };
  out.timeoutInMillis = i.timeoutInMillis;
  return out;
}

function authorizerScheme(a: Authorizer): Json {
  const ext: Json = {};
  if (a.identitySource.length > 0) ext.identitySource = a.identitySource.join(', ');
  if (a.authorizerType === 'JWT') {
    ext.jwtConfiguration = { ...(a.jwtConfiguration?.audience ? { audience: a.jwtConfiguration.audience } : {}), ...(a.jwtConfiguration?.issuer ? { issuer: a.jwtConfiguration.issuer } : {}) };
    ext.type = 'jwt';
    return { type: 'oauth2', flows: {}, [AUTHORIZER_EXT]: ext };
  }
  if (a.authorizerUri !== undefined) ext.authorizerUri = a.authorizerUri;
  if (a.authorizerCredentialsArn !== undefined) ext.authorizerCredentials = a.authorizerCredentialsArn;
  if (a.authorizerPayloadFormatVersion !== undefined) ext.authorizerPayloadFormatVersion = a.authorizerPayloadFormatVersion;
  if (a.authorizerResultTtlInSeconds !== undefined) ext.authorizerResultTtlInSeconds = a.authorizerResultTtlInSeconds;
  if (a.enableSimpleResponses !== undefined) ext.enableSimpleResponses = a.enableSimpleResponses;
  ext.type = 'request';
  // An apiKey scheme names one header or query parameter; other identity sources go unnamed.
  const first = /^\$request\.(header|querystring)\.(.+)$/.exec(a.identitySource[0] ?? '');
  const where = first ? { name: first[2], in: first[1] === 'header' ? 'header' : 'query' } : { name: 'Unused', in: 'header' };
  return { type: 'apiKey', ...where, [AUTHORIZER_EXT]: ext };
}

/** The security schemes of the API: one per authorizer (by its name) and one for IAM when a route uses it. */
function securitySchemes(doc: HttpApiDocument): { schemes: Json; iamScheme: string } {
  const schemes: Json = {};
  // Defined rather than assigned: an authorizer may be named like an Object.prototype member.
  for (const a of doc.authorizers) Object.defineProperty(schemes, a.name, { value: authorizerScheme(a), enumerable: true, writable: true, configurable: true });
  let iamScheme = 'sigv4';
  for (let n = 1; Object.hasOwn(schemes, iamScheme); n++) iamScheme = `sigv4-${n}`;
  if (doc.routes.some((r) => r.authorizationType === 'AWS_IAM')) {
    schemes[iamScheme] = { type: 'apiKey', name: 'Authorization', in: 'header', [AUTHTYPE_EXT]: 'awsSigv4' };
  }
  return { schemes, iamScheme };
}

function operation(doc: HttpApiDocument, route: Route, iamScheme: string): Json {
  const op: Json = {};
  if (route.routeKey === '$default') op.isDefaultRoute = true;
  if (route.operationName !== undefined) op.operationId = route.operationName;
  op.responses = { default: { description: `Default response for ${route.routeKey}` } };
  if (route.authorizationType === 'AWS_IAM') {
    op.security = [{ [iamScheme]: [] }];
  } else if (route.authorizerId !== undefined) {
    const authorizer = doc.authorizers.find((a) => a.authorizerId === route.authorizerId);
    if (authorizer) op.security = [{ [authorizer.name]: route.authorizationType === 'JWT' ? [...(route.authorizationScopes ?? [])] : [] }];
  }
  const integrationId = route.target?.startsWith('integrations/') ? route.target.slice('integrations/'.length) : undefined;
  const integration = doc.integrations.find((i) => i.integrationId === integrationId);
  if (integration) op[INTEGRATION_EXT] = integrationExtension(integration);
  return op;
}

function pathParameters(path: string): Json[] {
  return [...path.matchAll(PATH_VARIABLE)].map((m) => ({
    name: m[1],
    in: 'path',
    description: `Generated path parameter for ${m[1]}`,
    required: true,
    schema: { type: 'string' },
  }));
}

function exportPaths(doc: HttpApiDocument, iamScheme: string): Json {
  const byPath = new Map<string, Route[]>();
  for (const route of doc.routes) {
    const path = route.routeKey === '$default' ? DEFAULT_ROUTE_PATH : route.routeKey.slice(route.routeKey.indexOf(' ') + 1);
    byPath.set(path, [...(byPath.get(path) ?? []), route]);
  }
  const paths: Json = {};
  for (const path of [...byPath.keys()].sort()) {
    const item: Json = {};
    const methodOf = (r: Route): string => (r.routeKey === '$default' ? 'ANY' : r.routeKey.slice(0, r.routeKey.indexOf(' ')));
    const routes = byPath.get(path)!.sort((a, b) => METHOD_ORDER.indexOf(methodOf(a)) - METHOD_ORDER.indexOf(methodOf(b)));
    for (const route of routes) {
      const method = methodOf(route);
      item[method === 'ANY' ? EXT.anyMethod : method.toLowerCase()] = operation(doc, route, iamScheme);
    }
    const parameters = pathParameters(path);
    if (parameters.length > 0) item.parameters = parameters;
    paths[path] = item;
  }
  return paths;
}

/** A copy without API Gateway's extensions, and without path items left empty by their removal. */
function withoutExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensions);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('x-amazon-apigateway-') || key === 'isDefaultRoute') continue;
    Object.defineProperty(out, key, { value: withoutExtensions(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function dropEmptyPathItems(document: Json): void {
  const paths = document.paths as Record<string, Json>;
  for (const [path, item] of Object.entries(paths)) {
    if (Object.keys(item).every((k) => k === 'parameters')) delete paths[path];
  }
}

/** The OpenAPI 3.0 document of `doc` (the API now, or a deployment's snapshot of it). */
export function exportHttpApi(doc: HttpApiDocument, options: HttpApiExportOptions): Json {
  const api: Api = doc.api;
  const info: Json = { title: api.name };
  if (api.description !== undefined) info.description = api.description;
  info.version = api.version ?? exportDateVersion(options.madeAt);
  const server: Json =
    options.stageName === undefined
      ? { url: options.endpoint }
      : { url: `${options.endpoint}/{basePath}`, variables: { basePath: { default: options.stageName === '$default' ? '' : options.stageName } } };
  if (api.disableExecuteApiEndpoint) server[EXT.endpointConfiguration] = { disableExecuteApiEndpoint: true };
  const { schemes, iamScheme } = securitySchemes(doc);
  const out: Json = { openapi: '3.0.1', info, servers: [server], paths: exportPaths(doc, iamScheme) };
  if (nonEmpty(schemes)) out.components = { securitySchemes: schemes };
  if (nonEmpty(api.corsConfiguration)) out[EXT.cors] = api.corsConfiguration;
  if (api.apiKeySelectionExpression !== undefined && api.apiKeySelectionExpression !== DEFAULT_API_KEY_SELECTION) {
    out[EXT.apiKeySelectionExpression] = api.apiKeySelectionExpression;
  }
  out[EXT.importExportVersion] = IMPORT_EXPORT_VERSION;
  if (options.includeExtensions) return out;
  const plain = withoutExtensions(out) as Json;
  dropEmptyPathItems(plain);
  return plain;
}
