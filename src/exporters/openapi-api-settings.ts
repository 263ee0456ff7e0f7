/**
 * API-wide extensions of an export: binary media types, API key source, minimum compression
 * size, resource policy, request validators and gateway responses. The endpoint configuration
 * is left out, as AWS leaves it out of exports.
 */
import { compactMembers } from './openapi-integration.js';
import type { ExportContext } from './openapi-context.js';

export function exportApiSettings(ctx: ExportContext): Record<string, unknown> {
  if (!ctx.extensions.apigateway) return {};
  const { restApi, requestValidators, gatewayResponses } = ctx.doc;
  const validators: Record<string, unknown> = {};
  for (const v of Object.values(requestValidators)) {
    validators[v.name] = { validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters };
  }
  const responses: Record<string, unknown> = {};
  for (const [type, r] of Object.entries(gatewayResponses)) {
    if (!r) continue;
    responses[type] = compactMembers({ statusCode: r.statusCode, responseParameters: r.responseParameters, responseTemplates: r.responseTemplates });
  }
  return compactMembers({
    'x-amazon-apigateway-binary-media-types': restApi.binaryMediaTypes,
    // HEADER is the default; writing it would only add noise.
    'x-amazon-apigateway-api-key-source': restApi.apiKeySource === 'HEADER' ? undefined : restApi.apiKeySource,
    'x-amazon-apigateway-minimum-compression-size': restApi.minimumCompressionSize,
    'x-amazon-apigateway-policy': parsePolicy(restApi.policy),
    'x-amazon-apigateway-request-validators': validators,
    'x-amazon-apigateway-gateway-responses': responses,
  });
}

function parsePolicy(policy: string | undefined): unknown {
  if (policy === undefined || policy === '') return undefined;
  try {
    return JSON.parse(policy);
  } catch {
    return policy;
  }
}
