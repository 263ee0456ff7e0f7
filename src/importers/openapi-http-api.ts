/**
 * Import of an OpenAPI 3.0 definition as an HTTP API (apigatewayv2 ImportApi and ReimportApi):
 * each path and method becomes a route, `x-amazon-apigateway-integration` its integration,
 * security requirements its authorization. The result is the members of the management calls
 * that would build the same API (CreateApi, CreateAuthorizer, CreateIntegration, CreateRoute),
 * so the management layer checks them exactly as it checks those calls.
 *
 * As on API Gateway, findings come in three kinds: errors (nothing can be imported), warnings
 * (that part was left out) and info (valid OpenAPI that HTTP APIs do not use, ignored).
 */
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from '../model/settings.js';
import { resolveAwsVariables } from './openapi/aws-variables.js';
import { OpenApiImportError, formatImportProblem } from './openapi/problems.js';
import { parseSource } from './openapi/source.js';
import { readSecuritySchemes, type SecurityScheme } from './openapi-http-api-authorizers.js';
import { HttpApiImportError, ImportFindings, isObject, textOf, type HttpImportContext } from './openapi-http-api-context.js';
import { INTEGRATION_EXT, readIntegration, type ImportedIntegration } from './openapi-http-api-integrations.js';

export { HttpApiImportError } from './openapi-http-api-context.js';
export type { ImportedIntegration } from './openapi-http-api-integrations.js';

export const EXT = {
  anyMethod: 'x-amazon-apigateway-any-method',
  cors: 'x-amazon-apigateway-cors',
  importExportVersion: 'x-amazon-apigateway-importexport-version',
  apiKeySelectionExpression: 'x-amazon-apigateway-api-key-selection-expression',
  endpointConfiguration: 'x-amazon-apigateway-endpoint-configuration',
} as const;

/** The only version of API Gateway's HTTP API import and export rules. */
export const IMPORT_EXPORT_VERSION = '1.0';
export const DEFAULT_ROUTE_PATH = '/$default';

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
/** Path item members that describe rather than define; HTTP APIs have nothing to take from them. */
const DESCRIPTIVE_PATH_MEMBERS = ['parameters', 'summary', 'description', 'servers'];
/** Top-level extensions that configure REST APIs only. */
const REST_ONLY_EXTENSIONS = [
  'x-amazon-apigateway-binary-media-types',
  'x-amazon-apigateway-api-key-source',
  'x-amazon-apigateway-policy',
  'x-amazon-apigateway-minimum-compression-size',
  'x-amazon-apigateway-request-validators',
  'x-amazon-apigateway-gateway-responses',
  'x-amazon-apigateway-documentation',
];

export type BasePathMode = 'ignore' | 'prepend' | 'split';

export interface HttpApiImportOptions {
  /** What to do with the base path the servers declare; `ignore` (the default) leaves paths as written. */
  basepath?: BasePathMode;
  /** For `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in the definition. */
  account?: AccountSettings;
}

export interface ImportedRoute {
  routeKey: string;
  /** CreateRoute members except `target` and `authorizerId`, which name parts not created yet. */
  body: Record<string, unknown>;
  /** Key of the route's integration in `integrations`. */
  integrationKey?: string;
  /** Name of the route's authorizer in `authorizers`. */
  authorizerName?: string;
}

export interface HttpApiDefinition {
  /** CreateApi members: name, description, version, corsConfiguration, apiKeySelectionExpression, disableExecuteApiEndpoint. */
  api: Record<string, unknown>;
  /** CreateAuthorizer members, by scheme name (which is the authorizer's name). */
  authorizers: Array<{ name: string; body: Record<string, unknown> }>;
  /** One per distinct integration, in the order routes first use them. */
  integrations: ImportedIntegration[];
  routes: ImportedRoute[];
  warnings: string[];
  info: string[];
}

/** Reads the definition's text; syntax errors and non-OpenAPI-3.0 documents are errors. */
function readRoot(text: string): { root: Record<string, unknown>; numberText: HttpImportContext['numberText'] } {
  let parsed;
  try {
    parsed = parseSource(text);
  } catch (err) {
    if (!(err instanceof OpenApiImportError)) throw err;
    throw new HttpApiImportError(err.problems.slice(0, 5).map((p) => `The definition is not valid JSON or YAML: ${formatImportProblem(p)}`));
  }
  const root = parsed.value;
  if (!isObject(root)) throw new HttpApiImportError(['The definition is not an OpenAPI document: expected an object at the top level']);
  if ('swagger' in root) {
    throw new HttpApiImportError(['Swagger 2.0 definitions cannot be imported as HTTP APIs; HTTP APIs support OpenAPI 3.0 definitions only']);
  }
  if (!('openapi' in root)) throw new HttpApiImportError(["The definition is not an OpenAPI 3.0 document: it has no 'openapi' version member"]);
  // `openapi: 3.0` unquoted in YAML is a number; what counts is how it was written.
  const version = typeof root.openapi === 'number' ? (parsed.numberText(['openapi']) ?? String(root.openapi)) : root.openapi;
  if (typeof version !== 'string' || !/^3\.0(\.\d+)?$/.test(version)) {
    throw new HttpApiImportError([`OpenAPI version ${JSON.stringify(version)} is not supported; HTTP APIs support OpenAPI 3.0 definitions only`]);
  }
  return { root, numberText: parsed.numberText };
}

/** The base path the servers declare: a `basePath` server variable, else the path of the first server URL. */
function declaredBasePath(root: Record<string, unknown>): string | undefined {
  const servers = Array.isArray(root.servers) ? root.servers.filter(isObject) : [];
  for (const server of servers) {
    const variable = isObject(server.variables) && isObject(server.variables.basePath) ? server.variables.basePath.default : undefined;
    if (typeof variable === 'string') return variable;
  }
  const url = servers[0]?.url;
  if (typeof url !== 'string') return undefined;
  const path = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
  return path.includes('{') ? undefined : path;
}

/** `prepend` puts the whole base path before every path; `split` all of it but its first segment (a stage name). */
function basePathPrefix(root: Record<string, unknown>, mode: BasePathMode): string {
  if (mode === 'ignore') return '';
  const segments = (declaredBasePath(root) ?? '').split('/').filter((s) => s !== '');
  const kept = mode === 'split' ? segments.slice(1) : segments;
  return kept.length === 0 ? '' : `/${kept.join('/')}`;
}

function readApiMembers(ctx: HttpImportContext): Record<string, unknown> {
  const { root, findings } = ctx;
  const api: Record<string, unknown> = {};
  const info = root.info;
  if (!isObject(info) || typeof info.title !== 'string' || info.title.trim() === '') {
    findings.error('info.title is required: it is the name of the API');
  } else {
    api.name = info.title;
    if (info.description !== undefined && info.description !== null) api.description = info.description;
    if (info.version !== undefined && info.version !== null) api.version = textOf(ctx, info.version, ['info', 'version']);
  }
  if (root[EXT.importExportVersion] !== undefined) {
    const version = textOf(ctx, root[EXT.importExportVersion], [EXT.importExportVersion]);
    if (version !== IMPORT_EXPORT_VERSION) {
      findings.error(`${EXT.importExportVersion} ${JSON.stringify(version)} is not supported; the only version is ${IMPORT_EXPORT_VERSION}`);
    }
  }
  if (root[EXT.cors] !== undefined && root[EXT.cors] !== null) api.corsConfiguration = root[EXT.cors];
  if (root[EXT.apiKeySelectionExpression] !== undefined) api.apiKeySelectionExpression = root[EXT.apiKeySelectionExpression];

  // OpenAPI 3 puts the endpoint configuration on a server; a top-level one (the Swagger 2.0 place) is read too.
  const servers = Array.isArray(root.servers) ? root.servers.filter(isObject) : [];
  const endpointConfigs = [...servers.map((s) => s[EXT.endpointConfiguration]), root[EXT.endpointConfiguration]].filter((c) => c !== undefined);
  for (const config of endpointConfigs) {
    if (!isObject(config)) {
      findings.warn(`${EXT.endpointConfiguration} must be an object; it was ignored`);
      continue;
    }
    if (config.vpcEndpointIds !== undefined) findings.note(`${EXT.endpointConfiguration}.vpcEndpointIds applies to private REST APIs only and was ignored`);
    const disable = config.disableExecuteApiEndpoint;
    if (disable === undefined) continue;
    if (typeof disable === 'boolean') api.disableExecuteApiEndpoint = disable;
    else findings.warn(`${EXT.endpointConfiguration}.disableExecuteApiEndpoint must be true or false; it was ignored`);
  }
  for (const key of Object.keys(root)) {
    if (REST_ONLY_EXTENSIONS.includes(key)) findings.note(`${key} applies to REST APIs only and was ignored`);
  }
  return api;
}

type Authorization = Pick<ImportedRoute, 'authorizerName'> & { body: Record<string, unknown> };

/** The authorization a route gets from its security requirement; undefined leaves the route out. */
function readSecurity(
  ctx: HttpImportContext,
  security: unknown,
  schemes: Map<string, SecurityScheme>,
  where: string,
): Authorization | undefined {
  const none: Authorization = { body: { authorizationType: 'NONE' } };
  if (security === undefined || security === null) return none;
  if (!Array.isArray(security) || security.some((r) => !isObject(r))) {
    ctx.findings.warn(`${where}: security must be a list of security requirement objects; the route was not created`);
    return undefined;
  }
  const requirements = security as Array<Record<string, unknown>>;
  const names = requirements.flatMap((r) => Object.keys(r));
  if (requirements.length > 1 || names.length > 1) {
    ctx.findings.error(
      `${where}: more than one security requirement is not supported; a route can have only one of IAM authorization, a Lambda authorizer or a JWT authorizer`,
    );
    return undefined;
  }
  if (names.length === 0) return none;
  const name = names[0]!;
  const rawScopes = requirements[0]![name];
  const scopes = Array.isArray(rawScopes) ? rawScopes : [];
  const scheme = schemes.get(name);
  if (scheme === undefined) {
    ctx.findings.warn(`${where}: the security scheme ${name} is not defined in components.securitySchemes; the route was not created`);
    return undefined;
  }
  switch (scheme.kind) {
    case 'invalid':
      ctx.findings.warn(`${where}: the security scheme ${name} could not be imported; the route was not created`);
      return undefined;
    case 'plain':
      ctx.findings.warn(`${where}: the security scheme ${name} has no x-amazon-apigateway-authorizer; the route was created without authorization`);
      return none;
    case 'iam':
      if (scopes.length > 0) ctx.findings.warn(`${where}: authorization scopes apply to JWT authorizers only and were ignored`);
      return { body: { authorizationType: 'AWS_IAM' } };
    case 'authorizer':
      if (scheme.authorizerType === 'JWT') {
        return { body: { authorizationType: 'JWT', ...(scopes.length > 0 ? { authorizationScopes: scopes } : {}) }, authorizerName: name };
      }
      if (scopes.length > 0) ctx.findings.warn(`${where}: authorization scopes apply to JWT authorizers only and were ignored`);
      return { body: { authorizationType: 'CUSTOM' }, authorizerName: name };
  }
}

interface RouteSource {
  routeKey: string;
  operation: unknown;
  at: readonly string[];
}

/** The routes a path item declares, by route key. */
function pathItemRoutes(ctx: HttpImportContext, path: string, item: Record<string, unknown>, prefix: string): RouteSource[] {
  const out: RouteSource[] = [];
  for (const [key, operation] of Object.entries(item)) {
    const at = ['paths', path, key];
    let method: string;
    if (OPERATION_METHODS.includes(key)) method = key.toUpperCase();
    else if (key === EXT.anyMethod) method = 'ANY';
    else {
      if (key === 'trace') ctx.findings.warn(`TRACE ${path}: HTTP APIs have no TRACE routes; the operation was ignored`);
      else if (key === '$ref') ctx.findings.warn(`${path}: path item references are not supported; the path was ignored`);
      else if (!DESCRIPTIVE_PATH_MEMBERS.includes(key) && !key.startsWith('x-')) ctx.findings.note(`${path}: ${key} is not a path item member and was ignored`);
      continue;
    }
    const isDefault = path === DEFAULT_ROUTE_PATH || (isObject(operation) && operation.isDefaultRoute === true);
    if (isDefault && method !== 'ANY') {
      ctx.findings.warn(`${method} ${path}: the $default route is declared with ${EXT.anyMethod}; the operation was ignored`);
      continue;
    }
    out.push({ routeKey: isDefault ? '$default' : `${method} ${prefix}${path === '/' && prefix !== '' ? '' : path}`, operation, at });
  }
  return out;
}

/** Translates OpenAPI 3.0 text (JSON or YAML) into the parts of an HTTP API; throws HttpApiImportError. */
export function importHttpApi(text: string, options: HttpApiImportOptions = {}): HttpApiDefinition {
  const { root: parsedRoot, numberText } = readRoot(text);
  const root = resolveAwsVariables(parsedRoot, options.account ?? DEFAULT_ACCOUNT_SETTINGS) as Record<string, unknown>;
  const findings = new ImportFindings();
  const ctx: HttpImportContext = { root, findings, numberText };

  const api = readApiMembers(ctx);
  const prefix = basePathPrefix(root, options.basepath ?? 'ignore');
  const schemes = readSecuritySchemes(ctx);
  const authorizers = [...schemes.entries()].flatMap(([name, s]) => (s.kind === 'authorizer' ? [{ name, body: s.body }] : []));

  const integrations = new Map<string, ImportedIntegration>();
  const routes: ImportedRoute[] = [];
  if (!isObject(root.paths)) findings.error('paths is required and must be an object');
  for (const [path, item] of Object.entries(isObject(root.paths) ? root.paths : {})) {
    if (path.startsWith('x-')) continue;
    if (!isObject(item)) {
      findings.warn(`${path}: a path item must be an object; the path was ignored`);
      continue;
    }
    for (const { routeKey, operation, at } of pathItemRoutes(ctx, path, item, prefix)) {
      const where = routeKey;
      if (!isObject(operation)) {
        findings.warn(`${where}: an operation must be an object; the route was not created`);
        continue;
      }
      const authorization = readSecurity(ctx, operation.security !== undefined ? operation.security : root.security, schemes, where);
      if (!authorization) continue;
      const route: ImportedRoute = { routeKey, body: { routeKey, ...authorization.body } };
      if (authorization.authorizerName !== undefined) route.authorizerName = authorization.authorizerName;
      if (typeof operation.operationId === 'string') route.body.operationName = operation.operationId;
      if (operation.requestBody !== undefined) findings.note(`${where}: HTTP APIs do not validate requests; requestBody was ignored`);
      if (operation[INTEGRATION_EXT] !== undefined) {
        const integration = readIntegration(ctx, operation[INTEGRATION_EXT], [...at, INTEGRATION_EXT], where);
        if (integration) {
          if (!integrations.has(integration.key)) integrations.set(integration.key, integration);
          route.integrationKey = integration.key;
        }
      }
      routes.push(route);
    }
  }
  if (findings.errors.length > 0) throw new HttpApiImportError(findings.list('errors'));
  return { api, authorizers, integrations: [...integrations.values()], routes, warnings: findings.list('warnings'), info: findings.list('info') };
}
