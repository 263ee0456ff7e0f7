/**
 * Access log formats: a stage's `accessLogSettings.format` compiled once into a function of a
 * finished request, and the log group its `destinationArn` names.
 *
 * A format is text with `$context.NAME` variables in it, as AWS substitutes them in access logs:
 * every `$context` variable of mapping templates plus the access-logging-only ones (status,
 * latencies, integration and authorizer outcomes, error.*). Compiling splits the format into
 * literal segments and one reader per variable, so a request costs the readers and string
 * concatenation, nothing else.
 *
 * Substitution rules (AWS's, as far as the guide states them):
 * - A variable with no value prints `-`; so does a name AWS does not define.
 * - Names are read longest first: the longest run of dotted identifiers after `$context.` that
 *   names a variable wins (`$context.authorizer.principalId` is one variable, not
 *   `$context.authorizer` followed by text); a run that names nothing prints `-`, while a known
 *   name followed by `.word` that extends it into nothing keeps `.word` as text.
 * - Only `$context` is substituted: `$input`, `$util`, `$stageVariables` stay as literal text.
 * - Values are inserted as they are, without quoting or escaping for the format's syntax (a
 *   user agent with a `"` breaks a JSON format, as in AWS). The one exception keeps the file
 *   contract of one line per event: control characters inside a value (U+0000–U+001F, U+007F)
 *   are written as JSON-style escapes (`\n`, `\r`, `\t`, `\u001b`, …). Only values a client, an
 *   authorizer or a backend can influence are checked.
 *
 * A request that matched no method has no Invocation: its variables come from the observation
 * and the request itself (ids, method, path, client address, protocol, host, user agent, status,
 * length, latency, error.*); what only a matched method knows (resourcePath, resourceId, the
 * authorizer's and the API key's variables, integration.*) prints `-`.
 */
import type { RequestObservation } from './request-observation.js';
import { domainPrefixOf, hostNameOf, requestTimeOf } from '../gateway/rest/context-variables.js';
import type { CallerIdentity } from '../gateway/rest/authorization.js';

export type AccessLogFormatter = (obs: RequestObservation) => string;

export type Getter = (obs: RequestObservation) => string;

/** What AWS prints for a variable without a value. */
const NONE = '-';

/**
 * The four formats AWS's console offers as examples (set-up-logging.md), each on one line. The
 * log router ends every event with a newline, so none is needed at the end.
 */
export const CLF_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] ' +
  '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength ' +
  '$context.requestId $context.extendedRequestId';

export const JSON_FORMAT =
  '{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId",' +
  '"ip":"$context.identity.sourceIp","caller":"$context.identity.caller","user":"$context.identity.user",' +
  '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath",' +
  '"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}';

export const XML_FORMAT =
  '<request id="$context.requestId"><extendedRequestId>$context.extendedRequestId</extendedRequestId>' +
  '<ip>$context.identity.sourceIp</ip><caller>$context.identity.caller</caller><user>$context.identity.user</user>' +
  '<requestTime>$context.requestTime</requestTime><httpMethod>$context.httpMethod</httpMethod>' +
  '<resourcePath>$context.resourcePath</resourcePath><status>$context.status</status>' +
  '<protocol>$context.protocol</protocol><responseLength>$context.responseLength</responseLength></request>';

export const CSV_FORMAT =
  '$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,' +
  '$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,' +
  '$context.requestId,$context.extendedRequestId';

/** The console's presets by the name it shows them under. */
export const ACCESS_LOG_FORMATS = { CLF: CLF_FORMAT, JSON: JSON_FORMAT, XML: XML_FORMAT, CSV: CSV_FORMAT } as const;

// ---------------------------------------------------------------------------------------------
// Value helpers

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROLS = /[\u0000-\u001f\u007f]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function escapeControl(c: string): string {
  return ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A value someone outside Portico chose: `-` when absent, control characters escaped. */
function untrusted(value: unknown): string {
  if (value === undefined || value === null || value === '') return NONE;
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeControl) : text;
}

/** A value Portico produced (ids, names, numbers): `-` when absent. */
function trusted(value: string | undefined | null): string {
  return value === undefined || value === null || value === '' ? NONE : value;
}

/** A measurement in whole milliseconds (or a status code); -1 means not measured. */
function measured(value: number): string {
  return value < 0 ? NONE : integerText(Math.round(value));
}

/** Decimal text of the small integers most values are (statuses, lengths, latencies), made once. */
const SMALL_INTEGERS: readonly string[] = Array.from({ length: 4096 }, (_, n) => String(n));

function integerText(n: number): string {
  return n < SMALL_INTEGERS.length ? SMALL_INTEGERS[n]! : String(n);
}

function errorMessageOf(err: unknown): string | undefined {
  if (err === undefined || err === null) return undefined;
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : undefined;
}

/** The `Root=` part of a trace header (`Root=1-…;Parent=…;Sampled=1`). */
function traceRootOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const start = header.indexOf('Root=');
  if (start === -1) return undefined;
  const end = header.indexOf(';', start);
  return header.slice(start + 5, end === -1 ? header.length : end);
}

/** The error that ended the request, when it ended in the access-control step. */
const authorizerError: Getter = (obs) =>
  obs.authorizerStatus >= 0 && obs.authorizerStatus !== 200 && obs.error !== undefined ? untrusted(obs.error.message) : NONE;

const integrationError: Getter = (obs) => untrusted(errorMessageOf(obs.integrationError));
/** AWS's request id of the call it made for the integration; Portico uses the request's own, as in mapping templates. */
const endpointRequestId: Getter = (obs) => (obs.inv === undefined ? NONE : obs.requestId);

/** `HTTP/1.1` without building it for every request. */
function protocolOf(httpVersion: string): string {
  return httpVersion === '1.1' ? 'HTTP/1.1' : httpVersion === '1.0' ? 'HTTP/1.0' : `HTTP/${httpVersion}`;
}

function identityField(name: keyof CallerIdentity): Getter {
  return (obs) => untrusted(obs.inv?.caller?.identity?.[name]);
}

// ---------------------------------------------------------------------------------------------
// The variables, by the name after `$context.`

const VARIABLES: Record<string, Getter> = {
  accountId: (obs) => trusted(obs.stage.accountId),
  apiId: (obs) => trusted(obs.stage.apiId),
  awsEndpointRequestId: endpointRequestId,
  deploymentId: (obs) => trusted(obs.stage.deploymentId),
  domainName: (obs) => untrusted(hostNameOf(obs.req.headers.host)),
  domainPrefix: (obs) => untrusted(domainPrefixOf(hostNameOf(obs.req.headers.host))),
  extendedRequestId: (obs) => trusted(obs.extendedRequestId),
  // Node's parser accepts only known method tokens, so the method needs no escaping.
  httpMethod: (obs) => obs.httpMethod,
  isCanaryRequest: (obs) => (obs.stage.isCanaryRequest === true ? 'true' : 'false'),
  // `/{stage}/{path as sent}`; before a match only the path after the stage is known.
  path: (obs) => untrusted(obs.inv !== undefined ? obs.inv.target.requestPath : `/${obs.stage.stageName}${obs.path}`),
  // AWS logs HTTP/1.1 even for HTTP/2 clients; Node reports what the client spoke.
  protocol: (obs) => protocolOf(obs.req.httpVersion),
  requestId: (obs) => trusted(obs.requestId),
  resourceId: (obs) => trusted(obs.method?.resourceId),
  resourcePath: (obs) => trusted(obs.method?.resourcePath),
  stage: (obs) => trusted(obs.stage.stageName),

  'identity.accessKey': identityField('accessKey'),
  'identity.accountId': identityField('accountId'),
  'identity.apiKey': (obs) => untrusted(obs.inv?.apiKey?.value),
  'identity.apiKeyId': (obs) => trusted(obs.inv?.apiKey?.keyId),
  'identity.caller': identityField('caller'),
  'identity.cognitoAuthenticationProvider': identityField('cognitoAuthenticationProvider'),
  'identity.cognitoAuthenticationType': identityField('cognitoAuthenticationType'),
  'identity.cognitoIdentityId': identityField('cognitoIdentityId'),
  'identity.cognitoIdentityPoolId': identityField('cognitoIdentityPoolId'),
  'identity.principalOrgId': identityField('principalOrgId'),
  // An address the socket reported, taken when the request finished: nothing in it to escape.
  'identity.sourceIp': (obs) => trusted(obs.sourceIp),
  'identity.user': identityField('user'),
  'identity.userAgent': (obs) => untrusted(obs.req.headers['user-agent']),
  'identity.userArn': identityField('userArn'),

  'authorizer.principalId': (obs) => untrusted(obs.inv?.caller?.principalId),
  'authorizer.error': authorizerError,
  'authorize.error': authorizerError,
  'authenticate.error': authorizerError,

  'error.message': (obs) => untrusted(obs.error?.message),
  // The message as a JSON string literal, quotes included, as AWS documents it.
  'error.messageString': (obs) => (obs.error === undefined ? NONE : untrusted(JSON.stringify(obs.error.message))),
  'error.responseType': (obs) => trusted(obs.error?.responseType),
  // JSON-escaped (without quotes), as in gateway responses, so it can sit inside a JSON string.
  'error.validationErrorString': (obs) => {
    const text = obs.error?.validationErrorString;
    return text === undefined ? NONE : untrusted(JSON.stringify(text).slice(1, -1));
  },

  integrationErrorMessage: integrationError,
  'integration.error': integrationError,
  'integration.requestId': endpointRequestId,

  xrayTraceId: (obs) => {
    // Before a match there is no Invocation to make one up: the traced or received header then.
    const header = obs.inv !== undefined ? obs.inv.traceId : (obs.trace?.downstreamHeader ?? obs.req.headers['x-amzn-trace-id']);
    return untrusted(traceRootOf(typeof header === 'string' ? header : undefined));
  },
};

/**
 * The variables whose value is a number of the request (a status, a length, a latency, the
 * arrival time), each with how it prints. Their readers return the number, so an access log
 * record can carry it as one (access-log-record.ts); `-1` (or a status of 0) prints `-`.
 *
 * The access-control step (authorizer, resource policy, API key) is measured when the method
 * has one; Portico measures it as one step, so `authorizer.*`, `authorize.*` and
 * `authenticate.*` report the same latency and status.
 */
export interface NumericVariable {
  read: (obs: RequestObservation) => number;
  text: (value: number) => string;
}

const authorizerLatency: NumericVariable = { read: (obs) => obs.authorizerLatencyMs, text: measured };
const authorizerStatus: NumericVariable = { read: (obs) => obs.authorizerStatus, text: measured };
const integrationLatency: NumericVariable = { read: (obs) => obs.integrationLatencyMs, text: measured };
const integrationStatus: NumericVariable = { read: (obs) => obs.integrationStatus, text: measured };
const statusText = (status: number): string => (status > 0 ? integerText(status) : NONE);

export const NUMERIC_VARIABLES: Record<string, NumericVariable> = {
  requestTime: { read: (obs) => obs.requestTimeEpoch, text: requestTimeOf },
  requestTimeEpoch: { read: (obs) => obs.requestTimeEpoch, text: String },
  'authorizer.integrationLatency': {
    read: (obs) => obs.inv?.caller?.integrationLatency ?? obs.authorizerLatencyMs,
    text: measured,
  },
  'authorizer.latency': authorizerLatency,
  'authorizer.status': authorizerStatus,
  'authorize.latency': authorizerLatency,
  'authorize.status': authorizerStatus,
  'authenticate.latency': authorizerLatency,
  'authenticate.status': authorizerStatus,
  integrationLatency,
  integrationStatus,
  'integration.latency': integrationLatency,
  'integration.status': integrationStatus,
  'integration.integrationStatus': integrationStatus,
  status: { read: (obs) => obs.status, text: statusText },
  responseLength: { read: (obs) => obs.responseLength, text: measured },
  responseLatency: { read: (obs) => obs.latencyMs, text: measured },
};

/** The text reader of a numeric variable. */
const numericGetters: Record<string, Getter> = Object.fromEntries(
  Object.entries(NUMERIC_VARIABLES).map(([name, { read, text }]) => [name, (obs: RequestObservation) => text(read(obs))]),
);

/**
 * Names AWS defines that Portico never has a value for (no WAF, no mutual TLS, no custom domain
 * base path on the data plane; overrides exist only inside mapping templates), and
 * `authorizer.claims`, which AWS documents as null. They print `-` like unknown names, but are
 * listed so that they are never read as a shorter name followed by text.
 */
const ABSENT = new Set([
  'authorizer.claims',
  'authorizer.integrationStatus',
  'authorizer.requestId',
  'customDomain.basePathMatched',
  'identity.clientCert.clientCertPem',
  'identity.clientCert.issuerDN',
  'identity.clientCert.serialNumber',
  'identity.clientCert.subjectDN',
  'identity.clientCert.validity.notAfter',
  'identity.clientCert.validity.notBefore',
  'waf.error',
  'waf.latency',
  'waf.status',
  'wafResponseCode',
  'webaclArn',
]);

const absent: Getter = () => NONE;

/** `authorizer.claims.NAME`: a claim of the Cognito token the caller presented. */
function claimGetter(claim: string): Getter {
  return (obs) => untrusted(obs.inv?.caller?.claims?.[claim]);
}

/** `authorizer.KEY`: an entry of the Lambda authorizer's context, as a string. */
function authorizerContextGetter(key: string): Getter {
  return (obs) => untrusted(obs.inv?.caller?.context?.[key]);
}

/** The reader of `name`, or undefined when AWS defines no such variable. */
function getterOf(name: string): Getter | undefined {
  // Own names only: a format naming `constructor` or `__proto__` reads nothing of Object's.
  if (Object.hasOwn(VARIABLES, name)) return VARIABLES[name];
  if (Object.hasOwn(numericGetters, name)) return numericGetters[name];
  if (ABSENT.has(name)) return absent;
  if (name.startsWith('authorizer.claims.')) return claimGetter(name.slice('authorizer.claims.'.length));
  if (name.startsWith('authorizer.')) return authorizerContextGetter(name.slice('authorizer.'.length));
  if (name.startsWith('requestOverride.') || name.startsWith('responseOverride.')) return absent;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Compiling

const PREFIX = '$context.';
/** Dotted identifiers: the longest name a variable reference can be. */
const NAME = /[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*/y;

/** A format split into text and variables: `literals[0] getters[0] literals[1] … literals[n]`. */
export interface ParsedAccessLogFormat {
  literals: string[];
  getters: Getter[];
  /** The variable each getter reads, as named after `$context.` (an unknown name as written). */
  names: string[];
}

/**
 * Splits a stored format. One event is one line: a trailing newline (which AWS allows) is the
 * line's own end, and any other line break of a stored format is escaped here, once, so the
 * router need not look.
 */
export function parseAccessLogFormat(format: string): ParsedAccessLogFormat {
  return parse(format.replace(/\r?\n$/, '').replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}

function parse(format: string): ParsedAccessLogFormat {
  const literals: string[] = [];
  const getters: Getter[] = [];
  const names: string[] = [];
  let text = '';
  let i = 0;
  while (i < format.length) {
    const at = format.indexOf(PREFIX, i);
    if (at === -1) break;
    NAME.lastIndex = at + PREFIX.length;
    const m = NAME.exec(format);
    if (m === null) {
      // `$context.` followed by no name is text.
      text += format.slice(i, at + PREFIX.length);
      i = at + PREFIX.length;
      continue;
    }
    const run = m[0];
    // Longest first: shorten the run at dots until it names a variable.
    let name = run;
    let getter = getterOf(name);
    while (getter === undefined) {
      const dot = name.lastIndexOf('.');
      if (dot === -1) break;
      name = name.slice(0, dot);
      getter = getterOf(name);
    }
    if (getter === undefined) {
      // Nothing in the run is a variable: an unknown name, printed as AWS prints it.
      name = run;
      getter = absent;
    }
    literals.push(text + format.slice(i, at));
    getters.push(getter);
    names.push(name);
    text = '';
    i = at + PREFIX.length + name.length;
  }
  literals.push(text + format.slice(i));
  return { literals, getters, names };
}

/** Compiles a format once; the result reads a finished request into one log event. */
export function compileAccessLogFormat(format: string): AccessLogFormatter {
  const { literals, getters } = parseAccessLogFormat(format);
  const n = getters.length;
  if (n === 0) {
    const constant = literals[0]!;
    return () => constant;
  }
  return tailReusingFormatter(literals, getters);
}

/**
 * Builds each line from its values, reusing the end of the previous line where its values did
 * not change. Busy stages repeat most values from one request to the next (client address,
 * method, resource, status, protocol, length, the second of the request time); only the ids
 * change. The unchanged tail is kept as one flat string, so a line is a few joins of short
 * strings instead of one per piece, and writing it copies a handful of pieces, not dozens.
 *
 * Values are read from the last one backwards while they equal the previous line's, so a
 * repeated value is compared but not stored: only the changed ones are kept, which spares the
 * long-lived `previous` array a write (and its collector bookkeeping) per repeated value.
 *
 * `tail` is `literals[tailStart] + previous[tailStart] + … + literals[n]`.
 */
function tailReusingFormatter(literals: readonly string[], getters: readonly Getter[]): AccessLogFormatter {
  const n = getters.length;
  const previous = new Array<string>(n).fill(NONE);
  const parts: string[] = [];
  let tailStart = n;
  let tail = literals[n]!;
  return (obs) => {
    // The values from `unchanged` on are those of the previous line; `changed` is the one before.
    let unchanged = n;
    let changed = NONE;
    while (unchanged > 0) {
      const value = getters[unchanged - 1]!(obs);
      if (value !== previous[unchanged - 1]) {
        changed = value;
        break;
      }
      unchanged--;
    }
    if (unchanged > tailStart) {
      // A value inside the kept tail changed: drop the tail back to what is still the same.
      tailStart = n;
      tail = literals[n]!;
    }
    if (unchanged < tailStart) {
      // More of the end is unchanged than the tail holds: extend it, flat, in one join.
      parts.length = 0;
      for (let k = unchanged; k < tailStart; k++) parts.push(literals[k]!, previous[k]!);
      parts.push(tail);
      tail = parts.join('');
      tailStart = unchanged;
    }
    // The tail now starts right after the last changed value.
    if (unchanged === 0) return tail;
    previous[unchanged - 1] = changed;
    for (let k = 0; k < unchanged - 1; k++) previous[k] = getters[k]!(obs);
    let line = literals[0]!;
    for (let k = 0; k < unchanged; k++) line += previous[k]! + (k + 1 < unchanged ? literals[k + 1]! : '');
    return line + tail;
  };
}

/** The `$context` variable names a format uses, in order (e.g. to check for `requestId`). */
export function accessLogVariables(format: string): string[] {
  return parse(format).names;
}

// ---------------------------------------------------------------------------------------------
// Destinations

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/;
const FIREHOSE_ARN = /^arn:aws[a-z-]*:firehose:[^:]*:[^:]*:deliverystream\/([^:/]+)$/;

/**
 * The log group a destination ARN names: `arn:aws:logs:{region}:{account}:log-group:{name}`
 * (with or without a trailing `:*`) → `{name}`. A Kinesis Data Firehose delivery stream
 * (`arn:aws:firehose:{region}:{account}:deliverystream/{name}`) has no log group; its events
 * go to a group named `firehose/{name}`, so they can be read like any other. Anything else →
 * undefined (the stage then writes no access log).
 */
export function logGroupOfArn(destinationArn: string): string | undefined {
  const group = LOG_GROUP_ARN.exec(destinationArn);
  if (group !== null) return group[1];
  const stream = FIREHOSE_ARN.exec(destinationArn);
  if (stream !== null) return `firehose/${stream[1]}`;
  return undefined;
}
