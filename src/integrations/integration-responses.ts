/**
 * Integration responses for non-proxy integrations (MOCK, HTTP, AWS): choose the response
 * whose selectionPattern matches (the status code for MOCK/HTTP, the Lambda errorMessage for
 * AWS), else the default one, and map headers through responseParameters. No match and no
 * default is AWS's configuration error, a 500.
 */
import type { IntegrationResponse } from '../model/rest-api.js';
import { apiConfigurationError } from '../gateway/errors.js';

export interface CompiledIntegrationResponse {
  statusCode: number;
  pattern?: RegExp;
  /** `method.response.header.X` ← a static value or a backend header name (lower case). */
  headers: { name: string; value?: string; fromHeader?: string }[];
  /** A template without `$` is sent as written; dynamic templates need the template engine. */
  staticTemplate?: string;
  hasDynamicTemplate: boolean;
}

export class IntegrationResponses {
  private readonly patterned: CompiledIntegrationResponse[] = [];
  private readonly fallback?: CompiledIntegrationResponse;

  constructor(responses: Record<string, IntegrationResponse>) {
    let fallback: CompiledIntegrationResponse | undefined;
    for (const response of Object.values(responses)) {
      const compiled = compileResponse(response);
      if (response.selectionPattern === undefined || response.selectionPattern === '') fallback ??= compiled;
      else this.patterned.push(compiled);
    }
    this.fallback = fallback;
  }

  /** Selects by the backend status (MOCK, HTTP) or errorMessage (AWS Lambda). */
  select(subject: string | undefined): CompiledIntegrationResponse {
    if (subject !== undefined) {
      for (const response of this.patterned) if (response.pattern!.test(subject)) return response;
    }
    if (!this.fallback) throw apiConfigurationError();
    return this.fallback;
  }

  /** The default response only (a Lambda call that did not fail selects it). */
  selectDefault(): CompiledIntegrationResponse {
    if (!this.fallback) throw apiConfigurationError();
    return this.fallback;
  }
}

function compileResponse(response: IntegrationResponse): CompiledIntegrationResponse {
  const headers: CompiledIntegrationResponse['headers'] = [];
  for (const [target, source] of Object.entries(response.responseParameters ?? {})) {
    if (!target.startsWith('method.response.header.')) continue;
    const name = target.slice('method.response.header.'.length);
    if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) headers.push({ name, value: source.slice(1, -1) });
    else if (source.startsWith('integration.response.header.')) {
      headers.push({ name, fromHeader: source.slice('integration.response.header.'.length).toLowerCase() });
    }
  }
  const template = response.responseTemplates?.['application/json'] ?? Object.values(response.responseTemplates ?? {})[0];
  const hasDynamicTemplate = template !== undefined && template.includes('$');
  return {
    statusCode: Number(response.statusCode),
    // AWS matches the whole subject; the pattern is anchored the same way Java's matches() is.
    pattern: response.selectionPattern ? new RegExp(`^(?:${response.selectionPattern})$`, 's') : undefined,
    headers,
    staticTemplate: template !== undefined && !hasDynamicTemplate ? template : undefined,
    hasDynamicTemplate,
  };
}

/** Response headers from the chosen integration response. */
export function mapResponseHeaders(
  chosen: CompiledIntegrationResponse,
  backendHeaders: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of chosen.headers) {
    if (h.value !== undefined) out[h.name] = h.value;
    else if (h.fromHeader) {
      const v = backendHeaders[h.fromHeader];
      if (v !== undefined) out[h.name] = Array.isArray(v) ? v.join(',') : v;
    }
  }
  return out;
}
