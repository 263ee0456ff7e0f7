/**
 * Request parameter mapping, compiled once per deployment: each
 * `integration.request.{path,querystring,header}.NAME` ← source expression becomes a small
 * getter. Sources: `method.request.{path,querystring,header,multivaluequerystring,
 * multivalueheader}.X`, `context.X` (see compileContextSource), `stageVariables.X` (fixed per
 * stage, so resolved now) and static `'value'`s. Body (`method.request.body…`) sources arrive
 * with mapping templates.
 */
import type { Invocation } from '../gateway/invocation.js';
import { domainPrefixOf, hostNameOf, requestTimeOf } from '../gateway/rest/context-variables.js';
import {
  parseContextSource,
  type IdentityContextVariable,
  type RequestContextVariable,
} from '../model/context-sources.js';

export type ValueSource = (inv: Invocation) => string | undefined;

export interface ParameterMapping {
  location: 'path' | 'querystring' | 'header';
  name: string;
  source: ValueSource;
}

const constant = (value: string | undefined): ValueSource => () => value;

function headerValue(inv: Invocation, name: string): string | undefined {
  const value = inv.req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Readers of `$context.NAME`, each the value `$context` holds for the request (see
 * context-variables.ts) in the text form a template prints it: numbers and booleans as their
 * digits and `true` / `false`. The Record type makes a variable added to the list without a
 * reader a compile error.
 */
const REQUEST_READERS: Record<RequestContextVariable, ValueSource> = {
  accountId: (inv) => inv.stage.accountId,
  apiId: (inv) => inv.stage.apiId,
  awsEndpointRequestId: (inv) => inv.requestId,
  deploymentId: (inv) => inv.stage.deploymentId,
  domainName: (inv) => hostNameOf(inv.req.headers.host),
  domainPrefix: (inv) => domainPrefixOf(hostNameOf(inv.req.headers.host)),
  extendedRequestId: (inv) => inv.extendedRequestId,
  httpMethod: (inv) => inv.httpMethod,
  isCanaryRequest: (inv) => String(inv.stage.isCanaryRequest === true),
  path: (inv) => inv.target.requestPath,
  protocol: (inv) => `HTTP/${inv.req.httpVersion}`,
  requestId: (inv) => inv.requestId,
  requestTime: (inv) => requestTimeOf(inv.requestTimeEpoch),
  requestTimeEpoch: (inv) => String(inv.requestTimeEpoch),
  resourceId: (inv) => inv.method.resourceId,
  resourcePath: (inv) => inv.resourcePath,
  stage: (inv) => inv.stage.stageName,
};

/** Readers of `$context.identity.NAME`; a field no authorizer or API key filled is absent. */
const IDENTITY_READERS: Record<IdentityContextVariable, ValueSource> = {
  accessKey: (inv) => inv.caller?.identity?.accessKey,
  accountId: (inv) => inv.caller?.identity?.accountId,
  apiKey: (inv) => inv.apiKey?.value,
  apiKeyId: (inv) => inv.apiKey?.keyId,
  caller: (inv) => inv.caller?.identity?.caller,
  cognitoAuthenticationProvider: (inv) => inv.caller?.identity?.cognitoAuthenticationProvider,
  cognitoAuthenticationType: (inv) => inv.caller?.identity?.cognitoAuthenticationType,
  cognitoIdentityId: (inv) => inv.caller?.identity?.cognitoIdentityId,
  cognitoIdentityPoolId: (inv) => inv.caller?.identity?.cognitoIdentityPoolId,
  principalOrgId: (inv) => inv.caller?.identity?.principalOrgId,
  sourceIp: (inv) => inv.sourceIp,
  user: (inv) => inv.caller?.identity?.user,
  userAgent: (inv) => inv.req.headers['user-agent'],
  userArn: (inv) => inv.caller?.identity?.userArn,
};

/**
 * An authorizer context entry or a claim as AWS hands it on: text, with absent and null values
 * absent. Own entries only: a key such as `constructor` must not read the object's prototype.
 */
function entry(map: Readonly<Record<string, unknown>> | undefined, key: string): string | undefined {
  if (map === undefined || !Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * `$context.authorizer.KEY`, built as authorizerContext builds the map: the authorizer's own
 * principalId and integrationLatency take precedence over context entries of the same name, and
 * `claims` is a Cognito caller's claim map, which AWS prints as null. A KEY with dots names one
 * context entry whose name has dots, since a Lambda authorizer's context values are flat.
 */
function authorizerReader(key: string): ValueSource {
  switch (key) {
    case 'principalId':
      return (inv) => {
        const caller = inv.caller;
        return caller === undefined ? undefined : caller.principalId ?? entry(caller.context, 'principalId');
      };
    case 'integrationLatency':
      return (inv) => {
        const caller = inv.caller;
        if (caller === undefined) return undefined;
        return caller.integrationLatency !== undefined ? String(caller.integrationLatency) : entry(caller.context, 'integrationLatency');
      };
    case 'claims':
      return (inv) => (inv.caller === undefined || inv.caller.claims !== undefined ? undefined : entry(inv.caller.context, 'claims'));
    default:
      return (inv) => entry(inv.caller?.context, key);
  }
}

/**
 * Compiles `context.NAME` into a reader of the value `$context.NAME` holds for a request;
 * undefined for a name AWS does not accept as a mapping source (validation refuses those). An
 * absent value (no authorizer, no API key, a context key the authorizer did not return) reads
 * as undefined, and AWS then leaves the mapped parameter out.
 */
export function compileContextSource(expression: string): ValueSource | undefined {
  const source = parseContextSource(expression);
  switch (source?.kind) {
    case undefined:
      return undefined;
    case 'request':
      return REQUEST_READERS[source.variable];
    case 'identity':
      return IDENTITY_READERS[source.variable];
    case 'authorizer':
      return authorizerReader(source.key);
    case 'claim': {
      const claim = source.claim;
      return (inv) => entry(inv.caller?.claims, claim);
    }
    case 'unset':
      return constant(undefined);
  }
}

/** Compiles one source expression; undefined when the expression is not understood. */
export function compileSource(expression: string, stageVariables: Record<string, string>): ValueSource | undefined {
  if (expression.length >= 2 && expression.startsWith("'") && expression.endsWith("'")) {
    return constant(expression.slice(1, -1));
  }
  const dot = (prefix: string): string | undefined =>
    expression.startsWith(prefix) ? expression.slice(prefix.length) : undefined;
  let name: string | undefined;
  if ((name = dot('method.request.path.')) !== undefined) {
    const n = name;
    return (inv) => inv.pathParameters?.[n];
  }
  if ((name = dot('method.request.querystring.')) !== undefined) {
    const n = name;
    return (inv) => inv.query.single[n];
  }
  if ((name = dot('method.request.multivaluequerystring.')) !== undefined) {
    const n = name;
    return (inv) => inv.query.multi[n]?.join(',');
  }
  if ((name = dot('method.request.header.')) !== undefined || (name = dot('method.request.multivalueheader.')) !== undefined) {
    const n = name;
    return (inv) => headerValue(inv, n);
  }
  if ((name = dot('stageVariables.')) !== undefined) return constant(stageVariables[name]);
  if (expression.startsWith('context.')) return compileContextSource(expression);
  return undefined;
}

/** Compiles an integration's requestParameters, skipping targets this release does not map. */
export function compileRequestParameters(
  requestParameters: Record<string, string>,
  stageVariables: Record<string, string>,
): ParameterMapping[] {
  const mappings: ParameterMapping[] = [];
  for (const [target, expression] of Object.entries(requestParameters)) {
    const match = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target);
    if (!match) continue;
    const source = compileSource(expression, stageVariables);
    if (!source) continue;
    mappings.push({ location: match[1] as ParameterMapping['location'], name: match[2]!, source });
  }
  return mappings;
}

/** Replaces `${stageVariables.name}` in a URI or ARN; a missing variable becomes ''. */
export function substituteStageVariables(text: string, stageVariables: Record<string, string>): string {
  if (!text.includes('${stageVariables.')) return text;
  return text.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, name: string) => stageVariables[name] ?? '');
}
