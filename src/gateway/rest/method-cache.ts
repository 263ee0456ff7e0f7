/**
 * The response cache step of one method, compiled with its stage. Whether a method is cached is
 * decided here, once, from the stage's settings as AWS documents them (api-gateway-caching):
 *
 * - the stage must have cacheClusterEnabled;
 * - the method's own method setting (`/{resource}/{METHOD}`, or `/{resource}/*`) decides by its
 *   cachingEnabled; without one, the stage default (`*\/*`) applies to GET methods only ("only
 *   GET methods have caching enabled by default"; other methods need an override);
 * - cacheTtlInSeconds (default 300, at most 3600) of 0 disables caching.
 *
 * An uncached method gets no step at all. A cached one runs, after the method request's access
 * control: request validation, the Cache-Control decision (cache-control.ts), the lookup, and on
 * a miss the integration, whose answer is stored. What is stored is the method response the
 * integration step produced (status, headers, body after the integration response), so a hit
 * is replayed without calling the backend or mapping again. AWS describes its cache as holding
 * "the endpoint response"; the two differ only for integration responses that read per-request
 * `$context` values (requestId, requestTime…), which a hit repeats from the stored response.
 * The `X-Amzn-Trace-Id` response header is the exception: a hit carries its own request's.
 *
 * Every status the integration answered is cached (AWS documents no status filter, and public
 * reports show a backend's 429 served from the cache); failures that become gateway responses
 * (timeouts, unreachable backends, authorizer refusals) are thrown, never stored. Bodies over
 * 1 MiB are not stored (MAX_CACHEABLE_BODY_BYTES).
 *
 * Canary requests use the stage cache only when the canary's useStageCache is set ("if the
 * useStageCache is set and API caching is enabled on the stage", canary-release); when the
 * canary serves another deployment than the stage, its entries are kept apart from the stage's
 * ("responses for production and canary requests are cached separately"), and when it serves
 * the same deployment the two share entries.
 */
import type { CanarySettings, MethodSetting, Stage } from '../../model/api.js';
import type { Integration, Method } from '../../model/rest-api.js';
import type { AccountSettings } from '../../model/settings.js';
import type { IamPrincipalDirectory } from '../../auth/iam-principals.js';
import type { IntegrationHandler } from '../../integrations/integration.js';
import { compileCacheKey, CacheKeyError, type CacheKey, type CacheKeyFunction } from '../../traffic/cache-key.js';
import {
  decideCacheControl,
  INVALIDATION_DENIED,
  requestsInvalidation,
  UNAUTHORIZED_CACHE_CONTROL_WARNING,
  type CacheControlDecision,
  type UnauthorizedCacheControlHeaderStrategy,
} from '../../traffic/cache-control.js';
import type { CacheRegistry } from '../../traffic/cache-registry.js';
import { DEFAULT_TTL_SECONDS, MAX_CACHEABLE_BODY_BYTES, MAX_TTL_SECONDS, type CacheEntryOptions, type CachedResponse, type PeekedResponse, type ResponseCache } from '../../traffic/response-cache.js';
import { GatewayError, integrationFailure } from '../errors.js';
import type { Invocation } from '../invocation.js';
import type { GatewayResult } from '../result.js';
import { captureBody } from './captured-body.js';
import { compileInvalidationCheck, type InvalidationCheck } from './cache-invalidation.js';

/** A method's cache settings after AWS's precedence rules; undefined means not cached. */
export interface MethodCacheSetting {
  ttlSeconds: number;
  encrypted: boolean;
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlHeaderStrategy;
}

export function methodCacheSetting(stage: Stage, resourcePath: string, httpMethod: string): MethodCacheSetting | undefined {
  if (!stage.cacheClusterEnabled) return undefined;
  // Method settings are stored under the resource path with `/` written `~1`, as AWS shows them.
  const escaped = resourcePath.replace(/\//g, '~1');
  const own: MethodSetting | undefined = stage.methodSettings[`${escaped}/${httpMethod}`] ?? stage.methodSettings[`${escaped}/*`];
  if (own === undefined && httpMethod !== 'GET') return undefined;
  const setting = own ?? stage.methodSettings['*/*'];
  if (setting?.cachingEnabled !== true) return undefined;
  const ttlSeconds = Math.min(setting.cacheTtlInSeconds ?? DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS);
  if (!(ttlSeconds > 0)) return undefined;
  return {
    ttlSeconds,
    encrypted: setting.cacheDataEncrypted === true,
    requireAuthorizationForCacheControl: setting.requireAuthorizationForCacheControl !== false,
    unauthorizedCacheControlHeaderStrategy: setting.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
  };
}

/** The stage's cache as a compile sees it; undefined when nothing of the stage is cached. */
export interface StageCache {
  registry: CacheRegistry;
  cache: ResponseCache;
  /** Set for a canary serving another deployment: keeps its entries apart from the stage's. */
  keyPrefix?: string;
}

/** What a stage compile is for: the stage itself, or its canary. */
export interface StageCacheVariant {
  canary?: CanarySettings;
}

export function stageCacheFor(stage: Stage, deploymentId: string, registry: CacheRegistry | undefined, variant: StageCacheVariant = {}): StageCache | undefined {
  if (registry === undefined || !stage.cacheClusterEnabled) return undefined;
  if (variant.canary !== undefined && !variant.canary.useStageCache) return undefined;
  const cache = registry.acquire(stage.apiId, stage.stageName, stage.cacheClusterSize);
  const separate = variant.canary !== undefined && deploymentId !== stage.deploymentId;
  // `c` + length-prefixed id: plain cache-key ids start with `k` or `h`, so these never collide.
  return separate ? { registry, cache, keyPrefix: `c${deploymentId.length}:${deploymentId}` } : { registry, cache };
}

export interface MethodCacheBinding {
  stageCache: StageCache | undefined;
  stage: Stage;
  account: AccountSettings;
  resourcePath: string;
  httpMethod: string;
  method: Method;
  integration: Integration | undefined;
  /** The path of a resource of the API by its id; undefined for an id that names none. */
  resourcePathOf: (resourceId: string) => string | undefined;
  /** Request validation, run before the lookup (the method request comes first). */
  validate: ((inv: Invocation) => Promise<void>) | undefined;
  /** The integration itself, called on a miss. */
  integrate: IntegrationHandler;
  principals: IamPrincipalDirectory | undefined;
}

/**
 * The cache step standing in for `integrate` on the data plane, or undefined when the method is
 * not cached. A method that cannot be cached as configured (a cache key parameter it cannot read,
 * cacheDataEncrypted on Redis without PORTICO_CACHE_KEY) is left uncached and the reason logged once.
 */
export function compileMethodCache(binding: MethodCacheBinding): CacheStep | undefined {
  const { stageCache, stage, integration } = binding;
  if (stageCache === undefined || integration === undefined) return undefined;
  const setting = methodCacheSetting(stage, binding.resourcePath, binding.httpMethod);
  if (setting === undefined) return undefined;
  const where = `${binding.httpMethod} ${binding.resourcePath} of stage ${stage.stageName} of API ${stage.apiId}`;
  if (setting.encrypted && !stageCache.registry.canEncrypt) {
    stageCache.registry.noteOnce(`portico: ${where} is not cached: cacheDataEncrypted needs PORTICO_CACHE_KEY with the Redis cache`);
    return undefined;
  }
  // Resource ids are random per import, so two Porticos that imported one definition name a
  // resource differently; its path is as unique within the API and the same everywhere, so keys
  // name resources by path. A cacheNamespace that is a resource id (AWS's default is the method's
  // own, and naming another resource's shares its entries) stands for that resource's path.
  const namespace = integration.cacheNamespace === undefined || integration.cacheNamespace === '' ? undefined : integration.cacheNamespace;
  const scopePath = namespace === undefined ? binding.resourcePath : binding.resourcePathOf(namespace);
  let keyOf: CacheKeyFunction;
  try {
    keyOf = compileCacheKey({
      apiId: stage.apiId,
      stageName: stage.stageName,
      resourceId: '',
      resourcePath: scopePath ?? binding.resourcePath,
      httpMethod: binding.httpMethod,
      cacheNamespace: scopePath === undefined ? namespace : undefined,
      cacheKeyParameters: integration.cacheKeyParameters ?? [],
      requestParameters: integration.requestParameters,
      stageVariables: stage.variables,
    });
  } catch (err) {
    if (!(err instanceof CacheKeyError)) throw err;
    stageCache.registry.noteOnce(`portico: ${where} is not cached: ${err.message}`);
    return undefined;
  }
  const prefix = stageCache.keyPrefix;
  const key: CacheKeyFunction = prefix === undefined ? keyOf : (request) => {
    const k = keyOf(request);
    return { stage: k.stage, id: prefix + k.id };
  };
  const mayInvalidate = setting.requireAuthorizationForCacheControl
    ? compileInvalidationCheck({ apiId: stage.apiId, stageName: stage.stageName, authorizationType: binding.method.authorizationType, account: binding.account }, binding.principals)
    : undefined;
  return cacheStep(stageCache.cache, key, setting, mayInvalidate, binding.validate, binding.integrate);
}

const USE_CACHE: CacheControlDecision = { action: 'use-cache' };

/**
 * The cache step: the method's response, from the cache or from the integration. A hit from an
 * in-process cache is answered synchronously; everything else is a promise.
 */
export type CacheStep = (inv: Invocation) => GatewayResult | Promise<GatewayResult>;

function cacheStep(
  cache: ResponseCache,
  keyOf: CacheKeyFunction,
  setting: MethodCacheSetting,
  mayInvalidate: InvalidationCheck | undefined,
  validate: ((inv: Invocation) => Promise<void>) | undefined,
  integrate: IntegrationHandler,
): CacheStep {
  const options: CacheEntryOptions | undefined = setting.encrypted ? { encrypted: true } : undefined;
  const { ttlSeconds } = setting;

  const decide = (inv: Invocation): CacheControlDecision => {
    const header = inv.req.headers['cache-control'];
    // The common request carries no max-age=0, and then nobody's permission needs working out.
    if (header === undefined || !requestsInvalidation(header)) return USE_CACHE;
    return decideCacheControl({
      cacheControl: header,
      authorizedToInvalidate: mayInvalidate === undefined || mayInvalidate(inv),
      requireAuthorizationForCacheControl: setting.requireAuthorizationForCacheControl,
      unauthorizedCacheControlHeaderStrategy: setting.unauthorizedCacheControlHeaderStrategy,
    });
  };

  const peek = cache.peek?.bind(cache);

  const fill = async (inv: Invocation, key: CacheKey, decision: CacheControlDecision): Promise<GatewayResult> => {
    const result = await integrate(inv);
    let captured;
    try {
      captured = await captureBody(result.body, MAX_CACHEABLE_BODY_BYTES);
    } catch {
      // The backend failed mid-body before anything was sent: answered as a failed integration.
      throw integrationFailure();
    }
    if (captured.kind === 'streaming') {
      // Too large to cache; an invalidation still removes the entry it was asked to replace.
      if (decision.action === 'invalidate-and-fetch') await cache.delete(key, options);
      return answer(result, captured.body, decision);
    }
    await cache.set(key, { status: result.statusCode, headers: result.headers, body: captured.bytes }, ttlSeconds, options);
    return answer(result, captured.bytes, decision);
  };

  // An in-process cache answers a hit at once: no promise, no turn of the event loop, so a hit
  // costs less than the MOCK it replays.
  const serve = (inv: Invocation): GatewayResult | Promise<GatewayResult> => {
    const decision = decide(inv);
    if (decision.action === 'reject-403') throw invalidationDenied();
    const key = keyOf(inv);
    const obs = inv.observation;
    if (decision.action === 'invalidate-and-fetch') {
      if (obs !== undefined) obs.cacheHit = false;
      return fill(inv, key, decision);
    }
    const warn = decision.addHeader === true;
    if (peek !== undefined) {
      const hit = peek(key, options);
      if (obs !== undefined) obs.cacheHit = hit !== undefined;
      return hit !== undefined ? fromCache(hit, inv, warn) : fill(inv, key, decision);
    }
    return cache.get(key, options).then((hit) => {
      if (obs !== undefined) obs.cacheHit = hit !== undefined;
      return hit !== undefined ? fromCache(hit, inv, warn) : fill(inv, key, decision);
    });
  };

  if (validate === undefined) return serve;
  return (inv) => validate(inv).then(() => serve(inv));
}

/** The integration's answer with its body read; the warning goes on a copy of the headers (a static MOCK reuses its own). */
function answer(result: GatewayResult, body: GatewayResult['body'], decision: CacheControlDecision): GatewayResult {
  if (decision.addHeader !== true) return { ...result, body };
  const headers = { ...result.headers };
  withWarning(headers);
  return { statusCode: result.statusCode, headers, body };
}

function fromCache(hit: CachedResponse | PeekedResponse, inv: Invocation, warn: boolean): GatewayResult {
  // The stored headers are shared by every hit (the memory cache hands out its own entry), so a
  // hit that changes them works on a copy: the trace id names this request, and the warning is
  // this caller's alone.
  let headers = hit.headers;
  for (const name in headers) {
    if (name.length === 15 && name.toLowerCase() === 'x-amzn-trace-id') {
      headers = { ...headers, [name]: inv.responseTraceId };
      break;
    }
  }
  if (warn) {
    if (headers === hit.headers) headers = { ...headers };
    withWarning(headers);
  }
  // A hit's execution log shows the replayed response as the method response.
  if (inv.log !== undefined) inv.log.methodResult(hit.status, headers, hit.body);
  return { statusCode: hit.status, headers, body: hit.body };
}

function withWarning(headers: GatewayResult['headers']): void {
  headers[UNAUTHORIZED_CACHE_CONTROL_WARNING.name] = UNAUTHORIZED_CACHE_CONTROL_WARNING.value;
}

function invalidationDenied(): GatewayError {
  return new GatewayError(INVALIDATION_DENIED.responseType, INVALIDATION_DENIED.message, INVALIDATION_DENIED.statusCode, undefined, INVALIDATION_DENIED.body);
}
