/**
 * An API's resource policy on the data plane: the ResourcePolicyGate of every method of a REST
 * API that has a policy, compiled once per method when its stage is compiled.
 *
 * Each request is evaluated for `execute-api:Invoke` on its method ARN (the stage, the HTTP
 * method and the path as requested), with the condition keys a local request has:
 * `aws:SourceIp` (the client address, IPv4-mapped IPv6 unwrapped), or, for clients inside a
 * configured network (networks.ts), `aws:SourceVpc`, `aws:SourceVpce` and `aws:VpcSourceIp`
 * instead; `aws:CurrentTime` / `aws:EpochTime` (when the request arrived); `aws:UserAgent`,
 * `aws:Referer`; `aws:SecureTransport` true, because execute-api only serves HTTPS on AWS; and,
 * for IAM callers, the caller as principal (`aws:PrincipalArn`, `aws:PrincipalAccount`).
 *
 * The two phases follow the developer guide's authorization workflow: before a Lambda or Cognito
 * authorizer runs, an explicit Deny refuses the request at once (denyBeforeAuthorizer); after
 * authentication the policy is combined with what the authorizer decided (decideAuthorization,
 * tables A and B). IAM methods are decided in the second phase only, with the caller known, as
 * IAM's denial names the caller. A method without an authorizer is decided by the policy alone.
 * Denials are 403 ACCESS_DENIED with AWS's `{"Message":"User: … is not authorized …"}` body.
 *
 * A stored policy that does not compile (one written before policies were validated on save,
 * or a hand-edited file) refuses every request with API_CONFIGURATION_ERROR: access control
 * that cannot be evaluated fails closed.
 */
import type { AuthorizationType } from '../model/rest-api.js';
import { apiConfigurationError, GatewayError } from '../gateway/errors.js';
import type { Invocation } from '../gateway/invocation.js';
import type { AuthorizedCaller, ResourcePolicyGate, ResourcePolicyGateFactory } from '../gateway/rest/authorization.js';
import { decideAuthorization, denyBeforeAuthorizer, type AccessDenied } from './authorization-decision.js';
import { buildMethodArn } from './method-arn.js';
import { Networks } from './networks.js';
import { requestConditions } from './request-conditions.js';
import { compilePolicy, PolicyValidationError, type CompiledPolicy, type PolicyEffect, type RequestContext, type RequestPrincipal } from './policy.js';

const INVOKE = 'execute-api:Invoke';

export interface ResourcePolicyGateOptions {
  /** Address blocks that stand for VPC endpoints; none by default. */
  networks?: Networks;
}

/** The gate factory CompileServices.resourcePolicy takes. */
export function createResourcePolicyGateFactory(options: ResourcePolicyGateOptions = {}): ResourcePolicyGateFactory {
  const networks = options.networks ?? Networks.EMPTY;
  return (binding) => {
    const { restApi, account } = binding;
    const scope = { region: account.region, accountId: account.accountId, apiId: restApi.id };
    let policy: CompiledPolicy;
    try {
      policy = compilePolicy(binding.policy, { kind: 'resource', scope });
    } catch (err) {
      const why = err instanceof PolicyValidationError ? err.problems.join('; ') : String(err);
      console.error(`portico: the resource policy of REST API ${restApi.id} is invalid; its methods answer 500 until it is fixed: ${why}`);
      return BROKEN;
    }
    const type: AuthorizationType = binding.method.authorizationType ?? 'NONE';
    // The first phase's outcome, reused by the second when the caller has no IAM identity.
    const anonymous = new WeakMap<Invocation, PolicyEffect>();

    const methodArn = (inv: Invocation): string =>
      buildMethodArn({ ...scope, stage: binding.stageName, method: inv.httpMethod, resourcePath: inv.target.path });

    const evaluate = (inv: Invocation, arn: string, principal: RequestPrincipal | undefined): PolicyEffect =>
      policy.evaluate({ action: INVOKE, resource: arn, principal, context: requestConditions(inv, networks) });

    const gate: ResourcePolicyGate = {
      async afterAuthentication(inv, caller) {
        const arn = methodArn(inv);
        const principal = iamPrincipal(caller);
        const effect = (principal === undefined ? anonymous.get(inv) : undefined) ?? evaluate(inv, arn, principal);
        const decision = decideAuthorization({
          authorizationType: type,
          resourcePolicy: effect,
          identity: caller === undefined ? undefined : caller.verdict === 'IMPLICIT_DENY' ? 'NotApplicable' : 'Allow',
          crossAccount: principal !== undefined && principal.accountId !== account.accountId,
          callerArn: caller?.identity?.userArn,
          methodArn: arn,
        });
        if (!decision.allowed) throw denial(decision);
      },
    };
    if (type === 'CUSTOM' || type === 'COGNITO_USER_POOLS') {
      gate.beforeAuthentication = async (inv) => {
        const arn = methodArn(inv);
        const effect = evaluate(inv, arn, undefined);
        const denied = denyBeforeAuthorizer(effect, arn);
        if (denied) throw denial(denied);
        anonymous.set(inv, effect);
      };
    }
    return gate;
  };
}

/** What a method under a policy that cannot be evaluated answers. */
const BROKEN: ResourcePolicyGate = {
  beforeAuthentication: () => Promise.reject(apiConfigurationError()),
  afterAuthentication: () => Promise.reject(apiConfigurationError()),
};

function denial(decision: AccessDenied): GatewayError {
  return new GatewayError(decision.responseType, decision.message, decision.statusCode, undefined, decision.body);
}

/** An IAM caller as a policy principal; Lambda and Cognito callers are anonymous to IAM. */
function iamPrincipal(caller: AuthorizedCaller | undefined): RequestPrincipal | undefined {
  const identity = caller?.identity;
  if (identity?.accountId === undefined || identity.userArn === undefined) return undefined;
  return { accountId: identity.accountId, arn: identity.userArn };
}

