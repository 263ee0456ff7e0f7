/**
 * Resources and methods → `paths`: one path item per resource that has methods, one operation
 * per method with its parameters, request body, responses, security and, when asked for, its
 * integration and request validator.
 */
import type { HttpMethod, Method, Resource } from '../model/rest-api.js';
import { modelRef, unique, type ExportContext } from './openapi-context.js';
import { exportIntegration } from './openapi-integration.js';
import { methodSecurity } from './openapi-security.js';

/** Operation keys in the order AWS writes them; ANY has no OpenAPI verb, only API Gateway's extension. */
const OPERATION_KEY: Readonly<Record<HttpMethod, string>> = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
  HEAD: 'head',
  OPTIONS: 'options',
  ANY: 'x-amazon-apigateway-any-method',
};

/** Method request parameter locations → OpenAPI `in`. Multi-value ones read the same place. */
const PARAMETER_IN: Readonly<Record<string, string>> = {
  path: 'path',
  querystring: 'query',
  multivaluequerystring: 'query',
  header: 'header',
  multivalueheader: 'header',
};

export interface ExportedPaths {
  paths: Record<string, unknown>;
  /** Security scheme names the operations use. */
  schemes: Set<string>;
}

export function exportPaths(ctx: ExportContext): ExportedPaths {
  const schemes = new Set<string>();
  const paths: Record<string, unknown> = {};
  const resources = Object.values(ctx.doc.resources)
    .filter((r) => Object.keys(r.resourceMethods).length > 0)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const resource of resources) {
    const item: Record<string, unknown> = {};
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (!method) continue;
      item[OPERATION_KEY[httpMethod as HttpMethod] ?? httpMethod.toLowerCase()] = exportOperation(ctx, resource, method, schemes);
    }
    paths[resource.path] = item;
  }
  return { paths, schemes };
}

function exportOperation(ctx: ExportContext, resource: Resource, method: Method, schemes: Set<string>): Record<string, unknown> {
  const swagger = ctx.type === 'swagger';
  const op: Record<string, unknown> = {};
  if (method.operationName !== undefined) op.operationId = method.operationName;

  const integration = method.methodIntegration;
  if (swagger) {
    // AWS lists the media types of both models and mapping templates.
    const consumes = unique([...Object.keys(method.requestModels), ...Object.keys(integration?.requestTemplates ?? {})]);
    const produces = unique([
      ...Object.values(method.methodResponses).flatMap((r) => Object.keys(r.responseModels)),
      ...Object.values(integration?.integrationResponses ?? {}).flatMap((r) => Object.keys(r.responseTemplates)),
    ]);
    if (consumes.length > 0) op.consumes = consumes;
    if (produces.length > 0) op.produces = produces;
  }

  const parameters = exportParameters(ctx, resource, method);
  if (parameters.length > 0) op.parameters = parameters;
  if (!swagger) {
    const body = exportRequestBody(ctx, method);
    if (body) op.requestBody = body;
  }
  op.responses = exportResponses(ctx, method);

  const security = methodSecurity(ctx, method);
  if (security) {
    op.security = security;
    for (const requirement of security) for (const name of Object.keys(requirement)) schemes.add(name);
  }
  if (ctx.extensions.apigateway && method.requestValidatorId !== undefined) {
    const validator = ctx.doc.requestValidators[method.requestValidatorId];
    if (validator) op['x-amazon-apigateway-request-validator'] = validator.name;
  }
  if ((ctx.extensions.integrations || ctx.extensions.apigateway) && integration) {
    op['x-amazon-apigateway-integration'] = exportIntegration(integration);
  }
  return op;
}

const stringSchema = (): Record<string, unknown> => ({ type: 'string' });

function exportParameters(ctx: ExportContext, resource: Resource, method: Method): Record<string, unknown>[] {
  const swagger = ctx.type === 'swagger';
  const parameter = (name: string, where: string, required: boolean): Record<string, unknown> =>
    swagger ? { name, in: where, required, type: 'string' } : { name, in: where, required, schema: stringSchema() };

  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const add = (name: string, where: string, required: boolean): void => {
    const key = `${where}\u0000${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(parameter(name, where, required));
  };
  // Every `{name}` of the path must be declared for the document to be valid OpenAPI, even
  // when the method does not list it as a request parameter.
  for (const match of resource.path.matchAll(/\{([^}+]+)\+?\}/g)) add(match[1]!, 'path', true);
  for (const [key, required] of Object.entries(method.requestParameters)) {
    const match = /^method\.request\.([a-z]+)\.(.+)$/.exec(key);
    const where = match && PARAMETER_IN[match[1]!];
    if (!match || !where) continue;
    add(match[2]!, where, where === 'path' ? true : required);
  }
  if (swagger) {
    const model = firstModel(method.requestModels);
    if (model !== undefined) out.push({ in: 'body', name: model, required: true, schema: { $ref: modelRef(ctx.type, model) } });
  }
  return out;
}

/** Swagger 2.0 has one body schema per operation (and response): the first model listed. */
function firstModel(models: Record<string, string>): string | undefined {
  return Object.values(models)[0];
}

function exportRequestBody(ctx: ExportContext, method: Method): Record<string, unknown> | undefined {
  const entries = Object.entries(method.requestModels);
  if (entries.length === 0) return undefined;
  const content: Record<string, unknown> = {};
  for (const [type, model] of entries) content[type] = { schema: { $ref: modelRef(ctx.type, model) } };
  return { content, required: true };
}

function exportResponses(ctx: ExportContext, method: Method): Record<string, unknown> {
  const swagger = ctx.type === 'swagger';
  const out: Record<string, unknown> = {};
  const responses = Object.values(method.methodResponses).sort((a, b) => (a.statusCode < b.statusCode ? -1 : 1));
  for (const response of responses) {
    const result: Record<string, unknown> = { description: `${response.statusCode} response` };
    if (swagger) {
      const model = firstModel(response.responseModels);
      if (model !== undefined) result.schema = { $ref: modelRef(ctx.type, model) };
    }
    const headers: Record<string, unknown> = {};
    for (const key of Object.keys(response.responseParameters)) {
      const match = /^method\.response\.header\.(.+)$/.exec(key);
      if (match) headers[match[1]!] = swagger ? stringSchema() : { schema: stringSchema() };
    }
    if (Object.keys(headers).length > 0) result.headers = headers;
    if (!swagger) {
      const content: Record<string, unknown> = {};
      for (const [type, model] of Object.entries(response.responseModels)) content[type] = { schema: { $ref: modelRef(ctx.type, model) } };
      if (Object.keys(content).length > 0) result.content = content;
    }
    out[response.statusCode] = result;
  }
  if (Object.keys(out).length === 0) {
    // OpenAPI requires at least one response; API Gateway reads `default` as no method response.
    out.default = { description: 'Default response' };
  }
  return out;
}
