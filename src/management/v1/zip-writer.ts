/**
 * ZIP archives built in memory (generated SDKs), written with yazl. This module adds what the
 * archive's consumers need from us: entry names that cannot escape an extraction directory,
 * no duplicates, and bounds on entry count and size, checked before anything is written.
 */
import yazl from 'yazl';

export interface ZipEntry {
  /** Path inside the archive with '/' separators, e.g. `apiGateway-js-sdk/apigClient.js`. */
  name: string;
  data: string | Uint8Array;
  /** Modification time recorded for the entry; default: 1980-01-01, the earliest DOS date. */
  modified?: Date;
  /** Unix permission bits for the entry; default 0o644. */
  mode?: number;
}

/** Bounds for one archive; exceeding any of them throws a RangeError. */
export const ZIP_LIMITS = {
  maxEntries: 1000,
  /** Total bytes of the entries before compression. */
  maxTotalBytes: 64 * 1024 * 1024,
  /** Bytes of one entry name in UTF-8 (the format allows 65535; file systems far less). */
  maxNameBytes: 1024,
} as const;

const DOS_EPOCH = new Date(1980, 0, 1);
const S_IFREG = 0o100000;

/** Refuses names an extractor could place outside its target directory, or that are not paths. */
function checkName(name: string): void {
  const length = Buffer.byteLength(name, 'utf8');
  if (length === 0 || length > ZIP_LIMITS.maxNameBytes) throw new RangeError(`ZIP entry name length out of range: ${length}`);
  if (name.startsWith('/') || name.includes('\\') || name.includes('\0') || name.endsWith('/')) {
    throw new RangeError(`ZIP entry name is not a relative file path: ${JSON.stringify(name)}`);
  }
  if (name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new RangeError(`ZIP entry name has an empty, '.' or '..' segment: ${JSON.stringify(name)}`);
  }
}

/** Writes the entries, in the order given, as one deflated ZIP archive. */
export async function writeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  if (entries.length > ZIP_LIMITS.maxEntries) throw new RangeError(`Too many ZIP entries: ${entries.length} (at most ${ZIP_LIMITS.maxEntries})`);
  const seen = new Set<string>();
  let total = 0;
  const buffers = entries.map((entry) => {
    checkName(entry.name);
    if (seen.has(entry.name)) throw new RangeError(`Duplicate ZIP entry name: ${JSON.stringify(entry.name)}`);
    seen.add(entry.name);
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    total += data.length;
    if (total > ZIP_LIMITS.maxTotalBytes) throw new RangeError(`ZIP content exceeds ${ZIP_LIMITS.maxTotalBytes} bytes`);
    return data;
  });
  const zip = new yazl.ZipFile();
  entries.forEach((entry, i) => {
    zip.addBuffer(buffers[i]!, entry.name, { mtime: entry.modified ?? DOS_EPOCH, mode: ((entry.mode ?? 0o644) & 0o7777) | S_IFREG });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
