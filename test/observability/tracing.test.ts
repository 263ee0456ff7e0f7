/**
 * Tracing end to end: a real Portico exporting to a real OTLP/HTTP receiver (a node:http server
 * decoding the JSON it is sent), a REST API built with the AWS SDK whose `dev` stage has
 * tracingEnabled (UpdateStage `/tracingEnabled`) and whose `plain` stage has not, in front of a
 * loopback HTTP backend and Node functions created through the Lambda API. Each downstream
 * records the `X-Amzn-Trace-Id` it was given, and the tests check it against the exported spans.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Portico } from '../../src/portico.js';
import { Tracing } from '../../src/observability/tracing.js';
import { SamplingRulesError } from '../../src/observability/sampling-rules.js';
import { lambdaUri, listen, rawRequest, tempDir, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const CALLER_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER_PARENT = '53995c3f42cd8ad8';
const ROOT = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;

/** Answers what it was told: its own trace header, and what the authorizer saw in its. */
const ECHO = `export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ trace: process.env._X_AMZN_TRACE_ID ?? null, authorizerSaw: event.requestContext.authorizer?.saw ?? null }),
});`;

/** Lets everyone in, passing on the trace header it was invoked with. */
const AUTHORIZER = `export const handler = async (event) => ({
  principalId: 'ann',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
  context: { saw: process.env._X_AMZN_TRACE_ID ?? '' },
});`;

const CRASH = `export const handler = async () => { throw new Error('database unavailable'); };`;

/** X-Ray rules: /quiet is never sampled; everything else always is. */
const SAMPLING_RULES = {
  SamplingRules: [
    { RuleName: 'quiet', Priority: 1, ReservoirSize: 0, FixedRate: 0, ServiceName: 'traced/dev', HTTPMethod: 'GET', URLPath: '/dev/quiet' },
    { RuleName: 'Default', Priority: 10000, ReservoirSize: 0, FixedRate: 1 },
  ],
};

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

/** OTLP's SpanKind and StatusCode numbers. */
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };
const STATUS_ERROR = 2;

function attributeValue(value: Record<string, unknown>): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  return value;
}

const attrs = (span: ExportedSpan): Record<string, unknown> => Object.fromEntries(span.attributes.map((a) => [a.key, attributeValue(a.value)]));

/** A collector: every span POSTed to /v1/traces, with its resource's attributes. */
async function otlpReceiver() {
  const spans: ExportedSpan[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const rs of body.resourceSpans ?? []) {
        const resource = Object.fromEntries((rs.resource?.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, attributeValue(a.value)]));
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ ...span, resource });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { ...server, spans, endpoint: `http://127.0.0.1:${server.port}` };
}

describe('tracing (tracingEnabled stages, OTLP export, X-Amzn-Trace-Id propagation)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let backend: Awaited<ReturnType<typeof listen>>;
  /** The trace header each backend request carried, by path. */
  const backendSaw: { path: string; trace: string | undefined }[] = [];
  let portico: Portico;
  let v1: APIGatewayClient;
  let lambda: LambdaClient;
  let api: string;

  const call = (stage: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    rawRequest(portico.port, { path: `/_aws/execute-api/${api}/${stage}/${path}`, headers });
  const flush = (): Promise<void> => portico.observability.tracing!.forceFlush();
  const spansOf = (traceId: string): ExportedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);
  const lastBackendTrace = (path: string): string => {
    const seen = backendSaw.filter((s) => s.path === `/${path}`).at(-1);
    assert.ok(seen?.trace !== undefined, `the backend saw a trace header on /${path}`);
    return seen.trace;
  };
  /** Root (as an OpenTelemetry trace id), Parent and Sampled of a downstream header. */
  const parts = (header: string): { root: string; traceId: string; parent: string; sampled: string } => {
    const m = ROOT.exec(header);
    assert.ok(m, `a Root;Parent;Sampled header: ${header}`);
    return { root: m[1]!, traceId: m[1]!.slice(2, 10) + m[1]!.slice(11), parent: m[2]!, sampled: m[3]! };
  };

  before(async () => {
    dir = await tempDir('portico-tracing-');
    receiver = await otlpReceiver();
    backend = await listen((req, res) => {
      const trace = req.headers['x-amzn-trace-id'];
      backendSaw.push({ path: req.url ?? '', trace: Array.isArray(trace) ? trace.join(',') : trace });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    portico = await Portico.start({ port: 0, dataDir: dir.path, logs: 'off', otlpEndpoint: receiver.endpoint, samplingRules: SAMPLING_RULES });
    const config = { endpoint: `http://127.0.0.1:${portico.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
    v1 = new APIGatewayClient(config);
    lambda = new LambdaClient(config);
    for (const [name, source] of [['tr-echo', ECHO], ['tr-authorizer', AUTHORIZER], ['tr-crash', CRASH]] as const) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: await handlerZip(source) } }));
    }

    const rest = await v1.send(new CreateRestApiCommand({ name: 'traced' }));
    api = rest.id!;
    const authorizerId = (
      await v1.send(
        new CreateAuthorizerCommand({
          restApiId: api,
          name: 'token',
          type: 'TOKEN',
          authorizerUri: lambdaUri('tr-authorizer'),
          identitySource: 'method.request.header.Authorization',
          authorizerResultTtlInSeconds: 0,
        }),
      )
    ).id!;
    const method = async (path: string, integration: { http?: true; fn?: string; mock?: true }, authorized = false): Promise<void> => {
      const resource = await v1.send(new CreateResourceCommand({ restApiId: api, parentId: rest.rootResourceId, pathPart: path }));
      const at = { restApiId: api, resourceId: resource.id, httpMethod: 'GET' };
      await v1.send(new PutMethodCommand({ ...at, authorizationType: authorized ? 'CUSTOM' : 'NONE', authorizerId: authorized ? authorizerId : undefined }));
      if (integration.http) {
        await v1.send(new PutIntegrationCommand({ ...at, type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/${path}` }));
      } else if (integration.fn) {
        await v1.send(new PutIntegrationCommand({ ...at, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(integration.fn) }));
      }
    };
    await method('http', { http: true });
    await method('quiet', { http: true });
    await method('fn', { fn: 'tr-echo' });
    await method('guarded', { fn: 'tr-echo' }, true);
    await method('crash', { fn: 'tr-crash' });
    await v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'dev' }));
    await v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'plain' }));
    await v1.send(new UpdateStageCommand({ restApiId: api, stageName: 'dev', patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'true' }] }));
    await portico.registry.settled();
  });

  after(async () => {
    v1?.destroy();
    lambda?.destroy();
    await portico?.close();
    await backend?.close();
    await receiver?.close();
    await dir?.remove();
  });

  it("continues the caller's trace: a server span under the caller's Parent, the integration as its child, whose id the backend gets as Parent", async () => {
    const res = await call('dev', 'http', { 'X-Amzn-Trace-Id': `Root=${CALLER_ROOT};Parent=${CALLER_PARENT};Sampled=1` });
    assert.equal(res.status, 200, res.text);
    const seen = parts(lastBackendTrace('http'));
    assert.equal(seen.root, CALLER_ROOT);
    assert.equal(seen.sampled, '1');
    assert.notEqual(seen.parent, CALLER_PARENT, 'the backend is told our span, not the caller');

    await flush();
    const spans = spansOf('5759e988bd862e3fe1be46a994272793');
    assert.deepEqual(spans.map((s) => s.name).sort(), ['Integration', 'traced/dev']);
    const request = spans.find((s) => s.name === 'traced/dev')!;
    const integration = spans.find((s) => s.name === 'Integration')!;
    assert.equal(request.kind, KIND.SERVER);
    assert.equal(request.parentSpanId, CALLER_PARENT);
    assert.equal(integration.kind, KIND.CLIENT);
    assert.equal(integration.parentSpanId, request.spanId);
    assert.equal(integration.spanId, seen.parent);
    assert.equal(attrs(integration)['http.response.status_code'], 200);
    assert.equal(attrs(integration)['aws.api_gateway.integration.type'], 'HTTP_PROXY');
    assert.ok(BigInt(request.startTimeUnixNano) <= BigInt(integration.startTimeUnixNano), 'the integration starts within the request');
    assert.ok(BigInt(integration.endTimeUnixNano) <= BigInt(request.endTimeUnixNano), 'the integration ends within the request');

    const a = attrs(request);
    assert.equal(a['http.request.method'], 'GET');
    assert.equal(a['http.route'], '/http');
    assert.equal(a['url.path'], '/dev/http');
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['aws.api_gateway.api_id'], api);
    assert.equal(a['aws.api_gateway.stage'], 'dev');
    assert.equal(a['aws.api_gateway.request_id'], res.headers['x-amzn-requestid']);
    assert.equal(a['aws.xray.trace_id'], CALLER_ROOT);
    assert.equal(a['cloud.resource_id'], `arn:aws:apigateway:us-east-1::/restapis/${api}/stages/dev`);
    assert.equal(a['aws.xray.sampling_rule_name'], undefined, "the caller's decision, not a rule");
    assert.equal(request.status?.code ?? 0, 0);
    assert.equal(request.resource['service.name'], 'portico');
  });

  it('without a header, starts a trace the rules sample; the function reads it in _X_AMZN_TRACE_ID with its integration span as Parent', async () => {
    const sentAt = Math.floor(Date.now() / 1000);
    const res = await call('dev', 'fn');
    const answeredAt = Math.floor(Date.now() / 1000);
    assert.equal(res.status, 200, res.text);
    const seen = parts(res.json().trace);
    assert.equal(seen.sampled, '1');
    const second = Number.parseInt(seen.root.slice(2, 10), 16);
    assert.ok(second >= sentAt && second <= answeredAt, `the root starts with the request's second: ${seen.root}`);

    await flush();
    const spans = spansOf(seen.traceId);
    const request = spans.find((s) => s.name === 'traced/dev');
    const integration = spans.find((s) => s.name === 'Integration');
    assert.ok(request && integration, `spans: ${spans.map((s) => s.name)}`);
    assert.equal(request.parentSpanId || undefined, undefined, 'a new trace has no parent');
    assert.equal(integration.parentSpanId, request.spanId);
    assert.equal(integration.spanId, seen.parent);
    assert.equal(attrs(request)['aws.xray.sampling_rule_name'], 'Default');
    assert.equal(attrs(request)['aws.xray.trace_id'], seen.root);
  });

  it('records the authorizer as a child span: the authorizer function sees its span as Parent, the integration function its own', async () => {
    const res = await call('dev', 'guarded', { Authorization: 'token', 'X-Amzn-Trace-Id': `Root=${'1-5759e988-00000000000000000000a0a0'};Sampled=1` });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    const fn = parts(body.trace);
    const authorizer = parts(body.authorizerSaw);
    assert.equal(fn.root, '1-5759e988-00000000000000000000a0a0');
    assert.equal(authorizer.root, fn.root);
    assert.equal(authorizer.sampled, '1');
    assert.notEqual(authorizer.parent, fn.parent);

    await flush();
    const spans = spansOf('5759e98800000000000000000000a0a0');
    assert.deepEqual(spans.map((s) => s.name).sort(), ['Authorizer', 'Integration', 'traced/dev']);
    const request = spans.find((s) => s.name === 'traced/dev')!;
    const authorizerSpan = spans.find((s) => s.name === 'Authorizer')!;
    const integration = spans.find((s) => s.name === 'Integration')!;
    assert.equal(request.parentSpanId || undefined, undefined, 'the caller named no Parent');
    assert.equal(authorizerSpan.parentSpanId, request.spanId);
    assert.equal(authorizerSpan.spanId, authorizer.parent);
    assert.equal(attrs(authorizerSpan)['aws.api_gateway.authorizer.status'], 200);
    assert.equal(integration.parentSpanId, request.spanId);
    assert.equal(integration.spanId, fn.parent);
    assert.equal(attrs(integration)['aws.api_gateway.integration.type'], 'AWS_PROXY');
    assert.ok(BigInt(authorizerSpan.endTimeUnixNano) <= BigInt(integration.startTimeUnixNano), 'the authorizer runs before the integration');
  });

  it("records nothing for requests not sampled (the caller's Sampled=0, or the rules), and passes Sampled=0 on", async () => {
    const unsampledRoot = '1-5759e988-0000000000000000000b0b0b';
    await call('dev', 'http', { 'X-Amzn-Trace-Id': `Root=${unsampledRoot};Parent=${CALLER_PARENT};Sampled=0;Lineage=a87bd80c:1` });
    const byCaller = lastBackendTrace('http');
    const callerParts = parts(byCaller.replace(/;Lineage=.*$/, ''));
    assert.equal(callerParts.root, unsampledRoot);
    assert.equal(callerParts.sampled, '0');
    assert.match(byCaller, /;Lineage=a87bd80c:1$/, 'extra fields are passed on');

    await call('dev', 'quiet');
    const byRule = parts(lastBackendTrace('quiet'));
    assert.equal(byRule.sampled, '0');

    // A sampled request after them: once its spans are in, theirs would be too.
    const marker = '1-5759e988-0000000000000000000c0c0c';
    await call('dev', 'http', { 'X-Amzn-Trace-Id': `Root=${marker};Sampled=1` });
    await flush();
    assert.equal(spansOf('5759e9880000000000000000000c0c0c').length, 2);
    assert.deepEqual(spansOf('5759e9880000000000000000000b0b0b'), []);
    assert.deepEqual(spansOf(byRule.traceId), []);
  });

  it('starts a new trace when the Root is malformed', async () => {
    await call('dev', 'http', { 'X-Amzn-Trace-Id': `Root=1-5759e988-nothex;Parent=${CALLER_PARENT};Sampled=1` });
    const seen = parts(lastBackendTrace('http'));
    assert.notEqual(seen.root, '1-5759e988-nothex');
    await flush();
    const request = spansOf(seen.traceId).find((s) => s.name === 'traced/dev');
    assert.ok(request, 'the new trace is recorded (the rules sample it)');
    assert.equal(request.parentSpanId || undefined, undefined, "the malformed header's Parent is not ours");
  });

  it('marks the request and integration spans as errors when the function fails', async () => {
    const root = '1-5759e988-0000000000000000000d0d0d';
    const res = await call('dev', 'crash', { 'X-Amzn-Trace-Id': `Root=${root};Sampled=1` });
    assert.equal(res.status, 502, res.text);
    await flush();
    const spans = spansOf('5759e9880000000000000000000d0d0d');
    const request = spans.find((s) => s.name === 'traced/dev')!;
    const integration = spans.find((s) => s.name === 'Integration')!;
    assert.ok(request && integration, `spans: ${spans.map((s) => s.name)}`);
    assert.equal(request.status?.code, STATUS_ERROR);
    assert.equal(request.status?.message, 'Internal server error');
    assert.equal(attrs(request)['http.response.status_code'], 502);
    assert.equal(attrs(request)['error.type'], 'INTEGRATION_FAILURE');
    assert.equal(integration.status?.code, STATUS_ERROR);
    assert.equal(attrs(integration)['error.type'], 'INTEGRATION_FAILURE');
  });

  it("a stage without tracingEnabled records nothing and passes the caller's header on as received", async () => {
    const header = `Root=1-5759e988-0000000000000000000e0e0e;Parent=${CALLER_PARENT};Sampled=1`;
    await call('plain', 'http', { 'X-Amzn-Trace-Id': header });
    assert.equal(lastBackendTrace('http'), header);
    const fn = await call('plain', 'fn');
    assert.match(fn.json().trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/, 'a root is still generated for the function');

    const marker = '1-5759e988-0000000000000000000f0f0f';
    await call('dev', 'http', { 'X-Amzn-Trace-Id': `Root=${marker};Sampled=1` });
    await flush();
    assert.equal(spansOf('5759e9880000000000000000000f0f0f').length, 2);
    assert.deepEqual(spansOf('5759e9880000000000000000000e0e0e'), []);
    assert.deepEqual(
      receiver.spans.filter((s) => attrs(s)['aws.api_gateway.stage'] === 'plain'),
      [],
    );
  });
});

describe('tracing lifecycle', () => {
  it('close() exports the spans still buffered', async () => {
    const dir = await tempDir('portico-tracing-close-');
    const receiver = await otlpReceiver();
    // Nothing flushes before close: it is what sends the span (or the batch timer did already).
    const portico = await Portico.start({ port: 0, dataDir: dir.path, logs: 'off', otlpEndpoint: receiver.endpoint });
    const v1 = new APIGatewayClient({ endpoint: `http://127.0.0.1:${portico.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      const rest = await v1.send(new CreateRestApiCommand({ name: 'closing' }));
      const at = { restApiId: rest.id, resourceId: rest.rootResourceId, httpMethod: 'GET' };
      await v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
      await v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
      await v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }));
      await v1.send(new CreateDeploymentCommand({ restApiId: rest.id, stageName: 'live', tracingEnabled: true }));
      await portico.registry.settled();
      const res = await rawRequest(portico.port, { path: `/_aws/execute-api/${rest.id}/live/`, headers: { 'X-Amzn-Trace-Id': 'Root=1-5759e988-000000000000000000001111;Sampled=1' } });
      assert.equal(res.status, 200, res.text);
    } finally {
      v1.destroy();
      await portico.close();
    }
    try {
      const spans = receiver.spans.filter((s) => s.traceId === '5759e988000000000000000000001111');
      assert.deepEqual(spans.map((s) => s.name).sort(), ['Integration', 'closing/live']);
    } finally {
      await receiver.close();
      await dir.remove();
    }
  });

  it('close() never rejects when the collector is unreachable', async () => {
    const receiver = await otlpReceiver();
    const endpoint = receiver.endpoint;
    await receiver.close();
    const tracing = new Tracing({ otlpEndpoint: endpoint });
    await tracing.forceFlush();
    await tracing.close();
    await tracing.close();
  });

  it('refuses malformed sampling rules and endpoints when it starts', () => {
    assert.throws(
      () => new Tracing({ otlpEndpoint: 'http://127.0.0.1:4318', samplingRules: { SamplingRules: [{ RuleName: 'x', Priority: 1, ReservoirSize: 1, FixedRate: 50 }] } }),
      (err: unknown) => err instanceof SamplingRulesError && /RuleName "x"\): FixedRate must be a number from 0 to 1/.test(err.message),
    );
    assert.throws(() => new Tracing({ otlpEndpoint: 'localhost:4318' }), /OTLP endpoint "localhost:4318" must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => new Tracing({ otlpEndpoint: 'not a url' }), /OTLP endpoint "not a url" is not a URL/);
  });
});
