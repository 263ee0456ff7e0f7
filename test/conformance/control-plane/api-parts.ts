/**
 * Error scenarios of models, request validators, gateway responses, documentation parts and VPC
 * links, after the matching test classes in LocalStack's test_apigateway_api.py.
 */
import { call, restApi, shortUid, step, type Entry, type Step } from './scenario.js';

const T = (cls: string) => (key: string): string => `test_apigateway_api/${cls}::${key}`;
const MO = T('TestApiGatewayApiModels');
const RV = T('TestApiGatewayApiRequestValidator');
const GR = T('TestApiGatewayGatewayResponse');
const DP = T('TestApiGatewayApiDocumentationPart');
const VL = T('TestApiGatewayVpcLink');

const mySchema = (): Step =>
  step('CreateModel', (w) => ({
    name: 'MySchema',
    restApiId: w.ids.api,
    contentType: 'application/json',
    description: '',
    schema: JSON.stringify({ title: 'MySchema', type: 'object' }),
  }));

const validator = (): Step[] => [
  restApi({ description: 'my api' }),
  step('CreateRequestValidator', (w) => ({ restApiId: w.ids.api, name: `test-validator-${shortUid()}` }), (w, out) => {
    w.ids.validator = out.id;
  }),
];

const FAKE_API = 'fake-api-id'; // the recording's fake id, as its snapshot transformer wrote it

const DEFAULT_4XX_TEMPLATES = { 'application/json': JSON.stringify({ 'application/json': '{"message":$context.error.messageString}' }) };

/** test_update_gateway_response up to its error cases: DEFAULT_4XX put, then updated. */
const updatedGatewayResponse = (): Step[] => [
  restApi({ description: 'APIGW test GatewayResponse' }),
  step('UpdateGatewayResponse', (w) => ({
    restApiId: w.ids.api,
    responseType: 'DEFAULT_4XX',
    patchOperations: [{ op: 'replace', path: '/statusCode', value: '444' }],
  })),
  step('PutGatewayResponse', (w) => ({
    restApiId: w.ids.api,
    responseType: 'DEFAULT_4XX',
    statusCode: '404',
    responseParameters: {
      'gatewayresponse.header.x-request-path': 'method.request.path.petId',
      'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'",
      'gatewayresponse.header.x-request-query': 'method.request.querystring.q',
      'gatewayresponse.header.x-request-header': 'method.request.header.Accept',
    },
    responseTemplates: DEFAULT_4XX_TEMPLATES,
  })),
  step('UpdateGatewayResponse', (w) => ({
    restApiId: w.ids.api,
    responseType: 'DEFAULT_4XX',
    patchOperations: [
      { op: 'replace', path: '/statusCode', value: '444' },
      { op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" },
      {
        op: 'add',
        path: '/responseTemplates/application~1xml',
        value: '<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType</type></gatewayResponse>',
      },
    ],
  })),
];

const docPart = (): Step[] => [
  restApi({ description: 'this is my api' }),
  step(
    'CreateDocumentationPart',
    (w) => ({ restApiId: w.ids.api, location: { type: 'API' }, properties: '{ "description": "Sample API description" }' }),
    (w, out) => {
      w.ids.part = out.id;
    },
  ),
];
const UPDATED_PROPERTIES = '{ "description": "Updated Sample API description" }';

export const API_PART_SCENARIOS: Entry[] = [
  // Models
  ...[
    ['create-model-wrong-id', 'CreateModel', { name: 'MySchema', contentType: 'application/json', description: 'Test model', schema: JSON.stringify({ title: 'MySchema', type: 'object' }) }],
    ['get-models-wrong-id', 'GetModels', {}],
    ['get-model-wrong-id', 'GetModel', { modelName: 'MySchema' }],
    ['del-model-wrong-id', 'DeleteModel', { modelName: 'MySchema' }],
  ].map(([key, op, input]) => ({
    id: MO(`test_model_validation/${key as string}`),
    setup: [],
    call: call(op as string, () => ({ restApiId: 'abcde0', ...(input as object) })),
  })),
  ...[
    ['create-model-already-exists', { name: 'MySchema', schema: JSON.stringify({ title: 'MySchema', type: 'object' }) }],
    ['create-model-empty-name', { name: '', schema: JSON.stringify({ title: 'MySchema', type: 'object' }) }],
    ['create-model-empty-schema', { name: 'MyEmptySchema', schema: '' }],
    ['create-model-no-schema-json', { name: 'MyEmptySchema' }],
    ['create-model-no-schema-xml', { name: 'MyEmptySchemaXml', contentType: 'application/xml' }],
  ].map(([key, input]) => ({
    id: MO(`test_model_validation/${key as string}`),
    setup: [restApi({ description: 'testing resource model lifecycle' }), mySchema()],
    call: call('CreateModel', (w) => ({ restApiId: w.ids.api, contentType: 'application/json', description: '', ...(input as object) })),
  })),
  {
    id: MO('test_update_model/update-model-wrong-id'),
    setup: [],
    call: call('UpdateModel', () => ({
      restApiId: 'abcde0',
      modelName: 'mySchema',
      patchOperations: [
        { op: 'replace', path: '/schema', value: JSON.stringify({ title: 'Updated schema', type: 'object' }) },
        { op: 'replace', path: '/description', value: '' },
      ],
    })),
  },
  ...[
    ['update-model-invalid-op', { op: 'add', path: '/wrong-path', value: 'not supported op' }],
    ['update-model-invalid-path', { op: 'replace', path: '/name', value: 'invalid' }],
    ['update-model-empty-schema', { op: 'replace', path: '/schema', value: '' }],
  ].map(([key, patch]) => ({
    id: MO(`test_update_model/${key as string}`),
    setup: [restApi({ description: 'testing update resource model' }), mySchema()],
    call: call('UpdateModel', (w) => ({ restApiId: w.ids.api, modelName: 'MySchema', patchOperations: [patch] })),
  })),

  // Request validators
  {
    id: RV('test_validators_crud_no_api/wrong-rest-api-id-create-validator'),
    setup: [],
    call: call('CreateRequestValidator', () => ({
      restApiId: 'test-fake-rest-id',
      name: 'test-validator',
      validateRequestBody: true,
      validateRequestParameters: false,
    })),
  },
  {
    id: RV('test_validators_crud_no_api/wrong-rest-api-id-get-validators'),
    setup: [],
    call: call('GetRequestValidators', () => ({ restApiId: 'test-fake-rest-id' })),
  },
  {
    id: RV('test_request_validator_lifecycle/get-deleted-request-validator'),
    setup: [...validator(), step('DeleteRequestValidator', (w) => ({ restApiId: w.ids.api, requestValidatorId: w.ids.validator }))],
    call: call('GetRequestValidator', (w) => ({ restApiId: w.ids.api, requestValidatorId: w.ids.validator })),
  },
  ...(['get', 'delete'] as const).flatMap((verb) => {
    const op = verb === 'get' ? 'GetRequestValidator' : 'DeleteRequestValidator';
    const key = verb === 'get' ? 'test_invalid_get_request_validator/get-request-validators' : 'test_invalid_delete_request_validator/delete-request-validator';
    return [
      { id: RV(`${key}-invalid-api-id`), setup: validator(), call: call(op, (w) => ({ restApiId: 'api_id', requestValidatorId: w.ids.validator })) },
      { id: RV(`${key}-invalid-validator-id`), setup: validator(), call: call(op, (w) => ({ restApiId: w.ids.api, requestValidatorId: 'validator_id' })) },
    ];
  }),
  {
    id: RV('test_invalid_get_request_validators/get-invalid-request-validators'),
    setup: [],
    call: call('GetRequestValidators', () => ({ restApiId: 'api_id' })),
  },
  {
    id: RV('test_create_request_validator_invalid_api_id/invalid-create-request-validator'),
    setup: [],
    call: call('CreateRequestValidator', () => ({ restApiId: 'api_id', name: `test-validator-${shortUid()}` })),
  },
  ...[
    ['update-request-validator-invalid-add-operation', { op: 'add', path: '/validateRequestBody', value: 'true' }],
    ['update-request-validator-invalid-remove-operation', { op: 'remove', path: '/validateRequestBody', value: 'true' }],
    ['update-request-validator-invalid-path', { op: 'replace', path: '/invalidPath', value: 'true' }],
    ['update-request-validator-empty-name-value', { op: 'replace', path: '/name' }],
  ].map(([key, patch]) => ({
    id: RV(`test_invalid_update_request_validator_operations/${key as string}`),
    setup: validator(),
    call: call('UpdateRequestValidator', (w) => ({ restApiId: w.ids.api, requestValidatorId: w.ids.validator, patchOperations: [patch] })),
  })),

  // Gateway responses
  ...[
    ['get-gateway-responses-no-api', 'GetGatewayResponses', { restApiId: FAKE_API }],
    ['get-gateway-response-no-api', 'GetGatewayResponse', { restApiId: FAKE_API, responseType: 'DEFAULT_4XX' }],
    ['delete-gateway-response-no-api', 'DeleteGatewayResponse', { restApiId: FAKE_API, responseType: 'DEFAULT_4XX' }],
    ['update-gateway-response-no-api', 'UpdateGatewayResponse', { restApiId: FAKE_API, responseType: 'DEFAULT_4XX', patchOperations: [] }],
    ['delete-gateway-response-not-set', 'DeleteGatewayResponse', { responseType: 'DEFAULT_4XX' }],
    ['get-gateway-response-wrong-response-type', 'GetGatewayResponse', { responseType: 'FAKE_RESPONSE_TYPE' }],
    ['delete-gateway-response-wrong-response-type', 'DeleteGatewayResponse', { responseType: 'FAKE_RESPONSE_TYPE' }],
    ['update-gateway-response-wrong-response-type', 'UpdateGatewayResponse', { responseType: 'FAKE_RESPONSE_TYPE', patchOperations: [] }],
    [
      'put-gateway-response-wrong-response-type',
      'PutGatewayResponse',
      { responseType: 'FAKE_RESPONSE_TYPE', statusCode: '404', responseParameters: {}, responseTemplates: {} },
    ],
  ].map(([key, op, input]) => ({
    id: GR(`test_gateway_response_validation/${key as string}`),
    setup: [restApi({ description: 'APIGW test GatewayResponse' })],
    call: call(op as string, (w) => ({ restApiId: w.ids.api, ...(input as object) })),
  })),
  ...[
    ['update-gateway-add-status-code', 'DEFAULT_4XX', [{ op: 'add', path: '/statusCode', value: '444' }]],
    ['update-gateway-remove-status-code', 'DEFAULT_4XX', [{ op: 'remove', path: '/statusCode' }]],
    [
      'update-gateway-replace-invalid-parameter',
      'DEFAULT_5XX',
      [{ op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" }],
    ],
    // boto3 leaves out a member set to None, as the SDK leaves out an undefined one.
    ['update-gateway-no-path', 'DEFAULT_4XX', [{ op: 'add', value: "'example.com'" }]],
    ['update-gateway-wrong-op', 'DEFAULT_4XX', [{ op: 'wrong-op', path: '/statusCode', value: "'example.com'" }]],
    ['update-gateway-wrong-path', 'DEFAULT_4XX', [{ op: 'add', path: '/wrongPath', value: "'example.com'" }]],
    ['update-gateway-replace-invalid-parameter-0-none', 'DEFAULT_4XX', [{ op: 'replace', path: '/responseTemplates/application~1xml' }]],
    [
      'update-gateway-replace-invalid-parameter-1-none',
      'DEFAULT_4XX',
      [{ op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin' }],
    ],
  ].map(([key, responseType, patchOperations]) => ({
    id: GR(`test_update_gateway_response/${key as string}`),
    setup: updatedGatewayResponse(),
    call: call('UpdateGatewayResponse', (w) => ({ restApiId: w.ids.api, responseType, patchOperations })),
  })),

  // Documentation parts
  {
    id: DP('test_doc_parts_crud_no_api/wrong-rest-api-id-create-doc-part'),
    setup: [],
    call: call('CreateDocumentationPart', () => ({
      restApiId: 'test-fake-rest-id',
      location: { type: 'API' },
      properties: '{\n\t"info": {\n\t\t"description" : "Your first API with Amazon API Gateway."\n\t}\n}',
    })),
  },
  {
    id: DP('test_doc_parts_crud_no_api/wrong-rest-api-id-get-doc-parts'),
    setup: [],
    call: call('GetDocumentationParts', () => ({ restApiId: 'test-fake-rest-id' })),
  },
  {
    id: DP('test_invalid_get_documentation_part/get-documentation-part-invalid-api-id'),
    setup: docPart(),
    call: call('GetDocumentationPart', (w) => ({ restApiId: 'api_id', documentationPartId: w.ids.part })),
  },
  {
    id: DP('test_invalid_get_documentation_part/get-documentation-part-invalid-doc-id'),
    setup: docPart(),
    call: call('GetDocumentationPart', (w) => ({ restApiId: w.ids.api, documentationPartId: 'documentation_part_id' })),
  },
  {
    id: DP('test_invalid_get_documentation_parts/get-inavlid-documentation-parts'),
    setup: [],
    call: call('GetDocumentationParts', () => ({ restApiId: 'api_id' })),
  },
  ...[
    ['update-documentation-part-invalid-api-id', true, { op: 'replace', path: '/properties', value: UPDATED_PROPERTIES }],
    ['update-documentation-part-invalid-add-operation', false, { op: 'add', path: '/properties', value: UPDATED_PROPERTIES }],
    ['update-documentation-part-invalid-path', false, { op: 'replace', path: '/invalidPath', value: UPDATED_PROPERTIES }],
  ].map(([key, wrongApi, patch]) => ({
    id: DP(`test_invalid_update_documentation_part/${key as string}`),
    setup: docPart(),
    call: call('UpdateDocumentationPart', (w) => ({
      restApiId: wrongApi ? 'api_id' : w.ids.api,
      documentationPartId: w.ids.part,
      patchOperations: [patch],
    })),
  })),
  {
    id: DP('test_invalid_create_documentation_part_operations/create_documentation_part_invalid_api_id'),
    setup: [restApi({ description: 'this is my api' })],
    call: call('CreateDocumentationPart', () => ({
      restApiId: 'api_id',
      location: { type: 'API' },
      properties: '{ "description": "Sample API description" }',
    })),
  },
  {
    id: DP('test_invalid_create_documentation_part_operations/create_documentation_part_invalid_location_type'),
    setup: [restApi({ description: 'this is my api' })],
    call: call('CreateDocumentationPart', (w) => ({
      restApiId: w.ids.api,
      location: { type: 'INVALID' },
      properties: '{ "description": "Sample API description" }',
    })),
  },
  {
    id: DP('test_invalid_delete_documentation_part/delete_documentation_part_wrong_api_id'),
    setup: docPart(),
    call: call('DeleteDocumentationPart', (w) => ({ restApiId: 'api_id', documentationPartId: w.ids.part })),
  },
  {
    id: DP('test_invalid_delete_documentation_part/delete_already_deleted_documentation_part'),
    setup: [...docPart(), step('DeleteDocumentationPart', (w) => ({ restApiId: w.ids.api, documentationPartId: w.ids.part }))],
    call: call('DeleteDocumentationPart', (w) => ({ restApiId: w.ids.api, documentationPartId: w.ids.part })),
  },
  {
    id: DP('test_import_documentation_parts_bad_file/import-documentation-parts-bad-yaml-file'),
    outOfScope: 'the recorded call arguments are not recoverable: the bad YAML document (bad_yaml_string) is defined in a version of the test that is not available',
  },
  {
    // The body is in the recorded arguments; the API it is imported into does not change the answer.
    id: DP('test_import_documentation_parts_bad_file/import-documentation-parts-bad-json-file'),
    setup: [restApi({ description: 'this is my api' })],
    call: call('ImportDocumentationParts', (w) => ({
      restApiId: w.ids.api,
      mode: 'overwrite',
      body: new TextEncoder().encode("{'key:value}"),
    })),
  },

  // VPC links
  {
    id: VL('test_create_vpc_link_invalid_parameters/create_vpc_link_invalid_target_arn'),
    setup: [],
    call: call('CreateVpcLink', () => ({ name: `test-vpc-link-${shortUid()}`, targetArns: ['invalid-arn'] })),
  },
  {
    id: VL('test_create_vpc_link_invalid_parameters/create_vpc_link_empty_name'),
    setup: [],
    call: call('CreateVpcLink', () => ({ name: '', targetArns: [] })),
  },
  { id: VL('test_get_vpc_link_invalid_id/get_vpc_link_invalid_id'), setup: [], call: call('GetVpcLink', () => ({ vpcLinkId: 'invalid-id' })) },
  {
    id: VL('test_delete_vpc_link_invalid_id/delete_vpc_link_invalid_id'),
    setup: [],
    call: call('DeleteVpcLink', () => ({ vpcLinkId: 'invalid-id' })),
  },
  {
    // The recorded patch list is not in the recording; a name replacement, the update the
    // lifecycle recording makes, stands in: the link is looked up before any operation applies.
    id: VL('test_update_vpc_link_invalid_id/update_vpc_link_invalid_id'),
    setup: [],
    call: call('UpdateVpcLink', () => ({ vpcLinkId: 'invalid-id', patchOperations: [{ op: 'replace', path: '/name', value: 'new-name' }] })),
  },
];
