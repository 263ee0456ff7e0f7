/**
 * apigateway (v1) TestInvokeMethod: one request run through a method as the API is now, not as
 * any stage has it deployed. The current document is compiled exactly as a deployment is
 * (src/gateway/rest/compile.ts), the simulated request is run through the compiled method with
 * an execution log attached, and the answer is what the client would have received plus the
 * log. As on AWS, nothing in front of the method runs: no authorizer, no API key, no throttling.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Writable, type Readable } from 'node:stream';
import type { Deployment, Stage } from '../../model/api.js';
import type { Method, Resource, RestApiDocument } from '../../model/rest-api.js';
import { InvokeError, type FunctionInvoker } from '../../functions/invoker.js';
import { compileRestStage, type CompiledStage } from '../../gateway/rest/compile.js';
import { Invocation } from '../../gateway/invocation.js';
import { ExecutionLog, gatewayFailureReason } from '../../gateway/execution-log.js';
import { GatewayError } from '../../gateway/errors.js';
import { RelayedBody } from '../../gateway/relayed-body.js';
import { MAX_PAYLOAD_BYTES } from '../../gateway/body.js';
import type { GatewayResult } from '../../gateway/result.js';
import type { ManagementContext } from '../operation.js';
import { incomingMessageOf, type SimulatedRequest } from './test-invoke-request.js';

/** `$context.stage` of a test invocation, as AWS names it. */
export const TEST_INVOKE_STAGE = 'test-invoke-stage';
const TEST_INVOKE_EXTENDED_REQUEST_ID = 'test-invoke-extendedRequestId';

export interface TestInvokeMethodOutput {
  status: number;
  body: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  log: string;
  latency: number;
}

/** Stands in for the function runner where a server was started without one. */
const NO_FUNCTIONS: FunctionInvoker = {
  invoke: async () => Promise.reject(new InvokeError('ServiceException', 'This server runs no functions')),
  invalidate: () => undefined,
  close: async () => undefined,
};

/**
 * The one method, compiled as a deployment of the current document would compile it. Only
 * that method is compiled: the others play no part in a test invocation.
 */
function compileMethod(
  ctx: ManagementContext,
  doc: RestApiDocument,
  resource: Resource,
  httpMethod: string,
  method: Method,
  variables: Record<string, string>,
): CompiledStage {
  const only: RestApiDocument = { ...doc, resources: { [resource.id]: { ...resource, resourceMethods: { [httpMethod]: method } } } };
  const now = Date.now();
  const deployment: Deployment<RestApiDocument> = { id: '', apiId: doc.restApi.id, createdDate: now, snapshot: only };
  const stage: Stage = {
    apiId: doc.restApi.id,
    stageName: TEST_INVOKE_STAGE,
    deploymentId: '',
    variables,
    methodSettings: {},
    cacheClusterEnabled: false,
    tracingEnabled: false,
    createdDate: now,
    lastUpdatedDate: now,
    tags: {},
  };
  return compileRestStage(deployment, stage, { account: ctx.account, invoker: ctx.invoker ?? NO_FUNCTIONS });
}

export async function testInvokeMethod(
  ctx: ManagementContext,
  doc: RestApiDocument,
  resource: Resource,
  method: Method,
  sim: SimulatedRequest,
): Promise<TestInvokeMethodOutput> {
  const started = Date.now();
  const requestId = randomUUID();
  const httpMethod = sim.httpMethod;
  const stage = compileMethod(ctx, doc, resource, httpMethod, method, sim.stageVariables);
  // AWS takes any pathWithQueryString; one that does not fit the resource gives no path parameters.
  const fitting = stage.router.match(httpMethod, sim.path);
  const match = fitting ?? stage.router.match(httpMethod, resource.path);
  if (!match) throw new Error(`the method ${httpMethod} ${resource.path} did not compile`);
  const pathParameters = fitting ? fitting.pathParameters : null;

  const req = incomingMessageOf(sim);
  const inv = new Invocation(
    req,
    requestId,
    TEST_INVOKE_EXTENDED_REQUEST_ID,
    { apiId: doc.restApi.id, stageName: TEST_INVOKE_STAGE, path: sim.path, rawQuery: sim.rawQuery, requestPath: sim.path },
    stage,
    match.method,
    resource.path,
    pathParameters,
    0,
  );
  const log = (inv.log = new ExecutionLog(requestId));
  log.start(httpMethod, sim.path);
  log.methodRequest({ pathParameters, query: Object.entries(inv.query.multi), headers: sim.headers, body: sim.body });
  if (!method.methodIntegration) log.fail('Execution failed due to configuration error: No integration defined for method');

  let status: number;
  let body: string;
  let headers: [string, string | string[]][];
  try {
    const result = await match.method.integrate(inv);
    status = result.statusCode;
    body = await bodyText(result);
    headers = outputHeaders(result.headers);
    log.methodResponse(status, headersForLog(headers), body);
  } catch (err) {
    const error = err instanceof GatewayError ? err : unexpected(err);
    const rendered = stage.gatewayResponses.render(error.responseType, error.message, {
      requestId,
      extendedRequestId: TEST_INVOKE_EXTENDED_REQUEST_ID,
      stage: TEST_INVOKE_STAGE,
      resourcePath: resource.path,
      httpMethod,
      apiId: doc.restApi.id,
      stageVariables: sim.stageVariables,
      requestHeaders: req.headers,
      query: inv.query.single,
      pathParameters,
      inv,
      validationErrorString: error.validationErrorString,
    }, error.statusCode);
    log.fail(failureReason(error, req.headers['content-type']));
    log.failedWith(rendered.statusCode);
    status = rendered.statusCode;
    body = rendered.body;
    // A test invocation reports the error type, not the gateway response's default media type.
    headers = Object.entries(rendered.headers).filter(([name]) => name !== 'Content-Type');
  }
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    single[name] = typeof value === 'string' ? value : value.join(',');
    multi[name] = typeof value === 'string' ? [value] : [...value];
  }
  return { status, body, headers: single, multiValueHeaders: multi, log: log.text(), latency: Date.now() - started };
}

function unexpected(err: unknown): GatewayError {
  console.error('portico: a test invocation failed unexpectedly:', err);
  return new GatewayError('DEFAULT_5XX', 'Internal server error', 500);
}

/** Why a run ended in a gateway response, when no pipeline step has said so itself. */
function failureReason(error: GatewayError, contentType: string | undefined): string {
  return gatewayFailureReason(error.responseType, error.validationErrorString, contentType) ?? error.validationErrorString ?? error.message;
}

/** The response headers as TestInvokeMethod reports them: no framing, AWS's Content-Type casing. */
function outputHeaders(headers: GatewayResult['headers']): [string, string | string[]][] {
  const out: [string, string | string[]][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    out.push([lower === 'content-type' ? 'Content-Type' : name, value]);
  }
  return out;
}

/** AWS logs the trace id first among the method response headers. */
function headersForLog(headers: [string, string | string[]][]): [string, string | string[]][] {
  const trace = headers.filter(([name]) => name.toLowerCase() === 'x-amzn-trace-id');
  return [...trace, ...headers.filter(([name]) => name.toLowerCase() !== 'x-amzn-trace-id')];
}

/** The response body as text, read in full (within the payload limit) when it is a stream. */
async function bodyText(result: GatewayResult): Promise<string> {
  const body = result.body;
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) return callback(new GatewayError('INTEGRATION_FAILURE', 'Internal server error', 500));
      chunks.push(chunk);
      callback();
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    sink.once('finish', resolve);
    sink.once('error', reject);
    sink.once('close', () => (sink.writableFinished ? resolve() : reject(new GatewayError('INTEGRATION_FAILURE', 'Internal server error', 502))));
  });
  if (body instanceof RelayedBody) body.attach(sink as unknown as ServerResponse);
  else {
    const stream = body as Readable;
    stream.once('error', (err) => sink.destroy(err));
    stream.pipe(sink);
  }
  await done;
  return Buffer.concat(chunks, Math.min(size, MAX_PAYLOAD_BYTES)).toString('utf8');
}
