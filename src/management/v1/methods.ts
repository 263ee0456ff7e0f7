/**
 * apigateway (v1) operations on methods: PutMethod, GetMethod, UpdateMethod, DeleteMethod, and
 * (from structure-method-responses.ts) their method responses. A method's references (authorizer,
 * request validator, models) must exist in the same API, as AWS requires.
 */
import { AUTHORIZATION_TYPES, HTTP_METHODS, type AuthorizationType, type HttpMethod, type Method, type RestApiDocument } from '../../model/rest-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { methodShape } from './shapes.js';
import {
  booleanMap,
  changeStructure,
  checkContentTypes,
  checkModelNames,
  findMethod,
  findResource,
  invalidMapping,
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
import { METHOD_RESPONSES_HANDLERS } from './structure-method-responses.js';

const REQUEST_PARAMETER = /^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.([^\s]+)$/;

/** Keys must be method request parameters, and one name may not sit in two places. */
function checkRequestParameters(parameters: Record<string, boolean>): void {
  const seen = new Map<string, string>();
  for (const key of Object.keys(parameters)) {
    const match = REQUEST_PARAMETER.exec(key);
    if (!match) throw invalidMapping(key);
    const place = match[1]!.replace('multivalue', '');
    const name = match[2]!;
    const other = seen.get(name);
    if (other !== undefined && other !== place) throw badRequest('Parameter names must be unique across querystring, header and path');
    seen.set(name, place);
  }
}

const needsAuthorizer = (type: AuthorizationType): boolean => type === 'CUSTOM' || type === 'COGNITO_USER_POOLS';

/** What every method must satisfy after a put or an update. */
function checkMethod(doc: RestApiDocument, method: Method): void {
  if (needsAuthorizer(method.authorizationType)) {
    if (!method.authorizerId || !Object.hasOwn(doc.authorizers, method.authorizerId)) {
      throw badRequest('Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
    }
  } else {
    // AWS ignores an authorizer on a method that does not use one.
    delete method.authorizerId;
  }
  if (method.requestValidatorId !== undefined && !Object.hasOwn(doc.requestValidators, method.requestValidatorId)) {
    throw badRequest('Invalid Request Validator identifier specified');
  }
  checkRequestParameters(method.requestParameters);
  checkContentTypes(method.requestModels);
  checkModelNames(doc, method.requestModels);
}

function authorizationTypeOf(value: string): AuthorizationType {
  // AWS takes the type in any case (`none` is stored and shown as NONE, recorded).
  const type = value.toUpperCase();
  if (!(AUTHORIZATION_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`Invalid authorization type specified. Valid options are ${AUTHORIZATION_TYPES.join(',')}`);
  }
  return type as AuthorizationType;
}

const putMethod: OperationHandler = async (ctx, req) => {
  const b = req.body;
  if (typeof b.authorizationType !== 'string') throw validationError([nullProblem('putMethodInput.authorizationType')]);
  const requestParameters = booleanMap(b.requestParameters, 'requestParameters');
  const requestModels = stringMap(b.requestModels);
  const authorizationScopes = stringList(b.authorizationScopes, 'authorizationScopes');
  const method = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const resource = findResource(doc, req.path.resourceId!);
    const httpMethod = req.path.httpMethod!;
    if (!(HTTP_METHODS as readonly string[]).includes(httpMethod)) {
      throw badRequest('Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY');
    }
    if (resource.resourceMethods[httpMethod as HttpMethod]) throw conflict('Method already exists for this resource');
    const method: Method = {
      httpMethod: httpMethod as HttpMethod,
      authorizationType: authorizationTypeOf(b.authorizationType as string),
      apiKeyRequired: b.apiKeyRequired === true,
      requestParameters,
      requestModels,
      methodResponses: {},
    };
    const authorizerId = optionalString(b.authorizerId);
    if (authorizerId) method.authorizerId = authorizerId;
    const operationName = optionalString(b.operationName);
    if (operationName) method.operationName = operationName;
    const requestValidatorId = optionalString(b.requestValidatorId);
    if (requestValidatorId) method.requestValidatorId = requestValidatorId;
    if (authorizationScopes.length > 0) method.authorizationScopes = [...authorizationScopes];
    checkMethod(doc, method);
    resource.resourceMethods[method.httpMethod] = method;
    return method;
  });
  return { body: methodShape(method) };
};

const getMethod: OperationHandler = async (ctx, req) => {
  const api = await readStructure(ctx, req.path.restApiId!);
  const resource = findResource(api.document, req.path.resourceId!);
  return { body: methodShape(findMethod(resource, req.path.httpMethod!)) };
};

/** `/requestParameters/<name>` and `/requestModels/<content type>`: one entry per path. */
function patchMap<T>(map: Record<string, T>, op: PatchOperation, key: string, value: () => T, missing: string): void {
  if (op.op === 'add' || op.op === 'replace') map[key] = value();
  else if (op.op === 'remove') {
    if (!Object.hasOwn(map, key)) throw notFound(missing);
    delete map[key];
  } else throw onlyOps('add, remove, replace');
}

function applyMethodOp(method: Method, op: PatchOperation): void {
  const [head, ...rest] = op.segments;
  if (head === 'requestParameters' || head === 'requestModels') {
    if (rest.length !== 1 || rest[0] === '') throw invalidPatchPath(op);
    if (head === 'requestParameters') {
      patchMap(method.requestParameters, op, rest[0]!, () => patchBoolean(op), 'Invalid parameter name specified');
    } else {
      patchMap(method.requestModels, op, rest[0]!, () => op.value ?? '', 'Content-Type specified was not found');
    }
    return;
  }
  if (head === 'authorizationScopes' && rest.length === 0) {
    const scopes = method.authorizationScopes ?? [];
    if (op.op === 'add' && op.value) method.authorizationScopes = [...scopes.filter((s) => s !== op.value), op.value];
    else if (op.op === 'remove') method.authorizationScopes = op.value === undefined ? [] : scopes.filter((s) => s !== op.value);
    else throw onlyOps('add, remove');
    if (method.authorizationScopes.length === 0) delete method.authorizationScopes;
    return;
  }
  if (rest.length > 0) throw invalidPatchPath(op);
  const scalar = ['authorizationType', 'authorizerId', 'apiKeyRequired', 'operationName', 'requestValidatorId'];
  if (!head || !scalar.includes(head)) throw invalidPatchPath(op);
  if (op.op !== 'replace') throw onlyOps('replace');
  const value = op.value ?? '';
  switch (head) {
    case 'authorizationType':
      method.authorizationType = authorizationTypeOf(value);
      return;
    case 'apiKeyRequired':
      method.apiKeyRequired = patchBoolean(op);
      return;
    default: {
      const key = head as 'authorizerId' | 'operationName' | 'requestValidatorId';
      if (value === '') delete method[key];
      else method[key] = value;
    }
  }
}

const updateMethod: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateMethodInput');
  const method = await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const method = findMethod(findResource(doc, req.path.resourceId!), req.path.httpMethod!);
    for (const op of ops) applyMethodOp(method, op);
    checkMethod(doc, method);
    return method;
  });
  return { body: methodShape(method) };
};

const deleteMethod: OperationHandler = async (ctx, req) => {
  await changeStructure(ctx, req.path.restApiId!, (doc) => {
    const resource = findResource(doc, req.path.resourceId!);
    findMethod(resource, req.path.httpMethod!);
    delete resource.resourceMethods[req.path.httpMethod as HttpMethod];
  });
  return {};
};

export const METHODS_HANDLERS: HandlerTable = {
  PutMethod: putMethod,
  GetMethod: getMethod,
  UpdateMethod: updateMethod,
  DeleteMethod: deleteMethod,
  ...METHOD_RESPONSES_HANDLERS,
};
