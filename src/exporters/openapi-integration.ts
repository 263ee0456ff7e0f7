/**
 * A method's Integration → `x-amazon-apigateway-integration`, spelled as AWS exports it:
 * lower-case type and passthrough behaviour, integration responses keyed by selection pattern
 * (`default` for the one without), and defaults left out.
 */
import { INTEGRATION_TIMEOUT_DEFAULT_MS, type Integration, type IntegrationResponse } from '../model/rest-api.js';

const DEFAULT_RESPONSE_KEY = 'default';

/** Drops members that are undefined or empty maps/lists, which AWS leaves out of exports. */
export function compactMembers(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

export function exportIntegration(integration: Integration): Record<string, unknown> {
  return compactMembers({
    type: integration.type.toLowerCase(),
    credentials: integration.credentials,
    httpMethod: integration.httpMethod,
    uri: integration.uri,
    connectionType: integration.connectionType === 'VPC_LINK' ? integration.connectionType : undefined,
    connectionId: integration.connectionId,
    responses: exportResponses(integration.integrationResponses),
    requestParameters: integration.requestParameters,
    requestTemplates: integration.requestTemplates,
    passthroughBehavior: integration.passthroughBehavior.toLowerCase(),
    contentHandling: integration.contentHandling,
    timeoutInMillis: integration.timeoutInMillis === INTEGRATION_TIMEOUT_DEFAULT_MS ? undefined : integration.timeoutInMillis,
    cacheNamespace: integration.cacheNamespace,
    cacheKeyParameters: integration.cacheKeyParameters,
    tlsConfig: integration.tlsConfig,
  });
}

function exportResponses(responses: Record<string, IntegrationResponse>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const response of Object.values(responses)) {
    const key = response.selectionPattern ?? DEFAULT_RESPONSE_KEY;
    // Two responses without a pattern cannot both be written; the first one is the default.
    if (Object.hasOwn(out, key)) continue;
    out[key] = compactMembers({
      statusCode: response.statusCode,
      responseParameters: response.responseParameters,
      responseTemplates: response.responseTemplates,
      contentHandling: response.contentHandling,
    });
  }
  return out;
}
