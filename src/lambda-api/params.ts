/**
 * Request bodies of the Lambda API: JSON parsing and the checks Lambda makes on function
 * settings, with Lambda's error codes and wording. Settings Portico cannot honour in a way that
 * changes behaviour (layers, container images) are refused rather than silently dropped;
 * settings that only matter in AWS (VPC, KMS, tracing, DLQ, …) are accepted and ignored.
 */
import {
  FUNCTION_MEMORY_MAX_MB,
  FUNCTION_MEMORY_MIN_MB,
  FUNCTION_RUNTIMES,
  FUNCTION_TIMEOUT_MAX_S,
  type FunctionRuntime,
} from '../model/function.js';
import { invalidContent, invalidParameter, ValidationErrors } from './errors.js';

export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request body as a JSON object; an empty body is `{}`. */
export function parseJsonBody(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidContent((err as Error).message);
  }
  if (!isObject(parsed)) throw invalidContent('the request body must be a JSON object');
  return parsed;
}

/** Wrong JSON types are a serialization failure in Lambda, not a constraint violation. */
function typed<T>(obj: JsonObject, key: string, type: 'string' | 'number' | 'boolean' | 'object' | 'array'): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const ok =
    type === 'array' ? Array.isArray(value) : type === 'object' ? isObject(value) : typeof value === type;
  if (!ok) throw invalidContent(`${key} must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}`);
  return value as T;
}

export const optionalString = (obj: JsonObject, key: string): string | undefined => typed<string>(obj, key, 'string');
export const optionalBoolean = (obj: JsonObject, key: string): boolean | undefined => typed<boolean>(obj, key, 'boolean');
export const optionalObject = (obj: JsonObject, key: string): JsonObject | undefined => typed<JsonObject>(obj, key, 'object');

function optionalInteger(obj: JsonObject, key: string): number | undefined {
  const value = typed<number>(obj, key, 'number');
  if (value !== undefined && !Number.isInteger(value)) throw invalidContent(`${key} must be a whole number`);
  return value;
}

function stringMap(obj: JsonObject, key: string): Record<string, string> | undefined {
  const value = optionalObject(obj, key);
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidContent(`${key}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER_PATTERN = /^[^\s]+$/;
const ENVIRONMENT_KEY_PATTERN = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const ENVIRONMENT_MAX_BYTES = 4096;

/** Variables the Lambda environment sets itself; Lambda refuses them in a function's configuration. */
const RESERVED_ENVIRONMENT_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** The function settings CreateFunction and UpdateFunctionConfiguration share, checked. */
export interface FunctionSettings {
  runtime?: FunctionRuntime;
  role?: string;
  handler?: string;
  description?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
}

export function readFunctionSettings(body: JsonObject): FunctionSettings {
  const settings: FunctionSettings = {};
  const problems = new ValidationErrors();

  const role = optionalString(body, 'Role');
  if (role !== undefined) {
    if (!ROLE_PATTERN.test(role)) {
      problems.add(role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
    }
    settings.role = role;
  }
  const handler = optionalString(body, 'Handler');
  if (handler !== undefined) {
    if (handler.length > 128) problems.add(handler, 'handler', 'Member must have length less than or equal to 128');
    else if (!HANDLER_PATTERN.test(handler)) problems.add(handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
    settings.handler = handler;
  }
  const description = optionalString(body, 'Description');
  if (description !== undefined) {
    if (description.length > 256) problems.add(description, 'description', 'Member must have length less than or equal to 256');
    settings.description = description;
  }
  const timeout = optionalInteger(body, 'Timeout');
  if (timeout !== undefined) {
    if (timeout < 1) problems.add(timeout, 'timeout', 'Member must have value greater than or equal to 1');
    else if (timeout > FUNCTION_TIMEOUT_MAX_S) problems.add(timeout, 'timeout', `Member must have value less than or equal to ${FUNCTION_TIMEOUT_MAX_S}`);
    settings.timeout = timeout;
  }
  const memorySize = optionalInteger(body, 'MemorySize');
  if (memorySize !== undefined) {
    if (memorySize < FUNCTION_MEMORY_MIN_MB) problems.add(memorySize, 'memorySize', `Member must have value greater than or equal to ${FUNCTION_MEMORY_MIN_MB}`);
    else if (memorySize > FUNCTION_MEMORY_MAX_MB) problems.add(memorySize, 'memorySize', `Member must have value less than or equal to ${FUNCTION_MEMORY_MAX_MB}`);
    settings.memorySize = memorySize;
  }
  const environment = optionalObject(body, 'Environment');
  if (environment !== undefined) {
    const variables = stringMap(environment, 'Variables') ?? {};
    const badKeys = Object.keys(variables).filter((k) => !ENVIRONMENT_KEY_PATTERN.test(k));
    if (badKeys.length > 0) {
      problems.add(
        badKeys.join(', '),
        'environment.variables',
        'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]',
      );
    }
    settings.environment = variables;
  }
  // Constraint violations are reported before business rules, as Lambda's front end does.
  problems.throwIfAny();

  const runtime = optionalString(body, 'Runtime');
  if (runtime !== undefined) settings.runtime = checkRuntime(runtime);
  if (settings.environment) checkEnvironment(settings.environment);
  refuseUnsupported(body);
  return settings;
}

function checkRuntime(runtime: string): FunctionRuntime {
  if (!FUNCTION_RUNTIMES.includes(runtime as FunctionRuntime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported by Portico for creating or updating functions. ` +
        `Supported runtimes: ${FUNCTION_RUNTIMES.join(', ')}.`,
    );
  }
  return runtime as FunctionRuntime;
}

function checkEnvironment(variables: Record<string, string>): void {
  const reserved = Object.keys(variables).filter((k) => RESERVED_ENVIRONMENT_KEYS.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > ENVIRONMENT_MAX_BYTES) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}

/** Settings whose absence would make the function behave differently here than in Lambda. */
function refuseUnsupported(body: JsonObject): void {
  const layers = typed<unknown[]>(body, 'Layers', 'array');
  if (layers && layers.length > 0) {
    throw invalidParameter('Portico does not support Lambda layers; bundle the layer contents into the function code instead.');
  }
  const packageType = optionalString(body, 'PackageType');
  if (packageType !== undefined && packageType !== 'Zip') {
    throw invalidParameter(`Portico runs Zip functions only; PackageType ${packageType} (container images) is not supported.`);
  }
  if (optionalObject(body, 'ImageConfig') !== undefined) {
    throw invalidParameter('Portico runs Zip functions only; ImageConfig (container images) is not supported.');
  }
}

/** `Architectures`: exactly one of Lambda's two; recorded and reported, not emulated. */
export function readArchitectures(body: JsonObject): ('x86_64' | 'arm64')[] | undefined {
  const value = typed<unknown[]>(body, 'Architectures', 'array');
  if (value === undefined) return undefined;
  const problems = new ValidationErrors();
  if (value.length !== 1) problems.add(value, 'architectures', 'Member must have length less than or equal to 1');
  else if (value[0] !== 'x86_64' && value[0] !== 'arm64') {
    problems.add(value, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]');
  }
  problems.throwIfAny();
  return value as ('x86_64' | 'arm64')[];
}

export function readTags(body: JsonObject): Record<string, string> | undefined {
  return stringMap(body, 'Tags');
}

/** Where the new code comes from: the zip bytes, a local directory, or nothing given. */
export type CodeSource = { kind: 'zip'; zip: Buffer } | { kind: 'directory'; path: string } | { kind: 'none' };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads `ZipFile` / `S3Bucket` + `S3Key` / `ImageUri` from CreateFunction's `Code` or
 * UpdateFunctionCode's body.
 */
export function readCodeSource(code: JsonObject, localBuckets: readonly string[]): CodeSource {
  const zipFile = optionalString(code, 'ZipFile');
  const bucket = optionalString(code, 'S3Bucket');
  const key = optionalString(code, 'S3Key');
  optionalString(code, 'S3ObjectVersion');
  const imageUri = optionalString(code, 'ImageUri');
  if (imageUri !== undefined) {
    throw invalidParameter('Portico runs Zip functions only; container images (ImageUri) are not supported.');
  }
  if (zipFile !== undefined && (bucket !== undefined || key !== undefined)) {
    throw invalidParameter('Please provide only one source for function code: ZipFile, or S3Bucket and S3Key.');
  }
  if (zipFile !== undefined) {
    if (!BASE64.test(zipFile) || zipFile.length % 4 !== 0) throw invalidContent('ZipFile must be base64-encoded');
    return { kind: 'zip', zip: Buffer.from(zipFile, 'base64') };
  }
  if (bucket !== undefined || key !== undefined) {
    if (bucket === undefined || key === undefined) throw invalidParameter('Please provide both S3Bucket and S3Key for function code.');
    if (!localBuckets.includes(bucket)) {
      throw invalidParameter(
        `Portico cannot fetch code from S3 bucket '${bucket}'. Upload the zip as ZipFile, or serve a local directory ` +
          `with S3Bucket '${localBuckets[0]}' and S3Key set to its absolute path.`,
      );
    }
    return { kind: 'directory', path: key };
  }
  return { kind: 'none' };
}
