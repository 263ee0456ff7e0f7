/**
 * MOCK integrations: the gateway answers by itself. The status comes from the `statusCode` the
 * request template (or the passed-through body) names and selects an integration response,
 * whose template renders over an empty backend body. When every part is static — the usual
 * CORS preflight or canned answer — the whole response is computed once per deployment.
 */
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { IntegrationResponses, type BackendResponse } from './integration-responses.js';
import { RequestTemplates } from './request-mapping.js';
import { MappingScope } from './mapping-scope.js';
import { apiConfigurationError } from '../gateway/errors.js';
import type { GatewayResult } from '../gateway/result.js';
import { inMemoryBody } from '../gateway/execution-log.js';

/**
 * Reads `statusCode` from a mock request, e.g. `{"statusCode": 200}`. AWS accepts loose
 * JSON here (`{statusCode: 200}`), so this is a pattern, not a parser.
 */
export function mockStatusCode(text: string): number | undefined {
  // The common `"statusCode": 200` is read without the pattern; anything else takes it.
  const at = text.indexOf('statusCode');
  if (at !== -1) {
    let i = at + 10;
    if (text.charCodeAt(i) === 34 /* " */) i++;
    while (text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) === 58 /* : */) {
      i++;
      while (text.charCodeAt(i) === 32) i++;
      if (text.charCodeAt(i) === 34) i++;
      const digits = text.slice(i, i + 3);
      if (THREE_DIGITS.test(digits)) return Number(digits);
    }
  }
  const match = STATUS_CODE.exec(text);
  return match ? Number(match[1]) : undefined;
}

const THREE_DIGITS = /^\d{3}$/;
const STATUS_CODE = /"?statusCode"?\s*:\s*"?(\d{3})"?/;

const NO_BACKEND: BackendResponse = { headers: {}, body: Buffer.alloc(0) };
const TEXT = { payloadIsBinary: false, acceptIsBinary: false };

export function compileMock(ctx: IntegrationCompileContext): IntegrationHandler {
  const requestTemplates = new RequestTemplates(ctx.integration);
  const responses = new IntegrationResponses(ctx.integration.integrationResponses ?? {});
  const contextUse = requestTemplates.contextUse.union(responses.contextUse);

  // The usual case: one static request template and static responses. Precompute the answer
  // for requests that select that template; anything else takes the general path.
  const precomputed = new Map<string, GatewayResult | Error>();
  const staticResult = (statusText: string, inv: Parameters<IntegrationHandler>[0]): GatewayResult => {
    const key = statusText;
    let hit = precomputed.get(key);
    if (hit === undefined) {
      try {
        const status = mockStatusCode(statusText);
        if (status === undefined) throw apiConfigurationError();
        const chosen = responses.select(String(status));
        if (!chosen.isStatic || !chosen.acceptIndependent) return dynamicResult(status, inv);
        hit = chosen.build(new MappingScope(inv, contextUse), NO_BACKEND, TEXT);
      } catch (err) {
        hit = err as Error;
      }
      precomputed.set(key, hit);
    }
    if (hit instanceof Error) throw hit;
    return hit;
  };

  const dynamicResult = (status: number, inv: Parameters<IntegrationHandler>[0], scope = new MappingScope(inv, contextUse)): GatewayResult => {
    const chosen = responses.select(String(status));
    return chosen.build(scope, NO_BACKEND, { payloadIsBinary: false, acceptIsBinary: inv.stage.isBinaryMediaType(inv.req.headers.accept) });
  };

  return (inv) => {
    // A request logging its data keeps the answer for its method response lines; others take no extra step.
    if (inv.log === undefined || !inv.log.dataTrace) return answer(inv);
    const log = inv.log;
    return answer(inv).then((result) => {
      log.methodResult(result.statusCode, result.headers, inMemoryBody(result.body));
      return result;
    });
  };

  async function answer(inv: Parameters<IntegrationHandler>[0]): Promise<GatewayResult> {
    const choice = requestTemplates.select(inv.req.headers['content-type']);
    if (choice.kind === 'template' && choice.template.isStatic) {
      return staticResult(choice.source, inv);
    }
    const scope = new MappingScope(inv, contextUse);
    let text: string;
    // Without a body there is nothing to wait for: stay on this turn of the event loop.
    const raw = inv.hasBody ? await inv.body() : undefined;
    if (raw !== undefined && inv.log) inv.log.requestBody(raw);
    const body = raw === undefined ? '' : raw.toString('utf8');
    if (choice.kind === 'template') {
      text = scope.render(choice.template, body);
    } else {
      text = body;
      // Nothing to map and nothing sent: the mock answers its default 200.
      if (text.trim() === '') text = '{"statusCode": 200}';
    }
    const status = mockStatusCode(text);
    if (status === undefined) throw apiConfigurationError();
    return dynamicResult(status, inv, scope);
  }
}
