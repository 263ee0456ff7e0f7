/**
 * Whether a request may invoke a method, given the outcome of the API's resource policy and the
 * outcome of the method's authorization (Lambda authorizer policy, IAM identity policies, or a
 * verified Cognito token), and, when it may not, the 403 ACCESS_DENIED AWS answers with.
 *
 * The combination follows the developer guide's "How API Gateway resource policies affect
 * authorization workflow" (apigateway-authorization-flow.md): Table A when caller and API are in
 * the same account (either side's Allow suffices, any Deny wins), Table B across accounts (both
 * must Allow). A resource policy alone needs an explicit Allow. With a Lambda authorizer the
 * resource policy is also checked before the authorizer runs, and an explicit Deny stops the
 * request there (denyBeforeAuthorizer).
 *
 * Cognito: the guide's Cognito workflow says the resource policy "is evaluated independently,
 * and an explicit allow is required", while Table A's heading also names Cognito and would let
 * a silent resource policy through. The workflow text is followed (its own example, an IP
 * allow-list, only works that way); a verified token with a silent resource policy is denied.
 *
 * Messages are AWS's as clients see them (`{"Message": "..."}` with a capital M, account id
 * masked to its last four digits in the ARN), see the constants below for their sources.
 */
import type { PolicyEffect } from './policy.js';

/** A method's `authorizationType`. */
export type AuthorizationType = 'NONE' | 'CUSTOM' | 'AWS_IAM' | 'COGNITO_USER_POOLS';

/** The "Resulting behavior" column of the guide's tables. */
export type ResultingBehavior = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface AuthorizationInput {
  authorizationType: AuthorizationType;
  /** The API's resource policy evaluated for this request; undefined when the API has none. */
  resourcePolicy?: PolicyEffect;
  /**
   * CUSTOM: the Lambda authorizer's policy evaluated for the method ARN. AWS_IAM: the caller's
   * identity policies (evaluatePolicies). Undefined counts as NotApplicable. Ignored for NONE,
   * and for COGNITO_USER_POOLS, whose decision is only asked once the token has been verified.
   */
  identity?: PolicyEffect;
  /** The caller (or the authorizer's policy) belongs to another account than the API: Table B. */
  crossAccount?: boolean;
  /** AWS_IAM: the caller's ARN, as ACCESS_DENIED messages name it. Others are "anonymous". */
  callerArn?: string;
  /** The method ARN of the request (buildMethodArn). */
  methodArn: string;
  /** Print the account id in messages as `********1234`, as AWS does. Default true. */
  maskAccountId?: boolean;
}

/** Which policy a denial is attributed to (for logs and tests; the client sees only the message). */
export type DeniedBy = 'resource-policy' | 'authorizer' | 'identity-policy';

export interface AccessDenied {
  allowed: false;
  behavior: 'ExplicitDeny' | 'ImplicitDeny';
  responseType: 'ACCESS_DENIED';
  statusCode: 403;
  deniedBy: DeniedBy;
  /** `$context.error.message`. */
  message: string;
  /** The body AWS sends while the API has not customised ACCESS_DENIED: `{"Message":"…"}`. */
  body: string;
}

export type AuthorizationDecision = { allowed: true; behavior: 'Allow' } | AccessDenied;

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true, behavior: 'Allow' });

/**
 * A Lambda authorizer's Deny. Source: AWS re:Post knowledge center "How do I troubleshoot HTTP
 * 403 Forbidden errors when using a Lambda authorizer with an API Gateway REST API?", and real
 * responses quoted in public projects as `{"Message":"User is not authorized to access this
 * resource with an explicit deny"}`.
 */
export const AUTHORIZER_EXPLICIT_DENY = 'User is not authorized to access this resource with an explicit deny';
/** A Lambda authorizer policy that does not cover the method ARN. Same knowledge-center article. */
export const AUTHORIZER_IMPLICIT_DENY = 'User is not authorized to access this resource';
const EXPLICIT_SUFFIX = ' with an explicit deny';

/**
 * `User: {caller} is not authorized to perform: execute-api:Invoke on resource: {arn}`, with
 * " with an explicit deny" when a Deny statement matched. Source: the same knowledge-center
 * article (resource policy implicit / explicit deny), and a response recorded from AWS in
 * ASFHyP3/hyp3 issue #2283: `{"Message":"User: anonymous is not authorized to perform:
 * execute-api:Invoke on resource: arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/"}`.
 */
export function notAuthorizedToInvoke(caller: string, methodArn: string, explicit: boolean): string {
  return `User: ${caller} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}${explicit ? EXPLICIT_SUFFIX : ''}`;
}

/**
 * Tables A and B of the developer guide: the resulting behaviour of an identity-side outcome
 * (IAM policy, Lambda authorizer or Cognito) and a resource policy outcome.
 */
export function combineOutcomes(identity: PolicyEffect, resourcePolicy: PolicyEffect, crossAccount: boolean): ResultingBehavior {
  if (identity === 'Deny' || resourcePolicy === 'Deny') return 'ExplicitDeny';
  const allowed = crossAccount
    ? identity === 'Allow' && resourcePolicy === 'Allow'
    : identity === 'Allow' || resourcePolicy === 'Allow';
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/**
 * The decision for a request whose authentication (if any) has succeeded.
 *
 * @example
 * decideAuthorization({ authorizationType: 'CUSTOM', resourcePolicy: 'NotApplicable', identity: 'Allow', methodArn })
 * // { allowed: true, behavior: 'Allow' }
 */
export function decideAuthorization(input: AuthorizationInput): AuthorizationDecision {
  const rp = input.resourcePolicy;
  const arn = input.maskAccountId === false ? input.methodArn : maskAccountInArn(input.methodArn);
  switch (input.authorizationType) {
    case 'NONE':
    case 'COGNITO_USER_POOLS':
      // No policy on the caller's side: the resource policy, if any, must allow on its own.
      return rp === undefined ? ALLOWED : resourcePolicyOnly(rp, arn);
    case 'CUSTOM': {
      const authorizer = input.identity ?? 'NotApplicable';
      if (rp === undefined) {
        if (authorizer === 'Allow') return ALLOWED;
        return authorizer === 'Deny' ? denied('ExplicitDeny', 'authorizer', AUTHORIZER_EXPLICIT_DENY) : denied('ImplicitDeny', 'authorizer', AUTHORIZER_IMPLICIT_DENY);
      }
      const behavior = combineOutcomes(authorizer, rp, input.crossAccount ?? false);
      if (behavior === 'Allow') return ALLOWED;
      // The resource policy's Deny is found before the authorizer runs, so it is what AWS reports.
      if (rp === 'Deny') return denied('ExplicitDeny', 'resource-policy', notAuthorizedToInvoke('anonymous', arn, true));
      if (authorizer === 'Deny') return denied('ExplicitDeny', 'authorizer', AUTHORIZER_EXPLICIT_DENY);
      if (authorizer !== 'Allow') return denied('ImplicitDeny', 'authorizer', AUTHORIZER_IMPLICIT_DENY);
      return denied('ImplicitDeny', 'resource-policy', notAuthorizedToInvoke('anonymous', arn, false));
    }
    case 'AWS_IAM': {
      const identity = input.identity ?? 'NotApplicable';
      // With no resource policy the tables' "Neither Allow nor Deny" column applies, which is
      // why a cross-account IAM caller needs a resource policy that grants it.
      const behavior = combineOutcomes(identity, rp ?? 'NotApplicable', input.crossAccount ?? false);
      if (behavior === 'Allow') return ALLOWED;
      // AWS masks the account id in the caller's ARN as it does in the method's.
      const caller = input.callerArn === undefined ? 'anonymous' : input.maskAccountId === false ? input.callerArn : maskAccountInArn(input.callerArn);
      const explicit = behavior === 'ExplicitDeny';
      const deniedBy: DeniedBy = rp === 'Deny' ? 'resource-policy' : identity === 'Deny' || (!explicit && identity !== 'Allow') ? 'identity-policy' : 'resource-policy';
      return denied(behavior, deniedBy, notAuthorizedToInvoke(caller, arn, explicit));
    }
  }
}

/**
 * The first phase of a Lambda-authorized request: "Before calling the Lambda authorizer, API
 * Gateway first evaluates the policy and checks for any explicit denials. If found, the caller
 * is denied access immediately." Returns the denial, or undefined to go on and call the
 * authorizer.
 */
export function denyBeforeAuthorizer(resourcePolicy: PolicyEffect | undefined, methodArn: string, maskAccountId = true): AccessDenied | undefined {
  if (resourcePolicy !== 'Deny') return undefined;
  const arn = maskAccountId ? maskAccountInArn(methodArn) : methodArn;
  return denied('ExplicitDeny', 'resource-policy', notAuthorizedToInvoke('anonymous', arn, true));
}

/**
 * The ARN with its account id reduced to the last four digits (`********2543`), as AWS prints
 * method ARNs in ACCESS_DENIED messages. Anything that is not an ARN is returned unchanged.
 */
export function maskAccountInArn(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  let colons = 0;
  let start = -1;
  let end = -1;
  for (let i = 0; i < arn.length; i++) {
    if (arn.charCodeAt(i) !== 58) continue;
    colons++;
    if (colons === 4) start = i + 1;
    else if (colons === 5) {
      end = i;
      break;
    }
  }
  if (end < 0 || end - start <= 4) return arn;
  return `${arn.slice(0, start)}${'*'.repeat(end - start - 4)}${arn.slice(end - 4)}`;
}

function resourcePolicyOnly(rp: PolicyEffect, arn: string): AuthorizationDecision {
  if (rp === 'Allow') return ALLOWED;
  const explicit = rp === 'Deny';
  return denied(explicit ? 'ExplicitDeny' : 'ImplicitDeny', 'resource-policy', notAuthorizedToInvoke('anonymous', arn, explicit));
}

function denied(behavior: 'ExplicitDeny' | 'ImplicitDeny', deniedBy: DeniedBy, message: string): AccessDenied {
  return { allowed: false, behavior, responseType: 'ACCESS_DENIED', statusCode: 403, deniedBy, message, body: JSON.stringify({ Message: message }) };
}
