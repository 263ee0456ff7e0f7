/**
 * Schemas (`definitions` in Swagger 2.0, `components/schemas` in OpenAPI 3) become API Gateway
 * models, with references between them rewritten to the model URLs AWS uses, and method
 * request/response schemas that reference them become model names.
 */
import type { Model } from '../../model/rest-api.js';
import { isObject, parseLocalRef, type ImportContext, type SourcePath } from './context.js';
import type { IdAllocator } from './ids.js';
import type { LocationMap } from './locations.js';

export const MODEL_CONTENT_TYPE = 'application/json';

/** Where a version keeps its reusable schemas. */
export function schemasPath(ctx: ImportContext): string[] {
  return ctx.version === 'swagger2' ? ['definitions'] : ['components', 'schemas'];
}

export function modelUrl(apiId: string, name: string): string {
  return `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;
}

export class ModelCatalog {
  constructor(
    private readonly ctx: ImportContext,
    readonly names: ReadonlySet<string>,
  ) {}

  /**
   * The model a `$ref` names, or undefined with a problem when it names no model. The name is
   * the whole remainder after the schemas prefix, so `#/definitions/A/properties/b` is rejected
   * rather than read as model `A`.
   */
  nameOf(ref: string, refPath: SourcePath): string | undefined {
    const target = parseLocalRef(ref);
    const prefix = schemasPath(this.ctx);
    const prefixText = `#/${prefix.join('/')}/`;
    if (!target) {
      this.ctx.problem(refPath, `'${ref}' is not a reference within this document; references to other files are not supported`);
      return undefined;
    }
    const underPrefix = prefix.every((s, i) => target[i] === s);
    if (!underPrefix || target.length !== prefix.length + 1) {
      this.ctx.problem(refPath, `'${ref}' does not name a model; a model reference looks like '${prefixText}NAME'`);
      return undefined;
    }
    const name = target[prefix.length]!;
    if (!this.names.has(name)) {
      this.ctx.problem(refPath, `'${ref}' refers to a model that is not defined under ${prefixText.slice(0, -1)}`);
      return undefined;
    }
    return name;
  }

  /**
   * The model a request or response schema refers to. Inline schemas have no model to name and
   * yield undefined without a problem.
   */
  modelOf(schema: unknown, schemaPath: SourcePath): string | undefined {
    if (!isObject(schema) || !('$ref' in schema)) return undefined;
    if (typeof schema.$ref !== 'string') {
      this.ctx.problem([...schemaPath, '$ref'], 'expected a reference string');
      return undefined;
    }
    return this.nameOf(schema.$ref, [...schemaPath, '$ref']);
  }
}

/** Reads every schema into a Model; references to other schemas become model URLs. */
export function buildModels(
  ctx: ImportContext,
  ids: IdAllocator,
  apiId: string,
  locations: LocationMap,
): { models: Record<string, Model>; catalog: ModelCatalog } {
  const base = schemasPath(ctx);
  const container = ctx.at(base);
  const models: Record<string, Model> = {};
  const names = new Set<string>();
  const catalog = new ModelCatalog(ctx, names);
  if (container === undefined) return { models, catalog };
  const schemas = ctx.object(container, base);
  if (!schemas) return { models, catalog };

  for (const name of Object.keys(schemas)) names.add(name);
  for (const [name, schema] of Object.entries(schemas)) {
    const path = [...base, name];
    if (!ctx.object(schema, path, 'a schema object')) continue;
    const rewritten = rewriteRefs(schema, path, (ref, refPath) => {
      const target = catalog.nameOf(ref, refPath);
      return target === undefined ? undefined : modelUrl(apiId, target);
    });
    models[name] = {
      id: ids.model(name),
      name,
      contentType: MODEL_CONTENT_TYPE,
      schema: JSON.stringify(rewritten),
    };
    for (const field of [[], ['name'], ['schema'], ['contentType'], ['id']]) locations.add(['models', name, ...field], path);
  }
  return { models, catalog };
}

/** A deep copy of `value` with every `$ref` string replaced; unresolvable ones are kept as they were. */
function rewriteRefs(
  value: unknown,
  path: SourcePath,
  replace: (ref: string, refPath: SourcePath) => string | undefined,
): unknown {
  if (Array.isArray(value)) return value.map((item, i) => rewriteRefs(item, [...path, String(i)], replace));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    // Under `properties` the keys are property names, so a property called "$ref" is data.
    const isRef = key === '$ref' && typeof child === 'string' && path[path.length - 1] !== 'properties';
    const next = isRef ? (replace(child, childPath) ?? child) : rewriteRefs(child, childPath, replace);
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
