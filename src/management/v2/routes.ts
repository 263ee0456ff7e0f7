/**
 * apigatewayv2 routes: CreateRoute, GetRoute, GetRoutes, UpdateRoute, DeleteRoute and
 * DeleteRouteRequestParameter. A route key is how a request finds its route (HTTP: `$default`
 * or `METHOD /path`; WebSocket: `$connect`, `$disconnect`, `$default` or a custom value of the
 * route selection expression), so keys are checked as AWS checks them and are unique per API.
 */
import type { AuthorizationType, HttpApiDocument, ParameterConstraints, Route, V2ProtocolType } from '../../model/http-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationRequest, OperationResult } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { LIMITS, changeV2Api, compact, newChildId, readV2Api } from './document.js';
import {
  defined,
  enumValue,
  has,
  optionalBoolean,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
  structure,
} from './input.js';

export const HTTP_ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
const WEBSOCKET_RESERVED_KEYS = ['$connect', '$disconnect', '$default'];
const AUTHORIZATION_TYPES: readonly AuthorizationType[] = ['NONE', 'JWT', 'AWS_IAM', 'CUSTOM'];
const LITERAL_SEGMENT = /^[A-Za-z0-9._~:@!$&'()*,;=+-]+$/;
const PARAM_SEGMENT = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

const invalidKey = (key: string, why: string): Error => badRequest(`The route key '${key}' is invalid: ${why}`);

/** Checks a route key against the API's protocol, as AWS does on CreateRoute and UpdateRoute. */
export function checkRouteKey(protocol: V2ProtocolType, key: string): void {
  if (key.length === 0 || key.length > 512) throw invalidKey(key, 'a route key must be 1 to 512 characters long');
  if (protocol === 'WEBSOCKET') {
    if (key.startsWith('$') && !WEBSOCKET_RESERVED_KEYS.includes(key)) {
      throw invalidKey(key, 'route keys starting with $ are reserved; use $connect, $disconnect or $default');
    }
    return;
  }
  if (key === '$default') return;
  const space = key.indexOf(' ');
  if (space === -1 || key.indexOf(' ', space + 1) !== -1) {
    throw invalidKey(key, "a route key must be '$default' or an HTTP method and a resource path separated by one space, for example 'GET /pets'");
  }
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!(HTTP_ROUTE_METHODS as readonly string[]).includes(method)) {
    throw invalidKey(key, `the method must be one of ${HTTP_ROUTE_METHODS.join(', ')}`);
  }
  if (!path.startsWith('/')) throw invalidKey(key, 'the resource path must start with /');
  if (path === '/') return;
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  segments.forEach((segment, i) => {
    if (segment === '') throw invalidKey(key, 'the resource path must not contain empty segments or end with /');
    const param = PARAM_SEGMENT.exec(segment);
    if (param) {
      if (param[2] === '+' && i !== segments.length - 1) throw invalidKey(key, 'a greedy path variable must be the last segment of the path');
      if (names.has(param[1]!)) throw invalidKey(key, `the path variable {${param[1]}} appears more than once`);
      names.add(param[1]!);
    } else if (!LITERAL_SEGMENT.test(segment)) {
      throw invalidKey(key, `the path segment '${segment}' contains characters that are not allowed`);
    }
  });
}

/** Keys that would match the same requests: path variable names do not tell routes apart. */
const routeKeyIdentity = (key: string): string => key.replace(/\{[^}/]*?(\+?)\}/g, '{$1}');

export function checkUniqueRouteKey(doc: HttpApiDocument, key: string, exceptRouteId?: string): void {
  const identity = routeKeyIdentity(key);
  if (doc.routes.some((r) => r.routeId !== exceptRouteId && routeKeyIdentity(r.routeKey) === identity)) {
    throw conflict(`Route with key ${key} already exists for this API`);
  }
}

export function findRoute(doc: HttpApiDocument, routeId: string): Route {
  const route = doc.routes.find((r) => r.routeId === routeId);
  if (!route) throw notFound(`Invalid Route identifier specified ${routeId}`);
  return route;
}

/** `integrations/{id}` naming an integration of this API. */
export function checkTarget(doc: HttpApiDocument, target: string): void {
  const m = /^integrations\/([A-Za-z0-9]+)$/.exec(target);
  if (!m) throw badRequest(`Invalid target '${target}': a route target must have the form integrations/{integrationId}`);
  if (!doc.integrations.some((i) => i.integrationId === m[1])) throw notFound(`Invalid Integration identifier specified ${m[1]}`);
}

function parameterConstraints(value: unknown, name: string): Record<string, ParameterConstraints> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${name} must be a map`);
  const out: Record<string, ParameterConstraints> = {};
  for (const [key, raw] of Object.entries(value)) {
    const c = structure(raw, `${name}.${key}`, ['required']);
    if (c['required'] !== undefined && typeof c['required'] !== 'boolean') throw badRequest(`${name}.${key}.required must be a boolean`);
    out[key] = c['required'] === undefined ? {} : { required: c['required'] as boolean };
  }
  return out;
}

/** Reads the members a route may carry; `base` holds the current values on update. */
function routeMembers(body: Readonly<Record<string, unknown>>, base: Partial<Route>): Partial<Route> {
  const next: Partial<Route> = { ...base };
  const routeKey = optionalString(body, 'routeKey');
  if (routeKey !== undefined) next.routeKey = routeKey;
  if (has(body, 'authorizationType')) next.authorizationType = enumValue(body['authorizationType'], 'authorizationType', AUTHORIZATION_TYPES);
  const set = <K extends keyof Route>(key: K, value: Route[K] | undefined): void => {
    if (value !== undefined) next[key] = value;
  };
  set('apiKeyRequired', optionalBoolean(body, 'apiKeyRequired'));
  set('authorizerId', optionalString(body, 'authorizerId'));
  set('authorizationScopes', optionalStringList(body, 'authorizationScopes'));
  set('modelSelectionExpression', optionalString(body, 'modelSelectionExpression'));
  set('operationName', optionalString(body, 'operationName', 64));
  set('requestModels', optionalStringMap(body, 'requestModels'));
  set('routeResponseSelectionExpression', optionalString(body, 'routeResponseSelectionExpression'));
  set('target', optionalString(body, 'target'));
  if (has(body, 'requestParameters')) next.requestParameters = parameterConstraints(body['requestParameters'], 'requestParameters');
  return next;
}

/** Everything AWS checks of a whole route against its API. */
export function checkRoute(doc: HttpApiDocument, route: Route): void {
  const protocol = doc.api.protocolType;
  checkRouteKey(protocol, route.routeKey);
  checkUniqueRouteKey(doc, route.routeKey, route.routeId);
  if (route.target !== undefined && route.target !== '') checkTarget(doc, route.target);
  if (protocol === 'HTTP') {
    if (route.apiKeyRequired) throw badRequest('API keys are not supported for HTTP APIs');
    if (route.routeResponseSelectionExpression !== undefined) throw badRequest('RouteResponseSelectionExpression is not supported for HTTP APIs');
    if (route.modelSelectionExpression !== undefined || route.requestModels !== undefined) throw badRequest('Models are not supported for HTTP APIs');
  } else {
    if (route.authorizationType === 'JWT') throw badRequest('JWT authorization is not supported for WebSocket APIs');
    if (route.authorizationType !== 'NONE' && route.routeKey !== '$connect') {
      throw badRequest('Currently, authorization is restricted to the $connect route only');
    }
    if (route.routeResponseSelectionExpression !== undefined && route.routeResponseSelectionExpression !== '$default') {
      throw badRequest("Currently, only '$default' is supported as a RouteResponseSelectionExpression");
    }
    for (const model of Object.values(route.requestModels ?? {})) {
      if (!doc.models.some((m) => m.name === model)) throw badRequest(`Invalid model '${model}' specified in requestModels`);
    }
  }
  const needsAuthorizer = route.authorizationType === 'JWT' || route.authorizationType === 'CUSTOM';
  if (needsAuthorizer) {
    if (route.authorizerId === undefined) throw badRequest(`An authorizerId is required when authorizationType is ${route.authorizationType}`);
    const authorizer = doc.authorizers.find((a) => a.authorizerId === route.authorizerId);
    if (!authorizer) throw notFound(`Invalid Authorizer identifier specified ${route.authorizerId}`);
    const expected = route.authorizationType === 'JWT' ? 'JWT' : 'REQUEST';
    if (authorizer.authorizerType !== expected) {
      throw badRequest(`authorizationType ${route.authorizationType} requires an authorizer of type ${expected}; authorizer ${authorizer.authorizerId} is ${authorizer.authorizerType}`);
    }
  } else if (route.authorizerId !== undefined) {
    throw badRequest(`An authorizerId must not be set when authorizationType is ${route.authorizationType}`);
  }
  if (route.authorizationScopes !== undefined && route.authorizationScopes.length > 0 && route.authorizationType !== 'JWT') {
    throw badRequest('Authorization scopes are supported only for JWT authorization');
  }
}

export const routeShape = (route: Route): Record<string, unknown> =>
  compact({ ...route, authorizationScopes: route.authorizationScopes, apiGatewayManaged: route.apiGatewayManaged });

/** A new route from a CreateRoute body (or a quick create); checked against the document. */
export function newRoute(doc: HttpApiDocument, body: Readonly<Record<string, unknown>>, extra: Partial<Route> = {}): Route {
  requiredString(body, 'routeKey');
  if (doc.routes.length >= LIMITS.routesPerApi) {
    throw badRequest(`The API already has the maximum of ${LIMITS.routesPerApi} routes`);
  }
  const route = defined({
    routeId: newChildId(),
    apiKeyRequired: false,
    authorizationType: 'NONE' as AuthorizationType,
    ...routeMembers(body, {}),
    ...extra,
  }) as Route;
  checkRoute(doc, route);
  return route;
}

async function createRoute(ctx: ManagementContext, req: OperationRequest): Promise<OperationResult> {
  const apiId = req.path['ApiId']!;
  const route = await changeV2Api(ctx, apiId, (doc) => {
    const created = newRoute(doc, req.body);
    doc.routes.push(created);
    return created;
  });
  return { body: routeShape(route) };
}

export const ROUTES_HANDLERS: HandlerTable = {
  CreateRoute: createRoute,

  async GetRoute(ctx, req) {
    const record = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: routeShape(findRoute(record.document, req.path['RouteId']!)) };
  },

  async GetRoutes(ctx, req) {
    const record = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(record.document.routes.map(routeShape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateRoute(ctx, req) {
    const route = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const current = findRoute(doc, req.path['RouteId']!);
      const next = defined(routeMembers(req.body, current)) as Route;
      // An empty target detaches the route from its integration, as on AWS.
      if (next.target === '') delete next.target;
      checkRoute(doc, next);
      doc.routes[doc.routes.indexOf(current)] = next;
      return next;
    });
    return { body: routeShape(route) };
  },

  async DeleteRoute(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const route = findRoute(doc, req.path['RouteId']!);
      doc.routes = doc.routes.filter((r) => r !== route);
      delete doc.routeResponses[route.routeId];
    });
    return {};
  },

  async DeleteRouteRequestParameter(ctx, req) {
    const key = req.path['RequestParameterKey']!;
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const route = findRoute(doc, req.path['RouteId']!);
      if (!route.requestParameters || !Object.hasOwn(route.requestParameters, key)) {
        throw notFound(`Invalid request parameter key specified ${key}`);
      }
      delete route.requestParameters[key];
      if (Object.keys(route.requestParameters).length === 0) delete route.requestParameters;
    });
    return {};
  },
};
