/**
 * apigateway (v1) operations on integration responses: PutIntegrationResponse,
 * GetIntegrationResponse, UpdateIntegrationResponse and DeleteIntegrationResponse. Each maps
 * backend results matching `selectionPattern` to one method response status.
 */
import { parseContextSource } from '../../model/context-sources.js';
import { CONTENT_HANDLING, type ContentHandlingStrategy, type IntegrationResponse } from '../../model/rest-api.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, OperationHandler, OperationRequest } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { integrationResponseShape } from './shapes.js';
import { forgetSentEmpty, noteSentEmpty } from './structure-empty-maps.js';
import {
  INTEGRATION_NOT_FOUND,
  changeStructure,
  checkTemplates,
  findIntegration,
  findIntegrationResponse,
  findMethod,
  findResource,
  invalidMapping,
  invalidPatchPath,
  onlyOps,
  optionalString,
  readPatch,
  readStructure,
  statusCodeProblem,
  stringMap,
  validationError,
} from './structure-checks.js';

const RESPONSE_HEADER = /^method\.response\.header\.[^\s.]+$/;
const RESPONSE_SOURCE =
  /^(?:integration\.response\.(?:header|multivalueheader)\.\S+|integration\.response\.body(?:\.\S*)?|context\.[A-Za-z0-9._-]+|stageVariables\.[A-Za-z0-9_]+|method\.request\.(?:path|querystring|header|multivaluequerystring|multivalueheader)\.\S+|'[^']*')$/;

function checkStatusCode(req: OperationRequest): void {
  const problem = statusCodeProblem(req.path.statusCode!);
  if (problem) throw validationError([problem]);
}

function checkIntegrationResponse(response: IntegrationResponse): void {
  for (const [target, source] of Object.entries(response.responseParameters)) {
    if (!RESPONSE_HEADER.test(target)) throw invalidMapping(target);
    if (!RESPONSE_SOURCE.test(source)) throw invalidMapping(source);
    // The pattern admits any dotted name after `context.`; AWS maps only the variables it documents.
    if (source.startsWith('context.') && !parseContextSource(source)) throw invalidMapping(source);
  }
  checkTemplates(response.responseTemplates);
  if (response.contentHandling !== undefined && !(CONTENT_HANDLING as readonly string[]).includes(response.contentHandling)) {
    throw badRequest(`Invalid content handling specified: ${response.contentHandling}. Valid options are ${CONTENT_HANDLING.join(',')}`);
  }
}

const putIntegrationResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  const responseParameters = stringMap(req.body.responseParameters);
  const responseTemplates = stringMap(req.body.responseTemplates);
  const response = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    const integration = findIntegration(method);
    const response: IntegrationResponse = { statusCode: req.path.statusCode!, responseParameters, responseTemplates };
    noteSentEmpty(response, req.body, ['responseParameters', 'responseTemplates']);
    const selectionPattern = optionalString(req.body.selectionPattern);
    if (selectionPattern !== undefined) response.selectionPattern = selectionPattern;
    const contentHandling = optionalString(req.body.contentHandling);
    if (contentHandling !== undefined) response.contentHandling = contentHandling as ContentHandlingStrategy;
    checkIntegrationResponse(response);
    integration.integrationResponses[response.statusCode] = response;
    return response;
  });
  return { body: integrationResponseShape(response) };
};

const getIntegrationResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  const api = await readStructure(ctx, req.path.restApiId!);
  const method = findMethod(findResource(api.document, req.path.resourceId!), req.path.httpMethod!);
  return { body: integrationResponseShape(findIntegrationResponse(findIntegration(method), req.path.statusCode!)) };
};

function applyIntegrationResponseOp(response: IntegrationResponse, op: PatchOperation): void {
  const [head, key, ...extra] = op.segments;
  if ((head === 'responseParameters' || head === 'responseTemplates') && key !== undefined && extra.length === 0) {
    const map = response[head];
    if (op.op === 'add' || op.op === 'replace') {
      if (op.value === undefined) throw badRequest(`Invalid null or empty value in ${op.path}`);
      map[key] = op.value;
    } else if (op.op === 'remove') {
      delete map[key];
      forgetSentEmpty(response, head);
    } else throw onlyOps('add, remove, replace');
    return;
  }
  if ((head !== 'selectionPattern' && head !== 'contentHandling') || key !== undefined) throw invalidPatchPath(op);
  if (op.op !== 'replace') throw onlyOps('replace');
  if (head === 'selectionPattern') response.selectionPattern = op.value ?? '';
  else if (op.value === undefined || op.value === '') delete response.contentHandling;
  else response.contentHandling = op.value as ContentHandlingStrategy;
}

const updateIntegrationResponse: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateIntegrationResponseInput', [statusCodeProblem(req.path.statusCode!)]);
  const response = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    const response = findIntegrationResponse(findIntegration(method), req.path.statusCode!);
    for (const op of ops) applyIntegrationResponseOp(response, op);
    checkIntegrationResponse(response);
    return response;
  });
  return { body: integrationResponseShape(response) };
};

const deleteIntegrationResponse: OperationHandler = async (ctx, req) => {
  checkStatusCode(req);
  await changeStructure(ctx, req.path.restApiId!, (doc) => {
    // AWS reports a missing method here as a missing integration.
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!, INTEGRATION_NOT_FOUND);
    const integration = findIntegration(method);
    findIntegrationResponse(integration, req.path.statusCode!);
    delete integration.integrationResponses[req.path.statusCode!];
  });
  return {};
};

export const INTEGRATION_RESPONSES_HANDLERS: HandlerTable = {
  PutIntegrationResponse: putIntegrationResponse,
  GetIntegrationResponse: getIntegrationResponse,
  UpdateIntegrationResponse: updateIntegrationResponse,
  DeleteIntegrationResponse: deleteIntegrationResponse,
};
