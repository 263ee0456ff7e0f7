/**
 * Finished requests are recorded at the end of the event loop's turn (observation-queue.ts).
 * The queue itself: nothing is recorded while the turn runs, everything is by its end, in the
 * order it finished, and at once when asked or when the bound is reached. Through a real
 * Portico: a burst of concurrent requests is counted and logged whole by the next scrape and
 * flush, and a request whose connection closed before it was recorded still has its client's
 * address (taken from a second loopback address, so a default could not pass for it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { Pool } from 'undici';
import { queueObservation, recordQueuedObservations, type ObservationRecorder } from '../../src/observability/observation-queue.js';
import type { RequestObservation } from '../../src/observability/request-observation.js';
import { createLogRouter, logFilePath } from '../../src/observability/log-sinks.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { Tracing } from '../../src/observability/tracing.js';
import { JSON_FORMAT } from '../../src/observability/access-log-format.js';
import { mockApi, setStage, startPortico, STAGE, type TrafficHarness } from '../gateway/traffic-setup.js';
import { scrape, valueOf } from './metrics-setup.js';

/** Stand-ins for observations: the queue only hands them back to their recorder. */
const observation = (n: number): RequestObservation => ({ n }) as unknown as RequestObservation;

class Collecting implements ObservationRecorder {
  readonly seen: number[] = [];
  record(obs: RequestObservation): void {
    this.seen.push((obs as unknown as { n: number }).n);
  }
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('observation queue', () => {
  it('records nothing during the turn and everything at its end, in the order requests finished', async () => {
    const a = new Collecting();
    const b = new Collecting();
    queueObservation(a, observation(1));
    queueObservation(b, observation(2));
    queueObservation(a, observation(3));
    assert.deepEqual(a.seen, []);
    assert.deepEqual(b.seen, []);
    await endOfTurn();
    assert.deepEqual(a.seen, [1, 3]);
    assert.deepEqual(b.seen, [2]);
    await endOfTurn();
    assert.deepEqual(a.seen, [1, 3], 'each request is recorded once');
  });

  it('records at once when asked, and when the bound of waiting requests is reached', () => {
    const r = new Collecting();
    queueObservation(r, observation(1));
    recordQueuedObservations();
    assert.deepEqual(r.seen, [1]);

    const flood = new Collecting();
    for (let n = 0; n < 4096; n++) queueObservation(flood, observation(n));
    assert.equal(flood.seen.length, 4096, 'the 4096th waiting request records the queue');
    queueObservation(flood, observation(4096));
    assert.equal(flood.seen.length, 4096);
    recordQueuedObservations();
    assert.deepEqual(flood.seen, Array.from({ length: 4097 }, (_, n) => n));
  });

  it('records each request once when a recorder asks for the queue to be recorded', () => {
    const inner = new Collecting();
    const reentrant: ObservationRecorder & { seen: number[] } = {
      seen: [],
      record(obs) {
        this.seen.push((obs as unknown as { n: number }).n);
        // What a flush reached from inside a recorder does: it must not record this batch again.
        if (this.seen.length === 1) {
          queueObservation(inner, observation(99));
          recordQueuedObservations();
        }
      },
    };
    queueObservation(reentrant, observation(1));
    queueObservation(reentrant, observation(2));
    recordQueuedObservations();
    assert.deepEqual(reentrant.seen, [1, 2]);
    assert.deepEqual(inner.seen, [99]);
  });

  it('is recorded before a log flush, a log close, a metrics exposition and a trace flush read what is recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-queue-'));
    try {
      const router = (await createLogRouter({ destination: 'file', dir }))!;
      const metrics = new GatewayMetrics({ processMetrics: false });
      const tracing = new Tracing({ otlpEndpoint: 'http://127.0.0.1:9' });
      const readers: [string, () => unknown][] = [
        ['log flush', () => router.flush()],
        ['metrics exposition', () => metrics.exposition()],
        ['trace flush', () => tracing.forceFlush()],
        ['log close', () => router.close()],
        ['trace close', () => tracing.close()],
      ];
      for (const [name, read] of readers) {
        const r = new Collecting();
        queueObservation(r, observation(1));
        const reading = read();
        assert.deepEqual(r.seen, [1], `${name} records what waits before reading`);
        await reading;
      }
      metrics.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('requests recorded at the end of their turn', () => {
  let h: TrafficHarness;
  let api: string;
  const apiName = 'turn-end';
  const group = 'turn-end-access';
  before(async () => {
    h = await startPortico();
    api = await mockApi(h, apiName, [{ path: 'pets' }]);
    await setStage(h, api, { '/accessLogSettings/format': JSON_FORMAT, '/accessLogSettings/destinationArn': `arn:aws:logs:us-east-1:000000000000:log-group:${group}` });
  });
  after(() => h?.remove());

  const logLines = async (): Promise<Record<string, string>[]> => {
    await h.portico.observability.logs?.flush();
    const text = await readFile(logFilePath(join(h.dataDir, 'logs'), group), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, string>);
  };

  it('counts and logs a burst of concurrent requests whole by the next scrape and flush', async () => {
    const burst = 200;
    const pool = new Pool(`http://127.0.0.1:${h.portico.port}`, { connections: 20 });
    try {
      const ids = await Promise.all(
        Array.from({ length: burst }, async () => {
          const res = await pool.request({ path: `/_aws/execute-api/${api}/${STAGE}/pets`, method: 'GET' });
          await res.body.text();
          assert.equal(res.statusCode, 200);
          return res.headers['x-amzn-requestid'] as string;
        }),
      );
      const m = await scrape(h.portico.port);
      assert.equal(valueOf(m, 'apigateway_count_total', { ApiName: apiName, ApiId: api, Stage: STAGE }), burst);
      const logged = (await logLines()).map((line) => line.requestId);
      assert.deepEqual([...logged].sort(), [...ids].sort(), 'one line per request, none lost or repeated');
    } finally {
      await pool.close();
    }
  });

  it('logs the client address of requests whose connection closed before they were recorded', async () => {
    const before = (await logLines()).length;
    // From 127.0.0.2, with `Connection: close`: the server ends the connection right after the response.
    const fromSecondAddress = (path: string): Promise<{ status: number; requestId: string }> =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: h.portico.port, localAddress: '127.0.0.2', path: `/_aws/execute-api/${api}/${STAGE}/${path}`, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-amzn-requestid']) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const matched = await fromSecondAddress('pets');
    const unmatched = await fromSecondAddress('nowhere');
    assert.equal(matched.status, 200);
    assert.equal(unmatched.status, 403);
    const lines = (await logLines()).slice(before);
    assert.deepEqual(
      lines.map((line) => [line.requestId, line.ip, line.resourcePath]),
      [
        [matched.requestId, '127.0.0.2', '/pets'],
        [unmatched.requestId, '127.0.0.2', '-'],
      ],
    );
  });
});
