/**
 * MOCK integrations: the gateway answers by itself. The status comes from the request
 * template's `statusCode` and selects an integration response; static templates and header
 * mappings are resolved at compile time, so a MOCK route costs almost nothing per request.
 */
import type { IntegrationCompileContext, IntegrationHandler } from './integration.js';
import { IntegrationResponses, mapResponseHeaders } from './integration-responses.js';
import { apiConfigurationError } from '../gateway/errors.js';
import type { GatewayResult } from '../gateway/result.js';

/** Reads `statusCode` from a request template such as `{"statusCode": 200}`. */
export function mockStatusCode(template: string | undefined): number | undefined {
  if (template === undefined) return 200;
  const match = /"?statusCode"?\s*:\s*"?(\d{3})"?/.exec(template);
  return match ? Number(match[1]) : undefined;
}

export function compileMock(ctx: IntegrationCompileContext): IntegrationHandler {
  const templates = ctx.integration.requestTemplates ?? {};
  const template = templates['application/json'] ?? Object.values(templates)[0];
  const statusCode = mockStatusCode(template);
  const responses = new IntegrationResponses(ctx.integration.integrationResponses ?? {});
  if (statusCode === undefined) return async () => Promise.reject(apiConfigurationError());

  // Everything below is fixed for the deployment: precompute the whole result once.
  let precomputed: GatewayResult | Error;
  try {
    const chosen = responses.select(String(statusCode));
    if (chosen.hasDynamicTemplate) throw apiConfigurationError();
    precomputed = {
      statusCode: chosen.statusCode,
      headers: { 'content-type': 'application/json', ...lower(mapResponseHeaders(chosen, {})) },
      body: chosen.staticTemplate ?? '',
    };
  } catch (err) {
    precomputed = err as Error;
  }
  const fixed = precomputed;
  return fixed instanceof Error ? async () => Promise.reject(fixed) : async () => fixed;
}

function lower(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
