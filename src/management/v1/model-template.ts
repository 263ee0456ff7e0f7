/**
 * apigateway (v1) GetModelTemplate: the mapping template blueprint of a model
 * (model-template-generator.ts), answered as `{"value": "..."}`.
 */
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, notFound } from '../errors.js';
import { generateModelTemplate, ModelTemplateError } from './model-template-generator.js';

const modelNotFound = (name: string): Error => notFound(`Invalid model name specified: ${name}`);

function parseSchema(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Invalid model schema specified: the schema is not JSON');
  }
}

const getModelTemplate: OperationHandler = async (ctx, req) => {
  const name = req.path.modelName!;
  const api = await ctx.store.getApi(req.path.restApiId!);
  // AWS answers a missing API as it answers a missing model.
  if (!api || api.protocolType !== 'REST') throw modelNotFound(name);
  const models = api.document.models;
  const model = Object.hasOwn(models, name) ? models[name] : undefined;
  if (!model) throw modelNotFound(name);
  const resolve = (other: string): unknown => {
    const target = Object.hasOwn(models, other) ? models[other] : undefined;
    return target ? parseSchema(target.schema) : undefined;
  };
  try {
    return { body: { value: generateModelTemplate(parseSchema(model.schema), resolve) } };
  } catch (e) {
    if (e instanceof ModelTemplateError) throw badRequest(e.message);
    throw e;
  }
};

export const MODEL_TEMPLATE_HANDLERS: HandlerTable = {
  GetModelTemplate: getModelTemplate,
};
