/**
 * The project file (`portico.yaml`): which OpenAPI files to serve and the functions their
 * Lambda integrations name. Paths are relative to the project file.
 *
 *   apis:
 *     - openapi: ./openapi.yaml
 *       apiId: petstore01          # optional fixed id (10 lower-case letters/digits)
 *       stage: dev                 # optional, defaults to the --stage option
 *       stageVariables: { key: value }
 *   functions:
 *     - name: hello
 *       runtime: nodejs20.x
 *       handler: index.handler
 *       codeDirectory: ./functions/hello
 *       environment: { KEY: value }
 *       timeout: 3
 *       memorySize: 128
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  FUNCTION_MEMORY_DEFAULT_MB,
  FUNCTION_MEMORY_MAX_MB,
  FUNCTION_MEMORY_MIN_MB,
  FUNCTION_NAME_PATTERN,
  FUNCTION_RUNTIMES,
  FUNCTION_TIMEOUT_DEFAULT_S,
  FUNCTION_TIMEOUT_MAX_S,
  type FunctionDefinition,
  type FunctionRuntime,
} from '../model/function.js';
import { API_ID_PATTERN } from '../model/ids.js';

export interface ProjectApi {
  /** Absolute path of the OpenAPI file. */
  openapi: string;
  /** A fixed API id, so invoke URLs stay the same across fresh data directories. */
  apiId?: string;
  stageName?: string;
  stageVariables?: Record<string, string>;
}

export interface Project {
  file: string;
  apis: ProjectApi[];
  functions: FunctionDefinition[];
}

export class ProjectError extends Error {
  override readonly name = 'ProjectError';
}

/** True when a file looks like a project file rather than an OpenAPI document. */
export function isProjectDocument(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && ('apis' in doc || 'functions' in doc) && !('openapi' in doc) && !('swagger' in doc);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ProjectError(`${where} must be a map of names to values`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ProjectError(`${where}.${k} must be a string`);
    }
    out[k] = String(v);
  }
  return out;
}

export async function readProject(file: string): Promise<Project> {
  const path = resolve(file);
  let doc: unknown;
  try {
    doc = parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ProjectError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseProject(doc, path);
}

export async function parseProject(doc: unknown, path: string): Promise<Project> {
  const base = dirname(path);
  if (!isRecord(doc)) throw new ProjectError(`${path}: a project file is a map with 'apis' and 'functions'`);
  const apis: ProjectApi[] = [];
  const rawApis = doc.apis ?? [];
  if (!Array.isArray(rawApis)) throw new ProjectError(`${path}: 'apis' must be a list`);
  rawApis.forEach((entry: unknown, i) => {
    const where = `${path}: apis[${i}]`;
    const spec = typeof entry === 'string' ? { openapi: entry } : entry;
    if (!isRecord(spec) || typeof spec.openapi !== 'string') throw new ProjectError(`${where} needs 'openapi: <file>'`);
    if (spec.stage !== undefined && typeof spec.stage !== 'string') throw new ProjectError(`${where}.stage must be a string`);
    if (spec.apiId !== undefined && (typeof spec.apiId !== 'string' || !API_ID_PATTERN.test(spec.apiId))) {
      throw new ProjectError(`${where}.apiId must be 10 lower-case letters or digits, like AWS's API ids`);
    }
    apis.push({
      openapi: resolve(base, spec.openapi),
      apiId: spec.apiId as string | undefined,
      stageName: spec.stage as string | undefined,
      stageVariables: spec.stageVariables === undefined ? undefined : stringMap(spec.stageVariables, `${where}.stageVariables`),
    });
  });

  const functions: FunctionDefinition[] = [];
  const rawFunctions = doc.functions ?? [];
  if (!Array.isArray(rawFunctions)) throw new ProjectError(`${path}: 'functions' must be a list`);
  const seen = new Set<string>();
  for (const [i, entry] of rawFunctions.entries()) {
    const where = `${path}: functions[${i}]`;
    if (!isRecord(entry)) throw new ProjectError(`${where} must be a map`);
    const name = entry.name;
    if (typeof name !== 'string' || !FUNCTION_NAME_PATTERN.test(name)) {
      throw new ProjectError(`${where}.name must be 1-64 letters, digits, '-' or '_'`);
    }
    if (seen.has(name)) throw new ProjectError(`${where}: function '${name}' is declared twice`);
    seen.add(name);
    const runtime = entry.runtime ?? 'nodejs20.x';
    if (!FUNCTION_RUNTIMES.includes(runtime as FunctionRuntime)) {
      throw new ProjectError(`${where}.runtime '${String(runtime)}' is not one of ${FUNCTION_RUNTIMES.join(', ')}`);
    }
    if (typeof entry.handler !== 'string' || entry.handler === '') throw new ProjectError(`${where}.handler is required, e.g. index.handler`);
    const code = entry.codeDirectory ?? entry.codeUri ?? entry.code;
    if (typeof code !== 'string') throw new ProjectError(`${where}.codeDirectory is required`);
    const codeDirectory = resolve(base, code);
    const info = await stat(codeDirectory).catch(() => undefined);
    if (!info?.isDirectory()) throw new ProjectError(`${where}.codeDirectory ${codeDirectory} is not a directory`);
    const timeout = entry.timeout ?? FUNCTION_TIMEOUT_DEFAULT_S;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > FUNCTION_TIMEOUT_MAX_S) {
      throw new ProjectError(`${where}.timeout must be a whole number of seconds from 1 to ${FUNCTION_TIMEOUT_MAX_S}`);
    }
    const memorySize = entry.memorySize ?? FUNCTION_MEMORY_DEFAULT_MB;
    if (typeof memorySize !== 'number' || !Number.isInteger(memorySize) || memorySize < FUNCTION_MEMORY_MIN_MB || memorySize > FUNCTION_MEMORY_MAX_MB) {
      throw new ProjectError(`${where}.memorySize must be a whole number of MB from ${FUNCTION_MEMORY_MIN_MB} to ${FUNCTION_MEMORY_MAX_MB}`);
    }
    const reservedConcurrency = entry.reservedConcurrency;
    if (reservedConcurrency !== undefined && (typeof reservedConcurrency !== 'number' || !Number.isInteger(reservedConcurrency) || reservedConcurrency < 1)) {
      throw new ProjectError(`${where}.reservedConcurrency must be a positive whole number`);
    }
    functions.push({
      functionName: name,
      runtime: runtime as FunctionRuntime,
      handler: entry.handler,
      codeDirectory,
      timeout,
      memorySize,
      environment: stringMap(entry.environment, `${where}.environment`),
      reservedConcurrency: reservedConcurrency as number | undefined,
    });
  }
  return { file: path, apis, functions };
}
