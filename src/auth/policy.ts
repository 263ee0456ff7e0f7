/**
 * IAM-style policy documents deciding `execute-api:Invoke`: API resource policies, the policy a
 * Lambda authorizer returns, and the identity policies of IAM principals Portico holds.
 *
 * A document is validated and compiled once (`compilePolicy`): statements become matchers,
 * wildcards become segment matchers, CIDRs become numeric ranges, dates and numbers are parsed.
 * Evaluating a request then parses nothing. Evaluation follows IAM: a matching Deny statement
 * wins, otherwise a matching Allow, otherwise nothing applies (an implicit deny), reported as
 * 'NotApplicable' so callers can combine outcomes the way API Gateway's tables do.
 *
 * Wildcards (`*` any run of characters including `/` and `:`, `?` exactly one) are matched by
 * splitting the pattern at `*` and finding the literal pieces left to right, which is linear in
 * the input and cannot backtrack the way a regular expression built from `.*` can on hostile
 * patterns. Actions compare case-insensitively, resources and principals case-sensitively.
 *
 * A malformed document raises PolicyValidationError listing every problem found, with the path
 * of each (`Statement[1].Condition.IpAddress.aws:SourceIp[0]: …`). Documents, statement counts
 * and value lists are bounded (PolicyLimits) so a hostile authorizer cannot make evaluation slow.
 */
import { CidrSet, parseCidr, type Cidr } from './cidr.js';
import { EXECUTE_API_SHORTHAND, expandExecuteApiShorthand, type ExecuteApiScope } from './method-arn.js';

/** Allow / explicit Deny / no statement applied (implicit deny). */
export type PolicyEffect = 'Allow' | 'Deny' | 'NotApplicable';

/**
 * Which kind of document: decides the rules for Principal and the shorthand resources.
 * - `resource`: an API's resource policy. Principal or NotPrincipal is required; `execute-api:/…`
 *   resources are expanded when a scope is given.
 * - `identity`: an IAM principal's policy. Principal and NotPrincipal are not allowed.
 * - `authorizer`: a Lambda authorizer's `policyDocument`. A Principal, if present, is checked
 *   for shape but not evaluated (the caller of such a policy is the authorizer's principalId, not
 *   an IAM identity); each Resource is limited to 512 characters as in API Gateway.
 */
export type PolicyKind = 'resource' | 'identity' | 'authorizer';

export interface PolicyLimits {
  /** Characters of the document as JSON. API Gateway's resource policy limit is 8192. */
  maxDocumentChars: number;
  maxStatements: number;
  /** Entries in one Action / NotAction / Resource / NotResource list or Principal type. */
  maxElementValues: number;
  /** Values listed for one condition key. */
  maxConditionValues: number;
  /** Operator × key pairs in one statement's Condition. */
  maxConditionKeys: number;
}

export const DEFAULT_POLICY_LIMITS: Readonly<PolicyLimits> = Object.freeze({
  maxDocumentChars: 8192,
  maxStatements: 128,
  maxElementValues: 256,
  maxConditionValues: 256,
  maxConditionKeys: 64,
});

/** "the Resource ARN, as shown in the policy statement output by the authorizer, is currently limited to 512 characters". */
export const AUTHORIZER_RESOURCE_MAX_CHARS = 512;

export const POLICY_VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];

export interface CompileOptions {
  kind: PolicyKind;
  /** The API a resource policy belongs to; needed to expand `execute-api:/…` resources. */
  scope?: ExecuteApiScope;
  limits?: Partial<PolicyLimits>;
}

/** Thrown by compilePolicy for a malformed document; `problems` lists each defect with its path. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid policy document: ${problems.join('; ')}`);
  }
}

/** The IAM identity making the request. Absent (undefined / null) means anonymous. */
export interface RequestPrincipal {
  accountId: string;
  /** `arn:aws:iam::{account}:user/…`, `…:role/…`, `arn:aws:sts::{account}:assumed-role/{role}/{session}`. */
  arn?: string;
}

export type ContextValue = string | number | boolean | Date | readonly string[];

/**
 * Condition keys of the request. The named fields are the keys API Gateway resource policies
 * use; any other key goes in `keys` under its IAM name (matched case-insensitively, like IAM).
 */
export interface RequestContext {
  /** aws:SourceIp; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is treated as IPv4. */
  sourceIp?: string;
  /** aws:VpcSourceIp */
  vpcSourceIp?: string;
  /** aws:SourceVpc */
  sourceVpc?: string;
  /** aws:SourceVpce */
  sourceVpce?: string;
  /** aws:PrincipalAccount; defaults to the request principal's account. */
  principalAccount?: string;
  /** aws:PrincipalArn; defaults to the request principal's ARN. */
  principalArn?: string;
  /** aws:username */
  username?: string;
  /** aws:userid */
  userid?: string;
  /** aws:SecureTransport */
  secureTransport?: boolean;
  /** aws:UserAgent */
  userAgent?: string;
  /** aws:Referer */
  referer?: string;
  /** aws:CurrentTime and aws:EpochTime; default: the time of evaluation. */
  currentTime?: Date;
  /** Any other condition key by its IAM name, e.g. `aws:PrincipalTag/team`. */
  keys?: Readonly<Record<string, ContextValue | undefined>>;
}

export interface PolicyRequest {
  /** e.g. `execute-api:Invoke`. */
  action: string;
  /** The method ARN (see buildMethodArn). */
  resource: string;
  principal?: RequestPrincipal | null;
  context?: RequestContext;
}

export interface PolicyEvaluation {
  effect: PolicyEffect;
  /** Index in the document's Statement list of the statement that decided, if any. */
  statementIndex?: number;
  sid?: string;
}

/**
 * Validates and compiles a policy document (a JSON string or an already parsed value).
 *
 * @throws PolicyValidationError listing every problem found.
 * @example
 * const policy = compilePolicy(output.policyDocument, { kind: 'authorizer' });
 * policy.evaluate({ action: 'execute-api:Invoke', resource: methodArn }); // 'Allow' | 'Deny' | 'NotApplicable'
 */
export function compilePolicy(input: unknown, options: CompileOptions): CompiledPolicy {
  const compiler = new Compiler(options);
  const result = compiler.compile(input);
  if (compiler.problems.length > 0 || result === undefined) throw new PolicyValidationError(compiler.problems);
  return result;
}

/** The problems compilePolicy would report; empty when the document is valid. */
export function validatePolicy(input: unknown, options: CompileOptions): string[] {
  const compiler = new Compiler(options);
  compiler.compile(input);
  return compiler.problems;
}

/**
 * Combines several policies that apply to the same caller (e.g. all identity policies of one
 * IAM principal): any explicit Deny wins, then any Allow, otherwise NotApplicable.
 */
export function evaluatePolicies(policies: Iterable<CompiledPolicy>, request: PolicyRequest): PolicyEffect {
  let allowed = false;
  for (const policy of policies) {
    const effect = policy.evaluate(request);
    if (effect === 'Deny') return 'Deny';
    if (effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'NotApplicable';
}

/** A compiled policy document; immutable and safe to share between requests. */
export class CompiledPolicy {
  /** @internal Use compilePolicy. */
  constructor(
    readonly kind: PolicyKind,
    /** The document as it is stored: `execute-api:/…` resources expanded to full ARNs. */
    readonly document: Readonly<Record<string, unknown>>,
    readonly statementCount: number,
    private readonly denies: readonly Statement[],
    private readonly allows: readonly Statement[],
  ) {}

  evaluate(request: PolicyRequest): PolicyEffect {
    return this.explain(request).effect;
  }

  /** Like evaluate, and says which statement decided (for execution logs). */
  explain(request: PolicyRequest): PolicyEvaluation {
    const req = new EvaluationRequest(request);
    // Deny statements first: one match settles it and the Allow statements need not be read.
    for (const s of this.denies) {
      if (applies(s, req)) return { effect: 'Deny', statementIndex: s.index, sid: s.sid };
    }
    for (const s of this.allows) {
      if (applies(s, req)) return { effect: 'Allow', statementIndex: s.index, sid: s.sid };
    }
    return { effect: 'NotApplicable' };
  }
}

// ---------------------------------------------------------------------------------------------
// Wildcards

/** A precompiled test of one string. */
export type StringMatcher = (value: string) => boolean;

const STAR = 42;
const QUESTION = 63;

/**
 * Compiles an IAM wildcard pattern: `*` matches any run of characters (including none, `/` and
 * `:`), `?` exactly one. Case-sensitive; lower-case both sides for a case-insensitive match.
 * Runs in O(pattern × input) at worst, with no backtracking.
 *
 * @example compileWildcard('arn:aws:execute-api:*:*:a1b2c3/dev/GET/pets/?')('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/GET/pets/7') // true
 */
export function compileWildcard(pattern: string): StringMatcher {
  if (pattern === '*') return () => true;
  let hasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION) {
      hasWildcard = true;
      break;
    }
  }
  if (!hasWildcard) return (value) => value === pattern;
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (value) => value.length === pattern.length && pieceAt(value, 0, pattern);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((p) => p.length > 0);
  const minLength = pieces.reduce((n, p) => n + p.length, 0);
  return (value) => {
    if (value.length < minLength) return false;
    if (!pieceAt(value, 0, first)) return false;
    const end = value.length - last.length;
    if (!pieceAt(value, end, last)) return false;
    let pos = first.length;
    // Taking the leftmost place for each piece is always safe: pieces have fixed lengths, so an
    // earlier match leaves at least as much room for the rest as a later one would.
    for (const piece of middle) {
      const at = findPiece(value, pos, end, piece);
      if (at < 0) return false;
      pos = at + piece.length;
    }
    return true;
  };
}

/** Whether `piece` (which may contain `?`) matches `value` at `pos`. */
function pieceAt(value: string, pos: number, piece: string): boolean {
  if (pos < 0 || pos + piece.length > value.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c !== QUESTION && c !== value.charCodeAt(pos + i)) return false;
  }
  return true;
}

/** The leftmost position ≥ from where `piece` matches and ends by `end`; -1 if none. */
function findPiece(value: string, from: number, end: number, piece: string): number {
  if (!piece.includes('?')) {
    const at = value.indexOf(piece, from);
    return at >= 0 && at + piece.length <= end ? at : -1;
  }
  for (let at = from; at + piece.length <= end; at++) {
    if (pieceAt(value, at, piece)) return at;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Compiled statements

interface Statement {
  index: number;
  sid?: string;
  /** Undefined: the statement names no principal (identity and authorizer policies). */
  principal?: { set: PrincipalSet; negate: boolean };
  actions: StringMatcher[];
  notAction: boolean;
  resources: StringMatcher[];
  notResource: boolean;
  conditions: ConditionTest[];
}

function applies(s: Statement, req: EvaluationRequest): boolean {
  if (s.principal !== undefined && s.principal.set.matches(req.principal) === s.principal.negate) return false;
  if (anyMatch(s.actions, req.action) === s.notAction) return false;
  if (anyMatch(s.resources, req.resource) === s.notResource) return false;
  for (const c of s.conditions) {
    if (!c.test(req.lookup(c.key))) return false;
  }
  return true;
}

function anyMatch(matchers: readonly StringMatcher[], value: string): boolean {
  for (const m of matchers) if (m(value)) return true;
  return false;
}

/** The principals one Principal / NotPrincipal element names. */
class PrincipalSet {
  any = false;
  readonly accounts = new Set<string>();
  readonly arns = new Set<string>();
  /** `{account}/{roleName}`: a role names every session of that role. */
  readonly roles = new Set<string>();

  matches(principal: RequestPrincipal | undefined): boolean {
    if (this.any) return true;
    if (principal === undefined) return false;
    if (this.accounts.has(principal.accountId)) return true;
    const arn = principal.arn;
    if (arn === undefined) return false;
    if (this.arns.has(arn)) return true;
    const role = roleKey(arn);
    return role !== undefined && this.roles.has(role);
  }
}

/**
 * `{account}/{roleName}` for an IAM role ARN (`arn:aws:iam::1:role/path/Name`) or a role session
 * ARN (`arn:aws:sts::1:assumed-role/Name/session`); undefined for anything else.
 */
function roleKey(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6) return undefined;
  const account = parts[4]!;
  const resource = parts[5]!;
  if (parts[2] === 'iam' && resource.startsWith('role/')) {
    return `${account}/${resource.slice(resource.lastIndexOf('/') + 1)}`;
  }
  if (parts[2] === 'sts' && resource.startsWith('assumed-role/')) {
    const name = resource.split('/')[1];
    return name ? `${account}/${name}` : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Request side

type Scalar = string | number | boolean | Date;

/** One request as the compiled statements read it; condition keys are resolved on demand. */
class EvaluationRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal: RequestPrincipal | undefined;
  private readonly context: RequestContext | undefined;
  private now: Date | undefined;

  constructor(request: PolicyRequest) {
    this.action = request.action.toLowerCase();
    this.resource = request.resource;
    this.principal = request.principal ?? undefined;
    this.context = request.context;
  }

  /** The values of a condition key (lower-case name); undefined when the request has none. */
  lookup(key: string): readonly Scalar[] | undefined {
    const value = this.named(key) ?? extraKey(this.context?.keys, key);
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.length === 0 ? undefined : (value as readonly string[]);
    return [value as Scalar];
  }

  private named(key: string): ContextValue | undefined {
    const c = this.context;
    switch (key) {
      case 'aws:sourceip':
        return c?.sourceIp;
      case 'aws:vpcsourceip':
        return c?.vpcSourceIp;
      case 'aws:sourcevpc':
        return c?.sourceVpc;
      case 'aws:sourcevpce':
        return c?.sourceVpce;
      case 'aws:principalaccount':
        return c?.principalAccount ?? this.principal?.accountId;
      case 'aws:principalarn':
        return c?.principalArn ?? this.principal?.arn;
      case 'aws:username':
        return c?.username;
      case 'aws:userid':
        return c?.userid;
      case 'aws:securetransport':
        return c?.secureTransport;
      case 'aws:useragent':
        return c?.userAgent;
      case 'aws:referer':
        return c?.referer;
      case 'aws:currenttime':
        return this.currentTime();
      case 'aws:epochtime':
        return Math.floor(this.currentTime().getTime() / 1000);
      default:
        return undefined;
    }
  }

  private currentTime(): Date {
    // One clock reading per request, so CurrentTime and EpochTime agree.
    this.now ??= this.context?.currentTime ?? new Date();
    return this.now;
  }
}

function extraKey(keys: RequestContext['keys'], key: string): ContextValue | undefined {
  if (keys === undefined) return undefined;
  for (const name of Object.keys(keys)) {
    if (name.toLowerCase() === key) return keys[name];
  }
  return undefined;
}

function scalarToString(v: Scalar): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  const ms = v.getTime();
  // AWS writes aws:CurrentTime as 2024-05-01T12:00:00Z (no milliseconds).
  return Number.isFinite(ms) ? v.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

function scalarToNumber(v: Scalar): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseNumber(v) ?? NaN;
  return NaN;
}

/** Milliseconds since the epoch; numbers (and numeric strings) are epoch seconds, as aws:EpochTime. */
function scalarToTime(v: Scalar): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string') return parseDate(v) ?? NaN;
  return NaN;
}

function scalarToBool(v: Scalar): 'true' | 'false' | undefined {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (s === 'true' || s === 'false') return s;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Conditions

interface ConditionTest {
  /** The condition key, lower-case. */
  key: string;
  test(values: readonly Scalar[] | undefined): boolean;
}

type Family = 'String' | 'StringIgnoreCase' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorSpec {
  family: Family;
  /** Negated operators (StringNotEquals, NotIpAddress…) match when no listed value matches. */
  negated: boolean;
  comparison: Comparison;
}

const OPERATORS = new Map<string, OperatorSpec>();
function defineOperator(name: string, family: Family, negated = false, comparison: Comparison = 'eq'): void {
  OPERATORS.set(name, { family, negated, comparison });
}
defineOperator('StringEquals', 'String');
defineOperator('StringNotEquals', 'String', true);
defineOperator('StringEqualsIgnoreCase', 'StringIgnoreCase');
defineOperator('StringNotEqualsIgnoreCase', 'StringIgnoreCase', true);
defineOperator('StringLike', 'StringLike');
defineOperator('StringNotLike', 'StringLike', true);
for (const [prefix, family] of [['Numeric', 'Numeric'], ['Date', 'Date']] as const) {
  defineOperator(`${prefix}Equals`, family);
  defineOperator(`${prefix}NotEquals`, family, true);
  defineOperator(`${prefix}LessThan`, family, false, 'lt');
  defineOperator(`${prefix}LessThanEquals`, family, false, 'le');
  defineOperator(`${prefix}GreaterThan`, family, false, 'gt');
  defineOperator(`${prefix}GreaterThanEquals`, family, false, 'ge');
}
defineOperator('Bool', 'Bool');
defineOperator('BinaryEquals', 'Binary');
defineOperator('IpAddress', 'Ip');
defineOperator('NotIpAddress', 'Ip', true);
// IAM matches ArnEquals like ArnLike: both take wildcards, component by component.
defineOperator('ArnEquals', 'Arn');
defineOperator('ArnLike', 'Arn');
defineOperator('ArnNotEquals', 'Arn', true);
defineOperator('ArnNotLike', 'Arn', true);
defineOperator('Null', 'Null');

type Qualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

interface ParsedOperator {
  spec: OperatorSpec;
  qualifier: Qualifier;
  ifExists: boolean;
}

function parseOperator(name: string): ParsedOperator | string {
  let rest = name;
  let qualifier: Qualifier;
  if (rest.startsWith('ForAnyValue:')) {
    qualifier = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  } else if (rest.startsWith('ForAllValues:')) {
    qualifier = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const spec = OPERATORS.get(rest);
  if (spec === undefined) return 'is not a condition operator';
  if (spec.family === 'Null' && (ifExists || qualifier !== undefined)) {
    return 'Null tests whether a key exists; it takes neither IfExists nor ForAnyValue/ForAllValues';
  }
  return { spec, qualifier, ifExists };
}

/**
 * Combines the per-value predicate with IAM's rules for missing keys, negation and the set
 * qualifiers: a missing key fails a positive operator and satisfies a negated one; IfExists and
 * ForAllValues are satisfied by a missing key, ForAnyValue is not.
 */
function conditionTest(key: string, op: ParsedOperator, matches: (v: Scalar) => boolean): ConditionTest {
  const { negated } = op.spec;
  const { qualifier, ifExists } = op;
  const one = negated ? (v: Scalar) => !matches(v) : matches;
  return {
    key,
    test(values) {
      if (values === undefined) {
        if (ifExists || qualifier === 'ForAllValues') return true;
        if (qualifier === 'ForAnyValue') return false;
        return negated;
      }
      if (qualifier === 'ForAllValues') return values.every(one);
      if (qualifier === 'ForAnyValue') return values.some(one);
      const any = values.some(matches);
      return negated ? !any : any;
    },
  };
}

function compare(c: Comparison, a: number, b: number): boolean {
  switch (c) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

function parseNumber(text: string): number | undefined {
  // Decimal notation only: Number() would also accept '0x1f', '' and ' '.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** ISO 8601 (`2024-05-01`, `2024-05-01T12:00:00Z`) or epoch seconds; milliseconds since the epoch. */
function parseDate(text: string): number | undefined {
  const seconds = parseNumber(text);
  if (seconds !== undefined) return seconds * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Splits an ARN into its six components (the sixth keeps its colons). */
function arnComponents(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID_LENGTH = 12;

type PolicyScalar = string | number | boolean;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAccountId(s: string): boolean {
  if (s.length !== ACCOUNT_ID_LENGTH) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function show(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = typeof v;
  }
  // Problems quote offending values; keep a hostile value from bloating the error.
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

class Compiler {
  readonly problems: string[] = [];
  private readonly limits: PolicyLimits;

  constructor(private readonly options: CompileOptions) {
    this.limits = { ...DEFAULT_POLICY_LIMITS, ...options.limits };
  }

  private problem(path: string, message: string): void {
    this.problems.push(path ? `${path}: ${message}` : message);
  }

  compile(input: unknown): CompiledPolicy | undefined {
    const doc = this.parseDocument(input);
    if (doc === undefined) return undefined;

    for (const key of Object.keys(doc)) {
      if (!DOCUMENT_ELEMENTS.has(key)) this.problem(key, 'is not a policy element (expected Version, Id, Statement)');
    }
    if ('Version' in doc && (typeof doc.Version !== 'string' || !POLICY_VERSIONS.includes(doc.Version))) {
      this.problem('Version', `must be "2012-10-17" or "2008-10-17", got ${show(doc.Version)}`);
    }
    if ('Id' in doc && typeof doc.Id !== 'string') this.problem('Id', 'must be a string');

    const raw = doc.Statement;
    let items: unknown[];
    let asList: boolean;
    if (raw === undefined) {
      this.problem('Statement', 'is required');
      return undefined;
    } else if (Array.isArray(raw)) {
      items = raw;
      asList = true;
      if (items.length === 0) this.problem('Statement', 'must contain at least one statement');
    } else if (isPlainObject(raw)) {
      items = [raw];
      asList = false;
    } else {
      this.problem('Statement', 'must be a statement object or a list of them');
      return undefined;
    }
    if (items.length > this.limits.maxStatements) {
      this.problem('Statement', `has ${items.length} statements; at most ${this.limits.maxStatements} are allowed`);
      return undefined;
    }

    const denies: Statement[] = [];
    const allows: Statement[] = [];
    const stored: unknown[] = [];
    items.forEach((item, index) => {
      const path = asList ? `Statement[${index}]` : 'Statement';
      const compiled = this.statement(item, index, path);
      if (compiled === undefined) return;
      (compiled.effect === 'Deny' ? denies : allows).push(compiled.statement);
      stored.push(compiled.stored);
    });
    if (this.problems.length > 0) return undefined;

    const document = { ...doc, Statement: asList ? stored : stored[0] };
    return new CompiledPolicy(this.options.kind, document, items.length, denies, allows);
  }

  private parseDocument(input: unknown): Record<string, unknown> | undefined {
    let value = input;
    let size: number;
    if (typeof input === 'string') {
      size = input.length;
      if (size > this.limits.maxDocumentChars) {
        this.problem('', `policy document is ${size} characters; at most ${this.limits.maxDocumentChars} are allowed`);
        return undefined;
      }
      try {
        value = JSON.parse(input);
      } catch (err) {
        this.problem('', `policy document is not valid JSON (${(err as Error).message})`);
        return undefined;
      }
    } else {
      let text: string | undefined;
      try {
        text = JSON.stringify(input);
      } catch {
        this.problem('', 'policy document cannot be represented as JSON');
        return undefined;
      }
      size = text?.length ?? 0;
      if (size > this.limits.maxDocumentChars) {
        this.problem('', `policy document is ${size} characters as JSON; at most ${this.limits.maxDocumentChars} are allowed`);
        return undefined;
      }
      // Work on a private copy of the document as JSON sees it, so the caller's object can
      // change later without changing the compiled policy's stored document.
      value = text === undefined ? undefined : JSON.parse(text);
    }
    if (!isPlainObject(value)) {
      this.problem('', 'policy document must be a JSON object');
      return undefined;
    }
    return value;
  }

  private statement(item: unknown, index: number, path: string): { effect: 'Allow' | 'Deny'; statement: Statement; stored: unknown } | undefined {
    if (!isPlainObject(item)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const before = this.problems.length;
    for (const key of Object.keys(item)) {
      if (!STATEMENT_ELEMENTS.has(key)) this.problem(`${path}.${key}`, 'is not a statement element');
    }
    let sid: string | undefined;
    if ('Sid' in item) {
      if (typeof item.Sid === 'string') sid = item.Sid;
      else this.problem(`${path}.Sid`, 'must be a string');
    }
    const effect = item.Effect;
    if (effect === undefined) this.problem(`${path}.Effect`, 'is required');
    else if (effect !== 'Allow' && effect !== 'Deny') this.problem(`${path}.Effect`, `must be "Allow" or "Deny", got ${show(effect)}`);

    const principal = this.principalElement(item, path);
    const action = this.exactlyOne(item, path, 'Action', 'NotAction');
    const actions = action ? this.actions(action.value, `${path}.${action.name}`) : [];
    const resource = this.exactlyOne(item, path, 'Resource', 'NotResource');
    const resourceList = resource ? this.resources(resource.value, `${path}.${resource.name}`) : undefined;
    const conditions = 'Condition' in item ? this.conditions(item.Condition, `${path}.Condition`) : [];

    if (this.problems.length > before || !action || !resource || !resourceList) return undefined;

    const stored = resourceList.expanded !== undefined ? { ...item, [resource.name]: resourceList.expanded } : item;
    return {
      effect: effect as 'Allow' | 'Deny',
      stored,
      statement: {
        index,
        sid,
        principal,
        actions,
        notAction: action.name === 'NotAction',
        resources: resourceList.matchers,
        notResource: resource.name === 'NotResource',
        conditions,
      },
    };
  }

  private exactlyOne(item: Record<string, unknown>, path: string, name: string, notName: string): { name: string; value: unknown } | undefined {
    const has = name in item;
    const hasNot = notName in item;
    if (has && hasNot) {
      this.problem(path, `has both ${name} and ${notName}; use one`);
      return undefined;
    }
    if (!has && !hasNot) {
      this.problem(path, `needs ${name} or ${notName}`);
      return undefined;
    }
    return has ? { name, value: item[name] } : { name: notName, value: item[notName] };
  }

  /** A string or a non-empty list of non-empty strings. */
  private stringList(value: unknown, path: string): string[] | undefined {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) {
      this.problem(path, 'must be a string or a list of strings');
      return undefined;
    }
    if (list.length === 0) {
      this.problem(path, 'must not be an empty list');
      return undefined;
    }
    if (list.length > this.limits.maxElementValues) {
      this.problem(path, `lists ${list.length} values; at most ${this.limits.maxElementValues} are allowed`);
      return undefined;
    }
    let ok = true;
    list.forEach((entry, i) => {
      const at = typeof value === 'string' ? path : `${path}[${i}]`;
      if (typeof entry !== 'string') {
        this.problem(at, `must be a string, got ${show(entry)}`);
        ok = false;
      } else if (entry.length === 0) {
        this.problem(at, 'must not be empty');
        ok = false;
      }
    });
    return ok ? (list as string[]) : undefined;
  }

  private actions(value: unknown, path: string): StringMatcher[] {
    const list = this.stringList(value, path);
    if (list === undefined) return [];
    const matchers: StringMatcher[] = [];
    list.forEach((action, i) => {
      const colon = action.indexOf(':');
      if (action !== '*' && colon <= 0) {
        this.problem(typeof value === 'string' ? path : `${path}[${i}]`, `${show(action)} is not "*" or "service:action"`);
        return;
      }
      matchers.push(compileWildcard(action.toLowerCase()));
    });
    return matchers;
  }

  private resources(value: unknown, path: string): { matchers: StringMatcher[]; expanded?: string | string[] } | undefined {
    const list = this.stringList(value, path);
    if (list === undefined) return undefined;
    const { kind, scope } = this.options;
    const matchers: StringMatcher[] = [];
    const expanded: string[] = [];
    let changed = false;
    list.forEach((resource, i) => {
      const at = typeof value === 'string' ? path : `${path}[${i}]`;
      let arn = resource;
      if (resource.startsWith(EXECUTE_API_SHORTHAND)) {
        if (kind !== 'resource') {
          this.problem(at, `${show(resource)}: the execute-api:/ shorthand is only accepted in resource policies`);
          return;
        }
        if (scope === undefined) {
          this.problem(at, `${show(resource)}: the execute-api:/ shorthand needs the API's region, account and id to expand`);
          return;
        }
        arn = expandExecuteApiShorthand(resource, scope);
        changed = true;
      } else if (resource !== '*' && !resource.startsWith('arn:')) {
        this.problem(at, `${show(resource)} is not "*" or an ARN`);
        return;
      }
      if (kind === 'authorizer' && arn.length > AUTHORIZER_RESOURCE_MAX_CHARS) {
        this.problem(at, `is ${arn.length} characters; an authorizer policy resource may have at most ${AUTHORIZER_RESOURCE_MAX_CHARS}`);
        return;
      }
      expanded.push(arn);
      matchers.push(compileWildcard(arn));
    });
    if (!changed) return { matchers };
    return { matchers, expanded: typeof value === 'string' ? expanded[0]! : expanded };
  }

  private principalElement(item: Record<string, unknown>, path: string): Statement['principal'] {
    const has = 'Principal' in item;
    const hasNot = 'NotPrincipal' in item;
    const { kind } = this.options;
    if (kind === 'identity' && (has || hasNot)) {
      this.problem(`${path}.${has ? 'Principal' : 'NotPrincipal'}`, 'is not allowed in an identity policy (the principal is the identity the policy is attached to)');
      return undefined;
    }
    if (has && hasNot) {
      this.problem(path, 'has both Principal and NotPrincipal; use one');
      return undefined;
    }
    if (!has && !hasNot) {
      if (kind === 'resource') this.problem(path, 'needs Principal or NotPrincipal in a resource policy');
      return undefined;
    }
    const name = has ? 'Principal' : 'NotPrincipal';
    const set = this.principals(item[name], `${path}.${name}`);
    if (set === undefined || kind === 'authorizer') return undefined;
    return { set, negate: hasNot };
  }

  private principals(value: unknown, path: string): PrincipalSet | undefined {
    const set = new PrincipalSet();
    if (value === '*') {
      set.any = true;
      return set;
    }
    if (!isPlainObject(value)) {
      this.problem(path, 'must be "*" or an object such as {"AWS": [...]}');
      return undefined;
    }
    const types = Object.keys(value);
    if (types.length === 0) {
      this.problem(path, 'must name at least one principal');
      return undefined;
    }
    const before = this.problems.length;
    for (const type of types) {
      const at = `${path}.${type}`;
      if (!PRINCIPAL_TYPES.has(type)) {
        this.problem(at, 'is not a principal type (expected AWS, Service, Federated or CanonicalUser)');
        continue;
      }
      const list = this.stringList(value[type], at);
      if (list === undefined) continue;
      // Service, Federated and CanonicalUser principals never call an API through Portico;
      // they are accepted so AWS-valid documents load, and match nobody.
      if (type !== 'AWS') continue;
      list.forEach((entry, i) => this.awsPrincipal(set, entry, typeof value[type] === 'string' ? at : `${at}[${i}]`));
    }
    return this.problems.length > before ? undefined : set;
  }

  private awsPrincipal(set: PrincipalSet, entry: string, path: string): void {
    if (entry === '*') {
      set.any = true;
      return;
    }
    if (isAccountId(entry)) {
      set.accounts.add(entry);
      return;
    }
    const parts = entry.split(':');
    if (parts.length < 6 || parts[0] !== 'arn' || (parts[2] !== 'iam' && parts[2] !== 'sts') || !isAccountId(parts[4]!)) {
      this.problem(path, `${show(entry)} is not "*", a 12-digit account id or an IAM/STS principal ARN`);
      return;
    }
    if (entry.includes('*') || entry.includes('?')) {
      this.problem(path, `${show(entry)}: wildcards are not allowed in a principal, except "*" on its own`);
      return;
    }
    if (parts[2] === 'iam' && parts.slice(5).join(':') === 'root') {
      set.accounts.add(parts[4]!);
      return;
    }
    set.arns.add(entry);
    const role = roleKey(entry);
    if (role !== undefined && parts[2] === 'iam') set.roles.add(role);
  }

  private conditions(value: unknown, path: string): ConditionTest[] {
    if (!isPlainObject(value)) {
      this.problem(path, 'must be an object of condition operators');
      return [];
    }
    const operators = Object.keys(value);
    if (operators.length === 0) {
      this.problem(path, 'must contain at least one condition operator');
      return [];
    }
    const tests: ConditionTest[] = [];
    let pairs = 0;
    for (const name of operators) {
      const at = `${path}.${name}`;
      const op = parseOperator(name);
      if (typeof op === 'string') {
        this.problem(at, op);
        continue;
      }
      const block = value[name];
      if (!isPlainObject(block) || Object.keys(block).length === 0) {
        this.problem(at, 'must be an object of condition keys and values');
        continue;
      }
      for (const key of Object.keys(block)) {
        if (++pairs > this.limits.maxConditionKeys) {
          this.problem(path, `has more than ${this.limits.maxConditionKeys} condition keys`);
          return tests;
        }
        const keyPath = `${at}.${key}`;
        if (key.length === 0) {
          this.problem(keyPath, 'condition key must not be empty');
          continue;
        }
        const values = this.conditionValues(block[key], keyPath);
        if (values === undefined) continue;
        const matches = this.valueMatcher(op.spec, values, keyPath, Array.isArray(block[key]));
        if (matches === undefined) continue;
        tests.push(op.spec.family === 'Null' ? nullTest(key.toLowerCase(), matches as NullExpectation) : conditionTest(key.toLowerCase(), op, matches as (v: Scalar) => boolean));
      }
    }
    return tests;
  }

  private conditionValues(value: unknown, path: string): PolicyScalar[] | undefined {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) {
      this.problem(path, 'must list at least one value');
      return undefined;
    }
    if (list.length > this.limits.maxConditionValues) {
      this.problem(path, `lists ${list.length} values; at most ${this.limits.maxConditionValues} are allowed`);
      return undefined;
    }
    let ok = true;
    list.forEach((v, i) => {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        this.problem(Array.isArray(value) ? `${path}[${i}]` : path, `must be a string, number or boolean, got ${show(v)}`);
        ok = false;
      }
    });
    return ok ? (list as PolicyScalar[]) : undefined;
  }

  /** The per-value predicate for one key's listed values (or, for Null, the expectation). */
  private valueMatcher(spec: OperatorSpec, values: PolicyScalar[], path: string, listed: boolean): ((v: Scalar) => boolean) | NullExpectation | undefined {
    const at = (i: number): string => (listed ? `${path}[${i}]` : path);
    const before = this.problems.length;
    switch (spec.family) {
      case 'String':
      case 'Binary': {
        const set = new Set(values.map(String));
        return (v) => set.has(scalarToString(v));
      }
      case 'StringIgnoreCase': {
        const set = new Set(values.map((v) => String(v).toLowerCase()));
        return (v) => set.has(scalarToString(v).toLowerCase());
      }
      case 'StringLike': {
        const globs = values.map((v) => compileWildcard(String(v)));
        return (v) => anyMatch(globs, scalarToString(v));
      }
      case 'Numeric': {
        const numbers = values.map((v, i) => {
          const n = typeof v === 'number' ? v : typeof v === 'string' ? parseNumber(v) : undefined;
          if (n === undefined || !Number.isFinite(n)) this.problem(at(i), `${show(v)} is not a number`);
          return n ?? NaN;
        });
        if (this.problems.length > before) return undefined;
        return (v) => {
          const n = scalarToNumber(v);
          return !Number.isNaN(n) && numbers.some((p) => compare(spec.comparison, n, p));
        };
      }
      case 'Date': {
        const times = values.map((v, i) => {
          const t = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDate(v) : undefined;
          if (t === undefined || !Number.isFinite(t)) this.problem(at(i), `${show(v)} is not an ISO 8601 date or epoch seconds`);
          return t ?? NaN;
        });
        if (this.problems.length > before) return undefined;
        return (v) => {
          const t = scalarToTime(v);
          return !Number.isNaN(t) && times.some((p) => compare(spec.comparison, t, p));
        };
      }
      case 'Bool':
      case 'Null': {
        const set = new Set<string>();
        values.forEach((v, i) => {
          const b = scalarToBool(v);
          if (b === undefined) this.problem(at(i), `${show(v)} is not "true" or "false"`);
          else set.add(b);
        });
        if (this.problems.length > before) return undefined;
        if (spec.family === 'Null') return { absent: set.has('true'), present: set.has('false') };
        return (v) => {
          const b = scalarToBool(v);
          return b !== undefined && set.has(b);
        };
      }
      case 'Ip': {
        const cidrs: Cidr[] = [];
        values.forEach((v, i) => {
          const parsed = typeof v === 'string' ? parseCidr(v) : { ok: false as const, reason: 'is not an IP address or CIDR block' };
          if (parsed.ok) cidrs.push(parsed.cidr);
          else this.problem(at(i), `${show(v)} ${parsed.reason}`);
        });
        if (this.problems.length > before) return undefined;
        const set = new CidrSet(cidrs);
        return (v) => typeof v === 'string' && set.contains(v);
      }
      case 'Arn': {
        const patterns = values.map((v) => arnComponents(String(v)).map(compileWildcard));
        return (v) => {
          const parts = arnComponents(scalarToString(v));
          return patterns.some((p) => p.length === parts.length && p.every((m, i) => m(parts[i]!)));
        };
      }
    }
  }
}

interface NullExpectation {
  /** Listed "true": satisfied when the key is absent. */
  absent: boolean;
  /** Listed "false": satisfied when the key is present. */
  present: boolean;
}

function nullTest(key: string, expect: NullExpectation): ConditionTest {
  return { key, test: (values) => (values === undefined ? expect.absent : expect.present) };
}
