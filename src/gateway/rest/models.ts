/**
 * The models of one deployment, compiled once into JSON Schema draft 4 validators, as API Gateway
 * validates request bodies with them.
 *
 * Models reference each other by URL (`https://apigateway.amazonaws.com/restapis/{id}/models/{name}`);
 * the reference is resolved by model name whatever API id it carries, so documents imported or
 * copied between APIs keep working. Whether a body is valid is decided by ajv. Why it is not is
 * then written the way AWS fills `$context.error.validationErrorString`: the messages of the Java
 * validator behind API Gateway (fge json-schema-validator), in that validator's order, as a
 * bracketed, comma-separated list.
 *
 * A model AWS would have refused (schema not JSON, not draft 4, or referencing a missing model)
 * does not stop the deployment: it compiles to a broken model, and the methods whose requests need
 * it answer API_CONFIGURATION_ERROR.
 */
import { isIPv4, isIPv6 } from 'node:net';
import ajvDraft04 from 'ajv-draft-04';
import type { ErrorObject, Options, ValidateFunction } from 'ajv-draft-04';
import type { RestApiDocument } from '../../model/rest-api.js';

/** Describes why a body does not match a model; undefined when it does. */
export type ModelCheck = (body: unknown) => string | undefined;

export type CompiledModel =
  | {
      ok: true;
      check: ModelCheck;
      /** A model without a schema constrains nothing, not even that the body is JSON. */
      anything: boolean;
    }
  | {
      ok: false;
      /** Why the model cannot be used; AWS would have refused it when it was created. */
      problem: string;
    };

type SchemaObject = Record<string, unknown>;

/** Where `$ref`s inside a schema are resolved from: the model document and its URL. */
interface Scope {
  root: unknown;
  url: string;
}

const MODEL_REF = /^https?:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#?]+)(#.*)?$/;

export function modelUrl(apiId: string, name: string): string {
  return `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;
}

/** Schemas nest far less than bodies; anything deeper than this is not a model anyone wrote. */
const MAX_SCHEMA_DEPTH = 256;
/** How deep the explanation follows a body before settling for ajv's own account. */
const MAX_EXPLAIN_DEPTH = 1000;
const MAX_REF_HOPS = 64;
/** fge lists every failure; past this many, the rest of a huge body's failures go unlisted. */
const MAX_MESSAGES = 100;

/** Said when a recursive model meets a body nested past what can be walked. */
const TOO_DEEP = '[instance is nested too deeply to be validated]';

const DATE_TIME_FORMATS = "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]";

interface Format {
  test: (value: string) => boolean;
  message: (value: string) => string;
}

/**
 * The draft 4 formats fge checks; any other format is ignored, as fge only warns about formats it
 * does not know.
 */
const FORMATS: Record<string, Format> = {
  'date-time': {
    test: isDateTime,
    message: (v) => `string "${v}" is invalid against requested date format(s) ${DATE_TIME_FORMATS}`,
  },
  email: { test: (v) => /^[^\s@]+@[^\s@]+$/.test(v), message: (v) => `string "${v}" is not a valid email address` },
  hostname: { test: isHostname, message: (v) => `string "${v}" is not a valid hostname` },
  ipv4: { test: (v) => isIPv4(v), message: (v) => `string "${v}" is not a valid IPv4 address` },
  ipv6: { test: (v) => isIPv6(v), message: (v) => `string "${v}" is not a valid IPv6 address` },
  uri: { test: isUri, message: (v) => `string "${v}" is not a valid URI` },
  regex: { test: isRegex, message: (v) => `string "${v}" is not a valid ECMA 262 regular expression` },
};

/** One configuration for every deployment's validator. */
const AJV_OPTIONS: Options = {
  // AWS accepts unknown keywords and formats in models; ajv's strict mode would refuse them.
  strict: false,
  logger: false,
  // Only the verdict comes from ajv; the reasons are written by Explainer, in fge's terms.
  allErrors: false,
  // fge reads patterns as plain ECMA 262 (Rhino), where e.g. `[\w-.]` is legal; Unicode mode is stricter.
  unicodeRegExp: false,
  // fge divides in BigDecimal, so 0.3 is a multiple of 0.1; binary floating point needs the slack.
  multipleOfPrecision: 9,
  // Errors carry their schema and data, so a failure the Explainer cannot walk is still put in fge's words.
  verbose: true,
  formats: Object.fromEntries(Object.entries(FORMATS).map(([name, f]) => [name, f.test])),
};

// A CommonJS module whose class is both module.exports and its `default`; NodeNext types only the latter.
const Ajv04 = ajvDraft04.default;

const cache = new WeakMap<RestApiDocument, CompiledModels>();

/** A deployment's models; schemas are added up front, each compiled the first time a method needs it. */
export class CompiledModels {
  /** The compiled models of a deployment document, shared by all its methods. */
  static of(doc: RestApiDocument): CompiledModels {
    let models = cache.get(doc);
    if (!models) {
      models = new CompiledModels(doc);
      cache.set(doc, models);
    }
    return models;
  }

  private readonly ajv = new Ajv04(AJV_OPTIONS);
  private readonly documents = new Map<string, unknown>();
  private readonly compiled = new Map<string, CompiledModel>();
  private readonly explainer: Explainer;

  constructor(private readonly doc: RestApiDocument) {
    const apiId = doc.restApi.id;
    for (const [name, model] of Object.entries(doc.models ?? {})) {
      if (model.schema === undefined || model.schema.trim() === '') {
        this.compiled.set(name, { ok: true, check: () => undefined, anything: true });
        continue;
      }
      const url = modelUrl(apiId, name);
      try {
        const schema = prepare(JSON.parse(model.schema), apiId, 0);
        this.ajv.addSchema(schema as SchemaObject, url);
        this.documents.set(url, schema);
      } catch (err) {
        this.compiled.set(name, { ok: false, problem: `model ${name}: ${describe(err)}` });
      }
    }
    this.explainer = new Explainer(this.documents);
  }

  /** The model named `name`; a missing model is reported as broken. */
  get(name: string): CompiledModel {
    let model = this.compiled.get(name);
    if (model) return model;
    model = this.compile(name);
    this.compiled.set(name, model);
    return model;
  }

  private compile(name: string): CompiledModel {
    const url = modelUrl(this.doc.restApi.id, name);
    if (!this.documents.has(url)) return { ok: false, problem: `model ${name} does not exist` };
    let validate: ValidateFunction;
    try {
      const found = this.ajv.getSchema(url);
      if (!found) return { ok: false, problem: `model ${name} does not compile` };
      validate = found;
    } catch (err) {
      return { ok: false, problem: `model ${name}: ${describe(err)}` };
    }
    const check: ModelCheck = (body) => {
      let valid: boolean;
      try {
        valid = validate(body) as boolean;
      } catch (err) {
        // A recursive model walks as deep as the body goes; past the stack, the body is refused.
        if (err instanceof RangeError) return TOO_DEEP;
        throw err;
      }
      if (valid) return undefined;
      return `[${this.explain(url, body, validate).join(', ')}]`;
    };
    return { ok: true, check, anything: false };
  }

  private explain(url: string, body: unknown, validate: ValidateFunction): string[] {
    const errors = validate.errors ?? [];
    try {
      const messages = this.explainer.explain(url, body);
      // The explanation and ajv may part ways on exotic schemas; ajv's verdict stands either way.
      if (messages.length > 0) return messages;
    } catch {
      // Too deep or too exotic to walk: ajv's own errors are described instead.
    }
    // ajv stops at the first failure, listing before it what failed inside composites on the way;
    // the last error is the failure itself, the one fge would name.
    const last = errors.at(-1);
    if (!last) return [];
    try {
      return [this.explainer.fromAjv(last, url)];
    } catch {
      return [ajvWording(last)];
    }
  }
}

function ajvWording(error: ErrorObject): string {
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property assignment, so a key like `__proto__` stays data. */
function put(target: SchemaObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mapSchemas(map: SchemaObject, apiId: string, depth: number): SchemaObject {
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(map)) put(out, key, prepare(value, apiId, depth + 1));
  return out;
}

/**
 * A copy of a model's schema as draft 4 reads it: model URLs point at this API whatever id they
 * name, a `$ref` replaces its siblings (ajv would apply both), and `$schema` is dropped since
 * every model is draft 4. Only schema positions are visited, never `enum` or `default` values.
 */
function prepare(node: unknown, apiId: string, depth: number): unknown {
  if (!isObject(node)) return node;
  if (depth > MAX_SCHEMA_DEPTH) throw new Error('schema is nested too deeply');
  if (typeof node.$ref === 'string') {
    const out: SchemaObject = { $ref: canonicalRef(node.$ref, apiId) };
    // Kept so that references into them still resolve.
    if (isObject(node.definitions)) out.definitions = mapSchemas(node.definitions, apiId, depth);
    if (typeof node.id === 'string') out.id = node.id;
    return out;
  }
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
        break;
      case 'properties':
      case 'patternProperties':
      case 'definitions':
        put(out, key, isObject(value) ? mapSchemas(value, apiId, depth) : value);
        break;
      case 'dependencies':
        put(
          out,
          key,
          isObject(value)
            ? Object.fromEntries(
                Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v : prepare(v, apiId, depth + 1)]),
              )
            : value,
        );
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        put(out, key, Array.isArray(value) ? value.map((v) => prepare(v, apiId, depth + 1)) : value);
        break;
      case 'items':
        put(
          out,
          key,
          Array.isArray(value) ? value.map((v) => prepare(v, apiId, depth + 1)) : prepare(value, apiId, depth + 1),
        );
        break;
      case 'additionalItems':
      case 'additionalProperties':
      case 'not':
        put(out, key, prepare(value, apiId, depth + 1));
        break;
      default:
        put(out, key, value);
    }
  }
  return out;
}

function canonicalRef(ref: string, apiId: string): string {
  const match = MODEL_REF.exec(ref);
  return match ? `${modelUrl(apiId, match[1]!)}${match[2] ?? ''}` : ref;
}

// ---------------------------------------------------------------------------------------------
// Explaining a failure in fge's words and order.
//
// fge runs a schema's keywords in keyword-name order (format last), only those that apply to the
// instance's type. If anything failed so far, it stops; otherwise it descends into the members
// (in sorted order) or elements, each against the schemas that cover it. Composite keywords
// (allOf, anyOf, oneOf, not) report one summary line, never their branches' reasons.
// ---------------------------------------------------------------------------------------------

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** Jackson's compact rendering of a JSON value, as fge prints instances and keyword values. */
function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A number as fge prints it; Java and JavaScript agree on the numbers models and bodies use. */
function num(value: unknown): string {
  return typeof value === 'number' ? String(value) : json(value);
}

/** fge counts string lengths in code points. */
function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** JSON equality with numbers compared by value, as fge's enum compares. */
function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEquals(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k], b[k]));
  }
  return false;
}

/** A JSON value's text with members sorted, so equal values (as fge compares them) print alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return json(value);
}

/** Patterns come from models, so few are distinct; the bound only guards against churn across deployments. */
const regexes = new Map<string, RegExp | null>();
const MAX_CACHED_REGEXES = 1024;

/** fge's Rhino matching: a search, not anchored; a pattern that does not compile matches. */
function regexMatches(pattern: string, value: string): boolean {
  let regex = regexes.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = null;
    }
    if (regexes.size >= MAX_CACHED_REGEXES) regexes.clear();
    regexes.set(pattern, regex);
  }
  return regex === null || regex.test(value);
}

/** Thrown when a report holds all it may; `report` says whose limit it was. */
class ReportFull extends Error {
  constructor(readonly report: Report) {
    super('report full');
  }
}

/**
 * fge's messages so far. A limit keeps a huge failing body from growing a huge string, and lets a
 * composite's branch stop at its first failure, which is all the composite needs to know.
 */
class Report {
  readonly messages: string[] = [];
  constructor(private readonly limit: number) {}

  get clean(): boolean {
    return this.messages.length === 0;
  }

  add(message: string): void {
    this.messages.push(message);
    if (this.messages.length >= this.limit) throw new ReportFull(this);
  }

  /** Runs `walk` into this report; true when it stayed clean, false once the limit is reached. */
  fill(walk: () => void): boolean {
    try {
      walk();
      return this.clean;
    } catch (err) {
      if (err instanceof ReportFull && err.report === this) return false;
      throw err;
    }
  }
}

interface KeywordContext {
  explainer: Explainer;
  schema: SchemaObject;
  scope: Scope;
  instance: unknown;
  report: Report;
  depth: number;
}

/** A keyword's failure message, or undefined when the instance satisfies it. */
type KeywordCheck = (ctx: KeywordContext) => string | undefined;

const ANY: readonly JsonType[] = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];
const NUMBERS: readonly JsonType[] = ['integer', 'number'];

/** fge's keyword validators, by keyword; run in name order, which is how fge sorts them. */
const KEYWORDS: [keyword: string, types: readonly JsonType[], check: KeywordCheck][] = [
  [
    'additionalItems',
    ['array'],
    ({ schema, instance }) => {
      const items = schema.items;
      const size = (instance as unknown[]).length;
      if (schema.additionalItems === false && Array.isArray(items) && size > items.length) {
        return `schema only allows ${items.length} elements in array but instance has ${size} elements`;
      }
      return undefined;
    },
  ],
  [
    'additionalProperties',
    ['object'],
    ({ schema, instance }) => {
      if (schema.additionalProperties !== false) return undefined;
      const properties = isObject(schema.properties) ? schema.properties : {};
      const patterns = isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
      const unwanted = Object.keys(instance as SchemaObject)
        .filter((k) => !Object.hasOwn(properties, k) && !patterns.some((p) => regexMatches(p, k)))
        .sort();
      return unwanted.length > 0
        ? `object instance has properties which are not allowed by the schema: ${json(unwanted)}`
        : undefined;
    },
  ],
  [
    'allOf',
    ANY,
    (ctx) => {
      const branches = Array.isArray(ctx.schema.allOf) ? ctx.schema.allOf : [];
      const matched = branches.filter((b) => ctx.explainer.matches(b, ctx)).length;
      return matched < branches.length
        ? `instance failed to match all required schemas (matched only ${matched} out of ${branches.length})`
        : undefined;
    },
  ],
  [
    'anyOf',
    ANY,
    (ctx) => {
      const branches = Array.isArray(ctx.schema.anyOf) ? ctx.schema.anyOf : [];
      return branches.some((b) => ctx.explainer.matches(b, ctx))
        ? undefined
        : `instance failed to match at least one required schema among ${branches.length}`;
    },
  ],
  [
    'dependencies',
    ['object'],
    (ctx) => {
      const instance = ctx.instance as SchemaObject;
      if (!isObject(ctx.schema.dependencies)) return undefined;
      for (const [property, dependency] of Object.entries(ctx.schema.dependencies)) {
        if (!Object.hasOwn(instance, property)) continue;
        if (Array.isArray(dependency)) {
          const missing = dependency.filter((d) => typeof d === 'string' && !Object.hasOwn(instance, d));
          if (missing.length > 0) {
            ctx.report.add(
              `property "${property}" of object has missing property dependencies ` +
                `(schema requires ${json(dependency)}; missing: ${json(missing)})`,
            );
          }
        } else {
          ctx.explainer.check(dependency, ctx.scope, instance, ctx.report, ctx.depth + 1);
        }
      }
      return undefined;
    },
  ],
  [
    'enum',
    ANY,
    ({ schema, instance }) =>
      Array.isArray(schema.enum) && !schema.enum.some((v) => jsonEquals(v, instance))
        ? `instance value (${json(instance)}) not found in enum (possible values: ${json(schema.enum)})`
        : undefined,
  ],
  [
    'maxItems',
    ['array'],
    ({ schema, instance }) => {
      const size = (instance as unknown[]).length;
      return typeof schema.maxItems === 'number' && size > schema.maxItems
        ? `array is too long: must have at most ${schema.maxItems} elements but instance has ${size} elements`
        : undefined;
    },
  ],
  [
    'maxLength',
    ['string'],
    ({ schema, instance }) => {
      const length = codePoints(instance as string);
      return typeof schema.maxLength === 'number' && length > schema.maxLength
        ? `string "${instance as string}" is too long (length: ${length}, maximum allowed: ${schema.maxLength})`
        : undefined;
    },
  ],
  [
    'maxProperties',
    ['object'],
    ({ schema, instance }) => {
      const count = Object.keys(instance as SchemaObject).length;
      return typeof schema.maxProperties === 'number' && count > schema.maxProperties
        ? `object has too many properties (found ${count} but schema requires at most ${schema.maxProperties})`
        : undefined;
    },
  ],
  [
    'maximum',
    NUMBERS,
    ({ schema, instance }) => {
      const value = instance as number;
      if (typeof schema.maximum !== 'number') return undefined;
      if (value > schema.maximum) {
        return (
          `numeric instance is greater than the required maximum ` +
          `(maximum: ${num(schema.maximum)}, found: ${num(value)})`
        );
      }
      return value === schema.maximum && schema.exclusiveMaximum === true
        ? `numeric instance is not strictly lower than the required maximum ${num(schema.maximum)}`
        : undefined;
    },
  ],
  [
    'minItems',
    ['array'],
    ({ schema, instance }) => {
      const size = (instance as unknown[]).length;
      return typeof schema.minItems === 'number' && size < schema.minItems
        ? `array is too short: must have at least ${schema.minItems} elements but instance has ${size} elements`
        : undefined;
    },
  ],
  [
    'minLength',
    ['string'],
    ({ schema, instance }) => {
      const length = codePoints(instance as string);
      return typeof schema.minLength === 'number' && length < schema.minLength
        ? `string "${instance as string}" is too short (length: ${length}, required minimum: ${schema.minLength})`
        : undefined;
    },
  ],
  [
    'minProperties',
    ['object'],
    ({ schema, instance }) => {
      const count = Object.keys(instance as SchemaObject).length;
      return typeof schema.minProperties === 'number' && count < schema.minProperties
        ? `object has too few properties (found ${count} but schema requires at least ${schema.minProperties})`
        : undefined;
    },
  ],
  [
    'minimum',
    NUMBERS,
    ({ schema, instance }) => {
      const value = instance as number;
      if (typeof schema.minimum !== 'number') return undefined;
      if (value < schema.minimum) {
        return (
          `numeric instance is lower than the required minimum ` +
          `(minimum: ${num(schema.minimum)}, found: ${num(value)})`
        );
      }
      return value === schema.minimum && schema.exclusiveMinimum === true
        ? `numeric instance is not strictly greater than the required minimum ${num(schema.minimum)}`
        : undefined;
    },
  ],
  [
    'multipleOf',
    NUMBERS,
    ({ schema, instance }) => {
      const divisor = schema.multipleOf;
      if (typeof divisor !== 'number' || divisor <= 0) return undefined;
      const quotient = (instance as number) / divisor;
      // Decimal remainders (0.3 / 0.1) are inexact in binary; fge works in BigDecimal.
      const exact = Math.abs(quotient - Math.round(quotient)) <= 1e-9 * Math.max(1, Math.abs(quotient));
      return exact ? undefined : `remainder of division is not zero (${num(instance)} / ${num(divisor)})`;
    },
  ],
  [
    'not',
    ANY,
    (ctx) =>
      ctx.schema.not !== undefined && ctx.explainer.matches(ctx.schema.not, ctx)
        ? 'instance matched a schema which it should not have'
        : undefined,
  ],
  [
    'oneOf',
    ANY,
    (ctx) => {
      const branches = Array.isArray(ctx.schema.oneOf) ? ctx.schema.oneOf : [];
      const matched = branches.filter((b) => ctx.explainer.matches(b, ctx)).length;
      return matched !== 1
        ? `instance failed to match exactly one schema (matched ${matched} out of ${branches.length})`
        : undefined;
    },
  ],
  [
    'pattern',
    ['string'],
    ({ schema, instance }) =>
      typeof schema.pattern === 'string' && !regexMatches(schema.pattern, instance as string)
        ? `ECMA 262 regex "${schema.pattern}" does not match input string "${instance as string}"`
        : undefined,
  ],
  [
    'required',
    ['object'],
    ({ schema, instance }) => {
      if (!Array.isArray(schema.required)) return undefined;
      const missing = [...new Set(schema.required)].filter(
        (name) => typeof name === 'string' && !Object.hasOwn(instance as SchemaObject, name),
      );
      return missing.length > 0 ? `object has missing required properties (${json(missing)})` : undefined;
    },
  ],
  [
    'type',
    ANY,
    ({ schema, instance }) => {
      const declared = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
        (t): t is string => typeof t === 'string',
      );
      if (declared.length === 0) return undefined;
      const allowed = new Set(declared);
      // Draft 4: every integer is a number, and fge lists both.
      if (allowed.has('number')) allowed.add('integer');
      const found = jsonType(instance);
      return allowed.has(found)
        ? undefined
        : `instance type (${found}) does not match any allowed primitive type (allowed: ${json([...allowed].sort())})`;
    },
  ],
  [
    'uniqueItems',
    ['array'],
    ({ schema, instance }) => {
      if (schema.uniqueItems !== true) return undefined;
      const items = instance as unknown[];
      const distinct = new Set(items.map(canonical)).size;
      return distinct < items.length ? 'array must not contain duplicate elements' : undefined;
    },
  ],
];

class Explainer {
  constructor(private readonly documents: ReadonlyMap<string, unknown>) {}

  explain(url: string, body: unknown): string[] {
    const root = this.documents.get(url);
    const report = new Report(MAX_MESSAGES);
    report.fill(() => this.check(root, { root, url }, body, report, 0));
    return report.messages;
  }

  /** One ajv error in fge's words, as far as the error tells. */
  fromAjv(error: ErrorObject, url: string): string {
    const schema = error.parentSchema;
    const fallback = ajvWording(error);
    if (!isObject(schema)) return fallback;
    const branches = (keyword: string) => (Array.isArray(schema[keyword]) ? (schema[keyword] as unknown[]).length : 0);
    switch (error.keyword) {
      case 'anyOf':
        return `instance failed to match at least one required schema among ${branches('anyOf')}`;
      case 'oneOf': {
        const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
        const matched = Array.isArray(passing) ? passing.length : 0;
        return `instance failed to match exactly one schema (matched ${matched} out of ${branches('oneOf')})`;
      }
      case 'not':
        return 'instance matched a schema which it should not have';
      case 'allOf':
      case 'dependencies':
        // Their summaries need the branches walked, which is what just failed.
        return fallback;
    }
    if (error.keyword === 'format') {
      const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
      return format && typeof error.data === 'string' ? format.message(error.data) : fallback;
    }
    // ajv's draft 4 reports a failed exclusive bound under the bound's own name or the flag's.
    const keyword = error.keyword.replace(/^exclusiveM(in|ax)imum$/, (_, m: string) => `m${m}imum`);
    const rule = KEYWORDS.find(([name]) => name === keyword);
    if (!rule) return fallback;
    const root = this.documents.get(url);
    const scope: Scope = { root, url };
    const report = new Report(MAX_MESSAGES);
    return rule[2]({ explainer: this, schema, scope, instance: error.data, report, depth: 0 }) ?? fallback;
  }

  /** Whether a composite keyword's branch matches, judged on its own report. */
  matches(branch: unknown, ctx: KeywordContext): boolean {
    const report = new Report(1);
    return report.fill(() => this.check(branch, ctx.scope, ctx.instance, report, ctx.depth + 1));
  }

  check(schemaNode: unknown, scopeIn: Scope, instance: unknown, report: Report, depth: number): void {
    if (depth > MAX_EXPLAIN_DEPTH) throw new RangeError('body nested too deeply to explain');
    let schema = schemaNode;
    let scope = scopeIn;
    for (let hops = 0; isObject(schema) && typeof schema.$ref === 'string'; hops++) {
      if (hops > MAX_REF_HOPS) throw new Error('reference loop');
      [schema, scope] = this.resolve(schema.$ref, scope);
    }
    if (!isObject(schema)) return;
    const type = jsonType(instance);
    const ctx: KeywordContext = { explainer: this, schema, scope, instance, report, depth };
    for (const [keyword, types, run] of KEYWORDS) {
      if (!Object.hasOwn(schema, keyword) || !types.includes(type)) continue;
      const message = run(ctx);
      if (message !== undefined) report.add(message);
    }
    // fge checks formats after every other keyword.
    const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
    if (format && typeof instance === 'string' && !format.test(instance)) report.add(format.message(instance));

    // Like fge, members are only looked at while the report is still clean.
    if (!report.clean) return;
    if (Array.isArray(instance)) {
      instance.forEach((element, index) => {
        for (const child of itemSchemas(schema, index)) this.check(child, scope, element, report, depth + 1);
      });
    } else if (isObject(instance)) {
      for (const member of Object.keys(instance).sort()) {
        const value = instance[member];
        for (const child of memberSchemas(schema, member)) this.check(child, scope, value, report, depth + 1);
      }
    }
  }

  private resolve(ref: string, scope: Scope): [unknown, Scope] {
    const hash = ref.indexOf('#');
    const address = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    let target = scope;
    if (address !== '' && address !== scope.url) {
      const root = this.documents.get(address);
      if (root === undefined) throw new Error(`cannot resolve ${ref}`);
      target = { root, url: address };
    }
    return [pointer(target.root, fragment), target];
  }
}

function pointer(root: unknown, fragment: string): unknown {
  if (fragment === '' || fragment === '/') return root;
  if (!fragment.startsWith('/')) throw new Error(`unsupported reference fragment #${fragment}`);
  let node = root;
  for (const raw of fragment.slice(1).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new Error(`reference #${fragment} points nowhere`);
  }
  return node;
}

function itemSchemas(schema: SchemaObject, index: number): unknown[] {
  const items = schema.items;
  if (Array.isArray(items)) {
    if (index < items.length) return [items[index]];
    return isObject(schema.additionalItems) ? [schema.additionalItems] : [];
  }
  return isObject(items) ? [items] : [];
}

function memberSchemas(schema: SchemaObject, member: string): unknown[] {
  const found: unknown[] = [];
  if (isObject(schema.properties) && Object.hasOwn(schema.properties, member)) found.push(schema.properties[member]);
  if (isObject(schema.patternProperties)) {
    for (const [pattern, child] of Object.entries(schema.patternProperties)) {
      if (regexMatches(pattern, member)) found.push(child);
    }
  }
  if (found.length === 0 && isObject(schema.additionalProperties)) found.push(schema.additionalProperties);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------

function isDateTime(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,12})?(?:Z|[+-](\d{2}):?(\d{2}))$/.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const lastOfMonth = new Date(0);
  lastOfMonth.setUTCFullYear(year, month, 0);
  const daysInMonth = lastOfMonth.getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    (m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59))
  );
}

function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** java.net.URI's view: relative references are fine, spaces and unescaped delimiters are not. */
function isUri(value: string): boolean {
  return /^(?:[^\s%<>"{}|\\^`\u0000-\u001f\u007f]|%[0-9A-Fa-f]{2})*$/.test(value);
}

function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}
