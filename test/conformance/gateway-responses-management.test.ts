/**
 * Conformance of gateway responses through the management API (apigateway v1), in the
 * gateway-responses fixture folder:
 *
 * - the three recordings of LocalStack's TestApiGatewayGatewayResponse (test_gateway_response_put,
 *   test_gateway_response_validation, test_update_gateway_response), each replayed call by call
 *   with the AWS SDK v3 against a real Portico, every response and error compared with the one
 *   recorded under the call's snapshot key;
 * - the default gateway responses (default_gateway_responses.json) whose only recording is their
 *   GetGatewayResponses shape: a fresh REST API must answer that shape for the type.
 *
 * None of these recordings shows what a client of the deployed API saw, so nothing here goes
 * through the data plane; conformance.test.ts checks the default responses it can trigger there.
 */
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateRestApiCommand,
  DeleteGatewayResponseCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  PutGatewayResponseCommand,
  UpdateGatewayResponseCommand,
  type APIGatewayClient,
  type GatewayResponseType,
  type Op,
} from '@aws-sdk/client-api-gateway';
import { Comparison, conformanceFolder, fixture, pythonJsonDumps, reportConformance, show, type Json } from './support.js';
import { startManagement, type ManagementHarness, type SdkError } from '../management/harness.js';

reportConformance(import.meta.url);

/**
 * Default gateway responses checked here, through the management API: each has no data-plane
 * trigger whose message AWS recorded, so the recorded GetGatewayResponses shape is what can be
 * checked. conformance.test.ts leaves exactly these types to this file.
 * - INTEGRATION_FAILURE: AWS does not answer a failing integration with this type's default
 *   (504); conformance.test.ts's rest-v1-proxy/integration-http-method-GET-fails case checks
 *   the status it does answer.
 * - UNSUPPORTED_MEDIA_TYPE: passthroughBehavior NEVER with an unmatched Content-Type triggers
 *   it, but only the status and template were recorded, not the message the template prints.
 */
const DEFAULT_RESPONSES_CHECKED_HERE = [
  'API_CONFIGURATION_ERROR',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'REQUEST_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly GatewayResponseType[];

/** LocalStack's snapshot writes the recording account's id as this (its default transformer). */
const RECORDED_ACCOUNT = '111111111111';

/** The template LocalStack's tests put, a JSON-ish body naming the error's context. */
const CONTEXT_TEMPLATE =
  '{\n     "message": $context.error.messageString,\n     "type":  "$context.error.responseType",\n     "stage":  "$context.stage",\n     "resourcePath":  "$context.resourcePath",\n     "stageVariables.a":  "$stageVariables.a",\n     "statusCode": "\'404\'"\n}';

const ALL_HEADERS = {
  'gatewayresponse.header.x-request-path': 'method.request.path.petId',
  'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'",
  'gatewayresponse.header.x-request-query': 'method.request.querystring.q',
  'gatewayresponse.header.x-request-header': 'method.request.header.Accept',
};

/** What every SDK v3 output has; the members are read after a JSON round trip. */
type Output = { $metadata: { httpStatusCode?: number } };

/** One recorded call: the snapshot key it was recorded under and the call that reproduces it. */
interface Step {
  key: string;
  call: () => Promise<Output>;
}

interface ReplayOptions {
  /** The test's SortingTransformer: the snapshot holds `items` sorted by responseType. */
  sortItems?: boolean;
  /** Literal values the test's own transformers replaced, as recorded → as sent. */
  replaced?: Record<string, string>;
}

/**
 * The snapshot recorder stores a string that holds a JSON object parsed; where the recording
 * has an object and the SDK a string, the string is read as JSON so the two can be compared.
 */
function asRecorded(expected: unknown, actual: unknown): unknown {
  if (expected === null || typeof expected !== 'object') return actual;
  if (typeof actual === 'string' && !Array.isArray(expected)) {
    try {
      return JSON.parse(actual);
    } catch {
      return actual;
    }
  }
  if (actual === null || typeof actual !== 'object') return actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) ? actual.map((a, i) => asRecorded(expected[i], a)) : actual;
  }
  const e = expected as Record<string, unknown>;
  return Object.fromEntries(Object.entries(actual as Record<string, unknown>).map(([k, v]) => [k, asRecorded(e[k], v)]));
}

/**
 * Deep comparison where every recorded value is literal: these recordings hold no placeholders
 * (a `<type>` in them is XML in a template), so Comparison's placeholder matching is not used
 * for bodies.
 */
function literal(cmp: Comparison, expected: unknown, actual: unknown, path: string): void {
  if (expected === null || typeof expected !== 'object') {
    if (!Object.is(expected, actual)) cmp.diff(path, `expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      cmp.diff(path, `expected ${show(expected)}, got ${show(actual)}`);
      return;
    }
    expected.forEach((e, i) => literal(cmp, e, actual[i], `${path}[${i}]`));
    return;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    cmp.diff(path, `expected an object ${show(expected)}, got ${show(actual)}`);
    return;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!(key in a)) cmp.diff(`${path}.${key}`, `missing (expected ${show(e[key])})`);
    else literal(cmp, e[key], a[key], `${path}.${key}`);
  }
  for (const key of Object.keys(a)) if (!(key in e)) cmp.diff(`${path}.${key}`, `not in the recording (got ${show(a[key])})`);
}

/** An SDK output as the recorder saw the response body: no $metadata, no absent members. */
function bodyOf(output: Output, sortItems: boolean): Json {
  const { $metadata: _metadata, ...rest } = output;
  const body: Json = JSON.parse(JSON.stringify(rest));
  if (sortItems && Array.isArray(body.items)) {
    body.items.sort((a: Json, b: Json) => (a.responseType < b.responseType ? -1 : a.responseType > b.responseType ? 1 : 0));
  }
  return body;
}

/** A recorded message with the snapshot's replacements turned back into what this run sent. */
function messageAsSent(recorded: string, replaced: Record<string, string>): string {
  let message = recorded.split(RECORDED_ACCOUNT).join('<account-id:1>');
  for (const [from, to] of Object.entries(replaced)) message = message.split(from).join(to);
  return message;
}

/**
 * Runs the steps in order, in the order the snapshot recorded them, and compares each with
 * its recording: an error by name, message and HTTP status, a response by its members and
 * status. All differences of the sequence are reported together.
 */
async function replay(recorded: Record<string, Json>, steps: Step[], options: ReplayOptions = {}): Promise<void> {
  assert.deepEqual(
    steps.map((s) => s.key),
    Object.keys(recorded),
    'the steps reproduce every recorded call, in the recorded order',
  );
  const cmp = new Comparison();
  for (const step of steps) {
    const expected = recorded[step.key];
    const expectedStatus: number = expected.ResponseMetadata.HTTPStatusCode;
    let output: Output | undefined;
    let error: SdkError | undefined;
    try {
      output = await step.call();
    } catch (err) {
      error = err as SdkError;
    }
    if (expected.Error !== undefined) {
      if (!error) {
        cmp.diff(step.key, `expected ${expected.Error.Code} (${expected.Error.Message}), but the call succeeded with ${show(output)}`);
        continue;
      }
      literal(cmp, expected.Error.Code, error.name, `${step.key}.Error.Code`);
      // The one placeholder: the account id, which is Portico's own (any 12 digits).
      cmp.match(messageAsSent(expected.Error.Message, options.replaced ?? {}), error.message, `${step.key}.Error.Message`);
      literal(cmp, expectedStatus, error.$metadata?.httpStatusCode, `${step.key}.HTTPStatusCode`);
      continue;
    }
    if (!output) {
      cmp.diff(step.key, `expected a response, got ${error?.name} ${error?.$metadata?.httpStatusCode}: ${error?.message}`);
      continue;
    }
    const { ResponseMetadata: _metadata, ...body } = expected;
    literal(cmp, body, asRecorded(body, bodyOf(output, options.sortItems ?? false)), step.key);
    literal(cmp, expectedStatus, output.$metadata.httpStatusCode, `${step.key}.HTTPStatusCode`);
  }
  cmp.assertNone();
}

/** `apigw_create_rest_api` as the recorded tests call it. */
async function createRestApi(v1: APIGatewayClient): Promise<string> {
  const api = await v1.send(new CreateRestApiCommand({ name: `test-api-${shortUid()}`, description: 'APIGW test GatewayResponse' }));
  assert.ok(api.id);
  return api.id;
}

/** LocalStack's `short_uid()`: 8 hex characters. */
const shortUid = (): string => randomUUID().slice(0, 8);

describe('gateway-responses (management API)', () => {
  const { conformanceCase } = conformanceFolder('gateway-responses');
  let harness: ManagementHarness;

  before(async () => {
    harness = await startManagement();
  });
  after(async () => {
    await harness?.close();
  });

  conformanceCase('gateway-responses/test_gateway_response_put', async () => {
    const { v1 } = harness;
    const recording = fixture('gateway-responses/test_gateway_response_put.json');
    const restApiId = await createRestApi(v1);
    const put = (input: Omit<ConstructorParameters<typeof PutGatewayResponseCommand>[0], 'restApiId'>) => () =>
      v1.send(new PutGatewayResponseCommand({ restApiId, ...input }));
    await replay(
      recording.recorded,
      [
        {
          key: 'put-gateway-response-all-value',
          call: put({
            responseType: 'MISSING_AUTHENTICATION_TOKEN',
            statusCode: '404',
            responseParameters: ALL_HEADERS,
            responseTemplates: { 'application/json': CONTEXT_TEMPLATE },
          }),
        },
        { key: 'put-gateway-response-status-only', call: put({ responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '404' }) },
        {
          key: 'put-gateway-response-response-parameters-only',
          call: put({
            responseType: 'MISSING_AUTHENTICATION_TOKEN',
            responseParameters: { 'gatewayresponse.header.x-request-header': 'method.request.header.Accept' },
          }),
        },
        {
          key: 'put-gateway-response-response-templates-only',
          call: put({ responseType: 'MISSING_AUTHENTICATION_TOKEN', responseTemplates: { 'application/json': CONTEXT_TEMPLATE } }),
        },
        {
          key: 'put-gateway-response-default-5xx',
          call: put({
            responseType: 'DEFAULT_5XX',
            statusCode: '599',
            responseParameters: { 'gatewayresponse.header.x-request-header': 'method.request.header.Accept' },
            responseTemplates: { 'application/json': CONTEXT_TEMPLATE },
          }),
        },
        {
          key: 'put-gateway-response-default-ignored',
          call: put({ responseType: 'AUTHORIZER_FAILURE', responseParameters: { 'gatewayresponse.header.foo': "'bar'" } }),
        },
        { key: 'get-gateway-responses', call: () => v1.send(new GetGatewayResponsesCommand({ restApiId })) },
      ],
      { sortItems: true },
    );
  });

  conformanceCase('gateway-responses/test_gateway_response_validation', async () => {
    const { v1 } = harness;
    const recording = fixture('gateway-responses/test_gateway_response_validation.json');
    const restApiId = await createRestApi(v1);
    const fakeId = `apiid123${shortUid()}`;
    // The recorder's client skipped its own parameter validation so AWS saw the unknown type;
    // the SDK v3 client does not check enums, so a cast is all it takes.
    const fakeType = 'FAKE_RESPONSE_TYPE' as GatewayResponseType;
    await replay(
      recording.recorded,
      [
        { key: 'get-gateway-responses-no-api', call: () => v1.send(new GetGatewayResponsesCommand({ restApiId: fakeId })) },
        {
          key: 'get-gateway-response-no-api',
          call: () => v1.send(new GetGatewayResponseCommand({ restApiId: fakeId, responseType: 'DEFAULT_4XX' })),
        },
        {
          key: 'delete-gateway-response-no-api',
          call: () => v1.send(new DeleteGatewayResponseCommand({ restApiId: fakeId, responseType: 'DEFAULT_4XX' })),
        },
        {
          key: 'update-gateway-response-no-api',
          call: () => v1.send(new UpdateGatewayResponseCommand({ restApiId: fakeId, responseType: 'DEFAULT_4XX', patchOperations: [] })),
        },
        {
          key: 'delete-gateway-response-not-set',
          call: () => v1.send(new DeleteGatewayResponseCommand({ restApiId, responseType: 'DEFAULT_4XX' })),
        },
        {
          key: 'get-gateway-response-wrong-response-type',
          call: () => v1.send(new GetGatewayResponseCommand({ restApiId, responseType: fakeType })),
        },
        {
          key: 'delete-gateway-response-wrong-response-type',
          call: () => v1.send(new DeleteGatewayResponseCommand({ restApiId, responseType: fakeType })),
        },
        {
          key: 'update-gateway-response-wrong-response-type',
          call: () => v1.send(new UpdateGatewayResponseCommand({ restApiId, responseType: fakeType, patchOperations: [] })),
        },
        {
          key: 'put-gateway-response-wrong-response-type',
          call: () =>
            v1.send(
              new PutGatewayResponseCommand({ restApiId, responseType: fakeType, statusCode: '404', responseParameters: {}, responseTemplates: {} }),
            ),
        },
      ],
      // The test's regex transformer wrote its fake API id as this.
      { replaced: { 'fake-api-id': fakeId } },
    );
  });

  conformanceCase('gateway-responses/test_update_gateway_response', async () => {
    const { v1 } = harness;
    const recording = fixture('gateway-responses/test_update_gateway_response.json');
    const restApiId = await createRestApi(v1);
    type Patch = NonNullable<ConstructorParameters<typeof UpdateGatewayResponseCommand>[0]['patchOperations']>;
    const update = (responseType: GatewayResponseType, patchOperations: Patch) => () =>
      v1.send(new UpdateGatewayResponseCommand({ restApiId, responseType, patchOperations }));
    const allowOrigin = '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin';
    const xmlTemplate =
      '<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType</type></gatewayResponse>';
    await replay(recording.recorded, [
      { key: 'update-gateway-response-not-set', call: update('DEFAULT_4XX', [{ op: 'replace', path: '/statusCode', value: '444' }]) },
      { key: 'default-get-gateway-response', call: () => v1.send(new GetGatewayResponseCommand({ restApiId, responseType: 'DEFAULT_4XX' })) },
      {
        key: 'put-gateway-response',
        call: () =>
          v1.send(
            new PutGatewayResponseCommand({
              restApiId,
              responseType: 'DEFAULT_4XX',
              statusCode: '404',
              responseParameters: ALL_HEADERS,
              // The test put a template that is itself a JSON document, serialised by json.dumps.
              responseTemplates: { 'application/json': pythonJsonDumps({ 'application/json': '{"message":$context.error.messageString}' }) },
            }),
          ),
      },
      {
        key: 'update-gateway-response',
        call: update('DEFAULT_4XX', [
          { op: 'replace', path: '/statusCode', value: '444' },
          { op: 'replace', path: allowOrigin, value: "'example.com'" },
          { op: 'add', path: '/responseTemplates/application~1xml', value: xmlTemplate },
        ]),
      },
      { key: 'get-gateway-response', call: () => v1.send(new GetGatewayResponseCommand({ restApiId, responseType: 'DEFAULT_4XX' })) },
      { key: 'update-gateway-add-status-code', call: update('DEFAULT_4XX', [{ op: 'add', path: '/statusCode', value: '444' }]) },
      { key: 'update-gateway-remove-status-code', call: update('DEFAULT_4XX', [{ op: 'remove', path: '/statusCode' }]) },
      {
        key: 'update-gateway-replace-invalid-parameter',
        call: update('DEFAULT_5XX', [{ op: 'replace', path: allowOrigin, value: "'example.com'" }]),
      },
      // No path at all: the SDK leaves the member out, as the recorder's client did.
      { key: 'update-gateway-no-path', call: update('DEFAULT_4XX', [{ op: 'add', value: "'example.com'" }]) },
      {
        key: 'update-gateway-wrong-op',
        call: update('DEFAULT_4XX', [{ op: 'wrong-op' as Op, path: '/statusCode', value: "'example.com'" }]),
      },
      { key: 'update-gateway-wrong-path', call: update('DEFAULT_4XX', [{ op: 'add', path: '/wrongPath', value: "'example.com'" }]) },
      // The test sent `value: None`; the SDK v3 serialiser drops a null member, so the value is
      // absent, which AWS treats alike ("null or empty").
      {
        key: 'update-gateway-replace-invalid-parameter-0-none',
        call: update('DEFAULT_4XX', [{ op: 'replace', path: '/responseTemplates/application~1xml' }]),
      },
      { key: 'update-gateway-replace-invalid-parameter-1-none', call: update('DEFAULT_4XX', [{ op: 'replace', path: allowOrigin }]) },
    ]);
  });

  const defaults = fixture('gateway-responses/default_gateway_responses.json');
  for (const type of DEFAULT_RESPONSES_CHECKED_HERE) {
    conformanceCase(`default-gateway-responses/${type}`, async () => {
      const item = (defaults.items as Json[]).find((i) => i.responseType === type);
      assert.ok(item, `no recorded default for ${type}`);
      // The fixture writes DEFAULT_4XX's and DEFAULT_5XX's absent statusCode as null.
      const { _overridden_in_test: _override, ...shape } = item;
      const expected: Json = Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== null));

      const { v1 } = harness;
      const restApiId = await createRestApi(v1);
      const one = await v1.send(new GetGatewayResponseCommand({ restApiId, responseType: type }));
      const all = await v1.send(new GetGatewayResponsesCommand({ restApiId }));
      const listed = (all.items ?? []).filter((r) => r.responseType === type);

      const cmp = new Comparison();
      literal(cmp, expected, bodyOf(one, false), 'GetGatewayResponse');
      literal(cmp, 200, one.$metadata.httpStatusCode, 'GetGatewayResponse.HTTPStatusCode');
      // The recording is the type's row of GetGatewayResponses: it must be there, once, the same.
      if (listed.length !== 1) cmp.diff('GetGatewayResponses.items', `expected one ${type}, got ${listed.length}`);
      else literal(cmp, expected, JSON.parse(JSON.stringify(listed[0])), `GetGatewayResponses.items[${type}]`);
      cmp.assertNone();
    });
  }
});
