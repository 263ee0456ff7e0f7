/**
 * How methods are authorized → security schemes and per-operation `security` lists: an API key
 * scheme (`api_key`), an IAM scheme (`sigv4`) and one scheme per authorizer, named after it.
 * The schemes themselves are plain OpenAPI; the `x-amazon-apigateway-authtype` and
 * `-authorizer` members that let API Gateway read them back are added when asked for.
 */
import type { Authorizer, Method } from '../model/rest-api.js';
import { compactMembers } from './openapi-integration.js';
import type { ExportContext } from './openapi-context.js';

export const API_KEY_SCHEME = 'api_key';
export const IAM_SCHEME = 'sigv4';

/** Header a TOKEN/Cognito authorizer reads, for the scheme's `name`. */
function identityHeader(authorizer: Authorizer): string {
  const match = /^method\.request\.header\.([^,\s]+)$/.exec(authorizer.identitySource ?? '');
  return match ? match[1]! : 'Unused';
}

export function authorizerSchemeName(ctx: ExportContext, authorizerId: string): string | undefined {
  return ctx.doc.authorizers[authorizerId]?.name;
}

/** The `security` list of one method; undefined when it needs no authorization. */
export function methodSecurity(ctx: ExportContext, method: Method): Record<string, string[]>[] | undefined {
  const out: Record<string, string[]>[] = [];
  if (method.authorizationType === 'AWS_IAM') out.push({ [IAM_SCHEME]: [] });
  if ((method.authorizationType === 'CUSTOM' || method.authorizationType === 'COGNITO_USER_POOLS') && method.authorizerId) {
    const name = authorizerSchemeName(ctx, method.authorizerId);
    if (name !== undefined) out.push({ [name]: method.authorizationType === 'COGNITO_USER_POOLS' ? [...(method.authorizationScopes ?? [])] : [] });
  }
  if (method.apiKeyRequired) out.push({ [API_KEY_SCHEME]: [] });
  return out.length > 0 ? out : undefined;
}

/** The schemes the exported methods refer to, in a fixed order. */
export function securitySchemes(ctx: ExportContext, used: ReadonlySet<string>): Record<string, unknown> {
  const withExtensions = ctx.extensions.apigateway || ctx.extensions.authorizers;
  const out: Record<string, unknown> = {};
  if (used.has(API_KEY_SCHEME)) out[API_KEY_SCHEME] = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  if (used.has(IAM_SCHEME)) {
    out[IAM_SCHEME] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      ...(withExtensions ? { 'x-amazon-apigateway-authtype': 'awsSigv4' } : {}),
    };
  }
  for (const authorizer of Object.values(ctx.doc.authorizers)) {
    if (!used.has(authorizer.name)) continue;
    const scheme: Record<string, unknown> = { type: 'apiKey', name: identityHeader(authorizer), in: 'header' };
    if (withExtensions) {
      scheme['x-amazon-apigateway-authtype'] = authorizer.authType ?? (authorizer.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom');
      scheme['x-amazon-apigateway-authorizer'] = compactMembers({
        type: authorizer.type.toLowerCase(),
        authorizerUri: authorizer.authorizerUri,
        authorizerCredentials: authorizer.authorizerCredentials,
        providerARNs: authorizer.providerARNs,
        identitySource: authorizer.identitySource,
        identityValidationExpression: authorizer.identityValidationExpression,
        authorizerResultTtlInSeconds: authorizer.authorizerResultTtlInSeconds,
      });
    }
    out[authorizer.name] = scheme;
  }
  return out;
}
