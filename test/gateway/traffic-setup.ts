/**
 * What the throttling and quota tests share: a real Portico (memory or Redis backends) with the
 * real AWS SDK pointed at it, MOCK APIs built and configured through the management API, usage
 * plans and keys, requests that must settle within a bound, and a private redis-server that a
 * test may kill and restart.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect as tcpConnect, createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
  type ApiStage,
  type QuotaSettings,
  type ThrottleSettings,
} from '@aws-sdk/client-api-gateway';
import { Portico, type PorticoOptions } from '../../src/portico.js';
import { rawRequest, tempDir, type RawResponse } from '../helpers.js';

export const STAGE = 'dev';

export interface TrafficHarness {
  portico: Portico;
  v1: APIGatewayClient;
  dataDir: string;
  /** Stops Portico; the data directory stays until `remove`. */
  close(): Promise<void>;
  /** Stops Portico and deletes its data directory. */
  remove(): Promise<void>;
}

/** A Portico on an ephemeral port, in `dataDir` (a new temporary one by default). */
export async function startPortico(options: PorticoOptions & { dataDir?: string } = {}): Promise<TrafficHarness> {
  const dir = options.dataDir === undefined ? await tempDir('portico-traffic-') : undefined;
  const dataDir = options.dataDir ?? dir!.path;
  const portico = await Portico.start({ port: 0, ...options, dataDir });
  const v1 = new APIGatewayClient({
    endpoint: `http://127.0.0.1:${portico.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    v1.destroy();
    await portico.close();
  };
  return { portico, v1, dataDir, close, remove: async () => (await close(), await dir?.remove()) };
}

/** A REST API of MOCK GET methods answering `{"ok":true}`, deployed to STAGE. */
export async function mockApi(h: TrafficHarness, name: string, paths: { path: string; keyed?: boolean }[]): Promise<string> {
  const api = await h.v1.send(new CreateRestApiCommand({ name }));
  for (const { path, keyed } of paths) {
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: path }));
    const at = { restApiId: api.id, resourceId: resource.id, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE', apiKeyRequired: keyed === true }));
    await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }));
  }
  await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: STAGE }));
  await h.portico.registry.settled();
  return api.id!;
}

/** Sets stage method settings (`/*\/*\/throttling/rateLimit`, …) and waits for the recompile. */
export async function setStage(h: TrafficHarness, apiId: string, settings: Record<string, string>): Promise<void> {
  const patchOperations = Object.entries(settings).map(([path, value]) => ({ op: 'replace' as const, path, value }));
  await h.v1.send(new UpdateStageCommand({ restApiId: apiId, stageName: STAGE, patchOperations }));
  await h.portico.registry.settled();
}

/** An enabled API key. */
export async function newKey(h: TrafficHarness, name: string): Promise<{ id: string; value: string }> {
  const key = await h.v1.send(new CreateApiKeyCommand({ name: `${name}-${randomUUID().slice(0, 8)}`, enabled: true }));
  return { id: key.id!, value: key.value! };
}

/** A usage plan covering `apiStages`, with `keyIds` in it; live on return. */
export async function newPlan(
  h: TrafficHarness,
  plan: { apiStages: ApiStage[]; throttle?: ThrottleSettings; quota?: QuotaSettings },
  keyIds: string[],
): Promise<string> {
  const created = await h.v1.send(new CreateUsagePlanCommand({ name: `plan-${randomUUID().slice(0, 8)}`, ...plan }));
  for (const keyId of keyIds) await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: created.id, keyId, keyType: 'API_KEY' }));
  await h.portico.apiKeys.settled();
  return created.id!;
}

/** GET a path of STAGE, with `x-api-key` when given; fails the test if it takes over `withinMs`. */
export async function call(h: TrafficHarness, apiId: string, path: string, key?: string, withinMs = 5_000): Promise<RawResponse> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`GET /${path} did not complete within ${withinMs} ms`)), withinMs);
  });
  try {
    return await Promise.race([
      rawRequest(h.portico.port, { path: `/_aws/execute-api/${apiId}/${STAGE}/${path}`, headers: key === undefined ? {} : { 'x-api-key': key } }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The statuses of `count` requests sent one after another. */
export async function statuses(h: TrafficHarness, apiId: string, path: string, count: number, key?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await call(h, apiId, path, key)).status);
  return out;
}

export function assertThrottled(res: RawResponse, why: string): void {
  assert.equal(res.status, 429, `${why}: ${res.status} ${res.text}`);
  assert.deepEqual(res.json(), { message: 'Too Many Requests' }, why);
  assert.equal(res.headers['x-amzn-errortype'], 'TooManyRequestsException', why);
}

export function assertQuotaExceeded(res: RawResponse, why: string): void {
  assert.equal(res.status, 429, `${why}: ${res.status} ${res.text}`);
  assert.deepEqual(res.json(), { message: 'Limit Exceeded' }, why);
  assert.equal(res.headers['x-amzn-errortype'], 'LimitExceededException', why);
}

/** Today, UTC, as GetUsage takes it. */
export const today = (): string => new Date().toISOString().slice(0, 10);

/** A key prefix of its own for one test run on a shared Redis. */
export const runPrefix = (): string => `portico-test:${process.pid}-${randomUUID()}:`;

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A redis-server of the test's own on an ephemeral port, without persistence, to kill and restart. */
export class PrivateRedis {
  private server: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const redis = new PrivateRedis(port);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits until it accepts connections (at most 5 s). */
  async restart(): Promise<void> {
    this.server = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.server.on('error', () => undefined);
    const deadline = Date.now() + 5_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await sleep(20);
    }
  }

  async kill(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
