/**
 * apigatewayv2 APIs: CreateApi (with HTTP quick create), GetApi, GetApis, UpdateApi, DeleteApi
 * and DeleteCorsConfiguration. Quick create builds the integration, the route and an
 * auto-deploying `$default` stage in the same transaction as the API, so it appears whole.
 */
import type { Api, Cors, HttpApiDocument, HttpApiRecord, Integration, Stage, V2ProtocolType } from '../../model/http-api.js';
import { RECORD_KINDS, type BasePathMapping } from '../../model/usage-plan.js';
import { basePathMappingId } from '../v1/account-base-path-mappings.js';
import { newApiId } from '../../model/ids.js';
import type { StoreWriter } from '../../store/store.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationRequest, OperationResult } from '../operation.js';
import { pageV2 } from '../pagination.js';
import {
  LIMITS,
  STAGE_KIND,
  autoDeploy,
  changeV2Api,
  compact,
  isV2,
  listV2Stages,
  now,
  putV2Api,
  readV2Api,
  stageKey,
} from './document.js';
import {
  defined,
  enumValue,
  has,
  integerIn,
  optionalBoolean,
  optionalEnum,
  optionalString,
  requiredString,
  stringList,
  structure,
  tags,
} from './input.js';
import { addIntegration, isHttpUrl, isLambdaArn } from './integrations.js';
import { checkRouteKey, newRoute } from './routes.js';
import type { ApiRecord } from '../../model/api.js';

export const HTTP_ROUTE_SELECTION = '${request.method} ${request.path}';
export const DEFAULT_API_KEY_SELECTION = '$request.header.x-api-key';
const API_KEY_SELECTIONS = ['$request.header.x-api-key', '$context.authorizer.usageIdentifierKey'];
const CORS_MEMBERS = ['allowCredentials', 'allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders', 'maxAge'];

export function apiEndpoint(ctx: ManagementContext, api: Api): string {
  const scheme = api.protocolType === 'HTTP' ? 'https' : 'wss';
  return `${scheme}://${api.apiId}.execute-api.${ctx.account.region}.amazonaws.com`;
}

export function apiShape(ctx: ManagementContext, record: HttpApiRecord): Record<string, unknown> {
  const { api } = record.document;
  const managed = record.document.routes.some((r) => r.apiGatewayManaged);
  return compact({ apiEndpoint: apiEndpoint(ctx, api), ...(managed ? { apiGatewayManaged: true } : {}), ...api });
}

function corsConfiguration(value: unknown): Cors {
  const c = structure(value, 'corsConfiguration', CORS_MEMBERS);
  const list = (name: string): string[] | undefined => (c[name] === undefined || c[name] === null ? undefined : stringList(c[name], name));
  const cors: Cors = defined({
    allowCredentials: optionalBoolean(c, 'allowCredentials'),
    allowHeaders: list('allowHeaders'),
    allowMethods: list('allowMethods')?.map((m) => m.toUpperCase()),
    allowOrigins: list('allowOrigins'),
    exposeHeaders: list('exposeHeaders'),
    maxAge: c['maxAge'] === undefined || c['maxAge'] === null ? undefined : integerIn(c['maxAge'], 'maxAge', -1, 86400),
  });
  for (const method of cors.allowMethods ?? []) {
    if (method !== '*' && !['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method)) {
      throw badRequest(`Invalid method '${method}' in allowMethods`);
    }
  }
  if (cors.allowCredentials && cors.allowOrigins?.includes('*')) {
    throw badRequest('allowCredentials cannot be true when allowOrigins contains the wildcard origin *');
  }
  return cors;
}

function checkRouteSelection(protocol: V2ProtocolType, expression: string): void {
  if (protocol === 'HTTP') {
    if (expression !== HTTP_ROUTE_SELECTION) throw badRequest(`The route selection expression of an HTTP API must be ${HTTP_ROUTE_SELECTION}`);
  } else if (!/^(\$request\.body\.[^\s{}]+|\$\{request\.body\.[^\s{}]+\})$/.test(expression)) {
    throw badRequest(`Invalid route selection expression '${expression}': expected $request.body.{path}, for example $request.body.action`);
  }
}

/** The members CreateApi and UpdateApi share, applied onto `api`. */
export function applyApiMembers(api: Api, body: Readonly<Record<string, unknown>>): void {
  const set = <K extends keyof Api>(key: K, value: Api[K] | undefined): void => {
    if (value !== undefined) api[key] = value;
  };
  set('name', optionalString(body, 'name', 128));
  if (api.name === '') throw badRequest('The API name must not be empty');
  set('description', optionalString(body, 'description', 1024));
  set('version', optionalString(body, 'version', 64));
  set('disableExecuteApiEndpoint', optionalBoolean(body, 'disableExecuteApiEndpoint'));
  set('disableSchemaValidation', optionalBoolean(body, 'disableSchemaValidation'));
  set('ipAddressType', optionalEnum(body, 'ipAddressType', ['ipv4', 'dualstack'] as const));
  const routeSelection = optionalString(body, 'routeSelectionExpression');
  if (routeSelection !== undefined) {
    checkRouteSelection(api.protocolType, routeSelection);
    api.routeSelectionExpression = routeSelection;
  }
  if (has(body, 'apiKeySelectionExpression')) {
    api.apiKeySelectionExpression = enumValue(body['apiKeySelectionExpression'], 'apiKeySelectionExpression', API_KEY_SELECTIONS);
  }
  if (has(body, 'corsConfiguration')) {
    if (api.protocolType !== 'HTTP') throw badRequest('CORS configuration is supported only for HTTP APIs');
    api.corsConfiguration = corsConfiguration(body['corsConfiguration']);
  }
}

/** The integration quick create makes for `target`: Lambda proxy (payload 2.0) or HTTP proxy. */
function quickIntegration(target: string, credentialsArn: string | undefined): Partial<Integration> {
  if (isLambdaArn(target)) {
    return defined({ integrationType: 'AWS_PROXY', integrationUri: target, payloadFormatVersion: '2.0', credentialsArn, apiGatewayManaged: true });
  }
  if (isHttpUrl(target)) {
    return defined({ integrationType: 'HTTP_PROXY', integrationUri: target, integrationMethod: 'ANY', payloadFormatVersion: '1.0', credentialsArn, apiGatewayManaged: true });
  }
  throw badRequest(`Invalid target '${target}': quick create takes a Lambda function ARN or an http or https URL`);
}

async function quickCreate(tx: StoreWriter, doc: HttpApiDocument, body: Readonly<Record<string, unknown>>): Promise<void> {
  const target = requiredString(body, 'target');
  const routeKey = optionalString(body, 'routeKey') ?? '$default';
  checkRouteKey('HTTP', routeKey);
  const integration = addIntegration(doc, quickIntegration(target, optionalString(body, 'credentialsArn')));
  doc.routes.push(newRoute(doc, { routeKey }, { target: `integrations/${integration.integrationId}`, apiGatewayManaged: true }));
  const at = now();
  const stage: Stage = {
    apiId: doc.api.apiId,
    stageName: '$default',
    autoDeploy: true,
    apiGatewayManaged: true,
    stageVariables: {},
    defaultRouteSettings: { detailedMetricsEnabled: false },
    routeSettings: {},
    tags: {},
    createdDate: at,
    lastUpdatedDate: at,
  };
  await tx.putRecord(STAGE_KIND, stageKey(doc.api.apiId, '$default'), stage);
}

async function createApi(ctx: ManagementContext, req: OperationRequest): Promise<OperationResult> {
  const body = req.body;
  requiredString(body, 'name', 128);
  if (!has(body, 'protocolType')) throw badRequest("1 validation error detected: Value null at 'protocolType' failed to satisfy constraint: Member must not be null");
  const protocolType = enumValue(body['protocolType'], 'protocolType', ['HTTP', 'WEBSOCKET'] as const);
  const quick = has(body, 'target');
  if (protocolType === 'WEBSOCKET') {
    if (!has(body, 'routeSelectionExpression')) throw badRequest('A routeSelectionExpression is required for WebSocket APIs');
    for (const member of ['target', 'routeKey', 'credentialsArn']) {
      if (has(body, member)) throw badRequest(`${member} is supported only for HTTP APIs (quick create)`);
    }
  } else if (!quick && (has(body, 'routeKey') || has(body, 'credentialsArn'))) {
    throw badRequest('routeKey and credentialsArn can be given only with target (quick create)');
  }
  const apiId = newApiId();
  const api: Api = {
    apiId,
    name: '',
    protocolType,
    routeSelectionExpression: HTTP_ROUTE_SELECTION,
    apiKeySelectionExpression: DEFAULT_API_KEY_SELECTION,
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    tags: tags(body['tags']),
    createdDate: now(),
  };
  applyApiMembers(api, body);
  const doc: HttpApiDocument = { api, routes: [], routeResponses: {}, integrations: [], integrationResponses: {}, authorizers: [], models: [] };
  const record: HttpApiRecord = { id: apiId, protocolType, document: doc };
  await ctx.store.transaction(async (tx) => {
    const count = (await tx.listApis()).filter((a) => isV2(a as ApiRecord<unknown>)).length;
    if (count >= LIMITS.apisPerAccount) throw badRequest(`The account already has the maximum of ${LIMITS.apisPerAccount} HTTP and WebSocket APIs`);
    if (quick) await quickCreate(tx, doc, body);
    await putV2Api(tx, record);
    await autoDeploy(tx, apiId, doc);
  });
  return { body: apiShape(ctx, record) };
}

/** UpdateApi's quick-create members change the managed integration and route. */
function updateManaged(doc: HttpApiDocument, body: Readonly<Record<string, unknown>>): void {
  if (!has(body, 'target') && !has(body, 'routeKey') && !has(body, 'credentialsArn')) return;
  const route = doc.routes.find((r) => r.apiGatewayManaged);
  const integration = doc.integrations.find((i) => i.apiGatewayManaged);
  if (!route || !integration) throw badRequest('target, routeKey and credentialsArn can be updated only on an API made with quick create');
  const target = optionalString(body, 'target');
  if (target !== undefined) {
    const next = quickIntegration(target, integration.credentialsArn);
    delete integration.integrationMethod;
    Object.assign(integration, next);
  }
  const credentialsArn = optionalString(body, 'credentialsArn');
  if (credentialsArn !== undefined) integration.credentialsArn = credentialsArn;
  const routeKey = optionalString(body, 'routeKey');
  if (routeKey !== undefined) {
    checkRouteKey('HTTP', routeKey);
    if (doc.routes.some((r) => r !== route && r.routeKey === routeKey)) throw badRequest(`Route with key ${routeKey} already exists for this API`);
    route.routeKey = routeKey;
  }
}

export const APIS_HANDLERS: HandlerTable = {
  CreateApi: createApi,

  async GetApi(ctx, req) {
    return { body: apiShape(ctx, await readV2Api(ctx, ctx.store, req.path['ApiId']!)) };
  },

  async GetApis(ctx, req) {
    const records = (await ctx.store.listApis()).filter((a) => isV2(a as ApiRecord<unknown>)) as unknown as HttpApiRecord[];
    const { items, nextToken } = pageV2(records.map((r) => apiShape(ctx, r)), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateApi(ctx, req) {
    const record = await changeV2Api(ctx, req.path['ApiId']!, (doc, _tx, current) => {
      applyApiMembers(doc.api, req.body);
      if (doc.api.protocolType === 'HTTP') updateManaged(doc, req.body);
      else if (has(req.body, 'target') || has(req.body, 'routeKey') || has(req.body, 'credentialsArn')) {
        throw badRequest('target, routeKey and credentialsArn are supported only for HTTP APIs');
      }
      return { ...current, document: doc };
    });
    return { body: apiShape(ctx, record) };
  },

  async DeleteApi(ctx, req) {
    const apiId = req.path['ApiId']!;
    await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      for (const stage of await listV2Stages(tx, apiId)) await tx.deleteRecord(STAGE_KIND, stageKey(apiId, stage.stageName));
      // API mappings cannot outlive their API.
      for (const m of await tx.listRecords<BasePathMapping>(RECORD_KINDS.basePathMapping)) {
        if (m.restApiId === apiId) await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(m.domainName, m.basePath));
      }
      await tx.deleteApi(apiId);
    });
    return {};
  },

  async DeleteCorsConfiguration(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      delete doc.api.corsConfiguration;
    });
    return {};
  },
};
