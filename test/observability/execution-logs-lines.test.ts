/**
 * The lines a stage's execution logging writes for one request, driven without a server: a
 * real Invocation over a real IncomingMessage, fed the way the pipeline feeds it, and the
 * events `end` writes collected. Covers what each level and the data trace setting keep, AWS's
 * order (access control before the execution), masking of credentials, truncation, and the
 * bounded capture of streamed bodies. End-to-end behaviour through a real Portico is in
 * execution-logs.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Invocation } from '../../src/gateway/invocation.js';
import type { CompiledMethod, CompiledStage } from '../../src/gateway/rest/compile.js';
import { GatewayError, integrationTimeout } from '../../src/gateway/errors.js';
import { BodyCapture, ExecutionLog, MAX_LOGGED_VALUE_CHARS, maskSecret } from '../../src/gateway/execution-log.js';
import { compileExecutionLogging, executionLogGroup, type LoggingLevel } from '../../src/observability/execution-logging.js';
import { RequestObservation } from '../../src/observability/request-observation.js';

const REQUEST_ID = '0b5c3a5e-1111-4a2b-9c3d-123456789abc';
const API_KEY = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789wxyz';
const STAGE = { apiId: 'abcde12345', apiName: 'logged', stageName: 'dev', deploymentId: 'd1', accountId: '000000000000', region: 'us-east-1', variables: {} } as unknown as CompiledStage;
const METHOD = { resourceId: 'res123', resourcePath: '/pets/{id}', httpMethod: 'POST' } as unknown as CompiledMethod;

interface Written {
  message: string;
  epochMs: number;
}

/** A POST /pets/7?kind=cat with credentials in its headers, matched to METHOD. */
function request(headers: [string, string][]): { inv: Invocation; obs: RequestObservation } {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.rawHeaders = headers.flat();
  for (const [name, value] of headers) req.headers[name.toLowerCase()] = value;
  const target = { apiId: STAGE.apiId, stageName: STAGE.stageName, path: '/pets/7', rawQuery: 'kind=cat&kind=dog', requestPath: '/dev/pets/7' };
  const inv = new Invocation(req, REQUEST_ID, 'ext-id=', target, STAGE, METHOD, METHOD.resourcePath, { id: '7' }, 0);
  const obs = new RequestObservation(req, STAGE, REQUEST_ID, 'ext-id=', 'POST', '/pets/7');
  obs.inv = inv;
  obs.method = METHOD;
  return { inv, obs };
}

const HEADERS: [string, string][] = [
  ['Content-Type', 'application/json'],
  ['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.secret-part.signature-tail'],
  ['x-api-key', API_KEY],
  ['Cookie', 'session=s3cr3t'],
];

/** Runs a request that reaches an HTTP backend and succeeds, through logging at `level`. */
function succeed(level: LoggingLevel, dataTraceEnabled: boolean, body = '{"name":"Rex"}'): { written: Written[]; inv: Invocation } {
  const logging = compileExecutionLogging({ loggingLevel: level, dataTraceEnabled });
  assert.ok(logging);
  const { inv, obs } = request(HEADERS);
  logging.begin(inv);
  const log = inv.log!;
  // What the access control step records: the API key it admitted.
  inv.apiKey = { keyId: 'key1', value: API_KEY, usagePlans: [] };
  obs.integrationStarted();
  log.requestBody(Buffer.from(body));
  log.endpointRequest({ uri: 'http://127.0.0.1:9/pets', headers: { 'user-agent': 'AmazonAPIGateway_abcde12345', authorization: 'Basic dXNlcjpwYXNzd29yZA==' }, body: '{"mapped":true}' });
  log.endpointResponse({ statusCode: 201, latencyMs: 3.4, headers: { 'content-type': 'application/json', 'set-cookie': 'id=backend-session-cookie' }, body: '{"id":7}' });
  log.methodResult(201, { 'content-type': 'application/json' }, '{"created":7}');
  obs.integrationEnded(201);
  obs.responded(201, 13);
  const written: Written[] = [];
  logging.end(obs, (message, epochMs) => written.push({ message, epochMs }));
  return { written, inv };
}

const messages = (written: Written[]): string[] => written.map((w) => w.message);
const unprefixed = (written: Written[]): string[] =>
  written.map((w) => {
    assert.ok(w.message.startsWith(`(${REQUEST_ID}) `), `every line starts with the request id: ${w.message}`);
    return w.message.slice(REQUEST_ID.length + 3);
  });

describe('execution log lines', () => {
  it('names the log group as AWS does', () => {
    assert.equal(executionLogGroup('abcde12345', 'dev'), 'API-Gateway-Execution-Logs_abcde12345/dev');
  });

  it('compiles nothing for OFF or an unknown level', () => {
    assert.equal(compileExecutionLogging({ loggingLevel: 'OFF', dataTraceEnabled: true }), undefined);
    assert.equal(compileExecutionLogging({ loggingLevel: 'DEBUG' as LoggingLevel, dataTraceEnabled: false }), undefined);
  });

  it('INFO writes the steps in order, prefixed with the request id, without headers or bodies', () => {
    const { written } = succeed('INFO', false);
    const masked = maskSecret(API_KEY);
    assert.deepEqual(unprefixed(written), [
      'Extended Request Id: ext-id=',
      `Verifying Usage Plan for request: ${REQUEST_ID}. API Key: ${masked} API Stage: abcde12345/dev`,
      `API Key ${masked} authorized because method 'POST /pets/{id}' requires API Key. Request will contribute to throttle and quota limits`,
      `Usage Plan check succeeded for API Key ${masked} and API Stage abcde12345/dev`,
      `Starting execution for request: ${REQUEST_ID}`,
      'HTTP Method: POST, Resource Path: /pets/7',
      'Endpoint request URI: http://127.0.0.1:9/pets',
      'Sending request to http://127.0.0.1:9/pets',
      'Received response. Status: 201, Integration latency: 3 ms',
      'Successfully completed execution',
      'Method completed with status: 201',
    ]);
    assert.equal(masked, `${'*'.repeat(API_KEY.length - 4)}wxyz`);
    const times = written.map((w) => w.epochMs);
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'lines are written in time order');
    assert.ok(times.every((t) => Math.abs(t - Date.now()) < 60_000), 'times are wall-clock epoch milliseconds');
  });

  it('INFO with data trace adds the data of each step, credentials masked', () => {
    const { written } = succeed('INFO', true);
    const lines = unprefixed(written);
    const at = (prefix: string): string => {
      const line = lines.find((l) => l.startsWith(prefix));
      assert.ok(line, `a line starting ${prefix}: ${lines.join('\n')}`);
      return line;
    };
    assert.equal(at('Method request path: '), 'Method request path: {id=7}');
    assert.equal(at('Method request query string: '), 'Method request query string: {kind=cat,dog}');
    assert.equal(
      at('Method request headers: '),
      `Method request headers: {Content-Type=application/json, Authorization=${maskSecret('Bearer eyJhbGciOiJIUzI1NiJ9.secret-part.signature-tail')}, x-api-key=${maskSecret(API_KEY)}, Cookie=**************}`,
    );
    assert.equal(at('Method request body before transformations: '), 'Method request body before transformations: {"name":"Rex"}');
    assert.equal(at('Endpoint request headers: '), `Endpoint request headers: {user-agent=AmazonAPIGateway_abcde12345, authorization=${'*'.repeat(22)}ZA==}`);
    assert.equal(at('Endpoint request body after transformations: '), 'Endpoint request body after transformations: {"mapped":true}');
    assert.equal(at('Endpoint response headers: '), `Endpoint response headers: {content-type=application/json, set-cookie=${'*'.repeat(21)}okie}`);
    assert.equal(at('Endpoint response body before transformations: '), 'Endpoint response body before transformations: {"id":7}');
    assert.equal(at('Method response body after transformations: '), 'Method response body after transformations: {"created":7}');
    assert.equal(at('Method response headers: '), 'Method response headers: {content-type=application/json}');
    // The data sits inside the steps, in AWS's order.
    const order = ['HTTP Method:', 'Method request path:', 'Method request body', 'Endpoint request URI:', 'Endpoint request headers:', 'Sending request', 'Received response', 'Endpoint response body', 'Method response body', 'Successfully completed', 'Method completed'];
    const positions = order.map((p) => lines.findIndex((l) => l.startsWith(p)));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, lines.join('\n'));
    for (const secret of ['secret-part', API_KEY, 's3cr3t', 'dXNlcjpwYXNzd29yZA', 'backend-session']) {
      assert.ok(!messages(written).some((m) => m.includes(secret)), `${secret} never reaches the log`);
    }
  });

  it('cuts long bodies and header maps as AWS does', () => {
    const long = `{"text":"${'x'.repeat(3000)}"}`;
    const { written } = succeed('INFO', true, long);
    const line = unprefixed(written).find((l) => l.startsWith('Method request body before transformations: '))!;
    assert.equal(line, `Method request body before transformations: ${long.slice(0, MAX_LOGGED_VALUE_CHARS)} [TRUNCATED]`);
  });

  it('ERROR writes nothing for a request that succeeded', () => {
    assert.deepEqual(succeed('ERROR', false).written, []);
  });

  it('ERROR writes only the failure lines of a request that failed', () => {
    const logging = compileExecutionLogging({ loggingLevel: 'ERROR', dataTraceEnabled: false })!;
    const { inv, obs } = request(HEADERS);
    logging.begin(inv);
    obs.integrationStarted();
    inv.log!.endpointRequest({ uri: 'http://127.0.0.1:9/slow', headers: {} });
    inv.log!.fail('Execution failed due to a timeout error');
    const error = integrationTimeout();
    obs.integrationEnded(undefined, error);
    obs.responded(504, 41, error);
    const written: Written[] = [];
    logging.end(obs, (message, epochMs) => written.push({ message, epochMs }));
    assert.deepEqual(unprefixed(written), ['Execution failed due to a timeout error', 'Method completed with status: 504']);
  });

  it('ERROR with data trace logs every request in detail, as the guide says', () => {
    const lines = unprefixed(succeed('ERROR', true).written);
    assert.ok(lines.includes('Successfully completed execution'));
    assert.ok(lines.some((l) => l.startsWith('Method request headers: ')));
  });

  it('says why a request failed when no step did, from its gateway response', () => {
    const logging = compileExecutionLogging({ loggingLevel: 'INFO', dataTraceEnabled: false })!;
    const { inv, obs } = request([]);
    logging.begin(inv);
    obs.integrationStarted();
    const error = new GatewayError('INTEGRATION_FAILURE', 'Internal server error', 500);
    obs.integrationEnded(undefined, error);
    obs.responded(500, 36, error);
    const written: Written[] = [];
    logging.end(obs, (message, epochMs) => written.push({ message, epochMs }));
    assert.deepEqual(unprefixed(written).slice(-2), ['Execution failed due to an integration failure', 'Method completed with status: 500']);
  });

  it('a refused API key ends the request before its execution, the key masked', () => {
    const logging = compileExecutionLogging({ loggingLevel: 'INFO', dataTraceEnabled: false })!;
    const { inv, obs } = request([['x-api-key', 'not-a-known-key-0000-1234']]);
    logging.begin(inv);
    obs.authorizerStarted();
    const error = new GatewayError('INVALID_API_KEY', 'Forbidden');
    obs.authorizerEnded(error);
    obs.responded(403, 23, error);
    const written: Written[] = [];
    logging.end(obs, (message, epochMs) => written.push({ message, epochMs }));
    const key = '*********************1234';
    assert.deepEqual(unprefixed(written), [
      'Extended Request Id: ext-id=',
      `Verifying Usage Plan for request: ${REQUEST_ID}. API Key: ${key} API Stage: abcde12345/dev`,
      `API Key ${key} not authorized because method 'POST /pets/{id}' requires API Key and API Key is not associated with a Usage Plan for API Stage abcde12345/dev: No Usage Plan found for key and API Stage`,
      'Method completed with status: 403',
    ]);
  });

  it('an authorizer refusal is logged before, and instead of, the execution', () => {
    const logging = compileExecutionLogging({ loggingLevel: 'INFO', dataTraceEnabled: true })!;
    const { inv, obs } = request([['X-Token', 'my-identity-token-value-1234']]);
    logging.begin(inv);
    obs.authorizerStarted();
    const log = inv.log!;
    // As a Lambda authorizer feeds it (src/auth/lambda-authorizer.ts).
    log.maskHeader('x-token');
    log.access(`Starting authorizer: auth12 for request: ${REQUEST_ID}`);
    log.accessFail(`Unauthorized request: ${REQUEST_ID}`);
    const error = new GatewayError('UNAUTHORIZED', 'Unauthorized');
    obs.authorizerEnded(error);
    obs.responded(401, 26, error);
    const written: Written[] = [];
    logging.end(obs, (message, epochMs) => written.push({ message, epochMs }));
    assert.deepEqual(unprefixed(written), [
      'Extended Request Id: ext-id=',
      `Starting authorizer: auth12 for request: ${REQUEST_ID}`,
      `Unauthorized request: ${REQUEST_ID}`,
      'Method completed with status: 401',
    ]);
  });
});

describe('execution log building blocks', () => {
  it('masks secrets keeping their length and, when long enough, their last 4 characters', () => {
    assert.equal(maskSecret(''), '');
    assert.equal(maskSecret('short'), '*****');
    assert.equal(maskSecret('0123456789abcdefghij'), '****************ghij');
    assert.equal(maskSecret('x'.repeat(5000)).length, 1024 + 4, 'a huge value is masked within a bound');
  });

  it('captures the start of a streamed body within a bound and marks the cut', () => {
    const capture = new BodyCapture();
    assert.equal(capture.text(), '');
    capture.add(Buffer.from('hello '));
    capture.add(Buffer.from('world'));
    assert.equal(capture.text(), 'hello world');
    const big = new BodyCapture();
    for (let i = 0; i < 100; i++) big.add(Buffer.alloc(1000, 'a'));
    assert.equal(big.text(), `${'a'.repeat(MAX_LOGGED_VALUE_CHARS)} [TRUNCATED]`);
    // Multi-byte characters past the kept bytes still end in one marker.
    const wide = new BodyCapture();
    wide.add(Buffer.from('é'.repeat(5000)));
    assert.equal(wide.text(), `${'é'.repeat(MAX_LOGGED_VALUE_CHARS)} [TRUNCATED]`);
  });

  it('keeps only the kinds asked for, and formats no data without data trace', () => {
    const log = new ExecutionLog(REQUEST_ID, () => 0, { keep: 1 | 4 });
    assert.equal(log.dataTrace, false);
    log.methodRequest({ pathParameters: {}, query: {}, headers: { authorization: 'x' }, body: 'b' });
    log.endpointRequest({ uri: 'http://x/', headers: { a: '1' }, body: 'b' });
    log.fail('Execution failed due to a timeout error');
    assert.deepEqual(
      log.entries().map((l) => [l.kind, l.message]),
      [
        [1, 'Endpoint request URI: http://x/'],
        [1, 'Sending request to http://x/'],
        [4, 'Execution failed due to a timeout error'],
      ],
    );
  });

  it('lays out the TestInvokeMethod text as before: every kind, nothing masked', () => {
    const log = new ExecutionLog('req-1', () => Date.UTC(2025, 7, 19, 17, 4, 50));
    log.start('GET', '/foo');
    log.methodRequest({ pathParameters: null, query: [], headers: [['Authorization', 'Bearer abc']], body: '' });
    log.methodResponse(200, [['Content-Type', 'application/json']], '{}');
    assert.equal(
      log.text(),
      [
        'Execution log for request req-1',
        'Tue Aug 19 17:04:50 UTC 2025 : Starting execution for request: req-1',
        'Tue Aug 19 17:04:50 UTC 2025 : HTTP Method: GET, Resource Path: /foo',
        'Tue Aug 19 17:04:50 UTC 2025 : Method request path: {}',
        'Tue Aug 19 17:04:50 UTC 2025 : Method request query string: {}',
        'Tue Aug 19 17:04:50 UTC 2025 : Method request headers: {Authorization=Bearer abc}',
        'Tue Aug 19 17:04:50 UTC 2025 : Method request body before transformations: ',
        'Tue Aug 19 17:04:50 UTC 2025 : Method response body after transformations: {}',
        'Tue Aug 19 17:04:50 UTC 2025 : Method response headers: {Content-Type=application/json}',
        'Tue Aug 19 17:04:50 UTC 2025 : Successfully completed execution',
        'Tue Aug 19 17:04:50 UTC 2025 : Method completed with status: 200',
        '',
      ].join('\n'),
    );
  });
});
