/**
 * apigatewayv2 integrations: CreateIntegration, GetIntegration, GetIntegrations,
 * UpdateIntegration, DeleteIntegration. What an integration may be depends on the API's
 * protocol (HTTP APIs proxy only, WebSocket APIs also transform with templates), so every
 * create and update checks the whole merged integration against it.
 */
import type { HttpApiDocument, Integration, IntegrationType } from '../../model/http-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { LIMITS, changeV2Api, compact, newChildId, readV2Api } from './document.js';
import {
  defined,
  enumValue,
  has,
  integerIn,
  optionalEnum,
  optionalString,
  optionalStringMap,
  structure,
} from './input.js';

const INTEGRATION_TYPES: readonly IntegrationType[] = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
/** Bounds of timeoutInMillis, by protocol. */
const TIMEOUT = { HTTP: { max: 30000 }, WEBSOCKET: { max: 29000 } } as const;
const LAMBDA_ARN = /^arn:aws[a-z-]*:(lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?|apigateway:[a-z0-9-]+:lambda:path\/.+\/invocations)$/;
const HTTP_URL = /^https?:\/\/[^\s/]+/;
const HTTP_PARAMETER_KEY = /^((append|overwrite|remove):(header\.[^\s]+|querystring\.[^\s]+|path)|overwrite:path)$/;
const WEBSOCKET_PARAMETER_KEY = /^integration\.request\.(header|querystring|path)\.[^\s]+$/;

export const isLambdaArn = (uri: string): boolean => LAMBDA_ARN.test(uri);
export const isHttpUrl = (uri: string): boolean => HTTP_URL.test(uri);

export function findIntegration(doc: HttpApiDocument, integrationId: string): Integration {
  const integration = doc.integrations.find((i) => i.integrationId === integrationId);
  if (!integration) throw notFound(`Invalid Integration identifier specified ${integrationId}`);
  return integration;
}

function responseParameters(value: unknown): Record<string, Record<string, string>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('responseParameters must be a map');
  const out: Record<string, Record<string, string>> = {};
  for (const [status, mappings] of Object.entries(value)) {
    if (!/^[2-5]\d\d$/.test(status)) throw badRequest(`Invalid status code '${status}' in responseParameters: must be 200 to 599`);
    const map = optionalStringMap({ m: mappings }, 'm') ?? {};
    out[status] = map;
  }
  return out;
}

export function integrationMembers(body: Readonly<Record<string, unknown>>, base: Partial<Integration>): Partial<Integration> {
  const next: Partial<Integration> = { ...base };
  const set = <K extends keyof Integration>(key: K, value: Integration[K] | undefined): void => {
    if (value !== undefined) next[key] = value;
  };
  if (has(body, 'integrationType')) next.integrationType = enumValue(body['integrationType'], 'integrationType', INTEGRATION_TYPES);
  set('connectionType', optionalEnum(body, 'connectionType', ['INTERNET', 'VPC_LINK'] as const));
  set('connectionId', optionalString(body, 'connectionId'));
  set('contentHandlingStrategy', optionalEnum(body, 'contentHandlingStrategy', ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const));
  set('credentialsArn', optionalString(body, 'credentialsArn'));
  set('description', optionalString(body, 'description', 1024));
  if (has(body, 'integrationMethod')) next.integrationMethod = enumValue(String(body['integrationMethod']).toUpperCase(), 'integrationMethod', METHODS);
  set('integrationSubtype', optionalString(body, 'integrationSubtype'));
  set('integrationUri', optionalString(body, 'integrationUri', 2048));
  set('passthroughBehavior', optionalEnum(body, 'passthroughBehavior', ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'] as const));
  set('payloadFormatVersion', optionalEnum(body, 'payloadFormatVersion', ['1.0', '2.0'] as const));
  set('requestParameters', optionalStringMap(body, 'requestParameters'));
  set('requestTemplates', optionalStringMap(body, 'requestTemplates'));
  if (has(body, 'responseParameters')) next.responseParameters = responseParameters(body['responseParameters']);
  set('templateSelectionExpression', optionalString(body, 'templateSelectionExpression'));
  if (has(body, 'timeoutInMillis')) next.timeoutInMillis = integerIn(body['timeoutInMillis'], 'timeoutInMillis', 50, 30000);
  if (has(body, 'tlsConfig')) {
    const tls = structure(body['tlsConfig'], 'tlsConfig', ['serverNameToVerify']);
    next.tlsConfig = defined({ serverNameToVerify: optionalString(tls, 'serverNameToVerify') });
  }
  return next;
}

/** Fills what AWS fills when the caller leaves it out, then checks the whole integration. */
export function completeIntegration(doc: HttpApiDocument, partial: Partial<Integration>): Integration {
  const protocol = doc.api.protocolType;
  const integration = { ...partial } as Integration;
  integration.connectionType ??= 'INTERNET';
  integration.timeoutInMillis ??= TIMEOUT[protocol].max;
  if (integration.payloadFormatVersion === undefined && !(protocol === 'HTTP' && integration.integrationType === 'AWS_PROXY' && !integration.integrationSubtype)) {
    integration.payloadFormatVersion = '1.0';
  }
  if (protocol === 'WEBSOCKET' && integration.passthroughBehavior === undefined && !integration.integrationType.endsWith('_PROXY')) {
    integration.passthroughBehavior = 'WHEN_NO_MATCH';
  }
  checkIntegration(protocol, integration);
  return integration;
}

function checkIntegration(protocol: 'HTTP' | 'WEBSOCKET', i: Integration): void {
  const type = i.integrationType;
  if (i.timeoutInMillis < 50 || i.timeoutInMillis > TIMEOUT[protocol].max) {
    throw badRequest(`Timeout must be between 50 and ${TIMEOUT[protocol].max} milliseconds for ${protocol === 'HTTP' ? 'HTTP' : 'WebSocket'} APIs`);
  }
  if (i.connectionType === 'VPC_LINK' && !i.connectionId) throw badRequest('A connectionId is required when connectionType is VPC_LINK');
  if (i.connectionType === 'INTERNET' && i.connectionId) throw badRequest('A connectionId can only be set when connectionType is VPC_LINK');
  if (type === 'MOCK') {
    if (i.integrationUri) throw badRequest('An integrationUri must not be set for MOCK integrations');
  } else if (!i.integrationUri && !i.integrationSubtype) {
    throw badRequest(`An integrationUri is required for ${type} integrations`);
  }
  if (protocol === 'HTTP') {
    if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') throw badRequest(`Integration type ${type} is not supported for HTTP APIs; use AWS_PROXY or HTTP_PROXY`);
    for (const member of ['requestTemplates', 'templateSelectionExpression', 'passthroughBehavior', 'contentHandlingStrategy'] as const) {
      if (i[member] !== undefined) throw badRequest(`${member} is not supported for HTTP APIs`);
    }
    if (type === 'AWS_PROXY') {
      if (i.integrationSubtype) {
        if (!/^[A-Za-z0-9]+-[A-Za-z0-9]+$/.test(i.integrationSubtype)) throw badRequest(`Invalid integrationSubtype '${i.integrationSubtype}'`);
        if (i.payloadFormatVersion !== '1.0') throw badRequest('AWS service integrations support only payloadFormatVersion 1.0');
        if (!i.requestParameters || Object.keys(i.requestParameters).length === 0) {
          throw badRequest('requestParameters are required for AWS service integrations');
        }
        return;
      }
      if (!isLambdaArn(i.integrationUri!)) throw badRequest(`Invalid integrationUri '${i.integrationUri}': AWS_PROXY integrations of HTTP APIs take a Lambda function ARN`);
      if (!i.payloadFormatVersion) throw badRequest('A payloadFormatVersion (1.0 or 2.0) is required for AWS_PROXY integrations of HTTP APIs');
    } else {
      if (i.integrationSubtype) throw badRequest('integrationSubtype is supported only for AWS_PROXY integrations');
      if (!i.integrationMethod) throw badRequest('An integrationMethod is required for HTTP_PROXY integrations');
      if (i.payloadFormatVersion !== '1.0') throw badRequest('HTTP_PROXY integrations support only payloadFormatVersion 1.0');
      if (i.connectionType === 'INTERNET' && !isHttpUrl(i.integrationUri!)) {
        throw badRequest(`Invalid integrationUri '${i.integrationUri}': HTTP_PROXY integrations take an http or https URL`);
      }
    }
    for (const key of Object.keys(i.requestParameters ?? {})) {
      if (!HTTP_PARAMETER_KEY.test(key)) throw badRequest(`Invalid mapping key '${key}' in requestParameters: use append:, overwrite: or remove: with header.{name}, querystring.{name} or path`);
    }
    return;
  }
  if (i.integrationSubtype) throw badRequest('integrationSubtype is not supported for WebSocket APIs');
  if (i.payloadFormatVersion !== '1.0') throw badRequest('WebSocket APIs support only payloadFormatVersion 1.0');
  if (i.responseParameters) throw badRequest('responseParameters of integrations are not supported for WebSocket APIs');
  if ((type === 'HTTP' || type === 'HTTP_PROXY') && !i.integrationMethod) throw badRequest(`An integrationMethod is required for ${type} integrations`);
  if ((type === 'HTTP' || type === 'HTTP_PROXY') && i.connectionType === 'INTERNET' && !isHttpUrl(i.integrationUri!)) {
    throw badRequest(`Invalid integrationUri '${i.integrationUri}': ${type} integrations take an http or https URL`);
  }
  if (type.endsWith('_PROXY') && (i.requestTemplates !== undefined || i.templateSelectionExpression !== undefined)) {
    throw badRequest('Request templates are not supported for proxy integrations');
  }
  for (const key of Object.keys(i.requestParameters ?? {})) {
    if (!WEBSOCKET_PARAMETER_KEY.test(key)) throw badRequest(`Invalid mapping key '${key}' in requestParameters: expected integration.request.{header|querystring|path}.{name}`);
  }
}

export const integrationShape = (integration: Integration): Record<string, unknown> => compact({ ...integration });

/** Adds a checked integration to the document (CreateIntegration, quick create, import). */
export function addIntegration(doc: HttpApiDocument, partial: Partial<Integration>): Integration {
  if (doc.integrations.length >= LIMITS.integrationsPerApi) {
    throw badRequest(`The API already has the maximum of ${LIMITS.integrationsPerApi} integrations`);
  }
  const integration = completeIntegration(doc, defined({ ...partial, integrationId: newChildId() }));
  doc.integrations.push(integration);
  return integration;
}

export const INTEGRATIONS_HANDLERS: HandlerTable = {
  async CreateIntegration(ctx, req) {
    if (!has(req.body, 'integrationType')) throw badRequest("1 validation error detected: Value null at 'integrationType' failed to satisfy constraint: Member must not be null");
    const integration = await changeV2Api(ctx, req.path['ApiId']!, (doc) => addIntegration(doc, integrationMembers(req.body, {})));
    return { body: integrationShape(integration) };
  },

  async GetIntegration(ctx, req) {
    const record = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: integrationShape(findIntegration(record.document, req.path['IntegrationId']!)) };
  },

  async GetIntegrations(ctx, req) {
    const record = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(record.document.integrations.map(integrationShape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateIntegration(ctx, req) {
    const integration = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const current = findIntegration(doc, req.path['IntegrationId']!);
      const next = integrationMembers(req.body, current) as Integration;
      checkIntegration(doc.api.protocolType, next);
      doc.integrations[doc.integrations.indexOf(current)] = next;
      return next;
    });
    return { body: integrationShape(integration) };
  },

  async DeleteIntegration(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const integration = findIntegration(doc, req.path['IntegrationId']!);
      const target = `integrations/${integration.integrationId}`;
      const users = doc.routes.filter((r) => r.target === target).map((r) => r.routeKey);
      if (users.length > 0) {
        throw conflict(`Integration ${integration.integrationId} cannot be deleted because it is the target of route(s): ${users.join(', ')}`);
      }
      doc.integrations = doc.integrations.filter((i) => i !== integration);
      delete doc.integrationResponses[integration.integrationId];
    });
    return {};
  },
};
