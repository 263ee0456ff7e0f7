/**
 * What a Lambda authorizer reads from a request before its function may be called: the
 * identity sources (`method.request.header.X`, `method.request.querystring.X`,
 * `stageVariables.X`, `context.X`), whether they are required, the TOKEN authorizer's
 * identityValidationExpression, and the cache settings. Parsed once per authorizer; the data
 * plane and TestInvokeAuthorizer each read the parsed sources from their own kind of request.
 *
 * Rules, from the developer guide (configure-api-gateway-lambda-authorization-with-console.md,
 * api-gateway-lambda-authorizer-input.md, call-api-with-api-gateway-lambda-authorization.md):
 * - TOKEN: the token header is always required; a missing or empty token, or one the
 *   validation expression does not match, is refused with 401 without calling the function.
 * - REQUEST: "When caching is enabled, API Gateway calls the authorizer's Lambda function only
 *   after successfully verifying that all the specified identity sources are present ... If a
 *   specified identity source is missing, null, or empty, API Gateway returns a 401"; and
 *   "When caching is disabled, it is not necessary to specify an identity source".
 * - TTL: default 300 seconds, 0 disables caching, at most 3600.
 */
import type { Authorizer } from '../model/rest-api.js';

export type IdentitySourceKind = 'header' | 'querystring' | 'stageVariable' | 'context';

export interface IdentitySource {
  kind: IdentitySourceKind;
  /** The header (lower-cased), query parameter, stage variable or `$context` path (`identity.sourceIp`). */
  name: string;
  /** As written in the authorizer, for logs. */
  expression: string;
}

const PREFIXES: [string, IdentitySourceKind][] = [
  ['method.request.header.', 'header'],
  ['method.request.querystring.', 'querystring'],
  ['stageVariables.', 'stageVariable'],
  ['context.', 'context'],
];

/** AWS's default result TTL and its fixed ceiling, in seconds. */
export const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;
export const MAX_AUTHORIZER_TTL_SECONDS = 3600;

/** A Lambda authorizer's request-side settings, parsed once. */
export interface IdentityPlan {
  type: 'TOKEN' | 'REQUEST';
  /**
   * The sources in the order written. Unknown expressions are kept as `undefined` entries: they
   * can never be read, so a required one refuses every request (as a source that is absent would).
   */
  sources: (IdentitySource | undefined)[];
  /** Whether every source must be present and non-empty before the function is called. */
  required: boolean;
  /** TOKEN only: the identityValidationExpression as a whole-token test; undefined when none. */
  validate?: (token: string) => boolean;
  /** 0 when results are not cached. */
  ttlSeconds: number;
}

export function parseIdentitySource(expression: string): IdentitySource | undefined {
  for (const [prefix, kind] of PREFIXES) {
    if (!expression.startsWith(prefix)) continue;
    const name = expression.slice(prefix.length);
    if (name === '') return undefined;
    // Header names are case-insensitive; everything else is matched as written.
    return { kind, name: kind === 'header' ? name.toLowerCase() : name, expression };
  }
  return undefined;
}

export function authorizerTtlSeconds(authorizer: Authorizer): number {
  const ttl = authorizer.authorizerResultTtlInSeconds ?? DEFAULT_AUTHORIZER_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0) return 0;
  return Math.min(Math.floor(ttl), MAX_AUTHORIZER_TTL_SECONDS);
}

/**
 * The identityValidationExpression as a test of the whole token. One that is not a valid
 * regular expression here matches nothing, so the method stays closed rather than open.
 */
export function compileValidationExpression(expression: string | undefined): ((token: string) => boolean) | undefined {
  if (expression === undefined || expression === '') return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${expression})$`);
  } catch {
    return () => false;
  }
  return (token) => regex.test(token);
}

export function planIdentity(authorizer: Authorizer): IdentityPlan {
  const type = authorizer.type === 'REQUEST' ? 'REQUEST' : 'TOKEN';
  const expressions = (authorizer.identitySource ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ttlSeconds = authorizerTtlSeconds(authorizer);
  if (type === 'TOKEN') {
    // A TOKEN authorizer has exactly one source, a header; anything else can never be read.
    const first = expressions[0] === undefined ? undefined : parseIdentitySource(expressions[0]);
    return {
      type,
      sources: [first?.kind === 'header' ? first : undefined],
      required: true,
      validate: compileValidationExpression(authorizer.identityValidationExpression),
      ttlSeconds,
    };
  }
  return { type, sources: expressions.map(parseIdentitySource), required: ttlSeconds > 0, ttlSeconds };
}

/** Whether the values read for the plan's sources let the function be called. */
export function identityAccepted(plan: IdentityPlan, values: readonly (string | undefined)[]): boolean {
  if (plan.type === 'TOKEN') {
    const token = values[0];
    if (token === undefined || token === '') return false;
    return plan.validate === undefined || plan.validate(token);
  }
  return !plan.required || values.every((v) => v !== undefined && v !== '');
}

/** The cache key of one identity: the token, or every source's value (unambiguously joined). */
export function identityCacheKey(values: readonly (string | undefined)[]): string {
  return values.length === 1 ? (values[0] ?? '') : JSON.stringify(values);
}
