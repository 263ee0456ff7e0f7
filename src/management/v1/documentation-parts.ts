/**
 * apigateway (v1) documentation parts: content maps attached to the API's entities by location,
 * one part per location, kept in the API's document. Listing filters by type, name, path and
 * whether an entity is documented at all.
 */
import type { DocumentationPart, DocumentationPartLocation, RestApiDocument } from '../../model/rest-api.js';
import { newShortId } from '../../model/ids.js';
import { conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { limitExceeded } from './account-common.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { documentableLocations } from './documentation-entities.js';
import { checkType, describeLocation, locationKey, readLocation, readProperties, validationError } from './documentation-location.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';

/** AWS's quota of documentation parts per API. */
export const MAX_DOCUMENTATION_PARTS = 2000;

const partNotFound = (): Error => notFound('Invalid Documentation part identifier specified');

/** The API's parts, created empty on documents stored before documentation existed. */
export const partsOf = (doc: RestApiDocument): DocumentationPart[] => (doc.documentationParts ??= []);

export const partShape = (p: DocumentationPart): Record<string, unknown> => ({
  id: p.id,
  location: { ...p.location },
  properties: p.properties,
});

/** A part id unused in the API (ids are per API on AWS too). */
export function newPartId(parts: readonly DocumentationPart[]): string {
  const taken = new Set(parts.map((p) => p.id));
  let id = newShortId();
  while (taken.has(id)) id = newShortId();
  return id;
}

export const partLimitExceeded = (): Error => limitExceeded(`An API can have at most ${MAX_DOCUMENTATION_PARTS} documentation parts`);

export const partExists = (location: DocumentationPartLocation): Error =>
  conflict(`Documentation part already exists for the specified location: ${describeLocation(location)}.`);

/** AWS answers a single part's call on a missing API as if the part were missing. */
async function requireApi(ctx: ManagementContext, restApiId: string): Promise<RestApiDocument> {
  const api = await ctx.store.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') throw partNotFound();
  return api.document;
}

const findPart = (doc: RestApiDocument, id: string): DocumentationPart | undefined => partsOf(doc).find((p) => p.id === id);

const createDocumentationPart: OperationHandler = async (ctx, req) => {
  const location = readLocation(req.body.location, 'createDocumentationPartInput.location');
  const properties = readProperties(req.body.properties, 'createDocumentationPartInput.properties');
  const part = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const parts = partsOf(doc);
    const key = locationKey(location);
    if (parts.some((p) => locationKey(p.location) === key)) throw partExists(location);
    if (parts.length >= MAX_DOCUMENTATION_PARTS) throw partLimitExceeded();
    const created: DocumentationPart = { id: newPartId(parts), location, properties };
    parts.push(created);
    return created;
  });
  return { status: 201, body: partShape(part) };
};

const getDocumentationPart: OperationHandler = async (ctx, req) => {
  const doc = await requireApi(ctx, req.path.restApiId!);
  const part = findPart(doc, req.path.documentationPartId!);
  if (!part) throw partNotFound();
  return { body: partShape(part) };
};

const LOCATION_STATUSES = ['DOCUMENTED', 'UNDOCUMENTED'] as const;

interface PartFilter {
  type?: string;
  name?: string;
  path?: string;
}

function readFilter(query: URLSearchParams): PartFilter {
  const filter: PartFilter = {};
  const type = query.get('type');
  if (type !== null) filter.type = checkType(type, 'type');
  const name = query.get('name');
  if (name !== null && name !== '') filter.name = name;
  const path = query.get('path');
  if (path !== null && path !== '') filter.path = path;
  return filter;
}

/** `nameQuery` finds names that contain it; type and path must match exactly. */
const matches = (l: DocumentationPartLocation, f: PartFilter): boolean =>
  (f.type === undefined || l.type === f.type) &&
  (f.path === undefined || l.path === f.path) &&
  (f.name === undefined || (l.name !== undefined && l.name.includes(f.name)));

const getDocumentationParts: OperationHandler = async (ctx, req) => {
  const status = req.query.get('locationStatus');
  if (status !== null && !(LOCATION_STATUSES as readonly string[]).includes(status)) {
    throw validationError(status, 'locationStatus', `Member must satisfy enum value set: [${LOCATION_STATUSES.join(', ')}]`);
  }
  const filter = readFilter(req.query);
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const parts = partsOf(api.document);
  let items: Record<string, unknown>[];
  if (status === 'UNDOCUMENTED') {
    const documented = new Set(parts.map((p) => locationKey(p.location)));
    items = documentableLocations(api.document)
      .filter((l) => !documented.has(locationKey(l)) && matches(l, filter))
      .map((location) => ({ location }));
  } else {
    items = parts.filter((p) => matches(p.location, filter)).map(partShape);
  }
  return { body: pageV1(items, req.query) };
};

const updateDocumentationPart: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateDocumentationPartInput');
  const id = req.path.documentationPartId!;
  await requireApi(ctx, req.path.restApiId!);
  const part = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const current = findPart(doc, id);
    if (!current) throw partNotFound();
    for (const op of ops) {
      const { value } = simpleReplace(op, ['/properties']);
      current.properties = readProperties(value ?? '', 'updateDocumentationPartInput.properties');
    }
    return current;
  });
  return { body: partShape(part) };
};

const deleteDocumentationPart: OperationHandler = async (ctx, req) => {
  const id = req.path.documentationPartId!;
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const parts = partsOf(doc);
    const index = parts.findIndex((p) => p.id === id);
    if (index === -1) throw partNotFound();
    parts.splice(index, 1);
  });
  return { status: 202 };
};

export const DOCUMENTATION_PARTS_HANDLERS: HandlerTable = {
  CreateDocumentationPart: createDocumentationPart,
  GetDocumentationPart: getDocumentationPart,
  GetDocumentationParts: getDocumentationParts,
  UpdateDocumentationPart: updateDocumentationPart,
  DeleteDocumentationPart: deleteDocumentationPart,
};
