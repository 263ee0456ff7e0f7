/**
 * The local function runtime through its FunctionInvoker face: Node.js handlers in worker
 * threads, warm reuse, Lambda's context and logs, timeouts, memory bounds, concurrency and
 * throttling, the global instance cap, lazy start and reload on code changes.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalInvoker, type LocalInvokerOptions } from '../../src/functions/local-invoker.js';
import { InvokeError, type InvokeResult } from '../../src/functions/invoker.js';
import type { FunctionDefinition } from '../../src/model/function.js';
import { tempDir, UUID } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/functions/', import.meta.url));
const account = { accountId: '000000000000', region: 'us-east-1' };

function fn(name: string, fixture: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return {
    functionName: name,
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    codeDirectory: join(FIXTURES, fixture),
    timeout: 3,
    memorySize: 128,
    environment: {},
    ...extra,
  };
}

function invokerFor(functions: FunctionDefinition[], options: Partial<LocalInvokerOptions> = {}): LocalInvoker {
  const byName = new Map(functions.map((f) => [f.functionName, f]));
  return new LocalInvoker({ account, resolveFunction: async (name) => byName.get(name), watchCode: false, ...options });
}

const call = (invoker: LocalInvoker, name: string, event: unknown = {}, tailLog = false): Promise<InvokeResult> =>
  invoker.invoke(name, event, { requestId: randomUUID(), tailLog, traceId: 'Root=1-67891233-abcdef012345678912345678' });

/** OS threads of this process: every worker thread is one. */
function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
}

describe('Node.js functions', () => {
  const invokers: LocalInvoker[] = [];
  after(async () => {
    for (const invoker of invokers) await invoker.close();
  });
  const make = (functions: FunctionDefinition[], options: Partial<LocalInvokerOptions> = {}): LocalInvoker => {
    const invoker = invokerFor(functions, options);
    invokers.push(invoker);
    return invoker;
  };

  test('an async ESM handler gets the event, Lambda context and environment; logs are framed as Lambda frames them', async () => {
    const lines: string[] = [];
    const invoker = make([fn('hello', 'node-esm', { environment: { GREETING: 'hi' } })], {
      logSink: (name, text) => lines.push(`${name}|${text}`),
    });
    invoker.setBaseEnvironment({ AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1' });
    const result = await call(invoker, 'hello', { a: 1 }, true);
    assert.equal(result.functionError, undefined);
    const payload = result.payload as any;
    assert.deepEqual(payload.event, { a: 1 });
    assert.match(payload.context.awsRequestId, UUID);
    assert.equal(payload.context.functionName, 'hello');
    assert.equal(payload.context.functionVersion, '$LATEST');
    assert.equal(payload.context.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:hello');
    assert.equal(payload.context.memoryLimitInMB, '128');
    assert.equal(payload.context.logGroupName, '/aws/lambda/hello');
    assert.match(payload.context.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(payload.context.remaining > 2000 && payload.context.remaining <= 3000);
    assert.equal(payload.context.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(payload.env, {
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'hello',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      LAMBDA_TASK_ROOT: join(FIXTURES, 'node-esm'),
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: 'Root=1-67891233-abcdef012345678912345678',
      GREETING: 'hi',
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1',
    });

    const log = result.logTail ?? '';
    const requestId = payload.context.awsRequestId;
    const logLines = log.split('\n').slice(0, -1);
    assert.equal(logLines[0], `START RequestId: ${requestId} Version: $LATEST`);
    assert.match(logLines[1]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${requestId}\\tINFO\\tevent received \\{ keys: \\[ 'a' \\] \\}$`));
    assert.match(logLines[2]!, new RegExp(`\\t${requestId}\\tWARN\\ta warning$`));
    assert.equal(logLines[3], 'raw line');
    assert.equal(logLines[4], `END RequestId: ${requestId}`);
    assert.match(
      logLines[5]!,
      new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`),
    );
    assert.equal(lines.join('').split('hello|').join(''), log, 'the sink saw the same log');

    // Warm: the second invocation has no Init Duration.
    const again = await call(invoker, 'hello', {}, true);
    assert.doesNotMatch(again.logTail ?? '', /Init Duration/);
    assert.equal(invoker.stats().instances, 1);
  });

  test('a CommonJS callback handler stays warm between invocations', async () => {
    const invoker = make([fn('cjs', 'node-cjs')]);
    const first = await call(invoker, 'cjs');
    const second = await call(invoker, 'cjs');
    assert.deepEqual(first.payload, { calls: 1, name: 'cjs' });
    assert.deepEqual(second.payload, { calls: 2, name: 'cjs' });
  });

  test('a thrown error becomes Lambda\'s error shape and the instance stays', async () => {
    const invoker = make([fn('throws', 'node-throw')]);
    const result = await call(invoker, 'throws', { id: 7 });
    assert.equal(result.functionError, 'Unhandled');
    const error = result.payload as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(error.errorType, 'OrderNotFound');
    assert.equal(error.errorMessage, 'no order 7');
    assert.ok(Array.isArray(error.trace) && error.trace[0] === 'OrderNotFound: no order 7');
    await call(invoker, 'throws', { id: 8 });
    assert.equal(invoker.stats().instances, 1);
  });

  test('a missing handler export is reported as Runtime.HandlerNotFound', async () => {
    const invoker = make([fn('bad', 'node-bad-export')]);
    const result = await call(invoker, 'bad');
    assert.equal(result.functionError, 'Unhandled');
    assert.equal((result.payload as { errorType: string }).errorType, 'Runtime.HandlerNotFound');
    assert.match((result.payload as { errorMessage: string }).errorMessage, /index\.handler is undefined or not exported/);
  });

  test('an unknown function rejects with ResourceNotFoundException', async () => {
    const invoker = make([]);
    await assert.rejects(call(invoker, 'nope'), (err: unknown) => err instanceof InvokeError && err.code === 'ResourceNotFoundException');
  });

  test('a runaway handler times out as Lambda reports it, and its instance is replaced', async () => {
    const lines: string[] = [];
    const invoker = make([fn('loop', 'node-loop', { timeout: 1 })], { logSink: (_n, t) => lines.push(t) });
    const result = await call(invoker, 'loop', { loop: true });
    assert.equal(result.functionError, 'Unhandled');
    const error = result.payload as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, 'Sandbox.Timedout');
    assert.match(error.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(lines.join(''), /Task timed out after 1\.00 seconds\n/);
    assert.match(lines.join(''), /Status: timeout\t/);
    const next = await call(invoker, 'loop', {});
    assert.deepEqual(next.payload, { ok: true });
    assert.ok(invoker.stats().instances <= 1);
  });

  test('a handler that blows its memory size is killed and replaced', async () => {
    const invoker = make([fn('hog', 'node-hog', { timeout: 30 })]);
    const result = await call(invoker, 'hog', { hog: true });
    assert.equal(result.functionError, 'Unhandled');
    assert.equal((result.payload as { errorType: string }).errorType, 'Runtime.OutOfMemory');
    const next = await call(invoker, 'hog', {});
    assert.deepEqual(next.payload, { ok: true, held: 0 });
  });

  test('200 concurrent invocations of a function capped at 10 never run more than 10 at once and all answer', async () => {
    const invoker = make([fn('slow', 'node-slow', { reservedConcurrency: 10 })]);
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => call(invoker, 'slow', { n, ms: 10 })));
    const runs = results.map((r) => r.payload as { n: number; start: number; end: number });
    assert.deepEqual(runs.map((r) => r.n).sort((a, b) => a - b), Array.from({ length: 200 }, (_, n) => n));
    // Count overlaps at every start: how many other runs were in flight then.
    let most = 0;
    for (const run of runs) {
      const overlapping = runs.filter((o) => o.start <= run.start && o.end > run.start).length;
      most = Math.max(most, overlapping);
    }
    assert.ok(most <= 10, `at most 10 at once, saw ${most}`);
    assert.ok(invoker.stats().functions.slow!.instances <= 10);
  });

  test('beyond the queue, invocations fail as Lambda throttling does; reserved concurrency 0 throttles all', async () => {
    const invoker = make([fn('one', 'node-slow', { reservedConcurrency: 1 }), fn('off', 'node-slow', { reservedConcurrency: 0 })], {
      maxQueued: 2,
    });
    const settled = await Promise.allSettled(Array.from({ length: 6 }, (_, n) => call(invoker, 'one', { n, ms: 50 })));
    const throttled = settled.filter((s) => s.status === 'rejected');
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 3);
    for (const t of throttled) {
      const err = (t as PromiseRejectedResult).reason as InvokeError;
      assert.equal(err.code, 'TooManyRequestsException');
      assert.equal(err.message, 'Rate Exceeded.');
    }
    await assert.rejects(call(invoker, 'off'), (err: unknown) => err instanceof InvokeError && err.code === 'TooManyRequestsException');
  });

  test('a queued invocation that waits too long is throttled', async () => {
    const invoker = make([fn('busy', 'node-slow', { reservedConcurrency: 1 })], { maxQueueWaitMs: 100 });
    const [first, second] = await Promise.allSettled([call(invoker, 'busy', { ms: 400 }), call(invoker, 'busy', { ms: 1 })]);
    assert.equal(first.status, 'fulfilled');
    assert.equal(second.status, 'rejected');
  });

  test('the global instance cap holds across functions, evicting idle instances', async () => {
    const functions = ['a', 'b', 'c', 'd'].map((name) => fn(name, 'node-cjs'));
    const invoker = make(functions, { maxInstances: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'a']) {
      const result = await call(invoker, name);
      assert.equal((result.payload as { name: string }).name, name);
      assert.ok(invoker.stats().instances <= 2, `at most 2 instances, saw ${invoker.stats().instances}`);
    }
    const all = await Promise.all(['a', 'b', 'c', 'd'].flatMap((name) => [call(invoker, name), call(invoker, name)]));
    assert.equal(all.filter((r) => r.functionError).length, 0);
    assert.ok(invoker.stats().instances <= 2);
  });

  test('defined functions start nothing until invoked, and idle instances are reaped', async () => {
    const functions = Array.from({ length: 100 }, (_, i) => fn(`f${i}`, 'node-cjs'));
    const invoker = make(functions, { idleTimeoutMs: 200 });
    assert.equal(invoker.stats().instances, 0);
    await call(invoker, 'f1');
    assert.equal(invoker.stats().instances, 1);
    const deadline = Date.now() + 5000;
    while (invoker.stats().instances > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(invoker.stats().instances, 0);
  });

  test('a code change recycles instances; in-flight work finishes; nothing leaks across many reloads', async () => {
    const dir = await tempDir();
    try {
      const code = join(dir.path, 'reload');
      await cp(join(FIXTURES, 'node-slow'), code, { recursive: true });
      const source = (await readFile(join(code, 'index.mjs'), 'utf8')).replace('{ n: event.n,', '{ version: VERSION, n: event.n,');
      const write = (version: number) => writeFile(join(code, 'index.mjs'), `const VERSION = ${version};\n${source}`);
      await write(0);
      const reloads: string[] = [];
      const invoker = make([fn('reload', 'node-slow', { codeDirectory: code, reservedConcurrency: 4 })], {
        watchCode: true,
        onReload: (name) => reloads.push(name),
      });
      assert.equal(((await call(invoker, 'reload', { ms: 1 })).payload as { version: number }).version, 0);
      const threadsBefore = threadCount();

      // One edit: a slow invocation in flight finishes on the old code; the next call runs the new.
      const inFlight = call(invoker, 'reload', { ms: 600 });
      await new Promise((r) => setTimeout(r, 50));
      await write(1);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(((await inFlight).payload as { version: number }).version, 0);
      assert.equal(((await call(invoker, 'reload', { ms: 1 })).payload as { version: number }).version, 1);

      // Many edits under load: nothing is lost, and the instance count stays within its bound.
      let stop = false;
      let failures = 0;
      let answered = 0;
      const load = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const result = await call(invoker, 'reload', { ms: 2 }).catch(() => undefined);
          if (!result || result.functionError) {
            failures++;
            console.error(result?.payload);
          }
          else answered++;
        }
      });
      for (let version = 2; version < 32; version++) {
        await write(version);
        await new Promise((r) => setTimeout(r, 150));
        assert.ok(invoker.stats().instances <= 4 + 4, `instances bounded while reloading, saw ${invoker.stats().instances}`);
      }
      await new Promise((r) => setTimeout(r, 400));
      stop = true;
      await Promise.all(load);
      assert.equal(failures, 0);
      assert.ok(answered > 50, `load kept running (${answered} answers)`);
      assert.ok(reloads.length >= 10, `reloads announced (${reloads.length})`);
      assert.equal(((await call(invoker, 'reload', { ms: 1 })).payload as { version: number }).version, 31);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(invoker.stats().instances <= 4, `back within the bound, saw ${invoker.stats().instances}`);
      await invoker.close();
      await new Promise((r) => setTimeout(r, 200));
      // 30 reloads: leaked workers would leave dozens of threads behind.
      assert.ok(threadCount() <= threadsBefore + 2, `threads ${threadCount()} vs ${threadsBefore} before`);
    } finally {
      await dir.remove();
    }
  });
});
