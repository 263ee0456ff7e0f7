/**
 * Who may call Portico's management APIs: the access keys whose SigV4 signatures the control
 * plane accepts. They come from a credentials file, from PORTICO_ADMIN_* environment variables,
 * or, only while Portico listens on a loopback address, the well-known `test`/`test` pair that
 * local AWS tooling defaults to. Listening anywhere else without configured credentials is
 * refused, so an exposed port never accepts a guessable key.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Credential } from './sigv4.js';

export interface AdminCredentialOptions {
  /** The address Portico listens on. */
  host: string;
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Path to a JSON file: {"credentials":[{"accessKeyId":"..","secretAccessKey":"..","sessionToken"?: ".."}]}. */
  file?: string;
}

export type AdminCredentialSource = 'file' | 'environment' | 'default-loopback';

export class AdminCredentialsError extends Error {
  override readonly name = 'AdminCredentialsError';
}

export const ENV_ACCESS_KEY_ID = 'PORTICO_ADMIN_ACCESS_KEY_ID';
export const ENV_SECRET_ACCESS_KEY = 'PORTICO_ADMIN_SECRET_ACCESS_KEY';
export const ENV_SESSION_TOKEN = 'PORTICO_ADMIN_SESSION_TOKEN';

/** The pair AWS tooling pointed at a local endpoint conventionally uses. */
export const DEFAULT_LOOPBACK_CREDENTIAL: Readonly<Credential> = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });

export const MAX_FILE_CREDENTIALS = 1000;
// A file of MAX_FILE_CREDENTIALS entries fits easily; anything larger is not a credentials file.
const MAX_FILE_BYTES = 1024 * 1024;
const CREDENTIAL_FIELDS = new Set(['accessKeyId', 'secretAccessKey', 'sessionToken']);

export class AdminCredentials {
  private constructor(
    private readonly byAccessKeyId: ReadonlyMap<string, Credential>,
    readonly source: AdminCredentialSource,
  ) {}

  /** @throws AdminCredentialsError when the configuration is unusable or missing where required. */
  static resolve(options: AdminCredentialOptions): AdminCredentials {
    const env = options.env ?? process.env;
    const credentials = new Map<string, Credential>();
    const add = (credential: Credential, origin: string): void => {
      const existing = credentials.get(credential.accessKeyId);
      if (
        existing &&
        (existing.secretAccessKey !== credential.secretAccessKey || existing.sessionToken !== credential.sessionToken)
      ) {
        throw new AdminCredentialsError(
          `Access key '${credential.accessKeyId}' is configured twice with different secrets (${origin}); each access key must be listed once.`,
        );
      }
      credentials.set(credential.accessKeyId, credential);
    };

    if (options.file !== undefined) {
      for (const [i, credential] of readCredentialsFile(options.file).entries()) {
        add(credential, `entry ${i} of ${options.file}`);
      }
    }
    const fromEnv = readEnvironment(env);
    if (fromEnv) add(fromEnv, `${ENV_ACCESS_KEY_ID} and ${options.file ?? 'the file'}`);

    if (credentials.size > 0) return new AdminCredentials(credentials, options.file !== undefined ? 'file' : 'environment');

    if (!isLoopbackHost(options.host)) {
      throw new AdminCredentialsError(
        `Binding to ${options.host} needs admin credentials: the default '${DEFAULT_LOOPBACK_CREDENTIAL.accessKeyId}' access key is only accepted on a loopback address. ` +
          `Set ${ENV_ACCESS_KEY_ID} and ${ENV_SECRET_ACCESS_KEY} (and ${ENV_SESSION_TOKEN} to require a session token), ` +
          `or pass --admin-credentials <file> naming a JSON file of the form {"credentials":[{"accessKeyId":"...","secretAccessKey":"..."}]}.`,
      );
    }
    return new AdminCredentials(
      new Map([[DEFAULT_LOOPBACK_CREDENTIAL.accessKeyId, { ...DEFAULT_LOOPBACK_CREDENTIAL }]]),
      'default-loopback',
    );
  }

  lookup(accessKeyId: string): Credential | undefined {
    const credential = this.byAccessKeyId.get(accessKeyId);
    return credential ? { ...credential } : undefined;
  }

  /** How many access keys are accepted. */
  get size(): number {
    return this.byAccessKeyId.size;
  }
}

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped or bracketed spellings) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === 'localhost.') return true;
  const zone = h.indexOf('%');
  if (zone >= 0) h = h.slice(0, zone);
  const version = isIP(h);
  if (version === 4) return h.split('.')[0] === '127';
  if (version !== 6) return false;
  const groups = expandIPv6(h);
  if (!groups) return false;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true;
  // ::ffff:127.x.y.z is an IPv4 loopback address written as IPv6.
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff && groups[6]! >> 8 === 127;
}

/** The eight 16-bit groups of an address `isIP` already accepted as IPv6. */
function expandIPv6(address: string): number[] | undefined {
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIP(last) === 4) {
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    // Stand in two groups for the dotted quad so the '::' expansion counts right.
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const fill = 8 - left.length - right.length;
  if (fill < 0) return undefined;
  const groups = rest === undefined ? left : [...left, ...new Array<number>(fill).fill(0), ...right];
  if (groups.length !== 8) return undefined;
  if (tail.length === 2) groups.splice(6, 2, ...tail);
  return groups;
}

function readEnvironment(env: NodeJS.ProcessEnv): Credential | undefined {
  const accessKeyId = env[ENV_ACCESS_KEY_ID] || undefined;
  const secretAccessKey = env[ENV_SECRET_ACCESS_KEY] || undefined;
  const sessionToken = env[ENV_SESSION_TOKEN] || undefined;
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    if (sessionToken !== undefined) {
      throw new AdminCredentialsError(`${ENV_SESSION_TOKEN} is set but ${ENV_ACCESS_KEY_ID} and ${ENV_SECRET_ACCESS_KEY} are not.`);
    }
    return undefined;
  }
  if (accessKeyId === undefined) throw new AdminCredentialsError(`${ENV_SECRET_ACCESS_KEY} is set but ${ENV_ACCESS_KEY_ID} is not.`);
  if (secretAccessKey === undefined) throw new AdminCredentialsError(`${ENV_ACCESS_KEY_ID} is set but ${ENV_SECRET_ACCESS_KEY} is not.`);
  const problem = accessKeyIdProblem(accessKeyId);
  if (problem) throw new AdminCredentialsError(`${ENV_ACCESS_KEY_ID} ${problem}.`);
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

function readCredentialsFile(file: string): Credential[] {
  const problem = (what: string): AdminCredentialsError => new AdminCredentialsError(`Admin credentials file ${file}: ${what}`);
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw problem('is not a regular file.');
    if (stat.size > MAX_FILE_BYTES) throw problem(`is ${stat.size} bytes; a credentials file is at most ${MAX_FILE_BYTES} bytes.`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof AdminCredentialsError) throw err;
    throw problem(`cannot be read (${(err as Error).message}).`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw problem(`is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !Array.isArray((data as { credentials?: unknown }).credentials)) {
    throw problem(`must be a JSON object with a "credentials" array, e.g. {"credentials":[{"accessKeyId":"...","secretAccessKey":"..."}]}.`);
  }
  const list = (data as { credentials: unknown[] }).credentials;
  if (list.length === 0) throw problem('"credentials" is empty; list at least one access key.');
  if (list.length > MAX_FILE_CREDENTIALS) {
    throw problem(`"credentials" has ${list.length} entries; at most ${MAX_FILE_CREDENTIALS} are read.`);
  }
  return list.map((entry, i) => {
    const at = `credentials[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw problem(`${at} must be an object.`);
    const fields = entry as Record<string, unknown>;
    // Reject unknown fields: a misspelt "sessionToken" would otherwise silently drop the requirement.
    const unknown = Object.keys(fields).filter((k) => !CREDENTIAL_FIELDS.has(k));
    if (unknown.length > 0) {
      throw problem(`${at} has unknown field ${unknown.map((k) => `"${k}"`).join(', ')}; expected accessKeyId, secretAccessKey and optionally sessionToken.`);
    }
    const { accessKeyId, secretAccessKey, sessionToken } = fields;
    if (typeof accessKeyId !== 'string' || accessKeyId === '') throw problem(`${at}.accessKeyId must be a non-empty string.`);
    const keyProblem = accessKeyIdProblem(accessKeyId);
    if (keyProblem) throw problem(`${at}.accessKeyId ${keyProblem}.`);
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '') throw problem(`${at}.secretAccessKey must be a non-empty string.`);
    if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken === '')) {
      throw problem(`${at}.sessionToken must be a non-empty string when present.`);
    }
    return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  });
}

/** Access key ids travel inside the SigV4 credential scope, split on '/' and whitespace. */
function accessKeyIdProblem(accessKeyId: string): string | undefined {
  if (accessKeyId.length > 128) return 'is longer than 128 characters';
  if (/[\s/,=]/.test(accessKeyId)) return `'${accessKeyId}' contains whitespace, '/', ',' or '=', which a signed request cannot carry`;
  return undefined;
}
