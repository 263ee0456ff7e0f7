/**
 * Conformance of mapping templates (test/conformance/fixtures/vtl/): every case is driven through
 * a real Portico server, through the pipeline its recording describes.
 *
 * - input_body_formatting: client → request template → HTTP (non-proxy) integration to a
 *   loopback echo that returns the body it got verbatim (the recorded Lambda function URL did)
 *   → response template → client.
 * - input_path_formatting: HTTP (non-proxy) integration to an httpbin-style echo (`POST /post`
 *   answers `{"json": <parsed body>, "data": "<raw body>", ...}`), then the case's response
 *   template.
 * - mock_integration_templates: MOCK integrations as recorded.
 * - aws_lambda_integration_templates: AWS (non-proxy) Lambda integrations; the Python handler a
 *   case records is written to a temporary directory and served as a python3.12 function.
 * - vtl_engine_unit_cases (LocalStack unit expectations, not AWS recordings): each template or
 *   `$util` call becomes the response template of a MOCK integration, or of an HTTP integration
 *   to the verbatim echo when the case needs an input body. Expectations written as a
 *   description ("list; [0] == 1") become templates that print the property described; see
 *   DESCRIBED below.
 */
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Comparison,
  EMPTY_MODEL,
  FUNCTIONS,
  apiBindings,
  conformanceFolder,
  fixture,
  integrationResponses,
  isString,
  lambdaUri,
  parseJson,
  reportConformance,
  restApi,
  show,
  startBackend,
  startEnv,
  type Backend,
  type ClientRequest,
  type Env,
  type FunctionSpec,
  type Json,
  type Reply,
} from './support.js';

reportConformance(import.meta.url);

const { conformanceCase, outOfScope } = conformanceFolder('vtl');

/**
 * LocalStack unit expectations the AWS developer guide contradicts. The fixture README ranks
 * them: for `localstack-unit` cases, where they disagree with the guide, the guide wins.
 */
const GUIDE_DISAGREES: Record<string, string> = {
  'util.escapeJavaScript/"it\'s"':
    "LocalStack-unit expectation (it's unescaped) contradicts the AWS developer guide " +
    "(api-gateway-mapping-template-reference: $util.escapeJavaScript turns ' into \\'); the guide wins",
};

const bodyFormatting = fixture('vtl/input_body_formatting.json');
const pathFormatting = fixture('vtl/input_path_formatting.json');
const mockTemplates = fixture('vtl/mock_integration_templates.json');
const lambdaTemplates = fixture('vtl/aws_lambda_integration_templates.json');
const unitCases = fixture('vtl/vtl_engine_unit_cases.json');

/** The stage the recorded input-formatting tests deployed (their paths omit it). */
const DEV = 'dev';

// ---------------------------------------------------------------------------------------------
// Backends.

/** The recorded function URL: the body it was sent, verbatim, as application/json. */
function startVerbatimEcho(): Promise<Backend> {
  return startBackend((_req, body, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
}

/** httpbin's `POST /post`: the request described as JSON, the body parsed under `json`. */
function startHttpbinEcho(): Promise<Backend> {
  return startBackend((req, body, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'backend.invalid'}`);
    const text = body.toString('utf8');
    const parsed = parseJson(text);
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
    const payload = JSON.stringify({
      args: Object.fromEntries(url.searchParams),
      data: text,
      files: {},
      form: {},
      headers,
      json: parsed.ok ? parsed.value : null,
      origin: req.socket.remoteAddress,
      url: url.href,
    });
    res.writeHead(req.method === 'POST' && url.pathname === '/post' ? 200 : 404, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    });
    res.end(payload);
  });
}

/** What a request reached the backend as: method, path, query, headers in order, body. */
function startRecorder(): Promise<Backend> {
  return startBackend((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://backend.invalid');
    const payload = JSON.stringify({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawHeaders: req.rawHeaders,
      body: body.toString('utf8'),
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Shared checks.

/** Whether the status is the expected one; a body is compared only after a matching status. */
function expectStatus(cmp: Comparison, reply: Reply, status: number): boolean {
  if (reply.status === status) return true;
  cmp.diff('status', `expected ${status}, got ${reply.status} (body ${show(reply.text)})`);
  return false;
}

function expectText(cmp: Comparison, reply: Reply, text: string): void {
  if (reply.text !== text) cmp.diff('body', `expected ${show(text)}, got ${show(reply.text)}`);
}

function expectJson(cmp: Comparison, reply: Reply, value: unknown): void {
  const body = parseJson(reply.text);
  if (!body.ok) cmp.diff('body', `expected JSON ${show(value)}, got ${show(reply.text)}`);
  else cmp.match(value, body.value, 'body');
}

/** Every value of a response or request header, repeated lines and comma-joined lists alike. */
function headerValues(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name.toLowerCase()) out.push(...rawHeaders[i + 1]!.split(',').map((v) => v.trim()));
  }
  return out;
}

const key = (...parts: unknown[]): string => JSON.stringify(parts);

describe('vtl', () => {
  let env: Env;
  let verbatim: Backend;
  let httpbin: Backend;
  let recorder: Backend;
  let handlerDir: string;

  /** One function per distinct recorded handler, named by its text. */
  const handlerName = (source: string): string => `vtl-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;

  before(async () => {
    [verbatim, httpbin, recorder] = await Promise.all([startVerbatimEcho(), startHttpbinEcho(), startRecorder()]);
    handlerDir = await mkdtemp(join(tmpdir(), 'portico-vtl-handlers-'));
    const functions: FunctionSpec[] = [
      {
        functionName: 'python-echo',
        runtime: 'python3.12',
        handler: 'lambda_echo.handler',
        codeDirectory: fileURLToPath(new URL('python-echo/', FUNCTIONS)),
      },
    ];
    const handlers = new Set((lambdaTemplates.cases as Json[]).map((c) => c.setup.lambda_handler).filter(isString));
    for (const source of handlers) {
      const name = handlerName(source);
      const dir = join(handlerDir, name);
      await mkdir(dir);
      await writeFile(join(dir, 'handler.py'), `${source}\n`);
      functions.push({ functionName: name, runtime: 'python3.12', handler: 'handler.handler', codeDirectory: dir });
    }
    env = await startEnv(functions);
  });
  after(async () => {
    await env?.close();
    await Promise.all([verbatim?.close(), httpbin?.close(), recorder?.close()]);
    if (handlerDir) await rm(handlerDir, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------
  // $input.body: request template → verbatim echo → response template.

  describe('input_body_formatting', () => {
    for (const c of bodyFormatting.cases as Json[]) {
      conformanceCase(c.id, async () => {
        assert.match(c.pipeline, /requestTemplates.*HTTP integration.*returns event\.body verbatim.*responseTemplates/);
        const client = c.input.client_request;
        const deployed = await env.deploy(key('body', client.path, c.request_template, c.response_template), DEV, () =>
          restApi(c.id, {
            [client.path]: {
              [client.method]: {
                methodResponses: { '200': {} },
                integration: {
                  type: 'http',
                  httpMethod: 'POST',
                  uri: verbatim.base,
                  requestTemplates: { 'application/json': c.request_template },
                  responses: integrationResponses([
                    { statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': c.response_template } },
                  ]),
                },
              },
            },
          }),
        );
        const reply = await env.invoke(deployed, {
          method: client.method,
          path: `/${DEV}${client.path}`,
          headers: { 'Content-Type': client.content_type },
          body: client.raw_body,
        });
        const cmp = new Comparison();
        if (expectStatus(cmp, reply, 200)) expectText(cmp, reply, c.expected_client_body);
        cmp.assertNone();
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // $input.path: httpbin echo → response template.

  describe('input_path_formatting', () => {
    for (const c of pathFormatting.cases as Json[]) {
      conformanceCase(c.id, async () => {
        assert.match(c.template_kind, /^integration-response/);
        const client = c.input.client_request;
        const deployed = await env.deploy(key('path', client.path, c.template), DEV, () =>
          restApi(c.id, {
            [client.path]: {
              [client.method]: {
                methodResponses: { '200': {} },
                integration: {
                  type: 'http',
                  httpMethod: 'POST',
                  uri: `${httpbin.base}post`,
                  responses: integrationResponses([
                    { statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': c.template } },
                  ]),
                },
              },
            },
          }),
        );
        const reply = await env.invoke(deployed, { method: client.method, path: `/${DEV}${client.path}`, json_body: client.json_body });
        const cmp = new Comparison();
        if (expectStatus(cmp, reply, 200)) expectText(cmp, reply, c.expected_output);
        cmp.assertNone();
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // MOCK integrations.

  /**
   * The case's API. The imported case names only the operation it exercised; the rest of the
   * imported file (tests/aws/files/openapi-mock.json in LocalStack: a 200 method response with
   * the Empty model) is written out here.
   */
  const mockApi = (c: Json): object => {
    const setup = c.setup;
    if (setup.import !== undefined) {
      return {
        openapi: '3.0.1',
        info: { title: c.id, version: '1' },
        paths: {
          [setup.path]: {
            [setup.method]: {
              responses: {
                '200': { description: '200 response', content: { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } } },
              },
              'x-amazon-apigateway-integration': setup.integration,
            },
          },
        },
        components: { schemas: { Empty: { title: 'Empty Schema', type: 'object' } } },
      };
    }
    const integration = setup.integration;
    const response = setup.integration_response;
    const methodResponse = setup.method_response;
    return restApi(
      c.id,
      {
        [setup.resource]: {
          [setup.method]: {
            requestParameters: setup.method_request_parameters ?? {},
            methodResponses: { [methodResponse.statusCode]: { models: methodResponse.responseModels } },
            integration: {
              type: 'mock',
              ...(integration.integrationHttpMethod ? { httpMethod: integration.integrationHttpMethod } : {}),
              ...(integration.passthroughBehavior ? { passthroughBehavior: integration.passthroughBehavior } : {}),
              ...(integration.requestParameters ? { requestParameters: integration.requestParameters } : {}),
              requestTemplates: integration.requestTemplates,
              responses: integrationResponses([response]),
            },
          },
        },
      },
      methodResponse.responseModels ? { models: { Empty: EMPTY_MODEL } } : {},
    );
  };

  describe('mock_integration_templates', () => {
    for (const c of mockTemplates.cases as Json[]) {
      conformanceCase(c.id, async () => {
        const client: Json = c.input.client_request;
        const deployed = await env.deploy(key('mock', c.id), DEV, () => mockApi(c));
        // url_type was LocalStack's choice between its two URL forms; AWS has one. Portico has
        // both a host-style and a path-style URL: each case uses the one it names.
        const style = client.url_type === 'UrlType.PATH_BASED' ? 'path' : 'host';
        const reply = await env.invoke(
          deployed,
          { method: client.method, path: `/${DEV}${client.path}`, headers: client.headers, json_body: client.json_body },
          { style },
        );
        const expected = c.expected;
        const cmp = new Comparison(apiBindings(deployed));
        if (!expectStatus(cmp, reply, expected.status)) {
          // The status says enough.
        } else if (expected.json_body !== undefined) expectJson(cmp, reply, expected.json_body);
        else if (expected.raw_body !== undefined) expectText(cmp, reply, expected.raw_body);
        else if (isString(expected.body)) expectText(cmp, reply, expected.body);
        else if (expected.body !== undefined) expectJson(cmp, reply, expected.body);
        else cmp.diff('expected', 'the case records no body');
        for (const [name, value] of Object.entries((expected.headers_include ?? {}) as Record<string, string>)) {
          cmp.match(value, reply.headers[name.toLowerCase()], `headers.${name}`);
        }
        // expected.put_integration_response_shape is what the management API answered to
        // PutIntegration: the management API is not part of this data-plane runner.
        cmp.assertNone();
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // AWS (non-proxy) Lambda integrations.

  describe('aws_lambda_integration_templates', () => {
    /** The stage the recorded Lambda tests deployed. */
    const API = 'api';
    for (const c of lambdaTemplates.cases as Json[]) {
      conformanceCase(c.id, async () => {
        const setup = c.setup;
        const functionName = isString(setup.lambda_handler) ? handlerName(setup.lambda_handler) : 'python-echo';
        const response = setup.integration_response;
        const statuses: string[] = setup.method_responses ?? [setup.method_response.statusCode];
        const deployed = await env.deploy(key('aws', c.id), API, () =>
          restApi(c.id, {
            [setup.resource]: {
              [setup.method]: {
                requestParameters: setup.method_request_parameters ?? {},
                methodResponses: Object.fromEntries(statuses.map((s) => [s, {}])),
                integration: {
                  type: 'aws',
                  httpMethod: setup.integration.integrationHttpMethod,
                  uri: lambdaUri(functionName),
                  requestTemplates: setup.integration.requestTemplates,
                  responses: integrationResponses([response]),
                },
              },
            },
          }),
        );
        const client: Json = c.input.client_request;
        const reply = await env.invoke(deployed, {
          method: client.method,
          path: `/${API}${client.path}`,
          headers: client.headers,
          json_body: client.json_body,
        });
        const cmp = new Comparison(apiBindings(deployed));
        if (expectStatus(cmp, reply, c.expected.status)) expectJson(cmp, reply, c.expected.json_body);
        cmp.assertNone();
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // VTL engine unit expectations, through the server.

  describe('vtl_engine_unit_cases', () => {
    for (const c of unitCases.cases as Json[]) {
      if (GUIDE_DISAGREES[c.id] !== undefined) {
        outOfScope(c.id, GUIDE_DISAGREES[c.id]!);
      } else if (c.id === 'render/request-template-json-with-overrides') {
        conformanceCase(c.id, () => requestTemplateWithOverrides(c));
      } else if (c.id === 'render/response-template-json-with-overrides') {
        conformanceCase(c.id, () => responseTemplateWithOverrides(c));
      } else {
        conformanceCase(c.id, () => unitTemplate(c));
      }
    }
  });

  /** The case's template alone, rendered as a response template. */
  async function unitTemplate(c: Json): Promise<void> {
    const described = DESCRIBED[c.id];
    let template: string;
    if (described) template = described.template;
    else if (isString(c.call)) template = c.call;
    else if (isString(c.function) && 'argument' in c) template = `${c.function}(${vtlLiteral(c.argument)})`;
    else if (isString(c.template)) template = variablesPrelude(c.variables) + c.template;
    else throw new Error(`${c.id}: no template, call or function in the case`);

    const reply = await renderAsResponse(c.id, template, c.input_body);
    const cmp = new Comparison();
    if (!expectStatus(cmp, reply, 200)) {
      // The status says enough.
    } else if (described) expectText(cmp, reply, described.output);
    else if (c.expected_output !== undefined) expectText(cmp, reply, c.expected_output);
    else if (c.expected_output_json !== undefined) expectJson(cmp, reply, c.expected_output_json);
    else cmp.diff('expected', 'the case has no expectation this runner knows');
    cmp.assertNone();
  }

  /**
   * Renders `template` as the 200 integration response template: of a MOCK integration, or of
   * an HTTP integration to the verbatim echo when there is an input body to render against.
   */
  async function renderAsResponse(id: string, template: string, inputBody: unknown): Promise<Reply> {
    const responses = integrationResponses([{ statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': template } }]);
    if (inputBody === undefined) {
      const deployed = await env.deploy(key('unit', id), DEV, () =>
        restApi(id, {
          '/unit': {
            GET: {
              methodResponses: { '200': {} },
              integration: { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses },
            },
          },
        }),
      );
      return env.invoke(deployed, { method: 'GET', path: `/${DEV}/unit` });
    }
    assert.ok(isString(inputBody), `${id}: input_body must be text`);
    const deployed = await env.deploy(key('unit', id), DEV, () =>
      restApi(id, {
        '/unit': {
          POST: { methodResponses: { '200': {} }, integration: { type: 'http', httpMethod: 'POST', uri: verbatim.base, responses } },
        },
      }),
    );
    return env.invoke(deployed, {
      method: 'POST',
      path: `/${DEV}/unit`,
      headers: { 'Content-Type': 'application/json' },
      body: inputBody,
    });
  }

  /**
   * The request template renders the request (its body, method, stage, parameters and stage
   * variables, which the unit test injected and which a real request here supplies) and sets
   * request overrides, which reach the backend: a recorder behind an HTTP integration whose URI
   * path is `{proxy}`.
   *
   * Not compared: principalId, enhancedAuthContext and identity. The unit test injected an
   * authorizer context ({principalId: "12233"}) and a caller identity ({accountId: "00000",
   * apiKey: "11111"}) that no request to Portico can carry (no authorizer, no API key).
   * `headers` is compared as a subset: a real request has more headers (Host, User-Agent…) than
   * the two the unit test injected.
   */
  async function requestTemplateWithOverrides(c: Json): Promise<void> {
    const vars = c.variables;
    const stage: string = vars.context.stage;
    const resourcePath: string = vars.context.resourcePath;
    const deployed = await env.deploy(
      key('unit', c.id),
      stage,
      () =>
        restApi(c.id, {
          [resourcePath]: {
            [vars.context.httpMethod]: {
              requestParameters: { 'method.request.path.proxy': true },
              methodResponses: { '200': {} },
              integration: {
                type: 'http',
                httpMethod: 'POST',
                uri: `${recorder.base}{proxy}`,
                requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
                requestTemplates: { 'application/json': c.template },
                responses: integrationResponses([{ statusCode: '200', selectionPattern: '' }]),
              },
            },
          },
        }),
      { stageVariables: vars.stageVariables },
    );
    const params = vars.input.params;
    const client: ClientRequest = {
      method: vars.context.httpMethod,
      path: `/${stage}/${encodeURIComponent(params.path.proxy)}`,
      query: params.querystring,
      headers: params.header,
      body: vars.input.body,
    };
    const reply = await env.invoke(deployed, client);
    const cmp = new Comparison();
    const seen = parseJson(reply.text);
    if (!expectStatus(cmp, reply, 200) || !seen.ok) {
      if (!seen.ok) cmp.diff('backend', `expected the recorder's JSON, got ${show(reply.text)}`);
      cmp.assertNone();
      return;
    }
    const backend = seen.value as { path: string; query: Record<string, string>; rawHeaders: string[]; body: string };
    const rendered = parseJson(backend.body);
    if (!rendered.ok) {
      cmp.diff('rendered', `the request template did not render JSON: ${show(backend.body)}`);
    } else {
      const actual = rendered.value as Record<string, unknown>;
      const NOT_REPRODUCIBLE = new Set(['principalId', 'enhancedAuthContext', 'identity']);
      for (const [field, expected] of Object.entries(c.expected_output_json_subset as Record<string, unknown>)) {
        if (NOT_REPRODUCIBLE.has(field)) continue;
        if (field === 'headers') {
          const headers = actual.headers as Record<string, unknown> | undefined;
          for (const [name, value] of Object.entries(expected as Record<string, unknown>)) {
            cmp.match(value, headers?.[name], `rendered.headers.${name}`);
          }
        } else {
          cmp.match(expected, actual[field], `rendered.${field}`);
        }
      }
    }
    const override = c.expected_request_override;
    for (const [name, value] of Object.entries(override.path as Record<string, string>)) {
      // The URI's only placeholder is {proxy}; an override of it is the backend's path.
      assert.equal(name, 'proxy');
      cmp.match(`/${value}`, backend.path, 'backend.path');
    }
    for (const [name, value] of Object.entries(override.querystring as Record<string, string>)) {
      cmp.match(value, backend.query[name], `backend.query.${name}`);
    }
    for (const [name, value] of Object.entries(override.header as Record<string, string | string[]>)) {
      cmp.match(Array.isArray(value) ? value : [value], headerValues(backend.rawHeaders, name), `backend.headers.${name}`);
    }
    cmp.assertNone();
  }

  /**
   * The response template sets response overrides: the status and headers the client gets. A
   * list value is accepted as repeated header lines or one comma-joined line: the unit test
   * records the list, not how it is written on the wire.
   */
  async function responseTemplateWithOverrides(c: Json): Promise<void> {
    const reply = await renderAsResponse(c.id, c.template, undefined);
    const override = c.expected_response_override;
    const cmp = new Comparison();
    expectStatus(cmp, reply, override.status);
    for (const [name, value] of Object.entries(override.header as Record<string, string | string[]>)) {
      cmp.match(Array.isArray(value) ? value : [value], headerValues(reply.rawHeaders, name), `headers.${name}`);
    }
    cmp.assertNone();
  }
});

/**
 * Unit cases whose expectation is a description of the parsed value rather than output: each
 * becomes a template printing the property described.
 */
const DESCRIBED: Record<string, { template: string; output: string }> = {
  // "list; [0] == 1": indexing the list.
  'util.parseJson/[1,2,3]': { template: `#set($x = $util.parseJson('[1,2,3]'))$x[0]`, output: '1' },
  // "map; .key2.arr[0] == 1": property access through the map into the nested list.
  'util.parseJson/{"key1":"var1","key2":{"arr":[1,2,3]}}': {
    template: `#set($x = $util.parseJson('{"key1":"var1","key2":{"arr":[1,2,3]}}'))$x.key2.arr[0]`,
    output: '1',
  },
  // "string": the JSON string parses to its text, unquoted.
  'util.parseJson/"string"': { template: `#set($x = $util.parseJson('"string"'))$x`, output: 'string' },
  // "1 (number)": prints 1, and arithmetic on it works, which only a number allows.
  'util.parseJson/1': { template: `#set($x = $util.parseJson('1'))#set($y = $x + 1)$x $y`, output: '1 2' },
  // "true (boolean)": prints true.
  'util.parseJson/true': { template: `#set($x = $util.parseJson('true'))$x`, output: 'true' },
  // "[] (empty list)": an empty list, which prints as JSON.
  'util.parseJson/[]': { template: `#set($x = $util.parseJson('[]'))$x`, output: '[]' },
};

/** A case argument as a VTL literal; strings are quoted so that no character needs escaping. */
function vtlLiteral(value: unknown): string {
  if (value === null) return '$null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  assert.ok(isString(value), `unsupported argument ${show(value)}`);
  // Double quotes interpolate $ and #; single quotes take everything but a single quote.
  if (!/["$#\\]/.test(value)) return `"${value}"`;
  assert.ok(!value.includes("'"), `no VTL literal for ${show(value)}`);
  return `'${value}'`;
}

/** The unit test's scalar variables, set at the start of the template. */
function variablesPrelude(variables: unknown): string {
  if (variables === undefined) return '';
  assert.ok(variables !== null && typeof variables === 'object', `unsupported variables ${show(variables)}`);
  return Object.entries(variables as Record<string, unknown>)
    .map(([name, value]) => `#set($${name} = ${vtlLiteral(value)})`)
    .join('');
}
