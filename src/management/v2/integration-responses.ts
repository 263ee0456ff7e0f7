/**
 * apigatewayv2 integration responses of WebSocket integrations: CreateIntegrationResponse,
 * GetIntegrationResponse, GetIntegrationResponses, UpdateIntegrationResponse,
 * DeleteIntegrationResponse. The key selects which backend answers a response applies to:
 * `$default`, or a regular expression between slashes matched against the status.
 */
import type { HttpApiDocument, IntegrationResponse } from '../../model/http-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { changeV2Api, compact, newChildId, readV2Api } from './document.js';
import { defined, optionalEnum, optionalString, optionalStringMap, requiredString } from './input.js';
import { findIntegration } from './integrations.js';

function responsesOf(doc: HttpApiDocument, integrationId: string): IntegrationResponse[] {
  findIntegration(doc, integrationId);
  if (doc.api.protocolType !== 'WEBSOCKET') throw badRequest('Integration responses are supported only for WebSocket APIs');
  return (doc.integrationResponses[integrationId] ??= []);
}

function findResponse(list: IntegrationResponse[], id: string): IntegrationResponse {
  const found = list.find((r) => r.integrationResponseId === id);
  if (!found) throw notFound(`Invalid IntegrationResponse identifier specified ${id}`);
  return found;
}

function checkKey(key: string): void {
  if (key === '$default') return;
  const m = /^\/(.+)\/$/.exec(key);
  if (!m) throw badRequest(`Invalid integrationResponseKey '${key}': use $default or a regular expression between slashes, for example /4\\d\\d/`);
  try {
    new RegExp(m[1]!);
  } catch {
    throw badRequest(`Invalid integrationResponseKey '${key}': not a valid regular expression`);
  }
}

function members(body: Readonly<Record<string, unknown>>, base: Partial<IntegrationResponse>): Partial<IntegrationResponse> {
  const next: Partial<IntegrationResponse> = { ...base };
  const key = optionalString(body, 'integrationResponseKey');
  if (key !== undefined) {
    checkKey(key);
    next.integrationResponseKey = key;
  }
  const set = <K extends keyof IntegrationResponse>(k: K, v: IntegrationResponse[K] | undefined): void => {
    if (v !== undefined) next[k] = v;
  };
  set('contentHandlingStrategy', optionalEnum(body, 'contentHandlingStrategy', ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const));
  set('responseParameters', optionalStringMap(body, 'responseParameters'));
  set('responseTemplates', optionalStringMap(body, 'responseTemplates'));
  set('templateSelectionExpression', optionalString(body, 'templateSelectionExpression'));
  return next;
}

function checkUnique(list: IntegrationResponse[], response: IntegrationResponse): void {
  if (list.some((r) => r.integrationResponseId !== response.integrationResponseId && r.integrationResponseKey === response.integrationResponseKey)) {
    throw conflict(`Integration response with key ${response.integrationResponseKey} already exists for this integration`);
  }
}

const shape = (r: IntegrationResponse): Record<string, unknown> => compact({ ...r });

export const INTEGRATION_RESPONSES_HANDLERS: HandlerTable = {
  async CreateIntegrationResponse(ctx, req) {
    requiredString(req.body, 'integrationResponseKey');
    const created = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const list = responsesOf(doc, req.path['IntegrationId']!);
      const response = defined({ integrationResponseId: newChildId(), ...members(req.body, {}) }) as IntegrationResponse;
      checkUnique(list, response);
      list.push(response);
      return response;
    });
    return { body: shape(created) };
  },

  async GetIntegrationResponse(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: shape(findResponse(responsesOf(document, req.path['IntegrationId']!), req.path['IntegrationResponseId']!)) };
  },

  async GetIntegrationResponses(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(responsesOf(document, req.path['IntegrationId']!).map(shape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateIntegrationResponse(ctx, req) {
    const updated = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const list = responsesOf(doc, req.path['IntegrationId']!);
      const current = findResponse(list, req.path['IntegrationResponseId']!);
      const next = members(req.body, current) as IntegrationResponse;
      checkUnique(list, next);
      list[list.indexOf(current)] = next;
      return next;
    });
    return { body: shape(updated) };
  },

  async DeleteIntegrationResponse(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const integrationId = req.path['IntegrationId']!;
      const list = responsesOf(doc, integrationId);
      const current = findResponse(list, req.path['IntegrationResponseId']!);
      doc.integrationResponses[integrationId] = list.filter((r) => r !== current);
    });
    return {};
  },
};
