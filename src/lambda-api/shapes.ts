/**
 * What the Lambda API returns for a function: FunctionConfiguration exactly as Lambda renders
 * it, and GetFunction's envelope. Functions declared in a project file carry none of the
 * Lambda-only fields; they get Lambda's defaults and values derived from the definition, so
 * they list and describe like any other function.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { functionArn, type FunctionDefinition } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import { sha256Base64 } from './code.js';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: '$LATEST';
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: 'PassThrough' };
  RevisionId: string;
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip';
  Architectures: string[];
  EphemeralStorage: { Size: number };
  SnapStart: { ApplyOn: 'None'; OptimizationStatus: 'Off' };
  LoggingConfig: { LogFormat: 'Text'; LogGroup: string };
}

/** Lambda's LastModified format: `2026-11-21T10:00:00.000+0000`. */
export const lambdaTimestamp = (date: Date = new Date()): string => date.toISOString().replace('Z', '+0000');

export const defaultRole = (account: AccountSettings): string => `arn:aws:iam::${account.accountId}:role/portico-local`;

/**
 * The function's RevisionId. Definitions written by the Lambda API store one; for the others it
 * is derived from the definition, so it is stable until the definition changes.
 */
export function revisionOf(fn: FunctionDefinition): string {
  if (fn.revisionId) return fn.revisionId;
  const h = createHash('sha256').update(JSON.stringify(fn)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function lastModifiedOf(fn: FunctionDefinition): Promise<string> {
  if (fn.lastModified) return fn.lastModified;
  // A project-file function changes when its directory does; that is the best "modified" there is.
  const info = await stat(fn.codeDirectory).catch(() => undefined);
  return lambdaTimestamp(info?.mtime ?? new Date(0));
}

export async function functionConfiguration(fn: FunctionDefinition, account: AccountSettings): Promise<FunctionConfiguration> {
  const config: FunctionConfiguration = {
    FunctionName: fn.functionName,
    FunctionArn: functionArn(account.region, account.accountId, fn.functionName),
    Runtime: fn.runtime,
    Role: fn.role ?? defaultRole(account),
    Handler: fn.handler,
    CodeSize: fn.codeSize ?? 0,
    Description: fn.description ?? '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: await lastModifiedOf(fn),
    CodeSha256: fn.codeSha256 ?? sha256Base64(fn.codeDirectory),
    Version: '$LATEST',
    // Lambda leaves Environment out entirely when a function has no variables.
    ...(Object.keys(fn.environment).length > 0 ? { Environment: { Variables: { ...fn.environment } } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionOf(fn),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: fn.architectures ?? ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.functionName}` },
  };
  return config;
}

export interface GetFunctionResponse {
  Configuration: FunctionConfiguration;
  Code: { RepositoryType: 'S3'; Location: string };
  Tags?: Record<string, string>;
  Concurrency?: { ReservedConcurrentExecutions: number };
}

export async function getFunctionResponse(fn: FunctionDefinition, account: AccountSettings, location: string): Promise<GetFunctionResponse> {
  const response: GetFunctionResponse = {
    Configuration: await functionConfiguration(fn, account),
    Code: { RepositoryType: 'S3', Location: location },
  };
  if (fn.tags && Object.keys(fn.tags).length > 0) response.Tags = { ...fn.tags };
  if (fn.reservedConcurrency !== undefined) response.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
  return response;
}
