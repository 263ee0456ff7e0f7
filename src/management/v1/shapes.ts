/**
 * The stored REST API model as the apigateway (v1) wire shows it. AWS leaves out members that
 * are empty or unset (no `tags: {}`, no `binaryMediaTypes: []`), so these functions do too.
 */
import type { ApiRecord } from '../../model/api.js';
import type { EndpointConfiguration, Integration, IntegrationResponse, Method, MethodResponse, Resource } from '../../model/rest-api.js';
import { withSentEmpty } from './structure-empty-maps.js';
import { escapedPolicy } from './structure-rest-api-policy.js';

/**
 * The endpoint configuration as stored, with the IP address type AWS reports for it. The model
 * has no member for it yet, so an explicit choice rides along in the stored JSON.
 */
export type EndpointConfigurationWithIp = EndpointConfiguration & { ipAddressType?: IpAddressType };
export const IP_ADDRESS_TYPES = ['ipv4', 'dualstack'] as const;
export type IpAddressType = (typeof IP_ADDRESS_TYPES)[number];

/** What AWS reports when none was chosen: private APIs are dual-stack only. */
export function ipAddressTypeOf(config: EndpointConfigurationWithIp): IpAddressType {
  return config.ipAddressType ?? (config.types.includes('PRIVATE') ? 'dualstack' : 'ipv4');
}

function endpointConfigurationShape(config: EndpointConfigurationWithIp): Record<string, unknown> {
  return compact({ ipAddressType: ipAddressTypeOf(config), types: config.types, vpcEndpointIds: config.vpcEndpointIds });
}

/** Drops undefined members, and empty maps and lists, as AWS's answers do. */
export function compact(shape: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shape)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) continue;
    out[key] = value;
  }
  return out;
}

/** A RestApi (CreateRestApi, GetRestApi, ImportRestApi, PutRestApi, UpdateRestApi…). */
export function restApiShape(record: ApiRecord, options: { tags?: 'always' } = {}): Record<string, unknown> {
  const { restApi } = record.document;
  const shape = compact({
    id: restApi.id,
    name: restApi.name,
    description: restApi.description,
    createdDate: restApi.createdDate,
    version: restApi.version,
    binaryMediaTypes: restApi.binaryMediaTypes,
    minimumCompressionSize: restApi.minimumCompressionSize,
    apiKeySource: restApi.apiKeySource,
    endpointConfiguration: endpointConfigurationShape(restApi.endpointConfiguration),
    policy: escapedPolicy(restApi.policy),
    tags: restApi.tags,
    disableExecuteApiEndpoint: restApi.disableExecuteApiEndpoint,
    rootResourceId: record.document.rootResourceId,
  });
  // Get, Put and Update answers carry `tags` even when there are none; Create and list items do not (recorded).
  if (options.tags === 'always') shape.tags = restApi.tags ?? {};
  return shape;
}

/**
 * A Resource. Without `embed=methods` AWS lists only the method names (`{"GET": {}}`); with it,
 * each method in full.
 */
export function resourceShape(resource: Resource, embedMethods = false): Record<string, unknown> {
  const resourceMethods: Record<string, unknown> = {};
  for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
    if (method) resourceMethods[httpMethod] = embedMethods ? methodShape(method) : {};
  }
  return compact({
    id: resource.id,
    parentId: resource.parentId,
    pathPart: resource.pathPart,
    path: resource.path,
    resourceMethods,
  });
}

export function methodShape(method: Method): Record<string, unknown> {
  const methodResponses: Record<string, unknown> = {};
  for (const [statusCode, response] of Object.entries(method.methodResponses)) methodResponses[statusCode] = methodResponseShape(response);
  return compact({
    httpMethod: method.httpMethod,
    authorizationType: method.authorizationType,
    authorizerId: method.authorizerId,
    apiKeyRequired: method.apiKeyRequired,
    requestValidatorId: method.requestValidatorId,
    operationName: method.operationName,
    requestParameters: method.requestParameters,
    requestModels: method.requestModels,
    methodResponses,
    methodIntegration: method.methodIntegration && integrationShape(method.methodIntegration),
    authorizationScopes: method.authorizationScopes,
  });
}

export function methodResponseShape(response: MethodResponse): Record<string, unknown> {
  return withSentEmpty(
    response,
    compact({
      statusCode: response.statusCode,
      responseParameters: response.responseParameters,
      responseModels: response.responseModels,
    }),
  );
}

/** An Integration. AWS always lists `cacheKeyParameters`, even empty. */
export function integrationShape(integration: Integration): Record<string, unknown> {
  const integrationResponses: Record<string, unknown> = {};
  for (const [statusCode, response] of Object.entries(integration.integrationResponses)) {
    integrationResponses[statusCode] = integrationResponseShape(response);
  }
  return {
    ...compact({
      type: integration.type,
      httpMethod: integration.httpMethod,
      uri: integration.uri,
      connectionType: integration.connectionType,
      connectionId: integration.connectionId,
      credentials: integration.credentials,
      requestParameters: integration.requestParameters,
      requestTemplates: integration.requestTemplates,
      passthroughBehavior: integration.passthroughBehavior,
      contentHandling: integration.contentHandling,
      timeoutInMillis: integration.timeoutInMillis,
      cacheNamespace: integration.cacheNamespace,
      integrationResponses,
      tlsConfig: integration.tlsConfig,
    }),
    cacheKeyParameters: integration.cacheKeyParameters,
  };
}

/** An IntegrationResponse; an empty `selectionPattern` (the default response) is kept as sent. */
export function integrationResponseShape(response: IntegrationResponse): Record<string, unknown> {
  return withSentEmpty(
    response,
    compact({
      statusCode: response.statusCode,
      selectionPattern: response.selectionPattern,
      responseParameters: response.responseParameters,
      responseTemplates: response.responseTemplates,
      contentHandling: response.contentHandling,
    }),
  );
}
