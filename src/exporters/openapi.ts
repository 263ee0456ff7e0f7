/**
 * Export of a deployed REST API as OpenAPI 3.0.1 (`oas30`) or Swagger 2.0 (`swagger`), the
 * inverse of the OpenAPI importer: what GetExport answers. The document describes the stage
 * at AWS's invoke host, so it imports again (into Portico or AWS) as the same API.
 */
import { stringify } from 'yaml';
import type { RestApiDocument } from '../model/rest-api.js';
import { NO_EXTENSIONS, type ExportContext, type ExportExtensions, type ExportType } from './openapi-context.js';
import { exportApiSettings } from './openapi-api-settings.js';
import { exportPaths } from './openapi-operations.js';
import { exportSchemas } from './openapi-schemas.js';
import { securitySchemes } from './openapi-security.js';

export { NO_EXTENSIONS, type ExportExtensions, type ExportType } from './openapi-context.js';

export const EXPORT_TYPES: readonly ExportType[] = ['oas30', 'swagger'];

export interface OpenApiExportOptions {
  type: ExportType;
  extensions?: ExportExtensions;
  stageName: string;
  region: string;
  /** Epoch seconds of the deployment; the version when the API sets none. */
  deployedAt: number;
}

/** `2024-01-01T00:00:00Z`: AWS's version string for APIs without a version of their own. */
export function deploymentVersion(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `info.version` of the export (also part of AWS's download file name). */
export function exportVersion(doc: RestApiDocument, deployedAt: number): string {
  return doc.restApi.version ?? deploymentVersion(deployedAt);
}

export function exportOpenApi(doc: RestApiDocument, options: OpenApiExportOptions): Record<string, unknown> {
  const ctx: ExportContext = { doc, type: options.type, extensions: options.extensions ?? NO_EXTENSIONS };
  const { restApi } = doc;
  const host = `${restApi.id}.execute-api.${options.region}.amazonaws.com`;
  const info: Record<string, unknown> = { title: restApi.name };
  if (restApi.description !== undefined) info.description = restApi.description;
  info.version = exportVersion(doc, options.deployedAt);

  const { paths, schemes } = exportPaths(ctx);
  const schemas = exportSchemas(ctx);
  const security = securitySchemes(ctx, schemes);
  const settings = exportApiSettings(ctx);

  if (options.type === 'swagger') {
    const out: Record<string, unknown> = {
      swagger: '2.0',
      info,
      host,
      basePath: `/${options.stageName}`,
      schemes: ['https'],
      paths,
    };
    if (Object.keys(security).length > 0) out.securityDefinitions = security;
    if (Object.keys(schemas).length > 0) out.definitions = schemas;
    return { ...out, ...settings };
  }
  const out: Record<string, unknown> = {
    openapi: '3.0.1',
    info,
    servers: [{ url: `https://${host}/{basePath}`, variables: { basePath: { default: `/${options.stageName}` } } }],
    paths,
  };
  const components: Record<string, unknown> = {};
  if (Object.keys(schemas).length > 0) components.schemas = schemas;
  if (Object.keys(security).length > 0) components.securitySchemes = security;
  if (Object.keys(components).length > 0) out.components = components;
  return { ...out, ...settings };
}

/** The export as JSON (AWS's default) or YAML text. */
export function serializeExport(document: Record<string, unknown>, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  // No line folding: mapping templates must come back byte for byte when the file is imported.
  return stringify(document, { lineWidth: 0, minContentWidth: 0 });
}
