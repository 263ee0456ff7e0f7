/**
 * apigateway (v1) documentation versions: named snapshots of an API's documentation parts.
 * Creating one may also make it a stage's documentation version; the stage is written in the
 * same transaction as the snapshot, so either both happen or neither does.
 */
import type { Stage } from '../../model/api.js';
import type { DocumentationVersion, RestApiDocument } from '../../model/rest-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { limitExceeded, nowSeconds } from './account-common.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { validationError } from './documentation-location.js';
import { partsOf } from './documentation-parts.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';

/**
 * Portico's bound on versions per API (AWS states none): each one holds a copy of the parts,
 * and the API's document carries them all.
 */
export const MAX_DOCUMENTATION_VERSIONS = 100;
/** Longest version identifier and description Portico keeps. */
const MAX_VERSION_CHARS = 1024;
const MAX_DESCRIPTION_CHARS = 4096;

export const documentationVersionNotFound = (): Error => notFound('Invalid Documentation version identifier specified');
const versionNotFound = documentationVersionNotFound;

const versionsOf = (doc: RestApiDocument): DocumentationVersion[] => (doc.documentationVersions ??= []);

const versionShape = (v: DocumentationVersion): Record<string, unknown> => ({
  version: v.version,
  createdDate: v.createdDate,
  ...(v.description === undefined ? {} : { description: v.description }),
});

/** As for parts, a single version's call on a missing API answers that the version is missing. */
async function requireApi(ctx: ManagementContext, restApiId: string): Promise<RestApiDocument> {
  const api = await ctx.store.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') throw versionNotFound();
  return api.document;
}

function checkDescription(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest('Invalid description: it must be a string');
  if (value.length > MAX_DESCRIPTION_CHARS) throw badRequest(`Invalid description: it can be at most ${MAX_DESCRIPTION_CHARS} characters`);
  return value;
}

const createDocumentationVersion: OperationHandler = async (ctx, req) => {
  const b = req.body;
  const version = b.documentationVersion;
  if (version === undefined || version === null) {
    throw validationError(null, 'createDocumentationVersionInput.documentationVersion', 'Member must not be null');
  }
  if (typeof version !== 'string' || version.trim() === '') throw badRequest('Documentation version identifier cannot be blank');
  if (version.length > MAX_VERSION_CHARS) throw badRequest(`Documentation version identifier can be at most ${MAX_VERSION_CHARS} characters`);
  const description = checkDescription(b.description);
  const stageName = typeof b.stageName === 'string' && b.stageName !== '' ? b.stageName : undefined;
  const restApiId = req.path.restApiId!;
  const created = await changeRestApi(ctx, restApiId, async (doc, tx) => {
    const versions = versionsOf(doc);
    if (versions.some((v) => v.version === version)) throw conflict(`Documentation version '${version}' already exists`);
    if (versions.length >= MAX_DOCUMENTATION_VERSIONS) {
      throw limitExceeded(`An API can have at most ${MAX_DOCUMENTATION_VERSIONS} documentation versions`);
    }
    if (stageName !== undefined) {
      const stage = await tx.getStage(restApiId, stageName);
      if (!stage) throw notFound('Invalid stage identifier specified');
      const next: Stage = { ...stage, documentationVersion: version };
      await tx.putStage(next);
    }
    const snapshot: DocumentationVersion = {
      version,
      createdDate: nowSeconds(),
      ...(description === undefined ? {} : { description }),
      parts: structuredClone(partsOf(doc)),
    };
    versions.push(snapshot);
    return snapshot;
  });
  return { status: 201, body: versionShape(created) };
};

const findVersion = (doc: RestApiDocument, version: string): DocumentationVersion | undefined =>
  versionsOf(doc).find((v) => v.version === version);

const getDocumentationVersion: OperationHandler = async (ctx, req) => {
  const doc = await requireApi(ctx, req.path.restApiId!);
  const found = findVersion(doc, req.path.documentationVersion!);
  if (!found) throw versionNotFound();
  return { body: versionShape(found) };
};

const getDocumentationVersions: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  return { body: pageV1(versionsOf(api.document).map(versionShape), req.query) };
};

const updateDocumentationVersion: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateDocumentationVersionInput');
  await requireApi(ctx, req.path.restApiId!);
  const updated = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const current = findVersion(doc, req.path.documentationVersion!);
    if (!current) throw versionNotFound();
    for (const op of ops) {
      const { value } = simpleReplace(op, ['/description']);
      const description = checkDescription(value);
      if (description === undefined || description === '') delete current.description;
      else current.description = description;
    }
    return current;
  });
  return { body: versionShape(updated) };
};

const deleteDocumentationVersion: OperationHandler = async (ctx, req) => {
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const versions = versionsOf(doc);
    const index = versions.findIndex((v) => v.version === req.path.documentationVersion);
    if (index === -1) throw versionNotFound();
    versions.splice(index, 1);
  });
  return { status: 202 };
};

export const DOCUMENTATION_VERSIONS_HANDLERS: HandlerTable = {
  CreateDocumentationVersion: createDocumentationVersion,
  GetDocumentationVersion: getDocumentationVersion,
  GetDocumentationVersions: getDocumentationVersions,
  UpdateDocumentationVersion: updateDocumentationVersion,
  DeleteDocumentationVersion: deleteDocumentationVersion,
};
