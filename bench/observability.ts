/**
 * What observing requests costs: the bench API's /mock route on Porticos of their own, one
 * started with `--metrics off --logs off` (nothing recorded), the other with metrics on (the
 * default) and the stage's access log set, through UpdateStage as a user sets it, to the JSON
 * format AWS's console offers, written to a log file. Both serve the same route with the same
 * settings otherwise, so the pair differs by the observation alone.
 *
 * Before measuring, the driver checks that the observed Portico really writes access log lines
 * and counts requests at /_portico/metrics, so the pair can never compare two unobserved runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIGatewayClient, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { LOOPBACK, assertLoopbackUrl, freePort, httpGet } from './net.js';
import { STAGE, startPortico, writeProject, type Portico } from './portico.js';
import { stop } from './procs.js';
import { OBSERVABILITY_TARGETS, type Row } from './report.js';
import { logFilePath } from '../src/observability/log-sinks.js';

/** A wrk target as run.ts measures it. */
interface ObservedTarget {
  name: string;
  url?: string;
  expect?: string;
  unavailable?: string;
}

export interface ObservabilityOptions {
  repoRoot: string;
  benchSrc: string;
  /** Scratch directory for projects and data directories. */
  dir: string;
  /** Placeholder for the bench API's HTTP_PROXY routes, which nothing here calls. */
  upstreamPort: number;
  wanted(name: string): boolean;
  measure(t: ObservedTarget): Promise<Row>;
  log(msg: string): void;
}

export const OBSERVABILITY_NAMES: readonly string[] = Object.values(OBSERVABILITY_TARGETS);

/** The log group the observed stage writes to. */
const ACCESS_LOG_GROUP = 'portico-bench-access';
const ACCESS_LOG_ARN = `arn:aws:logs:us-east-1:000000000000:log-group:${ACCESS_LOG_GROUP}`;
/** AWS's JSON example format, on one line. */
const JSON_FORMAT =
  '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId", "ip": "$context.identity.sourceIp", ' +
  '"caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", ' +
  '"httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", ' +
  '"protocol":"$context.protocol", "responseLength":"$context.responseLength" }';

/**
 * Two processes serving the same route differ by up to a fifth in req/s on the machines the
 * bench runs on (measured: two identical Porticos side by side; six fresh processes of the same
 * variant in a row once ranged from 21k to 39k req/s), so one run of each variant cannot tell a
 * few percent apart. Each variant is measured ROUNDS times, each time in a fresh process, the
 * order alternating between rounds, and the median run stands for it: with five, two unlucky
 * runs of a variant still leave its median to a typical one.
 */
const ROUNDS = 5;

export async function measureObservability(opts: ObservabilityOptions, rows: Row[]): Promise<void> {
  const { wanted, log } = opts;
  const variants = (['off', 'on'] as const).filter((variant) => wanted(OBSERVABILITY_TARGETS[variant]));
  const runs: Record<'off' | 'on', Row[]> = { off: [], on: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) runs[variant].push(await measureOnce(opts, variant, round));
  }
  for (const variant of variants) {
    const ok = runs[variant].filter((r) => r.ok && r.requestsPerSec !== undefined);
    if (ok.length === 0) {
      rows.push(runs[variant][0] ?? { target: OBSERVABILITY_TARGETS[variant], ok: false, note: 'not measured' });
      continue;
    }
    const sorted = [...ok].sort((a, b) => a.requestsPerSec! - b.requestsPerSec!);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const all = runs[variant].map((r) => (r.requestsPerSec === undefined ? 'failed' : String(Math.round(r.requestsPerSec)))).join(', ');
    const note = `median of ${ok.length} fresh processes (${all} req/s)${median.note ? `; ${median.note}` : ''}`;
    rows.push({ ...median, note });
    log(`observability: ${variant}: ${note}`);
  }
}

async function measureOnce(opts: ObservabilityOptions, variant: 'off' | 'on', round: number): Promise<Row> {
  const name = OBSERVABILITY_TARGETS[variant];
  let portico: Portico | undefined;
  let unavailable: string | undefined;
  const dir = join(opts.dir, `${variant}-${round}`);
  const dataDir = join(dir, 'data');
  try {
    portico = await startPortico({
      name: `portico-observability-${variant}`,
      repoRoot: opts.repoRoot,
      projectFile: writeProject(opts.benchSrc, join(dir, 'project'), opts.upstreamPort),
      dataDir,
      port: await freePort(),
      readyTimeoutMs: 60_000,
      extraArgs: variant === 'off' ? ['--metrics', 'off', '--logs', 'off'] : ['--logs', 'file'],
    });
    if (variant === 'on') await observe(portico, dataDir);
    opts.log(`observability: ${variant} portico on ${portico.port}, round ${round + 1} of ${ROUNDS}`);
  } catch (err) {
    unavailable = `observability setup failed: ${(err as Error).message.split('\n')[0]}`;
    opts.log(unavailable);
  }
  try {
    return await opts.measure({ name, url: portico && `${portico.invokeBase}/mock`, expect: '"ok":true', unavailable });
  } finally {
    if (portico) await stop(portico.proc);
  }
}

/** Sets AWS's JSON access log format on the bench stage through UpdateStage, as a user would. */
export async function setJsonAccessLog(portico: Portico): Promise<void> {
  const endpoint = `http://${LOOPBACK}:${portico.port}`;
  assertLoopbackUrl(endpoint);
  const client = new APIGatewayClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 2 });
  try {
    await client.send(
      new UpdateStageCommand({
        restApiId: portico.apiId,
        stageName: STAGE,
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: ACCESS_LOG_ARN },
          { op: 'replace', path: '/accessLogSettings/format', value: JSON_FORMAT },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Sets the JSON access log on the bench stage and waits until lines and counts appear. */
async function observe(portico: Portico, dataDir: string): Promise<void> {
  const endpoint = `http://${LOOPBACK}:${portico.port}`;
  await setJsonAccessLog(portico);
  const file = logFilePath(join(dataDir, 'logs'), ACCESS_LOG_GROUP);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await httpGet(`${portico.invokeBase}/mock`, 5_000);
    const metrics = await httpGet(`${endpoint}/_portico/metrics`, 5_000);
    const logged = existsSync(file) && readFileSync(file, 'utf8').includes('"httpMethod":"GET"');
    if (logged && metrics.status === 200 && metrics.body.includes('apigateway_count')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no access log lines in ${file} or no counts at /_portico/metrics after 15 s`);
}
