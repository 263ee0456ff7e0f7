/**
 * apigateway (v1) operations on method responses: PutMethodResponse, GetMethodResponse,
 * UpdateMethodResponse and DeleteMethodResponse. A method response declares the headers
 * (`method.response.header.X` → required) and models (content type → model name) of one status.
 */
import type { MethodResponse, RestApiDocument } from '../../model/rest-api.js';
import { notFound } from '../errors.js';
import type { HandlerTable, OperationHandler, OperationRequest } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { methodResponseShape } from './shapes.js';
import { forgetSentEmpty, noteSentEmpty } from './structure-empty-maps.js';
import {
  booleanMap,
  changeStructure,
  checkContentTypes,
  checkModelNames,
  findMethod,
  findMethodResponse,
  findResource,
  invalidMapping,
  invalidPatchPath,
  onlyOps,
  patchBoolean,
  readPatch,
  readStructure,
  statusCodeProblem,
  stringMap,
  validationError,
} from './structure-checks.js';

const RESPONSE_HEADER = /^method\.response\.header\.[^\s.]+$/;
const PARAMETER_NOT_FOUND = 'Invalid parameter name specified';
const CONTENT_TYPE_NOT_FOUND = 'Content-Type specified was not found';

function checkStatusCode(req: OperationRequest): void {
  const problem = statusCodeProblem(req.path.statusCode!);
  if (problem) throw validationError([problem]);
}

function checkMethodResponse(doc: RestApiDocument, response: MethodResponse): void {
  for (const key of Object.keys(response.responseParameters)) if (!RESPONSE_HEADER.test(key)) throw invalidMapping(key);
  checkContentTypes(response.responseModels);
  checkModelNames(doc, response.responseModels);
}

const putMethodResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  const responseParameters = booleanMap(req.body.responseParameters, 'responseParameters');
  const responseModels = stringMap(req.body.responseModels);
  const response = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    const response: MethodResponse = { statusCode: req.path.statusCode!, responseParameters, responseModels };
    noteSentEmpty(response, req.body, ['responseParameters', 'responseModels']);
    checkMethodResponse(doc, response);
    method.methodResponses[response.statusCode] = response;
    return response;
  });
  return { body: methodResponseShape(response) };
};

const getMethodResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  const api = await readStructure(ctx, req.path.restApiId!);
  const method = findMethod(findResource(api.document, req.path.resourceId!), req.path.httpMethod!);
  return { body: methodResponseShape(findMethodResponse(method, req.path.statusCode!)) };
};

function applyMethodResponseOp(response: MethodResponse, op: PatchOperation): void {
  const [head, key, ...extra] = op.segments;
  if ((head !== 'responseParameters' && head !== 'responseModels') || key === undefined || extra.length > 0) throw invalidPatchPath(op);
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') throw onlyOps('add, remove, replace');
  if (head === 'responseParameters') {
    if (!RESPONSE_HEADER.test(key)) throw notFound(PARAMETER_NOT_FOUND);
    if (op.op === 'remove') {
      if (!Object.hasOwn(response.responseParameters, key)) throw notFound(PARAMETER_NOT_FOUND);
      delete response.responseParameters[key];
      forgetSentEmpty(response, 'responseParameters');
    } else response.responseParameters[key] = patchBoolean(op);
    return;
  }
  // Replacing or removing a model needs the content type to be there already; adding does not.
  if (op.op !== 'add' && !Object.hasOwn(response.responseModels, key)) throw notFound(CONTENT_TYPE_NOT_FOUND);
  if (op.op === 'remove') {
    delete response.responseModels[key];
    forgetSentEmpty(response, 'responseModels');
  } else response.responseModels[key] = op.value ?? '';
}

const updateMethodResponse: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateMethodResponseInput', [statusCodeProblem(req.path.statusCode!)]);
  const response = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    const response = findMethodResponse(method, req.path.statusCode!);
    for (const op of ops) applyMethodResponseOp(response, op);
    checkMethodResponse(doc, response);
    return response;
  });
  return { body: methodResponseShape(response) };
};

const deleteMethodResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    findMethodResponse(method, req.path.statusCode!);
    delete method.methodResponses[req.path.statusCode!];
  });
  return {};
};

export const METHOD_RESPONSES_HANDLERS: HandlerTable = {
  PutMethodResponse: putMethodResponse,
  GetMethodResponse: getMethodResponse,
  UpdateMethodResponse: updateMethodResponse,
  DeleteMethodResponse: deleteMethodResponse,
};
