/**
 * The response cache shared by every Portico process on one Redis, over the process's one
 * RedisConnection.
 *
 * - Entries are binary values stored with `PX`, so Redis expires them by itself.
 * - FlushStageCache is O(1): each stage has a generation counter that is part of every entry
 *   key, and a flush INCRs it. Entries of older generations are never read again and expire
 *   with their TTL (at most an hour). SCAN + UNLINK would walk the whole keyspace on every
 *   flush and still race with concurrent sets; the counter does neither. A small Lua script
 *   reads the generation and the entry in one round trip; the stage is a hash tag, so both
 *   keys live in one slot.
 * - cacheDataEncrypted entries are sealed with AES-256-GCM under a key from configuration
 *   (PORTICO_CACHE_KEY: 32 bytes, base64 or hex), and their Redis key is an HMAC of the cache
 *   key, so neither the response nor the request values in the key are readable in Redis. The
 *   key must be the same in every process that shares the cache, which is why a random
 *   per-process key will not do and why encrypted caching is refused without one. Changing the
 *   key orphans the old entries; they expire with their TTL.
 * - Redis being unavailable never fails or stalls a request: the connection does not queue
 *   commands while down and times each one out, a get is then a miss and a set is dropped,
 *   and `bypassed` counts both. A flush does reject, so the caller can report that it did not
 *   happen.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis-connection.js';
import {
  CacheConfigurationError,
  effectiveTtlMs,
  emptyStats,
  MAX_CACHEABLE_BODY_BYTES,
  type CachedResponse,
  type CacheEntryOptions,
  type CacheKey,
  type CacheStats,
  type ResponseCache,
} from './response-cache.js';

/** The environment variable the wiring reads the encryption key from. */
export const CACHE_KEY_ENV = 'PORTICO_CACHE_KEY';
const KEY_BYTES = 32;

/**
 * Parses a configured encryption key: 32 bytes written as 64 hex digits or as base64
 * (standard or URL-safe). The message never repeats the value.
 */
export function parseCacheEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new CacheConfigurationError(`${CACHE_KEY_ENV} must be ${KEY_BYTES} bytes written as 64 hex digits or as base64`);
  }
  return key;
}

/** The key from PORTICO_CACHE_KEY, or undefined when it is not set; throws when it is malformed. */
export function cacheEncryptionKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const text = env[CACHE_KEY_ENV];
  return text === undefined || text === '' ? undefined : parseCacheEncryptionKey(text);
}

export interface RedisCacheOptions {
  connection: RedisConnection;
  /** 32 bytes, the same in every process sharing the cache; without it encrypted entries are refused. */
  encryptionKey?: Buffer;
}

// Both scripts name only the generation key; the entry key shares its hash tag (its slot).
const GET_SCRIPT = `local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('GET', ARGV[1] .. g .. ARGV[2])`;
const SET_SCRIPT = `local g = redis.call('GET', KEYS[1]) or '0'
redis.call('SET', ARGV[1] .. g .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1`;
const DELETE_SCRIPT = `local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('UNLINK', ARGV[1] .. g .. ARGV[2])`;

const FORMAT_PLAIN = 1;
const FORMAT_SEALED = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format byte, status (u16), headers length (u32). */
const PLAIN_HEADER_BYTES = 7;

export class RedisCache implements ResponseCache {
  readonly canEncrypt: boolean;
  private readonly connection: RedisConnection;
  private readonly sealKey: Buffer | undefined;
  private readonly macKey: Buffer | undefined;
  private readonly counters = emptyStats();

  constructor(options: RedisCacheOptions) {
    this.connection = options.connection;
    const key = options.encryptionKey;
    if (key !== undefined && key.length !== KEY_BYTES) throw new CacheConfigurationError(`The cache encryption key must be ${KEY_BYTES} bytes`);
    // Separate keys for sealing entries and for naming them, both derived from the one secret.
    this.sealKey = key && Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'portico response cache: entries', KEY_BYTES));
    this.macKey = key && Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'portico response cache: names', KEY_BYTES));
    this.canEncrypt = key !== undefined;
  }

  async get(key: CacheKey, options?: CacheEntryOptions): Promise<CachedResponse | undefined> {
    const sealed = this.sealed(options);
    if (this.connection.isDown) return this.bypass(undefined);
    let stored: unknown;
    try {
      stored = await this.script(GET_SCRIPT, key, sealed);
    } catch {
      return this.bypass(undefined);
    }
    const response = Buffer.isBuffer(stored) ? this.decode(stored, key, sealed) : undefined;
    if (response === undefined) this.counters.misses++;
    else this.counters.hits++;
    return response;
  }

  async set(key: CacheKey, response: CachedResponse, ttlSeconds: number, options?: CacheEntryOptions): Promise<void> {
    const sealed = this.sealed(options);
    const ttlMs = effectiveTtlMs(ttlSeconds);
    if (ttlMs === 0 || response.body.length > MAX_CACHEABLE_BODY_BYTES) {
      this.counters.rejected++;
      // The previous response is no longer the one to serve, as a successful set would replace it.
      return this.delete(key, options);
    }
    if (this.connection.isDown) return this.bypass(undefined);
    try {
      await this.script(SET_SCRIPT, key, sealed, this.encode(response, key, sealed), String(ttlMs));
    } catch {
      this.bypass(undefined);
    }
  }

  async delete(key: CacheKey, options?: CacheEntryOptions): Promise<void> {
    const sealed = this.sealed(options);
    if (this.connection.isDown) return this.bypass(undefined);
    try {
      await this.script(DELETE_SCRIPT, key, sealed);
    } catch {
      this.bypass(undefined);
    }
  }

  /** Starts a new generation of the stage's keys; rejects when Redis is unavailable. */
  async flush(stage: string): Promise<void> {
    await this.connection.client.incr(this.generationKey(stage));
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  /** Whether this call is for an encrypted entry; refuses one this cache cannot seal. */
  private sealed(options: CacheEntryOptions | undefined): boolean {
    if (options?.encrypted !== true) return false;
    if (!this.canEncrypt) {
      throw new CacheConfigurationError(`cacheDataEncrypted needs ${CACHE_KEY_ENV}: the Redis cache will not store entries in the clear for a method that asks for encryption`);
    }
    return true;
  }

  private bypass<T>(value: T): T {
    this.counters.bypassed++;
    return value;
  }

  private tag(stage: string): string {
    // Hash-tag braces must not appear inside the tag; unusual stage strings are encoded.
    const safe = /^[\w.:-]*$/.test(stage) ? `s${stage}` : `x${Buffer.from(stage, 'utf8').toString('base64url')}`;
    return `${this.connection.keyPrefix}cache:{${safe}}:`;
  }

  private generationKey(stage: string): string {
    return `${this.tag(stage)}gen`;
  }

  /** The entry's key after the generation: the id itself, or its HMAC for an encrypted entry. */
  private suffix(key: CacheKey, sealed: boolean): string {
    if (!sealed) return `:p:${key.id}`;
    return `:e:${createHmac('sha256', this.macKey!).update(associatedData(key)).digest('base64url')}`;
  }

  private script(source: string, key: CacheKey, sealed: boolean, ...extra: (string | Buffer)[]): Promise<unknown> {
    const args = [1, this.generationKey(key.stage), this.tag(key.stage), this.suffix(key, sealed), ...extra];
    const client = this.connection.client;
    return client.callBuffer('EVALSHA', [sha1(source), ...args]).catch((err: Error) => {
      // First use on this Redis (or after SCRIPT FLUSH): send the script itself once.
      if (!String(err.message).startsWith('NOSCRIPT')) throw err;
      return client.callBuffer('EVAL', [source, ...args]);
    });
  }

  private encode(response: CachedResponse, key: CacheKey, sealed: boolean): Buffer {
    const headers = Buffer.from(JSON.stringify(response.headers), 'utf8');
    const head = Buffer.allocUnsafe(PLAIN_HEADER_BYTES);
    head.writeUInt8(FORMAT_PLAIN, 0);
    head.writeUInt16BE(response.status, 1);
    head.writeUInt32BE(headers.length, 3);
    const plain = Buffer.concat([head, headers, response.body]);
    if (!sealed) return plain;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey!, iv);
    // Binding the ciphertext to its cache key stops an entry being replayed under another key.
    cipher.setAAD(associatedData(key));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_SEALED]), iv, cipher.getAuthTag(), body]);
  }

  /** The stored response, or undefined for anything that does not decode (or authenticate). */
  private decode(stored: Buffer, key: CacheKey, sealed: boolean): CachedResponse | undefined {
    try {
      let plain = stored;
      if (sealed) {
        if (stored[0] !== FORMAT_SEALED || stored.length < 1 + IV_BYTES + TAG_BYTES) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', this.sealKey!, stored.subarray(1, 1 + IV_BYTES));
        decipher.setAAD(associatedData(key));
        decipher.setAuthTag(stored.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
        plain = Buffer.concat([decipher.update(stored.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
      }
      if (plain[0] !== FORMAT_PLAIN || plain.length < PLAIN_HEADER_BYTES) return undefined;
      const status = plain.readUInt16BE(1);
      const headersEnd = PLAIN_HEADER_BYTES + plain.readUInt32BE(3);
      if (headersEnd > plain.length) return undefined;
      const headers = JSON.parse(plain.toString('utf8', PLAIN_HEADER_BYTES, headersEnd)) as Record<string, string | string[]>;
      return { status, headers, body: plain.subarray(headersEnd) };
    } catch {
      return undefined;
    }
  }
}

function associatedData(key: CacheKey): Buffer {
  return Buffer.from(`${key.stage.length}:${key.stage}${key.id}`, 'utf8');
}

const sha1Cache = new Map<string, string>();
function sha1(source: string): string {
  let digest = sha1Cache.get(source);
  if (digest === undefined) sha1Cache.set(source, (digest = createHash('sha1').update(source).digest('hex')));
  return digest;
}
