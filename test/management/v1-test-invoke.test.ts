/**
 * TestInvokeMethod and TestInvokeAuthorizer through the real AWS SDK against a real Portico:
 * MOCK methods with templates, HTTP and HTTP_PROXY integrations against a real loopback server,
 * Lambda functions (AWS and AWS_PROXY) created through the Lambda API, stage variables, path
 * parameters, that the API runs as it is now rather than as deployed, that authorization is
 * bypassed, AWS's errors, and the execution log's layout against AWS's recording.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TestInvokeAuthorizerCommand,
  TestInvokeMethodCommand,
  type TestInvokeMethodCommandOutput,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';
import { listen, lambdaUri } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const TIMESTAMP = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : /;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The recorded TestInvokeMethod answers (AWS Lambda integration), vendored with their source. */
const RECORDED = JSON.parse(readFileSync(new URL('../../../test/conformance/fixtures/test-invoke/test_invoke_method_execution_log.json', import.meta.url), 'utf8'))
  .entries[0] as { id: string; recorded: Record<string, { log: Record<string, string>; body: unknown; status: number }> };

/** The log's lines with the timestamps masked as the recorder masked them. */
function logLines(log: string): string[] {
  const lines = log.split('\n');
  assert.match(lines[0]!, /^Execution log for request /);
  assert.equal(lines[lines.length - 1], '', 'the log ends with a newline');
  for (const line of lines.slice(1, -1)) assert.match(line, TIMESTAMP, `a line without AWS's timestamp: ${line}`);
  return lines.map((line) => line.replace(TIMESTAMP, 'DDD MMM dd hh:mm:ss UTC yyyy : '));
}

/** What a log line says, without its value: `Method request path`, `Sending request to`, … */
function labelOf(line: string): string {
  const text = line.replace(/^DDD MMM dd hh:mm:ss UTC yyyy : /, '');
  if (text.startsWith('Execution log for request ')) return 'Execution log for request';
  return text.split(/: | https?:\/\//)[0]!;
}

/** A recorded line as a pattern: placeholders match any text, the recording account any account. */
function recordedPattern(line: string): RegExp {
  const source = line
    .split(/(<[^<>\s]+>|111111111111)/)
    .map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : part === '111111111111' ? '\\d{12}' : '.+'))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

describe('apigateway TestInvokeMethod and TestInvokeAuthorizer', () => {
  let h: ManagementHarness;
  let lambda: LambdaClient;
  let backend: Awaited<ReturnType<typeof listen>>;
  /** What the loopback backend saw last. */
  let seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string } | undefined;
  const lastSeen = (): typeof seen => seen;

  async function newApi(): Promise<{ api: string; root: string }> {
    const out = await h.v1.send(new CreateRestApiCommand({ name: 'test-invoke' }));
    return { api: out.id!, root: out.rootResourceId! };
  }

  async function child(api: string, parentId: string, pathPart: string): Promise<string> {
    return (await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId, pathPart }))).id!;
  }

  async function createFunction(name: string, source: string): Promise<void> {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: await handlerZip(source) } }),
    );
  }

  before(async () => {
    h = await startManagement();
    lambda = new LambdaClient({ endpoint: h.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    backend = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'yes' });
        res.end(JSON.stringify({ got: seen.url, body: seen.body }));
      });
    });
  });

  after(async () => {
    lambda?.destroy();
    await backend?.close();
    await h?.close();
  });

  it('runs a MOCK method with its templates, path parameters, query string, headers, body and stage variables', async () => {
    const { api, root } = await newApi();
    const pets = await child(api, root, 'pets');
    const pet = await child(api, pets, '{petId}');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: pet, httpMethod: 'POST', authorizationType: 'NONE' }));
    await h.v1.send(new PutMethodResponseCommand({ restApiId: api, resourceId: pet, httpMethod: 'POST', statusCode: '201' }));
    await h.v1.send(
      new PutIntegrationCommand({
        restApiId: api,
        resourceId: pet,
        httpMethod: 'POST',
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 201}' },
      }),
    );
    await h.v1.send(
      new PutIntegrationResponseCommand({
        restApiId: api,
        resourceId: pet,
        httpMethod: 'POST',
        statusCode: '201',
        responseTemplates: {
          'application/json':
            '{"pet": "$input.params(\'petId\')", "q": "$input.params(\'q\')", "h": "$input.params(\'X-Test\')", "stage": "$context.stage", "v": "$stageVariables.color"}',
        },
      }),
    );
    const out = await h.v1.send(
      new TestInvokeMethodCommand({
        restApiId: api,
        resourceId: pet,
        httpMethod: 'POST',
        pathWithQueryString: '/pets/7?q=one&q=two',
        headers: { 'X-Test': 'abc', 'Content-Type': 'application/json' },
        body: '{"name": "Rex"}',
        stageVariables: { color: 'blue' },
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.status, 201);
    assert.deepEqual(JSON.parse(out.body!), { pet: '7', q: 'two', h: 'abc', stage: 'test-invoke-stage', v: 'blue' });
    assert.deepEqual(out.headers, { 'Content-Type': 'application/json' });
    assert.deepEqual(out.multiValueHeaders, { 'Content-Type': ['application/json'] });
    assert.equal(typeof out.latency, 'number');
    assert.ok(out.latency! >= 0);
    const lines = logLines(out.log!);
    const id = /^Execution log for request (.+)$/.exec(lines[0]!)![1]!;
    assert.match(id, UUID);
    const at = 'DDD MMM dd hh:mm:ss UTC yyyy : ';
    assert.deepEqual(lines, [
      `Execution log for request ${id}`,
      `${at}Starting execution for request: ${id}`,
      `${at}HTTP Method: POST, Resource Path: /pets/7`,
      `${at}Method request path: {petId=7}`,
      `${at}Method request query string: {q=one,two}`,
      `${at}Method request headers: {X-Test=abc, Content-Type=application/json}`,
      `${at}Method request body before transformations: {"name": "Rex"}`,
      `${at}Method response body after transformations: ${out.body}`,
      `${at}Method response headers: {Content-Type=application/json}`,
      `${at}Successfully completed execution`,
      `${at}Method completed with status: 201`,
      '',
    ]);
  });

  it('calls an HTTP backend with the mapped request and logs the endpoint request and response', async () => {
    const { api, root } = await newApi();
    const item = await child(api, root, '{id}');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: item, httpMethod: 'PUT', authorizationType: 'NONE' }));
    await h.v1.send(
      new PutIntegrationCommand({
        restApiId: api,
        resourceId: item,
        httpMethod: 'PUT',
        type: 'HTTP',
        integrationHttpMethod: 'POST',
        // The backend's port comes from a stage variable, the path from the method's path parameter.
        uri: 'http://127.0.0.1:${stageVariables.port}/items/{id}',
        requestParameters: { 'integration.request.path.id': 'method.request.path.id', 'integration.request.header.x-env': 'stageVariables.env' },
        requestTemplates: { 'application/json': '{"wrapped": $input.json(\'$\')}' },
      }),
    );
    await h.v1.send(new PutIntegrationResponseCommand({ restApiId: api, resourceId: item, httpMethod: 'PUT', statusCode: '200', selectionPattern: '' }));
    seen = undefined;
    const out = await h.v1.send(
      new TestInvokeMethodCommand({
        restApiId: api,
        resourceId: item,
        httpMethod: 'PUT',
        pathWithQueryString: '/abc',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
        stageVariables: { port: String(backend.port), env: 'staging' },
      }),
    );
    assert.equal(out.status, 200);
    const got = lastSeen();
    assert.ok(got, 'the backend was called');
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/items/abc');
    assert.equal(got.headers['x-env'], 'staging');
    assert.equal(got.headers['user-agent'], `AmazonAPIGateway_${api}`);
    assert.deepEqual(JSON.parse(got.body), { wrapped: { a: 1 } });
    assert.deepEqual(JSON.parse(out.body!), { got: '/items/abc', body: got.body });
    assert.equal(out.headers!['Content-Type'], 'application/json');
    assert.match(out.headers!['X-Amzn-Trace-Id'] ?? '', /^Root=1-/);

    const lines = logLines(out.log!);
    assert.deepEqual(lines.map(labelOf), [
      'Execution log for request',
      'Starting execution for request',
      'HTTP Method',
      'Method request path',
      'Method request query string',
      'Method request headers',
      'Method request body before transformations',
      'Endpoint request URI',
      'Endpoint request headers',
      'Endpoint request body after transformations',
      'Sending request to',
      'Received response. Status',
      'Endpoint response headers',
      'Endpoint response body before transformations',
      'Method response body after transformations',
      'Method response headers',
      'Successfully completed execution',
      'Method completed with status',
      '',
    ]);
    const uri = `http://127.0.0.1:${backend.port}/items/abc`;
    assert.ok(lines.includes(`DDD MMM dd hh:mm:ss UTC yyyy : Endpoint request URI: ${uri}`));
    assert.ok(lines.includes(`DDD MMM dd hh:mm:ss UTC yyyy : Sending request to ${uri}`));
    assert.ok(lines.includes(`DDD MMM dd hh:mm:ss UTC yyyy : Endpoint request body after transformations: ${got.body}`));
    assert.ok(lines.some((l) => /Received response\. Status: 201, Integration latency: \d+ ms$/.test(l)));
    assert.ok(lines.some((l) => l.includes('Endpoint response headers: {') && l.includes('x-backend=yes')));
    assert.ok(lines.includes(`DDD MMM dd hh:mm:ss UTC yyyy : Endpoint response body before transformations: ${out.body}`));
    assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Method completed with status: 200'));
  });

  it('relays an HTTP_PROXY answer and logs its streamed body once known', async () => {
    const { api, root } = await newApi();
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', authorizationType: 'NONE' }));
    await h.v1.send(
      new PutIntegrationCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', type: 'HTTP_PROXY', integrationHttpMethod: 'POST', uri: `http://127.0.0.1:${backend.port}/proxied` }),
    );
    const out = await h.v1.send(
      new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', pathWithQueryString: '/?x=1', body: 'plain text', headers: { 'content-type': 'text/plain' } }),
    );
    assert.equal(out.status, 201);
    assert.equal(seen?.url, '/proxied?x=1');
    assert.equal(seen?.body, 'plain text');
    assert.equal(out.headers!['x-backend'], 'yes');
    assert.deepEqual(JSON.parse(out.body!), { got: '/proxied?x=1', body: 'plain text' });
    const lines = logLines(out.log!);
    assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Endpoint request body after transformations: plain text'));
    assert.ok(lines.includes(`DDD MMM dd hh:mm:ss UTC yyyy : Endpoint response body before transformations: ${out.body}`));
    assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Method completed with status: 201'));
  });

  it('runs an AWS_PROXY Lambda function with the test-invoke event', async () => {
    await createFunction('ti-proxy', `export const handler = async (event) => ({ statusCode: 202, headers: { 'x-fn': 'yes' }, body: JSON.stringify(event) });`);
    const { api, root } = await newApi();
    const items = await child(api, root, 'items');
    const item = await child(api, items, '{id}');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: item, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: item, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('ti-proxy') }));
    const out = await h.v1.send(
      new TestInvokeMethodCommand({
        restApiId: api,
        resourceId: item,
        httpMethod: 'GET',
        pathWithQueryString: '/items/42?color=red',
        headers: { Accept: 'application/json' },
        stageVariables: { tier: 'gold' },
      }),
    );
    assert.equal(out.status, 202);
    assert.equal(out.headers!['x-fn'], 'yes');
    const event = JSON.parse(out.body!);
    assert.equal(event.resource, '/items/{id}');
    assert.equal(event.path, '/items/42');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.deepEqual(event.queryStringParameters, { color: 'red' });
    assert.deepEqual(event.stageVariables, { tier: 'gold' });
    assert.equal(event.headers.Accept, 'application/json');
    assert.equal(event.requestContext.stage, 'test-invoke-stage');
    assert.equal(event.requestContext.identity.sourceIp, 'test-invoke-source-ip');
    const lines = logLines(out.log!);
    const id = /^Execution log for request (.+)$/.exec(lines[0]!)![1]!;
    assert.equal(event.requestContext.requestId, id, 'the log names the request the function saw');
    assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:ti-proxy/invocations'));
    assert.ok(lines.some((l) => l.startsWith('DDD MMM dd hh:mm:ss UTC yyyy : Endpoint request body after transformations: {"resource":"/items/{id}"')));
    assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Method completed with status: 202'));
  });

  it("logs a proxy function's failure as AWS does and answers 502", async () => {
    await createFunction('ti-thrower', `export const handler = async () => { throw new Error('boom'); };`);
    const { api, root } = await newApi();
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('ti-thrower') }));
    const out = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET' }));
    assert.equal(out.status, 502);
    assert.deepEqual(JSON.parse(out.body!), { message: 'Internal server error' });
    assert.deepEqual(out.headers, { 'x-amzn-ErrorType': 'InternalServerErrorException' });
    const lines = logLines(out.log!);
    assert.ok(lines.some((l) => /: Lambda execution failed with status 200 due to customer function error: boom\. Lambda request id: [0-9a-f-]{36}$/.test(l)));
    assert.equal(lines.at(-2), 'DDD MMM dd hh:mm:ss UTC yyyy : Method completed with status: 502');
  });

  it("reproduces AWS's recorded answer and log layout for an AWS Lambda integration", async () => {
    // The recorded test's function: it answers with the event it was given, inside a proxy-style object.
    await createFunction(
      'ti-recorded',
      'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(`response from localstack lambda: ${JSON.stringify(event)}`), isBase64Encoded: false, headers: {} });',
    );
    const { api, root } = await newApi();
    const foo = await child(api, root, 'foo');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: foo, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: foo, httpMethod: 'GET', type: 'AWS', integrationHttpMethod: 'POST', uri: lambdaUri('ti-recorded') }));
    // The default 200 responses AWS needs to answer a non-proxy integration at all.
    await h.v1.send(new PutMethodResponseCommand({ restApiId: api, resourceId: foo, httpMethod: 'GET', statusCode: '200' }));
    await h.v1.send(new PutIntegrationResponseCommand({ restApiId: api, resourceId: foo, httpMethod: 'GET', statusCode: '200', selectionPattern: '' }));

    const calls: [string, TestInvokeMethodCommandOutput][] = [
      ['test_invoke_method_response', await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: foo, httpMethod: 'GET', pathWithQueryString: '/foo' }))],
      [
        'test_invoke_method_response_with_body',
        await h.v1.send(
          new TestInvokeMethodCommand({
            restApiId: api,
            resourceId: foo,
            httpMethod: 'GET',
            pathWithQueryString: '/foo?queryTest=value',
            body: '{"test": "val123"}',
            headers: { 'content-type': 'application/json' },
          }),
        ),
      ],
    ];
    for (const [key, out] of calls) {
      const recorded = RECORDED.recorded[key]!;
      assert.equal(out.status, recorded.status);
      assert.deepEqual(JSON.parse(out.body!), recorded.body);
      assert.deepEqual(Object.keys(out.headers!).sort(), ['Content-Type', 'X-Amzn-Trace-Id']);
      assert.deepEqual(out.multiValueHeaders!['Content-Type'], ['application/json']);

      const lines = logLines(out.log!);
      const expected = Object.keys(recorded.log)
        .sort()
        .map((k) => recorded.log[k]!);
      assert.deepEqual(lines.map(labelOf), expected.map(labelOf), `${key}: the log's lines, in AWS's order`);
      expected.forEach((line, i) => {
        const label = labelOf(line);
        // AWS signs its call to Lambda and logs its credential headers; Portico signs nothing.
        if (label === 'Endpoint request headers' || label === 'Endpoint response headers') return;
        assert.match(lines[i]!, recordedPattern(line), `${key}: line ${i}`);
      });
      // The payload Lambda answered is reported with the length AWS reported for it.
      const length = /Content-Length=(\d+)/.exec(expected.find((l) => labelOf(l) === 'Endpoint response headers')!)![1];
      assert.ok(lines.some((l) => labelOf(l) === 'Endpoint response headers' && l.includes(`Content-Length=${length}`)), `${key}: Content-Length=${length}`);
    }
  });

  it('runs the API as it is now, not as a stage has it deployed', async () => {
    const { api, root } = await newApi();
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    const mock = (text: string) =>
      h.v1.send(new PutIntegrationResponseCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': text } }));
    await mock('deployed');
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'live' }));
    await mock('current');
    const out = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET' }));
    assert.equal(out.body, 'current');
    const served = await fetch(`${h.endpoint}/_aws/execute-api/${api}/live/`);
    assert.equal(await served.text(), 'deployed');
  });

  it('logs a request the validator let through, after the method request and before the endpoint request', async () => {
    const { api, root } = await newApi();
    const validator = await h.v1.send(new CreateRequestValidatorCommand({ restApiId: api, name: 'body', validateRequestBody: true }));
    await h.v1.send(
      new CreateModelCommand({ restApiId: api, name: 'Pet', contentType: 'application/json', schema: JSON.stringify({ type: 'object', required: ['name'] }) }),
    );
    await h.v1.send(
      new PutMethodCommand({
        restApiId: api,
        resourceId: root,
        httpMethod: 'POST',
        authorizationType: 'NONE',
        requestValidatorId: validator.id,
        requestModels: { 'application/json': 'Pet' },
      }),
    );
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutIntegrationResponseCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{}' } }));
    const ok = await h.v1.send(
      new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', body: '{"name":"rex"}', headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
    );
    assert.equal(ok.status, 200);
    const lines = ok.log!.split('\n').map((line) => line.replace(TIMESTAMP, ''));
    const at = lines.indexOf('Request validation succeeded for content type application/json');
    assert.ok(at > lines.findIndex((line) => line.startsWith('Method request body before transformations:')), ok.log);
    assert.ok(at < lines.findIndex((line) => line.startsWith('Method response body after transformations:')), ok.log);
    const refused = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }));
    assert.equal(refused.status, 400);
    assert.ok(!refused.log!.includes('Request validation succeeded'), refused.log);
  });

  it('bypasses authorizers and API keys', async () => {
    await createFunction('ti-deny', `export const handler = async () => { throw new Error('Unauthorized'); };`);
    const { api, root } = await newApi();
    const authorizer = await h.v1.send(
      new CreateAuthorizerCommand({ restApiId: api, name: 'deny', type: 'TOKEN', authorizerUri: lambdaUri('ti-deny'), identitySource: 'method.request.header.Authorization' }),
    );
    await h.v1.send(
      new PutMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: authorizer.id, apiKeyRequired: true }),
    );
    await h.v1.send(new PutIntegrationCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutIntegrationResponseCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': 'let in' } }));
    const out = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET' }));
    assert.equal(out.status, 200);
    assert.equal(out.body, 'let in');
  });

  it('answers a failed integration with its gateway response and the reason in the log', async () => {
    const { api, root } = await newApi();
    const nowhere = await child(api, root, 'nowhere');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: nowhere, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(
      new PutIntegrationCommand({ restApiId: api, resourceId: nowhere, httpMethod: 'GET', type: 'HTTP', integrationHttpMethod: 'GET', uri: 'http://portico-test-host.invalid/' }),
    );
    const out = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: nowhere, httpMethod: 'GET' }));
    assert.equal(out.status, 500);
    assert.deepEqual(JSON.parse(out.body!), { message: 'Internal server error' });
    assert.deepEqual(out.headers, { 'x-amzn-ErrorType': 'InternalServerErrorException' });
    assert.deepEqual(logLines(out.log!).slice(-3), [
      'DDD MMM dd hh:mm:ss UTC yyyy : Execution failed due to configuration error: Invalid endpoint address',
      'DDD MMM dd hh:mm:ss UTC yyyy : Method completed with status: 500',
      '',
    ]);

    // A method without an integration cannot run.
    const bare = await child(api, root, 'bare');
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: bare, httpMethod: 'GET', authorizationType: 'NONE' }));
    const noIntegration = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: bare, httpMethod: 'GET' }));
    assert.equal(noIntegration.status, 500);
    assert.ok(logLines(noIntegration.log!).includes('DDD MMM dd hh:mm:ss UTC yyyy : Execution failed due to configuration error: No integration defined for method'));
  });

  it("answers AWS's NotFoundException for an unknown API, resource or method, and refuses malformed input", async () => {
    const { api, root } = await newApi();
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
    await rejectsWith(h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'DELETE' })), 'NotFoundException', 'Invalid Method identifier specified');
    await rejectsWith(h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: 'nope', httpMethod: 'GET' })), 'NotFoundException', 'Invalid Resource identifier specified');
    await rejectsWith(h.v1.send(new TestInvokeMethodCommand({ restApiId: 'nope', resourceId: root, httpMethod: 'GET' })), 'NotFoundException', 'Invalid Resource identifier specified');
    await rejectsWith(
      h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', headers: { a: 1 as unknown as string } })),
      'BadRequestException',
    );
    await rejectsWith(
      h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: root, httpMethod: 'GET', multiValueHeaders: { a: 'x' as unknown as string[] } })),
      'BadRequestException',
    );
  });

  describe('TestInvokeAuthorizer', () => {
    const policyFor = (effect: string) =>
      `export const handler = async (event) => {
        if (event.type === 'TOKEN' && event.authorizationToken === 'deny-me') throw new Error('Unauthorized');
        if (event.type === 'TOKEN' && event.authorizationToken === 'crash') throw new Error('broken');
        return { principalId: 'user-' + (event.authorizationToken ?? event.headers.Auth), policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: '${effect}', Resource: event.methodArn }] }, context: { seen: JSON.stringify(event) } };
      };`;

    it('calls a TOKEN authorizer with the token and answers its principal and policy', async () => {
      await createFunction('ti-auth-token', policyFor('Allow'));
      const { api } = await newApi();
      const authorizer = await h.v1.send(
        new CreateAuthorizerCommand({ restApiId: api, name: 'token', type: 'TOKEN', authorizerUri: lambdaUri('ti-auth-token'), identitySource: 'method.request.header.Authorization' }),
      );
      const out = await h.v1.send(
        new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Authorization: 'secret-token-1234' }, pathWithQueryString: '/pets' }),
      );
      assert.equal(out.clientStatus, 200);
      assert.equal(out.principalId, 'user-secret-token-1234');
      const policy = JSON.parse(out.policy!);
      assert.equal(policy.Statement[0].Effect, 'Allow');
      assert.equal(policy.Statement[0].Resource, `arn:aws:execute-api:us-east-1:000000000000:${api}/ESTestInvoke-stage/GET/pets`);
      assert.equal(typeof out.latency, 'number');
      const lines = logLines(out.log!);
      assert.ok(lines.some((l) => l.includes(`Starting authorizer: ${authorizer.id} for request: `)));
      // The identity is masked in the log.
      assert.ok(lines.some((l) => l.endsWith('Incoming identity: *************1234')));
      assert.ok(lines.includes('DDD MMM dd hh:mm:ss UTC yyyy : Successfully completed authorizer execution'));

      // No token: 401 without calling the function; a refusal from the function: 401; a crash: 500.
      const missing = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id }));
      assert.equal(missing.clientStatus, 401);
      assert.ok(!missing.log!.includes('Endpoint request'));
      const denied = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Authorization: 'deny-me' } }));
      assert.equal(denied.clientStatus, 401);
      assert.equal(denied.principalId, undefined);
      const crashed = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Authorization: 'crash' } }));
      assert.equal(crashed.clientStatus, 500);
    });

    it('checks the identity validation expression before calling the function', async () => {
      await createFunction('ti-auth-expr', policyFor('Allow'));
      const { api } = await newApi();
      const authorizer = await h.v1.send(
        new CreateAuthorizerCommand({
          restApiId: api,
          name: 'expr',
          type: 'TOKEN',
          authorizerUri: lambdaUri('ti-auth-expr'),
          identitySource: 'method.request.header.Authorization',
          identityValidationExpression: 'Bearer [a-z]+',
        }),
      );
      const bad = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Authorization: 'Basic abc' } }));
      assert.equal(bad.clientStatus, 401);
      const good = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Authorization: 'Bearer abc' } }));
      assert.equal(good.clientStatus, 200);
    });

    it('calls a REQUEST authorizer with the request event', async () => {
      await createFunction('ti-auth-request', policyFor('Deny'));
      const { api } = await newApi();
      const authorizer = await h.v1.send(
        new CreateAuthorizerCommand({
          restApiId: api,
          name: 'request',
          type: 'REQUEST',
          authorizerUri: lambdaUri('ti-auth-request'),
          identitySource: 'method.request.header.Auth, method.request.querystring.team, stageVariables.zone',
        }),
      );
      const out = await h.v1.send(
        new TestInvokeAuthorizerCommand({
          restApiId: api,
          authorizerId: authorizer.id,
          headers: { Auth: 'abc' },
          pathWithQueryString: '/things?team=blue',
          stageVariables: { zone: 'eu' },
        }),
      );
      assert.equal(out.clientStatus, 200);
      assert.equal(out.principalId, 'user-abc');
      assert.equal(JSON.parse(out.policy!).Statement[0].Effect, 'Deny');
      const body = /Endpoint request body after transformations: (.*)$/m.exec(out.log!)![1]!;
      const event = JSON.parse(body);
      assert.equal(event.type, 'REQUEST');
      assert.equal(event.methodArn, `arn:aws:execute-api:us-east-1:000000000000:${api}/ESTestInvoke-stage/GET/things`);
      assert.deepEqual(event.headers, { Auth: 'abc' });
      assert.deepEqual(event.queryStringParameters, { team: 'blue' });
      assert.deepEqual(event.stageVariables, { zone: 'eu' });
      // A missing identity source refuses the request before the function runs.
      const missing = await h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: authorizer.id, headers: { Auth: 'abc' } }));
      assert.equal(missing.clientStatus, 401);
    });

    it('refuses unknown and Cognito authorizers', async () => {
      const { api } = await newApi();
      await rejectsWith(h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: 'nope' })), 'NotFoundException', 'Invalid Authorizer identifier specified');
      await rejectsWith(
        h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: 'nope', authorizerId: 'nope' })),
        'NotFoundException',
        'Invalid API identifier specified 000000000000:nope',
      );
      const cognito = await h.v1.send(
        new CreateAuthorizerCommand({
          restApiId: api,
          name: 'pool',
          type: 'COGNITO_USER_POOLS',
          providerARNs: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc'],
          identitySource: 'method.request.header.Authorization',
        }),
      );
      await rejectsWith(h.v1.send(new TestInvokeAuthorizerCommand({ restApiId: api, authorizerId: cognito.id, headers: { Authorization: 'x' } })), 'BadRequestException', /Cognito/);
    });
  });
});
