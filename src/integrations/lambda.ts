/**
 * Lambda integrations: AWS_PROXY (the payload 1.0 event in, AWS's proxy response rules out)
 * and AWS with a Lambda URI (the body in, integration responses selected by errorMessage out).
 * The function is named by the integration URI, resolved once per deployment.
 */
import { randomUUID } from 'node:crypto';
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { substituteStageVariables } from './parameters.js';
import { IntegrationResponses } from './integration-responses.js';
import { RequestTemplates } from './request-mapping.js';
import { MappingScope } from './mapping-scope.js';
import { convertRequestBody } from '../gateway/content-handling.js';
import { InvokeError, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import type { Invocation } from '../gateway/invocation.js';
import { buildProxyEventV1 } from '../gateway/rest/proxy-event.js';
import { proxyResultToResponse } from '../gateway/rest/proxy-response.js';
import { GatewayError, apiConfigurationError, integrationFailure, integrationTimeout } from '../gateway/errors.js';
import { inMemoryBody, type ExecutionLog } from '../gateway/execution-log.js';
import type { AccountSettings } from '../model/settings.js';

const LAMBDA_URI = /^arn:aws[a-z-]*:apigateway:[^:]*:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/** The function name in a Lambda integration URI (a full function ARN or a bare name). */
export function functionNameFromUri(uri: string): string | undefined {
  const match = LAMBDA_URI.exec(uri);
  if (!match) return undefined;
  const target = match[1]!;
  const arn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:/]+)(?::[^:/]+)?$/.exec(target);
  if (arn) return arn[1];
  return /^[A-Za-z0-9_-]+$/.test(target) ? target : undefined;
}

function invokeWithin(
  invoker: FunctionInvoker,
  functionName: string,
  event: unknown,
  inv: Invocation,
  timeoutMs: number,
  requestId: string = randomUUID(),
): Promise<InvokeResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(integrationTimeout()), timeoutMs);
    invoker.invoke(functionName, event, { requestId, traceId: inv.traceId }).then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(toGatewayError(err));
      },
    );
  });
}

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof InvokeError && err.code === 'ResourceNotFoundException') return apiConfigurationError();
  return integrationFailure(500);
}

export function compileLambdaProxy(ctx: IntegrationCompileContext): IntegrationHandler {
  const functionName = functionNameFromUri(substituteStageVariables(ctx.integration.uri ?? '', ctx.stageVariables));
  if (!functionName) return async () => Promise.reject(apiConfigurationError());
  // Lambda is only ever invoked with POST; AWS fails every call of a misconfigured method.
  const method = (ctx.integration.httpMethod ?? 'POST').toUpperCase();
  if (method !== 'POST') return async () => Promise.reject(integrationFailure(500));
  if (refusesHeaderMappings(ctx)) return async () => Promise.reject(apiConfigurationError());
  const { invoker } = ctx;
  const timeoutMs = ctx.integration.timeoutInMillis;
  const endpoint = lambdaEndpoint(ctx.integration.uri ?? '', ctx.stageVariables, ctx.account);

  return async (inv) => {
    const body = await inv.body();
    if (inv.log) inv.log.requestBody(body);
    const event = buildProxyEventV1(inv, body);
    const result = inv.log
      ? await invokeLogged(inv.log, endpoint, invoker, functionName, event, inv.log.dataTrace ? JSON.stringify(event) : '', inv, timeoutMs, true)
      : await invokeWithin(invoker, functionName, event, inv, timeoutMs);
    if (result.functionError) throw integrationFailure(502);
    const accept = inv.req.headers.accept;
    let response;
    try {
      response = proxyResultToResponse(result.payload, {
        isBinary: (contentType) => inv.stage.isBinaryMediaType(accept) || inv.stage.isBinaryMediaType(contentType),
      });
    } catch (err) {
      inv.log?.fail('Execution failed due to configuration error: Malformed Lambda proxy response');
      throw err;
    }
    if (!Object.keys(response.headers).some((name) => name.toLowerCase() === 'x-amzn-trace-id')) response.headers['X-Amzn-Trace-Id'] = inv.responseTraceId;
    if (inv.log) inv.log.methodResult(response.statusCode, response.headers, inMemoryBody(response.body));
    return response;
  };
}

export function compileLambdaAws(ctx: IntegrationCompileContext): IntegrationHandler {
  const functionName = functionNameFromUri(substituteStageVariables(ctx.integration.uri ?? '', ctx.stageVariables));
  if (!functionName) return async () => Promise.reject(apiConfigurationError());
  if (refusesHeaderMappings(ctx)) return async () => Promise.reject(apiConfigurationError());
  const requestTemplates = new RequestTemplates(ctx.integration);
  const responses = new IntegrationResponses(ctx.integration.integrationResponses ?? {});
  const contextUse = requestTemplates.contextUse.union(responses.contextUse);
  const { invoker } = ctx;
  const timeoutMs = ctx.integration.timeoutInMillis;
  const contentHandling = ctx.integration.contentHandling;
  const endpoint = lambdaEndpoint(ctx.integration.uri ?? '', ctx.stageVariables, ctx.account);

  return async (inv) => {
    const choice = requestTemplates.select(inv.req.headers['content-type']);
    // AWS cannot map a body it was told to turn into binary (recorded: 500).
    if (choice.kind === 'template' && contentHandling === 'CONVERT_TO_BINARY') throw apiConfigurationError();
    const scope = new MappingScope(inv, contextUse);
    const raw = await inv.body();
    if (inv.log) inv.log.requestBody(raw);
    const converted = convertRequestBody(raw, inv.stage.isBinaryMediaType(inv.req.headers['content-type']), contentHandling);
    const text =
      choice.kind === 'template'
        ? choice.template.isStatic
          ? choice.source
          : scope.render(choice.template, converted.toString('utf8'))
        : converted.toString('utf8');
    // Lambda takes a JSON document; an empty mapping is an empty object.
    let event: unknown = {};
    if (text.trim() !== '') {
      try {
        event = JSON.parse(text);
      } catch {
        throw integrationFailure(500);
      }
    }
    const result = inv.log
      ? await invokeLogged(inv.log, endpoint, invoker, functionName, event, text, inv, timeoutMs, false)
      : await invokeWithin(invoker, functionName, event, inv, timeoutMs);
    const chosen = result.functionError ? responses.select(result.payload.errorMessage) : responses.selectDefault();
    const payloadText = result.payloadJson ?? JSON.stringify(result.payload ?? null);
    const response = chosen.build(
      scope,
      { headers: {}, body: Buffer.from(payloadText, 'utf8') },
      // Lambda's payload is JSON text; only the client's Accept can make it binary.
      { payloadIsBinary: false, acceptIsBinary: inv.stage.isBinaryMediaType(inv.req.headers.accept) },
    );
    response.headers['X-Amzn-Trace-Id'] = inv.responseTraceId;
    if (inv.log) inv.log.methodResult(response.statusCode, response.headers, inMemoryBody(response.body));
    return response;
  };
}

/** Header mappings AWS refuses on a Lambda integration: every call answers 500 (recorded). */
const REFUSED_LAMBDA_HEADERS = new Set(['content-length', 'transfer-encoding', 'authorization', 'connection', 'expect', 'proxy-authenticate', 'te']);

function refusesHeaderMappings(ctx: IntegrationCompileContext): boolean {
  return Object.keys(ctx.integration.requestParameters ?? {}).some(
    (target) => target.startsWith('integration.request.header.') && REFUSED_LAMBDA_HEADERS.has(target.slice('integration.request.header.'.length).toLowerCase()),
  );
}

/**
 * The Lambda Invoke call an integration stands for, as the execution log names it: AWS's
 * regional Lambda endpoint and the function's ARN (a bare function name is this account's).
 */
export function lambdaEndpoint(uri: string, stageVariables: Record<string, string>, account: AccountSettings): string {
  const target = LAMBDA_URI.exec(substituteStageVariables(uri, stageVariables))?.[1] ?? '';
  const arn = target.startsWith('arn:') ? target : `arn:aws:lambda:${account.region}:${account.accountId}:function:${target}`;
  return `https://lambda.${account.region}.amazonaws.com/2015-03-31/functions/${arn}/invocations`;
}

/**
 * invokeWithin, with the call written to the execution log: the headers Portico passes with
 * the event (it signs nothing, so AWS's credential headers are absent), and the headers
 * Lambda's Invoke API answers with.
 */
async function invokeLogged(
  log: ExecutionLog,
  endpoint: string,
  invoker: FunctionInvoker,
  functionName: string,
  event: unknown,
  eventText: string,
  inv: Invocation,
  timeoutMs: number,
  proxy: boolean,
): Promise<InvokeResult> {
  const requestId = randomUUID();
  log.integrationRequestId = requestId;
  const apiId = inv.stage.apiId;
  log.endpointRequest({
    uri: endpoint,
    headers: [
      ['x-amzn-lambda-integration-tag', inv.requestId],
      ['x-amzn-apigateway-api-id', apiId],
      ['Accept', 'application/json'],
      ['User-Agent', `AmazonAPIGateway_${apiId}`],
      ['X-Amzn-Trace-Id', inv.traceId],
    ],
    body: eventText,
  });
  const sentAt = Date.now();
  let result: InvokeResult;
  try {
    result = await invokeWithin(invoker, functionName, event, inv, timeoutMs, requestId);
  } catch (err) {
    if (err instanceof GatewayError && err.responseType === 'INTEGRATION_TIMEOUT') log.fail('Execution failed due to a timeout error');
    throw err;
  }
  const payloadText = result.payloadJson ?? JSON.stringify(result.payload ?? null);
  const headers: [string, string][] = [
    ['Date', new Date().toUTCString()],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(Buffer.byteLength(payloadText))],
    ['x-amzn-RequestId', requestId],
  ];
  if (result.functionError) headers.push(['X-Amz-Function-Error', result.functionError]);
  headers.push(['X-Amz-Executed-Version', '$LATEST'], ['X-Amzn-Trace-Id', inv.traceId]);
  log.endpointResponse({ statusCode: 200, latencyMs: Date.now() - sentAt, headers, body: payloadText });
  // A proxy integration has no integration responses to select: a function error ends the request.
  if (result.functionError && proxy) {
    log.fail(`Lambda execution failed with status 200 due to customer function error: ${result.payload.errorMessage}. Lambda request id: ${requestId}`);
  }
  return result;
}
