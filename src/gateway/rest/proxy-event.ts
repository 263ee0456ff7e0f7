/**
 * The Lambda proxy integration event for REST APIs (payload format 1.0), built as AWS builds
 * it: header names in the client's casing, last-value-wins single maps beside multi-value maps,
 * nulls where AWS sends nulls, and the requestContext AWS fills in. A request admitted with an
 * API key carries `identity.apiKey` / `apiKeyId`; one an authorizer let through carries
 * `requestContext.authorizer` and the caller's identity fields.
 */
import type { Invocation } from '../invocation.js';
import { authorizerContext, type CallerIdentity } from './authorization.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `21/Nov/2026:05:35:00 +0000`, the format of `requestContext.requestTime`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

export interface ProxyEventV1 {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: Record<string, unknown>;
  body: string | null;
  isBase64Encoded: boolean;
}

export function buildProxyEventV1(inv: Invocation, body: Buffer): ProxyEventV1 {
  const { headers, multiValueHeaders } = collectHeaders(inv);
  const query = inv.query;
  const host = inv.req.headers.host ?? 'localhost';
  const hostName = host.replace(/:\d+$/, '');
  const userAgent = inv.req.headers['user-agent'] ?? null;
  const isBase64Encoded = body.length > 0 && inv.stage.isBinaryMediaType(inv.req.headers['content-type']);
  const caller = inv.caller;
  const requestContext: Record<string, unknown> = {
    resourceId: inv.method.resourceId,
    resourcePath: inv.resourcePath,
    httpMethod: inv.httpMethod,
    extendedRequestId: inv.extendedRequestId,
    requestTime: formatRequestTime(inv.requestTimeEpoch),
    path: inv.target.requestPath,
    accountId: inv.stage.accountId,
    protocol: `HTTP/${inv.req.httpVersion}`,
    stage: inv.stage.stageName,
    domainPrefix: hostName.split('.')[0],
    requestTimeEpoch: inv.requestTimeEpoch,
    requestId: inv.requestId,
    identity: identityOf(inv, caller?.identity, userAgent),
    domainName: hostName,
    deploymentId: inv.stage.deploymentId,
    apiId: inv.stage.apiId,
  };
  const authorizer = caller && authorizerContext(caller);
  if (authorizer) requestContext.authorizer = authorizer;
  return {
    resource: inv.resourcePath,
    path: inv.target.path,
    httpMethod: inv.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: query.empty ? null : query.single,
    multiValueQueryStringParameters: query.empty ? null : query.multi,
    pathParameters: inv.pathParameters,
    stageVariables: inv.stage.stageVariablesOrNull,
    requestContext,
    body: body.length === 0 ? null : isBase64Encoded ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded,
  };
}

/**
 * `requestContext.identity`: nulls except the source IP and user agent, unless an authorizer
 * identified the caller. `apiKey` and `apiKeyId` appear only on requests admitted with a key.
 */
function identityOf(inv: Invocation, who: CallerIdentity | undefined, userAgent: string | null): Record<string, unknown> {
  // The open method's request: the literal it always was.
  if (who === undefined && inv.apiKey === undefined) {
    return {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: inv.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent,
      user: null,
    };
  }
  const identity: Record<string, unknown> = {
    cognitoIdentityPoolId: who?.cognitoIdentityPoolId ?? null,
    accountId: who?.accountId ?? null,
    cognitoIdentityId: who?.cognitoIdentityId ?? null,
    caller: who?.caller ?? null,
    sourceIp: inv.sourceIp,
    principalOrgId: who?.principalOrgId ?? null,
    accessKey: who?.accessKey ?? null,
    cognitoAuthenticationType: who?.cognitoAuthenticationType ?? null,
    cognitoAuthenticationProvider: who?.cognitoAuthenticationProvider ?? null,
    userArn: who?.userArn ?? null,
    userAgent,
    user: who?.user ?? null,
  };
  const key = inv.apiKey;
  if (key !== undefined) {
    identity.apiKey = key.value;
    identity.apiKeyId = key.keyId;
  }
  return identity;
}

/**
 * Standard header names AWS delivers in their canonical casing whatever the client sent
 * (`authorization` arrives as `Authorization`); any other name keeps the client's casing.
 */
const CANONICAL_NAMES = new Map(
  [
    'Accept', 'Accept-Charset', 'Accept-Encoding', 'Accept-Language', 'Authorization', 'Cache-Control',
    'Content-Encoding', 'Content-Language', 'Content-MD5', 'Content-Type', 'Cookie', 'Date', 'Expect',
    'Forwarded', 'From', 'Host', 'If-Match', 'If-Modified-Since', 'If-None-Match', 'If-Range',
    'If-Unmodified-Since', 'Max-Forwards', 'Origin', 'Pragma', 'Range', 'Referer', 'TE', 'Upgrade',
    'User-Agent', 'Via', 'Warning', 'X-Amzn-Trace-Id', 'X-Forwarded-For', 'X-Forwarded-Port',
    'X-Forwarded-Proto',
  ].map((name) => [name.toLowerCase(), name]),
);

/**
 * Headers AWS does not pass to the function: connection management, body framing and the
 * hop-by-hop or gateway-owned headers it consumes (recorded in the header remapping cases).
 */
const OMITTED = new Set([
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'trailer',
  'upgrade',
  'www-authenticate',
]);

/** Headers as AWS delivers them, plus the forwarding headers AWS's edge adds. */
function collectHeaders(inv: Invocation): {
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // The first casing seen names the header, as AWS keeps one entry per header.
  const casing = new Map<string, string>();
  const raw = inv.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (OMITTED.has(lower)) continue;
    const name = CANONICAL_NAMES.get(lower) ?? raw[i]!;
    let key = casing.get(lower);
    if (key === undefined) {
      key = name;
      casing.set(lower, key);
    }
    headers[key] = raw[i + 1]!;
    (multiValueHeaders[key] ??= []).push(raw[i + 1]!);
  }
  const add = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    const key = casing.get(lower);
    if (key === undefined) {
      casing.set(lower, name);
      headers[name] = value;
      multiValueHeaders[name] = [value];
    } else if (lower === 'x-forwarded-for') {
      headers[key] = `${headers[key]}, ${value}`;
      multiValueHeaders[key] = [headers[key]!];
    }
  };
  add('X-Amzn-Trace-Id', inv.traceId);
  add('X-Forwarded-For', inv.sourceIp);
  add('X-Forwarded-Port', String(inv.listenerPort));
  add('X-Forwarded-Proto', 'http');
  return { headers, multiValueHeaders };
}
