/**
 * `x-amazon-apigateway-integration` on an operation (or a `$ref` to one of
 * `components.x-amazon-apigateway-integrations`) as the members of a CreateIntegration request.
 * HTTP APIs have only the proxy types; members that only REST APIs use are reported as info
 * and ignored. The management layer checks the members as it checks CreateIntegration.
 */
import { isObject, textOf, type HttpImportContext, type SourcePath } from './openapi-http-api-context.js';

export const INTEGRATION_EXT = 'x-amazon-apigateway-integration';
export const SHARED_INTEGRATIONS_EXT = 'x-amazon-apigateway-integrations';

/** Members of the extension that configure REST API integrations only. */
const REST_ONLY = ['requestTemplates', 'responses', 'passthroughBehavior', 'contentHandling', 'cacheKeyParameters', 'cacheNamespace'];
/** Extension member → CreateIntegration member, for those copied as they are. */
const COPIED: Record<string, string> = {
  uri: 'integrationUri',
  connectionId: 'connectionId',
  requestParameters: 'requestParameters',
  responseParameters: 'responseParameters',
  credentials: 'credentialsArn',
  integrationSubtype: 'integrationSubtype',
  description: 'description',
};
const KNOWN = new Set([...REST_ONLY, ...Object.keys(COPIED), 'type', 'httpMethod', 'payloadFormatVersion', 'connectionType', 'timeoutInMillis', 'tlsConfig']);

export interface ImportedIntegration {
  /** CreateIntegration request members. */
  body: Record<string, unknown>;
  /** Identical integrations have the same key, and become one integration that their routes share. */
  key: string;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** JSON with object keys sorted, so equal integrations get equal keys whatever their member order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const decodePointerToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The integration object itself, following a `$ref` into the shared integrations. */
function resolve(ctx: HttpImportContext, value: unknown, at: SourcePath, where: string): { x: Record<string, unknown>; at: SourcePath } | undefined {
  if (!isObject(value)) {
    ctx.findings.warn(`${where}: ${INTEGRATION_EXT} must be an object; the route was created without an integration`);
    return undefined;
  }
  if (!('$ref' in value)) return { x: value, at };
  const ref = value.$ref;
  const match = typeof ref === 'string' ? /^#\/components\/x-amazon-apigateway-integrations\/([^/]+)$/.exec(ref) : null;
  const name = match ? decodePointerToken(match[1]!) : undefined;
  const components = isObject(ctx.root.components) ? ctx.root.components : {};
  const shared = isObject(components[SHARED_INTEGRATIONS_EXT]) ? components[SHARED_INTEGRATIONS_EXT] : {};
  const target = name !== undefined && Object.hasOwn(shared, name) ? shared[name] : undefined;
  if (!isObject(target)) {
    ctx.findings.warn(
      `${where}: the integration reference ${JSON.stringify(ref)} does not name an integration in components.${SHARED_INTEGRATIONS_EXT}; the route was created without an integration`,
    );
    return undefined;
  }
  return { x: target, at: ['components', SHARED_INTEGRATIONS_EXT, name!] };
}

/** The integration a route's operation declares, or undefined (reported) when HTTP APIs cannot have it. */
export function readIntegration(ctx: HttpImportContext, value: unknown, at: SourcePath, where: string): ImportedIntegration | undefined {
  const resolved = resolve(ctx, value, at, where);
  if (!resolved) return undefined;
  const { x } = resolved;
  const type = typeof x.type === 'string' ? x.type.toUpperCase() : undefined;
  if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
    const named = type === undefined ? 'without a type' : `of type ${String(x.type)}`;
    ctx.findings.warn(
      `${where}: an integration ${named} is not supported for HTTP APIs, which support only aws_proxy and http_proxy integrations; the route was created without an integration`,
    );
    return undefined;
  }
  for (const key of Object.keys(x)) {
    if (REST_ONLY.includes(key)) ctx.findings.note(`${where}: ${INTEGRATION_EXT}.${key} applies to REST APIs only and was ignored`);
    else if (!KNOWN.has(key)) ctx.findings.note(`${where}: ${INTEGRATION_EXT}.${key} is not an integration member and was ignored`);
  }

  const body: Record<string, unknown> = { integrationType: type };
  for (const [from, to] of Object.entries(COPIED)) if (present(x[from])) body[to] = x[from];
  if (present(x.httpMethod)) body.integrationMethod = typeof x.httpMethod === 'string' ? x.httpMethod.toUpperCase() : x.httpMethod;
  if (present(x.connectionType)) body.connectionType = typeof x.connectionType === 'string' ? x.connectionType.toUpperCase() : x.connectionType;
  // The extension has always been read leniently here: 1.0 written as a number, timeouts as strings.
  body.payloadFormatVersion = present(x.payloadFormatVersion) ? textOf(ctx, x.payloadFormatVersion, [...resolved.at, 'payloadFormatVersion']) : '1.0';
  if (present(x.timeoutInMillis)) {
    const t = x.timeoutInMillis;
    body.timeoutInMillis = typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : t;
  }
  if (present(x.tlsConfig)) {
    if (!isObject(x.tlsConfig)) {
      body.tlsConfig = x.tlsConfig;
    } else {
      const { insecureSkipVerification, ...rest } = x.tlsConfig;
      if (insecureSkipVerification !== undefined) ctx.findings.note(`${where}: tlsConfig.insecureSkipVerification applies to REST APIs only and was ignored`);
      if (Object.keys(rest).length > 0) body.tlsConfig = rest;
    }
  }
  return { body, key: stableJson(body) };
}
