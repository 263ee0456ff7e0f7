/**
 * The `portico` command as a user runs it: help, one-line errors without stack traces, serving
 * the bundled example, serving the same file again in place, and writing out every access log
 * line (made on the log writer thread) before it exits on SIGTERM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFile, writeFile } from 'node:fs/promises';
import { APIGatewayClient, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { JSON_FORMAT } from '../../src/observability/access-log-format.js';
import { logFilePath } from '../../src/observability/log-sinks.js';
import { join } from 'node:path';
import { rawRequest, tempDir } from '../helpers.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(REPO, 'examples/petstore/portico.yaml');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `portico serve`, resolves with its port and output once it listens. */
function serve(args: string[]): Promise<{ port: number; output: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`portico did not start: ${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      // The invoke URLs follow the listening line; the last line says how to stop.
      if (listening && output.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve({
          port: Number(listening[1]),
          get output() {
            return output;
          },
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portico exited with ${code}: ${output}`));
    });
  });
}

describe('portico command', () => {
  it('prints help for the command and for serve', () => {
    const main = run(['--help']);
    assert.equal(main.status, 0);
    assert.match(main.stdout, /portico serve/);
    const serveHelp = run(['serve', '--help']);
    assert.equal(serveHelp.status, 0);
    assert.match(serveHelp.stdout, /--data-dir/);
    assert.match(serveHelp.stdout, /--stage/);
  });

  it('explains a missing file in one line, without a stack trace', async () => {
    const dir = await tempDir();
    const r = run(['serve', join(dir.path, 'missing.yaml'), '--port', '0', '--data-dir', dir.path]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^portico: no such file: .*missing\.yaml\n$/);
    await dir.remove();
  });

  it('names the location of each problem in an invalid OpenAPI file', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'bad.yaml');
    await writeFile(
      file,
      [
        'openapi: 3.0.1',
        'info: {title: bad, version: "1"}',
        'paths:',
        '  /a:',
        '    get:',
        '      x-amazon-apigateway-integration:',
        '        type: teleport',
        '        timeoutInMillis: 10',
        '',
      ].join('\n'),
    );
    const r = run(['serve', file, '--port', '0', '--data-dir', dir.path]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^portico: /);
    assert.match(r.stderr, /x-amazon-apigateway-integration\/type/);
    assert.match(r.stderr, /line 7/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    await dir.remove();
  });

  it('rejects unknown commands and options', () => {
    assert.equal(run(['fly']).status, 2);
    const r = run(['serve', '--bogus']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^portico: .*bogus/);
  });

  it('serves the example, then serves the same file again in place, then serves the stored state', async () => {
    const dir = await tempDir();
    const first = await serve([EXAMPLE, '--data-dir', dir.path]);
    const apiId = /Petstore \(([a-z0-9]{10})\) stage dev/.exec(first.output)?.[1];
    assert.equal(apiId, 'petstore01', `the example pins its API id: ${first.output}`);
    assert.match(first.output, new RegExp(`http://${apiId}\\.execute-api\\.localhost:${first.port}/dev/`));
    const pets = await rawRequest(first.port, { path: `/_aws/execute-api/${apiId}/dev/pets` });
    assert.equal(pets.status, 200);
    assert.equal(pets.json()[0].type, 'dog');
    const pet = await rawRequest(first.port, { path: `/_aws/execute-api/${apiId}/dev/pets/2` });
    assert.deepEqual(pet.json(), { id: 2, type: 'cat', price: 124.99 });
    await first.stop();

    const second = await serve([EXAMPLE, '--data-dir', dir.path]);
    assert.match(second.output, new RegExp(`Petstore \\(${apiId}\\) stage dev`));
    assert.equal((second.output.match(/Petstore \(/g) ?? []).length, 1, 'no second copy of the API');
    await second.stop();

    const third = await serve(['--data-dir', dir.path]);
    assert.equal((await rawRequest(third.port, { path: `/_aws/execute-api/${apiId}/dev/pets` })).status, 200);
    await third.stop();
    await dir.remove();
  });

  it('writes every access log line out before it exits on SIGTERM', async () => {
    const dir = await tempDir();
    const portico = await serve([EXAMPLE, '--data-dir', dir.path]);
    const client = new APIGatewayClient({ endpoint: `http://127.0.0.1:${portico.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await client.send(
      new UpdateStageCommand({
        restApiId: 'petstore01',
        stageName: 'dev',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:shutdown-test' },
          { op: 'replace', path: '/accessLogSettings/format', value: JSON_FORMAT },
        ],
      }),
    );
    client.destroy();
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => rawRequest(portico.port, { path: '/_aws/execute-api/petstore01/dev/pets' })));
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        ids.push(String(answer.headers['x-amzn-requestid']));
      }
    }
    await portico.stop();
    const lines = (await readFile(logFilePath(join(dir.path, 'logs'), 'shutdown-test'), 'utf8')).split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.deepEqual(lines.map((line) => JSON.parse(line).requestId).sort(), ids.sort());
    await dir.remove();
  });
});
