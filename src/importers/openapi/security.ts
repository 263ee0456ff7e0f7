/**
 * Security schemes and requirements: schemes carrying `x-amazon-apigateway-authorizer` become
 * authorizers, `x-amazon-apigateway-authtype: awsSigv4` means IAM, and the `x-api-key` header
 * scheme means an API key is required. An operation's `security` list and its
 * `x-amazon-apigateway-auth` extension then decide how the method is authorized.
 */
import type { AuthorizationType, Authorizer, AuthorizerType } from '../../model/rest-api.js';
import type { ImportContext, SourcePath } from './context.js';
import type { IdAllocator } from './ids.js';
import type { LocationMap } from './locations.js';

export const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

const AUTHORIZER_TYPES_BY_NAME: Record<string, AuthorizerType> = {
  token: 'TOKEN',
  request: 'REQUEST',
  cognito_user_pools: 'COGNITO_USER_POOLS',
};

export type SchemeUse =
  | { kind: 'authorizer'; authorizerId: string; type: AuthorizerType }
  | { kind: 'iam' }
  | { kind: 'apiKey' }
  /** Schemes API Gateway does not act on (OAuth flows, HTTP auth without an authorizer, …). */
  | { kind: 'none' };

export interface MethodAuth {
  authorizationType: AuthorizationType;
  authorizerId?: string;
  apiKeyRequired: boolean;
  authorizationScopes?: string[];
}

function schemesPath(ctx: ImportContext): string[] {
  return ctx.version === 'swagger2' ? ['securityDefinitions'] : ['components', 'securitySchemes'];
}

/** The identity source an authorizer gets when its extension gives none: the scheme's own header or query parameter. */
function defaultIdentitySource(scheme: Record<string, unknown>, type: AuthorizerType): string | undefined {
  const name = scheme.name;
  if (typeof name !== 'string' || name === '' || name === 'Unused') return undefined;
  if (scheme.in === 'header') return `method.request.header.${name}`;
  // TOKEN and Cognito authorizers only ever read a header.
  if (scheme.in === 'query' && type === 'REQUEST') return `method.request.querystring.${name}`;
  return undefined;
}

export function buildAuthorizers(
  ctx: ImportContext,
  ids: IdAllocator,
  locations: LocationMap,
): { authorizers: Record<string, Authorizer>; schemes: Map<string, SchemeUse> } {
  const authorizers: Record<string, Authorizer> = {};
  const schemes = new Map<string, SchemeUse>();
  const base = schemesPath(ctx);
  const container = ctx.at(base);
  if (container === undefined) return { authorizers, schemes };
  const definitions = ctx.object(container, base);
  if (!definitions) return { authorizers, schemes };

  for (const [name, raw] of Object.entries(definitions)) {
    // A broken scheme is reported once, here; methods using it should not add "no such scheme".
    schemes.set(name, { kind: 'none' });
    const resolved = ctx.resolve(raw, [...base, name]);
    if (!resolved) continue;
    const path = resolved.path;
    const scheme = ctx.object(resolved.value, path, 'a security scheme object');
    if (!scheme) continue;
    const authType = ctx.string(scheme, 'x-amazon-apigateway-authtype', path);

    if (scheme['x-amazon-apigateway-authorizer'] !== undefined) {
      const extPath = [...path, 'x-amazon-apigateway-authorizer'];
      const ext = ctx.object(scheme['x-amazon-apigateway-authorizer'], extPath);
      if (!ext) continue;
      const typeName = ctx.string(ext, 'type', extPath, true);
      if (typeName === undefined) continue;
      const type = AUTHORIZER_TYPES_BY_NAME[typeName.toLowerCase()];
      if (!type) {
        ctx.problem([...extPath, 'type'], `'${typeName}' is not a REST API authorizer type; expected token, request or cognito_user_pools`);
        continue;
      }
      const authorizer: Authorizer = {
        id: ids.authorizer(name),
        name,
        type,
      };
      // AWS keeps no TTL for an imported authorizer that names none (recorded: GetAuthorizers omits it).
      const ttl = ctx.number(ext, 'authorizerResultTtlInSeconds', extPath);
      if (ttl !== undefined) authorizer.authorizerResultTtlInSeconds = ttl;
      const optional = {
        authType,
        authorizerUri: ctx.string(ext, 'authorizerUri', extPath),
        authorizerCredentials: ctx.string(ext, 'authorizerCredentials', extPath),
        identitySource: ctx.string(ext, 'identitySource', extPath) ?? defaultIdentitySource(scheme, type),
        identityValidationExpression: ctx.string(ext, 'identityValidationExpression', extPath),
        providerARNs: ctx.stringList(ext, 'providerARNs', extPath),
      };
      for (const [key, value] of Object.entries(optional)) {
        if (value !== undefined) Object.assign(authorizer, { [key]: value });
      }
      authorizers[authorizer.id] = authorizer;
      locations.add(['authorizers', authorizer.id], extPath);
      locations.add(['authorizers', authorizer.id, 'name'], path);
      locations.add(['authorizers', authorizer.id, 'authType'], [...path, 'x-amazon-apigateway-authtype']);
      schemes.set(name, { kind: 'authorizer', authorizerId: authorizer.id, type });
    } else if (authType?.toLowerCase() === 'awssigv4') {
      schemes.set(name, { kind: 'iam' });
    } else if (scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string' && scheme.name.toLowerCase() === 'x-api-key') {
      schemes.set(name, { kind: 'apiKey' });
    }
  }
  return { authorizers, schemes };
}

/**
 * How an operation is authorized. Only the operation's own `security` counts: API Gateway does
 * not apply a document-level `security` list to methods, and importing it would make methods
 * stricter here than on AWS.
 */
export function methodAuth(
  ctx: ImportContext,
  schemes: Map<string, SchemeUse>,
  operation: Record<string, unknown>,
  opPath: SourcePath,
): { auth: MethodAuth; authPath: SourcePath } {
  const auth: MethodAuth = { authorizationType: 'NONE', apiKeyRequired: false };
  let authPath: SourcePath = opPath;
  const security = operation.security;
  if (security !== undefined) {
    const securityPath = [...opPath, 'security'];
    authPath = securityPath;
    if (!Array.isArray(security)) {
      ctx.problem(securityPath, 'expected a list of security requirements');
    } else {
      // OpenAPI lists alternatives; API Gateway has one setting per method, so every listed
      // scheme applies.
      security.forEach((requirement, i) => {
        const reqPath = [...securityPath, String(i)];
        const req = ctx.object(requirement, reqPath, 'a security requirement object');
        if (!req) return;
        for (const [name, scopes] of Object.entries(req)) {
          applyScheme(ctx, schemes, auth, name, scopes, [...reqPath, name]);
        }
      });
    }
  }

  const ext = operation['x-amazon-apigateway-auth'];
  if (ext !== undefined) {
    const extPath = [...opPath, 'x-amazon-apigateway-auth'];
    const obj = ctx.object(ext, extPath);
    const type = obj ? ctx.string(obj, 'type', extPath, true) : undefined;
    if (type !== undefined) {
      const upper = type.toUpperCase();
      if (upper === 'AWS_IAM' || upper === 'NONE') {
        auth.authorizationType = upper;
        delete auth.authorizerId;
        delete auth.authorizationScopes;
        authPath = extPath;
      } else {
        ctx.problem([...extPath, 'type'], `'${type}' is not an authorization type here; expected AWS_IAM or NONE`);
      }
    }
  }
  return { auth, authPath };
}

function applyScheme(
  ctx: ImportContext,
  schemes: Map<string, SchemeUse>,
  auth: MethodAuth,
  name: string,
  scopes: unknown,
  path: SourcePath,
): void {
  const use = schemes.get(name);
  if (!use) {
    ctx.problem(path, `there is no security scheme '${name}'`);
    return;
  }
  if (use.kind === 'apiKey') {
    auth.apiKeyRequired = true;
  } else if (use.kind === 'iam') {
    if (auth.authorizerId !== undefined) {
      ctx.problem(path, 'a method cannot use both IAM authorization and an authorizer');
      return;
    }
    auth.authorizationType = 'AWS_IAM';
  } else if (use.kind === 'authorizer') {
    if (auth.authorizationType === 'AWS_IAM') {
      ctx.problem(path, 'a method cannot use both IAM authorization and an authorizer');
      return;
    }
    if (auth.authorizerId !== undefined && auth.authorizerId !== use.authorizerId) {
      ctx.problem(path, 'a method can use only one authorizer');
      return;
    }
    auth.authorizerId = use.authorizerId;
    auth.authorizationType = use.type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : 'CUSTOM';
    if (use.type === 'COGNITO_USER_POOLS' && Array.isArray(scopes) && scopes.length > 0) {
      const list = scopes.filter((s): s is string => typeof s === 'string');
      if (list.length !== scopes.length) ctx.problem(path, 'scopes must be strings');
      auth.authorizationScopes = list;
    }
  }
}
