/**
 * HTTP and HTTP_PROXY integrations over the shared undici pools.
 *
 * HTTP_PROXY streams both ways: the client's headers (minus hop-by-hop ones) and query go to
 * the backend with X-Forwarded-* added, and the backend's status, headers and body come back
 * as they are, with the headers AWS owns renamed to `x-amzn-Remapped-*`. HTTP (non-proxy)
 * calls the backend with only what is mapped and answers through integration responses.
 * Both apply requestParameters and the integration timeout (504 past it).
 */
import { Transform, type Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, createInflate } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors } from 'undici';
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { compileRequestParameters, substituteStageVariables, type ParameterMapping } from './parameters.js';
import { IntegrationResponses } from './integration-responses.js';
import { relayUpstream, upstreamAgent } from './upstream.js';
import type { Invocation } from '../gateway/invocation.js';
import type { GatewayResult } from '../gateway/result.js';
import { GatewayError, apiConfigurationError, integrationFailure, integrationTimeout } from '../gateway/errors.js';
import { MAX_PAYLOAD_BYTES, PayloadLimit, checkDeclaredLength } from '../gateway/body.js';
import { convertRequestBody, type ResponsePayloadKind } from '../gateway/content-handling.js';
import { RequestTemplates } from './request-mapping.js';
import { MappingScope } from './mapping-scope.js';
import { endpointFailureReason, inMemoryBody, type BodyCapture, type ExecutionLog } from '../gateway/execution-log.js';

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

/** Request header mappings AWS refuses outright: they would set the integration request's framing. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);
/**
 * Request header mappings that never reach the backend: AWS drops the first five (recorded);
 * undici refuses to send Upgrade and Keep-Alive on a pooled request, so those go too.
 */
const DROPPED_MAPPED_HEADERS = new Set(['connection', 'expect', 'proxy-authenticate', 'te', 'via', 'upgrade', 'keep-alive']);

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
    return async (inv) => {
      inv.log?.fail('Execution failed due to configuration error: Invalid endpoint address');
      throw err;
    };
  }
  const mappings = compileRequestParameters(integration.requestParameters ?? {}, ctx.stageVariables);
  const pathMappings = mappings.filter((m) => m.location === 'path');
  const queryMappings = mappings.filter((m) => m.location === 'querystring');
  const headerMappings = mappings.filter((m) => m.location === 'header');
  // AWS refuses to send a request whose framing a mapping would set: every call fails (500).
  if (headerMappings.some((m) => FRAMING_HEADERS.has(m.name.toLowerCase()))) {
    return async () => Promise.reject(apiConfigurationError());
  }
  const configuredMethod = (integration.httpMethod ?? 'ANY').toUpperCase();
  const timeoutMs = integration.timeoutInMillis;
  const usesPlaceholders = uri.pathParts.some((p) => typeof p !== 'string') || uri.queryParts.some((p) => typeof p !== 'string');
  const staticPath = fill(uri.pathParts, new Map());
  const staticQuery = fill(uri.queryParts, new Map());
  const responses = proxy ? undefined : new IntegrationResponses(integration.integrationResponses ?? {});
  const requestTemplates = proxy ? undefined : new RequestTemplates(integration);
  const contextUse = proxy ? undefined : requestTemplates!.contextUse.union(responses!.contextUse);
  const userAgent = `AmazonAPIGateway_${ctx.apiId}`;

  return async (inv: Invocation): Promise<GatewayResult> => {
    checkDeclaredLength(inv.req);
    const scope = proxy ? undefined : new MappingScope(inv, contextUse);
    const method = configuredMethod === 'ANY' ? inv.httpMethod : configuredMethod;
    const sendsBody = method !== 'GET' && method !== 'HEAD';

    // Integration request body: streamed for HTTP_PROXY, mapped or passed through otherwise.
    let body: Readable | Buffer | string | undefined;
    let mappedContentType: string | undefined;
    if (proxy) {
      if (sendsBody && requestHasBody(inv.req.headers)) {
        body = decodedStream(inv.req);
        // A logged request's body is seen on its way to the backend, never read ahead for the log.
        const capture = inv.log?.requestCapture();
        if (capture !== undefined) body = capturing(body, capture);
      }
    } else {
      const choice = requestTemplates!.select(inv.req.headers['content-type']);
      const raw = await inv.body();
      if (inv.log) inv.log.requestBody(raw);
      const isBinary = inv.stage.isBinaryMediaType(inv.req.headers['content-type']);
      const converted = convertRequestBody(raw, isBinary, integration.contentHandling);
      if (choice.kind === 'template') {
        // AWS cannot map a body it was told to turn into binary (recorded: 500).
        if (integration.contentHandling === 'CONVERT_TO_BINARY') throw apiConfigurationError();
        body = choice.template.isStatic ? choice.source : scope!.render(choice.template, converted.toString('utf8'));
        mappedContentType = choice.contentType;
      } else {
        body = converted;
      }
      if (!sendsBody) body = undefined;
    }

    const overrides = scope?.hasContext ? scope.context.requestOverride() : undefined;
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
      if (overrides) for (const [k, v] of Object.entries(overrides.path)) values.set(k, v);
      path = fill(uri.pathParts, values);
      query = fill(uri.queryParts, values);
    }
    const queryPieces: string[] = [];
    if (query !== '') queryPieces.push(query);
    if (proxy && inv.target.rawQuery !== '') queryPieces.push(inv.target.rawQuery);
    const mappedQuery = new Map<string, string>();
    for (const m of queryMappings) {
      const v = m.source(inv);
      if (v !== undefined) mappedQuery.set(m.name, v);
    }
    if (overrides) for (const [k, v] of Object.entries(overrides.querystring)) mappedQuery.set(k, v);
    for (const [k, v] of mappedQuery) queryPieces.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    const fullPath = queryPieces.length > 0 ? `${path || '/'}?${queryPieces.join('&')}` : path || '/';
    const headers = proxy ? proxyRequestHeaders(inv) : plainRequestHeaders(inv, userAgent, mappedContentType, body !== undefined && Buffer.byteLength(body as Buffer | string) > 0);
    applyHeaderMappings(headers, headerMappings, inv);
    if (overrides) {
      for (const [k, v] of Object.entries(overrides.header)) {
        const lower = k.toLowerCase();
        if (!FRAMING_HEADERS.has(lower) && !DROPPED_REQUEST_HEADERS.has(lower)) headers[lower] = v;
      }
    }
    if (!proxy) {
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body as Buffer | string));
    }

    const sentAt = inv.log ? Date.now() : 0;
    if (proxy) {
      const responseCapture = inv.log?.responseCapture();
      let relayed;
      try {
        relayed = await relayUpstream({ origin: uri.origin, path: fullPath, method, headers, body: body as Readable | undefined, timeoutMs, capture: responseCapture });
      } catch (err) {
        if (inv.log) logFailedExchange(inv.log, err, uri.origin + fullPath, headers, undefined);
        throw toGatewayError(err);
      }
      if (inv.log) {
        const received: [string, string][] = [];
        for (let i = 0; i < relayed.rawHeaders.length; i += 2) received.push([relayed.rawHeaders[i]!.toString('latin1'), relayed.rawHeaders[i + 1]!.toString('latin1')]);
        inv.log.endpointRequest({ uri: uri.origin + fullPath, headers });
        inv.log.endpointResponse({ statusCode: relayed.statusCode, latencyMs: Date.now() - sentAt, headers: received, body: responseCapture });
      }
      const relayedResult: GatewayResult = { statusCode: relayed.statusCode, headers: proxyResponseHeaders(relayed.rawHeaders), body: relayed.body };
      if (inv.log) inv.log.methodResult(relayedResult.statusCode, relayedResult.headers, responseCapture);
      return relayedResult;
    }
    let response;
    let backendBody: Buffer;
    try {
      response = await upstreamAgent.request({
        origin: uri.origin,
        path: fullPath,
        method: method as 'GET',
        headers,
        body: body as Buffer | string | undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      backendBody = await readBounded(response.body);
    } catch (err) {
      if (inv.log) logFailedExchange(inv.log, err, uri.origin + fullPath, headers, loggedBody(body));
      throw toGatewayError(err);
    }
    if (inv.log) {
      inv.log.endpointRequest({ uri: uri.origin + fullPath, headers, body: loggedBody(body) });
      inv.log.endpointResponse({ statusCode: response.statusCode, latencyMs: Date.now() - sentAt, headers: response.headers, body: backendBody.toString('utf8') });
    }
    const chosen = responses!.select(String(response.statusCode));
    const result = chosen.build(scope!, { headers: response.headers, body: backendBody }, responseKind(inv, response.headers));
    result.headers['X-Amzn-Trace-Id'] = inv.responseTraceId;
    if (inv.log) inv.log.methodResult(result.statusCode, result.headers, inMemoryBody(result.body));
    return result;
  };
}

/** Whether the backend's payload and the client's Accept are binary media types of the API. */
function responseKind(inv: Invocation, headers: Record<string, string | string[] | undefined>): ResponsePayloadKind {
  const contentType = headers['content-type'];
  return {
    payloadIsBinary: inv.stage.isBinaryMediaType(Array.isArray(contentType) ? contentType[0] : contentType),
    acceptIsBinary: inv.stage.isBinaryMediaType(inv.req.headers.accept),
  };
}

/** A non-proxy backend body is mapped in memory: read it within the payload limit. */
async function readBounded(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) {
      body.destroy();
      throw integrationFailure(500);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * An HTTP_PROXY request body as the backend gets it: AWS decompresses gzip / deflate payloads
 * (and drops the Content-Encoding), so the body is inflated on the way through, bounded by the
 * payload limit like any other.
 */
function decodedStream(req: Invocation['req']): Readable {
  const coding = req.headers['content-encoding']?.trim().toLowerCase();
  const limited = new PayloadLimit();
  // A sync flush at the end lets an empty body (a coding header with nothing to decode) through.
  if (coding === 'gzip') return req.pipe(createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH })).pipe(limited);
  if (coding === 'deflate') return req.pipe(createInflate({ finishFlush: zlibConstants.Z_SYNC_FLUSH })).pipe(limited);
  return req.pipe(limited);
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
  // The body is inflated on the way (see decodedStream): its coding and length are no longer true.
  const coding = inv.req.headers['content-encoding']?.trim().toLowerCase();
  if (coding === 'gzip' || coding === 'deflate') {
    delete out['content-encoding'];
    if (requestHasBody(inv.req.headers)) delete out['content-length'];
  }
  out['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${inv.sourceIp}` : inv.sourceIp;
  out['x-forwarded-proto'] ??= 'http';
  out['x-forwarded-port'] ??= String(inv.listenerPort);
  out['x-amzn-trace-id'] = inv.traceId;
  out['x-amzn-apigateway-api-id'] = inv.stage.apiId;
  return out;
}

function plainRequestHeaders(inv: Invocation, userAgent: string, mappedContentType: string | undefined, hasBody: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { 'user-agent': userAgent };
  const { accept, 'content-type': contentType } = inv.req.headers;
  if (accept) out.accept = accept;
  const sentType = contentType ?? mappedContentType;
  // AWS describes only a body it sends (recorded: a bodiless GET arrives without Content-Type).
  if (sentType && hasBody) out['content-type'] = sentType;
  out['x-amzn-trace-id'] = inv.traceId;
  out['x-amzn-apigateway-api-id'] = inv.stage.apiId;
  return out;
}

function applyHeaderMappings(headers: Record<string, string | string[]>, mappings: ParameterMapping[], inv: Invocation): void {
  for (const m of mappings) {
    const lower = m.name.toLowerCase();
    // Hop-by-hop headers are the gateway's own: AWS drops mappings onto them.
    if (DROPPED_MAPPED_HEADERS.has(lower)) continue;
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

/** A mapped request body as the log shows it (decoded only if data is logged). */
const loggedBody = (body: Readable | Buffer | string | undefined): string | Buffer =>
  body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : '';

/**
 * The request body stream with its first bytes shown to a capture as they pass. An error of the
 * source (the payload limit) reaches the backend call as before.
 */
function capturing(source: Readable, capture: BodyCapture): Readable {
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      capture.add(chunk);
      callback(null, chunk);
    },
  });
  source.once('error', (err) => tee.destroy(err));
  return source.pipe(tee);
}

/**
 * The execution log of a backend call that got no response. AWS checks the endpoint address
 * before it builds the request, so an address that does not resolve logs no request lines.
 */
function logFailedExchange(log: ExecutionLog, err: unknown, uri: string, headers: Record<string, string | string[]>, body: string | Buffer | undefined): void {
  const reason = endpointFailureReason(err);
  if (reason?.includes('Invalid endpoint address')) return log.fail(reason);
  log.endpointRequest({ uri, headers, body });
  if (reason) log.fail(reason);
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
