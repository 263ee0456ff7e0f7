/**
 * Gateway responses: how a GatewayError becomes the status, headers and body a client sees.
 *
 * Defaults are AWS's (status per response type, DEFAULT_4XX / DEFAULT_5XX fallbacks, body
 * `{"message":$context.error.messageString}`). An API's customised responses are compiled once
 * per deployment: static templates are sent as written, others are mapping templates rendered
 * with `$context` (including `$context.error.*`) and `$stageVariables`.
 */
import type { GatewayResponse, GatewayResponseType } from '../model/rest-api.js';
import { MappingTemplate, TemplateError } from '../mapping/template.js';
import { TemplateContext } from '../mapping/context.js';
import type { Invocation } from './invocation.js';
import { bareContextVariables, contextVariables, type ContextError } from './rest/context-variables.js';

/** AWS's default status per response type; DEFAULT_4XX / DEFAULT_5XX have none. */
export const DEFAULT_STATUS: Record<GatewayResponseType, number | undefined> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_BODY: 400,
  BAD_REQUEST_PARAMETERS: 400,
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
};

/** The `x-amzn-ErrorType` AWS sends with each response type. */
export const ERROR_TYPE: Record<GatewayResponseType, string> = {
  ACCESS_DENIED: 'AccessDeniedException',
  API_CONFIGURATION_ERROR: 'InternalServerErrorException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
  AUTHORIZER_FAILURE: 'AuthorizerFailureException',
  BAD_REQUEST_BODY: 'BadRequestException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
  DEFAULT_4XX: 'BadRequestException',
  DEFAULT_5XX: 'InternalServerErrorException',
  EXPIRED_TOKEN: 'ExpiredTokenException',
  INTEGRATION_FAILURE: 'InternalServerErrorException',
  INTEGRATION_TIMEOUT: 'InternalServerErrorException',
  INVALID_API_KEY: 'ForbiddenException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  QUOTA_EXCEEDED: 'LimitExceededException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  RESOURCE_NOT_FOUND: 'ResourceNotFoundException',
  THROTTLED: 'TooManyRequestsException',
  UNAUTHORIZED: 'UnauthorizedException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  WAF_FILTERED: 'WAFFilteredException',
};

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** Values a gateway response template or header mapping may reference. */
export interface GatewayResponseContext {
  requestId: string;
  /** `x-amz-apigw-id`, once the request has one. */
  extendedRequestId?: string;
  stage?: string;
  resourcePath?: string;
  httpMethod?: string;
  apiId?: string;
  stageVariables?: Record<string, string>;
  /** Request headers / query / path, for `method.request.*` header mappings. */
  requestHeaders?: Record<string, string | string[] | undefined>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string> | null;
  /** The request, once it matched a method: templates then see the whole `$context`. */
  inv?: Invocation;
  /** `$context.error.validationErrorString`, for BAD_REQUEST_BODY. */
  validationErrorString?: string;
  /** The error's own default body (GatewayError.defaultBody), used while the type is not customised. */
  defaultBody?: string;
  /** The error's own x-amzn-ErrorType (GatewayError.errorType), over the type's usual one. */
  errorType?: string;
}

export interface RenderedGatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

interface CompiledGatewayResponse {
  /** Undefined: fall back to the DEFAULT_4XX/5XX status, then AWS's default. */
  statusCode?: number;
  template: string;
  /** Templates with nothing to evaluate are sent as written. */
  isStatic: boolean;
  compiled?: MappingTemplate;
  headers: [name: string, source: string][];
}

/** The gateway responses of one deployment, compiled once. */
export class GatewayResponses {
  private readonly custom = new Map<GatewayResponseType, CompiledGatewayResponse>();

  constructor(responses: Partial<Record<GatewayResponseType, GatewayResponse>> = {}) {
    for (const [type, response] of Object.entries(responses) as [GatewayResponseType, GatewayResponse][]) {
      const template = pickTemplate(response.responseTemplates);
      let compiled: MappingTemplate | undefined;
      try {
        compiled = MappingTemplate.compile(template);
      } catch {
        // A template that does not parse falls back to AWS's default body when rendered.
        compiled = undefined;
      }
      this.custom.set(type, {
        statusCode: response.statusCode ? Number(response.statusCode) : undefined,
        template,
        isStatic: compiled?.isStatic ?? false,
        compiled,
        headers: Object.entries(response.responseParameters ?? {})
          .filter(([key]) => key.startsWith('gatewayresponse.header.'))
          .map(([key, source]) => [key.slice('gatewayresponse.header.'.length), source]),
      });
    }
  }

  /** The response for an error of `type`; `statusOverride` is AWS's own status for that case. */
  render(
    type: GatewayResponseType,
    message: string,
    context: GatewayResponseContext,
    statusOverride?: number,
  ): RenderedGatewayResponse {
    const defaultStatus = statusOverride ?? DEFAULT_STATUS[type] ?? 500;
    const family: GatewayResponseType = defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
    const own = this.custom.get(type);
    const fallback = this.custom.get(family);
    // AWS: a type's own status wins; else a status set on DEFAULT_4XX/5XX; else the default.
    const statusCode = own?.statusCode ?? fallback?.statusCode ?? defaultStatus;
    const chosen = own ?? fallback;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': context.errorType ?? ERROR_TYPE[type],
    };
    let body: string;
    if (!chosen) {
      body = context.defaultBody ?? defaultBody(type, message);
    } else {
      body = chosen.isStatic ? chosen.template : renderTemplate(chosen, type, message, context);
      for (const [name, source] of chosen.headers) {
        const value = resolveHeaderSource(source, context);
        if (value !== undefined) headers[name.toLowerCase()] = value;
      }
    }
    return { statusCode, headers, body };
  }
}

/**
 * AWS's default body. Failures inside the gateway's own integration step come out with a space
 * after the colon (recorded: `{"message": "Internal server error"}`, 36 bytes), unlike the
 * other types' `{"message":"…"}`.
 */
const SPACED_DEFAULT_BODY = new Set<GatewayResponseType>(['API_CONFIGURATION_ERROR', 'INTEGRATION_FAILURE', 'INTEGRATION_TIMEOUT', 'DEFAULT_5XX']);

function defaultBody(type: GatewayResponseType, message: string): string {
  return SPACED_DEFAULT_BODY.has(type) ? `{"message": ${JSON.stringify(message)}}` : `{"message":${JSON.stringify(message)}}`;
}

function pickTemplate(templates: Record<string, string> | undefined): string {
  if (!templates) return DEFAULT_TEMPLATE;
  return templates['application/json'] ?? Object.values(templates)[0] ?? DEFAULT_TEMPLATE;
}

/** Renders a customised template; one that fails gives AWS's default body instead. */
function renderTemplate(
  chosen: CompiledGatewayResponse,
  type: GatewayResponseType,
  message: string,
  context: GatewayResponseContext,
): string {
  const fallback = context.defaultBody ?? defaultBody(type, message);
  if (!chosen.compiled) return fallback;
  const error: ContextError = { message, responseType: type, validationErrorString: context.validationErrorString };
  const values = context.inv
    ? contextVariables(context.inv, error)
    : bareContextVariables(
        { requestId: context.requestId, apiId: context.apiId, stage: context.stage, httpMethod: context.httpMethod, resourcePath: context.resourcePath },
        error,
      );
  try {
    return chosen.compiled.render({
      input: { body: '', params: { path: { ...(context.pathParameters ?? {}) }, querystring: { ...(context.query ?? {}) }, header: flatHeaders(context.requestHeaders) } },
      context: new TemplateContext(values),
      stageVariables: context.stageVariables ?? {},
    });
  } catch (err) {
    if (err instanceof TemplateError) return fallback;
    throw err;
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function resolveHeaderSource(source: string, context: GatewayResponseContext): string | undefined {
  if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) return source.slice(1, -1);
  if (source.startsWith('method.request.header.')) {
    const value = context.requestHeaders?.[source.slice('method.request.header.'.length).toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }
  if (source.startsWith('method.request.querystring.')) return context.query?.[source.slice('method.request.querystring.'.length)];
  if (source.startsWith('method.request.path.')) return context.pathParameters?.[source.slice('method.request.path.'.length)] ?? undefined;
  if (source.startsWith('stageVariables.')) return context.stageVariables?.[source.slice('stageVariables.'.length)];
  return undefined;
}

/** The gateway responses of an API without customisations, shared by every such stage. */
export const DEFAULT_GATEWAY_RESPONSES = new GatewayResponses();
