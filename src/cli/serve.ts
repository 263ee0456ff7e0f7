/**
 * `portico serve [FILE...]`: imports OpenAPI files or a project file, deploys them to a stage
 * and serves every stored stage on one port. Loaded only for this command, so the others start
 * without the server's modules.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Portico, type DeployedApi } from '../portico.js';
import { isProjectDocument, ProjectError } from '../importers/project.js';
import { OpenApiImportError } from '../importers/openapi.js';
import { BadRequestError, NotFoundError } from '../control/rest-apis.js';
import { AdminCredentialsError } from '../auth/admin-credentials.js';
import { VERSION } from '../version.js';
import { TrafficConfigurationError } from '../traffic/traffic-services.js';
import { CacheConfigurationError } from '../traffic/response-cache.js';
import { parseSamplingRules, SamplingRulesError } from '../observability/sampling-rules.js';
import { UsageError } from './usage-error.js';

const SERVE_HELP = `Usage: portico serve [FILE...] [options]

Imports each FILE (an OpenAPI 3.0 / Swagger 2.0 document in JSON or YAML, or a portico.yaml
project naming APIs and functions), deploys it to a stage, and serves every stored stage.
Serving the same file again updates that API in place. With no FILE, serves what the data
directory already holds.

Options:
  --port N          port to listen on (default 4566)
  --host ADDR       address to bind (default 127.0.0.1)
  --data-dir DIR    where the embedded store lives (default ./.portico)
  --stage NAME      stage to deploy FILEs to (default dev)
  --region NAME     region used in ARNs (default us-east-1)
  --account-id ID   12-digit account id used in ARNs (default 000000000000)
  --account-throttle RATE:BURST
                    the account-level throttle, requests per second and burst
                    (default 10000:5000, AWS's)
  --admin-credentials FILE
                    JSON file of access keys allowed to call the AWS APIs (Lambda, …);
                    without it (or PORTICO_ADMIN_ACCESS_KEY_ID/PORTICO_ADMIN_SECRET_ACCESS_KEY),
                    only the pair test/test is accepted, and only on a loopback --host
  --function-logs MODE
                    stdout (default): print each function's log, framed by START/END/REPORT;
                    off: discard them
  --max-instances N function instances allowed at once across all functions
                    (default: four per CPU, at least 8)
  --redis URL       keep stage response caches in this Redis (redis://host:port),
                    shared with every Portico using it (or PORTICO_REDIS_URL); without
                    it each stage's cache is in memory. Encrypted entries
                    (cacheDataEncrypted) need PORTICO_CACHE_KEY (32 bytes, hex or base64)
  --metrics on|off  count requests and serve /_portico/metrics (default on)
  --logs MODE       where stages' access and execution logs go: file (default, one file
                    per log group under DATA_DIR/logs, rotated), stdout, or off
  --otlp-endpoint URL
                    OTLP/HTTP collector (http://host:4318) receiving traces of stages with
                    tracingEnabled and a copy of every log event (or PORTICO_OTLP_ENDPOINT,
                    then OTEL_EXPORTER_OTLP_ENDPOINT)
  --sampling-rules FILE
                    X-Ray sampling rules (JSON) for traced stages; default: the first
                    request each second, then 5%
  -h, --help        show this help`;

/** The sampling rules file, parsed and checked, so a bad rule is a usage error before anything starts. */
async function readSamplingRules(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--sampling-rules ${file} is not JSON: ${(err as Error).message}`);
  }
  try {
    parseSamplingRules(rules);
  } catch (err) {
    if (err instanceof SamplingRulesError) throw new UsageError(`--sampling-rules ${file}: ${err.message}`);
    throw err;
  }
  return rules;
}

/** Whether the error is one the user caused and can fix: printed as one line, exit status 2. */
export function isUserError(err: unknown): boolean {
  if (err instanceof UsageError || err instanceof ProjectError || err instanceof OpenApiImportError) return true;
  if (err instanceof BadRequestError || err instanceof NotFoundError || err instanceof AdminCredentialsError) return true;
  if (err instanceof TrafficConfigurationError || err instanceof CacheConfigurationError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EISDIR';
}

/** The one line that says what went wrong. */
export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e.code === 'EADDRINUSE') return `port ${e.port} is already in use (choose another with --port)`;
  if (e.code === 'EADDRNOTAVAIL') return `cannot bind to ${e.address}: no such local address`;
  if (e.code === 'ENOENT' && e.path) return `no such file: ${e.path}`;
  return e.message;
}

export async function serve(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        'account-throttle': { type: 'string' },
        'admin-credentials': { type: 'string' },
        'function-logs': { type: 'string' },
        'max-instances': { type: 'string' },
        redis: { type: 'string' },
        metrics: { type: 'string' },
        logs: { type: 'string' },
        'otlp-endpoint': { type: 'string' },
        'sampling-rules': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see 'portico serve --help')`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(SERVE_HELP);
    return;
  }
  const envPort = process.env.PORTICO_PORT;
  const port = Number(values.port ?? envPort ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not '${values.port}'`);
  const stageName = values.stage ?? 'dev';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) throw new UsageError(`--stage '${stageName}' must use letters, digits, '-' or '_'`);

  const functionLogs = values['function-logs'] ?? 'stdout';
  if (functionLogs !== 'stdout' && functionLogs !== 'off') throw new UsageError(`--function-logs must be stdout or off, not '${functionLogs}'`);
  const maxInstances = values['max-instances'] === undefined ? undefined : Number(values['max-instances']);
  if (maxInstances !== undefined && (!Number.isInteger(maxInstances) || maxInstances < 1 || maxInstances > 1024)) {
    throw new UsageError(`--max-instances must be a whole number from 1 to 1024, not '${values['max-instances']}'`);
  }

  const metrics = values.metrics ?? 'on';
  if (metrics !== 'on' && metrics !== 'off') throw new UsageError(`--metrics must be on or off, not '${metrics}'`);
  const logs = values.logs ?? 'file';
  if (logs !== 'file' && logs !== 'stdout' && logs !== 'off') throw new UsageError(`--logs must be file, stdout or off, not '${logs}'`);
  const otlpEndpoint = values['otlp-endpoint'];
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) throw new UsageError(`--otlp-endpoint must be an http(s) URL, not '${otlpEndpoint}'`);
  const samplingRules = values['sampling-rules'] === undefined ? undefined : await readSamplingRules(values['sampling-rules']);

  const portico = await Portico.start({
    port,
    metrics: metrics === 'on',
    logs,
    otlpEndpoint,
    samplingRules,
    adminCredentialsFile: values['admin-credentials'],
    functionLogs: functionLogs === 'stdout' ? printFunctionLog : undefined,
    onFunctionReload: (name) => console.log(`portico: function ${name} reloaded (its code changed)`),
    maxFunctionInstances: maxInstances,
    redisUrl: values.redis,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? process.env.PORTICO_DATA_DIR ?? '.portico',
    account: {
      ...(values.region ? { region: values.region } : {}),
      ...(values['account-id'] ? { accountId: values['account-id'] } : {}),
      ...(values['account-throttle'] ? { throttle: accountThrottleOf(values['account-throttle']) } : {}),
    },
  });
  const shutdown = (): void => {
    portico.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    const deployed: DeployedApi[] = [];
    for (const file of positionals) {
      const text = await readFile(resolve(file), 'utf8');
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch {
        doc = undefined; // the OpenAPI importer reports syntax errors with their line
      }
      if (isProjectDocument(doc)) deployed.push(...(await portico.deployProject(file, { stageName })));
      else deployed.push(await portico.deployOpenApiFile(file, { stageName }));
    }
    console.log(`portico ${VERSION} listening on ${portico.url}`);
    const stages = portico.registry.list();
    if (stages.length === 0) console.log('No deployed stages yet: run portico serve FILE to deploy an OpenAPI file.');
    for (const stage of stages) {
      const fresh = deployed.some((d) => d.api.id === stage.apiId && d.stage.stageName === stage.stageName);
      console.log(`${fresh ? '* ' : '  '}${stage.apiName} (${stage.apiId}) stage ${stage.stageName}`);
      console.log(`    ${portico.invokeUrl(stage.apiId, stage.stageName, 'host')}/`);
      console.log(`    ${portico.invokeUrl(stage.apiId, stage.stageName, 'path')}/`);
    }
    console.log('Press Ctrl+C to stop.');
  } catch (err) {
    await portico.close();
    throw err;
  }
}

const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;

/** Prints a function's log lines, each prefixed with the function's name. */
function printFunctionLog(functionName: string, text: string): void {
  const prefix = colour ? `\x1b[36m${functionName}\x1b[0m ` : `${functionName} `;
  const lines = text.endsWith('\n') ? text.slice(0, -1) : text;
  process.stdout.write(prefix + lines.split('\n').join(`\n${prefix}`) + '\n');
}

/** `RATE:BURST`, e.g. `100:50`; the rate may be fractional, the burst is a whole number. */
function accountThrottleOf(text: string): { rateLimit: number; burstLimit: number } {
  const m = /^(\d+(?:\.\d+)?):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--account-throttle wants RATE:BURST (e.g. 100:50), not '${text}'`);
  return { rateLimit: Number(m[1]), burstLimit: Number(m[2]) };
}
