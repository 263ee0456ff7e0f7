/**
 * apigateway (v1) authorizers: Lambda (TOKEN / REQUEST) and Cognito user pool authorizers that
 * methods refer to by id. Each change is checked with the same rules a stored API document
 * obeys, so the data plane never meets an authorizer it cannot run.
 */
import { AUTHORIZER_TYPES, type Authorizer, type AuthorizerType } from '../../model/rest-api.js';
import { newShortId } from '../../model/ids.js';
import { validateRestApiDocument } from '../../model/validate.js';
import type { RestApiDocument } from '../../model/rest-api.js';
import { ManagementError, badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { compact } from './shapes.js';
import { patchOperationsOf, replaceOneOf, unsupportedPatch } from './stage-patch-errors.js';

/** AWS's quota of authorizers per API. */
export const MAX_AUTHORIZERS_PER_API = 10;

const authorizerNotFound = (): Error => notFound('Invalid Authorizer identifier specified');

export const authorizerShape = (a: Authorizer): Record<string, unknown> =>
  compact({
    id: a.id,
    name: a.name,
    type: a.type,
    providerARNs: a.providerARNs,
    authType: a.authType,
    authorizerUri: a.authorizerUri,
    authorizerCredentials: a.authorizerCredentials,
    identitySource: a.identitySource,
    identityValidationExpression: a.identityValidationExpression,
    authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
  });

/** Runs the document rules for this one authorizer and answers its first problem. */
function checkAuthorizer(doc: RestApiDocument, id: string): void {
  const prefix = `/authorizers/${id}`;
  const problem = validateRestApiDocument(doc).find((p) => p.location === prefix || p.location.startsWith(`${prefix}/`));
  if (problem) {
    const member = problem.location.slice(prefix.length + 1) || 'authorizer';
    throw badRequest(`Invalid authorizer ${member}: ${problem.message}`);
  }
}

function typeOf(raw: unknown): AuthorizerType {
  if (typeof raw !== 'string' || !(AUTHORIZER_TYPES as readonly string[]).includes(raw)) {
    throw badRequest(`Invalid authorizer type '${String(raw ?? '')}': must be one of ${AUTHORIZER_TYPES.join(', ')}`);
  }
  return raw as AuthorizerType;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const createAuthorizer: OperationHandler = async (ctx, req) => {
  const b = req.body;
  const api = await ctx.store.getApi(req.path.restApiId!);
  // AWS's recorded answer for an API that does not exist.
  if (!api || api.protocolType !== 'REST') {
    throw conflict('Unable to complete operation due to concurrent modification. Please try again later.');
  }
  const authorizer = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    if (Object.keys(doc.authorizers).length >= MAX_AUTHORIZERS_PER_API) {
      throw new ManagementError('LimitExceededException', `An API can have at most ${MAX_AUTHORIZERS_PER_API} authorizers`, 429);
    }
    if (str(b.name) === undefined) throw badRequest('Authorizer name must be non-empty');
    if (b.providerARNs != null && !(b.providerARNs as unknown[]).every((x) => typeof x === 'string')) {
      throw badRequest('providerARNs must be a list of strings');
    }
    const created: Authorizer = compact({
      id: newShortId(),
      name: b.name,
      type: typeOf(b.type),
      providerARNs: b.providerARNs,
      // AWS names a Lambda authorizer's kind 'custom' when the caller does not (recorded).
      authType: str(b.authType) ?? (b.type === 'TOKEN' || b.type === 'REQUEST' ? 'custom' : undefined),
      authorizerUri: str(b.authorizerUri),
      authorizerCredentials: str(b.authorizerCredentials),
      identitySource: str(b.identitySource),
      identityValidationExpression: str(b.identityValidationExpression),
      authorizerResultTtlInSeconds: b.authorizerResultTtlInSeconds,
    }) as unknown as Authorizer;
    doc.authorizers[created.id] = created;
    checkAuthorizer(doc, created.id);
    return created;
  });
  return { body: authorizerShape(authorizer) };
};

const getAuthorizer: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const id = req.path.authorizerId!;
  const authorizer = Object.hasOwn(api.document.authorizers, id) ? api.document.authorizers[id] : undefined;
  if (!authorizer) throw authorizerNotFound();
  return { body: authorizerShape(authorizer) };
};

const getAuthorizers: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const page = pageV1(Object.values(api.document.authorizers), req.query);
  return { body: { ...page, item: page.item.map(authorizerShape) } };
};

const REPLACEABLE = [
  '/name',
  '/type',
  '/authType',
  '/authorizerUri',
  '/authorizerCredentials',
  '/identitySource',
  '/identityValidationExpression',
  '/authorizerResultTtlInSeconds',
] as const;

function applyPatch(a: Authorizer, op: PatchOperation): void {
  const [member, arn, ...extra] = op.segments;
  if (member === 'providerARNs' && arn !== undefined && extra.length === 0 && (op.op === 'add' || op.op === 'remove')) {
    const arns = a.providerARNs ?? [];
    a.providerARNs = op.op === 'add' ? [...arns.filter((x) => x !== arn), arn] : arns.filter((x) => x !== arn);
    if (a.providerARNs.length === 0) delete a.providerARNs;
    return;
  }
  if (!(REPLACEABLE as readonly string[]).includes(op.path)) {
    if (op.op === 'replace') throw replaceOneOf(op, [...REPLACEABLE]);
    throw unsupportedPatch(op);
  }
  if (op.op !== 'replace') throw unsupportedPatch(op);
  const value = op.value === '' ? undefined : op.value;
  switch (member) {
    case 'name':
      if (value === undefined) throw badRequest('Authorizer name must be non-empty');
      a.name = value;
      return;
    case 'type':
      a.type = typeOf(value);
      return;
    case 'authorizerResultTtlInSeconds':
      if (value === undefined) return void delete a.authorizerResultTtlInSeconds;
      if (!/^\d+$/.test(value)) throw badRequest(`Invalid value '${value}' for ${op.path}: must be an integer`);
      a.authorizerResultTtlInSeconds = Number(value);
      return;
    default: {
      const key = member as 'authType' | 'authorizerUri' | 'authorizerCredentials' | 'identitySource' | 'identityValidationExpression';
      if (value === undefined) delete a[key];
      else a[key] = value;
    }
  }
}

const updateAuthorizer: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateAuthorizerInput');
  const id = req.path.authorizerId!;
  const updated = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const current = Object.hasOwn(doc.authorizers, id) ? doc.authorizers[id] : undefined;
    if (!current) throw authorizerNotFound();
    const next = structuredClone(current);
    for (const op of ops) applyPatch(next, op);
    doc.authorizers[id] = next;
    checkAuthorizer(doc, id);
    return next;
  });
  return { body: authorizerShape(updated) };
};

const deleteAuthorizer: OperationHandler = async (ctx, req) => {
  const id = req.path.authorizerId!;
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    if (!Object.hasOwn(doc.authorizers, id)) throw authorizerNotFound();
    for (const resource of Object.values(doc.resources)) {
      for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
        if (method?.authorizerId === id) {
          throw conflict(`Cannot delete authorizer '${doc.authorizers[id]!.name}', is referenced in method: ${httpMethod}:${resource.path}`);
        }
      }
    }
    delete doc.authorizers[id];
  });
  return { status: 202 };
};

export const AUTHORIZERS_HANDLERS: HandlerTable = {
  CreateAuthorizer: createAuthorizer,
  GetAuthorizer: getAuthorizer,
  GetAuthorizers: getAuthorizers,
  UpdateAuthorizer: updateAuthorizer,
  DeleteAuthorizer: deleteAuthorizer,
};
