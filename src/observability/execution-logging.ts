/**
 * Execution logs of a stage's methods on the data plane. (Interface fixed; implementation to follow.)
 */
import type { Invocation } from '../gateway/invocation.js';
import type { RequestObservation } from './request-observation.js';

export type LoggingLevel = 'OFF' | 'ERROR' | 'INFO';

/** AWS's log group of a stage's execution logs. */
export function executionLogGroup(apiId: string, stageName: string): string {
  return `API-Gateway-Execution-Logs_${apiId}/${stageName}`;
}

export interface MethodExecutionLogging {
  /** Starts the request's execution log (sets `inv.log`) with its method request lines. */
  begin(inv: Invocation): void;
  /** Writes the finished request's lines that the level asks for. */
  end(obs: RequestObservation, write: (message: string, epochMs: number) => void): void;
}

export function compileExecutionLogging(_setting: { loggingLevel: LoggingLevel; dataTraceEnabled: boolean }): MethodExecutionLogging | undefined {
  return undefined;
}
