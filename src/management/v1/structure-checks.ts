/**
 * Checks shared by the REST API structure operations (rest apis, resources, methods,
 * integrations): AWS's input-validation errors, readers for nested body values (the service only
 * checks a body's top-level member types), the lookups with AWS's not-found messages, and the
 * patch pre-checks whose wording AWS uses across these resources.
 */
import type { ApiRecord } from '../../model/api.js';
import type { StoreWriter } from '../../store/store.js';
import type { Integration, IntegrationResponse, Method, MethodResponse, Resource, RestApiDocument } from '../../model/rest-api.js';
import { ManagementError, badRequest, notFound } from '../errors.js';
import type { ManagementContext } from '../operation.js';
import { parsePatchOperations, type PatchOperation } from '../patch.js';
import { changeRestApi } from './api-document.js';

/**
 * AWS's request-validation answer: every violation of the input's declared constraints at once,
 * e.g. `1 validation error detected: Value 'x' at 'putIntegrationInput.type' failed to satisfy
 * constraint: Member must satisfy enum value set: [...]`.
 */
export function validationError(problems: readonly string[]): ManagementError {
  const count = problems.length === 1 ? '1 validation error detected' : `${problems.length} validation errors detected`;
  return new ManagementError('ValidationException', `${count}: ${problems.join('; ')}`, 400);
}

export const enumProblem = (value: string, at: string, allowed: readonly string[]): string =>
  `Value '${value}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`;

export const nullProblem = (at: string): string => `Value null at '${at}' failed to satisfy constraint: Member must not be null`;

/** A path's `statusCode` label, which AWS constrains to `[1-5]\d\d`. */
export function statusCodeProblem(statusCode: string): string | undefined {
  return /^[1-5]\d\d$/.test(statusCode)
    ? undefined
    : `Value '${statusCode}' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d`;
}

const PATCH_OPS = ['add', 'remove', 'move', 'test', 'replace', 'copy'];

/** The op of every patch operation must be one of JSON Patch's; AWS reports each bad one by position. */
export function patchOpProblems(raw: unknown, inputName: string): string[] {
  if (!Array.isArray(raw)) return [];
  const problems: string[] = [];
  raw.forEach((item, i) => {
    const op = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).op : undefined;
    if (typeof op === 'string' && !PATCH_OPS.includes(op)) {
      problems.push(enumProblem(op, `${inputName}.patchOperations.${i + 1}.member.op`, PATCH_OPS));
    }
  });
  return problems;
}

/** Parses `patchOperations` after AWS's input validation (bad ops, then any extra problems). */
export function readPatch(body: Readonly<Record<string, unknown>>, inputName: string, extra: readonly (string | undefined)[] = []): PatchOperation[] {
  const problems = [...patchOpProblems(body.patchOperations, inputName), ...extra.filter((p): p is string => p !== undefined)];
  if (problems.length > 0) throw validationError(problems);
  return parsePatchOperations(body.patchOperations);
}

/** The words AWS uses for an op a path does not take. */
export const onlyOps = (allowed: string): ManagementError => badRequest(`Invalid patch operation specified. Must be one of: [${allowed}]`);
export const invalidPatchPath = (op: PatchOperation): ManagementError => badRequest(`Invalid patch path ${op.path}`);

/** Patch values for booleans read as Java's Boolean.parseBoolean does: only "true" is true. */
export const patchBoolean = (op: PatchOperation): boolean => (op.value ?? '').toLowerCase() === 'true';

// ---- Nested body values ----------------------------------------------------------------------

/** The Java class name AWS reports when a JSON value is not the string it expected. */
function javaClassOf(value: unknown): string {
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (typeof value === 'number') return 'com.amazon.coral.value.json.numbers.TruncatingBigNumber';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  return 'java.util.LinkedHashMap';
}

const notString = (value: unknown): ManagementError =>
  new ManagementError('SerializationException', `class ${javaClassOf(value)} can not be converted to an String`, 400);

/** A map of strings (`requestTemplates`, `tags`…); absent or null reads as empty. */
export function stringMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw notString(v);
    out[key] = v;
  }
  return out;
}

/** A map of booleans (`requestParameters` of a method, `responseParameters` of a method response). */
export function booleanMap(value: unknown, member: string): Record<string, boolean> {
  if (value === undefined || value === null) return {};
  const out: Record<string, boolean> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null) continue;
    if (typeof v !== 'boolean') throw new ManagementError('SerializationException', `The values of ${member} must be booleans`, 400);
    out[key] = v;
  }
  return out;
}

/** A list of strings (`binaryMediaTypes`, `cacheKeyParameters`…). */
export function stringList(value: unknown, member: string): string[] {
  if (value === undefined || value === null) return [];
  const list = value as unknown[];
  for (const item of list) {
    if (typeof item !== 'string') throw new ManagementError('SerializationException', `The items of ${member} must be strings`, 400);
  }
  return list as string[];
}

export const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** AWS's wording for a mapping key or expression it cannot read. */
export const invalidMapping = (expression: string): ManagementError =>
  badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${expression}]`);

const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+*-]+\/[A-Za-z0-9!#$&^_.+*-]+(\s*;.*)?$/;

/** Template and model maps are keyed by content type. */
export function checkContentTypes(map: Record<string, unknown>): void {
  for (const key of Object.keys(map)) {
    if (!CONTENT_TYPE.test(key)) throw badRequest(`Validation Result: warnings : [], errors : [Invalid content type specified: ${key}]`);
  }
}

/** AWS bounds a mapping template's size. */
export const MAX_TEMPLATE_BYTES = 300 * 1024;

export function checkTemplates(templates: Record<string, string>): void {
  checkContentTypes(templates);
  for (const [contentType, template] of Object.entries(templates)) {
    if (Buffer.byteLength(template, 'utf8') > MAX_TEMPLATE_BYTES) {
      throw badRequest(`The mapping template for ${contentType} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
    }
  }
}

// ---- Lookups ---------------------------------------------------------------------------------

export const RESOURCE_NOT_FOUND = 'Invalid Resource identifier specified';
export const METHOD_NOT_FOUND = 'Invalid Method identifier specified';
export const INTEGRATION_NOT_FOUND = 'Invalid Integration identifier specified';
export const RESPONSE_NOT_FOUND = 'Invalid Response status code specified';

/**
 * The API, for operations addressed to something inside it: AWS answers an unknown API id there
 * as an unknown resource, not as an unknown API.
 */
export async function readStructure(ctx: ManagementContext, restApiId: string): Promise<ApiRecord> {
  const api = await ctx.store.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') throw notFound(RESOURCE_NOT_FOUND);
  return api;
}

/** changeRestApi for operations inside an API (see readStructure for the unknown-API answer). */
export async function changeStructure<T>(
  ctx: ManagementContext,
  restApiId: string,
  change: (doc: RestApiDocument, tx: StoreWriter, record: ApiRecord) => T | Promise<T>,
): Promise<T> {
  await readStructure(ctx, restApiId);
  return changeRestApi(ctx, restApiId, change);
}

export function findResource(doc: RestApiDocument, resourceId: string): Resource {
  const resource = Object.hasOwn(doc.resources, resourceId) ? doc.resources[resourceId] : undefined;
  if (!resource) throw notFound(RESOURCE_NOT_FOUND);
  return resource;
}

export function findMethod(resource: Resource, httpMethod: string, message = METHOD_NOT_FOUND): Method {
  const method = Object.hasOwn(resource.resourceMethods, httpMethod)
    ? resource.resourceMethods[httpMethod as keyof Resource['resourceMethods']]
    : undefined;
  if (!method) throw notFound(message);
  return method;
}

export function findIntegration(method: Method): Integration {
  if (!method.methodIntegration) throw notFound(INTEGRATION_NOT_FOUND);
  return method.methodIntegration;
}

export function findMethodResponse(method: Method, statusCode: string): MethodResponse {
  const response = Object.hasOwn(method.methodResponses, statusCode) ? method.methodResponses[statusCode] : undefined;
  if (!response) throw notFound(RESPONSE_NOT_FOUND);
  return response;
}

export function findIntegrationResponse(integration: Integration, statusCode: string): IntegrationResponse {
  const response = Object.hasOwn(integration.integrationResponses, statusCode) ? integration.integrationResponses[statusCode] : undefined;
  if (!response) throw notFound(RESPONSE_NOT_FOUND);
  return response;
}

/** A model a method or method response refers to must exist in the API. */
export function checkModelNames(doc: RestApiDocument, models: Record<string, string>): void {
  for (const name of Object.values(models)) {
    if (!Object.hasOwn(doc.models, name)) throw badRequest(`Invalid model identifier specified: ${name}`);
  }
}
