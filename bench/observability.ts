/**
 * What observing requests costs: the bench API's /mock route on two Porticos of their own, one
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

export async function measureObservability(opts: ObservabilityOptions, rows: Row[]): Promise<void> {
  const { wanted, log } = opts;
  for (const variant of ['off', 'on'] as const) {
    const name = OBSERVABILITY_TARGETS[variant];
    if (!wanted(name)) continue;
    let portico: Portico | undefined;
    let unavailable: string | undefined;
    const dataDir = join(opts.dir, variant, 'data');
    try {
      portico = await startPortico({
        name: `portico-observability-${variant}`,
        repoRoot: opts.repoRoot,
        projectFile: writeProject(opts.benchSrc, join(opts.dir, variant, 'project'), opts.upstreamPort),
        dataDir,
        port: await freePort(),
        readyTimeoutMs: 60_000,
        extraArgs: variant === 'off' ? ['--metrics', 'off', '--logs', 'off'] : ['--logs', 'file'],
      });
      if (variant === 'on') await observe(portico, dataDir);
      log(`observability: ${variant} portico on ${portico.port}`);
    } catch (err) {
      unavailable = `observability setup failed: ${(err as Error).message.split('\n')[0]}`;
      log(unavailable);
    }
    try {
      rows.push(await opts.measure({ name, url: portico && `${portico.invokeBase}/mock`, expect: '"ok":true', unavailable }));
    } finally {
      if (portico) await stop(portico.proc);
    }
  }
}

/** Sets the JSON access log on the bench stage and waits until lines and counts appear. */
async function observe(portico: Portico, dataDir: string): Promise<void> {
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
