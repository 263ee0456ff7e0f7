/**
 * JWT verification for the two token-checking authorizer types of API Gateway:
 * COGNITO_USER_POOLS authorizers on REST APIs and JWT authorizers on HTTP APIs.
 *
 * Both share one pipeline: the token must be a compact JWS signed with an asymmetric algorithm
 * by a key (named by `kid`) in the issuer's JWKS, its `iss` must be one of the configured
 * issuers exactly, `exp` must be present and in the future, and `nbf` and `iat` must not be in
 * the future, all within a small clock skew. The issuer is checked against the configuration
 * before any key is fetched, so a token cannot make the gateway contact a host of its choosing.
 * The authorizer-specific rules (token_use, audience, scopes) follow AWS's documented behaviour.
 *
 * Verification never throws and never accepts on error: every failure, including an
 * unreachable key set or a configuration that cannot be interpreted, is a denial whose `detail`
 * is meant for logs only.
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ASYMMETRIC_JWS_ALGORITHMS, JwksError, type AsymmetricJwsAlgorithm, type JwksCache } from './jwks-cache.js';

/** Default tolerance for `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 5;
/** Largest accepted skew setting; beyond this the time checks stop meaning much. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** Longest token looked at; real ones are a few kilobytes and headers rarely allow more. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export type JwtDenyReason = 'unauthorized' | 'forbidden';

export type JwtVerifyResult =
  | {
      ok: true;
      /** The verified payload, values as the token carried them. */
      claims: JWTPayload;
      /** Scopes the token carries (`scope`, and `scp` for JWT authorizers); empty if none. */
      scopes: string[];
    }
  | {
      ok: false;
      reason: JwtDenyReason;
      detail: string;
      /** Set when the signature held but the token is past `exp`: AWS words that refusal apart. */
      expired?: true;
    };

export type JwtDenial = Extract<JwtVerifyResult, { ok: false }>;

/** The parts of a COGNITO_USER_POOLS authorizer that govern token checks. */
export interface CognitoAuthorizerConfig {
  /** `providerARNs`: arn:aws:cognito-idp:{region}:{account}:userpool/{userPoolId}. */
  providerArns: readonly string[];
  /**
   * `identityValidationExpression`: when set, the token's `aud` must match it, which also
   * means access tokens (they have no `aud`) are refused.
   */
  identityValidationExpression?: string;
}

/** The `jwtConfiguration` of an HTTP API JWT authorizer. */
export interface JwtAuthorizerConfig {
  issuer: string;
  audience: readonly string[];
}

export interface JwtVerifierOptions {
  jwks: JwksCache;
  /** Allowed clock difference in seconds for exp/nbf/iat; default 5, at most 300. */
  clockSkewSeconds?: number;
  now?: () => Date;
}

export class JwtVerifier {
  private readonly jwks: JwksCache;
  private readonly skew: number;
  private readonly now: () => Date;

  constructor(options: JwtVerifierOptions) {
    const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    if (!Number.isFinite(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) {
      throw new RangeError(`clockSkewSeconds must be between 0 and ${MAX_CLOCK_SKEW_SECONDS}`);
    }
    this.jwks = options.jwks;
    this.skew = skew;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * A COGNITO_USER_POOLS authorizer. Without method scopes, an ID token (`token_use` id, with
   * `aud`) or an access token (`token_use` access, with `client_id`) from any of the user pools
   * is accepted. With method scopes, only an access token whose `scope` holds one of them is.
   * AWS answers every failure here, scope mismatches included, with 401.
   */
  async verifyCognito(
    token: string | undefined,
    config: CognitoAuthorizerConfig,
    authorizationScopes: readonly string[] = [],
  ): Promise<JwtVerifyResult> {
    if (config.providerArns.length === 0) return deny('unauthorized', 'authorizer configuration: no providerARNs');
    const issuers: string[] = [];
    for (const arn of config.providerArns) {
      const issuer = cognitoIssuerFromProviderArn(arn);
      if (issuer === undefined) return deny('unauthorized', `authorizer configuration: not a user pool ARN: ${arn}`);
      issuers.push(issuer);
    }
    let audiencePattern: RegExp | undefined;
    if (config.identityValidationExpression !== undefined && config.identityValidationExpression !== '') {
      try {
        audiencePattern = new RegExp(`^(?:${config.identityValidationExpression})$`);
      } catch {
        return deny('unauthorized', 'authorizer configuration: identityValidationExpression is not a valid regular expression');
      }
    }

    const verified = await this.verifySigned(token, issuers);
    if (!verified.ok) return verified;
    const claims = verified.claims;

    const tokenUse = claims.token_use;
    if (tokenUse === 'id') {
      if (typeof claims.aud !== 'string' || claims.aud === '') return deny('unauthorized', 'id token without aud');
    } else if (tokenUse === 'access') {
      if (typeof claims.client_id !== 'string' || claims.client_id === '') return deny('unauthorized', 'access token without client_id');
    } else {
      return deny('unauthorized', `token_use is ${JSON.stringify(tokenUse)}, expected "id" or "access"`);
    }

    if (audiencePattern) {
      if (typeof claims.aud !== 'string') return deny('unauthorized', 'identityValidationExpression set and the token has no aud');
      if (!audiencePattern.test(claims.aud)) return deny('unauthorized', 'aud does not match identityValidationExpression');
    }

    const scopes = tokenUse === 'access' ? splitScopes(claims.scope) : [];
    if (authorizationScopes.length > 0) {
      if (tokenUse !== 'access') return deny('unauthorized', 'method requires scopes and the token is an id token');
      if (!scopes.some((s) => authorizationScopes.includes(s))) {
        return deny('unauthorized', 'access token carries none of the method scopes');
      }
    }
    return { ok: true, claims, scopes };
  }

  /**
   * An HTTP API JWT authorizer: `aud` (or, for tokens without `aud`, `client_id`) must hold one
   * of the configured audiences, and when the route has authorization scopes the token's `scope`
   * or `scp` must hold one of them. A scope mismatch is 403, every other failure 401.
   */
  async verifyJwtAuthorizer(
    token: string | undefined,
    config: JwtAuthorizerConfig,
    authorizationScopes: readonly string[] = [],
  ): Promise<JwtVerifyResult> {
    if (config.audience.length === 0) return deny('unauthorized', 'authorizer configuration: no audience');
    const verified = await this.verifySigned(token, [config.issuer]);
    if (!verified.ok) return verified;
    const claims = verified.claims;

    const audiences = claims.aud !== undefined ? claims.aud : claims.client_id;
    const candidates = typeof audiences === 'string' ? [audiences] : Array.isArray(audiences) ? audiences : [];
    if (!candidates.some((a) => typeof a === 'string' && config.audience.includes(a))) {
      return deny('unauthorized', 'the token does not have a valid audience');
    }

    const scopes = [...new Set([...splitScopes(claims.scope), ...splitScopes(claims.scp)])];
    if (authorizationScopes.length > 0 && !scopes.some((s) => authorizationScopes.includes(s))) {
      return deny('forbidden', 'token carries none of the route scopes');
    }
    return { ok: true, claims, scopes };
  }

  /** Signature, issuer and time checks shared by both authorizer types. */
  private async verifySigned(token: string | undefined, issuers: readonly string[]): Promise<JwtVerifyResult> {
    if (typeof token !== 'string' || token === '') return deny('unauthorized', 'no token');
    if (token.length > MAX_TOKEN_LENGTH) return deny('unauthorized', 'token too long');

    let alg: unknown;
    let kid: unknown;
    let iss: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
      ({ iss } = decodeJwt(token));
    } catch (err) {
      return deny('unauthorized', `malformed token: ${message(err)}`);
    }
    // Checked here as well as by jose so that a refused algorithm never reaches key lookup.
    if (!isAsymmetric(alg)) return deny('unauthorized', `algorithm ${JSON.stringify(alg)} is not accepted`);
    if (typeof kid !== 'string' || kid === '') return deny('unauthorized', 'token header has no kid');
    if (typeof iss !== 'string' || !issuers.includes(iss)) {
      return deny('unauthorized', `issuer ${JSON.stringify(iss)} is not the configured issuer`);
    }
    const issuer = iss;

    const now = this.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.jwks.getKey(issuer, header.kid, header.alg), {
        algorithms: [...ASYMMETRIC_JWS_ALGORITHMS],
        issuer,
        clockTolerance: this.skew,
        currentDate: now,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const denial = deny('unauthorized', failure(err));
      return err instanceof joseErrors.JWTExpired ? { ...denial, expired: true } : denial;
    }
    // jose leaves a future `iat` alone unless a maximum age is set; AWS requires it to be past.
    if (payload.iat !== undefined && payload.iat > now.getTime() / 1000 + this.skew) {
      return deny('unauthorized', 'token issued in the future');
    }
    return { ok: true, claims: payload, scopes: [] };
  }
}

/**
 * The issuer URL of the user pool an authorizer's provider ARN names, or undefined when the
 * string is not a user pool ARN.
 */
export function cognitoIssuerFromProviderArn(arn: string): string | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, region, userPoolId] = m;
  return cognitoIssuer(region, userPoolId, partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
}

/** `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`, the `iss` of a user pool's tokens. */
export function cognitoIssuer(region: string, userPoolId: string, domain = 'amazonaws.com'): string {
  return `https://cognito-idp.${region}.${domain}/${userPoolId}`;
}

/**
 * The header an identity source reads, for the forms token authorizers use:
 * `method.request.header.{Name}` (REST) and `$request.header.{Name}` (HTTP APIs).
 */
export function headerNameFromIdentitySource(identitySource: string): string | undefined {
  const m = /^(?:method\.request|\$request)\.header\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(identitySource.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * The token in an identity-source header value. AWS takes the token alone or prefixed with
 * `Bearer `; the scheme name is matched case-insensitively as HTTP auth schemes are. A header
 * that arrived more than once is ambiguous and yields nothing.
 */
export function tokenFromHeader(value: string | readonly string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? tokenFromHeader(value[0]) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  const bearer = /^bearer(?:[ \t]+(.*))?$/i.exec(trimmed);
  const token = bearer ? (bearer[1] ?? '') : trimmed;
  return token === '' || /\s/.test(token) ? undefined : token;
}

/** Scopes from a `scope`/`scp` claim: a space-separated string or an array of strings. */
function splitScopes(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

function isAsymmetric(alg: unknown): alg is AsymmetricJwsAlgorithm {
  return typeof alg === 'string' && (ASYMMETRIC_JWS_ALGORITHMS as readonly string[]).includes(alg);
}

function deny(reason: JwtDenyReason, detail: string): JwtDenial {
  return { ok: false, reason, detail };
}

function failure(err: unknown): string {
  if (err instanceof JwksError) return `JWKS ${err.code}: ${err.message}`;
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') return 'token not yet valid (nbf)';
  if (err instanceof joseErrors.JOSEError) return `${err.code}: ${err.message}`;
  return message(err);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
