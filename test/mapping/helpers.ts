/** Rendering helpers for the mapping template tests. */
import assert from 'node:assert/strict';
import {
  DEFAULT_TEMPLATE_LIMITS,
  MappingTemplate,
  TemplateContext,
  TemplateError,
  type TemplateLimits,
  type TemplateVariables,
  type ParameterRecords,
} from '../../src/mapping/template.js';

export interface RenderOptions {
  body?: string;
  params?: Partial<ParameterRecords>;
  context?: TemplateContext;
  stageVariables?: Record<string, string>;
  limits?: Partial<TemplateLimits>;
}

export function vars(options: RenderOptions = {}): TemplateVariables {
  return {
    input: { body: options.body ?? '', params: { path: {}, querystring: {}, header: {}, ...options.params } },
    context: options.context ?? new TemplateContext({}),
    stageVariables: options.stageVariables ?? {},
  };
}

export function render(template: string, options: RenderOptions = {}): string {
  return MappingTemplate.compile(template).render(vars(options), { ...DEFAULT_TEMPLATE_LIMITS, ...options.limits });
}

/** Asserts that compiling or rendering fails with a TemplateError of `kind`; returns it. */
export function fails(template: string, kind: TemplateError['kind'], options: RenderOptions = {}): TemplateError {
  try {
    render(template, options);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(template)} to fail with kind ${kind}`);
}
