/**
 * java.util.List, Map and Map.Entry methods, and the read-only ones of an integer range. As
 * with strings, each switch is the complete list of what a template may call; Java's
 * exceptions become TemplateError kind 'runtime'. Methods that grow a collection charge a step
 * per element added, so that `$l.addAll($l)` in a loop cannot double its way past memory.
 */
import type { Budget } from './budget.js';
import { runtimeError } from './errors.js';
import { javaEquals } from './operators.js';
import { javaString } from './print.js';
import { asInt, JavaList, JavaRange, type JavaMap, MapEntry, type Value } from './values.js';

function outOfBounds(index: number, size: number): never {
  throw runtimeError(`IndexOutOfBoundsException: Index: ${index}, Size: ${size}`);
}

/** A map key: maps here are keyed by Java's string form of the key. */
export function mapKey(key: Value, budget: Budget): string {
  return typeof key === 'string' ? key : javaString(key, budget);
}

function indexOf(items: ArrayLike<Value>, value: Value, budget: Budget, last: boolean): number {
  budget.tick(items.length >> 4);
  if (last) {
    for (let i = items.length - 1; i >= 0; i--) if (javaEquals(items[i]!, value)) return i;
  } else {
    for (let i = 0; i < items.length; i++) if (javaEquals(items[i]!, value)) return i;
  }
  return -1;
}

function elements(v: Value | undefined, budget: Budget): Value[] | undefined {
  if (v instanceof JavaList) return v.items;
  if (v instanceof JavaRange) {
    budget.tick(v.size);
    const items: Value[] = [];
    for (let i = 0; i < v.size; i++) items.push(v.at(i));
    return items;
  }
  return undefined;
}

export function listMethod(list: JavaList, name: string, args: Value[], budget: Budget): Value | undefined {
  const items = list.items;
  const n = args.length;
  const a0 = args[0] ?? null;
  const a1 = args[1] ?? null;
  switch (name) {
    case 'size':
      return n === 0 ? items.length : undefined;
    case 'isEmpty':
      return n === 0 ? items.length === 0 : undefined;
    case 'get': {
      const i = asInt(a0);
      if (n !== 1 || i === undefined) return undefined;
      if (i < 0 || i >= items.length) outOfBounds(i, items.length);
      return items[i]!;
    }
    case 'contains':
      return n === 1 ? indexOf(items, a0, budget, false) >= 0 : undefined;
    case 'indexOf':
    case 'lastIndexOf':
      return n === 1 ? indexOf(items, a0, budget, name === 'lastIndexOf') : undefined;
    case 'add': {
      if (n === 1) {
        items.push(a0);
        return true;
      }
      const i = asInt(a0);
      if (n !== 2 || i === undefined) return undefined;
      if (i < 0 || i > items.length) outOfBounds(i, items.length);
      items.splice(i, 0, a1);
      return null;
    }
    case 'addAll': {
      const at = n === 2 ? asInt(a0) : items.length;
      const added = elements(n === 2 ? a1 : a0, budget);
      if (n < 1 || n > 2 || at === undefined || added === undefined) return undefined;
      if (at < 0 || at > items.length) outOfBounds(at, items.length);
      budget.tick(added.length);
      // No spread: a call cannot take a hundred thousand arguments.
      const copy = added.slice();
      const tail = items.splice(at);
      for (const v of copy) items.push(v);
      for (const v of tail) items.push(v);
      return copy.length > 0;
    }
    case 'set': {
      const i = asInt(a0);
      if (n !== 2 || i === undefined) return undefined;
      if (i < 0 || i >= items.length) outOfBounds(i, items.length);
      const previous = items[i]!;
      items[i] = a1;
      return previous;
    }
    case 'remove': {
      if (n !== 1) return undefined;
      if (typeof a0 === 'number') {
        if (a0 < 0 || a0 >= items.length) outOfBounds(a0, items.length);
        return items.splice(a0, 1)[0]!;
      }
      const i = indexOf(items, a0, budget, false);
      if (i >= 0) items.splice(i, 1);
      return i >= 0;
    }
    case 'clear':
      if (n !== 0) return undefined;
      items.length = 0;
      return null;
    case 'containsAll': {
      const other = elements(a0, budget);
      if (n !== 1 || other === undefined) return undefined;
      return other.every((v) => indexOf(items, v, budget, false) >= 0);
    }
    case 'subList': {
      const from = asInt(a0);
      const to = asInt(a1);
      if (n !== 2 || from === undefined || to === undefined) return undefined;
      if (from < 0 || to > items.length || from > to) throw runtimeError(`IndexOutOfBoundsException: fromIndex ${from}, toIndex ${to}, size ${items.length}`);
      budget.tick(to - from);
      return new JavaList(items.slice(from, to), false);
    }
    case 'toArray':
      if (n !== 0) return undefined;
      budget.tick(items.length);
      return new JavaList(items.slice(), false);
    default:
      return undefined;
  }
}

export function rangeMethod(range: JavaRange, name: string, args: Value[], budget: Budget): Value | undefined {
  const n = args.length;
  const a0 = args[0] ?? null;
  const size = range.size;
  const position = (v: Value): number => {
    if (typeof v !== 'number') return -1;
    const offset = range.from <= range.to ? v - range.from : range.from - v;
    return offset >= 0 && offset < size ? offset : -1;
  };
  switch (name) {
    case 'size':
      return n === 0 ? size : undefined;
    case 'isEmpty':
      return n === 0 ? false : undefined;
    case 'get': {
      const i = asInt(a0);
      if (n !== 1 || i === undefined) return undefined;
      if (i < 0 || i >= size) outOfBounds(i, size);
      return range.at(i);
    }
    case 'contains':
      return n === 1 ? position(a0) >= 0 : undefined;
    case 'indexOf':
    case 'lastIndexOf':
      return n === 1 ? position(a0) : undefined;
    case 'subList':
    case 'toArray': {
      const items = elements(range, budget)!;
      return listMethod(new JavaList(items, false), name, args, budget);
    }
    default:
      return undefined;
  }
}

export function mapMethod(map: JavaMap, name: string, args: Value[], budget: Budget): Value | undefined {
  const n = args.length;
  const a0 = args[0] ?? null;
  const a1 = args[1] ?? null;
  switch (name) {
    case 'get':
      if (n !== 1) return undefined;
      return a0 === null ? null : (map.get(mapKey(a0, budget)) ?? null);
    case 'getOrDefault': {
      if (n !== 2) return undefined;
      const key = mapKey(a0, budget);
      return map.has(key) ? (map.get(key) ?? null) : a1;
    }
    case 'containsKey':
      return n === 1 ? map.has(mapKey(a0, budget)) : undefined;
    case 'containsValue':
      if (n !== 1) return undefined;
      budget.tick(map.size >> 4);
      for (const v of map.values()) if (javaEquals(v, a0)) return true;
      return false;
    case 'put': {
      if (n !== 2) return undefined;
      const key = mapKey(a0, budget);
      const previous = map.get(key) ?? null;
      map.set(key, a1);
      return previous;
    }
    case 'putIfAbsent': {
      if (n !== 2) return undefined;
      const key = mapKey(a0, budget);
      const previous = map.get(key) ?? null;
      if (previous === null) map.set(key, a1);
      return previous;
    }
    case 'putAll': {
      if (n !== 1 || !(a0 instanceof Map)) return undefined;
      budget.tick(a0.size);
      for (const [k, v] of [...a0]) map.set(k, v);
      return null;
    }
    case 'remove': {
      if (n !== 1) return undefined;
      const key = mapKey(a0, budget);
      const previous = map.get(key) ?? null;
      map.delete(key);
      return previous;
    }
    case 'keySet':
      if (n !== 0) return undefined;
      budget.tick(map.size);
      return new JavaList([...map.keys()], false);
    case 'values':
      if (n !== 0) return undefined;
      budget.tick(map.size);
      return new JavaList([...map.values()], false);
    case 'entrySet':
      if (n !== 0) return undefined;
      budget.tick(map.size);
      return new JavaList(
        [...map.keys()].map((key) => new MapEntry(map, key)),
        false,
      );
    case 'size':
      return n === 0 ? map.size : undefined;
    case 'isEmpty':
      return n === 0 ? map.size === 0 : undefined;
    case 'clear':
      if (n !== 0) return undefined;
      map.clear();
      return null;
    default:
      return undefined;
  }
}

export function entryMethod(entry: MapEntry, name: string, args: Value[]): Value | undefined {
  switch (name) {
    case 'getKey':
      return args.length === 0 ? entry.key : undefined;
    case 'getValue':
      return args.length === 0 ? entry.value : undefined;
    case 'setValue': {
      if (args.length !== 1) return undefined;
      const previous = entry.value;
      entry.map.set(entry.key, args[0]!);
      return previous;
    }
    default:
      return undefined;
  }
}
