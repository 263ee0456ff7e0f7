/**
 * apigateway (v1) TestInvokeAuthorizer for Lambda authorizers: the identity is read from the
 * simulated request as the authorizer's identitySource names it, the function is called with
 * AWS's authorizer event (TOKEN: the token and the method ARN; REQUEST: the request's headers,
 * query string, stage variables and context), and its answer is checked as the gateway checks
 * it. Cognito user pool authorizers are not run here.
 */
import { randomUUID } from 'node:crypto';
import type { Authorizer, RestApiDocument } from '../../model/rest-api.js';
import type { FunctionInvoker, InvokeResult } from '../../functions/invoker.js';
import { ExecutionLog, truncateLogged } from '../../gateway/execution-log.js';
import { parseQuery } from '../../gateway/invocation.js';
import { formatRequestTime } from '../../gateway/rest/proxy-event.js';
import { functionNameFromUri, lambdaEndpoint } from '../../integrations/lambda.js';
import { substituteStageVariables } from '../../integrations/parameters.js';
import { ManagementError, badRequest } from '../errors.js';
import type { ManagementContext } from '../operation.js';
import { TEST_INVOKE_SOURCE_IP, type SimulatedRequest } from './test-invoke-request.js';

/** The stage a test authorizer call's method ARN names, as AWS names it. */
const AUTHORIZER_TEST_STAGE = 'ESTestInvoke-stage';
/** How long an authorizer function may take before the call counts as failed. */
const AUTHORIZER_TIMEOUT_MS = 30_000;

export interface TestInvokeAuthorizerOutput {
  clientStatus: number;
  log: string;
  latency: number;
  principalId?: string;
  policy?: string;
}

/** A logged identity shows only its last characters, as AWS masks it. */
function mask(value: string): string {
  const shown = value.length > 8 ? 4 : 0;
  return '*'.repeat(value.length - shown) + value.slice(value.length - shown);
}

/** One identity source (`method.request.header.Auth`, `stageVariables.v`, …) read from the request. */
function identityValue(source: string, sim: SimulatedRequest, query: Record<string, string>, context: Record<string, string>): string | undefined {
  const header = /^method\.request\.header\.(.+)$/.exec(source);
  if (header) {
    const wanted = header[1]!.toLowerCase();
    const values = sim.headers.filter(([name]) => name.toLowerCase() === wanted).map(([, v]) => v);
    return values.length > 0 ? values.join(',') : undefined;
  }
  const querystring = /^method\.request\.querystring\.(.+)$/.exec(source);
  if (querystring) return query[querystring[1]!];
  const variable = /^stageVariables\.(.+)$/.exec(source);
  if (variable) return sim.stageVariables[variable[1]!];
  const ctx = /^context\.(.+)$/.exec(source);
  if (ctx) return context[ctx[1]!];
  return undefined;
}

function identitySources(authorizer: Authorizer): string[] {
  return (authorizer.identitySource ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Whether the function's answer is a policy the gateway can use. */
function usablePolicy(payload: unknown): { principalId: string; policyDocument: Record<string, unknown> } | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const doc = p.policyDocument;
  if (typeof p.principalId !== 'string' || doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const statements = (doc as Record<string, unknown>).Statement;
  if (!Array.isArray(statements) && (statements === null || typeof statements !== 'object')) return undefined;
  return { principalId: p.principalId, policyDocument: doc as Record<string, unknown> };
}

function invokeWithin(invoker: FunctionInvoker, functionName: string, event: unknown, requestId: string): Promise<InvokeResult | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), AUTHORIZER_TIMEOUT_MS);
    invoker.invoke(functionName, event, { requestId }).then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export async function testInvokeAuthorizer(
  ctx: ManagementContext,
  doc: RestApiDocument,
  authorizer: Authorizer,
  sim: SimulatedRequest,
  additionalContext: Record<string, string>,
): Promise<TestInvokeAuthorizerOutput> {
  if (authorizer.type === 'COGNITO_USER_POOLS') {
    throw badRequest('TestInvokeAuthorizer runs Lambda (TOKEN and REQUEST) authorizers only; Portico does not run Cognito user pool authorizers');
  }
  const uri = substituteStageVariables(authorizer.authorizerUri ?? '', sim.stageVariables);
  const functionName = functionNameFromUri(uri);
  if (!functionName) throw badRequest(`Invalid authorizer URI: ${authorizer.authorizerUri ?? ''}`);
  if (!ctx.invoker) throw new ManagementError('ServiceUnavailableException', 'This server runs no functions', 503);

  const started = Date.now();
  const requestId = randomUUID();
  const log = new ExecutionLog(requestId);
  const done = (clientStatus: number, extra: Partial<TestInvokeAuthorizerOutput> = {}): TestInvokeAuthorizerOutput => ({
    clientStatus,
    log: log.text(),
    latency: Date.now() - started,
    ...extra,
  });
  log.add(`Starting authorizer: ${authorizer.id} for request: ${requestId}`);

  const query = parseQuery(sim.rawQuery);
  const sources = identitySources(authorizer);
  const identities = sources.map((source) => identityValue(source, sim, query.single, additionalContext));
  // A request without its identity never reaches the function: the client gets 401.
  if (identities.some((v) => v === undefined || v === '')) {
    log.add('The identity source is missing or empty: Unauthorized');
    return done(401);
  }
  log.add(`Incoming identity: ${mask(identities.join(','))}`);

  const { region, accountId } = ctx.account;
  const methodArn = `arn:aws:execute-api:${region}:${accountId}:${doc.restApi.id}/${AUTHORIZER_TEST_STAGE}/${sim.httpMethod}/${sim.path.replace(/^\/+/, '')}`;
  let event: Record<string, unknown>;
  if (authorizer.type === 'TOKEN') {
    const token = identities[0] ?? '';
    if (authorizer.identityValidationExpression !== undefined) {
      let valid: boolean;
      try {
        valid = new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(token);
      } catch {
        valid = false;
      }
      if (!valid) {
        log.add('The incoming identity does not match the identity validation expression: Unauthorized');
        return done(401);
      }
    }
    event = { type: 'TOKEN', methodArn, authorizationToken: token };
  } else {
    event = requestEvent(ctx, doc, sim, query, methodArn, requestId, additionalContext);
  }

  const endpoint = lambdaEndpoint(uri, sim.stageVariables, ctx.account);
  const body = JSON.stringify(event);
  log.endpointRequest({ uri: endpoint, headers: [['x-amzn-apigateway-api-id', doc.restApi.id], ['Accept', 'application/json'], ['User-Agent', `AmazonAPIGateway_${doc.restApi.id}`]], body });
  const lambdaRequestId = randomUUID();
  const sentAt = Date.now();
  let result: InvokeResult | 'timeout';
  try {
    result = await invokeWithin(ctx.invoker, functionName, event, lambdaRequestId);
  } catch (err) {
    log.fail(`Execution failed due to configuration error: ${err instanceof Error ? err.message : 'the authorizer function could not be invoked'}`);
    return done(500);
  }
  if (result === 'timeout') {
    log.fail('Execution failed due to a timeout error');
    return done(500);
  }
  const payloadText = result.payloadJson ?? JSON.stringify(result.payload ?? null);
  log.add(`Received response. Status: 200, Integration latency: ${Date.now() - sentAt} ms`);
  log.add(`Authorizer result body before parsing: ${truncateLogged(payloadText)}`);
  if (result.functionError) {
    // The one error a function raises on purpose: a refused identity.
    if (result.payload.errorMessage === 'Unauthorized') {
      log.add('Unauthorized request: the authorizer function refused the identity');
      return done(401);
    }
    log.fail(`Execution failed due to configuration error: Authorizer function failed: ${result.payload.errorMessage}`);
    return done(500);
  }
  const policy = usablePolicy(result.payload);
  if (!policy) {
    log.fail('Execution failed due to configuration error: The authorizer function answered without a principalId and a policyDocument');
    return done(500);
  }
  log.add(`Using valid authorizer policy for principal: ${mask(policy.principalId)}`);
  log.add('Successfully completed authorizer execution');
  return done(200, { principalId: policy.principalId, policy: JSON.stringify(policy.policyDocument) });
}

/** The REQUEST authorizer event: the request as a Lambda proxy event sees it, without the body. */
function requestEvent(
  ctx: ManagementContext,
  doc: RestApiDocument,
  sim: SimulatedRequest,
  query: ReturnType<typeof parseQuery>,
  methodArn: string,
  requestId: string,
  additionalContext: Record<string, string>,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of sim.headers) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const now = Date.now();
  return {
    type: 'REQUEST',
    methodArn,
    resource: sim.path,
    path: sim.path,
    httpMethod: sim.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: {},
    stageVariables: sim.stageVariables,
    requestContext: {
      ...additionalContext,
      resourcePath: sim.path,
      httpMethod: sim.httpMethod,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now,
      path: sim.path,
      accountId: ctx.account.accountId,
      protocol: 'HTTP/1.1',
      stage: AUTHORIZER_TEST_STAGE,
      requestId,
      identity: { sourceIp: TEST_INVOKE_SOURCE_IP, userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null },
      apiId: doc.restApi.id,
    },
  };
}
