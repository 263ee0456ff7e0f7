/**
 * Execution logs of a stage's methods on the data plane: AWS's CloudWatch log group
 * `API-Gateway-Execution-Logs_{restApiId}/{stageName}`, one event per line, each line prefixed
 * with the request id in parentheses, as AWS writes them:
 *
 *   (id) Extended Request Id: …
 *   (id) Starting authorizer: … / Incoming identity: … (a Lambda authorizer)
 *   (id) Verifying Usage Plan for request: … / API Key … authorized because … / Usage Plan check succeeded …
 *   (id) Starting execution for request: … / HTTP Method: GET, Resource Path: /pets/1
 *   (id) Method request path / query string / headers / body before transformations   (data trace)
 *   (id) Endpoint request URI / Sending request to / Received response. Status: …      (and their data)
 *   (id) Method response body after transformations / Method response headers          (data trace)
 *   (id) Successfully completed execution / Method completed with status: 200
 *
 * What each setting writes (stages.md, set-up-logging.md):
 * - INFO: every request's steps and their outcome.
 * - ERROR: only the error events, and only of requests that ended in a gateway error (a
 *   gateway response: refused by access control, throttled, an integration that failed or timed
 *   out, a failed validation): why it failed and `Method completed with status: N`. A request
 *   answered normally writes nothing, even when the backend's status was a 4xx or 5xx passed on
 *   through an integration response: to API Gateway that execution succeeded.
 * - dataTraceEnabled adds the data: headers and bodies of the method request, the endpoint
 *   request and response, and the method response, each cut as AWS cuts it
 *   (MAX_LOGGED_VALUE_CHARS). Without it no header or body is formatted at all. The guide says
 *   ERROR with full request and response data logs every request in detail, so that pair logs
 *   as INFO with data trace does.
 *
 * Credentials never reach the log: the values of Authorization, Proxy-Authorization, x-api-key,
 * X-Amz-Security-Token, Cookie and Set-Cookie, and of a Lambda authorizer's identity sources,
 * are masked wherever headers are logged (`****…abcd`: the last 4 characters of values at least
 * 20 long), and so is the API key in the usage plan lines, as AWS masks it. Bodies are logged
 * as they are, as AWS logs them.
 *
 * The method request body is logged as the pipeline read it; nothing is read for the log. A
 * body streamed to the backend (HTTP_PROXY) is captured on its way through, up to what the log
 * shows; a body no step read (a MOCK with a static template, a request refused before its
 * integration) is logged empty.
 *
 * The lines are collected on the request's ExecutionLog (`inv.log`, set by `begin`) as the
 * pipeline runs and written by `end`, when the request is over, in AWS's order: the access
 * control lines before the execution's, with the times they happened.
 */
import type { Invocation } from '../gateway/invocation.js';
import type { GatewayError } from '../gateway/errors.js';
import {
  ExecutionLog,
  LINE_DATA,
  LINE_ERROR,
  LINE_INFO,
  formatLogMap,
  gatewayFailureReason,
  lineText,
  maskSecret,
  truncateLogged,
} from '../gateway/execution-log.js';
import type { RequestObservation } from './request-observation.js';
import { oneLine } from './log-sinks.js';

export type LoggingLevel = 'OFF' | 'ERROR' | 'INFO';

/** AWS's log group of a stage's execution logs. */
export function executionLogGroup(apiId: string, stageName: string): string {
  return `API-Gateway-Execution-Logs_${apiId}/${stageName}`;
}

/** Request and response headers whose values are credentials: masked in every logged header map. */
export const MASKED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-amz-security-token',
  'cookie',
  'set-cookie',
]);

export interface MethodExecutionLogging {
  /** Starts the request's execution log (sets `inv.log`) with its method request lines. */
  begin(inv: Invocation): void;
  /** Writes the finished request's lines that the level asks for. */
  end(obs: RequestObservation, write: (message: string, epochMs: number) => void): void;
}

export function compileExecutionLogging(setting: { loggingLevel: LoggingLevel; dataTraceEnabled: boolean }): MethodExecutionLogging | undefined {
  const { loggingLevel, dataTraceEnabled } = setting;
  if (loggingLevel !== 'INFO' && loggingLevel !== 'ERROR') return undefined;
  if (dataTraceEnabled) return new MethodExecutionLog(LINE_INFO | LINE_DATA | LINE_ERROR);
  return new MethodExecutionLog(loggingLevel === 'INFO' ? LINE_INFO | LINE_ERROR : LINE_ERROR);
}

type Emit = (kind: number, at: number, message: string) => void;

class MethodExecutionLog implements MethodExecutionLogging {
  /** Only failed requests are written: the ERROR level without data trace. */
  private readonly errorsOnly: boolean;

  constructor(private readonly keep: number) {
    this.errorsOnly = keep === LINE_ERROR;
  }

  begin(inv: Invocation): void {
    inv.log = new ExecutionLog(inv.requestId, Date.now, { keep: this.keep, maskedHeaders: MASKED_HEADERS, captureStreams: true });
  }

  end(obs: RequestObservation, write: (message: string, epochMs: number) => void): void {
    const inv = obs.inv;
    const log = inv?.log;
    if (inv === undefined || log === undefined) return;
    const error = obs.error;
    if (this.errorsOnly && error === undefined) return;
    const keep = this.keep;
    const prefix = `(${obs.requestId}) `;
    // Lines carry times from two clocks (the wall clock of the pipeline's lines, the monotonic
    // phase timings mapped onto it), which can disagree by a millisecond: times only go forward.
    let last = 0;
    const emit: Emit = (kind, at, message) => {
      if ((keep & kind) === 0) return;
      if (at < last) at = last;
      last = at;
      // Bodies and header values may hold line breaks; each event stays one line.
      write(oneLine(prefix + message), at);
    };
    // Phases were timed on the monotonic clock; lines carry wall-clock times.
    const epochOf = (performanceMs: number): number => Math.round(obs.requestTimeEpoch + (performanceMs - obs.startedAt));
    const arrived = obs.requestTimeEpoch;

    emit(LINE_INFO, arrived, `Extended Request Id: ${obs.extendedRequestId}`);
    for (const line of log.accessEntries()) emit(line.kind, line.at, lineText(line));

    const accessEnded = obs.authorizerStartedAt >= 0 && obs.authorizerLatencyMs >= 0 ? epochOf(obs.authorizerStartedAt + obs.authorizerLatencyMs) : arrived;
    const keyRefused = error?.responseType === 'INVALID_API_KEY';
    // Access control had no step, or its step let the request through (the API key included).
    const admitted = obs.authorizerStartedAt < 0 || obs.authorizerStatus === 200;
    if (admitted || keyRefused) usagePlanLines(emit, accessEnded, obs, inv, keyRefused);

    if (obs.integrationStartedAt >= 0) {
      const started = epochOf(obs.integrationStartedAt);
      emit(LINE_INFO, started, `Starting execution for request: ${obs.requestId}`);
      emit(LINE_INFO, started, `HTTP Method: ${obs.httpMethod}, Resource Path: ${obs.path}`);
      if ((keep & LINE_DATA) !== 0) {
        emit(LINE_DATA, started, `Method request path: ${truncateLogged(formatLogMap(inv.pathParameters))}`);
        emit(LINE_DATA, started, `Method request query string: ${log.queryText(Object.entries(inv.query.multi))}`);
        emit(LINE_DATA, started, `Method request headers: ${log.headersText(rawHeaderPairs(inv.req.rawHeaders))}`);
        emit(LINE_DATA, started, `Method request body before transformations: ${log.bodyRead ? log.methodRequestBodyText() : ''}`);
      }
    }
    for (const line of log.entries()) emit(line.kind, line.at, lineText(line));

    const ended = obs.latencyMs >= 0 ? epochOf(obs.startedAt + obs.latencyMs) : Date.now();
    if (error !== undefined) {
      // The step that failed usually said why; otherwise the gateway response says it.
      if (!log.failed && !keyRefused) emit(LINE_ERROR, ended, failureReason(error, obs, inv));
      emit(LINE_ERROR, ended, `Method completed with status: ${obs.status}`);
    } else if (obs.status > 0) {
      if ((keep & LINE_DATA) !== 0) for (const line of log.resultLines()) emit(LINE_DATA, ended, line);
      emit(LINE_INFO, ended, 'Successfully completed execution');
      emit(LINE_INFO, ended, `Method completed with status: ${obs.status}`);
    }
    if (log.integrationRequestId !== undefined) emit(LINE_INFO, ended, `AWS Integration Endpoint RequestId : ${log.integrationRequestId}`);
    const traceId = traceRoot(obs.trace?.downstreamHeader);
    if (traceId !== undefined) emit(LINE_INFO, ended, `X-ray Tracing ID : ${traceId}`);
  }
}

/**
 * AWS's usage plan check, which it logs for every request that passed its authorizer: which
 * key the request came with (masked) and whether the method needed one. The check itself ran
 * in the access control step (gateway/rest/authorization.ts); its outcome is read from the
 * request: a key admitted (`inv.apiKey`), or the INVALID_API_KEY refusal.
 */
function usagePlanLines(emit: Emit, at: number, obs: RequestObservation, inv: Invocation, refused: boolean): void {
  const apiStage = `${obs.stage.apiId}/${obs.stage.stageName}`;
  const presented = inv.apiKey?.value ?? (refused ? presentedKey(inv) : '');
  const key = presented === '' ? '' : maskSecret(presented);
  const method = `'${inv.method.httpMethod} ${inv.resourcePath}'`;
  emit(LINE_INFO, at, `Verifying Usage Plan for request: ${obs.requestId}. API Key: ${key} API Stage: ${apiStage}`);
  if (refused) {
    emit(
      LINE_ERROR,
      at,
      `API Key ${key} not authorized because method ${method} requires API Key and API Key is not associated with a Usage Plan for API Stage ${apiStage}: No Usage Plan found for key and API Stage`,
    );
    return;
  }
  if (inv.apiKey !== undefined) emit(LINE_INFO, at, `API Key ${key} authorized because method ${method} requires API Key. Request will contribute to throttle and quota limits`);
  else emit(LINE_INFO, at, `API Key ${key} authorized because method ${method} does not require API Key. Request will not contribute to throttle or quota limits`);
  emit(LINE_INFO, at, `Usage Plan check succeeded for API Key ${key} and API Stage ${apiStage}`);
}

/** The key a refused request presented: its x-api-key header, or what its Lambda authorizer returned. */
function presentedKey(inv: Invocation): string {
  const header = inv.req.headers['x-api-key'];
  if (typeof header === 'string') return header;
  return inv.caller?.usageIdentifierKey ?? '';
}

/** Why a request ended in this gateway response, when no step of the pipeline has said so. */
export function failureReason(error: GatewayError, obs: RequestObservation, inv: Invocation): string {
  const shared = gatewayFailureReason(error.responseType, error.validationErrorString, inv.req.headers['content-type']);
  if (shared !== undefined) return shared;
  switch (error.responseType) {
    case 'AUTHORIZER_CONFIGURATION_ERROR':
      return 'Execution failed due to configuration error: Authorizer error';
    case 'UNAUTHORIZED':
      return `Unauthorized request: ${obs.requestId}`;
    case 'THROTTLED': {
      const scope = inv.apiKey !== undefined ? 'Key throttle' : 'Throttle';
      return `${scope} limit exceeded for RestApi ${obs.stage.apiId}, Stage ${obs.stage.stageName}, Resource ${inv.method.resourceId}, HttpMethod ${inv.method.httpMethod}`;
    }
    case 'QUOTA_EXCEEDED':
      return `Usage Plan check failed: quota exceeded for API Key ${maskSecret(inv.apiKey?.value ?? '')} and API Stage ${obs.stage.apiId}/${obs.stage.stageName}`;
    default:
      return error.validationErrorString ?? error.message;
  }
}

/** The request's headers as it sent them: names in their own case, in order. */
function rawHeaderPairs(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/** The trace id (`1-…-…`) of an `X-Amzn-Trace-Id` header, as AWS logs it for traced requests. */
function traceRoot(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /(?:^|;)\s*Root=([^;]+)/i.exec(header);
  return match?.[1];
}
