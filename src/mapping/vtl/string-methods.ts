/**
 * java.lang.String's methods, as templates call them on strings (`$s.substring(1)`,
 * `$s.replaceAll("\\s+", " ")`). The switch below is the whole list: any other name, or
 * arguments Java would not accept, is "no such method" (undefined), which prints nothing.
 * Java's exceptions (an index out of range, a bad pattern) become TemplateError kind 'runtime'.
 */
import type { Budget } from './budget.js';
import { runtimeError } from './errors.js';
import { javaRegex, replaceRegex, splitRegex } from './java-regex.js';
import { javaString } from './print.js';
import { asInt, JavaList, type Value } from './values.js';

const str = (v: Value | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** String.compareTo: by UTF-16 code unit, then by length. */
export function javaCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** String.hashCode. */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** String.trim: strips every character up to U+0020 from both ends. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return s.slice(start, end);
}

function outOfBounds(what: string): never {
  throw runtimeError(`StringIndexOutOfBoundsException: ${what}`);
}

/** String.replace(CharSequence, CharSequence): every occurrence, literally. */
function replaceLiteral(s: string, target: string, replacement: string, budget: Budget): string {
  let count = 0;
  if (target === '') count = s.length + 1;
  else for (let i = s.indexOf(target); i >= 0; i = s.indexOf(target, i + target.length)) count++;
  budget.tick(count >> 4);
  if (count === 0) return s;
  budget.charge(s.length + count * (replacement.length - target.length));
  if (target === '') return replacement + s.split('').join(replacement) + replacement;
  return s.split(target).join(replacement);
}

export function stringMethod(s: string, name: string, args: Value[], budget: Budget): Value | undefined {
  const n = args.length;
  const a0 = args[0];
  const a1 = args[1];
  // Linear work over long strings costs in proportion.
  budget.tick(s.length >> 10);
  switch (name) {
    case 'length':
      return n === 0 ? s.length : undefined;
    case 'isEmpty':
      return n === 0 ? s.length === 0 : undefined;
    case 'isBlank':
      return n === 0 ? javaTrim(s) === '' && s.trim() === '' : undefined;
    case 'charAt': {
      const i = asInt(a0);
      if (n !== 1 || i === undefined) return undefined;
      if (i < 0 || i >= s.length) outOfBounds(`index ${i}, length ${s.length}`);
      return s[i]!;
    }
    case 'codePointAt': {
      const i = asInt(a0);
      if (n !== 1 || i === undefined) return undefined;
      if (i < 0 || i >= s.length) outOfBounds(`index ${i}, length ${s.length}`);
      return s.codePointAt(i)!;
    }
    case 'substring':
    case 'subSequence': {
      if (n < 1 || n > 2 || (name === 'subSequence' && n !== 2)) return undefined;
      const begin = asInt(a0);
      const end = n === 2 ? asInt(a1) : s.length;
      if (begin === undefined || end === undefined) return undefined;
      if (begin < 0 || end > s.length || begin > end) outOfBounds(`begin ${begin}, end ${end}, length ${s.length}`);
      return s.slice(begin, end);
    }
    case 'indexOf':
    case 'lastIndexOf': {
      if (n < 1 || n > 2) return undefined;
      const needle = typeof a0 === 'number' ? String.fromCharCode(a0) : str(a0);
      const from = n === 2 ? asInt(a1) : undefined;
      if (needle === undefined || (n === 2 && from === undefined)) return undefined;
      if (name === 'indexOf') return s.indexOf(needle, Math.max(0, from ?? 0));
      if (from !== undefined && from < 0) return -1;
      return s.lastIndexOf(needle, from ?? Infinity);
    }
    case 'contains': {
      const t = str(a0);
      return n === 1 && t !== undefined ? s.includes(t) : undefined;
    }
    case 'startsWith': {
      const prefix = str(a0);
      const offset = n === 2 ? asInt(a1) : 0;
      if (n < 1 || n > 2 || prefix === undefined || offset === undefined) return undefined;
      return offset >= 0 && s.startsWith(prefix, offset);
    }
    case 'endsWith': {
      const suffix = str(a0);
      return n === 1 && suffix !== undefined ? s.endsWith(suffix) : undefined;
    }
    case 'equals':
      return n === 1 ? a0 === s : undefined;
    case 'equalsIgnoreCase': {
      if (n !== 1) return undefined;
      const t = str(a0);
      return t !== undefined && t.length === s.length && (t === s || t.toUpperCase() === s.toUpperCase() || t.toLowerCase() === s.toLowerCase());
    }
    case 'compareTo':
    case 'compareToIgnoreCase': {
      const t = str(a0);
      if (n !== 1 || t === undefined) return undefined;
      return name === 'compareTo' ? javaCompare(s, t) : javaCompare(s.toUpperCase().toLowerCase(), t.toUpperCase().toLowerCase());
    }
    case 'toLowerCase':
      return n === 0 ? s.toLowerCase() : undefined;
    case 'toUpperCase':
      return n === 0 ? s.toUpperCase() : undefined;
    case 'trim':
      return n === 0 ? javaTrim(s) : undefined;
    case 'strip':
      return n === 0 ? s.trim() : undefined;
    case 'concat': {
      const t = str(a0);
      if (n !== 1 || t === undefined) return undefined;
      budget.charge(s.length + t.length);
      return s + t;
    }
    case 'replace': {
      const target = str(a0);
      const replacement = str(a1);
      if (n !== 2 || target === undefined || replacement === undefined) return undefined;
      return replaceLiteral(s, target, replacement, budget);
    }
    case 'replaceAll':
    case 'replaceFirst': {
      const pattern = str(a0);
      const replacement = str(a1);
      if (n !== 2 || pattern === undefined || replacement === undefined) return undefined;
      return replaceRegex(s, pattern, replacement, name === 'replaceAll', budget);
    }
    case 'matches': {
      const pattern = str(a0);
      if (n !== 1 || pattern === undefined) return undefined;
      return javaRegex(pattern).matches(s, budget);
    }
    case 'split': {
      const pattern = str(a0);
      const limit = n === 2 ? asInt(a1) : 0;
      if (n < 1 || n > 2 || pattern === undefined || limit === undefined) return undefined;
      // Java returns a String[]; Velocity lets templates use it as a list.
      return new JavaList(splitRegex(s, pattern, limit, budget), false);
    }
    case 'toCharArray':
      if (n !== 0) return undefined;
      budget.tick(s.length);
      return new JavaList(s.split(''), false);
    case 'toString':
    case 'intern':
      return n === 0 ? s : undefined;
    case 'hashCode':
      return n === 0 ? javaHash(s) : undefined;
    case 'valueOf':
      // String.valueOf(x), reached through an instance as Velocity allows for static methods.
      return n === 1 ? javaString(a0 ?? null, budget) : undefined;
    default:
      return undefined;
  }
}
