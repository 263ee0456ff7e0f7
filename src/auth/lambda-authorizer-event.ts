/**
 * The events a Lambda authorizer function receives, as the developer guide shows them
 * (api-gateway-lambda-authorizer-input.md): TOKEN `{type, authorizationToken, methodArn}`, and
 * REQUEST, which is the request as a Lambda proxy integration would see it (payload 1.0)
 * without the body, plus `type` and `methodArn`. The data plane and TestInvokeAuthorizer
 * build both through these functions.
 */
import type { ProxyEventV1 } from '../gateway/rest/proxy-event.js';

export interface TokenAuthorizerEvent {
  type: 'TOKEN';
  authorizationToken: string;
  methodArn: string;
}

/** The request-derived members of a REQUEST authorizer event: a proxy event without its body. */
export type RequestAuthorizerInput = Omit<ProxyEventV1, 'body' | 'isBase64Encoded'>;

export interface RequestAuthorizerEvent extends RequestAuthorizerInput {
  type: 'REQUEST';
  methodArn: string;
}

export function tokenAuthorizerEvent(authorizationToken: string, methodArn: string): TokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn };
}

/** The members in the order of the guide's example, so logged events read like AWS's. */
export function requestAuthorizerEvent(input: RequestAuthorizerInput, methodArn: string): RequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: input.resource,
    path: input.path,
    httpMethod: input.httpMethod,
    headers: input.headers,
    multiValueHeaders: input.multiValueHeaders,
    queryStringParameters: input.queryStringParameters,
    multiValueQueryStringParameters: input.multiValueQueryStringParameters,
    pathParameters: input.pathParameters,
    stageVariables: input.stageVariables,
    requestContext: input.requestContext,
  };
}
