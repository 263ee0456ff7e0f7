/**
 * The value model: Java's types as Velocity hands them to a template, held in JavaScript
 * primitives and a few small classes. Nothing a template can reach is an arbitrary JavaScript
 * object: strings, booleans and integers are primitives; doubles, lists, ranges and map
 * entries are the classes below; maps are `Map` instances (so a `__proto__` key is just a key);
 * `$input`, `$util` and friends are HostObjects that answer only the names they list.
 *
 * Java keeps Integer and Double apart (JSON `1` prints "1", `1.0` prints "1.0"), so an integer
 * is a JavaScript number that is always integral and a double is boxed in JavaDouble.
 */
import type { Budget } from './budget.js';

export type JavaMap = Map<string, Value>;

export type Value =
  | null
  | string
  | boolean
  | number
  | JavaDouble
  | JavaList
  | JavaRange
  | JavaMap
  | MapEntry
  | HostObject;

/** java.lang.Double. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/**
 * java.util.List. `json` marks the lists JSONPath and parseJson produce (json-smart's JSONArray),
 * which print as JSON; lists a template builds are ArrayLists and print as `[a, b]`.
 */
export class JavaList {
  constructor(
    readonly items: Value[],
    readonly json: boolean,
  ) {}
}

/** `[from..to]`: iterated lazily so that `[1..$n]` never allocates n elements. */
export class JavaRange {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  get size(): number {
    return Math.abs(this.to - this.from) + 1;
  }
  at(index: number): number {
    return this.from <= this.to ? this.from + index : this.from - index;
  }
}

/** Map.Entry from `entrySet()`; reads and writes go through to the map. */
export class MapEntry {
  constructor(
    readonly map: JavaMap,
    readonly key: string,
  ) {}
  get value(): Value {
    return this.map.get(this.key) ?? null;
  }
}

/**
 * An object the gateway lends to templates. Subclasses answer property reads and method calls
 * through explicit switches over the names they support; anything else is `undefined` (no such
 * member), which the evaluator turns into null.
 */
export abstract class HostObject {
  abstract property(name: string, budget: Budget): Value | undefined;
  abstract invoke(name: string, args: Value[], budget: Budget): Value | undefined;
  /** What `$host` prints. */
  render(_budget: Budget): string {
    return '';
  }
}

export const isNumber = (v: Value): v is number | JavaDouble => typeof v === 'number' || v instanceof JavaDouble;

export const numberValue = (v: number | JavaDouble): number => (typeof v === 'number' ? v : v.value);

/** An integer result, widened to a double where JavaScript cannot hold it exactly. */
export const integer = (n: number): number | JavaDouble => (Number.isSafeInteger(n) ? n : new JavaDouble(n));

/** An int argument (Java does not narrow a Double to int when choosing a method). */
export const asInt = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

export const isMap = (v: Value): v is JavaMap => v instanceof Map;

/**
 * Converts a JSON-like tree from the gateway (context values, parameters) into template values.
 * Only own enumerable keys of plain objects are read; anything that is not JSON-like becomes null.
 */
export function fromPlain(x: unknown, depth = 0): Value {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return Number.isSafeInteger(x) ? x : new JavaDouble(x);
    case 'object': {
      if (x === null || depth > 64) return null;
      if (Array.isArray(x)) return new JavaList(x.map((item) => fromPlain(item, depth + 1)), false);
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) return null;
      const map: JavaMap = new Map();
      for (const key of Object.keys(x)) {
        const descriptor = Object.getOwnPropertyDescriptor(x, key);
        map.set(key, descriptor && 'value' in descriptor ? fromPlain(descriptor.value, depth + 1) : null);
      }
      return map;
    }
    default:
      return null;
  }
}
