/**
 * apigateway (v1) request validators: named switches for checking a method's request body
 * and/or parameters, referred to by id from methods. One still in use cannot be deleted, so a
 * stored API never names a validator it does not have.
 */
import type { RequestValidator } from '../../model/rest-api.js';
import { newShortId } from '../../model/ids.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';

const validatorNotFound = (): Error => notFound('Invalid Request Validator identifier specified');

/** AWS answers a single validator's call on a missing API as if the validator were missing. */
async function requireApi(ctx: ManagementContext, apiId: string, missing: () => Error): Promise<void> {
  const api = await ctx.store.getApi(apiId);
  if (!api || api.protocolType !== 'REST') throw missing();
}

export const requestValidatorShape = (v: RequestValidator): Record<string, unknown> => ({
  id: v.id,
  name: v.name,
  validateRequestBody: v.validateRequestBody,
  validateRequestParameters: v.validateRequestParameters,
});

const checkName = (name: unknown): string => {
  if (typeof name !== 'string' || name.trim() === '') throw badRequest('Request Validator name cannot be blank');
  return name;
};

/**
 * A patch value for a switch, read as Java's Boolean.parseBoolean: only "true" turns it on. AWS
 * answers a `replace` without a value by turning the switch off (recorded).
 */
const booleanOf = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

const createRequestValidator: OperationHandler = async (ctx, req) => {
  const b = req.body;
  await requireApi(ctx, req.path.restApiId!, () => badRequest('Invalid REST API identifier specified'));
  const validator = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const created: RequestValidator = {
      id: newShortId(),
      name: checkName(b.name),
      validateRequestBody: b.validateRequestBody === true,
      validateRequestParameters: b.validateRequestParameters === true,
    };
    doc.requestValidators[created.id] = created;
    return created;
  });
  return { body: requestValidatorShape(validator) };
};

const getRequestValidator: OperationHandler = async (ctx, req) => {
  await requireApi(ctx, req.path.restApiId!, validatorNotFound);
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const id = req.path.requestValidatorId!;
  const validator = Object.hasOwn(api.document.requestValidators, id) ? api.document.requestValidators[id] : undefined;
  if (!validator) throw validatorNotFound();
  return { body: requestValidatorShape(validator) };
};

const getRequestValidators: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const page = pageV1(Object.values(api.document.requestValidators), req.query);
  return { body: { ...page, item: page.item.map(requestValidatorShape) } };
};

const PATHS = ['/name', '/validateRequestParameters', '/validateRequestBody'];

const updateRequestValidator: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateRequestValidatorInput');
  const id = req.path.requestValidatorId!;
  await requireApi(ctx, req.path.restApiId!, validatorNotFound);
  const validator = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const current = Object.hasOwn(doc.requestValidators, id) ? doc.requestValidators[id] : undefined;
    if (!current) throw validatorNotFound();
    const next: RequestValidator = { ...current };
    for (const op of ops) {
      const { member, value } = simpleReplace(op, PATHS);
      if (member === 'name') next.name = checkName(value);
      else if (member === 'validateRequestBody') next.validateRequestBody = booleanOf(value);
      else next.validateRequestParameters = booleanOf(value);
    }
    doc.requestValidators[id] = next;
    return next;
  });
  return { body: requestValidatorShape(validator) };
};

const deleteRequestValidator: OperationHandler = async (ctx, req) => {
  const id = req.path.requestValidatorId!;
  await requireApi(ctx, req.path.restApiId!, validatorNotFound);
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    if (!Object.hasOwn(doc.requestValidators, id)) throw validatorNotFound();
    for (const resource of Object.values(doc.resources)) {
      for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
        if (method?.requestValidatorId === id) {
          throw conflict(`Cannot delete request validator '${id}', is referenced in method: ${resource.path}/${httpMethod}`);
        }
      }
    }
    delete doc.requestValidators[id];
  });
  return { status: 202 };
};

export const REQUEST_VALIDATORS_HANDLERS: HandlerTable = {
  CreateRequestValidator: createRequestValidator,
  GetRequestValidator: getRequestValidator,
  GetRequestValidators: getRequestValidators,
  UpdateRequestValidator: updateRequestValidator,
  DeleteRequestValidator: deleteRequestValidator,
};
