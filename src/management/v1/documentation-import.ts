/**
 * Documentation parts from an OpenAPI document's `x-amazon-apigateway-documentation`:
 * ImportDocumentationParts, and the documentation side of ImportRestApi and PutRestApi. Merge
 * adds new parts and lays imported content members over those of a part at the same location;
 * overwrite replaces the API's whole collection. Unusable entries are skipped with a warning,
 * or fail the call when the caller asked to fail on warnings.
 */
import type { DocumentationPart, DocumentationPartLocation, RestApiDocument } from '../../model/rest-api.js';
import { parseOpenApi } from '../../importers/openapi.js';
import { ManagementError, badRequest } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { locationKey, readLocation, readProperties, validationError } from './documentation-location.js';
import { MAX_DOCUMENTATION_PARTS, newPartId, partLimitExceeded, partsOf } from './documentation-parts.js';

/** AWS's answer for a body it cannot read as an OpenAPI document. */
const UNREADABLE = 'Unable to build importer with provided input.';
const EXTENSION = 'x-amazon-apigateway-documentation';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ImportedPart {
  location: DocumentationPartLocation;
  properties: string;
}

interface ImportedDocumentation {
  /** Whether the document has the extension at all. */
  present: boolean;
  parts: ImportedPart[];
  warnings: string[];
}

const reason = (err: unknown): string => (err instanceof ManagementError ? err.message : String(err));

/** Reads the extension's parts; an entry that cannot be used is skipped with a warning. */
export function readDocumentationExtension(doc: Record<string, unknown>): ImportedDocumentation {
  const out: ImportedDocumentation = { present: Object.hasOwn(doc, EXTENSION), parts: [], warnings: [] };
  if (!out.present) return out;
  const ext = doc[EXTENSION];
  if (!isObject(ext)) {
    out.warnings.push(`${EXTENSION} is not an object and was ignored`);
    return out;
  }
  const entries = ext.documentationParts ?? [];
  if (!Array.isArray(entries)) {
    out.warnings.push(`${EXTENSION}.documentationParts is not a list and was ignored`);
    return out;
  }
  if (entries.length > MAX_DOCUMENTATION_PARTS) throw partLimitExceeded();
  const byLocation = new Map<string, number>();
  entries.forEach((entry: unknown, i) => {
    const where = `documentationParts[${i}]`;
    if (!isObject(entry)) {
      out.warnings.push(`${where} is not an object and was skipped`);
      return;
    }
    let part: ImportedPart;
    try {
      const location = readLocation(entry.location, `${where}.location`);
      const raw = entry.properties;
      const properties = readProperties(isObject(raw) ? JSON.stringify(raw) : raw, `${where}.properties`);
      part = { location, properties };
    } catch (err) {
      out.warnings.push(`${where} was skipped: ${reason(err)}`);
      return;
    }
    const key = locationKey(part.location);
    const earlier = byLocation.get(key);
    if (earlier !== undefined) {
      out.warnings.push(`${where} has the location of an earlier part, which it replaces`);
      out.parts[earlier] = part;
      return;
    }
    byLocation.set(key, out.parts.length);
    out.parts.push(part);
  });
  return out;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies imported parts to the API's `parts` (changed in place); returns the ids of the parts
 * the import produced or changed, in the document's order.
 */
function applyImportedParts(parts: DocumentationPart[], imported: readonly ImportedPart[], overwrite: boolean): string[] {
  if (overwrite) parts.length = 0;
  const ids: string[] = [];
  for (const part of imported) {
    const key = locationKey(part.location);
    const existing = parts.find((p) => locationKey(p.location) === key);
    if (!existing) {
      const created: DocumentationPart = { id: newPartId(parts), location: part.location, properties: part.properties };
      parts.push(created);
      ids.push(created.id);
      continue;
    }
    const before = JSON.parse(existing.properties) as Record<string, unknown>;
    const merged = { ...before, ...(JSON.parse(part.properties) as Record<string, unknown>) };
    // Unchanged content keeps its original spelling.
    if (!sameJson(before, merged)) existing.properties = readProperties(JSON.stringify(merged), 'properties');
    ids.push(existing.id);
  }
  if (parts.length > MAX_DOCUMENTATION_PARTS) throw partLimitExceeded();
  return ids;
}

const warningsFailure = (warnings: readonly string[]): Error =>
  badRequest(`Warnings found during import:\n${warnings.map((w) => `\t${w}`).join('\n')}`);

function readFailOnWarnings(query: URLSearchParams): boolean {
  const value = query.get('failonwarnings');
  if (value === null) return false;
  if (!/^(true|false)$/i.test(value)) throw badRequest(`Invalid value for failonwarnings: '${value}'. Valid values are true and false`);
  return value.toLowerCase() === 'true';
}

/**
 * The documentation side of ImportRestApi (no `previous`) and PutRestApi: `target` gets the
 * previous document's parts and versions (an OpenAPI document has no versions, and a rebuilt
 * document has no parts), then the document's own parts unless `ignore=documentation`. A
 * document without the extension leaves the parts as they were.
 */
export function importApiDocumentation(
  target: RestApiDocument,
  previous: RestApiDocument | undefined,
  parsed: Record<string, unknown>,
  query: URLSearchParams,
  mode: string,
): void {
  const parts = structuredClone(previous?.documentationParts ?? []);
  const versions = structuredClone(previous?.documentationVersions ?? []);
  if (query.get('ignore') !== 'documentation') {
    const imported = readDocumentationExtension(parsed);
    if (imported.warnings.length > 0 && readFailOnWarnings(query)) throw warningsFailure(imported.warnings);
    if (imported.present) applyImportedParts(parts, imported.parts, mode === 'overwrite');
  }
  // An API without documentation keeps the document shape it had before documentation existed.
  if (parts.length > 0) target.documentationParts = parts;
  else delete target.documentationParts;
  if (versions.length > 0) target.documentationVersions = versions;
  else delete target.documentationVersions;
}

const MODES = ['merge', 'overwrite'] as const;

const importDocumentationParts: OperationHandler = async (ctx, req) => {
  const mode = req.query.get('mode') ?? 'merge';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw validationError(mode, 'mode', `Member must satisfy enum value set: [${MODES.join(', ')}]`);
  }
  const failOnWarnings = readFailOnWarnings(req.query);
  const restApiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, restApiId);
  let parsed: unknown;
  try {
    parsed = req.raw.length === 0 ? undefined : parseOpenApi(req.raw.toString('utf8'));
  } catch {
    throw badRequest(UNREADABLE);
  }
  if (!isObject(parsed) || (!('openapi' in parsed) && !('swagger' in parsed))) throw badRequest(UNREADABLE);
  const imported = readDocumentationExtension(parsed);
  if (failOnWarnings && imported.warnings.length > 0) throw warningsFailure(imported.warnings);
  const ids = await changeRestApi(ctx, restApiId, (doc) => applyImportedParts(partsOf(doc), imported.parts, mode === 'overwrite'));
  return { status: 200, body: { ids, ...(imported.warnings.length > 0 ? { warnings: imported.warnings } : {}) } };
};

export const DOCUMENTATION_IMPORT_HANDLERS: HandlerTable = {
  ImportDocumentationParts: importDocumentationParts,
};
