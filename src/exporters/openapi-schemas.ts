/**
 * Models → reusable schemas (`definitions` in Swagger 2.0, `components/schemas` in OpenAPI 3).
 * API Gateway stores references between models as model URLs; an export turns them back into
 * document-local `$ref`s so the file stands on its own and imports again.
 */
import type { Model } from '../model/rest-api.js';
import { modelRef, type ExportContext } from './openapi-context.js';

const MODEL_URL = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/]+)$/;

/** Only JSON models can be exported, as on AWS; other content types have no schema form. */
const isJsonModel = (model: Model): boolean => /^application\/([^;]*\+)?json\b/i.test(model.contentType);

export function exportSchemas(ctx: ExportContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const model of Object.values(ctx.doc.models)) {
    if (!isJsonModel(model)) continue;
    out[model.name] = schemaOf(ctx, model);
  }
  return out;
}

function schemaOf(ctx: ExportContext, model: Model): unknown {
  if (model.schema === undefined || model.schema.trim() === '') return { type: 'object' };
  let schema: unknown;
  try {
    schema = JSON.parse(model.schema);
  } catch {
    // Stored models are validated JSON; a broken one still must not break the whole export.
    return { type: 'object' };
  }
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
    // The draft-4 marker is API Gateway's storage detail; OpenAPI schemas do not carry it.
    delete (schema as Record<string, unknown>).$schema;
  }
  return rewriteModelUrls(ctx, schema, false);
}

function rewriteModelUrls(ctx: ExportContext, value: unknown, underProperties: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteModelUrls(ctx, item, false));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    let next: unknown;
    // Under `properties` the keys are property names, so a property called "$ref" is data.
    if (key === '$ref' && !underProperties && typeof child === 'string') {
      const match = MODEL_URL.exec(child);
      next = match ? modelRef(ctx.type, decodeURIComponent(match[1]!)) : child;
    } else {
      next = rewriteModelUrls(ctx, child, key === 'properties' && !underProperties);
    }
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
