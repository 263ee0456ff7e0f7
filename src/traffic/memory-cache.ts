/**
 * The in-process response cache: least-recently-used entries within a byte budget, each with
 * its own TTL. A Map kept in recency order (a hit on an entry in the older half re-inserts its
 * key at the end, eviction takes the first key) gives O(1) get, set and delete without a
 * hand-made linked list; entries in the newer half are not moved, an approximation of LRU that
 * keeps hits on hot keys to one lookup.
 *
 * The budget counts what an entry costs this process, not just its body: the key, the headers
 * and a fixed per-entry overhead (the Map slot, the entry object, the Buffer and its backing
 * store), so 100k tiny entries cannot blow past the budget the way counting bodies alone would.
 * Bodies are copied into buffers of their own on the way in (or into strings, for small ASCII
 * ones): a slice of Node's shared 8 KiB pool would otherwise keep the whole pool alive behind a
 * few accounted bytes.
 *
 * AWS sizes a stage cache from 0.5 to 237 GB (cacheClusterSize). A local gateway cannot hold
 * that, so the size is scaled by 1/16 (64 MiB per GB) and capped: the default 0.5 GB becomes
 * 32 MiB, 1.6 GB about 102 MiB, and 6.1 GB and up hit the cap (256 MiB unless configured).
 * The scale keeps a bigger cluster a bigger cache for the small sizes people pick to try
 * caching out, and the cap keeps a developer machine with several cached stages usable.
 *
 * cacheDataEncrypted is accepted and has nothing to do here: entries never leave the process's
 * memory, which is what AWS's encryption at rest protects against.
 */
import { isAscii } from 'node:buffer';
import {
  effectiveTtlMs,
  emptyStats,
  MAX_CACHEABLE_BODY_BYTES,
  type CachedResponse,
  type CacheKey,
  type CacheStats,
  type PeekedResponse,
  type ResponseCache,
} from './response-cache.js';

const MIB = 1024 * 1024;
/** Budget per GB of cacheClusterSize: AWS's sizes scaled down by 16. */
export const MEMORY_BYTES_PER_CLUSTER_GB = 64 * MIB;
/** Default ceiling of one memory cache, whatever the cluster size. */
export const DEFAULT_MEMORY_CAP_BYTES = 256 * MIB;
/** AWS's default cacheClusterSize. */
const DEFAULT_CLUSTER_SIZE_GB = 0.5;

/**
 * What an entry costs beyond the bytes of its strings and body: the Map slot, the entry and
 * headers objects, the response, the Buffer, its ArrayBuffer and the backing store. On Node 20
 * (x64) an entry with a 200-byte body and one header measures about 640 bytes of heap in all
 * and is counted at about 750, so the budget errs on the safe side.
 */
export const ENTRY_OVERHEAD_BYTES = 400;
/** ASCII bodies up to this size are kept as strings (see set). */
const TEXT_BODY_BYTES = 16 * 1024;
/** Per header value: the property slot, or the array element, beyond the strings themselves. */
const HEADER_OVERHEAD_BYTES = 32;

/** The byte budget for a stage whose cacheClusterSize is `cacheClusterSize` (GB, as AWS spells it). */
export function memoryBudgetBytes(cacheClusterSize: string | undefined, capBytes = DEFAULT_MEMORY_CAP_BYTES): number {
  const gb = cacheClusterSize === undefined ? DEFAULT_CLUSTER_SIZE_GB : Number(cacheClusterSize);
  const size = Number.isFinite(gb) && gb > 0 ? gb : DEFAULT_CLUSTER_SIZE_GB;
  return Math.floor(Math.min(size * MEMORY_BYTES_PER_CLUSTER_GB, capBytes));
}

export interface MemoryCacheOptions {
  /** The byte budget; see memoryBudgetBytes. */
  maxBytes: number;
  /** Milliseconds on a monotonic clock; tests may supply their own. */
  now?: () => number;
}

interface Entry {
  stage: string;
  /** Handed out as is by peek(): built once here, never changed after. */
  response: PeekedResponse;
  expiresAt: number;
  bytes: number;
  /** The placement count when the entry was inserted or last moved to the end. */
  position: number;
}

export class MemoryCache implements ResponseCache {
  /** Nothing to encrypt against: see the module comment. */
  readonly canEncrypt = true;
  readonly maxBytes: number;
  private readonly entries = new Map<string, Entry>();
  private accounted = 0;
  /** Counts insertions and moves; an entry's `position` is this count when it was last placed. */
  private placed = 0;
  private readonly counters = emptyStats();
  private readonly now: () => number;

  constructor(options: MemoryCacheOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    this.maxBytes = options.maxBytes;
    this.now = options.now ?? (() => performance.now());
  }

  /** Bytes the live entries are accounted at; never above maxBytes. */
  get bytes(): number {
    return this.accounted;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: CacheKey): Promise<CachedResponse | undefined> {
    const hit = this.peek(key);
    // A fresh headers object, so a caller adding a header to its response cannot change the entry.
    if (hit === undefined) return Promise.resolve(undefined);
    const body = typeof hit.body === 'string' ? Buffer.from(hit.body, 'latin1') : hit.body;
    return Promise.resolve({ status: hit.status, headers: copyHeaders(hit.headers), body });
  }

  peek(key: CacheKey): PeekedResponse | undefined {
    const k = mapKey(key);
    const entry = this.entries.get(k);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      if (entry !== undefined) this.remove(k, entry);
      this.counters.misses++;
      return undefined;
    }
    // Re-inserting moves the key to the end: the Map's order is the recency order. An entry
    // placed fewer than size/2 placements ago is in the newer half already, and eviction reaches
    // it only after the older half, so it stays where it is: a few hot keys then cost a lookup
    // each, not a Map delete and insert.
    if (this.placed - entry.position >= this.entries.size / 2) {
      this.entries.delete(k);
      this.entries.set(k, entry);
      entry.position = ++this.placed;
    }
    this.counters.hits++;
    return entry.response;
  }

  set(key: CacheKey, response: CachedResponse, ttlSeconds: number): Promise<void> {
    const k = mapKey(key);
    // Whatever happens next, the previous response is no longer the one to serve.
    const previous = this.entries.get(k);
    if (previous !== undefined) this.remove(k, previous);

    const ttlMs = effectiveTtlMs(ttlSeconds);
    const bytes = ENTRY_OVERHEAD_BYTES + stringBytes(k) + headerBytes(response.headers) + response.body.length;
    if (ttlMs === 0 || response.body.length > MAX_CACHEABLE_BODY_BYTES || bytes > this.maxBytes) {
      this.counters.rejected++;
      return Promise.resolve();
    }
    // A small ASCII body is kept as a string (one byte per character, as the Buffer was): a hit
    // then hands Node a string, which it sends in the same write as the head.
    let body: Buffer | string;
    if (response.body.length <= TEXT_BODY_BYTES && isAscii(response.body)) {
      body = response.body.toString('latin1');
    } else {
      body = Buffer.allocUnsafeSlow(response.body.length);
      response.body.copy(body);
    }
    this.entries.set(k, {
      position: ++this.placed,
      stage: key.stage,
      response: { status: response.status, headers: copyHeaders(response.headers), body },
      expiresAt: this.now() + ttlMs,
      bytes,
    });
    this.accounted += bytes;
    this.evictOverBudget();
    return Promise.resolve();
  }

  delete(key: CacheKey): Promise<void> {
    const k = mapKey(key);
    const entry = this.entries.get(k);
    if (entry !== undefined) this.remove(k, entry);
    return Promise.resolve();
  }

  /** O(entries): flushing is a rare management call, and this frees the memory at once. */
  flush(stage: string): Promise<void> {
    for (const [k, entry] of this.entries) {
      if (entry.stage === stage) this.remove(k, entry);
    }
    return Promise.resolve();
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  private evictOverBudget(): void {
    const now = this.now();
    while (this.accounted > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      const [k, entry] = oldest.value;
      // An entry already past its TTL was dead anyway; only live ones count as evictions.
      if (entry.expiresAt > now) this.counters.evictions++;
      this.remove(k, entry);
    }
  }

  private remove(k: string, entry: Entry): void {
    this.entries.delete(k);
    this.accounted -= entry.bytes;
  }
}

/**
 * Map keys of the frozen CacheKeys a method hands to every request (cache-key.ts). Joining the
 * stage and the id makes a new string, which the Map must then flatten and hash: about 0.3 µs,
 * most of a hit's cost, for a key that is the same on every request.
 */
const constantMapKeys = new WeakMap<CacheKey, string>();

/** The stage is length-prefixed so that no (stage, id) pair can spell another. */
function mapKey(key: CacheKey): string {
  if (!Object.isFrozen(key)) return `${key.stage.length}:${key.stage}${key.id}`;
  let k = constantMapKeys.get(key);
  if (k === undefined) constantMapKeys.set(key, (k = `${key.stage.length}:${key.stage}${key.id}`));
  return k;
}

/** A bound on a string's heap size: a header plus two bytes per UTF-16 unit. */
function stringBytes(text: string): number {
  return 16 + 2 * text.length;
}

function headerBytes(headers: Record<string, string | string[]>): number {
  let total = 0;
  for (const name in headers) {
    const value = headers[name]!;
    total += stringBytes(name);
    if (Array.isArray(value)) {
      for (const v of value) total += HEADER_OVERHEAD_BYTES + stringBytes(v);
    } else {
      total += HEADER_OVERHEAD_BYTES + stringBytes(value);
    }
  }
  return total;
}

function copyHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name]!;
    copy[name] = Array.isArray(value) ? [...value] : value;
  }
  return copy;
}
