/**
 * The RestApi settings CreateRestApi and UpdateRestApi both check: endpoint configuration,
 * minimum compression size, API key source and tags, with AWS's messages; and the two models
 * (Empty, Error) AWS puts in every new REST API.
 */
import type { Model, RestApiDocument } from '../../model/rest-api.js';
import { API_KEY_SOURCES, ENDPOINT_TYPES, type EndpointType } from '../../model/rest-api.js';
import { newShortId } from '../../model/ids.js';
import { badRequest } from '../errors.js';
import { IP_ADDRESS_TYPES, type EndpointConfigurationWithIp, type IpAddressType } from './shapes.js';
import { enumProblem } from './structure-checks.js';

export const MAX_COMPRESSION_SIZE = 10485760;

export function checkCompressionSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > MAX_COMPRESSION_SIZE) {
    throw badRequest(`Invalid minimum compression size, must be between 0 and ${MAX_COMPRESSION_SIZE}`);
  }
}

/** Constraint problems of a CreateRestApi endpointConfiguration (AWS lists them with the others). */
export function endpointConfigurationProblems(raw: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  const types = raw.types;
  if (Array.isArray(types) && types.some((t) => typeof t !== 'string' || !(ENDPOINT_TYPES as readonly string[]).includes(t))) {
    // Java prints the whole list: [a, b].
    problems.push(
      `Value '[${types.map(String).join(', ')}]' at '${at}.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]`,
    );
  }
  const ip = raw.ipAddressType;
  if (typeof ip === 'string' && !(IP_ADDRESS_TYPES as readonly string[]).includes(ip)) {
    problems.push(enumProblem(ip, `${at}.ipAddressType`, IP_ADDRESS_TYPES));
  }
  return problems;
}

/** A checked endpoint configuration; `raw` has passed endpointConfigurationProblems. */
export function readEndpointConfiguration(raw: Record<string, unknown> | undefined): EndpointConfigurationWithIp {
  if (!raw) return { types: ['EDGE'] };
  if (raw.types !== undefined && raw.types !== null && !Array.isArray(raw.types)) throw badRequest('endpointConfiguration.types must be a list');
  const types = (Array.isArray(raw.types) ? raw.types : ['EDGE']) as EndpointType[];
  const config: EndpointConfigurationWithIp = { types: [...types] };
  if (typeof raw.ipAddressType === 'string') config.ipAddressType = raw.ipAddressType as IpAddressType;
  if (Array.isArray(raw.vpcEndpointIds)) {
    if (raw.vpcEndpointIds.some((v) => typeof v !== 'string')) throw badRequest('endpointConfiguration.vpcEndpointIds must be a list of strings');
    if (raw.vpcEndpointIds.length > 0) config.vpcEndpointIds = [...(raw.vpcEndpointIds as string[])];
  }
  checkEndpointConfiguration(config);
  return config;
}

/** The rules AWS applies to a whole endpoint configuration, on create and after an update. */
export function checkEndpointConfiguration(config: EndpointConfigurationWithIp): void {
  if (config.types.length === 0) throw badRequest('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.');
  if (config.types.length > 1) throw badRequest('Cannot create an api with multiple Endpoint Types.');
  if (config.types[0] === 'PRIVATE' && config.ipAddressType === 'ipv4') throw badRequest('Only dualstack ipAddressType is supported for Private APIs.');
  if (config.vpcEndpointIds && config.vpcEndpointIds.length > 0 && config.types[0] !== 'PRIVATE') {
    throw badRequest('VPC endpoint IDs can only be set on PRIVATE APIs');
  }
}

export function apiKeySourceProblem(value: unknown, at: string): string | undefined {
  return typeof value === 'string' && !(API_KEY_SOURCES as readonly string[]).includes(value)
    ? enumProblem(value, at, API_KEY_SOURCES)
    : undefined;
}

/** AWS's tag bounds: 50 tags; keys 1–128 characters and not `aws:`; values up to 256. */
export function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > 50) throw badRequest('A resource can have at most 50 tags');
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) throw badRequest(`Tag key '${key}' must be 1 to 128 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw badRequest(`Tag key '${key}' must not start with 'aws:', which AWS reserves`);
    if (tags[key]!.length > 256) throw badRequest(`The value of tag '${key}' must be at most 256 characters long`);
  }
}

const EMPTY_SCHEMA = '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}';
const ERROR_SCHEMA =
  '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}';

/** Every REST API AWS creates starts with these two models, which methods commonly name. */
export function defaultModels(): RestApiDocument['models'] {
  const empty: Model = { id: newShortId(), name: 'Empty', description: 'This is a default empty schema model', contentType: 'application/json', schema: EMPTY_SCHEMA };
  const error: Model = { id: newShortId(), name: 'Error', description: 'This is a default error schema model', contentType: 'application/json', schema: ERROR_SCHEMA };
  return { Empty: empty, Error: error };
}
