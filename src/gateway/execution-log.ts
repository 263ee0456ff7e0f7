/**
 * API Gateway's execution log for one request: the text TestInvokeMethod answers in `log`, and
 * what a stage with execution logging writes per request. The pipeline feeds it step by step —
 * method request, endpoint request and response, method response, or the failure that ended
 * the request — and it lays the lines out as AWS does:
 *
 *   Execution log for request <id>
 *   Tue Aug 19 17:04:50 UTC 2025 : Starting execution for request: <id>
 *   Tue Aug 19 17:04:50 UTC 2025 : HTTP Method: GET, Resource Path: /pets/1
 *   …
 *   Tue Aug 19 17:04:50 UTC 2025 : Method completed with status: 200
 *
 * A request carries a log only when one is being collected (`Invocation.log`); every step
 * checks for it first, so requests without one pay nothing.
 *
 * Each line keeps its time and its kind: a step of the request (INFO), the request's or
 * response's data — headers and bodies (DATA), or why it failed (ERROR). A stage's execution
 * logging (src/observability/execution-logging.ts) keeps only the kinds its logging level and
 * data trace setting ask for, so data it will not write is never formatted, and masks the
 * values of credential headers. TestInvokeMethod keeps every kind and masks nothing, as before.
 */

/** AWS cuts a logged value (a header map, a body) at this many characters. */
export const MAX_LOGGED_VALUE_CHARS = 998;

/** Line kinds, as bits so a set of kinds is one number. */
export const LINE_INFO = 1;
export const LINE_DATA = 2;
export const LINE_ERROR = 4;
export const ALL_LINES = LINE_INFO | LINE_DATA | LINE_ERROR;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The timestamp that starts each line: `Tue Aug 19 17:04:50 UTC 2025`. */
export function formatLogTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** A value as logged: at most MAX_LOGGED_VALUE_CHARS characters, then ` [TRUNCATED]`. */
export function truncateLogged(text: string): string {
  return text.length > MAX_LOGGED_VALUE_CHARS ? `${text.slice(0, MAX_LOGGED_VALUE_CHARS)} [TRUNCATED]` : text;
}

/** Secrets this long or longer show their last 4 characters; shorter ones show none. */
const MIN_LENGTH_SHOWING_TAIL = 20;
/** A masked value keeps its length up to this many characters, so the mask stays bounded. */
const MAX_MASK_CHARS = 1024;

/**
 * A secret as AWS prints credentials in execution logs: one `*` per hidden character, then
 * the last 4 characters (`****************************abcd`) so a key can be told apart.
 * Short values are hidden entirely: their last 4 characters would give too much away.
 */
export function maskSecret(value: string): string {
  const shown = value.length >= MIN_LENGTH_SHOWING_TAIL ? 4 : 0;
  return '*'.repeat(Math.min(value.length - shown, MAX_MASK_CHARS)) + value.slice(value.length - shown);
}

export type LoggedMap = Iterable<readonly [string, string | readonly string[]]> | Readonly<Record<string, string | readonly string[] | undefined>> | null | undefined;

/**
 * A map as AWS prints it (Java's `{a=1, b=2}`); several values of one name are joined by
 * commas. Values of names `masked` picks (by lower-case name) are masked with maskSecret.
 */
export function formatLogMap(map: LoggedMap, masked?: (lowerName: string) => boolean): string {
  if (!map) return '{}';
  const entries = Symbol.iterator in map ? [...(map as Iterable<readonly [string, string | readonly string[]]>)] : Object.entries(map);
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : value.join(',');
    parts.push(`${name}=${masked !== undefined && masked(name.toLowerCase()) ? maskSecret(text) : text}`);
  }
  return `{${parts.join(', ')}}`;
}

/**
 * The first bytes of a body that streams past the gateway (an HTTP_PROXY request or response),
 * kept so the log can show it without holding the rest: enough for MAX_LOGGED_VALUE_CHARS
 * characters of UTF-8, and whether more went by.
 */
export class BodyCapture {
  static readonly LIMIT_BYTES = MAX_LOGGED_VALUE_CHARS * 4 + 4;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private more = false;

  /** Observes one chunk on its way through; never holds more than LIMIT_BYTES. */
  add(chunk: Buffer): void {
    const room = BodyCapture.LIMIT_BYTES - this.size;
    if (room <= 0) {
      this.more ||= chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    // A copy: the stream may reuse its buffer once the chunk has been written on.
    this.chunks.push(Buffer.from(kept));
    this.size += kept.length;
    if (kept.length < chunk.length) this.more = true;
  }

  /** The body as logged (truncated as AWS truncates). */
  text(): string {
    const text = truncateLogged(Buffer.concat(this.chunks, this.size).toString('utf8'));
    // The kept bytes always decode to more characters than the log shows; should they not, the cut is still marked.
    return this.more && !text.endsWith(' [TRUNCATED]') ? `${text} [TRUNCATED]` : text;
  }
}

type LoggedBody = string | Buffer | BodyCapture;

/** A result body the log can show: one in memory (a stream is captured separately, or not at all). */
export const inMemoryBody = (body: unknown): string | Buffer | undefined => (typeof body === 'string' || Buffer.isBuffer(body) ? body : undefined);

const bodyText = (body: LoggedBody): string =>
  typeof body === 'string' ? truncateLogged(body) : body instanceof BodyCapture ? body.text() : truncateLogged(body.toString('utf8'));

export interface MethodRequestEntry {
  pathParameters: LoggedMap;
  query: LoggedMap;
  headers: LoggedMap;
  body: string;
}

export interface EndpointRequestEntry {
  uri: string;
  headers: LoggedMap;
  /** Undefined when the method request body is streamed to the backend untouched. */
  body?: LoggedBody;
}

export interface EndpointResponseEntry {
  statusCode: number;
  latencyMs: number;
  headers: LoggedMap;
  /**
   * Undefined when the body is streamed to the client untouched: it is logged with the method
   * response; a BodyCapture when its start is being captured on the way through.
   */
  body?: LoggedBody;
}

/** What the integration answered, kept for the method response lines a stage's log writes. */
export interface LoggedResult {
  statusCode: number;
  headers: LoggedMap;
  body: string | Buffer | BodyCapture | undefined;
}

/** One line: when, what kind, and its text (computed when written, for data still streaming). */
export interface LogLine {
  readonly at: number;
  readonly kind: number;
  readonly message: string | (() => string);
}

export const lineText = (line: LogLine): string => (typeof line.message === 'string' ? line.message : line.message());

export interface ExecutionLogOptions {
  /** The kinds of line kept (LINE_* bits); every kind by default. */
  keep?: number;
  /** Header names (lower case) whose values are masked wherever headers are logged. */
  maskedHeaders?: ReadonlySet<string>;
  /**
   * Capture the start of bodies that stream through (HTTP_PROXY) so they can be logged; off for
   * TestInvokeMethod, which reads the whole response itself.
   */
  captureStreams?: boolean;
}

export class ExecutionLog {
  /** The method request's access control (authorizer): logged ahead of the execution. */
  private readonly accessLines: LogLine[] = [];
  private readonly lines: LogLine[] = [];
  private readonly keep: number;
  private readonly maskedHeaders: ReadonlySet<string> | undefined;
  /** Names masked for this request only (an authorizer's identity sources). */
  private extraMaskedHeaders: string[] | undefined;
  private extraMaskedQuery: string[] | undefined;
  private failure?: string;
  private methodRequestBody: LoggedBody = '';
  /** The endpoint response body was not known when the response arrived (a relayed stream). */
  private endpointBodyPending = false;
  private readonly captureStreams: boolean;
  /** Whether the request's and response's data (headers, bodies) are logged. */
  readonly dataTrace: boolean;
  /** The integration's answer, for the method response lines (data trace only). */
  result: LoggedResult | undefined = undefined;
  /** The request id of the Lambda call the integration made: AWS logs it after completion. */
  integrationRequestId: string | undefined = undefined;
  /** Whether the pipeline read the method request body (see requestBody). */
  bodyRead = false;
  /** Whether this header's values are masked (by lower-case name). */
  readonly masksHeader = (lowerName: string): boolean =>
    this.maskedHeaders?.has(lowerName) === true || this.extraMaskedHeaders?.includes(lowerName) === true;
  /** Whether this query parameter's values are masked. */
  readonly masksQuery = (name: string): boolean => {
    const masked = this.extraMaskedQuery;
    return masked !== undefined && masked.some((m) => m.toLowerCase() === name.toLowerCase());
  };

  constructor(
    readonly requestId: string,
    private readonly clock: () => number = Date.now,
    options: ExecutionLogOptions = {},
  ) {
    this.keep = options.keep ?? ALL_LINES;
    this.dataTrace = (this.keep & LINE_DATA) !== 0;
    this.maskedHeaders = options.maskedHeaders;
    this.captureStreams = options.captureStreams === true && this.dataTrace;
  }

  /** One line, stamped with the current time. */
  add(message: string | (() => string), kind = LINE_INFO): void {
    if ((this.keep & kind) !== 0) this.lines.push({ at: this.clock(), kind, message });
  }

  /** One line of the access control (authorizer, API key) that runs before the execution. */
  access(message: string | (() => string), kind = LINE_INFO): void {
    if ((this.keep & kind) !== 0) this.accessLines.push({ at: this.clock(), kind, message });
  }

  /** Why access control refused the request; it counts as the request's failure. */
  accessFail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.access(reason, LINE_ERROR);
  }

  /** Masks this header's values (an authorizer's identity source) in every header map of this request. */
  maskHeader(lowerName: string): void {
    (this.extraMaskedHeaders ??= []).push(lowerName);
  }

  /** Masks this query parameter (an authorizer's identity source) in the method request query string. */
  maskQuery(name: string): void {
    (this.extraMaskedQuery ??= []).push(name);
  }

  /** A header map as logged, credentials masked. */
  headersText(map: LoggedMap): string {
    return truncateLogged(formatLogMap(map, this.masksHeader));
  }

  /** A query string map as logged, identity sources masked. */
  queryText(map: LoggedMap): string {
    return truncateLogged(formatLogMap(map, this.extraMaskedQuery === undefined ? undefined : this.masksQuery));
  }

  /** Whether a step has already said why the request failed. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  start(httpMethod: string, path: string): void {
    this.add(`Starting execution for request: ${this.requestId}`);
    this.add(`HTTP Method: ${httpMethod}, Resource Path: ${path}`);
  }

  methodRequest(entry: MethodRequestEntry): void {
    this.methodRequestBody = entry.body;
    if (!this.dataTrace) return;
    this.add(`Method request path: ${truncateLogged(formatLogMap(entry.pathParameters))}`, LINE_DATA);
    this.add(`Method request query string: ${this.queryText(entry.query)}`, LINE_DATA);
    this.add(`Method request headers: ${this.headersText(entry.headers)}`, LINE_DATA);
    this.add(`Method request body before transformations: ${truncateLogged(entry.body)}`, LINE_DATA);
  }

  /** The method request body as the pipeline read it (a stage's log writes it with the method request). */
  requestBody(body: Buffer | string): void {
    this.bodyRead = true;
    if (this.dataTrace) this.methodRequestBody = body;
  }

  /** A capture for a request body streamed to the backend, when bodies are logged; it stands for the method request body. */
  requestCapture(): BodyCapture | undefined {
    if (!this.captureStreams) return undefined;
    const capture = new BodyCapture();
    this.bodyRead = true;
    this.methodRequestBody = capture;
    return capture;
  }

  /** A capture for a response body relayed to the client, when bodies are logged. */
  responseCapture(): BodyCapture | undefined {
    return this.captureStreams ? new BodyCapture() : undefined;
  }

  /** The method request body as logged. */
  methodRequestBodyText(): string {
    return bodyText(this.methodRequestBody);
  }

  endpointRequest(entry: EndpointRequestEntry): void {
    this.add(`Endpoint request URI: ${entry.uri}`);
    if (this.dataTrace) {
      this.add(`Endpoint request headers: ${this.headersText(entry.headers)}`, LINE_DATA);
      const body = entry.body;
      // A streamed body is known only once it has gone through: its line is filled in then.
      if (body === undefined) this.add(() => `Endpoint request body after transformations: ${bodyText(this.methodRequestBody)}`, LINE_DATA);
      else this.add(`Endpoint request body after transformations: ${bodyText(body)}`, LINE_DATA);
    }
    this.add(`Sending request to ${entry.uri}`);
  }

  endpointResponse(entry: EndpointResponseEntry): void {
    this.add(`Received response. Status: ${entry.statusCode}, Integration latency: ${Math.max(0, Math.round(entry.latencyMs))} ms`);
    if (!this.dataTrace) return;
    this.add(`Endpoint response headers: ${this.headersText(entry.headers)}`, LINE_DATA);
    const body = entry.body;
    if (body === undefined) this.endpointBodyPending = true;
    else if (body instanceof BodyCapture) this.add(() => `Endpoint response body before transformations: ${body.text()}`, LINE_DATA);
    else this.add(`Endpoint response body before transformations: ${bodyText(body)}`, LINE_DATA);
  }

  /** Keeps the integration's answer for the method response lines (a stage's log writes them at the end). */
  methodResult(statusCode: number, headers: LoggedMap, body: string | Buffer | BodyCapture | undefined): void {
    if (this.dataTrace) this.result = { statusCode, headers, body };
  }

  /** The kept method response as lines, for a request that completed. */
  resultLines(): string[] {
    const result = this.result;
    if (result === undefined) return [];
    const body = result.body === undefined ? '' : bodyText(result.body);
    return [`Method response body after transformations: ${body}`, `Method response headers: ${this.headersText(result.headers)}`];
  }

  /** The response the client gets, after a successful run. */
  methodResponse(statusCode: number, headers: LoggedMap, body: string): void {
    if (this.dataTrace) {
      // A relayed body reaches the client as the backend sent it: the two bodies are one.
      if (this.endpointBodyPending) {
        this.endpointBodyPending = false;
        this.add(`Endpoint response body before transformations: ${truncateLogged(body)}`, LINE_DATA);
      }
      this.add(`Method response body after transformations: ${truncateLogged(body)}`, LINE_DATA);
      this.add(`Method response headers: ${this.headersText(headers)}`, LINE_DATA);
    }
    this.add('Successfully completed execution');
    this.add(`Method completed with status: ${statusCode}`);
  }

  /** Why the request failed, e.g. `Execution failed due to a timeout error`; the first reason given stands. */
  fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.add(reason, LINE_ERROR);
  }

  /** The end of a failed run: the status of the gateway response the client gets. */
  failedWith(statusCode: number): void {
    this.add(`Method completed with status: ${statusCode}`, LINE_ERROR);
  }

  /** The access control lines, in order. */
  accessEntries(): readonly LogLine[] {
    return this.accessLines;
  }

  /** The execution lines, in order. */
  entries(): readonly LogLine[] {
    return this.lines;
  }

  /** The whole log, each line ending in a newline, as AWS answers it. */
  text(): string {
    let out = `Execution log for request ${this.requestId}\n`;
    for (const line of this.accessLines) out += `${formatLogTime(line.at)} : ${lineText(line)}\n`;
    for (const line of this.lines) out += `${formatLogTime(line.at)} : ${lineText(line)}\n`;
    return out;
  }
}

const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * AWS's reason for a backend call that failed before a response arrived, from the network
 * error: a host that does not resolve is a configuration error, a timeout its own kind.
 */
export function endpointFailureReason(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (DNS_FAILURES.has(code)) return 'Execution failed due to configuration error: Invalid endpoint address';
    if (TIMEOUTS.has(code)) return 'Execution failed due to a timeout error';
  }
  return undefined;
}

/**
 * AWS's reason for a run that ended in one of the gateway responses a failed integration or
 * method request leads to; undefined for the others, whose reason depends on the step.
 */
export function gatewayFailureReason(responseType: string, validationErrorString: string | undefined, contentType: string | undefined): string | undefined {
  switch (responseType) {
    case 'API_CONFIGURATION_ERROR':
      return 'Execution failed due to configuration error';
    case 'INTEGRATION_TIMEOUT':
      return 'Execution failed due to a timeout error';
    case 'INTEGRATION_FAILURE':
      return 'Execution failed due to an integration failure';
    case 'BAD_REQUEST_BODY':
      return `Request body does not match model schema for content type ${contentType ?? 'application/json'}: ${validationErrorString ?? ''}`;
    default:
      return undefined;
  }
}
