/**
 * One OpenAPI operation → one API Gateway Method: request parameters, request models, method
 * responses, authorization, request validator and integration.
 */
import type { HttpMethod, Method, MethodResponse } from '../../model/rest-api.js';
import { lookupValidator, type ValidatorRef } from './api-settings.js';
import type { ImportContext, SourcePath } from './context.js';
import { buildIntegration } from './integration.js';
import type { LocationMap } from './locations.js';
import { MODEL_CONTENT_TYPE, type ModelCatalog } from './models.js';
import { methodAuth, type SchemeUse } from './security.js';

export const INTEGRATION_EXTENSION = 'x-amazon-apigateway-integration';

/** Operation keys of a Path Item and the methods they declare. */
export const OPERATION_KEYS: Readonly<Record<string, HttpMethod>> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  options: 'OPTIONS',
  head: 'HEAD',
  patch: 'PATCH',
  'x-amazon-apigateway-any-method': 'ANY',
};

/** What every operation of the document is read against. */
export interface MethodEnvironment {
  ctx: ImportContext;
  catalog: ModelCatalog;
  schemes: Map<string, SchemeUse>;
  validators: Map<string, ValidatorRef>;
  defaultValidator?: ValidatorRef;
  locations: LocationMap;
}

interface Parameter {
  value: Record<string, unknown>;
  path: SourcePath;
}

/** Swagger 2.0 media types: the operation's list, else the document's, else JSON. */
function mediaTypes(ctx: ImportContext, operation: Record<string, unknown>, opPath: SourcePath, key: 'consumes' | 'produces'): string[] {
  const own = ctx.stringList(operation, key, opPath);
  if (own && own.length > 0) return own;
  const global = ctx.stringList(ctx.root, key, []);
  return global && global.length > 0 ? global : [MODEL_CONTENT_TYPE];
}

/**
 * Path-item parameters, then operation parameters; an operation parameter replaces a path-item
 * one with the same name and location, as OpenAPI specifies.
 */
function collectParameters(ctx: ImportContext, lists: { value: unknown; path: SourcePath }[]): Parameter[] {
  const byKey = new Map<string, Parameter>();
  for (const list of lists) {
    if (list.value === undefined) continue;
    if (!Array.isArray(list.value)) {
      ctx.problem(list.path, 'expected a list of parameters');
      continue;
    }
    list.value.forEach((raw, i) => {
      const resolved = ctx.resolve(raw, [...list.path, String(i)]);
      if (!resolved) return;
      const param = ctx.object(resolved.value, resolved.path, 'a parameter object');
      if (!param) return;
      const name = ctx.string(param, 'name', resolved.path, true);
      const where = ctx.string(param, 'in', resolved.path, true);
      if (name === undefined || where === undefined) return;
      byKey.set(`${where}\u0000${name}`, { value: param, path: resolved.path });
    });
  }
  return [...byKey.values()];
}

const PARAMETER_LOCATIONS: Record<string, string> = { path: 'path', query: 'querystring', header: 'header' };

export function buildMethod(
  env: MethodEnvironment,
  httpMethod: HttpMethod,
  operation: Record<string, unknown>,
  opPath: SourcePath,
  pathItemParameters: { value: unknown; path: SourcePath },
  modelPath: readonly string[],
): Method {
  const { ctx, locations } = env;
  const at = (...rest: string[]) => [...modelPath, ...rest];
  locations.add(modelPath, opPath);

  const { auth, authPath } = methodAuth(ctx, env.schemes, operation, opPath);
  for (const field of ['authorizationType', 'authorizerId', 'apiKeyRequired', 'authorizationScopes']) locations.add(at(field), authPath);

  const method: Method = {
    httpMethod,
    authorizationType: auth.authorizationType,
    apiKeyRequired: auth.apiKeyRequired,
    requestParameters: {},
    requestModels: {},
    methodResponses: {},
  };
  if (auth.authorizerId !== undefined) method.authorizerId = auth.authorizerId;
  if (auth.authorizationScopes !== undefined) method.authorizationScopes = auth.authorizationScopes;

  const operationId = ctx.string(operation, 'operationId', opPath);
  if (operationId !== undefined) method.operationName = operationId;
  locations.add(at('operationName'), [...opPath, 'operationId']);

  const validator = lookupValidator(ctx, env.validators, operation, opPath) ?? env.defaultValidator;
  if (validator) {
    method.requestValidatorId = validator.id;
    locations.add(at('requestValidatorId'), validator.path);
  }

  readParameters(env, method, operation, opPath, pathItemParameters, modelPath);
  if (ctx.version === 'openapi3') readRequestBody(env, method, operation, opPath, modelPath);
  readResponses(env, method, operation, opPath, modelPath);

  if (operation[INTEGRATION_EXTENSION] !== undefined) {
    const integration = buildIntegration(
      ctx,
      operation[INTEGRATION_EXTENSION],
      [...opPath, INTEGRATION_EXTENSION],
      at('methodIntegration'),
      locations,
    );
    if (integration) method.methodIntegration = integration;
  }
  return method;
}

function readParameters(
  env: MethodEnvironment,
  method: Method,
  operation: Record<string, unknown>,
  opPath: SourcePath,
  pathItemParameters: { value: unknown; path: SourcePath },
  modelPath: readonly string[],
): void {
  const { ctx, locations } = env;
  const parameters = collectParameters(ctx, [pathItemParameters, { value: operation.parameters, path: [...opPath, 'parameters'] }]);
  for (const { value: param, path } of parameters) {
    const name = param.name as string;
    const where = param.in as string;
    const location = PARAMETER_LOCATIONS[where];
    if (location) {
      const key = `method.request.${location}.${name}`;
      // Path parameters are always required: a request without one matches another resource.
      method.requestParameters[key] = where === 'path' ? true : (ctx.boolean(param, 'required', path) ?? false);
      locations.add([...modelPath, 'requestParameters', key], path);
    } else if (where === 'body' && ctx.version === 'swagger2') {
      const model = env.catalog.modelOf(param.schema, [...path, 'schema']);
      if (model === undefined) continue;
      for (const type of mediaTypes(ctx, operation, opPath, 'consumes')) {
        method.requestModels[type] = model;
        locations.add([...modelPath, 'requestModels', type], [...path, 'schema']);
      }
    } else if (where === 'cookie' || where === 'formData') {
      // API Gateway has no method request parameters of these kinds; AWS ignores them too.
    } else {
      ctx.problem([...path, 'in'], `'${where}' is not a parameter location; expected path, query or header${ctx.version === 'swagger2' ? ', body or formData' : ' or cookie'}`);
    }
  }
}

function readRequestBody(
  env: MethodEnvironment,
  method: Method,
  operation: Record<string, unknown>,
  opPath: SourcePath,
  modelPath: readonly string[],
): void {
  const { ctx, locations } = env;
  if (operation.requestBody === undefined) return;
  const resolved = ctx.resolve(operation.requestBody, [...opPath, 'requestBody']);
  if (!resolved) return;
  const body = ctx.object(resolved.value, resolved.path, 'a request body object');
  const content = body && ctx.optionalObject(body, 'content', resolved.path);
  for (const [type, media] of Object.entries(content ?? {})) {
    const mediaPath = [...resolved.path, 'content', type];
    const mediaObject = ctx.object(media, mediaPath, 'a media type object');
    if (!mediaObject) continue;
    const model = env.catalog.modelOf(mediaObject.schema, [...mediaPath, 'schema']);
    if (model === undefined) continue;
    method.requestModels[type] = model;
    locations.add([...modelPath, 'requestModels', type], [...mediaPath, 'schema']);
  }
}

/** Response keys API Gateway cannot represent as a method response: `default` and ranges like `2XX`. */
const UNREPRESENTABLE_RESPONSE = /^(default|[1-5]XX)$/i;

function readResponses(
  env: MethodEnvironment,
  method: Method,
  operation: Record<string, unknown>,
  opPath: SourcePath,
  modelPath: readonly string[],
): void {
  const { ctx, locations } = env;
  const responsesPath = [...opPath, 'responses'];
  locations.add([...modelPath, 'methodResponses'], responsesPath);
  const responses = ctx.optionalObject(operation, 'responses', opPath);
  for (const [code, raw] of Object.entries(responses ?? {})) {
    if (UNREPRESENTABLE_RESPONSE.test(code) || code.startsWith('x-')) continue;
    const resolved = ctx.resolve(raw, [...responsesPath, code]);
    if (!resolved) continue;
    const path = resolved.path;
    const response = ctx.object(resolved.value, path, 'a response object');
    if (!response) continue;
    const result: MethodResponse = { statusCode: code, responseParameters: {}, responseModels: {} };
    const at = [...modelPath, 'methodResponses', code];
    locations.add(at, path);
    locations.add([...at, 'statusCode'], [...responsesPath, code]);

    for (const header of Object.keys(ctx.optionalObject(response, 'headers', path) ?? {})) {
      const key = `method.response.header.${header}`;
      result.responseParameters[key] = false;
      locations.add([...at, 'responseParameters', key], [...path, 'headers', header]);
    }

    if (ctx.version === 'swagger2') {
      const model = env.catalog.modelOf(response.schema, [...path, 'schema']);
      if (model !== undefined) {
        for (const type of mediaTypes(ctx, operation, opPath, 'produces')) {
          result.responseModels[type] = model;
          locations.add([...at, 'responseModels', type], [...path, 'schema']);
        }
      }
    } else {
      for (const [type, media] of Object.entries(ctx.optionalObject(response, 'content', path) ?? {})) {
        const mediaPath = [...path, 'content', type];
        const mediaObject = ctx.object(media, mediaPath, 'a media type object');
        if (!mediaObject) continue;
        const model = env.catalog.modelOf(mediaObject.schema, [...mediaPath, 'schema']);
        if (model === undefined) continue;
        result.responseModels[type] = model;
        locations.add([...at, 'responseModels', type], [...mediaPath, 'schema']);
      }
    }
    method.methodResponses[code] = result;
  }
}
