/**
 * Per-entry invalidation: what a cached method does with a request that carries
 * `Cache-Control: max-age=0`. AWS refetches from the integration and replaces the entry when
 * the caller may invalidate: anyone when requireAuthorizationForCacheControl is false,
 * otherwise only a caller granted execute-api:InvalidateCache (the wiring works that out from
 * IAM and passes it in). An unauthorized request is handled by
 * unauthorizedCacheControlHeaderStrategy: refused with 403, or served as if it had no such
 * header, with or without a warning header on the response.
 *
 * Only `max-age=0` asks for invalidation (other Cache-Control directives, `no-cache`
 * included, are not something AWS documents acting on). Decisions are shared constants, so
 * deciding allocates nothing per request.
 */

export type UnauthorizedCacheControlHeaderStrategy =
  | 'FAIL_WITH_403'
  | 'SUCCEED_WITH_RESPONSE_HEADER'
  | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

/**
 * - `use-cache`: no invalidation asked for; read the cache as usual.
 * - `invalidate-and-fetch`: skip the cached entry, call the integration, store its response.
 * - `reject-403`: answer with INVALIDATION_DENIED and call nothing.
 * - `ignore`: treat the request as if it had no Cache-Control header (read the cache as usual);
 *   with `addHeader`, add UNAUTHORIZED_CACHE_CONTROL_WARNING to the response.
 */
export type CacheControlAction = 'use-cache' | 'invalidate-and-fetch' | 'reject-403' | 'ignore';

export interface CacheControlDecision {
  readonly action: CacheControlAction;
  readonly addHeader?: boolean;
}

export interface CacheControlInput {
  /** The request's Cache-Control header(s), as Node hands them over. */
  cacheControl: string | readonly string[] | undefined;
  /** Whether the caller holds execute-api:InvalidateCache on this method's ARN. */
  authorizedToInvalidate: boolean;
  /** The method setting; AWS's default is true. */
  requireAuthorizationForCacheControl?: boolean;
  /** The method setting; AWS's default is SUCCEED_WITH_RESPONSE_HEADER. */
  unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlHeaderStrategy;
}

/**
 * The warning AWS adds under SUCCEED_WITH_RESPONSE_HEADER. AWS's documentation only says "a
 * warning header"; this name and text are the ones public reimplementations of API Gateway
 * reproduce.
 */
export const UNAUTHORIZED_CACHE_CONTROL_WARNING = {
  name: 'Warning',
  value: '199 Cache-control headers were ignored because the caller was unauthorized.',
} as const;

/**
 * The 403 for FAIL_WITH_403: AWS's ACCESS_DENIED gateway response with its default body, so an
 * API that customised ACCESS_DENIED sees its own template here too.
 */
export const INVALIDATION_DENIED = {
  responseType: 'ACCESS_DENIED',
  statusCode: 403,
  message: 'User is not authorized to access this resource',
  body: '{"message":"User is not authorized to access this resource"}',
} as const;

const USE_CACHE: CacheControlDecision = Object.freeze({ action: 'use-cache' });
const INVALIDATE: CacheControlDecision = Object.freeze({ action: 'invalidate-and-fetch' });
const REJECT: CacheControlDecision = Object.freeze({ action: 'reject-403' });
const IGNORE_WITH_HEADER: CacheControlDecision = Object.freeze({ action: 'ignore', addHeader: true });
const IGNORE: CacheControlDecision = Object.freeze({ action: 'ignore', addHeader: false });

export function decideCacheControl(input: CacheControlInput): CacheControlDecision {
  if (!requestsInvalidation(input.cacheControl)) return USE_CACHE;
  if (input.requireAuthorizationForCacheControl === false || input.authorizedToInvalidate) return INVALIDATE;
  switch (input.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER') {
    case 'FAIL_WITH_403':
      return REJECT;
    case 'SUCCEED_WITHOUT_RESPONSE_HEADER':
      return IGNORE;
    case 'SUCCEED_WITH_RESPONSE_HEADER':
      return IGNORE_WITH_HEADER;
  }
}

/** Whether the header asks for a fresh response: a `max-age` directive whose value is 0. */
export function requestsInvalidation(cacheControl: string | readonly string[] | undefined): boolean {
  if (cacheControl === undefined) return false;
  if (typeof cacheControl !== 'string') return cacheControl.some((value) => requestsInvalidation(value));
  // Cheap test first: nearly every request either has no header or no max-age in it.
  if (!/max-age/i.test(cacheControl)) return false;
  for (const directive of cacheControl.split(',')) {
    const match = /^\s*max-age\s*=\s*(?:"(\d+)"|(\d+))\s*$/i.exec(directive);
    if (match && Number(match[1] ?? match[2]) === 0) return true;
  }
  return false;
}
