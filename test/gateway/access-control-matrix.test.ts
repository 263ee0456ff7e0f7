/**
 * Every combination of a method's authorizer, its API key requirement and the API's resource
 * policy, through a real Portico: a Node TOKEN authorizer run by Portico's function runtime, a
 * real OpenID provider standing in for the Cognito user pool, API keys and a usage plan made
 * with the AWS SDK, and HTTP_PROXY integrations to a loopback backend that records every
 * request it receives. For each combination one request is sent and the test asserts the
 * status and error type, whether the authorizer function was called, and whether the
 * integration ran: a request refused by any check must never reach the backend.
 *
 * The resource policy is a property of the API, so the same six methods are deployed on three
 * APIs: one without a policy, one whose policy allows the caller's address, and one whose policy
 * allows everyone but denies the caller's address. An API without a policy is not the same as a
 * policy that does not mention the caller: the fourth policy column sends the requests to the
 * allow-list API from another loopback address (127.0.0.2), which its Allow does not cover.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand } from '@aws-sdk/client-api-gateway';
import { Portico } from '../../src/portico.js';
import { generateSigningKey, startOidcProvider, type RunningProvider } from '../auth/oidc-provider-harness.js';
import { tempDir } from '../helpers.js';
import {
  API_KEY_SCHEME,
  TOKEN_AUTHORIZER_SOURCE,
  cognitoScheme,
  getFrom,
  installNodeFunction,
  invokeStatement,
  linesIn,
  seenFile,
  startHitCounter,
  tokenAuthorizerScheme,
  type HitCounter,
} from './access-control-setup.js';

const POOL_ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Matrix01';
const POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Matrix01';
const AUTHORIZER = 'matrix-token-authorizer';
const CALLER = '127.0.0.1';
const OTHER_CLIENT = '127.0.0.2';

// ---------------------------------------------------------------------------------------------
// The three inputs.

/** What the method authorizes with, and what the caller presents to it. */
const AUTHORIZERS = ['none', 'lambda-allow', 'lambda-deny', 'lambda-unauthorized', 'cognito-valid', 'cognito-invalid'] as const;
type AuthorizerInput = (typeof AUTHORIZERS)[number];

const API_KEYS = ['not-required', 'required-valid', 'required-missing'] as const;
type ApiKeyInput = (typeof API_KEYS)[number];

/**
 * none: the API has no resource policy. allow-caller: its policy allows the caller's address.
 * deny-caller: it allows everyone and denies the caller's address. not-in-allow-list: the
 * allow-caller API called from another address, so no statement applies to the caller.
 */
const POLICIES = ['none', 'allow-caller', 'deny-caller', 'not-in-allow-list'] as const;
type PolicyInput = (typeof POLICIES)[number];

// ---------------------------------------------------------------------------------------------
// The expected outcome, written out from the developer guide.

interface Outcome {
  status: 200 | 401 | 403;
  /** `x-amzn-ErrorType` of a refusal: which gateway response answered. */
  errorType?: 'AccessDeniedException' | 'UnauthorizedException' | 'ForbiddenException';
  /** The Lambda authorizer function was called. */
  authorizerCalled: boolean;
  /** The request reached the integration. */
  integrationRan: boolean;
}

/**
 * AWS's decision, in its order. Sources (Amazon API Gateway Developer Guide):
 * - "How API Gateway resource policies affect authorization workflow": "API Gateway resource
 *   policy only" (an explicit Allow is required; an implicit or explicit deny denies); "Lambda
 *   authorizer and resource policy" (before calling the authorizer the policy is checked for
 *   explicit denials, which deny at once; then the authorizer's policy and the resource policy
 *   are combined by Table A); "Amazon Cognito authentication and resource policy" (the resource
 *   policy is evaluated independently and an explicit allow is required); "Policy evaluation
 *   outcome tables" (Table A, caller and API in one account: either Allow suffices, any Deny wins).
 * - "Create an API Gateway Lambda authorizer function": the function throwing "Unauthorized" is
 *   a 401; a policy denying the method is a 403.
 * - "Gateway response types for API Gateway": UNAUTHORIZED 401, ACCESS_DENIED 403,
 *   INVALID_API_KEY 403.
 * - "Usage plans and API keys for REST APIs": a method that requires an API key refuses a
 *   request without one with 403 Forbidden; the key is checked once the caller is authorized.
 * Portico implements the tables in src/auth/authorization-decision.ts; this function is written
 * separately so that the two can disagree.
 */
function expected(authorizer: AuthorizerInput, apiKey: ApiKeyInput, policy: PolicyInput): Outcome {
  const lambda = authorizer.startsWith('lambda-');
  const refused = (status: 401 | 403, errorType: NonNullable<Outcome['errorType']>, authorizerCalled: boolean): Outcome => ({
    status,
    errorType,
    authorizerCalled,
    integrationRan: false,
  });

  // 1. An explicit Deny of the resource policy refuses the request before any authorizer runs.
  if (policy === 'deny-caller') return refused(403, 'AccessDeniedException', false);

  // 2. The authorizer authenticates (and, for Lambda, authorizes) the caller.
  if (authorizer === 'lambda-unauthorized') return refused(401, 'UnauthorizedException', true);
  if (authorizer === 'lambda-deny') return refused(403, 'AccessDeniedException', true);
  if (authorizer === 'cognito-invalid') return refused(401, 'UnauthorizedException', false);

  // 3. The resource policy combined with the authorizer's outcome. With no policy, the
  // authorizer's Allow (or no authorizer) decides. A policy whose Allow covers the caller
  // allows. A policy with no statement for the caller: on its own or with Cognito an explicit
  // Allow is missing, so the caller is denied; with a Lambda authorizer's Allow, Table A allows.
  if (policy === 'not-in-allow-list' && !lambda) return refused(403, 'AccessDeniedException', false);

  // 4. The API key, once the caller is authorized.
  if (apiKey === 'required-missing') return refused(403, 'ForbiddenException', lambda);

  return { status: 200, authorizerCalled: lambda, integrationRan: true };
}

// ---------------------------------------------------------------------------------------------
// The deployed APIs.

/** The method serving an authorizer input: one per authorizer kind, with and without an API key. */
function methodPath(authorizer: AuthorizerInput, apiKey: ApiKeyInput): string {
  const kind = authorizer === 'none' ? 'none' : authorizer.startsWith('lambda-') ? 'lambda' : 'cognito';
  return apiKey === 'not-required' ? kind : `${kind}-keyed`;
}

/** The six methods, each an HTTP_PROXY GET to the backend at /{label}/{method}. */
function matrixApi(label: string, backend: HitCounter, policy?: object): object {
  const paths: Record<string, object> = {};
  for (const kind of ['none', 'lambda', 'cognito'] as const) {
    for (const keyed of [false, true]) {
      const path = keyed ? `${kind}-keyed` : kind;
      const requirement: Record<string, string[]> = {};
      if (kind !== 'none') requirement[kind] = [];
      if (keyed) requirement.api_key = [];
      paths[`/${path}`] = {
        get: {
          ...(Object.keys(requirement).length > 0 ? { security: [requirement] } : {}),
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${backend.origin}/${label}/${path}` },
        },
      };
    }
  }
  return {
    openapi: '3.0.1',
    info: { title: `access-control-matrix-${label}`, version: '1' },
    components: { securitySchemes: { lambda: tokenAuthorizerScheme(AUTHORIZER), cognito: cognitoScheme(POOL_ARN), api_key: API_KEY_SCHEME } },
    paths,
    ...(policy ? { 'x-amazon-apigateway-policy': policy } : {}),
  };
}

const ALLOW_CALLER = { Version: '2012-10-17', Statement: [invokeStatement('Allow', 'execute-api:/*', `${CALLER}/32`)] };
/** The guide's deny-list pattern: everyone is allowed, the caller's address denied. */
const DENY_CALLER = {
  Version: '2012-10-17',
  Statement: [invokeStatement('Allow', 'execute-api:/*'), invokeStatement('Deny', 'execute-api:/*', `${CALLER}/32`)],
};

describe('access control: authorizer × API key × resource policy', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let provider: RunningProvider;
  let backend: HitCounter;
  let portico: Portico;
  /** The API serving each resource-policy input, and the address requests come from. */
  const targets = {} as Record<PolicyInput, { apiId: string; label: string; from: string }>;
  const credentials = {} as Record<'apiKey' | 'validToken' | 'invalidToken', string>;

  before(async () => {
    dir = await tempDir('portico-access-matrix-');
    provider = await startOidcProvider({ keys: [await generateSigningKey('RS256', 'matrix-pool')], issuer: () => POOL_ISSUER });
    backend = await startHitCounter();
    portico = await Portico.start({ port: 0, dataDir: dir.path, cognitoJwks: { [POOL_ARN]: provider.jwksUrl } });
    await installNodeFunction(portico, dir.path, AUTHORIZER, TOKEN_AUTHORIZER_SOURCE, { SEEN_FILE: seenFile(dir.path, AUTHORIZER) });

    const apis: [label: string, policy: object | undefined][] = [
      ['no-policy', undefined],
      ['allow-caller', ALLOW_CALLER],
      ['deny-caller', DENY_CALLER],
    ];
    const ids: Record<string, string> = {};
    for (const [label, policy] of apis) ids[label] = (await portico.deployOpenApi(matrixApi(label, backend, policy), { stageName: 'dev' })).api.id;
    targets.none = { apiId: ids['no-policy']!, label: 'no-policy', from: CALLER };
    targets['allow-caller'] = { apiId: ids['allow-caller']!, label: 'allow-caller', from: CALLER };
    targets['deny-caller'] = { apiId: ids['deny-caller']!, label: 'deny-caller', from: CALLER };
    targets['not-in-allow-list'] = { apiId: ids['allow-caller']!, label: 'allow-caller', from: OTHER_CLIENT };

    const sdk = new APIGatewayClient({ endpoint: portico.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      const key = await sdk.send(new CreateApiKeyCommand({ name: 'matrix', enabled: true }));
      const plan = await sdk.send(new CreateUsagePlanCommand({ name: 'matrix', apiStages: Object.values(ids).map((apiId) => ({ apiId, stage: 'dev' })) }));
      await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
      credentials.apiKey = key.value!;
    } finally {
      sdk.destroy();
    }
    await portico.apiKeys.settled();

    credentials.validToken = await provider.issueIdToken({ sub: 'ann-sub', claims: { token_use: 'id', email: 'ann@example.com' } });
    // The same token with a changed claim: its signature no longer verifies.
    const [header, payload, signature] = credentials.validToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    credentials.invalidToken = `${header}.${Buffer.from(JSON.stringify({ ...claims, email: 'mallory@example.com' })).toString('base64url')}.${signature}`;
  });

  after(async () => {
    await portico?.close();
    await backend?.close();
    await provider?.stop();
    await dir?.remove();
  });

  const headersFor = (authorizer: AuthorizerInput, apiKey: ApiKeyInput): Record<string, string> => {
    const headers: Record<string, string> = {};
    if (authorizer.startsWith('lambda-')) headers.Authorization = authorizer.slice('lambda-'.length);
    if (authorizer === 'cognito-valid') headers.Authorization = credentials.validToken;
    if (authorizer === 'cognito-invalid') headers.Authorization = credentials.invalidToken;
    if (apiKey === 'required-valid') headers['x-api-key'] = credentials.apiKey;
    return headers;
  };

  // Requests run one at a time (node:test runs a suite's tests in order), so the change in the
  // authorizer's call log and in the backend's request list belongs to this request alone.
  for (const policy of POLICIES) {
    for (const authorizer of AUTHORIZERS) {
      for (const apiKey of API_KEYS) {
        const want = expected(authorizer, apiKey, policy);
        const name = `authorizer=${authorizer} apiKey=${apiKey} policy=${policy} → ${want.status}${want.errorType ? ` ${want.errorType}` : ''}`;
        it(name, async () => {
          const target = targets[policy];
          const path = methodPath(authorizer, apiKey);
          const callsBefore = linesIn(seenFile(dir.path, AUTHORIZER));
          const hitsBefore = backend.paths.length;

          const res = await getFrom(portico.port, `/_aws/execute-api/${target.apiId}/dev/${path}`, headersFor(authorizer, apiKey), target.from);

          assert.equal(res.status, want.status, `status (body ${res.text})`);
          assert.equal(res.headers['x-amzn-errortype'], want.errorType, `x-amzn-ErrorType (body ${res.text})`);
          assert.equal(linesIn(seenFile(dir.path, AUTHORIZER)) - callsBefore, want.authorizerCalled ? 1 : 0, 'authorizer function calls');
          const reached = backend.paths.slice(hitsBefore);
          assert.deepEqual(reached, want.integrationRan ? [`/${target.label}/${path}`] : [], 'requests the integration received');
          if (want.integrationRan) assert.deepEqual(JSON.parse(res.text), { backend: true });
        });
      }
    }
  }
});
