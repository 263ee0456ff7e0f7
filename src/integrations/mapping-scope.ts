/**
 * The mapping state of one request: the `$context` shared by its request and response templates
 * (a response template reads what the request template wrote into requestOverride /
 * responseOverride) and the method request parameters `$input.params()` exposes. Both are built
 * on first use, so a route whose templates are all static never pays for them.
 */
import { ContextUse, MappingTemplate, MethodParameters, TemplateError } from '../mapping/template.js';
import { TemplateContext } from '../mapping/context.js';
import type { Invocation } from '../gateway/invocation.js';
import { contextMap } from '../gateway/rest/context-variables.js';
import { apiConfigurationError } from '../gateway/errors.js';
import type { JavaMap } from '../mapping/vtl/values.js';

/**
 * Request headers AWS hides from `$input.params()`: connection management, framing and a few
 * it consumes itself (recorded: `$input.params('Connection')` renders empty on AWS).
 */
const HIDDEN_HEADERS = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'keep-alive',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'www-authenticate',
]);

export class MappingScope {
  private contextCache?: TemplateContext;
  private paramsCache?: MethodParameters;

  /**
   * `contextUse` is what the integration's templates can observe of `$context` (known when they
   * compile); only that much of it is built.
   */
  constructor(
    readonly inv: Invocation,
    private readonly contextUse: ContextUse = ContextUse.ALL,
  ) {}

  get context(): TemplateContext {
    return (this.contextCache ??= new TemplateContext(contextMap(this.inv, this.contextUse)));
  }

  /** Whether any template has used `$context` (and so may have written overrides). */
  get hasContext(): boolean {
    return this.contextCache !== undefined;
  }

  get params(): MethodParameters {
    if (this.paramsCache) return this.paramsCache;
    const header: JavaMap = new Map();
    const raw = this.inv.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (!HIDDEN_HEADERS.has(raw[i]!.toLowerCase())) header.set(raw[i]!, raw[i + 1]!);
    }
    return (this.paramsCache = new MethodParameters(ownStrings(this.inv.pathParameters), ownStrings(this.inv.query.single), header));
  }

  /** Renders a template over `body`; a template that fails is AWS's configuration error (500). */
  render(template: MappingTemplate, body: string): string {
    try {
      return template.render({ input: { body, params: this.params }, context: this.context, stageVariables: this.inv.stage.variables });
    } catch (err) {
      if (err instanceof TemplateError) throw apiConfigurationError();
      throw err;
    }
  }
}

function ownStrings(record: Record<string, string> | null): JavaMap {
  const map: JavaMap = new Map();
  if (record) for (const key of Object.keys(record)) map.set(key, record[key]!);
  return map;
}

/** Compiles a template once per deployment; a template that does not parse fails at request time. */
export function compileTemplate(source: string): MappingTemplate | Error {
  try {
    return MappingTemplate.compile(source);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
