/**
 * Error scenarios of the REST API operations (CreateRestApi, GetRestApi, UpdateRestApi), after
 * TestApiGatewayApiRestApi in LocalStack's tests/aws/services/apigateway/test_apigateway_api.py.
 */
import { call, restApi, shortUid, step, type Entry, type Scenario } from './scenario.js';

const A = (key: string): string => `test_apigateway_api/TestApiGatewayApiRestApi::${key}`;

const create = (id: string, input: Record<string, unknown>): Scenario => ({
  id,
  setup: [],
  call: call('CreateRestApi', () => ({ name: `test-api-${shortUid()}`, ...input })),
});

const patchApi = (id: string, patchOperations: object[], setup = [restApi({ description: 'this is my api' })]): Scenario => ({
  id,
  setup,
  call: call('UpdateRestApi', (w) => ({ restApiId: w.ids.api, patchOperations })),
});

const NOT_RECOVERABLE =
  'the recorded call arguments are not recoverable: patch_operations is set in a version of the test that is not available';

export const REST_API_SCENARIOS: Entry[] = [
  {
    id: A('test_get_api_case_insensitive/get-api-upper-case'),
    setup: [restApi({ description: 'lower case api' })],
    call: call('GetRestApi', (w) => ({ restApiId: w.ids.api.toUpperCase() })),
  },
  create(A('test_create_rest_api_with_optional_params/create-empty-desc'), { description: '' }),
  create(A('test_create_rest_api_with_optional_params/string-compression-size'), { minimumCompressionSize: -1 }),
  patchApi(A('test_update_rest_api_compression/set-negative-compression'), [
    { op: 'replace', path: '/minimumCompressionSize', value: '-1' },
  ]),
  patchApi(A('test_update_rest_api_compression/set-string-compression'), [
    { op: 'replace', path: '/minimumCompressionSize', value: 'test' },
  ]),
  patchApi(A('test_update_rest_api_compression/unsupported-operation'), [{ op: 'add', path: '/minimumCompressionSize', value: '10' }]),
  ...(['add', 'replace', 'remove'] as const).map((op) =>
    patchApi(
      A(`test_update_rest_api_behaviour/update-rest-api-${op}-base-path`),
      [{ op, path: '/binaryMediaTypes', ...(op === 'remove' ? {} : { value: 'image/gif' }) }],
      [
        restApi({ description: 'this is my api' }),
        // The recorded test first adds "-" (AWS keeps it as a literal media type).
        step('UpdateRestApi', (w) => ({
          restApiId: w.ids.api,
          patchOperations: [{ op: 'add', path: '/binaryMediaTypes/-', value: 'image/png' }],
        })),
      ],
    ),
  ),
  {
    id: A('test_update_rest_api_invalid_api_id/not-found-update-rest-api'),
    setup: [],
    call: call('UpdateRestApi', () => ({
      restApiId: 'api_id',
      patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }],
    })),
  },
  ...[
    ['create-with-empty-types', { endpointConfiguration: { types: [] } }],
    ['create-with-invalid-ip-address-type', { endpointConfiguration: { ipAddressType: 'wrong', types: ['EDGE'] } }],
    ['create-with-invalid-types', { endpointConfiguration: { ipAddressType: 'ipv4', types: ['wrong'] } }],
    ['create-with-invalid-ip-address-type-and-types', { endpointConfiguration: { ipAddressType: 'wrong', types: ['wrong'] } }],
    ['create-with-invalid-types-and-ip-address-type', { endpointConfiguration: { types: ['wrong'], ipAddressType: 'wrong' } }],
    [
      'create-with-multiple-errors-1',
      { description: '', minimumCompressionSize: -1, endpointConfiguration: { ipAddressType: 'wrong', types: ['wrong'] } },
    ],
    [
      'create-with-multiple-errors-2',
      { description: '', minimumCompressionSize: -1, endpointConfiguration: { ipAddressType: 'ipv4', types: ['EDGE'] } },
    ],
    ['create-with-two-types', { endpointConfiguration: { types: ['EDGE', 'REGIONAL'] } }],
  ].map(([key, input]) => create(A(`test_create_rest_api_with_endpoint_configuration/${key as string}`), input as Record<string, unknown>)),
  ...[
    ['create-with-private-type-and-ipv4-ip-address-type', { endpointConfiguration: { ipAddressType: 'ipv4', types: ['PRIVATE'] } }],
    ['create-with-private-type-and-wrong-ip-address-type', { endpointConfiguration: { ipAddressType: 'wrong', types: ['PRIVATE'] } }],
    [
      'create-with-private-type-and-ipv4-ip-address-type-and-empty-description',
      { description: '', endpointConfiguration: { ipAddressType: 'ipv4', types: ['PRIVATE'] } },
    ],
  ].map(([key, input]) => create(A(`test_create_rest_api_private_type/${key as string}`), input as Record<string, unknown>)),
  create(A('test_create_rest_api_verify_defaults/create-with-empty-ip-address-type-and-wrong-type'), {
    description: '',
    endpointConfiguration: { types: ['wrong'] },
  }),
  ...[
    'test_update_rest_api_ip_address_type/update-rest-api-replace-to-ipv4-within-private-type',
    'test_update_rest_api_ip_address_type/update-rest-api-wrong-ipAddressType',
    'test_update_rest_api_ip_address_type/update-rest-api-wrong-type',
    'test_update_rest_api_ip_address_type/update-rest-api-invalid-operation-on-ipAddressType',
    'test_update_rest_api_ip_address_type/update-rest-api-invalid-operation-on-type',
    'test_update_rest_api_concatenation_of_errors/update-rest-api-wrong-operations-on-ipAddressType',
    'test_update_rest_api_concatenation_of_errors/update-rest-api-wrong-operations-on-type',
    'test_update_rest_api_concatenation_of_errors/update-rest-api-wrong-operations-on-type-and-on-ip-address-type',
  ].map((key) => ({ id: A(key), outOfScope: NOT_RECOVERABLE })),
];
