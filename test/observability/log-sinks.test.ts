/**
 * The log destinations with real files, a real child process's standard output and a real
 * OTLP/HTTP receiver: lazy creation and one line per event, bursts of events (ASCII and not)
 * encoded together across buffers, rotation by size, the buffer bound and its drop count, the
 * bound on open files, the `stdout` line shape, and the OTLP copy of every event (through a
 * router directly, and through a Portico serving a stage with access logging).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogRouter, logFilePath, oneLine, type LogRouter } from '../../src/observability/log-sinks.js';
import { JSON_FORMAT } from '../../src/observability/access-log-format.js';
import { listen, tempDir } from '../helpers.js';
import { call, mockApi, setStage, startPortico } from '../gateway/traffic-setup.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

async function withRouter(options: Partial<Parameters<typeof createLogRouter>[0]>, fn: (router: LogRouter, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir('portico-log-sinks-');
  const logs = join(dir.path, 'logs');
  const router = await createLogRouter({ destination: 'file', dir: logs, ...options });
  assert.ok(router);
  try {
    await fn(router, logs);
  } finally {
    await router.close();
    await dir.remove();
  }
}

/** Files of this process open under `dir` (Linux), or undefined where /proc is not available. */
function openFilesUnder(dir: string): number | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) count++;
    } catch {
      // The descriptor was closed while listing.
    }
  }
  return count;
}

describe('file destination', () => {
  it('creates a group file on its first event and writes one line per event', async () => {
    await withRouter({}, async (router, dir) => {
      assert.equal(existsSync(dir), false, 'nothing exists before the first event');
      router.write('API-Gateway-Execution-Logs_abc123/dev', 'first', T0);
      // Producers hand over single lines; oneLine is how they escape line breaks.
      router.write('API-Gateway-Execution-Logs_abc123/dev', oneLine('two\nlines\r\nin one event'), T0);
      router.write('other', 'elsewhere', T0);
      await router.flush();
      assert.deepEqual((await readdir(dir)).sort(), ['API-Gateway-Execution-Logs_abc123%2Fdev.log', 'other.log']);
      assert.equal(
        await readFile(logFilePath(dir, 'API-Gateway-Execution-Logs_abc123/dev'), 'utf8'),
        'first\ntwo\\nlines\\r\\nin one event\n',
      );
      assert.equal(await readFile(logFilePath(dir, 'other'), 'utf8'), 'elsewhere\n');
      router.write('other', 'appended', T0);
      await router.flush();
      assert.equal(await readFile(logFilePath(dir, 'other'), 'utf8'), 'elsewhere\nappended\n');
      assert.equal(router.dropped, 0);
    });
  });

  it('writes bursts of events, ASCII and not, across buffers in order and whole', async () => {
    await withRouter({}, async (router, dir) => {
      // About 40 KB of ASCII, encoded once this caller yields, then text whose length fits the
      // rest of that buffer while its encoding (two bytes a character) does not.
      const ascii = Array.from({ length: 100 }, (_, i) => `${i} ${'b'.repeat(400)}`);
      const wide = Array.from({ length: 30 }, (_, i) => `${i} ${'ü'.repeat(500)}`);
      for (const line of ascii) router.write('mixed', line, T0);
      await new Promise((resolve) => setImmediate(resolve));
      for (const line of wide) router.write('mixed', line, T0);
      await router.flush();
      assert.equal(await readFile(logFilePath(dir, 'mixed'), 'utf8'), [...ascii, ...wide].join('\n') + '\n');
    });
    await withRouter({}, async (router, dir) => {
      // Written without returning to the event loop: the group's waiting events are encoded
      // together whenever they reach the batch size, and the rest when the caller is done.
      const lines = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? `${i} ${'ü'.repeat(300)}` : `${i} ${'a'.repeat(250)} é ☃ 𝄞`));
      for (const line of lines) router.write('burst', line, T0);
      await router.flush();
      assert.equal(await readFile(logFilePath(dir, 'burst'), 'utf8'), lines.join('\n') + '\n');
      assert.equal(router.dropped, 0);
    });
  });

  it('rotates a file before it passes the size limit, keeping maxFiles rotated files', async () => {
    await withRouter({ file: { maxFileBytes: 100, maxFiles: 2 } }, async (router, dir) => {
      // 30-byte lines: three fit in 100 bytes, the fourth starts a new file.
      const lines = Array.from({ length: 10 }, (_, i) => `event ${String(i).padStart(2, '0')} ${'x'.repeat(20)}`);
      for (const line of lines.slice(0, 5)) router.write('rotating', line, T0);
      await router.flush();
      for (const line of lines.slice(5)) router.write('rotating', line, T0);
      await router.flush();
      const path = logFilePath(dir, 'rotating');
      assert.deepEqual((await readdir(dir)).sort(), ['rotating.log', 'rotating.log.1', 'rotating.log.2']);
      const read = async (p: string): Promise<string[]> => (await readFile(p, 'utf8')).split('\n').filter((l) => l !== '');
      // Oldest to newest: .2, .1, then the current file; the first events rotated away.
      assert.deepEqual(await read(`${path}.2`), lines.slice(3, 6));
      assert.deepEqual(await read(`${path}.1`), lines.slice(6, 9));
      assert.deepEqual(await read(path), lines.slice(9));
      for (const file of [path, `${path}.1`, `${path}.2`]) assert.ok((await readFile(file)).length <= 100, file);
    });
  });

  it('writes an event larger than the size limit whole, to a file of its own', async () => {
    await withRouter({ file: { maxFileBytes: 50, maxFiles: 3 } }, async (router, dir) => {
      router.write('big', 'small', T0);
      router.write('big', 'y'.repeat(120), T0);
      router.write('big', 'after', T0);
      await router.flush();
      const path = logFilePath(dir, 'big');
      assert.equal(await readFile(`${path}.2`, 'utf8'), 'small\n');
      assert.equal(await readFile(`${path}.1`, 'utf8'), `${'y'.repeat(120)}\n`);
      assert.equal(await readFile(path, 'utf8'), 'after\n');
    });
  });

  it('drops and counts events beyond the buffer bound, and accepts more once written', async () => {
    await withRouter({ file: { maxBufferedBytes: 50 } }, async (router, dir) => {
      // 20 characters a line (newline included): two fit in 50, the other eight are dropped.
      for (let i = 0; i < 10; i++) router.write('bounded', `line ${i} ${'z'.repeat(12)}`, T0);
      // The files (and their bound) are the writer thread's: its count is in once it is flushed.
      await router.flush();
      assert.equal(router.dropped, 8);
      router.write('bounded', 'after the flush', T0);
      await router.flush();
      assert.equal(router.dropped, 8);
      assert.deepEqual((await readFile(logFilePath(dir, 'bounded'), 'utf8')).split('\n'), [`line 0 ${'z'.repeat(12)}`, `line 1 ${'z'.repeat(12)}`, 'after the flush', '']);
    });
  });

  it('drops and counts what does not fit in the queue to the writer thread', async () => {
    await withRouter({ ring: { ringBytes: 1024 } }, async (router, dir) => {
      // One turn's events of a group cross as one record: 10 lines of 100 characters need more
      // than the half of a 1 KiB queue a record may take, so all ten are dropped.
      for (let i = 0; i < 10; i++) router.write('queued', `${i}`.padEnd(100, 'q'), T0);
      await router.flush();
      assert.equal(router.dropped, 10);
      router.write('queued', 'small enough', T0);
      await router.flush();
      assert.equal(router.dropped, 10);
      assert.equal(await readFile(logFilePath(dir, 'queued'), 'utf8'), 'small enough\n');
    });
  });

  it('takes access log events as records only for formats short enough to cross the queue', async () => {
    await withRouter({ ring: { ringBytes: 4096 } }, async (router) => {
      assert.ok(router.accessLogWriter('short', '$context.requestId $context.status'));
      // The format crosses once, as text; one too long for the queue is written as text instead.
      assert.equal(router.accessLogWriter('long', `$context.requestId ${'x'.repeat(600)}`), undefined);
    });
  });

  it('counts events as dropped once the writer thread is gone, and still flushes and closes', async () => {
    await withRouter({}, async (router, dir) => {
      router.write('orphaned', 'written', T0);
      await router.flush();
      // The thread failing is simulated by ending it from outside.
      const worker = (router as unknown as { lines: { worker: import('node:worker_threads').Worker } }).lines.worker;
      await worker.terminate();
      router.write('orphaned', 'lost', T0);
      router.write('orphaned', 'lost too', T0);
      await router.flush();
      assert.equal(router.dropped, 2);
      assert.equal(await readFile(logFilePath(dir, 'orphaned'), 'utf8'), 'written\n');
    });
  });

  it('keeps at most maxOpenFiles files open, reopening groups as they are written', async () => {
    await withRouter({ file: { maxOpenFiles: 2 } }, async (router, dir) => {
      const groups = ['g1', 'g2', 'g3', 'g4', 'g5'];
      for (let round = 0; round < 3; round++) {
        for (const group of groups) {
          router.write(group, `${group} round ${round}`, T0);
          await router.flush();
          const open = openFilesUnder(dir);
          if (open !== undefined) assert.ok(open <= 2, `${open} files open`);
        }
      }
      for (const group of groups) {
        assert.equal(await readFile(logFilePath(dir, group), 'utf8'), `${group} round 0\n${group} round 1\n${group} round 2\n`);
      }
    });
  });

  it('drops events written after close without throwing', async () => {
    await withRouter({}, async (router, dir) => {
      router.write('closing', 'before', T0);
      await router.close();
      router.write('closing', 'after', T0);
      await router.flush();
      assert.equal(await readFile(logFilePath(dir, 'closing'), 'utf8'), 'before\n');
    });
  });

  it('has no router for destination off without an OTLP endpoint', async () => {
    assert.equal(await createLogRouter({ destination: 'off', dir: '/nonexistent' }), undefined);
  });
});

describe('stdout destination', () => {
  /** Runs a script in a child process; resolves with its stdout and stderr once it exits. */
  async function runChild(source: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const dir = await tempDir('portico-stdout-sink-');
    try {
      const script = join(dir.path, 'child.mjs');
      await writeFile(script, source);
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { stdout, stderr, code };
    } finally {
      await dir.remove();
    }
  }

  const sinks = pathToFileURL(join(import.meta.dirname, '../../src/observability/log-sinks.js')).href;

  it('prints each event as one line prefixed with its log group', async () => {
    const { stdout, stderr, code } = await runChild(`
      import { createLogRouter } from ${JSON.stringify(sinks)};
      const router = await createLogRouter({ destination: 'stdout', dir: '' });
      router.write('access-group', '{"requestId":"r1","status":"200"}', 0);
      router.write('API-Gateway-Execution-Logs_abc123/dev', '(r1) Method completed with status: 200', 0);
      router.write('access-group', 'two\\\\nlines', 0);
      await router.close();
      console.error(JSON.stringify({ dropped: router.dropped }));
    `);
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      'access-group {"requestId":"r1","status":"200"}\n' +
        'API-Gateway-Execution-Logs_abc123/dev (r1) Method completed with status: 200\n' +
        'access-group two\\nlines\n',
    );
    assert.deepEqual(JSON.parse(stderr.trim()), { dropped: 0 });
  });

  it('drops and counts events beyond its buffer bound, saying so once on stderr', async () => {
    const { stdout, stderr, code } = await runChild(`
      import { createLogRouter } from ${JSON.stringify(sinks)};
      const router = await createLogRouter({ destination: 'stdout', dir: '', stdout: { maxBufferedBytes: 100 } });
      // 32 bytes a line with the group: three fit in 100 bytes before the first write completes.
      for (let i = 0; i < 10; i++) router.write('g', 'event ' + i + ' ' + 'x'.repeat(21), 0);
      await router.close();
      console.error(JSON.stringify({ dropped: router.dropped }));
    `);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      stdout.split('\n').filter((l) => l !== ''),
      [0, 1, 2].map((i) => `g event ${i} ${'x'.repeat(21)}`),
    );
    const errLines = stderr.trim().split('\n');
    assert.equal(errLines.filter((l) => l.includes('dropping events')).length, 1, stderr);
    assert.deepEqual(JSON.parse(errLines.at(-1)!), { dropped: 7 });
  });
});

describe('OTLP copy', () => {
  interface Received {
    path: string;
    contentType: string | undefined;
    body: any;
  }

  async function receiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
    const received: Received[] = [];
    const server = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: text === '' ? undefined : JSON.parse(text) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    return { url: `http://127.0.0.1:${server.port}`, received, close: () => server.close() };
  }

  interface Record_ {
    body: string;
    timeUnixNano: string;
    groups: string[];
    service: string;
  }

  /** Every log record in the requests to /v1/logs, with its group attribute and resource's service. */
  function recordsOf(received: Received[]): Record_[] {
    const out: Record_[] = [];
    for (const { path, body } of received) {
      if (path !== '/v1/logs') continue;
      for (const resourceLogs of body.resourceLogs) {
        const service = resourceLogs.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
        for (const scopeLogs of resourceLogs.scopeLogs) {
          for (const record of scopeLogs.logRecords) {
            const attribute = record.attributes.find((a: any) => a.key === 'aws.log.group.names');
            out.push({
              body: record.body.stringValue,
              timeUnixNano: String(record.timeUnixNano),
              groups: attribute.value.arrayValue.values.map((v: any) => v.stringValue),
              service,
            });
          }
        }
      }
    }
    return out;
  }

  it('sends every event to {endpoint}/v1/logs as OTLP/HTTP JSON, with its log group and time', async () => {
    const otlp = await receiver();
    try {
      await withRouter({ otlpEndpoint: `${otlp.url}/` }, async (router, dir) => {
        router.write('access', 'one', T0);
        router.write('API-Gateway-Execution-Logs_abc123/dev', 'two', T0 + 1);
        router.write('access', 'three', T0 + 2);
        await router.flush();
        const logsRequests = otlp.received.filter((r) => r.path === '/v1/logs');
        assert.ok(logsRequests.length >= 1);
        for (const r of logsRequests) assert.match(r.contentType ?? '', /^application\/json/);
        const records = recordsOf(otlp.received).sort((a, b) => a.timeUnixNano.localeCompare(b.timeUnixNano));
        assert.deepEqual(records, [
          { body: 'one', timeUnixNano: `${T0}000000`, groups: ['access'], service: 'portico' },
          { body: 'two', timeUnixNano: `${T0 + 1}000000`, groups: ['API-Gateway-Execution-Logs_abc123/dev'], service: 'portico' },
          { body: 'three', timeUnixNano: `${T0 + 2}000000`, groups: ['access'], service: 'portico' },
        ]);
        // The file destination got the same events.
        assert.equal(await readFile(logFilePath(dir, 'access'), 'utf8'), 'one\nthree\n');
      });
    } finally {
      await otlp.close();
    }
  });

  it('sends with destination off too, and survives an endpoint that is down', async () => {
    const otlp = await receiver();
    const url = otlp.url;
    await otlp.close();
    const router = await createLogRouter({ destination: 'off', dir: '/nonexistent', otlpEndpoint: url, otlp: { timeoutMillis: 300 } });
    assert.ok(router);
    router.write('g', 'lost', T0);
    await router.flush();
    await router.close();
  });

  it("receives a stage's access log events from a running Portico", async () => {
    const otlp = await receiver();
    const h = await startPortico({ otlpEndpoint: otlp.url, logs: 'off' });
    try {
      const api = await mockApi(h, 'otlp-access', [{ path: 'pets' }]);
      await setStage(h, api, {
        '/accessLogSettings/format': JSON_FORMAT,
        '/accessLogSettings/destinationArn': 'arn:aws:logs:us-east-1:000000000000:log-group:otlp-access-group',
      });
      const res = await call(h, api, 'pets');
      assert.equal(res.status, 200);
      await h.portico.observability.logs?.flush();
      const records = recordsOf(otlp.received).filter((r) => r.groups[0] === 'otlp-access-group');
      assert.equal(records.length, 1);
      const event = JSON.parse(records[0]!.body);
      assert.equal(event.requestId, res.headers['x-amzn-requestid']);
      assert.equal(event.status, '200');
      assert.equal(event.resourcePath, '/pets');
      assert.equal(existsSync(join(h.dataDir, 'logs')), false, 'destination off writes no files');
    } finally {
      await h.remove();
      await otlp.close();
    }
  });
});
