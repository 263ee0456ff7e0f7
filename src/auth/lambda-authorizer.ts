/**
 * Lambda (CUSTOM) authorizers on the data plane: the MethodAuthorizerFactory for
 * authorizationType CUSTOM. Per method, at compile time, the authorizer's identity sources,
 * validation expression, function name and cache are resolved; per request the identity is
 * read, the cached answer or the function's answer is taken, and its policy is evaluated
 * against this request's method ARN.
 *
 * AWS's answers (developer guide; AWS re:Post knowledge center on Lambda authorizer 401, 403
 * and 500 errors; recorded default gateway responses in
 * conformance/aws-recorded/gateway-responses/default_gateway_responses.json):
 * - identity missing, empty or failing the validation expression, or the function failing with
 *   "Unauthorized": 401 UNAUTHORIZED `{"message":"Unauthorized"}`, the function not called in
 *   the first cases;
 * - the policy denies the method ARN: 403 ACCESS_DENIED, "User is not authorized to access this
 *   resource with an explicit deny"; a policy that does not name it: the same without "with an
 *   explicit deny", returned as an IMPLICIT_DENY verdict so the API's resource policy can still
 *   grant access (the guide's table A, combined in authorization.ts);
 * - anything else (another function error, a timeout, a function that cannot be reached, an
 *   answer that is not a valid authorizer response): 500 AUTHORIZER_CONFIGURATION_ERROR. The
 *   response-type table (supported-gateway-response-types.md) describes it as the response "for
 *   failing to connect to a custom ... authorizer", and clients of AWS see these cases as 500
 *   with `x-amzn-ErrorType: AuthorizerConfigurationException` (the header observed in public
 *   reports of authorizers that throw, time out or answer a malformed policy, e.g.
 *   serverless/examples#305, and the TestInvokeAuthorizer log line "Execution failed due to
 *   configuration error"). AUTHORIZER_FAILURE is not used for Lambda authorizers.
 *
 * Caching (configure-api-gateway-lambda-authorization-with-console.md): per authorizer per
 * stage, keyed by the identity source values, for authorizerResultTtlInSeconds. The cached
 * answer is the policy, which decides each request's method ARN on its own (the entry
 * remembers the effect per ARN, bounded), so a policy cached for one method may deny another
 * ("To enable caching, your authorizer must return a policy that is applicable to all
 * methods"). Only usable answers are cached; refusals and failures call the function again
 * next time.
 */
import { randomUUID } from 'node:crypto';
import type { Authorizer } from '../model/rest-api.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import { GatewayError } from '../gateway/errors.js';
import type { Invocation } from '../gateway/invocation.js';
import { buildProxyEventV1 } from '../gateway/rest/proxy-event.js';
import { contextVariables } from '../gateway/rest/context-variables.js';
import { unauthorized, type AuthorizedCaller, type MethodAuthorizer, type MethodAuthorizerBinding, type MethodAuthorizerFactory } from '../gateway/rest/authorization.js';
import { functionNameFromUri, lambdaEndpoint } from '../integrations/lambda.js';
import { LINE_DATA, maskSecret, truncateLogged, type ExecutionLog } from '../gateway/execution-log.js';
import { substituteStageVariables } from '../integrations/parameters.js';
import { decideAuthorization } from './authorization-decision.js';
import { methodArnBuilder } from './method-arn.js';
import type { PolicyEffect } from './policy.js';
import { identityAccepted, identityCacheKey, planIdentity, type IdentitySource } from './lambda-authorizer-identity.js';
import { requestAuthorizerEvent, tokenAuthorizerEvent, type RequestAuthorizerEvent, type TokenAuthorizerEvent } from './lambda-authorizer-event.js';
import { callAuthorizerFunction, verdictOf } from './lambda-authorizer-invoke.js';
import type { AuthorizerOutput } from './lambda-authorizer-output.js';
import { AuthorizerResultCache, DEFAULT_AUTHORIZER_CACHE_ENTRIES } from './lambda-authorizer-cache.js';

export interface LambdaAuthorizerOptions {
  /** How long to wait for the function; default AUTHORIZER_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Cached answers per authorizer per stage; default 10,000. */
  maxCacheEntries?: number;
}

/**
 * AWS answers these with `{"message": null}` (the default template with no error message), as
 * reports of authorizers that throw, time out or answer a malformed policy show. The message
 * stands in for `$context.error.message` in customised templates.
 */
const CONFIGURATION_ERROR_BODY = '{"message":null}';
export const authorizerConfigurationError = (): GatewayError =>
  new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', 'Internal server error', undefined, undefined, CONFIGURATION_ERROR_BODY);

const EMPTY_BODY = Buffer.alloc(0);
const INVOKE = 'execute-api:Invoke';

/**
 * A cached answer and what it has decided so far. Its policy is the same for every request it
 * serves, so the effect for each method ARN is remembered rather than evaluated again, and the
 * caller a cache hit admits (integrationLatency 0, nothing request-specific) is built once and
 * shared, frozen, by those requests.
 */
interface CachedAnswer {
  readonly output: AuthorizerOutput;
  /** Method ARN → the policy's effect; bounded, since a templated resource has an ARN per path. */
  readonly effects: Map<string, PolicyEffect>;
  allowed?: Readonly<AuthorizedCaller>;
}

/**
 * Method ARNs whose effect one cached answer remembers. Small: with the cache's 10,000 answers
 * per authorizer per stage this is at most 160,000 short strings, and a caller past it only
 * pays the evaluation again.
 */
const MAX_REMEMBERED_EFFECTS = 16;

type IdentityReader = (inv: Invocation) => string | undefined;

/** One source's reader, built once per method; stage variables are fixed per stage, so read now. */
function readerFor(source: IdentitySource | undefined, stageVariables: Readonly<Record<string, string>>): IdentityReader {
  if (source === undefined) return () => undefined;
  const { name } = source;
  switch (source.kind) {
    case 'header':
      return (inv) => {
        const value = inv.req.headers[name];
        return Array.isArray(value) ? value.join(',') : value;
      };
    case 'querystring':
      return (inv) => (Object.hasOwn(inv.query.single, name) ? inv.query.single[name] : undefined);
    case 'stageVariable': {
      const value = Object.hasOwn(stageVariables, name) ? stageVariables[name] : undefined;
      return () => value;
    }
    case 'context': {
      const path = name.split('.');
      return (inv) => {
        let at: unknown = contextVariables(inv);
        for (const part of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined;
        return typeof at === 'string' || typeof at === 'number' || typeof at === 'boolean' ? String(at) : undefined;
      };
    }
  }
}

/** A method whose authorizer cannot work answers AWS's 500 for every request. */
const MISCONFIGURED: MethodAuthorizer = { authorize: () => Promise.reject(authorizerConfigurationError()) };

/** The CUSTOM factory, and the flush FlushStageAuthorizersCache calls. */
export interface LambdaAuthorizerFactory extends MethodAuthorizerFactory {
  /** Empties every authorizer result cache of one stage of one API. */
  flushStage(apiId: string, stageName: string): void;
}

/**
 * The CUSTOM factory. Caches live as long as the compiled deployment they belong to: they are
 * keyed by the deployment's authorizer object, so a redeployed stage starts with an empty one.
 * Each stage also keeps weak references to its live caches so a flush can reach them without
 * keeping old deployments' caches alive.
 */
export function lambdaAuthorizerFactory(invoker: FunctionInvoker, options: LambdaAuthorizerOptions = {}): LambdaAuthorizerFactory {
  const caches = new WeakMap<Authorizer, Map<string, AuthorizerResultCache<CachedAnswer>>>();
  const byStage = new Map<string, Set<WeakRef<AuthorizerResultCache<CachedAnswer>>>>();
  const stageKey = (apiId: string, stageName: string): string => `${apiId}/${stageName}`;
  const track = (key: string, cache: AuthorizerResultCache<CachedAnswer>): void => {
    let refs = byStage.get(key);
    if (!refs) byStage.set(key, (refs = new Set()));
    // Pruned on every registration, so the set holds at most the stage's live caches plus those
    // collected since the last compile.
    for (const ref of refs) if (ref.deref() === undefined) refs.delete(ref);
    refs.add(new WeakRef(cache));
  };
  const cacheFor = (authorizer: Authorizer, apiId: string, stageName: string, ttlSeconds: number): AuthorizerResultCache<CachedAnswer> => {
    let stages = caches.get(authorizer);
    if (!stages) caches.set(authorizer, (stages = new Map()));
    let cache = stages.get(stageName);
    if (!cache) {
      cache = new AuthorizerResultCache({ ttlMs: ttlSeconds * 1000, maxEntries: options.maxCacheEntries ?? DEFAULT_AUTHORIZER_CACHE_ENTRIES });
      stages.set(stageName, cache);
      track(stageKey(apiId, stageName), cache);
    }
    return cache;
  };

  const factory: MethodAuthorizerFactory = (binding) => {
    const { authorizer } = binding;
    if (!authorizer || (authorizer.type !== 'TOKEN' && authorizer.type !== 'REQUEST')) return MISCONFIGURED;
    return compileLambdaAuthorizer(binding, authorizer, invoker, options, (ttl) => cacheFor(authorizer, binding.restApi.id, binding.stageName, ttl));
  };
  return Object.assign(factory, {
    flushStage(apiId: string, stageName: string): void {
      for (const ref of byStage.get(stageKey(apiId, stageName)) ?? []) ref.deref()?.clear();
    },
  });
}

function compileLambdaAuthorizer(
  binding: MethodAuthorizerBinding,
  authorizer: Authorizer,
  invoker: FunctionInvoker,
  options: LambdaAuthorizerOptions,
  cacheFor: (ttlSeconds: number) => AuthorizerResultCache<CachedAnswer>,
): MethodAuthorizer {
  const plan = planIdentity(authorizer);
  const readers = plan.sources.map((source) => readerFor(source, binding.stageVariables));
  const functionName = functionNameFromUri(substituteStageVariables(authorizer.authorizerUri ?? '', binding.stageVariables));
  const cache = plan.ttlSeconds > 0 ? cacheFor(plan.ttlSeconds) : undefined;
  const methodArnOf = methodArnBuilder({ region: binding.account.region, accountId: binding.account.accountId, apiId: binding.restApi.id, stage: binding.stageName });
  const logging = authorizerLogging(authorizer, plan.sources, lambdaEndpoint(authorizer.authorizerUri ?? '', binding.stageVariables, binding.account));

  /** The identity's cached answer decided for this request, or undefined when there is none. */
  const authorizeNow = (inv: Invocation): AuthorizedCaller | undefined => {
    if (cache === undefined) return undefined;
    const values = readers.map((read) => read(inv));
    if (!identityAccepted(plan, values)) {
      if (inv.log) logging.refused(inv.log, inv);
      throw unauthorized();
    }
    const cached = cache.get(identityCacheKey(values));
    if (cached === undefined) return undefined;
    const methodArn = methodArnOf(inv.httpMethod, inv.target.path);
    if (inv.log === undefined) return decideCached(cached, methodArn);
    logging.started(inv.log, inv, plan.type === 'TOKEN' ? values[0] : undefined);
    return logging.decided(inv.log, cached.output, () => decideCached(cached, methodArn));
  };

  return {
    authorizeNow,
    async authorize(inv) {
      const now = authorizeNow(inv);
      if (now !== undefined) return now;
      const log = inv.log;
      const values = readers.map((read) => read(inv));
      if (!identityAccepted(plan, values)) {
        if (log) logging.refused(log, inv);
        throw unauthorized();
      }
      const methodArn = methodArnOf(inv.httpMethod, inv.target.path);
      const key = cache ? identityCacheKey(values) : undefined;
      if (log) logging.started(log, inv, plan.type === 'TOKEN' ? values[0] : undefined);
      if (functionName === undefined) {
        log?.accessFail('Execution failed due to configuration error: Invalid authorizer URI');
        throw authorizerConfigurationError();
      }
      const event =
        plan.type === 'TOKEN' ? tokenAuthorizerEvent(values[0]!, methodArn) : requestAuthorizerEvent(buildProxyEventV1(inv, EMPTY_BODY), methodArn);
      if (log) logging.calling(log, event);
      const call = await callAuthorizerFunction(invoker, functionName, event, { requestId: randomUUID(), traceId: inv.traceId, timeoutMs: options.timeoutMs });
      if (log && call.kind === 'answered') logging.answered(log, call.latencyMs, call.payloadText);
      const verdict = verdictOf(call);
      if (verdict.kind === 'unauthorized') {
        log?.accessFail(`Unauthorized request: ${inv.requestId}`);
        throw unauthorized();
      }
      if (verdict.kind === 'failed') {
        log?.accessFail(`Execution failed due to configuration error: ${verdict.reason}`);
        throw authorizerConfigurationError();
      }
      const { output } = verdict;
      if (key !== undefined) cache!.set(key, { output, effects: new Map() });
      const decideNow = (): AuthorizedCaller => decide(output, output.policy.evaluate({ action: INVOKE, resource: methodArn }), methodArn, call.latencyMs);
      return log ? logging.decided(log, output, decideNow) : decideNow();
    },
  };
}

/**
 * What a Lambda authorizer writes to a request's execution log, as AWS words it: the start, the
 * incoming identity (masked), the function call and its raw answer (data), the principal the
 * policy is for (masked), and the outcome. Only requests that carry a log call these. The
 * identity sources are credentials: their headers and query parameters are masked in every
 * line of the request's log, and in the event the function is logged with.
 */
function authorizerLogging(authorizer: Authorizer, sources: readonly (IdentitySource | undefined)[], endpoint: string) {
  const headers = sources.filter((s): s is IdentitySource => s?.kind === 'header').map((s) => s.name);
  const queries = sources.filter((s): s is IdentitySource => s?.kind === 'querystring').map((s) => s.name);
  const start = (log: ExecutionLog, inv: Invocation): void => {
    for (const name of headers) log.maskHeader(name);
    for (const name of queries) log.maskQuery(name);
    log.access(`Starting authorizer: ${authorizer.id} for request: ${inv.requestId}`);
  };
  return {
    /** The identity is missing or fails the validation expression: the function is not called. */
    refused(log: ExecutionLog, inv: Invocation): void {
      start(log, inv);
      log.accessFail(`Unauthorized request: ${inv.requestId}`);
    },
    started(log: ExecutionLog, inv: Invocation, token: string | undefined): void {
      start(log, inv);
      if (token !== undefined) log.access(`Incoming identity: ${maskSecret(token)}`, LINE_DATA);
    },
    calling(log: ExecutionLog, event: TokenAuthorizerEvent | RequestAuthorizerEvent): void {
      log.access(`Endpoint request URI: ${endpoint}`);
      if (log.dataTrace) log.access(`Endpoint request body after transformations: ${truncateLogged(JSON.stringify(maskedEvent(log, event)))}`, LINE_DATA);
      log.access(`Sending request to ${endpoint}`);
    },
    answered(log: ExecutionLog, latencyMs: number, payloadText: string): void {
      log.access(`Received response. Status: 200, Integration latency: ${latencyMs} ms`);
      if (log.dataTrace) log.access(`Authorizer result body before parsing: ${truncateLogged(payloadText)}`, LINE_DATA);
    },
    /** The policy's decision for this request; a denial is the request's failure. */
    decided(log: ExecutionLog, output: AuthorizerOutput, decideNow: () => AuthorizedCaller): AuthorizedCaller {
      log.access(`Using valid authorizer policy for principal: ${maskSecret(output.principalId)}`);
      let caller: AuthorizedCaller;
      try {
        caller = decideNow();
      } catch (err) {
        if (err instanceof GatewayError) log.accessFail(err.message);
        throw err;
      }
      log.access('Successfully completed authorizer execution');
      return caller;
    },
  };
}

/** The event as logged: the identity token and the identity source values masked. */
function maskedEvent(log: ExecutionLog, event: TokenAuthorizerEvent | RequestAuthorizerEvent): unknown {
  if (event.type === 'TOKEN') return { ...event, authorizationToken: maskSecret(event.authorizationToken) };
  const maskMap = <V>(map: Record<string, V> | null | undefined, masks: (name: string) => boolean, mask: (value: V) => V): Record<string, V> | null | undefined => {
    if (!map) return map;
    const out: Record<string, V> = {};
    for (const [name, value] of Object.entries(map)) out[name] = masks(name) ? mask(value) : value;
    return out;
  };
  const header = (name: string): boolean => log.masksHeader(name.toLowerCase());
  const one = (value: string): string => maskSecret(value);
  const many = (values: string[]): string[] => values.map(maskSecret);
  return {
    ...event,
    headers: maskMap(event.headers, header, one),
    multiValueHeaders: maskMap(event.multiValueHeaders, header, many),
    queryStringParameters: maskMap(event.queryStringParameters, log.masksQuery, one),
    multiValueQueryStringParameters: maskMap(event.multiValueQueryStringParameters, log.masksQuery, many),
  };
}

/** decide for a cache hit, from what the answer remembers when it can. */
function decideCached(answer: CachedAnswer, methodArn: string): AuthorizedCaller {
  let effect = answer.effects.get(methodArn);
  if (effect === undefined) {
    effect = answer.output.policy.evaluate({ action: INVOKE, resource: methodArn });
    if (answer.effects.size >= MAX_REMEMBERED_EFFECTS) answer.effects.clear();
    answer.effects.set(methodArn, effect);
  }
  if (effect === 'Allow') return (answer.allowed ??= Object.freeze(callerOf(answer.output, 0)));
  return decide(answer.output, effect, methodArn, 0);
}

function callerOf(output: AuthorizerOutput, integrationLatency: number): AuthorizedCaller {
  const caller: AuthorizedCaller = { principalId: output.principalId, integrationLatency };
  if (output.context !== undefined) caller.context = output.context;
  if (output.usageIdentifierKey !== undefined) caller.usageIdentifierKey = output.usageIdentifierKey;
  return caller;
}

/** The caller for an answer whose policy had `effect` for this request: allowed, implicitly denied, or refused. */
function decide(output: AuthorizerOutput, effect: PolicyEffect, methodArn: string, integrationLatency: number): AuthorizedCaller {
  const caller = callerOf(output, integrationLatency);
  if (effect === 'Allow') return caller;
  // Without a resource policy, this is the decision and the message AWS gives.
  const decision = decideAuthorization({ authorizationType: 'CUSTOM', identity: effect, methodArn });
  if (decision.allowed) return caller;
  // AWS's body here reads `{"Message":…}`, capital M (authorization-decision.ts cites the sources).
  const denial = new GatewayError('ACCESS_DENIED', decision.message, undefined, undefined, decision.body);
  // An explicit Deny wins over any resource policy (tables A and B), so it ends the request here.
  if (effect === 'Deny') throw denial;
  return { ...caller, verdict: 'IMPLICIT_DENY', denial };
}
