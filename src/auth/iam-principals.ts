/**
 * The IAM principals Portico knows for data-plane callers of methods whose authorizationType is
 * AWS_IAM: each access key, the identity it belongs to, and that identity's IAM policy. The
 * SigV4 verifier looks secrets up here; the wiring reads `principal.policy` and evaluates it
 * (this module does not evaluate policies), and fills `$context.identity` from `identityContext`.
 *
 * Configuration is one JSON document, read from a file (the `file` option, or the path in
 * PORTICO_IAM_PRINCIPALS_FILE) and/or inline from PORTICO_IAM_PRINCIPALS; entries from all
 * sources are merged, and an access key defined twice differently is an error (the // notes
 * below are annotations, not part of the JSON):
 *
 *   {
 *     "principals": [
 *       {
 *         "accessKeyId": "AKIAEXAMPLEALICE",
 *         "secretAccessKey": "...",
 *         "arn": "arn:aws:iam::111122223333:user/alice",
 *         "uniqueId": "AIDAEXAMPLEALICE00001",                     // optional
 *         "policy": {                                             // optional: none allows nothing
 *           "Version": "2012-10-17",
 *           "Statement": [
 *             { "Effect": "Allow", "Action": "execute-api:Invoke",
 *               "Resource": "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/pets" }
 *           ]
 *         }
 *       },
 *       {
 *         "accessKeyId": "ASIAEXAMPLEBOB",
 *         "secretAccessKey": "...",
 *         "sessionToken": "...",                                  // temporary credentials
 *         "expiration": "2030-01-01T00:00:00Z",                   // optional, needs sessionToken
 *         "arn": "arn:aws:sts::111122223333:assumed-role/reader/bob",
 *         "uniqueId": "AROAEXAMPLEREADER0001"                      // the role's id; optional
 *       }
 *     ]
 *   }
 *
 * `arn` is an IAM user (arn:aws:iam::ACCOUNT:user/[path/]NAME), an assumed-role session
 * (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, which needs a sessionToken, as every AWS
 * assumed-role credential has one) or an account root (arn:aws:iam::ACCOUNT:root). Without
 * `uniqueId`, a stable AIDA…/AROA… id is derived from the ARN. A policy is an identity policy:
 * Version, Id and Statement, each statement with Effect, Action or NotAction, Resource or
 * NotResource, and optionally Sid and Condition; Principal is refused, as IAM refuses it in
 * identity policies. Everything read is bounded (file size, principal count, field lengths, and
 * a policy of at most 6,144 characters without whitespace, IAM's managed-policy quota).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Credential } from './sigv4.js';

export const ENV_IAM_PRINCIPALS = 'PORTICO_IAM_PRINCIPALS';
export const ENV_IAM_PRINCIPALS_FILE = 'PORTICO_IAM_PRINCIPALS_FILE';

export const MAX_PRINCIPALS = 1000;
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** IAM's quota for a managed policy, counted without whitespace. */
export const MAX_POLICY_CHARS = 6144;
const MAX_ACCESS_KEY_ID = 128;
const MAX_SECRET = 1024;
const MAX_SESSION_TOKEN = 8192;
const MAX_ARN = 2048;

export type PolicyEffect = 'Allow' | 'Deny';

/** One statement of an identity policy, as configured. */
export interface IdentityPolicyStatement {
  readonly Sid?: string;
  readonly Effect: PolicyEffect;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** An identity policy document, validated for shape and frozen, otherwise as configured. */
export interface IdentityPolicyDocument {
  readonly Version?: '2012-10-17' | '2008-10-17';
  readonly Id?: string;
  readonly Statement: IdentityPolicyStatement | readonly IdentityPolicyStatement[];
}

export type PrincipalKind = 'user' | 'assumed-role' | 'root';

/** An access key's identity. Holds no secret, so it can be logged and passed around freely. */
export interface IamPrincipal {
  readonly accessKeyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly kind: PrincipalKind;
  /**
   * What AWS reports as the caller's principal id: the user's unique id (AIDA…), the role's
   * unique id and session name (AROA…:session), or the account id for the root.
   */
  readonly principalId: string;
  /** True for temporary credentials (those with a session token). */
  readonly temporary: boolean;
  readonly expiration?: Date;
  /** The identity policy to evaluate for execute-api:Invoke; null when none is configured. */
  readonly policy: IdentityPolicyDocument | null;
}

/** The `$context.identity` fields AWS fills for a caller authenticated with AWS_IAM. */
export interface IamIdentityContext {
  accessKey: string;
  accountId: string;
  caller: string;
  user: string;
  userArn: string;
  cognitoAuthenticationProvider: null;
  cognitoAuthenticationType: null;
  cognitoIdentityId: null;
  cognitoIdentityPoolId: null;
  principalOrgId: null;
}

/** What the data-plane verifier needs: the secret for a key and the identity behind it. */
export interface IamPrincipalDirectory {
  credential(accessKeyId: string): Credential | undefined;
  lookup(accessKeyId: string): IamPrincipal | undefined;
}

export interface IamPrincipalsLoadOptions {
  /** Path to a JSON configuration file. */
  file?: string;
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export class IamPrincipalsError extends Error {
  override readonly name = 'IamPrincipalsError';
}

interface Entry {
  principal: IamPrincipal;
  credential: Credential;
  /** Canonical form of the definition, to tell a harmless repeat from a conflicting one. */
  fingerprint: string;
}

export class IamPrincipals implements IamPrincipalDirectory {
  private constructor(private readonly entries: ReadonlyMap<string, Entry>) {}

  static empty(): IamPrincipals {
    return new IamPrincipals(new Map());
  }

  /** Reads the file and environment sources named in the header comment; none gives an empty set. */
  static load(options: IamPrincipalsLoadOptions = {}): IamPrincipals {
    const env = options.env ?? process.env;
    const documents: Array<{ origin: string; text: string }> = [];
    const files = [options.file, env[ENV_IAM_PRINCIPALS_FILE] || undefined].filter((f): f is string => f !== undefined);
    for (const file of new Set(files)) documents.push({ origin: file, text: readConfigFile(file) });
    const inline = env[ENV_IAM_PRINCIPALS];
    if (inline) {
      if (Buffer.byteLength(inline) > MAX_CONFIG_BYTES) {
        throw new IamPrincipalsError(`${ENV_IAM_PRINCIPALS} is longer than ${MAX_CONFIG_BYTES} bytes.`);
      }
      documents.push({ origin: ENV_IAM_PRINCIPALS, text: inline });
    }
    const entries = new Map<string, Entry>();
    for (const { origin, text } of documents) {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new IamPrincipalsError(`${origin}: not valid JSON (${(err as Error).message}).`);
      }
      addAll(entries, data, origin);
    }
    return new IamPrincipals(entries);
  }

  /** Builds the set from an already-parsed configuration document. */
  static fromConfig(config: unknown, origin = 'IAM principals configuration'): IamPrincipals {
    const entries = new Map<string, Entry>();
    addAll(entries, config, origin);
    return new IamPrincipals(entries);
  }

  lookup(accessKeyId: string): IamPrincipal | undefined {
    return this.entries.get(accessKeyId)?.principal;
  }

  credential(accessKeyId: string): Credential | undefined {
    const credential = this.entries.get(accessKeyId)?.credential;
    return credential ? { ...credential } : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** `$context.identity` for an authenticated IAM caller; cognito fields stay null, as AWS leaves them. */
export function identityContext(principal: IamPrincipal): IamIdentityContext {
  return {
    accessKey: principal.accessKeyId,
    accountId: principal.accountId,
    caller: principal.principalId,
    user: principal.principalId,
    userArn: principal.arn,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the configuration.

function readConfigFile(file: string): string {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new IamPrincipalsError(`${file}: not a regular file.`);
    if (stat.size > MAX_CONFIG_BYTES) throw new IamPrincipalsError(`${file}: ${stat.size} bytes; at most ${MAX_CONFIG_BYTES} are read.`);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof IamPrincipalsError) throw err;
    throw new IamPrincipalsError(`${file}: cannot be read (${(err as Error).message}).`);
  }
}

const PRINCIPAL_FIELDS = new Set(['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration', 'arn', 'uniqueId', 'policy']);

function addAll(entries: Map<string, Entry>, config: unknown, origin: string): void {
  const problem = (what: string): IamPrincipalsError => new IamPrincipalsError(`${origin}: ${what}`);
  if (!isObject(config) || !Array.isArray(config.principals)) {
    throw problem('must be a JSON object with a "principals" array.');
  }
  const unknownTop = Object.keys(config).filter((k) => k !== 'principals');
  if (unknownTop.length > 0) throw problem(`unknown field ${quoteList(unknownTop)}; only "principals" is read.`);
  const list = config.principals as unknown[];
  if (list.length > MAX_PRINCIPALS) throw problem(`"principals" has ${list.length} entries; at most ${MAX_PRINCIPALS} are read.`);
  list.forEach((raw, i) => {
    const entry = parsePrincipal(raw, (what) => problem(`principals[${i}]${what}`));
    const existing = entries.get(entry.principal.accessKeyId);
    if (existing && existing.fingerprint !== entry.fingerprint) {
      throw problem(`principals[${i}]: access key '${entry.principal.accessKeyId}' is already defined differently; each access key belongs to one principal.`);
    }
    if (!existing && entries.size >= MAX_PRINCIPALS) throw problem(`more than ${MAX_PRINCIPALS} principals in all.`);
    entries.set(entry.principal.accessKeyId, entry);
  });
}

function parsePrincipal(raw: unknown, problem: (what: string) => IamPrincipalsError): Entry {
  if (!isObject(raw)) throw problem(' must be an object.');
  // Unknown fields are refused: a misspelt "sessionToken" would silently drop the requirement.
  const unknown = Object.keys(raw).filter((k) => !PRINCIPAL_FIELDS.has(k));
  if (unknown.length > 0) throw problem(` has unknown field ${quoteList(unknown)}.`);

  const accessKeyId = boundedString(raw.accessKeyId, MAX_ACCESS_KEY_ID, '.accessKeyId', problem);
  // Access key ids travel inside the SigV4 credential scope, split on '/' and whitespace.
  if (/[\s/,=]/.test(accessKeyId)) throw problem(`.accessKeyId '${accessKeyId}' contains whitespace, '/', ',' or '='.`);
  const secretAccessKey = boundedString(raw.secretAccessKey, MAX_SECRET, '.secretAccessKey', problem);
  const sessionToken = raw.sessionToken === undefined ? undefined : boundedString(raw.sessionToken, MAX_SESSION_TOKEN, '.sessionToken', problem);

  let expiration: Date | undefined;
  if (raw.expiration !== undefined) {
    if (sessionToken === undefined) throw problem('.expiration is only meaningful with a sessionToken (temporary credentials).');
    const text = boundedString(raw.expiration, 64, '.expiration', problem);
    expiration = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(expiration.getTime())) {
      throw problem(`.expiration '${text}' is not an ISO 8601 date-time such as 2030-01-01T00:00:00Z.`);
    }
  }

  const arn = boundedString(raw.arn, MAX_ARN, '.arn', problem);
  const parsedArn = parseArn(arn);
  if (!parsedArn) {
    throw problem(
      `.arn '${arn}' is not an IAM user (arn:aws:iam::123456789012:user/name), assumed-role session (arn:aws:sts::123456789012:assumed-role/role/session) or root (arn:aws:iam::123456789012:root) ARN.`,
    );
  }
  if (parsedArn.kind === 'assumed-role' && sessionToken === undefined) {
    throw problem('.sessionToken is required: assumed-role credentials are temporary and always carry a session token.');
  }

  let uniqueId: string | undefined;
  if (raw.uniqueId !== undefined) {
    uniqueId = boundedString(raw.uniqueId, 128, '.uniqueId', problem);
    const prefix = parsedArn.kind === 'user' ? 'AIDA' : parsedArn.kind === 'assumed-role' ? 'AROA' : undefined;
    if (!prefix) throw problem('.uniqueId does not apply to the account root, whose principal id is the account id.');
    if (!new RegExp(`^${prefix}[A-Z0-9]{12,124}$`).test(uniqueId)) {
      throw problem(`.uniqueId '${uniqueId}' should look like an IAM unique id: '${prefix}' followed by upper-case letters and digits.`);
    }
  }

  const policy = raw.policy === undefined ? null : parsePolicy(raw.policy, (what) => problem(`.policy${what}`));
  const principalId = principalIdFor(arn, parsedArn, uniqueId);
  const principal: IamPrincipal = Object.freeze({
    accessKeyId,
    arn,
    accountId: parsedArn.accountId,
    kind: parsedArn.kind,
    principalId,
    temporary: sessionToken !== undefined,
    ...(expiration ? { expiration } : {}),
    policy,
  });
  const credential: Credential = { accessKeyId, secretAccessKey };
  if (sessionToken !== undefined) credential.sessionToken = sessionToken;
  if (expiration) credential.expiration = expiration;
  const fingerprint = JSON.stringify([secretAccessKey, sessionToken, expiration?.toISOString(), arn, principalId, policy]);
  return { principal, credential, fingerprint };
}

// ---------------------------------------------------------------------------------------------
// ARNs and principal ids.

interface ParsedArn {
  kind: PrincipalKind;
  accountId: string;
  /** The role's ARN, for an assumed-role session. */
  roleArn?: string;
  sessionName?: string;
}

function parseArn(arn: string): ParsedArn | undefined {
  const user = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):user\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/.exec(arn);
  if (user) return { kind: 'user', accountId: user[2]! };
  const root = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):root$/.exec(arn);
  if (root) return { kind: 'root', accountId: root[2]! };
  const session = /^arn:(aws|aws-cn|aws-us-gov):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(arn);
  if (session) {
    return {
      kind: 'assumed-role',
      accountId: session[2]!,
      roleArn: `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`,
      sessionName: session[4]!,
    };
  }
  return undefined;
}

function principalIdFor(arn: string, parsed: ParsedArn, uniqueId: string | undefined): string {
  if (parsed.kind === 'root') return parsed.accountId;
  if (parsed.kind === 'user') return uniqueId ?? derivedUniqueId('AIDA', arn);
  // Every session of a role shares the role's id; the session name tells them apart.
  return `${uniqueId ?? derivedUniqueId('AROA', parsed.roleArn!)}:${parsed.sessionName}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * IAM unique ids are a four-letter prefix and 17 more characters. Without a configured one, a
 * hash of the user's or role's ARN gives the same id on every start.
 */
function derivedUniqueId(prefix: 'AIDA' | 'AROA', arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let i = 0; id.length < 21; i++) id += BASE32[digest[i]! % 32];
  return id;
}

// ---------------------------------------------------------------------------------------------
// Policy documents: shape only; evaluation belongs to the policy evaluator.

const POLICY_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function parsePolicy(raw: unknown, problem: (what: string) => IamPrincipalsError): IdentityPolicyDocument {
  if (!isObject(raw)) throw problem(' must be a policy document object.');
  const size = JSON.stringify(raw).length;
  if (size > MAX_POLICY_CHARS) throw problem(` is ${size} characters without whitespace; IAM allows ${MAX_POLICY_CHARS}.`);
  const unknown = Object.keys(raw).filter((k) => !POLICY_FIELDS.has(k));
  if (unknown.length > 0) throw problem(` has unknown field ${quoteList(unknown)}; a policy has Version, Id and Statement.`);
  if (raw.Version !== undefined && raw.Version !== '2012-10-17' && raw.Version !== '2008-10-17') {
    throw problem(`.Version must be "2012-10-17" or "2008-10-17".`);
  }
  if (raw.Id !== undefined && typeof raw.Id !== 'string') throw problem('.Id must be a string.');
  const statements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (raw.Statement === undefined || statements.length === 0) throw problem('.Statement must be a statement or a non-empty array of them.');
  statements.forEach((s, i) => checkStatement(s, (what) => problem(`.Statement${Array.isArray(raw.Statement) ? `[${i}]` : ''}${what}`)));
  return deepFreeze(structuredClone(raw)) as unknown as IdentityPolicyDocument;
}

function checkStatement(raw: unknown, problem: (what: string) => IamPrincipalsError): void {
  if (!isObject(raw)) throw problem(' must be an object.');
  if ('Principal' in raw || 'NotPrincipal' in raw) {
    throw problem(' has Principal, which an identity policy cannot have: the principal is the identity the policy is attached to.');
  }
  const unknown = Object.keys(raw).filter((k) => !STATEMENT_FIELDS.has(k));
  if (unknown.length > 0) throw problem(` has unknown field ${quoteList(unknown)}.`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw problem('.Sid must be a string.');
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw problem('.Effect must be "Allow" or "Deny".');
  for (const [a, b] of [
    ['Action', 'NotAction'],
    ['Resource', 'NotResource'],
  ] as const) {
    const has = [a, b].filter((k) => raw[k] !== undefined);
    if (has.length !== 1) throw problem(` must have exactly one of ${a} and ${b}.`);
    const value = raw[has[0]!];
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v) => typeof v === 'string' && v !== '')) {
      throw problem(`.${has[0]} must be a non-empty string or a non-empty array of them.`);
    }
  }
  if (raw.Condition !== undefined && !isObject(raw.Condition)) throw problem('.Condition must be an object.');
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function boundedString(value: unknown, max: number, field: string, problem: (what: string) => IamPrincipalsError): string {
  if (typeof value !== 'string' || value === '') throw problem(`${field} must be a non-empty string.`);
  if (value.length > max) throw problem(`${field} is longer than ${max} characters.`);
  return value;
}

const quoteList = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
