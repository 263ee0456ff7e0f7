/**
 * The `portico` command as a user runs it: help, one-line errors without stack traces, serving
 * the bundled example, and serving the same file again in place.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
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
});
