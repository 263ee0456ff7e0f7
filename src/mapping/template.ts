/**
 * API Gateway mapping templates (Velocity Template Language), compiled once per deployment and
 * rendered per request, in a sandbox.
 *
 * The sandbox is by construction: templates compute over a closed value model (vtl/values.ts)
 * and reach members only through explicit per-type lists (vtl/members.ts), so no template,
 * JSONPath or parameter can touch a JavaScript prototype, function, module or the process.
 * Every render is bounded — output size, evaluation steps, wall clock, string building, macro
 * depth — and any failure is a TemplateError.
 *
 *   const template = MappingTemplate.compile(source);        // TemplateError 'syntax'
 *   const body = template.render({ input, context, stageVariables });
 */
import { TemplateContext } from './context.js';
import { InputHost, MethodParameters, type ParameterRecords } from './input.js';
import { UTIL } from './util.js';
import type { Node } from './vtl/ast.js';
import { compileTemplate, type CompiledTemplate } from './vtl/compiler.js';
import { ContextUse } from './vtl/context-use.js';
import { limitError, runtimeError, syntaxError, TemplateError } from './vtl/errors.js';
import { parseTemplate } from './vtl/parser.js';
import { BREAK, RenderState, STOP } from './vtl/runtime.js';
import type { JavaMap, Value } from './vtl/values.js';

export { TemplateError } from './vtl/errors.js';
export { TemplateContext } from './context.js';
export { MethodParameters, type ParameterRecords } from './input.js';
export { ContextUse } from './vtl/context-use.js';

export interface TemplateLimits {
  /** Bytes of output (UTF-8); also the longest string a template may build. */
  maxOutputBytes: number;
  /** Evaluation steps: loop iterations, method calls, JSON nodes visited… */
  maxSteps: number;
  /** Wall clock for one render. */
  timeoutMs: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = Object.freeze({
  maxOutputBytes: 10 * 1024 * 1024,
  maxSteps: 2_000_000,
  timeoutMs: 1000,
});

export interface TemplateInput {
  /** $input.body — the raw text being mapped (request body for request templates, integration response body for response templates). */
  body: string;
  /** $input.params(): method request parameters. Header names as the client sent them. */
  params: MethodParameters | ParameterRecords;
}

export interface TemplateVariables {
  input: TemplateInput;
  context: TemplateContext;
  stageVariables: Record<string, string>;
}

function stageVariablesMap(record: Record<string, string>): JavaMap {
  const map: JavaMap = new Map();
  for (const key of Object.keys(record)) {
    const value = Object.getOwnPropertyDescriptor(record, key)?.value;
    if (typeof value === 'string') map.set(key, value);
  }
  return map;
}

const isStaticText = (nodes: Node[], source: string): boolean =>
  nodes.length === 0 ? source === '' : nodes.length === 1 && nodes[0]!.kind === 'text' && nodes[0]!.text === source;

export class MappingTemplate {
  private constructor(
    private readonly source: string,
    private readonly compiled: CompiledTemplate | null,
    /** The `$context` variables this template can observe. */
    readonly contextUse: ContextUse,
  ) {
    this.isStatic = compiled === null;
  }

  /** True when the template has no references or directives: render() returns the source text. */
  readonly isStatic: boolean;

  /** Parses once (per deployment). Throws TemplateError kind 'syntax' for malformed templates. */
  static compile(source: string): MappingTemplate {
    let nodes: Node[];
    try {
      nodes = parseTemplate(source);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw syntaxError(e instanceof RangeError ? 'template nested too deeply' : `cannot parse template: ${String(e)}`);
    }
    if (isStaticText(nodes, source)) return new MappingTemplate(source, null, ContextUse.NONE);
    return new MappingTemplate(source, compileTemplate(nodes), ContextUse.of(nodes));
  }

  /** Renders; throws TemplateError ('limit' when a bound is passed, 'runtime' otherwise). Never throws anything else. */
  render(vars: TemplateVariables, limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS): string {
    if (this.compiled === null) return checkSize(this.source, limits);
    let input: InputHost | undefined;
    // Built on first use and kept for the render, so a #set into it is seen by later reads.
    let stageVariables: JavaMap | undefined;
    const st = new RenderState(limits, (name): Value | undefined => {
      switch (name) {
        case 'input':
          return (input ??= new InputHost(vars.input));
        case 'util':
          return UTIL;
        case 'context':
          return vars.context.map;
        case 'stageVariables':
          return (stageVariables ??= stageVariablesMap(vars.stageVariables));
        default:
          return undefined;
      }
    }, this.compiled.slotCount);
    try {
      this.compiled.exec(st);
    } catch (e) {
      // #stop, and #break outside any #foreach, end the template with what it has written.
      if (e !== STOP && e !== BREAK) throw asTemplateError(e);
    }
    return checkSize(st.out, limits);
  }
}

function checkSize(out: string, limits: TemplateLimits): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: count bytes only when it could matter.
  if (out.length * 3 > limits.maxOutputBytes && Buffer.byteLength(out, 'utf8') > limits.maxOutputBytes) {
    throw limitError('template output exceeded its size limit');
  }
  return out;
}

function asTemplateError(e: unknown): TemplateError {
  if (e instanceof TemplateError) return e;
  if (e instanceof RangeError) return limitError('template recursed or nested too deeply');
  return runtimeError(`template failed: ${e instanceof Error ? e.message : String(e)}`);
}
