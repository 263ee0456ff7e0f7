/**
 * Request parameter mapping, compiled once per deployment: each
 * `integration.request.{path,querystring,header}.NAME` ← source expression becomes a small
 * getter. Sources: `method.request.{path,querystring,header,multivaluequerystring,
 * multivalueheader}.X`, `context.X`, `stageVariables.X` (fixed per stage, so resolved now) and
 * static `'value'`s. Body (`method.request.body…`) sources arrive with mapping templates.
 */
import type { Invocation } from '../gateway/invocation.js';

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

const CONTEXT: Record<string, ValueSource> = {
  requestId: (inv) => inv.requestId,
  extendedRequestId: (inv) => inv.extendedRequestId,
  apiId: (inv) => inv.stage.apiId,
  stage: (inv) => inv.stage.stageName,
  deploymentId: (inv) => inv.stage.deploymentId,
  accountId: (inv) => inv.stage.accountId,
  httpMethod: (inv) => inv.httpMethod,
  resourcePath: (inv) => inv.resourcePath,
  resourceId: (inv) => inv.method.resourceId,
  path: (inv) => inv.target.requestPath,
  domainName: (inv) => (inv.req.headers.host ?? 'localhost').replace(/:\d+$/, ''),
  requestTimeEpoch: (inv) => String(inv.requestTimeEpoch),
  'identity.sourceIp': (inv) => inv.sourceIp,
  'identity.userAgent': (inv) => inv.req.headers['user-agent'],
  protocol: (inv) => `HTTP/${inv.req.httpVersion}`,
};

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
  if ((name = dot('context.')) !== undefined) return CONTEXT[name];
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
