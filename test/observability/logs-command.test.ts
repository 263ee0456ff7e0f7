/**
 * `portico logs`, run as the real CLI (`node …/src/cli/main.js logs …`) in a child process
 * against log directories written by the real log router: the last N lines (across a
 * rotation), --follow picking up an appended line and then a rotated file, the access log group
 * of a stage looked up in the store of a running Portico, the execution log group derived from
 * the stage, usage errors, and colours only on a terminal.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogRouter, type LogRouter } from '../../src/observability/log-sinks.js';
import { JSON_FORMAT } from '../../src/observability/access-log-format.js';
import { tempDir } from '../helpers.js';
import { call, mockApi, setStage, startPortico, STAGE, type TrafficHarness } from '../gateway/traffic-setup.js';

const CLI = join(import.meta.dirname, '../../src/cli/main.js');
const T0 = Date.UTC(2025, 5, 1);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
async function portico(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '', ...env } });
  const collected = collect(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, ...collected() };
}

function collect(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return () => ({ stdout, stderr });
}

/** Waits until `ready` holds, failing the test after `withinMs`. */
async function until(ready: () => boolean, what: () => string, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what()}`);
    await sleep(20);
  }
}

const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('portico logs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let router: LogRouter;

  before(async () => {
    dir = await tempDir('portico-logs-command-');
    // Lines of 20 bytes, files of at most 100: five lines a file, so 12 lines leave the last
    // two in the current file, five in .1 and five in .2.
    router = (await createLogRouter({ destination: 'file', dir: join(dir.path, 'logs'), file: { maxFileBytes: 100, maxFiles: 3 } }))!;
    for (let i = 1; i <= 12; i++) router.write('/aws/access', `access line ${String(i).padStart(3, '0')}    `, T0);
    await router.flush();
  });
  after(async () => {
    await router?.close();
    await dir?.remove();
  });

  it('prints the last N lines, reaching into rotated files when the current one has fewer', async () => {
    const three = await portico(['logs', '/aws/access', '--data-dir', dir.path, '-n', '3']);
    assert.equal(three.code, 0, three.stderr);
    assert.deepEqual(linesOf(three.stdout), ['access line 010    ', 'access line 011    ', 'access line 012    ']);
    assert.ok(!three.stdout.includes('\x1b['), 'no colours when the output is not a terminal');

    const all = await portico(['logs', '/aws/access', '--data-dir', dir.path, '--lines', '50']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(
      linesOf(all.stdout),
      Array.from({ length: 12 }, (_, i) => `access line ${String(i + 1).padStart(3, '0')}    `),
    );

    const viaEnv = await portico(['logs', '/aws/access', '-n', '1'], { PORTICO_DATA_DIR: dir.path });
    assert.deepEqual(linesOf(viaEnv.stdout), ['access line 012    ']);
  });

  it('follows the group: an appended line, then the lines of a new file after a rotation', async () => {
    const child = spawn(process.execPath, [CLI, 'logs', '/aws/access', '--data-dir', dir.path, '-n', '1', '--follow'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    try {
      await until(() => output().stdout.includes('access line 012'), () => JSON.stringify(output()));
      router.write('/aws/access', 'appended line 013  ', T0);
      await router.flush();
      await until(() => output().stdout.includes('appended line 013'), () => JSON.stringify(output()));
      // The current file now holds 3 lines (60 bytes): two more fill it, the third rotates it.
      for (const n of [14, 15, 16, 17]) router.write('/aws/access', `rotated line ${n}    `, T0);
      await router.flush();
      await until(() => output().stdout.includes('rotated line 17'), () => JSON.stringify(output()));
      assert.deepEqual(linesOf(output().stdout), [
        'access line 012    ',
        'appended line 013  ',
        'rotated line 14    ',
        'rotated line 15    ',
        'rotated line 16    ',
        'rotated line 17    ',
      ]);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('says so and exits 1 when the group has no file, and 2 on a usage mistake', async () => {
    const missing = await portico(['logs', 'no-such-group', '--data-dir', dir.path]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.equal(linesOf(missing.stderr).length, 1, missing.stderr);
    assert.match(missing.stderr, /no log file for log group 'no-such-group'/);

    const usage = await portico(['logs', '--api', 'abc1234567']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--api and --stage go together/);

    const both = await portico(['logs', 'group', '--execution', '--api', 'a', '--stage', 'b']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);

    const help = await portico(['logs', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: portico logs GROUP/);
    assert.match(help.stdout, /--follow/);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  // Off CI a machine without script(1) skips this, saying so; under CI a missing script fails it.
  const skip = hasScript || process.env.PORTICO_CI ? false : 'no script(1) to provide a terminal';
  it('colours status codes on a terminal, and not with NO_COLOR', { skip }, async () => {
    const colourDir = await tempDir('portico-logs-colour-');
    const writer = (await createLogRouter({ destination: 'file', dir: join(colourDir.path, 'logs') }))!;
    try {
      writer.write('colours', '{"requestId":"a","status":"200"}', T0);
      writer.write('colours', '1.2.3.4 - - [01/Jun/2025:00:00:00 +0000] "GET /x HTTP/1.1" 404 5 b c', T0);
      writer.write('colours', '(c) Method completed with status: 502', T0);
      writer.write('colours', '(d) Execution failed due to configuration error: Invalid endpoint address', T0);
      await writer.flush();
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} logs colours --data-dir ${JSON.stringify(colourDir.path)}`;
      const onTerminal = (env: NodeJS.ProcessEnv): string =>
        spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout.replace(/\r/g, '');
      const coloured = onTerminal({ NO_COLOR: '' });
      assert.ok(coloured.includes('"status":"\x1b[32m200\x1b[0m"'), JSON.stringify(coloured));
      assert.ok(coloured.includes('" \x1b[33m404\x1b[0m 5'), JSON.stringify(coloured));
      assert.ok(coloured.includes('status: \x1b[31m502\x1b[0m'), JSON.stringify(coloured));
      assert.ok(coloured.includes('\x1b[31m(d) Execution failed'), JSON.stringify(coloured));
      const plain = onTerminal({ NO_COLOR: '1' });
      assert.ok(plain.includes('"status":"200"') && !plain.includes('\x1b['), JSON.stringify(plain));
    } finally {
      await writer.close();
      await colourDir.remove();
    }
  });
});

describe('portico logs for a stage', () => {
  let h: TrafficHarness;
  let api: string;
  let noLogs: string;

  before(async () => {
    h = await startPortico();
    api = await mockApi(h, 'logs-command', [{ path: 'pets' }]);
    noLogs = await mockApi(h, 'logs-command-none', [{ path: 'pets' }]);
    await setStage(h, api, {
      '/accessLogSettings/format': JSON_FORMAT,
      '/accessLogSettings/destinationArn': 'arn:aws:logs:us-east-1:000000000000:log-group:stage-access:*',
    });
  });
  after(() => h?.remove());

  it("reads the stage's access log group from the store while the server runs", async () => {
    const first = await call(h, api, 'pets');
    const second = await call(h, api, 'missing');
    await h.portico.observability.logs?.flush();
    const run = await portico(['logs', '--api', api, '--stage', STAGE, '--data-dir', h.dataDir]);
    assert.equal(run.code, 0, run.stderr);
    const events = linesOf(run.stdout).map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(
      events.map((e) => [e.requestId, e.status]),
      [
        [first.headers['x-amzn-requestid'], '200'],
        [second.headers['x-amzn-requestid'], '403'],
      ],
    );
  });

  it('names the execution log group of a stage, and explains a stage without access logging', async () => {
    const execution = await portico(['logs', '--api', noLogs, '--stage', STAGE, '--execution', '--data-dir', h.dataDir]);
    assert.equal(execution.code, 1);
    assert.ok(execution.stderr.includes(`'API-Gateway-Execution-Logs_${noLogs}/${STAGE}'`), execution.stderr);

    const none = await portico(['logs', '--api', noLogs, '--stage', STAGE, '--data-dir', h.dataDir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /has no access logging/);

    const unknown = await portico(['logs', '--api', noLogs, '--stage', 'nope', '--data-dir', h.dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no stage 'nope'/);
  });
});
