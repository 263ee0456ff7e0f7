/**
 * Member access — the sandbox boundary. `$a.b`, `$a.b(…)`, `$a[k]` and `#set` into them all come
 * through these functions, which dispatch on the value's type to an explicit list of members:
 * String, List, Map, Map.Entry, Integer/Double, Boolean, and the host objects' own lists.
 * Nothing here ever indexes a JavaScript object by a template-supplied name or calls a function
 * a template named, so `constructor`, `__proto__`, `getClass` and the like are simply unknown
 * members: they evaluate to null and print nothing.
 */
import type { Budget } from './budget.js';
import { entryMethod, listMethod, mapKey, mapMethod, rangeMethod } from './collection-methods.js';
import { runtimeError } from './errors.js';
import { javaEquals } from './operators.js';
import { javaString } from './print.js';
import { stringMethod } from './string-methods.js';
import { asInt, HostObject, integer, JavaDouble, JavaList, JavaRange, MapEntry, type Value } from './values.js';

/** `$base.name`: Velocity tries getName()/isName(), then get("name") on a map. */
export function getProperty(base: Value, name: string, budget: Budget): Value {
  if (base instanceof Map) return base.get(name) ?? null;
  if (base instanceof HostObject) return base.property(name, budget) ?? null;
  if (base instanceof MapEntry) return name === 'key' ? base.key : name === 'value' ? base.value : null;
  if (name !== 'empty') {
    if (base instanceof JavaDouble) {
      if (name === 'naN') return Number.isNaN(base.value);
      if (name === 'infinite') return Math.abs(base.value) === Infinity;
    }
    return null;
  }
  // isEmpty() as the property `empty`.
  if (typeof base === 'string') return base.length === 0;
  if (base instanceof JavaList) return base.items.length === 0;
  if (base instanceof JavaRange) return false;
  return null;
}

/** `$base[index]`: list.get(int) or map.get(key). */
export function getIndex(base: Value, index: Value, budget: Budget): Value {
  if (base instanceof Map) return index === null ? null : (base.get(mapKey(index, budget)) ?? null);
  if (base instanceof JavaList || base instanceof JavaRange) {
    const i = asInt(index);
    if (i === undefined) return null;
    const size = base instanceof JavaList ? base.items.length : base.size;
    if (i < 0 || i >= size) throw runtimeError(`IndexOutOfBoundsException: Index: ${i}, Size: ${size}`);
    return base instanceof JavaList ? base.items[i]! : base.at(i);
  }
  return null;
}

/** `#set($base.name = value)`: map.put; anything else has no setter and is left alone. */
export function setProperty(base: Value, name: string, value: Value): void {
  if (base instanceof Map) base.set(name, value);
  else if (base instanceof MapEntry && name === 'value') base.map.set(base.key, value);
}

/** `#set($base[index] = value)`. */
export function setIndex(base: Value, index: Value, value: Value, budget: Budget): void {
  if (base instanceof Map) {
    base.set(mapKey(index, budget), value);
  } else if (base instanceof JavaList) {
    const i = asInt(index);
    if (i === undefined) return;
    if (i < 0 || i >= base.items.length) throw runtimeError(`IndexOutOfBoundsException: Index: ${i}, Size: ${base.items.length}`);
    base.items[i] = value;
  }
}

/** `$base.name(args)`. Unknown methods are null. */
export function invoke(base: Value, name: string, args: Value[], budget: Budget): Value {
  let result: Value | undefined;
  if (typeof base === 'string') result = stringMethod(base, name, args, budget);
  else if (base instanceof HostObject) return base.invoke(name, args, budget) ?? null;
  else if (base instanceof Map) result = mapMethod(base, name, args, budget);
  else if (base instanceof JavaList) result = listMethod(base, name, args, budget);
  else if (base instanceof JavaRange) result = rangeMethod(base, name, args, budget);
  else if (base instanceof MapEntry) result = entryMethod(base, name, args);
  else if (typeof base === 'number' || base instanceof JavaDouble) result = numberMethod(base, name, args);
  else if (typeof base === 'boolean') result = booleanMethod(base, name, args);
  if (result !== undefined || base === null) return result ?? null;
  // java.lang.Object's methods, for every value.
  switch (name) {
    case 'toString':
      return args.length === 0 ? javaString(base, budget) : null;
    case 'equals':
      return args.length === 1 ? javaEquals(base, args[0]!) : null;
    default:
      return null;
  }
}

function parseJavaInt(text: Value | undefined, bits: 32 | 64): number | JavaDouble {
  const s = typeof text === 'string' ? text : '';
  if (!/^[+-]?\d+$/.test(s)) throw runtimeError(`NumberFormatException: For input string: "${s}"`);
  const n = Number(s);
  const limit = bits === 32 ? 2 ** 31 : 2 ** 63;
  if (n >= limit || n < -limit) throw runtimeError(`NumberFormatException: For input string: "${s}"`);
  return integer(n);
}

function parseJavaDouble(text: Value | undefined): JavaDouble {
  const s = (typeof text === 'string' ? text : '').trim();
  if (!/^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/.test(s)) {
    throw runtimeError(`NumberFormatException: For input string: "${s}"`);
  }
  return new JavaDouble(Number(s.replace(/[fFdD]$/, '')));
}

/** Integer/Long and Double, plus the static parsers templates reach through an instance (`$Integer.parseInt(…)`). */
function numberMethod(base: number | JavaDouble, name: string, args: Value[]): Value | undefined {
  const n = args.length;
  const value = typeof base === 'number' ? base : base.value;
  const a0 = args[0];
  switch (name) {
    case 'intValue':
    case 'longValue':
    case 'shortValue':
    case 'byteValue':
      return n === 0 ? integer(Number.isFinite(value) ? Math.trunc(value) : 0) : undefined;
    case 'doubleValue':
    case 'floatValue':
      return n === 0 ? new JavaDouble(name === 'floatValue' ? Math.fround(value) : value) : undefined;
    case 'compareTo': {
      if (n !== 1 || !(typeof a0 === 'number' || a0 instanceof JavaDouble)) return undefined;
      const other = typeof a0 === 'number' ? a0 : a0.value;
      return value < other ? -1 : value > other ? 1 : 0;
    }
    case 'hashCode':
      return n === 0 && typeof base === 'number' ? base | 0 : undefined;
    case 'isNaN':
      return n === 0 && base instanceof JavaDouble ? Number.isNaN(value) : undefined;
    case 'isInfinite':
      return n === 0 && base instanceof JavaDouble ? Math.abs(value) === Infinity : undefined;
    case 'parseInt':
      return n === 1 ? parseJavaInt(a0, 32) : undefined;
    case 'parseLong':
      return n === 1 ? parseJavaInt(a0, 64) : undefined;
    case 'valueOf':
      if (n !== 1) return undefined;
      if (typeof a0 === 'number' || a0 instanceof JavaDouble) return a0;
      return base instanceof JavaDouble ? parseJavaDouble(a0) : parseJavaInt(a0, 32);
    case 'parseDouble':
      return n === 1 ? parseJavaDouble(a0) : undefined;
    default:
      return undefined;
  }
}

function booleanMethod(base: boolean, name: string, args: Value[]): Value | undefined {
  switch (name) {
    case 'booleanValue':
      return args.length === 0 ? base : undefined;
    case 'hashCode':
      return args.length === 0 ? (base ? 1231 : 1237) : undefined;
    case 'parseBoolean':
    case 'valueOf':
      return args.length === 1 ? typeof args[0] === 'string' && args[0].toLowerCase() === 'true' : undefined;
    default:
      return undefined;
  }
}
