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
 */

/** AWS cuts a logged value (a header map, a body) at this many characters. */
export const MAX_LOGGED_VALUE_CHARS = 998;

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

export type LoggedMap = Iterable<readonly [string, string | readonly string[]]> | Readonly<Record<string, string | readonly string[] | undefined>> | null | undefined;

/** A map as AWS prints it (Java's `{a=1, b=2}`); several values of one name are joined by commas. */
export function formatLogMap(map: LoggedMap): string {
  if (!map) return '{}';
  const entries = Symbol.iterator in map ? [...(map as Iterable<readonly [string, string | readonly string[]]>)] : Object.entries(map);
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    parts.push(`${name}=${typeof value === 'string' ? value : value.join(',')}`);
  }
  return `{${parts.join(', ')}}`;
}

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
  body?: string;
}

export interface EndpointResponseEntry {
  statusCode: number;
  latencyMs: number;
  headers: LoggedMap;
  /** Undefined when the body is streamed to the client untouched: it is logged with the method response. */
  body?: string;
}

export class ExecutionLog {
  private readonly lines: string[];
  private failure?: string;
  private methodRequestBody = '';
  /** The endpoint response body was not known when the response arrived (a relayed stream). */
  private endpointBodyPending = false;

  constructor(
    readonly requestId: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.lines = [`Execution log for request ${requestId}`];
  }

  /** One line, stamped with the current time. */
  add(message: string): void {
    this.lines.push(`${formatLogTime(this.clock())} : ${message}`);
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
    this.add(`Method request path: ${truncateLogged(formatLogMap(entry.pathParameters))}`);
    this.add(`Method request query string: ${truncateLogged(formatLogMap(entry.query))}`);
    this.add(`Method request headers: ${truncateLogged(formatLogMap(entry.headers))}`);
    this.add(`Method request body before transformations: ${truncateLogged(entry.body)}`);
    this.methodRequestBody = entry.body;
  }

  endpointRequest(entry: EndpointRequestEntry): void {
    this.add(`Endpoint request URI: ${entry.uri}`);
    this.add(`Endpoint request headers: ${truncateLogged(formatLogMap(entry.headers))}`);
    this.add(`Endpoint request body after transformations: ${truncateLogged(entry.body ?? this.methodRequestBody)}`);
    this.add(`Sending request to ${entry.uri}`);
  }

  endpointResponse(entry: EndpointResponseEntry): void {
    this.add(`Received response. Status: ${entry.statusCode}, Integration latency: ${Math.max(0, Math.round(entry.latencyMs))} ms`);
    this.add(`Endpoint response headers: ${truncateLogged(formatLogMap(entry.headers))}`);
    if (entry.body === undefined) this.endpointBodyPending = true;
    else this.add(`Endpoint response body before transformations: ${truncateLogged(entry.body)}`);
  }

  /** The response the client gets, after a successful run. */
  methodResponse(statusCode: number, headers: LoggedMap, body: string): void {
    // A relayed body reaches the client as the backend sent it: the two bodies are one.
    if (this.endpointBodyPending) {
      this.endpointBodyPending = false;
      this.add(`Endpoint response body before transformations: ${truncateLogged(body)}`);
    }
    this.add(`Method response body after transformations: ${truncateLogged(body)}`);
    this.add(`Method response headers: ${truncateLogged(formatLogMap(headers))}`);
    this.add('Successfully completed execution');
    this.add(`Method completed with status: ${statusCode}`);
  }

  /** Why the request failed, e.g. `Execution failed due to a timeout error`; the first reason given stands. */
  fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.add(reason);
  }

  /** The end of a failed run: the status of the gateway response the client gets. */
  failedWith(statusCode: number): void {
    this.add(`Method completed with status: ${statusCode}`);
  }

  /** The whole log, each line ending in a newline, as AWS answers it. */
  text(): string {
    return `${this.lines.join('\n')}\n`;
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
