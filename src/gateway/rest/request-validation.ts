/**
 * Request validation: what a method's request validator checks before the integration runs.
 *
 * The method's requestValidatorId picks one of the API's RequestValidators. With
 * validateRequestParameters, every `method.request.*` parameter marked required must be present and
 * not blank (400 BAD_REQUEST_PARAMETERS). With validateRequestBody, the body must match the model
 * that requestModels gives for the request's Content-Type, or the `$default` model (400
 * BAD_REQUEST_BODY); a content type with neither is not validated. Parameters are checked first.
 * Everything is decided once per deployment and method; a request only reads what it needs.
 */
import type { Method, RestApiDocument } from '../../model/rest-api.js';
import { apiConfigurationError, badRequestBody, badRequestParameters } from '../errors.js';
import { CompiledModels, type CompiledModel } from './models.js';

export interface ValidationRequest {
  /** Node's lower-cased IncomingHttpHeaders. */
  headers: Record<string, string | string[] | undefined>;
  query: { single: Record<string, string>; multi: Record<string, string[]> };
  pathParameters: Record<string, string> | null;
  /** The Content-Type header as sent (may be undefined). */
  contentType: string | undefined;
  /** Read only when the body must be validated. */
  body: () => Promise<Buffer>;
}

/**
 * Compiled once per deployment per method; rejects with a GatewayError: BAD_REQUEST_PARAMETERS,
 * BAD_REQUEST_BODY, or API_CONFIGURATION_ERROR when the model to validate with is broken.
 */
export type RequestValidation = (req: ValidationRequest) => Promise<void>;

type ParameterLocation = 'header' | 'multivalueheader' | 'querystring' | 'multivaluequerystring' | 'path';

interface RequiredParameter {
  location: ParameterLocation;
  /** As the method declares it: what the error message names. */
  name: string;
  /** Headers are looked up lower-cased, as node delivers them. */
  lookup: string;
}

const PARAMETER = /^method\.request\.(header|multivalueheader|querystring|multivaluequerystring|path)\.(.+)$/;

/** A request without a Content-Type is validated as JSON, as AWS does. */
const DEFAULT_MEDIA_TYPE = 'application/json';

/** The key of requestModels that applies whatever the content type. */
const DEFAULT_MODEL_KEY = '$default';

/** fge never sees a body that is not JSON; this is Portico's wording for that case. */
const NOT_JSON = '[Invalid JSON in request body]';

/** The method's request validation, or undefined when its validator (if any) checks nothing. */
export function compileRequestValidation(doc: RestApiDocument, method: Method): RequestValidation | undefined {
  const validatorId = method.requestValidatorId?.trim();
  if (!validatorId) return undefined;
  const validator = doc.requestValidators?.[validatorId];
  if (!validator) return undefined;

  const required = validator.validateRequestParameters ? requiredParameters(method) : [];
  const models = validator.validateRequestBody ? requestModels(doc, method) : undefined;
  if (required.length === 0 && !models) return undefined;

  return async (req) => {
    if (required.length > 0) {
      const missing = required.filter((p) => !isPresent(p, req)).map((p) => p.name);
      if (missing.length > 0) throw badRequestParameters(missing);
    }
    if (!models) return;
    const model = models.get(mediaTypeOf(req.contentType)) ?? models.get(DEFAULT_MODEL_KEY);
    if (!model) return;
    if (!model.ok) throw apiConfigurationError();
    if (model.anything) return;
    const parsed = parseBody(await req.body());
    if (!parsed.ok) throw badRequestBody(NOT_JSON);
    const problem = model.check(parsed.value);
    if (problem !== undefined) throw badRequestBody(problem);
  };
}

/**
 * Required parameters in AWS's reporting order. The recorded order (header, path, querystring)
 * is that of the full `method.request.…` keys sorted, which also places the multivalue kinds.
 */
function requiredParameters(method: Method): RequiredParameter[] {
  const found: [key: string, parameter: RequiredParameter][] = [];
  for (const [key, isRequired] of Object.entries(method.requestParameters ?? {})) {
    if (isRequired !== true) continue;
    const match = PARAMETER.exec(key);
    if (!match) continue;
    const location = match[1] as ParameterLocation;
    const name = match[2]!;
    const isHeader = location === 'header' || location === 'multivalueheader';
    found.push([key, { location, name, lookup: isHeader ? name.toLowerCase() : name }]);
  }
  return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, parameter]) => parameter);
}

/** The guide's rule: a required parameter must be included and non-blank (`?q1=` fails). */
function isPresent(parameter: RequiredParameter, req: ValidationRequest): boolean {
  switch (parameter.location) {
    case 'header':
    case 'multivalueheader': {
      const value = req.headers[parameter.lookup];
      return Array.isArray(value) ? value.some(notBlank) : notBlank(value);
    }
    case 'querystring':
    case 'multivaluequerystring': {
      const values = req.query.multi[parameter.lookup];
      return values ? values.some(notBlank) : notBlank(req.query.single[parameter.lookup]);
    }
    case 'path':
      return notBlank(req.pathParameters?.[parameter.lookup]);
  }
}

function notBlank(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** Content type → model, keys lower-cased; undefined when the method names no models. */
function requestModels(doc: RestApiDocument, method: Method): Map<string, CompiledModel> | undefined {
  const entries = Object.entries(method.requestModels ?? {});
  if (entries.length === 0) return undefined;
  const models = CompiledModels.of(doc);
  return new Map(entries.map(([contentType, name]) => [contentType.trim().toLowerCase(), models.get(name)]));
}

function mediaTypeOf(contentType: string | undefined): string {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  return mediaType || DEFAULT_MEDIA_TYPE;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

/** An empty body is validated as `{}`, so models without required members accept it. */
function parseBody(body: Buffer): Parsed {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
