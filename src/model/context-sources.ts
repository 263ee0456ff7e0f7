/**
 * The `context.NAME` sources of REST API parameter mappings (integration request parameters and
 * integration response headers). AWS accepts NAME only when it is one of the context variables
 * it documents for mapping templates, so the list lives here once: validation refuses any other
 * name, and the data plane compiles each parsed source into a reader when a stage deploys.
 *
 * Two kinds of name are open-ended, because the authorizer decides them: `authorizer.KEY` (an
 * entry of a Lambda authorizer's context; `principalId` and `integrationLatency` are the
 * authorizer's own) and `authorizer.claims.CLAIM` (a claim of a Cognito user pool token). The
 * rest are a fixed list.
 */

/** `$context.NAME` variables describing the request and where it arrived, by NAME. */
export const REQUEST_CONTEXT_VARIABLES = [
  'accountId',
  'apiId',
  'awsEndpointRequestId',
  'deploymentId',
  'domainName',
  'domainPrefix',
  'extendedRequestId',
  'httpMethod',
  'isCanaryRequest',
  'path',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'resourceId',
  'resourcePath',
  'stage',
] as const;
export type RequestContextVariable = (typeof REQUEST_CONTEXT_VARIABLES)[number];

/** `$context.identity.NAME` variables, by NAME. */
export const IDENTITY_CONTEXT_VARIABLES = [
  'accessKey',
  'accountId',
  'apiKey',
  'apiKeyId',
  'caller',
  'cognitoAuthenticationProvider',
  'cognitoAuthenticationType',
  'cognitoIdentityId',
  'cognitoIdentityPoolId',
  'principalOrgId',
  'sourceIp',
  'user',
  'userAgent',
  'userArn',
] as const;
export type IdentityContextVariable = (typeof IDENTITY_CONTEXT_VARIABLES)[number];

/**
 * Documented variables Portico never has a value for: there is no WAF, and no mutual TLS on the
 * data plane. AWS leaves them unset in those cases, so a mapping from them sends nothing.
 */
const UNSET_CONTEXT_VARIABLES = new Set([
  'wafResponseCode',
  'webaclArn',
  'identity.clientCert.clientCertPem',
  'identity.clientCert.subjectDN',
  'identity.clientCert.issuerDN',
  'identity.clientCert.serialNumber',
  'identity.clientCert.validity.notBefore',
  'identity.clientCert.validity.notAfter',
]);

/** What a `context.*` source reads. */
export type ContextSource =
  | { kind: 'request'; variable: RequestContextVariable }
  | { kind: 'identity'; variable: IdentityContextVariable }
  /** `authorizer.KEY`: principalId, integrationLatency, or an entry of a Lambda authorizer's context. */
  | { kind: 'authorizer'; key: string }
  /** `authorizer.claims.CLAIM`: a claim of the Cognito user pool token the caller presented. */
  | { kind: 'claim'; claim: string }
  | { kind: 'unset' };

const REQUEST_SET = new Set<string>(REQUEST_CONTEXT_VARIABLES);
const IDENTITY_SET = new Set<string>(IDENTITY_CONTEXT_VARIABLES);
/** Dot-separated names of the characters AWS allows in mapping expressions. */
const KEY = /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/;

/**
 * Parses `context.NAME`; undefined when NAME is not a context variable AWS accepts as a mapping
 * source (the template-only `requestOverride` / `responseOverride`, the gateway-response-only
 * `error.*`, access-logging-only variables, or a name AWS does not document at all).
 */
export function parseContextSource(expression: string): ContextSource | undefined {
  if (!expression.startsWith('context.')) return undefined;
  const name = expression.slice('context.'.length);
  if (REQUEST_SET.has(name)) return { kind: 'request', variable: name as RequestContextVariable };
  if (name.startsWith('identity.')) {
    const field = name.slice('identity.'.length);
    if (IDENTITY_SET.has(field)) return { kind: 'identity', variable: field as IdentityContextVariable };
  }
  if (UNSET_CONTEXT_VARIABLES.has(name)) return { kind: 'unset' };
  if (name.startsWith('authorizer.')) {
    const key = name.slice('authorizer.'.length);
    if (!KEY.test(key)) return undefined;
    if (key.startsWith('claims.')) return { kind: 'claim', claim: key.slice('claims.'.length) };
    return { kind: 'authorizer', key };
  }
  return undefined;
}
