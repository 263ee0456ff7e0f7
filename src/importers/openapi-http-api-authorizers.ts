/**
 * `components.securitySchemes` of an HTTP API definition: schemes with
 * `x-amazon-apigateway-authorizer` become JWT or Lambda (REQUEST) authorizers, given as
 * CreateAuthorizer request members; schemes whose `x-amazon-apigateway-authtype` is an `aws…`
 * term stand for IAM authorization. Other schemes mean nothing to API Gateway.
 */
import { isObject, textOf, type HttpImportContext } from './openapi-http-api-context.js';

export const AUTHORIZER_EXT = 'x-amazon-apigateway-authorizer';
export const AUTHTYPE_EXT = 'x-amazon-apigateway-authtype';

/** What a security requirement naming the scheme asks of a route. */
export type SecurityScheme =
  /** An authorizer, by the scheme's name; `body` holds CreateAuthorizer members. */
  | { kind: 'authorizer'; authorizerType: 'JWT' | 'REQUEST'; body: Record<string, unknown> }
  | { kind: 'iam' }
  /** An authorizer that could not be read (already reported): routes naming it are left out. */
  | { kind: 'invalid' }
  /** A plain OpenAPI scheme without API Gateway's extensions. */
  | { kind: 'plain' };

const WELL_KNOWN_SUFFIX = '/.well-known/openid-configuration';
/** REST API identity source prefixes and what HTTP APIs write instead. */
const REST_IDENTITY_PREFIXES: ReadonlyArray<[string, string]> = [
  ['method.request.header.', '$request.header.'],
  ['method.request.querystring.', '$request.querystring.'],
  ['stageVariables.', '$stageVariables.'],
  ['context.', '$context.'],
];
const KNOWN = new Set([
  'type',
  'identitySource',
  'jwtConfiguration',
  'authorizerUri',
  'authorizerCredentials',
  'authorizerPayloadFormatVersion',
  'enableSimpleResponses',
  'authorizerResultTtlInSeconds',
  'identityValidationExpression',
]);

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** An identity source as HTTP APIs write it (`$request.header.Authorization`). */
function identitySources(ctx: HttpImportContext, value: unknown, where: string): unknown {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : value;
  if (!Array.isArray(list)) return list;
  return list.map((source: unknown) => {
    if (typeof source !== 'string') return source;
    for (const [rest, http] of REST_IDENTITY_PREFIXES) {
      if (source.startsWith(rest)) {
        ctx.findings.note(`${where}: the REST API identity source ${source} was read as ${http}${source.slice(rest.length)}`);
        return `${http}${source.slice(rest.length)}`;
      }
    }
    return source;
  });
}

/** The identity source an `apiKey` scheme implies by where it says the key is sent. */
function impliedIdentitySource(scheme: Record<string, unknown>): string[] | undefined {
  if (scheme.type !== 'apiKey' || typeof scheme.name !== 'string' || scheme.name === '' || scheme.name === 'Unused') return undefined;
  if (scheme.in === 'header') return [`$request.header.${scheme.name}`];
  if (scheme.in === 'query') return [`$request.querystring.${scheme.name}`];
  return undefined;
}

function jwtConfiguration(scheme: Record<string, unknown>, value: unknown): unknown {
  if (present(value) && !isObject(value)) return value;
  const config: Record<string, unknown> = { ...(isObject(value) ? value : {}) };
  if (typeof config.audience === 'string') config.audience = [config.audience];
  // OpenAPI's openIdConnectUrl names the issuer's discovery document; the issuer is its base.
  if (!present(config.issuer) && typeof scheme.openIdConnectUrl === 'string' && scheme.openIdConnectUrl.endsWith(WELL_KNOWN_SUFFIX)) {
    config.issuer = scheme.openIdConnectUrl.slice(0, -WELL_KNOWN_SUFFIX.length);
  }
  return config;
}

function readAuthorizer(ctx: HttpImportContext, name: string, scheme: Record<string, unknown>, ext: unknown): SecurityScheme {
  const where = `security scheme ${name}`;
  if (!isObject(ext)) {
    ctx.findings.warn(`${where}: ${AUTHORIZER_EXT} must be an object; routes that use the scheme were not created`);
    return { kind: 'invalid' };
  }
  const type = typeof ext.type === 'string' ? ext.type.toLowerCase() : undefined;
  if (type !== 'jwt' && type !== 'request') {
    const named = type === undefined ? 'without a type' : `of type ${String(ext.type)}`;
    ctx.findings.warn(`${where}: an authorizer ${named} is not supported for HTTP APIs, which support jwt and request authorizers; routes that use the scheme were not created`);
    return { kind: 'invalid' };
  }
  for (const key of Object.keys(ext)) {
    if (key === 'identityValidationExpression') ctx.findings.note(`${where}: identityValidationExpression applies to REST APIs only and was ignored`);
    else if (!KNOWN.has(key)) ctx.findings.note(`${where}: ${AUTHORIZER_EXT}.${key} is not an authorizer member and was ignored`);
  }
  const authorizerType = type === 'jwt' ? 'JWT' : 'REQUEST';
  const body: Record<string, unknown> = { name, authorizerType };
  const at = ['components', 'securitySchemes', name, AUTHORIZER_EXT];
  if (present(ext.identitySource)) body.identitySource = identitySources(ctx, ext.identitySource, where);
  else body.identitySource = impliedIdentitySource(scheme) ?? (authorizerType === 'JWT' ? ['$request.header.Authorization'] : []);
  if (authorizerType === 'JWT') {
    body.jwtConfiguration = jwtConfiguration(scheme, ext.jwtConfiguration);
  } else {
    if (present(ext.jwtConfiguration)) body.jwtConfiguration = ext.jwtConfiguration;
    if (present(ext.authorizerUri)) body.authorizerUri = ext.authorizerUri;
    if (present(ext.authorizerCredentials)) body.authorizerCredentialsArn = ext.authorizerCredentials;
    // Definitions written for REST APIs have no payload format; theirs is the 1.0 format.
    body.authorizerPayloadFormatVersion = present(ext.authorizerPayloadFormatVersion)
      ? textOf(ctx, ext.authorizerPayloadFormatVersion, [...at, 'authorizerPayloadFormatVersion'])
      : '1.0';
    if (present(ext.enableSimpleResponses)) body.enableSimpleResponses = ext.enableSimpleResponses;
  }
  if (present(ext.authorizerResultTtlInSeconds)) {
    const ttl = ext.authorizerResultTtlInSeconds;
    body.authorizerResultTtlInSeconds = typeof ttl === 'string' && /^\d+$/.test(ttl) ? Number(ttl) : ttl;
  }
  return { kind: 'authorizer', authorizerType, body };
}

/** Every security scheme of the document, by name. */
export function readSecuritySchemes(ctx: HttpImportContext): Map<string, SecurityScheme> {
  const out = new Map<string, SecurityScheme>();
  const components = isObject(ctx.root.components) ? ctx.root.components : {};
  const schemes = components.securitySchemes;
  if (!present(schemes)) return out;
  if (!isObject(schemes)) {
    ctx.findings.warn('components.securitySchemes must be an object; it was ignored');
    return out;
  }
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) {
      ctx.findings.warn(`security scheme ${name} must be an object; routes that use it were not created`);
      out.set(name, { kind: 'invalid' });
      continue;
    }
    if (present(scheme[AUTHORIZER_EXT])) {
      out.set(name, readAuthorizer(ctx, name, scheme, scheme[AUTHORIZER_EXT]));
    } else if (typeof scheme[AUTHTYPE_EXT] === 'string' && /^aws/i.test(scheme[AUTHTYPE_EXT])) {
      out.set(name, { kind: 'iam' });
    } else {
      out.set(name, { kind: 'plain' });
    }
  }
  return out;
}
