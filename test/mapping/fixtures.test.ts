/**
 * The VTL conformance fixtures, run at engine level: each case's template rendered directly,
 * with the body the gateway pipeline would hand it. (The gateway suite drives the same cases
 * end to end through a server.)
 *
 * Everything must match the fixture exactly, with two exceptions explained next to the cases:
 * one LocalStack-written expectation that AWS's developer guide contradicts (the guide wins),
 * and multi-value overrides, which TemplateContext hands back comma-joined (as the gateway
 * sends them) where the fixture keeps the list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MappingTemplate, TemplateContext, type TemplateVariables } from '../../src/mapping/template.js';

interface Fixture<C> {
  cases: C[];
}

function fixture<C>(name: string): Fixture<C> {
  // Tests run from dist/test/mapping/; the fixtures stay in the source tree.
  const url = new URL(`../../../test/conformance/fixtures/vtl/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture<C>;
}

function variables(body: string, overrides: Partial<TemplateVariables> = {}): TemplateVariables {
  return {
    input: { body, params: { path: {}, querystring: {}, header: {} } },
    context: new TemplateContext({}),
    stageVariables: {},
    ...overrides,
  };
}

const render = (template: string, vars: TemplateVariables): string => MappingTemplate.compile(template).render(vars);

/** A VTL literal for a fixture argument. */
function literal(v: unknown): string {
  if (v === null) return '$null';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  return String(v);
}

interface EngineCase {
  id: string;
  call?: string;
  function?: string;
  argument?: unknown;
  template?: string;
  input_body?: string;
  variables?: Record<string, unknown> | string;
  expected_output?: string;
  expected_output_json?: unknown;
  expected_output_json_subset?: Record<string, unknown>;
  expected_request_override?: Record<string, Record<string, unknown>>;
  expected_response_override?: { status: number; header: Record<string, unknown> };
  expected?: string;
}

/** `$util.parseJson` cases state their expectation in words; these templates check each one. */
const PARSE_JSON_CHECKS: Record<string, { template: string; output: string }> = {
  'util.parseJson/[1,2,3]': {
    template: "#set($o = $util.parseJson($arg))$o.size() $o[0] $o.get(0)#if($o[0] == 1) first-is-1#end",
    output: '3 1 1 first-is-1',
  },
  'util.parseJson/{"key1":"var1","key2":{"arr":[1,2,3]}}': {
    template: '#set($o = $util.parseJson($arg))$o.key1 $o.key2.arr[0]#if($o.key2.arr[0] == 1) arr0-is-1#end $o.keySet()',
    output: 'var1 1 arr0-is-1 [key1, key2]',
  },
  'util.parseJson/"string"': {
    template: '#set($o = $util.parseJson($arg))$o $o.length()',
    output: 'string 6',
  },
  'util.parseJson/1': {
    template: '#set($o = $util.parseJson($arg))$o #set($sum = $o + 1)$sum',
    output: '1 2',
  },
  'util.parseJson/true': {
    template: '#set($o = $util.parseJson($arg))$o#if($o) is-true#end $o.booleanValue()',
    output: 'true is-true true',
  },
  'util.parseJson/[]': {
    template: '#set($o = $util.parseJson($arg))$o $o.size() $o.isEmpty()',
    output: '[] 0 true',
  },
};

const REQUEST_OVERRIDES_CASE = 'render/request-template-json-with-overrides';

describe('fixtures: vtl_engine_unit_cases.json', () => {
  const { cases } = fixture<EngineCase>('vtl_engine_unit_cases.json');
  const shared = cases.find((c) => c.id === REQUEST_OVERRIDES_CASE)!.variables as {
    input: { body: string; params: TemplateVariables['input']['params'] };
    context: Record<string, unknown>;
    stageVariables: Record<string, string>;
  };

  it('has the 31 cases this suite covers', () => assert.equal(cases.length, 31));

  for (const c of cases) {
    it(c.id, () => {
      if (c.call) {
        assert.equal(render(c.call, variables('')), c.expected_output);
        return;
      }
      if (c.function === '$util.escapeJavaScript') {
        const out = render(`$util.escapeJavaScript(${literal(c.argument)})`, variables(''));
        if (c.argument === "it's") {
          // LocalStack expects the quote left alone. AWS's guide says escapeJavaScript "will turn
          // any regular single quotes (') into escaped ones (\')" (and shows the replaceAll that
          // undoes it for JSON), so we follow AWS.
          assert.equal(out, "it\\'s");
        } else {
          assert.equal(out, c.expected_output);
        }
        return;
      }
      if (c.function === '$util.parseJson') {
        const check = PARSE_JSON_CHECKS[c.id];
        assert.ok(check, `no check written for ${c.id}`);
        assert.equal(render(`#set($arg = ${literal(c.argument)})${check.template}`, variables('')), check.output);
        return;
      }
      if (c.expected_request_override || c.expected_response_override) {
        const context = new TemplateContext(shared.context);
        const out = render(c.template!, {
          input: { body: shared.input.body, params: shared.input.params },
          context,
          stageVariables: shared.stageVariables,
        });
        // Multi-value overrides come back as the comma-joined value the gateway sends (AWS's
        // override guide shows `multivalueheader=foo,header1Valheader2Val`); the fixture keeps
        // the list. Same values, string-typed API.
        const joined = (m: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
        if (c.expected_request_override) {
          const expected = c.expected_request_override;
          assert.deepEqual(context.requestOverride(), {
            header: joined(expected.header!),
            path: joined(expected.path!),
            querystring: joined(expected.querystring!),
          });
        } else {
          const expected = c.expected_response_override!;
          assert.deepEqual(context.responseOverride(), { status: expected.status, header: joined(expected.header) });
        }
        if (c.expected_output_json_subset) {
          const parsed = JSON.parse(out) as Record<string, unknown>;
          for (const [key, value] of Object.entries(c.expected_output_json_subset)) assert.deepEqual(parsed[key], value, key);
        } else {
          JSON.parse(out); // still valid JSON
        }
        return;
      }
      // Extra variables become #set lines (the engine's variables are $input, $context, $util, $stageVariables).
      const sets = Object.entries((c.variables as Record<string, unknown> | undefined) ?? {})
        .map(([name, value]) => `#set($${name} = ${literal(value)})\n`)
        .join('');
      const out = render(sets + c.template!, variables(c.input_body ?? ''));
      if (c.expected_output_json !== undefined) assert.deepEqual(JSON.parse(out), c.expected_output_json);
      else assert.equal(out, c.expected_output);
    });
  }
});

interface PathCase {
  id: string;
  template: string;
  input: { integration_response_body: Record<string, unknown> };
  expected_output: string;
}

describe('fixtures: input_path_formatting.json', () => {
  const { cases } = fixture<PathCase>('input_path_formatting.json');
  it('has the 13 cases this suite covers', () => assert.equal(cases.length, 13));
  for (const c of cases) {
    it(c.id, () => {
      const { _note, ...echoed } = c.input.integration_response_body;
      void _note;
      assert.equal(render(c.template, variables(JSON.stringify(echoed))), c.expected_output);
    });
  }
});

interface BodyCase {
  id: string;
  request_template: string;
  response_template: string;
  input: { client_request: { raw_body: string } };
  expected_client_body: string;
}

describe('fixtures: input_body_formatting.json', () => {
  const { cases } = fixture<BodyCase>('input_body_formatting.json');
  it('has the 18 cases this suite covers', () => assert.equal(cases.length, 18));
  for (const c of cases) {
    it(c.id, () => {
      // client body → request template → echo integration (returns what it was sent) → response template.
      const context = new TemplateContext({});
      const sent = render(c.request_template, variables(c.input.client_request.raw_body, { context }));
      const out = render(c.response_template, variables(sent, { context }));
      assert.equal(out, c.expected_client_body);
    });
  }
});

interface MockCase {
  id: string;
  setup: {
    integration: { requestTemplates?: Record<string, string>; responses?: { default?: { responseTemplates?: Record<string, string> } } };
    integration_response?: { responseTemplates?: Record<string, string> };
  };
  input: { client_request: { path: string } };
  expected: { status: number; json_body?: unknown; body?: unknown; headers_include?: Record<string, string> };
}

describe('fixtures: mock_integration_templates.json (template level)', () => {
  const { cases } = fixture<MockCase>('mock_integration_templates.json');
  const pathParameter = (id: string, path: string): Record<string, string> => {
    const value = path.slice(1);
    if (id.startsWith('mock-request-override')) return { testPath: value };
    if (id.startsWith('mock-input-params-path')) return { id: value };
    if (id.startsWith('mock-openapi')) return { data: value.replace(/^echo\//, '') };
    return {};
  };

  for (const c of cases) {
    const requestTemplate = c.setup.integration.requestTemplates?.['application/json'];
    const responseTemplates = c.setup.integration_response?.responseTemplates ?? c.setup.integration.responses?.default?.responseTemplates;
    const responseTemplate = responseTemplates?.['application/json'];
    if (!requestTemplate) continue;
    it(c.id, () => {
      const context = new TemplateContext({});
      const params = { path: pathParameter(c.id, c.input.client_request.path), querystring: {}, header: {} };
      const vars = (body: string): TemplateVariables => ({ input: { body, params }, context, stageVariables: {} });
      // A MOCK integration renders the request template and answers with an empty body.
      MappingTemplate.compile(requestTemplate).render(vars(''));
      const body = responseTemplate ? MappingTemplate.compile(responseTemplate).render(vars('')) : '';
      if (c.expected.json_body !== undefined) assert.deepEqual(JSON.parse(body), c.expected.json_body);
      if (typeof c.expected.body === 'object' && c.expected.body !== null) assert.deepEqual(JSON.parse(body), c.expected.body);
      if (c.expected.body === '') assert.equal(body, '');
      const override = context.responseOverride();
      if (c.expected.status !== 200) assert.equal(override.status, c.expected.status);
      for (const [name, value] of Object.entries(c.expected.headers_include ?? {})) assert.equal(override.header[name], value);
    });
  }
});

interface LambdaCase {
  id: string;
  setup: {
    integration: { requestTemplates: Record<string, string> };
    integration_response: { responseTemplates?: Record<string, string> };
  };
  input: { client_request: { path: string; json_body?: unknown } };
  expected: { status: number; json_body: Record<string, unknown> };
}

describe('fixtures: aws_lambda_integration_templates.json (template level)', () => {
  const { cases } = fixture<LambdaCase>('aws_lambda_integration_templates.json');
  for (const c of cases) {
    it(c.id, () => {
      const context = new TemplateContext({ apiId: 'api', httpMethod: 'POST', stage: 'test', identity: { sourceIp: '127.0.0.1' } });
      const url = new URL(c.input.client_request.path, 'http://localhost');
      const params = { path: {}, querystring: Object.fromEntries(url.searchParams), header: { 'Content-Type': 'application/json' } };
      const vars = (body: string): TemplateVariables => ({ input: { body, params }, context, stageVariables: {} });
      const event = JSON.parse(MappingTemplate.compile(c.setup.integration.requestTemplates['application/json']!).render(vars(JSON.stringify(c.input.client_request.json_body ?? {})))) as Record<string, unknown>;
      const responseTemplate = c.setup.integration_response.responseTemplates?.['application/json'];
      if (!responseTemplate) {
        // The echo function returns the event: the request template's output is the response.
        assert.deepEqual(event, c.expected.json_body);
        return;
      }
      assert.deepEqual(event.body, c.input.client_request.json_body);
      // The handler's decision, as the fixture's lambda_handler makes it.
      const status = Number((event.body as { httpStatus: string }).httpStatus);
      const returned = { statusCode: 200, body: status >= 400 ? 'customerror' : 'noerror' };
      const out = MappingTemplate.compile(responseTemplate).render(vars(JSON.stringify(returned)));
      assert.deepEqual(JSON.parse(out), c.expected.json_body);
      assert.equal(context.responseOverride().status, c.expected.status);
    });
  }
});
