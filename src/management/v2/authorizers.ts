/**
 * apigatewayv2 authorizers: CreateAuthorizer, GetAuthorizer, GetAuthorizers, UpdateAuthorizer,
 * DeleteAuthorizer. JWT authorizers (HTTP APIs) name an issuer and audiences; REQUEST
 * authorizers call a Lambda function. Routes refer to them by id, so one in use stays.
 */
import type { Authorizer, HttpApiDocument } from '../../model/http-api.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { LIMITS, changeV2Api, compact, readV2Api } from './document.js';
import { newShortId } from '../../model/ids.js';
import {
  defined,
  enumValue,
  has,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
  requiredString,
  stringList,
  structure,
} from './input.js';
import { isLambdaArn } from './integrations.js';

export function findAuthorizer(doc: HttpApiDocument, authorizerId: string): Authorizer {
  const found = doc.authorizers.find((a) => a.authorizerId === authorizerId);
  if (!found) throw notFound(`Invalid Authorizer identifier specified ${authorizerId}`);
  return found;
}

export function members(body: Readonly<Record<string, unknown>>, base: Partial<Authorizer>): Partial<Authorizer> {
  const next: Partial<Authorizer> = { ...base };
  const set = <K extends keyof Authorizer>(k: K, v: Authorizer[K] | undefined): void => {
    if (v !== undefined) next[k] = v;
  };
  if (has(body, 'authorizerType')) next.authorizerType = enumValue(body['authorizerType'], 'authorizerType', ['JWT', 'REQUEST'] as const);
  set('name', optionalString(body, 'name', 128));
  set('identitySource', optionalStringList(body, 'identitySource'));
  set('authorizerCredentialsArn', optionalString(body, 'authorizerCredentialsArn'));
  set('authorizerPayloadFormatVersion', optionalEnum(body, 'authorizerPayloadFormatVersion', ['1.0', '2.0'] as const));
  set('authorizerResultTtlInSeconds', optionalInteger(body, 'authorizerResultTtlInSeconds', 0, 3600));
  set('authorizerUri', optionalString(body, 'authorizerUri', 2048));
  set('enableSimpleResponses', optionalBoolean(body, 'enableSimpleResponses'));
  set('identityValidationExpression', optionalString(body, 'identityValidationExpression'));
  if (has(body, 'jwtConfiguration')) {
    const jwt = structure(body['jwtConfiguration'], 'jwtConfiguration', ['audience', 'issuer']);
    next.jwtConfiguration = defined({
      audience: jwt['audience'] === undefined || jwt['audience'] === null ? undefined : stringList(jwt['audience'], 'jwtConfiguration.audience'),
      issuer: optionalString(jwt, 'issuer'),
    });
  }
  return next;
}

export function checkAuthorizer(doc: HttpApiDocument, a: Authorizer): void {
  const http = doc.api.protocolType === 'HTTP';
  if (!a.name) throw badRequest('The authorizer name must not be empty');
  if (doc.authorizers.some((o) => o.authorizerId !== a.authorizerId && o.name === a.name)) throw conflict(`Authorizer with name ${a.name} already exists for this API`);
  if (a.authorizerType === 'JWT') {
    if (!http) throw badRequest('JWT authorizers are supported only for HTTP APIs');
    if (a.identitySource.length !== 1) throw badRequest('A JWT authorizer takes exactly one identity source, for example $request.header.Authorization');
    if (!a.jwtConfiguration?.issuer) throw badRequest('A JWT authorizer requires jwtConfiguration.issuer');
    if (!a.jwtConfiguration.audience || a.jwtConfiguration.audience.length === 0) throw badRequest('A JWT authorizer requires at least one jwtConfiguration.audience');
    if (a.authorizerUri !== undefined) throw badRequest('authorizerUri is not supported for JWT authorizers');
    return;
  }
  if (!a.authorizerUri) throw badRequest('An authorizerUri is required for REQUEST authorizers');
  if (!isLambdaArn(a.authorizerUri)) throw badRequest(`Invalid authorizerUri '${a.authorizerUri}': expected a Lambda function invocation ARN`);
  if (a.jwtConfiguration !== undefined) throw badRequest('jwtConfiguration is supported only for JWT authorizers');
  if (http) {
    if (!a.authorizerPayloadFormatVersion) throw badRequest('An authorizerPayloadFormatVersion (1.0 or 2.0) is required for REQUEST authorizers of HTTP APIs');
    if (a.enableSimpleResponses && a.authorizerPayloadFormatVersion !== '2.0') throw badRequest('Simple responses require authorizerPayloadFormatVersion 2.0');
    if ((a.authorizerResultTtlInSeconds ?? 0) > 0 && a.identitySource.length === 0) throw badRequest('An identitySource is required when caching is enabled');
  } else if (a.authorizerPayloadFormatVersion !== undefined || a.enableSimpleResponses !== undefined) {
    throw badRequest('authorizerPayloadFormatVersion and enableSimpleResponses are supported only for HTTP APIs');
  }
}

const shape = (a: Authorizer): Record<string, unknown> => compact({ ...a });

export const AUTHORIZERS_HANDLERS: HandlerTable = {
  async CreateAuthorizer(ctx, req) {
    requiredString(req.body, 'name', 128);
    requiredString(req.body, 'authorizerType');
    const created = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      if (doc.authorizers.length >= LIMITS.authorizersPerApi) throw badRequest(`The API already has the maximum of ${LIMITS.authorizersPerApi} authorizers`);
      const authorizer = defined({ authorizerId: newShortId(), identitySource: [], ...members(req.body, {}) }) as Authorizer;
      checkAuthorizer(doc, authorizer);
      doc.authorizers.push(authorizer);
      return authorizer;
    });
    return { body: shape(created) };
  },

  async GetAuthorizer(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    return { body: shape(findAuthorizer(document, req.path['AuthorizerId']!)) };
  },

  async GetAuthorizers(ctx, req) {
    const { document } = await readV2Api(ctx, ctx.store, req.path['ApiId']!);
    const { items, nextToken } = pageV2(document.authorizers.map(shape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateAuthorizer(ctx, req) {
    const updated = await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const current = findAuthorizer(doc, req.path['AuthorizerId']!);
      const next = members(req.body, current) as Authorizer;
      checkAuthorizer(doc, next);
      const users = doc.routes.filter((r) => r.authorizerId === next.authorizerId);
      if (next.authorizerType !== current.authorizerType && users.length > 0) {
        throw conflict(`Authorizer ${current.authorizerId} is used by route(s) ${users.map((r) => r.routeKey).join(', ')}; its type cannot change`);
      }
      doc.authorizers[doc.authorizers.indexOf(current)] = next;
      return next;
    });
    return { body: shape(updated) };
  },

  async DeleteAuthorizer(ctx, req) {
    await changeV2Api(ctx, req.path['ApiId']!, (doc) => {
      const authorizer = findAuthorizer(doc, req.path['AuthorizerId']!);
      const users = doc.routes.filter((r) => r.authorizerId === authorizer.authorizerId).map((r) => r.routeKey);
      if (users.length > 0) throw conflict(`Authorizer ${authorizer.authorizerId} cannot be deleted because route(s) use it: ${users.join(', ')}`);
      doc.authorizers = doc.authorizers.filter((a) => a !== authorizer);
    });
    return {};
  },
};
