/**
 * COGNITO_USER_POOLS authorizers on the data plane: the MethodAuthorizerFactory for methods
 * whose authorizationType is COGNITO_USER_POOLS, built once per method when its stage compiles.
 *
 * The token is read from the header the authorizer's identitySource names (default
 * `method.request.header.Authorization`), verified against the user pools of its providerARNs
 * (signature by a key of the pool's JWKS, issuer, expiry, token_use, the method's
 * authorizationScopes; see jwt-verifier.ts), and its claims become `$context.authorizer.claims`
 * and the proxy event's `requestContext.authorizer.claims`. Every failure, an unreachable key
 * set included, is AWS's 401 UNAUTHORIZED `{"message":"Unauthorized"}`.
 *
 * Where the keys come from: a user pool's tokens carry the issuer
 * `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`, whose keys Portico fetches from
 * `{issuer}/.well-known/jwks.json` on the Internet. To verify tokens offline, or from a local
 * identity provider standing in for a user pool, map the issuer to another JWKS URL with the
 * `PORTICO_COGNITO_JWKS` environment variable or the `cognitoJwks` option of `Portico.start`
 * (the option's entries win). Keys are issuers or user pool ARNs:
 *
 *   PORTICO_COGNITO_JWKS='{"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123": "http://127.0.0.1:9000/jwks"}'
 *
 * Without an override the real Cognito key set is used, and tokens are refused (fail closed)
 * while it cannot be reached. One key cache serves every method of a Portico process.
 */
import type { Authorizer } from '../model/rest-api.js';
import type { MethodAuthorizer, MethodAuthorizerFactory } from '../gateway/rest/authorization.js';
import { unauthorized } from '../gateway/rest/authorization.js';
import { GatewayError } from '../gateway/errors.js';
import { restCognitoAuthorizerContext } from './claims.js';
import { JwksCache } from './jwks-cache.js';
import { cognitoIssuerFromProviderArn, headerNameFromIdentitySource, JwtVerifier, tokenFromHeader, type CognitoAuthorizerConfig } from './jwt-verifier.js';

/** The identity source AWS gives a Cognito authorizer that names none. */
export const DEFAULT_COGNITO_IDENTITY_SOURCE = 'method.request.header.Authorization';

export interface CognitoAuthorizerOptions {
  /** User pool issuer → JWKS URL (see cognitoJwksOverrides). */
  jwksUrlOverrides?: Readonly<Record<string, string>>;
}

/** The factory for COGNITO_USER_POOLS methods; one key cache for all of them. */
export function createCognitoAuthorizerFactory(options: CognitoAuthorizerOptions = {}): MethodAuthorizerFactory {
  const verifier = new JwtVerifier({ jwks: new JwksCache({ jwksUrlOverrides: options.jwksUrlOverrides ?? {} }) });
  return (binding) => {
    const authorizer = binding.authorizer;
    const header = headerNameFromIdentitySource(authorizer?.identitySource || DEFAULT_COGNITO_IDENTITY_SOURCE);
    // A method pointing at no Cognito authorizer, or at one reading no header, admits nobody.
    if (authorizer?.type !== 'COGNITO_USER_POOLS' || header === undefined) return REFUSE_ALL;
    const config = cognitoConfig(authorizer);
    const scopes = Object.freeze([...(binding.method.authorizationScopes ?? [])]);
    return {
      async authorize(inv) {
        const result = await verifier.verifyCognito(tokenFromHeader(inv.req.headers[header]), config, scopes);
        // AWS tells an expired token apart in the UNAUTHORIZED response's message.
        if (!result.ok) throw result.expired ? new GatewayError('UNAUTHORIZED', 'The incoming token has expired') : unauthorized();
        return { claims: restCognitoAuthorizerContext(result.claims).claims };
      },
    };
  };
}

const REFUSE_ALL: MethodAuthorizer = { authorize: () => Promise.reject(unauthorized()) };

function cognitoConfig(authorizer: Authorizer): CognitoAuthorizerConfig {
  const config: CognitoAuthorizerConfig = { providerArns: Object.freeze([...(authorizer.providerARNs ?? [])]) };
  if (authorizer.identityValidationExpression) config.identityValidationExpression = authorizer.identityValidationExpression;
  return config;
}

/**
 * The issuer → JWKS URL map: `PORTICO_COGNITO_JWKS` (a JSON object), then `option` over it.
 * Keys may be issuer URLs or user pool ARNs (turned into their issuer).
 * @throws Error naming the malformed entries, so a bad setting stops Portico from starting.
 */
export function cognitoJwksOverrides(env: NodeJS.ProcessEnv, option: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const text = env.PORTICO_COGNITO_JWKS;
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`PORTICO_COGNITO_JWKS is not JSON: ${(err as Error).message}`);
    }
    addOverrides(out, parsed, 'PORTICO_COGNITO_JWKS');
  }
  if (option !== undefined) addOverrides(out, option, 'the cognitoJwks option');
  return out;
}

function addOverrides(out: Record<string, string>, value: unknown, source: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} must be an object mapping user pool issuers to JWKS URLs`);
  }
  for (const [key, url] of Object.entries(value as Record<string, unknown>)) {
    const issuer = key.startsWith('arn:') ? cognitoIssuerFromProviderArn(key) : key;
    if (issuer === undefined) throw new Error(`${source}: ${key} is not a user pool ARN`);
    if (!/^https?:\/\//.test(issuer)) throw new Error(`${source}: ${key} is neither an issuer URL nor a user pool ARN`);
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error(`${source}: the JWKS URL for ${key} must be an http(s) URL`);
    out[issuer] = url;
  }
}
