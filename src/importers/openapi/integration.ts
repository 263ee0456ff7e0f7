/**
 * `x-amazon-apigateway-integration` → a method's Integration. Values are carried over (enum
 * spellings made canonical) and judged by model validation, so each rule lives in one place.
 */
import {
  CONTENT_HANDLING,
  HTTP_METHODS,
  INTEGRATION_TIMEOUT_DEFAULT_MS,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  type Integration,
  type IntegrationResponse,
} from '../../model/rest-api.js';
import { canonicalEnum, type ImportContext, type SourcePath } from './context.js';
import type { LocationMap } from './locations.js';

/** The response key that stands for "no selection pattern". */
const DEFAULT_RESPONSE_KEY = 'default';

/**
 * AWS's documentation also writes `$context.x` and `$stageVariables.x` as mapping sources; the
 * model keeps the form without `$` that the API and the data plane use.
 */
function canonicalSource(value: string): string {
  return value.replace(/^\$(context|stageVariables)\./, '$1.');
}

const CONNECTION_TYPES = ['INTERNET', 'VPC_LINK'] as const;

export function buildIntegration(
  ctx: ImportContext,
  raw: unknown,
  rawPath: SourcePath,
  modelPath: readonly string[],
  locations: LocationMap,
): Integration | undefined {
  const resolved = ctx.resolve(raw, rawPath);
  if (!resolved) return undefined;
  const path = resolved.path;
  const ext = ctx.object(resolved.value, path);
  if (!ext) return undefined;
  locations.add(modelPath, path);

  const type = ctx.string(ext, 'type', path, true);
  if (type === undefined) return undefined;

  const requestParameters = ctx.stringMap(ext, 'requestParameters', path);
  for (const [key, value] of Object.entries(requestParameters)) requestParameters[key] = canonicalSource(value);

  const integration: Integration = {
    type: canonicalEnum(type, INTEGRATION_TYPES)!,
    requestParameters,
    requestTemplates: ctx.stringMap(ext, 'requestTemplates', path),
    passthroughBehavior: canonicalEnum(ctx.string(ext, 'passthroughBehavior', path), PASSTHROUGH_BEHAVIORS) ?? 'WHEN_NO_MATCH',
    timeoutInMillis: ctx.number(ext, 'timeoutInMillis', path) ?? INTEGRATION_TIMEOUT_DEFAULT_MS,
    cacheKeyParameters: ctx.stringList(ext, 'cacheKeyParameters', path) ?? [],
    integrationResponses: buildResponses(ctx, ext, path, modelPath, locations),
  };
  const optional: Partial<Integration> = {
    httpMethod: canonicalEnum(ctx.string(ext, 'httpMethod', path), HTTP_METHODS),
    uri: ctx.string(ext, 'uri', path),
    connectionType: canonicalEnum(ctx.string(ext, 'connectionType', path), CONNECTION_TYPES),
    connectionId: ctx.string(ext, 'connectionId', path),
    credentials: ctx.string(ext, 'credentials', path),
    contentHandling: canonicalEnum(ctx.string(ext, 'contentHandling', path), CONTENT_HANDLING),
    cacheNamespace: ctx.string(ext, 'cacheNamespace', path),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(integration, { [key]: value });
  }
  const tls = ctx.optionalObject(ext, 'tlsConfig', path);
  if (tls) {
    const skip = ctx.boolean(tls, 'insecureSkipVerification', [...path, 'tlsConfig']);
    integration.tlsConfig = skip === undefined ? {} : { insecureSkipVerification: skip };
  }
  return integration;
}

/** `responses`: selection pattern → response; the model keys them by status code instead. */
function buildResponses(
  ctx: ImportContext,
  ext: Record<string, unknown>,
  path: SourcePath,
  modelPath: readonly string[],
  locations: LocationMap,
): Record<string, IntegrationResponse> {
  const out: Record<string, IntegrationResponse> = {};
  const responses = ctx.optionalObject(ext, 'responses', path);
  if (!responses) return out;
  const patternOf = new Map<string, string>();
  for (const [pattern, raw] of Object.entries(responses)) {
    const resolved = ctx.resolve(raw, [...path, 'responses', pattern]);
    if (!resolved) continue;
    const responsePath = resolved.path;
    const response = ctx.object(resolved.value, responsePath);
    if (!response) continue;
    const statusCode = ctx.stringish(response, 'statusCode', responsePath, true);
    if (statusCode === undefined) continue;
    const earlier = patternOf.get(statusCode);
    if (earlier !== undefined) {
      ctx.problem(responsePath, `the response pattern '${earlier}' already maps to status ${statusCode}; each status code can have only one integration response`);
      continue;
    }
    patternOf.set(statusCode, pattern);

    const result: IntegrationResponse = {
      statusCode,
      responseParameters: ctx.stringMap(response, 'responseParameters', responsePath),
      responseTemplates: ctx.stringMap(response, 'responseTemplates', responsePath),
    };
    for (const [key, value] of Object.entries(result.responseParameters)) result.responseParameters[key] = canonicalSource(value);
    if (pattern !== DEFAULT_RESPONSE_KEY) result.selectionPattern = pattern;
    const contentHandling = canonicalEnum(ctx.string(response, 'contentHandling', responsePath), CONTENT_HANDLING);
    if (contentHandling !== undefined) result.contentHandling = contentHandling;
    out[statusCode] = result;

    const at = [...modelPath, 'integrationResponses', statusCode];
    locations.add(at, responsePath);
    // The pattern is the member's key in OpenAPI, so its problems belong to the member itself.
    locations.add([...at, 'selectionPattern'], responsePath);
  }
  return out;
}
