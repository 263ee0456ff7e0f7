/**
 * The method request's access control, compiled once per method of a deployed stage, in AWS's
 * order: an explicit Deny in the API's resource policy refuses the caller first; the authorizer
 * of the method's authorizationType authenticates the caller (a Lambda authorizer, a Cognito
 * user pool, or IAM's SigV4); the resource policy is combined with what the authorizer decided;
 * then the API key is checked against the usage plans covering the stage. Request validation
 * and the integration come after, in compile.ts.
 *
 * Authorizers plug in per authorizationType through MethodAuthorizerFactories; the resource
 * policy plugs in through a ResourcePolicyGateFactory. Until a verifier is plugged in for a
 * type, methods of that type fail closed with the answer AWS gives an unauthenticated caller:
 * nothing unverified reaches an integration.
 *
 * A method with authorizationType NONE, no API key required and no resource policy gate
 * compiles to no step at all, so its requests pay nothing for any of this.
 */
import type { AuthorizationType, Authorizer, Method, RestApi } from '../../model/rest-api.js';
import type { AccountSettings } from '../../model/settings.js';
import { GatewayError, missingAuthenticationToken } from '../errors.js';
import type { Invocation } from '../invocation.js';
import { stageGrantKey, type ApiKeyIndex } from '../api-key-index.js';

/** The `$context.identity` fields an authenticated caller fills (IAM and Cognito identities). */
export interface CallerIdentity {
  accountId?: string;
  caller?: string;
  user?: string;
  userArn?: string;
  accessKey?: string;
  principalOrgId?: string;
  cognitoIdentityId?: string;
  cognitoIdentityPoolId?: string;
  cognitoAuthenticationType?: string;
  cognitoAuthenticationProvider?: string;
}

/**
 * What an authorizer learned about a caller it let through. Read-only once returned: a cached
 * Lambda authorizer answer hands the same frozen object to every request it admits.
 */
export interface AuthorizedCaller {
  /** A Lambda authorizer's principalId: `$context.authorizer.principalId`. */
  principalId?: string;
  /**
   * A Lambda authorizer's context map: `$context.authorizer.<key>`, and the entries of the
   * proxy event's `requestContext.authorizer`. AWS hands the values on as strings.
   */
  context?: Readonly<Record<string, string | number | boolean>>;
  /** A Cognito user pool token's claims: `$context.authorizer.claims.<name>`. */
  claims?: Readonly<Record<string, unknown>>;
  /** The API key a Lambda authorizer returned, used when the API's apiKeySource is AUTHORIZER. */
  usageIdentifierKey?: string;
  /** IAM and Cognito identity fields for `$context.identity`. */
  identity?: CallerIdentity;
  /** Milliseconds the authorizer took: `$context.authorizer.integrationLatency`. */
  integrationLatency?: number;
  /**
   * 'IMPLICIT_DENY' when the authorizer's own policy neither allowed nor denied this method (a
   * Lambda authorizer's policy that does not name it; an IAM caller no identity policy allows).
   * Only the resource policy can still grant access then (AWS's table A); without one the
   * request is refused with `denial`. Absent means the authorizer allowed the request. An
   * explicit Deny is never returned: the authorizer throws it.
   */
  verdict?: 'ALLOW' | 'IMPLICIT_DENY';
  /** The error an IMPLICIT_DENY ends in when nothing else grants access (default ACCESS_DENIED). */
  denial?: GatewayError;
}

/**
 * Authenticates (and, for Lambda authorizers, authorizes) one request. Resolves with what it
 * learned about the caller, or rejects with the GatewayError AWS answers: UNAUTHORIZED,
 * ACCESS_DENIED, EXPIRED_TOKEN, INVALID_SIGNATURE, MISSING_AUTHENTICATION_TOKEN,
 * AUTHORIZER_FAILURE or AUTHORIZER_CONFIGURATION_ERROR. Built once per method.
 */
export interface MethodAuthorizer {
  authorize(inv: Invocation): Promise<AuthorizedCaller>;
  /**
   * The same decision when it needs no waiting (a Lambda authorizer's cached answer), else
   * undefined, leaving it to authorize. Throws the GatewayError authorize would reject with.
   * It spares the most common protected request a round of promise resolution.
   */
  authorizeNow?(inv: Invocation): AuthorizedCaller | undefined;
}

/** What a method's authorizer is built from, at deployment-compile time. */
export interface MethodAuthorizerBinding {
  restApi: RestApi;
  method: Method;
  /** The method's authorizer (by authorizerId) for CUSTOM and COGNITO_USER_POOLS; absent for AWS_IAM. */
  authorizer: Authorizer | undefined;
  resourcePath: string;
  httpMethod: string;
  stageName: string;
  stageVariables: Record<string, string>;
  account: AccountSettings;
}

/**
 * Builds a method's authorizer once per deployment compile. It must not throw: a method whose
 * authorizer cannot work (a missing function, a bad provider ARN) gets an authorizer that
 * answers AUTHORIZER_CONFIGURATION_ERROR, so one method cannot stop its stage from compiling.
 */
export type MethodAuthorizerFactory = (binding: MethodAuthorizerBinding) => MethodAuthorizer;

/** The authorizationTypes that authenticate a caller. */
export type AuthenticatingType = Exclude<AuthorizationType, 'NONE'>;

/** Authorizer factories by authorizationType; a type without one fails closed. */
export type MethodAuthorizerFactories = Partial<Record<AuthenticatingType, MethodAuthorizerFactory>>;

/**
 * The hook the API's resource policy plugs into. AWS evaluates it in two phases around the
 * authorizer: an explicit Deny refuses the request before a Lambda authorizer is called; after
 * authentication the policy is combined with the authorizer's verdict (AWS's tables A and B),
 * which includes deciding a caller whose verdict is IMPLICIT_DENY. Both phases throw the
 * GatewayError that refuses the request (ACCESS_DENIED). Built once per method; it must not throw.
 */
export interface ResourcePolicyGate {
  beforeAuthentication?(inv: Invocation): Promise<void>;
  afterAuthentication(inv: Invocation, caller: AuthorizedCaller | undefined): Promise<void>;
}

export interface ResourcePolicyBinding {
  restApi: RestApi;
  /** The policy document, a JSON string as AWS stores it. */
  policy: string;
  method: Method;
  resourcePath: string;
  httpMethod: string;
  stageName: string;
  account: AccountSettings;
}

export type ResourcePolicyGateFactory = (binding: ResourcePolicyBinding) => ResourcePolicyGate;

/** What the access control of a deployed stage is compiled with. */
export interface AuthorizationServices {
  account: AccountSettings;
  /** The live API keys and usage plans; without it, every API key is refused. */
  apiKeys?: ApiKeyIndex;
  /** Authenticators by authorizationType; a type without one fails closed. */
  authorizers?: MethodAuthorizerFactories;
  /**
   * Resource policy evaluation. Without it an API's resource policy is not evaluated on the
   * data plane: the policy library that implements it plugs in here.
   */
  resourcePolicy?: ResourcePolicyGateFactory;
}

/** Everything about one method that decides its access control. */
export interface MethodAccess {
  restApi: RestApi;
  method: Method;
  authorizer: Authorizer | undefined;
  resourcePath: string;
  httpMethod: string;
  stageName: string;
  stageVariables: Record<string, string>;
}

/** The compiled step: resolves when the request may go on, rejects with a GatewayError otherwise. */
export type AuthorizeStep = (inv: Invocation) => Promise<void>;

/** INVALID_API_KEY: no key, or one that is unknown, disabled or not in a plan for the stage. */
export const invalidApiKey = (): GatewayError => new GatewayError('INVALID_API_KEY', 'Forbidden');

/** UNAUTHORIZED: the caller presented no identity the authorizer accepts. */
export const unauthorized = (): GatewayError => new GatewayError('UNAUTHORIZED', 'Unauthorized');

/** ACCESS_DENIED: an authenticated caller that no policy allows. */
export const accessDenied = (): GatewayError => new GatewayError('ACCESS_DENIED', 'User is not authorized to access this resource');

/**
 * What a method gets when no verifier is registered for its type (Portico registers all three in
 * portico.ts; an embedding may not): it answers as AWS answers a caller it could not
 * authenticate (a Lambda or Cognito authorizer's 401 "Unauthorized", IAM's 403 "Missing
 * Authentication Token") and never lets a request through.
 */
const FAIL_CLOSED: Record<AuthenticatingType, MethodAuthorizer> = {
  CUSTOM: { authorize: () => Promise.reject(unauthorized()) },
  COGNITO_USER_POOLS: { authorize: () => Promise.reject(unauthorized()) },
  AWS_IAM: { authorize: () => Promise.reject(missingAuthenticationToken()) },
};

/** The method's access control step, or undefined when it has none. */
export function compileAuthorization(access: MethodAccess, services: AuthorizationServices): AuthorizeStep | undefined {
  const { restApi, method } = access;
  const type = method.authorizationType ?? 'NONE';
  const authorizer = type === 'NONE' ? undefined : buildAuthorizer(type, access, services);
  const policy = restApi.policy && services.resourcePolicy ? services.resourcePolicy({ ...access, policy: restApi.policy, account: services.account }) : undefined;
  const checkKey = method.apiKeyRequired ? compileApiKeyCheck(access, services.apiKeys) : undefined;
  if (!authorizer && !policy && !checkKey) return undefined;
  // The common protected method: an API key and nothing else.
  if (!authorizer && !policy) {
    return async (inv) => {
      checkKey!(inv, undefined);
    };
  }
  return async (inv) => {
    if (policy?.beforeAuthentication) await policy.beforeAuthentication(inv);
    let caller: AuthorizedCaller | undefined;
    if (authorizer) inv.caller = caller = authorizer.authorizeNow?.(inv) ?? (await authorizer.authorize(inv));
    if (policy) await policy.afterAuthentication(inv, caller);
    else if (caller?.verdict === 'IMPLICIT_DENY') throw caller.denial ?? accessDenied();
    if (checkKey) checkKey(inv, caller);
  };
}

function buildAuthorizer(type: AuthenticatingType, access: MethodAccess, services: AuthorizationServices): MethodAuthorizer {
  const factory = services.authorizers?.[type];
  // Unknown types (a document edited by hand) fail closed like unwired ones.
  if (!factory) return FAIL_CLOSED[type] ?? FAIL_CLOSED.CUSTOM;
  return factory({ ...access, account: services.account });
}

/**
 * The API key check: the key from `x-api-key` (apiKeySource HEADER, the default) or from the
 * authorizer's usageIdentifierKey (AUTHORIZER) must be an enabled key in a usage plan that
 * covers this stage. On success the grant is recorded on the invocation for `$context` and the
 * usage plan's throttle and quota.
 */
function compileApiKeyCheck(access: MethodAccess, index: ApiKeyIndex | undefined): (inv: Invocation, caller: AuthorizedCaller | undefined) => void {
  const stage = stageGrantKey(access.restApi.id, access.stageName);
  const fromAuthorizer = access.restApi.apiKeySource === 'AUTHORIZER';
  return (inv, caller) => {
    const presented = fromAuthorizer ? caller?.usageIdentifierKey : inv.req.headers['x-api-key'];
    // One Map lookup by the presented value (see api-key-index.ts on what that reveals).
    const grant = typeof presented === 'string' && index !== undefined ? index.lookup(stage, presented) : undefined;
    if (grant === undefined) throw invalidApiKey();
    inv.apiKey = grant;
  };
}

/**
 * `$context.authorizer` (and the proxy event's `requestContext.authorizer`) for a caller: a
 * Lambda authorizer's principalId, latency and context entries (as strings, as AWS hands them
 * on), or a Cognito user pool's `claims`. Undefined for a caller with none of these (IAM).
 */
export function authorizerContext(caller: AuthorizedCaller): Record<string, unknown> | undefined {
  if (caller.principalId === undefined && caller.context === undefined && caller.claims === undefined && caller.integrationLatency === undefined) {
    return undefined;
  }
  const out: Record<string, unknown> = {};
  if (caller.context) for (const [name, value] of Object.entries(caller.context)) out[name] = String(value);
  if (caller.principalId !== undefined) out.principalId = caller.principalId;
  if (caller.integrationLatency !== undefined) out.integrationLatency = caller.integrationLatency;
  if (caller.claims) out.claims = { ...caller.claims };
  return out;
}
