/**
 * The mapping template GetModelTemplate answers: a VTL blueprint, derived from a model's JSON
 * schema, that rebuilds a payload of the model's shape from the JSON being mapped. As AWS's
 * generated templates do, it binds the input to `$inputRoot`, writes each declared property
 * from the matching input path (strings quoted; numbers, integers and booleans bare), nests
 * objects, and turns arrays into `#foreach` loops. `$ref`s to other models of the API
 * (`https://apigateway.amazonaws.com/restapis/{id}/models/{name}`) and to the schema's own
 * `#/definitions/…` are followed. Members the schema does not declare are not mapped.
 */

export type ModelResolver = (modelName: string) => unknown;

/** A schema the generator cannot turn into a template (an unresolvable `$ref`, or one too large). */
export class ModelTemplateError extends Error {
  override readonly name = 'ModelTemplateError';
}

/** Bounds on the generated template: nesting and schema nodes visited. */
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;

type Schema = Record<string, unknown>;
type Kind = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';

const MODEL_REF = /^https?:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#]+)$/;
const DEFINITION_REF = /^#\/definitions\/(.+)$/;
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Frame {
  /** The document `#/definitions/…` refers to: the model the schema came from. */
  document: Schema;
  /** `$ref`s being expanded, to stop at a cycle. */
  refs: readonly string[];
  depth: number;
}

class Generator {
  private nodes = 0;
  private loops = 0;

  constructor(private readonly resolve: ModelResolver) {}

  /** Follows `$ref`s; returns the schema and the document further refs resolve in, or undefined at a cycle. */
  private deref(schema: Schema, frame: Frame): { schema: Schema; frame: Frame } | undefined {
    let current = schema;
    let f = frame;
    while (typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (f.refs.includes(ref)) return undefined;
      let target: unknown;
      let document = f.document;
      const model = MODEL_REF.exec(ref);
      const definition = DEFINITION_REF.exec(ref);
      if (model) {
        target = this.resolve(decodeURIComponent(model[1]!));
        if (isSchema(target)) document = target;
      } else if (definition) {
        const definitions = f.document.definitions;
        target = isSchema(definitions) ? definitions[definition[1]!] : undefined;
      }
      if (!isSchema(target)) throw new ModelTemplateError(`Invalid model schema: cannot resolve the reference ${ref}`);
      current = target;
      f = { document, refs: [...f.refs, ref], depth: f.depth };
    }
    return { schema: current, frame: f };
  }

  private kindOf(schema: Schema): Kind | undefined {
    const declared = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (declared === 'object' || declared === 'array' || declared === 'string' || declared === 'number' || declared === 'integer' || declared === 'boolean') {
      return declared;
    }
    if (isSchema(schema.properties)) return 'object';
    if (schema.items !== undefined) return 'array';
    return undefined;
  }

  private count(frame: Frame): void {
    if (++this.nodes > MAX_NODES || frame.depth > MAX_DEPTH) {
      throw new ModelTemplateError('Invalid model schema: too large or too deeply nested to generate a template from');
    }
  }

  /**
   * The VTL that writes the value at `ref` (a VTL reference such as `$inputRoot.a`) shaped as
   * `schema`, starting at `indent`. Objects and arrays span lines; scalars are one token.
   */
  value(schema: Schema, ref: string, indent: string, frame: Frame): string {
    this.count(frame);
    const resolved = this.deref(schema, frame);
    // A schema that contains itself ends at the cycle with an empty object.
    if (!resolved) return '{}';
    const { schema: s, frame: f } = resolved;
    switch (this.kindOf(s)) {
      case 'object':
        return this.object(s, ref, indent, f);
      case 'array':
        return this.array(s, ref, indent, f);
      case 'number':
      case 'integer':
      case 'boolean':
        return ref;
      default:
        return `"${ref}"`;
    }
  }

  private object(schema: Schema, ref: string, indent: string, frame: Frame): string {
    const properties = isSchema(schema.properties) ? Object.entries(schema.properties) : [];
    if (properties.length === 0) return '{}';
    const inner = `${indent}  `;
    const next: Frame = { ...frame, depth: frame.depth + 1 };
    const members = properties.map(([name, sub]) => {
      const valueSchema = isSchema(sub) ? sub : {};
      return `${inner}${jsonKey(name)} : ${this.value(valueSchema, member(ref, name), inner, next)}`;
    });
    return `{\n${members.join(',\n')}\n${indent}}`;
  }

  private array(schema: Schema, ref: string, indent: string, frame: Frame): string {
    // Nested loops each get their own variable, so an inner loop never hides an outer element.
    const element = this.loops === 0 ? '$elem' : `$elem${this.loops}`;
    this.loops++;
    const items = isSchema(schema.items) ? schema.items : {};
    const body = this.value(items, element, indent, { ...frame, depth: frame.depth + 1 });
    this.loops--;
    return `[\n#foreach(${element} in ${ref})\n${indent}${body}#if($foreach.hasNext),#end\n#end\n${indent}]`;
  }
}

/** `$base.name`, or `$base['name']` for a name VTL would not read as a property. */
function member(base: string, name: string): string {
  return PLAIN_NAME.test(name) ? `${base}.${name}` : `${base}['${name.replace(/'/g, "''")}']`;
}

/** The property name as a JSON key, kept out of VTL's reach when it holds `$`, `#` or `\`. */
function jsonKey(name: string): string {
  const key = JSON.stringify(name);
  if (!/[$#\\]/.test(key)) return key;
  if (key.includes(']]#')) throw new ModelTemplateError(`Invalid model schema: property name ${key} cannot appear in a mapping template`);
  return `#[[${key}]]#`;
}

/** The mapping template for a model's schema (already parsed); `resolve` finds the API's other models by name. */
export function generateModelTemplate(schema: unknown, resolve: ModelResolver): string {
  const root = isSchema(schema) ? schema : {};
  const generator = new Generator(resolve);
  const body = generator.value(root, '$inputRoot', '', { document: root, refs: [], depth: 0 });
  return `#set($inputRoot = $input.path('$'))\n${body}`;
}
