/**
 * Process instances: Python handlers through Portico's runtime client and custom runtimes
 * through their own bootstrap, both over the Lambda Runtime API; what Lambda reports when a
 * runtime fails to load, exits or runs out of memory; and that stopping leaves nothing behind.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { FunctionDefinition } from '../../src/model/function.js';
import type { AccountSettings } from '../../src/model/settings.js';
import type { InstanceInvocation, InstanceOutcome } from '../../src/functions/instance.js';
import type { LambdaErrorPayload } from '../../src/functions/invoker.js';
import { ProcessInstance, type ProcessInstanceOptions } from '../../src/functions/process-instance.js';
import { RuntimeApiServer, type RuntimeApiResult } from '../../src/functions/runtime-api.js';

const ACCOUNT: AccountSettings = { accountId: '000000000000', region: 'us-east-1' };
const ECHO_BOOTSTRAP = fixture('provided-echo/bootstrap');

function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/functions/${name}`, import.meta.url));
}

function definition(overrides: Partial<FunctionDefinition> & { codeDirectory: string }): FunctionDefinition {
  return {
    functionName: 'fixture-fn',
    runtime: 'python3.11',
    handler: 'app.handler',
    timeout: 3,
    memorySize: 128,
    environment: {},
    ...overrides,
  };
}

interface Harness {
  instance: ProcessInstance;
  output(): string;
  /** Resolves when onExit is called. */
  exited: Promise<void>;
  exitCalls(): number;
}

function launch(def: FunctionDefinition, options?: ProcessInstanceOptions): Harness {
  let out = '';
  let exits = 0;
  let onExit!: () => void;
  const exited = new Promise<void>((resolve) => (onExit = resolve));
  const instance = new ProcessInstance(
    {
      definition: def,
      account: ACCOUNT,
      baseEnvironment: { PORTICO_ENDPOINT: 'http://127.0.0.1:1' },
      onOutput: (text) => (out += text),
      onExit: () => {
        exits++;
        onExit();
      },
    },
    options,
  );
  return { instance, output: () => out, exited, exitCalls: () => exits };
}

function invocation(event: unknown, extra: Partial<InstanceInvocation> = {}): InstanceInvocation {
  return { requestId: randomUUID(), eventJson: JSON.stringify(event), deadlineMs: Date.now() + 3000, ...extra };
}

function fatal(outcome: InstanceOutcome): LambdaErrorPayload {
  assert.equal(outcome.kind, 'fatal', `expected a fatal outcome, got ${JSON.stringify(outcome)}`);
  return (outcome as { error: LambdaErrorPayload }).error;
}

async function tempFunction(files: Record<string, string>, executable: string[] = []): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-process-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  for (const name of executable) await chmod(join(dir, name), 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Running processes in these process groups. Killed grandchildren may linger a moment as
 * zombies until init reaps them (their parent died with them); those are dead and not counted.
 */
/** When a process started (clock ticks since boot, field 22 of /proc/PID/stat), or undefined once it is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Live processes led by, or in the process groups of, the given leaders. A leader recorded with
 * its start time is told apart from a later process that was given the same pid: on a busy
 * machine the pid counter wraps, and another test's process may then lead a group of that number.
 */
function liveInGroups(groups: Set<number> | Map<number, string | undefined>): number[] {
  const leaders = groups instanceof Map ? groups : new Map([...groups].map((g): [number, string | undefined] => [g, undefined]));
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name: state ppid pgrp …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = leaders.has(Number(pgrp)) ? Number(pgrp) : leaders.has(Number(entry)) ? Number(entry) : undefined;
    if (state === 'Z' || group === undefined) continue;
    const recorded = leaders.get(group);
    if (recorded !== undefined) {
      const holder = startTimeOf(group);
      if (holder !== undefined && holder !== recorded) continue;
    }
    live.push(Number(entry));
  }
  return live;
}

/**
 * What is still alive in the groups once SIGKILL has had time to land: the signal is sent to the
 * whole group at once, but each process dies when the kernel next runs it, which on a loaded
 * machine can be just after its leader's exit was reported.
 */
async function liveInGroupsAfterKill(groups: Set<number> | Map<number, string | undefined>): Promise<number[]> {
  const deadline = Date.now() + 2000;
  let live = liveInGroups(groups);
  while (live.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    live = liveInGroups(groups);
  }
  return live;
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('python runtime', () => {
  test('answers with the handler result, the context and Lambda-formatted output', async (t) => {
    const h = launch(definition({ codeDirectory: fixture('python-hello'), environment: { GREETING: 'hi' } }));
    await h.instance.start();
    assert.ok(h.instance.initDurationMs > 0);
    t.diagnostic(`python cold start (spawn to first /next): ${h.instance.initDurationMs.toFixed(1)} ms`);

    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'acme' }, env: {}, client: {} })).toString('base64');
    const first = invocation({ hello: 'world', n: 1 }, { traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793', clientContext });
    const outcome = await h.instance.invoke(first);
    assert.equal(outcome.kind, 'response');
    const payload = JSON.parse((outcome as { payloadJson: string }).payloadJson);
    assert.deepEqual(payload.event, { hello: 'world', n: 1 });
    assert.equal(payload.functionName, 'fixture-fn');
    assert.equal(payload.functionVersion, '$LATEST');
    assert.equal(payload.memoryLimitInMB, '128');
    assert.equal(payload.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:fixture-fn');
    assert.equal(payload.awsRequestId, first.requestId);
    assert.equal(payload.logGroupName, '/aws/lambda/fixture-fn');
    assert.ok(payload.remainingTimeInMillis > 0 && payload.remainingTimeInMillis <= 3000);
    assert.equal(payload.traceId, 'Root=1-5759e988-bd862e3fe1be46a994272793');
    assert.deepEqual(payload.clientCustom, { tenant: 'acme' });
    assert.equal(payload.greeting, 'hi');

    assert.match(h.output(), /^hello from fixture-fn$/m, 'print() output stays raw');
    const logLine = new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${first.requestId}\\thandling the event$`, 'm');
    assert.match(h.output(), logLine);
    const memory = h.instance.maxMemoryUsedMb();
    assert.ok(memory > 0 && memory < 128, `max memory used ${memory} MB`);

    // Warm: the same process answers the next invocation; a trace ID does not leak into it.
    const pid = h.instance.pid!;
    const second = await h.instance.invoke(invocation([1, 2, 3]));
    assert.equal(second.kind, 'response');
    const secondPayload = JSON.parse((second as { payloadJson: string }).payloadJson);
    assert.deepEqual(secondPayload.event, [1, 2, 3]);
    assert.equal(secondPayload.traceId, null);
    assert.equal(secondPayload.clientCustom, null);
    assert.equal(h.instance.pid, pid);

    h.instance.stop();
    await h.exited;
    assert.equal(existsSync(`/proc/${pid}`), false);
  });

  test('reports a raised exception in Lambda Python error shape, and stays usable', async () => {
    const h = launch(definition({ codeDirectory: fixture('python-error') }));
    await h.instance.start();
    const call = invocation({ reason: 'too big' });
    const outcome = await h.instance.invoke(call);
    assert.equal(outcome.kind, 'error');
    const { error } = outcome as { error: LambdaErrorPayload };
    assert.equal(error.errorType, 'ValueError');
    assert.equal(error.errorMessage, 'the event is not acceptable: too big');
    assert.ok(Array.isArray(error.trace) && error.trace.length === 2, JSON.stringify(error.trace));
    const appFile = join(fixture('python-error'), 'app.py');
    assert.equal(error.trace![0], `  File "${appFile}", line 9, in handler\n    check(event)\n`);
    assert.match(error.trace![1], /, line 5, in check\n {4}raise ValueError/);
    assert.ok(!error.trace!.some((frame) => frame.includes('bootstrap.py')), 'runtime frames are trimmed');
    assert.match(h.output(), /^\[ERROR\] ValueError: the event is not acceptable: too big\nTraceback \(most recent call last\):\n {2}File /m);

    const again = await h.instance.invoke(invocation({ reason: 'again' }));
    assert.equal(again.kind, 'error');
    h.instance.stop();
    await h.exited;
  });

  test('reports an import error on the first invocation, as a fatal outcome', async () => {
    const h = launch(definition({ codeDirectory: fixture('python-import-error') }));
    await h.instance.start();
    const call = invocation({});
    const error = fatal(await h.instance.invoke(call));
    assert.equal(error.errorType, 'Runtime.ImportModuleError');
    assert.equal(error.errorMessage, "Unable to import module 'app': No module named 'portico_fixture_module_that_does_not_exist'");
    assert.match(h.output(), /^\[ERROR\] Runtime\.ImportModuleError: Unable to import module 'app'/m);
    // The runtime exits after reporting: the instance ends on its own.
    await h.exited;
    assert.equal(h.instance.stopped, true);
    h.instance.stop();
    assert.equal(h.exitCalls(), 1);
  });

  test('reports a missing handler, a malformed handler name and a syntax error', async () => {
    const missing = launch(definition({ codeDirectory: fixture('python-hello'), handler: 'app.nope' }));
    await missing.instance.start();
    const notFound = fatal(await missing.instance.invoke(invocation({})));
    assert.deepEqual([notFound.errorType, notFound.errorMessage], ['Runtime.HandlerNotFound', "Handler 'nope' missing on module 'app'"]);
    missing.instance.stop();

    const malformed = launch(definition({ codeDirectory: fixture('python-hello'), handler: 'app' }));
    await malformed.instance.start();
    const bad = fatal(await malformed.instance.invoke(invocation({})));
    assert.equal(bad.errorType, 'Runtime.MalformedHandlerName');
    assert.match(bad.errorMessage, /^Bad handler 'app'/);
    malformed.instance.stop();

    const code = await tempFunction({ 'app.py': 'def handler(event, context)\n    return 1\n' });
    const syntax = launch(definition({ codeDirectory: code.dir }));
    await syntax.instance.start();
    const syntaxError = fatal(await syntax.instance.invoke(invocation({})));
    assert.equal(syntaxError.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(syntaxError.errorMessage, /^Syntax error in module 'app': /);
    syntax.instance.stop();
    await Promise.all([missing.exited, malformed.exited, syntax.exited]);
    await code.remove();
  });

  test('loads a handler from a nested path and fails a result it cannot marshal', async () => {
    const code = await tempFunction({
      'app.py': [
        'def handler(event, context):',
        '    action = event.get("action")',
        '    if action == "set": return {1, 2}',
        '    if action == "decimal":',
        '        import decimal',
        '        return {"int": decimal.Decimal("3"), "float": decimal.Decimal("1.5"), "text": "h\\u00e9"}',
        '    return "ok"',
      ].join('\n'),
    });
    try {
      const h = launch(definition({ codeDirectory: code.dir }));
      await h.instance.start();
      const unmarshalable = await h.instance.invoke(invocation({ action: 'set' }));
      assert.equal(unmarshalable.kind, 'error');
      assert.deepEqual(
        { ...(unmarshalable as { error: LambdaErrorPayload }).error, trace: undefined },
        { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to marshal response: Object of type set is not JSON serializable', trace: undefined },
      );
      const decimals = await h.instance.invoke(invocation({ action: 'decimal' }));
      assert.equal((decimals as { payloadJson: string }).payloadJson, '{"int": 3, "float": 1.5, "text": "h\\u00e9"}');
      h.instance.stop();
      await h.exited;

      // python3.12 and later answer non-ASCII as is.
      const modern = launch(definition({ codeDirectory: code.dir, runtime: 'python3.12' }));
      await modern.instance.start();
      const text = await modern.instance.invoke(invocation({ action: 'decimal' }));
      assert.equal((text as { payloadJson: string }).payloadJson, '{"int": 3, "float": 1.5, "text": "hé"}');
      modern.instance.stop();
      await modern.exited;
    } finally {
      await code.remove();
    }

    const nested = await tempFunction({});
    try {
      await mkdir(join(nested.dir, 'pkg', 'sub'), { recursive: true });
      await writeFile(join(nested.dir, 'pkg', 'sub', 'mod.py'), 'def go(event, context):\n    return {"nested": event}\n');
      const h = launch(definition({ codeDirectory: nested.dir, handler: 'pkg/sub/mod.go' }));
      await h.instance.start();
      const outcome = await h.instance.invoke(invocation(7));
      assert.deepEqual(JSON.parse((outcome as { payloadJson: string }).payloadJson), { nested: 7 });
      h.instance.stop();
      await h.exited;
    } finally {
      await nested.remove();
    }
  });

  test('a process that exits mid-invocation fails it as Lambda does', async () => {
    const code = await tempFunction({
      'app.py': [
        'import os, signal, sys',
        'def handler(event, context):',
        '    print("about to go", flush=True)',
        '    if event == "exit": os._exit(3)',
        '    if event == "kill": os.kill(os.getpid(), signal.SIGKILL)',
        '    if event == "quiet": sys.exit(0)',
      ].join('\n'),
    });
    try {
      const cases: [string, string, string][] = [
        ['exit', 'Runtime.ExitError', 'Runtime exited with error: exit status 3'],
        ['kill', 'Runtime.ExitError', 'Runtime exited with error: signal: killed'],
        ['quiet', 'Runtime.ExitError', 'Runtime exited without providing a reason'],
      ];
      for (const [event, errorType, detail] of cases) {
        const h = launch(definition({ codeDirectory: code.dir }));
        await h.instance.start();
        const pid = h.instance.pid!;
        const call = invocation(event);
        const error = fatal(await h.instance.invoke(call));
        assert.deepEqual(error, { errorType, errorMessage: `RequestId: ${call.requestId} Error: ${detail}` });
        assert.match(h.output(), /about to go/, 'output written before the exit is delivered first');
        await h.exited;
        assert.equal(h.instance.stopped, true);
        assert.equal(existsSync(`/proc/${pid}`), false);
        // Afterwards the instance keeps answering with why it ended.
        const after = fatal(await h.instance.invoke(invocation(event)));
        assert.equal(after.errorType, errorType);
        assert.equal(h.exitCalls(), 1);
      }
    } finally {
      await code.remove();
    }
  });

  test('kills a runtime that outgrows its memory size, as Runtime.OutOfMemory', async () => {
    const h = launch(definition({ codeDirectory: fixture('python-hog'), memorySize: 128 }));
    await h.instance.start();
    const call = invocation({});
    const error = fatal(await h.instance.invoke(call));
    assert.deepEqual(error, {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${call.requestId} Error: Runtime exited with error: signal: killed`,
    });
    assert.ok(h.instance.maxMemoryUsedMb() >= 128, `max memory used ${h.instance.maxMemoryUsedMb()} MB`);
    await h.exited;
  });

  test('exits cleanly on SIGTERM', async () => {
    const h = launch(definition({ codeDirectory: fixture('python-hello') }));
    await h.instance.start();
    process.kill(h.instance.pid!, 'SIGTERM');
    await h.exited;
    const error = fatal(await h.instance.invoke(invocation({})));
    assert.equal(error.errorType, 'Runtime.ExitError');
    assert.match(error.errorMessage, /Error: Runtime exited without providing a reason$/);
  });
});

describe('provided runtime', () => {
  test('runs a custom runtime bootstrap (sh and curl) over the Runtime API', async () => {
    const h = launch(definition({ codeDirectory: fixture('provided-echo'), runtime: 'provided.al2023', handler: 'unused' }));
    await h.instance.start();
    for (const event of [{ a: 1 }, 'text', [true, null]]) {
      const outcome = await h.instance.invoke(invocation(event));
      assert.equal(outcome.kind, 'response');
      assert.deepEqual(JSON.parse((outcome as { payloadJson: string }).payloadJson), { echo: event });
    }
    h.instance.stop();
    await h.exited;
  });

  test('reports a missing, a non-executable and an unrunnable bootstrap as Runtime.InvalidEntrypoint', async () => {
    const empty = await tempFunction({});
    const notExecutable = await tempFunction({ bootstrap: '#!/bin/sh\nexit 0\n' });
    const badInterpreter = await tempFunction({ bootstrap: '#!/nonexistent/interpreter\n' }, ['bootstrap']);
    try {
      const expectations: [string, string][] = [
        [empty.dir, `Couldn't find valid bootstrap(s): [${join(empty.dir, 'bootstrap')}]`],
        [notExecutable.dir, `fork/exec ${join(notExecutable.dir, 'bootstrap')}: permission denied`],
        [badInterpreter.dir, `fork/exec ${join(badInterpreter.dir, 'bootstrap')}: no such file or directory`],
      ];
      for (const [dir, detail] of expectations) {
        const h = launch(definition({ codeDirectory: dir, runtime: 'provided.al2', handler: 'x' }));
        await h.instance.start();
        const call = invocation({});
        const error = fatal(await h.instance.invoke(call));
        assert.deepEqual(error, { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `RequestId: ${call.requestId} Error: ${detail}` });
        await h.exited;
        h.instance.stop();
        assert.equal(h.exitCalls(), 1);
      }
    } finally {
      await Promise.all([empty.remove(), notExecutable.remove(), badInterpreter.remove()]);
    }
  });

  test('reports a runtime that exits before asking for work, and one that reports its init error', async () => {
    const exits = await tempFunction({ bootstrap: '#!/bin/sh\necho "starting" >&2\nexit 2\n' }, ['bootstrap']);
    const reports = await tempFunction(
      {
        bootstrap: [
          '#!/bin/sh',
          'curl -sS -o /dev/null -X POST -H "Lambda-Runtime-Function-Error-Type: Runtime.ConfigError" \\',
          '  --data \'{"errorMessage":"missing setting","errorType":"Runtime.ConfigError","stackTrace":["at init"]}\' \\',
          '  "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error"',
          'exit 1',
        ].join('\n'),
      },
      ['bootstrap'],
    );
    try {
      const h = launch(definition({ codeDirectory: exits.dir, runtime: 'provided.al2', handler: 'x' }));
      await h.instance.start();
      const call = invocation({});
      assert.deepEqual(fatal(await h.instance.invoke(call)), {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${call.requestId} Error: Runtime exited with error: exit status 2`,
      });
      assert.match(h.output(), /starting/);
      await h.exited;

      const r = launch(definition({ codeDirectory: reports.dir, runtime: 'provided.al2', handler: 'x' }));
      await r.instance.start();
      assert.deepEqual(fatal(await r.instance.invoke(invocation({}))), {
        errorType: 'Runtime.ConfigError',
        errorMessage: 'missing setting',
        trace: ['at init'],
      });
      await r.exited;
    } finally {
      await Promise.all([exits.remove(), reports.remove()]);
    }
  });

  test('bounds the init phase', async () => {
    const code = await tempFunction({ bootstrap: '#!/bin/sh\nsleep 30\n' }, ['bootstrap']);
    try {
      const h = launch(definition({ codeDirectory: code.dir, runtime: 'provided.al2', handler: 'x' }), { initTimeoutMs: 300 });
      const began = Date.now();
      await h.instance.start();
      assert.ok(Date.now() - began < 2000);
      assert.ok(h.instance.initDurationMs >= 290);
      assert.match(h.output(), /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/m);
      const call = invocation({});
      const error = fatal(await h.instance.invoke(call));
      assert.equal(error.errorType, 'Runtime.Unknown');
      assert.match(error.errorMessage, new RegExp(`^RequestId: ${call.requestId} Error: Init timed out after 0\\.\\d\\d seconds$`));
      const pid = h.instance.pid!;
      await h.exited;
      assert.deepEqual(await liveInGroupsAfterKill(new Set([pid])), [], 'the sleep the bootstrap started is gone too');
    } finally {
      await code.remove();
    }
  });

  test('answers protocol errors (a wrong request ID) with 400 and carries on', async () => {
    const code = await tempFunction(
      {
        bootstrap: [
          '#!/bin/sh',
          'set -eu',
          'API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"',
          'STATUS="$(curl -sS -o /dev/null -w "%{http_code}" -X POST --data "{}" "$API/invocation/not-a-request/response")"',
          'echo "wrong id: $STATUS"',
          'STATUS="$(curl -sS -o /dev/null -w "%{http_code}" "$API/no/such/path")"',
          'echo "unknown path: $STATUS"',
          `exec "${ECHO_BOOTSTRAP}"`,
        ].join('\n'),
      },
      ['bootstrap'],
    );
    try {
      const h = launch(definition({ codeDirectory: code.dir, runtime: 'provided.al2023', handler: 'x' }));
      await h.instance.start();
      assert.match(h.output(), /wrong id: 400/);
      assert.match(h.output(), /unknown path: 404/);
      const outcome = await h.instance.invoke(invocation({ still: 'works' }));
      assert.deepEqual(JSON.parse((outcome as { payloadJson: string }).payloadJson), { echo: { still: 'works' } });
      h.instance.stop();
      await h.exited;
    } finally {
      await code.remove();
    }
  });
});

describe('lifecycle', () => {
  test('stop() mid-invocation ends it at once and kills the whole process group', async () => {
    const code = await tempFunction(
      { bootstrap: `#!/bin/sh\nsleep 300 &\necho "background $!"\nexec "${ECHO_BOOTSTRAP}"\n` },
      ['bootstrap'],
    );
    try {
      const slow = await tempFunction({ 'app.py': 'import time\ndef handler(event, context):\n    time.sleep(30)\n' });
      const h = launch(definition({ codeDirectory: slow.dir }));
      await h.instance.start();
      const pending = h.instance.invoke(invocation({}));
      await new Promise((resolve) => setTimeout(resolve, 100));
      h.instance.stop();
      const error = fatal(await pending);
      assert.equal(error.errorType, 'Runtime.ExitError');
      await h.exited;
      await slow.remove();

      const g = launch(definition({ codeDirectory: code.dir, runtime: 'provided.al2', handler: 'x' }));
      await g.instance.start();
      const background = Number(/background (\d+)/.exec(g.output())?.[1]);
      assert.ok(background > 0 && running(background));
      const pid = g.instance.pid!;
      g.instance.stop();
      g.instance.stop();
      await g.exited;
      assert.equal(g.exitCalls(), 1);
      assert.deepEqual(await liveInGroupsAfterKill(new Set([pid])), []);
      assert.equal(running(background), false);
    } finally {
      await code.remove();
    }
  });

  test('many start/stop cycles leave no processes, servers, sockets or timers behind', async () => {
    const before = activeHandles();
    const groups = new Map<number, string | undefined>();
    for (let round = 0; round < 5; round++) {
      const harnesses = [
        launch(definition({ codeDirectory: fixture('python-hello') })),
        launch(definition({ codeDirectory: fixture('provided-echo'), runtime: 'provided.al2', handler: 'x' })),
        launch(definition({ codeDirectory: fixture('provided-echo'), runtime: 'provided.al2', handler: 'x' })),
        launch(definition({ codeDirectory: fixture('python-import-error') })),
      ];
      await Promise.all(harnesses.map((h) => h.instance.start()));
      for (const h of harnesses) if (h.instance.pid) groups.set(h.instance.pid, startTimeOf(h.instance.pid));
      const outcomes = await Promise.all(harnesses.map((h) => h.instance.invoke(invocation({ round }))));
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ['response', 'response', 'response', 'fatal'],
      );
      // Stop one while it is asked for work, the rest while idle.
      const inFlight = harnesses[1].instance.invoke(invocation('late'));
      for (const h of harnesses) h.instance.stop();
      await inFlight;
      await Promise.all(harnesses.map((h) => h.exited));
      for (const h of harnesses) assert.equal(h.exitCalls(), 1);
    }
    assert.equal(groups.size, 20);
    assert.deepEqual(await liveInGroupsAfterKill(groups), []);
    // Closed handles go at the end of an event loop turn.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = activeHandles();
    for (const kind of ['ProcessWrap', 'PipeWrap', 'TCPServerWrap', 'TCPSocketWrap', 'Timeout']) {
      assert.equal(after[kind] ?? 0, before[kind] ?? 0, `${kind}: ${JSON.stringify(after)} vs ${JSON.stringify(before)}`);
    }
  });
});

describe('Runtime API server', () => {
  interface Exchange {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  function call(address: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Exchange> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const req = request({ host, port: Number(port), method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function serve(maxPayloadBytes?: number) {
    const events = { ready: 0, initErrors: [] as LambdaErrorPayload[], results: [] as [string, RuntimeApiResult][] };
    const server = new RuntimeApiServer({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:api-fn',
      maxPayloadBytes,
      handlers: {
        onReady: () => events.ready++,
        onInitError: (error) => events.initErrors.push(error),
        onResult: (id, result) => events.results.push([id, result]),
      },
    });
    const address = await server.listen();
    return { server, address, events };
  }

  const P = '/2018-06-01/runtime';

  test('holds /next until an invocation arrives, with Lambda headers, and takes one answer per request ID', async () => {
    const { server, address, events } = await serve();
    try {
      assert.match(address, /^127\.0\.0\.1:\d+$/);
      const next = call(address, 'GET', `${P}/invocation/next`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(events.ready, 1);
      const context = { custom: { k: 'vé' } };
      server.deliver({
        requestId: 'req-1',
        eventJson: '{"x":1}',
        deadlineMs: 1_900_000_000_000,
        traceId: 'Root=1-abc;Sampled=1',
        clientContext: Buffer.from(JSON.stringify(context)).toString('base64'),
      });
      const got = await next;
      assert.equal(got.status, 200);
      assert.equal(got.body, '{"x":1}');
      assert.equal(got.headers['content-type'], 'application/json');
      assert.equal(got.headers['lambda-runtime-aws-request-id'], 'req-1');
      assert.equal(got.headers['lambda-runtime-deadline-ms'], '1900000000000');
      assert.equal(got.headers['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:us-east-1:000000000000:function:api-fn');
      assert.equal(got.headers['lambda-runtime-trace-id'], 'Root=1-abc;Sampled=1');
      assert.deepEqual(JSON.parse(got.headers['lambda-runtime-client-context'] as string), context);
      assert.notEqual(got.headers.connection, 'close');

      const invalid = { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' };
      const wrong = await call(address, 'POST', `${P}/invocation/req-2/response`, '{}');
      assert.deepEqual([wrong.status, JSON.parse(wrong.body)], [400, invalid]);
      const ok = await call(address, 'POST', `${P}/invocation/req-1/response`, 'not json, passed through');
      assert.deepEqual([ok.status, JSON.parse(ok.body)], [202, { status: 'OK' }]);
      assert.deepEqual(events.results, [['req-1', { kind: 'response', body: 'not json, passed through' }]]);
      const again = await call(address, 'POST', `${P}/invocation/req-1/response`, '{}');
      assert.deepEqual([again.status, JSON.parse(again.body)], [400, invalid]);
      const late = await call(address, 'POST', `${P}/invocation/req-1/error`, '{}');
      assert.equal(late.status, 400);

      assert.equal((await call(address, 'GET', `${P}/nothing`)).status, 404);
      assert.equal((await call(address, 'GET', '/')).status, 404);
      assert.equal((await call(address, 'POST', `${P}/invocation/next`)).status, 405);
      const afterReady = await call(address, 'POST', `${P}/init/error`, '{}');
      assert.equal(afterReady.status, 403);
      assert.equal(events.results.length, 1);
    } finally {
      server.close();
    }
  });

  test('turns /error bodies into Lambda error payloads, tolerating odd ones', async () => {
    const { server, address, events } = await serve();
    try {
      const deliver = async (requestId: string): Promise<void> => {
        const next = call(address, 'GET', `${P}/invocation/next`);
        server.deliver({ requestId, eventJson: '{}', deadlineMs: Date.now() + 1000 });
        await next;
      };
      await deliver('a');
      const body = JSON.stringify({ errorMessage: 'boom', errorType: 'Error', stackTrace: ['at one', 'at two'] });
      assert.equal((await call(address, 'POST', `${P}/invocation/a/error`, body)).status, 202);
      await deliver('b');
      await call(address, 'POST', `${P}/invocation/b/error`, 'plain text', { 'Lambda-Runtime-Function-Error-Type': 'Custom.Failure' });
      await deliver('c');
      await call(address, 'POST', `${P}/invocation/c/error`, JSON.stringify({ errorMessage: 'x', stackTrace: 'line 1\nline 2' }));
      assert.deepEqual(events.results, [
        ['a', { kind: 'error', error: { errorType: 'Error', errorMessage: 'boom', trace: ['at one', 'at two'] } }],
        ['b', { kind: 'error', error: { errorType: 'Custom.Failure', errorMessage: 'plain text' } }],
        ['c', { kind: 'error', error: { errorType: 'Unhandled', errorMessage: 'x', trace: ['line 1', 'line 2'] } }],
      ]);
    } finally {
      server.close();
    }
  });

  test('refuses a response over the payload limit with 413 and fails the invocation', async () => {
    const { server, address, events } = await serve(1024);
    try {
      for (const [requestId, chunked] of [['big', false], ['big-chunked', true]] as const) {
        const next = call(address, 'GET', `${P}/invocation/next`);
        server.deliver({ requestId, eventJson: '{}', deadlineMs: Date.now() + 1000 });
        await next;
        const body = Buffer.alloc(4096, 'a');
        const headers: Record<string, string> = chunked ? { 'Transfer-Encoding': 'chunked' } : {};
        const refused = await call(address, 'POST', `${P}/invocation/${requestId}/response`, body, headers);
        assert.equal(refused.status, 413);
        assert.deepEqual(JSON.parse(refused.body), {
          errorMessage: 'Exceeded maximum allowed payload size (1024 bytes).',
          errorType: 'RequestEntityTooLarge',
        });
      }
      assert.deepEqual(
        events.results.map(([id, r]) => [id, r.kind === 'error' ? r.error.errorType : r.kind]),
        [
          ['big', 'Function.ResponseSizeTooLarge'],
          ['big-chunked', 'Function.ResponseSizeTooLarge'],
        ],
      );
      // The server is still fine for the next invocation.
      const next = call(address, 'GET', `${P}/invocation/next`);
      server.deliver({ requestId: 'small', eventJson: '{}', deadlineMs: Date.now() + 1000 });
      await next;
      assert.equal((await call(address, 'POST', `${P}/invocation/small/response`, '"fits"')).status, 202);
    } finally {
      server.close();
    }
  });

  test('takes an init error once, before the first /next', async () => {
    const { server, address, events } = await serve();
    try {
      const body = JSON.stringify({ errorMessage: "Unable to import module 'x'", errorType: 'Runtime.ImportModuleError', stackTrace: [] });
      assert.equal((await call(address, 'POST', `${P}/init/error`, body)).status, 202);
      assert.equal((await call(address, 'POST', `${P}/init/error`, body)).status, 403);
      assert.deepEqual(events.initErrors, [{ errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'x'", trace: [] }]);
    } finally {
      server.close();
      agent.destroy();
    }
  });
});
