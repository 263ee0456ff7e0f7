/**
 * Throttling and usage-plan quotas, compiled once per method of a deployed stage into the
 * `admit` step the listener runs after the method's access control (which finds the API key)
 * and before the cache step and the integration. So a response served from the cache still
 * spends a token and a unit of quota: the guide throttles and counts request submissions
 * ("the target maximum number of requests with a given API key that can be submitted"), not
 * backend calls, and the cache sits behind the method request.
 *
 * Buckets, in the order API Gateway applies them (api-gateway-request-throttling):
 * 1. the usage plan's, for a method that requires an API key: the plan's method throttle
 *    (`apiStages[].throttle['/path/METHOD']`) and the plan's own throttle, each per API key
 *    (`plan:{planId}:key:{keyId}…`), the latter shared by every stage of the plan;
 * 2. the stage's method throttle: the method's own method setting (`~1path/METHOD`, then
 *    `~1path/*`) or else the stage default `*\/*`, one bucket per method of the stage (the
 *    default is "for all of the methods", each on its own). Without a throttling setting the
 *    stage's limit is the account's, which bucket 3 enforces, so there is no bucket;
 * 3. the account's, one for every API (src/traffic/account-limit.ts).
 * All of a request's buckets are taken at once: a request one level refuses charges none.
 * A limit member left unset (a plan throttle with a rate and no burst) does not limit at its
 * level: it takes the account default's value.
 *
 * Then the quota, when the key's usage plan for this stage has one: exceeded is AWS's 429
 * QUOTA_EXCEEDED; a count that cannot be reached is answered by the counter's failure policy,
 * closed by default, as 503 (see quotaUnavailable in errors.ts). AWS's guide says its own
 * internal errors let such requests through uncounted; Portico refuses instead unless the
 * quotas' failure policy is 'open', because a quota is what someone relies on to bound usage.
 *
 * Per request: with in-memory buckets an unkeyed request is one synchronous takeSync over a
 * list built here (no promise, no allocation when admitted). A keyed request's list and quota
 * subjects are built on its grant's first request for this method and cached in a WeakMap on
 * the grant, which the API key index replaces whenever a key, plan or membership changes, so
 * usage plan edits apply to the next request without a redeployment. The account bucket is
 * one object whose limits change in place, so UpdateAccount needs no recompile either; stage
 * method settings recompile the stage, as any stage update does.
 */
import type { Stage } from '../../model/api.js';
import type { ThrottleSettings } from '../../model/usage-plan.js';
import type { QuotaCounter, QuotaDecision, QuotaSubject } from '../../traffic/quota.js';
import { ACCOUNT_DEFAULT_LIMIT, type BucketLimit, type TakeResult } from '../../traffic/token-bucket.js';
import type { TrafficServices } from '../../traffic/traffic-services.js';
import type { ApiKeyGrant } from '../api-key-index.js';
import { quotaExceeded, quotaUnavailable, throttled } from '../errors.js';
import type { Invocation } from '../invocation.js';

/**
 * Returns undefined when the request was admitted without waiting, or a promise that resolves
 * once it is; throws (or rejects) THROTTLED, QUOTA_EXCEEDED or the 503 of an unreachable quota.
 */
export type AdmitStep = (inv: Invocation) => Promise<void> | undefined;

/** What decides one method's limits, at compile time. */
export interface MethodTraffic {
  apiId: string;
  stage: Stage;
  resourcePath: string;
  httpMethod: string;
  /** Only a method that requires an API key applies its usage plan's throttle and quota. */
  apiKeyRequired: boolean;
}

/** A keyed request's buckets (plan first, account last) and the quotas it counts against. */
interface KeyedLimits {
  readonly buckets: readonly BucketLimit[];
  readonly quotas: readonly QuotaSubject[];
}

/** The method's admit step; undefined without traffic services (TestInvokeMethod's compile). */
export function compileTrafficControl(method: MethodTraffic, traffic: TrafficServices | undefined): AdmitStep | undefined {
  if (traffic === undefined) return undefined;
  const stageBucket = stageMethodBucket(method);
  const account = traffic.accountLimit.bucket;
  const base: readonly BucketLimit[] = stageBucket ? [stageBucket, account] : [account];
  const { buckets, quotas } = traffic;
  const takeSync = buckets.takeSync?.bind(buckets);

  const unkeyed: AdmitStep = takeSync
    ? () => {
        if (!takeSync(base).admitted) throw throttled();
        return undefined;
      }
    : () => buckets.take(base).then(admitOrThrottle);
  if (!method.apiKeyRequired) return unkeyed;

  const byGrant = new WeakMap<ApiKeyGrant, KeyedLimits>();
  const limitsOf = (grant: ApiKeyGrant): KeyedLimits => {
    let limits = byGrant.get(grant);
    if (limits === undefined) byGrant.set(grant, (limits = keyedLimits(grant, method, base)));
    return limits;
  };
  if (takeSync) {
    return (inv) => {
      const grant = inv.apiKey;
      if (grant === undefined) return unkeyed(inv);
      const limits = limitsOf(grant);
      if (!takeSync(limits.buckets).admitted) throw throttled();
      return limits.quotas.length === 0 ? undefined : consumeAll(quotas, limits.quotas);
    };
  }
  return (inv) => {
    const grant = inv.apiKey;
    if (grant === undefined) return unkeyed(inv);
    const limits = limitsOf(grant);
    return buckets.take(limits.buckets).then((result) => {
      admitOrThrottle(result);
      if (limits.quotas.length > 0) return consumeAll(quotas, limits.quotas);
    });
  };
}

function admitOrThrottle(result: TakeResult): void {
  if (!result.admitted) throw throttled();
}

/** Counts the request against each quota in turn (normally one: a key reaches a stage through one plan). */
async function consumeAll(counter: QuotaCounter, subjects: readonly QuotaSubject[]): Promise<void> {
  for (const subject of subjects) {
    let decision: QuotaDecision;
    try {
      decision = await counter.consume(subject);
    } catch {
      // The counters answer failures by their policy; a rejection is a failure nobody decided.
      throw quotaUnavailable();
    }
    if (!decision.allowed) throw decision.reason === 'exceeded' ? quotaExceeded() : quotaUnavailable();
  }
}

/** The stage method throttle's bucket, or undefined when no method setting throttles the method. */
function stageMethodBucket(method: MethodTraffic): BucketLimit | undefined {
  const { stage, resourcePath, httpMethod } = method;
  const settings = stage.methodSettings ?? {};
  // Stored under the resource path with `/` written `~1`, as AWS shows them; the method's own
  // entry replaces the stage default as a whole, as AWS's "override for this method" does.
  const escaped = resourcePath.replace(/\//g, '~1');
  const setting = settings[`${escaped}/${httpMethod}`] ?? settings[`${escaped}/*`] ?? settings['*/*'];
  if (setting === undefined) return undefined;
  const { throttlingRateLimit: rate, throttlingBurstLimit: burst } = setting;
  if (rate === undefined && burst === undefined) return undefined;
  // The resource path goes last: it is the one part that may hold any character.
  return bucketOf(`stage:${method.apiId}:${stage.stageName}:${httpMethod}:${resourcePath}`, rate, burst);
}

/** A grant's limits for this method, built on its first request here. */
function keyedLimits(grant: ApiKeyGrant, method: MethodTraffic, base: readonly BucketLimit[]): KeyedLimits {
  const planBuckets: BucketLimit[] = [];
  const quotas: QuotaSubject[] = [];
  // Usage plans key method throttles `{resourcePath}/{httpMethod}`: `/pets/GET`, `//GET` for the root.
  const methodKey = `${method.resourcePath}/${method.httpMethod}`;
  for (const plan of grant.usagePlans) {
    const keyBucket = `plan:${plan.id}:key:${grant.keyId}`;
    const apiStage = (plan.apiStages ?? []).find((s) => s.apiId === method.apiId && s.stage === method.stage.stageName);
    const own = apiStage?.throttle?.[methodKey];
    if (limits(own)) {
      planBuckets.push(bucketOf(`${keyBucket}:${method.apiId}:${method.stage.stageName}:${method.httpMethod}:${method.resourcePath}`, own.rateLimit, own.burstLimit));
    }
    if (limits(plan.throttle)) planBuckets.push(bucketOf(keyBucket, plan.throttle.rateLimit, plan.throttle.burstLimit));
    if (plan.quota) quotas.push({ usagePlanId: plan.id, keyId: grant.keyId, quota: plan.quota, planCreatedDate: plan.createdDate });
  }
  return { buckets: planBuckets.length === 0 ? base : [...planBuckets, ...base], quotas };
}

function limits(throttle: ThrottleSettings | undefined): throttle is ThrottleSettings {
  return throttle !== undefined && (throttle.rateLimit !== undefined || throttle.burstLimit !== undefined);
}

/** A bucket from stored limits; a member unset, or unusable, takes the account default's value. */
function bucketOf(key: string, rate: number | undefined, burst: number | undefined): BucketLimit {
  return {
    key,
    rate: usable(rate) ? rate : ACCOUNT_DEFAULT_LIMIT.rate,
    burst: usable(burst) ? burst : ACCOUNT_DEFAULT_LIMIT.burst,
  };
}

function usable(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
