/**
 * The stored REST API model as the apigateway (v1) wire shows it. AWS leaves out members that
 * are empty or unset (no `tags: {}`, no `binaryMediaTypes: []`), so these functions do too.
 */
import type { ApiRecord } from '../../model/api.js';

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
export function restApiShape(record: ApiRecord): Record<string, unknown> {
  const { restApi } = record.document;
  return compact({
    id: restApi.id,
    name: restApi.name,
    description: restApi.description,
    createdDate: restApi.createdDate,
    version: restApi.version,
    binaryMediaTypes: restApi.binaryMediaTypes,
    minimumCompressionSize: restApi.minimumCompressionSize,
    apiKeySource: restApi.apiKeySource,
    endpointConfiguration: restApi.endpointConfiguration,
    policy: restApi.policy,
    tags: restApi.tags,
    disableExecuteApiEndpoint: restApi.disableExecuteApiEndpoint,
    rootResourceId: record.document.rootResourceId,
  });
}
