/**
 * How values become text: Java's `toString()` (what Velocity prints), and JSON (what
 * `$input.json()` returns and how json-smart's JSONArray prints itself). The two meet in
 * AWS's recorded output: a JSONPath map prints `{foo=bar}` (a LinkedHashMap) while a JSONPath
 * list prints `[{"foo":"bar"}]` (a JSONArray), and each prints its elements its own way.
 * JSON is written in json-smart's default style, which also escapes `/` as `\/`.
 *
 * Printing charges the budget for what it builds, and nesting is bounded so that a map that
 * contains itself indirectly fails with a limit instead of recursing forever.
 */
import type { Budget } from './budget.js';
import { limitError } from './errors.js';
import { HostObject, JavaDouble, JavaList, JavaRange, MapEntry, type Value } from './values.js';

const MAX_NESTING = 100;

/** Java's Double.toString: "1.0", "0.001", "1.0E7", "1.0E-4". */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = d.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/** What a reference renders as. Null renders as nothing (see the rule in compiler.ts). */
export function display(v: Value, budget: Budget): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  return javaString(v, budget);
}

/** String.valueOf(v): Java's toString, with null as "null". */
export function javaString(v: Value, budget: Budget): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v === null) return 'null';
  if (v instanceof JavaDouble) return javaDouble(v.value);
  if (v instanceof HostObject) return v.render(budget);
  const text = composite(v, budget, 0);
  budget.charge(text.length);
  return text;
}

function nested(v: Value, budget: Budget, depth: number): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object' || v instanceof JavaDouble || v instanceof HostObject) return javaString(v, budget);
  return composite(v, budget, depth);
}

function composite(v: Exclude<Value, null | string | number | boolean | JavaDouble | HostObject>, budget: Budget, depth: number): string {
  if (depth > MAX_NESTING) throw limitError('value nested too deeply to print');
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [key, value] of v) {
      budget.tick();
      parts.push(`${key}=${value === v ? '(this Map)' : nested(value, budget, depth + 1)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  if (v instanceof JavaList) {
    if (v.json) return json(v, budget, depth);
    const parts: string[] = [];
    for (const item of v.items) {
      budget.tick();
      parts.push(item === v ? '(this Collection)' : nested(item, budget, depth + 1));
    }
    return `[${parts.join(', ')}]`;
  }
  if (v instanceof JavaRange) return `[${rangeItems(v, budget).join(', ')}]`;
  if (v instanceof MapEntry) {
    const value = v.value;
    return `${v.key}=${value === v.map ? '(this Map)' : nested(value, budget, depth + 1)}`;
  }
  return '';
}

function rangeItems(r: JavaRange, budget: Budget): number[] {
  const size = r.size;
  budget.tick(size);
  const items = new Array<number>(size);
  for (let i = 0; i < size; i++) items[i] = r.at(i);
  return items;
}

const NEEDS_ESCAPE = /["\\/\u0000-\u001f\u007f-\u009f\u2000-\u20ff]/;

/**
 * A JSON string literal as json-smart's default style writes it: besides quote, backslash and
 * the short escapes, `/` becomes `\/` and controls, U+007F–U+009F and U+2000–U+20FF become
 * `\uXXXX`.
 */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 47: out += '\\/'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      default:
        if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0x2000 && c <= 0x20ff)) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
        else out += s[i];
    }
  }
  return `${out}"`;
}

/** JSON text of a value, compact, as json-smart writes it. */
export function toJson(v: Value, budget: Budget): string {
  const text = json(v, budget, 0);
  budget.charge(text.length);
  return text;
}

function json(v: Value, budget: Budget, depth: number): string {
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v === null) return 'null';
  if (v instanceof JavaDouble) return Number.isFinite(v.value) ? javaDouble(v.value) : 'null';
  if (depth > MAX_NESTING) throw limitError('value nested too deeply to print');
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [key, value] of v) {
      budget.tick();
      parts.push(`${jsonString(key)}:${json(value, budget, depth + 1)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (v instanceof JavaList) {
    const parts: string[] = [];
    for (const item of v.items) {
      budget.tick();
      parts.push(json(item, budget, depth + 1));
    }
    return `[${parts.join(',')}]`;
  }
  if (v instanceof JavaRange) return `[${rangeItems(v, budget).join(',')}]`;
  if (v instanceof MapEntry) return `{${jsonString(v.key)}:${json(v.value, budget, depth + 1)}}`;
  // A host object has no JSON form; json-smart would quote its toString().
  return jsonString(v.render(budget));
}
