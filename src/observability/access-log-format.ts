/**
 * Access log formats: a stage's accessLogSettings.format compiled once into a function of a
 * finished request. (Interface fixed; implementation to follow.)
 */
import type { RequestObservation } from './request-observation.js';

export type AccessLogFormatter = (obs: RequestObservation) => string;

export function compileAccessLogFormat(_format: string): AccessLogFormatter {
  return () => '';
}

/** The log group a destination ARN names (`arn:aws:logs:…:log-group:NAME`), or undefined. */
export function logGroupOfArn(_destinationArn: string): string | undefined {
  return undefined;
}
