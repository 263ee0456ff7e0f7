/**
 * apigateway (v1) models: named JSON schemas (draft 4, stored as text as AWS keeps them) that
 * method requests and responses refer to by name. A model still referred to cannot be deleted.
 */
import type { Model, RestApiDocument } from '../../model/rest-api.js';
import { MODEL_NAME } from '../../model/validate.js';
import { newShortId } from '../../model/ids.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { compact } from './shapes.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';

const modelNotFound = (name: string): Error => notFound(`Invalid model name specified: ${name}`);

/** AWS answers a model call on a missing API as if the model were missing. */
async function requireApiForModel(ctx: ManagementContext, apiId: string, name: string): Promise<void> {
  const api = await ctx.store.getApi(apiId);
  if (!api || api.protocolType !== 'REST') throw modelNotFound(name);
}

export const modelShape = (model: Model): Record<string, unknown> =>
  compact({ id: model.id, name: model.name, description: model.description, schema: model.schema, contentType: model.contentType });

/** A schema must be a JSON object; an absent or empty one is refused in AWS's words. */
function checkSchema(schema: unknown): string {
  if (typeof schema !== 'string' || schema.trim() === '') throw badRequest('Model schema must have at least 1 property or array items defined');
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]');
  }
  return schema;
}

/** Where a model is used, in AWS's words for the first use found. */
function referenceTo(doc: RestApiDocument, name: string): string | undefined {
  // With several referencing methods AWS names the most recently added one (recorded: the root's
  // ANY and /test's ANY both use the model, and the message names /test/ANY).
  let found: string | undefined;
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (!method) continue;
      if (Object.values(method.requestModels).includes(name)) found = `method request: ${resource.path}/${httpMethod}`;
      for (const response of Object.values(method.methodResponses)) {
        if (!found && Object.values(response.responseModels).includes(name)) found = `method response: ${resource.path}/${httpMethod}/${response.statusCode}`;
      }
    }
  }
  if (found) return found;
  for (const other of Object.values(doc.models)) {
    if (other.name !== name && other.schema?.includes(`/models/${name}"`)) return `model: ${other.name}`;
  }
  return undefined;
}

const createModel: OperationHandler = async (ctx, req) => {
  const b = req.body;
  const model = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const name = typeof b.name === 'string' ? b.name : '';
    if (name === '') throw badRequest('Model name must be non-empty');
    if (!MODEL_NAME.test(name)) throw badRequest(`Invalid model name '${name}': model names must be alphanumeric`);
    if (typeof b.contentType !== 'string' || b.contentType === '') throw badRequest('Model content type must be non-empty');
    const schema = checkSchema(b.schema);
    if (Object.hasOwn(doc.models, name)) throw conflict('Model name already exists for this REST API');
    const created: Model = {
      id: newShortId(),
      name,
      contentType: b.contentType,
      schema,
      ...(typeof b.description === 'string' && b.description !== '' ? { description: b.description } : {}),
    };
    doc.models[name] = created;
    return created;
  });
  return { body: modelShape(model) };
};

const getModel: OperationHandler = async (ctx, req) => {
  const name = req.path.modelName!;
  await requireApiForModel(ctx, req.path.restApiId!, name);
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const model = Object.hasOwn(api.document.models, name) ? api.document.models[name] : undefined;
  if (!model) throw modelNotFound(name);
  return { body: modelShape(model) };
};

const getModels: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const models = Object.values(api.document.models).sort((a, b) => a.name.localeCompare(b.name));
  const page = pageV1(models, req.query);
  return { body: { ...page, item: page.item.map(modelShape) } };
};

const updateModel: OperationHandler = async (ctx, req) => {
  const name = req.path.modelName!;
  const ops = patchOperationsOf(req.body.patchOperations, 'updateModelInput');
  await requireApiForModel(ctx, req.path.restApiId!, name);
  const model = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const current = Object.hasOwn(doc.models, name) ? doc.models[name] : undefined;
    if (!current) throw modelNotFound(name);
    const next: Model = { ...current };
    for (const op of ops) {
      const { member, value } = simpleReplace(op, ['/description', '/schema']);
      if (member === 'schema') next.schema = checkSchema(value);
      else if (value === undefined || value === '') delete next.description;
      else next.description = value;
    }
    doc.models[name] = next;
    return next;
  });
  return { body: modelShape(model) };
};

const deleteModel: OperationHandler = async (ctx, req) => {
  const name = req.path.modelName!;
  await requireApiForModel(ctx, req.path.restApiId!, name);
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    if (!Object.hasOwn(doc.models, name)) throw modelNotFound(name);
    const usedBy = referenceTo(doc, name);
    if (usedBy) throw conflict(`Cannot delete model '${name}', is referenced in ${usedBy}`);
    delete doc.models[name];
  });
  return { status: 202 };
};

export const MODELS_HANDLERS: HandlerTable = {
  CreateModel: createModel,
  GetModel: getModel,
  GetModels: getModels,
  UpdateModel: updateModel,
  DeleteModel: deleteModel,
};
