/**
 * What an integration must satisfy, after PutIntegration and after every UpdateIntegration:
 * AWS's rules for the backend method, the URI of each integration type, connection, timeout,
 * enumerations and parameter mappings, with AWS's messages where they are known.
 */
import {
  CONTENT_HANDLING,
  HTTP_METHODS,
  INTEGRATION_TIMEOUT_MAX_MS,
  INTEGRATION_TIMEOUT_MIN_MS,
  PASSTHROUGH_BEHAVIORS,
  type Integration,
} from '../../model/rest-api.js';
import { parseContextSource } from '../../model/context-sources.js';
import { badRequest } from '../errors.js';
import { checkTemplates, invalidMapping } from './structure-checks.js';

const AWS_PROXY_ONLY = "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.";
const AWS_INTEGRATION_ARN = /^arn:[^:]+:apigateway:[^:]*:([^:]+):(path|action)\/(.+)$/;

const INTEGRATION_PARAMETER = /^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+$/;
const PARAMETER_SOURCE =
  /^(?:method\.request\.(?:path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+|method\.request\.body(?:\.\S*)?|context\.[A-Za-z0-9._-]+|stageVariables\.[A-Za-z0-9_]+|'[^']*')$/;

function checkUri(integration: Integration): void {
  const uri = integration.uri ?? '';
  switch (integration.type) {
    case 'MOCK':
      return;
    case 'HTTP':
    case 'HTTP_PROXY':
      if (!/^https?:\/\/\S+$/i.test(uri)) throw badRequest('Invalid HTTP endpoint specified for URI');
      return;
    case 'AWS':
    case 'AWS_PROXY': {
      if (!uri.startsWith('arn:')) throw badRequest('Invalid ARN specified in the request');
      const match = AWS_INTEGRATION_ARN.exec(uri);
      if (!match) throw badRequest('AWS ARN for integration must contain path or action');
      if (integration.type === 'AWS_PROXY') {
        const [, service, kind, rest] = match;
        const lambda = service === 'lambda' && kind === 'path' && /^2015-03-31\/functions\/.+\/invocations$/.test(rest!);
        const firehose = service === 'firehose' && kind === 'action';
        if (!lambda && !firehose) throw badRequest(AWS_PROXY_ONLY);
      }
    }
  }
}

export function checkIntegration(integration: Integration): void {
  if (integration.type !== 'MOCK') {
    if (!integration.httpMethod) throw badRequest('Enumeration value for HttpMethod must be non-empty');
    if (!(HTTP_METHODS as readonly string[]).includes(integration.httpMethod)) {
      throw badRequest('Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY');
    }
  }
  checkUri(integration);
  if (integration.connectionType !== undefined && integration.connectionType !== 'INTERNET' && integration.connectionType !== 'VPC_LINK') {
    throw badRequest(`Invalid connection type specified: ${String(integration.connectionType)}. Valid options are INTERNET,VPC_LINK`);
  }
  if (integration.connectionType === 'VPC_LINK' && !integration.connectionId) {
    throw badRequest('A connectionId is required when the connection type is VPC_LINK');
  }
  if (!(PASSTHROUGH_BEHAVIORS as readonly string[]).includes(integration.passthroughBehavior)) {
    throw badRequest(`Invalid passthrough behavior specified: ${integration.passthroughBehavior}. Valid options are ${PASSTHROUGH_BEHAVIORS.join(',')}`);
  }
  if (integration.contentHandling !== undefined && !(CONTENT_HANDLING as readonly string[]).includes(integration.contentHandling)) {
    throw badRequest(`Invalid content handling specified: ${integration.contentHandling}. Valid options are ${CONTENT_HANDLING.join(',')}`);
  }
  const timeout = integration.timeoutInMillis;
  if (!Number.isInteger(timeout) || timeout < INTEGRATION_TIMEOUT_MIN_MS || timeout > INTEGRATION_TIMEOUT_MAX_MS) {
    throw badRequest(`Timeout should be between ${INTEGRATION_TIMEOUT_MIN_MS} ms and ${INTEGRATION_TIMEOUT_MAX_MS} ms`);
  }
  if (integration.credentials !== undefined && !/^arn:[^:]+:iam::(\d{12}|\*):(role|user)\/\S+$/.test(integration.credentials)) {
    throw badRequest(`Invalid credentials specified: ${integration.credentials} is not an IAM role or user ARN`);
  }
  for (const [target, source] of Object.entries(integration.requestParameters)) {
    if (!INTEGRATION_PARAMETER.test(target)) throw invalidMapping(target);
    if (!PARAMETER_SOURCE.test(source)) throw invalidMapping(source);
    // The pattern admits any dotted name after `context.`; AWS maps only the variables it documents.
    if (source.startsWith('context.') && !parseContextSource(source)) throw invalidMapping(source);
  }
  checkTemplates(integration.requestTemplates);
}
