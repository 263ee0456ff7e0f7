/**
 * apigateway (v1) gateway responses: per-API customisations of the responses API Gateway
 * itself sends (missing auth token, throttled, …). A type never customised answers AWS's
 * default with `defaultResponse: true`; updating one starts from that default.
 */
import {
  GATEWAY_RESPONSE_TYPES,
  type GatewayResponse,
  type GatewayResponseType,
} from '../../model/rest-api.js';
import { GATEWAY_RESPONSE_PARAMETER, MEDIA_TYPE, STATUS_CODE } from '../../model/validate.js';
import { DEFAULT_STATUS } from '../../gateway/gateway-responses.js';
import { ManagementError, badRequest, notFound } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { patchOperationsOf } from './stage-patch-errors.js';

/** AWS lists the enum in its own order in this message. */
const TYPE_ENUM_MESSAGE =
  '[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]';

const DEFAULT_TEMPLATES = { 'application/json': '{"message":$context.error.messageString}' };

function responseTypeOf(raw: string | undefined): GatewayResponseType {
  if (!raw || !(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(raw)) {
    throw new ManagementError(
      'ValidationException',
      `1 validation error detected: Value '${raw ?? ''}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: ${TYPE_ENUM_MESSAGE}`,
      400,
    );
  }
  return raw as GatewayResponseType;
}

/** AWS's default for a type, as a stored response would look. */
function defaultResponse(type: GatewayResponseType): GatewayResponse {
  const status = DEFAULT_STATUS[type];
  return {
    responseType: type,
    ...(status !== undefined ? { statusCode: String(status) } : {}),
    responseParameters: {},
    responseTemplates: { ...DEFAULT_TEMPLATES },
  };
}

/** AWS always sends both maps, even empty. */
const gatewayResponseShape = (r: GatewayResponse, isDefault: boolean): Record<string, unknown> => ({
  responseType: r.responseType,
  ...(r.statusCode !== undefined ? { statusCode: r.statusCode } : {}),
  responseParameters: r.responseParameters,
  responseTemplates: r.responseTemplates,
  defaultResponse: isDefault,
});

/** DEFAULT_4XX or DEFAULT_5XX: the response a type falls back on, by its default status. */
function familyOf(type: GatewayResponseType): GatewayResponseType | undefined {
  const status = DEFAULT_STATUS[type];
  if (status === undefined) return undefined;
  return status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
}

/**
 * A type never customised shows what it would answer: its own default, or, when DEFAULT_4XX or
 * DEFAULT_5XX of its family is customised, that one's status, parameters and templates, still
 * flagged `defaultResponse: true` (recorded).
 */
function shapeFor(custom: Partial<Record<GatewayResponseType, GatewayResponse>>, type: GatewayResponseType): Record<string, unknown> {
  const found = custom[type];
  if (found) return gatewayResponseShape(found, false);
  const family = familyOf(type);
  const inherited = family ? custom[family] : undefined;
  const own = defaultResponse(type);
  if (!inherited) return gatewayResponseShape(own, true);
  const statusCode = inherited.statusCode ?? own.statusCode;
  return gatewayResponseShape(
    {
      responseType: type,
      ...(statusCode !== undefined ? { statusCode } : {}),
      responseParameters: { ...inherited.responseParameters },
      responseTemplates: { ...inherited.responseTemplates },
    },
    true,
  );
}

function checkStatusCode(code: string): string {
  if (!STATUS_CODE.test(code)) throw badRequest(`Invalid status code '${code}': must be a 3-digit HTTP status from 100 to 599`);
  return code;
}

function checkParameter(name: string, value: unknown): string {
  if (!GATEWAY_RESPONSE_PARAMETER.test(name)) throw badRequest(`Invalid mapping expression specified: ${name}`);
  if (typeof value !== 'string' || value === '') throw badRequest(`Invalid mapping expression specified for ${name}: the value must be a non-empty string`);
  return value;
}

function checkTemplate(contentType: string, value: unknown): string {
  if (!MEDIA_TYPE.test(contentType)) throw badRequest(`Invalid content type specified: ${contentType}`);
  if (typeof value !== 'string') throw badRequest(`The template for ${contentType} must be a string`);
  return value;
}

function stringMap(raw: unknown, check: (key: string, value: unknown) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw == null) return out;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) out[key] = check(key, value);
  return out;
}

const putGatewayResponse: OperationHandler = async (ctx, req) => {
  const type = responseTypeOf(req.path.responseType);
  const b = req.body;
  // What the put leaves out is the type's default: its status and the default template (recorded).
  const defaults = defaultResponse(type);
  const templates = stringMap(b.responseTemplates, checkTemplate);
  const response: GatewayResponse = {
    responseType: type,
    ...(typeof b.statusCode === 'string' && b.statusCode !== ''
      ? { statusCode: checkStatusCode(b.statusCode) }
      : defaults.statusCode !== undefined
        ? { statusCode: defaults.statusCode }
        : {}),
    responseParameters: stringMap(b.responseParameters, checkParameter),
    responseTemplates: Object.keys(templates).length > 0 ? templates : defaults.responseTemplates,
  };
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    doc.gatewayResponses[type] = response;
  });
  return { body: gatewayResponseShape(response, false) };
};

const getGatewayResponse: OperationHandler = async (ctx, req) => {
  const type = responseTypeOf(req.path.responseType);
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  return { body: shapeFor(api.document.gatewayResponses, type) };
};

const getGatewayResponses: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const page = pageV1(GATEWAY_RESPONSE_TYPES, req.query);
  return { body: { ...page, item: page.item.map((t) => shapeFor(api.document.gatewayResponses, t)) } };
};

const invalidPatchPath = (op: PatchOperation): Error => badRequest(`Invalid patch path ${op.path}`);

/** Applies one patch op; the map members take add/replace/remove, statusCode only replace. */
function applyPatch(response: GatewayResponse, op: PatchOperation): void {
  const [member, key, ...extra] = op.segments;
  if (member === 'statusCode' && key === undefined) {
    if (op.op !== 'replace') throw invalidPatchPath(op);
    response.statusCode = checkStatusCode(op.value ?? '');
    return;
  }
  if ((member !== 'responseParameters' && member !== 'responseTemplates') || key === undefined || extra.length > 0) {
    throw invalidPatchPath(op);
  }
  const map = response[member];
  if (op.op === 'remove') {
    if (!Object.hasOwn(map, key)) throw notFound(member === 'responseParameters' ? 'Invalid parameter name specified' : 'Invalid response template specified');
    delete map[key];
    return;
  }
  if (op.op !== 'add' && op.op !== 'replace') throw invalidPatchPath(op);
  if (op.value === undefined || (member === 'responseParameters' && op.value === '')) {
    throw badRequest(`Invalid null or empty value in ${member}`);
  }
  if (op.op === 'replace' && !Object.hasOwn(map, key)) {
    throw notFound(member === 'responseParameters' ? 'Invalid parameter name specified' : 'Invalid response template specified');
  }
  map[key] = member === 'responseParameters' ? checkParameter(key, op.value) : checkTemplate(key, op.value);
}

const updateGatewayResponse: OperationHandler = async (ctx, req) => {
  const type = responseTypeOf(req.path.responseType);
  const ops = patchOperationsOf(req.body.patchOperations, 'updateGatewayResponseInput');
  const updated = await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    const next = structuredClone(doc.gatewayResponses[type] ?? defaultResponse(type));
    for (const op of ops) applyPatch(next, op);
    doc.gatewayResponses[type] = next;
    return next;
  });
  return { body: gatewayResponseShape(updated, false) };
};

const deleteGatewayResponse: OperationHandler = async (ctx, req) => {
  const type = responseTypeOf(req.path.responseType);
  await changeRestApi(ctx, req.path.restApiId!, (doc) => {
    if (!doc.gatewayResponses[type]) throw notFound('Gateway response type not defined on api');
    delete doc.gatewayResponses[type];
  });
  return { status: 202 };
};

export const GATEWAY_RESPONSES_HANDLERS: HandlerTable = {
  PutGatewayResponse: putGatewayResponse,
  GetGatewayResponse: getGatewayResponse,
  GetGatewayResponses: getGatewayResponses,
  UpdateGatewayResponse: updateGatewayResponse,
  DeleteGatewayResponse: deleteGatewayResponse,
};
