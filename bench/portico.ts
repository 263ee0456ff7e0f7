/**
 * Starts Portico for the benchmark: writes the bench project (portico.bench.yaml,
 * bench-api.yaml, functions/) into a temp dir with the live upstream port filled in, or a
 * variant of it with functions and routes added or removed, runs
 * `portico serve` as its own process, and finds the API id the invoke URLs need.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { LOOPBACK, waitForHttp200 } from './net.js';
import { start, stop, type Tracked } from './procs.js';

export const STAGE = 'bench';
const API_TITLE = 'portico-bench';
const PORT_TOKEN = /__UPSTREAM_PORT__/g;
const PROJECT_FILE = 'portico.bench.yaml';
const API_FILE = 'bench-api.yaml';

export interface Portico {
  proc: Tracked;
  port: number;
  apiId: string;
  /** Base of the path-style invoke URL, e.g. http://127.0.0.1:P/_aws/execute-api/ID/bench */
  invokeBase: string;
}

/**
 * AWS's account throttle (10,000 requests/s, burst 5,000) is Portico's default too, and the
 * bench drives more than that: it would measure 429s instead of the gateway. A limit far above
 * what one machine serves keeps the account bucket in every request's path, as it is in
 * production, without it ever refusing.
 */
const BENCH_ACCOUNT_THROTTLE = '100000000:100000000';
const throttleOptionByCli = new Map<string, boolean>();

/** `--account-throttle` for builds that have it (BENCH_PORTICO_CLI may name an older one). */
function accountThrottleArgs(cli: string): string[] {
  let supported = throttleOptionByCli.get(cli);
  if (supported === undefined) {
    const help = spawnSync(process.execPath, [cli, 'serve', '--help'], { encoding: 'utf8', timeout: 10_000 });
    supported = `${help.stdout ?? ''}${help.stderr ?? ''}`.includes('--account-throttle');
    throttleOptionByCli.set(cli, supported);
  }
  return supported ? ['--account-throttle', BENCH_ACCOUNT_THROTTLE] : [];
}

/** BENCH_PORTICO_CLI points at another build (e.g. an installed package) to compare against. */
export function porticoCli(repoRoot: string): string {
  return process.env.BENCH_PORTICO_CLI ?? join(repoRoot, 'dist', 'src', 'cli', 'main.js');
}

/** Copies the bench project into `dir` with the upstream port substituted; returns the project file. */
export function writeProject(benchSrcDir: string, dir: string, upstreamPort: number): string {
  mkdirSync(dir, { recursive: true });
  for (const name of [PROJECT_FILE, API_FILE]) {
    const text = readFileSync(join(benchSrcDir, name), 'utf8').replace(PORT_TOKEN, String(upstreamPort));
    writeFileSync(join(dir, name), text);
  }
  cpSync(join(benchSrcDir, 'functions'), join(dir, 'functions'), { recursive: true });
  return join(dir, PROJECT_FILE);
}

/** The parts of the project file the variants below change. */
export interface ProjectDoc {
  functions?: { name: string; runtime: string; handler: string; codeDirectory: string }[];
  [key: string]: unknown;
}

/** The parts of the OpenAPI document the variants below change. */
export interface ApiDoc {
  paths: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Writes the bench project into `dir` like writeProject, then lets `edit` change the project
 * and the OpenAPI document (e.g. add functions and routes) before they are written back.
 */
export function writeProjectVariant(
  benchSrcDir: string,
  dir: string,
  upstreamPort: number,
  edit: (project: ProjectDoc, api: ApiDoc) => void,
): string {
  const projectFile = writeProject(benchSrcDir, dir, upstreamPort);
  const apiFile = join(dir, API_FILE);
  const project = parseYaml(readFileSync(projectFile, 'utf8')) as ProjectDoc;
  const api = parseYaml(readFileSync(apiFile, 'utf8')) as ApiDoc;
  edit(project, api);
  writeFileSync(projectFile, stringifyYaml(project));
  writeFileSync(apiFile, stringifyYaml(api));
  return projectFile;
}

/** The integration URI an AWS_PROXY route uses to call `functionName`, as in bench-api.yaml. */
export function lambdaUri(functionName: string): string {
  return `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${functionName}/invocations`;
}

interface HealthApi {
  id?: unknown;
  name?: unknown;
  stages?: { stageName?: unknown }[];
}

/**
 * The health JSON lists APIs as `{ apis: [{ id, name, stages: [{ stageName }] }] }`. Health
 * answers while the project is still being deployed, so the API only counts once it is there
 * with the bench stage (when stages are listed at all).
 */
function apiIdFromHealth(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const list = (Array.isArray(json) ? json : (json as { apis?: unknown })?.apis) as HealthApi[] | undefined;
  if (!Array.isArray(list)) return undefined;
  const named = list.find((a) => a?.name === API_TITLE) ?? (list.length === 1 ? list[0] : undefined);
  if (typeof named?.id !== 'string') return undefined;
  if (Array.isArray(named.stages) && !named.stages.some((s) => s?.stageName === STAGE)) return undefined;
  return named.id;
}

/** Fallback: the path-style invoke URL Portico prints once it is serving. */
function apiIdFromOutput(lines: string[]): string | undefined {
  for (const line of lines) {
    const m = new RegExp(`/_aws/execute-api/([A-Za-z0-9]+)/${STAGE}/`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPortico(opts: {
  repoRoot: string;
  projectFile: string;
  dataDir: string;
  port: number;
  readyTimeoutMs: number;
  /** Process name in progress and failure messages; default 'portico'. */
  name?: string;
  /** More `portico serve` options, e.g. --max-instances. */
  extraArgs?: string[];
}): Promise<Portico> {
  const proc = start(opts.name ?? 'portico', process.execPath, serveArgs(opts), { group: true, cwd: opts.repoRoot });
  try {
    return await waitReady(proc, opts.port, opts.readyTimeoutMs);
  } catch (err) {
    // A half-started Portico must not sit beside the other targets while they are measured.
    await stop(proc);
    throw err;
  }
}

/** `portico serve` as the bench runs it: the CLI script, then its options. */
export function serveArgs(opts: { repoRoot: string; projectFile: string; dataDir: string; port: number; extraArgs?: string[] }): string[] {
  const cli = porticoCli(opts.repoRoot);
  if (!existsSync(cli)) throw new Error('portico not built');
  mkdirSync(opts.dataDir, { recursive: true });
  return [
    cli, 'serve', opts.projectFile,
    '--port', String(opts.port),
    '--host', LOOPBACK,
    '--data-dir', opts.dataDir,
    '--stage', STAGE,
    // Printing three log lines per invocation would measure the terminal, not the invoke path.
    '--function-logs', 'off',
    ...accountThrottleArgs(cli),
    ...(opts.extraArgs ?? []),
  ];
}

/** Waits until a Portico started with serveArgs answers, and reads the bench API's id. */
export async function waitReady(proc: Tracked, port: number, timeoutMs: number): Promise<Portico> {
  const base = `http://${LOOPBACK}:${port}`;
  const deadline = Date.now() + timeoutMs;
  let apiId: string | undefined;
  let lastHealth = '';
  while (apiId === undefined) {
    const health = await waitForHttp200(`${base}/_portico/health`, proc, Math.max(1, deadline - Date.now()));
    lastHealth = health.body;
    apiId = apiIdFromHealth(health.body) ?? apiIdFromOutput(proc.tail);
    if (apiId !== undefined) break;
    if (Date.now() > deadline) {
      throw new Error(`portico answers but API '${API_TITLE}' with stage '${STAGE}' is not in /_portico/health (${lastHealth.slice(0, 200)}) or its output`);
    }
    await sleep(200);
  }
  return { proc, port, apiId, invokeBase: `${base}/_aws/execute-api/${apiId}/${STAGE}` };
}
