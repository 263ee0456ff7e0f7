/**
 * What every part of an OpenAPI export reads: the deployed document, the target version and
 * which groups of `x-amazon-apigateway-*` extensions the caller asked for.
 */
import type { RestApiDocument } from '../model/rest-api.js';

export type ExportType = 'oas30' | 'swagger';

/**
 * The extension groups of GetExport's `extensions` parameter. `apigateway` means every
 * extension, so it implies the other two.
 */
export interface ExportExtensions {
  integrations: boolean;
  authorizers: boolean;
  apigateway: boolean;
}

export const NO_EXTENSIONS: ExportExtensions = { integrations: false, authorizers: false, apigateway: false };

export interface ExportContext {
  doc: RestApiDocument;
  type: ExportType;
  extensions: ExportExtensions;
}

/** Where reusable schemas live in each version, as a `$ref` prefix. */
export function schemaRefPrefix(type: ExportType): string {
  return type === 'swagger' ? '#/definitions/' : '#/components/schemas/';
}

/** The `$ref` to the model `name`, escaped as JSON pointers require. */
export function modelRef(type: ExportType, name: string): string {
  return schemaRefPrefix(type) + name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Items in first-seen order without repeats. */
export function unique(items: Iterable<string>): string[] {
  return [...new Set(items)];
}
