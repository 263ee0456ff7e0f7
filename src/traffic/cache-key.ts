/**
 * Response cache keys. AWS keys a cached response by its method, its resource (or the
 * integration's cacheNamespace, which lets several resources share entries) and the values of
 * the integration's cacheKeyParameters; parameters left out of the list do not vary the entry,
 * so `/pets/1` and `/pets/2` share one entry unless `method.request.path.petId` is listed.
 *
 * A key is compiled once per method into a function of the request, so the parameter list is
 * never parsed per request. Every part is length-prefixed, which keeps keys of different values
 * apart however the values are spelled (a value containing a separator, an empty value and an
 * absent one all differ). Long keys are replaced by their SHA-256, so a key stays bounded
 * whatever the request carries.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A cache entry's identity: `stage` names the stage's cache (what FlushStageCache empties) and
 * `id` the entry within it. Kept apart so a backend can flush a stage without parsing keys.
 */
export interface CacheKey {
  readonly stage: string;
  readonly id: string;
}

/**
 * What a key reads from a request. The gateway's Invocation has this shape, so it can be
 * passed as is.
 */
export interface CacheKeyRequest {
  readonly httpMethod: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly query: {
    /** Last value wins, as `method.request.querystring.X` reads. */
    readonly single: Readonly<Record<string, string>>;
    readonly multi: Readonly<Record<string, readonly string[]>>;
  };
  readonly req: {
    readonly headers: IncomingHttpHeaders;
    /** Node's per-header value lists, for `multivalueheader`; absent values fall back to `headers`. */
    readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
  };
}

/** One method's cache settings, as the deployment holds them. */
export interface CacheKeyMethod {
  apiId: string;
  stageName: string;
  resourceId: string;
  /** The resource path template, e.g. `/pets/{petId}`. */
  resourcePath: string;
  /** The method's HTTP method; `ANY` keys by the request's method. */
  httpMethod: string;
  cacheNamespace?: string;
  cacheKeyParameters: readonly string[];
  /** The integration's requestParameters, which `integration.request.*` cache keys resolve through. */
  requestParameters?: Readonly<Record<string, string>>;
  /** For `integration.request.*` parameters mapped from `stageVariables.X`. */
  stageVariables?: Readonly<Record<string, string>>;
}

export type CacheKeyFunction = (request: CacheKeyRequest) => CacheKey;

/** Ids longer than this (in UTF-16 units) are replaced by their hash. */
export const MAX_KEY_ID_LENGTH = 256;

/** A cacheKeyParameters entry that cannot be read from a request. */
export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
}

/** `stage` of every key of this API stage; what the flush of that stage names. */
export function stageCacheId(apiId: string, stageName: string): string {
  return part(apiId) + part(stageName);
}

/**
 * Compiles a method's cache key. Throws CacheKeyError (at compile time, never per request) for
 * a parameter that is not a method request parameter or an integration parameter mapped from
 * one (or from a literal or a stage variable).
 */
export function compileCacheKey(method: CacheKeyMethod): CacheKeyFunction {
  const stage = stageCacheId(method.apiId, method.stageName);
  // cacheNamespace replaces the resource: that is what lets several resources share entries.
  const scope = method.cacheNamespace !== undefined && method.cacheNamespace !== ''
    ? 'n' + part(method.cacheNamespace)
    : 'r' + part(method.resourceId) + part(method.resourcePath);
  const readers = compileReaders(method);
  const anyMethod = method.httpMethod.toUpperCase() === 'ANY';
  const fixed = anyMethod ? undefined : 'k' + part(method.httpMethod.toUpperCase()) + scope;

  // A key that reads nothing from the request (the method's own, without cacheKeyParameters)
  // is one frozen object handed to every request: a backend may then work out what it derives
  // from the key once (see MemoryCache), instead of once per request.
  if (fixed !== undefined && readers.length === 0) {
    const constant: CacheKey = Object.freeze({ stage, id: fixed.length > MAX_KEY_ID_LENGTH ? hashed(fixed) : fixed });
    return () => constant;
  }
  return (request) => {
    let id = fixed ?? 'k' + part(request.httpMethod.toUpperCase()) + scope;
    for (const reader of readers) id += reader.label + reader.read(request);
    return { stage, id: id.length > MAX_KEY_ID_LENGTH ? hashed(id) : id };
  };
}

interface Reader {
  /** The parameter's canonical name, length-prefixed, so values of different parameters differ. */
  label: string;
  /** The parameter's value, already encoded. */
  read: (request: CacheKeyRequest) => string;
}

type Location = 'path' | 'querystring' | 'multivaluequerystring' | 'header' | 'multivalueheader';

const METHOD_PARAMETER = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/;
const INTEGRATION_PARAMETER = /^integration\.request\.(path|querystring|header)\.(.+)$/;

function compileReaders(method: CacheKeyMethod): Reader[] {
  const byLabel = new Map<string, Reader>();
  for (const parameter of method.cacheKeyParameters) {
    const reader = compileParameter(parameter, method);
    byLabel.set(reader.label, reader);
  }
  // Sorted, so the order the list was written in does not change the key; duplicates collapse.
  return [...byLabel.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function compileParameter(parameter: string, method: CacheKeyMethod): Reader {
  const direct = METHOD_PARAMETER.exec(parameter);
  if (direct) return methodReader(direct[1] as Location, direct[2]!);
  const viaIntegration = INTEGRATION_PARAMETER.exec(parameter);
  if (viaIntegration) {
    const source = method.requestParameters?.[parameter];
    if (source === undefined) throw new CacheKeyError(`Cache key parameter ${parameter} is not mapped in the integration's requestParameters`);
    const mapped = METHOD_PARAMETER.exec(source);
    if (mapped) return methodReader(mapped[1] as Location, mapped[2]!);
    if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) return constantReader(parameter, source.slice(1, -1));
    if (source.startsWith('stageVariables.')) return constantReader(parameter, method.stageVariables?.[source.slice('stageVariables.'.length)]);
    throw new CacheKeyError(`Cache key parameter ${parameter} is mapped from ${source}, which a cache key cannot read`);
  }
  throw new CacheKeyError(`Invalid cache key parameter ${parameter}: expected method.request.{path,querystring,multivaluequerystring,header,multivalueheader}.NAME or a mapped integration.request parameter`);
}

function methodReader(location: Location, name: string): Reader {
  switch (location) {
    case 'path':
      return { label: part(`path.${name}`), read: (r) => value(r.pathParameters?.[name]) };
    case 'querystring':
      return { label: part(`querystring.${name}`), read: (r) => value(r.query.single[name]) };
    case 'multivaluequerystring':
      return { label: part(`multivaluequerystring.${name}`), read: (r) => list(r.query.multi[name]) };
    case 'header': {
      const lower = name.toLowerCase();
      return {
        label: part(`header.${lower}`),
        read: (r) => {
          const raw = r.req.headers[lower];
          return value(Array.isArray(raw) ? raw.join(',') : raw);
        },
      };
    }
    case 'multivalueheader': {
      const lower = name.toLowerCase();
      return {
        label: part(`multivalueheader.${lower}`),
        read: (r) => {
          const distinct = r.req.headersDistinct?.[lower];
          if (distinct !== undefined) return list(distinct);
          const raw = r.req.headers[lower];
          return list(raw === undefined ? undefined : Array.isArray(raw) ? raw : [raw]);
        },
      };
    }
  }
}

function constantReader(parameter: string, fixed: string | undefined): Reader {
  const encoded = value(fixed);
  return { label: part(`const.${parameter}`), read: () => encoded };
}

/** `<length>:<text>`: self-delimiting, so concatenations of parts never collide. */
function part(text: string): string {
  return `${text.length}:${text}`;
}

/** An absent value is `-`, which no length prefix starts with. */
function value(text: string | undefined): string {
  return text === undefined ? '-' : part(text);
}

/** `*<count>:` then each value; `-` when the parameter is absent. */
function list(values: readonly string[] | undefined): string {
  if (values === undefined) return '-';
  let out = `*${values.length}:`;
  for (const v of values) out += part(v);
  return out;
}

/** `h` + SHA-256; unhashed ids start with `k`, so a hash never equals a plain id. */
function hashed(id: string): string {
  return 'h' + createHash('sha256').update(id, 'utf8').digest('base64url');
}
