/**
 * Integration request templates: which template (if any) maps a request body, chosen by the
 * request's Content-Type media type (application/json when absent), and what happens when none
 * matches, per the integration's passthroughBehavior:
 *   WHEN_NO_MATCH      no matching template → the body passes through unchanged
 *   WHEN_NO_TEMPLATES  passes through only when no template is defined at all, else 415
 *   NEVER              no matching template → 415
 */
import type { Integration, PassthroughBehavior } from '../model/rest-api.js';
import { ContextUse, type MappingTemplate } from '../mapping/template.js';
import { apiConfigurationError, unsupportedMediaType } from '../gateway/errors.js';
import { compileTemplate } from './mapping-scope.js';



export type RequestTemplateChoice =
  | { kind: 'template'; contentType: string; template: MappingTemplate; source: string }
  | { kind: 'passthrough' };

const PASSTHROUGH: RequestTemplateChoice = { kind: 'passthrough' };

/** The media type alone, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(headerValue: string | undefined): string | undefined {
  if (!headerValue) return undefined;
  const semi = headerValue.indexOf(';');
  const type = (semi === -1 ? headerValue : headerValue.slice(0, semi)).trim().toLowerCase();
  return type === '' ? undefined : type;
}

export class RequestTemplates {
  private readonly byType = new Map<string, RequestTemplateChoice | Error>();
  private readonly behavior: PassthroughBehavior;
  /** True when no template is defined: every request passes through. */
  readonly none: boolean;
  /** The `$context` variables these templates can observe. */
  readonly contextUse: ContextUse = ContextUse.NONE;

  constructor(integration: Pick<Integration, 'requestTemplates' | 'passthroughBehavior'>) {
    this.behavior = integration.passthroughBehavior ?? 'WHEN_NO_MATCH';
    for (const [contentType, source] of Object.entries(integration.requestTemplates ?? {})) {
      const key = contentType.toLowerCase();
      const compiled = compileTemplate(source);
      if (!(compiled instanceof Error)) this.contextUse = this.contextUse.union(compiled.contextUse);
      this.byType.set(key, compiled instanceof Error ? compiled : { kind: 'template', contentType: key, template: compiled, source });
    }
    this.none = this.byType.size === 0;
  }

  /** The template for a request's Content-Type, passthrough, or a 415 GatewayError thrown. */
  select(contentTypeHeader: string | undefined): RequestTemplateChoice {
    const found = this.byType.get(mediaType(contentTypeHeader) ?? 'application/json');
    if (found instanceof Error) throw apiConfigurationError();
    if (found) return found;
    if (this.behavior === 'NEVER' || (this.behavior === 'WHEN_NO_TEMPLATES' && !this.none)) throw unsupportedMediaType();
    return PASSTHROUGH;
  }
}
