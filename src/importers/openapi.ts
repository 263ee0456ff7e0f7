/**
 * Import of OpenAPI 3.0/3.1 and Swagger 2.0 definitions, with API Gateway's
 * `x-amazon-apigateway-*` extensions, into a REST API document.
 *
 * An import either yields a complete, valid document or fails with every problem found, each
 * located by JSON pointer into the source (and by line when the source was text), as AWS fails an
 * import without touching the existing API.
 */
import type { RestApiDocument } from '../model/rest-api.js';
import type { AccountSettings } from '../model/settings.js';
import { jsonPointer } from '../model/validate.js';
import { buildRestApiDocument } from './openapi/build.js';
import { OpenApiImportError, type ImportProblem } from './openapi/problems.js';
import { parseSource } from './openapi/source.js';

export { OpenApiImportError, formatImportProblem, type ImportProblem } from './openapi/problems.js';
export { parseOpenApi } from './openapi/source.js';

export interface OpenApiImportOptions {
  /** Used in error messages, e.g. the file name; a `.json`/`.yaml`/`.yml` suffix also settles the text's format. */
  sourceName?: string;
  /**
   * Reuse this API id (re-import in place). Without it the id of `previous` is kept, and
   * without either a new one is generated.
   */
  apiId?: string;
  /**
   * The previous document of the same API: resource, model, validator and authorizer ids are
   * kept for paths and names that still exist, and when the API id is the same, so are its
   * creation date and tags.
   */
  previous?: RestApiDocument;
  /** Epoch seconds; defaults to now. */
  now?: number;
  /**
   * Account and region for `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in the
   * document and for expanding `execute-api:/…` in the resource policy; the defaults otherwise.
   */
  account?: AccountSettings;
}

/** Imports `input` (OpenAPI text, JSON or YAML, or already-parsed data); throws OpenApiImportError. */
export function importOpenApi(input: string | object, options: OpenApiImportOptions = {}): RestApiDocument {
  let data: unknown = input;
  let lineOf: (path: readonly string[]) => number | undefined = () => undefined;
  let numberText: ((path: readonly string[]) => string | undefined) | undefined;
  if (typeof input === 'string') {
    const parsed = parseSource(input, options.sourceName);
    data = parsed.value;
    lineOf = parsed.lineOf;
    numberText = parsed.numberText;
  }
  const { document, problems } = buildRestApiDocument(data, { ...options, ...(numberText ? { numberText } : {}) });
  if (document) return document;

  const seen = new Set<string>();
  const located: ImportProblem[] = [];
  for (const { path, message } of problems) {
    const location = jsonPointer(path);
    const key = `${location}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = lineOf(path);
    located.push(line === undefined ? { location, message } : { location, message, line });
  }
  // Reading order: by line where known; problems without a line (whole-document ones) first.
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new OpenApiImportError(located, options.sourceName);
}
