/**
 * Whether a caller may invalidate a cache entry with `Cache-Control: max-age=0` when the method
 * requires authorization for it (requireAuthorizationForCacheControl, AWS's default). AWS grants
 * that through the caller's IAM policy: `execute-api:InvalidateCache` on the method ARN, and
 * "cross-account cache invalidation is not supported" (developer guide, api-gateway-caching).
 *
 * So only a caller this method authenticated with SigV4 (authorizationType AWS_IAM) can be
 * authorized: its access key names one of the IAM principals Portico holds, whose identity
 * policy is evaluated for the action, with the same condition keys the IAM authorizer gives it
 * except the VPC ones. Callers of methods with other authorization types, anonymous ones and
 * principals of other accounts are never authorized. An explicit Deny wins, as in IAM.
 */
import type { IamPrincipal, IamPrincipalDirectory } from '../../auth/iam-principals.js';
import { executeApiArnPrefix } from '../../auth/method-arn.js';
import { compilePolicy, type CompiledPolicy } from '../../auth/policy.js';
import type { AccountSettings } from '../../model/settings.js';
import type { Invocation } from '../invocation.js';

const INVALIDATE_CACHE = 'execute-api:InvalidateCache';

export interface InvalidationBinding {
  apiId: string;
  stageName: string;
  authorizationType: string | undefined;
  account: AccountSettings;
}

export type InvalidationCheck = (inv: Invocation) => boolean;

const NEVER: InvalidationCheck = () => false;

/**
 * Identity policies compiled for this action, per principal object of the directory; null
 * when the policy is absent or does not compile (the IAM authorizer refuses such callers
 * before they get here). Weak, so a replaced directory's principals go with it.
 */
const policies = new WeakMap<IamPrincipal, CompiledPolicy | null>();

export function compileInvalidationCheck(binding: InvalidationBinding, principals: IamPrincipalDirectory | undefined): InvalidationCheck {
  if (binding.authorizationType !== 'AWS_IAM' || principals === undefined) return NEVER;
  const { accountId, region } = binding.account;
  const arnPrefix = `${executeApiArnPrefix({ region, accountId, apiId: binding.apiId })}/${binding.stageName}/`;
  return (inv) => {
    const accessKey = inv.caller?.identity?.accessKey;
    if (accessKey === undefined) return false;
    const principal = principals.lookup(accessKey);
    if (principal === undefined || principal.accountId !== accountId) return false;
    const policy = policyOf(principal);
    if (policy === null) return false;
    const path = inv.target.path;
    return (
      policy.evaluate({
        action: INVALIDATE_CACHE,
        resource: `${arnPrefix}${inv.httpMethod}/${path.startsWith('/') ? path.slice(1) : path}`,
        principal: { accountId: principal.accountId, arn: principal.arn },
        context: {
          currentTime: new Date(inv.requestTimeEpoch),
          // execute-api is only served over HTTPS on AWS.
          secureTransport: true,
          sourceIp: inv.sourceIp,
          userAgent: inv.req.headers['user-agent'],
          referer: inv.req.headers.referer,
          username: principal.kind === 'user' ? principal.arn.slice(principal.arn.lastIndexOf('/') + 1) : undefined,
          userid: principal.principalId,
        },
      }) === 'Allow'
    );
  };
}

function policyOf(principal: IamPrincipal): CompiledPolicy | null {
  let policy = policies.get(principal);
  if (policy === undefined) {
    try {
      policy = principal.policy === null ? null : compilePolicy(principal.policy, { kind: 'identity' });
    } catch {
      policy = null;
    }
    policies.set(principal, policy);
  }
  return policy;
}
