/**
 * Lambda integrations: AWS_PROXY (the payload 1.0 event in, AWS's proxy response rules out)
 * and AWS with a Lambda URI (the body in, integration responses selected by errorMessage out).
 * The function is named by the integration URI, resolved once per deployment.
 */
import { randomUUID } from 'node:crypto';
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { substituteStageVariables } from './parameters.js';
import { IntegrationResponses, mapResponseHeaders } from './integration-responses.js';
import { InvokeError, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import type { Invocation } from '../gateway/invocation.js';
import { buildProxyEventV1 } from '../gateway/rest/proxy-event.js';
import { proxyResultToResponse } from '../gateway/rest/proxy-response.js';
import { GatewayError, apiConfigurationError, integrationFailure, integrationTimeout } from '../gateway/errors.js';

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
): Promise<InvokeResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(integrationTimeout()), timeoutMs);
    invoker.invoke(functionName, event, { requestId: randomUUID(), traceId: inv.traceId }).then(
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
  const { invoker } = ctx;
  const timeoutMs = ctx.integration.timeoutInMillis;

  return async (inv) => {
    const body = await inv.body();
    const event = buildProxyEventV1(inv, body);
    const result = await invokeWithin(invoker, functionName, event, inv, timeoutMs);
    if (result.functionError) throw integrationFailure(502);
    const accept = inv.req.headers.accept;
    return proxyResultToResponse(result.payload, {
      isBinary: (contentType) => inv.stage.isBinaryMediaType(accept) || inv.stage.isBinaryMediaType(contentType),
    });
  };
}

export function compileLambdaAws(ctx: IntegrationCompileContext): IntegrationHandler {
  const functionName = functionNameFromUri(substituteStageVariables(ctx.integration.uri ?? '', ctx.stageVariables));
  const templates = Object.values(ctx.integration.requestTemplates ?? {});
  // Requests through mapping templates need the template engine; only passthrough works here.
  if (!functionName || templates.some((t) => t.includes('$'))) return async () => Promise.reject(apiConfigurationError());
  const responses = new IntegrationResponses(ctx.integration.integrationResponses ?? {});
  const { invoker } = ctx;
  const timeoutMs = ctx.integration.timeoutInMillis;
  const staticRequest = templates[0];

  return async (inv) => {
    const body = await inv.body();
    let event: unknown = {};
    const text = staticRequest ?? body.toString('utf8');
    if (text.trim() !== '') {
      try {
        event = JSON.parse(text);
      } catch {
        throw integrationFailure(500);
      }
    }
    const result = await invokeWithin(invoker, functionName, event, inv, timeoutMs);
    const chosen = result.functionError
      ? responses.select(result.payload.errorMessage)
      : responses.selectDefault();
    if (chosen.hasDynamicTemplate) throw apiConfigurationError();
    return {
      statusCode: chosen.statusCode,
      headers: { 'content-type': 'application/json', ...mapResponseHeaders(chosen, {}) },
      body: chosen.staticTemplate ?? JSON.stringify(result.payload),
    };
  };
}
