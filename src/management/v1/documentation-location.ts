/**
 * What a documentation part's `location` may say, and its `properties`: the location types AWS
 * knows, which of path, method, statusCode and name each type takes or needs, the defaults of
 * the ones left out, and the checks shared by CreateDocumentationPart, UpdateDocumentationPart
 * and the documentation imports. One part per location, so locations are compared normalised.
 */
import {
  DOCUMENTATION_PART_TYPES,
  HTTP_METHODS,
  type DocumentationPartLocation,
  type DocumentationPartType,
} from '../../model/rest-api.js';
import { ManagementError, badRequest } from '../errors.js';

type Field = 'path' | 'method' | 'statusCode' | 'name';
const FIELDS: readonly Field[] = ['path', 'method', 'statusCode', 'name'];

interface LocationRule {
  valid: readonly Field[];
  required: readonly Field[];
}

const PARAMETER: LocationRule = { valid: ['path', 'method', 'name'], required: ['name'] };

/**
 * The fields each type takes, after the API reference's DocumentationPartLocation. REQUEST_BODY
 * takes a name there but not in the developer guide's table, so it is taken and not required.
 */
const RULES: Record<DocumentationPartType, LocationRule> = {
  API: { valid: [], required: [] },
  AUTHORIZER: { valid: ['name'], required: ['name'] },
  MODEL: { valid: ['name'], required: ['name'] },
  RESOURCE: { valid: ['path'], required: [] },
  METHOD: { valid: ['path', 'method'], required: [] },
  PATH_PARAMETER: PARAMETER,
  QUERY_PARAMETER: PARAMETER,
  REQUEST_HEADER: PARAMETER,
  REQUEST_BODY: { valid: ['path', 'method', 'name'], required: [] },
  RESPONSE: { valid: ['path', 'method', 'statusCode'], required: [] },
  RESPONSE_HEADER: { valid: ['path', 'method', 'statusCode', 'name'], required: ['name'] },
  RESPONSE_BODY: { valid: ['path', 'method', 'statusCode'], required: [] },
};

/** A left-out field means the root resource, any method, any status code. */
const DEFAULTS: Partial<Record<Field, string>> = { path: '/', method: '*', statusCode: '*' };

/** The type enum in the order AWS's validation messages list it. */
export const TYPE_ENUM_TEXT =
  '[RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]';

const STATUS_CODE_PATTERN = /^([1-5]\d\d|\*|\s*)$/;
const STATUS_CODE_PATTERN_TEXT = '^([1-5]\\d\\d|\\*|\\s*)$';

/** Largest `properties` Portico keeps for one part: a part is a description, not a payload. */
export const MAX_PROPERTIES_CHARS = 65_536;

/** AWS's input validation failure: `1 validation error detected: Value … at '<member>' …`. */
export const validationError = (value: string | null, member: string, constraint: string): ManagementError =>
  new ManagementError(
    'ValidationException',
    `1 validation error detected: Value ${value === null ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
    400,
  );

export const isDocumentationPartType = (v: unknown): v is DocumentationPartType =>
  typeof v === 'string' && (DOCUMENTATION_PART_TYPES as readonly string[]).includes(v);

/** Checks a `type` given as a filter or a location member; `member` names it in the message. */
export function checkType(value: unknown, member: string): DocumentationPartType {
  if (value === undefined || value === null) throw validationError(null, member, 'Member must not be null');
  if (!isDocumentationPartType(value)) {
    throw validationError(String(value), member, `Member must satisfy enum value set: ${TYPE_ENUM_TEXT}`);
  }
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A location as sent, checked and normalised: the fields its type takes, defaults filled in.
 * `member` is where the location sits in the input (`createDocumentationPartInput.location`).
 */
export function readLocation(raw: unknown, member: string): DocumentationPartLocation {
  if (raw === undefined || raw === null) throw validationError(null, member, 'Member must not be null');
  if (!isObject(raw)) throw badRequest('Invalid location: it must be an object');
  const type = checkType(raw.type, `${member}.type`);
  const rule = RULES[type];
  const location: DocumentationPartLocation = { type };
  for (const field of FIELDS) {
    const value = raw[field];
    // A blank member counts as left out, as AWS's status code pattern (which admits blanks) implies.
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    if (typeof value !== 'string') throw badRequest(`Invalid location: ${field} must be a string`);
    if (!rule.valid.includes(field)) throw badRequest(`Invalid location: ${field} is not a valid field for a location of type ${type}`);
    location[field] = value;
  }
  for (const field of rule.required) {
    if (location[field] === undefined) throw badRequest(`Invalid location: ${field} is required for a location of type ${type}`);
  }
  if (location.statusCode !== undefined && !STATUS_CODE_PATTERN.test(location.statusCode)) {
    throw validationError(location.statusCode, `${member}.statusCode`, `Member must satisfy regular expression pattern: ${STATUS_CODE_PATTERN_TEXT}`);
  }
  if (location.path !== undefined && !location.path.startsWith('/')) {
    throw badRequest(`Invalid location: path '${location.path}' must start with '/'`);
  }
  if (location.method !== undefined && location.method !== '*' && !(HTTP_METHODS as readonly string[]).includes(location.method)) {
    throw badRequest(`Invalid location: method '${location.method}' must be an HTTP method or '*'`);
  }
  for (const field of rule.valid) if (location[field] === undefined && DEFAULTS[field] !== undefined) location[field] = DEFAULTS[field];
  return location;
}

/** Two locations are the same entity exactly when their keys are equal. */
export const locationKey = (l: DocumentationPartLocation): string =>
  JSON.stringify([l.type, l.path ?? null, l.method ?? null, l.statusCode ?? null, l.name ?? null]);

/** The location as the conflict message spells it: `type 'API'`, then each field it has. */
export function describeLocation(l: DocumentationPartLocation): string {
  const parts = [`type '${l.type}'`];
  for (const field of FIELDS) if (l[field] !== undefined) parts.push(`${field} '${l[field]}'`);
  return parts.join(', ');
}

/** A content map: a JSON object, as a string. `member` names it when it is missing. */
export function readProperties(raw: unknown, member: string): string {
  if (raw === undefined || raw === null) throw validationError(null, member, 'Member must not be null');
  if (typeof raw !== 'string') throw badRequest('Invalid properties: the documentation content must be a JSON string');
  if (raw.length > MAX_PROPERTIES_CHARS) {
    throw badRequest(`Invalid properties: the documentation content can be at most ${MAX_PROPERTIES_CHARS} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest('Invalid properties: the documentation content must be valid JSON');
  }
  if (!isObject(parsed)) throw badRequest('Invalid properties: the documentation content must be a JSON object');
  return raw;
}
