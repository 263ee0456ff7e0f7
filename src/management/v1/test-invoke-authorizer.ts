/**
 * apigateway (v1) TestInvokeAuthorizer for Lambda authorizers: the identity is read from the
 * simulated request as the authorizer's identitySource names it, the function is called with
 * AWS's authorizer event (TOKEN: the token and the method ARN; REQUEST: the request's headers,
 * query string, stage variables and context), and its answer is checked as the gateway checks
 * it: the identity rules, events, function call and answer interpretation are the data plane's
 * (src/auth/lambda-authorizer-*.ts). Cognito user pool authorizers are not run here.
 */
import { randomUUID } from 'node:crypto';
import type { Authorizer, RestApiDocument } from '../../model/rest-api.js';
import { ExecutionLog, truncateLogged } from '../../gateway/execution-log.js';
import { parseQuery } from '../../gateway/invocation.js';
import { formatRequestTime } from '../../gateway/rest/proxy-event.js';
import { functionNameFromUri, lambdaEndpoint } from '../../integrations/lambda.js';
import { substituteStageVariables } from '../../integrations/parameters.js';
import { buildMethodArn } from '../../auth/method-arn.js';
import { identityAccepted, planIdentity, type IdentitySource } from '../../auth/lambda-authorizer-identity.js';
import { requestAuthorizerEvent, tokenAuthorizerEvent, type RequestAuthorizerEvent } from '../../auth/lambda-authorizer-event.js';
import { callAuthorizerFunction } from '../../auth/lambda-authorizer-invoke.js';
import { ManagementError, badRequest } from '../errors.js';
import type { ManagementContext } from '../operation.js';
import { TEST_INVOKE_SOURCE_IP, type SimulatedRequest } from './test-invoke-request.js';

/** The stage a test authorizer call's method ARN names, as AWS names it. */
const AUTHORIZER_TEST_STAGE = 'ESTestInvoke-stage';

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

/** One identity source read from the simulated request; `context.X` comes from additionalContext. */
function identityValue(source: IdentitySource | undefined, sim: SimulatedRequest, query: Record<string, string>, context: Record<string, string>): string | undefined {
  if (source === undefined) return undefined;
  const own = (map: Record<string, string>): string | undefined => (Object.hasOwn(map, source.name) ? map[source.name] : undefined);
  switch (source.kind) {
    case 'header': {
      const values = sim.headers.filter(([name]) => name.toLowerCase() === source.name).map(([, v]) => v);
      return values.length > 0 ? values.join(',') : undefined;
    }
    case 'querystring':
      return own(query);
    case 'stageVariable':
      return own(sim.stageVariables);
    case 'context':
      return own(context);
  }
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
  const plan = planIdentity(authorizer);
  const identities = plan.sources.map((source) => identityValue(source, sim, query.single, additionalContext));
  // A request without its identity (or, for TOKEN, one the validation expression refuses)
  // never reaches the function: the client gets 401.
  if (!identityAccepted(plan, identities)) {
    const missing = identities.some((v) => v === undefined || v === '');
    log.add(missing ? 'The identity source is missing or empty: Unauthorized' : 'The incoming identity does not match the identity validation expression: Unauthorized');
    return done(401);
  }
  log.add(`Incoming identity: ${mask(identities.map((v) => v ?? '').join(','))}`);

  const { region, accountId } = ctx.account;
  const methodArn = buildMethodArn({ region, accountId, apiId: doc.restApi.id, stage: AUTHORIZER_TEST_STAGE, method: sim.httpMethod, resourcePath: sim.path });
  const event =
    plan.type === 'TOKEN' ? tokenAuthorizerEvent(identities[0] ?? '', methodArn) : requestEvent(ctx, doc, sim, query, methodArn, requestId, additionalContext);

  const endpoint = lambdaEndpoint(uri, sim.stageVariables, ctx.account);
  const body = JSON.stringify(event);
  log.endpointRequest({ uri: endpoint, headers: [['x-amzn-apigateway-api-id', doc.restApi.id], ['Accept', 'application/json'], ['User-Agent', `AmazonAPIGateway_${doc.restApi.id}`]], body });
  const call = await callAuthorizerFunction(ctx.invoker, functionName, event, { requestId: randomUUID() });
  if (call.kind === 'unreachable') {
    log.fail(`Execution failed due to configuration error: ${call.reason}`);
    return done(500);
  }
  if (call.kind === 'timeout') {
    log.fail('Execution failed due to a timeout error');
    return done(500);
  }
  log.add(`Received response. Status: 200, Integration latency: ${call.latencyMs} ms`);
  log.add(`Authorizer result body before parsing: ${truncateLogged(call.payloadText)}`);
  const verdict = call.verdict;
  if (verdict.kind === 'unauthorized') {
    log.add('Unauthorized request: the authorizer function refused the identity');
    return done(401);
  }
  if (verdict.kind === 'failed') {
    log.fail(`Execution failed due to configuration error: ${verdict.reason}`);
    return done(500);
  }
  const { principalId, policyDocument } = verdict.output;
  log.add(`Using valid authorizer policy for principal: ${mask(principalId)}`);
  log.add('Successfully completed authorizer execution');
  return done(200, { principalId, policy: JSON.stringify(policyDocument) });
}

/** The REQUEST authorizer event for the simulated request, through the data plane's builder. */
function requestEvent(
  ctx: ManagementContext,
  doc: RestApiDocument,
  sim: SimulatedRequest,
  query: ReturnType<typeof parseQuery>,
  methodArn: string,
  requestId: string,
  additionalContext: Record<string, string>,
): RequestAuthorizerEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of sim.headers) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const now = Date.now();
  return requestAuthorizerEvent(
    {
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
    },
    methodArn,
  );
}
