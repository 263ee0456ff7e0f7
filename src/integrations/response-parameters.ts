/**
 * Sources of integration response header mappings (`method.response.header.X` ← source),
 * compiled once per deployment: `integration.response.header.Y`,
 * `integration.response.multivalueheader.Y`, `integration.response.body`,
 * `integration.response.body.<JSONPath>`, `stageVariables.Y`, `context.Y` and static `'value'`s.
 */
import type { Invocation } from '../gateway/invocation.js';
import { compileJsonPath, selectFromJsonText, type JsonPath } from '../mapping/jsonpath.js';
import { compileSource } from './parameters.js';

export interface ResponseSource {
  /** Needs nothing from the request or the backend. */
  isStatic: boolean;
  resolve(backend: { headers: Record<string, string | string[] | undefined>; body: Buffer }, inv: Invocation): string | undefined;
}

const constant = (value: string): ResponseSource => ({ isStatic: true, resolve: () => value });

export function compileResponseSource(expression: string): ResponseSource | undefined {
  if (expression.length >= 2 && expression.startsWith("'") && expression.endsWith("'")) return constant(expression.slice(1, -1));
  const header = /^integration\.response\.(header|multivalueheader)\.(.+)$/.exec(expression);
  if (header) {
    const name = header[2]!.toLowerCase();
    return {
      isStatic: false,
      resolve: ({ headers }) => {
        const v = headers[name];
        return Array.isArray(v) ? v.join(',') : v;
      },
    };
  }
  if (expression === 'integration.response.body') {
    return { isStatic: false, resolve: ({ body }) => body.toString('utf8') };
  }
  if (expression.startsWith('integration.response.body.')) {
    let path: JsonPath;
    try {
      path = compileJsonPath('$.' + expression.slice('integration.response.body.'.length));
    } catch {
      return undefined; // A path that does not parse maps nothing.
    }
    return { isStatic: false, resolve: ({ body }) => bodyValue(body, path) };
  }
  // stageVariables.* and context.* read the method request, as request parameter mapping does.
  const source = compileSource(expression, {});
  if (!source || !/^(stageVariables|context)\./.test(expression)) return undefined;
  if (expression.startsWith('stageVariables.')) {
    const name = expression.slice('stageVariables.'.length);
    return { isStatic: false, resolve: (_backend, inv) => inv.stage.variables[name] };
  }
  return { isStatic: false, resolve: (_backend, inv) => source(inv) };
}

/** A JSONPath value of the backend body: strings as they are, anything else as JSON. */
function bodyValue(body: Buffer, path: JsonPath): string | undefined {
  const value = selectFromJsonText(body.toString('utf8'), path);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
