/**
 * `$context` for REST API mapping templates and gateway responses: the variables AWS documents,
 * filled from one request. Variables AWS leaves unset where Portico has nothing to report
 * (Cognito identity, WAF, client certificates) are null, which templates print as empty text.
 */
import type { Invocation } from '../invocation.js';
import { formatRequestTime } from './proxy-event.js';

/** What a gateway error adds to `$context.error`. */
export interface ContextError {
  message: string;
  responseType: string;
  validationErrorString?: string;
}

export function contextVariables(inv: Invocation, error?: ContextError): Record<string, unknown> {
  const hostName = (inv.req.headers.host ?? 'localhost').replace(/:\d+$/, '');
  return {
    accountId: inv.stage.accountId,
    apiId: inv.stage.apiId,
    authorizer: {},
    awsEndpointRequestId: inv.requestId,
    deploymentId: inv.stage.deploymentId,
    domainName: hostName,
    domainPrefix: hostName.split('.')[0],
    error: errorVariables(error),
    extendedRequestId: inv.extendedRequestId,
    httpMethod: inv.httpMethod,
    identity: {
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: inv.sourceIp,
      user: null,
      userAgent: inv.req.headers['user-agent'] ?? null,
      userArn: null,
    },
    isCanaryRequest: false,
    path: inv.target.requestPath,
    protocol: `HTTP/${inv.req.httpVersion}`,
    requestId: inv.requestId,
    requestTime: formatRequestTime(inv.requestTimeEpoch),
    requestTimeEpoch: inv.requestTimeEpoch,
    resourceId: inv.method.resourceId,
    resourcePath: inv.resourcePath,
    stage: inv.stage.stageName,
  };
}

/** `$context` for an error raised before any method matched (no resource, no integration). */
export function bareContextVariables(
  fields: { requestId: string; apiId?: string; stage?: string; httpMethod?: string; resourcePath?: string },
  error?: ContextError,
): Record<string, unknown> {
  return {
    apiId: fields.apiId ?? null,
    authorizer: {},
    error: errorVariables(error),
    extendedRequestId: fields.requestId,
    httpMethod: fields.httpMethod ?? null,
    identity: {},
    requestId: fields.requestId,
    resourcePath: fields.resourcePath ?? null,
    stage: fields.stage ?? null,
  };
}

function errorVariables(error: ContextError | undefined): Record<string, unknown> {
  if (!error) return {};
  return {
    message: error.message,
    // The message as a JSON string literal, quotes included, as AWS documents it.
    messageString: JSON.stringify(error.message),
    responseType: error.responseType,
    // Delivered JSON-escaped, so it can sit inside a quoted string of a JSON template.
    validationErrorString: error.validationErrorString === undefined ? null : JSON.stringify(error.validationErrorString).slice(1, -1),
  };
}
