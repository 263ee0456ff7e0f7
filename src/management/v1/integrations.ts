/**
 * apigateway (v1) operations on a method's integration: PutIntegration, GetIntegration,
 * UpdateIntegration, DeleteIntegration, and (from structure-integration-responses.ts) its
 * integration responses. `httpMethod` in an integration is the method used to call the backend.
 */
import {
  INTEGRATION_TIMEOUT_DEFAULT_MS,
  INTEGRATION_TYPES,
  type ContentHandlingStrategy,
  type Integration,
  type IntegrationType,
  type PassthroughBehavior,
} from '../../model/rest-api.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { integrationShape } from './shapes.js';
import {
  changeStructure,
  enumProblem,
  findIntegration,
  findMethod,
  findResource,
  invalidPatchPath,
  nullProblem,
  onlyOps,
  optionalString,
  patchBoolean,
  readPatch,
  readStructure,
  stringList,
  stringMap,
  validationError,
} from './structure-checks.js';
import { checkIntegration } from './structure-integration-rules.js';
import { INTEGRATION_RESPONSES_HANDLERS } from './structure-integration-responses.js';

/** AWS lists the integration types in this order in its validation message. */
const TYPE_ENUM = ['HTTP', 'MOCK', 'AWS_PROXY', 'HTTP_PROXY', 'AWS'];

const putIntegration: OperationHandler = async (ctx, req) => {
  const b = req.body;
  if (typeof b.type !== 'string') throw validationError([nullProblem('putIntegrationInput.type')]);
  if (!(INTEGRATION_TYPES as readonly string[]).includes(b.type)) throw validationError([enumProblem(b.type, 'putIntegrationInput.type', TYPE_ENUM)]);
  const requestParameters = stringMap(b.requestParameters);
  const requestTemplates = stringMap(b.requestTemplates);
  const cacheKeyParameters = stringList(b.cacheKeyParameters, 'cacheKeyParameters');
  const tls = (b.tlsConfig ?? undefined) as Record<string, unknown> | undefined;
  if (tls && tls.insecureSkipVerification !== undefined && typeof tls.insecureSkipVerification !== 'boolean') {
    throw badRequest('tlsConfig.insecureSkipVerification must be a boolean');
  }
  const integration = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const resource = findResource(doc, req.path.resourceId!);
    const method = findMethod(resource, req.path.httpMethod!);
    const type = b.type as IntegrationType;
    const integration: Integration = {
      type,
      requestParameters,
      requestTemplates,
      passthroughBehavior: (optionalString(b.passthroughBehavior) ?? 'WHEN_NO_MATCH') as PassthroughBehavior,
      timeoutInMillis: typeof b.timeoutInMillis === 'number' ? b.timeoutInMillis : INTEGRATION_TIMEOUT_DEFAULT_MS,
      cacheNamespace: optionalString(b.cacheNamespace) ?? resource.id,
      cacheKeyParameters: [...cacheKeyParameters],
      // Re-putting an integration keeps the responses already set up for it.
      integrationResponses: method.methodIntegration?.integrationResponses ?? {},
    };
    const httpMethod = optionalString(b.httpMethod);
    if (httpMethod) integration.httpMethod = httpMethod;
    const uri = optionalString(b.uri);
    if (uri) integration.uri = uri;
    // AWS reports INTERNET for HTTP backends it was not told about, and nothing for MOCK and AWS ones (recorded).
    const connectionType = optionalString(b.connectionType) ?? (type === 'HTTP' || type === 'HTTP_PROXY' ? 'INTERNET' : undefined);
    if (connectionType) integration.connectionType = connectionType as Integration['connectionType'];
    const connectionId = optionalString(b.connectionId);
    if (connectionId) integration.connectionId = connectionId;
    const credentials = optionalString(b.credentials);
    if (credentials) integration.credentials = credentials;
    const contentHandling = optionalString(b.contentHandling);
    if (contentHandling) integration.contentHandling = contentHandling as ContentHandlingStrategy;
    if (tls && typeof tls.insecureSkipVerification === 'boolean') integration.tlsConfig = { insecureSkipVerification: tls.insecureSkipVerification };
    checkIntegration(integration);
    method.methodIntegration = integration;
    return integration;
  });
  return { body: integrationShape(integration) };
};

const getIntegration: OperationHandler = async (ctx, req) => {
  const api = await readStructure(ctx, req.path.restApiId!);
  const method = findMethod(findResource(api.document, req.path.resourceId!), req.path.httpMethod!);
  return { body: integrationShape(findIntegration(method)) };
};

type ScalarMember = 'httpMethod' | 'uri' | 'connectionType' | 'connectionId' | 'credentials' | 'passthroughBehavior' | 'contentHandling' | 'cacheNamespace';
const SCALARS: readonly string[] = ['httpMethod', 'uri', 'connectionType', 'connectionId', 'credentials', 'passthroughBehavior', 'contentHandling', 'cacheNamespace'];

function patchEntry(map: Record<string, string>, op: PatchOperation, key: string): void {
  if (op.op === 'add' || op.op === 'replace') {
    if (op.value === undefined) throw badRequest(`Invalid null or empty value in ${op.path}`);
    map[key] = op.value;
  } else if (op.op === 'remove') delete map[key];
  else throw onlyOps('add, remove, replace');
}

function applyIntegrationOp(integration: Integration, op: PatchOperation): void {
  const [head, key, ...extra] = op.segments;
  if ((head === 'requestParameters' || head === 'requestTemplates') && key !== undefined && extra.length === 0) {
    return patchEntry(integration[head], op, key);
  }
  if (head === 'cacheKeyParameters' && key !== undefined && extra.length === 0) {
    const rest = integration.cacheKeyParameters.filter((k) => k !== key);
    if (op.op === 'add') integration.cacheKeyParameters = [...rest, key];
    else if (op.op === 'remove') integration.cacheKeyParameters = rest;
    else throw onlyOps('add, remove');
    return;
  }
  if (head === 'tlsConfig' && key === 'insecureSkipVerification' && extra.length === 0) {
    if (op.op !== 'replace') throw onlyOps('replace');
    integration.tlsConfig = { insecureSkipVerification: patchBoolean(op) };
    return;
  }
  if (key !== undefined || head === undefined || (head !== 'timeoutInMillis' && !SCALARS.includes(head))) throw invalidPatchPath(op);
  if (op.op !== 'replace') throw onlyOps('replace');
  const value = op.value ?? '';
  if (head === 'timeoutInMillis') {
    integration.timeoutInMillis = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    return;
  }
  const member = head as ScalarMember;
  if (value === '') {
    if (member === 'passthroughBehavior' || member === 'cacheNamespace') throw badRequest(`Invalid null or empty value in ${op.path}`);
    delete integration[member];
  } else {
    (integration as unknown as Record<string, string>)[member] = value;
  }
}

const updateIntegration: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateIntegrationInput');
  const integration = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    const integration = findIntegration(method);
    for (const op of ops) applyIntegrationOp(integration, op);
    checkIntegration(integration);
    return integration;
  });
  return { body: integrationShape(integration) };
};

const deleteIntegration: OperationHandler = async (ctx, req) => {
  await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    findIntegration(method);
    delete method.methodIntegration;
  });
  return {};
};

export const INTEGRATIONS_HANDLERS: HandlerTable = {
  PutIntegration: putIntegration,
  GetIntegration: getIntegration,
  UpdateIntegration: updateIntegration,
  DeleteIntegration: deleteIntegration,
  ...INTEGRATION_RESPONSES_HANDLERS,
};
