/**
 * Shared machinery of the conformance runners: fixture access, the per-folder tally, placeholder
 * matching against AWS recordings, the client that puts requests on the wire the way the
 * recorder's client (python-requests) did, one Portico per group of cases, loopback backends,
 * and helpers that write the recorded setups as OpenAPI documents with API Gateway extensions.
 *
 * Each runner file registers its cases with `conformanceFolder(folder)` and calls
 * `reportConformance()` once at its top level: at the end of the file it prints one line per
 * fixture folder it ran cases of, and a total for the file. Under `node --test` every file runs
 * in its own process, so each line counts that file's cases only, and names the file.
 */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { Portico, type DeployedApi } from '../../src/portico.js';
import type { FunctionDefinition } from '../../src/model/function.js';

// Fixture files are not copied into dist/: read them from the source tree.
export const FIXTURES = new URL('../../../test/conformance/fixtures/', import.meta.url);
export const FUNCTIONS = new URL('../../../test/conformance/functions/', import.meta.url);

// Fixture JSON is recorded data in a loose shape; the runners check every field they rely on.
export type Json = any;

export const fixture = (file: string): Json => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));

// ---------------------------------------------------------------------------------------------
// The tally: every vendored case is run or listed out of scope, counted per fixture folder.

export type FixtureFolder =
  | 'vtl'
  | 'gateway-responses'
  | 'http-integration'
  | 'binary'
  | 'proxy-event-rest-v1'
  | 'proxy-response-rest-v1'
  | 'control-plane-errors'
  | 'control-plane-shapes';

interface Tally {
  total: number;
  outOfScope: number;
  run: number;
  passed: number;
}

const tallies = new Map<FixtureFolder, Tally>();

function tallyOf(folder: FixtureFolder): Tally {
  let tally = tallies.get(folder);
  if (!tally) {
    tally = { total: 0, outOfScope: 0, run: 0, passed: 0 };
    tallies.set(folder, tally);
  }
  return tally;
}

export interface FolderCases {
  /** A case run against the server: its own test, named by the case id. */
  conformanceCase(id: string, body: () => Promise<void>): void;
  /** A case not run, reported as a skipped test with the reason. */
  outOfScope(id: string, reason: string): void;
}

export function conformanceFolder(folder: FixtureFolder): FolderCases {
  const tally = tallyOf(folder);
  return {
    conformanceCase(id, body) {
      tally.total++;
      tally.run++;
      it(id, async () => {
        await body();
        tally.passed++;
      });
    },
    outOfScope(id, reason) {
      tally.total++;
      tally.outOfScope++;
      it(id, { skip: reason }, () => undefined);
    },
  };
}

const line = (t: Tally): string => `${t.passed} passed / ${t.run} run / ${t.total} total (${t.outOfScope} out of scope)`;

/** Call once at a runner file's top level: prints its per-folder lines and its total at the end. */
export function reportConformance(moduleUrl: string): void {
  const file = basename(fileURLToPath(moduleUrl));
  after(() => {
    const sum: Tally = { total: 0, outOfScope: 0, run: 0, passed: 0 };
    for (const [folder, t] of tallies) {
      console.log(`conformance ${folder}: ${line(t)} [${file}]`);
      sum.total += t.total;
      sum.outOfScope += t.outOfScope;
      sum.run += t.run;
      sum.passed += t.passed;
    }
    console.log(`conformance total: ${line(sum)} [${file}]`);
  });
}

// ---------------------------------------------------------------------------------------------
// Placeholder matching.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQUEST_TIME = /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
const TEN_MINUTES_MS = 10 * 60 * 1000;

export const isString = (v: unknown): v is string => typeof v === 'string';
export const pattern = (re: RegExp) => (v: unknown) => isString(v) && re.test(v);
export const isHttpDate = (v: unknown): boolean => isString(v) && / GMT$/.test(v) && !Number.isNaN(Date.parse(v));

export type Shape = (v: unknown) => boolean;

/** What each placeholder name stands for on AWS, as a check of the value Portico produced. */
const SHAPES: Record<string, Shape> = {
  uuid: pattern(UUID),
  'x-amzn-requestid': pattern(UUID),
  'api-id': pattern(/^[a-z0-9]{10}$/),
  rest_api_id: pattern(/^[a-z0-9]{10}$/),
  'account-id': pattern(/^\d{12}$/),
  'deployment-id': pattern(/^[a-z0-9]{6}$/),
  // AWS resource ids are 6 characters, 10 for a root resource.
  'resource-id': pattern(/^[a-z0-9]{6,10}$/),
  'extended-request-id': pattern(/^[A-Za-z0-9+/_=-]{8,}$/),
  'x-amz-apigw-id': pattern(/^[A-Za-z0-9+/_=-]{8,}$/),
  'request-time': pattern(REQUEST_TIME),
  // A number on AWS (the snapshot wrote a placeholder string), in epoch milliseconds.
  'request-time-epoch': (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(Date.now() - v) < TEN_MINUTES_MS,
  'source-ip': (v) => isString(v) && isIP(v) !== 0,
  origin: (v) => isString(v) && isIP(v) !== 0,
  // requestContext.domainName: the host name the client addressed, without a port.
  host: pattern(/^[A-Za-z0-9.-]+$/),
  // What a backend saw as its Host: a host name or address with an optional port.
  domain: pattern(/^[A-Za-z0-9.-]+(:\d+)?$/),
  date: isHttpDate,
  content_length: pattern(/^\d+$/),
};

const PLACEHOLDER = /<([A-Za-z0-9_-]+)(?::\d+)?>/g;
const WHOLE_PLACEHOLDER = /^<([A-Za-z0-9_-]+)(?::\d+)?>$/;
const INDEXED = /:\d+>$/;

export class Comparison {
  readonly diffs: string[] = [];
  /** Placeholder token → the value it matched first. */
  readonly bindings = new Map<string, unknown>();
  private readonly shapes: Record<string, Shape>;

  /**
   * `prebound`: placeholder tokens whose value is known (e.g. the API id); `shapes`: placeholder
   * names a runner's recordings use beyond the common ones.
   */
  constructor(prebound: Record<string, unknown> = {}, shapes: Record<string, Shape> = {}) {
    for (const [token, value] of Object.entries(prebound)) this.bindings.set(token, value);
    this.shapes = { ...SHAPES, ...shapes };
  }

  diff(path: string, message: string): void {
    this.diffs.push(`${path}: ${message}`);
  }

  /** Deep comparison; strings holding placeholders are matched by shape. */
  match(expected: unknown, actual: unknown, path: string): void {
    if (isString(expected) && expected.match(PLACEHOLDER)) return this.matchPlaceholders(expected, actual, path);
    if (expected === null || typeof expected !== 'object') {
      if (!Object.is(expected, actual)) this.diff(path, `expected ${show(expected)}, got ${show(actual)}`);
      return;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual) || actual.length !== expected.length) {
        this.diff(path, `expected ${show(expected)}, got ${show(actual)}`);
        return;
      }
      expected.forEach((e, i) => this.match(e, actual[i], `${path}[${i}]`));
      return;
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      this.diff(path, `expected an object ${show(expected)}, got ${show(actual)}`);
      return;
    }
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a)) this.diff(`${path}.${key}`, `missing (expected ${show(e[key])})`);
      else this.match(e[key], a[key], `${path}.${key}`);
    }
    for (const key of Object.keys(a)) {
      if (!(key in e)) this.diff(`${path}.${key}`, `not in the recording (got ${show(a[key])})`);
    }
  }

  private matchPlaceholders(expected: string, actual: unknown, path: string): void {
    const whole = WHOLE_PLACEHOLDER.exec(expected);
    if (whole) {
      this.checkToken(expected, whole[1]!, actual, path);
      return;
    }
    if (!isString(actual)) {
      this.diff(path, `expected a string like ${show(expected)}, got ${show(actual)}`);
      return;
    }
    const tokens: { token: string; name: string }[] = [];
    let source = '^';
    let last = 0;
    for (const m of expected.matchAll(PLACEHOLDER)) {
      source += escapeRegExp(expected.slice(last, m.index)) + '(.+?)';
      tokens.push({ token: m[0], name: m[1]! });
      last = m.index! + m[0].length;
    }
    source += escapeRegExp(expected.slice(last)) + '$';
    const found = new RegExp(source, 's').exec(actual);
    if (!found) {
      this.diff(path, `expected ${show(expected)}, got ${show(actual)}`);
      return;
    }
    tokens.forEach(({ token, name }, i) => this.checkToken(token, name, found[i + 1], path));
  }

  private checkToken(token: string, name: string, actual: unknown, path: string): void {
    if (this.bindings.has(token)) {
      const bound = this.bindings.get(token);
      if (!Object.is(bound, actual)) this.diff(path, `${token} was ${show(bound)} elsewhere, here ${show(actual)}`);
      return;
    }
    const shape = this.shapes[name];
    if (!shape) {
      this.diff(path, `no shape is known for the placeholder ${token} (got ${show(actual)})`);
      return;
    }
    if (!shape(actual)) {
      this.diff(path, `${show(actual)} does not have the shape of ${token}`);
      return;
    }
    // `<name:1>` stands for one value throughout a case; a bare `<name>` was replaced wherever
    // it occurred, each occurrence on its own.
    if (INDEXED.test(token)) this.bindings.set(token, actual);
  }

  assertNone(): void {
    if (this.diffs.length > 0) {
      assert.fail(`${this.diffs.length} difference(s) from the AWS recording:\n  ${this.diffs.join('\n  ')}`);
    }
  }
}

export const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Placeholders that name this API and deployment, so the match checks the real values. */
export const apiBindings = (deployed: DeployedApi): Record<string, unknown> => ({
  '<api-id>': deployed.api.id,
  '<rest_api_id:1>': deployed.api.id,
  '<deployment-id:1>': deployed.deployment.id,
});

export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

// ---------------------------------------------------------------------------------------------
// The client: requests as python-requests (the recorder's client) put them on the wire.

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  text: string;
  bytes: Buffer;
}

export interface ClientRequest {
  method: string;
  raw_path_and_query?: string;
  path?: string;
  /** requests' `params=`: appended to the target as a form-encoded query. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | null;
  json_body?: unknown;
}

export interface Wire {
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer;
}

/**
 * The raw target python-requests sent: it re-quotes a space as %20, and a '#' starts the
 * fragment, which is never sent.
 */
function requoted(target: string): string {
  const hash = target.indexOf('#');
  return (hash === -1 ? target : target.slice(0, hash)).replace(/ /g, '%20');
}

/** `json.dumps` with Python's defaults, as requests' `json=` serialises a body. */
export function pythonJsonDumps(value: unknown): string {
  const str = (s: string): string =>
    JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${str(k)}: ${pythonJsonDumps(v)}`)
    .join(', ')}}`;
}

/** urllib's `quote_plus`, as requests encodes `params=`. */
const quotePlus = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%7E/g, '~')
    .replace(/%20/g, '+');

export function requestsWire(client: ClientRequest): Wire {
  const method = client.method.toUpperCase();
  let target = client.raw_path_and_query ?? client.path;
  assert.ok(target, 'the case names no request path');
  const params = Object.entries(client.query ?? {});
  if (params.length > 0) {
    target += (target.includes('?') ? '&' : '?') + params.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
  }
  // The recorder's HTTP client (Python requests) default headers, then the call's, merged case-insensitively: a given
  // header takes the default's place with the casing the caller wrote.
  const headers: [string, string][] = [
    ['User-Agent', 'python-requests/2.32.3'],
    ['Accept-Encoding', 'gzip, deflate'],
    ['Accept', '*/*'],
    ['Connection', 'keep-alive'],
  ];
  const put = (name: string, value: string): void => {
    const i = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (i === -1) headers.push([name, value]);
    else headers[i] = [name, value];
  };
  for (const [name, value] of Object.entries(client.headers ?? {})) put(name, value);

  let body: Buffer | undefined;
  if (isString(client.body)) body = Buffer.from(client.body);
  else if (client.json_body !== undefined && client.json_body !== null) body = Buffer.from(pythonJsonDumps(client.json_body));
  if (body !== undefined) put('Content-Length', String(body.length));
  else if (method !== 'GET' && method !== 'HEAD') put('Content-Length', '0');
  if (body !== undefined && client.json_body !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    put('Content-Type', 'application/json');
  }
  return { method, path: requoted(target), headers, body };
}

/** Sends one request to 127.0.0.1:port with the given Host header; `agent` undefined means a fresh connection. */
export function send(port: number, agent: Agent | undefined, hostHeader: string, wire: Wire): Promise<Reply> {
  const headers: Record<string, string> = { Host: hostHeader };
  for (const [name, value] of wire.headers) headers[name] = value;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: wire.method, path: wire.path, headers, agent: agent ?? false, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            text: bytes.toString('utf8'),
            bytes,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(wire.body);
  });
}

/** Response headers as the recorder saw them: first casing names the header, repeats joined with ", ". */
export function recordedStyleHeaders(rawHeaders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const casing = new Map<string, string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    const key = casing.get(lower);
    if (key === undefined) {
      casing.set(lower, name);
      out[name] = rawHeaders[i + 1]!;
    } else {
      out[key] = `${out[key]}, ${rawHeaders[i + 1]!}`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One Portico per group, with its APIs deployed on first use.

/** A function by its folder under functions/ (a Node handler `index.handler`), or a full definition. */
export type FunctionSpec =
  | string
  | (Pick<FunctionDefinition, 'functionName' | 'runtime' | 'handler' | 'codeDirectory'> & Partial<FunctionDefinition>);

export interface DeployOptions {
  apiId?: string;
  stageVariables?: Record<string, string>;
}

export interface InvokeOptions {
  /** Host style (`{apiId}.execute-api.localhost`, the default) or Portico's path style. */
  style?: 'host' | 'path';
  /** A keep-alive connection from the pool (default) or a fresh one. */
  fresh?: boolean;
}

export interface Env {
  portico: Portico;
  /** Deploys the API built by `build` once per key. */
  deploy(key: string, stageName: string, build: () => object, options?: DeployOptions): Promise<DeployedApi>;
  invoke(deployed: DeployedApi, client: ClientRequest, options?: InvokeOptions): Promise<Reply>;
  /** Sends a request exactly as given: no client defaults are added. */
  invokeWire(deployed: DeployedApi, wire: Wire, options?: InvokeOptions): Promise<Reply>;
  /** The Host header a host-style request to this API carries. */
  hostOf(deployed: DeployedApi): string;
  close(): Promise<void>;
}

export async function startEnv(functions: FunctionSpec[]): Promise<Env> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-conformance-'));
  const portico = await Portico.start({ dataDir, port: 0 });
  const agent = new Agent({ keepAlive: true });
  try {
    for (const spec of functions) {
      const definition: FunctionDefinition =
        typeof spec === 'string'
          ? {
              functionName: spec,
              runtime: 'nodejs20.x',
              handler: 'index.handler',
              codeDirectory: fileURLToPath(new URL(`${spec}/`, FUNCTIONS)),
              timeout: 3,
              memorySize: 128,
              environment: {},
            }
          : { timeout: 10, memorySize: 128, environment: {}, ...spec };
      await portico.putFunction(definition);
    }
  } catch (err) {
    await portico.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const deployed = new Map<string, Promise<DeployedApi>>();
  const hostOf = (api: DeployedApi): string => `${api.api.id}.execute-api.localhost:${portico.port}`;
  const invokeWire = (api: DeployedApi, wire: Wire, options: InvokeOptions = {}): Promise<Reply> => {
    const connection = options.fresh ? undefined : agent;
    if (options.style === 'path') {
      const path = `/_aws/execute-api/${api.api.id}${wire.path}`;
      return send(portico.port, connection, `127.0.0.1:${portico.port}`, { ...wire, path });
    }
    return send(portico.port, connection, hostOf(api), wire);
  };
  return {
    portico,
    deploy(key, stageName, build, options = {}) {
      let api = deployed.get(key);
      if (!api) {
        api = portico.deployOpenApi(build(), { stageName, ...options });
        deployed.set(key, api);
      }
      return api;
    },
    invoke: (api, client, options) => invokeWire(api, requestsWire(client), options),
    invokeWire,
    hostOf,
    async close() {
      agent.destroy();
      await portico.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The stage a recorded request addressed: its first path segment. */
export function stageOf(client: ClientRequest): string {
  const target = client.raw_path_and_query ?? client.path ?? '';
  const stage = target.replace(/^\/+/, '').split(/[/?]/)[0];
  assert.ok(stage, `no stage in ${target}`);
  return stage;
}

// ---------------------------------------------------------------------------------------------
// Loopback backends.

export interface Backend {
  /** `http://127.0.0.1:PORT/` */
  base: string;
  /** `127.0.0.1:PORT`, as a request to this backend names its Host. */
  host: string;
  close(): Promise<void>;
}

/** A loopback HTTP server; the handler gets the request with its whole body read. */
export async function startBackend(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<Backend> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Recorded setups as OpenAPI documents.

export const lambdaUri = (name: string): string =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`;

export const OPERATION_KEY = (verb: string): string => (verb === 'ANY' ? 'x-amazon-apigateway-any-method' : verb.toLowerCase());

/** `method.request.{path,querystring,header}.NAME: required` as OpenAPI parameters. */
export function methodParameters(declared: Record<string, boolean>): object[] {
  const where: Record<string, string> = { path: 'path', querystring: 'query', header: 'header' };
  return Object.entries(declared).map(([key, required]) => {
    const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key);
    assert.ok(m, `unsupported method request parameter ${key}`);
    return { name: m[2], in: where[m[1]!], required: m[1] === 'path' ? true : required, schema: { type: 'string' } };
  });
}

/** One integration response as `x-amazon-apigateway-integration.responses` keys it. */
export interface IntegrationResponseSpec {
  statusCode: string;
  /** AWS's empty pattern and an absent one both make the default response. */
  selectionPattern?: string;
  responseTemplates?: Record<string, string>;
  responseParameters?: Record<string, string>;
  contentHandling?: string;
}

export function integrationResponses(responses: IntegrationResponseSpec[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const r of responses) {
    const key = r.selectionPattern === undefined || r.selectionPattern === '' ? 'default' : r.selectionPattern;
    out[key] = {
      statusCode: r.statusCode,
      ...(r.responseTemplates ? { responseTemplates: r.responseTemplates } : {}),
      ...(r.responseParameters ? { responseParameters: r.responseParameters } : {}),
      ...(r.contentHandling ? { contentHandling: r.contentHandling } : {}),
    };
  }
  return out;
}

export interface MethodSpec {
  /** `method.request.{path,querystring,header}.NAME` → required. */
  requestParameters?: Record<string, boolean>;
  /** content type → model name (a schema under components/schemas). */
  requestModels?: Record<string, string>;
  /** A name under `validators` of the API. */
  requestValidator?: string;
  /** status code → the response headers it declares and its models by content type. */
  methodResponses?: Record<string, { headers?: string[]; models?: Record<string, string> }>;
  /** `x-amazon-apigateway-integration`. */
  integration: Record<string, unknown>;
}

export interface ApiSpec {
  binaryMediaTypes?: string[];
  /** model name → JSON schema; `#/components/schemas/NAME` references become AWS model URLs. */
  models?: Record<string, object>;
  validators?: Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }>;
  gatewayResponses?: object;
  endpointTypes?: string[];
}

/** AWS's default model, created with every REST API. */
export const EMPTY_MODEL = { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' };

/** An OpenAPI 3 document of `resources`: resource path → method (or ANY) → method. */
export function restApi(title: string, resources: Record<string, Record<string, MethodSpec>>, api: ApiSpec = {}): object {
  const paths: Record<string, Record<string, object>> = {};
  const ref = (model: string): object => ({ $ref: `#/components/schemas/${model}` });
  for (const [resourcePath, methods] of Object.entries(resources)) {
    paths[resourcePath] = {};
    for (const [verb, spec] of Object.entries(methods)) {
      const parameters = methodParameters(spec.requestParameters ?? {});
      const responses: Record<string, object> = {};
      for (const [code, response] of Object.entries(spec.methodResponses ?? {})) {
        responses[code] = {
          description: `${code} response`,
          ...(response.headers && response.headers.length > 0
            ? { headers: Object.fromEntries(response.headers.map((h) => [h, { schema: { type: 'string' } }])) }
            : {}),
          ...(response.models
            ? { content: Object.fromEntries(Object.entries(response.models).map(([type, model]) => [type, { schema: ref(model) }])) }
            : {}),
        };
      }
      paths[resourcePath]![OPERATION_KEY(verb)] = {
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(spec.requestModels
          ? {
              requestBody: {
                content: Object.fromEntries(Object.entries(spec.requestModels).map(([type, model]) => [type, { schema: ref(model) }])),
              },
            }
          : {}),
        ...(spec.requestValidator ? { 'x-amazon-apigateway-request-validator': spec.requestValidator } : {}),
        responses,
        'x-amazon-apigateway-integration': spec.integration,
      };
    }
  }
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    paths,
    ...(api.models ? { components: { schemas: api.models } } : {}),
    ...(api.binaryMediaTypes ? { 'x-amazon-apigateway-binary-media-types': api.binaryMediaTypes } : {}),
    ...(api.validators ? { 'x-amazon-apigateway-request-validators': api.validators } : {}),
    ...(api.gatewayResponses ? { 'x-amazon-apigateway-gateway-responses': api.gatewayResponses } : {}),
    ...(api.endpointTypes ? { 'x-amazon-apigateway-endpoint-configuration': { types: api.endpointTypes } } : {}),
  };
}

/** An API whose resources all use one Lambda through AWS_PROXY, as the recorded setups describe. */
export function lambdaProxyApi(title: string, setup: Json, functionName: string): object {
  const integration = setup.integration ?? { type: 'AWS_PROXY', integrationHttpMethod: 'POST' };
  assert.equal(integration.type, 'AWS_PROXY');
  const parameters = methodParameters(setup.method_request_parameters ?? {});
  const paths: Record<string, Record<string, object>> = {};
  for (const [resourcePath, methods] of Object.entries(setup.resources as Record<string, Record<string, string>>)) {
    paths[resourcePath] = {};
    for (const [verb, description] of Object.entries(methods)) {
      assert.equal(description, 'AWS_PROXY lambda', `unsupported setup for ${resourcePath} ${verb}`);
      paths[resourcePath]![OPERATION_KEY(verb)] = {
        ...(parameters.length > 0 ? { parameters } : {}),
        responses: {},
        'x-amazon-apigateway-integration': {
          type: 'aws_proxy',
          httpMethod: integration.integrationHttpMethod,
          uri: lambdaUri(functionName),
          ...(integration.requestParameters ? { requestParameters: integration.requestParameters } : {}),
        },
      };
    }
  }
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    paths,
    ...(setup.gateway_responses ? { 'x-amazon-apigateway-gateway-responses': setup.gateway_responses } : {}),
  };
}

/** A MOCK method as the recorded setups write it: `MOCK 200 {statusCode:200,message:'exists'}`. */
export function mockApi(title: string, setup: Json): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const [resourcePath, methods] of Object.entries(setup.resources as Record<string, Record<string, string>>)) {
    paths[resourcePath] = {};
    for (const [verb, description] of Object.entries(methods)) {
      const m = /^MOCK (\d{3}) \{statusCode:(\d{3}),message:'([^']*)'\}$/.exec(description);
      assert.ok(m, `unsupported setup for ${resourcePath} ${verb}: ${description}`);
      paths[resourcePath]![OPERATION_KEY(verb)] = {
        responses: { [m[1]!]: { description: m[3] } },
        'x-amazon-apigateway-integration': {
          type: 'mock',
          requestTemplates: { 'application/json': JSON.stringify({ statusCode: Number(m[2]) }) },
          responses: {
            default: {
              statusCode: m[1],
              responseTemplates: { 'application/json': JSON.stringify({ statusCode: Number(m[2]), message: m[3] }) },
            },
          },
        },
      };
    }
  }
  return { openapi: '3.0.1', info: { title, version: '1' }, paths };
}

export function expectJsonError(c: Comparison, reply: Reply, expected: { status: number; json_body: unknown }): void {
  if (reply.status !== expected.status) c.diff('status', `expected ${expected.status}, got ${reply.status} (body ${show(reply.text)})`);
  const body = parseJson(reply.text);
  if (!body.ok) c.diff('body', `expected JSON ${show(expected.json_body)}, got ${show(reply.text)}`);
  else c.match(expected.json_body, body.value, 'body');
}
