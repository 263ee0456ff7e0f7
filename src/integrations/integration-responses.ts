/**
 * Integration responses for non-proxy integrations (MOCK, HTTP, AWS): choose the response whose
 * selectionPattern matches (the status code for MOCK/HTTP, the Lambda errorMessage for AWS),
 * else the default one; then build the method response from it: the response template chosen
 * by the request's Accept header (or the backend body passed through), header mappings from
 * the backend's headers and body, and the `$context.responseOverride` a template wrote.
 * No match and no default is AWS's configuration error, a 500.
 */
import type { ContentHandlingStrategy, IntegrationResponse } from '../model/rest-api.js';
import { ContextUse, type MappingTemplate } from '../mapping/template.js';
import { apiConfigurationError } from '../gateway/errors.js';
import type { GatewayResult } from '../gateway/result.js';
import { convertResponseBody, type ResponsePayloadKind } from '../gateway/content-handling.js';
import { compileTemplate, type MappingScope } from './mapping-scope.js';
import { mediaType } from './request-mapping.js';
import { compileResponseSource, type ResponseSource } from './response-parameters.js';

/** What the backend answered, as the response mapping sees it. */
export interface BackendResponse {
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface ResponseTemplate {
  contentType: string;
  template: MappingTemplate | Error;
  /** The template itself when it has nothing to evaluate. */
  staticText?: string;
}

/**
 * Method response header names the gateway owns: a mapping onto one of them is delivered as
 * `x-amzn-Remapped-<name>` (recorded on AWS for HTTP and AWS integrations).
 */
const REMAPPED_METHOD_HEADERS = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-md5',
  'date',
  'expect',
  'host',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'trailer',
  'upgrade',
  'user-agent',
  'www-authenticate',
]);
/** Mappings onto this never reach the client: the gateway frames the body itself. */
const DROPPED_METHOD_HEADERS = new Set(['transfer-encoding']);

export class CompiledIntegrationResponse {
  readonly statusCode: number;
  readonly pattern?: RegExp;
  readonly contentHandling?: ContentHandlingStrategy;
  private readonly headers: { name: string; source: ResponseSource }[] = [];
  private readonly templates: ResponseTemplate[] = [];
  private readonly jsonTemplate?: ResponseTemplate;
  /** True when building the response needs nothing from the request or the backend. */
  readonly isStatic: boolean;
  /** True when the Accept header cannot change which template applies. */
  readonly acceptIndependent: boolean;
  /** The `$context` variables these templates can observe. */
  readonly contextUse: ContextUse = ContextUse.NONE;

  constructor(response: IntegrationResponse) {
    this.statusCode = Number(response.statusCode);
    // AWS matches the whole subject, as Java's String.matches() does.
    this.pattern = response.selectionPattern ? new RegExp(`^(?:${response.selectionPattern})$`, 's') : undefined;
    this.contentHandling = response.contentHandling;
    let dynamicHeaders = false;
    for (const [target, expression] of Object.entries(response.responseParameters ?? {})) {
      if (!target.startsWith('method.response.header.')) continue;
      const name = target.slice('method.response.header.'.length);
      const lower = name.toLowerCase();
      if (DROPPED_METHOD_HEADERS.has(lower)) continue;
      const source = compileResponseSource(expression);
      if (!source) continue;
      if (!source.isStatic) dynamicHeaders = true;
      this.headers.push({ name: REMAPPED_METHOD_HEADERS.has(lower) ? `x-amzn-Remapped-${name}` : name, source });
    }
    for (const [contentType, source] of Object.entries(response.responseTemplates ?? {})) {
      // An empty template returns the backend body unmapped, as AWS documents.
      if (source.trim() === '') continue;
      const template = compileTemplate(source);
      if (!(template instanceof Error)) this.contextUse = this.contextUse.union(template.contextUse);
      const entry: ResponseTemplate = {
        contentType: contentType.toLowerCase(),
        template,
        staticText: !(template instanceof Error) && template.isStatic ? source : undefined,
      };
      this.templates.push(entry);
      if (entry.contentType === 'application/json') this.jsonTemplate = entry;
    }
    this.acceptIndependent = this.templates.length <= 1;
    this.isStatic =
      !dynamicHeaders && this.templates.every((t) => !(t.template instanceof Error) && t.template.isStatic);
  }

  /** AWS: the Accept media type's template, else application/json's, else the first one. */
  private selectTemplate(accept: string | undefined): ResponseTemplate | undefined {
    if (this.templates.length === 0) return undefined;
    if (this.acceptIndependent) return this.templates[0];
    const wanted = mediaType(accept?.split(',')[0]);
    if (wanted && wanted !== '*/*') {
      for (const t of this.templates) if (t.contentType === wanted) return t;
    }
    return this.jsonTemplate ?? this.templates[0];
  }

  /** The method response for a backend answer. */
  build(scope: MappingScope, backend: BackendResponse, kind: ResponsePayloadKind): GatewayResult {
    const inv = scope.inv;
    const chosen = this.selectTemplate(inv.req.headers.accept);
    let body: string | Buffer;
    let contentType = 'application/json';
    if (chosen) {
      if (chosen.template instanceof Error) throw apiConfigurationError();
      body = chosen.staticText ?? scope.render(chosen.template, backend.body.toString('utf8'));
      contentType = chosen.contentType;
      if (this.contentHandling === 'CONVERT_TO_BINARY') body = convertResponseBody(Buffer.from(body, 'utf8'), { ...kind, payloadIsBinary: false }, this.contentHandling);
    } else {
      body = convertResponseBody(backend.body, kind, this.contentHandling);
    }
    let statusCode = this.statusCode;
    const override = scope.hasContext ? scope.context.responseOverride() : undefined;
    if (override?.status !== undefined) statusCode = override.status;
    const overrideNames = override ? Object.keys(override.header) : [];
    // The usual case: no header mappings and no overrides.
    if (this.headers.length === 0 && overrideNames.length === 0) return { statusCode, headers: { 'content-type': contentType }, body };
    // Header names keep the casing the method response declares; later sources replace
    // earlier ones case-insensitively (a mapped Content-Type replaces the template's).
    const named = new Map<string, [string, string]>([['content-type', ['content-type', contentType]]]);
    for (const h of this.headers) {
      const value = h.source.resolve(backend, inv);
      if (value !== undefined) named.set(h.name.toLowerCase(), [h.name, value]);
    }
    for (const name of overrideNames) named.set(name.toLowerCase(), [name, String(override!.header[name])]);
    const headers: Record<string, string> = {};
    for (const [name, value] of named.values()) headers[name] = value;
    return { statusCode, headers, body };
  }
}

export class IntegrationResponses {
  private readonly patterned: CompiledIntegrationResponse[] = [];
  private readonly fallback?: CompiledIntegrationResponse;
  /** The `$context` variables any of these responses' templates can observe. */
  readonly contextUse: ContextUse = ContextUse.NONE;

  constructor(responses: Record<string, IntegrationResponse>) {
    let fallback: CompiledIntegrationResponse | undefined;
    for (const response of Object.values(responses)) {
      const compiled = new CompiledIntegrationResponse(response);
      this.contextUse = this.contextUse.union(compiled.contextUse);
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
