/**
 * `$context`: the request's context variables, shared by the request template and the
 * response template of one request. Templates read it as a map and write into it; the gateway
 * reads back what they wrote to `$context.requestOverride` (after the request template) and
 * `$context.responseOverride` (after the response template).
 *
 * Everything lives in one map tree, so `#set($context.requestOverride.header.X = …)`,
 * `$context.requestOverride.querystring.put(…)` and `#set($context["requestOverride"]…)` all
 * write the same map, and a MOCK integration's response template sees what its request
 * template wrote.
 */
import { DetachedBudget } from './vtl/budget.js';
import { display } from './vtl/print.js';
import { fromPlain, isNumber, JavaList, type JavaMap, numberValue, type Value } from './vtl/values.js';

/** Override values as the gateway applies them: a list (a multi-value header) joins with ','. */
function strings(map: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(map instanceof Map) || map.size === 0) return out;
  const budget = new DetachedBudget();
  for (const [key, value] of map) {
    if (value === null) continue;
    let text: string;
    try {
      text = value instanceof JavaList ? value.items.map((item) => display(item, budget)).join(',') : display(value, budget);
    } catch {
      continue; // A value too large or too deep to print is not an override anyone can send.
    }
    // defineProperty: a key such as "__proto__" stays an ordinary own property.
    Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function statusOf(value: Value | undefined): number | undefined {
  if (value !== undefined && value !== null && isNumber(value)) {
    const n = numberValue(value);
    return Number.isInteger(n) ? n : undefined;
  }
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value.trim());
  return undefined;
}

export class TemplateContext {
  /** The `$context` map templates see. The gateway reads results through the methods below. */
  readonly map: JavaMap;

  /**
   * `values` is a JSON-like tree of AWS's $context variables (requestId, apiId, stage,
   * httpMethod, identity: {...}, authorizer: {...}, error: {...}, …), or that tree already
   * converted to template values (fresh maps the context then owns). Empty requestOverride
   * {header, querystring, path} and responseOverride {header} maps are added.
   */
  constructor(values: Record<string, unknown> | JavaMap) {
    // A map already built from template values (the gateway's hot path) is taken as it is.
    const map = values instanceof Map ? values : fromPlain(values);
    this.map = map instanceof Map ? map : new Map();
    const requestOverride: JavaMap = new Map();
    requestOverride.set('header', new Map());
    requestOverride.set('querystring', new Map());
    requestOverride.set('path', new Map());
    const responseOverride: JavaMap = new Map();
    responseOverride.set('header', new Map());
    this.map.set('requestOverride', requestOverride);
    this.map.set('responseOverride', responseOverride);
  }

  /** What the request template wrote to `$context.requestOverride`, as strings. */
  requestOverride(): { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> } {
    const overrides = this.map.get('requestOverride');
    const part = (name: string): Value | undefined => (overrides instanceof Map ? overrides.get(name) : undefined);
    return { header: strings(part('header')), querystring: strings(part('querystring')), path: strings(part('path')) };
  }

  /** What the response template wrote to `$context.responseOverride`: the status if numeric, and headers. */
  responseOverride(): { status?: number; header: Record<string, string> } {
    const overrides = this.map.get('responseOverride');
    if (!(overrides instanceof Map)) return { header: {} };
    const status = statusOf(overrides.get('status'));
    const header = strings(overrides.get('header'));
    return status === undefined ? { header } : { status, header };
  }
}
