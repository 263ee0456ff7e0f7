/**
 * Execution logs end to end: a real Portico on an ephemeral port with a data directory, a REST
 * API built and its stage's method settings changed with the real AWS SDK (UpdateStage, as
 * users do), real HTTP requests to MOCK, HTTP and HTTP_PROXY methods in front of a local
 * node:http backend, and the lines read back from the stage's execution log group file
 * (`<dataDir>/logs`). Each request's lines are found by its request id prefix.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaUri, listen, rawRequest, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';
import { STAGE, newKey, newPlan, setStage, startPortico, type TrafficHarness } from '../gateway/traffic-setup.js';
import { logFilePath } from '../../src/observability/log-sinks.js';
import { executionLogGroup } from '../../src/observability/execution-logging.js';
import { MAX_LOGGED_VALUE_CHARS, maskSecret } from '../../src/gateway/execution-log.js';

const BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.very-secret-claims.signature';
const ECHO_TEMPLATE = '{"wrapped": $input.json(\'$\')}';
const ECHO_RESPONSE_TEMPLATE = '{"answer": $input.json(\'$.got\')}';

/** A TOKEN authorizer: `allow:<user>` is allowed everywhere, `deny:<user>` denied. */
const TOKEN_AUTHORIZER = `
export const handler = async (event) => {
  const [verb, user] = event.authorizationToken.split(':');
  const resource = event.methodArn.split('/')[0] + '/*';
  return { principalId: user, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: verb === 'allow' ? 'Allow' : 'Deny', Resource: resource }] } };
};`;
const ALLOW_TOKEN = 'allow:principal-ann-0123456789';
const DENY_TOKEN = 'deny:principal-bob-0123456789';

/** The backend: `/echo` answers what it was sent; `/proxy` answers a fixed body with a cookie. */
function backend(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url?.startsWith('/proxy')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'backend-session=cookie-value-123456' });
      res.end(`proxied:${body}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ got: body.length > 100 ? 'long' : JSON.parse(body || 'null') }));
  });
}

async function resource(v1: APIGatewayClient, apiId: string, parentId: string, pathPart: string): Promise<string> {
  const created = await v1.send(new CreateResourceCommand({ restApiId: apiId, parentId, pathPart }));
  return created.id!;
}

describe('execution logs on the data plane', () => {
  let h: TrafficHarness;
  let server: Awaited<ReturnType<typeof listen>>;
  let apiId: string;
  let key: { id: string; value: string };
  let authorizerId: string;
  let lambda: LambdaClient;

  before(async () => {
    server = await listen(backend);
    const closed = await listen(() => undefined);
    const closedPort = closed.port;
    await closed.close();
    h = await startPortico();
    const { v1 } = h;
    const api = await v1.send(new CreateRestApiCommand({ name: 'execution-logs' }));
    apiId = api.id!;
    const root = api.rootResourceId!;

    for (const path of ['mock', 'quiet']) {
      const at = { restApiId: apiId, resourceId: await resource(v1, apiId, root, path), httpMethod: 'GET' };
      await v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
      await v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
      await v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }));
    }

    const echo = { restApiId: apiId, resourceId: await resource(v1, apiId, root, 'echo'), httpMethod: 'POST' };
    await v1.send(new PutMethodCommand({ ...echo, authorizationType: 'NONE', apiKeyRequired: true }));
    await v1.send(new PutMethodResponseCommand({ ...echo, statusCode: '200' }));
    await v1.send(
      new PutIntegrationCommand({
        ...echo,
        type: 'HTTP',
        integrationHttpMethod: 'POST',
        uri: `http://127.0.0.1:${server.port}/echo`,
        requestTemplates: { 'application/json': ECHO_TEMPLATE },
      }),
    );
    await v1.send(new PutIntegrationResponseCommand({ ...echo, statusCode: '200', responseTemplates: { 'application/json': ECHO_RESPONSE_TEMPLATE } }));

    const proxy = { restApiId: apiId, resourceId: await resource(v1, apiId, root, 'proxy'), httpMethod: 'POST' };
    await v1.send(new PutMethodCommand({ ...proxy, authorizationType: 'NONE' }));
    await v1.send(new PutIntegrationCommand({ ...proxy, type: 'HTTP_PROXY', integrationHttpMethod: 'POST', uri: `http://127.0.0.1:${server.port}/proxy` }));

    const down = { restApiId: apiId, resourceId: await resource(v1, apiId, root, 'down'), httpMethod: 'GET' };
    await v1.send(new PutMethodCommand({ ...down, authorizationType: 'NONE' }));
    await v1.send(new PutMethodResponseCommand({ ...down, statusCode: '200' }));
    await v1.send(new PutIntegrationCommand({ ...down, type: 'HTTP', integrationHttpMethod: 'GET', uri: `http://127.0.0.1:${closedPort}/down` }));
    await v1.send(new PutIntegrationResponseCommand({ ...down, statusCode: '200' }));

    lambda = new LambdaClient({ endpoint: `http://127.0.0.1:${h.portico.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'execution-logs-authorizer',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/lambda-role',
        Handler: 'index.handler',
        Code: { ZipFile: await handlerZip(TOKEN_AUTHORIZER) },
      }),
    );
    const authorizer = await v1.send(
      new CreateAuthorizerCommand({
        restApiId: apiId,
        name: 'token',
        type: 'TOKEN',
        authorizerUri: lambdaUri('execution-logs-authorizer'),
        identitySource: 'method.request.header.X-Token',
        authorizerResultTtlInSeconds: 0,
      }),
    );
    authorizerId = authorizer.id!;
    const guarded = { restApiId: apiId, resourceId: await resource(v1, apiId, root, 'guarded'), httpMethod: 'GET' };
    await v1.send(new PutMethodCommand({ ...guarded, authorizationType: 'CUSTOM', authorizerId }));
    await v1.send(new PutMethodResponseCommand({ ...guarded, statusCode: '200' }));
    await v1.send(new PutIntegrationCommand({ ...guarded, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await v1.send(new PutIntegrationResponseCommand({ ...guarded, statusCode: '200', responseTemplates: { 'application/json': '{"principal":"$context.authorizer.principalId"}' } }));

    await v1.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: STAGE }));
    await h.portico.registry.settled();
    key = await newKey(h, 'execution-logs');
    await newPlan(h, { apiStages: [{ apiId, stage: STAGE }] }, [key.id]);
  });

  after(async () => {
    lambda?.destroy();
    await h?.remove();
    await server?.close();
  });

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> =>
    rawRequest(h.portico.port, { method, path: `/_aws/execute-api/${apiId}/${STAGE}/${path}`, headers, body });

  /** Everything written to the stage's execution log group so far. */
  async function logText(): Promise<string> {
    await h.portico.observability.logs?.flush();
    try {
      return await readFile(logFilePath(join(h.dataDir, 'logs'), executionLogGroup(apiId, STAGE)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /** The lines of one request (its `x-amzn-RequestId`), without the `(id) ` prefix every line has. */
  async function linesOf(res: RawResponse): Promise<string[]> {
    const id = res.headers['x-amzn-requestid'];
    assert.equal(typeof id, 'string');
    const prefix = `(${id as string}) `;
    return (await logText())
      .split('\n')
      .filter((line) => line.includes(prefix))
      .map((line) => line.slice(line.indexOf(prefix) + prefix.length));
  }

  it('INFO writes each step of a request in order, without headers or bodies', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'false' });
    const res = await send('GET', 'mock', { authorization: BEARER });
    assert.equal(res.status, 200);
    const id = res.headers['x-amzn-requestid'] as string;
    assert.deepEqual(await linesOf(res), [
      `Extended Request Id: ${res.headers['x-amz-apigw-id'] as string}`,
      `Verifying Usage Plan for request: ${id}. API Key:  API Stage: ${apiId}/${STAGE}`,
      `API Key  authorized because method 'GET /mock' does not require API Key. Request will not contribute to throttle or quota limits`,
      `Usage Plan check succeeded for API Key  and API Stage ${apiId}/${STAGE}`,
      `Starting execution for request: ${id}`,
      'HTTP Method: GET, Resource Path: /mock',
      'Successfully completed execution',
      'Method completed with status: 200',
    ]);
  });

  it('INFO without data trace logs the endpoint steps of an HTTP integration but not its data', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'false' });
    const res = await send('POST', 'echo', { 'content-type': 'application/json', 'x-api-key': key.value }, '{"name":"Rex"}');
    assert.equal(res.status, 200, res.text);
    const lines = await linesOf(res);
    const uri = `http://127.0.0.1:${server.port}/echo`;
    assert.deepEqual(lines.slice(4), [
      `Starting execution for request: ${res.headers['x-amzn-requestid'] as string}`,
      'HTTP Method: POST, Resource Path: /echo',
      `Endpoint request URI: ${uri}`,
      `Sending request to ${uri}`,
      lines[8]!,
      'Successfully completed execution',
      'Method completed with status: 200',
    ]);
    assert.match(lines[8]!, /^Received response\. Status: 200, Integration latency: \d+ ms$/);
    assert.ok(!lines.some((l) => /headers|body/.test(l)), lines.join('\n'));
  });

  it('INFO with data trace logs the data of each step, credentials masked, long bodies cut', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'true' });
    const res = await send('POST', 'echo', { 'content-type': 'application/json', 'x-api-key': key.value, authorization: BEARER }, '{"name":"Rex"}');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { answer: { wrapped: { name: 'Rex' } } });
    const lines = await linesOf(res);
    const line = (prefix: string): string => {
      const found = lines.find((l) => l.startsWith(prefix));
      assert.ok(found !== undefined, `a line starting "${prefix}" in\n${lines.join('\n')}`);
      return found.slice(prefix.length);
    };
    const maskedKey = maskSecret(key.value);
    assert.match(maskedKey, /^\*+.{4}$/);
    assert.equal(line('API Key '), `${maskedKey} authorized because method 'POST /echo' requires API Key. Request will contribute to throttle and quota limits`);
    assert.equal(line('Method request path: '), '{}');
    assert.equal(line('Method request query string: '), '{}');
    const methodHeaders = line('Method request headers: ');
    assert.ok(methodHeaders.includes(`x-api-key=${maskedKey}`), methodHeaders);
    assert.ok(methodHeaders.includes(`authorization=${maskSecret(BEARER)}`), methodHeaders);
    assert.ok(methodHeaders.includes('content-type=application/json'), methodHeaders);
    assert.equal(line('Method request body before transformations: '), '{"name":"Rex"}');
    assert.match(line('Endpoint request headers: '), /user-agent=AmazonAPIGateway_/);
    assert.equal(line('Endpoint request body after transformations: '), '{"wrapped": {"name":"Rex"}}');
    assert.equal(line('Endpoint response body before transformations: '), '{"got":{"wrapped":{"name":"Rex"}}}');
    assert.equal(line('Method response body after transformations: '), '{"answer": {"wrapped":{"name":"Rex"}}}');
    assert.match(line('Method response headers: '), /content-type=application\/json/);
    const text = await logText();
    assert.ok(!text.includes(key.value), 'the API key never reaches the log');
    assert.ok(!text.includes('very-secret-claims'), 'the Authorization header never reaches the log');

    const long = JSON.stringify({ text: 'y'.repeat(4000) });
    const cut = await send('POST', 'echo', { 'content-type': 'application/json', 'x-api-key': key.value }, long);
    assert.equal(cut.status, 200, cut.text);
    const cutLines = await linesOf(cut);
    assert.ok(cutLines.includes(`Method request body before transformations: ${long.slice(0, MAX_LOGGED_VALUE_CHARS)} [TRUNCATED]`), cutLines.join('\n'));
  });

  it('data trace shows an HTTP_PROXY body captured as it streams through, cookies masked', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'true' });
    const res = await send('POST', 'proxy', { 'content-type': 'text/plain', cookie: 'session=client-cookie-abcdef' }, 'hello backend');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'proxied:hello backend');
    const lines = await linesOf(res);
    assert.ok(lines.includes('Method request body before transformations: hello backend'), lines.join('\n'));
    assert.ok(lines.includes('Endpoint request body after transformations: hello backend'), lines.join('\n'));
    assert.ok(lines.includes('Endpoint response body before transformations: proxied:hello backend'), lines.join('\n'));
    assert.ok(lines.includes('Method response body after transformations: proxied:hello backend'), lines.join('\n'));
    const text = await logText();
    assert.ok(!text.includes('client-cookie-abcdef') && !text.includes('cookie-value-123456'), 'cookies never reach the log');
    assert.ok(lines.some((l) => l.startsWith('Endpoint response headers: ') && l.includes(`set-cookie=${maskSecret('backend-session=cookie-value-123456')}`)), lines.join('\n'));
  });

  it('ERROR writes nothing for a request that succeeded and the error lines of one that failed', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'ERROR', '/*/*/logging/dataTrace': 'false' });
    const ok = await send('GET', 'mock');
    assert.equal(ok.status, 200);
    assert.deepEqual(await linesOf(ok), []);

    const failed = await send('GET', 'down');
    assert.equal(failed.status, 500, failed.text);
    assert.deepEqual(await linesOf(failed), ['Execution failed due to an integration failure', 'Method completed with status: 500']);

    const refused = await send('POST', 'echo', { 'content-type': 'application/json', 'x-api-key': 'an-unknown-api-key-value-0000' }, '{}');
    assert.equal(refused.status, 403);
    assert.deepEqual(await linesOf(refused), [
      `API Key ${maskSecret('an-unknown-api-key-value-0000')} not authorized because method 'POST /echo' requires API Key and API Key is not associated with a Usage Plan for API Stage ${apiId}/${STAGE}: No Usage Plan found for key and API Stage`,
      'Method completed with status: 403',
    ]);
  });

  it('a method setting of its own overrides the stage-wide level', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'false', '/~1quiet/GET/logging/loglevel': 'OFF' });
    const quiet = await send('GET', 'quiet');
    assert.equal(quiet.status, 200);
    const logged = await send('GET', 'mock');
    assert.equal(logged.status, 200);
    assert.deepEqual(await linesOf(quiet), []);
    assert.ok((await linesOf(logged)).includes('Method completed with status: 200'));
  });

  it('a Lambda authorizer logs its steps ahead of the execution, its identity masked', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'INFO', '/*/*/logging/dataTrace': 'true' });
    const res = await send('GET', 'guarded', { 'x-token': ALLOW_TOKEN });
    assert.equal(res.status, 200, res.text);
    const id = res.headers['x-amzn-requestid'] as string;
    const lines = await linesOf(res);
    const endpoint = `https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:execution-logs-authorizer/invocations`;
    const steps = lines.filter((l) => !/^(Endpoint request body|Authorizer result body|Received response)/.test(l)).slice(0, 11);
    assert.deepEqual(steps, [
      `Extended Request Id: ${res.headers['x-amz-apigw-id'] as string}`,
      `Starting authorizer: ${authorizerId} for request: ${id}`,
      `Incoming identity: ${maskSecret(ALLOW_TOKEN)}`,
      `Endpoint request URI: ${endpoint}`,
      `Sending request to ${endpoint}`,
      `Using valid authorizer policy for principal: ${maskSecret('principal-ann-0123456789')}`,
      'Successfully completed authorizer execution',
      `Verifying Usage Plan for request: ${id}. API Key:  API Stage: ${apiId}/${STAGE}`,
      `API Key  authorized because method 'GET /guarded' does not require API Key. Request will not contribute to throttle or quota limits`,
      `Usage Plan check succeeded for API Key  and API Stage ${apiId}/${STAGE}`,
      `Starting execution for request: ${id}`,
    ]);
    const event = lines.find((l) => l.startsWith('Endpoint request body after transformations: '));
    assert.ok(event !== undefined, lines.join('\n'));
    assert.deepEqual(JSON.parse(event.slice('Endpoint request body after transformations: '.length)).authorizationToken, maskSecret(ALLOW_TOKEN));
    assert.ok(lines.some((l) => l.startsWith('Authorizer result body before parsing: {') && l.includes('"principalId":"principal-ann-0123456789"')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('Method request headers: ') && l.includes(`x-token=${maskSecret(ALLOW_TOKEN)}`)), lines.join('\n'));
    assert.ok(!(await logText()).includes(ALLOW_TOKEN), 'the identity token never reaches the log');
  });

  it('ERROR writes the denial of a Lambda authorizer', async () => {
    await setStage(h, apiId, { '/*/*/logging/loglevel': 'ERROR', '/*/*/logging/dataTrace': 'false' });
    const res = await send('GET', 'guarded', { 'x-token': DENY_TOKEN });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(await linesOf(res), ['User is not authorized to access this resource with an explicit deny', 'Method completed with status: 403']);
  });
});
