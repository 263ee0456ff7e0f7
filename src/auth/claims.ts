/**
 * How verified JWT claims are shown to integrations, in the shapes API Gateway uses.
 *
 * REST APIs with a COGNITO_USER_POOLS authorizer expose the claims as `$context.authorizer.claims`
 * (and as `requestContext.authorizer.claims` in the Lambda proxy event); HTTP APIs with a JWT
 * authorizer expose `requestContext.authorizer.jwt = { claims, scopes }` in payload 2.0 and
 * `requestContext.authorizer = { claims, scopes }` in payload 1.0. In every case each claim value
 * is a string. The guide states that, but not how non-string values are written; the
 * conversions below follow values observed on AWS and reported publicly:
 *
 * - REST: `exp`, `iat` and `nbf` become dates as `Tue Apr 04 18:39:39 UTC 2023`; other numbers
 *   and booleans their JSON text; arrays their elements joined with `,` (a one-element array is
 *   just that element).
 * - HTTP APIs: numbers and booleans their JSON text (`exp` stays epoch seconds); arrays their
 *   elements space-separated in brackets, `[a b]`.
 *
 * Objects become their JSON text in both, and null-valued claims are left out; neither case is
 * documented or observed.
 */
import type { JWTPayload } from 'jose';

export type StringClaims = Record<string, string>;

/** `requestContext.authorizer` of a REST API Lambda proxy event after a Cognito authorizer. */
export interface RestCognitoAuthorizerContext {
  claims: StringClaims;
}

/** `requestContext.authorizer` of an HTTP API payload 2.0 event after a JWT authorizer. */
export interface HttpApiJwtAuthorizerContext {
  jwt: { claims: StringClaims; scopes: string[] | null };
}

/** `requestContext.authorizer` of an HTTP API payload 1.0 event after a JWT authorizer. */
export interface HttpApiV1JwtAuthorizerContext {
  claims: StringClaims;
  scopes: string[] | null;
}

const REST_DATE_CLAIMS = new Set(['exp', 'iat', 'nbf']);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The values of `$context.authorizer.claims.*` for a REST API Cognito authorizer. */
export function restAuthorizerClaims(claims: JWTPayload): StringClaims {
  const out: StringClaims = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    const date = REST_DATE_CLAIMS.has(name) && typeof value === 'number' ? utcDateString(value) : undefined;
    if (date !== undefined) {
      out[name] = date;
    } else if (Array.isArray(value)) {
      out[name] = value.map(scalarText).join(',');
    } else {
      out[name] = scalarText(value);
    }
  }
  return out;
}

/** The values of `requestContext.authorizer.jwt.claims` for an HTTP API JWT authorizer. */
export function httpApiJwtClaims(claims: JWTPayload): StringClaims {
  const out: StringClaims = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    out[name] = Array.isArray(value) ? `[${value.map(scalarText).join(' ')}]` : scalarText(value);
  }
  return out;
}

export function restCognitoAuthorizerContext(claims: JWTPayload): RestCognitoAuthorizerContext {
  return { claims: restAuthorizerClaims(claims) };
}

/**
 * `requestContext.authorizer` for payload 2.0. `scopes` is the token's scopes when the route
 * has authorization scopes and null when it has none, which is what AWS sends for such routes
 * even if the token carries scopes.
 */
export function httpApiJwtAuthorizerContext(
  verified: { claims: JWTPayload; scopes: readonly string[] },
  routeAuthorizationScopes: readonly string[] | undefined,
): HttpApiJwtAuthorizerContext {
  return { jwt: { claims: httpApiJwtClaims(verified.claims), scopes: eventScopes(verified.scopes, routeAuthorizationScopes) } };
}

/** `requestContext.authorizer` for payload 1.0; `scopes` follows the payload 2.0 rule. */
export function httpApiV1JwtAuthorizerContext(
  verified: { claims: JWTPayload; scopes: readonly string[] },
  routeAuthorizationScopes: readonly string[] | undefined,
): HttpApiV1JwtAuthorizerContext {
  return { claims: httpApiJwtClaims(verified.claims), scopes: eventScopes(verified.scopes, routeAuthorizationScopes) };
}

function eventScopes(tokenScopes: readonly string[], routeScopes: readonly string[] | undefined): string[] | null {
  return routeScopes !== undefined && routeScopes.length > 0 ? [...tokenScopes] : null;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** A UTC instant written the way API Gateway writes Cognito date claims; undefined off the calendar. */
function utcDateString(epochSeconds: number): string | undefined {
  const d = new Date(Math.trunc(epochSeconds) * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
