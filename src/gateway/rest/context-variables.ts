/**
 * `$context` for REST API mapping templates and gateway responses: the variables AWS documents,
 * filled from one request. Variables AWS leaves unset where Portico has nothing to report
 * (WAF, client certificates; identity fields no authorizer filled) are null, which templates
 * print as empty text. `authorizer` and the caller's identity come from the method's
 * authorizer, `identity.apiKey` / `apiKeyId` from the API key the request was admitted with.
 */
import type { Invocation } from '../invocation.js';
import type { CompiledMethod } from './compile.js';
import { formatRequestTime } from './proxy-event.js';
import type { JavaMap, Value } from '../../mapping/vtl/values.js';
import { ContextUse } from '../../mapping/vtl/context-use.js';
import { fromPlain } from '../../mapping/vtl/values.js';
import { authorizerContext, type CallerIdentity } from './authorization.js';
import { IDENTITY_CONTEXT_VARIABLES } from '../../model/context-sources.js';

/** What a gateway error adds to `$context.error`. */
export interface ContextError {
  message: string;
  responseType: string;
  validationErrorString?: string;
}

export function contextVariables(inv: Invocation, error?: ContextError): Record<string, unknown> {
  const hostName = (inv.req.headers.host ?? 'localhost').replace(/:\d+$/, '');
  const who: CallerIdentity = inv.caller?.identity ?? {};
  return {
    accountId: inv.stage.accountId,
    apiId: inv.stage.apiId,
    authorizer: (inv.caller && authorizerContext(inv.caller)) ?? {},
    awsEndpointRequestId: inv.requestId,
    deploymentId: inv.stage.deploymentId,
    domainName: hostName,
    domainPrefix: hostName.split('.')[0],
    error: errorVariables(error),
    extendedRequestId: inv.extendedRequestId,
    httpMethod: inv.httpMethod,
    identity: {
      accessKey: who.accessKey ?? null,
      accountId: who.accountId ?? null,
      apiKey: inv.apiKey?.value ?? null,
      apiKeyId: inv.apiKey?.keyId ?? null,
      caller: who.caller ?? null,
      cognitoAuthenticationProvider: who.cognitoAuthenticationProvider ?? null,
      cognitoAuthenticationType: who.cognitoAuthenticationType ?? null,
      cognitoIdentityId: who.cognitoIdentityId ?? null,
      cognitoIdentityPoolId: who.cognitoIdentityPoolId ?? null,
      principalOrgId: who.principalOrgId ?? null,
      sourceIp: inv.sourceIp,
      user: who.user ?? null,
      userAgent: inv.req.headers['user-agent'] ?? null,
      userArn: who.userArn ?? null,
    },
    isCanaryRequest: inv.stage.isCanaryRequest === true,
    path: inv.target.requestPath,
    protocol: `HTTP/${inv.req.httpVersion}`,
    requestId: inv.requestId,
    requestTime: requestTimeOf(inv.requestTimeEpoch),
    requestTimeEpoch: inv.requestTimeEpoch,
    resourceId: inv.method.resourceId,
    resourcePath: inv.resourcePath,
    stage: inv.stage.stageName,
  };
}

/** `$context` for an error raised before any method matched (no resource, no integration). */
export function bareContextVariables(
  fields: { requestId: string; apiId?: string; stage?: string; httpMethod?: string; resourcePath?: string },
  error?: ContextError,
): Record<string, unknown> {
  return {
    apiId: fields.apiId ?? null,
    authorizer: {},
    error: errorVariables(error),
    extendedRequestId: fields.requestId,
    httpMethod: fields.httpMethod ?? null,
    identity: {},
    requestId: fields.requestId,
    resourcePath: fields.resourcePath ?? null,
    stage: fields.stage ?? null,
  };
}

function errorVariables(error: ContextError | undefined): Record<string, unknown> {
  if (!error) return {};
  return {
    message: error.message,
    // The message as a JSON string literal, quotes included, as AWS documents it.
    messageString: JSON.stringify(error.message),
    responseType: error.responseType,
    // Delivered JSON-escaped, so it can sit inside a quoted string of a JSON template.
    validationErrorString: error.validationErrorString === undefined ? null : JSON.stringify(error.validationErrorString).slice(1, -1),
  };
}

/** The entries of `$context` fixed for a method of a deployed stage, computed once per method. */
const methodEntries = new WeakMap<CompiledMethod, { use: ContextUse; entries: [string, Value][] }>();

/**
 * Identity fields that are null unless an authorizer (or, for apiKey/apiKeyId, a key) fills them:
 * every documented identity variable but the two every request has.
 */
const IDENTITY_NULLS: string[] = IDENTITY_CONTEXT_VARIABLES.filter((name) => name !== 'sourceIp' && name !== 'userAgent');

/** What to build for one ContextUse, worked out once per use rather than per request. */
interface ContextPlan {
  identity: boolean;
  identityNulls: string[];
  /** The identity fields a caller's CallerIdentity can fill, of those the templates read. */
  callerFields: (keyof CallerIdentity)[];
  apiKey: boolean;
  apiKeyId: boolean;
  sourceIp: boolean;
  userAgent: boolean;
  perRequest: Record<PerRequestEntry, boolean>;
}

const CALLER_FIELDS: (keyof CallerIdentity)[] = [
  'accessKey',
  'accountId',
  'caller',
  'cognitoAuthenticationProvider',
  'cognitoAuthenticationType',
  'cognitoIdentityId',
  'cognitoIdentityPoolId',
  'principalOrgId',
  'user',
  'userArn',
];

const PER_REQUEST_ENTRIES = [
  'authorizer',
  'awsEndpointRequestId',
  'domainName',
  'domainPrefix',
  'error',
  'extendedRequestId',
  'httpMethod',
  'path',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
] as const;
type PerRequestEntry = (typeof PER_REQUEST_ENTRIES)[number];

const plans = new WeakMap<ContextUse, ContextPlan>();

function planFor(use: ContextUse): ContextPlan {
  let plan = plans.get(use);
  if (!plan) {
    const perRequest = {} as Record<PerRequestEntry, boolean>;
    for (const name of PER_REQUEST_ENTRIES) perRequest[name] = use.needs(name);
    plan = {
      identity: use.needs('identity'),
      identityNulls: IDENTITY_NULLS.filter((name) => use.needsIdentity(name)),
      callerFields: CALLER_FIELDS.filter((name) => use.needsIdentity(name)),
      apiKey: use.needsIdentity('apiKey'),
      apiKeyId: use.needsIdentity('apiKeyId'),
      sourceIp: use.needsIdentity('sourceIp'),
      userAgent: use.needsIdentity('userAgent'),
      perRequest,
    };
    plans.set(use, plan);
  }
  return plan;
}

/** The Host header without its port; clients send the same one again and again. */
let lastHost: string | undefined;
let lastHostName = 'localhost';
export function hostNameOf(host: string | undefined): string {
  if (host !== lastHost) {
    lastHost = host;
    lastHostName = (host ?? 'localhost').replace(/:\d+$/, '');
  }
  return lastHostName;
}

export function domainPrefixOf(hostName: string): string {
  const dot = hostName.indexOf('.');
  return dot === -1 ? hostName : hostName.slice(0, dot);
}

/** `requestTime` changes once a second: format it once a second. */
let lastSecond = -1;
let lastRequestTime = '';
export function requestTimeOf(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastRequestTime = formatRequestTime(epochMs);
  }
  return lastRequestTime;
}

/**
 * `$context` for a request's mapping templates, built directly as template values (the same
 * variables as contextVariables, without an intermediate tree). Every map is fresh, because
 * templates may write into any of them. Only what `use` says the templates can observe is
 * built: the rest could not be seen, so it is not worth a request's time.
 */
export function contextMap(inv: Invocation, use: ContextUse = ContextUse.ALL): JavaMap {
  let fixed = methodEntries.get(inv.method);
  if (!fixed || fixed.use !== use) {
    const entries: [string, Value][] = [
      ['accountId', inv.stage.accountId],
      ['apiId', inv.stage.apiId],
      ['deploymentId', inv.stage.deploymentId],
      ['isCanaryRequest', inv.stage.isCanaryRequest === true],
      ['resourceId', inv.method.resourceId],
      ['resourcePath', inv.resourcePath],
      ['stage', inv.stage.stageName],
    ];
    fixed = { use, entries: entries.filter(([name]) => use.needs(name)) };
    methodEntries.set(inv.method, fixed);
  }
  const plan = planFor(use);
  const want = plan.perRequest;
  // Entry by entry: `new Map(pairs)` goes through the iterator protocol and is slower.
  const map: JavaMap = new Map();
  for (let i = 0; i < fixed.entries.length; i++) map.set(fixed.entries[i]![0], fixed.entries[i]![1]);
  if (want.authorizer) {
    const authorizer = inv.caller && authorizerContext(inv.caller);
    map.set('authorizer', authorizer ? fromPlain(authorizer) : new Map());
  }
  if (want.awsEndpointRequestId) map.set('awsEndpointRequestId', inv.requestId);
  if (want.domainName || want.domainPrefix) {
    const hostName = hostNameOf(inv.req.headers.host);
    if (want.domainName) map.set('domainName', hostName);
    if (want.domainPrefix) map.set('domainPrefix', domainPrefixOf(hostName));
  }
  if (want.error) map.set('error', new Map());
  if (want.extendedRequestId) map.set('extendedRequestId', inv.extendedRequestId);
  if (want.httpMethod) map.set('httpMethod', inv.httpMethod);
  if (plan.identity) {
    const identity: JavaMap = new Map();
    for (let i = 0; i < plan.identityNulls.length; i++) identity.set(plan.identityNulls[i]!, null);
    // Only protected methods set these: an open method's request skips both blocks.
    const who = inv.caller?.identity;
    if (who !== undefined) {
      for (const name of plan.callerFields) {
        const value = who[name];
        if (value !== undefined) identity.set(name, value);
      }
    }
    const key = inv.apiKey;
    if (key !== undefined) {
      if (plan.apiKey) identity.set('apiKey', key.value);
      if (plan.apiKeyId) identity.set('apiKeyId', key.keyId);
    }
    if (plan.sourceIp) identity.set('sourceIp', inv.sourceIp);
    if (plan.userAgent) identity.set('userAgent', inv.req.headers['user-agent'] ?? null);
    map.set('identity', identity);
  }
  if (want.path) map.set('path', inv.target.requestPath);
  if (want.protocol) map.set('protocol', `HTTP/${inv.req.httpVersion}`);
  if (want.requestId) map.set('requestId', inv.requestId);
  if (want.requestTime) map.set('requestTime', requestTimeOf(inv.requestTimeEpoch));
  if (want.requestTimeEpoch) map.set('requestTimeEpoch', inv.requestTimeEpoch);
  return map;
}
