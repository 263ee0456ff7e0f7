/**
 * HTTP and HTTP_PROXY integrations over the shared undici pools.
 *
 * HTTP_PROXY streams both ways: the client's headers (minus hop-by-hop ones) and query go to
 * the backend with X-Forwarded-* added, and the backend's status, headers and body come back
 * as they are, with the headers AWS owns renamed to `x-amzn-Remapped-*`. HTTP (non-proxy)
 * calls the backend with only what is mapped and answers through integration responses.
 * Both apply requestParameters and the integration timeout (504 past it).
 */
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors } from 'undici';
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { compileRequestParameters, substituteStageVariables, type ParameterMapping } from './parameters.js';
import { IntegrationResponses, mapResponseHeaders } from './integration-responses.js';
import { relayUpstream, upstreamAgent } from './upstream.js';
import type { Invocation } from '../gateway/invocation.js';
import type { GatewayResult } from '../gateway/result.js';
import { GatewayError, apiConfigurationError, integrationFailure, integrationTimeout } from '../gateway/errors.js';
import { PayloadLimit, checkDeclaredLength } from '../gateway/body.js';

/** Client headers that never reach the backend: hop-by-hop, and those AWS drops. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'max-forwards',
  'server',
  'www-authenticate',
  'via',
  'content-md5',
]);

/** Backend response headers that must not be forwarded as they are. */
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'te', 'trailer']);
/** Backend headers AWS renames to `x-amzn-Remapped-*` because the gateway sets its own. */
const REMAPPED_RESPONSE = new Map([
  ['connection', 'x-amzn-Remapped-Connection'],
  ['content-length', 'x-amzn-Remapped-Content-Length'],
  ['date', 'x-amzn-Remapped-Date'],
  ['server', 'x-amzn-Remapped-Server'],
  ['authorization', 'x-amzn-Remapped-Authorization'],
  ['www-authenticate', 'x-amzn-Remapped-WWW-Authenticate'],
  ['x-amzn-requestid', 'x-amzn-Remapped-x-amzn-RequestId'],
]);

interface CompiledUri {
  origin: string;
  /** Path template parts: literals and `{name}` placeholders. */
  pathParts: (string | { param: string })[];
  queryParts: (string | { param: string })[];
}

function compileUri(uri: string): CompiledUri {
  // Placeholders are not valid URL characters everywhere; protect them while parsing.
  const names: string[] = [];
  const protectedUri = uri.replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name.replace(/\+$/, ''));
    return `porticoparam${names.length - 1}x`;
  });
  let url: URL;
  try {
    url = new URL(protectedUri);
  } catch {
    throw apiConfigurationError();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw apiConfigurationError();
  const split = (text: string): CompiledUri['pathParts'] =>
    text
      .split(/(porticoparam\d+x)/)
      .filter((p) => p !== '')
      .map((p) => {
        const m = /^porticoparam(\d+)x$/.exec(p);
        return m ? { param: names[Number(m[1])]! } : p;
      });
  return {
    origin: url.origin,
    pathParts: split(url.pathname),
    queryParts: url.search ? split(url.search.slice(1)) : [],
  };
}

function fill(parts: CompiledUri['pathParts'], values: Map<string, string>): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : values.get(p.param) ?? '';
  return out;
}

export function compileHttp(ctx: IntegrationCompileContext, proxy: boolean): IntegrationHandler {
  const { integration } = ctx;
  let uri: CompiledUri;
  try {
    uri = compileUri(substituteStageVariables(integration.uri ?? '', ctx.stageVariables));
  } catch (err) {
    return async () => Promise.reject(err);
  }
  const mappings = compileRequestParameters(integration.requestParameters ?? {}, ctx.stageVariables);
  const pathMappings = mappings.filter((m) => m.location === 'path');
  const queryMappings = mappings.filter((m) => m.location === 'querystring');
  const headerMappings = mappings.filter((m) => m.location === 'header');
  const configuredMethod = (integration.httpMethod ?? 'ANY').toUpperCase();
  const timeoutMs = integration.timeoutInMillis;
  const usesPlaceholders = uri.pathParts.some((p) => typeof p !== 'string') || uri.queryParts.some((p) => typeof p !== 'string');
  const staticPath = fill(uri.pathParts, new Map());
  const staticQuery = fill(uri.queryParts, new Map());
  const responses = proxy ? undefined : new IntegrationResponses(integration.integrationResponses ?? {});
  const userAgent = `AmazonAPIGateway_${ctx.apiId}`;

  return async (inv: Invocation): Promise<GatewayResult> => {
    checkDeclaredLength(inv.req);
    let path = staticPath;
    let query = staticQuery;
    if (usesPlaceholders) {
      const values = new Map<string, string>();
      // A placeholder with no mapping takes the method's path parameter of the same name.
      if (inv.pathParameters) for (const [k, v] of Object.entries(inv.pathParameters)) values.set(k, v);
      for (const m of pathMappings) {
        const v = m.source(inv);
        if (v !== undefined) values.set(m.name, v);
      }
      path = fill(uri.pathParts, values);
      query = fill(uri.queryParts, values);
    }
    const queryPieces: string[] = [];
    if (query !== '') queryPieces.push(query);
    if (proxy && inv.target.rawQuery !== '') queryPieces.push(inv.target.rawQuery);
    for (const m of queryMappings) {
      const v = m.source(inv);
      if (v !== undefined) queryPieces.push(`${encodeURIComponent(m.name)}=${encodeURIComponent(v)}`);
    }
    const fullPath = queryPieces.length > 0 ? `${path || '/'}?${queryPieces.join('&')}` : path || '/';
    const method = configuredMethod === 'ANY' ? inv.httpMethod : configuredMethod;
    const headers = proxy ? proxyRequestHeaders(inv) : plainRequestHeaders(inv, userAgent);
    applyHeaderMappings(headers, headerMappings, inv);

    const hasBody = method !== 'GET' && method !== 'HEAD' && requestHasBody(inv.req.headers);
    let body: Readable | Buffer | undefined;
    if (hasBody) body = proxy ? inv.req.pipe(new PayloadLimit()) : await inv.body();

    if (proxy) {
      let relayed;
      try {
        relayed = await relayUpstream({ origin: uri.origin, path: fullPath, method, headers, body, timeoutMs });
      } catch (err) {
        throw toGatewayError(err);
      }
      return { statusCode: relayed.statusCode, headers: proxyResponseHeaders(relayed.rawHeaders), body: relayed.body };
    }
    let response;
    try {
      response = await upstreamAgent.request({
        origin: uri.origin,
        path: fullPath,
        method: method as 'GET',
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw toGatewayError(err);
    }
    const chosen = responses!.select(String(response.statusCode));
    if (chosen.hasDynamicTemplate) {
      response.body.resume();
      throw apiConfigurationError();
    }
    const outHeaders: Record<string, string | string[]> = {
      'content-type': 'application/json',
      ...mapResponseHeaders(chosen, response.headers),
    };
    if (chosen.staticTemplate !== undefined) {
      response.body.resume();
      return { statusCode: chosen.statusCode, headers: outHeaders, body: chosen.staticTemplate };
    }
    return { statusCode: chosen.statusCode, headers: outHeaders, body: response.body };
  };
}

function requestHasBody(headers: IncomingHttpHeaders): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}

function proxyRequestHeaders(inv: Invocation): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const raw = inv.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(lower)) continue;
    const existing = out[lower];
    out[lower] = existing === undefined ? raw[i + 1]! : Array.isArray(existing) ? [...existing, raw[i + 1]!] : [existing, raw[i + 1]!];
  }
  const forwardedFor = out['x-forwarded-for'];
  out['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${inv.sourceIp}` : inv.sourceIp;
  out['x-forwarded-proto'] ??= 'http';
  out['x-forwarded-port'] ??= String(inv.listenerPort);
  out['x-amzn-trace-id'] = inv.traceId;
  out['x-amzn-apigateway-api-id'] = inv.stage.apiId;
  return out;
}

function plainRequestHeaders(inv: Invocation, userAgent: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { 'user-agent': userAgent };
  const { accept, 'content-type': contentType, 'content-length': contentLength } = inv.req.headers;
  if (accept) out.accept = accept;
  if (contentType) out['content-type'] = contentType;
  if (contentLength) out['content-length'] = contentLength;
  out['x-amzn-trace-id'] = inv.traceId;
  out['x-amzn-apigateway-api-id'] = inv.stage.apiId;
  return out;
}

function applyHeaderMappings(headers: Record<string, string | string[]>, mappings: ParameterMapping[], inv: Invocation): void {
  for (const m of mappings) {
    const lower = m.name.toLowerCase();
    // Framing headers are the gateway's to set; mapping them would corrupt the request.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host') continue;
    const v = m.source(inv);
    if (v !== undefined) headers[lower] = v;
  }
}

function proxyResponseHeaders(rawHeaders: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = out[name];
    out[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  };
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toString('latin1').toLowerCase();
    const value = rawHeaders[i + 1]!.toString('latin1');
    const remapped = REMAPPED_RESPONSE.get(name);
    if (remapped) add(remapped, value);
    // Content-Length still frames the streamed body; the others are hop-by-hop or ours.
    if (name === 'content-length' || (!HOP_BY_HOP_RESPONSE.has(name) && !remapped)) add(name, value);
  }
  return out;
}

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) return integrationTimeout();
  if (err instanceof undiciErrors.BodyTimeoutError) return integrationTimeout();
  // A request body cut off at the payload limit surfaces here as the stream's error.
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof GatewayError) return cause;
  return integrationFailure(500);
}
