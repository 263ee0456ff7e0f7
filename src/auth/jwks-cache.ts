/**
 * Signing keys of JWT issuers, fetched on demand and cached per issuer.
 *
 * An issuer's JSON Web Key Set comes from one of three places: an explicit override (so a local
 * OpenID provider can stand in for a Cognito user pool), the fixed Cognito path
 * `{issuer}/.well-known/jwks.json` for Cognito user pool issuers, or the `jwks_uri` of the
 * issuer's OpenID discovery document. Keys are kept for a TTL; a token whose `kid` is not in the
 * cached set triggers a refetch, but every issuer is fetched at most once per
 * `minRefetchIntervalMs`, whatever the trigger, so forged `kid`s cannot turn the gateway into a
 * load generator against the identity provider. Callers asking for the same issuer while a fetch
 * is under way wait for that fetch instead of starting their own.
 *
 * Every failure is an exception: an issuer that cannot be reached, answers slowly, answers with
 * something that is not a key set, or does not hold the requested key yields no key, so the
 * token is rejected. Stale keys are never used once their TTL has passed.
 */
import { importJWK, type JWK } from 'jose';

/** How long a fetched key set is trusted before it is fetched again. */
export const DEFAULT_JWKS_TTL_MS = 10 * 60_000;
/** Smallest gap between two upstream fetches for one issuer. */
export const DEFAULT_MIN_REFETCH_INTERVAL_MS = 30_000;
/** Budget for one refresh, discovery document and key set together. */
export const DEFAULT_FETCH_TIMEOUT_MS = 3_000;
export const DEFAULT_MAX_ISSUERS = 64;
export const DEFAULT_MAX_KEYS_PER_ISSUER = 32;
/** Key sets are small; anything larger than this is not read. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

/** Signature algorithms a key may be used with; symmetric and `none` are absent on purpose. */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
] as const;
export type AsymmetricJwsAlgorithm = (typeof ASYMMETRIC_JWS_ALGORITHMS)[number];

const EC_CURVE_FOR_ALG: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/[\w-]+$/;

export type JwksErrorCode = 'unavailable' | 'unknown-kid' | 'unsupported-key';

/** Why no key could be produced. The message is for logs, never for clients. */
export class JwksError extends Error {
  constructor(readonly code: JwksErrorCode, message: string) {
    super(message);
    this.name = 'JwksError';
  }
}

export interface JwksCacheOptions {
  ttlMs?: number;
  minRefetchIntervalMs?: number;
  fetchTimeoutMs?: number;
  maxIssuers?: number;
  maxKeysPerIssuer?: number;
  maxResponseBytes?: number;
  /** Issuer (exactly as it appears in `iss`) → URL of its JWKS, bypassing discovery. */
  jwksUrlOverrides?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Clock in epoch milliseconds; defaults to Date.now. */
  now?: () => number;
}

/** Where an issuer's keys are read from. */
export type JwksSource = { kind: 'jwks'; url: string } | { kind: 'discovery'; url: string };

/** The public members of a verification key, nothing else. */
type PublicJwk =
  | { kty: 'RSA'; n: string; e: string; alg?: string }
  | { kty: 'EC'; crv: string; x: string; y: string; alg?: string };

interface IssuerEntry {
  /** kid → keys carrying it (a set may hold an RSA and an EC key under one kid). */
  keys: Map<string, PublicJwk[]> | undefined;
  fetchedAt: number;
  lastAttemptAt: number;
  lastError: string | undefined;
  inflight: Promise<void> | undefined;
  /** Imported keys by kid and algorithm; bounded by the key count times the algorithm count. */
  imported: Map<string, Promise<CryptoKey>>;
}

export class JwksCache {
  private readonly ttlMs: number;
  private readonly minRefetchIntervalMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly maxIssuers: number;
  private readonly maxKeysPerIssuer: number;
  private readonly maxResponseBytes: number;
  private readonly overrides: ReadonlyMap<string, string>;
  private readonly now: () => number;
  /** Insertion order doubles as recency order: a used entry is moved to the end. */
  private readonly entries = new Map<string, IssuerEntry>();
  private fetchCount = 0;

  constructor(options: JwksCacheOptions = {}) {
    this.ttlMs = positive(options.ttlMs, DEFAULT_JWKS_TTL_MS, 'ttlMs');
    this.minRefetchIntervalMs = nonNegative(options.minRefetchIntervalMs, DEFAULT_MIN_REFETCH_INTERVAL_MS, 'minRefetchIntervalMs');
    this.fetchTimeoutMs = positive(options.fetchTimeoutMs, DEFAULT_FETCH_TIMEOUT_MS, 'fetchTimeoutMs');
    this.maxIssuers = positive(options.maxIssuers, DEFAULT_MAX_ISSUERS, 'maxIssuers');
    this.maxKeysPerIssuer = positive(options.maxKeysPerIssuer, DEFAULT_MAX_KEYS_PER_ISSUER, 'maxKeysPerIssuer');
    this.maxResponseBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
    // A TTL shorter than the refetch interval would leave keys expired with no way to renew them.
    if (this.ttlMs < this.minRefetchIntervalMs) {
      throw new RangeError('ttlMs must not be shorter than minRefetchIntervalMs');
    }
    const overrides = options.jwksUrlOverrides ?? new Map<string, string>();
    this.overrides = overrides instanceof Map ? new Map(overrides) : new Map(Object.entries(overrides));
    for (const url of this.overrides.values()) httpUrl(url, 'JWKS override');
    this.now = options.now ?? Date.now;
  }

  /** Upstream refresh attempts started so far (discovery plus key set count as one). */
  get fetches(): number {
    return this.fetchCount;
  }

  /** Number of issuers currently cached. */
  get size(): number {
    return this.entries.size;
  }

  /** Where the keys of `issuer` come from. Throws for an issuer that is not an http(s) URL. */
  sourceFor(issuer: string): JwksSource {
    const override = this.overrides.get(issuer);
    if (override !== undefined) return { kind: 'jwks', url: override };
    httpUrl(issuer, 'issuer');
    const base = issuer.replace(/\/+$/, '');
    if (COGNITO_ISSUER.test(issuer)) return { kind: 'jwks', url: `${base}/.well-known/jwks.json` };
    return { kind: 'discovery', url: `${base}/.well-known/openid-configuration` };
  }

  /**
   * The key that verifies a token from `issuer` whose header names `kid` and `alg`. The caller
   * must have checked `issuer` against its configuration: this fetches whatever it is asked for.
   */
  async getKey(issuer: string, kid: string | undefined, alg: string | undefined): Promise<CryptoKey> {
    if (typeof kid !== 'string' || kid === '') throw new JwksError('unknown-kid', 'token header has no kid');
    if (!isAsymmetric(alg)) throw new JwksError('unsupported-key', `algorithm ${String(alg)} is not accepted`);
    const entry = this.entry(issuer);
    if (this.isFresh(entry)) {
      const jwk = pick(entry, kid, alg);
      if (jwk) return this.importKey(entry, kid, alg, jwk);
    }
    await this.refresh(issuer, entry);
    if (!this.isFresh(entry)) {
      throw new JwksError('unavailable', `no current JWKS for ${issuer}: ${entry.lastError ?? 'refetch interval not yet elapsed'}`);
    }
    const jwk = pick(entry, kid, alg);
    if (!jwk) {
      const known = entry.keys?.has(kid) ?? false;
      throw known
        ? new JwksError('unsupported-key', `key ${kid} of ${issuer} cannot be used with ${alg}`)
        : new JwksError('unknown-kid', `kid ${kid} is not in the JWKS of ${issuer}`);
    }
    return this.importKey(entry, kid, alg, jwk);
  }

  /** Forgets every cached issuer; a fetch under way still completes for those waiting on it. */
  clear(): void {
    this.entries.clear();
  }

  private isFresh(entry: IssuerEntry): entry is IssuerEntry & { keys: Map<string, PublicJwk[]> } {
    return entry.keys !== undefined && this.now() - entry.fetchedAt < this.ttlMs;
  }

  private entry(issuer: string): IssuerEntry {
    let entry = this.entries.get(issuer);
    if (entry) {
      this.entries.delete(issuer);
    } else {
      entry = {
        keys: undefined,
        fetchedAt: -Infinity,
        lastAttemptAt: -Infinity,
        lastError: undefined,
        inflight: undefined,
        imported: new Map(),
      };
      if (this.entries.size >= this.maxIssuers) this.evictOne();
    }
    this.entries.set(issuer, entry);
    return entry;
  }

  private evictOne(): void {
    // Least recently used first, sparing entries with a fetch under way when possible.
    let victim: string | undefined;
    for (const [issuer, entry] of this.entries) {
      if (!entry.inflight) { victim = issuer; break; }
      victim ??= issuer;
    }
    if (victim !== undefined) this.entries.delete(victim);
  }

  /** Starts a fetch unless one is under way (join it) or the last one is too recent (skip). */
  private refresh(issuer: string, entry: IssuerEntry): Promise<void> {
    if (entry.inflight) return entry.inflight;
    const now = this.now();
    if (now - entry.lastAttemptAt < this.minRefetchIntervalMs) return Promise.resolve();
    entry.lastAttemptAt = now;
    this.fetchCount++;
    entry.inflight = this.load(issuer)
      .then(
        (keys) => {
          entry.keys = keys;
          entry.fetchedAt = this.now();
          entry.lastError = undefined;
          entry.imported.clear();
        },
        (err: unknown) => {
          entry.lastError = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(() => {
        entry.inflight = undefined;
      });
    return entry.inflight;
  }

  private async load(issuer: string): Promise<Map<string, PublicJwk[]>> {
    // One deadline for the whole refresh, so discovery plus key set cannot take twice as long.
    const signal = AbortSignal.timeout(this.fetchTimeoutMs);
    const source = this.sourceFor(issuer);
    let jwksUrl = source.url;
    if (source.kind === 'discovery') {
      const doc = await this.getJson(source.url, signal);
      const uri = isObject(doc) ? doc.jwks_uri : undefined;
      if (typeof uri !== 'string') throw new Error(`discovery document at ${source.url} has no jwks_uri`);
      jwksUrl = httpUrl(uri, 'jwks_uri');
    }
    return this.parseJwks(await this.getJson(jwksUrl, signal), jwksUrl);
  }

  private async getJson(url: string, signal: AbortSignal): Promise<unknown> {
    let res: Response;
    try {
      // Redirects are refused: the key source is configuration, not something to be steered.
      res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    } catch (err) {
      throw new Error(`fetching ${url} failed: ${describe(err)}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`fetching ${url} returned HTTP ${res.status}`);
    }
    const text = await readCapped(res, this.maxResponseBytes, url);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${url} did not return JSON`);
    }
  }

  private parseJwks(doc: unknown, url: string): Map<string, PublicJwk[]> {
    if (!isObject(doc) || !Array.isArray(doc.keys)) throw new Error(`${url} is not a JWK Set`);
    const keys = new Map<string, PublicJwk[]>();
    let count = 0;
    for (const raw of doc.keys) {
      if (count >= this.maxKeysPerIssuer) break;
      const parsed = publicSigningKey(raw);
      if (!parsed) continue;
      const list = keys.get(parsed.kid);
      if (list) list.push(parsed.jwk);
      else keys.set(parsed.kid, [parsed.jwk]);
      count++;
    }
    return keys;
  }

  private importKey(entry: IssuerEntry, kid: string, alg: AsymmetricJwsAlgorithm, jwk: PublicJwk): Promise<CryptoKey> {
    const cacheKey = `${kid}\u0000${alg}`;
    let key = entry.imported.get(cacheKey);
    if (!key) {
      key = importJWK({ ...jwk } as JWK, alg).then(
        (k) => {
          if (k instanceof Uint8Array) throw new JwksError('unsupported-key', `key ${kid} is not an asymmetric key`);
          return k;
        },
        (err: unknown) => {
          throw new JwksError('unsupported-key', `key ${kid} cannot be imported for ${alg}: ${describe(err)}`);
        },
      );
      entry.imported.set(cacheKey, key);
    }
    return key;
  }
}

function isAsymmetric(alg: unknown): alg is AsymmetricJwsAlgorithm {
  return typeof alg === 'string' && (ASYMMETRIC_JWS_ALGORITHMS as readonly string[]).includes(alg);
}

/** The first key under `kid` whose type (and curve, and declared alg) fits `alg`. */
function pick(entry: IssuerEntry, kid: string, alg: AsymmetricJwsAlgorithm): PublicJwk | undefined {
  return entry.keys?.get(kid)?.find((jwk) => {
    if (jwk.alg !== undefined && jwk.alg !== alg) return false;
    if (jwk.kty === 'RSA') return alg.startsWith('RS') || alg.startsWith('PS');
    return EC_CURVE_FOR_ALG[alg] === jwk.crv;
  });
}

/** Keeps a JWKS member only if it is a public RSA or EC signing key with a kid. */
function publicSigningKey(raw: unknown): { kid: string; jwk: PublicJwk } | undefined {
  if (!isObject(raw)) return undefined;
  const { kid, kty, use, alg } = raw;
  const keyOps = raw.key_ops;
  if (typeof kid !== 'string' || kid === '') return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return undefined;
  if (alg !== undefined && !isAsymmetric(alg)) return undefined;
  const declared = alg === undefined ? {} : { alg };
  if (kty === 'RSA' && typeof raw.n === 'string' && typeof raw.e === 'string') {
    return { kid, jwk: { kty, n: raw.n, e: raw.e, ...declared } };
  }
  if (kty === 'EC' && typeof raw.crv === 'string' && typeof raw.x === 'string' && typeof raw.y === 'string') {
    if (!Object.values(EC_CURVE_FOR_ALG).includes(raw.crv)) return undefined;
    return { kid, jwk: { kty, crv: raw.crv, x: raw.x, y: raw.y, ...declared } };
  }
  return undefined;
}

async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${url} response is larger than ${max} bytes`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (err) {
      throw new Error(`reading ${url} failed: ${describe(err)}`);
    }
    if (step.done) break;
    total += step.value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`${url} response is larger than ${max} bytes`);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${what} is not an http(s) URL: ${value}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
  return v;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a non-negative number`);
  return v;
}
