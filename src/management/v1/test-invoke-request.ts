/**
 * The simulated request of TestInvokeMethod and TestInvokeAuthorizer: their input (path with
 * query string, headers, multi-value headers, body, stage variables) checked and turned into
 * the request the data plane would have received, as a real IncomingMessage so the compiled
 * pipeline runs on it unchanged.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { badRequest } from '../errors.js';

/** What AWS reports as the caller's address in a test invocation. */
export const TEST_INVOKE_SOURCE_IP = 'test-invoke-source-ip';

export interface SimulatedRequest {
  httpMethod: string;
  /** The path part of pathWithQueryString (the resource path when none was given). */
  path: string;
  /** The query string without '?', or ''. */
  rawQuery: string;
  /** Headers in the order given, names as given; a name may repeat. */
  headers: [string, string][];
  body: string;
  stageVariables: Record<string, string>;
}

/** A string-to-string map member of the input, every value checked. */
export function stringMap(value: unknown, member: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw badRequest(`Invalid value for ${member}.${k}: must be a string`);
    out[k] = v;
  }
  return out;
}

function listMap(value: unknown, member: string): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`Invalid value for ${member}.${k}: must be a list of strings`);
    out[k] = v as string[];
  }
  return out;
}

/** Reads the simulated request from a TestInvokeMethod / TestInvokeAuthorizer body. */
export function readSimulatedRequest(body: Readonly<Record<string, unknown>>, httpMethod: string, defaultPath: string): SimulatedRequest {
  const single = stringMap(body.headers, 'headers');
  const multi = listMap(body.multiValueHeaders, 'multiValueHeaders');
  const headers: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(multi)) {
    seen.add(name.toLowerCase());
    for (const v of values) headers.push([name, v]);
  }
  // A header in both maps takes its multi-value list.
  for (const [name, value] of Object.entries(single)) if (!seen.has(name.toLowerCase())) headers.push([name, value]);

  const stageVariables = stringMap(body.stageVariables, 'stageVariables');

  const given = typeof body.pathWithQueryString === 'string' && body.pathWithQueryString !== '' ? body.pathWithQueryString : defaultPath;
  const q = given.indexOf('?');
  const rawPath = q === -1 ? given : given.slice(0, q);
  return {
    httpMethod,
    path: rawPath.startsWith('/') ? rawPath : `/${rawPath}`,
    rawQuery: q === -1 ? '' : given.slice(q + 1),
    headers,
    body: typeof body.body === 'string' ? body.body : '',
    stageVariables,
  };
}

/** The simulated request as the HTTP listener would hand it over, with its body already queued. */
export function incomingMessageOf(sim: SimulatedRequest): IncomingMessage {
  // An unconnected socket: nothing is read from it, it only answers the address questions.
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: TEST_INVOKE_SOURCE_IP });
  const req = new IncomingMessage(socket);
  req.method = sim.httpMethod;
  req.url = sim.rawQuery === '' ? sim.path : `${sim.path}?${sim.rawQuery}`;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  const raw: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of sim.headers) {
    raw.push(name, value);
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  const body = Buffer.from(sim.body, 'utf8');
  // The pipeline learns that a body follows from the framing, as on the wire; the caller's
  // headers stay as given everywhere they are reported (rawHeaders).
  if (body.length > 0) headers['content-length'] = String(body.length);
  else delete headers['content-length'];
  delete headers['transfer-encoding'];
  delete headers['content-encoding'];
  req.rawHeaders = raw;
  req.headers = headers;
  if (body.length > 0) req.push(body);
  req.push(null);
  return req;
}
