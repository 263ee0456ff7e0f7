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

/**
 * test_update_rest_api_ip_address_type and test_update_rest_api_concatenation_of_errors were
 * added after every available version of test_apigateway_api.py and pass their patch operations
 * as a variable. What decides each answer is recoverable all the same: the validation messages
 * give the count and position of the operations with op 'wrong', and each BadRequest message
 * admits one kind of operation on the member its snapshot key names. Values not pinned by the
 * message are ours ('wrong', as in the file's other endpoint configuration cases).
 */
const IP_ADDRESS_TYPE = '/endpointConfiguration/ipAddressType';
const EDGE_TYPE = '/endpointConfiguration/types/EDGE';

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
  // A private API (dual-stack only) asked to become IPv4.
  patchApi(
    A('test_update_rest_api_ip_address_type/update-rest-api-replace-to-ipv4-within-private-type'),
    [{ op: 'replace', path: IP_ADDRESS_TYPE, value: 'ipv4' }],
    [restApi({ description: 'this is my api', endpointConfiguration: { types: ['PRIVATE'] } })],
  ),
  patchApi(A('test_update_rest_api_ip_address_type/update-rest-api-wrong-ipAddressType'), [{ op: 'replace', path: IP_ADDRESS_TYPE, value: 'wrong' }]),
  patchApi(A('test_update_rest_api_ip_address_type/update-rest-api-wrong-type'), [{ op: 'replace', path: EDGE_TYPE, value: 'wrong' }]),
  // Any op but replace is refused on the IP address type; add is the one a caller would try.
  patchApi(A('test_update_rest_api_ip_address_type/update-rest-api-invalid-operation-on-ipAddressType'), [
    { op: 'add', path: IP_ADDRESS_TYPE, value: 'dualstack' },
  ]),
  // Types take add, remove and replace; of JSON Patch's other ops, move is refused as this.
  patchApi(A('test_update_rest_api_ip_address_type/update-rest-api-invalid-operation-on-type'), [
    { op: 'move', path: EDGE_TYPE, from: '/endpointConfiguration/types/REGIONAL' },
  ]),
  ...(
    [
      ['update-rest-api-wrong-operations-on-ipAddressType', [IP_ADDRESS_TYPE, IP_ADDRESS_TYPE]],
      ['update-rest-api-wrong-operations-on-type', [EDGE_TYPE, EDGE_TYPE]],
      ['update-rest-api-wrong-operations-on-type-and-on-ip-address-type', [EDGE_TYPE, EDGE_TYPE, IP_ADDRESS_TYPE]],
    ] as const
  ).map(([key, paths]) =>
    patchApi(
      A(`test_update_rest_api_concatenation_of_errors/${key}`),
      paths.map((path) => ({ op: 'wrong', path, value: 'wrong' })),
    ),
  ),
];
