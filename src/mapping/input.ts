/**
 * `$input`: the payload and parameters a mapping template maps.
 *
 * - `$input.body` is the raw text; an empty body reads as `{}`, as AWS's recorded cases show.
 * - `$input.json(path)` is the JSONPath result as JSON text; `$input.path(path)` is the result
 *   as a value the template can walk (maps print Java-style `{k=v}`, lists as JSON). A path that
 *   matches nothing gives `""` from json() and null from path(); a body that is not JSON
 *   matches nothing.
 * - `$input.params()` is a map of `path`, `header` and `querystring` maps; `$input.params(name)`
 *   looks in path, then query string, then headers (exact name first, then any header of
 *   that name in another case), and is '' when the parameter is absent.
 *
 * One InputHost lives for one render: the body is parsed at most once, on first use. The
 * parameters are a MethodParameters built once per request and shared by its templates;
 * `$input.params()` hands each render its own copy, so what one template writes into it stays
 * in that template.
 */
import { compileJsonPath, JsonPathError } from './jsonpath.js';
import type { TemplateInput } from './template.js';
import type { Budget } from './vtl/budget.js';
import { runtimeError } from './vtl/errors.js';
import { parseJson } from './vtl/json.js';
import { javaString, toJson } from './vtl/print.js';
import { HostObject, JavaList, type JavaMap, type Value } from './vtl/values.js';

const UNPARSED = Symbol('unparsed');

/** A string map from the gateway, read through its own keys only. */
function stringMap(record: Record<string, string>): JavaMap {
  const map: JavaMap = new Map();
  for (const key of Object.keys(record)) {
    const value = Object.getOwnPropertyDescriptor(record, key)?.value;
    if (typeof value === 'string') map.set(key, value);
  }
  return map;
}

/** Copying entry by entry is faster than `new Map(map)`, which goes through the iterator protocol. */
function copyMap(map: JavaMap): JavaMap {
  const copy: JavaMap = new Map();
  for (const [key, value] of map) copy.set(key, value);
  return copy;
}

/** Method request parameters as template values: built once, read by every template of a request. */
export class MethodParameters {
  constructor(
    readonly path: JavaMap,
    readonly querystring: JavaMap,
    readonly header: JavaMap,
  ) {}

  static fromRecords(params: ParameterRecords): MethodParameters {
    return new MethodParameters(stringMap(params.path), stringMap(params.querystring), stringMap(params.header));
  }

  /** `$input.params(name)`: path, then query string, then header (exact name, then any case). */
  find(name: string): string {
    const found = this.path.get(name) ?? this.querystring.get(name) ?? this.header.get(name);
    if (typeof found === 'string') return found;
    const lower = name.toLowerCase();
    for (const [key, value] of this.header) {
      if (key.toLowerCase() === lower && typeof value === 'string') return value;
    }
    return '';
  }

  /** A fresh `{path, header, querystring}` map a template may change freely. */
  copy(): JavaMap {
    const copy: JavaMap = new Map();
    copy.set('path', copyMap(this.path));
    copy.set('header', copyMap(this.header));
    copy.set('querystring', copyMap(this.querystring));
    return copy;
  }
}

/** Parameters as plain records (header names as the client sent them). */
export interface ParameterRecords {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

export class InputHost extends HostObject {
  private document: Value | undefined | typeof UNPARSED = UNPARSED;
  private paramsMap: JavaMap | null = null;
  private readonly parameters: MethodParameters;

  constructor(private readonly input: TemplateInput) {
    super();
    const params = input.params;
    this.parameters = params instanceof MethodParameters ? params : MethodParameters.fromRecords(params);
  }

  get body(): string {
    return this.input.body === '' ? '{}' : this.input.body;
  }

  property(name: string): Value | undefined {
    return name === 'body' ? this.body : undefined;
  }

  invoke(name: string, args: Value[], budget: Budget): Value | undefined {
    switch (name) {
      case 'json': {
        if (args.length !== 1) return undefined;
        const found = this.select(args[0]!, budget);
        return found === undefined ? '""' : toJson(found, budget);
      }
      case 'path': {
        if (args.length !== 1) return undefined;
        return this.select(args[0]!, budget) ?? null;
      }
      case 'params':
        if (args.length === 0) return this.params();
        if (args.length === 1) return this.parameters.find(javaString(args[0]!, budget));
        return undefined;
      case 'getBody':
        return args.length === 0 ? this.body : undefined;
      default:
        return undefined;
    }
  }

  /** The JSONPath's result, or undefined when it matches nothing. */
  private select(pathArg: Value, budget: Budget): Value | undefined {
    if (pathArg === null) return undefined;
    const root = this.parsed(budget);
    if (root === undefined) return undefined;
    let path;
    try {
      path = compileJsonPath(javaString(pathArg, budget));
    } catch (e) {
      if (e instanceof JsonPathError) throw runtimeError(`Invalid JSONPath: ${e.message}`);
      throw e;
    }
    const found = path.select(root, budget);
    if (!path.definite) return new JavaList(found, true);
    return found.length > 0 ? found[0]! : undefined;
  }

  private parsed(budget: Budget): Value | undefined {
    if (this.document === UNPARSED) this.document = parseJson(this.body, budget);
    return this.document;
  }

  private params(): JavaMap {
    return (this.paramsMap ??= this.parameters.copy());
  }
}
