/**
 * apigateway (v1) operations on an API's resource tree: CreateResource, GetResource,
 * GetResources, UpdateResource (rename or move, recomputing the subtree's paths) and
 * DeleteResource (the whole subtree). The tree rules (path part syntax, unique and single
 * variable siblings, nothing below a greedy `{proxy+}`, no cycles) are AWS's.
 */
import type { Resource, RestApiDocument } from '../../model/rest-api.js';
import { newResourceId } from '../../model/ids.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, OperationHandler, OperationRequest } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { readRestApi } from './api-document.js';
import { resourceShape } from './shapes.js';
import { RESOURCE_NOT_FOUND, changeStructure, findResource, nullProblem, readPatch, readStructure, validationError } from './structure-checks.js';

const PATH_PART = /^(?:\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._-]+)$/;
const isVariable = (part: string | undefined): boolean => part !== undefined && part.startsWith('{');
const isGreedy = (part: string | undefined): boolean => part !== undefined && part.endsWith('+}');

function checkPathPart(part: string): void {
  if (!PATH_PART.test(part)) {
    throw badRequest(
      "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    );
  }
}

const childrenOf = (doc: RestApiDocument, parentId: string): Resource[] =>
  Object.values(doc.resources).filter((r) => r.parentId === parentId);

/** The checks a resource's place in the tree must pass (`selfId` is the resource being moved, if any). */
function checkPlacement(doc: RestApiDocument, parent: Resource, pathPart: string, selfId?: string): void {
  if (isGreedy(parent.pathPart)) throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
  const siblings = childrenOf(doc, parent.id).filter((r) => r.id !== selfId);
  if (siblings.some((r) => r.pathPart === pathPart)) throw conflict(`Another resource with the same parent already has this name: ${pathPart}`);
  const variable = isVariable(pathPart) ? siblings.find((r) => isVariable(r.pathPart)) : undefined;
  if (variable) throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`);
}

const pathUnder = (parent: Resource, part: string): string => (parent.path === '/' ? `/${part}` : `${parent.path}/${part}`);

/** Recomputes the paths below `resource` after it moved or was renamed. */
function repath(doc: RestApiDocument, resource: Resource): void {
  for (const child of childrenOf(doc, resource.id)) {
    child.path = pathUnder(resource, child.pathPart!);
    repath(doc, child);
  }
}

const wantsMethods = (req: OperationRequest): boolean =>
  req.query.getAll('embed').some((v) => v.split(',').map((s) => s.trim()).includes('methods'));

const createResource: OperationHandler = async (ctx, req) => {
  const pathPart = req.body.pathPart;
  if (typeof pathPart !== 'string') throw validationError([nullProblem('createResourceInput.pathPart')]);
  const resource = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const parent = findResource(doc, req.path.parentId!);
    checkPathPart(pathPart);
    checkPlacement(doc, parent, pathPart);
    const created: Resource = { id: newResourceId(), parentId: parent.id, pathPart, path: pathUnder(parent, pathPart), resourceMethods: {} };
    doc.resources[created.id] = created;
    return created;
  });
  return { body: resourceShape(resource) };
};

const getResource: OperationHandler = async (ctx, req) => {
  const api = await readStructure(ctx, req.path.restApiId!);
  return { body: resourceShape(findResource(api.document, req.path.resourceId!), wantsMethods(req)) };
};

const getResources: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const resources = Object.values(api.document.resources).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id.localeCompare(b.id)));
  const embed = wantsMethods(req);
  const page = pageV1(resources, req.query);
  return { body: { ...page, item: page.item.map((r) => resourceShape(r, embed)) } };
};

function checkResourceOp(op: PatchOperation): 'pathPart' | 'parentId' {
  const member = op.path === '/pathPart' ? 'pathPart' : op.path === '/parentId' ? 'parentId' : undefined;
  if (op.op === 'replace' && member) return member;
  // AWS's wording for these two, double space included.
  if (op.op === 'replace') throw badRequest(`Invalid patch path  '${op.path}' specified for op 'replace'. Must be one of: [/parentId, /pathPart]`);
  throw badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);
}

const updateResource: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateResourceInput');
  const resource = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const resource = findResource(doc, req.path.resourceId!);
    for (const op of ops) {
      const member = checkResourceOp(op);
      if (resource.id === doc.rootResourceId) throw badRequest(`Root resource cannot update its ${member}.`);
      const value = op.value ?? '';
      if (member === 'pathPart') {
        checkPathPart(value);
        if (isGreedy(value) && childrenOf(doc, resource.id).length > 0) {
          throw badRequest(`A resource with child resources cannot have a greedy path variable: ${value}`);
        }
        checkPlacement(doc, findResource(doc, resource.parentId!), value, resource.id);
        resource.pathPart = value;
      } else {
        const parent = Object.hasOwn(doc.resources, value) ? doc.resources[value] : undefined;
        if (!parent) throw notFound(RESOURCE_NOT_FOUND);
        for (let at: Resource | undefined = parent; at; at = at.parentId ? doc.resources[at.parentId] : undefined) {
          if (at.id === resource.id) throw badRequest('Resources cannot be cyclical.');
        }
        checkPlacement(doc, parent, resource.pathPart!, resource.id);
        resource.parentId = parent.id;
      }
      resource.path = pathUnder(doc.resources[resource.parentId!]!, resource.pathPart!);
      repath(doc, resource);
    }
    return resource;
  });
  return { body: resourceShape(resource) };
};

const deleteResource: OperationHandler = async (ctx, req) => {
  await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const resource = findResource(doc, req.path.resourceId!);
    if (resource.id === doc.rootResourceId) throw badRequest('The root resource of a REST API cannot be deleted');
    const doomed = [resource.id];
    for (let i = 0; i < doomed.length; i++) doomed.push(...childrenOf(doc, doomed[i]!).map((r) => r.id));
    for (const id of doomed) delete doc.resources[id];
  });
  return {};
};

export const RESOURCES_HANDLERS: HandlerTable = {
  CreateResource: createResource,
  GetResource: getResource,
  GetResources: getResources,
  UpdateResource: updateResource,
  DeleteResource: deleteResource,
};
