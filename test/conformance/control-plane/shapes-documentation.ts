/**
 * Success-shape scenarios of documentation parts and versions, keyed like shapes.ts, after
 * TestApiGatewayApiDocumentationPart in LocalStack's test_apigateway_api.py and TestDocumentations
 * in test_apigateway_common.py.
 */
import { call, restApi, step, type Entry, type Step, type World } from './scenario.js';

const DP = (key: string): string => `TestApiGatewayApiDocumentationPart::${key}`;
const DOCS = (key: string): string => `TestDocumentations::test_documentation_parts_and_versions/${key}`;

const SAMPLE = '{ "description": "Sample API description" }';
const UPDATED = '{ "description": "Updated Sample API description" }';

/** test_documentation_part_lifecycle and its siblings: an API with one API-level part, saved as `part`. */
const apiWithPart = (): Step[] => [
  restApi({ description: 'this is my api' }),
  step('CreateDocumentationPart', (w) => ({ restApiId: w.ids.api, location: { type: 'API' }, properties: SAMPLE }), (w, out) => {
    w.ids.part = out.id;
  }),
];

const updatePart = (): Step =>
  step('UpdateDocumentationPart', (w) => ({
    restApiId: w.ids.api,
    documentationPartId: w.ids.part,
    patchOperations: [{ op: 'replace', path: '/properties', value: UPDATED }],
  }));

const part = (w: World) => ({ restApiId: w.ids.api, documentationPartId: w.ids.part });

/** The test's oas30_documentation_parts.json: one GET / with a model and four documentation parts. */
const OAS30_DOCUMENTATION_PARTS = JSON.stringify({
  openapi: '3.0.0',
  info: { description: 'description', version: '1', title: 'doc' },
  paths: {
    '/': {
      get: {
        description: 'Method description.',
        responses: {
          '200': {
            description: '200 response',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } },
          },
        },
      },
    },
  },
  'x-amazon-apigateway-documentation': {
    version: '1.0.3',
    documentationParts: [
      {
        location: { type: 'API' },
        properties: { description: 'API description', info: { description: 'API info description 4', version: 'API info version 3' } },
      },
      { location: { type: 'METHOD', method: 'GET' }, properties: { description: 'Method description.' } },
      { location: { type: 'MODEL', name: 'Empty' }, properties: { title: 'Empty Schema' } },
      { location: { type: 'RESPONSE', method: 'GET', statusCode: '200' }, properties: { description: '200 response' } },
    ],
  },
  servers: [{ url: '/' }],
  components: { schemas: { Empty: { type: 'object', title: 'Empty Schema' } } },
});
const specFile = (): Uint8Array => new TextEncoder().encode(OAS30_DOCUMENTATION_PARTS);

/** import_apigw(body=spec_file, failOnWarnings=True): the API and the parts of its document. */
const importedApi = (): Step =>
  step('ImportRestApi', () => ({ body: specFile(), failOnWarnings: true }), (w, out) => {
    w.ids.api = out.id;
  });

/** The test deletes every part the API import made before importing the parts again. */
const deleteAllParts = (): Step[] => [
  step('GetDocumentationParts', (w) => ({ restApiId: w.ids.api }), (w, out) => {
    w.ids.parts = (out.items as { id: string }[]).map((p) => p.id).join(',');
  }),
  {
    op: 'DeleteDocumentationPart',
    async run(w) {
      for (const id of w.ids.parts!.split(',').filter((s) => s !== '')) {
        await w.send('DeleteDocumentationPart', { restApiId: w.ids.api, documentationPartId: id });
      }
    },
  },
];

const importParts = (): Step =>
  step('ImportDocumentationParts', (w) => ({ restApiId: w.ids.api, mode: 'overwrite', body: specFile() }));

const fooPart = (w: World) => ({ restApiId: w.ids.api, location: { type: 'API' }, properties: JSON.stringify({ foo: 'bar' }) });
const documented = (): Step[] => [restApi(), step('CreateDocumentationPart', fooPart)];
const v123 = (w: World) => ({ restApiId: w.ids.api, documentationVersion: 'v123' });
const describeV123 = (w: World) => ({
  ...v123(w),
  patchOperations: [{ op: 'replace', path: '/description', value: 'doc version new' }],
});

export const DOCUMENTATION_SHAPE_SCENARIOS: Entry[] = [
  // test_documentation_part_lifecycle
  {
    id: DP('test_documentation_part_lifecycle/create-documentation-part'),
    setup: [restApi({ description: 'this is my api' })],
    call: call('CreateDocumentationPart', (w) => ({ restApiId: w.ids.api, location: { type: 'API' }, properties: SAMPLE })),
  },
  { id: DP('test_documentation_part_lifecycle/get-documentation-part'), setup: apiWithPart(), call: call('GetDocumentationPart', part) },
  {
    id: DP('test_documentation_part_lifecycle/get-documentation-parts'),
    setup: apiWithPart(),
    call: call('GetDocumentationParts', (w) => ({ restApiId: w.ids.api })),
  },
  {
    id: DP('test_documentation_part_lifecycle/update-documentation-part'),
    setup: apiWithPart(),
    call: call('UpdateDocumentationPart', (w) => ({
      ...part(w),
      patchOperations: [{ op: 'replace', path: '/properties', value: UPDATED }],
    })),
  },
  {
    id: DP('test_documentation_part_lifecycle/get-documentation-part-after-update'),
    setup: [...apiWithPart(), updatePart()],
    call: call('GetDocumentationPart', part),
  },
  {
    id: DP('test_documentation_part_lifecycle/delete_documentation_part'),
    setup: [...apiWithPart(), updatePart()],
    call: call('DeleteDocumentationPart', part),
  },

  // test_invalid_delete_documentation_part: the delete between the two failing ones
  { id: DP('test_invalid_delete_documentation_part/delete_documentation_part'), setup: apiWithPart(), call: call('DeleteDocumentationPart', part) },

  // test_import_documentation_parts
  {
    id: DP('test_import_documentation_parts/get-documentations-parts-after-api-imports'),
    setup: [importedApi()],
    call: call('GetDocumentationParts', (w) => ({ restApiId: w.ids.api })),
  },
  {
    id: DP('test_import_documentation_parts/import-documentation-parts'),
    setup: [importedApi(), ...deleteAllParts()],
    call: call('ImportDocumentationParts', (w) => ({ restApiId: w.ids.api, mode: 'overwrite', body: specFile() })),
  },
  {
    id: DP('test_import_documentation_parts/get-documentations-parts-after-import'),
    setup: [importedApi(), ...deleteAllParts(), importParts()],
    call: call('GetDocumentationParts', (w) => ({ restApiId: w.ids.api })),
  },

  // TestDocumentations::test_documentation_parts_and_versions
  { id: DOCS('create-part-response'), setup: [restApi()], call: call('CreateDocumentationPart', fooPart) },
  { id: DOCS('create-version-response'), setup: documented(), call: call('CreateDocumentationVersion', v123) },
  {
    id: DOCS('update-version-response'),
    setup: [...documented(), step('CreateDocumentationVersion', v123)],
    call: call('UpdateDocumentationVersion', describeV123),
  },
  {
    id: DOCS('get-version-response'),
    setup: [...documented(), step('CreateDocumentationVersion', v123), step('UpdateDocumentationVersion', describeV123)],
    call: call('GetDocumentationVersion', v123),
  },
];
