/**
 * Function code for the Lambda API: uploaded zip archives unpacked under the code root, or a
 * local directory served in place. Each upload gets its own directory
 * (`{codeRoot}/{name}/{codeId}/`, with the zip kept beside it as `{codeId}.zip` for GetFunction's
 * download link), so a running instance never sees its files change under it and a failed
 * update leaves the previous code untouched.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { FunctionDefinition } from '../model/function.js';
import { invalidParameter, LambdaApiError } from './errors.js';

/** Lambda's limit on a function's unpacked code. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** S3Bucket names that mean "a directory on this machine" (`hot-reload` is LocalStack's spelling). */
export const LOCAL_CODE_BUCKETS = ['portico-local', 'hot-reload'];

const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

export interface PreparedCode {
  codeDirectory: string;
  codeOrigin: 'directory' | 'archive';
  codeSha256: string;
  codeSize: number;
  /** Removes what preparing wrote; nothing for a local directory. */
  discard(): Promise<void>;
}

export const sha256Base64 = (data: Buffer | string): string => createHash('sha256').update(data).digest('base64');

/** Unpacks an uploaded zip into a fresh directory of its own under `{codeRoot}/{functionName}/`. */
export async function unpackArchive(codeRoot: string, functionName: string, zip: Buffer): Promise<PreparedCode> {
  const parent = resolve(codeRoot, functionName);
  const codeId = randomUUID();
  const codeDirectory = join(parent, codeId);
  const discard = async (): Promise<void> => {
    await rm(codeDirectory, { recursive: true, force: true });
    await rm(`${codeDirectory}.zip`, { force: true });
    await rmdir(parent).catch(() => undefined);
  };
  try {
    const entries = await readEntries(zip);
    await mkdir(codeDirectory, { recursive: true });
    await extract(zip, entries, codeDirectory);
    // Kept for GetFunction's Code.Location; written last so its presence means a whole upload.
    await writeFile(`${codeDirectory}.zip`, zip, { mode: 0o644 });
  } catch (err) {
    await discard();
    throw err;
  }
  return { codeDirectory, codeOrigin: 'archive', codeSha256: sha256Base64(zip), codeSize: zip.length, discard };
}

/** A local directory served in place (S3Bucket `portico-local`, S3Key its absolute path). */
export async function localDirectory(path: string): Promise<PreparedCode> {
  if (!isAbsolute(path)) {
    throw invalidParameter(`S3Key must be the absolute path of a local code directory, not '${path}'.`);
  }
  const codeDirectory = resolve(path);
  const info = await stat(codeDirectory).catch(() => undefined);
  if (!info?.isDirectory()) throw invalidParameter(`The code directory ${codeDirectory} does not exist or is not a directory.`);
  return {
    codeDirectory,
    codeOrigin: 'directory',
    codeSha256: sha256Base64(codeDirectory),
    codeSize: 0,
    discard: async () => undefined,
  };
}

/**
 * Deletes the unpacked archive a definition points at (and its kept zip). Never touches a
 * directory Portico did not create: only archives inside `{codeRoot}/{name}/`.
 */
export async function removeArchive(codeRoot: string, fn: FunctionDefinition): Promise<void> {
  if (fn.codeOrigin !== 'archive') return;
  const parent = resolve(codeRoot, fn.functionName);
  const dir = resolve(fn.codeDirectory);
  if (dirname(dir) !== parent) return;
  try {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.zip`, { force: true });
    // Only succeeds once the last upload of this function is gone.
    await rmdir(parent).catch(() => undefined);
  } catch (err) {
    console.error(`portico: could not remove the old code of function ${fn.functionName} at ${dir}:`, err);
  }
}

interface PlannedEntry {
  entry: Entry;
  directory: boolean;
  executable: boolean;
}

const openZip = (zip: Buffer): Promise<ZipFile> =>
  new Promise((resolveOpen, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zipfile) =>
      err || !zipfile ? reject(unzipError(err)) : resolveOpen(zipfile),
    );
  });

function unzipError(err: unknown): Error {
  const message = err instanceof Error ? err.message : '';
  if (message.startsWith('invalid relative path') || message.startsWith('absolute path')) return outsideArchive(message.replace(/^[^:]*: /, ''));
  if (err instanceof LambdaApiError) return err;
  return invalidParameter(UNZIP_FAILED);
}

const outsideArchive = (name: string): Error =>
  invalidParameter(`${UNZIP_FAILED} The entry '${name}' would be written outside the function's code directory.`);

/** Reads the central directory and checks every entry before anything is written. */
async function readEntries(zip: Buffer): Promise<PlannedEntry[]> {
  const zipfile = await openZip(zip);
  try {
    return await new Promise((resolveEntries, reject) => {
      const planned: PlannedEntry[] = [];
      let total = 0;
      zipfile.on('error', (err) => reject(unzipError(err)));
      zipfile.on('end', () => resolveEntries(planned));
      zipfile.on('entry', (entry: Entry) => {
        const name = entry.fileName;
        // Unix attributes live in the high 16 bits when the archive was made on Unix (host 3).
        const unix = entry.versionMadeBy >> 8 === 3;
        const mode = unix ? (entry.externalFileAttributes >>> 16) & 0o177777 : 0;
        const fileType = mode & 0o170000;
        if (fileType === 0o120000) {
          return reject(invalidParameter(`${UNZIP_FAILED} The entry '${name}' is a symbolic link; Portico does not unpack links.`));
        }
        if (entry.isEncrypted()) return reject(invalidParameter(UNZIP_FAILED));
        const directory = name.endsWith('/') || fileType === 0o040000;
        total += entry.uncompressedSize;
        if (total > MAX_UNZIPPED_BYTES) {
          return reject(invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`));
        }
        planned.push({ entry, directory, executable: !directory && (mode & 0o111) !== 0 });
        zipfile.readEntry();
      });
      zipfile.readEntry();
    });
  } finally {
    zipfile.close();
  }
}

async function extract(zip: Buffer, planned: PlannedEntry[], into: string): Promise<void> {
  const zipfile = await openZip(zip);
  try {
    for (const { entry, directory, executable } of planned) {
      const target = resolve(into, entry.fileName);
      // yauzl already refuses '..' and absolute names; this holds even if that ever changes.
      const rel = relative(into, target);
      const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
      // The archive's root directory itself ('./') is the only entry allowed to be `into`.
      if (!inside && !(rel === '' && directory)) throw outsideArchive(entry.fileName);
      if (directory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const stream = await new Promise<NodeJS.ReadableStream>((resolveStream, reject) =>
        zipfile.openReadStream(entry, (err, s) => (err || !s ? reject(unzipError(err)) : resolveStream(s))),
      );
      await pipeline(stream, createWriteStream(target, { mode: executable ? 0o755 : 0o644 }));
      // The umask may have dropped bits; a `bootstrap` must stay runnable.
      if (executable) await chmod(target, 0o755);
    }
  } catch (err) {
    throw unzipError(err);
  } finally {
    zipfile.close();
  }
}

/**
 * Short-lived download links for GetFunction's `Code.Location`, standing in for Lambda's
 * presigned S3 URLs: anyone holding the link may fetch that one archive until it expires.
 */
export class CodeLinks {
  private readonly secret = randomBytes(32);
  static readonly PREFIX = '/_aws/lambda/code/';
  static readonly LIFETIME_S = 600;

  /** The download link of an archive-backed function; a `file:` URL for a directory. */
  location(baseUrl: string, fn: FunctionDefinition): string {
    if (fn.codeOrigin !== 'archive') return pathToFileURL(fn.codeDirectory).href;
    const codeId = basename(fn.codeDirectory);
    const expires = Math.floor(Date.now() / 1000) + CodeLinks.LIFETIME_S;
    const signature = this.sign(fn.functionName, codeId, expires);
    return `${baseUrl}${CodeLinks.PREFIX}${fn.functionName}/${codeId}.zip?Expires=${expires}&Signature=${signature}`;
  }

  /** The zip file a link names, if its signature holds and it has not expired. */
  resolve(codeRoot: string, pathname: string, query: URLSearchParams): string | undefined {
    const m = /^([A-Za-z0-9_-]{1,64})\/([0-9a-f-]{36})\.zip$/.exec(pathname.slice(CodeLinks.PREFIX.length));
    const expires = Number(query.get('Expires'));
    const signature = query.get('Signature') ?? '';
    if (!m || !Number.isInteger(expires) || expires < Date.now() / 1000) return undefined;
    const expected = Buffer.from(this.sign(m[1]!, m[2]!, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return join(codeRoot, m[1]!, `${m[2]}.zip`);
  }

  private sign(functionName: string, codeId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${functionName}/${codeId}/${expires}`).digest('base64url');
  }
}
