/**
 * apigatewayv2 models of WebSocket APIs: CreateModel, GetModel, GetModels, UpdateModel,
 * DeleteModel and GetModelTemplate (the mapping template blueprint, generated as apigateway
 * (v1) generates it, v1/model-template-generator.ts). A model is a JSON schema that routes and route responses name
 * for request validation, so names are unique and a model in use stays.
 */
import type { HttpApiDocument, Model } from '../../model/http-api.js';
import { newShortId } from '../../model/ids.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { LIMITS, changeV2Api, compact, readV2Api } from './document.js';
import { defined, optionalString, requiredString } from './input.js';
import { ModelTemplateError, generateModelTemplate } from '../v1/model-template-generator.js';

function findModel(doc: HttpApiDocument, modelId: string): Model {
  if (doc.api.protocolType !== 'WEBSOCKET') throw badRequest('Models are supported only for WebSocket APIs');
  const found = doc.models.find((m) => m.modelId === modelId);
  if (!found) throw notFound(`Invalid Model identifier specified ${modelId}`);
  return found;
}

function members(body: Readonly<Record<string, unknown>>, base: Partial<Model>): Partial<Model> {
  const next: Partial<Model> = { ...base };
  const name = optionalString(body, 'name', 128);
  if (name !== undefined) {
    if (!/^[A-Za-z0-9]+$/.test(name)) throw badRequest(`Model name '${name}' must be alphanumeric`);
    next.name = name;
  }
  const schema = optionalString(body, 'schema', 32768);
  if (schema !== undefined) {
    try {
      JSON.parse(schema);
    } catch {
      throw badRequest('Invalid model schema specified: the schema must be a JSON document');
    }
    next.schema = schema;
  }
  const contentType = optionalString(body, 'contentType', 256);
  if (contentType !== undefined) next.contentType = contentType;
  const description = optionalString(body, 'description', 1024);
  if (description !== undefined) next.description = description;
  return next;
}

function checkUniqueName(doc: HttpApiDocument, model: Model): void {
  if (doc.models.some((m) => m.modelId !== model.modelId && m.name === model.name)) throw conflict(`Model name already exists for this API: ${model.name}`);
}

const usersOf = (doc: HttpApiDocument, name: string): string[] => [
  ...doc.routes.filter((r) => Object.values(r.requestModels ?? {}).includes(name)).map((r) => r.routeKey),
  ...Object.entries(doc.routeResponses)
    .filter(([, list]) => list.some((rr) => Object.values(rr.responseModels ?? {}).includes(name)))
    .map(([routeId]) => doc.routes.find((r) => r.routeId === routeId)?.routeKey ?? routeId),
];

const shape = (m: Model): Record<string, unknown> => compact({ ...m });

/** A stored schema as JSON; CreateModel and UpdateModel only store schemas that parse. */
function schemaOf(model: Model | undefined): unknown {
  if (model?.schema === undefined) return undefined;
  try {
    return JSON.parse(model.schema);
  } catch {
    return undefined;
  }
}

export const MODELS_HANDLERS: HandlerTable = {
  async CreateModel(ctx, req) {
    requiredString(req.body, 'name', 128);
    requiredString(req.body, 'schema');
    const created = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      if (doc.api.protocolType !== 'WEBSOCKET') throw badRequest('Models are supported only for WebSocket APIs');
      if (doc.models.length >= LIMITS.modelsPerApi) throw badRequest(`The API already has the maximum of ${LIMITS.modelsPerApi} models`);
      const model = defined({ modelId: newShortId(), ...members(req.body, {}) }) as Model;
      checkUniqueName(doc, model);
      doc.models.push(model);
      return model;
    });
    return { body: shape(created) };
  },

  async GetModel(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: shape(findModel(document, req.path['ModelId']!)) };
  },

  async GetModels(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(document.models.map(shape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateModel(ctx, req) {
    const updated = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const current = findModel(doc, req.path['ModelId']!);
      const next = members(req.body, current) as Model;
      checkUniqueName(doc, next);
      if (next.name !== current.name && usersOf(doc, current.name).length > 0) {
        throw conflict(`Model ${current.name} is in use and cannot be renamed`);
      }
      doc.models[doc.models.indexOf(current)] = next;
      return next;
    });
    return { body: shape(updated) };
  },

  async DeleteModel(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const model = findModel(doc, req.path['ModelId']!);
      const users = usersOf(doc, model.name);
      if (users.length > 0) throw conflict(`Model ${model.name} cannot be deleted because route(s) use it: ${users.join(', ')}`);
      doc.models = doc.models.filter((m) => m !== model);
    });
    return {};
  },

  async GetModelTemplate(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const model = findModel(document, req.path['ModelId']!);
    // References to other models name them, as in apigateway (v1).
    const resolve = (name: string): unknown => schemaOf(document.models.find((m) => m.name === name));
    try {
      return { body: { value: generateModelTemplate(schemaOf(model) ?? {}, resolve) } };
    } catch (e) {
      if (e instanceof ModelTemplateError) throw badRequest(e.message);
      throw e;
    }
  },
};
