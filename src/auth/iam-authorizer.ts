/**
 * AWS_IAM methods on the data plane: the MethodAuthorizerFactory for methods whose
 * authorizationType is AWS_IAM, built once per method when its stage compiles.
 *
 * Each request must carry a SigV4 signature (the Authorization header, or the presigned
 * X-Amz-* query parameters) for the gateway's region and the `execute-api` service, made with an
 * access key of the IAM principals Portico holds (iam-principals.ts: the PORTICO_IAM_PRINCIPALS
 * and PORTICO_IAM_PRINCIPALS_FILE environment variables, or the `iamPrincipals` option of
 * `Portico.start`). The signature covers the payload, so the body is read (once, through the
 * invocation, which hands the same bytes to the integration) before verifying. A request that
 * fails is answered 403 with AWS's message, x-amzn-ErrorType and gateway response type
 * (MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE, EXPIRED_TOKEN; sigv4-data-plane.ts).
 *
 * A verified caller's identity policy is then evaluated for `execute-api:Invoke` on the
 * request's method ARN and combined with the API's resource policy as the developer guide's
 * tables say: an explicit Deny refuses at once; otherwise the outcome goes to the resource
 * policy gate as the caller's verdict (same account: either side's Allow suffices; another
 * account: both must Allow). Without a resource policy the identity policy decides alone, and a
 * caller from another account is refused, since nothing on the API's side grants it.
 *
 * The verified caller fills `$context.identity` (accessKey, accountId, caller, user, userArn)
 * and the proxy event's `requestContext.identity`.
 *
 * Known difference: a body sent with Content-Encoding reaches this step decoded (AWS
 * decompresses method request payloads), while its signature covers the encoded bytes, so such
 * requests fail verification.
 */
import { GatewayError } from '../gateway/errors.js';
import type { Invocation } from '../gateway/invocation.js';
import type { CallerIdentity, MethodAuthorizerFactory } from '../gateway/rest/authorization.js';
import type { IamPrincipal, IamPrincipalDirectory } from './iam-principals.js';
import { executeApiArnPrefix } from './method-arn.js';
import { Networks } from './networks.js';
import { requestConditions } from './request-conditions.js';
import { compilePolicy, PolicyValidationError, type CompiledPolicy, type PolicyEffect, type RequestContext } from './policy.js';
import { accessDenied, verifyDataPlaneRequest, type DataPlaneAuthFailure } from './sigv4-data-plane.js';

const INVOKE = 'execute-api:Invoke';

export interface IamAuthorizerOptions {
  /** The access keys callers sign with, and the identities and policies behind them. */
  principals: IamPrincipalDirectory;
  /** Address blocks that stand for VPC endpoints, for identity policy conditions; none by default. */
  networks?: Networks;
  /** The clock signatures are checked against; default the time each request arrived. */
  now?: () => Date;
}

/** What is worked out once per principal: its compiled policy and `$context.identity`. */
interface PrincipalPlan {
  /** Null: no identity policy, so nothing is allowed by it. */
  policy: CompiledPolicy | null;
  /** The configured policy does not compile: the principal is refused, and it was reported once. */
  broken: boolean;
  identity: Readonly<CallerIdentity>;
  principal: { accountId: string; arn: string };
  /** aws:username (IAM users only) and aws:userid, for identity policy conditions. */
  username: string | undefined;
  userid: string;
}

/** The factory for AWS_IAM methods; one per-principal cache for all of them. */
export function createIamAuthorizerFactory(options: IamAuthorizerOptions): MethodAuthorizerFactory {
  const { principals } = options;
  const networks = options.networks ?? Networks.EMPTY;
  // Keyed by the directory's own principal objects, so it holds at most one entry per principal
  // the directory holds (iam-principals.ts caps them), and a replaced directory's go with it.
  const plans = new WeakMap<IamPrincipal, PrincipalPlan>();
  const planOf = (principal: IamPrincipal): PrincipalPlan => {
    let plan = plans.get(principal);
    if (plan === undefined) plans.set(principal, (plan = planPrincipal(principal)));
    return plan;
  };

  return (binding) => {
    const { region, accountId } = binding.account;
    // Joined once per method; each request only appends its method and path.
    const arnPrefix = `${executeApiArnPrefix({ region, accountId, apiId: binding.restApi.id })}/${binding.stageName}/`;
    // With a policy, the resource policy gate combines the verdict (tables A and B); without
    // one, this step's verdict is final, and a cross-account caller has nothing granting it.
    const hasResourcePolicy = Boolean(binding.restApi.policy);

    return {
      async authorize(inv) {
        const req = inv.req;
        // An unsigned request is refused without waiting for its body; one that carries a
        // signature needs the body for the payload hash.
        const signed = req.headers.authorization !== undefined || PRESIGNED.test(inv.target.rawQuery);
        const body = signed && inv.hasBody ? await inv.body() : undefined;
        // Signatures are checked against the time the request arrived, not the end of its body.
        const result = verifyDataPlaneRequest(
          { method: inv.httpMethod, url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
          { principals, region, now: options.now ?? (() => new Date(inv.requestTimeEpoch)) },
        );
        if (!result.ok) throw refusal(result);

        const principal = result.principal;
        const plan = planOf(principal);
        const path = inv.target.path;
        const methodArn = `${arnPrefix}${inv.httpMethod}/${path.charCodeAt(0) === SLASH ? path.slice(1) : path}`;
        if (plan.broken) throw refusal(accessDenied(principal, methodArn));
        const effect: PolicyEffect = plan.policy === null ? 'NotApplicable' : plan.policy.evaluate({
          action: INVOKE,
          resource: methodArn,
          principal: plan.principal,
          context: conditionContext(inv, plan, networks),
        });
        // Any Deny wins over whatever the resource policy says.
        if (effect === 'Deny') throw refusal(accessDenied(principal, methodArn, { explicitDeny: true }));
        const crossAccount = principal.accountId !== accountId;
        if (effect === 'Allow' && (hasResourcePolicy || !crossAccount)) return { identity: plan.identity };
        return { identity: plan.identity, verdict: 'IMPLICIT_DENY', denial: refusal(accessDenied(principal, methodArn)) };
      },
    };
  };
}

const SLASH = 47;

/**
 * Whether the query carries a presigned signature. A variant spelling this misses (a
 * percent-encoded name) only loses the body for the payload hash, so it fails verification:
 * never a way around it.
 */
const PRESIGNED = /(?:^|&)x-amz-algorithm=/i;

/** A verifier or policy refusal as the GatewayError that renders it, with AWS's error type. */
function refusal(failure: DataPlaneAuthFailure): GatewayError {
  // ACCESS_DENIED bodies read {"Message":…}, capital M, as the other denials send them.
  const body = failure.gatewayResponseType === 'ACCESS_DENIED' ? JSON.stringify({ Message: failure.message }) : undefined;
  return new GatewayError(failure.gatewayResponseType, failure.message, undefined, undefined, body, failure.errorType);
}

function planPrincipal(principal: IamPrincipal): PrincipalPlan {
  let policy: CompiledPolicy | null = null;
  let broken = false;
  if (principal.policy !== null) {
    try {
      policy = compilePolicy(principal.policy, { kind: 'identity' });
    } catch (err) {
      // The configuration was checked for shape only; a policy that does not evaluate grants
      // nothing, and the operator is told why once.
      const why = err instanceof PolicyValidationError ? err.problems.join('; ') : String(err);
      console.error(`portico: the identity policy of IAM principal ${principal.arn} is invalid; its requests are denied: ${why}`);
      broken = true;
    }
  }
  const identity: CallerIdentity = Object.freeze({
    accessKey: principal.accessKeyId,
    accountId: principal.accountId,
    caller: principal.principalId,
    user: principal.principalId,
    userArn: principal.arn,
  });
  return {
    policy,
    broken,
    identity,
    principal: { accountId: principal.accountId, arn: principal.arn },
    username: principal.kind === 'user' ? principal.arn.slice(principal.arn.lastIndexOf('/') + 1) : undefined,
    userid: principal.principalId,
  };
}

/** The condition keys of this request, with the caller's own (`aws:username`, `aws:userid`). */
function conditionContext(inv: Invocation, plan: PrincipalPlan, networks: Networks): RequestContext {
  return requestConditions(inv, networks, { username: plan.username, userid: plan.userid });
}
