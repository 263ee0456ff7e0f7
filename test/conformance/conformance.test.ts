/**
 * Conformance against Amazon API Gateway recordings: each vendored case (fixtures/, recorded
 * on AWS and kept with its `source`) is replayed against a real Portico server over HTTP and
 * the response compared with what AWS returned. Values that change per run (ids, dates,
 * request ids) are written as placeholders such as `<uuid:1>` in the recordings and matched by
 * shape; a numbered placeholder repeated within a case must match the same value each time.
 *
 * This file runs proxy-event-rest-v1, proxy-response-rest-v1, the data-plane gateway-responses
 * and http-integration/http_integration_behaviour.json; gateway-responses-management.test.ts
 * runs the gateway-responses recorded through the management API. Cases not run are listed
 * below with their reason and reported as skipped tests, so every vendored case is either run
 * or visibly out of scope. The shared machinery is in support.ts.
 */
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DeployedApi } from '../../src/portico.js';
import {
  Comparison,
  OPERATION_KEY,
  apiBindings,
  conformanceFolder,
  expectJsonError,
  fixture,
  integrationResponses,
  isString,
  lambdaProxyApi,
  lambdaUri,
  methodParameters,
  mockApi,
  parseJson,
  pythonJsonDumps,
  recordedStyleHeaders,
  reportConformance,
  restApi,
  show,
  startBackend,
  startEnv,
  stageOf,
  type Backend,
  type ClientRequest,
  type Env,
  type Json,
  type MethodSpec,
} from './support.js';
import { replayApiKeyCase } from './api-key-case.js';
import { TOKEN_AUTHORIZER_SOURCE, installNodeFunction, invokeStatement, mockOperation, tokenAuthorizerScheme } from '../gateway/access-control-setup.js';
import { tempDir } from '../helpers.js';
import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ENV_IAM_PRINCIPALS } from '../../src/auth/iam-principals.js';
import { SIGNATURE_MISMATCH } from '../../src/auth/sigv4.js';

reportConformance(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Scope: every case not run here, and why.

/** Data-plane error cases (gateway-responses/data_plane_error_responses.json) not run here. */
const DATA_PLANE_OUT_OF_SCOPE: Record<string, string> = {};

/**
 * Default gateway responses (gateway-responses/default_gateway_responses.json) not checked
 * here. Those checked are MISSING_AUTHENTICATION_TOKEN (any unrouted request triggers it),
 * BAD_REQUEST_PARAMETERS and BAD_REQUEST_BODY (a request validator does, and the
 * request-validator cases recorded their messages), INVALID_API_KEY (the api-key case's
 * refused requests), and the authorizer and resource policy refusals UNAUTHORIZED,
 * ACCESS_DENIED and AUTHORIZER_CONFIGURATION_ERROR (a Lambda TOKEN authorizer and a resource
 * policy, see AUTHORIZER_TOKENS), and the SigV4 refusals of an AWS_IAM method INVALID_SIGNATURE
 * and EXPIRED_TOKEN (see IAM_PRINCIPALS), and the traffic limits THROTTLED (a stage method
 * throttle) and QUOTA_EXCEEDED (a usage plan's quota), see limitedApi.
 */
const DEFAULT_RESPONSE_OUT_OF_SCOPE: Record<string, string> = {
  AUTHORIZER_FAILURE:
    'no request produces it: Portico answers every Lambda authorizer failure (an error, a timeout, an unusable answer) with ' +
    "AUTHORIZER_CONFIGURATION_ERROR, as AWS's public reports show (src/auth/lambda-authorizer.ts), and every Cognito failure, " +
    'an unreachable key set included, with UNAUTHORIZED',
  RESOURCE_NOT_FOUND:
    'no request produces it: AWS answers a request for a resource or method the API does not have with ' +
    'MISSING_AUTHENTICATION_TOKEN (checked here), its documentation names no other trigger, and Portico answers nothing with it',
  WAF_FILTERED: 'AWS WAF has no counterpart in Portico',
};

/**
 * Default gateway responses whose recording is only their GetGatewayResponses shape:
 * gateway-responses-management.test.ts checks (and counts) them through the management API, so
 * this file neither runs nor lists them. The two lists must stay the same.
 */
const DEFAULT_RESPONSES_CHECKED_BY_MANAGEMENT = new Set([
  'API_CONFIGURATION_ERROR',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'REQUEST_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

// ---------------------------------------------------------------------------------------------
// REST v1 Lambda proxy events.

/** Headers added in front of API Gateway on AWS (CloudFront, load balancer, tracing), and Host. */
function isEdgeHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.startsWith('cloudfront-') ||
    lower.startsWith('x-forwarded-') ||
    lower === 'via' ||
    lower === 'x-amz-cf-id' ||
    lower === 'x-amzn-trace-id' ||
    lower === 'host'
  );
}

function withoutEdgeHeaders<T>(headers: Record<string, T> | null): Record<string, T> | null {
  if (headers === null || typeof headers !== 'object') return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isEdgeHeader(name)));
}

function compareProxyEvent(c: Comparison, recorded: Json, event: Json): void {
  const expected = structuredClone(recorded);
  const actual = structuredClone(event);
  // The recorder's own account; any 12-digit account id is AWS-shaped.
  if (expected.requestContext) expected.requestContext.accountId = '<account-id>';
  expected.headers = withoutEdgeHeaders(expected.headers);
  expected.multiValueHeaders = withoutEdgeHeaders(expected.multiValueHeaders);
  if (actual && typeof actual === 'object') {
    actual.headers = withoutEdgeHeaders(actual.headers);
    actual.multiValueHeaders = withoutEdgeHeaders(actual.multiValueHeaders);
    // The snapshot stored a JSON body parsed; AWS sends the body as the raw string.
    if (expected.body !== null && typeof expected.body === 'object') {
      if (!isString(actual.body)) {
        c.diff('$.body', `expected the raw JSON string of ${show(expected.body)}, got ${show(actual.body)}`);
        delete expected.body;
        delete actual.body;
      } else {
        const parsed = parseJson(actual.body);
        if (parsed.ok) actual.body = parsed.value;
      }
    }
  }
  c.match(expected, actual, '$');
}

describe('proxy-event-rest-v1', () => {
  const { conformanceCase } = conformanceFolder('proxy-event-rest-v1');
  const payloads = fixture('proxy-event-rest-v1/lambda_proxy_event_payloads.json');
  const fieldList = fixture('proxy-event-rest-v1/event_field_list.json');
  let env: Env;

  before(async () => {
    env = await startEnv(['echo']);
  });
  after(async () => {
    await env?.close();
  });

  const deployFor = (c: Json): Promise<DeployedApi> => {
    const client: ClientRequest = c.input.client_request;
    const stage = c.setup.stage ?? stageOf(client);
    return env.deploy(JSON.stringify({ setup: c.setup, stage }), stage, () => lambdaProxyApi(c.id, c.setup, 'echo'));
  };

  for (const c of payloads.cases as Json[]) {
    conformanceCase(c.id, async () => {
      const deployed = await deployFor(c);
      const reply = await env.invoke(deployed, c.input.client_request);
      const cmp = new Comparison(apiBindings(deployed));
      if (c.expected_event === undefined) {
        expectJsonError(cmp, reply, c.expected);
        cmp.assertNone();
        return;
      }
      const status = c.expected_status ?? 200;
      assert.equal(reply.status, status, `status: expected ${status}, got ${reply.status} (body ${reply.text})`);
      const event = parseJson(reply.text);
      assert.ok(event.ok, `the function's response is not the JSON event: ${reply.text}`);
      compareProxyEvent(cmp, c.expected_event, event.value);
      cmp.assertNone();
    });
  }

  conformanceCase('rest-v1-proxy-event/event-field-list', async () => {
    // The key sets come from the snapshot named in the file's `source`.
    const recorded = (payloads.cases as Json[]).find((c) => c.source.snapshot_key === fieldList.source.snapshot_key);
    assert.ok(recorded, `no case recorded as ${fieldList.source.snapshot_key}`);
    const deployed = await deployFor(recorded);
    const client: ClientRequest = recorded.input.client_request;
    const proxyEvent = JSON.parse((await env.invoke(deployed, client)).text);
    const stage = stageOf(client);
    const noParams = (Object.keys(recorded.setup.resources) as string[]).find((p) => !p.includes('{'));
    assert.ok(noParams, 'the recorded setup has no resource without path parameters');
    const plainEvent = JSON.parse((await env.invoke(deployed, { ...client, raw_path_and_query: `/${stage}${noParams}` })).text);

    const cmp = new Comparison();
    const sorted = (o: unknown): string[] => (o && typeof o === 'object' ? Object.keys(o).sort() : []);
    cmp.match([...fieldList.top_level_keys].sort(), sorted(proxyEvent), 'top-level keys');
    cmp.match([...fieldList.requestContext_keys].sort(), sorted(proxyEvent.requestContext), 'requestContext keys');
    cmp.match([...fieldList.requestContext_identity_keys].sort(), sorted(proxyEvent.requestContext?.identity), 'requestContext.identity keys');
    for (const entry of fieldList.null_when_absent as string[]) {
      const field = entry.split(' ')[0]!;
      const event = entry.includes('when resource has no params') ? plainEvent : proxyEvent;
      if (event[field] !== null) cmp.diff(field, `expected null (${entry}), got ${show(event[field])}`);
    }
    cmp.assertNone();
  });
});

// ---------------------------------------------------------------------------------------------
// REST v1 Lambda proxy responses.

/** CloudFront's headers and per-connection ones: not the gateway's answer. */
const NOT_GATEWAY_RESPONSE_HEADERS = new Set(['via', 'x-cache', 'x-amz-cf-id', 'x-amz-cf-pop', 'x-amzn-trace-id', 'connection']);

describe('proxy-response-rest-v1', () => {
  const { conformanceCase } = conformanceFolder('proxy-response-rest-v1');
  const format = fixture('proxy-response-rest-v1/lambda_proxy_response_format.json');
  let env: Env;

  before(async () => {
    env = await startEnv(['response-from-body']);
  });
  after(async () => {
    await env?.close();
  });

  for (const c of format.cases as Json[]) {
    conformanceCase(c.id, async () => {
      const client: ClientRequest = c.input.client_request;
      const stage = c.setup.stage ?? stageOf(client);
      const deployed = await env.deploy(JSON.stringify({ setup: c.setup, stage }), stage, () =>
        lambdaProxyApi('proxy-response', c.setup, 'response-from-body'),
      );
      const reply = await env.invoke(deployed, client);
      const cmp = new Comparison(apiBindings(deployed));
      const expected = c.expected;
      if (reply.status !== expected.status) cmp.diff('status', `expected ${expected.status}, got ${reply.status} (body ${show(reply.text)})`);
      // The recording shows a body as decoded JSON when it parsed, else as text.
      if (isString(expected.body)) {
        if (reply.text !== expected.body) cmp.diff('body', `expected ${show(expected.body)}, got ${show(reply.text)}`);
      } else {
        const body = parseJson(reply.text);
        if (!body.ok) cmp.diff('body', `expected JSON ${show(expected.body)}, got ${show(reply.text)}`);
        else cmp.match(expected.body, body.value, 'body');
      }
      const headers = recordedStyleHeaders(reply.rawHeaders);
      const find = (name: string): string | undefined => Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      const requestIdKey = find('x-amzn-RequestId');
      if (requestIdKey === undefined) cmp.diff('headers.x-amzn-RequestId', 'missing');
      else cmp.match('<uuid>', headers[requestIdKey], 'headers.x-amzn-RequestId');

      if (expected.headers_recorded) {
        // Names the function returned keep the casing AWS answered with; the gateway's own are compared case-insensitively.
        const returned = c.input.lambda_return_value ?? {};
        const fromFunction = new Set(
          [...Object.keys(returned.headers ?? {}), ...Object.keys(returned.multiValueHeaders ?? {})].map((n) => n.toLowerCase()),
        );
        for (const [name, value] of Object.entries(expected.headers_recorded as Record<string, string>)) {
          if (NOT_GATEWAY_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
          const key = find(name);
          if (key === undefined) {
            cmp.diff(`headers.${name}`, `missing (expected ${show(value)})`);
            continue;
          }
          if (fromFunction.has(name.toLowerCase()) && key !== name) cmp.diff(`headers.${name}`, `sent with the name casing ${show(key)}`);
          cmp.match(value, headers[key], `headers.${name}`);
        }
      }
      cmp.assertNone();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Gateway responses: data-plane errors and the default responses.

/**
 * The request-validator cases' API (test_api_gateway_request_validator): `/nested/{test}` with
 * GET and POST behind one validator, the JSON model `testSchema` and an AWS_PROXY Lambda. The
 * case's own method carries the case's request parameters; the invalid-request-body case ran
 * after the test had reverted POST to the parameters GET kept, which the setup does not repeat.
 */
function requestValidatorApi(c: Json, reverted: Record<string, boolean>, testSchema: object): object {
  const setup = c.setup;
  const method = (verb: string): MethodSpec => ({
    requestParameters: verb === c.input.client_request.method ? (setup.method_request_parameters ?? reverted) : reverted,
    requestModels: { 'application/json': 'testSchema' },
    requestValidator: 'test-validator',
    methodResponses: { '200': {} },
    integration: { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('echo') },
  });
  return restApi(
    c.id,
    { [setup.resource]: { GET: method('GET'), POST: method('POST') } },
    { models: { testSchema }, validators: { 'test-validator': setup.validator } },
  );
}

/**
 * The $ref and oneOf model cases record only their responses; their setup and requests are
 * those of test_api_gateway_request_validator_with_ref_models and
 * test_api_gateway_request_validator_with_ref_one_ofmodels (tests/aws/services/apigateway/
 * test_apigateway_common.py at the fixture's commit): POST /path, MOCK answering {"data": "ok"},
 * a validator checking body and parameters, and the models below (the oneOf ones are also in
 * the recorded GetModels of control-plane-shapes). The statuses are the ones the test asserted.
 */
const REF_MODELS: Record<string, object> = {
  testSchema: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'testSchema',
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
  },
  testSchemaList: { type: 'array', items: { $ref: '#/components/schemas/testSchema' } },
};
const ONE_OF_MODELS: Record<string, object> = {
  StatusModel: {
    type: 'object',
    properties: { Status: { type: 'string' }, Order: { type: 'integer' } },
    required: ['Status', 'Order'],
  },
  TestModel: {
    type: 'object',
    properties: { status: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/StatusModel' }] } },
    required: ['status'],
  },
};
const MODEL_CASES: Record<string, { models: Record<string, object>; model: string; client: ClientRequest; status: number }> = {
  'request-validator-ref-models/successful': {
    models: REF_MODELS,
    model: 'testSchemaList',
    client: { method: 'POST', path: '/local/path', json_body: [{ a: 1, b: 2 }] },
    status: 200,
  },
  'request-validator-ref-models/failed-validation': {
    models: REF_MODELS,
    model: 'testSchemaList',
    client: { method: 'POST', path: '/local/path' },
    status: 400,
  },
  'request-validator-oneof-models/successful': {
    models: ONE_OF_MODELS,
    model: 'TestModel',
    client: { method: 'POST', path: '/local/path', json_body: { status: null } },
    status: 200,
  },
  'request-validator-oneof-models/successful-with-data': {
    models: ONE_OF_MODELS,
    model: 'TestModel',
    client: { method: 'POST', path: '/local/path', json_body: { status: { Status: 'works', Order: 1 } } },
    status: 200,
  },
  'request-validator-oneof-models/failed-validation-no-data': {
    models: ONE_OF_MODELS,
    model: 'TestModel',
    client: { method: 'POST', path: '/local/path' },
    status: 400,
  },
  'request-validator-oneof-models/failed-validation-bad-data': {
    models: ONE_OF_MODELS,
    model: 'TestModel',
    client: { method: 'POST', path: '/local/path', json_body: { badFormat: 'bla' } },
    status: 400,
  },
};

function modelValidatedMockApi(title: string, models: Record<string, object>, model: string): object {
  return restApi(
    title,
    {
      '/path': {
        POST: {
          requestModels: { 'application/json': model },
          requestValidator: 'test-validator',
          methodResponses: { '200': {} },
          integration: {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: integrationResponses([
              { statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': pythonJsonDumps({ data: 'ok' }) } },
            ]),
          },
        },
      },
    },
    { models, validators: { 'test-validator': { validateRequestBody: true, validateRequestParameters: true } } },
  );
}

/** The Lambda TOKEN authorizer of the authorizer responses' API (gateway/access-control-setup.ts). */
const TOKEN_AUTHORIZER = 'conformance-token-authorizer';

/**
 * The Authorization tokens that make the authorizer trigger each default response: the
 * function throwing "Unauthorized" or no token at all (UNAUTHORIZED, the function not called
 * for the latter), a policy denying the method (ACCESS_DENIED), and a function that throws
 * another error or answers something that is not an authorizer response
 * (AUTHORIZER_CONFIGURATION_ERROR). `undefined` sends no Authorization header.
 */
const AUTHORIZER_TOKENS: Record<'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR', (string | undefined)[]> = {
  UNAUTHORIZED: ['unauthorized', undefined],
  ACCESS_DENIED: ['deny'],
  AUTHORIZER_CONFIGURATION_ERROR: ['crash', 'malformed', 'text'],
};

/** GET /authorized behind the TOKEN authorizer, answered by a MOCK; `responses` customise gateway responses. */
function tokenAuthorizedApi(title: string, responses?: object): object {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    components: { securitySchemes: { token: tokenAuthorizerScheme(TOKEN_AUTHORIZER) } },
    paths: { '/authorized': { get: mockOperation([{ token: [] }]) } },
    ...(responses ? { 'x-amazon-apigateway-gateway-responses': responses } : {}),
  };
}

/** GET /denied under a resource policy denying every loopback caller (the conformance client is one). */
function policyDeniedApi(title: string, responses?: object): object {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    'x-amazon-apigateway-policy': { Version: '2012-10-17', Statement: [invokeStatement('Deny', 'execute-api:/*', '127.0.0.0/8')] },
    paths: { '/denied': { get: mockOperation() } },
    ...(responses ? { 'x-amazon-apigateway-gateway-responses': responses } : {}),
  };
}

/** GET /signed, an AWS_IAM method answered by a MOCK; `responses` customise gateway responses. */
function iamApi(title: string, responses?: object): object {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    components: { securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } } },
    paths: { '/signed': { get: mockOperation([{ sigv4: [] }]) } },
    ...(responses ? { 'x-amazon-apigateway-gateway-responses': responses } : {}),
  };
}

/**
 * GET /limited answered by a MOCK, requiring an API key when `keyed`; `responses` customise
 * gateway responses. The traffic responses are triggered on it by a limit of one request set
 * through the management API as a user sets it: a stage method throttle (THROTTLED) or the
 * quota of the key's usage plan (QUOTA_EXCEEDED).
 */
function limitedApi(title: string, keyed: boolean, responses?: object): object {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    ...(keyed ? { components: { securitySchemes: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } } } : {}),
    paths: { '/limited': { get: mockOperation(keyed ? [{ api_key: [] }] : undefined) } },
    ...(responses ? { 'x-amazon-apigateway-gateway-responses': responses } : {}),
  };
}

/**
 * AWS's messages and x-amzn-ErrorType of the traffic refusals (the developer guide's throttling
 * and usage plan pages: 429 "Too Many Requests" and 429 "Limit Exceeded"; src/gateway/errors.ts).
 */
const TRAFFIC_REFUSALS: Record<'THROTTLED' | 'QUOTA_EXCEEDED', { message: string; errorType: string }> = {
  THROTTLED: { message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  QUOTA_EXCEEDED: { message: 'Limit Exceeded', errorType: 'LimitExceededException' },
};

/** A stage throttle's rate, far below one request a second: no refill can admit the second request however slowly the test runs. */
const SLOW_RATE = '0.001';

interface IamKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The IAM principals the SigV4 refusals are signed with: a user's long-term key, and temporary
 * credentials that expired long ago (EXPIRED_TOKEN).
 */
const IAM_USER = { accessKeyId: 'AKIACONFORMANCE001', secretAccessKey: 'conformance-user-secret', arn: 'arn:aws:iam::000000000000:user/conformance' };
const IAM_EXPIRED = {
  accessKeyId: 'ASIACONFORMANCE001',
  secretAccessKey: 'conformance-role-secret',
  sessionToken: 'conformance-session-token',
  expiration: '2020-01-01T00:00:00Z',
  arn: 'arn:aws:sts::000000000000:assumed-role/conformance/expired',
};
const IAM_PRINCIPALS = { principals: [IAM_USER, IAM_EXPIRED] };

/**
 * Runs `use` against a Portico started with IAM_PRINCIPALS (read from PORTICO_IAM_PRINCIPALS
 * when it starts, so the variable is set only around the start), then closes it.
 */
async function withIamEnv(use: (env: Env) => Promise<void>): Promise<void> {
  const saved = process.env[ENV_IAM_PRINCIPALS];
  process.env[ENV_IAM_PRINCIPALS] = JSON.stringify(IAM_PRINCIPALS);
  let env: Env;
  try {
    env = await startEnv([]);
  } finally {
    if (saved === undefined) delete process.env[ENV_IAM_PRINCIPALS];
    else process.env[ENV_IAM_PRINCIPALS] = saved;
  }
  try {
    await use(env);
  } finally {
    await env.close();
  }
}

/** GET /dev/signed to `api`, signed by the AWS SDK's signer for `region` and `service`, as sent host-style. */
async function signedIamRequest(env: Env, api: DeployedApi, key: IamKey, region = env.portico.account.region, service = 'execute-api'): Promise<Parameters<Env['invokeWire']>[1]> {
  const host = env.hostOf(api);
  const signer = new SignatureV4({ service, region, credentials: key, sha256: Sha256 });
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host.replace(/:\d+$/, ''), port: env.portico.port, path: '/dev/signed', query: {}, headers: { host } });
  // The sender adds Host itself.
  const headers = Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host');
  return { method: 'GET', path: '/dev/signed', headers };
}

describe('gateway-responses', () => {
  const { conformanceCase, outOfScope } = conformanceFolder('gateway-responses');
  const dataPlane = fixture('gateway-responses/data_plane_error_responses.json');
  const defaults = fixture('gateway-responses/default_gateway_responses.json');
  const cases = dataPlane.cases as Json[];
  let env: Env;
  let code: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    env = await startEnv(['echo']);
    code = await tempDir('portico-conformance-authorizer-');
    await installNodeFunction(env.portico, code.path, TOKEN_AUTHORIZER, TOKEN_AUTHORIZER_SOURCE);
  });
  after(async () => {
    await env?.close();
    await code?.remove();
  });

  const routingCases = cases.filter((c) => c.id.startsWith('routing/'));
  const deployRouting = (c: Json): Promise<DeployedApi> =>
    env.deploy(JSON.stringify(c.setup), c.setup.stage, () => mockApi('routing', c.setup));

  const validatorCase = (id: string): Json => {
    const c = cases.find((x) => x.id === id);
    assert.ok(c, `no case ${id}`);
    return c;
  };
  const testSchema = validatorCase('request-validator/invalid-request-body').setup.model;
  const revertedParameters = validatorCase('request-validator/missing-required-qs-request-params-get').setup.method_request_parameters;
  const invokeValidator = async (c: Json): Promise<{ deployed: DeployedApi; reply: Awaited<ReturnType<Env['invoke']>> }> => {
    const client: ClientRequest = c.input.client_request;
    const stage = stageOf(client);
    const deployed = await env.deploy(JSON.stringify({ id: c.id, stage }), stage, () =>
      requestValidatorApi(c, revertedParameters, testSchema),
    );
    return { deployed, reply: await env.invoke(deployed, client) };
  };

  for (const c of cases) {
    const reason = DATA_PLANE_OUT_OF_SCOPE[c.id];
    const modelCase = MODEL_CASES[c.id];
    if (reason !== undefined) {
      outOfScope(c.id, reason);
    } else if (c.id.startsWith('routing/')) {
      conformanceCase(c.id, async () => {
        const deployed = await deployRouting(c);
        const reply = await env.invoke(deployed, c.input.client_request);
        const cmp = new Comparison(apiBindings(deployed));
        expectJsonError(cmp, reply, c.expected);
        for (const [name, value] of Object.entries((c.expected.headers_include ?? {}) as Record<string, string>)) {
          cmp.match(value, reply.headers[name.toLowerCase()], `headers.${name}`);
        }
        cmp.assertNone();
      });
    } else if (c.id.startsWith('api-key/')) {
      conformanceCase(c.id, async () => {
        const { deployed, replies } = await replayApiKeyCase(env, c);
        const cmp = new Comparison(apiBindings(deployed));
        cmp.match(c.expected.status_sequence, replies.map((r) => r.status), 'status_sequence');
        cmp.assertNone();
      });
    } else if (c.id.startsWith('request-validator/')) {
      conformanceCase(c.id, async () => {
        const { deployed, reply } = await invokeValidator(c);
        const cmp = new Comparison(apiBindings(deployed));
        expectJsonError(cmp, reply, c.expected);
        cmp.assertNone();
      });
    } else if (modelCase !== undefined) {
      conformanceCase(c.id, async () => {
        const stage = stageOf(modelCase.client);
        const deployed = await env.deploy(`models:${modelCase.model}`, stage, () =>
          modelValidatedMockApi(c.id, modelCase.models, modelCase.model),
        );
        const reply = await env.invoke(deployed, modelCase.client);
        const cmp = new Comparison(apiBindings(deployed));
        expectJsonError(cmp, reply, { status: modelCase.status, json_body: c.expected.json_body });
        cmp.assertNone();
      });
    } else {
      // A case added to the fixture without a runner or a reason must not pass unnoticed.
      conformanceCase(c.id, async () => assert.fail(`no runner and no out-of-scope reason for ${c.id}`));
    }
  }

  /**
   * The default template rendered with a message, as AWS prints `$context.error.messageString`:
   * a JSON string, or `null` for an error that has no message.
   */
  const expectDefaultResponse = (item: Json, message: string | null, reply: Awaited<ReturnType<Env['invoke']>>, label = ''): void => {
    const template: string = item.responseTemplates['application/json'];
    const rendered = template.replace('$context.error.messageString', JSON.stringify(message));
    const cmp = new Comparison();
    cmp.match(Number(item.statusCode), reply.status, `${label}status`);
    cmp.match(rendered, reply.text, `${label}body`);
    cmp.match('application/json', reply.headers['content-type'], `${label}headers.content-type`);
    cmp.assertNone();
  };
  /**
   * ACCESS_DENIED as a client sees it while the API has not customised it. The recorded status
   * and content type apply, but the body AWS sends while the type is not customised is
   * `{"Message":…}`, capital M, not the recorded template's `{"message":…}` (AWS re:Post
   * knowledge center on 403 errors with Lambda authorizers and resource policies, and responses
   * recorded from AWS quoted in public issues; src/auth/authorization-decision.ts cites them).
   * As for INVALID_API_KEY's "Forbidden", that body is not in the recording, so the runner also
   * puts the recorded default on the API as a customised response and checks that it then
   * renders exactly as the recording gives it, with the same message: only the wrapper differs.
   */
  const expectAccessDenied = (item: Json, message: string, reply: Awaited<ReturnType<Env['invoke']>>, label: string): void => {
    const cmp = new Comparison();
    cmp.match(Number(item.statusCode), reply.status, `${label}status`);
    cmp.match(JSON.stringify({ Message: message }), reply.text, `${label}body`);
    cmp.match('application/json', reply.headers['content-type'], `${label}headers.content-type`);
    cmp.assertNone();
  };
  /** The recorded default response put on an API as its customised response of that type. */
  const recordedAsCustomised = (item: Json): object => ({
    [item.responseType]: { statusCode: item.statusCode, responseTemplates: item.responseTemplates, responseParameters: item.responseParameters },
  });
  const invokeAuthorized = async (api: DeployedApi, token: string | undefined): Promise<Awaited<ReturnType<Env['invoke']>>> =>
    env.invoke(api, { method: 'GET', path: '/dev/authorized', headers: token === undefined ? {} : { Authorization: token } });
  const deployTokenAuthorized = (): Promise<DeployedApi> => env.deploy('token-authorized', 'dev', () => tokenAuthorizedApi('token-authorized'));
  /** The recorded request-validator case that triggers each validation response type. */
  const VALIDATION_TRIGGERS: Record<string, string> = {
    BAD_REQUEST_PARAMETERS: 'request-validator/missing-required-qs-request-params-get',
    BAD_REQUEST_BODY: 'request-validator/invalid-request-body',
  };

  for (const item of defaults.items as Json[]) {
    if (DEFAULT_RESPONSES_CHECKED_BY_MANAGEMENT.has(item.responseType)) continue;
    const id = `default-gateway-responses/${item.responseType}`;
    const reason = DEFAULT_RESPONSE_OUT_OF_SCOPE[item.responseType];
    const trigger = VALIDATION_TRIGGERS[item.responseType];
    if (reason !== undefined) {
      outOfScope(id, reason);
    } else if (item.responseType === 'MISSING_AUTHENTICATION_TOKEN') {
      conformanceCase(id, async () => {
        const routing = routingCases[0];
        assert.ok(routing, 'no routing case to build the API from');
        const deployed = await deployRouting(routing);
        const reply = await env.invoke(deployed, { method: 'GET', path: `/${routing.setup.stage}/no-such-resource` });
        // The message every unrouted request carries.
        expectDefaultResponse(item, 'Missing Authentication Token', reply);
        // An unsigned request to an AWS_IAM method is answered the same way.
        const iam = await env.deploy('iam', 'dev', () => iamApi('iam'));
        const unsigned = await env.invoke(iam, { method: 'GET', path: '/dev/signed' });
        expectDefaultResponse(item, 'Missing Authentication Token', unsigned, 'unsigned AWS_IAM request: ');
        assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      });
    } else if (item.responseType === 'INVALID_API_KEY') {
      conformanceCase(id, async () => {
        const c = cases.find((x) => x.id.startsWith('api-key/'));
        assert.ok(c, 'no api-key case to build the API from');
        const { replies } = await replayApiKeyCase(env, c);
        const refused = replies.find((r) => r.status !== 200);
        assert.ok(refused, 'the api-key case refuses no request');
        // The body is not recorded; the message is the "403 Forbidden" the developer guide names.
        expectDefaultResponse(item, 'Forbidden', refused);
      });
    } else if (item.responseType === 'UNAUTHORIZED' || item.responseType === 'AUTHORIZER_CONFIGURATION_ERROR') {
      // AWS's messages: "Unauthorized" for a refused caller; none for an authorizer that failed,
      // which prints the template's message as null (`{"message":null}`, as public reports of
      // throwing, timing out or malformed Lambda authorizers on AWS show).
      const message = item.responseType === 'UNAUTHORIZED' ? 'Unauthorized' : null;
      conformanceCase(id, async () => {
        const deployed = await deployTokenAuthorized();
        for (const token of AUTHORIZER_TOKENS[item.responseType as 'UNAUTHORIZED' | 'AUTHORIZER_CONFIGURATION_ERROR']) {
          expectDefaultResponse(item, message, await invokeAuthorized(deployed, token), `token ${show(token)}: `);
        }
      });
    } else if (item.responseType === 'ACCESS_DENIED') {
      conformanceCase(id, async () => {
        // A Lambda authorizer's Deny: the message names no caller or resource.
        const authorizerDenial = 'User is not authorized to access this resource with an explicit deny';
        const plain = await deployTokenAuthorized();
        const customised = await env.deploy('token-authorized:ACCESS_DENIED', 'dev', () => tokenAuthorizedApi('token-authorized-customised', recordedAsCustomised(item)));
        for (const token of AUTHORIZER_TOKENS.ACCESS_DENIED) {
          expectAccessDenied(item, authorizerDenial, await invokeAuthorized(plain, token), `token ${show(token)}: `);
          expectDefaultResponse(item, authorizerDenial, await invokeAuthorized(customised, token), `customised, token ${show(token)}: `);
        }
        // A resource policy's Deny: the message names the anonymous caller and the method ARN,
        // its account id masked to the last four digits.
        const { region, accountId } = env.portico.account;
        const policyDenial = (api: DeployedApi): string =>
          `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${region}:********${accountId.slice(-4)}:${api.api.id}/dev/GET/denied with an explicit deny`;
        const denied = await env.deploy('policy-denied', 'dev', () => policyDeniedApi('policy-denied'));
        const deniedCustomised = await env.deploy('policy-denied:ACCESS_DENIED', 'dev', () => policyDeniedApi('policy-denied-customised', recordedAsCustomised(item)));
        const request: ClientRequest = { method: 'GET', path: '/dev/denied' };
        expectAccessDenied(item, policyDenial(denied), await env.invoke(denied, request), 'resource policy: ');
        expectDefaultResponse(item, policyDenial(deniedCustomised), await env.invoke(deniedCustomised, request), 'customised, resource policy: ');
      });
    } else if (item.responseType === 'INVALID_SIGNATURE' || item.responseType === 'EXPIRED_TOKEN') {
      // SigV4 refusals of an AWS_IAM method, signed by the AWS SDK's own signer, checked as
      // AWS's default response and, customised with the recorded default, rendered the same.
      conformanceCase(id, () =>
        withIamEnv(async (iamEnv) => {
          const apis = [await iamEnv.deploy('iam', 'dev', () => iamApi('iam')), await iamEnv.deploy('iam:customised', 'dev', () => iamApi('iam-customised', recordedAsCustomised(item)))];
          for (const [i, api] of apis.entries()) {
            const label = i === 0 ? '' : 'customised, ';
            const expectRefusal = (reply: Awaited<ReturnType<Env['invoke']>>, message: string, errorType: string, why: string): void => {
              expectDefaultResponse(item, message, reply, `${label}${why}: `);
              assert.equal(reply.headers['x-amzn-errortype'], errorType, `${label}${why}`);
            };
            if (item.responseType === 'EXPIRED_TOKEN') {
              const reply = await iamEnv.invokeWire(api, await signedIamRequest(iamEnv, api, IAM_EXPIRED));
              expectRefusal(reply, 'The security token included in the request is expired', 'ExpiredTokenException', 'expired temporary credentials');
              continue;
            }
            const region = await iamEnv.invokeWire(api, await signedIamRequest(iamEnv, api, IAM_USER, 'eu-west-1'));
            expectRefusal(region, "Credential should be scoped to a valid region, not 'eu-west-1'. ", 'InvalidSignatureException', 'another region');
            const service = await iamEnv.invokeWire(api, await signedIamRequest(iamEnv, api, IAM_USER, undefined, 'apigateway'));
            expectRefusal(service, "Credential should be scoped to correct service: 'execute-api'. ", 'InvalidSignatureException', 'another service');
            const unknown = await iamEnv.invokeWire(api, await signedIamRequest(iamEnv, api, { accessKeyId: 'AKIANOBODY00000001', secretAccessKey: 'x' }));
            expectRefusal(unknown, 'The security token included in the request is invalid.', 'UnrecognizedClientException', 'unknown access key');
            // The mismatch message goes on to print the canonical request and string to sign.
            const wrong = await iamEnv.invokeWire(api, await signedIamRequest(iamEnv, api, { ...IAM_USER, secretAccessKey: 'not-the-secret' }));
            const message: unknown = parseJson(wrong.text).ok ? JSON.parse(wrong.text).message : undefined;
            assert.ok(typeof message === 'string' && message.startsWith(`${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'GET\n/dev/signed\n`), `${label}wrong secret: ${wrong.text}`);
            expectRefusal(wrong, message, 'InvalidSignatureException', 'wrong secret');
          }
        }),
      );
    } else if (item.responseType === 'THROTTLED' || item.responseType === 'QUOTA_EXCEEDED') {
      // The first request within the limit passes and the second is refused, as AWS's default
      // response and, customised with the recorded default, rendered the same.
      const type = item.responseType as 'THROTTLED' | 'QUOTA_EXCEEDED';
      const { message, errorType } = TRAFFIC_REFUSALS[type];
      conformanceCase(id, async () => {
        const sdk = new APIGatewayClient({
          endpoint: env.portico.url,
          region: env.portico.account.region,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          maxAttempts: 1,
        });
        try {
          for (const customised of [false, true]) {
            const label = customised ? 'customised, ' : '';
            const keyed = type === 'QUOTA_EXCEEDED';
            const title = `limited-${type}${customised ? '-customised' : ''}`;
            const deployed = await env.deploy(title, 'dev', () => limitedApi(title, keyed, customised ? recordedAsCustomised(item) : undefined));
            const headers: Record<string, string> = {};
            if (type === 'THROTTLED') {
              const settings = { '/*/*/throttling/rateLimit': SLOW_RATE, '/*/*/throttling/burstLimit': '1' };
              const patchOperations = Object.entries(settings).map(([path, value]) => ({ op: 'replace' as const, path, value }));
              await sdk.send(new UpdateStageCommand({ restApiId: deployed.api.id, stageName: 'dev', patchOperations }));
              // Stage method settings apply once the stage has recompiled.
              await env.portico.registry.settled();
            } else {
              const key = await sdk.send(new CreateApiKeyCommand({ name: `${title}-key`, enabled: true }));
              const plan = await sdk.send(
                new CreateUsagePlanCommand({ name: `${title}-plan`, apiStages: [{ apiId: deployed.api.id, stage: 'dev' }], quota: { limit: 1, period: 'DAY', offset: 0 } }),
              );
              await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
              // The key index reloads plans and keys asynchronously.
              await env.portico.apiKeys.settled();
              headers['x-api-key'] = key.value!;
            }
            const request: ClientRequest = { method: 'GET', path: '/dev/limited', headers };
            const admitted = await env.invoke(deployed, request);
            assert.equal(admitted.status, 200, `${label}the request within the limit: ${admitted.status} ${admitted.text}`);
            const refused = await env.invoke(deployed, request);
            expectDefaultResponse(item, message, refused, `${label}the request past the limit: `);
            assert.equal(refused.headers['x-amzn-errortype'], errorType, `${label}x-amzn-errortype`);
          }
        } finally {
          sdk.destroy();
        }
      });
    } else if (trigger !== undefined) {
      conformanceCase(id, async () => {
        const c = validatorCase(trigger);
        const { reply } = await invokeValidator(c);
        expectDefaultResponse(item, c.expected.json_body.message, reply);
      });
    } else {
      conformanceCase(id, async () => assert.fail(`no runner and no out-of-scope reason for ${id}`));
    }
  }
});

// ---------------------------------------------------------------------------------------------
// HTTP and HTTP_PROXY integrations.

/**
 * The recorded backend: a function URL that echoes the request it saw (method, lower-case
 * headers, body parsed as JSON, query with repeated values joined by ',') or, at
 * `/status/NNN`, answers that status. Like a function URL it sends its own x-amzn-RequestId.
 */
function startEchoBackend(): Promise<Backend> {
  return startBackend((req, raw, res) => {
    const url = new URL(req.url ?? '/', 'http://backend.invalid');
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    let code = 200;
    let payload: unknown;
    if (status) {
      code = Number(status[1]);
      payload = { message: '', status_code: code };
    } else {
      const args: Record<string, string> = {};
      for (const key of new Set(url.searchParams.keys())) args[key] = url.searchParams.getAll(key).join(',');
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!.toLowerCase();
        headers[name] = name in headers ? `${headers[name]},${req.rawHeaders[i + 1]!}` : req.rawHeaders[i + 1]!;
      }
      const text = raw.toString('utf8');
      const parsed = parseJson(text);
      payload = {
        args,
        data: parsed.ok ? parsed.value : text,
        domain: req.headers.host ?? '',
        headers,
        method: req.method,
        origin: req.socket.remoteAddress,
        path: url.pathname,
      };
    }
    const body = JSON.stringify(payload);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(body);
  });
}

/**
 * The API LocalStack's `create_rest_api_with_integration` fixture built: one resource (`/test`
 * unless the setup names one), a POST method unless the setup names another, that declares
 * every method request parameter its integration maps, and a default 200 integration response.
 *
 * That fixture also gave the 200 response the template `$input.json('$')`. For a JSON backend
 * body it renders the same JSON value as passthrough, and these cases compare bodies as parsed
 * JSON, so the template is left out: what the cases check does not depend on mapping templates.
 */
function httpApi(title: string, setup: Json, echoBase: string): object {
  const integration = setup.integration;
  const requestParameters: Record<string, string> = integration.requestParameters ?? {};
  const declared: Record<string, boolean> = {};
  for (const source of Object.values(requestParameters)) if (source.startsWith('method.request.')) declared[source] = true;
  const parameters = methodParameters(declared);
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    paths: {
      [setup.resource ?? '/test']: {
        [OPERATION_KEY(setup.resource_method ?? 'POST')]: {
          ...(parameters.length > 0 ? { parameters } : {}),
          responses: { '200': { description: '200 response' } },
          'x-amazon-apigateway-integration': {
            type: String(integration.type).toLowerCase(),
            httpMethod: integration.integrationHttpMethod ?? 'POST',
            uri: String(integration.uri ?? '<echo>').replace('<echo>', echoBase),
            requestParameters,
            responses: { default: { statusCode: '200' } },
          },
        },
      },
    },
  };
}

/**
 * The recorded echo backend was created with trim_x_headers, which drops x-* headers; a
 * function URL also never shows the hop-by-hop Connection header.
 */
function withoutTrimmedHeaders(seen: Json): Json {
  if (!seen || typeof seen !== 'object' || !seen.headers || typeof seen.headers !== 'object') return seen;
  const headers = Object.fromEntries(
    Object.entries(seen.headers as Record<string, string>).filter(([name]) => !name.startsWith('x-') && name !== 'connection'),
  );
  return { ...seen, headers };
}

/** Gateway response headers the comparison leaves out: per connection, or a trace id. */
const NOT_COMPARED_HTTP_RESPONSE_HEADERS = new Set(['connection', 'x-amzn-trace-id']);

describe('http-integration', () => {
  const { conformanceCase } = conformanceFolder('http-integration');
  const behaviour = fixture('http-integration/http_integration_behaviour.json');
  let env: Env;
  let echo: Backend;

  before(async () => {
    echo = await startEchoBackend();
    env = await startEnv([]);
  });
  after(async () => {
    await env?.close();
    await echo?.close();
  });

  for (const c of behaviour.cases as Json[]) {
    conformanceCase(c.id, async () => {
      const client: ClientRequest = c.input.client_request;
      const stage = stageOf(client);
      const deployed = await env.deploy(JSON.stringify({ setup: c.setup, stage }), stage, () => httpApi(c.id, c.setup, echo.base));
      const reply = await env.invoke(deployed, client);
      const cmp = new Comparison(apiBindings(deployed));
      const body = parseJson(reply.text);

      if (c.expected_backend_request_seen !== undefined) {
        if (reply.status !== 200) cmp.diff('status', `expected 200, got ${reply.status} (body ${show(reply.text)})`);
        if (!body.ok) cmp.diff('body', `expected the backend's JSON echo, got ${show(reply.text)}`);
        else cmp.match(c.expected_backend_request_seen, withoutTrimmedHeaders(body.value), 'backend saw');
      } else if (c.expected.content !== undefined) {
        if (reply.status !== c.expected.status_code) cmp.diff('status', `expected ${c.expected.status_code}, got ${reply.status} (body ${show(reply.text)})`);
        if (!body.ok) cmp.diff('body', `expected the backend's JSON echo, got ${show(reply.text)}`);
        else cmp.match(c.expected.content, withoutTrimmedHeaders(body.value), 'content');
        for (const [name, value] of Object.entries(c.expected.headers as Record<string, string>)) {
          if (NOT_COMPARED_HTTP_RESPONSE_HEADERS.has(name)) continue;
          const actual = reply.headers[name];
          if (actual === undefined) cmp.diff(`headers.${name}`, `missing (expected ${show(value)})`);
          else cmp.match(value, Array.isArray(actual) ? actual.join(', ') : actual, `headers.${name}`);
        }
      } else {
        expectJsonError(cmp, reply, c.expected);
      }
      cmp.assertNone();
    });
  }
});
