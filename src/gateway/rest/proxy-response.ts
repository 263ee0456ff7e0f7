/**
 * AWS's rules for turning a Lambda proxy return value into an HTTP response (REST, payload
 * 1.0). Anything AWS would reject — not an object, unknown keys, a non-numeric statusCode,
 * multiValueHeaders that are not lists, a non-string body — is a 502 "Internal server error".
 */
import type { GatewayResult } from '../result.js';
import { integrationFailure } from '../errors.js';

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

export interface ProxyResponseOptions {
  /** Whether a base64 body should be decoded for this request (binaryMediaTypes vs Accept / Content-Type). */
  isBinary(responseContentType: string | undefined): boolean;
}

export function proxyResultToResponse(payload: unknown, options: ProxyResponseOptions): GatewayResult {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw integrationFailure(502);
  const result = payload as Record<string, unknown>;
  for (const key of Object.keys(result)) if (!ALLOWED_KEYS.has(key)) throw integrationFailure(502);

  let statusCode = 200;
  if (result.statusCode !== undefined && result.statusCode !== null) {
    const n = typeof result.statusCode === 'number' ? result.statusCode : Number(result.statusCode);
    if (typeof result.statusCode === 'boolean' || !Number.isInteger(n) || n < 100 || n > 599) throw integrationFailure(502);
    statusCode = n;
  }

  // multiValueHeaders first, then headers appended; the first casing seen names the header.
  const headers: Record<string, string | string[]> = {};
  const casing = new Map<string, string>();
  const append = (name: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') throw integrationFailure(502);
    const lower = name.toLowerCase();
    // The gateway frames the body itself; a function's framing headers would corrupt it.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') return;
    let key = casing.get(lower);
    if (key === undefined) {
      key = name;
      casing.set(lower, key);
    }
    const existing = headers[key];
    const text = String(value);
    headers[key] = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
  };
  const mvh = result.multiValueHeaders;
  if (mvh !== undefined && mvh !== null) {
    if (typeof mvh !== 'object' || Array.isArray(mvh)) throw integrationFailure(502);
    for (const [name, values] of Object.entries(mvh)) {
      if (!Array.isArray(values)) throw integrationFailure(502);
      for (const v of values) append(name, v);
    }
  }
  const h = result.headers;
  if (h !== undefined && h !== null) {
    if (typeof h !== 'object' || Array.isArray(h)) throw integrationFailure(502);
    for (const [name, value] of Object.entries(h)) append(name, value);
  }

  const contentTypeKey = casing.get('content-type');
  if (contentTypeKey === undefined) headers['Content-Type'] = 'application/json';
  const contentType = contentTypeKey === undefined ? undefined : String(headers[contentTypeKey]);

  let body: string | Buffer = '';
  if (result.body !== undefined && result.body !== null) {
    if (typeof result.body !== 'string') throw integrationFailure(502);
    body = result.body;
    if (result.isBase64Encoded === true && options.isBinary(contentType)) body = Buffer.from(body, 'base64');
  }
  return { statusCode, headers, body };
}
