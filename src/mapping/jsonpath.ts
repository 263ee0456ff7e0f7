/**
 * JSONPath, as `$input.path()` and `$input.json()` evaluate it (Jayway's dialect, which API
 * Gateway uses): `$`, `.name`, `['name']`, `['a','b']`, `[n]`, `[-n]`, `[a,b]`, `[start:end]`,
 * `[*]`, `.*`, `..name` and filters such as `[?(@.price < 10 && @.isbn)]`.
 *
 * A path is parsed into segments and walked over the template value model; property names are
 * only ever looked up in `Map`s, so `$.__proto__` or `$['constructor']` are ordinary missing keys.
 * Every node visited costs a budget step.
 *
 * A definite path (no wildcard, scan, filter, slice or index list) selects at most one value;
 * an indefinite one selects a JSON list of everything it matched, possibly empty.
 */
import { type Budget, DetachedBudget } from './vtl/budget.js';
import { TemplateError } from './vtl/errors.js';
import { isNumber, JavaDouble, JavaList, type JavaMap, numberValue, type Value } from './vtl/values.js';
import { parseJson } from './vtl/json.js';

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

type Segment =
  | { t: 'names'; names: string[] }
  | { t: 'indexes'; indexes: number[] }
  | { t: 'slice'; start: number | undefined; end: number | undefined }
  | { t: 'wildcard' }
  | { t: 'filter'; predicate: Predicate }
  | { t: 'scan'; then: Segment };

type Operand = { t: 'path'; relative: boolean; path: JsonPath } | { t: 'literal'; value: Value };

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Predicate =
  | { t: 'or' | 'and'; left: Predicate; right: Predicate }
  | { t: 'not'; operand: Predicate }
  | { t: 'exists'; operand: Operand }
  | { t: 'compare'; op: CompareOp; left: Operand; right: Operand };

const MISSING = Symbol('missing');

export class JsonPath {
  readonly definite: boolean;

  constructor(private readonly segments: Segment[]) {
    this.definite = segments.every(
      (s) => s.t === 'names' || (s.t === 'indexes' && s.indexes.length === 1),
    );
  }

  /** Everything the path selects from `root`, in document order. */
  select(root: Value, budget: Budget, current: Value = root): Value[] {
    let nodes: Value[] = [current];
    for (const segment of this.segments) {
      const next: Value[] = [];
      for (const node of nodes) apply(segment, node, next, root, budget);
      nodes = next;
      if (nodes.length === 0) break;
    }
    return nodes;
  }
}

function apply(segment: Segment, node: Value, out: Value[], root: Value, budget: Budget): void {
  budget.tick();
  switch (segment.t) {
    case 'names':
      if (!(node instanceof Map)) return;
      if (segment.names.length === 1) {
        const name = segment.names[0]!;
        if (node.has(name)) out.push(node.get(name) ?? null);
      } else {
        // Several names at once select a map of those that exist (Jayway's behaviour).
        const picked: JavaMap = new Map();
        for (const name of segment.names) if (node.has(name)) picked.set(name, node.get(name) ?? null);
        out.push(picked);
      }
      return;
    case 'indexes':
      if (!(node instanceof JavaList)) return;
      for (const index of segment.indexes) {
        const i = index < 0 ? node.items.length + index : index;
        if (i >= 0 && i < node.items.length) out.push(node.items[i]!);
      }
      return;
    case 'slice': {
      if (!(node instanceof JavaList)) return;
      const n = node.items.length;
      const clamp = (i: number): number => Math.min(n, Math.max(0, i < 0 ? n + i : i));
      const start = clamp(segment.start ?? 0);
      const end = clamp(segment.end ?? n);
      budget.tick(Math.max(0, end - start));
      for (let i = start; i < end; i++) out.push(node.items[i]!);
      return;
    }
    case 'wildcard':
      if (node instanceof Map) {
        budget.tick(node.size);
        for (const v of node.values()) out.push(v);
      } else if (node instanceof JavaList) {
        budget.tick(node.items.length);
        for (const v of node.items) out.push(v);
      }
      return;
    case 'filter':
      if (node instanceof JavaList) {
        for (const item of node.items) if (test(segment.predicate, item, root, budget)) out.push(item);
      } else if (node instanceof Map && test(segment.predicate, node, root, budget)) {
        out.push(node);
      }
      return;
    case 'scan':
      scan(segment.then, node, out, root, budget);
      return;
  }
}

/** `..`: applies `then` to the node and every container below it, in document order. */
function scan(then: Segment, node: Value, out: Value[], root: Value, budget: Budget): void {
  const everything = then.t === 'wildcard';
  const stack: Value[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    // `..*` selects every descendant (not the node itself), scalars included.
    if (everything && current !== node) out.push(current);
    if (!(current instanceof Map) && !(current instanceof JavaList)) continue;
    if (then.t === 'filter') {
      // `..[?(…)]` tests every object in the tree once (not also each list's items).
      if (current instanceof Map && test(then.predicate, current, root, budget)) out.push(current);
    } else if (!everything) {
      apply(then, current, out, root, budget);
    }
    const children = current instanceof Map ? [...current.values()] : current.items;
    budget.tick(children.length);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      if (everything || child instanceof Map || child instanceof JavaList) stack.push(child);
    }
  }
}

/** A filter operand: a definite path's value (MISSING when absent) or an indefinite path's JSON list. */
function operandValue(operand: Operand, item: Value, root: Value, budget: Budget): Value | typeof MISSING {
  if (operand.t === 'literal') return operand.value;
  const found = operand.path.select(root, budget, operand.relative ? item : root);
  if (!operand.path.definite) return new JavaList(found, true);
  return found.length > 0 ? found[0]! : MISSING;
}

function test(predicate: Predicate, item: Value, root: Value, budget: Budget): boolean {
  budget.tick();
  switch (predicate.t) {
    case 'or':
      return test(predicate.left, item, root, budget) || test(predicate.right, item, root, budget);
    case 'and':
      return test(predicate.left, item, root, budget) && test(predicate.right, item, root, budget);
    case 'not':
      return !test(predicate.operand, item, root, budget);
    case 'exists': {
      const operand = predicate.operand;
      if (operand.t === 'literal') return operand.value !== null && operand.value !== false;
      return operand.path.select(root, budget, operand.relative ? item : root).length > 0;
    }
    case 'compare': {
      const a = operandValue(predicate.left, item, root, budget);
      const b = operandValue(predicate.right, item, root, budget);
      if (a === MISSING || b === MISSING) return predicate.op === '!=';
      return compareValues(predicate.op, a, b);
    }
  }
}

function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  let order: number | undefined;
  if (isNumber(a) && isNumber(b)) {
    const x = numberValue(a);
    const y = numberValue(b);
    order = x < y ? -1 : x > y ? 1 : x === y ? 0 : undefined;
  } else if (typeof a === 'string' && typeof b === 'string') {
    order = a < b ? -1 : a > b ? 1 : 0;
  } else if (op === '==' || op === '!=') {
    const equal = a === b;
    return op === '==' ? equal : !equal;
  }
  if (order === undefined) return op === '!=';
  switch (op) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

const NAME_STOP = new Set([...'.[]() <>=!&|,\'"\t\n\r']);

class PathParser {
  pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  fail(message: string): never {
    throw new JsonPathError(`${message} at position ${this.pos} in JSONPath ${JSON.stringify(this.src)}`);
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private skipSpace(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  /** Segments until the end of the source or, inside a filter, the end of the operand. */
  segments(inFilter: boolean): Segment[] {
    const segments: Segment[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '.') {
        if (this.src[this.pos + 1] === '.') {
          this.pos += 2;
          let then: Segment;
          if (this.peek() === '[') {
            this.pos++;
            then = this.bracket();
          } else if (this.peek() === '*') {
            this.pos++;
            then = { t: 'wildcard' };
          } else {
            then = { t: 'names', names: [this.name()] };
          }
          segments.push({ t: 'scan', then });
        } else {
          this.pos++;
          if (this.peek() === '*') {
            this.pos++;
            segments.push({ t: 'wildcard' });
          } else {
            segments.push({ t: 'names', names: [this.name()] });
          }
        }
      } else if (c === '[') {
        this.pos++;
        segments.push(this.bracket());
      } else if (c === '' || inFilter) {
        return segments;
      } else {
        this.fail(`unexpected '${c}'`);
      }
    }
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !NAME_STOP.has(this.peek())) this.pos++;
    if (this.pos === start) this.fail('expected a property name');
    if (this.peek() === '(') this.fail('JSONPath functions are not supported');
    return this.src.slice(start, this.pos);
  }

  private quoted(): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unclosed quote');
      this.pos++;
      if (c === quote) return out;
      if (c === '\\') {
        const next = this.peek();
        if (next === '') this.fail('unclosed quote');
        this.pos++;
        out += next;
      } else {
        out += c;
      }
    }
  }

  private integer(): number | undefined {
    const match = /^-?\d+/.exec(this.src.slice(this.pos));
    if (!match) return undefined;
    this.pos += match[0].length;
    return Number(match[0]);
  }

  /** After '['. */
  private bracket(): Segment {
    this.skipSpace();
    const c = this.peek();
    let segment: Segment;
    if (c === '*') {
      this.pos++;
      segment = { t: 'wildcard' };
    } else if (c === '?') {
      this.pos++;
      this.skipSpace();
      if (this.peek() !== '(') this.fail("expected '(' after '?'");
      this.pos++;
      const predicate = this.predicate();
      this.skipSpace();
      if (this.peek() !== ')') this.fail("expected ')' to close the filter");
      this.pos++;
      segment = { t: 'filter', predicate };
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      this.skipSpace();
      while (this.peek() === ',') {
        this.pos++;
        this.skipSpace();
        if (this.peek() !== "'" && this.peek() !== '"') this.fail('expected a quoted name');
        names.push(this.quoted());
        this.skipSpace();
      }
      segment = { t: 'names', names };
    } else {
      const first = this.integer();
      this.skipSpace();
      if (this.peek() === ':') {
        this.pos++;
        this.skipSpace();
        const end = this.integer();
        segment = { t: 'slice', start: first, end };
      } else {
        if (first === undefined) this.fail("unexpected '" + c + "' in brackets");
        const indexes = [first];
        while (this.peek() === ',') {
          this.pos++;
          this.skipSpace();
          const next = this.integer();
          if (next === undefined) this.fail('expected an index');
          indexes.push(next);
          this.skipSpace();
        }
        segment = { t: 'indexes', indexes };
      }
    }
    this.skipSpace();
    if (this.peek() !== ']') this.fail("expected ']'");
    this.pos++;
    return segment;
  }

  private predicate(): Predicate {
    if (++this.depth > 50) this.fail('filter nested too deeply');
    let left = this.conjunction();
    for (;;) {
      this.skipSpace();
      if (!this.src.startsWith('||', this.pos)) break;
      this.pos += 2;
      left = { t: 'or', left, right: this.conjunction() };
    }
    this.depth--;
    return left;
  }

  private conjunction(): Predicate {
    let left = this.unary();
    for (;;) {
      this.skipSpace();
      if (!this.src.startsWith('&&', this.pos)) break;
      this.pos += 2;
      left = { t: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Predicate {
    this.skipSpace();
    if (this.peek() === '!' && this.src[this.pos + 1] !== '=') {
      this.pos++;
      return { t: 'not', operand: this.unary() };
    }
    if (this.peek() === '(') {
      this.pos++;
      const inner = this.predicate();
      this.skipSpace();
      if (this.peek() !== ')') this.fail("expected ')'");
      this.pos++;
      return inner;
    }
    const left = this.operand();
    this.skipSpace();
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos))?.[1] as CompareOp | undefined;
    if (!op) {
      if (/^(=~|in\b|nin\b|subsetof\b|anyof\b|noneof\b|size\b|empty\b)/.test(this.src.slice(this.pos))) {
        this.fail('this filter operator is not supported');
      }
      return { t: 'exists', operand: left };
    }
    this.pos += op.length;
    return { t: 'compare', op, left, right: this.operand() };
  }

  private operand(): Operand {
    this.skipSpace();
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.pos++;
      return { t: 'path', relative: c === '@', path: new JsonPath(this.segments(true)) };
    }
    if (c === "'" || c === '"') return { t: 'literal', value: this.quoted() };
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.src.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return { t: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.src.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { t: 'literal', value };
      }
    }
    return this.fail('expected a value in the filter');
  }
}

const cache = new Map<string, JsonPath>();
const CACHE_SIZE = 256;

/**
 * Compiles a JSONPath (cached). A path that does not start with `$` is taken as relative to
 * the root, as Jayway does. Throws JsonPathError for a malformed path.
 */
export function compileJsonPath(path: string): JsonPath {
  let compiled = cache.get(path);
  if (compiled) return compiled;
  const trimmed = path.trim();
  const source = trimmed.startsWith('$') ? trimmed.slice(1) : trimmed.startsWith('[') || trimmed === '' ? trimmed : `.${trimmed}`;
  const parser = new PathParser(source);
  compiled = new JsonPath(parser.segments(false));
  // Paths can be built from client input: keep the cache bounded.
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(path, compiled);
  return compiled;
}

/** Template values back to plain JSON data (objects built with own properties only). */
function toPlain(v: Value): unknown {
  if (v instanceof JavaDouble) return v.value;
  if (v instanceof JavaList) return v.items.map(toPlain);
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of v) Object.defineProperty(out, key, { value: toPlain(value), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return typeof v === 'object' ? null : v;
}

/**
 * Evaluates a compiled JSONPath over JSON text (for parameter mappings such as
 * `integration.response.body.<JSONPath>`), parsed by the engine's own JSON parser. A definite
 * path gives its value, an indefinite one an array, as plain JSON data; undefined when the text
 * is not JSON or nothing matches.
 */
export function selectFromJsonText(text: string, path: JsonPath): unknown {
  try {
    const document = parseJson(text);
    if (document === undefined) return undefined;
    const found = path.select(document, new DetachedBudget());
    if (!path.definite) return found.map(toPlain);
    return found.length > 0 ? toPlain(found[0]!) : undefined;
  } catch (e) {
    if (e instanceof JsonPathError || e instanceof TemplateError) return undefined;
    throw e;
  }
}

/** selectFromJsonText with a path still in text form; undefined when the path is malformed. */
export function evaluateJsonPath(text: string, path: string): unknown {
  let compiled: JsonPath;
  try {
    compiled = compileJsonPath(path);
  } catch (e) {
    if (e instanceof JsonPathError) return undefined;
    throw e;
  }
  return selectFromJsonText(text, compiled);
}
