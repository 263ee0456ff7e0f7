/**
 * The access-control pair's setup: the API key and the usage plan that lets it call the bench
 * stage. OpenAPI has no place for keys and plans, so they are created the way a user creates
 * them, through the management API Portico serves on its own port (SigV4, the local `test`
 * credentials), once Portico is up and before wrk runs. The authorizer itself comes from the
 * OpenAPI document (bench-api.yaml, `bench_authorizer`).
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { LOOPBACK, assertLoopbackUrl, httpGet } from './net.js';
import { STAGE, type Portico } from './portico.js';

/**
 * A fixed value (AWS requires at least 20 characters) keeps the wrk command line the same from
 * run to run; the data dir is new each run, so it never collides with an earlier key.
 */
export const BENCH_API_KEY = 'portico-bench-key-0123456789';
/** The token the authorizer receives; any non-empty value is allowed, and one token means one cache entry. */
export const BENCH_TOKEN = 'Bearer portico-bench-token';

/** The headers every request to the authorized target carries. */
export const ACCESS_HEADERS: Readonly<Record<string, string>> = {
  'x-api-key': BENCH_API_KEY,
  Authorization: BENCH_TOKEN,
};

/** Creates the key, a usage plan for the bench stage, and the key's membership of the plan. */
export async function setUpApiKey(portico: Portico): Promise<void> {
  const endpoint = `http://${LOOPBACK}:${portico.port}`;
  assertLoopbackUrl(endpoint);
  const client = new APIGatewayClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  try {
    const key = await client.send(new CreateApiKeyCommand({ name: 'portico-bench', value: BENCH_API_KEY, enabled: true }));
    const plan = await client.send(new CreateUsagePlanCommand({ name: 'portico-bench', apiStages: [{ apiId: portico.apiId, stage: STAGE }] }));
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
  } finally {
    client.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `url` answers 200 with ACCESS_HEADERS. The gateway's key index applies the
 * management API's changes from the store's change feed, a moment after the calls return, so
 * the first requests could still be refused; measuring must not start before they are not.
 */
export async function waitForAccess(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await httpGet(url, 2000, ACCESS_HEADERS);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${res.body.slice(0, 120)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not admitted within ${timeoutMs} ms (${last})`);
}
