/**
 * Shared state of one import: the source document, the problems found so far, and typed
 * readers that record a problem (with its location) instead of throwing, so one pass over the
 * document reports everything that is wrong with it.
 */

/** A location in the OpenAPI document as pointer segments. */
export type SourcePath = readonly string[];

export interface SourceProblem {
  path: SourcePath;
  message: string;
}

export type OpenApiVersion = 'swagger2' | 'openapi3';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string '${v}'`;
  return `${typeof v === 'number' ? 'the number' : 'the value'} ${String(v)}`;
}

/**
 * OpenAPI spells AWS's enum values in lower case (`aws_proxy`, `when_no_match`). A value that is
 * one of `allowed` in any case becomes AWS's upper-case name; anything else is kept as written,
 * so that model validation quotes the user's own spelling when it rejects it.
 */
export function canonicalEnum<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  return (allowed as readonly string[]).includes(upper) ? (upper as T) : (value as T);
}

/** Decodes a `#/a/b` fragment into pointer segments (percent-encoding, then RFC 6901 escapes). */
export function parseLocalRef(ref: string): string[] | undefined {
  if (!ref.startsWith('#')) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === '') return [];
  if (!fragment.startsWith('/')) return undefined;
  return fragment
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export class ImportContext {
  readonly problems: SourceProblem[] = [];

  constructor(
    readonly root: Record<string, unknown>,
    readonly version: OpenApiVersion,
    /** The source spelling of numbers, when the document was parsed from text. */
    private readonly numberText: (path: SourcePath) => string | undefined = () => undefined,
  ) {}

  problem(path: SourcePath, message: string): void {
    this.problems.push({ path, message });
  }

  /** The value at `path` in the document, or undefined. */
  at(path: SourcePath): unknown {
    let value: unknown = this.root;
    for (const segment of path) {
      if (Array.isArray(value)) value = value[Number(segment)];
      else if (isObject(value) && Object.prototype.hasOwnProperty.call(value, segment)) value = value[segment];
      else return undefined;
    }
    return value;
  }

  /**
   * Follows `$ref`s within the document. Returns the target and where it lives, so problems
   * inside a shared component point at the component; undefined (with a problem) when the
   * reference cannot be followed.
   */
  resolve(value: unknown, path: SourcePath): { value: unknown; path: SourcePath } | undefined {
    const seen = new Set<string>();
    while (isObject(value) && '$ref' in value) {
      const ref = value.$ref;
      const refPath = [...path, '$ref'];
      if (typeof ref !== 'string') {
        this.problem(refPath, `expected a reference string but found ${kindOf(ref)}`);
        return undefined;
      }
      const target = parseLocalRef(ref);
      if (!target) {
        this.problem(refPath, `'${ref}' is not a reference within this document; references to other files are not supported`);
        return undefined;
      }
      if (seen.has(ref)) {
        this.problem(refPath, `'${ref}' refers back to itself`);
        return undefined;
      }
      seen.add(ref);
      const next = this.at(target);
      if (next === undefined) {
        this.problem(refPath, `'${ref}' does not point to anything in this document`);
        return undefined;
      }
      value = next;
      path = target;
    }
    return { value, path };
  }

  /** `value` as an object; records a problem when it is something else. */
  object(value: unknown, path: SourcePath, what = 'an object'): Record<string, unknown> | undefined {
    if (isObject(value)) return value;
    this.problem(path, `expected ${what} but found ${kindOf(value)}`);
    return undefined;
  }

  /** An optional member that must be an object when present. */
  optionalObject(obj: Record<string, unknown>, key: string, path: SourcePath): Record<string, unknown> | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    return this.object(value, [...path, key]);
  }

  string(obj: Record<string, unknown>, key: string, path: SourcePath, required = false): string | undefined {
    const value = obj[key];
    if (typeof value === 'string') return value;
    if (value === undefined) {
      if (required) this.problem([...path, key], `'${key}' is required here`);
      return undefined;
    }
    this.problem([...path, key], `expected a string but found ${kindOf(value)}`);
    return undefined;
  }

  /** A string that YAML authors often leave unquoted (versions, status codes): numbers are accepted. */
  stringish(obj: Record<string, unknown>, key: string, path: SourcePath, required = false): string | undefined {
    const value = obj[key];
    if (typeof value === 'number' && Number.isFinite(value)) return this.numberText([...path, key]) ?? String(value);
    return this.string(obj, key, path, required);
  }

  boolean(obj: Record<string, unknown>, key: string, path: SourcePath): boolean | undefined {
    const value = obj[key];
    if (value === undefined || typeof value === 'boolean') return value;
    this.problem([...path, key], `expected true or false but found ${kindOf(value)}`);
    return undefined;
  }

  /**
   * A number, also accepted as a numeric string (AWS's own examples quote some). Whether it must
   * be a whole number in a range is left to model validation.
   */
  number(obj: Record<string, unknown>, key: string, path: SourcePath): number | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    this.problem([...path, key], `expected a number but found ${kindOf(value)}`);
    return undefined;
  }

  stringList(obj: Record<string, unknown>, key: string, path: SourcePath): string[] | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.problem([...path, key], `expected a list of strings but found ${kindOf(value)}`);
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.problem([...path, key, String(i)], `expected a string but found ${kindOf(item)}`);
    });
    return out;
  }

  /** An object whose values are all strings (parameter mappings, templates). */
  stringMap(obj: Record<string, unknown>, key: string, path: SourcePath): Record<string, string> {
    const value = obj[key];
    const out: Record<string, string> = {};
    if (value === undefined || value === null) return out;
    const map = this.object(value, [...path, key]);
    if (!map) return out;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v === 'string') out[k] = v;
      else this.problem([...path, key, k], `expected a string but found ${kindOf(v)}`);
    }
    return out;
  }
}
