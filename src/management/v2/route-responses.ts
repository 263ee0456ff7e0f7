/**
 * apigatewayv2 route responses of WebSocket routes: CreateRouteResponse, GetRouteResponse,
 * GetRouteResponses, UpdateRouteResponse, DeleteRouteResponse. They make a route two-way; AWS
 * supports one per route, keyed `$default`.
 */
import type { HttpApiDocument, ParameterConstraints, RouteResponse } from '../../model/http-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { changeV2Api, compact, newChildId, readV2Api } from './document.js';
import { defined, has, optionalString, optionalStringMap, requiredString, structure } from './input.js';
import { findRoute } from './routes.js';

function responsesOf(doc: HttpApiDocument, routeId: string): RouteResponse[] {
  findRoute(doc, routeId);
  if (doc.api.protocolType !== 'WEBSOCKET') throw badRequest('Route responses are supported only for WebSocket APIs');
  return (doc.routeResponses[routeId] ??= []);
}

function findResponse(list: RouteResponse[], id: string): RouteResponse {
  const found = list.find((r) => r.routeResponseId === id);
  if (!found) throw notFound(`Invalid RouteResponse identifier specified ${id}`);
  return found;
}

function members(doc: HttpApiDocument, body: Readonly<Record<string, unknown>>, base: Partial<RouteResponse>): Partial<RouteResponse> {
  const next: Partial<RouteResponse> = { ...base };
  const key = optionalString(body, 'routeResponseKey');
  if (key !== undefined) {
    if (key !== '$default') throw badRequest("Currently, only '$default' is supported as a routeResponseKey");
    next.routeResponseKey = key;
  }
  const modelSelection = optionalString(body, 'modelSelectionExpression');
  if (modelSelection !== undefined) next.modelSelectionExpression = modelSelection;
  const models = optionalStringMap(body, 'responseModels');
  if (models !== undefined) {
    for (const name of Object.values(models)) {
      if (!doc.models.some((m) => m.name === name)) throw badRequest(`Invalid model '${name}' specified in responseModels`);
    }
    next.responseModels = models;
  }
  if (has(body, 'responseParameters')) {
    const raw = body['responseParameters'];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('responseParameters must be a map');
    const params: Record<string, ParameterConstraints> = {};
    for (const [name, value] of Object.entries(raw)) {
      const c = structure(value, `responseParameters.${name}`, ['required']);
      if (c['required'] !== undefined && typeof c['required'] !== 'boolean') throw badRequest(`responseParameters.${name}.required must be a boolean`);
      params[name] = c['required'] === undefined ? {} : { required: c['required'] as boolean };
    }
    next.responseParameters = params;
  }
  return next;
}

const shape = (r: RouteResponse): Record<string, unknown> => compact({ ...r });

export const ROUTE_RESPONSES_HANDLERS: HandlerTable = {
  async CreateRouteResponse(ctx, req) {
    requiredString(req.body, 'routeResponseKey');
    const created = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const list = responsesOf(doc, req.path['RouteId']!);
      const response = defined({ routeResponseId: newChildId(), ...members(doc, req.body, {}) }) as RouteResponse;
      if (list.some((r) => r.routeResponseKey === response.routeResponseKey)) {
        throw conflict(`Route response with key ${response.routeResponseKey} already exists for this route`);
      }
      list.push(response);
      return response;
    });
    return { body: shape(created) };
  },

  async GetRouteResponse(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: shape(findResponse(responsesOf(document, req.path['RouteId']!), req.path['RouteResponseId']!)) };
  },

  async GetRouteResponses(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(responsesOf(document, req.path['RouteId']!).map(shape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateRouteResponse(ctx, req) {
    const updated = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const list = responsesOf(doc, req.path['RouteId']!);
      const current = findResponse(list, req.path['RouteResponseId']!);
      const next = members(doc, req.body, current) as RouteResponse;
      list[list.indexOf(current)] = next;
      return next;
    });
    return { body: shape(updated) };
  },

  async DeleteRouteResponse(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const routeId = req.path['RouteId']!;
      const list = responsesOf(doc, routeId);
      const current = findResponse(list, req.path['RouteResponseId']!);
      doc.routeResponses[routeId] = list.filter((r) => r !== current);
    });
    return {};
  },
};
